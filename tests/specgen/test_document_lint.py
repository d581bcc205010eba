"""The generated documents as a contract for tools nobody here wrote: zero errors from redocly's
recommended ruleset and spectral's `spectral:oas` (.spectral.yaml), and openapi-typescript's types
type-check a client sending a typed filter. The node tools are pinned in the Makefile (`make npm-tools`
installs them into .npm-tools/, as `make test` does on a clean clone).

Warnings that remain, and why each is right for these documents:
"""

from __future__ import annotations

import json
import subprocess
from functools import cache
from pathlib import Path

import pytest

from .appdir import GENERATED, ROOT

TOOLS = ROOT / ".npm-tools" / "node_modules" / ".bin"
DOCUMENTS = sorted(GENERATED.glob("*/openapi.yaml"))

# rule -> why its warnings stay
REDOCLY_WARNINGS = {
    "no-unused-components": "the filter language's schemas ({M}Filter, {M}SimpleFilter and what "
    "they use) are reached from the filter/where parameters' x-lb-json/x-lb-filter/x-lb-where: the "
    "parameters themselves are JSON text, which client generators send as given",
    "info-license": "the license is the app's own; LB3 model files do not state one",
}
SPECTRAL_WARNINGS = {
    "operation-description": "LB3 gives each operation a summary and no description; repeating "
    "the summary would add nothing",
    "info-contact": "the contact is the app's own; LB3 model files do not state one",
    "oas3-unused-component": REDOCLY_WARNINGS["no-unused-components"],
}
__doc__ += "".join(
    f"- {rule}: {why}.\n" for rule, why in {**REDOCLY_WARNINGS, **SPECTRAL_WARNINGS}.items()
)


@cache
def tools() -> Path:
    """The pinned node tools, installed on first use (a no-op once the Makefile's stamp exists)."""
    result = subprocess.run(["make", "-s", "npm-tools"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    return TOOLS


def run(*cmd: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=False, timeout=300)


def test_every_example_app_has_a_document() -> None:
    assert {d.parent.name for d in DOCUMENTS} >= {"coffee_shop", "library", "store"}


@pytest.mark.parametrize("document", DOCUMENTS, ids=[d.parent.name for d in DOCUMENTS])
def test_redocly_recommended_finds_no_error(document: Path) -> None:
    result = run(
        str(tools() / "redocly"), "lint", str(document), "--format", "json",
        "--max-problems", "10000",
    )  # fmt: skip
    problems = json.loads(result.stdout)["problems"]
    errors = [p for p in problems if p["severity"] == "error"]
    assert errors == [], errors[:5]
    assert {p["ruleId"] for p in problems} <= set(REDOCLY_WARNINGS)


@pytest.mark.parametrize("document", DOCUMENTS, ids=[d.parent.name for d in DOCUMENTS])
def test_spectral_oas_finds_no_error(document: Path) -> None:
    result = run(
        str(tools() / "spectral"), "lint", str(document), "--ruleset", ".spectral.yaml",
        "--format", "json", "--quiet",
    )  # fmt: skip
    problems = json.loads(result.stdout or "[]")
    errors = [p for p in problems if p["severity"] == 0]  # 0 error, 1 warning, 2 info, 3 hint
    assert errors == [], errors[:5]
    assert {p["code"] for p in problems} <= set(SPECTRAL_WARNINGS)


TYPED_FILTER = """\
import type { components, operations } from "./coffee-shop";

type Filter = components["schemas"]["CoffeeShopSimpleFilter"];
type Where = components["schemas"]["CoffeeShopSimpleWhere"];
type FindQuery = NonNullable<operations["CoffeeShop_find"]["parameters"]["query"]>;
type UpdateAllQuery = NonNullable<operations["CoffeeShop_updateAll"]["parameters"]["query"]>;

const where: Where = { city: "Graz", id: { inq: [1, 2] } };
const filter: Filter = { where, order: "name DESC", limit: 2, include: ["reviews"] };
export const find: FindQuery = { filter: JSON.stringify(filter) };
export const updateAll: UpdateAllQuery = { where: JSON.stringify(where) };
// @ts-expect-error: not a property of CoffeeShop
export const wrong: Where = { nosuch: 1 };
"""


def test_openapi_typescript_types_a_filter_a_client_sends(tmp_path: Path) -> None:
    types = tmp_path / "coffee-shop.ts"
    result = run(
        str(tools() / "openapi-typescript"), str(GENERATED / "coffee_shop/openapi.yaml"),
        "--output", str(types),
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    (tmp_path / "client.ts").write_text(TYPED_FILTER, encoding="utf-8")
    result = run(
        str(tools() / "tsc"), "--noEmit", "--strict", "--target", "es2020", "--moduleResolution",
        "node", str(tmp_path / "client.ts"),
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
