"""`python -m bot` refuses sharded configs that would silently lose servers or data, in one line."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.unit.test_cli import run_bot

TOKEN = {"DISCORD_TOKEN": "x" * 30}
KEY = "Zm9vYmFyZm9vYmFyZm9vYmFyZm9vYmFyZm9vYmFyMDA="  # a valid Fernet key (32 bytes, base64)


def _config(tmp_path: Path, discord: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(f"[discord]\n{discord}\n")
    return path


@pytest.mark.parametrize("discord", [
    "shard_count = 2\nshard_ids = [0, 1]",  # used to run shard 0 only: shard 1's servers never served
    "shard_count = 2\nshard_ids = [2]",
    "shard_count = 2",
    "shard_ids = [0]",
])
def test_a_config_that_does_not_name_one_shard_exits_2_with_one_line(tmp_path: Path, discord: str) -> None:
    result = run_bot("--config", str(_config(tmp_path, discord)), cwd=tmp_path,
                     env={**TOKEN, "BOT_DATA_KEY": KEY})
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "shard" in lines[0] and "config.toml" in lines[0], result.stderr
    assert "Traceback" not in result.stderr


def test_several_shards_without_a_shared_data_key_exit_2_with_one_line(tmp_path: Path) -> None:
    result = run_bot("--config", str(_config(tmp_path, "shard_count = 2\nshard_ids = [1]")), cwd=tmp_path,
                     env=TOKEN)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "BOT_DATA_KEY" in lines[0] and "same key" in lines[0], result.stderr
    assert not (tmp_path / "data" / "bot-data.key").exists(), "no per-process key file was created"
