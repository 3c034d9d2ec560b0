"""The community's text as typed data, loaded from a TOML content file and its translations.

The default file (`default_content.toml`) reproduces the coalition's agreements in English;
a deployment may point `content_file` at its own. Each other language the bot speaks has its own
file beside it, named after it (`default_content.es.toml`, `content.es.toml`): the same items in the
same order, the same `version`, keys and COI categories — checked when it loads, so a translation
that misses an item stops `python -m bot check` and the start with one line naming file and key.
A language without a file reads the English. `content.localized()` is the content in the current
person's language (bot.i18n). Nothing here talks to Discord.

One file per language rather than every translation inside one file: a translator copies the
English file and translates its strings without touching (or being able to break) the English, and
a volunteer can see at a glance what each language says.
"""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, field_validator, model_validator

from bot import i18n


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Community(_Model):
    name: str
    short_name: str
    contact_email: str
    about: str
    membership_free: str
    minutes_to_complete: int = Field(default=10, ge=1)
    # One gentle, optional line in the welcome-complete message and in /about (never a condition);
    # both empty: no line at all.
    donation: str = Field(default="", max_length=300)
    donation_url: str = Field(default="", pattern=r"^(https?://\S{1,200})?$")


class ItemList(_Model):
    title: str
    subtitle: str
    description: str
    items: list[str] = Field(min_length=1)
    # How many items share one onboarding step (short items read better together).
    items_per_step: int = Field(default=1, ge=1)


class ActionSection(_Model):
    key: str
    title: str
    intro: str = ""
    items: list[str] = Field(min_length=1)
    lists_coi_categories: bool = False
    offers_coi_tagging: bool = False


class Actions(_Model):
    title: str
    subtitle: str
    description: str
    sections: list[ActionSection] = Field(min_length=1)


class Commitment(_Model):
    question: str
    core_values: list[str] = Field(min_length=1)


class CoiCategory(_Model):
    key: str = Field(pattern=r"^[a-z0-9_]{1,32}$")
    label: str
    short_label: str = ""

    @property
    def display(self) -> str:
        """A label short enough for role names and select options (<= 100 chars)."""
        return self.short_label or self.label


class Confidential(_Model):
    title: str
    reminders: list[str] = Field(min_length=1)


class Meeting(_Model):
    introductions: str
    notetaker: str


class Repair(_Model):
    resource: str


class GlossaryEntry(_Model):
    term: str
    meaning: str


class Content(_Model):
    version: str = Field(min_length=1)
    # A translation says who made it and whether it was reviewed ("community translation, for the
    # coalition to review"); `python -m bot check` shows it. Empty in the English file.
    translation: str = ""
    community: Community
    values: ItemList
    agreements: ItemList
    actions: Actions
    commitment: Commitment
    coi_categories: list[CoiCategory] = Field(min_length=1, max_length=25)
    confidential: Confidential
    meeting: Meeting
    repair: Repair
    glossary: list[GlossaryEntry] = Field(default_factory=list)
    # The same content in each other language, by language code (set by `load_content`).
    _translations: dict[str, Content] = PrivateAttr(default_factory=dict)

    def localized(self, language: str | None = None) -> Content:
        """This content in `language` (default: the current person's, bot.i18n.current()); the
        English where that language has no translation file."""
        return self._translations.get(language or i18n.current(), self)

    @property
    def languages(self) -> list[str]:
        """The languages this content is written in, English first."""
        return [i18n.SOURCE_LANGUAGE, *self._translations]

    @field_validator("coi_categories")
    @classmethod
    def _unique_coi_keys(cls, value: list[CoiCategory]) -> list[CoiCategory]:
        keys = [category.key for category in value]
        if len(set(keys)) != len(keys):
            raise ValueError("coi_categories keys must be unique")
        return value

    @model_validator(mode="after")
    def _unique_section_keys(self) -> Content:
        keys = [section.key for section in self.actions.sections]
        if len(set(keys)) != len(keys):
            raise ValueError("actions.sections keys must be unique")
        return self

    def coi_category(self, key: str) -> CoiCategory | None:
        return next((c for c in self.coi_categories if c.key == key), None)

    def glossary_lookup(self, term: str) -> GlossaryEntry | None:
        wanted = term.strip().casefold()
        return next((g for g in self.glossary if g.term.casefold() == wanted), None)


def donation_line(content: Content, template: str, with_link: str) -> str:
    """The content file's optional donation line, in the caller's words (`template` with {donation},
    `with_link` with {donation} and {url}); empty when the content file has none."""
    community = content.community
    text = " ".join(community.donation.split())
    if not text:
        return ""
    return with_link.format(donation=text, url=community.donation_url) if community.donation_url \
        else template.format(donation=text)


