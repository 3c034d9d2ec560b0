"""Onboarding: each agreement step by step, the commitment question, then the member role."""

from bot.client import CoalitionBot


async def setup(bot: CoalitionBot) -> None:
    if not bot.settings.onboarding.enabled:
        return
    from cogs.onboarding.cog import OnboardingCog
    from cogs.onboarding.gate import MemberGateCog

    await bot.add_cog(OnboardingCog(bot))
    await bot.add_cog(MemberGateCog(bot))
