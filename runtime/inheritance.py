"""What a sub-model (`"base": "Animal"`) inherits from its base models' Python modules, as LB3 3.28
does it (observed: tests/oracle/lb3-3.28/inheritance.json):

- the remote methods of the base's JSON `methods` block (specgen merges them into the sub-model's);
- the static functions the base's `setup` assigned (`Animal.speak = fn`): LB3 copies a base's
  statics when it defines the sub-model, after the base's module ran, so what a boot script assigns
  to the base later is not inherited, and the sub-model's own assignment wins;
- instance methods (`Animal.prototype.describe = fn`), looked up on the base's prototype whenever
  assigned (JavaScript's prototype chain);
- operation hooks (`Animal.observe(...)`), whenever registered, the base's first (LB3 notifies the
  base class's observers before the model's own); `ctx.model` is the sub-model.

Not inherited, as in LB3: remote hooks (LB3 registers `Animal.beforeRemote("find")` under the class
name `Animal.find`, which `Dog.find` never matches), remote methods declared from Python with
`remote_method` (they are the base's own), validators.

A base model that is not served (not in model-config.json) still has its module run, once, on a
stand-in (`BaseModel`, `app.base_models["Animal"]` for boot scripts) that keeps what sub-models
inherit and accepts the rest.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .extensions import run_setup
from .hooks import Observer, Observers
from .operations.remote import Prototype

if TYPE_CHECKING:
    from .app import LoopBackApp
    from .model import Model


class BaseModel:
    """A base model with no table of its own: what its module's `setup` assigns and observes is
    kept for its sub-models; remote hooks, remote methods and validators registered on it concern
    the base alone, which serves nothing, and are accepted and ignored."""

    def __init__(self, name: str, app: LoopBackApp) -> None:
        self.name = name
        self.app = app
        self.hooks = Observers()
        self.prototype = Prototype()

    def __repr__(self) -> str:
        return f"<BaseModel {self.name}>"

    def observe(self, name: str, fn: Observer) -> None:
        self.hooks.add(name, fn)

    def remove_observer(self, name: str, fn: Observer) -> None:
        self.hooks.remove(name, fn)

    def __getattr__(self, name: str) -> Any:  # only for what the stand-in does not have
        if name.startswith("_"):
            raise AttributeError(name)
        return _ignored


def _ignored(*args: Any, **kwargs: Any) -> None:
    return None


class Inheritance:
    """Sets up an app's models bases first, each sub-model linked to its nearest base."""

    def __init__(self, app: LoopBackApp, app_dir: Path) -> None:
        self.app = app
        self.app_dir = app_dir
        self.stand_ins: dict[str, BaseModel] = {}  # by name: the bases that are not served

    def in_order(self, models: Iterable[Model]) -> Iterator[Model]:
        """The models in their order, but each after the served bases it extends."""
        done: set[str] = set()

        def visit(model: Model) -> Iterator[Model]:
            if model.name in done:
                return
            done.add(model.name)
            for name in model.meta.base_chain:
                base = self.app.models.get(name)
                if base is not None:
                    yield from visit(base)
                    break
            yield model

        for model in models:
            yield from visit(model)

    def inherit(self, model: Model) -> None:
        """Link the model to its nearest base that is served or has a module (its setup has run)."""
        modules = model.meta.raw.get("baseModules") or {}
        base = self._base(model.meta.base_chain, modules)
        if base is not None:
            link(model, base)

    def _base(self, chain: tuple[str, ...], modules: dict[str, str]) -> Any:
        for i, name in enumerate(chain):
            served = self.app.models.get(name)
            if served is not None:
                return served
            if name in modules:
                found = self.stand_ins.get(name)
                if found is None:
                    found = self.stand_ins[name] = BaseModel(name, self.app)
                    parent = self._base(chain[i + 1 :], modules)
                    if parent is not None:
                        link(found, parent)
                    self.app._later(run_setup(self.app_dir / modules[name], found))
                return found
        return None


def link(model: Any, base: Any) -> None:
    """LB3's definition of a sub-model: the base's statics copied, its prototype and observers
    chained."""
    model.hooks.base = base.hooks
    model.prototype._base = base.prototype
    own = vars(model)
    for name, value in list(vars(base).items()):
        if inspect.isfunction(value) and name not in own:
            setattr(model, name, value)
