"""Reads for a person's requests (PIPL Art. 44-47): who may handle them, the list, the
home pages' block. Custodians and managers only; to anyone else the pages do not exist."""

import datetime
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from accounts.roles import CUSTODIAN, MANAGER, has_role
from privacy.models import RequestStatus, RightsCopy, RightsRequest

HOME_LIMIT = 8


def rights_requests_allowed(user) -> bool:
    """The person in charge of personal information works as a custodian or manager."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if getattr(user, "is_service_account", False):
        return False
    return bool(user.is_superuser) or has_role(user, CUSTODIAN, MANAGER)


def rights_request_list(*, user, status: str = "", kind: str = "") -> QuerySet[RightsRequest]:
    """Open requests first, soonest due first; closed ones after, latest first."""
    if not rights_requests_allowed(user):
        return RightsRequest.objects.none()
    rows = RightsRequest.objects.select_related("customer", "registered_by", "closed_by")
    if status:
        rows = rows.filter(status=status)
    if kind:
        rows = rows.filter(kind=kind)
    return rows.order_by("status", "due_on", "id")


def rights_request_get(*, user, pk: Any) -> RightsRequest:
    try:
        return rights_request_list(user=user).select_related("customer__owner").get(pk=pk)
    except (RightsRequest.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def rights_requests_of_customer(*, customer) -> QuerySet[RightsRequest]:
    return RightsRequest.objects.filter(customer=customer).order_by("-received_on", "-id")


def rights_copies(*, rights_request) -> list[RightsCopy]:
    return list(
        RightsCopy.objects.filter(request=rights_request).select_related(
            "requested_by", "downloaded_by"
        )
    )


def rights_requests_due(*, user, today: datetime.date, limit: int = HOME_LIMIT) -> dict:
    """The home pages' block: how many open requests, how many past their due date, and
    the first `limit` open ones by due date. Two queries, whatever the number."""
    if not rights_requests_allowed(user):
        return {"open_count": 0, "overdue_count": 0, "rows": []}
    open_requests = RightsRequest.objects.filter(status=RequestStatus.OPEN)
    counts = open_requests.aggregate(
        open_count=Count("pk"), overdue_count=Count("pk", filter=Q(due_on__lt=today))
    )
    rows = list(open_requests.select_related("customer").order_by("due_on", "id")[:limit])
    for row in rows:
        row.overdue = row.due_on < today
    return {**counts, "rows": rows}
