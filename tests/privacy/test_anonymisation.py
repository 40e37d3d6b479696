"""Anonymising a person (PIPL Art. 47): every personal field everywhere (history rows and
the blind index included) is gone, what the law requires stays and is listed with the
reason, nothing changes under a legal hold, and only custodians and managers can do it."""

import datetime
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from customers.id_numbers import blind_index
from customers.models import AuditAction, AuditEntry, Booking, ContactPerson, Customer
from customers.services import customer_update
from privacy.anonymisation import HANDLED, anonymisation_plan, customer_anonymise
from privacy.models import Anonymisation, RequestKind, RequestStatus, RightsRequest
from tests.archives.factories import archive_for
from tests.factories import (
    BookingFactory,
    ContactPersonFactory,
    ContactRecordFactory,
    CustomerFactory,
    OrganisationFactory,
    ServiceRecordFactory,
    TagFactory,
    make_id_number,
)

pytestmark = pytest.mark.django_db

NAME, MOBILE = "欧阳娜娜", "13912345678"
ID_NUMBER = make_id_number(4242)


@pytest.fixture
def person(sales1):
    """A person with a change history: created, then their address and notes changed."""
    customer = CustomerFactory(
        owner=sales1,
        name=NAME,
        mobile=MOBILE,
        id_number=ID_NUMBER,
        email="ouyang@example.com",
        character_notes="喜欢潜水，对海鲜过敏",
        wedding_anniversary=datetime.date(2015, 5, 20),
    )
    customer.tags.add(TagFactory(name="VIP"))
    customer.street_address = "建国路88号"
    customer_update(actor=sales1, customer=customer)
    return customer


@pytest.fixture
def deletion_request(person, custodian1):
    return RightsRequest.objects.create(
        customer=person,
        kind=RequestKind.DELETION,
        received_on=datetime.date(2026, 11, 20),
        channel="paper",
        due_on=datetime.date(2026, 12, 11),
        registered_by=custodian1,
        details=f"{NAME}本人来信要求删除",
    )


def _raw_rows(sql: str, params) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [" ".join(str(value) for value in row) for row in cursor.fetchall()]


def test_anonymisation_removes_every_personal_field_and_keeps_the_booking_figures(
    person, custodian1, deletion_request
):
    booking = BookingFactory(customer=person, amount=Decimal("12800.00"), source="web",
                             source_number="W-1")  # fmt: skip
    ContactRecordFactory(customer=person, notes=f"{NAME}说下月再联系", next_step="寄目录")
    service = ServiceRecordFactory(customer=person, details=f"{NAME}投诉房间", resolution="换房")
    history_count = Customer.history.filter(id=person.pk).count()
    assert history_count >= 2

    record = customer_anonymise(
        customer=person, by=custodian1, reason="本人要求删除", request=deletion_request
    )

    person.refresh_from_db()
    assert person.name == f"Anonymised #{person.pk}" or person.name == f"已匿名 #{person.pk}"
    assert person.anonymised_at is not None
    for field in ("mobile", "email", "id_number", "id_number_index", "street_address",
                  "character_notes", "sex", "name_pinyin"):  # fmt: skip
        assert getattr(person, field) == "", field
    assert person.birthday is None and person.wedding_anniversary is None
    assert not person.tags.exists()
    # The blind index no longer finds the person by their ID number.
    assert not Customer.all_objects.filter(id_number_index=blind_index(ID_NUMBER)).exists()
    # History rows: still there (the record of changes), without the old values.
    assert Customer.history.filter(id=person.pk).count() == history_count
    assert not Customer.history.filter(id=person.pk, name=NAME).exists()
    assert not Customer.history.filter(id=person.pk).exclude(mobile="").exists()
    assert not Customer.history.filter(id=person.pk).exclude(id_number="").exists()
    assert (
        not apps.get_model("customers", "HistoricalCustomer_tags")
        .objects.filter(customer_id=person.pk)
        .exists()
    )
    # Free text of the records.
    assert person.contact_records.get().notes == ""
    service.refresh_from_db()
    assert NAME not in service.summary and service.details == "" and service.resolution == ""
    # Kept: the booking's figures, linked to the anonymised id.
    booking.refresh_from_db()
    assert (booking.customer_id, booking.amount, booking.source_number) == (
        person.pk, Decimal("12800.00"), "W-1",
    )  # fmt: skip
    assert Booking.history.filter(id=booking.pk).exists()
    assert record.kept[0] == {"what": "bookings", "why": "accounting", "count": 1}
    assert record.counts["customer"] == 1 and record.counts["customer_history"] == history_count
    # The request is done, its outcome says what changed and what was kept.
    deletion_request.refresh_from_db()
    assert deletion_request.status == RequestStatus.DONE
    assert deletion_request.closed_by == custodian1
    assert "12800" not in deletion_request.outcome and NAME not in deletion_request.outcome
    assert deletion_request.details == ""


