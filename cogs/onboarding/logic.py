"""Onboarding rules: the steps, the clear-yes rule, custom_ids, reaffirmation and stats.

Pure: no discord, no sqlalchemy, no database. Everything here is unit-tested without mocks.
"""

from __future__ import annotations

import hashlib
import math
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Literal

from bot import i18n
from bot.content import Content, GlossaryEntry, ItemList, differences
from bot.i18n import speaking, t, t_server
from bot.plaintext import MESSAGE_LIMIT, clip, pack_pages
from cogs.onboarding import texts
from cogs.onboarding.texts import QUESTION_TOO_SOON, QUESTIONS_WAITING, WELCOME_NOTE_HEAD

StepKind = Literal["intro", "value", "agreement", "action", "commitment"]

# Progress statuses (stored in onboarding_progress.status).
IN_PROGRESS = "in_progress"
DECLINED = "declined"
COMPLETED = "completed"

# Surfaces: where the flow's messages live.
SURFACE_DM = "dm"
SURFACE_EPHEMERAL = "ephemeral"
# The first message is not delivered yet (a crash here means: deliver it after restart).
SURFACE_PENDING = "pending"

# The select option meaning "no conflicts of interest".
NONE_APPLY = "none"

# Mod-log welcome notes are batched: at most one post per guild per this many seconds.
MODLOG_BATCH_SECONDS = 10.0

QUESTION_MAX_CHARS = 1500
ANSWER_MAX_CHARS = 1500



# --- steps ------------------------------------------------------------------------------

# A step's own text (body plus the acronyms it explains) stays under this many characters, so
# that with the progress line, the heading, a note, the reaffirmation notice and the COI pick it
# still fits one Discord message (2,000). A longer item is split across steps, never cut.
STEP_TEXT_MAX = 1500
STEP_BODY_MAX = 1200  # the rest of STEP_TEXT_MAX is for the acronyms a part explains


@dataclass(frozen=True)
class Step:
    """One screen of the flow. `key` is stable across content edits (used for reaffirmation);
    a later part of an item too long for one step has `continued` set and its own key."""

    key: str
    kind: StepKind
    heading: str
    body: str
    offers_coi: bool = False
    continued: bool = False
    # Acronyms first used in this step, explained from the content's glossary. Not part of the
    # meaning: editing an earlier step can move an explanation without changing what this step says.
    explains: str = ""
    # What this step's item means, the same in every language and every part of it (`meaning_of`).
    meaning: str = ""

    @property
    def unit(self) -> str:
        """The item this step shows (a part of a long item has the item's key)."""
        return re.sub(r":part\d+$", "", self.key)


def meaning_of(heading: str, body: str) -> str:
    """An item's meaning, for reaffirmation: a fingerprint of its ENGLISH wording (the coalition's
    source text), whole, before it is split into steps. A translation renders the meaning, so a fixed
    typo in the Spanish asks nobody to confirm again, while a changed English item asks everyone, each
    in their own language. For an item shown in one step this is the fingerprint stored before there
    were languages, so members' earlier confirmations still count."""
    return hashlib.sha256(f"{heading}\n{body}".encode()).hexdigest()[:16]


def _bullets(items: Iterable[str]) -> str:
    return "\n".join(f"• {item.strip()}" for item in items)


def intro_step(content: Content) -> Step:
    c = content.community
    body = t(texts.INTRO, name=c.name, short_name=c.short_name, about=c.about,
             membership_free=c.membership_free, minutes=c.minutes_to_complete)
    return Step("intro", "intro", t(texts.INTRO_HEADING), body)


def _list_steps(kind: StepKind, items: ItemList) -> list[Step]:
    """A list's items, `items_per_step` to a step; its description opens the first step only."""
    steps = []
    size = items.items_per_step
    for start in range(0, len(items.items), size):
        group = items.items[start:start + size]
        text = group[0].strip() if len(group) == 1 else _bullets(group)
        body = f"*{items.description}*\n\n{text}" if start == 0 else text
        steps.append(Step(f"{kind}:{start + 1}", kind, f"{items.title} — {items.subtitle}", body))
    return steps


def build_steps(content: Content, *, include_intro: bool = True, language: str | None = None) -> list[Step]:
    """Every step of the full flow in `language` (default: the current person's), in the order of the
    agreements: long items split into parts, acronyms explained where they first appear."""
    return build_languages(content, include_intro=include_intro)[language or i18n.current()]


