"""The scoping matrix through the API: each role × the customers and contact-people
resources → the status a person gets on the pages (404 outside what they see; 403 where
they see but the token's scope or their role does not allow the change). Service
accounts: their owner scope through the same selectors."""

import datetime

import pytest
from django.utils import timezone

from customers.models import AccessRequest, AccessRequestStatus
from customers.selectors import customer_list_visible, owner_choices
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

ROLES = ["sales1", "sales2", "lead1", "sales3", "manager1", "custodian1", "finance1"]


@pytest.fixture
def book(sales1, sales2, sales3):
    """c1 (sales1, east team), c2 (sales2, east team), c3 (sales3, north team)."""
    return {
        "c1": CustomerFactory(owner=sales1, name="孙悦"),
        "c2": CustomerFactory(owner=sales2, name="周敏"),
        "c3": CustomerFactory(owner=sales3, name="钱多多"),
    }


LIST_SEES = {
    "sales1": {"c1"},
    "sales2": {"c2"},
    "lead1": {"c1", "c2"},
    "sales3": {"c3"},
    "manager1": {"c1", "c2", "c3"},
    "custodian1": {"c1", "c2", "c3"},
    "finance1": {"c1", "c2", "c3"},
}


@pytest.mark.parametrize("who", ROLES)
def test_the_list_is_exactly_what_the_person_sees(who, staff, book, api_as):
    response = api_as(staff[who]).get("/api/v1/customers")
    assert response.status_code == 200
    names = {row["name"] for row in response.json()["results"]}
    assert names == {book[key].name for key in LIST_SEES[who]}


# role → (GET c1, PATCH c1, GET c1 contact people, POST c1 contact person, POST customer)
MATRIX = {
    "sales1": (200, 200, 200, 201, 201),
    "sales2": (404, 404, 404, 404, 201),
    "lead1": (200, 200, 200, 201, 201),
    "sales3": (404, 404, 404, 404, 201),
    "manager1": (200, 200, 200, 201, 201),
    # Read-only roles: their tokens cannot carry customers:write / contacts:write.
    "custodian1": (200, 403, 200, 403, 403),
    "finance1": (200, 403, 200, 403, 403),
}


@pytest.mark.parametrize("who", ROLES)
def test_scoping_matrix(who, staff, book, api_as):
    client = api_as(staff[who])
    c1 = book["c1"].pk
    got = (
        client.get(f"/api/v1/customers/{c1}").status_code,
        client.patch(f"/api/v1/customers/{c1}", {"occupation": "教师"}, format="json").status_code,
        client.get(f"/api/v1/customers/{c1}/contact-people").status_code,
        client.post(
            f"/api/v1/customers/{c1}/contact-people", {"name": "李秘书"}, format="json"
        ).status_code,
        client.post(
            "/api/v1/customers",
            {"kind": "individual", "name": "新客", "mobile": "13912345678"},
            format="json",
        ).status_code,
    )
    assert got == MATRIX[who]


def test_out_of_scope_is_404_never_403_and_looks_like_a_missing_id(sales3, book, api_as):
    client = api_as(sales3)
    hidden = client.get(f"/api/v1/customers/{book['c1'].pk}")
    missing = client.get("/api/v1/customers/999999")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json()


def test_special_access_reads_but_never_writes(sales3, manager1, book, api_as):
    AccessRequest.objects.create(
        requester=sales3,
        customer=book["c1"],
        reason="投诉处理",
        status=AccessRequestStatus.APPROVED,
        requested_at=timezone.now(),
        decided_by=manager1,
        decided_at=timezone.now(),
        expires_at=timezone.now() + datetime.timedelta(days=3),
    )
    client = api_as(sales3)
    assert client.get(f"/api/v1/customers/{book['c1'].pk}").status_code == 200
    response = client.patch(
        f"/api/v1/customers/{book['c1'].pk}", {"occupation": "x"}, format="json"
    )
    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"


