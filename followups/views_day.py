"""My day: the page, and its quick actions (snooze; greetings marked sent or moved in
bulk). Rows come from the selectors, writes go to the services; out of scope is 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from accounts.roles import SALES, TEAM_LEAD, has_role, is_manager
from customers.models import ContactOutcome
from followups import forms
from followups.models import FollowupKind
from followups.selectors import (
    backlog_by_rep,
    followup_get_visible,
    followup_list_visible,
    my_day,
    rep_get_visible,
)
from followups.selectors_warnings import open_warnings
from followups.services import (
    followup_snooze,
    greetings_mark_sent,
    greetings_reschedule,
)
from followups.views import _errors

# The outcomes one tap away on My day, with short labels (the full list is on the
# follow-up's page and in the row's "More" menu).
QUICK_OUTCOMES = (ContactOutcome.REACHED, ContactOutcome.NO_ANSWER)
MORE_OUTCOMES = (
    ContactOutcome.CALL_BACK,
    ContactOutcome.INTERESTED,
    ContactOutcome.BOOKED,
    ContactOutcome.NOT_INTERESTED,
)
# Stands for the follow-up's number in the one "More" menu the page carries (my_day.js).
MORE_PLACEHOLDER = 2_000_000_000


def _back_to_day(request):
    target = request.POST.get("next") or ""
    if target.startswith("/") and not target.startswith("//"):
        return redirect(target)
    return redirect("followups:my_day")


@login_required
def my_day_view(request):
    """A rep's day; managers and team leads also see every rep's backlog and may open a
    rep's day (`?rep=`) within their scope."""
    today = timezone.localdate()
    rep = request.user
    if request.GET.get("rep"):
        rep = rep_get_visible(user=request.user, pk=request.GET["rep"])
    sees_team = is_manager(request.user) or has_role(request.user, TEAM_LEAD)
    works = has_role(rep, SALES, TEAM_LEAD) or rep.followups.exists()
    day = my_day(owner=rep, today=today) if works else None
    if day is not None and rep == request.user:
        # The menu badge counts the same rows: spare its query on this page.
        request.user._my_day_count = day.counts["overdue"] + day.counts["today"]
    return render(
        request,
        "followups/my_day.html",
        {
            "day": day,
            "rep": rep,
            "today": today,
            "backlog": backlog_by_rep(user=request.user, today=today) if sees_team else None,
            # Early warnings: a rep's customers on their day; on a lead's or manager's own
            # page, every warning in their scope (the backlog view).
            "warnings": open_warnings(
                user=request.user, owner=None if sees_team and rep == request.user else rep
            ),
            "warning_form": forms.WarningHandleForm(),
            "quick_outcomes": [(o.value, o.label) for o in QUICK_OUTCOMES],
            "more_outcomes": [(o.value, o.label) for o in MORE_OUTCOMES],
            "snooze_days": forms.SnoozeForm.base_fields["days"].choices,
            "visit_kinds": [FollowupKind.KEY_ACCOUNT.value, FollowupKind.WEEKLY_VISIT.value],
            "greeting_kind": FollowupKind.GREETING.value,
            "more_placeholder": MORE_PLACEHOLDER,
        },
    )


@login_required
@require_POST
def followup_snooze_view(request, pk):
    followup = followup_get_visible(user=request.user, pk=pk)
    form = forms.SnoozeForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
        return _back_to_day(request)
    try:
        followup = followup_snooze(
            actor=request.user,
            followup=followup,
            until=form.cleaned_data["until"],
            reason=form.cleaned_data["reason"],
        )
    except ValidationError as error:
        _errors(request, error)
    else:
        messages.success(
            request,
            _("%(name)s waits until %(date)s.")
            % {"name": followup.customer.name, "date": f"{followup.due_on:%Y-%m-%d}"},
        )
    return _back_to_day(request)


@login_required
@require_POST
def greetings_bulk_view(request):
    """The selected greetings, all or none: each must be an open greeting the user may
    work, else the whole request is 404 and nothing changes."""
    form = forms.GreetingsBulkForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Tick the greetings first, and give the new date to move them."))
        return _back_to_day(request)
    ids = set(form.cleaned_data["selected"])
    followups = list(
        followup_list_visible(user=request.user)
        .filter(pk__in=ids, kind=FollowupKind.GREETING)
        .select_related("customer")
        .order_by("id")
    )
    if len(followups) != len(ids):
        raise Http404
    try:
        if form.cleaned_data["action"] == "sent":
            count = greetings_mark_sent(actor=request.user, followups=followups)
            done = ngettext(
                "%(count)d greeting marked sent.", "%(count)d greetings marked sent.", count
            )
        else:
            count = greetings_reschedule(
                actor=request.user,
                followups=followups,
                due_on=form.cleaned_data["due_on"],
                reason=form.cleaned_data["reason"],
            )
            done = ngettext(
                "%(count)d greeting moved to %(date)s.",
                "%(count)d greetings moved to %(date)s.",
                count,
            )
    except ValidationError as error:
        _errors(request, error)
    else:
        messages.success(
            request, done % {"count": count, "date": f"{form.cleaned_data['due_on'] or ''}"}
        )
    return _back_to_day(request)
