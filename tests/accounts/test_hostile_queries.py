"""Bad input gives an answer, never a server error: every page of the permission matrix,
opened by every role, with each parameter it knows set to a hostile value (not a number,
a date that does not exist, an id past 64 bits, a negative, empty, a Unicode string).

The parameters a page knows are the fields of the forms it renders plus the few query
parameters the views read directly. Archive pages (archives/) are covered by their own
tests."""

import re

import pytest
from django.urls import reverse

from tests.accounts.test_permission_matrix import CUSTOMER_WORK, EVERYONE, MANAGERS, north
from tests.factories import CustomerFactory
from tiers.exports import REPORTS

pytestmark = pytest.mark.django_db

__all__ = ["north"]  # the fixture, imported for the URLs about sales3's customer

HOSTILE = ["abc", "2026-02-30", "99999999999999999999", "-1", "", "客户①٣ｘ"]
TOO_BIG = "99999999999999999999"

# Query parameters that views read without a form (kept in step with the views).
READ_DIRECTLY = ["page", "rep", "followup", "show", "kind", "q", "reward", "on", "sort", "status"]

# List, report and settings pages beside the matrix's everyday and managers' pages.
LISTS = [
    "home",
    "password_change",
    "twofactor:settings",
    "customers:list",
    "customers:export",
    "customers:create",
    "customers:access_requests",
    "customers:access_request_new",
    "customers:alerts",
    "customers:staff",
    "tiers:review_list",
    "loyalty:rules",
    "followups:calendar",
]
CUSTOMER_PAGES = [
    ("customers:edit", "customer"),
    ("customers:history", "customer"),
    ("customers:booking_add", "customer"),
    ("customers:service_add", "customer"),
    ("customers:person_add", "customer"),
]
ROLES = ["sales1", "sales3", "lead1", "manager1", "custodian1", "finance1"]
FIELD_NAME = re.compile(r'<(?:input|select|textarea)[^>]*\bname="([^"]+)"')


def _form_parameters(html: str) -> list[str]:
    return sorted(set(FIELD_NAME.findall(html)) - {"csrfmiddlewaretoken", "next", "language"})


def _urls(north):
    urls = [reverse(name) for name in EVERYONE + MANAGERS + LISTS]
    urls += [reverse(name, args=[north[key]]) for name, key in CUSTOMER_WORK + CUSTOMER_PAGES]
    urls += [reverse("tiers:export", args=[REPORTS[0], "csv"])]
    urls += [reverse("tiers:export", args=[REPORTS[-1], "xlsx"])]
    return urls


def _walk(client, north) -> list[str]:
    client.raise_request_exception = False  # collect every failure, not only the first
    failures = []
    for url in _urls(north):
        first = client.get(url)
        assert first.status_code < 500, url
        html = not first.streaming and first["Content-Type"].startswith("text/html")
        fields = _form_parameters(first.content.decode() if html else "")
        # Every parameter at once; then the forms' fields alone, so that a view refusing
        # a bad id early does not hide a failure further on.
        for names in (sorted({*fields, *READ_DIRECTLY}), fields):
            for value in HOSTILE:
                response = client.get(url, dict.fromkeys(names, value))
                if response.status_code >= 500:
                    failures.append(f"{url} {names}={value!r}: {response.status_code}")
    return failures


@pytest.mark.parametrize("role", ROLES)
def test_hostile_query_strings_get_an_answer(staff, north, client_as, role):
    CustomerFactory(owner=staff["sales1"], name="甲客户")
    assert _walk(client_as(staff[role]), north) == []


@pytest.mark.parametrize(("name", "key"), CUSTOMER_WORK + CUSTOMER_PAGES)
def test_an_id_past_64_bits_in_the_path_is_not_found(staff, north, client_as, name, key):
    url = reverse(name, args=[north[key]]).replace(str(north[key]), TOO_BIG)
    assert client_as(staff["manager1"]).get(url).status_code == 404


# Multi-selects: a 20-digit id is "not one of the available choices", on SQLite too
# (where binding it used to raise OverflowError: a server error).


def test_ids_past_64_bits_match_nothing_in_any_lookup(sales1):
    from customers.models import Customer

    customer = CustomerFactory(owner=sales1)
    assert list(Customer.objects.filter(pk__in=[TOO_BIG])) == []
    assert list(Customer.objects.filter(pk__in=[customer.pk, TOO_BIG])) == [customer]
    assert list(Customer.objects.filter(owner__in=[TOO_BIG])) == []
    assert list(Customer.objects.exclude(pk__in=[TOO_BIG])) == [customer]
    assert list(Customer.objects.filter(pk=TOO_BIG)) == []


def test_multi_selects_on_the_customer_form_refuse_a_20_digit_id(sales1, client_as):
    response = client_as(sales1).post(
        reverse("customers:create"),
        {"kind": "individual", "name": "多选", "status": "active",
         "desired_destinations": [TOO_BIG], "tags": [TOO_BIG, "-1"]},
    )  # fmt: skip
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "desired_destinations" in errors and "tags" in errors


def test_multi_selects_in_the_admin_refuse_a_20_digit_id(manager1, sales1, client_as):
    response = client_as(manager1).post(
        reverse("admin:customers_customer_add"),
        {"kind": "individual", "name": "多选", "owner": sales1.pk, "status": "active",
         "desired_destinations": [TOO_BIG], "tags": [TOO_BIG]},
    )  # fmt: skip
    assert response.status_code == 200
    assert "is not one of the available choices" in response.text


def test_a_mailing_for_a_20_digit_destination_is_a_form_error(manager1, client_as):
    response = client_as(manager1).post(
        reverse("followups:mailings"),
        {"title": "目录", "mailed_on": "2026-12-01", "destination_choices": [TOO_BIG, "abc"]},
    )
    assert response.status_code == 200
    assert "destination_choices" in response.context["form"].errors


def test_inviting_by_a_20_digit_destination_is_a_form_error(manager1, client_as):
    from django.utils import timezone

    from followups.models import CustomerEvent

    event = CustomerEvent.objects.create(
        name="答谢会", starts_at=timezone.now(), venue="酒店", created_by=manager1
    )
    response = client_as(manager1).post(event.get_absolute_url(), {"destinations": [TOO_BIG]})
    assert response.status_code == 200
    assert "destinations" in response.context["filter_form"].errors