def build_languages(content: Content, *, include_intro: bool = True) -> dict[str, list[Step]]:
    """The steps in each language the bot speaks (the English agreements where a language has no
    translation file); each step's `meaning` comes from the English.

    Every language has the same steps: an item needing more parts in one language (Spanish runs
    longer) is split into as many parts in all of them. So "Step 7 of 20" is the same place for
    everyone, a person who changes language on the way stays where they were, and the commitment
    question is the last step in every language."""
    units = {language: _units(_localized(content, language), language, include_intro) for language in i18n.LANGUAGES}
    steps: dict[str, list[Step]] = {language: [] for language in units}
    for index, (source, source_tail) in enumerate(units[i18n.SOURCE_LANGUAGE]):
        meaning = meaning_of(source.heading, f"{source.body}\n\n{source_tail}" if source_tail else source.body)
        wanted = max(len(split_text(unit.body, _limit(tail))) for unit, tail in (u[index] for u in units.values()))
        for language, found in units.items():
            unit, tail = found[index]
            pieces = _split_into(unit.body, _limit(tail), wanted)
            if tail:  # the COI prompt stays with the end of the list, above the select
                pieces[-1] = f"{pieces[-1]}\n\n{tail}"
            steps[language] += [replace(unit, key=unit.key if i == 0 else f"{unit.key}:part{i + 1}", body=piece,
                                        continued=i > 0, offers_coi=unit.offers_coi and i == len(pieces) - 1,
                                        meaning=meaning)
                                for i, piece in enumerate(pieces)]
    return {language: explain_acronyms(found, _localized(content, language).glossary)
            for language, found in steps.items()}


def _localized(content: Content, language: str) -> Content:
    """The content in `language`; the English where its translation has not the same shape (a
    content changed in code, as tests do: a file is checked when it loads)."""
    localized = content.localized(language)
    return localized if localized is content or not differences(content, localized) else content


def _limit(tail: str) -> int:
    return STEP_BODY_MAX - len(tail) - 2 if tail else STEP_BODY_MAX


