"""The gate between the password step and every page (product and /admin/ alike).

At sign-in (Django's user_logged_in, whichever login view sent it) the session gets a
state: "verify" when the person has an authenticator, "enrol" when the policy requires
one and they have none, "ok" otherwise. Until the state is "ok", TwoFactorMiddleware
answers every request with a redirect to the code page or the set-up page; only those
pages, logging out and the language switch are served. The state is decided once per
session, so pages pay no extra query.
"""

from urllib.parse import urlencode

from django.shortcuts import redirect
from django.urls import reverse

from twofactor.policy import two_factor_required
from twofactor.selectors import is_enrolled

STATE_KEY = "twofactor_state"
VERIFY = "verify"
ENROL = "enrol"
PASSED = "ok"

# Views a person may reach while the second step is still open.
ALWAYS_OPEN = frozenset({"logout", "admin:logout", "set_language"})
OPEN_IN_STATE = {
    VERIFY: ALWAYS_OPEN | {"twofactor:verify"},
    ENROL: ALWAYS_OPEN | {"twofactor:setup"},
}


def state_for(user) -> str:
    if is_enrolled(user=user):
        return VERIFY
    if two_factor_required(user):
        return ENROL
    return PASSED


def on_sign_in(sender, request, user, **kwargs) -> None:
    if request is not None and hasattr(request, "session"):
        request.session[STATE_KEY] = state_for(user)


def mark_passed(request) -> None:
    request.session[STATE_KEY] = PASSED


def session_state(request) -> str:
    """The session's state; sessions from before this gate existed get one now."""
    state = request.session.get(STATE_KEY)
    if state not in (VERIFY, ENROL, PASSED):
        state = state_for(request.user)
        request.session[STATE_KEY] = state
    return state


def second_step_pending(request) -> bool:
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated and session_state(request) != PASSED)


class TwoFactorMiddleware:
    """Must come after AuthenticationMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not request.user.is_authenticated:
            return None
        state = session_state(request)
        if state == PASSED:
            return None
        match = request.resolver_match
        if match is not None and match.view_name in OPEN_IN_STATE[state]:
            return None
        target = reverse("twofactor:verify" if state == VERIFY else "twofactor:setup")
        if request.method == "GET":
            target += "?" + urlencode({"next": request.get_full_path()})
        return redirect(target)
