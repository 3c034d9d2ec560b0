"""Discord's documented limits on what a bot sends, checked like Discord checks them.

Anything over a limit is refused with HTTP 400, code 50035 ("Invalid Form Body") and an
``errors`` tree naming the field, as Discord answers. Sources: discord/discord-api-spec
(OpenAPI) and the developer docs (Message, Embed, Components, Interactions, Application
Commands). The emulator also keeps every such refusal in ``Emulator.form_errors``, and the
``emulator`` fixture fails the test that caused one (tests/conftest.py): a bot that breaks a
limit fails its tests here instead of failing on the real Discord.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from .errors import ApiError

JSON = dict[str, Any]

CONTENT_MAX = 2000
EMBEDS_MAX = 10
EMBED_TOTAL_MAX = 6000
EMBED_TITLE_MAX = 256
EMBED_DESCRIPTION_MAX = 4096
EMBED_FIELDS_MAX = 25
EMBED_FIELD_NAME_MAX = 256
EMBED_FIELD_VALUE_MAX = 1024
EMBED_FOOTER_MAX = 2048
EMBED_AUTHOR_MAX = 256

ACTION_ROWS_MAX = 5
ROW_BUTTONS_MAX = 5
CUSTOM_ID_MAX = 100
BUTTON_LABEL_MAX = 80
SELECT_OPTIONS_MAX = 25
SELECT_OPTION_TEXT_MAX = 100
PLACEHOLDER_MAX = 150
SELECT_VALUES_MAX = 25
V2_COMPONENTS_MAX = 40
V2_TEXT_MAX = 4000
IS_COMPONENTS_V2 = 1 << 15

MODAL_TITLE_MAX = 45
MODAL_ITEMS_MAX = 5
LABEL_MAX = 45
LABEL_DESCRIPTION_MAX = 100
TEXT_INPUT_PLACEHOLDER_MAX = 100
TEXT_INPUT_VALUE_MAX = 4000

COMMAND_NAME = re.compile(r"^[-_'\w]{1,32}$")
COMMAND_DESCRIPTION_MAX = 100
COMMAND_OPTIONS_MAX = 25
COMMAND_CHOICES_MAX = 25
CHOICE_NAME_MAX = 100
CHOICE_STRING_VALUE_MAX = 100
CHAT_INPUT_COMMANDS_MAX = 100
CONTEXT_MENU_COMMANDS_MAX = 5
# GUILD_TEXT, DM, GUILD_VOICE, GROUP_DM, GUILD_CATEGORY, GUILD_ANNOUNCEMENT, the three thread types,
# GUILD_STAGE_VOICE, GUILD_DIRECTORY, GUILD_FORUM, GUILD_MEDIA.
CHANNEL_TYPES = frozenset({0, 1, 2, 3, 4, 5, 10, 11, 12, 13, 14, 15, 16})
AUTOCOMPLETE_CHOICES_MAX = 25
VOICE_STATUS_MAX = 500

# Interaction type -> the callback types Discord accepts for it.
# PING; APPLICATION_COMMAND; MESSAGE_COMPONENT; AUTOCOMPLETE; MODAL_SUBMIT.
CALLBACKS_ALLOWED: dict[int, frozenset[int]] = {
    1: frozenset({1}),
    2: frozenset({4, 5, 9, 10, 12}),
    3: frozenset({4, 5, 6, 7, 9, 10, 12}),
    4: frozenset({8}),
    5: frozenset({4, 5, 6, 7, 10}),
}


class FormErrors:
    """Collects problems as Discord's error tree: {"embeds": {"0": {"title": {"_errors": [...]}}}}."""

    def __init__(self) -> None:
        self.tree: JSON = {}
        self.lines: list[str] = []

    def add(self, path: Iterable[str | int], code: str, message: str) -> None:
        node = self.tree
        parts = [str(p) for p in path]
        for part in parts:
            node = node.setdefault(part, {})
        node.setdefault("_errors", []).append({"code": code, "message": message})
        self.lines.append(f"{'.'.join(parts) or '(body)'}: {message}")

    def max_length(self, path: list[str | int], value: Any, limit: int) -> None:
        if isinstance(value, str) and len(value) > limit:
            self.add(path, "BASE_TYPE_MAX_LENGTH", f"Must be {limit} or fewer in length (got {len(value)}).")

    def length_between(self, path: list[str | int], value: Any, low: int, high: int) -> None:
        if not isinstance(value, str) or not low <= len(value) <= high:
            got = len(value) if isinstance(value, str) else "missing"
            self.add(path, "BASE_TYPE_BAD_LENGTH", f"Must be between {low} and {high} in length (got {got}).")

    def max_items(self, path: list[str | int], items: Any, limit: int) -> None:
        if isinstance(items, list) and len(items) > limit:
            self.add(path, "BASE_TYPE_MAX_LENGTH", f"Must be {limit} or fewer in length (got {len(items)}).")

    def raise_if_any(self) -> None:
        if self.lines:
            raise InvalidFormBody(self.tree, self.lines)


