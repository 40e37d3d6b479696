"""Anonymising a person (PIPL Art. 47): one service, every door (the deletion request's
panel, the dormant-customer queue).

Set-based: one UPDATE (or DELETE) per kind of row, by customer id, in one transaction with
the customer row locked. What the law requires stays (bookings' figures, business
archives within retention, the points ledger, the facts of consent, the audit log) and is
listed in the `Anonymisation` record with the reason; nothing happens at all while an
archive of the person's tours is under legal hold.

`HANDLED` names every model that points to a customer and what is done with it: a test
fails when a new model pointing to Customer is not in it. Other apps' models are reached
by label (apps.get_model), so privacy imports none of them."""

from privacy.anonymisation.plan import Plan, anonymisation_plan, kept_labels
from privacy.anonymisation.rules import (
    CHANGED_LABELS,
    HANDLED,
    KEPT_WHAT,
    KEPT_WHY,
    placeholder,
    privacy_can_anonymise,
)
from privacy.anonymisation.service import ManyResult, customer_anonymise, customers_anonymise

__all__ = [
    "CHANGED_LABELS",
    "HANDLED",
    "KEPT_WHAT",
    "KEPT_WHY",
    "ManyResult",
    "Plan",
    "anonymisation_plan",
    "customer_anonymise",
    "customers_anonymise",
    "kept_labels",
    "placeholder",
    "privacy_can_anonymise",
]
