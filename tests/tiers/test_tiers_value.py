"""Issue 14, items 2 and 5: RFM ties score alike, and the value view (policy-weighted
spend, margin, payment delay and bookings; "large but poor value"). Expectations are
computed by hand in the comments."""

import datetime
from decimal import Decimal

import pytest

from tests.factories import CustomerFactory
from tiers.models import CustomerSnapshot, SegmentSummary, TierPolicy, VolumeRule
from tiers.services import monthly_statistics, policy_publish

OCT = datetime.date(2026, 10, 1)
NOV_1 = datetime.date(2026, 11, 1)

pytestmark = pytest.mark.django_db


def snapshot(customer) -> CustomerSnapshot:
    return CustomerSnapshot.objects.get(customer=customer, month=OCT)


def test_identical_figures_get_identical_rfm(sales1, paid_booking):
    """Six travellers. By last trip: e (March), a = b (August), c = d (September),
    f (October): RANK 1, 2, 2, 4, 4, 6 of 6, so R = 1 + ⌊5 × (rank − 1) / 6⌋ =
    1, 1, 1, 3, 3, 5. NTILE(5) would have put a and b in buckets 1 and 2 by their ids.
    F (bookings 1, 1, 1, 2, 2, 3) and M (spend 1,000, 5,000, 5,000, 6,000, 6,000,
    12,000) rank the same way."""
    e, a, b, c, d, f = (CustomerFactory(owner=sales1) for _ in range(6))
    paid_booking(e, 1000, "2026-03-01")
    for twin in (a, b):
        paid_booking(twin, 5000, "2026-08-01")
    for twin in (c, d):
        paid_booking(twin, 3000, "2026-09-01")
        paid_booking(twin, 3000, "2026-09-01")
    for _ in range(3):
        paid_booking(f, 4000, "2026-10-01")

    monthly_statistics(month=OCT, today=NOV_1)

    assert [snapshot(x).rfm for x in (e, a, b, c, d, f)] == [
        "111", "111", "111", "333", "333", "555",
    ]  # fmt: skip


def test_value_score_weighs_spend_margin_delay_and_bookings(sales1, paid_booking):
    """Five buyers, one booking each (so F = 1 for all), default weights 40/30/20/10.

    | | spend | margin | delay | M | margin score | delay score | value |
    |---|---|---|---|---|---|---|---|
    | A | 5,000 | 5% | 40 d | 5 | 1 | 1 | 100 × (40×4) / 400 = 40 |
    | B | 4,000 | 20% | 0 d | 4 | 4 | 5 | 100 × (120+90+80) / 400 = 72.5 → 73 |
    | C | 3,000 | 10% | 10 d | 3 | 2 | 3 | 100 × (80+30+40) / 400 = 37.5 → 38 |
    | D | 2,000 | 25% | 5 d | 2 | 5 | 4 | 100 × (40+120+60) / 400 = 55 |
    | E | 1,000 | 15% | 20 d | 1 | 3 | 2 | 100 × (0+60+20) / 400 = 20 |

    A is the top 20% by spend (large) with a 5% margin: large but poor value."""
    paid = datetime.date(2026, 9, 30)
    figures = {
        "A": (5000, 4750, 40),
        "B": (4000, 3200, 0),
        "C": (3000, 2700, 10),
        "D": (2000, 1500, 5),
        "E": (1000, 850, 20),
    }
    customers = {}
    for name, (amount, cost, delay) in figures.items():
        customers[name] = CustomerFactory(owner=sales1)
        paid_booking(
            customers[name],
            amount,
            paid,
            cost=Decimal(cost),
            payment_due_date=paid - datetime.timedelta(days=delay),
        )
    idle = CustomerFactory(owner=sales1)

    monthly_statistics(month=OCT, today=NOV_1)

    scores = {name: snapshot(c).value_score for name, c in customers.items()}
    assert scores == {"A": 40, "B": 73, "C": 38, "D": 55, "E": 20}
    assert snapshot(idle).value_score is None
    assert {name: snapshot(c).poor_value for name, c in customers.items()} == {
        "A": True, "B": False, "C": False, "D": False, "E": False,
    }  # fmt: skip
    assert snapshot(customers["A"]).margin_percent == Decimal("5.0")
    # The quadrant report reads the flag from the per-owner summaries.
    flagged = SegmentSummary.objects.get(month=OCT, poor_value=True)
    assert (flagged.customers, flagged.spend) == (1, Decimal("5000"))


