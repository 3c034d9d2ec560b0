"""Typed accessors for each feature's service, instead of `get_cog("…")` (pure: no discord import).

A feature declares `ONBOARDING = ServiceKey("onboarding", OnboardingService)` beside its service, its
setup calls `bot.services.provide(ONBOARDING, service)`, and anyone holding the key gets an
`OnboardingService` back, typed (`bot.services[ONBOARDING]`), without importing the feature's cog.
"""

from __future__ import annotations

from typing import Any, Generic, TypeVar, cast

from bot.errors import UserFacingError

T = TypeVar("T")


class ServiceKey(Generic[T]):
    """A typed key for one feature's service (like aiohttp's `web.AppKey`): the feature declares
    `KEY = ServiceKey("onboarding", OnboardingService)`, its setup provides it, and anyone holding the
    key gets an `OnboardingService` back, typed, without importing the feature's cog."""

    def __init__(self, name: str, kind: type[T]) -> None:
        self.name = name
        self.kind = kind

    def __repr__(self) -> str:
        return f"ServiceKey({self.name!r})"


class ServiceMissing(UserFacingError):
    def __init__(self, name: str) -> None:
        super().__init__(f"That part of the bot ({name}) is switched off or not running right now, so I "
                         "couldn't do this. Nothing was changed. A moderator can check the bot's settings.")


class Services:
    """The bot's services, by typed key (`bot.services[ONBOARDING]`)."""

    def __init__(self) -> None:
        self._by_key: dict[ServiceKey[Any], Any] = {}

    def provide(self, key: ServiceKey[T], service: T) -> None:
        if not isinstance(service, key.kind):
            raise TypeError(f"{key!r} expects a {key.kind.__name__}, got {type(service).__name__}")
        self._by_key[key] = service

    def remove(self, key: ServiceKey[Any]) -> None:
        self._by_key.pop(key, None)

    def get(self, key: ServiceKey[T]) -> T | None:
        return cast("T | None", self._by_key.get(key))

    def __getitem__(self, key: ServiceKey[T]) -> T:
        service = self._by_key.get(key)
        if service is None:
            raise ServiceMissing(key.name)  # a feature switched off: a kind reply, not a crash
        return cast(T, service)

    def __contains__(self, key: ServiceKey[Any]) -> bool:
        return key in self._by_key