def test_a_raw_select_over_the_row_and_its_history_shows_no_old_name_mobile_or_id(
    person, custodian1
):
    tables = [Customer._meta.db_table, Customer.history.model._meta.db_table]
    before = _raw_rows(f"SELECT * FROM {tables[0]} WHERE id = %s", [person.pk])  # noqa: S608
    assert NAME in before[0] and MOBILE in before[0]

    customer_anonymise(customer=person, by=custodian1, reason="本人要求删除")

    rows = []
    for table in tables:
        rows += _raw_rows(f"SELECT * FROM {table} WHERE id = %s", [person.pk])  # noqa: S608
    audit = _raw_rows(
        f"SELECT object_repr, detail FROM {AuditEntry._meta.db_table} WHERE customer_id = %s",  # noqa: S608
        [person.pk],
    )
    for row in rows + audit:
        assert NAME not in row and MOBILE not in row and ID_NUMBER not in row
        assert blind_index(ID_NUMBER) not in row
    assert len(rows) >= 3


def test_the_audit_entry_records_the_anonymisation_without_the_personal_data(person, custodian1):
    customer_anonymise(customer=person, by=custodian1, reason="本人要求删除")
    entry = AuditEntry.objects.filter(customer=person, action=AuditAction.DELETE).get()
    assert entry.actor == custodian1
    assert NAME not in entry.object_repr and NAME not in str(entry.detail)
    assert entry.detail["anonymisation"] == Anonymisation.objects.get().pk
    # Earlier entries keep their facts, not the name.
    assert not AuditEntry.objects.filter(customer=person, object_repr__contains=NAME).exists()


def test_an_organisations_contact_people_are_anonymised_with_their_history(custodian1):
    organisation = OrganisationFactory(name="华夏科技有限公司")
    contact = ContactPersonFactory(customer=organisation, name="李经理", mobile="13711112222")
    customer_anonymise(customer=organisation, by=custodian1, reason="联系人要求删除")
    contact.refresh_from_db()
    assert contact.name != "李经理" and contact.mobile == ""
    assert not ContactPerson.history.filter(name="李经理").exists()
    organisation.refresh_from_db()
    # An organisation's name is not personal information: kept, and said so.
    assert organisation.name == "华夏科技有限公司"
    assert {"what": "name", "why": "not_personal"} in organisation.anonymisations.get().kept


def test_an_archive_under_legal_hold_refuses_and_changes_nothing(person, custodian1):
    archive = archive_for(person, group_number="SH2024-0099")
    archive.legal_hold = True
    archive.legal_hold_reason = "（2026）沪0105民初123号"
    archive.save()
    with pytest.raises(ValidationError) as refusal:
        customer_anonymise(customer=person, by=custodian1, reason="本人要求删除")
    assert "SH2024-0099" in refusal.value.messages[0]
    assert "（2026）沪0105民初123号" in refusal.value.messages[0]
    person.refresh_from_db()
    assert person.name == NAME and person.mobile == MOBILE and person.anonymised_at is None
    assert Customer.history.filter(id=person.pk, name=NAME).exists()
    assert not Anonymisation.objects.exists()


def test_an_archive_within_retention_is_kept_and_listed(person, custodian1):
    archive = archive_for(
        person, group_number="SH2026-0007", start_date=datetime.date(2026, 3, 1),
        end_date=datetime.date(2026, 3, 5),
    )  # fmt: skip
    record = customer_anonymise(customer=person, by=custodian1, reason="本人要求删除")
    assert {
        "what": "archive", "why": "retention", "group": "SH2026-0007",
        "until": archive.retention_end.isoformat(),
    } in record.kept  # fmt: skip
    links = apps.get_model("archives", "TourGroupBooking").objects.filter(tour=archive.tour)
    assert links.count() == 1  # the traveller list still links the (anonymised) booking


def test_every_model_pointing_to_a_customer_is_handled():
    """A new model with a customer link fails here until anonymisation decides on it."""
    pointing = {
        model._meta.label
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if field.is_relation and field.related_model is Customer
    }
    assert pointing - set(HANDLED) == set()


def test_the_form_refuses_to_edit_an_anonymised_customer(person, custodian1, sales1, client_as):
    customer_anonymise(customer=person, by=custodian1, reason="本人要求删除")
    client = client_as(sales1)
    response = client.get(reverse("customers:edit", args=[person.pk]), follow=True)
    assert "anonymised" in response.content.decode()
    person.refresh_from_db()
    person.mobile = MOBILE
    with pytest.raises(ValidationError):
        customer_update(actor=sales1, customer=person)


