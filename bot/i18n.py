"""Each person's language: gettext catalogs (read and compiled with Babel) and the language in use now.

English is the source language: every sentence lives whole, in English, in a feature's texts module
(`cogs/<feature>/texts.py`, `bot/texts.py`), and that English text is the gettext msgid. Each other
language has one catalog per feature, `bot/locales/<lang>/<feature>.po`; `python -m bot.i18n update`
extracts the texts modules (with Babel, through `extract_texts` below) and the sentences marked `N_(...)`
in data modules (`extract_marked`, `marked_files`), and updates them.

Who reads a sentence decides its language:
- `t(...)` / `tn(...)`: the person being answered now. The interaction pipeline sets that person's
  language for the length of their interaction (their choice, else their Discord client's locale); code
  that writes to someone *else* wraps the rendering in `with speaking(their_language):`.
- `t_server(...)` / `tn_server(...)`: moderators and shared channels, always in the server's configured
  language (`[guild] language`). Never the person's language there: a Spanish line in #mod-log would
  point at the one Spanish speaker.

A contextvar (like Django's active language) rather than a parameter threaded through every service
and logic function: the language is a property of who is being answered, set in the few places where
that is known, and asyncio copies it into the tasks an interaction starts.
"""

from __future__ import annotations

import ast
import contextlib
import functools
import gettext
import io
import string
import sys
from collections.abc import Iterator, Mapping
from contextvars import ContextVar
from pathlib import Path
from typing import Any, NamedTuple

SOURCE_LANGUAGE = "en"
# Each language the bot speaks, by its code, with its name in itself (what a chooser shows).
LANGUAGES: Mapping[str, str] = {"en": "English", "es": "Español"}

LOCALES_DIR = Path(__file__).parent / "locales"
ROOT = Path(__file__).resolve().parent.parent


def N_(text: str) -> str:
    """Mark `text` for translation where it is kept, without translating it (gettext's `N_` idiom).

    For sentences that live in data rather than in a texts module (the privacy inventory, which also
    writes the English README): `python -m bot.i18n update` extracts every `N_("...")` of the modules
    in `marked_files()`, and whoever shows the sentence to a person renders it then with `t(...)`."""
    return text


class Plural(NamedTuple):
    """A sentence that depends on a number: `tn(texts.N_OPEN, count)` picks the form (gettext ngettext)."""

    one: str
    other: str


_server_language = SOURCE_LANGUAGE
_current: ContextVar[str | None] = ContextVar("coalition_language", default=None)


def configure(server_language: str) -> None:
    """Set the language for moderators and shared channels (from `[guild] language`)."""
    global _server_language
    if server_language not in LANGUAGES:
        raise ValueError(f"unknown language {server_language!r}; the bot speaks {', '.join(LANGUAGES)}")
    _server_language = server_language


def server_language() -> str:
    return _server_language


def current() -> str:
    """The language of the person being answered now (the server's when nobody in particular is)."""
    return _current.get() or _server_language


@contextlib.contextmanager
def speaking(language: str | None) -> Iterator[None]:
    """Render everything inside in `language` (None or an unknown code: the server's language)."""
    token = _current.set(language if language in LANGUAGES else None)
    try:
        yield
    finally:
        _current.reset(token)


def set_current(language: str | None) -> None:
    """Set the language for the rest of this task (the interaction pipeline: one task per interaction)."""
    _current.set(language if language in LANGUAGES else None)


def from_locale(locale: object) -> str | None:
    """The bot's language for a Discord locale ("es-419", "es-ES" → "es"; "en-US" → "en"); None if none fits."""
    code = str(getattr(locale, "value", locale) or "").lower()
    base = code.split("-", 1)[0]
    return base if base in LANGUAGES else None


# --- rendering ------------------------------------------------------------------------------


def translate(language: str, message: str) -> str:
    return _catalog(language).gettext(message)


def _fill(text: str, values: Mapping[str, Any]) -> str:
    # No values: the sentence as written (a literal brace in it stays a brace).
    return text.format(**values) if values else text


def t(message: str, /, **values: Any) -> str:
    """`message` (a texts-module sentence) in the current person's language, with `values` put in."""
    return _fill(translate(current(), message), values)


def tn(message: Plural, count: int, /, **values: Any) -> str:
    """The form of `message` for `count`, in the current person's language; `{count}` is filled in too."""
    return _fill(_catalog(current()).ngettext(message.one, message.other, count), {"count": count, **values})


