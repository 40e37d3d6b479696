"""Anonymising a person also cleans their traces in rows with no key to them: outgoing
mail (to them: emptied, cancelled while waiting; about them: their values replaced),
webhook deliveries (their customer object reduced to its id), and the audit log's
details (the values, not the keys, actions and dates). Import files, which hold many
people, are listed as kept until they expire. Other people's rows are untouched."""

import json
import uuid

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from customers.models import (
    AuditAction,
    AuditEntry,
    MessageStatus,
    OutboundMessage,
)
from imports.models import ImportJob, ImportKind
from privacy.anonymisation import anonymisation_plan, customer_anonymise
from privacy.anonymisation.rules import placeholder
from tests.factories import CustomerFactory, make_id_number
from tests.privacy.test_anonymisation import ID_NUMBER, MOBILE, NAME, deletion_request, person
from webhooks.models import Delivery, Endpoint
from webhooks.receivers import _customer
from webhooks.services.outbox import body_dumps

pytestmark = pytest.mark.django_db
__all__ = ["deletion_request", "person"]

EMAIL = "ouyang@example.com"
OTHER_NAME, OTHER_MOBILE = "李雷", "13700001111"


@pytest.fixture
def other(sales1):
    return CustomerFactory(
        owner=sales1,
        name=OTHER_NAME,
        mobile=OTHER_MOBILE,
        id_number=make_id_number(777),
        email="li@example.com",
    )


def _message(to, subject, body, status=MessageStatus.SENT, reference=""):
    now = timezone.now()
    return OutboundMessage.objects.create(
        kind="test",
        reference=reference,
        recipients=to,
        subject=subject,
        body=body,
        message_id_header=f"<{uuid.uuid4().hex}@x>",
        status=status,
        created_at=now,
        next_attempt_at=now if status == MessageStatus.PENDING else None,
    )


def _delivery(endpoint, customer):
    event_id = uuid.uuid4()
    now = timezone.now()
    body = body_dumps(
        event="customer.updated",
        event_id=event_id,
        occurred_at=now,
        data={"customer": _customer(customer), "changed_fields": ["mobile"]},
    )
    return Delivery.objects.create(
        endpoint=endpoint, event="customer.updated", event_id=event_id, body=body, created_at=now
    )


def _audit(actor, detail, customer=None, action=AuditAction.EXPORT):
    return AuditEntry.objects.create(
        actor=actor, action=action, object_type="customer_list", customer=customer, detail=detail
    )


def _found(table: str, columns: str, values) -> list[str]:
    """A raw search of the table for each value, as written and as JSON escapes it."""
    hits = []
    with connection.cursor() as cursor:
        for value in values:
            for form in {value, json.dumps(value)[1:-1]}:
                cursor.execute(
                    f"SELECT {columns} FROM {table}",  # noqa: S608
                )
                hits += [str(row) for row in cursor.fetchall() if form in " ".join(map(str, row))]
    return hits


PERSONAL = [NAME, MOBILE, ID_NUMBER, EMAIL]


def test_mail_to_the_person_is_emptied_waiting_mail_cancelled_and_mail_about_them_scrubbed(
    person, other, custodian1
):
    sent = _message([EMAIL], f"{NAME}，生日快乐", f"亲爱的{NAME}：祝您生日快乐！")
    waiting = _message(
        [EMAIL], "积分即将到期", f"{NAME}您好，您的积分将于月底到期", status=MessageStatus.PENDING
    )
    digest = _message(
        ["sales1@example.com"], "今日回访", f"回访：{NAME} {MOBILE}；{OTHER_NAME} {OTHER_MOBILE}"
    )
    theirs = _message(["li@example.com"], f"{OTHER_NAME}，生日快乐", f"亲爱的{OTHER_NAME}")
    table = OutboundMessage._meta.db_table
    assert _found(table, "recipients, subject, body", PERSONAL)

    record = customer_anonymise(customer=person, by=custodian1, reason="本人要求删除")

    assert _found(table, "recipients, subject, body", PERSONAL) == []
    sent.refresh_from_db()
    waiting.refresh_from_db()
    digest.refresh_from_db()
    assert sent.recipients == [] and sent.status == MessageStatus.SENT
    assert waiting.status == MessageStatus.FAILED and waiting.next_attempt_at is None
    assert waiting.last_error and waiting.recipients == []
    assert f"{OTHER_NAME} {OTHER_MOBILE}" in digest.body and digest.recipients == [
        "sales1@example.com"
    ]
    assert placeholder(person.pk) in digest.body
    before = (theirs.recipients, theirs.subject, theirs.body)
    theirs.refresh_from_db()
    assert (theirs.recipients, theirs.subject, theirs.body) == before
    assert record.counts["outbox"] == 3


