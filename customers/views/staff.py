"""Managers' staff accounts: create one, change a person's role or team. 404 for
everyone else, like every manager page."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from accounts.roles import require_manager_page
from customers.forms_staff import StaffChangeForm, StaffCreateForm
from customers.services.staff import staff_change, staff_create, staff_role


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


@login_required
def staff_edit(request, user_pk):
    require_manager_page(request.user)
    member = get_object_or_404(
        get_user_model().objects.select_related("team"),
        pk=user_pk,
        is_superuser=False,
        is_service_account=False,
        is_active=True,
    )
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
