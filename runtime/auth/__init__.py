"""LB3's security model, piece by piece: passwords (passwords.py) and the login decision
(login.py); access tokens and where a
request carries one (tokens.py); login throttling shared by every worker (throttle.py) and the
client address it counts by (addresses.py); the one-use password-reset and verification token
rules (reset.py, verification.py). Each module is pure or talks only to the database stage; the
REST layer wires them in."""
