"""Reads. A follow-up is on the day of its `owner`: the customer's owner, except feedback
assigned to someone (still active), which is on the assignee's day. The owner column is
kept right at the moment of change: `customers_reassigned` (a departure handover, a
manager changing a customer's owner) moves the open work in one UPDATE after the change
commits (followups.services.planning.follow_customer_owners), and the planning job runs
the same UPDATE first thing as a safety net. So every read filters by `owner` alone, on
the (owner, status, due_on) index. A rep sees their follow-ups, a team lead the team's,
managers everyone's. Anything else is 404."""

import datetime
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from accounts.roles import SALES, TEAM_LEAD, has_role, is_manager
from customers.selectors import customer_list_visible
from followups.models import Followup, FollowupKind, FollowupStatus, KeyAccountRecord

# Rows shown, the oldest first; the counts tell the whole story ("N more not shown").
# A day of work is far fewer: 100 keeps a swamped rep's page drawn in ~0.2 s, where
# 200 took ~0.45 s at a million customers (the rows are most of the page's cost).
MY_DAY_LIMIT = 100


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


# My day's groups, by what the rep does (DOMAIN.md §4's kinds of return visit), in the
# order the page shows them. Within a group the overdue rows come first (due order).
MY_DAY_GROUPS = (
    ("post_trip", _("Post-trip visits"), (FollowupKind.POST_TRIP,)),
    ("regular", _("Regular contact"), (FollowupKind.REGULAR,)),
    ("greeting", _("Greetings"), (FollowupKind.GREETING,)),
    ("key_account", _("Key accounts"), (FollowupKind.KEY_ACCOUNT, FollowupKind.WEEKLY_VISIT)),
    ("feedback", _("Feedback"), (FollowupKind.FEEDBACK,)),
)
GROUP_OF_KIND = {kind.value: key for key, _label, kinds in MY_DAY_GROUPS for kind in kinds}


@dataclass
class DayGroup:
    key: str
    label: str
    rows: list = field(default_factory=list)
    overdue: int = 0
    today: int = 0
    week: int = 0

    @property
    def total(self) -> int:
        return self.overdue + self.today + self.week

    @property
    def hidden(self) -> int:
        """Rows past the page's limit: the counts still tell them."""
        return self.total - len(self.rows)


@dataclass
class MyDay:
    groups: list[DayGroup]
    counts: dict
    today_date: datetime.date

    @property
    def items(self) -> list:
        return [row for group in self.groups for row in group.rows]

    @property
    def overdue(self) -> list:
        return [row for row in self.items if row.due_on < self.today_date]

    @property
    def today(self) -> list:
        return [row for row in self.items if row.due_on == self.today_date]

    @property
    def week(self) -> list:
        return [row for row in self.items if row.due_on > self.today_date]


def my_day(*, owner, today: datetime.date) -> MyDay:
    """A rep's open follow-ups due by the end of the week (overdue, today, the next six
    days), grouped by what to do, overdue first. Two queries, each on the (owner,
    status, due_on) index: the counts per kind, and the rows (the oldest
    MY_DAY_LIMIT)."""
    week_end = today + datetime.timedelta(days=6)
    open_items = open_followups_for(user=owner)
    per_kind = (
        open_items.filter(due_on__lte=week_end)
        .order_by()
        .values("kind")
        .annotate(
            overdue=Count("id", filter=Q(due_on__lt=today)),
            today=Count("id", filter=Q(due_on=today)),
            week=Count("id", filter=Q(due_on__gt=today)),
        )
    )
    groups = {key: DayGroup(key=key, label=label) for key, label, _kinds in MY_DAY_GROUPS}
    for row in per_kind:
        group = groups[GROUP_OF_KIND.get(row["kind"], "regular")]
        group.overdue += row["overdue"]
        group.today += row["today"]
        group.week += row["week"]
    rows = (
        open_items.filter(due_on__lte=week_end)
        .select_related("customer")
        .order_by("due_on", "id")[:MY_DAY_LIMIT]
    )
    for row in rows:
        row.days_late = (today - row.due_on).days
        groups[GROUP_OF_KIND.get(row.kind, "regular")].rows.append(row)
    counts = {
        name: sum(getattr(group, name) for group in groups.values())
        for name in ("overdue", "today", "week")
    }
    return MyDay(groups=list(groups.values()), counts=counts, today_date=today)


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
