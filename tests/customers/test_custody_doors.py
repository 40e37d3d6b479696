"""Every door that takes personal data out passes the one export guard; every admin view
and change of a customer's rows is one audit entry; special access reads, never acts."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from archives.models import TourGroup
from archives.services import tour_group_create
from customers.models import (
    AccessRequest,
    AccessRequestStatus,
    AuditAction,
    AuditEntry,
    Booking,
    ContactPerson,
    ContactRecord,
    CustodyPolicy,
    SecurityAlert,
    ServiceRecord,
)
from customers.services import customer_export_record
from followups.models import CatalogueMailing, MailingRecipient
from loyalty.services import booking_points_sync, card_issue
from tests.factories import (
    BookingFactory,
    ContactPersonFactory,
    ContactRecordFactory,
    CustomerFactory,
    ServiceRecordFactory,
    UserFactory,
)
from tiers.services import monthly_statistics

pytestmark = pytest.mark.django_db


def _guarded_rows(user) -> list[int]:
    return [
        entry.detail["customer_rows"]
        for entry in AuditEntry.objects.filter(actor=user, action=AuditAction.EXPORT).order_by("id")
    ]


@pytest.fixture
def mailing(manager1, sales1):
    mailing = CatalogueMailing.objects.create(
        title="泰国新线目录", mailed_on=datetime.date(2026, 9, 1), created_by=manager1
    )
    for customer in CustomerFactory.create_batch(2, owner=sales1):
        MailingRecipient.objects.create(
            mailing=mailing,
            customer=customer,
            mailed_on=mailing.mailed_on,
            name=customer.name,
            province="上海市",
            city="上海市",
            street_address="南京西路1号",
            postal_code="200040",
            mobile=customer.mobile,
        )
    return mailing


# --- The export guard at every door -----------------------------------------------------


def test_the_mailing_list_csv_and_labels_count_toward_the_guard(
    manager1, mailing, small_policy, client_as
):
    client = client_as(manager1)
    csv = client.get(reverse("followups:mailing_csv", args=[mailing.pk]))
    assert csv.status_code == 200 and "南京西路1号" in csv.content.decode()
    assert _guarded_rows(manager1) == [2]

    # Two more rows would make four of three: refused whole, nothing delivered, alerted.
    labels = client.get(reverse("followups:mailing_labels", args=[mailing.pk]), follow=True)
    assert labels.redirect_chain[-1][0] == mailing.get_absolute_url()
    assert "Export refused" in labels.text and 'class="label"' not in labels.text
    alert = SecurityAlert.objects.get()
    assert (alert.actor, alert.kind, alert.attempted, alert.already_in_window) == (
        manager1,
        "mass_export",
        2,
        2,
    )
    assert _guarded_rows(manager1) == [2]


def test_one_window_adds_up_every_door(manager1, mailing, small_policy, client_as):
    customer_export_record(actor=manager1, rows=2, filters="")
    response = client_as(manager1).get(reverse("followups:mailing_csv", args=[mailing.pk]))
    assert response.status_code == 302  # the list export's 2 + the mailing's 2 > 3
    assert SecurityAlert.objects.filter(actor=manager1).count() == 1


def test_a_tier_report_with_customer_rows_is_counted_and_refused_past_the_limit(
    manager1, sales1, small_policy, client_as
):
    for name in ("一号", "二号", "三号", "四号"):
        customer = CustomerFactory(owner=sales1, name=name)
        BookingFactory(
            customer=customer,
            amount=Decimal("3000"),
            paid_date=datetime.date(2025, 12, 1),
            start_date=datetime.date(2025, 12, 1),
            end_date=datetime.date(2025, 12, 5),
        )
    monthly_statistics(month=datetime.date(2026, 10, 1), today=datetime.date(2026, 11, 1))
    client = client_as(manager1)
    grades = client.get(reverse("tiers:export", args=["grades", "csv"]))
    assert grades.status_code == 200
    assert _guarded_rows(manager1) == [0]  # figures, no customer rows

    dormant = client.get(reverse("tiers:export", args=["dormant", "csv"]), follow=True)
    assert "Export refused" in dormant.text  # four dormant customers of three allowed
    assert _guarded_rows(manager1) == [0]
    assert SecurityAlert.objects.get().attempted == 4


def test_a_points_statement_counts_as_one_customer_row(sales1, small_policy, client_as):
    customer = CustomerFactory(owner=sales1)
    card = card_issue(actor=sales1, customer=customer)
    booking = BookingFactory(
        customer=customer, amount=Decimal("8000"), paid_date=datetime.date(2026, 11, 1)
    )
    booking_points_sync(booking_id=booking.pk)
    customer_export_record(actor=sales1, rows=2, filters="")
    client = client_as(sales1)
    assert client.get(reverse("loyalty:statement_csv", args=[card.pk])).status_code == 200
    assert _guarded_rows(sales1) == [2, 1]
    refused = client.get(reverse("loyalty:statement_csv", args=[card.pk]), follow=True)
    assert "Export refused" in refused.text
    assert _guarded_rows(sales1) == [2, 1]


# --- One audit entry per view or change, page or admin -----------------------------------


def _entries(**filters) -> list[tuple[str, str]]:
    entries = AuditEntry.objects.filter(**filters).order_by("id")
    return list(entries.values_list("action", "object_type"))


def _admin_form(response) -> dict:
    """The admin form's current values, as a browser would post them back."""
    form = response.context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if value is None:
            continue
        if hasattr(value, "pk"):
            value = value.pk
        data[name] = value
    return data


