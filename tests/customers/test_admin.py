import pytest
from django.contrib.admin import helpers
from django.urls import reverse

from customers.models import Customer
from tests.factories import BookingFactory, CustomerFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:customers_customer_changelist"


def test_bulk_delete_in_admin_moves_to_the_recycle_bin(manager1, sales1, client_as):
    customers = CustomerFactory.create_batch(3, owner=sales1)
    client = client_as(manager1)
    changelist = client.get(reverse(CHANGELIST))
    actions = [
        value for value, _label in changelist.context["action_form"].fields["action"].choices
    ]
    assert "delete_selected" not in actions  # Django's hard delete is not offered
    response = client.post(
        reverse(CHANGELIST),
        {"action": "soft_delete_selected",
         helpers.ACTION_CHECKBOX_NAME: [c.pk for c in customers]},
    )  # fmt: skip
    assert response.status_code == 302
    assert Customer.objects.count() == 0
    assert Customer.all_objects.filter(deleted_by=manager1).count() == 3


def test_the_admin_offers_no_hard_delete_at_all(manager1, sales1, client_as):
    customer = CustomerFactory(owner=sales1)
    BookingFactory(customer=customer)
    client = client_as(manager1)
    response = client.post(
        reverse("admin:customers_customer_delete", args=[customer.pk]), {"post": "yes"}
    )
    assert response.status_code == 403
    assert Customer.objects.filter(pk=customer.pk).exists()
    assert customer.bookings.count() == 1


def test_a_custodian_finds_deleted_customers_and_restores_them(custodian1, sales1, client_as):
    customer = CustomerFactory(owner=sales1, name="误删客户")
    client = client_as(custodian1)
    client.post(
        reverse(CHANGELIST),
        {"action": "soft_delete_selected", helpers.ACTION_CHECKBOX_NAME: [customer.pk]},
    )
    binned = client.get(reverse(CHANGELIST), {"bin": "deleted"})
    assert "误删客户" in binned.text
    client.post(
        reverse(CHANGELIST),
        {"action": "restore_selected", helpers.ACTION_CHECKBOX_NAME: [customer.pk]},
    )
    assert Customer.objects.filter(pk=customer.pk).exists()


def test_admin_lists_are_scoped_and_mask_ids_for_custodians(custodian1, sales1, client_as):
    customer = CustomerFactory(owner=sales1)
    client = client_as(custodian1)
    listing = client.get(reverse(CHANGELIST)).text
    assert customer.id_number not in listing
    assert customer.id_number_masked in listing
    change = client.get(reverse("admin:customers_customer_change", args=[customer.pk])).text
    assert customer.id_number not in change


def test_admin_refuses_duplicates_like_the_pages(manager1, sales1, sales3, client_as):
    existing = CustomerFactory(owner=sales3)
    response = client_as(manager1).post(
        reverse("admin:customers_customer_add"),
        {"kind": "individual", "name": "重复", "owner": sales1.pk, "status": "active",
         "mobile": existing.mobile},
    )  # fmt: skip
    assert response.status_code == 200
    assert "张伟" in response.text
    assert not Customer.objects.filter(name="重复").exists()


def test_rows_of_a_customer_cannot_be_deleted_in_admin(manager1, sales1, client_as):
    booking = BookingFactory(customer=CustomerFactory(owner=sales1))
    response = client_as(manager1).post(
        reverse("admin:customers_booking_delete", args=[booking.pk]), {"post": "yes"}
    )
    assert response.status_code == 403
    assert booking.__class__.objects.filter(pk=booking.pk).exists()
