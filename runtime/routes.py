"""Which documented path template a concrete URL belongs to, for the errors the router raises before
any operation runs: 405's Allow header (starlette's per-verb routes would report only the first route's
verbs) and 404s that LB3 words as MODEL_NOT_FOUND (an id the integer route converter refused).

Paths match regardless of case, as express (LB3) matches them: `GET /api/coffeeshops` is
`GET /api/CoffeeShops`; a path in its documented case is found first and costs nothing more."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

VERBS = ("delete", "get", "head", "options", "patch", "post", "put")


def template_pattern(template: str) -> str:
    """/CoffeeShops/{id} -> a regex with one named group per parameter: (?P<id>[^/]+)."""
    return re.sub(r"\\\{([^/]+?)\\\}", r"(?P<\1>[^/]+)", re.escape(template))


@dataclass(frozen=True)
class Route:
    template: str  # relative to the REST root, e.g. /CoffeeShops/{id}
    verbs: tuple[str, ...]  # upper case, HEAD added where GET is
    model: str | None
    param: re.Match[str] | None  # the {id} segment's value, when the template has one


class RouteTable:
    def __init__(self, document: dict[str, Any]) -> None:
        self.root = document["servers"][0]["url"].rstrip("/")
        rows = []
        for template, item in document["paths"].items():
            pattern = template_pattern(template)
            verbs = {v.upper() for v in item if v in VERBS} | ({"HEAD"} if "get" in item else set())
            models = [op["x-lb-operation"]["model"] for v, op in item.items() if v in VERBS]
            # static segments beat parameters: /CoffeeShops/count is not the instance "count"
            specificity = (-template.count("{"), len(template))
            rows.append((specificity, re.compile(f"^{pattern}/?$", re.IGNORECASE), template, tuple(sorted(verbs)),
                         models[0] if models else None))  # fmt: skip
        rows.sort(key=lambda row: row[0], reverse=True)
        self._rows = [row[1:] for row in rows]

    def relative(self, path: str) -> str | None:
        """The path below the REST root, or None when it is outside it."""
        head = path[: len(self.root)]
        if head.lower() == self.root.lower() and path[len(self.root) : len(self.root) + 1] in (
            "",
            "/",
        ):
            return path[len(self.root) :] or "/"
        return None

    def match(self, path: str) -> Route | None:
        rel = self.relative(path)
        if rel is None:
            return None
        for regex, template, verbs, model in self._rows:
            found = regex.match(rel)
            if found:
                has_id = "id" in regex.groupindex
                return Route(template, verbs, model, found if has_id else None)
        return None


class Dispatch:
    """Matched API requests go straight to their endpoint, built at start-up: one dict lookup for a
    static path; a templated one tries only the templates with as many segments and the same first
    segment below the REST root (its model's plural), in document order, so the cost of a request
    does not grow with the number of models. connexion's middleware stack would match routes three
    times per request; it now sees only what misses here (explorer, the served document, 404 and
    405)."""

    def __init__(self, document: dict[str, Any], endpoints: dict[str, Any]) -> None:
        root = document["servers"][0]["url"].rstrip("/")
        self._static: dict[tuple[str, str], Any] = {}
        self._folded: dict[tuple[str, str], Any] = {}  # by lower-case path, for other spellings
        self._static_paths: set[str] = set()  # lower case
        # the segment that picks a template's bucket: the first below the root
        self._at = root.count("/") + 1
        # (verb, slashes, lower-case segment or None when the template has a parameter there)
        # -> (document index, regex, endpoint), in document order
        self._templated: dict[tuple[str, int, str | None], list[_Template]] = {}
        for index, (template, item) in enumerate(document["paths"].items()):
            for verb, op in item.items():
                if verb not in VERBS:
                    continue
                endpoint = endpoints[op["operationId"]]
                full = root + template
                if "{" in template:
                    pattern = re.compile(f"^{template_pattern(full)}$", re.IGNORECASE)
                    segment = _segment(full, self._at)
                    key = (
                        verb.upper(),
                        full.count("/"),
                        None if "{" in segment else segment.lower(),
                    )
                    self._templated.setdefault(key, []).append((index, pattern, endpoint))
                else:
                    self._static[(verb.upper(), full)] = endpoint
                    self._folded.setdefault((verb.upper(), full.lower()), endpoint)
                    self._static_paths.add(full.lower())

    def find(self, method: str, path: str) -> tuple[Any, dict[str, str]] | None:
        endpoint = self._static.get((method, path))
        if endpoint is not None:
            return endpoint, {}
        folded = path.lower()
        endpoint = self._folded.get((method, folded))
        if endpoint is not None:
            return endpoint, {}
        if folded in self._static_paths:  # /CoffeeShops/count is not the instance "count": a 405
            return self.find("GET", path) if method == "HEAD" else None
        slashes = path.count("/")
        named = self._templated.get((method, slashes, _segment(folded, self._at)), ())
        unnamed = self._templated.get((method, slashes, None), ())
        candidates = (
            sorted((*named, *unnamed), key=_index) if named and unnamed else named or unnamed
        )
        for _, regex, candidate in candidates:
            found = regex.match(path)
            if found:
                return candidate, found.groupdict()
        if method == "HEAD":  # as starlette does: a GET route answers HEAD, without a body
            return self.find("GET", path)
        return None


_Template = tuple[int, re.Pattern[str], Any]


def _index(template: _Template) -> int:
    return template[0]


def _segment(path: str, at: int) -> str:
    """The path's segment `at` (0 is the empty one before the leading slash); "" past the end."""
    parts = path.split("/", at + 1)
    return parts[at] if len(parts) > at else ""
