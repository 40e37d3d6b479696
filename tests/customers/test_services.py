import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from customers.models import Customer, CustomerKind, CustomerStatus
from customers.services import (
    contact_person_replace,
    customer_create,
    customer_restore,
    customer_soft_delete,
    customer_update,
)
from tests.factories import (
    ContactPersonFactory,
    CustomerFactory,
    OrganisationFactory,
    UserFactory,
    make_id_number,
)

pytestmark = pytest.mark.django_db


def new_customer(**fields) -> Customer:
    defaults = {"kind": CustomerKind.INDIVIDUAL, "name": "新客户"}
    return Customer(**(defaults | fields))


def test_birthday_and_sex_are_filled_from_the_id_number(sales1):
    customer = customer_create(actor=sales1, customer=new_customer(id_number="11010519491231002x"))
    customer.refresh_from_db()
    assert customer.id_number == "11010519491231002X"
    assert customer.birthday == datetime.date(1949, 12, 31)
    assert customer.sex == "F"
    assert customer.owner == sales1


def test_a_birthday_that_contradicts_the_id_number_is_refused(sales1):
    with pytest.raises(ValidationError) as caught:
        customer_create(
            actor=sales1,
            customer=new_customer(
                id_number="360426199101010071", birthday=datetime.date(1991, 1, 2)
            ),
        )
    assert "birthday" in caught.value.message_dict
    assert not Customer.all_objects.exists()


def test_duplicate_id_number_is_refused_naming_only_the_owner(sales1, sales3):
    CustomerFactory(owner=sales3, id_number="34052419800101001X", name="秘密客户")
    with pytest.raises(ValidationError) as caught:
        customer_create(actor=sales1, customer=new_customer(id_number="34052419800101001x"))
    message = caught.value.message_dict["id_number"][0]
    assert "张伟" in message  # the owning rep
    assert "秘密客户" not in message  # never the other archive
    assert Customer.objects.count() == 1


def test_duplicate_mobile_is_refused_even_with_a_country_prefix(sales1, sales3):
    CustomerFactory(owner=sales3, mobile="13912345678")
    with pytest.raises(ValidationError) as caught:
        customer_create(actor=sales1, customer=new_customer(mobile="+86 139 1234 5678"))
    assert "张伟" in caught.value.message_dict["mobile"][0]


def test_duplicate_organisation_name_is_refused_after_normalising(sales1, sales3):
    OrganisationFactory(owner=sales3, name="北京华夏(科技)有限公司", name_normalised="")
    Customer.objects.update(name_normalised="北京华夏科技有限公司")
    with pytest.raises(ValidationError) as caught:
        customer_create(
            actor=sales1,
            customer=new_customer(kind=CustomerKind.CORPORATE, name="北京 华夏（科技）有限公司"),
        )
    assert "张伟" in caught.value.message_dict["name"][0]


def test_individuals_may_share_a_name(sales1):
    customer_create(actor=sales1, customer=new_customer(name="王芳"))
    customer_create(actor=sales1, customer=new_customer(name="王芳"))
    assert Customer.objects.filter(name="王芳").count() == 2


def test_a_deleted_duplicate_points_to_the_recycle_bin(sales1, sales3):
    other = CustomerFactory(owner=sales3, mobile="13912345678")
    customer_soft_delete(actor=sales3, customer=other)
    with pytest.raises(ValidationError) as caught:
        customer_create(actor=sales1, customer=new_customer(mobile="13912345678"))
    assert "recycle bin" in caught.value.message_dict["mobile"][0]


def test_editing_keeps_own_numbers_without_calling_them_duplicates(customer_of_sales1, sales1):
    customer_of_sales1.occupation = "教师"
    customer_update(actor=sales1, customer=customer_of_sales1)
    customer_of_sales1.refresh_from_db()
    assert customer_of_sales1.occupation == "教师"


def test_another_rep_cannot_update_a_customer(customer_of_sales1, sales3):
    with pytest.raises(PermissionDenied):
        customer_update(actor=sales3, customer=customer_of_sales1)


def test_a_lost_customer_needs_one_of_the_six_reasons(customer_of_sales1, sales1):
    customer_of_sales1.status = CustomerStatus.LOST
    with pytest.raises(ValidationError) as caught:
        customer_update(actor=sales1, customer=customer_of_sales1)
    assert "churn_reason" in caught.value.message_dict
    customer_of_sales1.churn_reason = "poor_service"
    customer_update(actor=sales1, customer=customer_of_sales1)
    assert Customer.objects.get(pk=customer_of_sales1.pk).churn_reason == "poor_service"


def test_soft_delete_hides_and_a_custodian_restores(customer_of_sales1, sales1, custodian1):
    customer_soft_delete(actor=sales1, customer=customer_of_sales1)
    assert not Customer.objects.filter(pk=customer_of_sales1.pk).exists()
    deleted = Customer.all_objects.get(pk=customer_of_sales1.pk)
    assert deleted.deleted_by == sales1

    with pytest.raises(PermissionDenied):
        customer_restore(actor=sales1, customer=deleted)
    customer_restore(actor=custodian1, customer=deleted)
    assert Customer.objects.filter(pk=customer_of_sales1.pk).exists()
    history_types = list(deleted.history.values_list("history_user__username", flat=True))
    assert history_types[:2] == ["custodian1", "sales1"]


def test_a_change_of_contact_person_keeps_both_with_dates(sales1):
    old = ContactPersonFactory(customer=OrganisationFactory(owner=sales1), name="周老师")
    new = ContactPersonFactory.build(
        name="吴经理", started_on=datetime.date(2026, 5, 1), is_primary=False, mobile=""
    )
    new = contact_person_replace(actor=sales1, old=old, new=new, reason="调岗")
    old.refresh_from_db()
    assert old.ended_on == datetime.date(2026, 5, 1)
    assert old.replaced_by == new
    assert old.end_reason == "调岗"
    assert new.is_primary and new.is_current


def test_factories_make_valid_identity_data():
    user = UserFactory()
    customer = CustomerFactory(owner=user)
    customer.full_clean()
    assert make_id_number(7) != make_id_number(8)


def test_only_those_who_may_edit_or_a_custodian_may_delete(customer_of_sales1, sales3, custodian1):
    with pytest.raises(PermissionDenied):
        customer_soft_delete(actor=sales3, customer=customer_of_sales1)
    customer_soft_delete(actor=custodian1, customer=customer_of_sales1)
    assert Customer.all_objects.get(pk=customer_of_sales1.pk).deleted_by == custodian1
