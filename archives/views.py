"""Thin views: rows from selectors, writes to services. Out of scope is 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.roles import is_manager, require_manager_page
from archives.filters import ArchiveFilter
from archives.forms import DocumentForm, RetentionDecisionForm, TourGroupForm
from archives.models import DocumentKind, RetentionChangeStatus
from archives.retention import retention_change_decide, shortening_wait_days
from archives.selectors import (
    archive_can_close,
    archive_can_upload,
    archive_checklist,
    archive_get_visible,
    archive_list_annotate,
    archive_list_visible,
    archive_retention_history,
    document_get_visible,
    retention_changes_pending,
    tour_group_can_create,
    tour_travellers_visible,
)
from archives.services import archive_document_add, archive_mark_archived, tour_group_create
from customers.audit import audit_record
from customers.models import AuditAction

PAGE_SIZE = 25


@login_required
def archive_list(request):
    visible = archive_list_annotate(archive_list_visible(user=request.user))
    archive_filter = ArchiveFilter(request.GET or None, queryset=visible)
    page = Paginator(archive_filter.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "archives/archive_list.html",
        {
            "filter": archive_filter,
            "page": page,
            "query": query.urlencode(),
            "can_create": tour_group_can_create(user=request.user),
            "today": timezone.localdate(),
            "pending_keep_until": (
                list(retention_changes_pending(user=request.user)[:PAGE_SIZE])
                if is_manager(request.user)
                else []
            ),
        },
    )


def _query_date(request, name: str):
    """A YYYY-MM-DD date from the query string; a malformed or impossible one
    (2026-02-30) is ignored with a note, never a server error."""
    raw = (request.GET.get(name) or "").strip()
    if not raw:
        return None
    try:
        day = parse_date(raw)
    except ValueError:
        day = None
    if day is None:
        messages.warning(
            request, _("“%(value)s” is not a valid date; it was ignored.") % {"value": raw[:40]}
        )
    return day


@login_required
def tour_group_new(request):
    if not tour_group_can_create(user=request.user):
        raise PermissionDenied
    departure = _query_date(request, "departure")
    product = (request.GET.get("product") or "").strip()
    form = TourGroupForm(
        request.POST or None, user=request.user, departure=departure, product=product
    )
    if request.method == "POST" and form.is_valid():
        try:
            tour = tour_group_create(
                actor=request.user,
                tour=form.save(commit=False),
                bookings=form.cleaned_data["bookings"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, _("Tour group %(group)s created.") % {"group": tour.group_number}
            )
            return redirect(tour.archive)
    return render(
        request,
        "archives/tour_form.html",
        {"form": form, "departure": departure, "product": product},
    )


def _form_ids(kind: str) -> str:
    """Twelve upload forms on one page: element ids unique per checklist row."""
    return f"id_{kind if kind in DocumentKind.values else 'document'}_%s"


def _detail_context(request, archive, upload_forms=None, decision_form=None):
    checklist = archive_checklist(archive=archive)
    upload_forms = upload_forms or {}
    can_upload = archive_can_upload(user=request.user, archive=archive)
    for row in checklist:
        row.form = upload_forms.get(row.kind) or DocumentForm(
            initial={"kind": row.kind}, auto_id=_form_ids(row.kind)
        )
    travellers, other_travellers = tour_travellers_visible(user=request.user, archive=archive)
    return {
        "archive": archive,
        "tour": archive.tour,
        "checklist": checklist,
        "missing": [row for row in checklist if row.missing],
        "can_upload": can_upload,
        "can_close": archive_can_close(user=request.user, archive=archive),
        "travellers": travellers,
        "other_travellers": other_travellers,
        "today": timezone.localdate(),
        "retention_history": archive_retention_history(archive=archive),
        "can_decide_retention": is_manager(request.user),
        "shortening_wait_days": shortening_wait_days(trip_type=archive.tour.trip_type),
        "decision_form": decision_form or RetentionDecisionForm(),
    }


@login_required
def archive_detail(request, pk):
    archive = archive_get_visible(user=request.user, pk=pk)
    audit_record(
        actor=request.user, action=AuditAction.VIEW, obj=archive, object_type="businessarchive"
    )
    return render(request, "archives/archive_detail.html", _detail_context(request, archive))


@login_required
@require_POST
def document_add(request, pk):
    archive = archive_get_visible(user=request.user, pk=pk)
    if not archive_can_upload(user=request.user, archive=archive):
        raise PermissionDenied
    kind = request.POST.get("kind", "")
    form = DocumentForm(request.POST, request.FILES, auto_id=_form_ids(kind))
    if form.is_valid():
        try:
            document = archive_document_add(
                actor=request.user,
                archive=archive,
                kind=form.cleaned_data["kind"],
                upload=form.cleaned_data["file"],
                paper_location=form.cleaned_data["paper_location"],
                reference=form.cleaned_data["reference"],
                notes=form.cleaned_data["notes"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Added: %(document)s") % {"document": document})
            return redirect(archive)
    # Also at the top of the page: on a phone the checklist row is far below.
    label = dict(DocumentKind.choices).get(kind, "")
    reasons = " ".join(message for errors in form.errors.values() for message in errors)
    messages.error(
        request,
        _("Not added to “%(document)s”: %(reason)s") % {"document": label, "reason": reasons},
    )
    context = _detail_context(request, archive, upload_forms={kind: form})
    context["open_kind"] = kind
    return render(request, "archives/archive_detail.html", context, status=400)


@login_required
@require_POST
def archive_close(request, pk):
    archive = archive_get_visible(user=request.user, pk=pk)
    if not archive_can_close(user=request.user, archive=archive):
        raise PermissionDenied
    try:
        archive_mark_archived(actor=request.user, archive=archive)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The archive is marked archived."))
    return redirect(archive)


@login_required
def document_download(request, pk):
    """The only way to a document's file: visible archive, then one audit entry."""
    document = document_get_visible(user=request.user, pk=pk)
    if not document.file:
        raise Http404
    try:
        handle = document.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    audit_record(
        actor=request.user,
        action=AuditAction.DOWNLOAD,
        obj=document,
        detail={"archive": document.archive_id, "sha256": document.sha256},
    )
    return FileResponse(
        handle,
        as_attachment=True,
        filename=document.original_filename,
        content_type=document.content_type or "application/octet-stream",
    )


@login_required
@require_POST
def retention_change_decision(request, pk, change_pk):
    """A manager approves or refuses an earlier keep-until date from the archive page.
    Anyone else, and any request that is not this archive's, is 404."""
    archive = archive_get_visible(user=request.user, pk=pk)
    require_manager_page(request.user)
    change = archive.retention_changes.filter(pk=change_pk).first()
    if change is None:
        raise Http404
    form = RetentionDecisionForm(request.POST)
    if form.is_valid():
        approve = form.cleaned_data["decision"] == "approve"
        try:
            change = retention_change_decide(
                actor=request.user,
                change=change,
                approve=approve,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if change.status == RetentionChangeStatus.APPROVED:
                messages.success(
                    request,
                    _("Approved: the archive is now kept until %(date)s.")
                    % {"date": change.applied_end.isoformat()},
                )
            else:
                messages.success(request, _("Refused: the keep-until date stays as it was."))
            return redirect(archive)
    archive = archive_get_visible(user=request.user, pk=pk)
    context = _detail_context(request, archive, decision_form=form)
    return render(request, "archives/archive_detail.html", context, status=400)
