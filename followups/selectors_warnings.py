"""Reads of early warnings. Scoped by the one door for visibility,
`customers.selectors.customer_list_visible`: a rep sees their customers' warnings, a
team lead the team's, managers all. Anything else is 404."""

from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import Http404

from customers.selectors import customer_list_visible, customer_responsible_q
from followups.models import CustomerWarning

WARNINGS_SHOWN = 50
# Past this many the count reads "500+": nobody works through more from one page, and
# counting a busy rep's thousands of warnings cost 190 ms at a million customers.
WARNINGS_COUNTED = 500


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
    count: int  # at most WARNINGS_COUNTED + 1
    scope_wide: bool  # every warning in the viewer's scope (their owners are shown)

    @property
    def capped(self) -> bool:
        return self.count > WARNINGS_COUNTED

    @property
    def count_shown(self) -> int:
        return min(self.count, WARNINGS_COUNTED)


def open_warnings(*, user, owner=None) -> OpenWarnings:
    """The open warnings `user` may see, newest first: of `owner`'s customers (a rep's
    day), or all in scope (a team lead's or manager's own page). The page's ids, its
    rows by id, and a capped COUNT only when there are more than are shown.

    A rep's day reads the owner's customers among those the viewer is responsible for
    (`customer_responsible_q`: the owner is the viewer or in their scope, and special
    access never lends anyone a rep's book), as a join: with the visibility subquery
    and the owner on top, PostgreSQL multiplied the two selectivities and misjudged the
    plan (280 ms for a rep with 20,000 customers at a million). The page's ids come
    first, from that join alone, then its rows by id (below). A manager's or lead's own
    page walks the open warnings newest first on the (raised_on, id) index."""
    if owner is not None:
        warnings = CustomerWarning.objects.filter(
            customer_responsible_q(user=user), customer__owner=owner
        )
    else:
        warnings = warning_list_visible(user=user)
    warnings = warnings.filter(handled_at__isnull=True)
    # Asked for whole rows with their customers, PostgreSQL walked every open warning
    # newest first probing each customer, expecting to meet the owner's soon: for a rep
    # with none among 32,729 open warnings at a million customers, 62-141 ms. The ids
    # alone join the owner's customers' ids from an index (customer_live_owner_id) and
    # hash: 8-21 ms whether the rep has none or thousands.
    ids = list(warnings.order_by("-raised_on", "-id").values_list("id", flat=True)[:WARNINGS_SHOWN])
    rows = (
        list(
            CustomerWarning.objects.filter(pk__in=ids)
            .select_related("customer__owner", "service_record")
            .order_by("-raised_on", "-id")
        )
        if ids
        else []
    )
    if len(rows) < WARNINGS_SHOWN:
        count = len(rows)
    else:
        count = warnings.order_by()[: WARNINGS_COUNTED + 1].count()
    return OpenWarnings(rows=rows, count=count, scope_wide=owner is None)