class InvalidFormBody(ApiError):
    def __init__(self, tree: JSON, lines: list[str]) -> None:
        super().__init__(400, 50035, "Invalid Form Body")
        self.errors = tree
        self.lines = lines

    def __str__(self) -> str:
        return "400 50035 Invalid Form Body: " + "; ".join(self.lines)


# --- messages ------------------------------------------------------------------------------------


def check_message(body: JSON) -> None:
    """A message create/edit payload (channel message, interaction reply, follow-up or webhook edit)."""
    errors = FormErrors()
    flags = int(body.get("flags") or 0)
    errors.max_length(["content"], body.get("content"), CONTENT_MAX)
    embeds = body.get("embeds")
    if embeds is None and body.get("embed") is not None:
        embeds = [body["embed"]]
    if embeds:
        _check_embeds(errors, embeds)
    components = body.get("components")
    if components:
        if flags & IS_COMPONENTS_V2:
            if body.get("content") or body.get("embeds"):
                errors.add(["content"], "MESSAGE_CANNOT_USE_LEGACY_FIELDS_WITH_COMPONENTS_V2",
                           "The 'content' and 'embeds' fields cannot be used with components v2.")
            _check_v2(errors, components)
        else:
            _check_rows(errors, components)
    errors.raise_if_any()


def _check_embeds(errors: FormErrors, embeds: list[JSON]) -> None:
    errors.max_items(["embeds"], embeds, EMBEDS_MAX)
    total = 0
    for i, e in enumerate(embeds):
        at: list[str | int] = ["embeds", i]
        errors.max_length([*at, "title"], e.get("title"), EMBED_TITLE_MAX)
        errors.max_length([*at, "description"], e.get("description"), EMBED_DESCRIPTION_MAX)
        fields = e.get("fields") or []
        errors.max_items([*at, "fields"], fields, EMBED_FIELDS_MAX)
        for j, f in enumerate(fields):
            errors.length_between([*at, "fields", j, "name"], f.get("name"), 1, EMBED_FIELD_NAME_MAX)
            errors.length_between([*at, "fields", j, "value"], f.get("value"), 1, EMBED_FIELD_VALUE_MAX)
            total += len(str(f.get("name") or "")) + len(str(f.get("value") or ""))
        footer = (e.get("footer") or {}).get("text")
        author = (e.get("author") or {}).get("name")
        errors.max_length([*at, "footer", "text"], footer, EMBED_FOOTER_MAX)
        errors.max_length([*at, "author", "name"], author, EMBED_AUTHOR_MAX)
        total += sum(len(str(x or "")) for x in (e.get("title"), e.get("description"), footer, author))
    if total > EMBED_TOTAL_MAX:
        errors.add(["embeds"], "MAX_EMBED_SIZE_EXCEEDED",
                   f"Embed size exceeds maximum size of {EMBED_TOTAL_MAX} (got {total}).")


def _check_rows(errors: FormErrors, rows: list[JSON]) -> None:
    errors.max_items(["components"], rows, ACTION_ROWS_MAX)
    seen: set[str] = set()
    for i, row in enumerate(rows):
        at: list[str | int] = ["components", i]
        if row.get("type") != 1:
            errors.add([*at, "type"], "COMPONENT_LAYOUT_INVALID",
                       "Top-level components must be action rows (or send the components-v2 flag).")
            continue
        _check_row(errors, at, row, seen)


