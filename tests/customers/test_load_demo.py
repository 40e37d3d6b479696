import re

import pytest
from django.core.management import call_command

from accounts.models import User
from customers.models import Booking, ContactPerson, Customer
from customers.validators import parse_id_number

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    call_command("load_demo", customers=60, bookings_per_customer=3)


def test_demo_staff_have_their_roles_and_teams(demo):
    roles = {u.username: set(u.groups.values_list("name", flat=True)) for u in User.objects.all()}
    assert roles["sales1"] == {"sales"}
    assert roles["lead1"] == {"sales", "team_lead"}
    assert roles["manager1"] == {"manager"}
    assert roles["custodian1"] == {"custodian"}
    assert roles["finance1"] == {"finance"}
    sales1, lead1, sales3 = (User.objects.get(username=n) for n in ("sales1", "lead1", "sales3"))
    assert sales1.team == lead1.team and sales1.team.lead == lead1
    assert sales3.team.name == "华北组"
    assert all(u.check_password("travel-demo") for u in User.objects.all())


def test_demo_customers_are_valid_and_varied(demo):
    customers = list(Customer.objects.all())
    assert len(customers) == 60
    assert {c.kind for c in customers} == {"individual", "corporate", "supplier", "media"}
    for customer in customers:
        customer.full_clean()
        assert re.fullmatch(r"1[3-9]\d{9}", customer.mobile)
        if customer.kind == "individual":
            facts = parse_id_number(customer.id_number)
            assert (facts.birthday, facts.sex) == (customer.birthday, customer.sex)
    owners = {c.owner.username for c in customers}
    assert len(owners) == 5  # spread over every rep; nobody owns all


def test_demo_bookings_and_contact_changes_are_consistent(demo):
    bookings = Booking.objects.all()
    assert bookings.exists()
    for booking in bookings:
        booking.full_clean()
    assert not bookings.filter(status="paid", paid_date__isnull=True).exists()
    assert {b.trip_type for b in bookings} == {"domestic", "outbound"}
    for old in ContactPerson.objects.filter(replaced_by__isnull=False):
        assert old.ended_on == old.replaced_by.started_on


def test_a_second_run_changes_nothing(demo):
    counts = (Customer.all_objects.count(), Booking.objects.count(), User.objects.count())
    call_command("load_demo", customers=60, bookings_per_customer=3)
    assert (Customer.all_objects.count(), Booking.objects.count(), User.objects.count()) == counts


def test_other_apps_add_their_part_of_the_demo(demo):
    from archives.models import BusinessArchive

    archives = BusinessArchive.objects.all()
    assert archives.count() == 40
    assert archives.filter(status="archived").exists()
    assert archives.filter(status="open").exists()  # some still miss documents
