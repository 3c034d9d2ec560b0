"""Configuration: `config.toml`, overridden by environment variables.

Precedence (highest first): environment (`BOT_<SECTION>__<KEY>`), `.env`, the TOML
file, defaults. Secrets (the Discord token, the data key) are NOT part of these
settings: they come only from the environment or `.env` (see `Secrets`), so a
config file can be shared without leaking them.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

DEFAULT_CONFIG_PATH = Path("config.toml")
ENV_PREFIX = "BOT_"

# A role or channel may be named ("Moderator") or given by its numeric ID.
RoleOrChannel = str | int


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


class CoiSection(Section):
    enabled: bool = True
    announce: bool = True
    # Where COI changes are announced: a members-only channel. The bot creates `coi-declarations`
    # (members read, only the bot posts) when missing; start-up warns in #mod-log if everyone can see it.
    channel: RoleOrChannel = "coi-declarations"
    role_prefix: str = "COI: "
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


class LoggingSection(Section):
    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"


class Settings(BaseSettings):
    """Everything the bot can be told, each key documented in config.example.toml."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_nested_delimiter="__",
        env_file=".env",
        extra="forbid",
        frozen=True,
    )

    # Path to a content TOML file; empty means the coalition's default content.
    content_file: str = ""
    discord: DiscordSection = DiscordSection()
    database: DatabaseSection = DatabaseSection()
    guild: GuildSection = GuildSection()
    onboarding: OnboardingSection = OnboardingSection()
    coi: CoiSection = CoiSection()
    confidential: ConfidentialSection = ConfidentialSection()
    repair: RepairSection = RepairSection()
    privacy: PrivacySection = PrivacySection()
    logging: LoggingSection = LoggingSection()

    @field_validator("content_file")
    @classmethod
    def _content_file_readable(cls, value: str) -> str:
        if value and not Path(value).is_file():
            raise ValueError(f"content file {value!r} does not exist or is not a file")
        return value

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # init_settings carries the parsed TOML; the environment wins over it.
        return env_settings, dotenv_settings, init_settings


class Secrets(BaseSettings):
    """Secrets read only from the environment or `.env`, never from config.toml."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    discord_token: SecretStr | None = Field(default=None, alias="DISCORD_TOKEN")
    bot_data_key: SecretStr | None = Field(default=None, alias="BOT_DATA_KEY")


class ConfigError(Exception):
    """A configuration problem, phrased as one line for the person deploying the bot."""


def resolve_config_path(cli_path: str | None, environ: Mapping[str, str] | None = None) -> Path:
    env = os.environ if environ is None else environ
    if cli_path:
        return Path(cli_path)
    if env.get("BOT_CONFIG"):
        return Path(env["BOT_CONFIG"])
    return DEFAULT_CONFIG_PATH


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


def _describe_validation_error(path: Path, exc: ValidationError) -> str:
    first = exc.errors()[0]
    key = ".".join(str(part) for part in first["loc"]) or "(top level)"
    if first["type"] == "extra_forbidden":
        problem = "is not a known setting (see config.example.toml)"
    else:
        problem = first["msg"].removeprefix("Value error, ")
        if "input" in first and first["type"] not in {"missing"}:
            problem += f" (got {first['input']!r})"
    more = f" (and {len(exc.errors()) - 1} more problem(s))" if len(exc.errors()) > 1 else ""
    return f"{path}: key '{key}' {problem}{more}"


def load_settings(config_path: Path | None = None) -> Settings:
    """Load settings from `config_path` (or BOT_CONFIG / ./config.toml) plus the environment.

    Raises ConfigError with one readable line on any problem.
    """
    path = config_path if config_path is not None else resolve_config_path(None)
    data = read_toml(path)
    try:
        return Settings(**data)
    except ValidationError as exc:
        raise ConfigError(_describe_validation_error(path, exc)) from None


def load_secrets() -> Secrets:
    return Secrets()
