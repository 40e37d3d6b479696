"""Every message once, in the reader's language: a duplicate (撞单) is said once, beside
its field, naming the owner (not again by the unique constraint at the top of the
form); an ID number's wrong check digit once (not by both the model's validator and
the service); the audit log's object types read as words."""

import pytest
from django.urls import reverse
from django.utils import translation

from customers.audit import audit_object_type_label, audit_record
from customers.models import AuditAction
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

BAD_CHECK_DIGIT = "360426199101010072"


def _all_messages(form) -> list[str]:
    return [message for errors in form.errors.values() for message in errors]


def test_a_duplicate_is_said_once_on_the_page(sales1, sales3, client_as):
    existing = CustomerFactory(owner=sales3)
    response = client_as(sales1).post(
        reverse("customers:create"),
        {"kind": "individual", "name": "撞单", "status": "active", "mobile": existing.mobile},
    )
    messages = _all_messages(response.context["form"])
    assert messages == ["A customer with this mobile number is already on file, owned by 张伟."]
    assert response.text.count("already on file") == 1


def test_a_duplicate_is_said_once_in_the_admin(manager1, sales1, sales3, client_as):
    existing = CustomerFactory(owner=sales3)
    response = client_as(manager1).post(
        reverse("admin:customers_customer_add"),
        {"kind": "individual", "name": "重复", "owner": sales1.pk, "status": "active",
         "id_number": existing.id_number},
    )  # fmt: skip
    assert response.status_code == 200
    assert response.text.count("already on file") == 1
    assert "owned by 张伟" in response.text


def test_a_wrong_check_digit_is_said_once(sales1, client_as):
    response = client_as(sales1).post(
        reverse("customers:create"),
        {"kind": "individual", "name": "错号", "status": "active", "id_number": BAD_CHECK_DIGIT},
    )
    errors = response.context["form"].errors["id_number"]
    assert len(errors) == 1 and "check digit" in errors[0]


def test_the_duplicate_message_follows_the_readers_language(sales1, sales3):
    from customers.services.archive import DUPLICATE_MESSAGES

    with translation.override("zh-hans"):
        chinese = DUPLICATE_MESSAGES["mobile"] % {"owner": "张伟"}
    english = DUPLICATE_MESSAGES["mobile"] % {"owner": "张伟"}
    assert english.startswith("A customer with this mobile number")
    assert chinese != english  # translated from the catalogue, not stored in English


def test_audit_object_types_read_as_words(manager1, client_as, customer_of_sales1):
    audit_record(actor=manager1, action=AuditAction.EXPORT, obj=None, object_type="customer_list")
    audit_record(actor=manager1, action=AuditAction.VIEW, obj=customer_of_sales1)
    assert audit_object_type_label("customer_list") == "customer list"
    assert audit_object_type_label("customer") == "customer"
    assert audit_object_type_label("something_new") == "something_new"
    page = client_as(manager1).get(reverse("admin:customers_auditentry_changelist")).text
    assert "customer list" in page and "customer_list</td>" not in page
    filtered = client_as(manager1).get(
        reverse("admin:customers_auditentry_changelist") + "?object_type=customer_list"
    )
    assert filtered.status_code == 200
    assert filtered.context["cl"].result_count == 1