class ContentError(Exception):
    """The content file cannot be used; the message is one line naming file and key."""


DEFAULT_CONTENT_NAME = "default_content.toml"

# Fields whose text is each language's own (glossary: acronyms differ, "AI" is "IA" in Spanish).
_OWN_PER_LANGUAGE = frozenset({"glossary", "translation"})
# Text fields that must be the same in every language: they are identities, not words.
_SAME_TEXT = frozenset({"key", "version"})


def translation_name(name: str, language: str) -> str:
    """The file name of `name`'s translation: default_content.toml -> default_content.es.toml."""
    stem, dot, suffix = name.rpartition(".")
    return f"{stem}.{language}.{suffix}" if dot else f"{name}.{language}"


def default_content_text(language: str = i18n.SOURCE_LANGUAGE) -> str:
    name = DEFAULT_CONTENT_NAME if language == i18n.SOURCE_LANGUAGE else translation_name(DEFAULT_CONTENT_NAME,
                                                                                           language)
    return resources.files("bot").joinpath(name).read_text(encoding="utf-8")


def differences(source: Content, translation: Content) -> list[str]:
    """How `translation` differs in shape from `source`: a missing or extra item, another key,
    version, COI category or setting. Empty when they match (the words themselves may differ)."""
    found: list[str] = []

    def walk(a: Any, b: Any, where: str, name: str) -> None:
        if isinstance(a, dict):
            for field, value in a.items():
                if not (where == "" and field in _OWN_PER_LANGUAGE):
                    walk(value, b.get(field), f"{where}.{field}" if where else field, field)
        elif isinstance(a, list):
            if len(a) != len(b):
                found.append(f"key '{where}' has {len(b)} item(s) where the English has {len(a)}: each language "
                             "needs every item, in the same order")
                return
            for index, (x, y) in enumerate(zip(a, b, strict=True)):
                walk(x, y, f"{where}[{index + 1}]", name)
        elif isinstance(a, str):
            if name in _SAME_TEXT and a != b:
                found.append(f"key '{where}' is {b!r} where the English has {a!r}: it must be the same in every "
                             "language")
        elif a != b:  # numbers and switches (items_per_step, offers_coi_tagging...) shape the steps
            found.append(f"key '{where}' is {b!r} where the English has {a!r}: it must be the same in every language")

    walk(source.model_dump(), translation.model_dump(), "", "")
    return found


def parse_content(text: str, source: str) -> Content:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ContentError(f"{source}: this is not valid TOML ({exc})") from None
    try:
        return Content.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        key = ".".join(str(part) for part in first["loc"]) or "(top level)"
        raise ContentError(f"{source}: key '{key}' {first['msg']}") from None


def load_content(path: str | Path | None = None) -> Content:
    """Load the content file at `path` (the packaged default when empty/None) with the translations
    beside it; a translation that differs in shape raises ContentError naming its file and key."""
    if not path:
        content = parse_content(default_content_text(), f"(built-in) {DEFAULT_CONTENT_NAME}")
        for language in _other_languages():
            name = translation_name(DEFAULT_CONTENT_NAME, language)
            if resources.files("bot").joinpath(name).is_file():
                _add(content, language, parse_content(default_content_text(language), f"(built-in) {name}"),
                     f"(built-in) {name}")
        return content
    file = Path(path)
    content = parse_content(_read(file), str(file))
    for language in _other_languages():
        translated = file.with_name(translation_name(file.name, language))
        if translated.is_file():
            _add(content, language, parse_content(_read(translated), str(translated)), str(translated))
    return content


def _other_languages() -> list[str]:
    return [language for language in i18n.LANGUAGES if language != i18n.SOURCE_LANGUAGE]


def _read(file: Path) -> str:
    try:
        return file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ContentError(f"{file}: the content file cannot be read ({exc})") from None


def _add(content: Content, language: str, translation: Content, source: str) -> None:
    problems = differences(content, translation)
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise ContentError(f"{source}: {problems[0]}{more}")
    content._translations[language] = translation


def describe_languages(content: Content) -> str:
    """One line for `python -m bot check`: which languages the agreements are in, and who translated."""
    parts = [i18n.LANGUAGES[i18n.SOURCE_LANGUAGE]]
    for language in content.languages[1:]:
        note = content.localized(language).translation
        parts.append(f"{i18n.LANGUAGES[language]} ({note})" if note else i18n.LANGUAGES[language])
    missing = [i18n.LANGUAGES[code] for code in _other_languages() if code not in content.languages]
    line = ", ".join(parts)
    if missing:
        line += f"; no translation file for {', '.join(missing)}: those readers see the English agreements"
    return line
