"""Managers' pages for webhooks. Everyone else gets 404 (require_manager_page)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.roles import require_manager_page
from webhooks.forms import DeliveryFilterForm, EndpointForm
from webhooks.models import DeliveryStatus, Endpoint, WebhookEvent
from webhooks.selectors import (
    delivery_attempts,
    delivery_get,
    delivery_list,
    endpoint_list,
    payload_pretty,
)
from webhooks.services import (
    delivery_retry_now,
    endpoint_create,
    endpoint_secret_regenerate,
    endpoint_send_test,
    endpoint_set_active,
    endpoint_update,
)

PAGE_SIZE = 50
RECENT = 10
SECRET_SESSION_KEY = "webhooks_secret_once"  # noqa: S105 (a session key name)


def _manager(request) -> None:
    require_manager_page(request.user)


def _show_secret_once(request, endpoint: Endpoint, secret: str) -> None:
    request.session[SECRET_SESSION_KEY] = {"endpoint": endpoint.pk, "secret": secret}


def _apply_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def _event_labels(events) -> list[str]:
    labels = dict(WebhookEvent.choices)
    return [str(labels.get(event, event)) for event in events or []]


@login_required
def endpoints(request):
    _manager(request)
    rows = list(endpoint_list())
    for endpoint in rows:
        endpoint.event_labels = _event_labels(endpoint.events)
    return render(request, "webhooks/endpoint_list.html", {"endpoints": rows})


@login_required
def endpoint_new(request):
    _manager(request)
    form = EndpointForm(request.POST or None, initial={"is_active": True})
    form.fields.pop("is_active")  # a new endpoint starts active
    if request.method == "POST" and form.is_valid():
        try:
            endpoint, secret = endpoint_create(
                actor=request.user,
                name=form.cleaned_data["name"],
                url=form.cleaned_data["url"],
                events=form.cleaned_data["events"],
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            _show_secret_once(request, endpoint, secret)
            messages.success(request, _("The endpoint is registered."))
            return redirect("webhooks:endpoint", pk=endpoint.pk)
    return render(request, "webhooks/endpoint_form.html", {"form": form, "endpoint": None})


@login_required
def endpoint_edit(request, pk: int):
    _manager(request)
    endpoint = get_object_or_404(Endpoint, pk=pk)
    initial = {
        "name": endpoint.name,
        "url": endpoint.url,
        "events": endpoint.events,
        "is_active": endpoint.is_active,
    }
    form = EndpointForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            endpoint_update(actor=request.user, endpoint=endpoint, **form.cleaned_data)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("The endpoint is saved."))
            return redirect("webhooks:endpoint", pk=endpoint.pk)
    return render(request, "webhooks/endpoint_form.html", {"form": form, "endpoint": endpoint})


@login_required
def endpoint_detail(request, pk: int):
    _manager(request)
    endpoint = get_object_or_404(Endpoint, pk=pk)
    once = request.session.get(SECRET_SESSION_KEY)
    secret = None
    if once and once.get("endpoint") == endpoint.pk:
        secret = once.get("secret")
        del request.session[SECRET_SESSION_KEY]
    response = render(
        request,
        "webhooks/endpoint_detail.html",
        {
            "endpoint": endpoint,
            "event_labels": _event_labels(endpoint.events),
            "secret": secret,
            "recent": list(delivery_list(endpoint=endpoint)[:RECENT]),
        },
    )
    add_never_cache_headers(response)  # the secret, when shown, is not kept by the browser
    return response


@login_required
@require_POST
def endpoint_toggle(request, pk: int):
    _manager(request)
    endpoint = get_object_or_404(Endpoint, pk=pk)
    try:
        endpoint = endpoint_set_active(
            actor=request.user, endpoint=endpoint, active=not endpoint.is_active
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("webhooks:endpoint", pk=endpoint.pk)
    if endpoint.is_active:
        messages.success(request, _("The endpoint is enabled."))
    else:
        messages.success(request, _("The endpoint is disabled: nothing more is sent to it."))
    return redirect("webhooks:endpoint", pk=endpoint.pk)


@login_required
@require_POST
def endpoint_secret(request, pk: int):
    _manager(request)
    endpoint = get_object_or_404(Endpoint, pk=pk)
    secret = endpoint_secret_regenerate(actor=request.user, endpoint=endpoint)
    _show_secret_once(request, endpoint, secret)
    messages.warning(
        request, _("A new signing secret is in force. Give it to the receiving system now.")
    )
    return redirect("webhooks:endpoint", pk=endpoint.pk)


@login_required
@require_POST
def endpoint_test(request, pk: int):
    _manager(request)
    endpoint = get_object_or_404(Endpoint, pk=pk)
    try:
        delivery = endpoint_send_test(actor=request.user, endpoint=endpoint)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("webhooks:endpoint", pk=endpoint.pk)
    messages.info(request, _("A test event was sent. Its result is below."))
    return redirect("webhooks:delivery", pk=delivery.pk)


@login_required
def deliveries(request):
    _manager(request)
    form = DeliveryFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    rows = delivery_list(
        endpoint=filters.get("endpoint"),
        event=filters.get("event", ""),
        status=filters.get("status", ""),
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "webhooks/delivery_list.html",
        {"form": form, "page": page, "query": query.urlencode()},
    )


@login_required
def delivery_detail(request, pk):
    _manager(request)
    delivery = delivery_get(pk=pk)
    if delivery is None:
        raise Http404
    return render(
        request,
        "webhooks/delivery_detail.html",
        {
            "delivery": delivery,
            "payload": payload_pretty(delivery),
            "attempts": list(delivery_attempts(delivery=delivery)),
            "can_retry": delivery.status in (DeliveryStatus.PENDING, DeliveryStatus.FAILED)
            and delivery.endpoint.is_active,
        },
    )


@login_required
@require_POST
def delivery_retry(request, pk):
    _manager(request)
    delivery = delivery_get(pk=pk)
    if delivery is None:
        raise Http404
    try:
        queued = delivery_retry_now(actor=request.user, delivery=delivery)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if queued:
            messages.info(request, _("The delivery is being sent again."))
        else:
            messages.warning(request, _("This delivery is delivered or being sent already."))
    return redirect("webhooks:delivery", pk=delivery.pk)
