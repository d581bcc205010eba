"""`specgen check`: the remote methods a model declares that its Python module does not implement.

The module is read, never run (it may connect to databases or need the runtime): a method counts as
implemented when the module assigns it (`Model.status = ...`, `Model.prototype.cancel = ...`) or
registers it with an implementation (`Model.remote_method("status", ..., fn=...)`). At start-up
the runtime checks again on the live model and warns the same way; the method answers 501 meanwhile.
"""

from __future__ import annotations

import ast
from pathlib import Path

from .errors import SpecError, pointer
from .ir import AppSpec, ModelSpec

# LB3's User methods (specgen/builtins/user.json), which the runtime implements for every User-based
# model (runtime/auth/user_methods)
USER_BUILTINS = frozenset(
    {"login", "logout", "prototype.verify", "confirm", "resetPassword", "changePassword",
     "setPassword"}
)  # fmt: skip


def _assigned(tree: ast.AST) -> tuple[set[str], set[str]]:
    """(static names, prototype names) the module assigns or registers with `fn=`."""
    static: set[str] = set()
    proto: set[str] = set()
    for node in ast.walk(tree):
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            targets = list(node.targets)
        elif isinstance(node, ast.AnnAssign | ast.AugAssign):
            targets = [node.target]
        for target in targets:
            if isinstance(target, ast.Attribute):
                owner = target.value
                if isinstance(owner, ast.Attribute) and owner.attr == "prototype":
                    proto.add(target.attr)
                else:
                    static.add(target.attr)
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "remote_method"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
            and any(k.arg == "fn" for k in node.keywords)
        ):
            name = node.args[0].value
            (proto if name.startswith("prototype.") else static).add(
                name.removeprefix("prototype.")
            )
    return static, proto


def unimplemented(app: AppSpec) -> list[SpecError]:
    """One warning per declared remote method of a served model that nothing implements."""
    problems = []
    for model in app.models:
        if not model.methods or not (model.public and app.has_table(model)):
            continue
        static, proto = _module_names(app, model)
        for method in model.methods:
            found = method.name in (static if method.is_static else proto)
            name = method.name if method.is_static else f"prototype.{method.name}"
            if not found and not (model.is_user and name in USER_BUILTINS):
                modules = [m for m in (model.python_module, *model.base_modules.values()) if m]
                where = " or ".join(modules) or "models/<name>.py (none found)"
                problems.append(
                    SpecError(
                        model.source,
                        pointer("methods", name),
                        f"{model.name}.{name} is declared but {where} does not implement it: "
                        f"it answers 501; assign it in setup ({model.name}.{name} = fn)",
                        "warning",
                    )
                )
    return problems


def _module_names(app: AppSpec, model: ModelSpec) -> tuple[set[str], set[str]]:
    """What the model's module assigns, and its base models' modules (LB3: a sub-model gets the
    implementations its bases' modules assign)."""
    static: set[str] = set()
    proto: set[str] = set()
    for module in (model.python_module, *model.base_modules.values()):
        if not module:
            continue
        try:
            tree = ast.parse((Path(app.app_dir) / module).read_text(encoding="utf-8"))
        except (OSError, SyntaxError, UnicodeDecodeError):
            continue
        names = _assigned(tree)
        static |= names[0]
        proto |= names[1]
    return static, proto
