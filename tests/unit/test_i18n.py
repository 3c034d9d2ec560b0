"""The catalogs (issue 16): every sentence has its Spanish, with the same placeholders; the language in
use follows who is being answered; plural forms come from the catalog."""

from __future__ import annotations

import io

import pytest

from bot import i18n
from bot.i18n import Plural, from_locale, placeholders, speaking, t, t_server, tn

# Domains whose Spanish is still being written. Only ever shrinks; empty when issue 16 is done.
NOT_YET_TRANSLATED: set[str] = set()


def _read(language: str, domain: str):  # type: ignore[no-untyped-def]
    from babel.messages.pofile import read_po

    with (i18n.LOCALES_DIR / language / f"{domain}.po").open("rb") as po:
        return read_po(po, locale=language, domain=domain)


def test_every_sentence_has_its_spanish() -> None:
    gaps = i18n.missing_translations("es")
    unfinished = {domain: len(messages) for domain, messages in gaps.items() if domain not in NOT_YET_TRANSLATED}
    assert not unfinished, f"sentences without Spanish (run `python -m bot.i18n update`, then translate): {unfinished}"


def test_the_not_yet_translated_list_only_shrinks() -> None:
    done = sorted(domain for domain in NOT_YET_TRANSLATED if domain not in i18n.missing_translations("es"))
    assert not done, f"{done} are fully translated now: take them off NOT_YET_TRANSLATED"


def test_every_domain_has_a_catalog() -> None:
    for domain in i18n.texts_files():
        assert (i18n.LOCALES_DIR / "es" / f"{domain}.po").exists(), f"no es/{domain}.po: run python -m bot.i18n update"


@pytest.mark.parametrize("domain", sorted(i18n.texts_files()))
def test_translations_keep_every_placeholder(domain: str) -> None:
    for message in _read("es", domain):
        if not message.id or not message.string or message.fuzzy:
            continue
        sources = message.id if isinstance(message.id, tuple) else (message.id,)
        wanted = set().union(*(placeholders(text) for text in sources))
        for text in message.string if isinstance(message.string, tuple) else (message.string,):
            if not text:
                continue
            # A plural's "one" form may say "1" in words instead of {count}; nothing else may go missing.
            missing = wanted - placeholders(text) - ({"count"} if isinstance(message.id, tuple) else set())
            assert not missing, f"es/{domain}.po drops {missing} in: {text!r}"
            assert placeholders(text) <= wanted, f"es/{domain}.po invents {placeholders(text) - wanted}: {text!r}"


def test_extraction_finds_every_kind_of_sentence() -> None:
    source = io.BytesIO(
        b'from bot.i18n import Plural\n'
        b'HELLO = "Hello, {name}."\n'
        b'LONG = ("one "\n    "sentence")\n'
        b'LABELS: dict[str, str] = {"a": "Alpha", "b": "Beta"}\n'
        b'CHOICES = ("Yes", "No")\n'
        b'OPEN = Plural("{count} open case", "{count} open cases")\n'
        b'_PATTERN = "not for translation"\n'
        b'LIMIT = 5\n'
    )
    found = [(name, message) for _, name, message, _ in i18n.extract_texts(source, None, None, None)]
    assert found == [
        ("gettext", "Hello, {name}."), ("gettext", "one sentence"), ("gettext", "Alpha"), ("gettext", "Beta"),
        ("gettext", "Yes"), ("gettext", "No"), ("ngettext", ("{count} open case", "{count} open cases")),
    ]


@pytest.mark.parametrize(("locale", "language"), [
    ("es-419", "es"), ("es-ES", "es"), ("en-US", "en"), ("en-GB", "en"), ("fr", None), (None, None), ("", None),
])
def test_a_discord_locale_picks_a_language(locale: str | None, language: str | None) -> None:
    assert from_locale(locale) == language


def test_the_current_language_follows_who_is_answered() -> None:
    assert i18n.current() == i18n.server_language() == "en"
    with speaking("es"):
        assert i18n.current() == "es"
        with speaking("xx"):  # unknown: the server's
            assert i18n.current() == "en"
        assert i18n.current() == "es"
    assert i18n.current() == "en"


def test_english_is_the_source_and_formats_values() -> None:
    assert t("Hello, {name}.", name="Ana") == "Hello, Ana."
    assert t("A {brace} stays when nothing is put in") == "A {brace} stays when nothing is put in"
    assert tn(Plural("{count} open case", "{count} open cases"), 1) == "1 open case"
    assert tn(Plural("{count} open case", "{count} open cases"), 3) == "3 open cases"


def test_spanish_comes_from_the_catalog_and_moderators_keep_the_servers_language() -> None:
    catalog = _read("es", "core")
    translated = next((m for m in catalog if m.id and isinstance(m.id, str) and m.string and not m.fuzzy), None)
    if translated is None:
        pytest.skip("core has no Spanish yet")
    with speaking("es"):
        assert t(translated.id) == translated.string
        assert t_server(translated.id) == translated.id  # the server speaks English here
    assert t(translated.id) == translated.id


def test_unknown_server_language_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown language"):
        i18n.configure("xx")


def test_extraction_finds_sentences_marked_in_place() -> None:
    """Data modules (the privacy inventory) mark their sentences with N_: only those are extracted, in
    source order; identifiers beside them are not, and N_ itself changes nothing."""
    source = io.BytesIO(
        b'from bot.i18n import N_\n'
        b'GUILD = ("guild_id", N_("which server"))\n'
        b'ROWS = (Doc("onboarding_progress", N_("Onboarding "\n    "progress")), N_("when"))\n'
        b'MARKER = "<!-- not for translation -->"\n'
    )
    found = [message for _, _, message, _ in i18n.extract_marked(source, None, None, None)]
    assert found == ["which server", "Onboarding progress", "when"]
    assert i18n.N_("when") == "when"


def test_the_privacy_inventory_is_extracted_into_the_privacy_domain() -> None:
    from cogs.privacy.inventory import INTRO, INVENTORY

    messages = set(i18n.extract_domains()["privacy"])
    for table in INVENTORY:
        assert {table.title, table.why, table.deleted} <= messages, table.name
        assert {text for _name, text in table.columns} <= messages, table.name
        assert table.name not in messages and not {name for name, _text in table.columns} & messages
    assert INTRO in messages


def test_spanish_plurals_use_the_catalogs_three_forms() -> None:
    """Babel's CLDR rule for Spanish: one, many (millions), other. Merging the feature catalogs must
    keep it: with gettext's two-form default, 5 would read the "many" form."""
    catalog = i18n._catalog("es")  # the merged catalog itself: what every t()/tn() reads
    assert catalog.plural(1) == 0 and catalog.plural(1_000_000) == 1 and catalog.plural(5) == 2  # type: ignore[attr-defined]
