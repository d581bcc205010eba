"""The bounds every filter is checked against, with their defaults; an app sets its own in
config.json (`"filterLimits": {"maxLimit": 5000}`). A filter over a bound is a 400 that names it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FilterLimits:
    max_limit: int = 1000  # the largest `limit` (scopes included); no limit stays "every row"
    max_include_depth: int = 4  # include levels (`{a: {b: {c: d}}}` is 4)
    max_where_depth: int = 32  # and/or nesting and related-model paths
    max_inq_size: int = 1000  # values in one inq/nin
    max_regexp_length: int = 512  # characters of one regexp (or like) pattern


DEFAULT_LIMITS = FilterLimits()
