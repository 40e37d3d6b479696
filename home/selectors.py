"""What each role's home page shows, composed from the apps' selectors, each scoped by
the one visibility door (customers.selectors). A constant number of queries per
section whatever the size of the book: aggregates in SQL, short lists with LIMIT, on
the indexes named in each selector (customers.summaries, followups.selectors_completion,
tiers.selectors_movement, archives.selectors)."""

import datetime
from typing import Any

from django.db.models import Count, Q

from accounts.roles import CUSTODIAN, FINANCE, SALES, TEAM_LEAD, has_role, is_manager
from archives.models import ArchiveStatus
from archives.selectors import (
    archive_filter_past_retention,
    archive_list_annotate,
    archive_list_visible,
)
from customers.summaries import (
    access_requests_pending,
    customers_recently_contacted,
    home_figures,
    owner_figures_refreshed,
    receivables_overdue,
    receivables_overdue_by_customer,
    receivables_overdue_by_owner,
    receivables_summary,
    security_alerts_open_count,
)
from followups.selectors import open_followups_for
from followups.selectors_completion import followup_completion_by_rep
from followups.selectors_feedback import feedback_list_visible, feedback_overdue
from privacy.selectors_requests import rights_requests_due
from tiers.selectors_movement import grade_movement_latest

LIST_LIMIT = 10
FOLLOWUP_LIMIT = 12
OVERDUE_BOOKINGS_LIMIT = 20

MANAGER_SECTION = "manager"
FINANCE_SECTION = "finance"
CUSTODIAN_SECTION = "custodian"
REP_SECTION = "rep"


def home_sections(*, user) -> list[str]:
    """The sections of `user`'s home page, most senior first: a person with several
    roles sees one section per role."""
    sections = []
    if is_manager(user):
        sections.append(MANAGER_SECTION)
    if has_role(user, FINANCE):
        sections.append(FINANCE_SECTION)
    if has_role(user, CUSTODIAN):
        sections.append(CUSTODIAN_SECTION)
    if has_role(user, SALES, TEAM_LEAD):
        sections.append(REP_SECTION)
    return sections


def rep_home(*, user, today: datetime.date) -> dict[str, Any]:
    """A rep's (or team lead's) day: follow-ups due, customers recently contacted, the
    month's figures of their book (a lead's: the team's) and their customers by grade,
    both from the stored per-owner figures (customers.summaries.home_figures). Five
    queries; seven for a team lead (the team's follow-up completion)."""
    week_end = today + datetime.timedelta(days=6)
    open_items = open_followups_for(user=user)
    counts = open_items.order_by().aggregate(
        overdue=Count("pk", filter=Q(due_on__lt=today)),
        today=Count("pk", filter=Q(due_on=today)),
        week=Count("pk", filter=Q(due_on__gt=today, due_on__lte=week_end)),
    )
    due = list(
        open_items.filter(due_on__lte=today)
        .select_related("customer")
        .order_by("due_on", "pk")[:FOLLOWUP_LIMIT]
    )
    figures = home_figures(user=user, today=today)
    return {
        "followup_counts": counts,
        "followups_due": due,
        "recent": customers_recently_contacted(user=user, limit=LIST_LIMIT),
        "figures": figures.month,
        "grades": figures.grades,
        "team": (
            followup_completion_by_rep(user=user, today=today)
            if has_role(user, TEAM_LEAD)
            else None
        ),
    }


def manager_home(*, user, today: datetime.date, now: datetime.datetime) -> dict[str, Any]:
    """The team's state on one page; the month's money and customers from the stored
    per-owner figures."""
    overdue_feedback = feedback_overdue(queryset=feedback_list_visible(user=user), now=now)
    feedback_rows = list(
        overdue_feedback.select_related("customer", "assigned_to").order_by("respond_by", "pk")[
            :LIST_LIMIT
        ]
    )
    feedback_count = overdue_feedback.order_by().count()
    access_count, access_rows = access_requests_pending(limit=LIST_LIMIT)
    figures = home_figures(user=user, today=today)
    return {
        "figures": figures.month,
        "customers": figures.movement,
        "completion": followup_completion_by_rep(user=user, today=today),
        "feedback_count": feedback_count,
        "feedback": feedback_rows,
        "open_alerts": security_alerts_open_count(),
        "movement": grade_movement_latest(user=user, today=today),
        "access_count": access_count,
        "access": access_rows,
        "rights": rights_requests_due(user=user, today=today),
    }


def finance_home(*, user, today: datetime.date) -> dict[str, Any]:
    """Receivables: what is unpaid and overdue, who owes it and whose customers they
    are, and what was paid this month. The totals, the breakdown by owner and the
    customers owing the most are stored per owner (as of their refresh, the same one);
    the longest overdue bookings and the month's payments are live."""
    overdue = list(receivables_overdue(user=user, today=today)[:OVERDUE_BOOKINGS_LIMIT])
    for booking in overdue:
        booking.days_overdue = (today - booking.payment_due_date).days
    return {
        "summary": receivables_summary(user=user, today=today),
        "overdue": overdue,
        "by_owner": receivables_overdue_by_owner(user=user),
        "by_owner_refresh": owner_figures_refreshed(),
        "by_customer": receivables_overdue_by_customer(user=user, limit=LIST_LIMIT),
    }


def _count_and_first(queryset, *, limit: int = LIST_LIMIT) -> tuple[int, list]:
    """How many rows there are, and the first `limit` of them: two queries, always."""
    return queryset.order_by().count(), list(queryset[:limit])


def custodian_home(*, user, today: datetime.date) -> dict[str, Any]:
    """Open archives missing required documents, the retention queue, legal holds and
    special-access requests waiting, a person's requests due. Ten queries at most."""
    visible = archive_list_visible(user=user)
    missing = (
        archive_list_annotate(visible.filter(status=ArchiveStatus.OPEN))
        .filter(missing_count__gt=0)
        .order_by("retention_end", "pk")
    )
    past = archive_filter_past_retention(visible, today=today).select_related("tour")
    holds = visible.filter(legal_hold=True).select_related("tour", "legal_hold_set_by")
    missing_count, missing_rows = _count_and_first(missing)
    past_count, past_rows = _count_and_first(past.order_by("retention_end", "pk"))
    hold_count, hold_rows = _count_and_first(holds.order_by("-legal_hold_set_at", "pk"))
    access_count, access_rows = access_requests_pending(limit=LIST_LIMIT)
    return {
        "missing_count": missing_count,
        "missing": missing_rows,
        "past_count": past_count,
        "past": past_rows,
        "hold_count": hold_count,
        "holds": hold_rows,
        "access_count": access_count,
        "access": access_rows,
        "rights": rights_requests_due(user=user, today=today),
    }
