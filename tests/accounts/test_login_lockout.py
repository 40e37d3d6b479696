"""Sign-in lockout (django-axes): guessing passwords stops after a few tries, on the
product login and the admin login, per username and per address; a manager unlocks,
and that is audited; a rep cannot."""

import pytest
from django.test import Client
from django.urls import reverse

from customers.models import AuditAction, AuditEntry
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

LOGIN_DOORS = ["/accounts/login/", "/admin/login/"]


def _sign_in(client, door, username, password, **extra):
    return client.post(door, {"username": username, "password": password}, **extra)


def _signed_in_as(client):
    return client.session.get("_auth_user_id")


@pytest.mark.parametrize("door", LOGIN_DOORS)
def test_25_wrong_passwords_then_the_right_one_is_refused(client, manager1, door):
    for _ in range(25):
        _sign_in(client, door, "manager1", "wrong-guess")
    response = _sign_in(client, door, "manager1", PASSWORD)
    assert response.status_code == 429
    assert _signed_in_as(client) is None
    assert client.get(reverse("customers:list")).status_code == 302  # still signed out


@pytest.mark.parametrize("door", LOGIN_DOORS)
def test_the_lockout_page_says_why_for_how_long_and_who_unlocks(client, sales1, door):
    client.cookies["django_language"] = "en"
    for _ in range(5):
        response = _sign_in(client, door, "sales1", "wrong-guess")
    assert response.status_code == 429
    page = response.content.decode()
    assert "locked for 30 minutes" in page
    assert "ask a manager" in page
    assert "<nav" in page  # our layout, not a bare error text


def test_the_lockout_page_is_in_chinese_by_default(client, sales1):
    for _ in range(5):
        response = _sign_in(client, "/accounts/login/", "sales1", "wrong-guess")
    page = response.content.decode()
    assert "锁定" in page and "30" in page
    assert "Too many" not in page


def test_four_mistakes_still_let_the_person_in(client, sales1):
    for _ in range(4):
        _sign_in(client, "/accounts/login/", "sales1", "wrong-guess")
    response = _sign_in(client, "/accounts/login/", "sales1", PASSWORD)
    assert response.status_code == 302
    assert _signed_in_as(client) == str(sales1.pk)


