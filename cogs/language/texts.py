"""Every sentence of /language (ready for translation). The languages' own names ("English",
"Español") are bot.i18n.LANGUAGES: each is written in itself, never translated."""

from __future__ import annotations

CMD_LANGUAGE = "Choose the language I speak with you (English or Spanish)"
PICK = ("Which language should I speak with you? I'll use it in my messages to you, here and in our direct "
        "messages. Moderators and shared channels keep the server's language.")
SAVED = "Done: from now on I'll speak English with you. You can change it any time with `/language`."
