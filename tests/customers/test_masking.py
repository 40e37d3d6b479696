"""The masking rule (customers.masking) at every door: who may see a full ID number (the
owner, managers, superusers) sees the birthday in full; everyone else - the team lead,
finance, custodians, a rep with special access - sees the ID number as its last four and
the birthday as day and month, and nothing on any page, export, form or admin screen
gives away the birth date digits or the year (which, with the last four, rebuild the
number)."""

import datetime

import pytest
from django.contrib import admin as django_admin
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone, translation
from simple_history.admin import SimpleHistoryAdmin

from customers.admin import CustomerAdmin
from customers.admin_history import ReadOnlyHistoryAdmin
from customers.masking import (
    birthday_month_day,
    customer_identity_for,
    mask_id_number,
)
from customers.models import (
    AccessRequest,
    AccessRequestStatus,
    AuditAction,
    AuditEntry,
    Customer,
)
from customers.services import customer_soft_delete, customer_update
from tests.factories import BookingFactory, CustomerFactory, make_id_number

pytestmark = pytest.mark.django_db

BIRTHDAY = datetime.date(1973, 9, 28)
BIRTH_DIGITS, YEAR = "19730928", "1973"
# A correction in the history: the number first typed with another birth date.
OLD_BIRTHDAY = datetime.date(1968, 2, 14)
OLD_DIGITS, OLD_YEAR = "19680214", "1968"

MASKED = ["lead1", "custodian1", "finance1", "sales3"]  # sales3: special access
FULL = ["sales1", "manager1"]


@pytest.fixture
def person(sales1, sales3, manager1):
    """sales1's customer, whose ID number was corrected once (history holds both), and
    whom sales3 may read through approved special access."""
    customer = CustomerFactory(
        owner=sales1,
        name="孙悦",
        id_number=make_id_number(41, OLD_BIRTHDAY),
        birthday=OLD_BIRTHDAY,
    )
    customer.id_number = make_id_number(41, BIRTHDAY)
    customer.birthday = None  # filled from the corrected number
    customer_update(actor=sales1, customer=customer, destinations=None, tags=None)
    customer.refresh_from_db()
    assert customer.birthday == BIRTHDAY
    AccessRequest.objects.create(
        requester=sales3,
        customer=customer,
        reason="核对团队名单",
        status=AccessRequestStatus.APPROVED,
        decided_by=manager1,
        decided_at=timezone.now(),
        expires_at=timezone.now() + datetime.timedelta(days=3),
    )
    return customer


def _text(response) -> str:
    if hasattr(response, "streaming_content"):
        return b"".join(response.streaming_content).decode("utf-8-sig")
    return response.content.decode()


def _assert_nothing_rebuilds_the_number(text: str, customer: Customer, where: str) -> None:
    for secret in (customer.id_number, customer.id_number[:6] + "*", BIRTH_DIGITS, YEAR):
        assert secret not in text, f"{where}: {secret}"
    for secret in (OLD_DIGITS, OLD_YEAR, make_id_number(41, OLD_BIRTHDAY)):
        assert secret not in text, f"{where}: {secret}"


def _pages(customer):
    return {
        "customer page": reverse("customers:detail", args=[customer.pk]),
        "edit page": reverse("customers:edit", args=[customer.pk]),
        "list": reverse("customers:list"),
        "search": reverse("customers:list") + "?q=孙悦",
        "CSV export": reverse("customers:export"),
        "change history": reverse("customers:history", args=[customer.pk]),
        "admin list": reverse("admin:customers_customer_changelist"),
        "admin change": reverse("admin:customers_customer_change", args=[customer.pk]),
        "admin history": reverse("admin:customers_customer_history", args=[customer.pk]),
    }


def _history_record_url(customer, record):
    return reverse("admin:customers_customer_simple_history", args=[customer.pk, record.history_id])


def test_the_mask_keeps_only_the_last_four():
    assert mask_id_number("11010519491231002X") == "**************002X"
    assert mask_id_number("") == ""
    assert mask_id_number("123") == "***"


