"""`python -m bot` as a deployer meets it: clear one-line errors, exit code 2."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run_bot(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("BOT_") and k != "DISCORD_TOKEN"}
    clean.update(env or {})
    return subprocess.run([sys.executable, "-m", "bot", *args], cwd=cwd, env=clean,
                          capture_output=True, text=True, timeout=60)


def test_check_passes_on_example_config(tmp_path: Path) -> None:
    result = run_bot("--config", str(ROOT / "config.example.toml"), "check", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "content: version" in result.stdout
    assert "database: " in result.stdout and "config.example.toml — OK" in result.stdout


def test_no_token_exits_2_with_one_line(tmp_path: Path) -> None:
    result = run_bot(cwd=tmp_path)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "DISCORD_TOKEN" in lines[0]
    assert "Traceback" not in result.stderr


def test_broken_config_exits_2_with_one_line(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text("[database]\nurl = 5\nbogus = true\n")
    result = run_bot(cwd=tmp_path, env={"DISCORD_TOKEN": "x" * 30})
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "config.toml" in lines[0] and "database." in lines[0]
    assert "Traceback" not in result.stderr


def test_bot_config_env_selects_the_file(tmp_path: Path) -> None:
    other = tmp_path / "elsewhere.toml"
    other.write_text("[logging]\nlevel = 'LOUD'\n")
    result = run_bot("check", cwd=tmp_path, env={"BOT_CONFIG": str(other)})
    assert result.returncode == 2
    assert "elsewhere.toml: key 'logging.level'" in result.stderr


def test_db_upgrade_creates_schema(tmp_path: Path) -> None:
    result = run_bot("db", "upgrade", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "data" / "bot.db").is_file()
    assert "up to date" in result.stderr


def snapshot(folder: Path) -> dict[str, float]:
    return {str(p.relative_to(folder)): p.stat().st_mtime for p in folder.rglob("*")}


def test_version(tmp_path: Path) -> None:
    from bot import __version__

    result = run_bot("--version", cwd=tmp_path)
    assert result.returncode == 0
    assert result.stdout.strip() == f"coalition-bot {__version__}"


@pytest.mark.parametrize("how", ["cli", "env"])
def test_a_config_path_that_does_not_exist_exits_2(tmp_path: Path, how: str) -> None:
    missing = str(tmp_path / "typo.toml")
    args, env = (["--config", missing], {}) if how == "cli" else ([], {"BOT_CONFIG": missing})
    result = run_bot(*args, "check", cwd=tmp_path, env=env)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "typo.toml" in lines[0] and "no such config file" in lines[0], result.stderr
    assert snapshot(tmp_path) == {}


def test_config_before_or_after_the_subcommand(tmp_path: Path) -> None:
    config = tmp_path / "conf" / "bot.toml"
    config.parent.mkdir()
    config.write_text("[logging]\nlevel = 'LOUD'\n")
    for args in (["--config", str(config), "check"], ["check", "--config", str(config)]):
        result = run_bot(*args, cwd=tmp_path)
        assert result.returncode == 2 and "bot.toml: key 'logging.level'" in result.stderr, args


def test_check_from_another_folder_writes_nothing_and_reports_the_token(tmp_path: Path) -> None:
    home, elsewhere = tmp_path / "bot", tmp_path / "elsewhere"
    home.mkdir()
    elsewhere.mkdir()
    (home / "config.toml").write_text("[logging]\nlevel = 'INFO'\n")
    (home / ".env").write_text("DISCORD_TOKEN=" + "t" * 40 + "\n")
    before = snapshot(tmp_path)
    result = run_bot("check", "--config", str(home / "config.toml"), cwd=elsewhere)
    assert result.returncode == 0, result.stderr
    assert "token: set" in result.stdout
    assert f"{home}/data/bot.db" in result.stdout and "not created yet" in result.stdout
    assert "t" * 40 not in result.stdout + result.stderr
    assert snapshot(tmp_path) == before, "check must not create or change any file"

    # An existing database is read, not written (no -wal/-shm appear, nothing changes).
    assert run_bot("db", "upgrade", "--config", str(home / "config.toml"), cwd=elsewhere).returncode == 0
    before = snapshot(tmp_path)
    result = run_bot("check", "--config", str(home / "config.toml"), cwd=elsewhere, env={"DISCORD_TOKEN": ""})
    assert result.returncode == 0, result.stderr
    assert "schema up to date" in result.stdout
    assert snapshot(tmp_path) == before


UNREACHABLE_PG = "postgresql+asyncpg://bot:hunter2-secret@127.0.0.1:9/bot"


@pytest.mark.parametrize("command", [["check"], ["db", "upgrade"], []])
def test_unreachable_database_is_one_line_with_host_and_port_and_no_password(tmp_path: Path,
                                                                             command: list[str]) -> None:
    result = run_bot(*command, cwd=tmp_path, env={"BOT_DATABASE__URL": UNREACHABLE_PG, "DISCORD_TOKEN": "x" * 30})
    assert result.returncode == 5, result.stderr
    lines = result.stderr.strip().splitlines()
    errors = [line for line in lines if line.startswith("error:")]
    assert len(errors) == 1 and "127.0.0.1:9" in errors[0], result.stderr
    assert "hunter2-secret" not in result.stdout + result.stderr
    assert "Traceback" not in result.stderr


def test_unsupported_database_url_exits_2(tmp_path: Path) -> None:
    result = run_bot("check", cwd=tmp_path, env={"BOT_DATABASE__URL": "mysql://bot:hunter2-secret@db/bot"})
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "BOT_DATABASE__URL" in lines[0] and "postgresql+asyncpg" in lines[0]
    assert "hunter2-secret" not in result.stderr


def test_backup_without_a_database_says_so(tmp_path: Path) -> None:
    result = run_bot("backup", cwd=tmp_path)
    assert result.returncode == 2
    assert "no database" in result.stderr and len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize(("target", "expected"), [(None, "needs the PostgreSQL address"),
                                                  ("sqlite:///other.db", "copies into PostgreSQL"),
                                                  ("mysql://u:hunter2-secret@h/db", "postgresql+asyncpg")])
def test_db_copy_refuses_what_it_cannot_do(tmp_path: Path, target: str | None, expected: str) -> None:
    result = run_bot("db", "copy", *([target] if target else []), cwd=tmp_path)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and expected in lines[0], result.stderr
    assert "hunter2-secret" not in result.stderr
    assert snapshot(tmp_path) == {}


def test_an_sqlite_folder_that_cannot_be_created_is_one_line(tmp_path: Path) -> None:
    result = run_bot(cwd=tmp_path, env={"BOT_DATABASE__URL": "sqlite:////proc/no-such-folder/bot.db",
                                        "DISCORD_TOKEN": "x" * 30})
    assert result.returncode == 5
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "/proc/no-such-folder/bot.db" in errors[0], result.stderr
    assert "Traceback" not in result.stderr


def test_backup_says_when_the_key_is_not_in_it(tmp_path: Path) -> None:
    from cryptography.fernet import Fernet

    key = Fernet.generate_key().decode()
    assert run_bot("db", "upgrade", cwd=tmp_path, env={"BOT_DATA_KEY": key}).returncode == 0
    result = run_bot("backup", str(tmp_path / "copy"), cwd=tmp_path, env={"BOT_DATA_KEY": key})
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "copy" / "bot.db").is_file() and not (tmp_path / "copy" / "bot-data.key").exists()
    assert "BOT_DATA_KEY" in result.stdout and "not in this backup" in result.stdout
    assert key not in result.stdout + result.stderr


def test_quick_start_without_a_config_file_migrates_and_waits_for_discord(tmp_path: Path) -> None:
    """`DISCORD_TOKEN=... make run` on a fresh machine: no config.toml, no network to Discord yet."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("BOT_") and k != "DISCORD_TOKEN"}
    clean.update({"DISCORD_TOKEN": "x" * 40, "BOT_DISCORD__API_BASE_URL": "http://127.0.0.1:9/api/v10",
                  "PYTHONUNBUFFERED": "1"})
    proc = subprocess.Popen([sys.executable, "-m", "bot"], cwd=tmp_path, env=clean, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stderr is not None
    lines = []
    for line in proc.stderr:  # blocks until the bot writes, no sleeping
        lines.append(line)
        if "cannot reach Discord" in line or line.startswith("error:"):
            break
    proc.send_signal(signal.SIGTERM)
    _, rest = proc.communicate(timeout=30)
    stderr = "".join(lines) + rest
    assert proc.returncode == 0, stderr
    assert "cannot reach Discord at 127.0.0.1" in stderr and "trying again" in stderr
    assert "error:" not in stderr and "Traceback" not in stderr
    assert (tmp_path / "data" / "bot.db").is_file() and (tmp_path / "data" / "bot-data.key").is_file()


def test_check_reports_items_split_across_steps(tmp_path: Path) -> None:
    """A 3,000-character item is shown over several steps (never cut), and `check` says so."""
    from bot.content import default_content_text

    long_item = "We agree to listen first and speak with care. " * 65
    text = default_content_text().replace(
        '"We agree to strive for transparency and mutual accountability.",',
        f'"We agree to strive for transparency and mutual accountability.",\n  "{long_item.strip()}",')
    (tmp_path / "content.toml").write_text(text)
    (tmp_path / "config.toml").write_text('content_file = "content.toml"\n')
    result = run_bot("check", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "content: Agreements — What we commit to (agreement:9) is long: shown over 3 steps" in result.stdout


def test_check_refuses_a_spanish_content_file_missing_an_item(tmp_path: Path) -> None:
    """The content in two languages: `check` names the Spanish file and the key, in one line."""
    from bot.content import default_content_text

    (tmp_path / "content.toml").write_text(default_content_text(), encoding="utf-8")
    spanish = default_content_text("es").replace(
        '  "Acordamos abordar los desacuerdos con curiosidad, humildad y disposición a aprender.",\n', "")
    (tmp_path / "content.es.toml").write_text(spanish, encoding="utf-8")
    (tmp_path / "config.toml").write_text('content_file = "content.toml"\n')
    result = run_bot("check", cwd=tmp_path)
    assert result.returncode == 2
    (line,) = result.stderr.strip().splitlines()
    assert "content.es.toml: key 'agreements.items' has 7 item(s) where the English has 8" in line

    (tmp_path / "content.es.toml").write_text(default_content_text("es"), encoding="utf-8")
    result = run_bot("check", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "content: in English, Español (community translation, for the coalition to review" in result.stdout
