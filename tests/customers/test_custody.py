"""Custody rules: the mass-action guard, special access, and the departure handover."""

import datetime
import threading

import pytest
import time_machine
from django.contrib.admin import helpers
from django.core import mail
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import ConfidentialityAgreement
from customers.models import (
    AccessRequest,
    AuditAction,
    AuditEntry,
    CustodyPolicy,
    Customer,
    HandoverItem,
    SecurityAlert,
    StaffDeparture,
)
from customers.services import (
    MassActionRefused,
    customer_export_record,
    customer_soft_delete,
    customers_soft_delete,
)
from tests.factories import CustomerFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_the_default_policy_is_the_handbooks():
    policy = CustodyPolicy.current()
    assert (policy.export_row_limit, policy.deletion_limit, policy.window_hours) == (200, 5, 24)
    assert policy.special_access_days == 7


def test_an_export_past_the_limit_is_refused_and_managers_alerted(
    lead1, sales1, manager1, small_policy, client_as, django_capture_on_commit_callbacks
):
    CustomerFactory.create_batch(2, owner=sales1)
    client = client_as(lead1)
    first = client.get(reverse("customers:export"))
    assert first.status_code == 200  # 2 rows of 3
    b"".join(first.streaming_content)
    # The managers' e-mail is queued in the outbox and sent once that is committed.
    with django_capture_on_commit_callbacks(execute=True):
        second = client.get(reverse("customers:export"), follow=True)
    assert second.redirect_chain[-1][0].startswith(reverse("customers:list"))
    assert "Export refused" in second.text
    alert = SecurityAlert.objects.get()
    assert (alert.actor, alert.kind, alert.attempted, alert.already_in_window) == (
        lead1, "mass_export", 2, 2,
    )  # fmt: skip
    assert mail.outbox[-1].to == [manager1.email]
    assert AuditEntry.objects.filter(action=AuditAction.EXPORT).count() == 1


def test_the_export_window_slides(lead1, sales1, small_policy):
    CustomerFactory.create_batch(3, owner=sales1)
    customer_export_record(actor=lead1, rows=3, filters="")
    with pytest.raises(MassActionRefused):
        customer_export_record(actor=lead1, rows=1, filters="")
    later = timezone.now() + datetime.timedelta(hours=24, minutes=1)
    with time_machine.travel(later, tick=False):
        customer_export_record(actor=lead1, rows=3, filters="")


def test_the_sixth_deletion_in_a_day_is_refused_and_nothing_deleted(sales1, manager1):
    customers = CustomerFactory.create_batch(7, owner=sales1)
    for customer in customers[:5]:
        customer_soft_delete(actor=sales1, customer=customer)
    with pytest.raises(MassActionRefused):
        customer_soft_delete(actor=sales1, customer=customers[5])
    assert Customer.objects.filter(pk__in=[c.pk for c in customers[5:]]).count() == 2
    assert SecurityAlert.objects.get().kind == "mass_delete"


def test_a_bulk_delete_over_the_limit_is_refused_whole(sales1):
    customers = CustomerFactory.create_batch(6, owner=sales1)
    with pytest.raises(MassActionRefused):
        customers_soft_delete(actor=sales1, customers=customers)
    assert Customer.objects.filter(owner=sales1).count() == 6


def test_the_admin_bulk_action_obeys_the_guard(custodian1, sales1, client_as):
    customers = CustomerFactory.create_batch(6, owner=sales1)
    response = client_as(custodian1).post(
        reverse("admin:customers_customer_changelist"),
        {"action": "soft_delete_selected",
         helpers.ACTION_CHECKBOX_NAME: [c.pk for c in customers]},
        follow=True,
    )  # fmt: skip
    assert "Deletion refused" in response.text
    assert Customer.objects.count() == 6
    assert SecurityAlert.objects.get().actor == custodian1


def test_the_delete_page_shows_the_refusal(sales1, client_as):
    customers = CustomerFactory.create_batch(6, owner=sales1)
    client = client_as(sales1)
    for customer in customers[:5]:
        client.post(reverse("customers:delete", args=[customer.pk]))
    response = client.post(reverse("customers:delete", args=[customers[5].pk]), follow=True)
    assert "Deletion refused" in response.text
    assert Customer.objects.filter(pk=customers[5].pk).exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_exports_at_once_cannot_both_slip_under_the_limit(lead1, small_policy):
    if connection.vendor != "postgresql":
        pytest.skip("row locks are only meaningful on PostgreSQL")
    barrier = threading.Barrier(2)
    outcomes = []

    def export():
        try:
            barrier.wait()
            customer_export_record(actor=lead1, rows=2, filters="")
            outcomes.append("ok")
        except MassActionRefused:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=export) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["ok", "refused"]
    assert AuditEntry.objects.filter(action=AuditAction.EXPORT).count() == 1


def test_alerts_page_for_managers_only(manager1, sales1, client_as):
    SecurityAlert.objects.create(kind="mass_export", actor=sales1, attempted=300,
                                 already_in_window=0, limit=200)  # fmt: skip
    assert client_as(sales1).get(reverse("customers:alerts")).status_code == 404
    client = client_as(manager1)
    page = client.get(reverse("customers:list"))
    assert 'data-testid="open-alerts"' in page.text
    alert = SecurityAlert.objects.get()
    client.post(reverse("customers:alert_acknowledge", args=[alert.pk]))
    alert.refresh_from_db()
    assert alert.acknowledged_by == manager1
    assert 'data-testid="open-alerts"' not in client.get(reverse("customers:list")).text


