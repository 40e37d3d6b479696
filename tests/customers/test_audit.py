"""Every view, change, export, deletion and restore writes exactly one audit entry."""

import pytest
from django.contrib.admin import helpers
from django.forms.models import model_to_dict
from django.urls import reverse
from django.utils import timezone

from customers.forms import CustomerForm
from customers.models import AuditAction, AuditEntry
from tests.factories import BookingFactory, ContactPersonFactory, DestinationFactory

pytestmark = pytest.mark.django_db


def _customer_form(customer, **changes):
    """The edit form as a browser posts it: every field with its current value."""
    data = model_to_dict(customer, fields=CustomerForm.Meta.fields)
    data = {key: ("" if value is None else value) for key, value in data.items()}
    data["desired_destinations"] = [d.pk for d in data["desired_destinations"]]
    data["tags"] = [t.pk for t in data["tags"]]
    return data | changes


ACTIONS = {
    # name: (method, url name, extra url args, data builder, expected action, object type)
    "view page": ("get", "customers:detail", [], None, AuditAction.VIEW, "customer"),
    "view history": ("get", "customers:history", [], None, AuditAction.VIEW, "customer"),
    "edit": ("post", "customers:edit", [], lambda c: _customer_form(c, occupation="律师"),
             AuditAction.CHANGE, "customer"),
    "delete": ("post", "customers:delete", [], lambda c: {}, AuditAction.DELETE, "customer"),
    "log contact": ("post", "customers:contact_log", [],
                    lambda c: {"channel": "phone", "outcome": "reached",
                               "contacted_at": "2026-11-01T09:00"},
                    AuditAction.CREATE, "contactrecord"),
    "add service record": ("post", "customers:service_add", [],
                           lambda c: {"kind": "request", "occurred_at": "2026-11-01T09:00",
                                      "summary": "要发票", "status": "open"},
                           AuditAction.CREATE, "servicerecord"),
    "add booking": ("post", "customers:booking_add", [],
                    lambda c: {"product": "桂林山水四日", "destination": DestinationFactory(
                        name="桂林").pk, "trip_type": "domestic", "start_date": "2026-12-01",
                        "end_date": "2026-12-04", "head_count": 2, "amount": "5000",
                        "cost": "4000", "status": "booked"},
                    AuditAction.CREATE, "booking"),
    "add contact person": ("post", "customers:person_add", [],
                           lambda c: {"name": "黄秘书", "started_on": "2026-01-01"},
                           AuditAction.CREATE, "contactperson"),
}  # fmt: skip


@pytest.mark.parametrize("name", list(ACTIONS))
def test_each_action_writes_exactly_one_entry(name, sales1, customer_of_sales1, client_as):
    method, url_name, extra, data, action, object_type = ACTIONS[name]
    client = client_as(sales1)
    url = reverse(url_name, args=[customer_of_sales1.pk, *extra])
    before = AuditEntry.objects.count()
    response = getattr(client, method)(url, data(customer_of_sales1) if data else None,
                                       REMOTE_ADDR="10.1.2.3")  # fmt: skip
    assert response.status_code in (200, 302)
    entries = list(AuditEntry.objects.all()[: AuditEntry.objects.count() - before])
    assert len(entries) == 1, [e.action for e in entries]
    entry = entries[0]
    assert (entry.actor, entry.action, entry.object_type) == (sales1, action, object_type)
    assert entry.customer_id == customer_of_sales1.pk
    assert entry.ip_address == "10.1.2.3"
    assert entry.at.tzinfo is not None


def test_an_edit_records_which_fields_changed(sales1, customer_of_sales1, client_as):
    client_as(sales1).post(
        reverse("customers:edit", args=[customer_of_sales1.pk]),
        _customer_form(customer_of_sales1, occupation="律师"),
    )
    assert AuditEntry.objects.get(action=AuditAction.CHANGE).detail["fields"] == ["occupation"]


