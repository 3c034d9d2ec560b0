"""Every custom_id of the repair feature, each declared once (template, builder and parser).

The shapes are the ones earlier versions posted, so buttons and forms already out there keep
working. Server IDs and exclusions are written in base 36 to keep a filing with five exclusions
under Discord's 100 characters.
"""

from __future__ import annotations

from bot.interactions import CustomId

CASE = CustomId("repair:{action:ack|assign|reply|note|close|reopen}:{case:int}")
FORM = CustomId("repair:{form:replym|notem|closem}:{case:int}")  # a moderator's reply, note or closing
START = CustomId("repair:start")
GUILD = CustomId("repair:guild")
EXCLUDE = CustomId("repair:ex:{guild:b36}")
FILE = CustomId("repair:go:{guild:b36}:{mode:n|a}:{excluded:b36s}")
FILING_FORM = CustomId("repair:file:{guild:b36}:{mode:n|a}:{excluded:b36s}")
RELAY = CustomId("repair:relay:{message:int}")  # a picker from before the DM router

FORM_OF = {"reply": "replym", "note": "notem", "close": "closem"}  # case action → its form
ACTION_OF = {form: action for action, form in FORM_OF.items()}
