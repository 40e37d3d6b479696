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
    CalendarFeed,
    FeedbackAlert,
    Followup,
    PlanningRun,
    StandingVisit,
)
from followups.models.policy import FollowupPolicy

__all__ = [
    "UNCAPPED_KINDS",
    "VISIT_KINDS",
    "CalendarFeed",
    "CatalogueMailing",
    "CustomerEvent",
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
    "Weekday",
]
