"""Follow-up completion by rep (DOMAIN.md §1: managers see how far each rep is from the
system, not from hand-filled weekly reports): for the month so far, the follow-ups that
fell due, those done on or before their due day, those done late, and what is open and
overdue today (whenever it fell due). One GROUP BY on the (owner, status, due_on) index,
plus the reps."""

import datetime

from django.db.models import Count, F, Q

from followups.models import Followup, FollowupStatus
from followups.selectors import reps_visible


def followup_completion_by_rep(*, user, today: datetime.date) -> list[dict]:
    """One row per rep `user` may see (managers all reps, a team lead the team's), in
    the order of `reps_visible`. `due` counts the month's follow-ups that fell due up to
    today, except those a later contact made unnecessary (superseded)."""
    month_start = today.replace(day=1)
    reps = list(reps_visible(user=user).values("pk", "username", "full_name"))
    due_this_month = Q(due_on__gte=month_start, due_on__lte=today) & ~Q(
        status=FollowupStatus.SUPERSEDED
    )
    is_open = Q(status=FollowupStatus.OPEN)
    overdue = is_open & Q(due_on__lt=today)
    done = Q(status=FollowupStatus.DONE)
    rows = (
        Followup.objects.filter(due_this_month | overdue, owner__in=[rep["pk"] for rep in reps])
        .order_by()
        .values("owner")
        .annotate(
            due=Count("pk", filter=due_this_month),
            done_on_time=Count(
                "pk", filter=due_this_month & done & Q(completed_at__date__lte=F("due_on"))
            ),
            done_late=Count(
                "pk", filter=due_this_month & done & Q(completed_at__date__gt=F("due_on"))
            ),
            overdue=Count("pk", filter=overdue),
        )
    )
    by_rep = {row.pop("owner"): row for row in rows}
    empty = {"due": 0, "done_on_time": 0, "done_late": 0, "overdue": 0}
    result = []
    for rep in reps:
        counts = by_rep.get(rep["pk"], empty)
        on_time_share = (
            round(counts["done_on_time"] * 100 / counts["due"]) if counts["due"] else None
        )
        result.append({**rep, **counts, "on_time_percent": on_time_share})
    return result
