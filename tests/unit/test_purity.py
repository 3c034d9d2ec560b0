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


# --- the shape of a feature (issue 15): services, no get_cog, no cog imported from inside ----------
#
# Features not yet converted are listed below, each list meant only to shrink: whoever converts a
# feature removes its entries (a stale entry fails too, so the lists cannot rot).

# Features whose code still calls `get_cog(`.
GET_COG_ALLOWED: set[str] = set()
# Modules that still import their own feature's cog.
IMPORTS_OWN_COG_ALLOWED: set[str] = set()
# Features with an import cycle among their modules (cog <-> views and the like).
CYCLES_ALLOWED: set[str] = set()

FEATURES = sorted(p.name for p in (ROOT / "cogs").iterdir() if (p / "__init__.py").exists())


def feature_modules(feature: str) -> dict[str, Path]:
    """module name -> file, for every module of one feature."""
    base = ROOT / "cogs" / feature
    out = {}
    for path in sorted(base.rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        out[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return out


def imported_modules(path: Path, known: set[str]) -> set[str]:
    """Every module `path` imports (also under TYPE_CHECKING or inside a function), with
    `from pkg import mod` resolved to `pkg.mod` when that is a known module."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{a.name}" for a in node.names if f"{node.module}.{a.name}" in known)
    return found


def service_and_logic_offenders() -> dict[str, list[str]]:
    offenders = {}
    for feature in FEATURES:
        for path in feature_modules(feature).values():
            if path.name not in ("service.py", "logic.py", "texts.py") and path.parent.name not in ("service", "logic"):
                continue
            bad = sorted(m for m in imported_modules(path, set())
                         if m == "discord" or m.startswith("discord.") or m in ("bot.client", "bot.ui")
                         or (m.startswith("cogs.") and m.endswith(".cog")))
            if bad:
                offenders[str(path.relative_to(ROOT))] = bad
    return offenders


def test_services_and_logic_import_neither_discord_nor_a_cog() -> None:
    assert service_and_logic_offenders() == {}


def get_cog_callers() -> set[str]:
    return {p.relative_to(ROOT).parts[1] for p in (ROOT / "cogs").rglob("*.py") if "get_cog(" in p.read_text()}


def test_nothing_in_cogs_calls_get_cog() -> None:
    callers = get_cog_callers()
    assert callers <= GET_COG_ALLOWED, f"use bot.services[KEY] (bot/services.py): {callers - GET_COG_ALLOWED}"
    assert callers >= GET_COG_ALLOWED, f"converted: remove from GET_COG_ALLOWED {GET_COG_ALLOWED - callers}"


def own_cog_importers() -> set[str]:
    out = set()
    for feature in FEATURES:
        modules = feature_modules(feature)
        cog = f"cogs.{feature}.cog"
        for name, path in modules.items():
            if name in (cog, f"cogs.{feature}") or name.startswith(cog + "."):
                continue  # the cog itself, and __init__'s setup(), which adds it
            if cog in imported_modules(path, set(modules)):
                out.add(str(path.relative_to(ROOT)))
    return out


def test_no_module_inside_a_feature_imports_its_cog() -> None:
    importers = own_cog_importers()
    assert importers <= IMPORTS_OWN_COG_ALLOWED, importers - IMPORTS_OWN_COG_ALLOWED
    assert importers >= IMPORTS_OWN_COG_ALLOWED, f"fixed: remove {IMPORTS_OWN_COG_ALLOWED - importers}"


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle in `graph`, as the modules along it, or None."""
    state: dict[str, int] = {}  # 1 on the path, 2 done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt):], nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def feature_cycle(feature: str) -> list[str] | None:
    modules = feature_modules(feature)
    package = f"cogs.{feature}"
    graph = {name: {m for m in imported_modules(path, set(modules)) if m in modules and m != package}
             for name, path in modules.items() if name != package}
    return find_cycle(graph)


def test_no_import_cycle_inside_a_feature() -> None:
    cycles = {f: feature_cycle(f) for f in FEATURES}
    with_cycles = {f for f, c in cycles.items() if c}
    assert with_cycles <= CYCLES_ALLOWED, {f: cycles[f] for f in with_cycles - CYCLES_ALLOWED}
    assert with_cycles >= CYCLES_ALLOWED, f"fixed: remove from CYCLES_ALLOWED {CYCLES_ALLOWED - with_cycles}"


def test_the_cycle_finder_finds_one() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set(), "c": {"a"}}) is None
