"""Bulk actions on the customer list (customers.services.bulk) and the printable record:
who may use them, what they change, what is on record, and what stays out of reach."""

import pytest
from django.urls import reverse

from customers.models import AuditAction, AuditEntry, CustodyPolicy, Customer, SecurityAlert
from customers.services import customers_bulk_update
from customers.signals import customers_reassigned
from tests.factories import ContactRecordFactory, CustomerFactory, TagFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def east_customers(sales1, sales2):
    return [
        CustomerFactory(owner=sales1, name="东一"),
        CustomerFactory(owner=sales1, name="东二"),
        CustomerFactory(owner=sales2, name="东三"),
    ]


def _post(client, *, customers, action, **fields):
    data = {"action": action, "customers": [str(c.pk) for c in customers], **fields}
    return client.post(reverse("customers:bulk"), data)


def test_a_team_lead_gives_ticked_customers_to_a_rep_of_the_team(
    client_as, lead1, sales2, east_customers, django_capture_on_commit_callbacks
):
    heard = []

    def receiver(customer_ids, **kwargs):
        heard.append(customer_ids)

    customers_reassigned.connect(receiver)
    client = client_as(lead1)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            response = _post(client, customers=east_customers, action="reassign", owner=sales2.pk)
    finally:
        customers_reassigned.disconnect(receiver)
    assert response.status_code == 302
    assert {c.owner_id for c in Customer.objects.filter(pk__in=[c.pk for c in east_customers])} == {
        sales2.pk
    }
    # Two of the three changed hands (the third was sales2's already): two on record.
    entries = AuditEntry.objects.filter(action=AuditAction.CHANGE, actor=lead1)
    assert sorted(e.customer_id for e in entries) == sorted(c.pk for c in east_customers[:2])
    assert all(e.detail["to"] == "sales2" and e.detail["from"] == "sales1" for e in entries)
    # The history page shows who gave the customer away.
    assert east_customers[0].history.first().history_user == lead1
    assert east_customers[0].history.first().owner_id == sales2.pk
    # Follow-ups and the rest learn the new owner, as with the customer form.
    assert sorted(heard[-1]) == sorted(c.pk for c in east_customers[:2])
    page = client.get(response["Location"])
    assert "2 customers changed." in page.text


def test_a_lead_cannot_give_customers_outside_the_team(client_as, lead1, sales3, east_customers):
    response = _post(client_as(lead1), customers=east_customers, action="reassign", owner=sales3.pk)
    assert response.status_code == 302
    assert set(Customer.objects.values_list("owner__username", flat=True)) == {"sales1", "sales2"}
    page = client_as(lead1).get(reverse("customers:list"))
    assert "Choose a rep you may give customers to." in page.text


def test_another_teams_customer_in_the_batch_is_not_found_and_nothing_changes(
    client_as, lead1, sales2, east_customers, customer_of_sales3
):
    batch = [*east_customers, customer_of_sales3]
    response = _post(client_as(lead1), customers=batch, action="reassign", owner=sales2.pk)
    assert response.status_code == 404
    assert Customer.objects.get(pk=east_customers[0].pk).owner.username == "sales1"
    assert Customer.objects.get(pk=customer_of_sales3.pk).owner.username == "sales3"
    assert not AuditEntry.objects.filter(action=AuditAction.CHANGE).exists()


def test_an_id_that_names_nothing_is_not_found_either(client_as, manager1, sales2, east_customers):
    missing = Customer(pk=999_999)
    tag = TagFactory(name="VIP")
    response = _post(
        client_as(manager1), customers=[east_customers[0], missing], action="add_tag", tag=tag.pk
    )
    assert response.status_code == 404
    assert not Customer.objects.get(pk=east_customers[0].pk).tags.exists()


@pytest.mark.parametrize("role", ["sales1", "custodian1", "finance1"])
def test_bulk_actions_do_not_exist_for_reps_custodians_and_finance(
    client_as, staff, role, east_customers
):
    tag = TagFactory(name="VIP")
    client = client_as(staff[role])
    response = _post(client, customers=east_customers[:1], action="add_tag", tag=tag.pk)
    assert response.status_code == 404
    assert not Customer.objects.get(pk=east_customers[0].pk).tags.exists()
    assert 'data-testid="bulk-form"' not in client.get(reverse("customers:list")).text