def test_the_admin_shows_an_anonymised_customer_read_only(person, custodian1, manager1, rf):
    from django.contrib import admin

    customer_anonymise(customer=person, by=custodian1, reason="本人要求删除")
    request = rf.get("/")
    request.user = manager1
    person.refresh_from_db()
    assert admin.site._registry[Customer].has_change_permission(request, person) is False


def test_a_sales_rep_cannot_anonymise(person, sales1):
    with pytest.raises(PermissionDenied):
        customer_anonymise(customer=person, by=sales1, reason="x")


# The deletion request's panel and its POST.


def test_the_panel_shows_what_changes_and_what_is_kept_before_acting(
    person, deletion_request, custodian1, client_as, django_assert_max_num_queries
):
    BookingFactory(customer=person)
    client = client_as(custodian1)
    url = reverse("privacy:request_anonymise_page", args=[deletion_request.pk])
    with django_assert_max_num_queries(40):
        response = client.get(url)
    page = response.content.decode()
    assert "Will be anonymised" in page and "Will be kept, and why" in page
    assert "1 booking: amount, date and booking number" in page  # not "booking(s)"
    assert "accounting records the law requires" in page
    person.refresh_from_db()
    assert person.anonymised_at is None  # looking changes nothing


def test_the_panel_names_the_legal_hold_and_offers_no_button(
    person, deletion_request, custodian1, client_as
):
    archive = archive_for(person, group_number="SH2024-0100")
    archive.legal_hold = True
    archive.legal_hold_reason = "诉讼保全"
    archive.save()
    page = (
        client_as(custodian1)
        .get(reverse("privacy:request_anonymise_page", args=[deletion_request.pk]))
        .content.decode()
    )
    assert "SH2024-0100" in page and "诉讼保全" in page
    assert 'data-testid="anonymise"' not in page


def test_anonymising_from_the_panel_needs_the_confirmation_and_closes_the_request(
    person, deletion_request, custodian1, client_as
):
    client = client_as(custodian1)
    url = reverse("privacy:request_anonymise", args=[deletion_request.pk])
    client.post(url, {})
    person.refresh_from_db()
    assert person.anonymised_at is None  # no confirmation, nothing done
    response = client.post(url, {"understood": "on"}, follow=True)
    assert response.status_code == 200
    person.refresh_from_db()
    deletion_request.refresh_from_db()
    assert person.anonymised_at is not None and person.mobile == ""
    assert deletion_request.status == RequestStatus.DONE
    assert "Anonymised on" in response.content.decode()


def test_the_anonymised_persons_page_says_so_and_asks_for_nothing(person, custodian1, client_as):
    """Afterwards the customer page said nothing of it: an 'incomplete' address badge
    asked staff to fill in what was removed, and a new request could be registered."""
    client = client_as(custodian1)
    before = client.get(person.get_absolute_url()).content.decode()
    assert 'data-testid="register-rights-request"' in before
    assert 'data-testid="anonymised-note"' not in before
    customer_anonymise(customer=person, by=custodian1, reason="deletion request")
    page = client.get(person.get_absolute_url()).content.decode()
    assert 'data-testid="anonymised-note"' in page
    assert "were removed for good" in page
    assert 'data-testid="register-rights-request"' not in page
    assert ">incomplete<" not in page


@pytest.mark.parametrize("who", ["sales1", "lead1", "finance1"])
def test_the_panel_and_its_post_are_404_outside_custodians_and_managers(
    who, staff, person, deletion_request, client_as
):
    client = client_as(staff[who])
    page = reverse("privacy:request_anonymise_page", args=[deletion_request.pk])
    post = reverse("privacy:request_anonymise", args=[deletion_request.pk])
    assert client.get(page).status_code == 404
    assert client.post(post, {"understood": "on"}).status_code == 404
    person.refresh_from_db()
    assert person.anonymised_at is None


def test_the_post_is_post_only_and_csrf_protected(person, deletion_request, manager1, client):
    url = reverse("privacy:request_anonymise", args=[deletion_request.pk])
    client.force_login(manager1)
    assert client.get(url).status_code == 405
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(manager1)
    assert strict.post(url, {"understood": "on"}).status_code == 403
    person.refresh_from_db()
    assert person.anonymised_at is None