def test_a_service_account_for_all_customers(book, api_as, make_service_account):
    robot = make_service_account(scopes=["customers:read", "customers:write"])
    client = api_as(robot)
    names = {row["name"] for row in client.get("/api/v1/customers").json()["results"]}
    assert names == {"孙悦", "周敏", "钱多多"}
    response = client.patch(
        f"/api/v1/customers/{book['c3'].pk}", {"occupation": "工程师"}, format="json"
    )
    assert response.status_code == 200
    # It never sees a full ID number nor a birth year.
    assert response.json()["id_number"].startswith("*" * 14)
    assert response.json()["birthday"] is None


def test_a_service_account_scoped_to_one_team(book, east_team, api_as, make_service_account):
    robot = make_service_account(scopes=["customers:read", "customers:write"], team=east_team)
    client = api_as(robot)
    names = {row["name"] for row in client.get("/api/v1/customers").json()["results"]}
    assert names == {"孙悦", "周敏"}
    assert client.get(f"/api/v1/customers/{book['c3'].pk}").status_code == 404
    assert (
        client.patch(
            f"/api/v1/customers/{book['c3'].pk}", {"occupation": "x"}, format="json"
        ).status_code
        == 404
    )
    assert (
        client.patch(
            f"/api/v1/customers/{book['c1'].pk}", {"occupation": "x"}, format="json"
        ).status_code
        == 200
    )


def test_a_service_account_only_does_what_its_scopes_say(book, api_as, make_service_account):
    robot = make_service_account(scopes=["bookings:write"])
    response = api_as(robot).get("/api/v1/customers")
    assert response.status_code == 403
    assert response.json()["type"] == "/api/problems/insufficient-scope"


def test_a_service_account_creates_customers_only_for_reps_of_its_scope(
    sales1, sales3, east_team, api_as, make_service_account
):
    robot = make_service_account(scopes=["customers:write", "customers:read"], team=east_team)
    client = api_as(robot)
    body = {"kind": "individual", "name": "官网客户", "mobile": "13700000001"}
    no_owner = client.post("/api/v1/customers", body, format="json")
    assert no_owner.status_code == 400
    assert no_owner.json()["errors"][0]["field"] == "owner"
    outside = client.post("/api/v1/customers", {**body, "owner": sales3.pk}, format="json")
    assert outside.status_code == 400
    made = client.post("/api/v1/customers", {**body, "owner": sales1.pk}, format="json")
    assert made.status_code == 201
    assert made.json()["owner"]["username"] == "sales1"


def test_people_are_unaffected_by_the_service_account_rule(
    staff, book, east_team, make_service_account
):
    """The one scoping rule answers as before for every person, and a service account
    in a team is nobody's customer owner choice nor a team lead's report."""
    make_service_account(team=east_team)
    for who, keys in LIST_SEES.items():
        seen = set(customer_list_visible(user=staff[who]).values_list("name", flat=True))
        assert seen == {book[key].name for key in keys}, who
    for who in ["manager1", "lead1", "sales1"]:
        assert not owner_choices(user=staff[who]).filter(is_service_account=True).exists()


def test_a_service_account_given_a_role_by_mistake_still_has_none(
    book, api_as, make_service_account
):
    """Someone adds the integration to the managers' group in the admin: it still holds
    no role (no manager powers, no full ID numbers); its scopes and owner scope decide."""
    from django.contrib.auth.models import Group

    from accounts.roles import is_manager, role_names

    robot = make_service_account(scopes=["customers:read"])
    robot.groups.add(Group.objects.get(name="manager"))
    assert role_names(robot) == frozenset() and not is_manager(robot)
    body = api_as(robot).get(f"/api/v1/customers/{book['c1'].pk}").json()
    assert body["id_number"].startswith("*" * 14)
    assert api_as(robot).get(f"/api/v1/customers/{book['c1'].pk}/id-number").status_code == 403
