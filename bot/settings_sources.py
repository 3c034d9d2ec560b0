"""Where settings come from: pydantic-settings sources for the environment, `.env` and the TOML file.

`load_settings` (bot/settings.py) names the files and the environment once, as a `Layers`, for
the length of one load; `Settings.settings_customise_sources` builds these sources from it.
Every source records which file, `.env` line or environment variable gave each key
(`Layers.provenance`), so a bad value is reported as one line naming its real source.

The layers travel in a context variable because pydantic-settings builds the sources inside
`BaseSettings.__init__`, which takes no per-call argument for our own sources; a context variable
is per task and per thread, so two loads at once (tests) never see each other's files.
"""

from __future__ import annotations

import copy
import json
import os
import tomllib
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dotenv import dotenv_values
from pydantic import ValidationError
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource

DEFAULT_CONFIG_PATH = Path("config.toml")
ENV_PREFIX = "BOT_"
ENV_FILE_NAME = ".env"
SECRET_NAMES = ("DISCORD_TOKEN", "BOT_DATA_KEY")
# Variables a `.env` may also hold for other tools (docker compose reads the same file).
FOREIGN_ENV_PREFIXES = ("COMPOSE_", "POSTGRES_")
# Top-level settings that may come from the environment as BOT_<NAME> (sections use BOT_<SECTION>__<KEY>).
TOP_LEVEL_ENV = ("content_file", "data_dir")
ENVIRONMENT_LABEL = "environment variable"

KeyPath = tuple[str, ...]


class ConfigError(Exception):
    """A configuration problem, phrased as one line for the person deploying the bot."""


def resolve_config_path(cli_path: str | None, environ: Mapping[str, str] | None = None) -> Path:
    env = os.environ if environ is None else environ
    if cli_path:
        return Path(cli_path)
    if env.get("BOT_CONFIG"):
        return Path(env["BOT_CONFIG"])
    return DEFAULT_CONFIG_PATH


def config_was_named(cli_path: str | None, environ: Mapping[str, str] | None = None) -> bool:
    """True when the person chose the file (--config or BOT_CONFIG): then it must exist."""
    env = os.environ if environ is None else environ
    return bool(cli_path or env.get("BOT_CONFIG"))


def env_file_path(config_path: Path) -> Path:
    """`.env` lives beside the config file (the working directory when the default ./config.toml is used)."""
    return config_path.parent / ENV_FILE_NAME


def read_toml(path: Path) -> dict[str, Any]:
    """Parse the config file; a missing file means all defaults."""
    if not path.exists():
        return {}
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: this is not valid TOML ({exc})") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read ({exc.strerror})") from None


def read_env_file(path: Path) -> dict[str, str]:
    """The `.env` file's variables (none when there is no file)."""
    if not path.is_file():
        return {}
    try:
        values = dotenv_values(path)
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot be read ({exc})") from None
    return {key: value or "" for key, value in values.items()}


@dataclass(frozen=True)
class Source:
    """Where one setting came from, to name it in an error."""

    label: str  # e.g. "config.toml", "environment variable", "/srv/bot/.env"
    variable: str | None = None


def setting_path(name: str) -> KeyPath | None:
    """BOT_DATABASE__URL -> ("database", "url"); BOT_CONTENT_FILE -> ("content_file",); else None."""
    if not name.upper().startswith(ENV_PREFIX):
        return None
    rest = name[len(ENV_PREFIX):].lower()
    if "__" in rest:
        return tuple(rest.split("__"))
    return (rest,) if rest in TOP_LEVEL_ENV else None


def env_value(raw: str) -> Any:
    """Lists and tables may be written as JSON (BOT_CONFIDENTIAL__ALLOWED_BOT_IDS=[1, 2])."""
    if raw.strip().startswith(("[", "{")):
        try:
            return json.loads(raw)
        except json.JSONDecodeError:
            return raw
    return raw


def put(data: dict[str, Any], path: KeyPath, value: Any) -> None:
    node = data
    for part in path[:-1]:
        child = node.get(part)
        if not isinstance(child, dict):
            child = node[part] = {}
        node = child
    node[path[-1]] = value


@dataclass
class Layers:
    """One load: the config file, the environment, and where each key was found."""

    config_path: Path
    environ: Mapping[str, str]
    provenance: dict[KeyPath, Source] = field(default_factory=dict)

    @property
    def dotenv_path(self) -> Path:
        return env_file_path(self.config_path)

    @property
    def base(self) -> Path:
        """The folder relative paths are relative to: the config file's, never the working directory."""
        return Path(os.path.abspath(self.config_path.parent))

    def record(self, path: KeyPath, source: Source) -> None:
        # Sources run highest priority first: the first one to give a key is the one that counts.
        self.provenance.setdefault(path, source)

    def describe(self, exc: ValidationError) -> str:
        """The first problem as one line naming where its value came from."""
        first = exc.errors()[0]
        loc = tuple(str(part) for part in first["loc"])
        key = ".".join(loc) or "(top level)"
        if first["type"] == "extra_forbidden":
            problem = "is not a known setting (see config.example.toml)"
        else:
            problem = first["msg"].removeprefix("Value error, ")
            if "input" in first and first["type"] not in {"missing"} and "database" not in loc:
                problem += f" (got {first['input']!r})"
        more = f" (and {len(exc.errors()) - 1} more problem(s))" if len(exc.errors()) > 1 else ""
        # The source of the key itself, else of the first setting under it (an unknown section).
        source = self.provenance.get(loc) or next(
            (s for p, s in self.provenance.items() if p[:len(loc)] == loc), None)
        if source is None or source.variable is None:
            return f"{source.label if source else self.config_path}: key '{key}' {problem}{more}"
        return f"{source.label}: {source.variable} (key '{key}') {problem}{more}"


