"""LB3's security model, piece by piece.

Users and tokens: passwords (passwords.py) and the login decision (login.py); access tokens and where
a request carries one (tokens.py); login throttling shared by every worker (throttle.py) and the
client address it counts by (addresses.py); the one-use password-reset and verification token rules
(reset.py, verification.py).

Authorization: which access type a method needs (access_types), which roles a caller holds (roles),
who owns a row (owner), and which ACL rule wins (acl). Everything that can be decided at start-up is:
a policy is compiled once per (model, method), and a model with no ACLs has none.

Wiring: the request's caller (principal: token -> Principal, read lazily through the Context) and
enforcement (enforce: `app.enable_auth()`, one Authorizer, a guard on each operation an ACL can refuse,
static roles from the Role/RoleMapping tables, `Model.check_access`).
"""