def _split_into(text: str, limit: int, parts: int) -> list[str]:
    """`text` cut at natural breaks into `parts` pieces if it can be: a language whose text fits in
    fewer parts is cut a little shorter, so that every language has the same steps."""
    pieces = split_text(text, limit)
    floor = max(1, -(-len(text) // parts))
    while len(pieces) < parts and limit > floor:
        limit = max(floor, limit - max(10, limit // 20))
        pieces = split_text(text, limit)
    return pieces


def _units(content: Content, language: str, include_intro: bool) -> list[tuple[Step, str]]:
    """Each item of the flow as one whole step in `language` (not split yet), with the text that
    must stay at its end (the COI prompt)."""
    with speaking(language):
        units: list[tuple[Step, str]] = [(intro_step(content), "")] if include_intro else []
        units += [(step, "") for step in _list_steps("value", content.values)]
        units += [(step, "") for step in _list_steps("agreement", content.agreements)]
        actions = content.actions
        for number, section in enumerate(actions.sections):
            parts = [f"*{actions.description}*"] if number == 0 else []
            if section.intro:
                parts.append(section.intro)
            parts.append(_bullets(section.items))
            if section.lists_coi_categories:
                parts.append(_bullets(c.label for c in content.coi_categories))
            heading = f"{actions.title} — {actions.subtitle}: {section.title}"
            step = Step(f"action:{section.key}", "action", heading, "\n\n".join(parts),
                        offers_coi=section.offers_coi_tagging)
            units.append((step, t(texts.COI_PROMPT) if section.offers_coi_tagging else ""))
        units.append((commitment_step(content), ""))
    return units


# Where a long text is cut, best first: paragraph, line, sentence, clause, word.
_BREAKS = (("\n\n", 0), ("\n", 0), (". ", 1), ("; ", 1), (", ", 1), (" ", 0))


def split_text(text: str, limit: int) -> list[str]:
    """`text` in pieces of at most `limit` characters, each cut at the best natural break in
    its second half. Nothing is dropped but the white space at a cut."""
    pieces = []
    rest = text
    while len(rest) > limit:
        end = limit
        for sep, keep in _BREAKS:
            at = rest.rfind(sep, limit // 2, limit + 1 - keep)
            if at != -1:
                end = at + keep
                break
        pieces.append(rest[:end].rstrip())
        rest = rest[end:].lstrip()
    return [*pieces, rest] if rest else pieces


def explain_acronyms(steps: Sequence[Step], glossary: Sequence[GlossaryEntry]) -> list[Step]:
    """Explain each glossary acronym in the step where it first appears, unless that step
    already spells it out (e.g. "people with lived experience/expertise (PLE)")."""
    seen: set[str] = set()
    out = []
    for step in steps:
        text = f"{step.heading}\n{step.body}"
        lines = []
        for entry in glossary:
            if entry.term in seen or not re.search(rf"(?<![\w/]){re.escape(entry.term)}s?(?!\w)", text):
                continue
            seen.add(entry.term)
            if entry.meaning.casefold() not in text.casefold():
                lines.append(f"• **{entry.term}**: {entry.meaning}")
        out.append(replace(step, explains=t(texts.ACRONYMS_IN_STEP) + "\n" + "\n".join(lines)) if lines else step)
    return out


def commitment_step(content: Content) -> Step:
    values = ", ".join(content.commitment.core_values)
    body = t(texts.COMMITMENT, question=content.commitment.question, values=values)
    return Step("commitment", "commitment", t(texts.COMMITMENT_HEADING), body)


def step_hashes(steps: Sequence[Step]) -> dict[str, str]:
    """What a member accepted: item key -> its meaning (stored with the membership), the same
    whichever language they read it in."""
    return {s.unit: s.meaning for s in steps if s.kind != "intro"}


def changed_steps(full: Sequence[Step], accepted: Mapping[str, str] | None) -> list[Step]:
    """Of a full flow (in any language), the steps whose item's meaning changed since the member
    accepted (all content steps if unknown), then the commitment question (always asked again)."""
    changed = [s for s in full if s.kind not in ("intro", "commitment")
               and (not accepted or accepted.get(s.unit) != s.meaning)]
    return [*changed, *[s for s in full if s.kind == "commitment"]]


def reaffirm_steps(content: Content, accepted: Mapping[str, str] | None, language: str | None = None) -> list[Step]:
    return changed_steps(build_steps(content, include_intro=False, language=language), accepted)


def steps_for(content: Content, reaffirm: bool, accepted: Mapping[str, str] | None) -> list[Step]:
    return reaffirm_steps(content, accepted) if reaffirm else build_steps(content)


def split_items(content: Content) -> list[str]:
    """What `python -m bot check` reports: each step too long for one message, and in how many
    parts the newcomer sees it (in every language: the steps are aligned)."""
    steps = build_steps(content, language=i18n.SOURCE_LANGUAGE)
    parts: dict[str, int] = {}
    for step in steps:
        parts[step.unit] = parts.get(step.unit, 0) + 1
    headings = {s.key: s.heading for s in steps}
    return [f"{headings[key]} ({key}) is long: shown over {n} steps" for key, n in parts.items() if n > 1]


def clamp_step(index: int, total: int) -> int:
    return max(0, min(index, total - 1))


def progress_line(index: int, total: int, continued: bool = False) -> str:
    """Progress, once and in words (a screen reader reads a bar as a dozen "dark shade")."""
    return t(texts.PROGRESS_CONTINUED if continued else texts.PROGRESS, step=index + 1, total=total)


def render_step(
    steps: Sequence[Step], index: int, *, note: str = "", reaffirm_version: str = "",
    coi_labels: Sequence[str] | None = None,
) -> str:
    """The message text of one step. Steps are built to fit Discord's 2,000 characters with
    any note (see STEP_TEXT_MAX); `clip` is only a last guard for extreme content files."""
    step = steps[index]
    parts = []
    if note:
        parts.append(note)
    if reaffirm_version and index == 0:
        parts.append(t(texts.AGREEMENTS_UPDATED, version=reaffirm_version))
    parts += [progress_line(index, len(steps), step.continued), f"## {step.heading}", step.body]
    if index + 1 < len(steps) and steps[index + 1].continued:
        parts.append(t(texts.CONTINUES))
    if step.explains:
        parts.append(step.explains)
    if step.offers_coi and coi_labels is not None:
        parts.append(t(texts.COI_PICKED, picked=", ".join(coi_labels)) if coi_labels else t(texts.COI_PICKED_NONE))
    return clip("\n\n".join(parts))


def normalise_coi_pick(values: Iterable[str], known_keys: Iterable[str]) -> list[str]:
    """The stored COI pick: known keys in content order; "None apply" wins over anything else."""
    chosen = list(values)
    if NONE_APPLY in chosen:
        return []
    wanted = set(chosen)
    return [k for k in known_keys if k in wanted]


# --- the clear-yes rule ------------------------------------------------------------------

# Words that may follow the opening "yes" (or "sí") without weakening it. Anything else (a "but", a
# negation, a hedge, a question) makes the answer not a clear yes. Spanish words are written without
# accents: answers are compared with their accents taken off ("sí" and "si" are the same answer).
_AFFIRMING_WORDS = frozenset({
    "yes", "i", "im", "i'm", "am", "we", "we're", "are", "committed", "absolutely", "definitely",
    "certainly", "totally", "fully", "completely", "wholeheartedly", "indeed", "of", "course", "100",
    "100%", "percent", "do", "very", "much", "so", "please", "thank", "you", "thanks", "to", "it",
    "that", "this", "really", "truly", "always", "and", "will", "i'll", "count", "me", "in", "on", "board",
    # Spanish: "sí, me comprometo", "sí, estoy de acuerdo", "sí, por supuesto", "sí, cuenten conmigo"
    "si", "comprometo", "comprometemos", "comprometido", "comprometida", "comprometidos", "comprometidas",
    "estoy", "estamos", "claro", "que", "por", "supuesto", "totalmente", "absolutamente", "definitivamente",
    "completamente", "de", "acuerdo", "con", "todo", "mi", "corazon", "gracias", "cuenta", "cuenten",
    "conmigo", "acepto", "aceptamos", "lo", "los", "nos", "muy", "y",
})
# How a clear yes may open: the word itself, or Spanish "claro que sí" ("of course yes").
_OPENINGS = (("yes",), ("si",), ("claro", "que", "si"))
_TOKEN = re.compile(r"[a-z0-9%']+")
_HEDGE_MARKS = ("?", "¿", "…", "...")


def _normalise_answer(text: str) -> str:
    folded = (text.casefold()
              .replace("’", "'").replace("‘", "'").replace("ʼ", "'")
              .replace("“", '"').replace("”", '"'))
    # Accents off (NFD, then drop the combining marks): "sí" reads as "si", "corazón" as "corazon".
    return "".join(ch for ch in unicodedata.normalize("NFD", folded) if not unicodedata.combining(ch))


def is_clear_yes(text: str | None) -> bool:
    """True only for an unhedged yes, in English or Spanish: it opens with "yes", "sí" or "claro
    que sí", and every other word only strengthens it ("Yes!", "yes, I am", "sí, me comprometo").
    "y", "yeah", "sure?", "yes but…", "sí pero…", "creo que sí", anything with a question mark,
    negation or hedge is not a clear yes."""
    if not text:
        return False
    normal = _normalise_answer(text).strip()
    if any(mark in normal for mark in _HEDGE_MARKS):
        return False
    tokens = _TOKEN.findall(normal)
    opening = next((o for o in _OPENINGS if tuple(tokens[:len(o)]) == o), None)
    if opening is None:
        return False
    return all(token in _AFFIRMING_WORDS for token in tokens[len(opening):])




def question_refusal(open_count: int, last_asked: datetime | None, now: datetime, max_open: int,
                     cooldown_seconds: float) -> str:
    """The kind refusal when one person asks too much at once; "" when they may ask."""
    if open_count >= max_open:
        return t(QUESTIONS_WAITING, count=open_count)
    if last_asked is not None:
        wait = cooldown_seconds - (now - last_asked).total_seconds()
        if wait > 0:
            return t(QUESTION_TOO_SOON, seconds=max(1, math.ceil(wait)))
    return ""


# --- moving through the flow ---------------------------------------------------------------

Move = Literal["advance", "back", "stay"]


def next_index(saved: int, clicked: int, action: str, total: int) -> tuple[int, Move]:
    """Where a click leads. A click on a step other than the saved one (stale, double click,
    or a button from an old message) re-renders the saved step: clicks are idempotent."""
    if clicked != saved:
        return saved, "stay"
    if action == "next" and saved < total - 1:
        return saved + 1, "advance"
    if action == "back" and saved > 0:
        return saved - 1, "back"
    return saved, "stay"


@dataclass(frozen=True, slots=True)
class Flow:
    """The part of a newcomer's progress a click reads and moves (a copy of the saved row)."""

    status: str
    step_index: int
    declined_count: int = 0
    coi_selection: tuple[str, ...] | None = None
    reaffirm_from_version: str = ""
    revision: int = 0


def click_move(flow: Flow, action: str, clicked: int, total: int) -> Flow | None:
    """The flow after a click that only moves through the steps, or None when the click
    changes nothing (stale, double click) or needs more than a move ("yes", "ask")."""
    last = total - 1
    saved = clamp_step(flow.step_index, total)
    if action in ("next", "back") and flow.status in (IN_PROGRESS, DECLINED):
        index, move = next_index(saved, clicked, action, total)
        if move == "stay":
            return None
        return replace(flow, status=IN_PROGRESS, step_index=index)
    if action == "resume" and flow.status == DECLINED:
        return replace(flow, status=IN_PROGRESS, step_index=last)
    if action == "notyet" and flow.status == IN_PROGRESS and saved == last and clicked == last:
        return replace(flow, status=DECLINED, step_index=last, declined_count=flow.declined_count + 1)
    return None


def final_roles(
    current: Iterable[int], *, member_role: int, newcomer_role: int | None, coi_roles: Iterable[int],
) -> list[int]:
    """The member's full new role list for the ONE final update."""
    roles = [r for r in current if r != newcomer_role]
    for role in [member_role, *coi_roles]:
        if role not in roles:
            roles.append(role)
    return roles


# --- mod-log batching ----------------------------------------------------------------------


@dataclass
class WelcomeBatch:
    """Completed onboardings waiting for the next mod-log note of one guild."""

    user_ids: list[int] = field(default_factory=list)
    first_at: datetime | None = None

    def add(self, user_id: int, now: datetime) -> None:
        if user_id not in self.user_ids:
            self.user_ids.append(user_id)
        if self.first_at is None:
            self.first_at = now

    def due(self, now: datetime, every_s: float = MODLOG_BATCH_SECONDS) -> bool:
        return self.first_at is not None and now - self.first_at >= timedelta(seconds=every_s)

    def take(self) -> list[int]:
        ids, self.user_ids, self.first_at = self.user_ids, [], None
        return ids


def welcome_notes(user_ids: Sequence[int], limit: int = MESSAGE_LIMIT) -> list[str]:
    """Mod-log lines for newly onboarded members, each under `limit` characters."""
    return pack_pages((f"<@{uid}>" for uid in user_ids), limit, sep=", ",
                      head=t_server(WELCOME_NOTE_HEAD))


# --- reminders and stats ---------------------------------------------------------------------


def reminder_due(status: str, updated_at: datetime, reminded_at: datetime | None, now: datetime,
                 after_hours: float) -> bool:
    """One gentle reminder for a stalled flow, never more than one."""
    return (status == IN_PROGRESS and reminded_at is None
            and now - updated_at >= timedelta(hours=after_hours))


@dataclass(frozen=True)
class ProgressFacts:
    status: str
    updated_at: datetime
    declined_count: int
    reaffirm: bool


@dataclass(frozen=True)
class Stats:
    started: int
    completed: int
    declined: int
    stalled: int
    pending_reaffirmation: int
    members_on_current_version: int


def compute_stats(progress: Iterable[ProgressFacts], membership_versions: Iterable[tuple[str, str | None]],
                  current_version: str, now: datetime, stalled_after_days: float) -> Stats:
    """`membership_versions`: (accepted version, reaffirm-requested version) per member."""
    rows = [p for p in progress if not p.reaffirm]
    stalled_before = now - timedelta(days=stalled_after_days)
    versions = list(membership_versions)
    return Stats(
        started=len(rows),
        completed=sum(1 for p in rows if p.status == COMPLETED),
        declined=sum(1 for p in rows if p.status == DECLINED),
        stalled=sum(1 for p in rows if p.status == IN_PROGRESS and p.updated_at < stalled_before),
        pending_reaffirmation=sum(
            1 for accepted, requested in versions if accepted != current_version and requested == current_version
        ),
        members_on_current_version=sum(1 for accepted, _ in versions if accepted == current_version),
    )


def render_stats(stats: Stats, version: str, stalled_after_days: float) -> str:
    return t_server(texts.STATS, version=version, started=stats.started, completed=stats.completed,
                    declined=stats.declined, days=stalled_after_days, stalled=stats.stalled,
                    pending=stats.pending_reaffirmation, current=stats.members_on_current_version)
