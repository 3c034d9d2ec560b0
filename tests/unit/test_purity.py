"""Feature logic modules import neither discord nor sqlalchemy (reusable, testable)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FORBIDDEN = ("discord", "sqlalchemy", "aiosqlite", "asyncpg", "db", "bot.client", "bot.ui")


def logic_modules() -> list[Path]:
    return sorted(ROOT.glob("cogs/*/logic.py")) + sorted(ROOT.glob("cogs/*/logic/*.py"))


def imported_names(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def forbidden_imports(path: Path) -> list[str]:
    return sorted(
        name for name in imported_names(path) if any(name == f or name.startswith(f + ".") for f in FORBIDDEN)
    )


def test_logic_modules_exist() -> None:
    assert logic_modules(), "every feature keeps its rules in cogs/<feature>/logic.py"


def test_logic_modules_are_pure() -> None:
    offenders = {str(p.relative_to(ROOT)): forbidden_imports(p) for p in logic_modules()}
    offenders = {path: names for path, names in offenders.items() if names}
    assert offenders == {}, f"logic modules must not import discord/sqlalchemy/db: {offenders}"


def test_checker_catches_a_violation(tmp_path: Path) -> None:
    bad = tmp_path / "logic.py"
    bad.write_text("import discord\nfrom sqlalchemy.orm import Session\nfrom typing import Any\n")
    assert forbidden_imports(bad) == ["discord", "sqlalchemy.orm"]
