"""What a person has consented to, for pages and for other apps' set-based work."""

import datetime
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

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
