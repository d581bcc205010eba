"""The LB3 inheritance probe app (tests/oracle/lb3-3.28/inheritance-probe/: its model JSON, unchanged)
with its JavaScript written in Python: Animal (a base nobody serves) with methods, hooks and a
validator; Dog and Cat extending it; Bird (served) and Parrot extending it; a boot script that
assigns and observes on Animal after the sub-models exist. LOG is what the hooks record."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from specgen.cli import compile_app, load_generated
from specgen.render import write_package

PROBE = Path(__file__).resolve().parents[1] / "oracle" / "lb3-3.28" / "inheritance-probe" / "server"
LOG: list[str] = []

HEADER = "from tests.functional.inheritance_app import LOG\n\n\n"
MODULES = {
    "models/animal.py": """def setup(Animal):
    def speak(*, ctx):
        return f"generic from {ctx.method.model.name}"

    def describe(animal, *, ctx):
        return f"{ctx.method.model.name} {animal['name']}"

    Animal.speak = speak
    Animal.prototype.describe = describe
    Animal.remote_method("jsOnly", returns={"arg": "x", "type": "string"}, http={"verb": "get"})
    Animal.jsOnly = lambda: "jsOnly"
    Animal.before_remote("**", lambda ctx: LOG.append(f"Animal.beforeRemote ** {ctx.method.string_name}"))
    Animal.before_remote("speak", lambda ctx: LOG.append(f"Animal.beforeRemote speak {ctx.method.string_name}"))
    Animal.after_remote("create", lambda ctx: LOG.append(f"Animal.afterRemote create {ctx.method.string_name}"))
    Animal.observe("before save", lambda ctx: LOG.append(f"Animal.observe before save (module) Model={ctx.model.name}"))
    Animal.observe("access", lambda ctx: LOG.append(f"Animal.observe access (module) Model={ctx.model.name}"))
    Animal.validates_length_of("name", min=2)
""",
    "models/dog.py": """def setup(Dog):
    Dog.bark = lambda: "woof"
    Dog.before_remote("speak", lambda ctx: LOG.append(f"Dog.beforeRemote speak {ctx.method.string_name}"))
    Dog.observe("before save", lambda ctx: LOG.append(f"Dog.observe before save Model={ctx.model.name}"))
""",
    "models/cat.py": """def setup(Cat):
    Cat.speak = lambda: "meow"
""",
    "models/bird.py": """def setup(Bird):
    Bird.sing = lambda: "tweet"
    Bird.before_remote("sing", lambda ctx: LOG.append(f"Bird.beforeRemote sing {ctx.method.string_name}"))
    Bird.observe("before save", lambda ctx: LOG.append(f"Bird.observe before save Model={ctx.model.name}"))
""",
    "boot/late.py": """def setup(app):
    Animal = app.base_models["Animal"]
    Animal.late = lambda: "late"
    Animal.observe("after save", lambda ctx: LOG.append(f"Animal.observe after save (boot) Model={ctx.model.name}"))
    Animal.before_remote("find", lambda ctx: LOG.append(f"Animal.beforeRemote find (boot) {ctx.method.string_name}"))
""",
}


def make_app(tmp: Path) -> Any:
    """The probe's JSON and our Python modules, compiled; the generated package."""
    app_dir = tmp / "animals"
    shutil.copytree(PROBE, app_dir, ignore=shutil.ignore_patterns("*.js"))
    for path, source in MODULES.items():
        (app_dir / path).write_text(HEADER + source, encoding="utf-8")
    out = tmp / "gen" / "pkg_animals"
    _, files, problems = compile_app(app_dir, out)
    assert not [p for p in problems if p.level == "error"], problems
    write_package(files, out)
    return load_generated(out)
