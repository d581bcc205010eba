"""LB3's User remote methods (user.js), built in for every User-based model.

specgen/builtins/user.json declares them (`methods`: login, logout, prototype.verify, confirm,
resetPassword, changePassword, setPassword, with LB3's paths, accepts and returns), so every
User-based model's document has them; `setup_user_model(model)` assigns their implementations
before the app's own model module runs, so an app can replace one, as LB3 apps replace
`User.login`:

    session.py      login, logout, changePassword, setPassword
    mail_flows.py   prototype.verify, confirm, resetPassword
"""

from __future__ import annotations

from .setup import setup_user_model

__all__ = ["setup_user_model"]
