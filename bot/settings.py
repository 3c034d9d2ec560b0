"""Configuration: `config.toml`, overridden by `.env`, overridden by environment variables.

Precedence (highest first): environment (`BOT_<SECTION>__<KEY>`, `BOT_CONTENT_FILE`,
`BOT_DATA_DIR`), the `.env` file beside the config file, the TOML file, defaults. Secrets
(the Discord token, the data key) are NOT part of these settings: they come only from the
environment or `.env` (see `Secrets`), so a config file can be shared without leaking them.

Every problem is one line naming where the bad value came from (the file and key, the
environment variable, or the `.env` line). Relative paths (the SQLite file, the content
file, `data_dir`) are relative to the config file's folder, never to the working directory.
"""

from __future__ import annotations

import json
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from dotenv import dotenv_values
from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, ValidationInfo, field_validator
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

DEFAULT_CONFIG_PATH = Path("config.toml")
ENV_PREFIX = "BOT_"
ENV_FILE_NAME = ".env"
SECRET_NAMES = ("DISCORD_TOKEN", "BOT_DATA_KEY")
# Variables a `.env` may also hold for other tools (docker compose reads the same file).
FOREIGN_ENV_PREFIXES = ("COMPOSE_", "POSTGRES_")
# Top-level settings that may come from the environment as BOT_<NAME> (sections use BOT_<SECTION>__<KEY>).
TOP_LEVEL_ENV = ("content_file", "data_dir")

# SQLAlchemy async drivers the bot runs on; the plain forms people copy from elsewhere are accepted.
SUPPORTED_DRIVERS = ("sqlite+aiosqlite", "postgresql+asyncpg")
DRIVER_ALIASES = {"sqlite": "sqlite+aiosqlite", "postgresql": "postgresql+asyncpg", "postgres": "postgresql+asyncpg"}
UNSUPPORTED_URL = ("is not a database address the bot can use: write sqlite+aiosqlite:///path/to/bot.db "
                   "or postgresql+asyncpg://USER:PASSWORD@HOST:PORT/DBNAME")

# A role or channel may be named ("Moderator") or given by its numeric ID.
RoleOrChannel = str | int


def base_folder(info: ValidationInfo) -> Path | None:
    """The folder relative paths are relative to (the config file's), when loading from a file."""
    context = info.context if isinstance(info.context, dict) else None
    base = context.get("base") if context else None
    return base if isinstance(base, Path) else None


def resolve_path(value: str, info: ValidationInfo) -> str:
    base = base_folder(info)
    if not value or base is None or Path(value).expanduser().is_absolute():
        return str(Path(value).expanduser()) if value else value
    return str(base / value)


def normalize_database_url(value: str, base: Path | None) -> str:
    """Accept the async drivers (and their plain aliases); resolve a relative SQLite file against `base`."""
    try:
        url = make_url(value)
    except ArgumentError:
        raise ValueError(UNSUPPORTED_URL) from None
    url = url.set(drivername=DRIVER_ALIASES.get(url.drivername, url.drivername))
    if url.drivername not in SUPPORTED_DRIVERS:
        raise ValueError(f"{redact_url(value)!r} {UNSUPPORTED_URL}")
    if url.drivername.startswith("sqlite") and url.database and url.database != ":memory:":
        path = Path(url.database).expanduser()
        if not path.is_absolute() and base is not None:
            path = base / path
        url = url.set(database=str(path))
    return url.render_as_string(hide_password=False)


def redact_url(value: str) -> str:
    """The address with any password replaced by ***, for messages and logs."""
    try:
        return make_url(value).render_as_string(hide_password=True)
    except ArgumentError:
        return "(an address that could not be read)"


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DiscordSection(Section):
    api_base_url: str = "https://discord.com/api/v10"
    gateway_url: str = "wss://gateway.discord.gg/"
    shard_count: int | None = Field(default=None, ge=1)
    shard_ids: list[int] | None = None
    # Global REST budget the bot paces itself to (Discord allows 50/s; stay below).
    requests_per_second: float = Field(default=47.0, gt=0, le=48)
    # Keep the member cache small on very large servers (see README).
    chunk_guilds_at_startup: bool = True
    # Seconds discord.py waits for more servers to arrive at start-up before setting them up.
    guild_ready_timeout: float = Field(default=2.0, ge=0, le=60)


