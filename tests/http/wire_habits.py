"""What LB3 clients send, as one sequence of requests: run against the real LB3 3.28 to record its
answers (tests/oracle/lb3-3.28/wire-habits.json), and against us by test_wire_habits.py on every backend.

The app is ours: coffee shops with reviews, and a Spot with every coerced type (number, boolean, date,
geopoint). Record again with

    python -m tests.http.wire_habits lb3-app /tmp/x       # writes the LB3 app (npm i loopback@3 ...)
    node /tmp/x/server.js 4141 &                         # LB3 on the memory connector
    python -m tests.http.wire_habits record http://127.0.0.1:4141 tests/oracle/lb3-3.28/wire-habits.json

Each step names the habit it shows and how our answer relates to LB3's: "same" (status and body, where
our body's null properties count as absent: LB3's memory connector leaves unset properties out),
"status" (same status and error code; LB3 words the message otherwise), or "ours" (a deliberate
difference, docs/lb3-differences.md: the status we answer instead).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

MODELS: dict[str, dict[str, Any]] = {
    "coffee-shop": {
        "name": "CoffeeShop", "base": "PersistedModel", "idInjection": True,
        "options": {"validateUpsert": True},
        "properties": {"name": {"type": "string", "required": True},
                       "city": {"type": "string", "required": True}},
        "relations": {"reviews": {"type": "hasMany", "model": "Review", "foreignKey": ""}},
    },
    "review": {
        "name": "Review", "base": "PersistedModel", "idInjection": True,
        "options": {"validateUpsert": True},
        "properties": {"date": {"type": "date", "required": True}, "rating": {"type": "number"},
                       "comments": {"type": "string", "required": True}},
        "relations": {"coffeeShop": {"type": "belongsTo", "model": "CoffeeShop", "foreignKey": ""}},
    },
    "spot": {
        "name": "Spot", "base": "PersistedModel", "idInjection": True,
        "options": {"validateUpsert": True},
        "properties": {"name": {"type": "string", "required": True}, "rating": {"type": "number"},
                       "open": {"type": "boolean"}, "since": {"type": "date"},
                       "where": {"type": "geopoint"}},
        "relations": {"shop": {"type": "belongsTo", "model": "CoffeeShop", "foreignKey": "shopId"}},
    },
}  # fmt: skip
MODEL_CONFIG = {
    "_meta": {"sources": ["loopback/common/models", "loopback/server/models", "./models"]},
    **{m["name"]: {"dataSource": "db", "public": True} for m in MODELS.values()},
}
CONFIG = {
    "restApiRoot": "/api",
    "remoting": {
        "context": False,
        "rest": {"handleErrors": False, "normalizeHttpPath": False, "xml": False},
        "json": {"strict": False, "limit": "100kb"},
        "urlencoded": {"extended": True, "limit": "100kb"},
        "cors": False,
    },
}
LB3_SERVER = """\
const loopback = require('loopback');
const app = loopback();
require('loopback-boot')(app, __dirname, (err) => {
  if (err) throw err;
  app.use('/api', loopback.rest());
  app.use(loopback.urlNotFound());
  app.use(require('strong-error-handler')({debug: false, log: false}));
  app.listen(Number(process.argv[2] || 3000), '127.0.0.1');
});
"""

FORM = {"content-type": "application/x-www-form-urlencoded"}
SHOPS = [
    ("Bel Cafe", "Paris"),
    ("Three Bees", "Rome"),
    ("Zoo Coffee", "Paris"),
    ("Angel", "London"),
]
Answers = dict[str, Any]  # label -> response body, for steps whose body is built from an answer


@dataclass(frozen=True)
class Step:
    habit: str  # the wire habit this step shows (one test each); "setup" for seeding
    label: str
    method: str
    path: str
    json: Any = None
    form: str | None = None
    build: Callable[[Answers], Any] | None = None  # a JSON body made from earlier answers
    relation: str = "same"  # "same", "status" or "ours"
    ours: int | None = None  # our status, for "ours"
    root: str = "/api"  # the REST root as the client spells it

    def request(self, answers: Answers) -> dict[str, Any]:
        kwargs: dict[str, Any] = {"method": self.method, "url": self.root + self.path}
        if self.build is not None:
            kwargs["json"] = self.build(answers)
        elif self.json is not None:
            kwargs["json"] = self.json
        elif self.form is not None:
            kwargs["content"] = self.form.encode()
            kwargs["headers"] = FORM
        return kwargs


def _read_back(changes: dict[str, Any]) -> Callable[[Answers], Any]:
    """The shop as read with include, changed: what a client writes back."""
    return lambda answers: {**answers["writeback-read"], **changes}


STEPS: list[Step] = [
    *(Step("setup", f"seed-{n}", "POST", "/CoffeeShops", {"name": n, "city": c}) for n, c in SHOPS),
    Step("setup", "seed-review", "POST", "/Reviews", {"date": "2019-05-05T00:00:00.000Z", "rating": 4, "comments": "ok", "coffeeShopId": 1}),
    # repeated query keys are arrays (qs)
    Step("repeated-keys", "inq-repeated", "GET", "/CoffeeShops?filter[where][city][inq]=Rome&filter[where][city][inq]=London"),
    Step("repeated-keys", "inq-repeated-ids", "GET", "/CoffeeShops?filter[where][id][inq]=1&filter[where][id][inq]=3"),
    Step("repeated-keys", "where-inq-repeated-count", "GET", "/CoffeeShops/count?where[city][inq]=Rome&where[city][inq]=Paris"),
    Step("repeated-keys", "order-repeated", "GET", "/CoffeeShops?filter[order]=city%20ASC&filter[order]=name%20DESC"),
    Step("repeated-keys", "fields-repeated", "GET", "/CoffeeShops?filter[fields]=name&filter[fields]=id&filter[limit]=2"),
    Step("repeated-keys", "limit-repeated", "GET", "/CoffeeShops?filter[limit]=1&filter[limit]=2", relation="status"),
    Step("repeated-keys", "inq-single", "GET", "/CoffeeShops?filter[where][city][inq]=Rome", relation="status"),
    # paths match regardless of case (express)
    Step("path-case", "lower-path", "GET", "/coffeeshops"),
    Step("path-case", "upper-path-id", "GET", "/COFFEESHOPS/2"),
    Step("path-case", "lower-count", "GET", "/coffeeshops/count"),
    Step("path-case", "lower-relation", "GET", "/coffeeshops/1/REVIEWS"),
    Step("path-case", "lower-root", "GET", "/coffeeShops/1", root="/API"),
    Step("path-case", "lower-post", "POST", "/coffeeshops", {"name": "Lower", "city": "Graz"}),
    # writing back what a read returned: relation-named keys are dropped
    Step("write-back", "writeback-read", "GET", '/CoffeeShops/1?filter={"include":"reviews"}'),
    Step("write-back", "writeback-patch", "PATCH", "/CoffeeShops/1", build=_read_back({"city": "Lyon"})),
    Step("write-back", "writeback-put", "PUT", "/CoffeeShops/1", build=_read_back({"city": "Nice"})),
    Step("write-back", "writeback-upsert-patch", "PATCH", "/CoffeeShops", build=_read_back({"city": "Metz"})),
    Step("write-back", "writeback-upsert-put", "PUT", "/CoffeeShops", build=_read_back({"city": "Brest"})),
    Step("write-back", "writeback-after", "GET", '/CoffeeShops/1?filter={"include":"reviews"}'),
    Step("write-back", "writeback-relation-null", "PATCH", "/CoffeeShops/1", {"reviews": None}),
    Step("write-back", "writeback-relation-number", "PATCH", "/CoffeeShops/1", {"reviews": 5}),
    Step("write-back", "writeback-create", "POST", "/CoffeeShops", {"name": "New", "city": "Wien", "reviews": [{"comments": "x"}]}),
    Step("write-back", "writeback-create-check", "GET", '/CoffeeShops?filter={"where":{"name":"New"},"include":"reviews"}'),
    Step("write-back", "writeback-belongs-to", "PATCH", "/Reviews/1", {"coffeeShop": {"id": 1, "name": "x"}, "comments": "ok2"}),
    Step("write-back", "writeback-with-unknown", "PATCH", "/CoffeeShops/2", {"reviews": [], "foo": "bar"}, relation="ours", ours=422),
    # JSON values LB3 coerces without loss
    Step("coercion", "coerce-strings", "POST", "/Spots", {"name": "a", "rating": "3.5", "open": "true", "since": "2019-05-05", "where": "47.8095,13.0550"}),
    Step("coercion", "coerce-false", "POST", "/Spots", {"name": "b", "open": "false", "where": {"lat": 47.8, "lng": 13.05}}),
    Step("coercion", "coerce-latlng-strings", "POST", "/Spots", {"name": "b2", "where": {"lat": "47.8", "lng": "13.05"}}),
    Step("coercion", "coerce-int-string", "POST", "/Spots", {"name": "c3", "rating": "7", "shopId": "1"}),
    Step("coercion", "coerce-geo-spaces", "POST", "/Spots", {"name": "f3", "where": "47.8, 13.05"}),
    Step("coercion", "coerce-patch", "PATCH", "/Spots/1", {"rating": "4.25", "open": "false"}),
    Step("coercion", "coerce-date-bad", "POST", "/Spots", {"name": "e", "since": "yesterday"}, relation="status"),
    # form bodies, bracket keys nested (body-parser extended)
    Step("form-body", "form-create", "POST", "/CoffeeShops", form="name=Form+Cafe&city=Graz"),
    Step("form-body", "form-create-typed", "POST", "/Spots", form="name=g&rating=3.5&open=true&since=2019-05-05&where[lat]=47.8&where[lng]=13.05&shopId=2"),
    Step("form-body", "form-geo-text", "POST", "/Spots", form="name=g2&where=47.8095%2C13.0550"),
    Step("form-body", "form-patch", "PATCH", "/Spots/1", form="rating=2&open=false"),
    Step("form-body", "form-empty", "POST", "/CoffeeShops", form=""),
    Step("form-body", "form-update-all", "POST", "/CoffeeShops/update?where[city]=Graz", form="city=Linz"),
    Step("form-body", "form-array-body", "POST", "/CoffeeShops", form="0[name]=A&0[city]=B", relation="status"),
    Step("form-body", "form-after", "GET", "/CoffeeShops?filter[where][city]=Linz"),
    Step("coercion", "spots-after", "GET", "/Spots"),
    # what LB3 turns into nonsense or guesses at: refused (after every comparable create, so ids agree)
    Step("coercion", "coerce-abc", "POST", "/Spots", {"name": "c", "rating": "abc"}, relation="ours", ours=422),
    Step("coercion", "coerce-empty-number", "POST", "/Spots", {"name": "c2", "rating": ""}, relation="ours", ours=422),
    Step("coercion", "coerce-bool-yes", "POST", "/Spots", {"name": "d", "open": "yes"}, relation="ours", ours=422),
    Step("coercion", "coerce-bool-1", "POST", "/Spots", {"name": "d2", "open": 1}, relation="ours", ours=422),
    Step("coercion", "coerce-date-ms", "POST", "/Spots", {"name": "e2", "since": 1557014400000}, relation="ours", ours=422),
    Step("coercion", "coerce-geo-bad", "POST", "/Spots", {"name": "f", "where": "abc"}, relation="ours", ours=422),
    Step("coercion", "coerce-geo-array", "POST", "/Spots", {"name": "f2", "where": [47.8, 13.05]}, relation="ours", ours=422),
    Step("coercion", "coerce-number-name", "POST", "/Spots", {"name": 123}, relation="ours", ours=422),
    Step("form-body", "form-abc", "POST", "/Spots", form="name=g3&rating=abc", relation="ours", ours=422),
    Step("form-body", "form-repeated", "POST", "/CoffeeShops", form="name=U&name=W&city=V", relation="ours", ours=422),
    Step("form-body", "form-unknown", "POST", "/CoffeeShops", form="name=U&city=V&foo=bar", relation="ours", ours=422),
]  # fmt: skip
HABITS = sorted({s.habit for s in STEPS} - {"setup"})


def body_of(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return response.text


def without_nulls(value: Any) -> Any:
    """LB3's memory connector leaves unset properties out where SQL rows hold null."""
    if isinstance(value, dict):
        return {k: without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [without_nulls(v) for v in value]
    return value


def write_lb3_app(directory: Path) -> None:
    (directory / "models").mkdir(parents=True, exist_ok=True)
    for name, model in MODELS.items():
        (directory / "models" / f"{name}.json").write_text(json.dumps(model, indent=1))
    (directory / "model-config.json").write_text(json.dumps(MODEL_CONFIG, indent=1))
    (directory / "datasources.json").write_text(
        json.dumps({"db": {"name": "db", "connector": "memory"}})
    )
    (directory / "config.json").write_text(json.dumps(CONFIG, indent=1))
    (directory / "server.js").write_text(LB3_SERVER)


def record(base_url: str, out: Path) -> None:
    answers: Answers = {}
    rows = []
    with httpx.Client(base_url=base_url) as client:
        for step in STEPS:
            response = client.request(**step.request(answers))
            answers[step.label] = body_of(response)
            rows.append(
                {"label": step.label, "status": response.status_code, "body": answers[step.label]}
            )
    out.write_text(json.dumps(rows, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    if sys.argv[1] == "lb3-app":
        write_lb3_app(Path(sys.argv[2]))
    else:
        record(sys.argv[2], Path(sys.argv[3]))
