"""Writes. Every function takes keyword arguments and an `actor` where a person acts;
points change only inside transactions with the card row locked."""

from loyalty.services.annual import (
    annual_reward_use,
    annual_rewards_catch_up,
    annual_rewards_issue,
)
from loyalty.services.earning import on_bookings_saved_many, points_earn_many
from loyalty.services.errors import PointsRefused
from loyalty.services.jobs import card_levels_refresh, points_expire, points_monthly, points_sweep
from loyalty.services.ledger import (
    BookingPoints,
    add_months,
    booking_points_sync,
    card_issue,
    on_booking_saved,
    points_adjust,
)
from loyalty.services.liability import points_liability_refresh
from loyalty.services.redemption import redemption_cancel, redemption_create
from loyalty.services.rules import annual_policy_publish, rulebook_publish

__all__ = [
    "BookingPoints",
    "PointsRefused",
    "add_months",
    "annual_policy_publish",
    "annual_reward_use",
    "annual_rewards_catch_up",
    "annual_rewards_issue",
    "booking_points_sync",
    "card_issue",
    "card_levels_refresh",
    "on_booking_saved",
    "on_bookings_saved_many",
    "points_adjust",
    "points_earn_many",
    "points_expire",
    "points_liability_refresh",
    "points_monthly",
    "points_sweep",
    "redemption_cancel",
    "redemption_create",
    "rulebook_publish",
]
