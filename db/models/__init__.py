"""All ORM models. Importing this package registers every table on `Base.metadata`.

One module per feature; each table that belongs to a server has a `guild_id`.
"""

from db.base import Base
from db.models.access import AccessRequest
from db.models.attendance import AttendanceCheckIn, Organization, OrganizationAffiliation
from db.models.coi import CoiTag, Meeting, WaitingRoom
from db.models.confidential import ConfidentialSpace, RecordingException, StickyReminder, VoiceMeetingState
from db.models.core import AuditEntry, DepartedMember, GuildState, GuildWiringEntry, KeyCheck
from db.models.language import PersonLanguage
from db.models.onboarding import MemberRoleHold, Membership, OnboardingProgress, OnboardingQuestion
from db.models.repair import RepairCase, RepairCounter, RepairEvent

__all__ = [
    "AccessRequest",
    "AttendanceCheckIn",
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
    "Organization",
    "OrganizationAffiliation",
    "PersonLanguage",
    "RecordingException",
    "RepairCase",
    "RepairCounter",
    "RepairEvent",
    "StickyReminder",
    "VoiceMeetingState",
    "WaitingRoom",
]
