"""The bot's own stdout/stderr at DEBUG level, over a full scenario, never contain the token,
case text, DM text, onboarding questions or an anonymous requester's identity.

The bot runs as a real subprocess (`python -m bot`), so this is exactly what a deployer's
log collector would receive.
"""

from __future__ import annotations

from tests.conftest import StandardGuild
from tests.emulator import Emulator

from .conftest import SpawnBot
from .test_mydata_flow import ANON_CASE, NAMED_CASE, QUESTION, RELAY, member_with_everything, show
from .test_repair_e2e import case_place, file_request, summary_of

ANON_ONLY_CASE = "The anonymous-only person's story ANONONLYMARK-5150"
ANON_RELAY = "A follow-up only the moderators may read ANONRELAYMARK-2424"
MOD_REPLY = "Thank you, we will reach out gently MODREPLYMARK-8181"
MOD_NOTE = "Private moderator note MODNOTEMARK-3131"


async def test_logs_hold_no_token_text_or_anonymous_identity(
        emulator: Emulator, standard_guild: StandardGuild, spawn_bot: SpawnBot) -> None:
    sg = standard_guild
    bot = await spawn_bot(sg, config={"logging": {"level": "DEBUG"}, "repair": {"cooldown_minutes": 0}})

    # Onboarding with a question and a COI pick, a note-taker, a named and an anonymous case, a DM relay.
    everything = await member_with_everything(emulator, sg, relay=True)
    # Someone whose ONLY trace is an anonymous case and a relayed DM: their identity must appear nowhere.
    ana = emulator.create_user("Ana Nonymous")
    await ana.join(sg.guild)
    await file_request(ana, None, anonymous=True, what=ANON_ONLY_CASE)
    thread = await case_place(emulator, sg, 3)
    summary = await summary_of(emulator, thread)
    await ana.send_dm(sg.bot, ANON_RELAY)
    await emulator.wait_for(lambda: any("ANONRELAYMARK" in m.text for m in thread.all_messages()),
                            description="the anonymous relay to reach the case thread")
    # Moderator text both ways: a reply to the anonymous requester and a private note.
    opened = await sg.moderator.click(summary, "Reply to requester")
    assert opened.modal is not None
    await opened.modal.submit({"text": MOD_REPLY})
    await ana.wait_dm(lambda m: "MODREPLYMARK" in m.text)
    noted = await sg.moderator.click(summary, "Add note")
    assert noted.modal is not None
    await noted.modal.submit({"text": MOD_NOTE})
    await emulator.wait_for(lambda: any("MODNOTEMARK" in m.text for m in thread.all_messages()),
                            description="the note in the thread")
    # Messages that start with a mention of the bot: discord.py used to parse them as prefix commands
    # and log the first word at ERROR ("Command ... is not found"), in servers and in DMs.
    talker = emulator.create_user("Tal Ker")
    await talker.join(sg.guild)
    await talker.send(sg.general, f"<@{sg.bot.id}> PREFIXMARK-6161 can you see this?")
    await talker.send_dm(sg.bot, f"<@{sg.bot.id}> DMPREFIXMARK-7272 hello")
    # Data rights in the same run.
    assert "QMARK-4417" in await show(everything.user, sg.guild)
    asked = await everything.user.slash(sg.guild, "mydata delete")
    prompt = await asked.wait_message()
    await everything.user.click(prompt, "Yes, delete my data")
    await emulator.wait_for(lambda: "Done." in prompt.text, description="the erasure reply")

    assert await bot.stop() == 0
    logs = bot.stdout + bot.stderr
    assert " DEBUG " in logs and "guild" in logs and len(logs.splitlines()) > 20, \
        "the capture must really hold DEBUG logs of the run"

    forbidden = {
        "bot token": sg.bot.token,
        "onboarding question": "QMARK-4417",
        "named case text": NAMED_CASE,
        "named case marker": "CASEMARK-9051",
        "anonymous case text": ANON_CASE,
        "anonymous case marker": "ANONMARK-3302",
        "DM relay": "RELAYMARK-7710",
        "anonymous-only case": "ANONONLYMARK",
        "anonymous relay": "ANONRELAYMARK",
        "moderator reply (DM text)": "MODREPLYMARK",
        "moderator note": "MODNOTEMARK",
        "anonymous requester's ID": str(ana.id),
        "anonymous requester's name": ana.name,
        "first word after a mention (server)": "PREFIXMARK",
        "first word after a mention (DM)": "DMPREFIXMARK",
    }
    assert QUESTION and RELAY  # the full texts contain the markers checked above
    tokens = [r.token for r in emulator.interaction_records()]
    assert len(tokens) > 20
    forbidden.update({f"interaction token {i}": token for i, token in enumerate(tokens)})
    leaks = {what: needle for what, needle in forbidden.items() if needle in logs}
    assert leaks == {}, f"found in the bot's logs: {sorted(leaks)}"
