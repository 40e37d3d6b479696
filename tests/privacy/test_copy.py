"""The copy of what is held about a person (PIPL Art. 45): made in the background, every
kind of record that points to a customer in it (a model added later without being in the
copy fails here), nothing of another person, the ID number readable only inside it,
downloaded once, every step audited."""

import datetime
import io
import json
import zipfile
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from customers.models import AuditEntry, Customer
from loyalty.services import booking_points_sync, card_issue
from privacy.models import ConsentText, CopyStatus, RightsCopy
from privacy.services import consent_give
from privacy.services.copy import rights_copy_download, rights_copy_start
from privacy.services.requests import rights_request_register
from tests.factories import (
    BookingFactory,
    ContactPersonFactory,
    ContactRecordFactory,
    CustomerFactory,
    OrganisationFactory,
    ServiceRecordFactory,
)
from tiers.models import GradeChange

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


@pytest.fixture
def text(db):
    return ConsentText.objects.create(
        version="2026-01",
        title="个人信息处理同意书",
        body="……",
        published_on=datetime.date(2026, 1, 1),
    )


def _fill(customer, *, owner, text, marker: str):
    """A customer with a record of every common kind, each carrying `marker`."""
    today = timezone.localdate()
    booking = BookingFactory(
        customer=customer,
        product=f"{marker}五日游",
        amount=Decimal("8000.00"),
        cost=Decimal("0"),
        paid_date=today - datetime.timedelta(days=30),
        payment_due_date=today - datetime.timedelta(days=30),
        start_date=today - datetime.timedelta(days=20),
        end_date=today - datetime.timedelta(days=15),
    )
    card_issue(actor=owner, customer=customer)
    booking_points_sync(booking_id=booking.pk, today=today)
    ContactRecordFactory(customer=customer, by=owner, notes=f"{marker}电话回访")
    ServiceRecordFactory(customer=customer, summary=f"{marker}投诉")
    GradeChange.objects.create(
        customer=customer,
        from_grade="C",
        to_grade="B",
        source="manual",
        reason=f"{marker}口碑好",
        changed_at=timezone.now(),
        approved_by=owner,
    )
    consent_give(
        actor=owner, customer=customer, purposes=["service", "marketing_sms"], method="paper",
        text=text,
    )  # fmt: skip


def _copy_request(actor, customer):
    return rights_request_register(
        actor=actor,
        customer=customer,
        kind="copy",
        received_on=timezone.localdate(),
        channel="in_person",
        details="要求副本",
    )


def _make(actor, rights_request, django_capture_on_commit_callbacks) -> RightsCopy:
    with django_capture_on_commit_callbacks(execute=True):
        copy = rights_copy_start(actor=actor, rights_request=rights_request, language="zh-hans")
    copy.refresh_from_db()
    return copy


def _open(content: bytes) -> tuple[dict, str]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        machine = json.loads(archive.read("personal-information.json"))
        readable = archive.read("personal-information.html").decode()
    return machine, readable


def _models_pointing_to_customer() -> set[str]:
    """Found here on its own, not with the copy's function, so the test checks it."""
    return {
        model._meta.label
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if field.is_relation and field.related_model is Customer
    }


def test_the_copy_holds_every_kind_of_record_and_nothing_of_another_person(
    custodian1, sales1, sales3, text, django_capture_on_commit_callbacks
):
    person = CustomerFactory(
        owner=sales1, name="陈静", mobile="13812345678", email="chenjing@example.com",
        id_number="11010519850615002X", character_notes="喜欢靠窗座位",
    )  # fmt: skip
    other = CustomerFactory(
        owner=sales3, name="钱多多", mobile="13987654321", email="qian@example.com",
        id_number="110105198506150037", character_notes="不吃辣",
    )  # fmt: skip
    _fill(person, owner=sales1, text=text, marker="甲甲")
    _fill(other, owner=sales3, text=text, marker="乙乙")
    _copy_request(custodian1, other)  # the other's earlier request: not in the person's copy
    request = _copy_request(custodian1, person)
    copy = _make(custodian1, request, django_capture_on_commit_callbacks)
    assert copy.status == CopyStatus.READY and copy.file and copy.sha256
    content, filename = rights_copy_download(actor=custodian1, copy=copy)
    assert filename.endswith(".zip")
    machine, readable = _open(content)
    sections = machine["sections"]

    # Every model pointing to a customer is in the copy (a new one must be added).
    missing = _models_pointing_to_customer() - set(sections)
    assert not missing, f"not in the copy: {sorted(missing)}"
    # Records hanging off the person's own: points ledger, the archive's change history.
    assert {"loyalty.LedgerEntry", "customers.HistoricalCustomer"} <= set(sections)

    archive = sections["customers.Customer"]["rows"][0]
    assert archive["name"] == "陈静" and archive["mobile"] == "13812345678"
    assert archive["id_number"] == "11010519850615002X"  # the person's own, decrypted
    assert "id_number_index" not in archive
    assert len(sections["customers.Booking"]["rows"]) == 1
    assert sections["customers.Booking"]["rows"][0]["product"] == "甲甲五日游"
    assert len(sections["customers.ContactRecord"]["rows"]) == 1
    assert len(sections["customers.ServiceRecord"]["rows"]) == 1
    assert len(sections["tiers.GradeChange"]["rows"]) == 1
    assert len(sections["privacy.Consent"]["rows"]) == 2
    assert len(sections["loyalty.Card"]["rows"]) == 1
    assert len(sections["privacy.RightsRequest"]["rows"]) == 1
    assert sections["customers.ContactRecord"]["rows"][0]["by"] == sales1.display_name

    for document in (json.dumps(machine, ensure_ascii=False), readable):
        for value in ("甲甲", "陈静", "13812345678", "11010519850615002X", "喜欢靠窗座位"):
            assert value in document
        for value in ("乙乙", "钱多多", "13987654321", "qian@example.com", "110105198506150037",
                      "不吃辣"):  # fmt: skip
            assert value not in document, value
    assert '<html lang="zh-hans">' in readable