def test_the_birthday_without_its_year_in_each_language():
    with translation.override("en"):
        assert birthday_month_day(BIRTHDAY) == "28 September"
    with translation.override("zh-hans"):
        assert birthday_month_day(BIRTHDAY) == "9月28日"
    assert birthday_month_day(None) == ""


@pytest.mark.parametrize("role", MASKED)
def test_those_who_may_not_see_the_number_never_get_the_birth_date(staff, person, client_as, role):
    client = client_as(staff[role])
    opened = 0
    for where, url in _pages(person).items():
        response = client.get(url)
        if response.status_code != 200:
            assert response.status_code in (302, 403, 404), (where, response.status_code)
            continue
        opened += 1
        _assert_nothing_rebuilds_the_number(_text(response), person, f"{role} {where}")
    # Each history record in the admin, for those who reach the admin at all.
    for record in person.history.all():
        response = client.get(_history_record_url(person, record))
        if response.status_code == 200:
            _assert_nothing_rebuilds_the_number(_text(response), person, f"{role} record")
    assert opened >= 2  # at least the customer page and the list


@pytest.mark.parametrize("role", MASKED)
def test_the_masked_customer_page_still_shows_what_greetings_need(staff, person, client_as, role):
    page = client_as(staff[role]).get(reverse("customers:detail", args=[person.pk])).text
    assert "28 September" in page
    assert mask_id_number(person.id_number) in page
    assert 'data-testid="reveal-id"' not in page  # no Show for them


@pytest.mark.parametrize("role", FULL)
def test_the_owner_and_managers_see_the_birthday_and_may_reveal(staff, person, client_as, role):
    client = client_as(staff[role])
    page = client.get(reverse("customers:detail", args=[person.pk])).text
    assert "1973-09-28" in page
    assert 'data-testid="reveal-id"' in page
    assert person.id_number not in page  # the number itself only through the audited Show
    edit = client.get(reverse("customers:edit", args=[person.pk])).text
    assert person.id_number in edit and BIRTH_DIGITS in edit


def test_the_manager_sees_full_birthdays_in_the_admin(manager1, person, client_as):
    client = client_as(manager1)
    change = client.get(reverse("admin:customers_customer_change", args=[person.pk])).text
    assert person.id_number in change
    history = client.get(reverse("admin:customers_customer_history", args=[person.pk])).text
    assert "1973-09-28" in history and "1968-02-14" in history
    assert person.id_number not in history  # ID numbers in history: the mask, for all


def _edit_data(customer, **changes):
    data = {
        "kind": customer.kind,
        "name": customer.name,
        "status": customer.status,
        "mobile": customer.mobile,
        "id_number": "",
    }
    data.update(changes)
    return data


def test_the_team_leads_edit_form_keeps_the_number_when_left_empty(lead1, person, client_as):
    client = client_as(lead1)
    url = reverse("customers:edit", args=[person.pk])
    form = client.get(url).text
    assert f'placeholder="{mask_id_number(person.id_number)}"' in form
    assert 'placeholder="28 September"' in form  # the birthday box: day and month only
    _assert_nothing_rebuilds_the_number(form, person, "edit form")
    response = client.post(url, _edit_data(person, occupation="教师"))
    assert response.status_code == 302
    kept = Customer.objects.get(pk=person.pk)
    assert (kept.id_number, kept.birthday, kept.occupation) == (
        person.id_number,
        BIRTHDAY,
        "教师",
    )


def test_the_team_lead_changes_the_number_by_typing_a_whole_new_one(lead1, person, client_as):
    new_birthday = datetime.date(1990, 5, 4)
    new_number = make_id_number(77, new_birthday)
    url = reverse("customers:edit", args=[person.pk])
    response = client_as(lead1).post(url, _edit_data(person, id_number=new_number))
    assert response.status_code == 302
    changed = Customer.objects.get(pk=person.pk)
    assert changed.id_number == new_number
    assert changed.birthday == new_birthday  # follows the new number