def test_special_access_is_approved_read_only_and_expires(
    sales1, manager1, customer_of_sales3, client_as
):
    detail = reverse("customers:detail", args=[customer_of_sales3.pk])
    client = client_as(sales1)
    assert client.get(detail).status_code == 404
    request_form = {"identifier": customer_of_sales3.mobile, "reason": "客户投诉需要核实"}
    client.post(reverse("customers:access_request_new"), request_form)
    access = AccessRequest.objects.get()
    assert access.status == "pending"
    assert client.get(detail).status_code == 404
    assert client.post(reverse("customers:access_decide", args=[access.pk]),
                       {"decision": "approve"}).status_code == 404  # fmt: skip

    client_as(manager1).post(
        reverse("customers:access_decide", args=[access.pk]), {"decision": "approve"}
    )
    client = client_as(sales1)
    assert client.get(detail).status_code == 200
    assert client.get(reverse("customers:edit", args=[customer_of_sales3.pk])).status_code == 403
    grant = AuditEntry.objects.get(action=AuditAction.GRANT_ACCESS)
    assert (grant.actor, grant.customer) == (manager1, customer_of_sales3)

    with time_machine.travel(timezone.now() + datetime.timedelta(days=7, minutes=1)):
        # A week idle ended the session too (9 h); signed in again, the grant is over.
        assert client_as(sales1).get(detail).status_code == 404


def test_a_refused_request_grants_nothing(sales1, manager1, customer_of_sales3, client_as):
    request_form = {"identifier": customer_of_sales3.id_number, "reason": "查看"}
    client_as(sales1).post(reverse("customers:access_request_new"), request_form)
    access = AccessRequest.objects.get()
    client_as(manager1).post(
        reverse("customers:access_decide", args=[access.pk]), {"decision": "refuse"}
    )
    access.refresh_from_db()
    assert access.status == "refused"
    detail = reverse("customers:detail", args=[customer_of_sales3.pk])
    assert client_as(sales1).get(detail).status_code == 404


def test_a_request_needs_an_exact_match(sales1, customer_of_sales3, client_as):
    response = client_as(sales1).post(reverse("customers:access_request_new"),
                                      {"identifier": "钱", "reason": "查看"})  # fmt: skip
    assert "No single customer matches" in response.text
    assert not AccessRequest.objects.exists()


def test_departure_ends_access_and_hands_everything_over(sales1, sales2, manager1, client_as):
    customers = CustomerFactory.create_batch(4, owner=sales1)
    customer_soft_delete(actor=sales1, customer=customers[0])  # the bin's too
    ConfidentialityAgreement.objects.create(
        user=sales1, signed_on=datetime.date(2024, 3, 1),
        non_compete_until=datetime.date(2027, 12, 31),
    )  # fmt: skip
    leaver = Client()
    leaver.force_login(sales1)
    assert leaver.get(reverse("customers:list")).status_code == 200

    manager = client_as(manager1)
    page = manager.get(reverse("customers:staff_depart", args=[sales1.pk]))
    assert "2027-12-31" in page.text  # the non-compete end is shown
    response = manager.post(
        reverse("customers:staff_depart", args=[sales1.pk]),
        {"left_on": "2026-11-30", "reason": "辞职", "to_owner": sales2.pk},
    )
    assert response.status_code == 302

    sales1.refresh_from_db()
    assert not sales1.is_active
    assert Customer.all_objects.filter(owner=sales1).count() == 0
    assert Customer.all_objects.filter(owner=sales2).count() == 4
    assert HandoverItem.objects.count() == 4
    assert AuditEntry.objects.filter(action=AuditAction.HANDOVER).count() == 4
    assert leaver.get(reverse("customers:list")).status_code == 302  # session gone
    record = manager.get(reverse("customers:staff_departure", args=[sales1.pk]))
    assert record.context["departure"].sessions_ended == 1
    assert customers[1].name in record.text


def test_departure_can_spread_customers_across_a_team(sales1, sales2, lead1, manager1, client_as):
    CustomerFactory.create_batch(4, owner=sales1)
    client_as(manager1).post(
        reverse("customers:staff_depart", args=[sales1.pk]),
        {"left_on": "2026-11-30", "to_team": sales1.team_id},
    )
    owners = sorted(Customer.objects.values_list("owner__username", flat=True))
    assert owners == ["lead1", "lead1", "sales2", "sales2"]


def test_departure_is_for_managers_and_happens_once(sales1, sales2, manager1, client_as):
    url = reverse("customers:staff_depart", args=[sales1.pk])
    assert client_as(sales2).get(url).status_code == 404
    data = {"left_on": "2026-11-30", "to_owner": sales2.pk}
    client_as(manager1).post(url, data)
    again = client_as(manager1).post(url, data)
    assert again["Location"] == reverse("customers:staff_departure", args=[sales1.pk])
    assert StaffDeparture.objects.filter(employee=sales1).count() == 1


def test_the_staff_page_shows_who_follows_how_many(sales1, sales2, manager1, client_as):
    CustomerFactory.create_batch(3, owner=sales1)
    UserFactory(username="retired", roles=["sales"], is_active=False)
    page = client_as(manager1).get(reverse("customers:staff"))
    counts = {m.username: m.customer_count for m in page.context["staff"]}
    assert counts["sales1"] == 3
    assert counts["sales2"] == 0