def _check_row(errors: FormErrors, at: list[str | int], row: JSON, seen: set[str]) -> None:
    kids = row.get("components") or []
    if not kids:
        errors.add([*at, "components"], "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 5 in length.")
    selects = [k for k in kids if k.get("type") in (3, 5, 6, 7, 8)]
    if selects and len(kids) > 1:
        errors.add([*at, "components"], "COMPONENT_LAYOUT_WIDTH_EXCEEDED",
                   "A select menu takes a whole action row.")
    errors.max_items([*at, "components"], kids, ROW_BUTTONS_MAX)
    for j, kid in enumerate(kids):
        _check_interactive(errors, [*at, "components", j], kid, seen)


def _check_interactive(errors: FormErrors, at: list[str | int], c: JSON, seen: set[str]) -> None:
    ctype = c.get("type")
    cid = c.get("custom_id")
    if cid is not None:
        errors.length_between([*at, "custom_id"], cid, 1, CUSTOM_ID_MAX)
        if cid in seen:
            errors.add([*at, "custom_id"], "COMPONENT_CUSTOM_ID_DUPLICATED",
                       "Component custom id cannot be duplicated.")
        seen.add(cid)
    if ctype == 2:
        errors.max_length([*at, "label"], c.get("label"), BUTTON_LABEL_MAX)
        if c.get("style") == 5:
            if not c.get("url") or cid is not None:
                errors.add([*at, "url"], "BUTTON_COMPONENT_INVALID", "A link button needs a url and no custom_id.")
        elif c.get("style") != 6 and cid is None:
            errors.add([*at, "custom_id"], "BASE_TYPE_REQUIRED", "This field is required.")
        if not c.get("label") and not c.get("emoji") and c.get("style") != 6:
            errors.add([*at, "label"], "BUTTON_COMPONENT_INVALID", "A button needs a label or an emoji.")
    elif ctype in (3, 5, 6, 7, 8):
        if cid is None:
            errors.add([*at, "custom_id"], "BASE_TYPE_REQUIRED", "This field is required.")
        errors.max_length([*at, "placeholder"], c.get("placeholder"), PLACEHOLDER_MAX)
        low, high = c.get("min_values", 1), c.get("max_values", 1)
        if not 0 <= int(low) <= SELECT_VALUES_MAX:
            errors.add([*at, "min_values"], "NUMBER_TYPE_MAX", f"min_values must be 0 to {SELECT_VALUES_MAX}.")
        if not 1 <= int(high) <= SELECT_VALUES_MAX:
            errors.add([*at, "max_values"], "NUMBER_TYPE_MAX", f"max_values must be 1 to {SELECT_VALUES_MAX}.")
        if int(low) > int(high):
            errors.add([*at, "min_values"], "SELECT_COMPONENT_MIN_MAX", "min_values must not exceed max_values.")
        if ctype == 3:
            options = c.get("options") or []
            if not options:
                errors.add([*at, "options"], "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 25 in length.")
            errors.max_items([*at, "options"], options, SELECT_OPTIONS_MAX)
            if int(high) > len(options):
                errors.add([*at, "max_values"], "SELECT_COMPONENT_MAX_VALUES",
                           "max_values must not exceed the number of options.")
            for k, o in enumerate(options):
                errors.length_between([*at, "options", k, "label"], o.get("label"), 1, SELECT_OPTION_TEXT_MAX)
                errors.length_between([*at, "options", k, "value"], o.get("value"), 1, SELECT_OPTION_TEXT_MAX)
                errors.max_length([*at, "options", k, "description"], o.get("description"), SELECT_OPTION_TEXT_MAX)
    elif ctype == 4:
        errors.add([*at, "type"], "COMPONENT_TYPE_INVALID", "Text inputs can only be used in modals.")


