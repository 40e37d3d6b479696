"""Reads. A follow-up is on the day of its `owner`: the customer's owner, except feedback
assigned to someone (still active), which is on the assignee's day. The owner column is
kept right at the moment of change: `customers_reassigned` (a departure handover, a
manager changing a customer's owner) moves the open work in one UPDATE after the change
commits (followups.services.planning.follow_customer_owners), and the planning job runs
the same UPDATE first thing as a safety net. So every read filters by `owner` alone, on
the (owner, status, due_on) index. A rep sees their follow-ups, a team lead the team's,
managers everyone's. Anything else is 404."""

import datetime
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Count, Q, QuerySet
from django.http import Http404

from accounts.roles import SALES, TEAM_LEAD, has_role, is_manager
from customers.selectors import customer_list_visible
from followups.models import Followup, FollowupStatus, KeyAccountRecord

MY_DAY_LIMIT = 100  # rows shown per section; the counts tell the whole story


def _sees_all(user) -> bool:
    return is_manager(user)


def open_followups_for(*, user) -> QuerySet[Followup]:
    """A rep's open follow-ups: by (owner, status, due_on), in due order."""
    return Followup.objects.filter(owner=user, status=FollowupStatus.OPEN)


def due_count_for(*, user, today: datetime.date) -> int:
    """How many of `user`'s open follow-ups are due today or earlier (the menu badge):
    one COUNT on the (owner, status, due_on) index."""
    return open_followups_for(user=user).filter(due_on__lte=today).order_by().count()


def followup_list_visible(*, user) -> QuerySet[Followup]:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Followup.objects.none()
    if _sees_all(user):
        return Followup.objects.all()
    scope = Q(owner=user)
    if has_role(user, TEAM_LEAD):
        scope |= Q(owner__team__lead=user)
    return Followup.objects.filter(scope)


def followup_get_visible(*, user, pk) -> Followup:
    try:
        return (
            followup_list_visible(user=user)
            .select_related("customer", "owner", "booking", "standing_visit", "service_record")
            .get(pk=pk)
        )
    except (Followup.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def followup_can_work(*, user, followup: Followup) -> bool:
    """The owner does the work; their team lead and managers may step in."""
    return followup_list_visible(user=user).filter(pk=followup.pk).exists()


def reps_visible(*, user) -> QuerySet:
    """Staff whose follow-ups `user` may see: all reps for managers, a lead's team."""
    User = get_user_model()
    reps = User.objects.filter(is_active=True, groups__name__in=[SALES, TEAM_LEAD]).distinct()
    if _sees_all(user):
        return reps.order_by("username")
    if has_role(user, TEAM_LEAD):
        return reps.filter(Q(team__lead=user) | Q(pk=user.pk)).order_by("username")
    return User.objects.filter(pk=user.pk)


def rep_get_visible(*, user, pk):
    """One rep whose day `user` may open; anything else (not an id, out of scope) is 404."""
    try:
        return reps_visible(user=user).get(pk=pk)
    except (ObjectDoesNotExist, ValueError, TypeError):
        raise Http404 from None


@dataclass
class MyDay:
    overdue: list
    today: list
    week: list
    counts: dict


def my_day(*, owner, today: datetime.date) -> MyDay:
    """A rep's open follow-ups: overdue, today, the rest of the week. Four queries, each
    on the (owner, status, due_on) index."""
    week_end = today + datetime.timedelta(days=6)
    open_items = open_followups_for(user=owner)
    counts = open_items.aggregate(
        overdue=Count("id", filter=Q(due_on__lt=today)),
        today=Count("id", filter=Q(due_on=today)),
        week=Count("id", filter=Q(due_on__gt=today, due_on__lte=week_end)),
    )
    rows = open_items.select_related("customer", "booking").order_by("due_on", "id")
    return MyDay(
        overdue=list(rows.filter(due_on__lt=today)[:MY_DAY_LIMIT]),
        today=list(rows.filter(due_on=today)[:MY_DAY_LIMIT]),
        week=list(rows.filter(due_on__gt=today, due_on__lte=week_end)[:MY_DAY_LIMIT]),
        counts=counts,
    )


def backlog_by_rep(*, user, today: datetime.date) -> list[dict]:
    """For managers (all reps) and team leads (their team): open, overdue and due-today
    follow-ups per rep (by `owner`: a customer handed over counts for the new owner at
    once, the receiver having moved its open work), and what each finished in the last
    seven days. Two queries."""
    week_ago = today - datetime.timedelta(days=7)
    reps = list(reps_visible(user=user).values("pk", "username", "full_name"))
    is_open = Q(status=FollowupStatus.OPEN)
    counts = (
        Followup.objects.filter(
            is_open | Q(status=FollowupStatus.DONE, completed_at__date__gt=week_ago),
            owner__in=[row["pk"] for row in reps],
        )
        .order_by()
        .values("owner")
        .annotate(
            open_count=Count("id", filter=is_open),
            overdue_count=Count("id", filter=is_open & Q(due_on__lt=today)),
            today_count=Count("id", filter=is_open & Q(due_on=today)),
            done_week=Count("id", filter=Q(status=FollowupStatus.DONE)),
        )
    )
    by_rep = {row.pop("owner"): row for row in counts}
    empty = {"open_count": 0, "overdue_count": 0, "today_count": 0, "done_week": 0}
    return [{**row, **by_rep.get(row["pk"], empty)} for row in reps]


def key_account_record_get_visible(*, user, pk) -> KeyAccountRecord:
    try:
        return KeyAccountRecord.objects.select_related("customer", "recorded_by").get(
            pk=pk, customer__in=customer_list_visible(user=user)
        )
    except (KeyAccountRecord.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
