"""`load_app`: the loader's stages in LB3's boot order, from a directory to an `AppSpec`.

config.json and datasources.json first, then model discovery through `_meta.sources`, base-model
resolution, model-config.json, HABTM join models, embedded ids, relation keys and boot scripts. Each stage adds its problems to one
collector; the app is returned only when none of them is an error.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..errors import SpecError
from ..ir import AppSpec, ModelSpec
from .auth_models import with_access_token
from .builtin_tables import separate_builtin_tables
from .config_files import load_config
from .discovery import BUILTIN_DIR, COMPONENT_DIRS, discover_models, model_sources
from .embeds import embedded_ids
from .files import (
    Display,
    app_root,
    as_port,
    js_defined_datasources,
    load_datasources,
    stored_on_mail,
)
from .ignored_settings import warn_ignored_settings
from .inheritance import resolve
from .join_models import add_join_models
from .mixins import apply_mixins, mixin_dirs
from .model_config import attached_entries, configure
from .problems import Collector, error_order
from .relation_keys import add_relation_keys
from .through_keys import check_through_keys


def load_app(app_dir: str | Path) -> tuple[AppSpec | None, list[SpecError]]:
    """Load an LB3 application directory (what LB3 keeps in `server/`; a project root will do)."""
    root = app_root(Path(app_dir))
    errors = Collector()
    if not root.is_dir():
        errors.error(str(app_dir), "", "not a directory")
        return None, errors.items

    def display(p: Path) -> str:
        """Paths in messages: relative to the app's parent; built-ins as LB3's source names them."""
        if p.parent == BUILTIN_DIR:
            return f"loopback/common/models/{p.name}"
        for package, directory in COMPONENT_DIRS.items():
            if p.parent == directory:
                return f"{package}/lib/models/{p.name}"
        try:
            return p.resolve().relative_to(root.resolve().parent).as_posix()
        except ValueError:
            return str(p)

    config_file = load_config(root, "config", errors, display)
    config = config_file.data if config_file is not None else {}
    ds_file = load_config(root, "datasources", errors, display)
    datasources = load_datasources(
        ds_file.data if ds_file is not None else None,
        lambda name: display(ds_file.origin(name)) if ds_file is not None else "",
        errors,
    )
    datasource_names = {d.name for d in datasources}
    if ds_file is not None and isinstance(ds_file.data, dict):
        # a data source whose settings are wrong is reported there, not again by every model using it
        datasource_names |= set(ds_file.data)
    model_config_path = root / "model-config.json"
    mc = load_config(root, "model-config", errors, display)
    model_config = mc.data if mc is not None else None
    if model_config is None:
        if not model_config_path.exists():
            errors.error(display(model_config_path), "", "model-config.json is missing")
        return None, errors.items
    if not isinstance(model_config, dict):
        errors.error(display(model_config_path), "", "must be a JSON object")
        return None, errors.items

    mc_file = display(model_config_path)
    datasources += js_defined_datasources(
        root, model_config, datasource_names, datasources, mc_file, errors
    )
    datasource_names |= {d.name for d in datasources}
    unreadable: set[str] = set()  # names of model files that did not parse: reported already
    raw_models = discover_models(
        root, model_sources(model_config), errors, display, mc_file, unreadable
    )
    warn_ignored_settings(raw_models, errors)
    attached = attached_entries(
        model_config, raw_models, unreadable, datasource_names, mc_file, errors
    )
    attached = with_access_token(attached, raw_models)

    resolved: dict[str, ModelSpec] = {}
    for name in sorted(raw_models):
        spec = resolve(name, raw_models, resolved, errors, [])
        if name in attached:
            resolved[name] = configure(spec, attached[name], raw_models, mc_file, errors)

    models = {n: m for n, m in resolved.items() if n in attached}
    models = apply_mixins(models, mixin_dirs(model_config, root), root, errors)
    models, raw_models = add_join_models(models, list(attached), raw_models, errors)
    models = embedded_ids(models, raw_models, {d.name: d.connector for d in datasources})
    models = add_relation_keys(models, raw_models, errors, mc_file)
    models = separate_builtin_tables(models, raw_models, mc_file, errors)
    models = check_through_keys(models, errors)
    stored_on_mail(models, datasources, mc_file, errors)

    app = AppSpec(
        name=root.resolve().name if root.resolve().name != "server" else root.resolve().parent.name,
        app_dir=str(root.resolve()),
        rest_api_root=_rest_api_root(config),
        host=str(config.get("host", "0.0.0.0")) if isinstance(config, dict) else "0.0.0.0",
        port=as_port(config.get("port", 3000) if isinstance(config, dict) else 3000),
        models=tuple(models[n] for n in sorted(models)),
        datasources=tuple(datasources),
        boot_scripts=_boot_scripts(root, errors, display),
    )
    has_errors = any(e.level == "error" for e in errors.items)
    return (None if has_errors else app), sorted(set(errors.items), key=error_order)


def _rest_api_root(config: Any) -> str:
    rest_root = config.get("restApiRoot", "/api") if isinstance(config, dict) else "/api"
    return rest_root if isinstance(rest_root, str) else "/api"


def _boot_scripts(root: Path, errors: Collector, display: Display) -> tuple[str, ...]:
    """boot/*.py in name order; a JavaScript boot script cannot run here, so it is a warning."""
    boot_dir = root / "boot"
    boot_scripts: list[str] = []
    if boot_dir.is_dir():
        for f in sorted(boot_dir.iterdir()):
            if f.suffix == ".py":
                boot_scripts.append(f"boot/{f.name}")
            elif f.suffix == ".js":
                errors.warn(
                    display(f),
                    "",
                    "JavaScript boot script ignored (write boot/*.py with setup(app))",
                )
    return tuple(boot_scripts)