def test_a_refused_edit_never_sends_the_old_number_back(lead1, person, client_as):
    url = reverse("customers:edit", args=[person.pk])
    response = client_as(lead1).post(url, _edit_data(person, mobile="12345"))
    assert response.status_code == 200
    assert response.context["form"].errors
    _assert_nothing_rebuilds_the_number(response.text, person, "refused edit")


def test_a_typed_birthday_cannot_probe_the_year(lead1, person, client_as):
    """With a number on file the birthday follows it: the field is not editable for
    those who may not see the number, so "does not match" cannot confirm a guess."""
    url = reverse("customers:edit", args=[person.pk])
    guess = _edit_data(person, birthday="1973-09-28")
    response = client_as(lead1).post(url, guess)
    assert response.status_code == 302
    assert Customer.objects.get(pk=person.pk).birthday == BIRTHDAY
    wrong = client_as(lead1).post(url, _edit_data(person, birthday="1975-09-28"))
    assert wrong.status_code == 302  # ignored, not "does not match"
    assert Customer.objects.get(pk=person.pk).birthday == BIRTHDAY


def test_the_owner_may_still_clear_or_correct_the_number(sales1, person, client_as):
    url = reverse("customers:edit", args=[person.pk])
    response = client_as(sales1).post(url, _edit_data(person, birthday="1973-09-28"))
    assert response.status_code == 302
    assert Customer.objects.get(pk=person.pk).id_number == ""  # the owner emptied it


def _admin_form(user, customer, data=None):
    request = RequestFactory().get("/")
    request.user = user
    model_admin = CustomerAdmin(Customer, django_admin.site)
    form_class = model_admin.get_form(request, customer, change=True)
    return (
        form_class(data, instance=customer) if data is not None else form_class(instance=customer)
    )


def test_the_custodians_admin_form_is_masked_and_keeps_the_number(custodian1, person):
    form = _admin_form(custodian1, person)
    html = str(form)
    _assert_nothing_rebuilds_the_number(html, person, "admin form")
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    data.update(
        {
            "owner": person.owner_id,
            "desired_destinations": [],
            "tags": [],
            "occupation": "律师",
        }
    )
    bound = _admin_form(custodian1, Customer.objects.get(pk=person.pk), data)
    assert bound.is_valid(), bound.errors
    saved = bound.save()
    assert (saved.id_number, saved.birthday, saved.occupation) == (
        person.id_number,
        BIRTHDAY,
        "律师",
    )


def test_the_template_tag_applies_the_rule(lead1, sales1, person):
    template = Template(
        "{% load personal_data %}{% personal_data customer as p %}"
        "{{ p.id_number_display }}|{{ p.birthday_display }}|{{ customer.id_number|id_mask }}"
    )
    for user, birthday in ((lead1, "28 September"), (sales1, "1973-09-28")):
        request = RequestFactory().get("/")
        request.user = user
        text = template.render(Context({"request": request, "customer": person}))
        masked = mask_id_number(person.id_number)
        assert text == f"{masked}|{birthday}|{masked}"
    assert not customer_identity_for(user=lead1, customer=person).can_see_full_id


def test_every_history_admin_is_read_only():
    """Every admin that shows simple-history (customers, archives, loyalty, follow-ups
    policies and rows) uses the read-only, audited, masked history pages."""
    history_admins = [
        model_admin
        for model_admin in django_admin.site._registry.values()
        if isinstance(model_admin, SimpleHistoryAdmin)
    ]
    assert len(history_admins) >= 5
    for model_admin in history_admins:
        assert isinstance(model_admin, ReadOnlyHistoryAdmin), type(model_admin).__name__


