"""My day's quick actions: snooze one follow-up, and the bulk actions for greetings
(mark the selected ones sent, or reschedule them to one date). Each goes through the
same rules as the single actions (followups.services.work): only open follow-ups the
actor may work, a reason for every move, an audit entry for every change, and the
frequency cap still holds after a snooze."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from customers.audit import audit_record
from customers.models import AuditAction, ContactOutcome
from followups.models import Followup, FollowupKind, FollowupPolicy
from followups.services.cap import frequency_cap_apply
from followups.services.work import _locked_open, followup_complete, followup_reschedule

# A snooze is a short postponement from My day; moving further is a reschedule (on the
# follow-up's page), which asks for a date and a reason in full.
SNOOZE_MAX_DAYS = 14


def _latest_day(followup: Followup) -> tuple[datetime.date | None, str]:
    """The last day a follow-up may wait until, and why: a greeting falls on its day,
    feedback is answered by its response deadline."""
    if followup.kind == FollowupKind.GREETING and (followup.facts or {}).get("day"):
        day = datetime.date.fromisoformat(followup.facts["day"])
        return day, _("A greeting is sent by its day (%(date)s); it cannot wait past it.") % {
            "date": f"{day:%Y-%m-%d}"
        }
    record = followup.service_record
    if followup.kind == FollowupKind.FEEDBACK and record is not None and record.respond_by:
        day = timezone.localdate(record.respond_by)
        return day, _(
            "Feedback is answered by its response deadline (%(date)s); it cannot wait past it."
        ) % {"date": f"{day:%Y-%m-%d}"}
    return None, ""


def followup_snooze(
    *,
    actor,
    followup: Followup,
    until: datetime.date,
    reason: str,
    today: datetime.date | None = None,
) -> Followup:
    """Postpone an open follow-up to a later day (at most SNOOZE_MAX_DAYS ahead), with a
    reason. Not past a greeting's day or a feedback deadline; an agreed visit (an
    appointment confirmed by phone, a standing weekly visit) is not snoozed, as the
    customer expects it. Audited; then the frequency cap applies to the customer as it
    does to any planned contact, so a snooze may land later than asked, never closer
    to another contact than the cap."""
    today = today or timezone.localdate()
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Say why it waits.")})
    if until <= today:
        raise ValidationError({"until": _("Snooze to a later day: tomorrow or after.")})
    if until > today + datetime.timedelta(days=SNOOZE_MAX_DAYS):
        raise ValidationError(
            {
                "until": _(
                    "A snooze is for %(days)d days at most; to move it further, reschedule "
                    "it on the follow-up's page."
                )
                % {"days": SNOOZE_MAX_DAYS}
            }
        )
    with transaction.atomic():
        followup = _locked_open(actor=actor, followup=followup)
        if followup.has_confirmed_appointment:
            raise ValidationError(
                _(
                    "An agreed visit is not snoozed: the customer expects it. Change the "
                    "appointment on the follow-up's page."
                )
            )
        if until <= followup.due_on:
            raise ValidationError(
                {
                    "until": _("It is due on %(date)s already; choose a later day.")
                    % {"date": f"{followup.due_on:%Y-%m-%d}"}
                }
            )
        latest, why = _latest_day(followup)
        if latest is not None and until > latest:
            raise ValidationError({"until": why})
        before = followup.due_on
        followup.due_on = until
        followup.cap_days = None
        followup.note = reason[:300]
        followup.save(update_fields=["due_on", "cap_days", "note"])
        audit_record(
            actor=actor,
            action=AuditAction.CHANGE,
            obj=followup,
            customer=followup.customer,
            detail={
                "due_on": [before.isoformat(), until.isoformat()],
                "reason": followup.note,
                "snoozed": True,
            },
        )
        if followup.is_capped:
            policy = FollowupPolicy.in_force(today=today)
            frequency_cap_apply(cap=policy.frequency_cap_days, customer_ids=[followup.customer_id])
            followup.refresh_from_db(fields=["due_on", "cap_days"])
    return followup


def _greetings_only(followups) -> list[Followup]:
    followups = list(followups)
    if any(followup.kind != FollowupKind.GREETING for followup in followups):
        raise ValidationError(_("Only greetings can be done together."))
    return followups


def greetings_mark_sent(*, actor, followups, now: datetime.datetime | None = None) -> int:
    """The selected greetings were sent (by their suggested channel): each is completed
    as one would complete it alone, so each is a contact on its customer's timeline.
    All or nothing."""
    followups = _greetings_only(followups)
    with transaction.atomic():
        for followup in followups:
            followup_complete(
                actor=actor,
                followup=followup,
                outcome=ContactOutcome.REACHED,
                channel=followup.channel,
                now=now,
            )
    return len(followups)


def greetings_reschedule(
    *, actor, followups, due_on: datetime.date, reason: str, today: datetime.date | None = None
) -> int:
    """The selected greetings move to one date, each with the reason and its own audit
    entry (followup_reschedule). All or nothing."""
    followups = _greetings_only(followups)
    with transaction.atomic():
        for followup in followups:
            followup_reschedule(
                actor=actor, followup=followup, due_on=due_on, reason=reason, today=today
            )
    return len(followups)
