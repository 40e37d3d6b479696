"""Events the points ledger announces to the apps built on it (webhooks)."""

from django.dispatch import Signal

# Sent INSIDE the transaction that posts ledger entries, after the card's balance moved.
# Keyword arguments: `card_ids` (list[int]), `entries` (the LedgerEntry rows posted, all
# on one card; empty for the monthly expiry run, which posts set-based for many cards:
# read the balances then). Receivers must be quick and must never raise.
points_changed = Signal()
