"""The community's text as typed data, loaded from a TOML content file.

The default file (`default_content.toml`) reproduces the coalition's agreements;
a deployment may point `content_file` at its own. Nothing here talks to Discord.
"""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator


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


def default_content_text() -> str:
    return resources.files("bot").joinpath(DEFAULT_CONTENT_NAME).read_text(encoding="utf-8")


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
    """Load the content file at `path`, or the packaged default when empty/None."""
    if not path:
        return parse_content(default_content_text(), f"(built-in) {DEFAULT_CONTENT_NAME}")
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ContentError(f"{file}: the content file cannot be read ({exc})") from None
    return parse_content(text, str(file))
