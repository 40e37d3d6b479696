"""The token pages: staff make and revoke their own personal tokens; managers make
service accounts, give them tokens, and see and revoke every token. A new token is shown
once, on the page that answers the form (never stored, never in a redirect's URL)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.roles import is_manager, require_manager_page
from api.forms import PersonalTokenForm, ServiceAccountForm, ServiceTokenForm
from api.scopes import SCOPE_LABELS, scopes_allowed_for
from api.selectors import (
    service_account_get,
    service_account_list,
    token_get,
    token_list_all,
    token_list_own,
)
from api.services import (
    service_account_create,
    service_account_update,
    token_create,
    token_revoke,
)


def _form_error(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


@login_required
def my_tokens(request):
    allowed = scopes_allowed_for(request.user)
    form = PersonalTokenForm(request.POST or None, allowed=allowed)
    issued = None
    if request.method == "POST" and form.is_valid():
        try:
            issued = token_create(
                actor=request.user,
                user=request.user,
                name=form.cleaned_data["name"],
                scopes=form.cleaned_data["scopes"],
                days=form.cleaned_data["days"],
            )
        except ValidationError as exc:
            _form_error(form, exc)
        else:
            form = PersonalTokenForm(allowed=allowed)
    return render(
        request,
        "api/my_tokens.html",
        {
            "form": form,
            "issued": issued,
            "tokens": token_list_own(user=request.user),
            "scope_labels": SCOPE_LABELS,
            "can_make": bool(allowed),
        },
    )


@login_required
@require_POST
def token_revoke_view(request, pk):
    token = token_get(pk=pk)
    if token.user_id != request.user.pk and not is_manager(request.user):
        raise Http404
    token_revoke(actor=request.user, token=token)
    messages.success(request, _("Token %(prefix)s revoked.") % {"prefix": token.prefix})
    if request.POST.get("next") == "manage" and is_manager(request.user):
        return redirect("api:service_accounts")
    return redirect("api:my_tokens")


@login_required
def service_accounts(request):
    require_manager_page(request.user)
    form = ServiceAccountForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            account = service_account_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _form_error(form, exc)
        else:
            messages.success(
                request,
                _("Service account %(name)s created. Now give it a token.")
                % {"name": account.user.display_name},
            )
            return redirect("api:service_account", pk=account.pk)
    return render(
        request,
        "api/service_accounts.html",
        {
            "form": form,
            "accounts": service_account_list(),
            "tokens": token_list_all(),
            "scope_labels": SCOPE_LABELS,
        },
    )


@login_required
def service_account_detail(request, pk):
    require_manager_page(request.user)
    account = service_account_get(pk=pk)
    account_form = ServiceAccountForm(account=account)
    token_form = ServiceTokenForm()
    issued = None
    if request.method == "POST" and request.POST.get("action") == "settings":
        account_form = ServiceAccountForm(request.POST, account=account)
        if account_form.is_valid():
            data = {k: v for k, v in account_form.cleaned_data.items() if k != "name"}
            try:
                service_account_update(actor=request.user, account=account, **data)
            except ValidationError as exc:
                _form_error(account_form, exc)
            else:
                messages.success(request, _("Changes saved."))
                return redirect("api:service_account", pk=account.pk)
    elif request.method == "POST" and request.POST.get("action") == "token":
        token_form = ServiceTokenForm(request.POST)
        if token_form.is_valid():
            try:
                issued = token_create(
                    actor=request.user,
                    user=account.user,
                    name=token_form.cleaned_data["name"],
                    scopes=account.scopes,
                    days=token_form.cleaned_data["days"],
                )
            except ValidationError as exc:
                _form_error(token_form, exc)
            else:
                token_form = ServiceTokenForm()
    return render(
        request,
        "api/service_account.html",
        {
            "account": account,
            "account_form": account_form,
            "token_form": token_form,
            "issued": issued,
            "tokens": token_list_own(user=account.user),
            "scope_labels": SCOPE_LABELS,
        },
    )


urlpatterns = [
    path("tokens/", my_tokens, name="my_tokens"),
    path("tokens/<int:pk>/revoke", token_revoke_view, name="token_revoke"),
    path("service-accounts/", service_accounts, name="service_accounts"),
    path("service-accounts/<int:pk>/", service_account_detail, name="service_account"),
]
