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

from archives.filters import ArchiveFilter
from archives.forms import DocumentForm, TourGroupForm
from archives.models import DocumentKind
from archives.selectors import (
    archive_can_close,
    archive_can_upload,
    archive_checklist,
    archive_get_visible,
    archive_list_annotate,
    archive_list_visible,
    document_get_visible,
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
        },
    )


@login_required
def tour_group_new(request):
    if not tour_group_can_create(user=request.user):
        raise PermissionDenied
    departure = parse_date(request.GET.get("departure") or "") or None
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


def _detail_context(request, archive, upload_forms=None):
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
