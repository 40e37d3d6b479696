"""Thin views: rows from selectors, writes to services. Out of scope is 404."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.roles import MANAGER, SALES, TEAM_LEAD, require_manager_page
from customers.models import ServiceStatus
from customers.selectors import customer_can_edit, customer_get_visible, customer_list_visible
from customers.services import MassActionRefused, personal_data_export_record
from customers.spreadsheets import SafeCsvWriter
from followups import forms
from followups.models import (
    CalendarFeed,
    CatalogueMailing,
    CustomerEvent,
    EventInvitation,
    InvitationReply,
    KeyAccountRecord,
)
from followups.selectors import followup_get_visible, key_account_record_get_visible
from followups.selectors_care import (
    customers_matching,
    mailing_incomplete_addresses,
    mailing_left_out_by_consent,
)
from followups.selectors_feedback import (
    feedback_can_handle,
    feedback_can_manage,
    feedback_get_visible,
    feedback_list_visible,
    feedback_overdue,
)
from followups.services import (
    calendar_feed_issue,
    calendar_feed_revoke,
    calendar_feed_user,
    calendar_ics,
    event_create,
    event_invite,
    feedback_assign,
    feedback_close,
    feedback_handle,
    feedback_receive,
    feedback_respond,
    followup_complete,
    followup_confirm_appointment,
    followup_reschedule,
    followup_skip,
    invitation_record,
    key_account_record_create,
    mailing_create,
)
from privacy.models import Purpose
from privacy.selectors import customers_without_consent

PAGE_SIZE = 50


def _errors(request, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


@login_required
def followup_detail(request, pk):
    followup = followup_get_visible(user=request.user, pk=pk)
    return render(
        request,
        "followups/followup_detail.html",
        {
            "followup": followup,
            "complete_form": forms.CompleteForm(initial={"channel": followup.channel}),
            "reschedule_form": forms.RescheduleForm(),
            "skip_form": forms.SkipForm(),
            "appointment_form": forms.AppointmentForm(),
            "key_record": KeyAccountRecord.objects.filter(followup=followup).first(),
        },
    )


def _back(request, followup):
    target = request.POST.get("next") or ""
    if target.startswith("/") and not target.startswith("//"):
        return redirect(target)
    return redirect("followups:detail", pk=followup.pk)


@login_required
@require_POST
def followup_complete_view(request, pk):
    followup = followup_get_visible(user=request.user, pk=pk)
    form = forms.CompleteForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose an outcome."))
        return _back(request, followup)
    try:
        followup_complete(actor=request.user, followup=followup, **form.cleaned_data)
    except ValidationError as error:
        _errors(request, error)
        return redirect("followups:detail", pk=followup.pk)
    messages.success(
        request, _("Done: %(name)s. The contact is on the timeline.") % {"name": followup.customer}
    )
    return _back(request, followup)


def _followup_form_action(request, pk, *, form_class, service, done, incomplete):
    """Reschedule and skip: a reason is required; back to My day when it worked."""
    followup = followup_get_visible(user=request.user, pk=pk)
    form = form_class(request.POST)
    if not form.is_valid():
        messages.error(request, incomplete)
        return redirect("followups:detail", pk=followup.pk)
    try:
        service(actor=request.user, followup=followup, **form.cleaned_data)
    except ValidationError as error:
        _errors(request, error)
        return redirect("followups:detail", pk=followup.pk)
    messages.success(request, done)
    return redirect("followups:my_day")


@login_required
@require_POST
def followup_reschedule_view(request, pk):
    return _followup_form_action(
        request, pk, form_class=forms.RescheduleForm, service=followup_reschedule,
        done=_("Moved."), incomplete=_("Give the new date and the reason."),
    )  # fmt: skip


@login_required
@require_POST
def followup_skip_view(request, pk):
    return _followup_form_action(
        request, pk, form_class=forms.SkipForm, service=followup_skip,
        done=_("Skipped."), incomplete=_("Say why it is skipped."),
    )  # fmt: skip


@login_required
@require_POST
def followup_appointment_view(request, pk):
    followup = followup_get_visible(user=request.user, pk=pk)
    form = forms.AppointmentForm(request.POST)
    if form.is_valid():
        try:
            followup_confirm_appointment(
                actor=request.user,
                followup=followup,
                appointment_at=form.cleaned_data["appointment_at"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            _errors(request, error)
        else:
            messages.success(request, _("Appointment recorded."))
    else:
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
    return redirect("followups:detail", pk=followup.pk)


# --- Key-account communication record ------------------------------------------------------


@login_required
def key_record_new(request, customer_pk):
    customer = customer_get_visible(user=request.user, pk=customer_pk)
    if not customer_can_edit(user=request.user, customer=customer):
        raise PermissionDenied
    followup = None
    if request.GET.get("followup") or request.POST.get("followup"):
        followup = followup_get_visible(
            user=request.user, pk=request.GET.get("followup") or request.POST.get("followup")
        )
        if followup.customer_id != customer.pk:
            raise Http404
    form = forms.KeyAccountRecordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        record = form.instance
        record.customer = customer
        record.followup = followup
        try:
            key_account_record_create(actor=request.user, record=record)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Key-account record saved."))
            return redirect(record.get_absolute_url())
    return render(
        request,
        "followups/key_record_form.html",
        {"customer": customer, "form": form, "followup": followup},
    )


@login_required
def key_record_detail(request, pk):
    record = key_account_record_get_visible(user=request.user, pk=pk)
    return render(request, "followups/key_record_print.html", {"record": record})


# --- Calendar feed ---------------------------------------------------------------------------


@login_required
def calendar_settings(request):
    token = None
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            calendar_feed_revoke(user=request.user)
            messages.success(request, _("The calendar link no longer works."))
            return redirect("followups:calendar")
        token = calendar_feed_issue(user=request.user)
    feed_url = (
        request.build_absolute_uri(reverse("followups:calendar_feed", args=[token]))
        if token
        else None
    )
    return render(
        request,
        "followups/calendar.html",
        {
            "feed_url": feed_url,
            "has_feed": CalendarFeed.objects.filter(user=request.user).exists(),
        },
    )


def calendar_feed(request, token):
    """No login: the secret in the URL is the key. Unknown or revoked tokens are 404."""
    user = calendar_feed_user(token=token)
    if user is None:
        raise Http404
    body = calendar_ics(user=user, today=timezone.localdate())
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, no-store"
    return response


# --- Feedback -------------------------------------------------------------------------------


def _assignees():
    return (
        get_user_model()
        .objects.filter(is_active=True, groups__name__in=[SALES, TEAM_LEAD, MANAGER])
        .distinct()
        .order_by("username")
    )


@login_required
def feedback_list(request):
    now = timezone.now()
    records = feedback_list_visible(user=request.user).select_related(
        "customer", "assigned_to", "overdue_alert"
    )
    show = request.GET.get("show", "open")
    if show == "overdue":
        records = feedback_overdue(queryset=records, now=now)
    elif show == "open":
        records = records.exclude(status=ServiceStatus.RESOLVED)
    elif show == "mine":
        records = records.filter(assigned_to=request.user).exclude(status=ServiceStatus.RESOLVED)
    kind = request.GET.get("kind", "")
    if kind:
        records = records.filter(kind=kind)
    page = Paginator(records.order_by("-occurred_at", "-id"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "followups/feedback_list.html",
        {
            "page": page,
            "show": show,
            "kind": kind,
            "now": now,
            "overdue_count": feedback_overdue(
                queryset=feedback_list_visible(user=request.user), now=now
            ).count(),
        },
    )


@login_required
def feedback_new(request, customer_pk):
    customer = customer_get_visible(user=request.user, pk=customer_pk)
    if not customer_can_edit(user=request.user, customer=customer):
        raise PermissionDenied
    form = forms.FeedbackForm(request.POST or None, customer=customer, assignees=_assignees())
    if request.method == "POST" and form.is_valid():
        record = form.instance
        record.customer = customer
        try:
            feedback_receive(
                actor=request.user, record=record, assigned_to=form.cleaned_data["assigned_to"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Feedback recorded."))
            return redirect("followups:feedback_detail", pk=record.pk)
    return render(request, "followups/feedback_form.html", {"customer": customer, "form": form})


@login_required
def feedback_detail(request, pk):
    record = feedback_get_visible(user=request.user, pk=pk)
    can_manage = feedback_can_manage(user=request.user, record=record)
    return render(
        request,
        "followups/feedback_detail.html",
        {
            "record": record,
            "now": timezone.now(),
            "can_manage": can_manage,
            "can_handle": feedback_can_handle(user=request.user, record=record),
            "assign_form": forms.AssignForm(assignees=_assignees()) if can_manage else None,
            "respond_form": forms.RespondForm(),
            "handle_form": forms.HandleForm(
                initial={"resolution": record.resolution, "correction": record.correction}
            ),
        },
    )


@login_required
@require_POST
def feedback_action(request, pk, action):
    record = feedback_get_visible(user=request.user, pk=pk)
    try:
        if action == "assign":
            form = forms.AssignForm(request.POST, assignees=_assignees())
            if form.is_valid():
                feedback_assign(
                    actor=request.user, record=record, assignee=form.cleaned_data["assignee"]
                )
        elif action == "respond":
            form = forms.RespondForm(request.POST)
            if form.is_valid():
                feedback_respond(actor=request.user, record=record, **form.cleaned_data)
        elif action == "handle":
            form = forms.HandleForm(request.POST)
            if form.is_valid():
                feedback_handle(actor=request.user, record=record, **form.cleaned_data)
        elif action == "close":
            form = None
            feedback_close(actor=request.user, record=record)
        else:
            raise Http404
    except ValidationError as error:
        _errors(request, error)
    else:
        if form is not None and not form.is_valid():
            messages.error(request, _("Fill in the form."))
        else:
            messages.success(request, _("Saved."))
    return redirect("followups:feedback_detail", pk=record.pk)


# --- Events ---------------------------------------------------------------------------------


@login_required
def event_list(request):
    require_manager_page(request.user)
    form = forms.EventForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        event = event_create(actor=request.user, event=form.instance)
        messages.success(request, _("Event created. Now invite customers."))
        return redirect(event.get_absolute_url())
    events = CustomerEvent.objects.order_by("-starts_at")
    return render(request, "followups/event_list.html", {"events": events, "form": form})


@login_required
def event_detail(request, pk):
    require_manager_page(request.user)
    event = get_object_or_404(CustomerEvent, pk=pk)
    filter_form = forms.CustomerFilterForm(request.POST or None)
    if request.method == "POST" and filter_form.is_valid():
        customers = customers_matching(
            visible=customer_list_visible(user=request.user), **filter_form.cleaned_data
        )
        left_out = list(
            customers_without_consent(customers, Purpose.MARKETING_EVENTS).select_related("owner")[
                :200
            ]
        )
        count = event_invite(actor=request.user, event=event, customers=customers)
        messages.success(request, _("%(count)d customer(s) newly invited.") % {"count": count})
        if not left_out:
            return redirect(event.get_absolute_url())
    else:
        left_out = []
    invitations = event.invitations.select_related("customer__owner").order_by(
        "customer__name", "id"
    )
    page = Paginator(invitations, 100).get_page(request.GET.get("page"))
    counts = dict(event.invitations.values_list("reply").order_by().annotate(n=Count("id")))
    summary = [(label, counts.get(value, 0)) for value, label in InvitationReply.choices]
    attended = event.invitations.filter(attended=True).count()
    return render(
        request,
        "followups/event_detail.html",
        {
            "event": event,
            "filter_form": filter_form,
            "page": page,
            "summary": summary,
            "attended": attended,
            "replies": InvitationReply.choices,
            "left_out": left_out,
        },
    )


@login_required
@require_POST
def invitation_update(request, pk):
    require_manager_page(request.user)
    invitation = get_object_or_404(EventInvitation, pk=pk)
    reply = request.POST.get("reply")
    attended = {"yes": True, "no": False}.get(request.POST.get("attended", ""))
    try:
        invitation_record(actor=request.user, invitation=invitation, reply=reply, attended=attended)
    except ValidationError as error:
        _errors(request, error)
    return redirect(f"{invitation.event.get_absolute_url()}#invitation-{invitation.pk}")


# --- Catalogue mailings -----------------------------------------------------------------------


@login_required
def mailing_list(request):
    require_manager_page(request.user)
    form = forms.MailingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        mailing = mailing_create(
            actor=request.user,
            mailing=form.instance,
            destinations=form.cleaned_data["destination_choices"],
            visible=customer_list_visible(user=request.user),
        )
        messages.success(request, _("Mailing list made."))
        return redirect(mailing.get_absolute_url())
    mailings = CatalogueMailing.objects.annotate(recipient_count=Count("recipients")).order_by(
        "-mailed_on", "-id"
    )
    return render(request, "followups/mailing_list.html", {"mailings": mailings, "form": form})


def _mailing(request, pk) -> CatalogueMailing:
    require_manager_page(request.user)
    return get_object_or_404(CatalogueMailing.objects.select_related("team"), pk=pk)


@login_required
def mailing_detail(request, pk):
    mailing = _mailing(request, pk)
    incomplete = mailing_incomplete_addresses(
        mailing=mailing, visible=customer_list_visible(user=request.user)
    ).select_related("owner")
    no_consent = mailing_left_out_by_consent(
        mailing=mailing, visible=customer_list_visible(user=request.user)
    ).select_related("owner")
    return render(
        request,
        "followups/mailing_detail.html",
        {
            "mailing": mailing,
            "no_consent": no_consent[:200],
            "no_consent_count": no_consent.count(),
            "recipients": Paginator(mailing.recipients.order_by("postal_code", "id"), 100).get_page(
                request.GET.get("page")
            ),
            "incomplete": incomplete[:200],
            "incomplete_count": incomplete.count(),
            "destinations": mailing.destinations.all(),
        },
    )


def _mailing_export_refused(request, mailing, *, door: str) -> HttpResponse | None:
    """Names, addresses and mobiles leave the system here: through the export guard."""
    try:
        personal_data_export_record(
            actor=request.user,
            customer_rows=mailing.recipients.count(),
            obj=mailing,
            object_type="catalogue_mailing",
            detail={"door": door},
        )
    except MassActionRefused as refusal:
        messages.error(request, refusal.message)
        return redirect(mailing.get_absolute_url())
    return None


@login_required
def mailing_csv(request, pk):
    mailing = _mailing(request, pk)
    if refused := _mailing_export_refused(request, mailing, door="csv"):
        return refused
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="mailing-{mailing.pk}.csv"'
    response.write("\ufeff")  # Excel opens UTF-8 with a BOM
    writer = SafeCsvWriter(response)
    writer.writerow(
        [_("name"), _("postal code"), _("province"), _("city"), _("district"),
         _("street address"), _("mobile")]
    )  # fmt: skip
    for row in (
        mailing.recipients.order_by("postal_code", "id")
        .values_list(
            "name", "postal_code", "province", "city", "district", "street_address", "mobile"
        )
        .iterator(chunk_size=2000)
    ):
        writer.writerow(row)
    return response


@login_required
def mailing_labels(request, pk):
    mailing = _mailing(request, pk)
    if refused := _mailing_export_refused(request, mailing, door="labels"):
        return refused
    return render(
        request,
        "followups/mailing_labels.html",
        {"mailing": mailing, "recipients": mailing.recipients.order_by("postal_code", "id")},
    )