@pytest.mark.parametrize("role", ["manager1", "custodian1"])
def test_history_revert_changes_nothing_and_writes_nothing(staff, person, sales1, client_as, role):
    """The hole: a manager restored a binned customer by posting an old version on the
    admin history page, past the restore permission, the guard and the audit."""
    before_delete = person.history.first()
    customer_soft_delete(actor=sales1, customer=person)
    audit_rows = AuditEntry.objects.count()
    history_rows = person.history.count()
    url = _history_record_url(person, before_delete)
    client = client_as(staff[role])
    form = {"kind": "individual", "name": "已恢复", "status": "active", "owner": sales1.pk}
    response = client.post(url, form)
    assert response.status_code in (404, 405)
    again = Customer.all_objects.get(pk=person.pk)
    assert again.is_deleted and again.name == "孙悦"
    assert AuditEntry.objects.count() == audit_rows
    assert person.history.count() == history_rows


def test_the_history_record_page_has_no_save_button(custodian1, person, client_as):
    record = person.history.first()
    page = client_as(custodian1).get(_history_record_url(person, record))
    assert page.status_code == 200
    text = page.text
    assert 'name="_save"' not in text and "Revert" not in text
    assert 'id="history-record"' in text
    assert "<form" not in text.split('id="content-main"')[1]


def test_a_manager_without_restore_permission_cannot_open_a_binned_customers_history(
    manager1, sales1, person, client_as
):
    customer_soft_delete(actor=sales1, customer=person)
    client = client_as(manager1)
    assert (
        client.get(reverse("admin:customers_customer_history", args=[person.pk])).status_code == 404
    )
    record_url = _history_record_url(person, person.history.last())
    assert client.get(record_url).status_code == 404


def test_bad_ids_in_history_urls_are_not_found(custodian1, person, client_as):
    client = client_as(custodian1)
    for url in (
        f"/admin/customers/customer/{person.pk}/history/abc/",
        f"/admin/customers/customer/{person.pk}/history/99999999999999999999/",
        "/admin/customers/customer/99999999999999999999/history/",
        f"/admin/customers/customer/{person.pk}/history/999999/",
    ):
        assert client.get(url).status_code in (302, 404), url


@pytest.mark.parametrize("history_page", ["list", "record"])
def test_each_admin_history_view_writes_one_audit_row(custodian1, person, client_as, history_page):
    url = (
        reverse("admin:customers_customer_history", args=[person.pk])
        if history_page == "list"
        else _history_record_url(person, person.history.first())
    )
    before = set(AuditEntry.objects.values_list("pk", flat=True))
    assert client_as(custodian1).get(url).status_code == 200
    new = AuditEntry.objects.exclude(pk__in=before)
    assert new.count() == 1
    entry = new.get()
    assert (entry.action, entry.customer_id, entry.actor_id) == (
        AuditAction.VIEW,
        person.pk,
        custodian1.pk,
    )
    assert entry.detail == {"via": "admin-history"}


def test_booking_history_is_scoped_and_audited(custodian1, person, client_as):
    booking = BookingFactory(customer=person)
    client = client_as(custodian1)
    url = reverse("admin:customers_booking_history", args=[booking.pk])
    before = AuditEntry.objects.count()
    assert client.get(url).status_code == 200
    assert AuditEntry.objects.count() == before + 1
    assert AuditEntry.objects.first().customer_id == person.pk


def test_customer_page_history_masks_old_and_new_values(lead1, sales1, person, client_as):
    lead_page = client_as(lead1).get(reverse("customers:history", args=[person.pk])).text
    assert "14 February" in lead_page and "28 September" in lead_page
    _assert_nothing_rebuilds_the_number(lead_page, person, "history")
    owner_page = client_as(sales1).get(reverse("customers:history", args=[person.pk])).text
    assert "1968-02-14" in owner_page and "1973-09-28" in owner_page


def test_the_csv_export_has_the_last_four_mask(lead1, person, client_as):
    response = client_as(lead1).get(reverse("customers:export"))
    content = _text(response)
    assert mask_id_number(person.id_number) in content
    _assert_nothing_rebuilds_the_number(content, person, "export")
