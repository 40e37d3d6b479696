"""Rate limits per token (429 with Retry-After, in api.problems). The counts live in the
default cache: per process with the local-memory cache of a development machine, shared
when CACHES points at Redis in production."""

from rest_framework.throttling import SimpleRateThrottle


class TokenRateThrottle(SimpleRateThrottle):
    """API_RATE_PER_TOKEN requests per period per token (REST_FRAMEWORK's rates)."""

    scope = "token"

    def get_cache_key(self, request, view):
        token = request.auth
        if token is None or not getattr(token, "prefix", None):
            return None  # no token: refused before any work (api.permissions)
        return self.cache_format % {"scope": self.scope, "ident": token.prefix}