_current: ContextVar[Layers | None] = ContextVar("settings_layers", default=None)


@contextmanager
def loading(layers: Layers) -> Iterator[Layers]:
    """Within this block, building Settings or Secrets reads these layers."""
    token = _current.set(layers)
    try:
        yield layers
    finally:
        _current.reset(token)


def current_layers() -> Layers | None:
    """The layers being loaded, or None when a model is built directly from its arguments (tests, tools)."""
    return _current.get()


class LayerSource(PydanticBaseSettingsSource):
    """A source that hands over a whole nested dict at once (our keys are paths, not single fields)."""

    def __init__(self, settings_cls: type[BaseSettings], layers: Layers) -> None:
        super().__init__(settings_cls)
        self.layers = layers

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        # Unused: __call__ builds the whole dict, with paths pydantic-settings' per-field lookup cannot see.
        return None, field_name, False


class TomlFileSource(LayerSource):
    """The config file; its unknown keys and sections are left for validation to name."""

    def __call__(self) -> dict[str, Any]:
        data = read_toml(self.layers.config_path)
        self._record(data, Source(str(self.layers.config_path)))
        return data

    def _record(self, data: Mapping[str, Any], source: Source, prefix: KeyPath = ()) -> None:
        for key, value in data.items():
            if isinstance(value, Mapping):
                self._record(value, source, (*prefix, key))
            self.layers.record((*prefix, key), source)


class SettingVariablesSource(LayerSource):
    """BOT_<SECTION>__<KEY> variables, from the environment or from `.env`."""

    label = ENVIRONMENT_LABEL

    def variables(self) -> Mapping[str, str]:
        return self.layers.environ

    def unrelated(self, name: str) -> None:
        """A variable that is no setting: the environment holds many such, so it is ignored."""

    def __call__(self) -> dict[str, Any]:
        data: dict[str, Any] = {}
        for name, raw in self.variables().items():
            where = setting_path(name)
            if where is None:
                self.unrelated(name)
                continue
            put(data, where, env_value(raw))
            self.layers.record(where, Source(self.label, name))
        return data


class EnvironmentSource(SettingVariablesSource):
    pass


class DotEnvSource(SettingVariablesSource):
    """`.env` beside the config file: settings, the secrets, and other tools' variables; anything else is a typo."""

    def __init__(self, settings_cls: type[BaseSettings], layers: Layers) -> None:
        super().__init__(settings_cls, layers)
        self.label = str(layers.dotenv_path)

    def variables(self) -> Mapping[str, str]:
        return read_env_file(self.layers.dotenv_path)

    def unrelated(self, name: str) -> None:
        if name in (*SECRET_NAMES, "BOT_CONFIG") or name.upper().startswith(FOREIGN_ENV_PREFIXES):
            return
        raise ConfigError(f"{self.label}: {name} is not something the bot reads (it reads DISCORD_TOKEN, "
                          "BOT_DATA_KEY and settings written BOT_<SECTION>__<KEY>; see .env.example)")


class PathDefaultsSource(LayerSource):
    """The defaults that hold a path, given as values so they are resolved against the config folder."""

    def __init__(self, settings_cls: type[BaseSettings], layers: Layers, defaults: dict[str, Any]) -> None:
        super().__init__(settings_cls, layers)
        self.defaults = defaults

    def __call__(self) -> dict[str, Any]:
        return copy.deepcopy(self.defaults)  # a fresh copy: pydantic-settings merges into it


class SecretVariablesSource(LayerSource):
    """DISCORD_TOKEN and BOT_DATA_KEY from the environment (or, as DotEnvSecretsSource, from `.env`).

    An empty variable counts as unset, so an empty `DISCORD_TOKEN=` in the environment leaves `.env`'s.
    """

    def variables(self) -> Mapping[str, str]:
        return self.layers.environ

    def __call__(self) -> dict[str, Any]:
        variables = self.variables()
        return {name.lower(): variables[name] for name in SECRET_NAMES if variables.get(name)}


class DotEnvSecretsSource(SecretVariablesSource):
    def variables(self) -> Mapping[str, str]:
        return read_env_file(self.layers.dotenv_path)
