"""Reads. A follow-up is on the day of the customer's current owner, except feedback
assigned to someone (still active), which is on the assignee's day (`assigned_to_q`).
The planning job writes the same rule into `owner` at the start of every run; reading
by it means a handover or a reassigned customer moves the open work at once, not at the
next run. A rep sees their follow-ups, a team lead the team's, managers everyone's.
Anything else is 404."""

import datetime
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, Value, When
from django.http import Http404

from accounts.roles import MANAGER, SALES, TEAM_LEAD, has_role
from customers.selectors import customer_list_visible
from followups.models import Followup, FollowupKind, FollowupStatus, KeyAccountRecord

MY_DAY_LIMIT = 100  # rows shown per section; the counts tell the whole story


def _sees_all(user) -> bool:
    return user.is_superuser or has_role(user, MANAGER)


# Feedback assigned to an active person stays with them (feedback_assign sets owner).
HELD_BY_ASSIGNEE = Q(
    kind=FollowupKind.FEEDBACK,
    owner__is_active=True,
    service_record__assigned_to=F("owner"),
)


def assigned_to_q(*, user, team_of_lead: bool = False) -> Q:
    """Follow-ups that are `user`'s work (with `team_of_lead`, also their team's): held by
    the assignee, else following the customer's current owner."""

    def whose(path: str) -> Q:
        match = Q(**{path: user})
        if team_of_lead:
            match |= Q(**{f"{path}__team__lead": user})
        return match

    return (HELD_BY_ASSIGNEE & whose("owner")) | (~HELD_BY_ASSIGNEE & whose("customer__owner"))


def changed_hands(*, user) -> tuple[list[int], list[int]]:
    """Open follow-ups whose customer changed hands since the last planning run (the run
    writes the new owner; usually both lists are empty): (came: held by someone else,
    the customer is `user`'s now; went: held by `user`, the customer is someone else's
    now). One query; both halves start from an index: customers by (owner, status) then
    (customer, status, due_on), and follow-ups by (owner, status, due_on)."""
    open_items = Followup.objects.filter(status=FollowupStatus.OPEN).exclude(HELD_BY_ASSIGNEE)
    came = (
        open_items.filter(customer__owner=user)
        .exclude(owner=user)
        .order_by()
        .values_list("pk", Value(1, output_field=IntegerField()))
    )
    went = (
        open_items.filter(owner=user)
        .exclude(customer__owner=user)
        .order_by()
        .values_list("pk", Value(0, output_field=IntegerField()))
    )
    rows = list(came.union(went, all=True))
    return [pk for pk, side in rows if side], [pk for pk, side in rows if not side]


def open_followups_for(*, user) -> QuerySet[Followup]:
    """A rep's open follow-ups by `assigned_to_q`, written for the indexes: what they
    hold, by (owner, status, due_on) in due order, less what went with its customer,
    plus what came with one (`changed_hands`, by primary key). No OR across tables, no
    scan of all follow-ups. Two queries in all."""
    came, went = changed_hands(user=user)
    items = Followup.objects.filter(owner=user, status=FollowupStatus.OPEN)
    if went:
        items = items.exclude(pk__in=went)
    if came:
        items = items | Followup.objects.filter(pk__in=came, status=FollowupStatus.OPEN)
    return items


def due_count_for(*, user, today: datetime.date) -> int:
    """How many of `user`'s open follow-ups are due today or earlier (the menu badge),
    by the same rule as `open_followups_for`, in one query: what they hold and still
    own ((owner, status, due_on)), plus what came to them with a customer ((owner,
    status) on customers, then (customer, status, due_on))."""
    due = Followup.objects.filter(status=FollowupStatus.OPEN, due_on__lte=today).order_by()
    held = due.filter(Q(customer__owner=user) | HELD_BY_ASSIGNEE, owner=user).values("pk")
    came = due.filter(customer__owner=user).exclude(owner=user).exclude(HELD_BY_ASSIGNEE)
    return held.union(came.values("pk"), all=True).count()


def followup_list_visible(*, user) -> QuerySet[Followup]:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Followup.objects.none()
    if _sees_all(user):
        return Followup.objects.all()
    return Followup.objects.filter(assigned_to_q(user=user, team_of_lead=has_role(user, TEAM_LEAD)))


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


@dataclass
class MyDay:
    overdue: list
    today: list
    week: list
    counts: dict


def my_day(*, owner, today: datetime.date) -> MyDay:
    """A rep's open follow-ups: overdue, today, the rest of the week. Five queries."""
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
    follow-ups per rep (by `assigned_to_q`: a customer handed over counts for the new
    owner at once), and what each finished in the last seven days. Two queries."""
    week_ago = today - datetime.timedelta(days=7)
    reps = list(reps_visible(user=user).values("pk", "username", "full_name"))
    is_open = Q(status=FollowupStatus.OPEN)
    counts = (
        Followup.objects.filter(
            is_open | Q(status=FollowupStatus.DONE, completed_at__date__gt=week_ago)
        )
        .annotate(
            rep=Case(
                When(Q(status=FollowupStatus.DONE) | HELD_BY_ASSIGNEE, then=F("owner")),
                default=F("customer__owner"),
            )
        )
        .filter(rep__in=[row["pk"] for row in reps])
        .order_by()
        .values("rep")
        .annotate(
            open_count=Count("id", filter=is_open),
            overdue_count=Count("id", filter=is_open & Q(due_on__lt=today)),
            today_count=Count("id", filter=is_open & Q(due_on=today)),
            done_week=Count("id", filter=Q(status=FollowupStatus.DONE)),
        )
    )
    by_rep = {row.pop("rep"): row for row in counts}
    empty = {"open_count": 0, "overdue_count": 0, "today_count": 0, "done_week": 0}
    return [{**row, **by_rep.get(row["pk"], empty)} for row in reps]


def key_account_record_get_visible(*, user, pk) -> KeyAccountRecord:
    try:
        return KeyAccountRecord.objects.select_related("customer", "recorded_by").get(
            pk=pk, customer__in=customer_list_visible(user=user)
        )
    except (KeyAccountRecord.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
