from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.shortcuts import render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _

from accounts.signals import password_changed


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's password change (old password, new one twice, the password validators),
    in our layout. Clears a manager's "must change password" and announces the change so
    it is audited."""

    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("home")

    def form_valid(self, form):
        user = form.user
        forced = user.must_change_password
        user.must_change_password = False  # saved with the new password, in one write
        response = super().form_valid(form)  # saves and keeps this session signed in
        password_changed.send(sender=type(user), user=user, request=self.request, forced=forced)
        messages.success(self.request, _("Your password was changed."))
        return response


def locked_out(request, original_response=None, credentials=None):
    """What axes answers instead of a sign-in it refused (AXES_LOCKOUT_CALLABLE): our
    layout with a message saying for how long, and who can unlock, on the product and the
    admin login alike. 429: the same form posted again later will work."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(
        request,
        "accounts/locked_out.html",
        {"minutes": minutes, "login_url": request.path},
        status=429,
    )


class PasswordSetupView(auth_views.PasswordResetConfirmView):
    """A new member of staff chooses their password through the one-time link a manager's
    account creation mailed them (customers.services.staff): Django's reset-token
    check, the password validators, then the sign-in page."""

    template_name = "accounts/password_setup.html"
    success_url = reverse_lazy("login")

    def form_valid(self, form):
        response = super().form_valid(form)
        password_changed.send(
            sender=type(form.user), user=form.user, request=self.request, first=True
        )
        messages.success(self.request, _("Your password is set. Sign in with it now."))
        return response
