"""The welcome-complete message carries the content file's donation line once, or none when it has none."""

from __future__ import annotations

import pytest
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import Clock
from bot.content import Community, Content
from cogs.onboarding.service import OnboardingService


def with_donation(content: Content, donation: str, url: str = "") -> Content:
    community = content.community.model_copy(update={"donation": donation, "donation_url": url})
    return content.model_copy(update={"community": community})


async def test_the_welcome_complete_message_and_its_donation_line(
        sessions: async_sessionmaker[AsyncSession], content: Content, clock: Clock) -> None:
    text = OnboardingService(sessions, content, clock).completed_text()
    assert text.count(content.community.donation) == 1 and text.endswith(f"💛 {content.community.donation}")
    none = OnboardingService(sessions, with_donation(content, "  "), clock).completed_text()
    assert "💛" not in none and "donation" not in none
    linked = OnboardingService(sessions, with_donation(content, "Give\nmonthly.", "https://example.org/d"),
                               clock).completed_text()
    assert linked.endswith("💛 Give monthly. <https://example.org/d>")
    reaffirmed = OnboardingService(sessions, content, clock).completed_text(reaffirm=True)
    assert "💛" not in reaffirmed  # never repeated to people already in


def test_a_donation_link_must_be_a_web_address(content: Content) -> None:
    data = content.community.model_dump()
    with pytest.raises(ValidationError):
        Community(**{**data, "donation_url": "javascript:alert(1)"})
    assert Community(**{**data, "donation_url": ""}).donation_url == ""
