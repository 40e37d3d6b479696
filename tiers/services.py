"""Writes: the monthly statistics and half-yearly evaluation jobs, the committee's
decisions, manual grade overrides, and the messages telling customers their grade.
Only these functions write `Customer.grade`."""

import datetime
import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.roles import MANAGER, has_role, is_manager, require_manager
from customers.audit import audit_record
from customers.dbstats import tables_analyze
from customers.models import AuditAction, Customer, Grade, MessageStatus
from customers.services.history import REASONS as HISTORY_REASONS
from customers.services.history import customers_history_record
from customers.services.outbox import MessageDraft, messages_queue
from tiers import statistics
from tiers.models import (
    ChangeSource,
    CustomerSnapshot,
    Evaluation,
    GradeChange,
    GradeNotification,
    NotificationChannel,
    NotificationStatus,
    ParetoSummary,
    Proposal,
    ProposalStatus,
    RfmSummary,
    SegmentSummary,
    StatisticsRun,
    TierPolicy,
)
from tiers.signals import grades_changed
from tiers.statistics import add_months, month_end, month_start

logger = logging.getLogger(__name__)


def policy_current() -> TierPolicy:
    """The policy version in force: the newest."""
    policy = TierPolicy.objects.order_by("-version").first()
    if policy is None:  # the data migration seeds version 1; flushed test databases
        policy = TierPolicy.objects.create(version=1)
    return policy


def policy_publish(*, actor, policy: TierPolicy) -> TierPolicy:
    """Save `policy` as a new version (editing a version means publishing its copy), so
    snapshots and evaluations made with earlier versions keep theirs."""
    if not is_manager(actor):
        raise PermissionDenied
    with transaction.atomic():
        newest = TierPolicy.objects.select_for_update().order_by("-version").first()
        policy.pk = None
        policy._state.adding = True
        policy.version = (newest.version if newest else 0) + 1
        policy.created_by = actor
        policy.full_clean(exclude=["version"])
        policy.save()
    return policy


def statistics_default_month(*, today: datetime.date) -> datetime.date:
    """The month the job computes when run on `today`: the last complete one."""
    return add_months(month_start(today), -1)


def monthly_statistics(
    *, month: datetime.date, today: datetime.date, now: datetime.datetime | None = None
) -> StatisticsRun | None:
    """每月统计: snapshot every customer's figures at the end of `month` under the policy
    in force, and the per-owner summaries the reports read.

    The month is claimed first, inside the transaction that does the work: a second run
    for the month, or a second worker at the same time (it waits on the unique month
    until the first commits), finds the claim and returns None. Rows once written are
    never recomputed, so a later policy change leaves them as they were."""
    month = month_start(month)
    if month_end(month) >= today:
        raise ValidationError(
            _("%(month)s is not over yet; its statistics can run from %(day)s.")
            % {"month": f"{month:%Y-%m}", "day": add_months(month, 1).isoformat()}
        )
    now = now or timezone.now()
    with transaction.atomic():
        policy = policy_current()
        run, created = StatisticsRun.objects.get_or_create(
            month=month, defaults={"policy": policy, "started_at": now}
        )
        if not created:
            return None
        run.customer_count = statistics.insert_snapshots(month=month, policy=policy)
        # The summaries below and the review after read the month's snapshots: planned
        # on statistics that know them (customers.dbstats).
        tables_analyze(CustomerSnapshot)
        statistics.insert_summaries(month=month)
        tables_analyze(SegmentSummary, RfmSummary, ParetoSummary)
        run.finished_at = timezone.now()
        run.save(update_fields=["customer_count", "finished_at"])
    logger.info("Tier statistics for %s: %s customers", month, run.customer_count)
    return run


def half_yearly_review(
    *, today: datetime.date, now: datetime.datetime | None = None
) -> Evaluation | None:
    """每半年重新评估: propose grade changes from the last complete month's snapshots
    (computed first if the monthly job has not run yet). Claimed by the review date like
    the monthly job. Nothing changes until the committee approves."""
    now = now or timezone.now()
    snapshot_month = statistics_default_month(today=today)
    monthly_statistics(month=snapshot_month, today=today, now=now)
    with transaction.atomic():
        evaluation, created = Evaluation.objects.get_or_create(
            review_date=today,
            defaults={
                "snapshot_month": snapshot_month,
                "policy": policy_current(),
                "created_at": now,
            },
        )
        if not created:
            return None
        until = timezone.make_aware(datetime.datetime.combine(today, datetime.time.min))
        since = timezone.make_aware(
            datetime.datetime.combine(add_months(month_start(today), -12), datetime.time.min)
        )
        evaluation.proposal_count = statistics.insert_proposals(
            evaluation=evaluation, complaints_since=since, complaints_until=until
        )
        # Without it the committee's first approval was planned for a 1-row table: 43 s
        # instead of 0.31 s for 2,000 proposals at a million customers; the review page
        # 1.7 s instead of 0.17 s.
        tables_analyze(Proposal, changed_rows=evaluation.proposal_count)
        evaluation.save(update_fields=["proposal_count"])
    return evaluation