def _check_v2(errors: FormErrors, components: list[JSON]) -> None:
    """Components v2 (LayoutView): at most 40 components in all, 4,000 characters of text in all."""
    count = 0
    text = 0
    seen: set[str] = set()

    def walk(items: list[JSON], at: list[str | int]) -> None:
        nonlocal count, text
        for i, c in enumerate(items):
            here = [*at, i]
            count += 1
            ctype = c.get("type")
            if ctype == 1:
                count += len(c.get("components") or [])
                _check_row(errors, here, c, seen)
            elif ctype == 10:
                text += len(str(c.get("content") or ""))
            elif ctype == 9:
                walk(c.get("components") or [], [*here, "components"])
                accessory = c.get("accessory")
                if accessory:
                    count += 1
                    if accessory.get("type") == 2:
                        _check_interactive(errors, [*here, "accessory"], accessory, seen)
            elif ctype == 17:
                walk(c.get("components") or [], [*here, "components"])
            elif ctype in (2, 3, 4, 5, 6, 7, 8, 18):
                errors.add([*here, "type"], "COMPONENT_LAYOUT_INVALID",
                           "This component must sit in an action row (or is for modals only).")

    walk(components, ["components"])
    if count > V2_COMPONENTS_MAX:
        errors.add(["components"], "COMPONENT_MAX_TOTAL_COMPONENTS_EXCEEDED",
                   f"A message holds at most {V2_COMPONENTS_MAX} components (got {count}).")
    if text > V2_TEXT_MAX:
        errors.add(["components"], "COMPONENT_MAX_TEXT_LENGTH_EXCEEDED",
                   f"Text displays hold at most {V2_TEXT_MAX} characters in all (got {text}).")


# --- modals --------------------------------------------------------------------------------------


def check_modal(data: JSON) -> None:
    errors = FormErrors()
    errors.length_between(["data", "title"], data.get("title"), 1, MODAL_TITLE_MAX)
    errors.length_between(["data", "custom_id"], data.get("custom_id"), 1, CUSTOM_ID_MAX)
    items = data.get("components") or []
    if not 1 <= len(items) <= MODAL_ITEMS_MAX:
        errors.add(["data", "components"], "BASE_TYPE_BAD_LENGTH",
                   f"Must be between 1 and {MODAL_ITEMS_MAX} in length (got {len(items)}).")
    for i, item in enumerate(items):
        at: list[str | int] = ["data", "components", i]
        itype = item.get("type")
        if itype == 1:
            kids = item.get("components") or []
            if len(kids) != 1 or kids[0].get("type") != 4:
                errors.add([*at, "components"], "COMPONENT_LAYOUT_INVALID",
                           "An action row in a modal holds exactly one text input.")
            for j, kid in enumerate(kids):
                _check_modal_field(errors, [*at, "components", j], kid, in_label=False)
        elif itype == 18:
            errors.length_between([*at, "label"], item.get("label"), 1, LABEL_MAX)
            errors.max_length([*at, "description"], item.get("description"), LABEL_DESCRIPTION_MAX)
            _check_modal_field(errors, [*at, "component"], item.get("component") or {}, in_label=True)
        elif itype != 10:
            errors.add([*at, "type"], "COMPONENT_LAYOUT_INVALID",
                       "A modal holds labels, text displays or (legacy) action rows with one text input.")
    errors.raise_if_any()


def _check_modal_field(errors: FormErrors, at: list[str | int], c: JSON, in_label: bool) -> None:
    if "disabled" in c:
        errors.add([*at, "disabled"], "COMPONENT_DISABLED_INVALID", "Modals do not support disabled components.")
    ctype = c.get("type")
    if ctype not in (3, 5, 6, 7, 8):  # a select's custom_id is checked with the select
        errors.length_between([*at, "custom_id"], c.get("custom_id"), 1, CUSTOM_ID_MAX)
    if ctype == 4:
        if in_label:
            if "label" in c:
                errors.add([*at, "label"], "COMPONENT_LAYOUT_INVALID", "A text input inside a label has no label.")
        else:
            errors.length_between([*at, "label"], c.get("label"), 1, LABEL_MAX)
        errors.max_length([*at, "placeholder"], c.get("placeholder"), TEXT_INPUT_PLACEHOLDER_MAX)
        errors.max_length([*at, "value"], c.get("value"), TEXT_INPUT_VALUE_MAX)
        for key, low in (("min_length", 0), ("max_length", 1)):
            if key in c and not low <= int(c[key]) <= TEXT_INPUT_VALUE_MAX:
                errors.add([*at, key], "NUMBER_TYPE_MAX", f"{key} must be {low} to {TEXT_INPUT_VALUE_MAX}.")
    elif ctype in (3, 5, 6, 7, 8) and in_label:
        _check_interactive(errors, at, c, set())
        if c.get("required", True) and int(c.get("min_values", 1)) < 1:
            errors.add([*at, "min_values"], "SELECT_COMPONENT_REQUIRED_MIN_VALUES",
                       "A required select needs min_values of at least 1.")
    else:
        errors.add([*at, "type"], "COMPONENT_TYPE_INVALID", "This component cannot be used here in a modal.")


