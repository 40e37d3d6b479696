"""API test helpers: a token for any user, a service account, and a client that sends
the token (Authorization: Bearer) and reads answers in English unless told otherwise."""

import pytest
from rest_framework.test import APIClient

from api.scopes import ALL_SCOPES, scopes_allowed_for
from api.services import service_account_create, token_create


@pytest.fixture
def make_token():
    """make_token(user, scopes=None) -> the plaintext token. Scopes default to all the
    user's role allows (a service account: all its own)."""

    def make(user, scopes=None, days=30, name="test token"):
        if user.is_service_account:
            actor = user.service_account.created_by
            scopes = scopes if scopes is not None else user.service_account.scopes
        else:
            actor = user
            scopes = scopes if scopes is not None else sorted(scopes_allowed_for(user))
        return token_create(actor=actor, user=user, name=name, scopes=scopes, days=days).plaintext

    return make


@pytest.fixture
def make_service_account(manager1):
    """make_service_account(scopes=None, team=None, daily_row_limit=1000) -> its user
    (team None: every customer; a Team: that team's customers only)."""

    def make(scopes=None, team=None, daily_row_limit=1000, name="订单系统"):
        account = service_account_create(
            actor=manager1,
            name=name,
            scopes=list(scopes if scopes is not None else ALL_SCOPES),
            team=team,
            daily_row_limit=daily_row_limit,
        )
        return account.user

    return make


@pytest.fixture
def api_as(make_token):
    """api_as(user, scopes=None, language="en") -> an APIClient sending that user's new
    token; api_as(None) sends no token."""

    def client_for(user, scopes=None, language="en"):
        client = APIClient()
        headers = {"HTTP_ACCEPT_LANGUAGE": language}
        if user is not None:
            headers["HTTP_AUTHORIZATION"] = f"Bearer {make_token(user, scopes)}"
        client.credentials(**headers)
        return client

    return client_for
