"""The consent panel on the customer page: one query."""

from customers.models import CustomerKind
from privacy.selectors import consent_states


def customer_panel_context(*, customer, user) -> dict | None:
    if customer.kind != CustomerKind.INDIVIDUAL:
        return None
    states = consent_states(customer=customer)
    return {
        "customer_id": customer.pk,
        "given": [s for s in states if s.given],
        "missing": [s for s in states if not s.given],
    }