def test_value_weights_are_policy(sales1, manager1, paid_booking):
    """Only the margin weighs (weight 5, the others 0). Of two buyers the better margin
    ranks 2 of 2: score 1 + ⌊5 × 1 / 2⌋ = 3, value 100 × 5 × (3 − 1) / (4 × 5) = 50;
    the thinner margin scores 1: value 0."""
    policy = TierPolicy.objects.order_by("-version").first() or TierPolicy.objects.create(version=1)
    policy.value_weight_spend = policy.value_weight_delay = policy.value_weight_frequency = 0
    policy.value_weight_margin = 5
    newer = policy_publish(actor=manager1, policy=policy)
    thin, fat = CustomerFactory(owner=sales1), CustomerFactory(owner=sales1)
    paid_booking(thin, 9000, "2026-09-01", cost=Decimal("8900"))
    paid_booking(fat, 1000, "2026-09-01", cost=Decimal("500"))

    monthly_statistics(month=OCT, today=NOV_1)

    assert (snapshot(fat).value_score, snapshot(thin).value_score) == (50, 0)
    assert snapshot(fat).policy == newer


def test_poor_value_at_its_thresholds(sales1, manager1, paid_booking):
    """Large = ¥5,000 or more (fixed rule). Thin margin: below 10%; long delay: over 30
    days on average. Exactly 10% and exactly 30 days are not poor value."""
    policy = TierPolicy.objects.order_by("-version").first() or TierPolicy.objects.create(version=1)
    policy.volume_rule = VolumeRule.FIXED_AMOUNT
    policy.volume_min_spend = Decimal("5000")
    policy_publish(actor=manager1, policy=policy)
    paid = datetime.date(2026, 9, 30)
    on_time = {"payment_due_date": paid}

    def customer(amount, cost, delays=(0,)):
        one = CustomerFactory(owner=sales1)
        share = Decimal(amount) / len(delays)
        for delay in delays:
            paid_booking(
                one,
                share,
                paid,
                cost=Decimal(cost) / len(delays),
                payment_due_date=paid - datetime.timedelta(days=delay),
            )
        return one

    margin_10 = customer(10000, 9000)  # 10.0%
    margin_under_10 = customer(10000, 9001)  # 9.99%
    delay_30 = customer(10000, 8000, delays=(30,))
    delay_over_30 = customer(10000, 8000, delays=(30, 31))  # 30.5 days on average
    small_and_thin = CustomerFactory(owner=sales1)
    paid_booking(small_and_thin, 4999, paid, cost=Decimal("4999"), **on_time)

    monthly_statistics(month=OCT, today=NOV_1)

    assert snapshot(margin_10).poor_value is False
    assert snapshot(margin_under_10).poor_value is True
    assert snapshot(delay_30).poor_value is False
    assert snapshot(delay_over_30).avg_payment_delay_days == Decimal("30.5")
    assert snapshot(delay_over_30).poor_value is True
    assert snapshot(small_and_thin).large_volume is False
    assert snapshot(small_and_thin).poor_value is False


def test_a_policy_change_leaves_stored_values(sales1, manager1, paid_booking):
    one = CustomerFactory(owner=sales1)
    paid_booking(one, 60000, "2026-09-01", cost=Decimal("57000"))  # 5% margin, top buyer
    for _ in range(4):
        paid_booking(CustomerFactory(owner=sales1), 1000, "2026-09-01")
    monthly_statistics(month=OCT, today=NOV_1)
    assert snapshot(one).poor_value is True

    policy = TierPolicy.objects.order_by("-version").first()
    policy.poor_value_margin_percent = 3
    policy_publish(actor=manager1, policy=policy)
    monthly_statistics(month=datetime.date(2026, 11, 1), today=datetime.date(2026, 12, 1))

    assert snapshot(one).poor_value is True  # October stays as computed
    november = CustomerSnapshot.objects.get(customer=one, month=datetime.date(2026, 11, 1))
    assert november.poor_value is False
