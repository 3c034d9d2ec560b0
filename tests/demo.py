"""`make demo` / `python -m tests.demo`: the real bot against the loopback Discord emulator.

One scripted newcomer joins, reads every step, tags a conflict of interest, hesitates once,
then says yes. A second newcomer, whose direct messages are closed, starts from the welcome
channel's "Start here" message instead, with nothing said about them in public. Then /help, as
a member sees it. The transcript shows what the bot said, what the newcomers did, and the roles
at the end. No Discord account or token is needed; everything runs on 127.0.0.1.
"""

from __future__ import annotations

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

from tests.emulator import Emulator, Message, ScriptedUser
from tests.emulator import permissions as P

WIDTH = 100


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


def step_of(msg: Message) -> tuple[int, int]:
    found = re.search(r"Step (\d+) of (\d+)", msg.content)
    return (int(found.group(1)), int(found.group(2))) if found else (0, 0)


async def run_demo(directory: Path) -> int:
    from bot.app import BotApp
    from bot.settings import load_settings
    from tests.e2e.conftest import write_config

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

        nia: ScriptedUser = emu.create_user("Nia")
        await nia.join(guild, roles=[guild.role("Newcomer")])
        msg = await nia.wait_dm(lambda m: bool(m.buttons), timeout=15)
        bot_said(msg)
        while True:
            step, total = step_of(msg)
            if msg.selects:
                newcomer_did("picks a conflict of interest: Funders")
                await nia.select(msg, ["Funders"])
                bot_said(msg)
            if step == total:
                break
            label = "Let's begin" if step == 1 else "I understand and agree"
            newcomer_did(f"clicks [{label}]")
            await nia.click(msg, label)
            bot_said(msg)

        newcomer_did("clicks [Not yet / I have questions]")
        await nia.click(msg, "Not yet / I have questions")
        bot_said(msg)
        newcomer_did("clicks [Back to the question]")
        await nia.click(msg, "Back to the question")
        print("\n   (the question again, as above)")
        last = nia.last_dm()
        newcomer_did('types in the DM: "maybe"')
        await nia.send_dm(bot_app, "maybe")
        bot_said(await nia.wait_dm(lambda m: "clear" in m.content, after=last))
        last = nia.last_dm()
        newcomer_did('types in the DM: "Yes, I am!"')
        await nia.send_dm(bot_app, "Yes, I am!")
        bot_said(await nia.wait_dm(lambda m: "member" in m.content, after=last))
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
        kai: ScriptedUser = emu.create_user("Kai", dms_open=False)
        await kai.join(guild, roles=[guild.role("Newcomer")])
        await emu.wait_for(lambda: [m for m in welcome.messages() if m.buttons], description="Start here")
        (start_here,) = [m for m in welcome.messages() if m.buttons]
        bot_said(start_here, "#welcome, public")
        label = start_here.buttons[0]["label"]
        newcomer_did(f"Kai clicks [{label}]")
        opened = await kai.click(start_here, label)
        assert opened.message is not None and opened.message.ephemeral_for == kai.id
        step = opened.message
        print(f"\n   (a message only Kai can see opens in #welcome: {step.content.splitlines()[0]}, "
              "the same steps as Nia's)")
        while "Yes" not in [b["label"] for b in step.buttons]:
            await kai.click(step, "Let's begin" if step_of(step)[0] == 1 else "I understand and agree")
        newcomer_did(f"Kai reads every step and clicks [Yes] at {step.content.splitlines()[0]}")
        await kai.click(step, "Yes")
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


def main() -> int:
    logging.basicConfig(level=logging.ERROR)
    with tempfile.TemporaryDirectory(prefix="coalition-demo-") as tmp:
        return asyncio.run(run_demo(Path(tmp)))


if __name__ == "__main__":
    sys.exit(main())
