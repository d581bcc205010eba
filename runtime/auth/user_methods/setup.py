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


def setup_user_model(model: Model) -> None:
    """Give MODEL (User or a model based on it) LB3's User methods. Called by the runtime before
    the model's own Python module, whose assignments then win."""
    for name, factory in builtin_methods().items():
        if name.startswith("prototype."):
            setattr(model.prototype, name.removeprefix("prototype."), factory(model))
        else:
            setattr(model, name, factory(model))