# --- interaction callbacks -----------------------------------------------------------------------


def check_callback(interaction_type: int, has_source_message: bool, body: JSON) -> None:
    errors = FormErrors()
    ctype = int(body.get("type") or 0)
    allowed = CALLBACKS_ALLOWED.get(interaction_type, frozenset())
    if ctype not in allowed or (ctype == 7 and not has_source_message):
        errors.add(["type"], "INTERACTION_RESPONSE_TYPE_INVALID",
                   f"Callback type {ctype} is not allowed for interaction type {interaction_type}.")
        errors.raise_if_any()
    data = body.get("data") or {}
    if ctype in (4, 7):
        check_message(data)
    elif ctype == 9:
        check_modal(data)
    elif ctype == 8:
        choices = data.get("choices") or []
        errors.max_items(["data", "choices"], choices, AUTOCOMPLETE_CHOICES_MAX)
        for i, ch in enumerate(choices):
            errors.length_between(["data", "choices", i, "name"], ch.get("name"), 1, CHOICE_NAME_MAX)
            if isinstance(ch.get("value"), str):
                errors.max_length(["data", "choices", i, "value"], ch["value"], CHOICE_STRING_VALUE_MAX)
    errors.raise_if_any()


# --- application commands ------------------------------------------------------------------------


def check_commands(commands: list[JSON]) -> None:
    """A bulk overwrite (PUT) of an application's global or guild commands."""
    errors = FormErrors()
    by_type: dict[int, int] = {}
    names: set[tuple[int, str]] = set()
    for i, cmd in enumerate(commands):
        ctype = int(cmd.get("type") or 1)
        by_type[ctype] = by_type.get(ctype, 0) + 1
        if (ctype, str(cmd.get("name"))) in names:
            errors.add([i, "name"], "APPLICATION_COMMAND_NAME_ALREADY_EXISTS",
                       "Application command names must be unique.")
        names.add((ctype, str(cmd.get("name"))))
        _check_command(errors, [i], cmd)
    if by_type.get(1, 0) > CHAT_INPUT_COMMANDS_MAX:
        errors.add([], "APPLICATION_COMMANDS_MAX", f"At most {CHAT_INPUT_COMMANDS_MAX} slash commands.")
    if by_type.get(2, 0) > CONTEXT_MENU_COMMANDS_MAX or by_type.get(3, 0) > CONTEXT_MENU_COMMANDS_MAX:
        errors.add([], "APPLICATION_COMMANDS_MAX", f"At most {CONTEXT_MENU_COMMANDS_MAX} context menu commands each.")
    errors.raise_if_any()


def check_command(cmd: JSON) -> None:
    errors = FormErrors()
    _check_command(errors, [], cmd)
    errors.raise_if_any()


def _check_name(errors: FormErrors, at: list[str | int], name: Any, slash: bool, key: str | None = "name") -> None:
    where = [*at, key] if key else at
    if not isinstance(name, str) or not 1 <= len(name) <= 32:
        errors.add(where, "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 32 in length.")
    elif slash and (not COMMAND_NAME.match(name) or name != name.lower()):
        errors.add(where, "APPLICATION_COMMAND_INVALID_NAME",
                   f"Command name is invalid: {name!r} (lowercase letters, digits, - _ ' only).")


# The locales Discord accepts as keys of name_localizations / description_localizations.
LOCALES = frozenset({"id", "da", "de", "en-GB", "en-US", "es-ES", "es-419", "fr", "hr", "it", "lt", "hu", "nl", "no",
                     "pl", "pt-BR", "ro", "fi", "sv-SE", "vi", "tr", "cs", "el", "bg", "ru", "uk", "hi", "th",
                     "zh-CN", "ja", "zh-TW", "ko"})