def t_server(message: str, /, **values: Any) -> str:
    """`message` in the server's language: for moderators, #mod-log and shared channels."""
    return _fill(translate(_server_language, message), values)


def tn_server(message: Plural, count: int, /, **values: Any) -> str:
    text = _catalog(_server_language).ngettext(message.one, message.other, count)
    return _fill(text, {"count": count, **values})


# --- catalogs -------------------------------------------------------------------------------


def load_catalogs() -> None:
    """Read every catalog now. The bot calls this in a worker thread at start-up, so the event loop
    never waits on a file; a first `t()` in a test or the demo loads them on the spot."""
    for language in LANGUAGES:
        _catalog(language)


@functools.cache
def _catalog(language: str) -> gettext.NullTranslations:
    if language == SOURCE_LANGUAGE or language not in LANGUAGES:
        return gettext.NullTranslations()  # msgid is the English text
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po
    from babel.support import Translations

    merged: Translations | None = None
    for path in sorted((LOCALES_DIR / language).glob("*.po")):
        with path.open("rb") as po:
            catalog = read_po(po, locale=language, domain=path.stem)
        compiled = io.BytesIO()
        write_mo(compiled, catalog)  # fuzzy entries are left out: a changed English sentence isn't "translated"
        compiled.seek(0)
        translations = Translations(compiled, domain=path.stem)
        if merged is None:
            # The first catalog is the base: its header's plural rule (CLDR's three Spanish forms) is kept;
            # an empty Translations() would keep gettext's two-form default, and msgstr[2] would never be read.
            merged = translations
        else:
            merged.merge(translations)
    return merged or gettext.NullTranslations()


def missing_translations(language: str) -> dict[str, list[str]]:
    """Every extracted message without a usable translation in `language`, by domain (for the tests)."""
    from babel.messages.pofile import read_po

    gaps: dict[str, list[str]] = {}
    for domain, messages in extract_domains().items():
        path = LOCALES_DIR / language / f"{domain}.po"
        catalog = None
        if path.exists():
            with path.open("rb") as po:
                catalog = read_po(po, locale=language, domain=domain)
        for message in messages:
            entry = catalog.get(message) if catalog is not None else None
            strings = entry.string if entry is not None else ""
            texts = strings if isinstance(strings, tuple) else (strings,)
            if entry is None or entry.fuzzy or not all(texts):
                gaps.setdefault(domain, []).append(message if isinstance(message, str) else message[0])
    return gaps


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


# --- extraction (Babel) -----------------------------------------------------------------------


def extract_texts(fileobj: Any, keywords: Any, comment_tags: Any, options: Any) -> Iterator[
    tuple[int, str, str | tuple[str, str], list[str]]
]:
    """Babel extraction method for texts modules: every module-level sentence is a message.

    A constant is a `str`, a `dict` of strings, a tuple/list of strings, or `Plural(one, other)`;
    names starting with `_` are not for translation. The constant's name goes to the translator as a
    comment (babel.cfg: `[bot.i18n:extract_texts: ...]`)."""
    tree = ast.parse(fileobj.read())
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            name, value = node.targets[0].id, node.value
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value is not None:
            name, value = node.target.id, node.value
        else:
            continue
        if name.startswith("_") or name == "__all__":
            continue
        yield from _messages_in(name, value)


def _messages_in(name: str, value: ast.expr) -> Iterator[tuple[int, str, str | tuple[str, str], list[str]]]:
    if isinstance(value, ast.Constant) and isinstance(value.value, str):
        yield value.lineno, "gettext", value.value, [name]
    elif isinstance(value, ast.Call) and getattr(value.func, "id", None) == "Plural" and len(value.args) == 2:
        one, other = value.args
        if isinstance(one, ast.Constant) and isinstance(other, ast.Constant):
            yield value.lineno, "ngettext", (str(one.value), str(other.value)), [name]
    elif isinstance(value, ast.Dict):
        for key, item in zip(value.keys, value.values, strict=True):
            label = f"{name}[{key.value!r}]" if isinstance(key, ast.Constant) else name
            yield from _messages_in(label, item)
    elif isinstance(value, ast.Tuple | ast.List):
        for index, item in enumerate(value.elts):
            yield from _messages_in(f"{name}[{index}]", item)


