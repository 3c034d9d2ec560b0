"""Configuration: `config.toml`, overridden by `.env`, overridden by environment variables.

`Settings` and `Secrets` are pydantic-settings models; their sources (bot/settings_sources.py)
read the layers below and remember where each key came from.

Precedence (highest first): environment (`BOT_<SECTION>__<KEY>`, `BOT_CONTENT_FILE`,
`BOT_DATA_DIR`), the `.env` file beside the config file, the TOML file, defaults. Secrets
(the Discord token, the data key) are NOT part of these settings: they come only from the
environment or `.env` (see `Secrets`), so a config file can be shared without leaking them.

Every problem is one line naming where the bad value came from (the file and key, the
environment variable, or the `.env` line). Relative paths (the SQLite file, the content
file, `data_dir`) are relative to the config file's folder, never to the working directory.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

# Re-exported (`X as X`): callers read the configuration's whole surface from bot.settings.
from bot.settings_sources import ConfigError as ConfigError
from bot.settings_sources import (
    DotEnvSecretsSource,
    DotEnvSource,
    EnvironmentSource,
    Layers,
    PathDefaultsSource,
    SecretVariablesSource,
    TomlFileSource,
    current_layers,
    loading,
)
from bot.settings_sources import config_was_named as config_was_named
from bot.settings_sources import env_file_path as env_file_path
from bot.settings_sources import resolve_config_path as resolve_config_path

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
    if isinstance(base, Path):
        return base
    layers = current_layers()
    return layers.base if layers is not None else None


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
    # What moderators and shared channels read (each member is answered in their own language).
    language: Literal["en", "es"] = "en"


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


class AccessSection(Section):
    enabled: bool = True


class PrivacySection(Section):
    retention_days_after_leave: float = Field(default=30, ge=0)
    case_retention_days: float = Field(default=365, ge=1)
    # Seconds between two /mydata show (or export) of one person.
    mydata_cooldown_seconds: float = Field(default=10, ge=0)


class LoggingSection(Section):
    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"


class Settings(BaseSettings):
    """Everything the bot can be told, each key documented in config.example.toml.

    Built by `load_settings` it reads the environment, `.env` and the config file; built directly
    (`Settings(guild=...)`) it takes only its arguments and the defaults.
    """

    # Defaults are not validated (as a plain model): the two that hold a path come through
    # PathDefaultsSource instead, so they are resolved against the config folder like the rest.
    model_config = SettingsConfigDict(extra="forbid", frozen=True, validate_default=False)

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
    access: AccessSection = AccessSection()
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


    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Highest first: arguments, environment variables, `.env`, the TOML file, the path defaults.

        pydantic-settings' own environment and `.env` sources are not used: they ignore unknown
        variables silently and cannot say which variable gave a value.
        """
        layers = current_layers()
        if layers is None:
            return (init_settings,)
        path_defaults = {"data_dir": cls.model_fields["data_dir"].default,
                         "database": {"url": DatabaseSection.model_fields["url"].default}}
        return (init_settings, EnvironmentSource(settings_cls, layers), DotEnvSource(settings_cls, layers),
                TomlFileSource(settings_cls, layers), PathDefaultsSource(settings_cls, layers, path_defaults))


class Secrets(BaseSettings):
    """Secrets read only from the environment or `.env`, never from config.toml."""

    model_config = SettingsConfigDict(frozen=True, validate_default=False)

    discord_token: SecretStr | None = None
    bot_data_key: SecretStr | None = None

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Highest first: arguments, the environment, `.env` (an empty variable counts as unset)."""
        layers = current_layers()
        if layers is None:
            return (init_settings,)
        return (init_settings, SecretVariablesSource(settings_cls, layers), DotEnvSecretsSource(settings_cls, layers))


def _layers(config_path: Path | None, environ: Mapping[str, str] | None) -> Layers:
    env = os.environ if environ is None else environ
    path = config_path if config_path is not None else resolve_config_path(None, env)
    return Layers(config_path=path, environ=env)


def load_settings(config_path: Path | None = None, environ: Mapping[str, str] | None = None) -> Settings:
    """Load settings from `config_path` (or BOT_CONFIG / ./config.toml), its `.env` and the environment.

    Raises ConfigError with one readable line naming where the bad value came from.
    """
    with loading(_layers(config_path, environ)) as layers:
        try:
            return Settings()
        except ValidationError as exc:
            raise ConfigError(layers.describe(exc)) from None


def load_secrets(config_path: Path | None = None, environ: Mapping[str, str] | None = None) -> Secrets:
    """DISCORD_TOKEN and BOT_DATA_KEY from the environment, else from the `.env` beside the config file."""
    with loading(_layers(config_path, environ)):
        return Secrets()
