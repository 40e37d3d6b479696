"""Signing in, failing to and signing out are audit rows, whichever login door."""

import pytest

from customers.models import AuditAction, AuditEntry
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("door", ["/accounts/login/", "/admin/login/"])
def test_a_successful_sign_in_is_audited(client, manager1, door):
    client.post(door, {"username": "manager1", "password": PASSWORD})
    entry = AuditEntry.objects.get(action=AuditAction.LOGIN)
    assert entry.actor == manager1
    assert entry.ip_address == "127.0.0.1"
    assert entry.detail["path"] == door


@pytest.mark.parametrize("door", ["/accounts/login/", "/admin/login/"])
def test_a_failed_sign_in_records_the_username_tried_and_the_address(client, sales1, door):
    client.post(door, {"username": "sales1", "password": "wrong-guess"}, REMOTE_ADDR="10.2.3.4")
    client.post(door, {"username": "no-such-person", "password": "x"}, REMOTE_ADDR="10.2.3.4")
    known, unknown = AuditEntry.objects.filter(action=AuditAction.LOGIN_FAILED).order_by("id")
    assert known.actor is None  # nobody proved who they are
    assert known.detail["username"] == "sales1" and known.detail["known_user"] is True
    assert known.object_id == str(sales1.pk)
    assert known.ip_address == "10.2.3.4"
    assert unknown.detail["username"] == "no-such-person" and unknown.detail["known_user"] is False
    assert "wrong-guess" not in str(known.detail)


def test_a_refused_sign_in_while_locked_out_is_audited_as_such(client, sales1):
    for _ in range(6):
        client.post("/accounts/login/", {"username": "sales1", "password": "wrong-guess"})
    last = AuditEntry.objects.filter(action=AuditAction.LOGIN_FAILED).latest("id")
    assert last.detail["locked_out"] is True


def test_signing_out_is_audited(client, sales1):
    client.post("/accounts/login/", {"username": "sales1", "password": PASSWORD})
    client.post("/accounts/logout/")
    entry = AuditEntry.objects.get(action=AuditAction.LOGOUT)
    assert entry.actor == sales1
