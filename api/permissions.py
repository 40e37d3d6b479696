"""Scope checks. A view says which scope each request needs; the token must carry it.
Which objects the request may touch is not decided here: the selectors and services the
view calls decide that, for a token exactly as for its user on the pages (404 outside)."""

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.permissions import SAFE_METHODS, BasePermission


class InsufficientScope(exceptions.PermissionDenied):
    default_detail = _("This token does not have the scope this request needs.")
    default_code = "insufficient_scope"

    def __init__(self, scope: str):
        super().__init__(
            _("This token does not have the scope %(scope)s, which this request needs.")
            % {"scope": scope}
        )
        self.scope = scope


def required_scope(request, view) -> str | None:
    """The scope a request needs. Views declare, in order of precedence:
    `action_scopes = {"redeem": "points:write"}` (viewset actions),
    `method_scopes = {"GET": "...", "PUT": "..."}`,
    or `scope_resource = "customers"` (read for GET/HEAD/OPTIONS, write otherwise)."""
    action = getattr(view, "action", None)
    action_scopes = getattr(view, "action_scopes", None) or {}
    if action in action_scopes:
        return action_scopes[action]
    method_scopes = getattr(view, "method_scopes", None) or {}
    if request.method in method_scopes:
        return method_scopes[request.method]
    resource = getattr(view, "scope_resource", None)
    if resource:
        return f"{resource}:{'read' if request.method in SAFE_METHODS else 'write'}"
    return None


def token_scopes(request) -> frozenset[str]:
    return getattr(request.auth, "effective_scopes", frozenset())


def has_scope(request, scope: str) -> bool:
    return scope in token_scopes(request)


class TokenHasScope(BasePermission):
    """Every API view: a valid token, carrying the view's scope. A view that declares no
    scope is refused: forgetting to declare one must not open it."""

    def has_permission(self, request, view):
        if request.user is None or not request.user.is_authenticated or request.auth is None:
            raise exceptions.NotAuthenticated()
        scope = required_scope(request, view)
        if scope is None or not has_scope(request, scope):
            raise InsufficientScope(scope or "?")
        return True