def proposals_decide(
    *,
    actor,
    evaluation: Evaluation,
    proposals,
    grade: str | None = None,
    reject: bool = False,
    note: str = "",
    now: datetime.datetime | None = None,
    send_email: bool = True,
) -> int:
    """The committee's decision on the still-pending `proposals` (a queryset of this
    evaluation's): approve them as proposed, or override them with `grade` or `reject`
    them (both need a reason). Approved and overridden grades take effect at once: the
    customers' grades are updated in a few set-based statements, each effective change
    is recorded, and the customers are told. Returns how many were decided."""
    require_manager(actor)
    note = (note or "").strip()
    if (grade or reject) and not note:
        raise ValidationError(_("An override needs a reason."))
    if grade and grade not in Grade.values:
        raise ValidationError(_("Choose grade A, B or C."))
    now = now or timezone.now()
    if reject:
        values = {"status": ProposalStatus.REJECTED, "decided_grade": ""}
    elif grade:
        values = {"status": ProposalStatus.OVERRIDDEN, "decided_grade": grade}
    else:
        values = {"status": ProposalStatus.APPROVED}
    with transaction.atomic():
        # One decision at a time per evaluation: the batch is identified by (actor, now).
        Evaluation.objects.select_for_update().get(pk=evaluation.pk)
        pending = proposals.filter(evaluation=evaluation, status=ProposalStatus.PENDING)
        count = pending.update(decided_by=actor, decided_at=now, decision_note=note[:300], **values)
        if not count:
            return 0
        if values["status"] == ProposalStatus.APPROVED:
            Proposal.objects.filter(evaluation=evaluation, decided_by=actor, decided_at=now).update(
                decided_grade=F("to_grade")
            )
        if not reject:
            _apply_changes(actor=actor, evaluation=evaluation, now=now, send_email=send_email)
        # A large decision moves the review's status figures (pending → decided) and
        # fills the grade changes the reports and the next review read.
        tables_analyze(Proposal, GradeChange, GradeNotification, changed_rows=count)
        audit_record(
            actor=actor,
            action=AuditAction.CHANGE,
            obj=evaluation,
            object_type="tier_evaluation",
            detail={"decided": count, "decision": values["status"], "grade": grade or ""},
        )
    return count


def _apply_changes(
    *, actor, evaluation: Evaluation, now: datetime.datetime, send_email: bool
) -> None:
    """Record and apply the batch's grades where they differ from the grade in force."""
    statistics.insert_grade_changes(evaluation=evaluation, actor_id=actor.pk, now=now)
    changes = GradeChange.objects.filter(evaluation=evaluation, approved_by=actor, changed_at=now)
    _set_grades_and_notify(
        changes=changes,
        change_filter=(
            "g.evaluation_id = %(evaluation)s AND g.approved_by_id = %(actor)s "
            "AND g.changed_at = %(when)s"
        ),
        params={
            "evaluation": evaluation.pk,
            "actor": actor.pk,
            "when": connection.ops.adapt_datetimefield_value(now),
        },
        now=now,
        send_email=send_email,
    )


def _set_grades_and_notify(
    *, changes, change_filter: str, params: dict, now: datetime.datetime, send_email: bool = True
) -> None:
    """Set the grades in force (one UPDATE per grade) and queue the messages; e-mails
    go out after the commit."""
    for grade in Grade.values:
        Customer.objects.filter(pk__in=changes.filter(to_grade=grade).values("customer_id")).update(
            grade=grade
        )
    grades_changed.send(sender=GradeChange, changes=changes)
    # The customers' change history sees the new grades too (the UPDATE bypasses save()).
    for actor_id, reason in changes.order_by().values_list("approved_by_id", "reason").distinct():
        customers_history_record(
            customers=Customer.all_objects.filter(
                pk__in=changes.filter(approved_by_id=actor_id, reason=reason).values("customer_id")
            ),
            actor_id=actor_id,
            reason=reason or HISTORY_REASONS["committee"],
            now=now,
        )
    statistics.insert_notifications(change_filter=change_filter, params=params, now=now)
    if send_email:
        grade_emails_queue(notifications=GradeNotification.objects.filter(change__in=changes))


