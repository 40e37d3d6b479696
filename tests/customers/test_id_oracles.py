"""No yes/no about an ID number the reader may not see in full: not by the list search, the
admin search, the special-access form, nor the audit log of what was searched."""

import pytest
from django.urls import reverse

from customers.models import AccessRequest, AuditEntry
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

FULL_ID = "11010519910626593X"


@pytest.fixture
def team_customer(sales1):
    return CustomerFactory(owner=sales1, id_number=FULL_ID, name="林小雨")


def _found(client, url, term) -> bool:
    return "林小雨" in client.get(url, {"q": term}).text


@pytest.mark.parametrize(
    ("username", "found"),
    [("sales1", True), ("manager1", True), ("lead1", False), ("custodian1", False)],
)
def test_the_list_search_matches_a_full_id_only_for_those_who_may_see_it(
    staff, team_customer, client_as, username, found
):
    client = client_as(staff[username])
    assert _found(client, reverse("customers:list"), FULL_ID) is found
    # A wrong guess never matches, whoever asks: the two answers must not differ for lead1.
    assert _found(client, reverse("customers:list"), "110105199006265935") is False


@pytest.mark.parametrize(("username", "found"), [("manager1", True), ("custodian1", False)])
def test_the_admin_search_matches_a_full_id_only_for_those_who_may_see_it(
    staff, team_customer, client_as, username, found
):
    client = client_as(staff[username])
    url = reverse("admin:customers_customer_changelist")
    assert _found(client, url, FULL_ID) is found
    assert _found(client, url, "１１０１０５ １９９１０６２６ ５９３Ｘ") is found


def test_the_special_access_form_does_not_confirm_a_guessed_number(lead1, team_customer, client_as):
    client = client_as(lead1)
    url = reverse("customers:access_request_new")
    right = client.post(url, {"identifier": FULL_ID, "reason": "核对"}).text
    wrong = client.post(url, {"identifier": "110105199006265935", "reason": "核对"}).text
    assert "No single customer matches" in right and "No single customer matches" in wrong
    assert "already see" not in right
    assert not AccessRequest.objects.exists()


def test_an_export_searched_by_full_id_leaves_no_full_id_in_the_audit_log(
    manager1, team_customer, client_as
):
    response = client_as(manager1).get(reverse("customers:export"), {"q": FULL_ID})
    b"".join(response.streaming_content)
    entry = AuditEntry.objects.get(action="export")
    assert FULL_ID not in str(entry.detail) and "1991" not in str(entry.detail)
    assert "593X" in entry.detail["filters"]
