"""LB3 clients' wire habits, compared with the real LB3 3.28's recorded answers
(tests/oracle/lb3-3.28/wire-habits.json; the requests and how to record them: wire_habits.py): repeated
query keys as arrays, paths in any case, writing back a read's related objects, JSON text LB3 coerces
without loss, and form bodies. One test per habit and backend; the whole sequence runs once per backend."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from specgen.cli import compile_app, load_generated
from specgen.render import write_package
from tests.conftest import ROOT
from tests.databases import TestDatabases

from .support import error
from .wire_habits import CONFIG, HABITS, MODEL_CONFIG, MODELS, STEPS, Step, body_of, without_nulls

RECORDED = {
    row["label"]: row
    for row in json.loads((ROOT / "tests/oracle/lb3-3.28/wire-habits.json").read_text("utf-8"))
}


@pytest.fixture(scope="session")
def wire_package(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The wire-habits app (wire_habits.MODELS) compiled once per run."""
    base = tmp_path_factory.mktemp("wire")
    app_dir = base / "app"
    (app_dir / "models").mkdir(parents=True)
    for name, model in MODELS.items():
        (app_dir / "models" / f"{name}.json").write_text(json.dumps(model), encoding="utf-8")
    (app_dir / "model-config.json").write_text(json.dumps(MODEL_CONFIG), encoding="utf-8")
    datasources = {"db": {"name": "db", "connector": "memory"}}
    (app_dir / "datasources.json").write_text(json.dumps(datasources), encoding="utf-8")
    (app_dir / "config.json").write_text(json.dumps(CONFIG), encoding="utf-8")
    out = base / "gen" / "wire_habits_app"
    _, files, _ = compile_app(app_dir, out)
    write_package(files, out)
    return load_generated(out)


@pytest.fixture(scope="module")
async def answers(
    backend: str, databases: TestDatabases, wire_package: Any
) -> AsyncIterator[dict[str, httpx.Response]]:
    """Every step's response, on a fresh database of the backend, in order."""
    application = wire_package.create_app(db_url=databases.fresh(backend))
    transport = httpx.ASGITransport(app=application)
    responses: dict[str, httpx.Response] = {}
    bodies: dict[str, Any] = {}
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        for step in STEPS:
            response = await client.request(**step.request(bodies))
            responses[step.label] = response
            bodies[step.label] = body_of(response)
    yield responses
    await application.db.close()


def compare(step: Step, response: httpx.Response) -> str | None:
    """What differs from LB3's answer (or from the documented difference), or None."""
    lb3 = RECORDED[step.label]
    if step.relation == "ours":
        if response.status_code != step.ours:
            return (
                f"{step.label}: {response.status_code} (expected our {step.ours}) {response.text}"
            )
        error(response, response.status_code)
        return None
    if response.status_code != lb3["status"]:
        return f"{step.label}: {response.status_code}, LB3 {lb3['status']}: {response.text}"
    if step.relation == "status":
        error(response, response.status_code)
        return None
    if without_nulls(response.json()) != lb3["body"]:
        return f"{step.label}: {response.text}\n   LB3: {json.dumps(lb3['body'])}"
    return None


@pytest.mark.parametrize("habit", HABITS)
def test_wire_habit_as_lb3_answers(habit: str, answers: dict[str, httpx.Response]) -> None:
    steps = [s for s in STEPS if s.habit == habit]
    assert steps
    differences = [d for s in steps if (d := compare(s, answers[s.label])) is not None]
    assert not differences, "\n".join(differences)


def test_setup_steps_answered_as_lb3(answers: dict[str, httpx.Response]) -> None:
    """The seeding agrees too, so the later steps start from LB3's state."""
    for step in (s for s in STEPS if s.habit == "setup"):
        assert compare(step, answers[step.label]) is None


def test_recording_covers_every_step() -> None:
    assert [s.label for s in STEPS] == list(RECORDED)
