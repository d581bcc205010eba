"""Validation: LB3's validators, registered in Python at start-up, checked on every write.

- `rules.py`: one Rule per validator, its checks, codes and messages (LB3's).
- `api.py`: the `validates_*_of` methods models get (mixed into runtime.model.Model).
- `check.py`: the one entry point the write paths call, `validate(model, instance, kind, ctx)`.
- `declared.py`: the rules a model module registers, read at compile time, so that the OpenAPI
  document states them (specgen's command line calls it).
"""

from .api import Validatable
from .check import check_body, check_new, unique_failure, validate
from .rules import Rule, is_blank

__all__ = [
    "Rule",
    "Validatable",
    "check_body",
    "check_new",
    "is_blank",
    "unique_failure",
    "validate",
]
