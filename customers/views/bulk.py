"""The customer list's bulk actions: thin, the rules are in customers.services.bulk."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from accounts.roles import require_page
from customers.forms import CustomerBulkForm
from customers.services import MassActionRefused, customers_bulk_allowed, customers_bulk_update


@login_required
@require_POST
def customer_bulk(request):
    require_page(customers_bulk_allowed(user=request.user))
    back = reverse("customers:list")
    query = QueryDict(request.POST.get("query", "")).urlencode()
    if query:
        back = f"{back}?{query}"
    form = CustomerBulkForm(request.POST, user=request.user)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(back)
    try:
        changed = customers_bulk_update(
            actor=request.user,
            customer_ids=request.POST.getlist("customers"),
            action=form.cleaned_data["action"],
            owner=form.cleaned_data["owner"],
            tag=form.cleaned_data["tag"],
        )
    except MassActionRefused as refusal:
        messages.error(request, refusal.message)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        if changed:
            messages.success(
                request,
                ngettext("%(count)d customer changed.", "%(count)d customers changed.", changed)
                % {"count": changed},
            )
        else:
            messages.info(request, _("Nothing to change: the ticked customers were already so."))
    return redirect(back)
