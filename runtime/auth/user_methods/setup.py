"""Assign the built-in User methods to a User-based model, once, at start-up."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ...model import Model

# LB3 name -> factory(model) of the implementation; an instance method's name has `prototype.`
Factory = Callable[["Model"], Callable[..., Any]]


def builtin_methods() -> dict[str, Factory]:
    """Every built-in implementation by its LB3 name (the modules that hold them are imported here,
    not at import time, so runtime.model can import this package)."""
    from . import mail_flows, session

    return {
        "login": session.login_for,
        "logout": session.logout_for,
        "changePassword": session.change_password_for,
        "setPassword": session.set_password_for,
        **mail_flows.METHODS,
    }


BUILTIN = "lb_builtin"  # marks an implementation made here (a base's own replacement has none)


def setup_user_model(model: Model) -> None:
    """Give MODEL (User or a model based on it) LB3's User methods. Called by the runtime after the
    model inherited from its base (runtime/inheritance.py) and before its own Python module, whose
    assignments then win. A base's built-in is made anew for this model (it is bound to its model's
    table); a base's own replacement (`MyUser.login = fn` in its module) is kept, as LB3 copies it."""
    for name, factory in builtin_methods().items():
        attr = name.removeprefix("prototype.")
        target: Any = model.prototype if name.startswith("prototype.") else model
        inherited = getattr(target, attr, None)
        if inherited is not None and not getattr(inherited, BUILTIN, False):
            continue
        fn = factory(model)
        setattr(fn, BUILTIN, True)
        setattr(target, attr, fn)