def test_an_organisation_s_copy_holds_its_contact_people_and_their_changes(
    custodian1, sales1, django_capture_on_commit_callbacks
):
    company = OrganisationFactory(owner=sales1, name="华夏科技有限公司")
    contact = ContactPersonFactory(customer=company, name="周联系", mobile="13711112222")
    contact.title = "总经理"
    contact.save()
    ContactPersonFactory(customer=OrganisationFactory(owner=sales1), name="别家联系人")
    copy = _make(custodian1, _copy_request(custodian1, company), django_capture_on_commit_callbacks)
    machine, _readable = _open(rights_copy_download(actor=custodian1, copy=copy)[0])
    people = machine["sections"]["customers.ContactPerson"]["rows"]
    assert [p["name"] for p in people] == ["周联系"] and people[0]["title"] == "总经理"
    history = machine["sections"]["customers.HistoricalContactPerson"]["rows"]
    assert {h["title"] for h in history} == {"行政经理", "总经理"}
    assert "别家联系人" not in json.dumps(machine, ensure_ascii=False)


def test_download_once_then_refused_with_a_clear_message_and_every_step_audited(
    custodian1, manager1, sales1, client_as, django_capture_on_commit_callbacks
):
    person = CustomerFactory(owner=sales1, name="林小雨")
    request = _copy_request(custodian1, person)
    client = client_as(custodian1)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("privacy:copy_generate", args=[request.pk]))
    assert response.status_code == 302
    copy = RightsCopy.objects.get(request=request)
    assert copy.status == CopyStatus.READY
    page = client.get(reverse("privacy:request_detail", args=[request.pk])).text
    assert 'data-copy-status="ready"' in page and 'data-testid="copy-download"' in page
    stored = copy.file.path

    url = reverse("privacy:copy_download", args=[request.pk, copy.pk])
    assert client.get(url).status_code == 405  # a link prefetch cannot use up the download
    with django_capture_on_commit_callbacks(execute=True):
        first = client_as(manager1).post(url)
    assert first.status_code == 200 and first["Content-Type"] == "application/zip"
    machine, _readable = _open(first.content)
    assert machine["sections"]["customers.Customer"]["rows"][0]["name"] == "林小雨"
    copy.refresh_from_db()
    assert copy.status == CopyStatus.DOWNLOADED and copy.downloaded_by == manager1
    assert not copy.file
    import os

    assert not os.path.exists(stored)  # no second copy of the person lingers

    second = client_as(custodian1).post(url, follow=True)
    assert second.redirect_chain and second.status_code == 200
    assert "already been downloaded once" in second.text
    assert 'data-copy-status="downloaded"' in second.text
    with pytest.raises(ValidationError):
        rights_copy_download(actor=custodian1, copy=copy)

    steps = list(
        AuditEntry.objects.filter(object_type="rightscopy", customer=person)
        .order_by("pk")
        .values_list("action", "actor__username")
    )
    assert steps == [
        ("create", "custodian1"),  # asked for
        ("export", "custodian1"),  # made
        ("download", "manager1"),
    ]


def test_a_copy_is_made_only_for_an_open_copy_request(
    custodian1, sales1, django_capture_on_commit_callbacks
):
    person = CustomerFactory(owner=sales1)
    correction = rights_request_register(
        actor=custodian1, customer=person, kind="correction",
        received_on=timezone.localdate(), channel="phone",
    )  # fmt: skip
    with pytest.raises(ValidationError):
        rights_copy_start(actor=custodian1, rights_request=correction, language="en")
    request = _copy_request(custodian1, person)
    with django_capture_on_commit_callbacks(execute=False):
        rights_copy_start(actor=custodian1, rights_request=request, language="en")
        with pytest.raises(ValidationError):  # one at a time
            rights_copy_start(actor=custodian1, rights_request=request, language="en")


def test_making_twice_makes_one_file(custodian1, sales1, django_capture_on_commit_callbacks):
    from privacy.services.copy import rights_copy_make_now

    request = _copy_request(custodian1, CustomerFactory(owner=sales1))
    copy = _make(custodian1, request, django_capture_on_commit_callbacks)
    assert rights_copy_make_now(copy_id=copy.pk) == CopyStatus.READY
    assert AuditEntry.objects.filter(object_type="rightscopy", action="export").count() == 1
