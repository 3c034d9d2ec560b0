"""All ORM models. Importing this package registers every table on `Base.metadata`.

One module per feature; each table that belongs to a server has a `guild_id`.
"""

from db.base import Base
from db.models.coi import CoiTag, Meeting, WaitingRoom
from db.models.confidential import ConfidentialSpace, RecordingException, StickyReminder, VoiceMeetingState
from db.models.core import AuditEntry, DepartedMember, GuildState, GuildWiringEntry, KeyCheck
from db.models.onboarding import MemberRoleHold, Membership, OnboardingProgress, OnboardingQuestion
from db.models.repair import RepairCase, RepairCounter, RepairEvent

__all__ = [
    "AuditEntry",
    "Base",
    "CoiTag",
    "ConfidentialSpace",
    "DepartedMember",
    "GuildState",
    "GuildWiringEntry",
    "KeyCheck",
    "Meeting",
    "MemberRoleHold",
    "Membership",
    "OnboardingProgress",
    "OnboardingQuestion",
    "RecordingException",
    "RepairCase",
    "RepairCounter",
    "RepairEvent",
    "StickyReminder",
    "VoiceMeetingState",
    "WaitingRoom",
]
