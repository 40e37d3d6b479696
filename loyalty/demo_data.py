"""The demo agency's points programme, added by `manage.py load_demo`: a reward
catalogue, cards and points for the paid bookings since the programme began (rulebook
v1 from the data migration), a few redemptions (one cancelled), a manager's adjustment,
and last year's annual spend rewards. A second run changes nothing."""

import datetime
import random

from django.contrib.auth import get_user_model

from customers.models import Booking
from loyalty.models import Card, Redemption, Reward, RewardKind, Rulebook
from loyalty.selectors import PAID_STATUSES
from loyalty.services import (
    PointsRefused,
    annual_rewards_issue,
    booking_points_sync,
    points_adjust,
    redemption_cancel,
    redemption_create,
)

# Points are earned booking by booking through the service (the ledger's rules in one
# place); a very large demo stops here and leaves the rest to the monthly sweep.
MAX_DEMO_BOOKINGS = 3000

CATALOGUE = [
    ("机场贵宾厅单次使用", RewardKind.SERVICE, 1500, None, "国内主要机场贵宾厅，含简餐"),
    ("旅行颈枕与眼罩套装", RewardKind.TRAVEL_PRODUCT, 2000, 200, ""),
    ("¥100 旅游代金券", RewardKind.VOUCHER, 8000, None, "下次报名任意线路抵扣现金"),
    ("行李箱（20 寸）", RewardKind.TRAVEL_PRODUCT, 12000, 30, ""),
    ("¥500 旅游代金券", RewardKind.VOUCHER, 40000, None, "下次报名任意线路抵扣现金"),
    ("三亚双人三晚酒店", RewardKind.TRAVEL_PRODUCT, 90000, 5, "含早餐，旺季除外"),
]


def load(*, stdout, today: datetime.date, seed: int = 2026) -> None:
    if Reward.objects.exists() or Card.objects.exists():
        stdout.write("Loyalty demo already loaded.")
        return
    rng = random.Random(seed)
    User = get_user_model()
    manager = User.objects.get(username="manager1")
    rewards = [
        Reward.objects.create(
            name=name, kind=kind, points_price=price, stock=stock, description=description
        )
        for name, kind, price, stock, description in CATALOGUE
    ]
    start = Rulebook.objects.order_by("effective_from").values_list("effective_from", flat=True)
    paid = Booking.objects.filter(
        status__in=PAID_STATUSES, paid_date__gte=start[:1], paid_date__lte=today
    ).order_by("paid_date", "pk")
    booking_ids = list(paid.values_list("pk", flat=True)[:MAX_DEMO_BOOKINGS])
    for booking_id in booking_ids:
        booking_points_sync(booking_id=booking_id, today=today)

    redeemed = 0
    cards = list(Card.objects.filter(balance__gte=1500).select_related("customer__owner")[:40])
    rng.shuffle(cards)
    for card in cards[:12]:
        affordable = [reward for reward in rewards if reward.points_price <= card.balance]
        try:
            redemption_create(
                actor=card.customer.owner,
                card_id=card.pk,
                reward_id=rng.choice(affordable).pk,
                today=today,
            )
            redeemed += 1
        except PointsRefused:
            continue
    first = Redemption.objects.order_by("pk").select_related("card__customer__owner").first()
    if first is not None:
        redemption_cancel(
            actor=first.card.customer.owner,
            redemption_id=first.pk,
            reason="客户行程取消，积分退回",
            today=today,
        )
    if cards:
        points_adjust(
            actor=manager,
            card_id=cards[-1].pk,
            points=500,
            reason="投诉处理补偿（导游迟到）",
            today=today,
        )
    run = annual_rewards_issue(
        year=today.year - 1, today=datetime.date(today.year, 1, 1), notify=False
    )
    stdout.write(
        f"Loyalty: {len(rewards)} rewards, {Card.objects.count()} cards from "
        f"{len(booking_ids)} paid bookings, {redeemed} redemptions, "
        f"{run.issued_count if run else 0} annual rewards for {today.year - 1}."
    )
