"""schemathesis against the running example API: every check, every phase (examples, coverage, fuzzing,
stateful), over real HTTP to the uvicorn server that `make serve` runs, for both example apps (the
Coffee Shop, the library that uses every relation type, and the store with application logic), on
SQLite and on PostgreSQL (when configured: tests/databases.py); and the access-control tutorial app
with ACLs enforced, every request carrying a normal user's token (SQLite).

Nothing is excluded globally. Where LB3's documented behaviour is a response no schema can predict, the
check is switched off for those operations only, with the reason, in PER_OPERATION_EXCLUSIONS; that table
becomes the schemathesis.toml of the run.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.databases import TestDatabases
from tests.serving import served

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "40"))
SEED = os.environ.get("SCHEMATHESIS_SEED", "1")

# filter/where are JSON text in the document (as in LB3's); schemathesis reads them typed again
HOOKS = "tests.contract.schemathesis_hooks"

# check name -> why it is excluded everywhere (none)
EXCLUDED_CHECKS: dict[str, str] = {}

# (operationId regex, check, reason)
PER_OPERATION_EXCLUSIONS: list[tuple[str, str, str]] = [
    (
        r"^Reviewer_(create|patchOrCreate|replaceOrCreate.*|upsertWithWhere|replaceById.*|prototype_patchAttributes|updateAll)$",
        "positive_data_acceptance",
        "LB3's User answers 422 `uniqueness` for an email or username already taken; "
        "a schema cannot say unique",
    ),
    (
        r"^user_(create|patchOrCreate|replaceOrCreate.*|upsertWithWhere|replaceById.*|prototype_patchAttributes|updateAll)$",
        "positive_data_acceptance",
        "the access-control app's `user` is an LB3 User: an email or username already taken is 422 "
        "`uniqueness`; a schema cannot say unique",
    ),
    (
        r"_changePassword$",
        "positive_data_acceptance",
        "change-password needs the user's current password (else LB3's 400 `INVALID_PASSWORD`); "
        "a schema cannot know what is stored",
    ),
    (
        r"^(Reviewer|user)_(login|logout|changePassword|setPassword|confirm|resetPassword|prototype_verify)$",
        "positive_data_acceptance",
        "LB3's User methods need credentials, tokens or verification tokens a schema cannot know "
        "(401/400 for made-up ones)",
    ),
    (
        r"^Product_(create|patchOrCreate|replaceOrCreate.*|upsertWithWhere|replaceById.*|prototype_patchAttributes|updateAll)$",
        "positive_data_acceptance",
        "the store's Product validates the uniqueness of `sku` (422 `uniqueness` for a SKU already "
        "taken, LB3's validatesUniquenessOf); a schema cannot say unique",
    ),
    (
        r"_prototype_(create|updateById)_reviewers$",
        "positive_data_acceptance",
        "a Reviewer is an LB3 User, created or changed through the CoffeeShop relation too: an "
        "email or username already taken is 422 `uniqueness`, which a schema cannot say",
    ),
    (
        r"^Patron_prototype_create_(noteList|reminders)$",
        "positive_data_acceptance",
        "an embedsMany item id the list already holds is LB3's 422 `uniqueness`; "
        "a schema cannot know what is stored",
    ),
    (
        r"_upsertWithWhere$",
        "positive_data_acceptance",
        "LB3 answers 400 when the where matches more than one instance; "
        "a schema cannot know what is stored",
    ),
    (
        r"_(replaceById_.*|prototype_patchAttributes)$",
        "negative_data_rejection",
        "LB3 clients send an instance back with its own id; the body id must equal the URL id "
        "(else 400), which a schema cannot say, so the schema documents the id as null-only",
    ),
    (
        r"_prototype_count_\w+$",
        "unsupported_method",
        "LB3 routes `PUT /Parents/{id}/children/count` as updateById with fk `count`, so with ACLs "
        "its guard answers first (401), as LB3's; a 405 would need the route to know `count` is no id",
    ),
    (
        r"_exists_(get|head)$",
        "use_after_free",
        'exists answers 200 {"exists": false} for a deleted instance: that is its purpose in LB3',
    ),
]

# generation settings, with reasons (every check is on: the config's default, which a CLI
# `--checks all` would override, per-operation exclusions included)
GENERATION = {
    # NUL cannot be stored in PostgreSQL text; the runtime answers 422 for it on every backend
    "allow-x00": "false",
}


def _config(directory: Path) -> Path:
    lines = [f"generation.{key} = {value}" for key, value in GENERATION.items()]
    for regex, check, reason in PER_OPERATION_EXCLUSIONS:
        lines += [
            "",
            f"# {reason}",
            "[[operations]]",
            f"include-operation-id-regex = '{regex}'",
            f"checks.{check}.enabled = false",
        ]
    path = directory / "schemathesis.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def server(
    backend: str, example: str, tmp_path_factory: pytest.TempPathFactory, databases: TestDatabases
) -> Iterator[str]:
    directory = tmp_path_factory.mktemp(f"schemathesis-{example}-{backend}")
    db = f"sqlite:///{directory / 'db.sqlite'}" if backend == "sqlite" else databases.fresh(backend)
    with served(example, db, directory) as root:
        yield f"{root}/openapi.json"


# The library's 288 operations (every relation kind, nestRemoting's nested surface) take fewer
# examples each, on SQLite only: the relation code is the same on every backend, and the HTTP suites
# run it on all three. 8 examples an operation (15 took 15 of the suite's 43 minutes); the two
# lenient answers 8 found (an empty `refresh`, a blank JSON body) follow LB3 now, with tests.
# The store is the application-logic example (remote methods, remote and operation hooks, validators,
# mixins, middleware): its logic is Python above the same SQL, so SQLite is the backend that matters.
RUNS = [
    ("sqlite", "coffee-shop"),
    ("postgresql", "coffee-shop"),
    ("sqlite", "library"),
    ("sqlite", "store"),
]
EXAMPLES = {
    "coffee-shop": MAX_EXAMPLES,
    "library": min(MAX_EXAMPLES, 8),
    "store": MAX_EXAMPLES,
    "access-control": min(MAX_EXAMPLES, 10),  # most of its operations refuse Jane: a short run
}

# The access-control app's token belongs to Jane (a normal user: no admin role). Her calls that would
# end the run's own session are left out: logout spends the token, deleting her own user (which her
# `$owner` rule allows) takes the token with it; everything after would be an anonymous run.
TOKEN_USER = {"username": "Jane", "password": "opensesame"}
SESSION_ENDERS = ["user_logout", "user_deleteById"]


@pytest.mark.schemathesis
@pytest.mark.parametrize(("backend", "example"), RUNS)
def test_schemathesis_all_checks_all_phases(server: str, example: str, tmp_path: Path) -> None:
    _run(server, example, tmp_path, [])


@pytest.mark.schemathesis
@pytest.mark.parametrize(("backend", "example"), [("sqlite", "access-control")])
def test_schemathesis_with_a_users_token(server: str, example: str, tmp_path: Path) -> None:
    """ACLs enforced (the app's boot script enables auth), every request with Jane's token, obtained
    through `POST /users/login` as an LB3 client does."""
    token = _login(server.removesuffix("/openapi.json"), TOKEN_USER)
    # fuzzing and stateful only: the coverage phase's boundary cases of every parameter are the
    # other apps' (same runtime), and here would cost minutes on operations that refuse Jane
    extra = ["--header", f"Authorization: {token}", "--phases", "fuzzing,stateful"]
    for operation_id in SESSION_ENDERS:
        extra += ["--exclude-operation-id", operation_id]
    _run(server, example, tmp_path, extra)


def _login(root: str, credentials: dict[str, str]) -> str:
    request = urllib.request.Request(
        f"{root}/users/login",
        data=json.dumps(credentials).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        token: str = json.load(response)["id"]
    return token


def _run(server: str, example: str, tmp_path: Path, extra: list[str]) -> None:
    cmd = [
        str(BIN / "st"), "--config-file", str(_config(tmp_path)), "run", server,
        "--max-examples", str(EXAMPLES[example]),
        "--seed", SEED,
        # no example database: each run stands alone, so CI on a clean clone runs what ran here
        "--generation-database", "none",
        "--no-color",
        *extra,
    ]  # fmt: skip
    if EXCLUDED_CHECKS:
        cmd += ["--exclude-checks", ",".join(EXCLUDED_CHECKS)]
    env = {**os.environ, "SCHEMATHESIS_HOOKS": HOOKS, "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        cmd, cwd=ROOT, capture_output=True, text=True, timeout=1500, check=False, env=env
    )
    summary = re.findall(r"^\s*(\d+ generated.*|=+ .* in [\d.]+s =+)$", result.stdout, re.M)
    print("schemathesis:", " | ".join(s.strip("= ") for s in summary))
    assert result.returncode == 0, result.stdout[-20000:]
    assert "Stateful" in result.stdout, "the stateful phase did not run"