def test_replacing_a_contact_person_is_one_change(sales1, client_as):
    person = ContactPersonFactory(customer__owner=sales1)
    client_as(sales1).post(
        reverse("customers:person_replace", args=[person.customer_id, person.pk]),
        {"name": "新联系人", "started_on": "2026-06-01", "reason": "退休"},
    )
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.detail["reason"]) == (AuditAction.CHANGE, "退休")


def test_an_export_records_the_row_count_and_filters(lead1, sales1, client_as):
    BookingFactory(customer__owner=sales1)
    response = client_as(lead1).get(reverse("customers:export"), {"kind": "individual"})
    b"".join(response.streaming_content)
    entry = AuditEntry.objects.get()
    assert entry.action == AuditAction.EXPORT
    # customer_rows: what the one export guard counts, whatever the door.
    assert entry.detail == {"rows": 1, "filters": "kind=individual", "customer_rows": 1}


def test_admin_view_delete_and_restore_are_recorded(custodian1, customer_of_sales1, client_as):
    client = client_as(custodian1)
    client.get(reverse("admin:customers_customer_change", args=[customer_of_sales1.pk]))
    changelist = reverse("admin:customers_customer_changelist")
    for action in ("soft_delete_selected", "restore_selected"):
        selected = {helpers.ACTION_CHECKBOX_NAME: [customer_of_sales1.pk]}
        client.post(changelist, {"action": action, **selected})
    actions = list(AuditEntry.objects.order_by("id").values_list("action", flat=True))
    assert actions == [AuditAction.VIEW, AuditAction.DELETE, AuditAction.RESTORE]


def test_entries_cannot_be_changed_or_deleted(sales1, customer_of_sales1, client_as):
    client_as(sales1).get(reverse("customers:detail", args=[customer_of_sales1.pk]))
    entry = AuditEntry.objects.get()
    entry.action = AuditAction.CHANGE
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        AuditEntry.objects.all().delete()
    with pytest.raises(PermissionError):
        AuditEntry.objects.update(action=AuditAction.CHANGE)
    assert AuditEntry.objects.get().action == AuditAction.VIEW


def test_the_audit_admin_is_read_only_and_closed_to_sales(
    manager1, sales1, customer_of_sales1, client_as
):
    client_as(sales1).get(reverse("customers:detail", args=[customer_of_sales1.pk]))
    entry = AuditEntry.objects.get()
    client = client_as(manager1)
    assert client.get(reverse("admin:customers_auditentry_add")).status_code == 403
    delete_url = reverse("admin:customers_auditentry_delete", args=[entry.pk])
    assert client.post(delete_url, {"post": "yes"}).status_code == 403
    change = client.post(reverse("admin:customers_auditentry_change", args=[entry.pk]),
                         {"action": "export"})  # fmt: skip
    assert change.status_code == 403
    assert AuditEntry.objects.get().action == AuditAction.VIEW
    sales1.is_staff = True
    sales1.save()
    listing = client_as(sales1).get(reverse("admin:customers_auditentry_changelist"))
    assert listing.status_code == 403


def test_a_manager_finds_what_one_person_viewed_and_exported_in_a_month(
    manager1, sales1, lead1, customer_of_sales1, client_as
):
    client_as(sales1).get(reverse("customers:detail", args=[customer_of_sales1.pk]))
    b"".join(client_as(lead1).get(reverse("customers:export")).streaming_content)
    client_as(lead1).get(reverse("customers:detail", args=[customer_of_sales1.pk]))
    today = timezone.localdate()
    page = client_as(manager1).get(
        reverse("admin:customers_auditentry_changelist"),
        {"actor__id__exact": lead1.pk, "at__year": today.year, "at__month": today.month},
    )
    shown = list(page.context["cl"].result_list)
    assert {(e.actor, e.action) for e in shown} == {
        (lead1, AuditAction.EXPORT),
        (lead1, AuditAction.VIEW),
    }
