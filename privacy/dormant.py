"""Customer-data retention (PIPL Art. 19): a person with no business and no contact for
the policy's years is proposed for anonymisation; a custodian confirms (the same
anonymisation service) or keeps them with a reason (not proposed again for a year).

The daily job is one INSERT … SELECT over every customer, claimed by its `DormantRun`
row (a second run of the same day does nothing), then ANALYZE after a large insert."""

import datetime

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from customers.audit import audit_record_many
from customers.dbstats import tables_analyze
from customers.models import (
    AuditAction,
    Booking,
    ContactRecord,
    Customer,
    CustomerKind,
    ServiceRecord,
)
from privacy.anonymisation import privacy_can_anonymise
from privacy.models import DormantProposal, DormantRun, PrivacyPolicy, ProposalStatus

KEEP_YEARS = 1  # a kept person is not proposed again for this long


def add_years(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def dormant_cutoff(*, today: datetime.date, years: int) -> datetime.date:
    """Business or contact on this day or later keeps a person; the day before does not."""
    return add_years(today, -years)


def _followup_table() -> str | None:
    from django.apps import apps

    try:
        return apps.get_model("followups", "Followup")._meta.db_table
    except LookupError:
        return None


def dormant_propose(*, today: datetime.date) -> DormantRun | None:
    """Propose every dormant person not already proposed or kept. None when already
    run for `today`."""
    policy = PrivacyPolicy.current()
    cutoff = dormant_cutoff(today=today, years=policy.dormant_years)
    cutoff_at = timezone.make_aware(datetime.datetime.combine(cutoff, datetime.time.min))
    quote = connection.ops.quote_name
    customer, booking = Customer._meta.db_table, Booking._meta.db_table
    contact, service = ContactRecord._meta.db_table, ServiceRecord._meta.db_table
    proposal = DormantProposal._meta.db_table
    followups = _followup_table()
    done_followup = (
        f"AND NOT EXISTS (SELECT 1 FROM {quote(followups)} f WHERE f.customer_id = c.id "  # noqa: S608
        "AND f.status = 'done' AND f.completed_at >= %s)"
        if followups
        else ""
    )
    last_followup = (
        f"UNION ALL SELECT MAX(f.completed_at) FROM {quote(followups)} f "  # noqa: S608
        "WHERE f.customer_id = c.id AND f.status = 'done'"
        if followups
        else ""
    )
    sql = f"""
        INSERT INTO {quote(proposal)}
            (customer_id, proposed_on, last_business_on, last_contact_at, status,
             decision_reason)
        SELECT c.id, %s,
            (SELECT MAX(d) FROM (
                SELECT MAX(b.end_date) AS d FROM {quote(booking)} b WHERE b.customer_id = c.id
                UNION ALL
                SELECT MAX(b.paid_date) FROM {quote(booking)} b WHERE b.customer_id = c.id
            ) lb),
            (SELECT MAX(t) FROM (
                SELECT MAX(r.contacted_at) AS t FROM {quote(contact)} r
                    WHERE r.customer_id = c.id
                UNION ALL
                SELECT MAX(s.occurred_at) FROM {quote(service)} s WHERE s.customer_id = c.id
                {last_followup}
            ) lc),
            'proposed', ''
        FROM {quote(customer)} c
        WHERE c.kind = %s AND c.deleted_at IS NULL AND c.anonymised_at IS NULL
          AND c.created_at < %s
          AND NOT EXISTS (SELECT 1 FROM {quote(booking)} b WHERE b.customer_id = c.id
                          AND (b.end_date >= %s OR b.paid_date >= %s))
          AND NOT EXISTS (SELECT 1 FROM {quote(contact)} r WHERE r.customer_id = c.id
                          AND r.contacted_at >= %s)
          AND NOT EXISTS (SELECT 1 FROM {quote(service)} s WHERE s.customer_id = c.id
                          AND s.occurred_at >= %s)
          {done_followup}
          AND NOT EXISTS (SELECT 1 FROM {quote(proposal)} p WHERE p.customer_id = c.id
                          AND (p.status = 'proposed'
                               OR (p.status = 'kept' AND p.keep_until > %s)))
    """  # noqa: S608 - table names are the models' own; every value is a parameter
    # Raw SQL gets no field adaptation: values the way the ORM stores them (UTC on SQLite).
    day, at = connection.ops.adapt_datefield_value, connection.ops.adapt_datetimefield_value
    params = [
        day(today),
        CustomerKind.INDIVIDUAL.value,
        at(cutoff_at),
        day(cutoff),
        day(cutoff),
        at(cutoff_at),
        at(cutoff_at),
        *([at(cutoff_at)] if followups else []),
        day(today),
    ]
    with transaction.atomic():
        try:
            with transaction.atomic():
                run = DormantRun.objects.create(run_date=today)
        except IntegrityError:
            return None
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            count = max(cursor.rowcount, 0)
        run.proposed_count = count
        run.save(update_fields=["proposed_count"])
        tables_analyze(DormantProposal, changed_rows=count)
    return run


def dormant_keep(
    *, proposals: list[DormantProposal], by, reason: str, today: datetime.date | None = None
) -> int:
    """Keep the people proposed, with a reason: not proposed again for a year."""
    from django.core.exceptions import PermissionDenied, ValidationError

    if not privacy_can_anonymise(by):
        raise PermissionDenied
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Give a reason for keeping them."), code="reason_required")
    today = today or timezone.localdate()
    ids = [proposal.pk for proposal in proposals]
    keep_until = add_years(today, KEEP_YEARS)
    with transaction.atomic():
        keeping = list(
            DormantProposal.objects.select_for_update(of=("self",))
            .filter(pk__in=ids, status=ProposalStatus.PROPOSED)
            .select_related("customer")
        )
        kept = DormantProposal.objects.filter(pk__in=[p.pk for p in keeping]).update(
            status=ProposalStatus.KEPT,
            decided_by=by,
            decided_at=timezone.now(),
            decision_reason=reason[:300],
            keep_until=keep_until,
        )
        # A decision about a person's archive: on each customer's audit trail too.
        detail = {"dormant": "kept", "reason": reason[:300], "keep_until": keep_until.isoformat()}
        audit_record_many(
            actor=by,
            action=AuditAction.CHANGE,
            items=[(proposal.customer, detail) for proposal in keeping],
        )
    return kept
