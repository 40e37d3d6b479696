import csv
import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from customers.models import AuditAction, AuditEntry, Customer
from customers.services import contact_person_replace
from tests.factories import (
    BookingFactory,
    ContactPersonFactory,
    ContactRecordFactory,
    CustomerFactory,
    DestinationFactory,
    OrganisationFactory,
    ServiceRecordFactory,
    TagFactory,
)

pytestmark = pytest.mark.django_db


def names_on_list(response) -> set[str]:
    return {customer.name for customer in response.context["page"]}


def test_a_rep_lists_only_own_customers(sales1, customer_of_sales1, customer_of_sales3, client_as):
    response = client_as(sales1).get(reverse("customers:list"))
    assert names_on_list(response) == {"孙悦"}
    assert "钱多多" not in response.text


def test_search_by_name_mobile_and_full_id_number(sales1, client_as):
    CustomerFactory(owner=sales1, name="欧阳娜娜", mobile="13711112222",
                    id_number="34052419800101001X", birthday=datetime.date(1980, 1, 1))  # fmt: skip
    CustomerFactory(owner=sales1, name="王五")
    client = client_as(sales1)
    url = reverse("customers:list")
    assert names_on_list(client.get(url, {"q": "欧阳"})) == {"欧阳娜娜"}
    assert names_on_list(client.get(url, {"q": "+86 137 1111 2222"})) == {"欧阳娜娜"}
    assert names_on_list(client.get(url, {"q": "34052419800101001x"})) == {"欧阳娜娜"}
    # A fragment of an ID number finds nothing: masked numbers cannot be probed.
    assert names_on_list(client.get(url, {"q": "340524198001"})) == set()


def test_filters_by_destination_tag_kind_and_contact_age(sales1, client_as):
    japan = DestinationFactory(name="日本")
    vip = TagFactory(name="VIP")
    traveller = CustomerFactory(owner=sales1, name="去日本的人")
    traveller.desired_destinations.add(japan)
    traveller.tags.add(vip)
    OrganisationFactory(owner=sales1, name="某公司")
    ContactRecordFactory(customer=traveller, contacted_at=timezone.now())
    client = client_as(sales1)
    url = reverse("customers:list")
    assert names_on_list(client.get(url, {"destination": japan.pk})) == {"去日本的人"}
    assert names_on_list(client.get(url, {"tag": vip.pk})) == {"去日本的人"}
    assert names_on_list(client.get(url, {"kind": "corporate"})) == {"某公司"}
    assert names_on_list(client.get(url, {"contact_age": "never"})) == {"某公司"}
    assert names_on_list(client.get(url, {"contact_age": "30"})) == {"某公司"}


def test_dormant_filter_finds_customers_without_a_recent_trip(sales1, client_as):
    today = timezone.localdate()
    recent = CustomerFactory(owner=sales1, name="常客")
    BookingFactory(customer=recent, start_date=today - datetime.timedelta(days=30),
                   end_date=today - datetime.timedelta(days=25))  # fmt: skip
    old = CustomerFactory(owner=sales1, name="半休眠")
    BookingFactory(customer=old, start_date=today - datetime.timedelta(days=400),
                   end_date=today - datetime.timedelta(days=395))  # fmt: skip
    client = client_as(sales1)
    url = reverse("customers:list")
    assert names_on_list(client.get(url, {"dormant": "true"})) == {"半休眠"}
    assert names_on_list(client.get(url, {"dormant": "false"})) == {"常客"}


def test_sorting_by_newest(sales1, client_as):
    CustomerFactory(owner=sales1, name="甲")
    CustomerFactory(owner=sales1, name="乙")
    response = client_as(sales1).get(reverse("customers:list"), {"sort": "-created"})
    assert [c.name for c in response.context["page"]] == ["乙", "甲"]


def test_the_list_paginates(sales1, client_as):
    CustomerFactory.create_batch(30, owner=sales1)
    client = client_as(sales1)
    first = client.get(reverse("customers:list"))
    second = client.get(reverse("customers:list"), {"page": 2})
    assert len(first.context["page"]) == 25
    assert len(second.context["page"]) == 5


