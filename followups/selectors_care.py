"""Reads for events and mailings."""

import datetime

from django.db.models import Exists, OuterRef, Q, QuerySet

from customers.models import Customer, CustomerStatus
from followups.models import CatalogueMailing, MailingRecipient
from privacy.models import Purpose
from privacy.selectors import customers_without_consent, marketing_consent_q

UNGRADED = "-"  # the filter value for customers not graded yet (grade "")
COMPLETE_ADDRESS = ~Q(province="") & ~Q(city="") & ~Q(street_address="") & ~Q(postal_code="")


def customers_matching(
    *,
    visible: QuerySet[Customer],
    grades=(),
    key_accounts_only: bool = False,
    team=None,
    destinations=(),
) -> QuerySet[Customer]:
    """Live customers by grade ('' = not graded yet), key account, team of the owner and
    desired destination (any of them)."""
    customers = visible.filter(status__in=[CustomerStatus.ACTIVE, CustomerStatus.DORMANT])
    if grades:
        customers = customers.filter(
            grade__in=["" if grade == UNGRADED else grade for grade in grades]
        )
    if key_accounts_only:
        customers = customers.filter(is_key_account=True)
    if team is not None:
        customers = customers.filter(owner__team=team)
    if destinations:
        customers = customers.filter(
            pk__in=Customer.desired_destinations.through.objects.filter(
                destination__in=list(destinations)
            ).values("customer_id")
        )
    return customers


def mailing_matching(*, mailing: CatalogueMailing, visible: QuerySet[Customer]) -> QuerySet:
    return customers_matching(
        visible=visible,
        grades=[grade for grade in mailing.grades.split(",") if grade],
        key_accounts_only=mailing.key_accounts_only,
        team=mailing.team,
        destinations=list(mailing.destinations.all()),
    )


def mailing_recipients_eligible(
    *, mailing: CatalogueMailing, visible: QuerySet[Customer], cap: int
) -> tuple[QuerySet, QuerySet]:
    """(who gets it, who is left out by the cap) among matching customers with a
    complete address and, for people, consent to marketing by post."""
    with_address = mailing_matching(mailing=mailing, visible=visible).filter(
        COMPLETE_ADDRESS, marketing_consent_q(Purpose.MARKETING_POST)
    )
    recent = MailingRecipient.objects.filter(
        customer=OuterRef("pk"),
        mailed_on__gt=mailing.mailed_on - datetime.timedelta(days=cap),
        mailed_on__lt=mailing.mailed_on + datetime.timedelta(days=cap),
    ).exclude(mailing=mailing)
    if cap == 0:
        return with_address, with_address.none()
    return with_address.filter(~Exists(recent)), with_address.filter(Exists(recent))


def mailing_incomplete_addresses(
    *, mailing: CatalogueMailing, visible: QuerySet[Customer]
) -> QuerySet:
    """Matching customers who could not be mailed: their address needs correcting."""
    return mailing_matching(mailing=mailing, visible=visible).exclude(COMPLETE_ADDRESS)


def mailing_left_out_by_consent(*, mailing: CatalogueMailing, visible: QuerySet[Customer]):
    """Matching people with a complete address who get no catalogue: no consent to
    marketing by post, never given or withdrawn (`consent_withdrawn_at`)."""
    matching = mailing_matching(mailing=mailing, visible=visible).filter(COMPLETE_ADDRESS)
    return customers_without_consent(
        matching.exclude(pk__in=mailing.recipients.values("customer_id")),
        Purpose.MARKETING_POST,
    )