class DatabaseSection(Section):
    url: str = "sqlite+aiosqlite:///data/bot.db"
    echo: bool = False

    @field_validator("url")
    @classmethod
    def _supported_url(cls, value: str, info: ValidationInfo) -> str:
        return normalize_database_url(value, base_folder(info))


class GuildSection(Section):
    """Which roles and channels the bot uses in each server, by name or ID."""

    member_role: RoleOrChannel = "Member"
    newcomer_role: RoleOrChannel = "Newcomer"
    moderator_role: RoleOrChannel = "Moderator"
    welcome_channel: RoleOrChannel = "welcome"
    moderators_channel: RoleOrChannel = "moderators"
    mod_log_channel: RoleOrChannel = "mod-log"
    waiting_room_channel: RoleOrChannel = "waiting-room"
    # Optional: who reviews repair cases when every moderator is excluded.
    alternate_reviewers_role: RoleOrChannel | None = None
    alternate_reviewers_channel: RoleOrChannel | None = None
    auto_provision: bool = True


class OnboardingSection(Section):
    enabled: bool = True
    reminder_after_hours: float = Field(default=48, gt=0)
    stalled_after_days: float = Field(default=7, gt=0)
    # A role grant or first DM a crash interrupted is retried after this many seconds.
    retry_after_seconds: float = Field(default=30, gt=0)
    # Questions to the moderators ("I have a question"): at most this many unanswered per person,
    # and this long between two.
    max_open_questions: int = Field(default=3, ge=1)
    question_cooldown_seconds: float = Field(default=30, ge=0)


class GateSection(Section):
    # Take the member role off anyone who holds it without a recorded yes (given by an invite, another
    # bot or by hand) until they finish onboarding. Off: moderators are only told, in #mod-log.
    enforce: bool = False


class CoiSection(Section):
    enabled: bool = True
    announce: bool = True
    # Where COI changes are announced: a members-only channel. The bot creates `coi-declarations`
    # (members read, only the bot posts) when missing; start-up warns in #mod-log if everyone can see it.
    channel: RoleOrChannel = "coi-declarations"
    role_prefix: str = "COI: "
    # Quick toggling of /coi tag: one role update, and one announcement of the latest state, per person
    # per this many seconds (the first change is applied and announced at once).
    coalesce_roles_seconds: float = Field(default=3, ge=0)
    coalesce_announce_seconds: float = Field(default=300, ge=0)
    waiting_room_default_minutes: int = Field(default=60, ge=1, le=24 * 60)


class ConfidentialSection(Section):
    enabled: bool = True
    voice_quiet_minutes: float = Field(default=30, ge=0)
    every_messages: int = Field(default=30, ge=1)
    every_hours: float = Field(default=24, gt=0)
    allowed_bot_ids: list[int] = Field(default_factory=list)


class RepairSection(Section):
    enabled: bool = True
    max_open_per_member: int = Field(default=3, ge=1)
    cooldown_minutes: float = Field(default=10, ge=0)
    ack_reminder_hours: float = Field(default=48, gt=0)
    # Direct messages one requester can pass on to their cases per minute and per hour; the rest are
    # kept in the case log and shown to moderators as one "(N more messages held)" line.
    relay_per_minute: int = Field(default=5, ge=1)
    relay_per_hour: int = Field(default=20, ge=1)


class PrivacySection(Section):
    retention_days_after_leave: float = Field(default=30, ge=0)
    case_retention_days: float = Field(default=365, ge=1)
    # Seconds between two /mydata show (or export) of one person.
    mydata_cooldown_seconds: float = Field(default=10, ge=0)


class LoggingSection(Section):
    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"


