import re
from collections import Counter

import pytest
from django.core.management import call_command

from accounts.models import Team, User
from customers.demo import identity
from customers.models import (
    Booking,
    ContactPerson,
    ContactRecord,
    Customer,
    Destination,
    ServiceRecord,
    Tag,
)
from customers.validators import normalize_org_name, parse_id_number

pytestmark = pytest.mark.django_db

DEMO_USERS = {
    "sales1": {"sales"},
    "sales2": {"sales"},
    "sales3": {"sales"},
    "lead1": {"sales", "team_lead"},
    "lead2": {"sales", "team_lead"},
    "manager1": {"manager"},
    "custodian1": {"custodian"},
    "finance1": {"finance"},
}


@pytest.fixture
def demo():
    call_command("load_demo", customers=40, bookings_per_customer=3)


def counts() -> dict[str, int]:
    models = [User, Team, Customer, Booking, ContactPerson, ContactRecord, ServiceRecord]
    result = {model.__name__: model._base_manager.count() for model in models}
    result["wishes"] = Customer.desired_destinations.through.objects.count()
    result["tags"] = Customer.tags.through.objects.count()
    result["destinations"] = Destination.objects.count()
    result["tag names"] = Tag.objects.count()
    return result


def test_demo_staff_have_their_roles_and_teams(demo):
    for username, roles in DEMO_USERS.items():
        user = User.objects.get(username=username)
        assert set(user.groups.values_list("name", flat=True)) == roles, username
        assert user.full_name
    east, north = Team.objects.get(name="华东组"), Team.objects.get(name="华北组")
    assert east.lead.username == "lead1" and north.lead.username == "lead2"
    assert set(east.members.values_list("username", flat=True)) == {"sales1", "sales2", "lead1"}
    assert set(north.members.values_list("username", flat=True)) == {"sales3", "lead2"}
    assert User.objects.get(username="manager1").is_staff
    assert User.objects.get(username="custodian1").is_staff
    assert User.objects.get(username="admin").is_superuser


def test_every_demo_user_can_log_in(demo, client):
    users = list(User.objects.all())
    assert len(users) == len(DEMO_USERS) + 1
    assert all(user.check_password("travel-demo") for user in users)
    response = client.post("/accounts/login/", {"username": "sales1", "password": "travel-demo"})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(User.objects.get(username="sales1").pk)


def test_demo_customers_are_valid_and_varied(demo):
    from privacy.demo_data import DORMANT_PEOPLE

    customers = list(Customer.objects.all())
    # 40 asked for, and the dormant-customer queue's few travellers of long ago.
    assert len(customers) == 40 + len(DORMANT_PEOPLE)
    assert {c.kind for c in customers} == {"individual", "corporate", "supplier", "media"}
    for customer in customers:
        customer.full_clean()
        assert re.fullmatch(r"1[3-9]\d{9}", customer.mobile)
        assert customer.name_normalised == normalize_org_name(customer.name)
        if customer.kind == "individual":
            facts = parse_id_number(customer.id_number)
            assert (facts.birthday, facts.sex) == (customer.birthday, customer.sex)
        else:
            assert customer.founding_date and not customer.id_number
    individuals = [c for c in customers if c.kind == "individual"]
    assert {c.sex for c in individuals} == {"M", "F"}
    assert len({c.birthday.year for c in individuals}) > 10  # not all born in one year
    owners = Counter(c.owner.username for c in customers)
    assert set(owners) <= {"sales1", "sales2", "sales3", "lead1", "lead2"}
    assert max(owners.values()) < len(customers)  # nobody owns all
    assert sum(c.has_complete_postal_address for c in customers) > len(customers) // 2
    assert Customer.desired_destinations.through.objects.exists()


def test_organisations_have_contact_people_and_changes_of_contact(demo):
    for organisation in Customer.objects.exclude(kind="individual"):
        assert 1 <= organisation.contact_people.count() <= 3
    for old in ContactPerson.objects.filter(replaced_by__isnull=False):
        assert old.ended_on == old.replaced_by.started_on and old.end_reason
        assert old.customer_id == old.replaced_by.customer_id


def test_demo_bookings_are_consistent(demo):
    bookings = list(Booking.objects.select_related("destination"))
    assert len(bookings) > 40
    for booking in bookings:
        booking.full_clean()
        assert booking.trip_type == ("outbound" if booking.destination.is_outbound else "domestic")
        assert booking.cost <= booking.amount
        if booking.status in ("paid", "refunded"):
            assert booking.paid_date
    assert {b.trip_type for b in bookings} == {"domestic", "outbound"}
    assert Counter(b.status for b in bookings).most_common(1)[0][0] == "paid"


def test_identity_numbers_are_unique_at_scale():
    """The numbering is a bijection, so distinct rows always get distinct numbers."""
    rows = [*range(200_000), *range(700_000_000, 701_400_000, 7)]
    assert len({identity.mobile_for(n) for n in rows}) == len(rows)
    assert len({identity.id_number_for(n)[0] for n in rows}) == len(rows)


def test_a_second_run_changes_nothing(demo):
    before = counts()
    call_command("load_demo", customers=40, bookings_per_customer=3)
    assert counts() == before


def test_other_apps_add_their_part_of_the_demo(demo):
    from archives.models import BusinessArchive

    archives = BusinessArchive.objects.all()
    assert archives.count() == 40
    assert archives.filter(status="archived").exists()
    assert archives.filter(status="open").exists()  # some still miss documents
