"""Managers' staff accounts: create one, change a person's role or team. 404 for
everyone else, like every manager page."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.roles import require_manager_page
from customers.forms_staff import StaffChangeForm, StaffCreateForm
from customers.services.staff import (
    staff_change,
    staff_create,
    staff_password_link_send,
    staff_role,
)


@login_required
def staff_new(request):
    require_manager_page(request.user)
    form = StaffCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = staff_create(
                actor=request.user, site_url=request.build_absolute_uri("/"), **form.cleaned_data
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                _("%(name)s's account is open; the link to choose a password went to %(email)s.")
                % {"name": user.display_name, "email": user.email},
            )
            return redirect("customers:staff")
    return render(request, "customers/staff_form.html", {"form": form, "member": None})


def _member(user_pk):
    """A member of staff a manager may manage: active, not a superuser or service account."""
    return get_object_or_404(
        get_user_model().objects.select_related("team"),
        pk=user_pk,
        is_superuser=False,
        is_service_account=False,
        is_active=True,
    )


@login_required
def staff_edit(request, user_pk):
    require_manager_page(request.user)
    member = _member(user_pk)
    initial = {"role": staff_role(member), "team": member.team}
    form = StaffChangeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            changed = staff_change(actor=request.user, user=member, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            if changed:
                messages.success(
                    request,
                    _("%(name)s's role and team were saved.") % {"name": member.display_name},
                )
            return redirect("customers:staff")
    return render(request, "customers/staff_form.html", {"form": form, "member": member})


@login_required
@require_POST
def staff_password_link(request, user_pk):
    require_manager_page(request.user)
    member = _member(user_pk)
    try:
        staff_password_link_send(
            actor=request.user, user=member, site_url=request.build_absolute_uri("/")
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("customers:staff_edit", user_pk=member.pk)
    messages.success(
        request,
        _("A link to choose a password went to %(email)s. It works once, for one day.")
        % {"email": member.email},
    )
    return redirect("customers:staff")
