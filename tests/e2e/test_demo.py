"""`make demo` (tests/demo.py) in both languages (issue 16, "Try it"): `make demo LANG=es` prints the
Spanish transcript, while the shell's own LANG (C.UTF-8, en_US.UTF-8) keeps the English one."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from bot.content import load_content
from bot.i18n import LANGUAGES, speaking, t
from cogs.onboarding import texts
from tests import demo

from .conftest import REPO_ROOT

CONTENT = load_content()


@pytest.mark.parametrize(("value", "language"), [
    ("es", "es"), ("ES", "es"), ("es-419", "es"), ("es_MX.UTF-8", "es"),
    ("en", "en"), ("", "en"), (None, "en"), ("C.UTF-8", "en"), ("en_US.UTF-8", "en"), ("C", "en"), ("fr", "en"),
])
def test_the_language_value_maps_to_spanish_only_when_it_starts_with_es(value: str | None, language: str) -> None:
    assert demo.language_of(value) == language


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
@pytest.mark.parametrize(("args", "environment_lang", "passed"), [
    (["LANG=es"], "en_US.UTF-8", '--language "es"'),
    (["DEMO_LANG=es"], "en_US.UTF-8", '--language "es"'),
    ([], "en_US.UTF-8", '--language "en_US.UTF-8"'),  # the shell's LANG: English (language_of above)
    ([], "C.UTF-8", '--language "C.UTF-8"'),
])
def test_make_demo_passes_the_language_explicitly(args: list[str], environment_lang: str, passed: str) -> None:
    env = {**os.environ, "LANG": environment_lang}
    env.pop("DEMO_LANG", None)
    shown = subprocess.run(["make", "--dry-run", "--always-make", "demo", *args], cwd=REPO_ROOT, env=env,
                           capture_output=True, text=True, check=True).stdout
    (line,) = [line for line in shown.splitlines() if "-m tests.demo" in line]
    assert line.endswith(passed)


async def test_the_spanish_demo_prints_the_spanish_transcript(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert await demo.run_demo(tmp_path, "es") == 0, "no request Discord would refuse"
    transcript = " ".join(capsys.readouterr().out.split())  # the demo wraps long lines: compare words

    def words(text: str) -> str:
        return " ".join(text.split())
    question = CONTENT.localized("es").commitment.question
    assert words(question) in transcript and words(CONTENT.commitment.question) not in transcript
    steps = transcript.count("── Bot (DM):")  # every step was shown
    assert f">> Newcomer clicks [{LANGUAGES['es']}]" in transcript  # the first DM's language button
    with speaking("es"):
        assert f"[{t(texts.YES_LABEL)}] [{t(texts.NOT_YET_LABEL)}]" in transcript
        assert t(texts.PROGRESS, step=2, total=19) in transcript  # after her first click, every step Spanish
        assert f">> Newcomer Kai clicks [{t(texts.START_IN_LABEL)}]" in transcript  # the welcome post's Spanish
        assert words(t(texts.DECLINED_TYPED).split("{")[0]) in transcript  # her typed "quizás", answered
        assert words(t(texts.COMPLETED).split("{")[0]) in transcript  # her typed "¡Sí, me comprometo!" counted
    assert steps > 19 and texts.AGREE_LABEL not in transcript and words(texts.COMPLETED.split("{")[0]) not in transcript
    assert "Nia's roles at the end: COI: Funders, Member" in transcript
    assert "Kai's roles at the end: Member" in transcript
    # The moderators' #mod-log line stays in the server's language.
    assert texts.WELCOME_NOTE_HEAD in transcript
