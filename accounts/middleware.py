"""Request rules about the signed-in person: pages they see are never cached, and a
person whose password a manager asked them to change does nothing else first."""

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse


class NoStoreForSignedInMiddleware:
    """Every response to a signed-in person carries `Cache-Control: no-store`: pages,
    CSV and XLSX exports and downloads hold personal data, and a shared or lost computer
    must not keep copies in its browser cache. Static files are the exception (they hold
    none; in production WhiteNoise answers them before this middleware runs). The login
    page is answered to nobody signed in, so it keeps its normal headers."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.static_prefix = "/" + settings.STATIC_URL.lstrip("/")

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not request.path_info.startswith(self.static_prefix)
        ):
            response["Cache-Control"] = "no-store"
            response.headers.pop("Expires", None)
        return response


class PasswordChangeRequiredMiddleware:
    """A person a manager asked to change their password is sent to the password-change
    page on every request until they have. The sign-in pages under /accounts/ (log out,
    the password change itself, the second sign-in step), the language switch and static
    files stay reachable."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.open_prefixes = (
            "/accounts/",
            "/i18n/",
            "/healthz/",
            "/" + settings.STATIC_URL.lstrip("/"),
        )

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and getattr(user, "must_change_password", False)
            and not request.path_info.startswith(self.open_prefixes)
        ):
            return redirect(reverse("password_change"))
        return self.get_response(request)
