"""Reads for the token pages."""

from django.db.models import QuerySet
from django.http import Http404

from api.models import ApiToken, ServiceAccount


def token_list_own(*, user) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user).select_related("revoked_by")


def token_list_all() -> QuerySet[ApiToken]:
    """Every token, people's and service accounts', newest first (managers)."""
    return ApiToken.objects.select_related("user", "created_by", "revoked_by").order_by(
        "revoked_at", "-created_at", "-pk"
    )


def service_account_list() -> QuerySet[ServiceAccount]:
    return ServiceAccount.objects.select_related("user__team", "created_by")


def service_account_get(*, pk) -> ServiceAccount:
    try:
        return service_account_list().get(pk=pk)
    except (ServiceAccount.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def token_get(*, pk) -> ApiToken:
    try:
        return ApiToken.objects.select_related("user").get(pk=pk)
    except (ApiToken.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
