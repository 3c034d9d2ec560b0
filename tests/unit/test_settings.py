from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from pydantic import BaseModel

from bot.settings import ConfigError, Settings, load_settings, resolve_config_path

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "config.example.toml"


def test_missing_file_means_defaults(tmp_path: Path) -> None:
    settings = load_settings(tmp_path / "absent.toml")
    assert settings.database.url == "sqlite+aiosqlite:///data/bot.db"
    assert settings.guild.member_role == "Member"
    assert settings.guild.waiting_room_channel == "waiting-room"
    assert settings.discord.api_base_url == "https://discord.com/api/v10"


def test_example_config_loads_and_equals_defaults() -> None:
    assert load_settings(EXAMPLE) == Settings()


def _documented_keys(data: dict[str, object], prefix: str = "") -> set[str]:
    keys: set[str] = set()
    for key, value in data.items():
        if isinstance(value, dict):
            keys |= _documented_keys(value, f"{prefix}{key}.")
        else:
            keys.add(prefix + key)
    return keys


def _model_keys(model: type[BaseModel], prefix: str = "") -> set[str]:
    keys: set[str] = set()
    for name, field in model.model_fields.items():
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            keys |= _model_keys(annotation, f"{prefix}{name}.")
        else:
            keys.add(prefix + name)
    return keys


def test_example_documents_every_key() -> None:
    text = EXAMPLE.read_text()
    # Commented-out optional keys count as documented.
    uncommented = "\n".join(line[2:] if re.match(r"^# [a-z_]+ = ", line) else line for line in text.splitlines())
    documented = _documented_keys(tomllib.loads(uncommented))
    assert _model_keys(Settings) - documented == set()


def test_environment_overrides_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[database]\nurl = "sqlite+aiosqlite:///from-file.db"\n[guild]\nmoderator_role = "Mods"\n')
    monkeypatch.setenv("BOT_DATABASE__URL", "sqlite+aiosqlite:///from-env.db")
    settings = load_settings(config)
    assert settings.database.url == "sqlite+aiosqlite:///from-env.db"
    assert settings.guild.moderator_role == "Mods"


def test_roles_and_channels_by_id(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text("[guild]\nmember_role = 1234567890\nwelcome_channel = 42\n")
    settings = load_settings(config)
    assert settings.guild.member_role == 1234567890
    assert settings.guild.welcome_channel == 42


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[discord]\nfoo = 1\n", "key 'discord.foo' is not a known setting"),
        ("[discord\n", "not valid TOML"),
        ('[repair]\nmax_open_per_member = "lots"\n', "key 'repair.max_open_per_member'"),
        ('content_file = "missing.toml"\n', "key 'content_file'"),
        ("[unknown_section]\nx = 1\n", "key 'unknown_section' is not a known setting"),
    ],
)
def test_invalid_config_is_one_clear_line(tmp_path: Path, text: str, expected: str) -> None:
    config = tmp_path / "config.toml"
    config.write_text(text)
    with pytest.raises(ConfigError) as raised:
        load_settings(config)
    message = str(raised.value)
    assert expected in message
    assert str(config) in message
    assert "\n" not in message


def test_token_is_not_a_config_key(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('discord_token = "abc"\n')
    with pytest.raises(ConfigError, match="not a known setting"):
        load_settings(config)


def test_config_path_resolution(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BOT_CONFIG", raising=False)
    assert resolve_config_path(None) == Path("config.toml")
    monkeypatch.setenv("BOT_CONFIG", "/etc/bot.toml")
    assert resolve_config_path(None) == Path("/etc/bot.toml")
    assert resolve_config_path("cli.toml") == Path("cli.toml")