class Settings(BaseModel):
    """Everything the bot can be told, each key documented in config.example.toml."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    # Path to a content TOML file; empty means the coalition's default content.
    content_file: str = ""
    # Folder for the key file (when the database is not SQLite) and for backups.
    data_dir: str = "data"
    # Where people can get this bot's source code, shown by /about (the AGPL asks for it).
    source_url: str = ""
    discord: DiscordSection = DiscordSection()
    database: DatabaseSection = DatabaseSection()
    guild: GuildSection = GuildSection()
    onboarding: OnboardingSection = OnboardingSection()
    gate: GateSection = GateSection()
    coi: CoiSection = CoiSection()
    confidential: ConfidentialSection = ConfidentialSection()
    repair: RepairSection = RepairSection()
    privacy: PrivacySection = PrivacySection()
    logging: LoggingSection = LoggingSection()

    @field_validator("content_file")
    @classmethod
    def _content_file_readable(cls, value: str, info: ValidationInfo) -> str:
        value = resolve_path(value, info)
        if value and not Path(value).is_file():
            raise ValueError(f"content file {value!r} does not exist or is not a file")
        return value

    @field_validator("source_url")
    @classmethod
    def _source_url_is_a_web_address(cls, value: str) -> str:
        if value and not value.startswith(("https://", "http://")):
            raise ValueError("must be a web address starting with https://")
        return value

    @field_validator("data_dir")
    @classmethod
    def _data_dir_resolved(cls, value: str, info: ValidationInfo) -> str:
        return resolve_path(value, info)


class Secrets(BaseModel):
    """Secrets read only from the environment or `.env`, never from config.toml."""

    model_config = ConfigDict(frozen=True)

    discord_token: SecretStr | None = None
    bot_data_key: SecretStr | None = None


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

    label: str  # e.g. "config.toml", "environment variable BOT_DATABASE__URL", ".env: BOT_DATABASE__URL"
    variable: str | None = None


def setting_path(name: str) -> tuple[str, ...] | None:
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


def _put(data: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    node = data
    for part in path[:-1]:
        child = node.get(part)
        if not isinstance(child, dict):
            child = node[part] = {}
        node = child
    node[path[-1]] = value


def _file_sources(data: Mapping[str, Any], label: str, prefix: tuple[str, ...] = ()) -> dict[tuple[str, ...], Source]:
    sources: dict[tuple[str, ...], Source] = {}
    for key, value in data.items():
        if isinstance(value, Mapping):
            sources.update(_file_sources(value, label, (*prefix, key)))
        sources[(*prefix, key)] = Source(label)
    return sources


def _describe_validation_error(exc: ValidationError, sources: Mapping[tuple[str, ...], Source], fallback: str) -> str:
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
    source = sources.get(loc) or next((s for p, s in sources.items() if p[:len(loc)] == loc), None)
    if source is None or source.variable is None:
        return f"{source.label if source else fallback}: key '{key}' {problem}{more}"
    return f"{source.label}: {source.variable} (key '{key}') {problem}{more}"


def load_settings(config_path: Path | None = None, environ: Mapping[str, str] | None = None) -> Settings:
    """Load settings from `config_path` (or BOT_CONFIG / ./config.toml), its `.env` and the environment.

    Raises ConfigError with one readable line naming where the bad value came from.
    """
    env = os.environ if environ is None else environ
    path = config_path if config_path is not None else resolve_config_path(None, env)
    data = read_toml(path)
    sources = _file_sources(data, str(path))
    dotenv_path = env_file_path(path)
    layers = [(read_env_file(dotenv_path), str(dotenv_path)), (env, "environment variable")]
    for variables, label in layers:
        for name, raw in variables.items():
            where = setting_path(name)
            if where is None:
                if label != "environment variable" and name not in (*SECRET_NAMES, "BOT_CONFIG") \
                        and not name.upper().startswith(FOREIGN_ENV_PREFIXES):
                    raise ConfigError(f"{label}: {name} is not something the bot reads (it reads DISCORD_TOKEN, "
                                      "BOT_DATA_KEY and settings written BOT_<SECTION>__<KEY>; see .env.example)")
                continue
            _put(data, where, env_value(raw))
            sources[where] = Source(label, name)
    # Defaults that hold a path are resolved like the rest (validators do not run on defaults).
    data.setdefault("data_dir", Settings.model_fields["data_dir"].default)
    database = data.setdefault("database", {})
    if isinstance(database, dict):
        database.setdefault("url", DatabaseSection.model_fields["url"].default)
    base = Path(os.path.abspath(path.parent))
    try:
        return Settings.model_validate(data, context={"base": base})
    except ValidationError as exc:
        raise ConfigError(_describe_validation_error(exc, sources, str(path))) from None


def load_secrets(config_path: Path | None = None, environ: Mapping[str, str] | None = None) -> Secrets:
    """DISCORD_TOKEN and BOT_DATA_KEY from the environment, else from the `.env` beside the config file."""
    env = os.environ if environ is None else environ
    path = config_path if config_path is not None else resolve_config_path(None, env)
    dotenv = read_env_file(env_file_path(path))

    def pick(name: str) -> SecretStr | None:
        value = env.get(name) or dotenv.get(name)
        return SecretStr(value) if value else None

    return Secrets(discord_token=pick("DISCORD_TOKEN"), bot_data_key=pick("BOT_DATA_KEY"))
