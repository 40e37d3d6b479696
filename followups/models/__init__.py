from followups.models.care import (
    CatalogueMailing,
    CustomerEvent,
    EventInvitation,
    KeyAccountRecord,
    MailingRecipient,
)
from followups.models.choices import (
    UNCAPPED_KINDS,
    VISIT_KINDS,
    FollowupKind,
    FollowupStatus,
    InvitationReply,
    Occasion,
    Weekday,
)
from followups.models.followup import (
    CONFIRMED_APPOINTMENT,
    CalendarFeed,
    FeedbackAlert,
    Followup,
    PlanningRun,
    StandingVisit,
)
from followups.models.policy import FollowupPolicy
from followups.models.warning import SPEND_KINDS, CustomerWarning, WarningKind

__all__ = [
    "CONFIRMED_APPOINTMENT",
    "SPEND_KINDS",
    "UNCAPPED_KINDS",
    "VISIT_KINDS",
    "CalendarFeed",
    "CatalogueMailing",
    "CustomerEvent",
    "CustomerWarning",
    "EventInvitation",
    "FeedbackAlert",
    "Followup",
    "FollowupKind",
    "FollowupPolicy",
    "FollowupStatus",
    "InvitationReply",
    "KeyAccountRecord",
    "MailingRecipient",
    "Occasion",
    "PlanningRun",
    "StandingVisit",
    "WarningKind",
    "Weekday",
]
