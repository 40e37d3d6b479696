"""Writes for an archive's keep-until date once it has one (issue 10): the one mechanism
every door that changes a tour's end date or trip type goes through (the admin, pages,
imports, jobs all call `tour_group_update`, which calls `retention_change_propose`).

- A later date applies at once.
- An earlier date is never applied by the edit: it becomes a pending request that a
  manager approves or refuses with a reason. An approved shortening keeps the archive at
  least the policy's waiting period (30 days by default) after the approval, so an edit
  can never make an archive destroyable the same day.
- Every change, later or earlier, is a `RetentionChange` row (the keep-until history on
  the archive page and in the admin) and an audit entry.
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.roles import require_manager
from archives.models import (
    DEFAULT_SHORTENING_WAIT_DAYS,
    BusinessArchive,
    RetentionChange,
    RetentionChangeStatus,
    RetentionPolicy,
    TourGroup,
)
from customers.audit import audit_record
from customers.models import AuditAction
from customers.services.custody import mail_managers


def shortening_wait_days(*, trip_type: str) -> int:
    days = RetentionPolicy.objects.filter(trip_type=trip_type).values_list(
        "shortening_wait_days", flat=True
    )
    return days.first() or DEFAULT_SHORTENING_WAIT_DAYS


def _audit(*, actor, change: RetentionChange) -> None:
    audit_record(
        actor=actor,
        action=AuditAction.CHANGE,
        obj=change.archive,
        object_type="businessarchive",
        detail={
            "retention_change": change.pk,
            "status": change.status,
            "keep_until_before": change.old_end.isoformat(),
            "keep_until_asked": change.proposed_end.isoformat(),
            "keep_until_applied": change.applied_end.isoformat() if change.applied_end else None,
            "reason": change.decision_reason or change.reason,
        },
    )


def _apply(archive: BusinessArchive, *, end: datetime.date, years: int, today) -> None:
    archive.retention_end = end
    archive.retention_years = years
    if archive.expired_on and end >= today:
        archive.expired_on = None  # back within retention: the daily job marks it again later
    archive.save(update_fields=["retention_end", "retention_years", "expired_on"])


def retention_change_propose(
    *,
    actor,
    archive: BusinessArchive,
    tour_before: TourGroup,
    tour: TourGroup,
    years: int,
    end: datetime.date,
    reason: str = "",
    now: datetime.datetime | None = None,
) -> RetentionChange | None:
    """Called by `tour_group_update` with the archive row locked, after a tour edit that
    would give the archive keep-until `end` (`years` after the tour). Applies it if it is
    not earlier; records a pending request if it is. An earlier open request is replaced
    by this one (its dates are stale). None when the date does not move."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    if end == archive.retention_end:
        if years != archive.retention_years:
            archive.retention_years = years
            archive.save(update_fields=["retention_years"])
        return None
    archive.retention_changes.filter(status=RetentionChangeStatus.PENDING).update(
        status=RetentionChangeStatus.SUPERSEDED
    )
    change = RetentionChange(
        archive=archive,
        old_end=archive.retention_end,
        proposed_end=end,
        old_years=archive.retention_years,
        proposed_years=years,
        tour_end_before=tour_before.end_date,
        tour_end_after=tour.end_date,
        trip_type_before=tour_before.trip_type,
        trip_type_after=tour.trip_type,
        reason=(reason or "").strip(),
        requested_by=actor,
        requested_at=now,
    )
    if end > archive.retention_end:
        change.status = RetentionChangeStatus.APPLIED
        change.applied_end = end
        _apply(archive, end=end, years=years, today=today)
    else:
        change.status = RetentionChangeStatus.PENDING
    change.save()
    _audit(actor=actor, change=change)
    if change.status == RetentionChangeStatus.PENDING:
        _tell_managers(change.pk)
    return change


def _tell_managers(change_id: int) -> None:
    """One e-mail to the managers, in the office language, queued in the outbox in the
    request's transaction (sent after its commit, again while mail is down)."""
    change = RetentionChange.objects.select_related("archive__tour", "requested_by").get(
        pk=change_id
    )
    with translation.override(settings.LANGUAGE_CODE):
        params = {
            "group": change.archive.tour.group_number,
            "who": str(change.requested_by),
            "old": change.old_end.isoformat(),
            "new": change.proposed_end.isoformat(),
        }
        subject = _("%(group)s: an earlier keep-until date needs your approval") % params
        body = (
            _(
                "%(who)s changed tour %(group)s. Its business archive would then be kept until "
                "%(new)s instead of %(old)s. Until a manager approves it, with a reason, the "
                "archive stays kept until %(old)s. Decide on the archive page or in the "
                "administration under Keep-until changes."
            )
            % params
        )
        if change.reason:
            body += "\n\n" + _("Reason given: %(reason)s") % {"reason": change.reason}
    mail_managers(subject, body, kind="archives.keep_until")


def retention_change_decide(
    *,
    actor,
    change: RetentionChange,
    approve: bool,
    reason: str,
    now: datetime.datetime | None = None,
) -> RetentionChange:
    """A manager approves or refuses a pending earlier keep-until date, with a reason.
    Approved, the archive is kept until the date asked for but at least the policy's
    waiting period after today, and never longer than it already was."""
    require_manager(actor)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Give a reason."), code="reason_required")
    now = now or timezone.now()
    today = timezone.localdate(now)
    with transaction.atomic():
        archive = (
            BusinessArchive.objects.select_for_update()
            .select_related("tour")
            .get(pk=change.archive_id)
        )
        change = RetentionChange.objects.select_for_update().get(pk=change.pk)
        if change.status != RetentionChangeStatus.PENDING:
            raise ValidationError(
                _("This request has already been decided or replaced."), code="not_pending"
            )
        if archive.is_destroyed:
            raise ValidationError(_("This archive has been destroyed."), code="destroyed")
        change.decided_by = actor
        change.decided_at = now
        change.decision_reason = reason
        if approve:
            wait = datetime.timedelta(days=shortening_wait_days(trip_type=archive.tour.trip_type))
            earliest = today + wait
            end = min(archive.retention_end, max(change.proposed_end, earliest))
            change.status = RetentionChangeStatus.APPROVED
            change.applied_end = end
            _apply(archive, end=end, years=change.proposed_years, today=today)
        else:
            change.status = RetentionChangeStatus.REFUSED
        change.save()
        change.archive = archive
        _audit(actor=actor, change=change)
    return change
