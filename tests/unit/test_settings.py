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
    settings = load_settings(tmp_path / "absent.toml", environ={})
    # Relative paths are relative to the config file's folder, not to the working directory.
    assert settings.database.url == f"sqlite+aiosqlite:///{tmp_path}/data/bot.db"
    assert settings.data_dir == str(tmp_path / "data")
    assert settings.guild.member_role == "Member"
    assert settings.guild.waiting_room_channel == "waiting-room"
    assert settings.discord.api_base_url == "https://discord.com/api/v10"


def test_example_config_loads_and_equals_defaults(tmp_path: Path) -> None:
    beside_example = load_settings(ROOT / "absent.toml", environ={})
    assert load_settings(EXAMPLE, environ={}) == beside_example
    assert beside_example.model_copy(update={"database": Settings().database, "data_dir": "data"}) == Settings()


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
    assert settings.database.url == f"sqlite+aiosqlite:///{tmp_path}/from-env.db"
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


def test_relative_paths_resolve_against_the_config_folder(tmp_path: Path) -> None:
    folder = tmp_path / "etc"
    folder.mkdir()
    (folder / "mine.toml").write_text((ROOT / "bot" / "default_content.toml").read_text())
    config = folder / "config.toml"
    config.write_text('content_file = "mine.toml"\ndata_dir = "state"\n'
                      '[database]\nurl = "sqlite+aiosqlite:///db/bot.db"\n')
    settings = load_settings(config, environ={})
    assert settings.content_file == str(folder / "mine.toml")
    assert settings.data_dir == str(folder / "state")
    assert settings.database.url == f"sqlite+aiosqlite:///{folder}/db/bot.db"


def test_dotenv_beside_the_config_holds_secrets_and_settings(tmp_path: Path) -> None:
    from bot.settings import load_secrets

    config = tmp_path / "config.toml"
    (tmp_path / ".env").write_text("DISCORD_TOKEN=token-from-dotenv\nBOT_DATA_KEY=key-from-dotenv\n"
                                   "BOT_GUILD__MODERATOR_ROLE=Stewards\nPOSTGRES_PASSWORD=for-compose\n")
    settings = load_settings(config, environ={})
    assert settings.guild.moderator_role == "Stewards"
    secrets = load_secrets(config, environ={})
    assert secrets.discord_token is not None and secrets.discord_token.get_secret_value() == "token-from-dotenv"
    assert secrets.bot_data_key is not None and secrets.bot_data_key.get_secret_value() == "key-from-dotenv"
    # The environment wins over .env.
    assert load_settings(config, environ={"BOT_GUILD__MODERATOR_ROLE": "Mods"}).guild.moderator_role == "Mods"
    from_env = load_secrets(config, environ={"DISCORD_TOKEN": "token-from-env"}).discord_token
    assert from_env is not None and from_env.get_secret_value() == "token-from-env"


@pytest.mark.parametrize(
    ("env", "dotenv", "expected"),
    [
        ({"BOT_DATABASE__URLL": "x"}, "",
         "environment variable: BOT_DATABASE__URLL (key 'database.urll') is not a known"),
        ({"BOT_DATABSE__URL": "x"}, "", "environment variable: BOT_DATABSE__URL (key 'databse') is not a known"),
        ({"BOT_REPAIR__COOLDOWN_MINUTES": "soon"}, "", "environment variable: BOT_REPAIR__COOLDOWN_MINUTES"),
        ({}, "BOT_REPAIR__COOLDOWN_MINUTES=soon\n", ".env: BOT_REPAIR__COOLDOWN_MINUTES (key 'repair.cooldown"),
        ({}, "DISCORD_TOKN=abc\n", ".env: DISCORD_TOKN is not something the bot reads"),
    ],
)
def test_errors_name_their_real_source(tmp_path: Path, env: dict[str, str], dotenv: str, expected: str) -> None:
    config = tmp_path / "config.toml"
    config.write_text("[repair]\ncooldown_minutes = 5\n")
    if dotenv:
        (tmp_path / ".env").write_text(dotenv)
    with pytest.raises(ConfigError) as raised:
        load_settings(config, environ=env)
    message = str(raised.value)
    assert expected in message
    assert "config.toml" not in message
    assert "\n" not in message


def test_unrelated_bot_variables_are_ignored(tmp_path: Path) -> None:
    env = {"BOT_TEST_POSTGRES_URL": "postgresql://x", "BOT_CONFIG": "c.toml", "BOT_DATA_KEY": "k"}
    assert load_settings(tmp_path / "config.toml", environ=env).repair.cooldown_minutes == 10


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("sqlite:///bot.db", "sqlite+aiosqlite:///{dir}/bot.db"),
        ("postgresql://bot:pw@db:5432/bot", "postgresql+asyncpg://bot:pw@db:5432/bot"),
        ("postgres://bot:pw@db/bot", "postgresql+asyncpg://bot:pw@db/bot"),
    ],
)
def test_plain_database_urls_get_the_async_driver(tmp_path: Path, url: str, expected: str) -> None:
    settings = load_settings(tmp_path / "config.toml", environ={"BOT_DATABASE__URL": url})
    assert settings.database.url == expected.format(dir=tmp_path)


@pytest.mark.parametrize("url", ["mysql://bot:hunter22@db/bot", "postgresql+psycopg2://bot:hunter22@db/bot",
                                 "nonsense"])
def test_unsupported_database_url_says_what_works_and_hides_the_password(tmp_path: Path, url: str) -> None:
    config = tmp_path / "config.toml"
    config.write_text(f'[database]\nurl = "{url}"\n')
    with pytest.raises(ConfigError) as raised:
        load_settings(config, environ={})
    message = str(raised.value)
    assert "sqlite+aiosqlite" in message and "postgresql+asyncpg" in message
    assert "hunter22" not in message
    assert str(config) in message


def test_settings_are_pydantic_settings_layered_highest_first(tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    from pydantic_settings import BaseSettings

    assert issubclass(Settings, BaseSettings)
    config = tmp_path / "config.toml"
    dotenv = tmp_path / ".env"
    config.write_text('[guild]\nmoderator_role = "FromFile"\n')
    dotenv.write_text("BOT_GUILD__MODERATOR_ROLE=FromDotenv\n")
    env = {"BOT_GUILD__MODERATOR_ROLE": "FromEnv"}
    assert load_settings(config, environ=env).guild.moderator_role == "FromEnv"
    assert load_settings(config, environ={}).guild.moderator_role == "FromDotenv"
    dotenv.unlink()
    assert load_settings(config, environ={}).guild.moderator_role == "FromFile"
    config.unlink()
    assert load_settings(config, environ={}).guild.moderator_role == "Moderator"
    # Built directly, the model takes only its arguments: no file or variable leaks into tests and tools.
    monkeypatch.setenv("BOT_GUILD__MODERATOR_ROLE", "FromEnv")
    assert Settings().guild.moderator_role == "Moderator"