@pytest.mark.parametrize(
    ("factory", "model", "change"),
    [
        (BookingFactory, Booking, {"product": "改过的产品"}),
        (ContactPersonFactory, ContactPerson, {"title": "新职务"}),
        (ServiceRecordFactory, ServiceRecord, {"summary": "改过的摘要"}),
    ],
)
def test_an_admin_view_and_an_admin_change_are_one_audit_entry_each(
    factory, model, change, manager1, sales1, client_as
):
    row = factory(customer=CustomerFactory(owner=sales1))
    before = AuditEntry.objects.count()
    client = client_as(manager1)
    url = reverse(f"admin:customers_{model._meta.model_name}_change", args=[row.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert _entries(object_id=str(row.pk), action=AuditAction.VIEW) == [
        (AuditAction.VIEW, model._meta.model_name)
    ]
    data = {**_admin_form(page), **change}
    for key, value in list(data.items()):
        if isinstance(value, datetime.datetime):
            data[key + "_0"], data[key + "_1"] = value.date(), value.time().replace(microsecond=0)
            del data[key]
    saved = client.post(url, data)
    assert saved.status_code == 302, saved.content.decode()[:3000]
    row.refresh_from_db()
    field, value = next(iter(change.items()))
    assert getattr(row, field) == value
    assert AuditEntry.objects.count() == before + 2
    changed = AuditEntry.objects.latest("id")
    assert (changed.action, changed.actor, changed.customer) == (
        AuditAction.CHANGE,
        manager1,
        row.customer,
    )


def test_an_admin_contact_record_is_viewed_and_added_on_record_and_never_changed(
    manager1, sales1, client_as
):
    customer = CustomerFactory(owner=sales1)
    record = ContactRecordFactory(customer=customer)
    client = client_as(manager1)
    change = reverse("admin:customers_contactrecord_change", args=[record.pk])
    assert client.get(change).status_code == 200  # read-only: a contact is history
    assert _entries(actor=manager1) == [(AuditAction.VIEW, "contactrecord")]
    assert client.post(change, {"notes": "改写"}).status_code == 403
    added = client.post(
        reverse("admin:customers_contactrecord_add"),
        {"customer": customer.pk, "channel": "phone", "outcome": "reached",
         "contacted_at_0": "2026-11-20", "contacted_at_1": "10:00:00", "notes": "补记电话"},
    )  # fmt: skip
    assert added.status_code == 302
    new = ContactRecord.objects.get(notes="补记电话")
    assert new.by == manager1
    assert _entries(actor=manager1) == [
        (AuditAction.VIEW, "contactrecord"),
        (AuditAction.CREATE, "contactrecord"),
    ]


def test_an_admin_booking_change_goes_through_the_service_and_earns_points(
    manager1, sales1, client_as, django_capture_on_commit_callbacks
):
    customer = CustomerFactory(owner=sales1)
    card = card_issue(actor=sales1, customer=customer)
    booking = BookingFactory(
        customer=customer, amount=Decimal("8000"), status="booked", paid_date=None
    )
    client = client_as(manager1)
    url = reverse("admin:customers_booking_change", args=[booking.pk])
    data = _admin_form(client.get(url))
    data.update(status="paid", paid_date="2026-11-20")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    card.refresh_from_db()
    assert card.balance > 0  # the booking_saved signal ran, as on the booking page


def test_an_admin_cannot_attach_a_row_to_a_customer_out_of_scope(lead1, sales1, sales3, client_as):
    """A team lead with admin access may not file a record against another team's
    customer by typing its id."""
    lead1.is_staff = True
    lead1.save()
    from django.contrib.auth.models import Permission

    lead1.user_permissions.add(Permission.objects.get(codename="add_contactrecord"))
    other = CustomerFactory(owner=sales3)
    response = client_as(lead1).post(
        reverse("admin:customers_contactrecord_add"),
        {"customer": other.pk, "channel": "phone", "outcome": "reached",
         "contacted_at_0": "2026-11-20", "contacted_at_1": "10:00:00"},
    )  # fmt: skip
    assert response.status_code == 200
    assert not ContactRecord.objects.filter(customer=other).exists()


def test_opening_an_edit_form_is_one_view_on_record(sales1, client_as):
    customer = CustomerFactory(owner=sales1)
    booking = BookingFactory(customer=customer)
    client = client_as(sales1)
    client.get(reverse("customers:edit", args=[customer.pk]))
    client.get(reverse("customers:booking_edit", args=[customer.pk, booking.pk]))
    assert _entries(actor=sales1) == [
        (AuditAction.VIEW, "customer"),
        (AuditAction.VIEW, "booking"),
    ]
    assert AuditEntry.objects.filter(actor=sales1).last().detail == {"page": "edit"}


# --- Special access is read-only, at every door ------------------------------------------


@pytest.fixture
def special_access(sales1, manager1, customer_of_sales3):
    from django.utils import timezone

    return AccessRequest.objects.create(
        requester=sales1,
        customer=customer_of_sales3,
        reason="客户投诉需要核实",
        requested_at=timezone.now(),
        status=AccessRequestStatus.APPROVED,
        decided_by=manager1,
        decided_at=timezone.now(),
        expires_at=timezone.now() + datetime.timedelta(days=7),
    )


def test_special_access_reads_but_cannot_file_into_a_tour_archive(
    sales1, customer_of_sales3, special_access, client_as
):
    booking = BookingFactory(customer=customer_of_sales3, status="paid")
    client = client_as(sales1)
    assert client.get(reverse("customers:detail", args=[customer_of_sales3.pk])).status_code == 200
    url = reverse("archives:tour_create")
    assert customer_of_sales3.name not in client.get(url).text
    data = {"group_number": "SH2026-0401", "product": "三亚五日游", "trip_type": "domestic",
            "start_date": "2026-04-01", "end_date": "2026-04-05", "head_count": 2,
            "ground_agency": "海韵地接", "guide": "陈导", "bookings": [booking.pk]}  # fmt: skip
    response = client.post(url, data)
    assert response.status_code == 200 and not TourGroup.objects.exists()
    # The service refuses too, whatever door calls it.
    tour = TourGroup(
        group_number="SH2026-0402",
        product="三亚五日游",
        trip_type="domestic",
        start_date=datetime.date(2026, 4, 1),
        end_date=datetime.date(2026, 4, 5),
        head_count=2,
    )
    with pytest.raises(PermissionDenied):
        tour_group_create(actor=sales1, tour=tour, bookings=[booking])
    assert not TourGroup.objects.exists()


@pytest.mark.parametrize(
    ("name", "method"),
    [
        ("customers:edit", "get"),
        ("customers:delete", "post"),
        ("customers:contact_log", "post"),
        ("customers:booking_add", "get"),
        ("customers:service_add", "get"),
        ("customers:person_add", "get"),
        ("followups:feedback_new", "get"),
        ("followups:key_record_new", "get"),
    ],
)
def test_special_access_writes_nothing_through_any_page(
    name, method, sales1, customer_of_sales3, special_access, client_as
):
    client = client_as(sales1)
    url = reverse(name, args=[customer_of_sales3.pk])
    response = getattr(client, method)(url)
    assert response.status_code in (403, 404)
    assert not AuditEntry.objects.filter(
        actor=sales1, action__in=[AuditAction.CREATE, AuditAction.CHANGE, AuditAction.DELETE]
    ).exists()


@pytest.mark.parametrize(
    ("factory", "model"),
    [
        (ContactRecordFactory, ContactRecord),
        (ServiceRecordFactory, ServiceRecord),
        (BookingFactory, Booking),
        (ContactPersonFactory, ContactPerson),
    ],
)
def test_an_admin_history_page_is_one_view_on_record(factory, model, manager1, sales1, client_as):
    row = factory(customer=CustomerFactory(owner=sales1))
    url = reverse(f"admin:customers_{model._meta.model_name}_history", args=[row.pk])
    assert client_as(manager1).get(url).status_code == 200
    views = AuditEntry.objects.filter(actor=manager1, action=AuditAction.VIEW)
    assert [(e.object_type, e.detail) for e in views] == [
        (model._meta.model_name, {"via": "admin-history"})
    ]


# --- The custody policy itself --------------------------------------------------------------


def test_raising_the_export_limit_in_the_admin_is_on_record_and_managers_hear_of_it(
    manager1, client_as, django_capture_on_commit_callbacks, mailoutbox
):
    from django.forms.models import model_to_dict

    other_manager = UserFactory(username="manager2", email="m2@example.com", roles=["manager"])
    policy = CustodyPolicy.current()
    client = client_as(manager1)
    url = reverse("admin:customers_custodypolicy_change", args=[policy.pk])
    data = {k: v for k, v in model_to_dict(policy).items() if v is not None and k != "id"}
    data["export_row_limit"] = 100000
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert CustodyPolicy.current().export_row_limit == 100000
    entry = AuditEntry.objects.get(object_type="custody_policy")
    assert (entry.actor, entry.action) == (manager1, AuditAction.CHANGE)
    assert entry.detail["fields"] == ["export_row_limit"]
    assert entry.detail["before"] == {"export_row_limit": "200"}
    assert entry.detail["after"] == {"export_row_limit": "100000"}
    recipients = {address for message in mailoutbox for address in message.to}
    assert other_manager.email in recipients
