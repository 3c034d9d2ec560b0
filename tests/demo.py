"""`make demo` / `python -m tests.demo`: the real bot against the loopback Discord emulator.

One scripted newcomer joins, reads every step, tags a conflict of interest, hesitates once,
then says yes. A second newcomer, whose direct messages are closed, starts from the welcome
channel's "Start here" message instead, with nothing said about them in public. Then /help, as
a member sees it. The transcript shows what the bot said, what the newcomers did, and the roles
at the end. No Discord account or token is needed; everything runs on 127.0.0.1.

`--language es` (`make demo LANG=es`): the newcomers' Discord apps speak Spanish (locale es-419). Nia
presses "Español" under her first DM (sent in the server's language: the bot can't know hers yet), Kai
"Empezar aquí en español" on the welcome post; both read the bot in Spanish and click its Spanish
buttons. Moderators and #mod-log stay in the server's language (English). Any value starting with
"es" means Spanish, anything else English, so a shell's own `LANG=en_US.UTF-8` or `C.UTF-8` keeps the
English demo.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import re
import sys
import tempfile
import textwrap
from datetime import timedelta
from pathlib import Path

import discord

from bot import i18n
from bot.i18n import speaking, t
from cogs.onboarding import texts
from tests.emulator import Emulator, Message, ScriptedUser
from tests.emulator import permissions as P

WIDTH = 100
LOCALES = {"en": "en-US", "es": "es-419"}  # the Discord app locale the newcomers' clicks carry
# What the newcomer types: their own words, in their language (the bot's words come from the catalogs).
TYPED = {"en": ("maybe", "Yes, I am!"), "es": ("quizás", "¡Sí, me comprometo!")}


def language_of(value: str | None) -> str:
    """'es', 'es_MX.UTF-8', 'es-419' → Spanish; anything else (en, C.UTF-8, en_US.UTF-8, nothing) → English."""
    return "es" if (value or "").strip().lower().startswith("es") else "en"


class Words:
    """The bot's words a newcomer reading `language` sees, rendered from the texts modules."""

    def __init__(self, language: str) -> None:
        self.language = language
        with speaking(language):
            self.begin, self.agree, self.yes = t(texts.BEGIN_LABEL), t(texts.AGREE_LABEL), t(texts.YES_LABEL)
            self.not_yet, self.resume = t(texts.NOT_YET_LABEL), t(texts.RESUME_LABEL)
            self.start_in = t(texts.START_IN_LABEL)
            progress = t(texts.PROGRESS).replace("*", "")
            # How the answers to her typed words begin (up to their first placeholder).
            self.declined = t(texts.DECLINED_TYPED).split("{")[0][:40]
            self.completed = t(texts.COMPLETED).split("{")[0][:40]
        self.step = re.compile(re.escape(progress).replace(r"\{step\}", r"(\d+)").replace(r"\{total\}", r"(\d+)"))

    def step_of(self, msg: Message) -> tuple[int, int]:
        found = self.step.search(msg.content)
        return (int(found.group(1)), int(found.group(2))) if found else (0, 0)

    def next_label(self, msg: Message) -> str:
        return self.begin if self.step_of(msg)[0] == 1 else self.agree


def say(who: str, text: str) -> None:
    lines = text.strip().splitlines() or [""]
    print(f"\n{who}")
    for line in lines:
        wrapped = textwrap.wrap(line, WIDTH - 4) or [""]
        for part in wrapped:
            print(f"    {part}")


def bot_said(msg: Message, where: str = "DM") -> None:
    buttons = "  ".join(f"[{b.get('label')}]" for b in msg.buttons)
    selects = "  ".join(f"<{s.get('placeholder')}>" for s in msg.selects)
    extra = "\n".join(x for x in (selects, buttons) if x)
    embeds = "\n\n".join(f"{e.get('title', '')}\n{e.get('description', '')}".strip() for e in msg.embeds)
    text = "\n\n".join(x for x in (msg.content, embeds) if x)
    say(f"── Bot ({where}):", text + (f"\n\n{extra}" if extra else ""))


def newcomer_did(text: str) -> None:
    print(f"\n>> Newcomer {text}")


