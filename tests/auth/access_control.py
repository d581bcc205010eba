"""The access-control tutorial app (specs/access-control) against LB3 3.28's recorded answers
(tests/oracle/lb3-3.28/access-control.json): the cases, and what we answer where we differ on
purpose (docs/lb3-differences.md, "Authorization").

A case is one REST call: (model, method, principal, row) with LB3's status and body. `expected(case)`
is LB3's answer, except for the deliberate differences below, each with its reason."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
RECORDING = json.loads((ROOT / "tests/oracle/lb3-3.28/access-control.json").read_text())
CASES: list[dict[str, Any]] = RECORDING["cases"]
MODELS = sorted({c["model"] for c in CASES})
PASSWORD = "opensesame"
USER_IDS: dict[str, int] = RECORDING["owns"]  # principal name -> user id (the name is the username)
ACCOUNTS = {1: (1, 1), 2: (2, 2)}  # account id -> (owner's user id, bank id): the sample data

Check = Callable[[Any], bool]


@dataclass(frozen=True)
class Expected:
    """The status we answer and, when set, a test of the body; `why` names a deliberate difference."""

    status: int
    body: Check | None = None
    why: str | None = None


def owned_accounts(principal: str, bank: int | None = None) -> int:
    """How many accounts `principal` owns (at `bank`, when given)."""
    uid = USER_IDS.get(principal)
    return sum(1 for owner, at in ACCOUNTS.values() if owner == uid and bank in (None, at))


def only_own(principal: str) -> Check:
    uid = USER_IDS.get(principal)
    return lambda body: isinstance(body, list) and all(row.get("userId") == uid for row in body)


PRIVATE_TARGETS = (
    "__teams",
    "__accessTokens",
)  # user's relations to models not served (public: false)


def expected(case: dict[str, Any]) -> Expected:
    """LB3's answer, or ours where we differ on purpose."""
    model, method = case["model"], case["method"]
    if model == "user" and method.endswith(PRIVATE_TARGETS):
        why = "relation endpoints exist only towards models the app serves"
        return Expected(404, None, why)
    if model == "account":
        return _account(case) or Expected(case["status"], lb3_body(case))
    if model == "bank" and "__accounts" in method and case["status"] < 400:
        return _owned_accounts(case, "a relation read checks the target's ACL: account's $owner")
    if model == "project" and method == "withdraw" and case["status"] < 400:
        why = "the id in the path is the only id a decision reads ($owner never from a body id)"
        return Expected(401, None, why)
    return Expected(case["status"], lb3_body(case))


def _account(case: dict[str, Any]) -> Expected | None:
    """account: `$everyone` DENY, `$owner` ALLOW (every method)."""
    method, principal = case["method"], case["principal"]
    if method in ("find", "count", "findOne"):
        return _owned_accounts(case, "$owner list reads are filtered to the caller's rows")
    if principal == "anonymous":
        return None
    mine = owned_accounts(principal)
    uid = USER_IDS[principal]
    if method == "updateAll":
        why = "$owner bulk writes touch only the caller's rows"
        return Expected(200, lambda b: b == {"count": mine}, why)
    if method == "upsertWithWhere":
        why = "$owner bulk writes touch only the caller's rows (none: refused, nothing created)"
        if not mine:
            return Expected(401, None, why)
        return Expected(200, lambda b: isinstance(b, dict) and b.get("userId") == uid, why)
    if "__transactions" in method and case["status"] < 400:
        why = "a relation endpoint checks the target's ACL (transaction: $everyone DENY)"
        return Expected(401, None, why)
    return None


def _owned_accounts(case: dict[str, Any], why: str) -> Expected:
    """A read of accounts (list, count, one by id) by `case`'s principal: only their own rows."""
    principal = case["principal"]
    if principal == "anonymous":
        return Expected(401, None, why)
    mine = owned_accounts(principal, case["modelId"] if case["model"] == "bank" else None)
    if case["method"].endswith(("count", "__count__accounts")):
        return Expected(200, lambda b: b == {"count": mine}, why)
    if case["method"] in ("findOne", "prototype.__findById__accounts"):
        uid = USER_IDS[principal]
        own = bool(mine) if case["method"] == "findOne" else ACCOUNTS[_fk(case)][0] == uid
        return Expected(200 if own else 404, None, why)
    return Expected(200, lambda b: only_own(principal)(b) and len(b) == mine, why)


def _fk(case: dict[str, Any]) -> int:
    return int(case["url"].rsplit("/", 1)[1])


def lb3_body(case: dict[str, Any]) -> Check | None:
    """LB3's body where it is the answer to compare: an error's status and code (and message for an
    authorization error), a read's JSON (properties LB3 leaves out may be null here)."""
    recorded = case["response"]
    if isinstance(recorded, dict) and isinstance(recorded.get("error"), dict):
        error = recorded["error"]
        keys = (
            ("statusCode", "code", "message") if case["status"] in (401, 403) else ("statusCode",)
        )
        want = {k: error.get(k) for k in keys}
        return lambda body: (
            isinstance(body, dict) and {k: (body.get("error") or {}).get(k) for k in keys} == want
        )
    if case["verb"] == "GET" and case["status"] == 200:
        want_body = recorded
        return lambda body: without_nulls(body) == without_nulls(want_body)
    return None


def without_nulls(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [without_nulls(v) for v in value]
    return value


def describe(case: dict[str, Any]) -> str:
    row = "" if case["modelId"] is None else f" row {case['modelId']}"
    return f"{case['model']}.{case['method']} by {case['principal']}{row} ({case['verb']} {case['url']})"
