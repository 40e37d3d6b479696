# ruff: noqa: S608 - SQL is assembled from fixed fragments and compiled querysets; every value is a parameter.
"""Key-account records, the calendar feed, customer events and catalogue mailings."""

import datetime
import hashlib
import secrets

import icalendar
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.roles import require_manager
from customers.audit import audit_record
from customers.models import AuditAction, Customer
from customers.selectors import customer_can_edit
from followups.models import (
    CalendarFeed,
    CatalogueMailing,
    CustomerEvent,
    EventInvitation,
    FollowupPolicy,
    InvitationReply,
    KeyAccountRecord,
)
from followups.selectors import open_followups_for
from followups.selectors_care import mailing_recipients_eligible
from followups.sql import adapt_params
from privacy.models import Purpose
from privacy.selectors import marketing_consent_q

# --- Key-account communication record --------------------------------------------------------


def key_account_record_create(*, actor, record: KeyAccountRecord) -> KeyAccountRecord:
    if not customer_can_edit(user=actor, customer=record.customer):
        raise PermissionDenied
    record.recorded_by = actor
    record.full_clean()
    with transaction.atomic():
        record.save()
        audit_record(actor=actor, action=AuditAction.CREATE, obj=record)
    return record


# --- Calendar feed ------------------------------------------------------------------------


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def calendar_feed_issue(*, user) -> str:
    """A new secret token for `user`'s calendar URL, replacing any earlier one. Only its
    hash is kept: the token is returned once, to be shown once."""
    token = secrets.token_urlsafe(32)
    CalendarFeed.objects.update_or_create(user=user, defaults={"token_hash": _token_hash(token)})
    return token


def calendar_feed_revoke(*, user) -> None:
    CalendarFeed.objects.filter(user=user).delete()


def calendar_feed_user(*, token: str):
    """The user a token belongs to, or None. The lookup is by the token's SHA-256, so the
    stored value never meets the secret and no timing reveals it."""
    if not token or len(token) > 100:
        return None
    feed = (
        CalendarFeed.objects.select_related("user")
        .filter(token_hash=_token_hash(token), user__is_active=True)
        .first()
    )
    return feed.user if feed else None


def calendar_ics(*, user, today: datetime.date) -> bytes:
    """The user's open follow-ups from a month back to two months ahead: appointments as
    timed events, the rest as all-day items on their due date. A phone calendar fetches
    it with no session and no language of its own, so it is written in the office
    language (settings.LANGUAGE_CODE), whatever the request's Accept-Language."""
    with translation.override(settings.LANGUAGE_CODE):
        return _calendar_ics(user=user, today=today)


def _calendar_ics(*, user, today: datetime.date) -> bytes:
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Travel CRM//followups//ZH")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", _("Return visits: %(name)s") % {"name": user.display_name})
    calendar.add("x-wr-timezone", settings.TIME_ZONE)
    followups = (
        open_followups_for(user=user)
        .filter(
            due_on__gte=today - datetime.timedelta(days=30),
            due_on__lte=today + datetime.timedelta(days=60),
        )
        .select_related("customer")
        .order_by("due_on", "id")[:2000]
    )
    stamp = timezone.now()
    for followup in followups:
        event = icalendar.Event()
        event.add("uid", f"followup-{followup.pk}@travel-crm")
        event.add("dtstamp", stamp)
        event.add("summary", f"{followup.get_kind_display()}: {followup.customer.name}")
        event.add("description", followup.reason)
        if followup.appointment_at:
            start = timezone.localtime(followup.appointment_at)
            event.add("dtstart", start)
            event.add("dtend", start + datetime.timedelta(hours=1))
        else:
            event.add("dtstart", followup.due_on)
        if followup.customer.postal_address:
            event.add("location", followup.customer.postal_address)
        calendar.add_component(event)
    return calendar.to_ical()


# --- Customer events ------------------------------------------------------------------------


def event_create(*, actor, event: CustomerEvent) -> CustomerEvent:
    require_manager(actor)
    event.created_by = actor
    event.full_clean()
    event.save()
    return event


def _insert_from_customers(
    *, table: str, columns: list[str], select: list[str], params: list, customers: QuerySet
) -> int:
    """INSERT … SELECT one row per customer of a (compiled) queryset; rows that already
    exist are left alone. Duplicates in the queryset (joins) collapse in the IN."""
    ids_sql, ids_params = customers.order_by().values("pk").query.sql_with_params()
    statement = (
        f"INSERT INTO {table} ({', '.join(columns)}) "
        f"SELECT {', '.join(select)} FROM customers_customer c WHERE c.id IN ({ids_sql}) "
        "ON CONFLICT DO NOTHING"
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, [*adapt_params(params), *ids_params])
        return max(cursor.rowcount, 0)


def event_invite(*, actor, event: CustomerEvent, customers: QuerySet[Customer], now=None) -> int:
    """Invite every customer of a filtered set at once; those already invited stay as
    they are, people without consent to event invitations are left out. Returns how
    many were newly invited."""
    require_manager(actor)
    now = now or timezone.now()
    customers = customers.filter(marketing_consent_q(Purpose.MARKETING_EVENTS))
    with transaction.atomic():
        return _insert_from_customers(
            table="followups_eventinvitation",
            columns=["event_id", "customer_id", "invited_by_id", "invited_at", "reply"],
            select=["%s", "c.id", "%s", "%s", "%s"],
            params=[event.pk, actor.pk, now, InvitationReply.PENDING.value],
            customers=customers,
        )


def invitation_record(
    *, actor, invitation: EventInvitation, reply: str | None = None,
    attended: bool | None = None, now=None,
) -> EventInvitation:  # fmt: skip
    """A reply (accepted / declined) or, after the event, whether they came."""
    require_manager(actor)
    if reply is not None:
        if reply not in InvitationReply.values:
            raise ValidationError(_("Unknown reply."))
        invitation.reply = reply
        invitation.replied_at = None if reply == InvitationReply.PENDING else now or timezone.now()
    if attended is not None:
        invitation.attended = attended
    invitation.save(update_fields=["reply", "replied_at", "attended"])
    return invitation


# --- Catalogue mailings ---------------------------------------------------------------------


def mailing_create(
    *, actor, mailing: CatalogueMailing, destinations, visible: QuerySet[Customer]
) -> CatalogueMailing:
    """Save the mailing and make its list at once: matching customers with a complete
    postal address who got no catalogue within the policy's cap. Addresses are copied,
    so the labels show where each catalogue went."""
    require_manager(actor)
    mailing.created_by = actor
    mailing.full_clean()
    cap = FollowupPolicy.in_force(today=mailing.mailed_on).mailing_cap_days
    with transaction.atomic():
        mailing.save()
        mailing.destinations.set(destinations)
        eligible, capped = mailing_recipients_eligible(mailing=mailing, visible=visible, cap=cap)
        _insert_from_customers(
            table="followups_mailingrecipient",
            columns=[
                "mailing_id", "customer_id", "mailed_on", "name", "province", "city",
                "district", "street_address", "postal_code", "mobile",
            ],
            select=[
                "%s", "c.id", "%s", "c.name", "c.province", "c.city", "c.district",
                "c.street_address", "c.postal_code", "c.mobile",
            ],
            params=[mailing.pk, mailing.mailed_on],
            customers=eligible,
        )  # fmt: skip
        mailing.skipped_by_cap = capped.count()
        mailing.save(update_fields=["skipped_by_cap"])
    return mailing
