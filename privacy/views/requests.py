"""A person's requests: registered from the customer page, listed by due date, handled
on their own page (a copy made in the background; links to the correction form or the
consent page) and closed with an outcome. Custodians and managers only: to anyone else
these pages do not exist (404)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts.roles import require_page
from customers.selectors import customer_get_visible
from privacy.forms_requests import RightsRequestCloseForm, RightsRequestForm
from privacy.models import CopyStatus, RequestKind, RequestStatus
from privacy.selectors_requests import (
    rights_copies,
    rights_request_get,
    rights_request_list,
    rights_requests_allowed,
)
from privacy.services.copy import rights_copy_download, rights_copy_start
from privacy.services.requests import rights_request_close, rights_request_register

PAGE_SIZE = 30


def _require(request) -> None:
    require_page(rights_requests_allowed(request.user))


@login_required
def request_list(request):
    _require(request)
    status = request.GET.get("status", "")
    kind = request.GET.get("kind", "")
    status = status if status in RequestStatus.values else ""
    kind = kind if kind in RequestKind.values else ""
    rows = rights_request_list(user=request.user, status=status, kind=kind)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    for row in page:
        row.overdue = row.status == RequestStatus.OPEN and row.due_on < today
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "privacy/requests/list.html",
        {
            "page": page,
            "status": status,
            "kind": kind,
            "statuses": RequestStatus.choices,
            "kinds": RequestKind.choices,
            "query": query.urlencode(),
            "today": today,
        },
    )


@login_required
def request_new(request, customer_pk):
    _require(request)
    customer = customer_get_visible(user=request.user, pk=customer_pk)
    form = RightsRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            rights_request = rights_request_register(
                actor=request.user, customer=customer, **form.cleaned_data
            )
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for name, errors in error.error_dict.items():
                    form.add_error(name if name in form.fields else None, errors)
            else:
                form.add_error(None, error)
        else:
            messages.success(
                request,
                _("Request registered: the answer is due on %(date)s.")
                % {"date": rights_request.due_on.isoformat()},
            )
            return redirect("privacy:request_detail", pk=rights_request.pk)
    return render(request, "privacy/requests/new.html", {"customer": customer, "form": form})


def _detail(request, rights_request, close_form=None, status=200):
    copies = rights_copies(rights_request=rights_request)
    making = any(copy.in_progress for copy in copies)
    return render(
        request,
        "privacy/requests/detail.html",
        {
            "req": rights_request,
            "customer": rights_request.customer,
            "copies": copies,
            "making": making,
            "can_make_copy": (
                rights_request.kind == RequestKind.COPY
                and rights_request.status == RequestStatus.OPEN
                and not making
            ),
            "close_form": close_form or RightsRequestCloseForm(),
            "today": timezone.localdate(),
            "CopyStatus": CopyStatus,
        },
        status=status,
    )


@never_cache
@login_required
def request_detail(request, pk):
    _require(request)
    return _detail(request, rights_request_get(user=request.user, pk=pk))


@login_required
@require_POST
def request_close(request, pk):
    _require(request)
    rights_request = rights_request_get(user=request.user, pk=pk)
    form = RightsRequestCloseForm(request.POST)
    if form.is_valid():
        try:
            rights_request_close(
                actor=request.user, rights_request=rights_request, **form.cleaned_data
            )
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for name, errors in error.error_dict.items():
                    form.add_error(name if name in form.fields else None, errors)
            else:
                form.add_error(None, error)
        else:
            messages.success(request, _("The request is closed."))
            return redirect("privacy:request_detail", pk=rights_request.pk)
    messages.error(request, _("The request was not closed: see below."))
    return _detail(request, rights_request, close_form=form, status=400)


@login_required
@require_POST
def copy_generate(request, pk):
    _require(request)
    rights_request = rights_request_get(user=request.user, pk=pk)
    try:
        rights_copy_start(
            actor=request.user,
            rights_request=rights_request,
            language=translation.get_language() or "zh-hans",
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The copy is being made; this page shows when it is ready."))
    return redirect("privacy:request_detail", pk=rights_request.pk)


@never_cache
@login_required
@require_POST
def copy_download(request, pk, copy_pk):
    _require(request)
    rights_request = rights_request_get(user=request.user, pk=pk)
    copy = rights_request.copies.filter(pk=copy_pk).first()
    if copy is None:
        require_page(False)
    try:
        content, filename = rights_copy_download(actor=request.user, copy=copy)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("privacy:request_detail", pk=rights_request.pk)
    response = HttpResponse(content, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