def extract_marked(fileobj: Any, keywords: Any, comment_tags: Any, options: Any) -> Iterator[
    tuple[int, str, str, list[str]]
]:
    """Babel extraction method for modules that mark sentences in place: the string of every
    `N_("...")` call, in source order (see `N_`)."""
    calls = [node for node in ast.walk(ast.parse(fileobj.read()))
             if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "N_" and len(node.args) == 1
             and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)]
    for call in sorted(calls, key=lambda node: (node.lineno, node.col_offset)):
        yield call.lineno, "gettext", str(call.args[0].value), []  # type: ignore[attr-defined]


def texts_files() -> dict[str, list[Path]]:
    """The texts modules of each domain: `bot/texts.py` and `cogs/core` are "core", else the feature."""
    domains: dict[str, list[Path]] = {"core": [ROOT / "bot" / "texts.py"]}
    for path in sorted((ROOT / "cogs").glob("*/*texts.py")):
        domains.setdefault(path.parent.name, []).append(path)
    return domains


def marked_files() -> dict[str, list[Path]]:
    """Modules that are not texts modules but mark sentences with `N_(...)`, by domain."""
    return {"privacy": [ROOT / "cogs" / "privacy" / "inventory.py"]}


def _sources() -> dict[str, list[tuple[Path, str]]]:
    """Each domain's files, with the name of the extraction method that reads each."""
    sources = {domain: [(path, "extract_texts") for path in paths] for domain, paths in texts_files().items()}
    for domain, paths in marked_files().items():
        sources.setdefault(domain, []).extend((path, "extract_marked") for path in paths)
    return sources


def extract_domains() -> dict[str, list[str | tuple[str, str]]]:
    """Every message of every domain, in source order (a Plural is its (one, other) pair)."""
    methods = {"extract_texts": extract_texts, "extract_marked": extract_marked}
    result: dict[str, list[str | tuple[str, str]]] = {}
    for domain, paths in _sources().items():
        seen: dict[str | tuple[str, str], None] = {}
        for path, method in paths:
            with path.open("rb") as source:
                for _, _, message, _ in methods[method](source, None, None, None):
                    seen.setdefault(message, None)
        result[domain] = list(seen)
    return result


def update_catalogs(languages: list[str] | None = None) -> list[Path]:
    """Re-extract every domain and update its catalog in each language (Babel's Catalog.update:
    translations kept, changed sentences marked fuzzy, removed ones dropped)."""
    from babel.messages.catalog import Catalog
    from babel.messages.extract import extract_from_file
    from babel.messages.pofile import read_po, write_po

    written = []
    for domain, paths in _sources().items():
        template = Catalog(domain=domain, project="coalition-bot", msgid_bugs_address="", fuzzy=False)
        for path, method in paths:
            for lineno, message, comments, context in extract_from_file(
                f"bot.i18n:{method}", str(path), keywords={"gettext": None, "ngettext": (1, 2)}
            ):
                template.add(message, None, [(str(path.relative_to(ROOT)), lineno)],
                             auto_comments=comments, context=context)
        for language in languages or [code for code in LANGUAGES if code != SOURCE_LANGUAGE]:
            path = LOCALES_DIR / language / f"{domain}.po"
            if path.exists():
                with path.open("rb") as po:
                    catalog = read_po(po, locale=language, domain=domain)
            else:
                catalog = Catalog(locale=language, domain=domain, project="coalition-bot", fuzzy=False,
                                  copyright_holder="the coalition bot's contributors",
                                  last_translator="community translation, for the coalition to review")
            created = catalog.creation_date
            catalog.update(template, no_fuzzy_matching=False)
            if path.exists():
                catalog.creation_date = created  # no header churn: two branches updating a catalog don't clash
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("wb") as po:
                write_po(po, catalog, width=110, omit_header=False, sort_output=False, ignore_obsolete=True)
            written.append(path)
    return written


def main(argv: list[str]) -> int:
    if argv[:1] == ["update"]:
        for path in update_catalogs(argv[1:] or None):
            print(path.relative_to(ROOT))
        return 0
    if argv[:1] == ["check"]:
        gaps = {lang: missing_translations(lang) for lang in LANGUAGES if lang != SOURCE_LANGUAGE}
        for lang, domains in gaps.items():
            for domain, messages in domains.items():
                print(f"{lang}/{domain}.po: {len(messages)} without a translation")
        return 1 if any(gaps.values()) else 0
    print("usage: python -m bot.i18n update [LANG ...] | check")
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
