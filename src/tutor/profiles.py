"""Profiles: named YAML files (configs/<name>.yaml) deep-merged in order, fed to `Settings` as one source."""

from __future__ import annotations

import os
from contextvars import ContextVar
from pathlib import Path
from typing import Any

import yaml
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource

from tutor.errors import ConfigError

__all__ = ["DEFAULT_PROFILE", "ProfileSource", "config_dir", "profile_names", "requested_profiles"]

DEFAULT_PROFILE = "default"
#: the profiles `load_settings` asked for; None means $TUTOR_PROFILE (or the default)
requested_profiles: ContextVar[list[str] | None] = ContextVar("requested_profiles", default=None)


class ProfileSource(PydanticBaseSettingsSource):
    """Feeds the deep-merged YAML profiles named by TUTOR_PROFILE into the model."""

    def __init__(self, settings_cls: type[BaseSettings]) -> None:
        super().__init__(settings_cls)
        self._data = _merged_profiles(requested_profiles.get() or profile_names(None))

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:
        return self._data.get(field_name), field_name, False

    def __call__(self) -> dict[str, Any]:
        return dict(self._data)


def config_dir() -> Path:
    """Where profiles live: $TUTOR_CONFIG_DIR, ./configs, or the repository's configs/."""
    env = os.environ.get("TUTOR_CONFIG_DIR")
    if env:
        return Path(env)
    local = Path.cwd() / "configs"
    if local.is_dir():
        return local
    return Path(__file__).resolve().parents[2] / "configs"


def profile_names(explicit: str | list[str] | None) -> list[str]:
    raw = explicit if explicit is not None else os.environ.get("TUTOR_PROFILE", DEFAULT_PROFILE)
    names = raw.split(",") if isinstance(raw, str) else list(raw)
    return [n.strip() for n in names if n.strip()] or [DEFAULT_PROFILE]


def _profile_path(name: str) -> Path:
    candidate = Path(name)
    if candidate.suffix in (".yaml", ".yml") and candidate.is_file():
        return candidate
    path = config_dir() / f"{name}.yaml"
    if not path.is_file():
        available = sorted(p.stem for p in config_dir().glob("*.yaml"))
        raise ConfigError(
            f"Profile '{name}' not found at {path}. Available: {', '.join(available) or 'none'}; "
            "or pass a path to a .yaml file."
        )
    return path


def _deep_merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _deep_merge(out[key], value)
        else:
            out[key] = value
    return out


def _merged_profiles(names: list[str]) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for name in names:
        path = _profile_path(name)
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as exc:
            raise ConfigError(f"Profile {path} is not valid YAML: {exc}") from exc
        if not isinstance(data, dict):
            raise ConfigError(f"Profile {path} must be a mapping of settings, got {type(data).__name__}")
        merged = _deep_merge(merged, data)
    merged["profiles"] = names
    return merged
