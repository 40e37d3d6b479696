"""Outgoing mail: the managers' view of the outbox (what waits, what failed, why), with
"retry now". Everyone else gets 404 (require_manager_page)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from accounts.roles import require_manager_page
from customers.models import MessageStatus
from customers.outbox_selectors import (
    outbox_attempts,
    outbox_counts,
    outbox_list,
    outbox_message_get,
)
from customers.services.outbox import message_retry_now, messages_retry_failed
from customers.services.staff import PASSWORD_LINK_KIND

# Messages whose body carries a secret for the recipient alone (a set-password link).
BODY_HIDDEN_KINDS = {PASSWORD_LINK_KIND}

PAGE_SIZE = 50


@login_required
def outbox(request):
    require_manager_page(request.user)
    status = request.GET.get("status", "")
    if status not in MessageStatus.values:
        status = ""
    page = Paginator(outbox_list(status=status), PAGE_SIZE).get_page(request.GET.get("page"))
    counts = outbox_counts()
    return render(
        request,
        "customers/outbox.html",
        {
            "page": page,
            "status": status,
            "query": f"status={status}" if status else "",
            "statuses": [(value, label, counts[value]) for value, label in MessageStatus.choices],
            "failed": counts[MessageStatus.FAILED],
        },
    )


@login_required
def outbox_message(request, pk):
    require_manager_page(request.user)
    message = outbox_message_get(pk=pk)
    if message is None:
        raise Http404
    return render(
        request,
        "customers/outbox_message.html",
        {
            "message": message,
            # A one-time sign-in link is for its recipient only, not for the managers
            # who watch the outbox (they could set another person's password with it).
            "body_hidden": message.kind in BODY_HIDDEN_KINDS,
            "attempts": outbox_attempts(message=message),
            "can_retry": message.status in (MessageStatus.PENDING, MessageStatus.FAILED),
        },
    )


@login_required
@require_POST
def outbox_retry(request, pk):
    require_manager_page(request.user)
    message = outbox_message_get(pk=pk)
    if message is None:
        raise Http404
    if message_retry_now(actor=request.user, message=message):
        messages.info(request, _("The message is being sent again."))
    else:
        messages.warning(request, _("This message is sent or being sent already."))
    return redirect("customers:outbox_message", pk=message.pk)


@login_required
@require_POST
def outbox_retry_failed(request):
    require_manager_page(request.user)
    count = messages_retry_failed(actor=request.user)
    messages.info(
        request,
        ngettext(
            "%(count)d failed message is being sent again.",
            "%(count)d failed messages are being sent again.",
            count,
        )
        % {"count": count},
    )
    return redirect("customers:outbox")
