"""Reads for feedback: what a user may see and do. Scoped through the customers the user
sees, plus anything assigned to them."""

import datetime

from django.db.models import Q, QuerySet
from django.http import Http404

from accounts.roles import TEAM_LEAD, has_role, is_manager
from customers.models import ServiceRecord, ServiceStatus
from customers.selectors import customer_can_edit, customer_list_visible


def feedback_list_visible(*, user) -> QuerySet[ServiceRecord]:
    visible = customer_list_visible(user=user).values("pk")
    return ServiceRecord.objects.filter(
        Q(customer__in=visible) | Q(assigned_to=user), customer__deleted_at__isnull=True
    )


def feedback_get_visible(*, user, pk) -> ServiceRecord:
    try:
        return (
            feedback_list_visible(user=user)
            .select_related("customer__owner", "assigned_to", "recorded_by", "booking")
            .get(pk=pk)
        )
    except (ServiceRecord.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def feedback_can_manage(*, user, record: ServiceRecord) -> bool:
    """Assigning: managers, and the team lead of the customer's owner."""
    if is_manager(user):
        return True
    return has_role(user, TEAM_LEAD) and customer_can_edit(user=user, customer=record.customer)


def feedback_can_handle(*, user, record: ServiceRecord) -> bool:
    return record.assigned_to_id == user.pk or customer_can_edit(
        user=user, customer=record.customer
    )


def feedback_overdue(*, queryset: QuerySet[ServiceRecord], now: datetime.datetime) -> QuerySet:
    return queryset.filter(status=ServiceStatus.OPEN, responded_at__isnull=True, respond_by__lt=now)