def test_webhook_deliveries_about_the_person_keep_only_their_id(person, other, custodian1):
    endpoint = Endpoint.objects.create(
        name="ERP",
        url="https://erp.example.com/hook",
        events=["customer.updated"],
        created_by=custodian1,
        secret="s",
        secret_created_at=timezone.now(),
    )
    mine = _delivery(endpoint, person)
    theirs = _delivery(endpoint, other)
    theirs_body = theirs.body
    table = Delivery._meta.db_table
    assert _found(table, "body", [NAME])

    record = customer_anonymise(customer=person, by=custodian1, reason="本人要求删除")

    assert _found(table, "body", PERSONAL) == []
    mine.refresh_from_db()
    payload = json.loads(mine.body)
    assert payload["data"]["customer"] == {"id": person.pk, "anonymised": True}
    assert payload["type"] == "customer.updated" and payload["data"]["changed_fields"] == ["mobile"]
    theirs.refresh_from_db()
    assert theirs.body == theirs_body
    assert record.counts["webhooks"] == 1


def test_audit_details_lose_the_persons_values_but_keep_keys_actions_and_dates(
    person, other, custodian1, sales1
):
    change = _audit(
        sales1,
        {"before": {"mobile": MOBILE, "city": "北京"}, "fields": ["mobile"]},
        customer=person,
        action=AuditAction.CHANGE,
    )
    search = _audit(sales1, {"rows": 3, "filters": {"q": f"{NAME} 北京"}})
    by_id = _audit(sales1, {"rows": 1, "filters": {"q": ID_NUMBER}})
    by_email = _audit(sales1, {"rows": 1, "filters": {"q": EMAIL}})
    theirs = _audit(sales1, {"rows": 1, "filters": {"q": OTHER_NAME}})
    plain = _audit(sales1, {"page": "edit"}, customer=person, action=AuditAction.VIEW)
    table = AuditEntry._meta.db_table
    assert _found(table, "object_repr, detail", PERSONAL)

    record = customer_anonymise(customer=person, by=custodian1, reason="本人要求删除")

    assert _found(table, "object_repr, detail", PERSONAL) == []
    for entry in (change, search, by_id, by_email, theirs, plain):
        entry.refresh_from_db()
    assert change.action == AuditAction.CHANGE and change.detail["fields"] == ["mobile"]
    assert change.detail["before"]["city"] == "北京" and change.detail["before"]["mobile"]
    assert search.detail["rows"] == 3 and search.detail["filters"]["q"].endswith(" 北京")
    assert by_id.detail["filters"]["q"] and by_email.detail["filters"]["q"]
    assert theirs.detail == {"rows": 1, "filters": {"q": OTHER_NAME}}
    assert plain.detail == {"page": "edit"}
    assert record.counts["audit_details"] == 4


def test_import_files_holding_the_person_are_listed_as_kept_until_they_expire(
    person, deletion_request, custodian1, sales1, client_as
):
    job = ImportJob.objects.create(
        created_by=sales1,
        kind=ImportKind.CUSTOMERS,
        original_name="客户名单.xlsx",
        file="imports/ab/abc",
    )
    gone = ImportJob.objects.create(
        created_by=sales1, kind=ImportKind.CUSTOMERS, original_name="旧名单.xlsx", file=""
    )
    _audit(sales1, {"import": job.pk}, customer=person, action=AuditAction.CREATE)
    _audit(
        sales1,
        {"import": gone.pk, "fields": ["mobile"]},
        customer=person,
        action=AuditAction.CHANGE,
    )
    day = timezone.localtime(job.created_at).date().isoformat()

    plan = anonymisation_plan(customer=person)
    assert {"what": "imports", "why": "many_people", "dates": day, "days": 30} in plan.kept
    page = (
        client_as(custodian1)
        .get(reverse("privacy:request_anonymise_page", args=[deletion_request.pk]))
        .content.decode()
    )
    assert f"Spreadsheet files imported on {day}" in page

    record = customer_anonymise(
        customer=person, by=custodian1, reason="本人要求删除", request=deletion_request
    )
    assert plan.kept == record.kept
    deletion_request.refresh_from_db()
    assert day in deletion_request.outcome  # in the office language


def test_the_plan_counts_the_traces_it_cleans(person, other, custodian1, sales1):
    _message([EMAIL], "生日快乐", f"亲爱的{NAME}")
    _audit(sales1, {"filters": {"q": MOBILE}})
    _audit(sales1, {"filters": {"q": OTHER_MOBILE}})
    plan = anonymisation_plan(customer=person, today=timezone.localdate())
    assert plan.changes["outbox"] == 1 and plan.changes["audit_details"] == 1
    record = customer_anonymise(customer=person, by=custodian1, reason="本人要求删除")
    assert plan.changes == record.counts