# A rep's list: 13, + 3 as the session is saved on every request (idle timeout:
# savepoint, update, release). A team lead and a manager also get the bulk bar, whose
# reps and tags are the filters' rows, read once (19 and 18 before), and a manager the
# custody counts in the menu. The count does not grow with the rows.
@pytest.mark.parametrize(("who", "queries"), [("sales1", 16), ("lead1", 17), ("manager1", 16)])
def test_list_query_count_does_not_grow_with_rows(
    who, queries, request, sales1, client_as, django_assert_num_queries
):
    client = client_as(request.getfixturevalue(who))
    CustomerFactory.create_batch(3, owner=sales1)
    with django_assert_num_queries(queries):
        response = client.get(reverse("customers:list"))
    assert len(response.context["page"]) == 3
    # The reps and tags read once are offered by the filters and, to those who may act on
    # many customers, by the bulk bar too.
    tag = TagFactory()
    response = client.get(reverse("customers:list"))
    rep = f'<option value="{sales1.pk}">{sales1.display_name}</option>'
    tag_option = f'<option value="{tag.pk}">{tag.name}</option>'
    offered_by = 1 if who == "sales1" else 2
    assert response.text.count(rep) == response.text.count(tag_option) == offered_by
    for customer in CustomerFactory.create_batch(40, owner=sales1):
        ContactRecordFactory(customer=customer)
    with django_assert_num_queries(queries):
        response = client.get(reverse("customers:list"))
    assert len(response.context["page"]) == 25


DETAIL_QUERIES = 24  # 29 before the figures, the tier panel and the timeline were merged


def test_detail_query_count_does_not_grow_with_history(
    sales1, client_as, django_assert_num_queries
):
    client = client_as(sales1)
    organisation = OrganisationFactory(owner=sales1)
    organisation.desired_destinations.add(DestinationFactory(name="泰国"))
    BookingFactory(customer=organisation)
    ContactRecordFactory(customer=organisation)
    ServiceRecordFactory(customer=organisation)
    old = ContactPersonFactory(customer=organisation)
    url = reverse("customers:detail", args=[organisation.pk])
    # 24: session, user, roles, access grants, the customer, the audit entry; contact
    # people (with whom each replaced), destinations, tags; bookings, contacts, service
    # records (the timeline); the figures (one query); tiers 3, followups 3, loyalty 1;
    # the menu badge; the session saved (savepoint, update, release). The count does not
    # grow with the history (asserted below).
    with django_assert_num_queries(DETAIL_QUERIES):
        client.get(url)
    BookingFactory.create_batch(15, customer=organisation)
    ContactRecordFactory.create_batch(15, customer=organisation)
    ServiceRecordFactory.create_batch(15, customer=organisation)
    organisation.tags.add(TagFactory(), TagFactory())
    new = ContactPersonFactory.build(started_on=datetime.date(2025, 1, 1), mobile="")
    contact_person_replace(actor=sales1, old=old, new=new, reason="离职")
    with django_assert_num_queries(DETAIL_QUERIES):
        response = client.get(url)
    assert len(response.context["timeline"]) == 16 * 3 + 1


def test_create_a_customer_from_the_form(sales1, client_as):
    destination = DestinationFactory(name="丽江")
    response = client_as(sales1).post(
        reverse("customers:create"),
        {"kind": "individual", "name": "林晓", "status": "active",
         "id_number": "360426199101010071", "mobile": "+86 139 0000 1111",
         "desired_destinations": [destination.pk], "postal_code": "100020"},
    )  # fmt: skip
    customer = Customer.objects.get(name="林晓")
    assert response.status_code == 302
    assert response["Location"] == reverse("customers:detail", args=[customer.pk])
    assert customer.owner == sales1
    assert customer.mobile == "13900001111"
    assert customer.birthday == datetime.date(1991, 1, 1)
    assert list(customer.desired_destinations.all()) == [destination]


def test_bad_input_is_explained_and_nothing_is_saved(sales1, client_as):
    response = client_as(sales1).post(
        reverse("customers:create"),
        {"kind": "individual", "name": "错号", "status": "active",
         "id_number": "360426199101010072", "mobile": "1234", "postal_code": "10002"},
    )  # fmt: skip
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "check digit" in errors["id_number"][0]
    assert "mainland mobile" in errors["mobile"][0]
    assert "6 digits" in errors["postal_code"][0]
    assert not Customer.objects.filter(name="错号").exists()


def test_duplicate_on_entry_names_the_owner_only(sales1, customer_of_sales3, client_as):
    response = client_as(sales1).post(
        reverse("customers:create"),
        {"kind": "individual", "name": "撞单", "status": "active",
         "mobile": customer_of_sales3.mobile},
    )  # fmt: skip
    assert response.status_code == 200
    message = response.context["form"].errors["mobile"][0]
    assert "张伟" in message
    assert customer_of_sales3.name not in response.text


def test_log_a_contact_and_see_it_on_the_timeline(sales1, customer_of_sales1, client_as):
    client = client_as(sales1)
    response = client.post(
        reverse("customers:contact_log", args=[customer_of_sales1.pk]),
        {"channel": "phone", "outcome": "interested", "contacted_at": "2026-11-20T10:30",
         "notes": "想去日本看红叶", "next_step": "发送行程", "next_contact_on": "2026-11-27"},
    )  # fmt: skip
    assert response.status_code == 302
    page = client.get(reverse("customers:detail", args=[customer_of_sales1.pk]))
    assert "想去日本看红叶" in page.text
    record = customer_of_sales1.contact_records.get()
    assert record.by == sales1


