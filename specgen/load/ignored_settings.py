"""Model settings LB3 honours and we do not (yet): each is a warning on the file that sets it,
saying what happens instead, so nobody relies on a behaviour that silently went away. A setting
left at LB3's default changes nothing and is not reported; nor are LB3's own built-in files
(the user did not write them). Mixins and remote methods are reported where they are handled."""

from __future__ import annotations

import json
from typing import Any

from ..errors import pointer
from .discovery import RawModel
from .problems import Collector

# setting -> (LB3's default, what happens here instead)
IGNORED: dict[str, tuple[Any, str]] = {
    "trackChanges": (False, "changes are not tracked (no Change model, no /changes or /diff endpoints)"),
    "enableRemoteReplication": (False, "the replication endpoints are not served"),
    "replaceOnPUT": (True, "PUT replaces the whole instance, as LB3's default does"),
    "injectOptionsFromRemoteContext": (False, "operations receive the request's Context (ctx) instead"),
    "saltWorkFactor": (None, "passwords are hashed with argon2's own parameters"),
}  # fmt: skip


def warn_ignored_settings(raw: dict[str, RawModel], errors: Collector) -> None:
    for model in raw.values():
        if model.builtin:
            continue
        for key, (default, instead) in IGNORED.items():
            if key in model.data and model.data[key] != default:
                shown = json.dumps(model.data[key])
                errors.warn(model.file, pointer(key), f"{key} {shown} is not honoured: {instead}")
