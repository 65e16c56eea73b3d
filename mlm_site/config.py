"""Site configuration: one frozen dataclass, from ``mlm-site.toml`` and CLI flags.

Every option has help text in its field metadata; ``OPTIONS`` lists them for
the docs. Unknown keys in the configuration file produce a warning.
"""

from __future__ import annotations

import os
import tomllib
import warnings
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

import mlm_site
from mlm_site.errors import ConfigError, TemplateError

FAIL_ON = ("error", "warning", "info", "never")
DEFAULT_TILES = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
DEFAULT_ATTRIBUTION = "&copy; OpenStreetMap contributors"


def _opt(default: Any, help: str, **kw: Any) -> Any:
    return field(default=default, metadata={"help": help}, **kw)


@dataclass(frozen=True)
class SiteConfig:
    """Everything a build needs to know besides the catalog itself."""

    catalog: str = _opt("", "Path or http(s) URL of the root Catalog, Collection or Item.")
    output: Path = _opt(Path("site"), "Output folder; replaced atomically when the build succeeds.")
    schemas: Path | None = _opt(
        None, "Local mirror of JSON Schemas laid out by URL (HOST/PATH); env MLM_SITE_SCHEMAS."
    )
    cache_dir: Path | None = _opt(None, "Where fetched schemas are cached (default: the user cache folder).")
    offline: bool = _opt(False, "Never fetch schemas over the network (mirror and cache only).")
    base_url: str | None = _opt(None, "Public URL of the site, for canonical links, sitemap and feed.")
    templates: Path | None = _opt(None, "Folder of templates overriding the built-in theme.")
    jobs: int = _opt(0, "Worker processes for validation and rendering (0: number of CPUs).")
    fail_on: str = _opt("error", "Exit with status 1 when a finding reaches this severity (or 'never').")
    title: str = _opt("Model catalog", "Site title shown in the header (the root catalog's title wins).")
    tiles: str | None = _opt(DEFAULT_TILES, "Map tile URL template; empty to draw maps without tiles.")
    tiles_attribution: str = _opt(DEFAULT_ATTRIBUTION, "Attribution HTML of the map tiles.")
    timeout: float = _opt(20.0, "Seconds to wait for one HTTP response.")
    follow_outside: bool = _opt(
        False, "Follow local links that lead outside the root document's folder (refused by default)."
    )
    force: bool = _opt(False, "Replace an existing non-empty output folder that mlm-site did not create.")
    clean: bool = _opt(False, "Ignore the build cache: recompute and re-render everything.")

    def __post_init__(self) -> None:
        if self.fail_on not in FAIL_ON:
            raise ConfigError(f"--fail-on must be one of {', '.join(FAIL_ON)}, not {self.fail_on!r}")
        if self.jobs < 0:
            raise ConfigError(f"--jobs must be 0 or more, not {self.jobs}")
        if self.timeout <= 0:
            raise ConfigError("timeout must be positive")

    @property
    def effective_jobs(self) -> int:
        return self.jobs or (os.cpu_count() or 1)


OPTIONS: dict[str, str] = {f.name: f.metadata["help"] for f in fields(SiteConfig)}
_PATH_KEYS = {"output", "schemas", "cache_dir", "templates"}


def schemas_from_env() -> Path | None:
    value = os.environ.get("MLM_SITE_SCHEMAS")
    return Path(value) if value else None


def load_config(path: Path | None, **overrides: Any) -> SiteConfig:
    """Read ``mlm-site.toml`` (when given or present) and apply CLI ``overrides`` (None = unset)."""
    values: dict[str, Any] = {}
    if path is None and Path("mlm-site.toml").is_file():
        path = Path("mlm-site.toml")
    if path is not None:
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"cannot read configuration {path}: {exc}") from exc
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"configuration {path} is not valid TOML: {exc}") from exc
        section = data.get("mlm-site", data)
        known = set(OPTIONS)
        for key, value in section.items():
            name = key.replace("-", "_")
            if name not in known:
                warnings.warn(f"{path}: unknown option {key!r} ignored", UserWarning, stacklevel=2)
                continue
            if name in _PATH_KEYS and value is not None:
                value = (path.parent / value) if not Path(value).is_absolute() else Path(value)
            values[name] = value
    for key, value in overrides.items():
        if value is not None:
            values[key] = value
    if values.get("schemas") is None:
        values["schemas"] = schemas_from_env()
    if values.get("tiles") == "":
        values["tiles"] = None
    try:
        return SiteConfig(**values)
    except TypeError as exc:
        raise ConfigError(f"bad configuration: {exc}") from exc


__all__ = ["FAIL_ON", "OPTIONS", "SiteConfig", "load_config", "replace"]


def builtin_templates() -> Path:
    """The built-in theme: inside the installed package, or ``templates/`` of a source checkout."""
    here = Path(mlm_site.__file__).resolve().parent
    for candidate in (here / "templates", here.parent / "templates"):
        if (candidate / "base.html").is_file():
            return candidate
    raise TemplateError("the built-in templates are missing from this installation")
