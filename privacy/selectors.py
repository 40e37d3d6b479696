"""What a person has consented to, for pages and for other apps' set-based work."""

import datetime
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from customers.models import CustomerKind
from privacy.models import Consent, ConsentText, Purpose


@dataclass(frozen=True)
class PurposeState:
    purpose: Purpose
    consent: Consent | None  # the one in force, if any

    @property
    def given(self) -> bool:
        return self.consent is not None


def consent_states(*, customer) -> list[PurposeState]:
    """Every purpose with the consent in force for it (one query)."""
    in_force = {
        consent.purpose: consent
        for consent in Consent.objects.filter(
            customer=customer, withdrawn_at__isnull=True
        ).select_related("text", "recorded_by")
    }
    return [PurposeState(purpose=p, consent=in_force.get(p.value)) for p in Purpose]


def consent_history(*, customer) -> QuerySet[Consent]:
    return (
        Consent.objects.filter(customer=customer)
        .select_related("text", "recorded_by", "withdrawn_by")
        .order_by("-given_at", "-id")
    )


def consent_texts_published(*, today: datetime.date | None = None) -> QuerySet[ConsentText]:
    today = today or timezone.localdate()
    return ConsentText.objects.filter(published_on__lte=today)


def consent_in_force_q(purpose: str, *, customer_field: str = "pk") -> Q:
    """Rows (customers, or rows with a customer) whose person has `purpose` in force."""
    return Q(
        Exists(
            Consent.objects.filter(
                customer=OuterRef(customer_field), purpose=purpose, withdrawn_at__isnull=True
            )
        )
    )


def consent_in_force_sql(*, customer_sql: str) -> str:
    """The same, for raw SQL (the daily planning): one `%s` parameter, the purpose."""
    # customer_sql is a column reference written in code, never input.
    condition = "pc.purpose = %s AND pc.withdrawn_at IS NULL"
    return f"EXISTS (SELECT 1 FROM privacy_consent pc WHERE pc.customer_id = {customer_sql} AND {condition})"  # noqa: S608, E501


# The consent each contact channel needs for marketing (greetings, regular calls).
MARKETING_PURPOSE_BY_CHANNEL = {
    "phone": Purpose.MARKETING_PHONE,
    "visit": Purpose.MARKETING_PHONE,
    "meeting": Purpose.MARKETING_PHONE,
    "wechat": Purpose.MARKETING_WECHAT,
    "sms": Purpose.MARKETING_SMS,
    "email": Purpose.MARKETING_EMAIL,
    "card": Purpose.MARKETING_POST,
}


def marketing_channels(purposes) -> list[str]:
    """The contact channels the given marketing purposes cover."""
    wanted = {str(purpose) for purpose in purposes}
    return [channel for channel, p in MARKETING_PURPOSE_BY_CHANNEL.items() if p.value in wanted]


def marketing_allowed_sql(*, customer: str, channel_sql: str) -> str:
    """SQL true when marketing by `channel_sql` (an SQL expression giving a contact
    channel) may reach customer alias `customer`: organisations always (consent is a
    person's), a person only with the channel's marketing consent in force. No params."""
    cases = " ".join(
        f"WHEN '{channel}' THEN '{purpose.value}'"
        for channel, purpose in MARKETING_PURPOSE_BY_CHANNEL.items()
    )
    # `customer` and `channel_sql` are written in code (aliases, literals), never input.
    in_force = f"pc.customer_id = {customer}.id AND pc.withdrawn_at IS NULL"
    purpose = f"pc.purpose = CASE {channel_sql} {cases} END"
    exists = f"EXISTS (SELECT 1 FROM privacy_consent pc WHERE {in_force} AND {purpose})"  # noqa: S608
    return f"({customer}.kind <> 'individual' OR {exists})"


def marketing_consent_q(purpose: str) -> Q:
    """Customers marketing under `purpose` may reach: organisations, and people with it in
    force."""
    return ~Q(kind=CustomerKind.INDIVIDUAL) | consent_in_force_q(purpose)


def customers_without_consent(queryset: QuerySet, purpose: str) -> QuerySet:
    """The people in `queryset` without `purpose` in force, each with
    `consent_withdrawn_at`: when they withdrew it, or None if it was never given."""
    last_withdrawal = (
        Consent.objects.filter(customer=OuterRef("pk"), purpose=purpose, withdrawn_at__isnull=False)
        .order_by("-withdrawn_at")
        .values("withdrawn_at")[:1]
    )
    return (
        queryset.filter(kind=CustomerKind.INDIVIDUAL)
        .exclude(consent_in_force_q(purpose))
        .annotate(consent_withdrawn_at=Subquery(last_withdrawal))
    )
