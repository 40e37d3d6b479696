"""Reads of early warnings. Scoped by the one door for visibility,
`customers.selectors.customer_list_visible`: a rep sees their customers' warnings, a
team lead the team's, managers all. Anything else is 404."""

from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import Http404

from customers.selectors import customer_list_visible
from followups.models import CustomerWarning

WARNINGS_SHOWN = 50


def warning_list_visible(*, user) -> QuerySet[CustomerWarning]:
    return CustomerWarning.objects.filter(customer__in=customer_list_visible(user=user))


def warning_get_visible(*, user, pk) -> CustomerWarning:
    try:
        return (
            warning_list_visible(user=user)
            .select_related("customer__owner__team", "service_record")
            .get(pk=pk)
        )
    except (CustomerWarning.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


@dataclass
class OpenWarnings:
    rows: list
    count: int
    scope_wide: bool  # every warning in the viewer's scope (their owners are shown)


def open_warnings(*, user, owner=None) -> OpenWarnings:
    """The open warnings `user` may see, newest first: of `owner`'s customers (a rep's
    day), or all in scope (a team lead's or manager's own page). One query, and a COUNT
    only when there are more than are shown."""
    warnings = warning_list_visible(user=user).filter(handled_at__isnull=True)
    if owner is not None:
        warnings = warnings.filter(customer__owner=owner)
    rows = list(
        warnings.select_related("customer__owner", "service_record").order_by("-raised_on", "-id")[
            :WARNINGS_SHOWN
        ]
    )
    count = len(rows) if len(rows) < WARNINGS_SHOWN else warnings.count()
    return OpenWarnings(rows=rows, count=count, scope_wide=owner is None)
