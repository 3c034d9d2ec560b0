"""`python -m bot` as a deployer meets it: clear one-line errors, exit code 2."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

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
    assert "reachable" in result.stdout


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