GRADE_EMAIL = "tiers.grade"


def grade_emails_queue(*, notifications) -> int:
    """Queue the pending grade e-mails among `notifications` in the outbox, in the
    office language, inside the caller's transaction: they go out after the commit and
    are retried while mail is down; the notification follows its message (sent, or
    failed for good: `grade_email_settled`). The grade change never waits on mail."""
    pending = (
        notifications.filter(channel=NotificationChannel.EMAIL, status=NotificationStatus.PENDING)
        .select_related("customer")
        .order_by("pk")
    )
    policy = policy_current()
    drafts = []
    with translation.override(settings.LANGUAGE_CODE):
        for notification in pending.iterator(chunk_size=2000):
            drafts.append(
                MessageDraft(
                    recipients=[notification.address],
                    subject=_("Your customer grade: %(grade)s") % {"grade": notification.grade},
                    body=grade_message_text(notification=notification, policy=policy),
                    reference=f"grade_notification:{notification.pk}",
                )
            )
    return len(messages_queue(kind=GRADE_EMAIL, drafts=drafts))


def grade_email_settled(*, message) -> int:
    """The outbox sent a grade e-mail, or gave up on it: its notification says so (the
    owner's tasks and the customer page read it)."""
    if message.kind != GRADE_EMAIL or not message.reference.startswith("grade_notification:"):
        return 0
    pk = message.reference.partition(":")[2]
    notifications = GradeNotification.objects.filter(
        pk=pk, channel=NotificationChannel.EMAIL, status=NotificationStatus.PENDING
    )
    if message.status == MessageStatus.SENT:
        return notifications.update(status=NotificationStatus.SENT, done_at=message.sent_at)
    return notifications.update(
        status=NotificationStatus.FAILED,
        error=(message.last_error or _("The mail server refused it."))[:300],
    )


def grade_email_settled_receiver(sender, *, message, **kwargs) -> None:
    """customers.signals.outbound_message_settled, connected in TiersConfig.ready()."""
    grade_email_settled(message=message)


def grade_message_text(*, notification: GradeNotification, policy: TierPolicy) -> str:
    """What the customer is told (the e-mail, and the script for SMS and calls)."""
    return _(
        "Dear %(name)s,\n\nThank you for travelling with us. Your customer grade is now "
        "%(grade)s. What it brings you: %(benefits)s\n\nYour travel adviser will be glad "
        "to help with your next trip."
    ) % {
        "name": notification.customer.name,
        "grade": notification.grade,
        "benefits": policy.benefits(notification.grade),
    }


def grade_override(
    *,
    actor,
    customer: Customer,
    grade: str,
    reason: str,
    now: datetime.datetime | None = None,
) -> GradeChange:
    """A manager's qualitative judgement (word of mouth, brand loyalty): set the grade
    with a reason. Shown as a manual change in the grade history; the customer is told."""
    require_manager(actor)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("A manual grade change needs a reason."))
    if grade not in Grade.values:
        raise ValidationError(_("Choose grade A, B or C."))
    now = now or timezone.now()
    with transaction.atomic():
        locked = Customer.objects.select_for_update().get(pk=customer.pk)
        if locked.grade == grade:
            raise ValidationError(_("The customer already has grade %(grade)s.") % {"grade": grade})
        change = GradeChange.objects.create(
            customer=locked,
            from_grade=locked.grade,
            to_grade=grade,
            source=ChangeSource.MANUAL,
            reason=reason[:300],
            approved_by=actor,
            changed_at=now,
        )
        _set_grades_and_notify(
            changes=GradeChange.objects.filter(pk=change.pk),
            change_filter="g.id = %(change)s",
            params={"change": change.pk},
            now=now,
        )
        audit_record(
            actor=actor,
            action=AuditAction.CHANGE,
            obj=locked,
            detail={"grade": [change.from_grade, grade], "reason": reason[:300]},
        )
    customer.grade = grade
    return change


def notification_mark_done(*, actor, notification: GradeNotification) -> bool:
    """The owner (or a manager) has sent the SMS or made the call."""
    if not (notification.owner_id == actor.pk or has_role(actor, MANAGER)):
        raise PermissionDenied
    return bool(
        GradeNotification.objects.filter(
            Q(pk=notification.pk),
            ~Q(channel=NotificationChannel.EMAIL),
            status=NotificationStatus.PENDING,
        ).update(status=NotificationStatus.DONE, done_at=timezone.now(), done_by=actor)
    )
