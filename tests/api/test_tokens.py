"""Tokens: shown once, stored hashed, expire, can be revoked, last use recorded cheaply;
personal tokens carry no more than the person's role; service accounts never sign in."""

import datetime
import hashlib

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from api.models import ApiToken
from api.services import token_create, token_revoke
from customers.models import AuditAction, AuditEntry
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

LIST = "/api/v1/customers"


def _bearer(token: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}", "HTTP_ACCEPT_LANGUAGE": "en"}


def test_a_token_is_stored_only_as_its_sha256_with_a_visible_prefix(sales1):
    issued = token_create(
        actor=sales1, user=sales1, name="手机", scopes=["customers:read"], days=30
    )
    row = ApiToken.objects.get(pk=issued.token.pk)
    assert issued.plaintext.startswith(row.prefix + "_")
    assert row.key_hash == hashlib.sha256(issued.plaintext.encode()).hexdigest()
    stored = " ".join(
        str(value) for value in ApiToken.objects.filter(pk=row.pk).values().first().values()
    )
    assert issued.plaintext not in stored
    assert len(issued.plaintext) > 40  # 256 bits of secret after the prefix


def test_the_page_shows_a_new_token_once(sales1, client_as):
    client = client_as(sales1)
    response = client.post(
        reverse("api:my_tokens"),
        {"name": "Excel 报表", "scopes": ["customers:read"], "days": "30"},
    )
    assert response.status_code == 200
    token = ApiToken.objects.get(user=sales1)
    shown = response.context["issued"].plaintext
    assert shown in response.text and shown.startswith(token.prefix)
    again = client.get(reverse("api:my_tokens"))
    assert shown not in again.text
    assert token.prefix in again.text  # the list tells tokens apart by prefix
    assert response["Cache-Control"] == "no-store"
    # ... and it works
    assert client.get(LIST, **_bearer(shown)).status_code == 200


def test_expired_and_revoked_tokens_are_refused(client, sales1, manager1):
    issued = token_create(actor=sales1, user=sales1, name="t", scopes=["customers:read"], days=1)
    assert client.get(LIST, **_bearer(issued.plaintext)).status_code == 200
    with time_machine.travel(timezone.now() + datetime.timedelta(days=1, seconds=1)):
        response = client.get(LIST, **_bearer(issued.plaintext))
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert "expired" in response.json()["detail"]

    other = token_create(actor=sales1, user=sales1, name="t2", scopes=["customers:read"], days=5)
    token_revoke(actor=manager1, token=other.token)
    assert client.get(LIST, **_bearer(other.plaintext)).status_code == 401
    revoked = AuditEntry.objects.get(object_type="api_token", action=AuditAction.CHANGE)
    assert revoked.actor == manager1 and revoked.detail["revoked"] is True


def test_only_the_owner_or_a_manager_revokes(sales1, sales2, client_as):
    issued = token_create(actor=sales1, user=sales1, name="t", scopes=["customers:read"], days=5)
    with pytest.raises(PermissionDenied):
        token_revoke(actor=sales2, token=issued.token)
    response = client_as(sales2).post(reverse("api:token_revoke", args=[issued.token.pk]))
    assert response.status_code == 404
    client_as(sales1).post(reverse("api:token_revoke", args=[issued.token.pk]))
    assert ApiToken.objects.get(pk=issued.token.pk).revoked_at is not None


def test_garbage_and_wrong_tokens_are_refused_alike(client):
    for header in ["Bearer", "Bearer a b", "Bearer crm_nope_nope", "Bearer ✓", "Token abc"]:
        response = client.get(LIST, HTTP_AUTHORIZATION=header)
        assert response.status_code == 401, header
        assert response["Content-Type"] == "application/problem+json"
        assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_session_cookie_does_not_open_the_api(sales1, client_as):
    assert client_as(sales1).get(LIST).status_code == 401


def test_last_use_is_written_at_most_once_a_minute(client, sales1):
    issued = token_create(actor=sales1, user=sales1, name="t", scopes=["customers:read"], days=5)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client.get(LIST, REMOTE_ADDR="10.0.0.7", **_bearer(issued.plaintext))
    token = ApiToken.objects.get(pk=issued.token.pk)
    assert token.last_used_at == start and token.last_used_ip == "10.0.0.7"
    with time_machine.travel(start + datetime.timedelta(seconds=30), tick=False):
        client.get(LIST, REMOTE_ADDR="10.0.0.8", **_bearer(issued.plaintext))
    assert ApiToken.objects.get(pk=token.pk).last_used_at == start  # no write within a minute
    later = start + datetime.timedelta(seconds=61)
    with time_machine.travel(later, tick=False):
        client.get(LIST, REMOTE_ADDR="10.0.0.8", **_bearer(issued.plaintext))
    token.refresh_from_db()
    assert token.last_used_at == later and token.last_used_ip == "10.0.0.8"


def test_a_departed_persons_token_stops_at_once(client, sales1):
    issued = token_create(actor=sales1, user=sales1, name="t", scopes=["customers:read"], days=5)
    sales1.is_active = False
    sales1.save()
    assert client.get(LIST, **_bearer(issued.plaintext)).status_code == 401