def test_the_panel_plan_matches_what_is_done(person, custodian1):
    ContactRecordFactory(customer=person)
    plan = anonymisation_plan(customer=person, today=timezone.localdate())
    record = customer_anonymise(customer=person, by=custodian1, reason="本人要求删除")
    assert plan.changes == record.counts
    assert plan.changes["contact_records"] == 1
    assert plan.kept == record.kept


# After anonymisation the archive takes no new records: the page offers none, and the
# services refuse them (forms, and any other door that adds a record through them).
WRITE_LINKS = ("Edit", "Add service record", "Log a contact", "Add booking")


@pytest.mark.parametrize("who", ["sales1", "manager1", "finance1"])
def test_the_anonymised_persons_page_offers_no_way_to_add_records(
    who, staff, person, custodian1, client_as
):
    client = client_as(staff[who])
    before = client.get(person.get_absolute_url()).content.decode()
    offered = [label for label in WRITE_LINKS if f">{label}</a>" in before]
    assert "Add booking" in offered  # every one of them may add a booking before
    customer_anonymise(customer=person, by=custodian1, reason="本人要求删除")
    after = client.get(person.get_absolute_url()).content.decode()
    assert [label for label in WRITE_LINKS if f">{label}</a>" in after] == []
    assert 'id="log-contact"' not in after


def test_adding_a_contact_feedback_or_booking_to_an_anonymised_person_says_why_not(
    person, custodian1, sales1, client_as
):
    customer_anonymise(customer=person, by=custodian1, reason="本人要求删除")
    client = client_as(sales1)
    for name in ("contact_log", "service_add", "booking_add"):
        response = client.post(
            reverse(f"customers:{name}", args=[person.pk]),
            {"channel": "phone", "outcome": "reached", "contacted_at": "2026-11-20T10:30",
             "notes": "她又来电话了"},
            follow=True,
        )  # fmt: skip
        assert response.redirect_chain[-1][0] == person.get_absolute_url()
        assert "cannot be filled in again" in response.content.decode()
    assert not person.contact_records.exists()
    assert not person.service_records.exists()
    assert not person.bookings.exists()


def test_a_new_booking_or_feedback_for_an_anonymised_person_is_refused_but_finance_settles_a_kept_one(  # noqa: E501
    person, custodian1, sales1, finance1
):
    from customers.models import BookingStatus, ServiceRecord
    from customers.services import booking_save, service_record_create

    kept = BookingFactory(customer=person, status=BookingStatus.BOOKED, paid_date=None)
    customer_anonymise(customer=person, by=custodian1, reason="本人要求删除")
    person.refresh_from_db()
    new = BookingFactory.build(customer=person, destination=kept.destination)
    with pytest.raises(ValidationError, match="cannot be filled in again"):
        booking_save(actor=sales1, booking=new)
    with pytest.raises(ValidationError, match="cannot be filled in again"):
        service_record_create(
            actor=sales1, record=ServiceRecord(customer=person, kind="complaint", summary="投诉")
        )
    assert person.bookings.count() == 1
    kept.refresh_from_db()
    kept.status = BookingStatus.PAID
    kept.paid_date = timezone.localdate()
    booking_save(actor=finance1, booking=kept)
    assert person.bookings.get().status == BookingStatus.PAID


def test_the_booking_sync_refuses_a_new_booking_for_an_anonymised_person_and_updates_a_kept_one(
    person, custodian1, sales1
):
    """The API's and the importer's door (booking_sync_many): the same rule as the form."""
    from customers.models import BookingStatus, TripType
    from customers.services.booking_sync import BookingSyncItem, booking_sync_many
    from tests.factories import DestinationFactory

    sanya = DestinationFactory(name="三亚")

    def item(number, status):
        values = {
            "product": "三亚五日游",
            "destination": sanya,
            "trip_type": TripType.DOMESTIC,
            "start_date": datetime.date(2026, 12, 10),
            "end_date": datetime.date(2026, 12, 14),
            "head_count": 2,
            "amount": Decimal("8000.00"),
            "cost": Decimal("6500.00"),
            "status": status,
        }
        return BookingSyncItem(customer=person, source="erp", number=number, values=values)

    booking_sync_many(actor=sales1, items=[item("K-1", BookingStatus.BOOKED)])
    customer_anonymise(customer=person, by=custodian1, reason="本人要求删除")
    person.refresh_from_db()
    kept, new = booking_sync_many(
        actor=sales1,
        items=[item("K-1", BookingStatus.CANCELLED), item("N-1", BookingStatus.BOOKED)],
    )
    assert (kept.outcome, new.outcome) == ("updated", "refused")
    assert "cannot be filled in again" in new.error.message_dict["customer"][0]
    assert list(person.bookings.values_list("source_number", "status")) == [
        ("K-1", BookingStatus.CANCELLED)
    ]