def test_an_address_is_locked_across_usernames(client, sales1, sales2):
    for username in ["a", "b", "sales2", "c", "d"]:
        _sign_in(client, "/accounts/login/", username, "wrong-guess")
    response = _sign_in(client, "/accounts/login/", "sales1", PASSWORD)
    assert response.status_code == 429
    assert _signed_in_as(client) is None
    # The same person from another computer is not locked: only the address was.
    response = _sign_in(client, "/accounts/login/", "sales1", PASSWORD, REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 302


def test_a_username_is_locked_from_every_address(client, sales1):
    for n in range(5):
        _sign_in(client, "/accounts/login/", "sales1", "wrong-guess", REMOTE_ADDR=f"10.0.0.{n}")
    response = _sign_in(client, "/accounts/login/", "sales1", PASSWORD, REMOTE_ADDR="10.9.9.9")
    assert response.status_code == 429
    assert _signed_in_as(client) is None


def test_behind_a_trusted_proxy_the_forwarded_address_is_the_one_locked_and_audited(
    client, sales1, settings
):
    settings.AUDIT_TRUST_X_FORWARDED_FOR = True
    settings.AUDIT_TRUSTED_PROXY_COUNT = 2  # a load balancer, then our own proxy
    office = {"HTTP_X_FORWARDED_FOR": "203.0.113.5, 10.0.0.1"}
    for username in ["a", "b", "c", "d", "e"]:
        _sign_in(client, "/accounts/login/", username, "wrong-guess", **office)
    assert _sign_in(client, "/accounts/login/", "sales1", PASSWORD, **office).status_code == 429
    elsewhere = {"HTTP_X_FORWARDED_FOR": "198.51.100.7"}
    assert _sign_in(client, "/accounts/login/", "sales1", PASSWORD, **elsewhere).status_code == 302
    failed = AuditEntry.objects.filter(action=AuditAction.LOGIN_FAILED)
    assert set(failed.values_list("ip_address", flat=True)) == {"203.0.113.5"}


def test_a_forged_forwarded_address_neither_dodges_the_lock_nor_falsifies_the_audit(
    client, sales1, settings
):
    """The client writes whatever it likes left of what our proxy appends: one proxy of
    ours means only the right-most hop is believed."""
    settings.AUDIT_TRUST_X_FORWARDED_FOR = True
    settings.AUDIT_TRUSTED_PROXY_COUNT = 1
    for n, username in enumerate(["a", "b", "c", "d", "e"]):
        forged = {"HTTP_X_FORWARDED_FOR": f"10.66.0.{n}, 198.51.100.9"}
        _sign_in(client, "/accounts/login/", username, "wrong-guess", **forged)
    forged = {"HTTP_X_FORWARDED_FOR": "10.66.0.99, 198.51.100.9"}
    assert _sign_in(client, "/accounts/login/", "sales1", PASSWORD, **forged).status_code == 429
    failed = AuditEntry.objects.filter(action=AuditAction.LOGIN_FAILED)
    assert set(failed.values_list("ip_address", flat=True)) == {"198.51.100.9"}


def _lock_out_sales1():
    """Someone at 10.0.0.8 guesses sales1's password five times."""
    guesser = Client()
    for _ in range(5):
        _sign_in(guesser, "/accounts/login/", "sales1", "wrong-guess", REMOTE_ADDR="10.0.0.8")


def test_a_manager_sees_and_unlocks_a_locked_account_and_it_is_audited(client_as, sales1, manager1):
    _lock_out_sales1()
    manager = client_as(manager1)
    page = manager.get(reverse("customers:lockouts"))
    assert page.status_code == 200
    assert "sales1" in page.content.decode() and "10.0.0.8" in page.content.decode()

    response = manager.post(
        reverse("customers:lockout_unlock"), {"kind": "username", "value": "sales1"}
    )
    assert response.status_code == 302
    entry = AuditEntry.objects.get(action=AuditAction.LOGIN_UNLOCK)
    assert entry.actor == manager1
    assert entry.detail["username"] == "sales1"

    person = Client()
    response = _sign_in(person, "/accounts/login/", "sales1", PASSWORD, REMOTE_ADDR="10.7.7.7")
    assert response.status_code == 302
    assert _signed_in_as(person) == str(sales1.pk)


def test_a_manager_unlocks_an_address(client_as, sales1, manager1):
    _lock_out_sales1()
    manager = client_as(manager1)
    manager.post(reverse("customers:lockout_unlock"), {"kind": "ip_address", "value": "10.0.0.8"})
    entry = AuditEntry.objects.get(action=AuditAction.LOGIN_UNLOCK)
    assert entry.detail["ip_address"] == "10.0.0.8"
    # The failures from that address are forgotten, whichever usernames they tried.
    page = manager.get(reverse("customers:lockouts")).content.decode()
    assert 'data-testid="no-lockouts"' in page
    person = Client()
    response = _sign_in(person, "/accounts/login/", "sales1", PASSWORD, REMOTE_ADDR="10.0.0.8")
    assert response.status_code == 302


@pytest.mark.parametrize("who", ["sales2", "lead1", "custodian1", "finance1"])
def test_nobody_but_managers_sees_or_unlocks_lockouts(client_as, staff, who):
    _lock_out_sales1()
    other = client_as(staff[who])
    assert other.get(reverse("customers:lockouts")).status_code == 404
    response = other.post(
        reverse("customers:lockout_unlock"), {"kind": "username", "value": "sales1"}
    )
    assert response.status_code == 404
    assert not AuditEntry.objects.filter(action=AuditAction.LOGIN_UNLOCK).exists()
    assert _sign_in(Client(), "/accounts/login/", "sales1", PASSWORD).status_code == 429


@pytest.mark.parametrize(
    "data",
    [
        {"kind": "ip_address", "value": "not-an-address"},
        {"kind": "password", "value": "x"},
        {"kind": "username", "value": "x" * 500},
        {},
    ],
)
def test_bad_unlock_input_is_not_found_never_a_500(client_as, manager1, data):
    response = client_as(manager1).post(reverse("customers:lockout_unlock"), data)
    assert response.status_code == 404


def test_unlocking_what_is_no_longer_locked_writes_nothing(client_as, manager1):
    response = client_as(manager1).post(
        reverse("customers:lockout_unlock"), {"kind": "username", "value": "nobody"}, follow=True
    )
    assert response.status_code == 200
    assert not AuditEntry.objects.filter(action=AuditAction.LOGIN_UNLOCK).exists()