def _check_localizations(errors: FormErrors, at: list[str | int], item: JSON, slash: bool, *,
                         name_max: int | None = None) -> None:
    """As Discord: known locale keys; each localized name valid like the name itself (or, for a choice,
    1..100 characters); each localized description 1..100 characters."""
    for field in ("name_localizations", "description_localizations"):
        values = item.get(field)
        if values is None:
            continue
        if not isinstance(values, dict):
            errors.add([*at, field], "DICT_TYPE_CONVERT", "Only dictionaries may be used in a DictType.")
            continue
        for locale, text in values.items():
            here = [*at, field, locale]
            if locale not in LOCALES:
                errors.add(here, "LOCALE_INVALID", f"Invalid locale {locale!r}.")
            elif field == "description_localizations":
                errors.length_between(here, text, 1, COMMAND_DESCRIPTION_MAX)
            elif name_max is not None:
                errors.length_between(here, text, 1, name_max)
            else:
                _check_name(errors, here, text, slash, key=None)


def _check_command(errors: FormErrors, at: list[str | int], cmd: JSON) -> None:
    ctype = int(cmd.get("type") or 1)
    _check_name(errors, at, cmd.get("name"), ctype == 1)
    _check_localizations(errors, at, cmd, ctype == 1)
    if ctype == 1:
        errors.length_between([*at, "description"], cmd.get("description"), 1, COMMAND_DESCRIPTION_MAX)
        _check_options(errors, [*at, "options"], cmd.get("options") or [], depth=0)
    elif cmd.get("description") or cmd.get("options"):
        errors.add([*at, "description"], "APPLICATION_COMMAND_CONTEXT_MENU_INVALID",
                   "Context menu commands take no description and no options.")


def _check_options(errors: FormErrors, at: list[str | int], options: list[JSON], depth: int) -> None:
    errors.max_items(at, options, COMMAND_OPTIONS_MAX)
    seen: set[str] = set()
    optional_seen = False
    for i, opt in enumerate(options):
        here = [*at, i]
        otype = int(opt.get("type") or 0)
        _check_name(errors, here, opt.get("name"), True)
        _check_localizations(errors, here, opt, True)
        errors.length_between([*here, "description"], opt.get("description"), 1, COMMAND_DESCRIPTION_MAX)
        if opt.get("name") in seen:
            errors.add([*here, "name"], "APPLICATION_COMMAND_OPTION_NAME_ALREADY_EXISTS",
                       "Option names must be unique.")
        seen.add(str(opt.get("name")))
        if otype in (1, 2):
            if (otype == 2 and depth > 0) or (otype == 1 and depth > 1):
                errors.add([*here, "type"], "APPLICATION_COMMAND_OPTIONS_TYPE_INVALID",
                           "Subcommands nest at most two levels (a group, then subcommands).")
            _check_options(errors, [*here, "options"], opt.get("options") or [], depth + 1)
            continue
        if opt.get("required"):
            if optional_seen:
                errors.add([*here, "required"], "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID",
                           "Required options must be placed before non-required options.")
        else:
            optional_seen = True
        choices = opt.get("choices") or []
        errors.max_items([*here, "choices"], choices, COMMAND_CHOICES_MAX)
        for j, ch in enumerate(choices):
            errors.length_between([*here, "choices", j, "name"], ch.get("name"), 1, CHOICE_NAME_MAX)
            _check_localizations(errors, [*here, "choices", j], ch, True, name_max=CHOICE_NAME_MAX)
            if isinstance(ch.get("value"), str):
                errors.max_length([*here, "choices", j, "value"], ch["value"], CHOICE_STRING_VALUE_MAX)
        types = opt.get("channel_types")
        if types is not None:
            if otype != 7:
                errors.add([*here, "channel_types"], "APPLICATION_COMMAND_OPTION_INVALID",
                           "channel_types is only for channel options.")
            for j, t in enumerate(types):
                if t not in CHANNEL_TYPES:
                    errors.add([*here, "channel_types", j], "ENUM_TYPE_COERCE", f"Value {t!r} is not a channel type.")
