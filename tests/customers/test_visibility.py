"""Every customer URL x every role: out of scope is 404, never 403, and never a leak."""

import pytest
from django.urls import reverse

from customers.selectors import customer_list_visible
from tests.factories import BookingFactory, ContactPersonFactory, OrganisationFactory

pytestmark = pytest.mark.django_db

# customer of sales1 (team East China, lead lead1)
OWN_URLS = [
    ("customers:detail", "GET"),
    ("customers:edit", "GET"),
    ("customers:delete", "GET"),
    ("customers:history", "GET"),
    ("customers:booking_add", "GET"),
    ("customers:service_add", "GET"),
    ("customers:person_add", "GET"),
]
# expected status for a customer owned by sales1
EXPECTED = {
    #                 detail edit delete history booking service person
    "sales1":        [200,   200, 200,   200,    200,    200,    200],
    "sales2":        [404,   404, 404,   404,    404,    404,    404],
    "lead1":         [200,   200, 200,   200,    200,    200,    200],
    "sales3":        [404,   404, 404,   404,    404,    404,    404],
    "manager1":      [200,   200, 200,   200,    200,    200,    200],
    "custodian1":    [200,   403, 403,   200,    403,    403,    403],
    "finance1":      [200,   403, 403,   200,    200,    403,    403],
}  # fmt: skip


@pytest.fixture
def organisation(sales1):
    org = OrganisationFactory(owner=sales1)
    ContactPersonFactory(customer=org)
    BookingFactory(customer=org)
    return org


@pytest.mark.parametrize("username", list(EXPECTED))
def test_customer_pages_by_role(username, staff, organisation, client_as):
    client = client_as(staff[username])
    for (name, _method), expected in zip(OWN_URLS, EXPECTED[username], strict=True):
        response = client.get(reverse(name, args=[organisation.pk]))
        assert response.status_code == expected, f"{username} {name}"


@pytest.mark.parametrize("username", list(EXPECTED))
def test_nested_record_urls_follow_the_customer(username, staff, organisation, client_as):
    booking = organisation.bookings.get()
    person = organisation.contact_people.get()
    client = client_as(staff[username])
    booking_status = client.get(
        reverse("customers:booking_edit", args=[organisation.pk, booking.pk])
    ).status_code
    person_status = client.get(
        reverse("customers:person_replace", args=[organisation.pk, person.pk])
    ).status_code
    assert booking_status == EXPECTED[username][4]
    assert person_status == EXPECTED[username][6]


def test_anonymous_users_are_sent_to_log_in(organisation, client):
    for name, _method in OWN_URLS:
        response = client.get(reverse(name, args=[organisation.pk]))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    assert client.get(reverse("customers:list")).status_code == 302


def test_a_booking_of_another_customer_is_404_through_a_visible_one(
    staff, organisation, customer_of_sales3, client_as
):
    foreign = BookingFactory(customer=customer_of_sales3)
    client = client_as(staff["sales1"])
    url = reverse("customers:booking_edit", args=[organisation.pk, foreign.pk])
    assert client.get(url).status_code == 404


def test_log_contact_post_is_404_out_of_scope(staff, organisation, client_as):
    client = client_as(staff["sales3"])
    response = client.post(
        reverse("customers:contact_log", args=[organisation.pk]),
        {"channel": "phone", "outcome": "reached", "contacted_at": "2026-11-01T10:00"},
    )
    assert response.status_code == 404
    assert not organisation.contact_records.exists()


def test_the_selector_scopes_each_role(staff, organisation, customer_of_sales3):
    def names(user):
        return set(customer_list_visible(user=user).values_list("pk", flat=True))

    both = {organisation.pk, customer_of_sales3.pk}
    assert names(staff["sales1"]) == {organisation.pk}
    assert names(staff["sales2"]) == set()
    assert names(staff["lead1"]) == {organisation.pk}  # lead of East China only
    assert names(staff["sales3"]) == {customer_of_sales3.pk}
    for role in ("manager1", "custodian1", "finance1"):
        assert names(staff[role]) == both


def test_inactive_users_see_nothing(staff, organisation):
    user = staff["manager1"]
    user.is_active = False
    assert not customer_list_visible(user=user).exists()


def test_export_needs_the_permission(staff, organisation, client_as):
    assert client_as(staff["sales1"]).get(reverse("customers:export")).status_code == 404
    response = client_as(staff["lead1"]).get(reverse("customers:export"))
    assert response.status_code == 200
