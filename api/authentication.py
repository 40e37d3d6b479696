"""Authorization: Bearer <token>. The API's only door: no session, no password, no
cookie (so no CSRF either). A token of a departed (inactive) person or a revoked or
expired token is refused the same way as a wrong one."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication

from api.models import ApiToken
from api.models.tokens import TOKEN_PREFIX, token_hash
from api.scopes import scopes_allowed_for
from api.services import token_mark_used
from customers.audit import client_ip


class BearerTokenAuthentication(BaseAuthentication):
    keyword = "bearer"

    def authenticate(self, request):
        # The header as text (not DRF's bytes helper, which fails on characters outside
        # latin-1 that a test client, or a proxy, may hand over).
        parts = str(request.META.get("HTTP_AUTHORIZATION", "")).split()
        if not parts or parts[0].lower() != self.keyword:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(
                _("Send the token as: Authorization: Bearer <token>.")
            )
        raw = parts[1]
        if not raw.isascii() or not raw.startswith(TOKEN_PREFIX) or len(raw) > 200:
            raise exceptions.AuthenticationFailed(_("The token is not valid."))
        token = (
            ApiToken.objects.select_related("user__service_account")
            .filter(key_hash=token_hash(raw))
            .first()
        )
        now = timezone.now()
        if token is None or not token.is_usable(now=now):
            raise exceptions.AuthenticationFailed(
                _("The token is not valid: wrong, expired or revoked.")
            )
        user = token.user
        if user.is_service_account:
            allowed = set(user.service_account.scopes)
        else:
            allowed = scopes_allowed_for(user)
        # What this request may do: the scopes chosen at creation, cut to what the
        # account (or the person's role, today) allows.
        token.effective_scopes = frozenset(token.scopes) & frozenset(allowed)
        token_mark_used(token=token, ip=client_ip(request), now=now)
        return user, token

    def authenticate_header(self, request):
        return 'Bearer realm="api"'


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = BearerTokenAuthentication
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": str(
                _(
                    "A personal token (your menu → API tokens) or a service account's "
                    "token (managers: Data → Service accounts and tokens)."
                )
            ),
        }