def test_a_manager_adds_and_removes_a_tag_on_record(client_as, manager1, east_customers):
    tag = TagFactory(name="年会客户")
    client = client_as(manager1)
    assert 'data-testid="bulk-form"' in client.get(reverse("customers:list")).text
    _post(client, customers=east_customers[:2], action="add_tag", tag=tag.pk)
    assert set(tag.customers.values_list("pk", flat=True)) == {c.pk for c in east_customers[:2]}
    latest = east_customers[0].history.first()
    assert latest.history_user == manager1
    assert [t.tag_id for t in latest.tags.all()] == [tag.pk]
    _post(client, customers=east_customers, action="remove_tag", tag=tag.pk)
    assert not tag.customers.exists()
    changes = AuditEntry.objects.filter(action=AuditAction.CHANGE).order_by("pk")
    assert [e.detail.get("added") or e.detail.get("removed") for e in changes] == [tag.name] * 4
    assert [bool(e.detail.get("added")) for e in changes] == [True, True, False, False]


def test_bulk_deletion_stays_under_the_mass_deletion_guard(client_as, manager1, sales1):
    policy = CustodyPolicy.current()
    policy.deletion_limit = 2
    policy.save()
    customers = [CustomerFactory(owner=sales1) for _ in range(3)]
    response = _post(client_as(manager1), customers=customers, action="delete")
    assert response.status_code == 302
    assert Customer.objects.filter(pk__in=[c.pk for c in customers]).count() == 3  # none gone
    assert SecurityAlert.objects.exists()  # managers are told
    _post(client_as(manager1), customers=customers[:2], action="delete")
    assert Customer.objects.filter(pk__in=[c.pk for c in customers]).count() == 1
    assert Customer.all_objects.filter(pk=customers[0].pk, deleted_by=manager1).exists()


def test_bulk_needs_csrf(client, lead1, east_customers, sales2):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(lead1)
    response = _post(strict, customers=east_customers, action="reassign", owner=sales2.pk)
    assert response.status_code == 403
    assert Customer.objects.get(pk=east_customers[0].pk).owner.username == "sales1"


def test_the_service_refuses_an_empty_or_oversized_batch(lead1, sales2):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        customers_bulk_update(actor=lead1, customer_ids=[], action="reassign", owner=sales2)
    with pytest.raises(ValidationError):
        customers_bulk_update(
            actor=lead1, customer_ids=range(1, 200), action="reassign", owner=sales2
        )


def test_the_printable_record_is_audited_and_has_no_forms(
    client_as, sales1, customer_of_sales1, django_assert_max_num_queries
):
    for n in range(30):
        ContactRecordFactory(customer=customer_of_sales1, by=sales1, notes=f"第{n}次")
    client = client_as(sales1)
    detail = client.get(reverse("customers:detail", args=[customer_of_sales1.pk])).text
    assert reverse("customers:print", args=[customer_of_sales1.pk]) in detail
    with django_assert_max_num_queries(40):
        response = client.get(reverse("customers:print", args=[customer_of_sales1.pk]))
    assert response.status_code == 200
    html = response.text
    assert customer_of_sales1.name in html
    assert "Recent timeline (the last 20 entries)" in html
    assert html.count('<li class="contact">') == 20
    assert 'id="log-contact"' not in html  # no contact form on paper
    entry = AuditEntry.objects.filter(action=AuditAction.VIEW).latest("pk")
    assert entry.customer_id == customer_of_sales1.pk and entry.detail == {"page": "print"}


def test_the_booking_form_leaves_the_refund_empty(client_as, sales1, customer_of_sales1):
    html = (
        client_as(sales1).get(reverse("customers:booking_add", args=[customer_of_sales1.pk])).text
    )
    field = html[
        html.index('name="refunded_amount"') - 200 : html.index('name="refunded_amount"') + 200
    ]
    assert 'value="0' not in field
