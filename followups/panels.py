"""The return-visit panel on the customer page: three queries whatever the history."""

from accounts.roles import is_manager
from customers.selectors import customer_can_edit
from followups.models import Followup, FollowupStatus, KeyAccountRecord, StandingVisit

PANEL_ROWS = 5


def customer_panel_context(*, customer, user) -> dict:
    can_edit = customer_can_edit(user=user, customer=customer)
    return {
        "customer_id": customer.pk,
        "is_key_account": customer.is_key_account,
        "can_edit": can_edit,
        "sees_followups": can_edit or is_manager(user),
        "open": list(
            Followup.objects.filter(customer=customer, status=FollowupStatus.OPEN).order_by(
                "due_on", "id"
            )[:PANEL_ROWS]
        ),
        "standing": list(StandingVisit.objects.filter(customer=customer, active=True)),
        "key_records": list(
            KeyAccountRecord.objects.filter(customer=customer).order_by("-visit_date", "-id")[:3]
        ),
    }
