"""Managers publish rule versions in the admin and can never edit a published one;
frozen cards; annual reward vouchers recorded against the booking they paid for."""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from loyalty.models import AnnualReward, Card, CardStatus, Rulebook
from loyalty.services import (
    PointsRefused,
    annual_reward_use,
    annual_rewards_issue,
    redemption_create,
)
from tests.factories import BookingFactory
from tests.loyalty.conftest import TODAY

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _rulebook_form(effective_from: datetime.date, levels: list[tuple]) -> dict:
    data = {
        "effective_from": effective_from.isoformat(),
        "validity_months": "18",
        "point_value": "0.02",
        "notes": "",
        "levels-TOTAL_FORMS": str(len(levels)),
        "levels-INITIAL_FORMS": "0",
        "levels-MIN_NUM_FORMS": "0",
        "levels-MAX_NUM_FORMS": "1000",
    }
    for index, (code, rate, grade, spend) in enumerate(levels):
        data |= {
            f"levels-{index}-code": code,
            f"levels-{index}-earn_rate": rate,
            f"levels-{index}-grade_at_least": grade,
            f"levels-{index}-spend_at_least": spend,
            f"levels-{index}-benefits": "",
        }
    return data


def test_a_manager_publishes_a_new_version_and_cannot_edit_it(manager1, client_as):
    client = client_as(manager1)
    add = reverse("admin:loyalty_rulebook_add")
    today = timezone.localdate()
    past = client.post(add, _rulebook_form(today - datetime.timedelta(days=1), []))
    assert "Rules cannot apply to the past" in past.content.decode()
    no_standard = client.post(add, _rulebook_form(today, [("gold", "3", "A", "")]))
    assert "needs the standard card" in no_standard.content.decode()

    response = client.post(
        add, _rulebook_form(today, [("standard", "1.1", "", ""), ("gold", "2", "A", "")])
    )
    assert response.status_code == 302
    published = Rulebook.objects.get(effective_from=today)
    assert (published.version, published.published_by) == (2, manager1)
    assert published.levels.count() == 2

    change = reverse("admin:loyalty_rulebook_change", args=[published.pk])
    page = client.get(change).content.decode()
    assert 'name="_save"' not in page  # read only
    client.post(change, _rulebook_form(today, [("standard", "9", "", "")]))
    published = Rulebook.objects.get(pk=published.pk)
    assert published.validity_months == 18
    assert published.levels.get(code="standard").earn_rate == Decimal("1.1")


def test_a_rep_cannot_open_the_loyalty_admin(sales1, client_as):
    response = client_as(sales1).get(reverse("admin:loyalty_rulebook_changelist"))
    assert response.status_code == 302  # to the admin login: reps are not staff


def test_a_frozen_card_cannot_redeem(customer, pay, reward, sales1):
    pay(customer, amount="500")
    Card.objects.filter(customer=customer).update(status=CardStatus.FROZEN)
    card = Card.objects.get(customer=customer)
    with pytest.raises(PointsRefused, match="frozen"):
        redemption_create(actor=sales1, card_id=card.pk, reward_id=reward.pk, today=TODAY)


def test_an_annual_reward_voucher_is_recorded_against_the_trip_it_paid_for(
    customer, pay, sales1, client_as
):
    # The clock is on 2026-11-23 (conftest): the 2025 vouchers are valid to 2026-12-31.
    pay(customer, amount="60000", paid=datetime.date(2025, 6, 1))
    annual_rewards_issue(year=2025, today=datetime.date(2026, 1, 1))
    voucher = AnnualReward.objects.get()
    trip = BookingFactory(customer=customer, product="精品线路：云南七日游", amount=Decimal("0"))
    card = Card.objects.get(customer=customer)
    client = client_as(sales1)
    statement = client.get(reverse("loyalty:statement", args=[card.pk])).content.decode()
    assert voucher.voucher_code in statement and "Record as used" in statement

    client.post(reverse("loyalty:voucher_use", args=[voucher.pk]), {"booking": trip.pk})
    voucher.refresh_from_db()
    assert (voucher.status, voucher.used_booking) == ("used", trip)
    response = client.post(
        reverse("loyalty:voucher_use", args=[voucher.pk]), {"booking": trip.pk}, follow=True
    )
    assert "already been used" in response.content.decode()


def test_another_reps_voucher_is_not_found(customer, pay, sales3, client_as):
    pay(customer, amount="60000", paid=datetime.date(2025, 6, 1))
    annual_rewards_issue(year=2025, today=datetime.date(2026, 1, 1))
    voucher = AnnualReward.objects.get()
    booking = BookingFactory(customer=customer)
    response = client_as(sales3).post(
        reverse("loyalty:voucher_use", args=[voucher.pk]), {"booking": booking.pk}
    )
    assert response.status_code == 404


def test_an_expired_voucher_cannot_be_recorded_as_used(
    customer, pay, sales1, client_as, time_machine
):
    pay(customer, amount="60000", paid=datetime.date(2025, 6, 1))
    annual_rewards_issue(year=2025, today=datetime.date(2026, 1, 1))
    voucher = AnnualReward.objects.get()
    assert voucher.valid_until == datetime.date(2026, 12, 31)
    trip = BookingFactory(customer=customer, amount=Decimal("0"))

    with pytest.raises(PointsRefused, match="expired on 2026-12-31"):
        annual_reward_use(
            actor=sales1, reward_id=voucher.pk, booking_id=trip.pk, today=datetime.date(2027, 1, 1)
        )
    # 1 January 2027, 00:30 in Shanghai (still 31 December in UTC): expired.
    time_machine.move_to(datetime.datetime(2027, 1, 1, 0, 30, tzinfo=SHANGHAI))
    client = client_as(sales1)
    card = Card.objects.get(customer=customer)
    statement = client.get(reverse("loyalty:statement", args=[card.pk])).content.decode()
    assert voucher.voucher_code in statement and "Record as used" not in statement
    response = client.post(
        reverse("loyalty:voucher_use", args=[voucher.pk]), {"booking": trip.pk}, follow=True
    )
    assert "This voucher expired on 2026-12-31." in response.content.decode()
    voucher.refresh_from_db()
    assert (voucher.status, voucher.used_booking) == ("issued", None)