def test_personal_scopes_are_limited_to_the_role(custodian1, sales1, client_as):
    with pytest.raises(ValidationError):
        token_create(
            actor=custodian1, user=custodian1, name="t", scopes=["customers:write"], days=5
        )
    with pytest.raises(PermissionDenied):  # nobody makes a token for someone else
        token_create(actor=custodian1, user=sales1, name="t", scopes=["customers:read"], days=5)
    page = client_as(custodian1).get(reverse("api:my_tokens"))
    assert "customers:read" in page.text and "customers:write" not in page.text
    refused = client_as(custodian1).post(
        reverse("api:my_tokens"), {"name": "t", "scopes": ["customers:write"], "days": "5"}
    )
    assert not ApiToken.objects.filter(user=custodian1).exists()
    assert refused.context["form"].errors


def test_a_role_taken_away_takes_the_tokens_rights_with_it(client, sales1):
    issued = token_create(
        actor=sales1, user=sales1, name="t", scopes=["customers:read", "customers:write"], days=5
    )
    sales1.groups.remove(Group.objects.get(name="sales"))
    response = client.post(
        LIST,
        {"kind": "individual", "name": "x"},
        content_type="application/json",
        **_bearer(issued.plaintext),
    )
    assert response.status_code == 403
    assert response.json()["type"] == "/api/problems/insufficient-scope"


def test_a_token_lacking_the_scope_is_refused_with_the_scope_named(api_as, sales1):
    response = api_as(sales1, scopes=["contacts:read"]).get(LIST)
    assert response.status_code == 403
    assert "customers:read" in response.json()["detail"]


def test_a_service_account_never_signs_in_to_pages(client, make_service_account):
    robot = make_service_account()
    robot.set_password(PASSWORD)  # even if someone gave it one
    robot.is_staff = True
    robot.save()
    for url in [reverse("login"), reverse("admin:login")]:
        client.post(url, {"username": robot.username, "password": PASSWORD})
        assert "_auth_user_id" not in client.session, url
    client.force_login(robot)  # a session that names it is not honoured either
    assert client.get(reverse("customers:list")).status_code == 302


def test_service_account_has_no_usable_password_and_no_role(make_service_account):
    robot = make_service_account()
    assert robot.is_service_account and not robot.has_usable_password()
    assert not robot.groups.exists() and not robot.is_staff


def test_managers_manage_service_accounts_and_see_every_token(
    manager1, sales1, east_team, client_as
):
    client = client_as(manager1)
    response = client.post(
        reverse("api:service_accounts"),
        {
            "name": "订单系统",
            "description": "booking system",
            "scopes": ["bookings:write", "customers:read"],
            "team": east_team.pk,
            "daily_row_limit": "500",
        },
    )
    assert response.status_code == 302
    account_url = response["Location"]
    made = client.post(account_url, {"action": "token", "name": "production", "days": "365"})
    shown = made.context["issued"].plaintext
    assert shown in made.text
    token = ApiToken.objects.get(user__is_service_account=True)
    assert token.scopes == ["bookings:write", "customers:read"]
    token_create(actor=sales1, user=sales1, name="sales token", scopes=["customers:read"], days=5)
    overview = client.get(reverse("api:service_accounts"))
    assert "sales token" in overview.text and "production" in overview.text
    assert shown not in overview.text
    assert set(
        AuditEntry.objects.filter(object_type__in=["service_account", "api_token"]).values_list(
            "object_type", "action"
        )
    ) == {("service_account", "create"), ("api_token", "create")}
    # Settings: scopes and limit change, audited
    client.post(
        account_url,
        {"action": "settings", "scopes": ["customers:read"], "team": "", "daily_row_limit": "50"},
    )
    account = token.user.service_account
    account.refresh_from_db()
    account.user.refresh_from_db()
    assert account.scopes == ["customers:read"] and account.daily_row_limit == 50
    assert account.user.team is None
    assert AuditEntry.objects.filter(object_type="service_account", action="change").exists()
    # Revoke any token
    other = ApiToken.objects.get(name="sales token")
    client.post(reverse("api:token_revoke", args=[other.pk]), {"next": "manage"})
    assert ApiToken.objects.get(pk=other.pk).revoked_at is not None


@pytest.mark.parametrize("who", ["sales1", "lead1", "custodian1", "finance1"])
def test_only_managers_reach_the_service_account_pages(who, staff, client_as):
    client = client_as(staff[who])
    assert client.get(reverse("api:service_accounts")).status_code == 404
    assert client.get(reverse("api:my_tokens")).status_code == 200


def test_the_menus_link_the_token_pages(manager1, sales1, client_as):
    page = client_as(manager1).get(reverse("customers:list")).text
    assert reverse("api:service_accounts") in page and reverse("api:my_tokens") in page
    page = client_as(sales1).get(reverse("customers:list")).text
    assert reverse("api:service_accounts") not in page and reverse("api:my_tokens") in page


def test_scope_labels_follow_the_readers_language(manager1, client_as):
    """The labels are built lazily: a form class made at import time must not freeze
    them in whatever language was active then."""
    from django.conf import settings

    client = client_as(manager1)
    english = client.get(reverse("api:service_accounts")).text
    assert "Redeem points" in english and "积分兑换" not in english
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    chinese = client.get(reverse("api:service_accounts")).text
    assert "积分兑换" in chinese and "Redeem points" not in chinese
