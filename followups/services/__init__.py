"""Writes. Keyword-only, each takes the acting user (jobs take the date)."""

from followups.services.care import (
    calendar_feed_issue,
    calendar_feed_revoke,
    calendar_feed_user,
    calendar_ics,
    event_create,
    event_invite,
    invitation_record,
    key_account_record_create,
    mailing_create,
)
from followups.services.day import (
    followup_snooze,
    greetings_mark_sent,
    greetings_reschedule,
)
from followups.services.feedback import (
    feedback_assign,
    feedback_close,
    feedback_handle,
    feedback_receive,
    feedback_respond,
)
from followups.services.planning import planning_run
from followups.services.work import (
    followup_complete,
    followup_confirm_appointment,
    followup_reschedule,
    followup_skip,
)

__all__ = [
    "calendar_feed_issue",
    "calendar_feed_revoke",
    "calendar_feed_user",
    "calendar_ics",
    "event_create",
    "event_invite",
    "feedback_assign",
    "feedback_close",
    "feedback_handle",
    "feedback_receive",
    "feedback_respond",
    "followup_complete",
    "followup_confirm_appointment",
    "followup_reschedule",
    "followup_skip",
    "followup_snooze",
    "greetings_mark_sent",
    "greetings_reschedule",
    "invitation_record",
    "key_account_record_create",
    "mailing_create",
    "planning_run",
]