def test_a_contact_in_the_future_is_refused(sales1, customer_of_sales1, client_as):
    tomorrow = timezone.localtime() + datetime.timedelta(days=1)
    response = client_as(sales1).post(
        reverse("customers:contact_log", args=[customer_of_sales1.pk]),
        {"channel": "phone", "outcome": "reached",
         "contacted_at": tomorrow.strftime("%Y-%m-%dT%H:%M")},
    )  # fmt: skip
    assert response.status_code == 200
    assert "future" in response.text
    assert not customer_of_sales1.contact_records.exists()
    # The form sent back lives at that address: opening it again (a reload, a language
    # switch) shows the form, not an empty "method not allowed".
    again = client_as(sales1).get(reverse("customers:contact_log", args=[customer_of_sales1.pk]))
    assert again.status_code == 200 and 'name="contacted_at"' in again.text


def test_booking_with_end_before_start_is_refused(sales1, customer_of_sales1, client_as):
    destination = DestinationFactory(name="三亚")
    response = client_as(sales1).post(
        reverse("customers:booking_add", args=[customer_of_sales1.pk]),
        {"product": "三亚游", "destination": destination.pk, "trip_type": "domestic",
         "start_date": "2026-12-10", "end_date": "2026-12-05", "head_count": 2,
         "amount": "-1", "cost": "100", "status": "booked"},
    )  # fmt: skip
    errors = response.context["form"].errors
    assert "end before it starts" in errors["end_date"][0]
    assert "amount" in errors
    assert not customer_of_sales1.bookings.exists()


def test_full_id_numbers_appear_only_through_an_audited_show(staff, customer_of_sales1, client_as):
    url = reverse("customers:detail", args=[customer_of_sales1.pk])
    reveal = reverse("customers:reveal_id", args=[customer_of_sales1.pk])
    full = customer_of_sales1.id_number
    for username in ("sales1", "lead1", "manager1", "custodian1", "finance1"):
        text = client_as(staff[username]).get(url).text
        assert full not in text, username
        assert customer_of_sales1.id_number_masked in text
    for username in ("sales1", "manager1"):
        response = client_as(staff[username]).post(reveal)
        assert full in response.text, username
        assert "no-store" in response["Cache-Control"]  # never kept in any cache
    for username, status in (("lead1", 403), ("custodian1", 403), ("finance1", 403),
                             ("sales3", 404)):  # fmt: skip
        assert client_as(staff[username]).post(reveal).status_code == status, username
    assert client_as(staff["sales1"]).get(reveal).status_code == 405
    reveals = AuditEntry.objects.filter(action=AuditAction.REVEAL_ID)
    assert sorted(reveals.values_list("actor__username", flat=True)) == ["manager1", "sales1"]
    listing = client_as(staff["sales1"]).get(reverse("customers:list")).text
    assert full not in listing


def test_export_is_the_filtered_visible_list_with_masked_ids(
    staff, customer_of_sales1, customer_of_sales3, client_as
):
    response = client_as(staff["lead1"]).get(reverse("customers:export"))
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(content)))
    assert rows[0][0] == "name"
    assert [row[0] for row in rows[1:]] == ["孙悦"]  # lead1's team only
    assert customer_of_sales1.id_number not in content
    assert customer_of_sales1.id_number_masked in content


def test_history_shows_who_changed_what(sales1, manager1, customer_of_sales1, client_as):
    client = client_as(sales1)
    data = {"kind": "individual", "name": "孙悦", "status": "active", "occupation": "医生",
            "id_number": customer_of_sales1.id_number,
            "mobile": customer_of_sales1.mobile}  # fmt: skip
    edit_url = reverse("customers:edit", args=[customer_of_sales1.pk])
    assert client.post(edit_url, data).status_code == 302
    page = client_as(manager1).get(reverse("customers:history", args=[customer_of_sales1.pk]))
    assert "医生" in page.text
    assert "王磊" in page.text  # sales1's name


def test_soft_delete_from_the_page(sales1, customer_of_sales1, client_as):
    client = client_as(sales1)
    response = client.post(reverse("customers:delete", args=[customer_of_sales1.pk]))
    assert response.status_code == 302
    assert client.get(reverse("customers:detail", args=[customer_of_sales1.pk])).status_code == 404
    assert Customer.all_objects.filter(pk=customer_of_sales1.pk, deleted_by=sales1).exists()
