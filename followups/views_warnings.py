"""Handling an early warning: POST with a note, back to the page it came from."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from customers.selectors import customer_can_edit
from followups.forms import WarningHandleForm
from followups.selectors_warnings import warning_get_visible
from followups.services.warnings import warning_handle


@login_required
@require_POST
def warning_handle_view(request, pk):
    warning = warning_get_visible(user=request.user, pk=pk)
    if not customer_can_edit(user=request.user, customer=warning.customer):
        raise Http404  # seen through special access (read-only): not theirs to handle
    form = WarningHandleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say what was done about it."))
    else:
        try:
            warning_handle(actor=request.user, warning=warning, note=form.cleaned_data["note"])
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(
                request, _("Warning handled: %(name)s.") % {"name": warning.customer.name}
            )
    target = request.POST.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("followups:my_day")