async def run_demo(directory: Path, language: str = "en") -> int:
    from bot.app import BotApp
    from bot.content import load_content
    from bot.settings import load_settings
    from tests.e2e.conftest import write_config

    words = Words(language)
    funders = next(c.display for c in load_content().localized(language).coi_categories if c.key == "funders")

    emu = Emulator()
    await emu.start()
    app = None
    task: asyncio.Task[None] | None = None
    saved = (discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY)
    try:
        owner = emu.create_user("Guild Owner")
        guild = emu.create_guild("IHRRC", owner)
        moderator = emu.create_user("Morgan Moderator")
        emu.world.add_member(guild, moderator.user, dispatch=False)
        mod_role = guild.create_role("Moderator", permissions=P.MODERATOR_PERMS, hoist=True)
        guild.members[moderator.id].roles.append(mod_role.id)
        guild.create_text_channel("welcome")
        private = {guild.id: (0, P.VIEW_CHANNEL), mod_role.id: (P.VIEW_CHANNEL, 0)}
        moderators = guild.create_text_channel("moderators", overwrites=private)
        mod_log = guild.create_text_channel("mod-log", overwrites=private)
        guild.create_voice_channel("waiting-room")
        bot_app = emu.create_bot("demo.bot.token", "Coalition Bot")
        emu.add_bot_to_guild(bot_app, guild)
        for channel in (moderators, mod_log):  # admins let the bot into the private channels
            guild.set_overwrite(channel, bot_app.role(guild), allow=P.VIEW_CHANNEL)

        settings = load_settings(write_config(directory, emu))
        app = await BotApp.create(settings)
        task = asyncio.create_task(app.start(bot_app.token))
        await emu.wait_bot_ready(bot_app, guild, timeout=60)
        print(f"The coalition bot is running against a loopback Discord on {emu.base_http_url}.")
        print("A newcomer, Nia, joins the server (with the 'Newcomer' role Discord's own onboarding gives).")
        if language == "es":
            print("Nia's Discord app speaks Spanish (locale es-419). The bot can't know that before she clicks")
            print("something, so its first DM is in the server's language, with the language buttons under it.")

        nia: ScriptedUser = emu.create_user("Nia", locale=LOCALES[language])
        await nia.join(guild, roles=[guild.role("Newcomer")])
        msg = await nia.wait_dm(lambda m: bool(m.buttons), timeout=15)
        bot_said(msg)
        if language != i18n.server_language():  # she picks her language: the same step again, in it
            newcomer_did(f"clicks [{i18n.LANGUAGES[language]}]")
            await nia.click(msg, i18n.LANGUAGES[language])
            bot_said(msg)
        while True:
            step, total = words.step_of(msg)
            if msg.selects:
                newcomer_did(f"picks a conflict of interest: {funders}")
                await nia.select(msg, [funders])
                bot_said(msg)
            if step == total:
                break
            label = words.next_label(msg)
            newcomer_did(f"clicks [{label}]")
            await nia.click(msg, label)
            bot_said(msg)

        newcomer_did(f"clicks [{words.not_yet}]")
        await nia.click(msg, words.not_yet)
        bot_said(msg)
        newcomer_did(f"clicks [{words.resume}]")
        await nia.click(msg, words.resume)
        print("\n   (the question again, as above)")
        unclear, yes = TYPED[language]
        last = nia.last_dm()
        newcomer_did(f'types in the DM: "{unclear}"')
        await nia.send_dm(bot_app, unclear)
        bot_said(await nia.wait_dm(lambda m: words.declined in m.content, after=last))
        last = nia.last_dm()
        newcomer_did(f'types in the DM: "{yes}"')
        await nia.send_dm(bot_app, yes)
        bot_said(await nia.wait_dm(lambda m: words.completed in m.content, after=last))
        await emu.wait_for(lambda: nia.has_role(guild, "Member"), description="member role")

        print("\n" + "═" * WIDTH)
        print(f"Nia's roles at the end: {', '.join(sorted(nia.roles(guild))) or '(none)'}")
        dm = nia.dm_channel(bot_app)
        assert dm is not None
        calls = [r for r in emu.request_log if not r.exempt and (
            str(dm.id) in r.path or f"/members/{nia.id}" in r.path
            or (r.route == "POST /users/@me/channels" and str(r.body.get("recipient_id")) == str(nia.id)))]
        print(f"Rate-limited Discord calls spent on Nia: {len(calls)} ({', '.join(r.route for r in calls)})")
        print("   (the typed answers cost one reply each; with the buttons it is 3: open DM, first DM, "
              "one member update)")

        print("\n" + "═" * WIDTH)
        print("Kai joins too. Kai's direct messages are closed, so the bot cannot DM them, and says nothing")
        print("about it in public. The welcome channel holds one message, the same for everyone:")
        welcome = guild.channel("welcome")
        kai: ScriptedUser = emu.create_user("Kai", dms_open=False, locale=LOCALES[language])
        await kai.join(guild, roles=[guild.role("Newcomer")])
        await emu.wait_for(lambda: [m for m in welcome.messages() if m.buttons], description="Start here")
        (start_here,) = [m for m in welcome.messages() if m.buttons]
        bot_said(start_here, "#welcome, public")
        # Kai presses the button in their language ("Empezar aquí en español"), or the server's own.
        label = words.start_in if words.start_in in [b.get("label") for b in start_here.buttons] \
            else start_here.buttons[0]["label"]
        newcomer_did(f"Kai clicks [{label}]")
        opened = await kai.click(start_here, label)
        assert opened.message is not None and opened.message.ephemeral_for == kai.id
        step = opened.message
        print(f"\n   (a message only Kai can see opens in #welcome: {step.content.splitlines()[0]}, "
              "the same steps as Nia's)")
        while words.yes not in [b["label"] for b in step.buttons]:
            await kai.click(step, words.next_label(step))
        newcomer_did(f"Kai reads every step and clicks [{words.yes}] at {step.content.splitlines()[0]}")
        await kai.click(step, words.yes)
        bot_said(step, "#welcome, only Kai sees this")
        await emu.wait_for(lambda: kai.has_role(guild, "Member"), description="Kai's member role")
        public = [m for m in welcome.messages() if m.id != start_here.id]
        print(f"\nKai's roles at the end: {', '.join(sorted(kai.roles(guild)))}; public messages about Kai in "
              f"#welcome: {len(public)}; DMs to Kai: {len(kai.dm_messages())}")

        print("\n" + "═" * WIDTH)
        newcomer_did("Nia types /help in the server")
        helped = await nia.slash(guild, "help")
        bot_said(await helped.wait_message(), "only Nia sees this")

        cog = app.bot.get_cog("Onboarding")
        app.bot.clock.advance(timedelta(seconds=11))
        await cog.run_due_jobs()
        await emu.wait_for(lambda: mod_log.messages(), description="mod-log note")
        if language == "es":
            print("\n   (#mod-log stays in the server's language, English: a Spanish line there would point at the")
            print("   Spanish speakers)")
        for note in mod_log.messages():
            say("── Bot (#mod-log, no pings):", note.content.replace(f"<@{nia.id}>", "@Nia")
                .replace(f"<@{kai.id}>", "@Kai"))
        refused = [why for _, why in emu.form_errors]
        print(f"\nRequests Discord would have refused (over a limit): {len(refused)}")
        for why in refused:
            print(f"   {why}")
        return 1 if refused else 0
    finally:
        if app is not None:
            await app.close()
        if task is not None:
            with contextlib.suppress(Exception, asyncio.CancelledError):
                await asyncio.wait_for(task, 10)
        discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = saved
        await emu.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.demo", description=__doc__.splitlines()[0])
    parser.add_argument("--language", default="en",
                        help='the newcomers\' language: a value starting with "es" is Spanish, anything else English')
    language = language_of(parser.parse_args(argv).language)
    logging.basicConfig(level=logging.ERROR)
    with tempfile.TemporaryDirectory(prefix="coalition-demo-") as tmp:
        return asyncio.run(run_demo(Path(tmp), language))


if __name__ == "__main__":
    sys.exit(main())
