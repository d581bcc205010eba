"""A served process freezes its heap once start-up is done (runtime/heap.py); an app built by Python
code (the tests, a script) leaves the collector alone. Run in a child process: a frozen heap is
process-wide and would keep every app the test run builds."""

from __future__ import annotations

import subprocess
import sys

CHILD = """
import asyncio, gc, warnings
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from generated.coffee_shop import create_app

async def started(settle):
    app = create_app(db_url="sqlite://")
    app.settle_heap = settle
    inbox = asyncio.Queue()
    await inbox.put({"type": "lifespan.startup"})
    sent = []
    async def send(message):
        sent.append(message["type"])
    task = asyncio.create_task(app({"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}}, inbox.get, send))
    while not sent:
        await asyncio.sleep(0.01)
    frozen, young = gc.get_freeze_count(), gc.get_threshold()[0]
    await inbox.put({"type": "lifespan.shutdown"})
    await task
    return sent[0], frozen, young

print(asyncio.run(started(False)), asyncio.run(started(True)))
"""


def test_a_served_app_freezes_its_heap_after_start_up() -> None:
    out = subprocess.run([sys.executable, "-c", CHILD], capture_output=True, text=True, check=True)
    by_python, served = out.stdout.strip().split(") (")
    assert by_python == "('lifespan.startup.complete', 0, 700"
    status, frozen, young = served.rstrip(")").split(", ")
    assert status == "'lifespan.startup.complete'" and int(frozen) > 10_000 and young == "2000"
