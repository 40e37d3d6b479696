"""The custody rules through the API, as helpers every API view calls (one mechanism,
every door): the audit row of each object read or changed (a list = one row with the
count) and the export guard for customer rows delivered, exactly as the CSV export uses
it (customers.services.personal_data_export_record). A service account's rows count
against its own daily limit, set by a manager."""

import datetime
from typing import Any

from customers.audit import audit_record
from customers.models import AuditAction, Customer
from customers.services import personal_data_export_record

SERVICE_WINDOW = datetime.timedelta(hours=24)


def _door(request) -> dict:
    token = request.auth
    return {"door": "api", "token": getattr(token, "prefix", "")}


def _own_limit(user) -> dict:
    if getattr(user, "is_service_account", False):
        return {"row_limit": user.service_account.daily_row_limit, "window": SERVICE_WINDOW}
    return {}


def deliver_customer_rows(
    request,
    *,
    count: int,
    object_type: str,
    obj: Any = None,
    customer: Customer | None = None,
    detail: dict | None = None,
) -> None:
    """Call BEFORE serialising a response that carries customers' personal data: `count`
    customer rows (a list page: its rows; one customer, or one customer's contact people:
    1). Writes the one EXPORT audit row (with the count), or raises MassActionRefused
    (api.problems answers 403 export-limit; an alert is raised, managers are e-mailed)."""
    # Even an answer with no rows goes through (as 0 rows): the look itself, what was
    # searched, is on record, with any full ID number in the filters masked by the guard.
    personal_data_export_record(
        actor=request.user,
        customer_rows=max(count, 0),
        object_type=object_type,
        obj=obj,
        customer=customer,
        detail={**_door(request), **(detail or {})},
        **_own_limit(request.user),
    )


def audit_list(request, *, object_type: str, count: int, customer=None, detail=None) -> None:
    """A list that carries no customer rows of its own: one VIEW row with the count."""
    audit_record(
        actor=request.user,
        action=AuditAction.VIEW,
        object_type=object_type,
        customer=customer,
        detail={**_door(request), "rows": count, **(detail or {})},
    )


def audit_view(request, *, obj, detail=None) -> None:
    """One object read (that is not itself customer rows: those go through the guard)."""
    audit_record(
        actor=request.user,
        action=AuditAction.VIEW,
        obj=obj,
        detail={**_door(request), **(detail or {})},
    )
