"""What every API view is built on. Subclass these (not DRF's bare classes): the token
door, the scope check, the rate limit, problem+json errors and no-store come with them
(most from REST_FRAMEWORK in settings; these make it explicit and add the rest)."""

from rest_framework import generics, viewsets
from rest_framework.views import APIView

from api.authentication import BearerTokenAuthentication
from api.pagination import ApiCursorPagination
from api.permissions import TokenHasScope
from api.throttling import TokenRateThrottle


class ApiMixin:
    authentication_classes = [BearerTokenAuthentication]
    permission_classes = [TokenHasScope]
    throttle_classes = [TokenRateThrottle]
    pagination_class = ApiCursorPagination

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        # Personal data: no copy in any cache between the integration and us.
        response["Cache-Control"] = "no-store"
        return response


class ApiView(ApiMixin, APIView):
    pass


class ApiGenericView(ApiMixin, generics.GenericAPIView):
    pass


class ApiGenericViewSet(ApiMixin, viewsets.GenericViewSet):
    pass
