"""Identifiers are stored in one canonical form, whatever door they come through and
however they were typed (full-width digits, other scripts' digits, spaces of every kind,
dashes, +86), so the duplicate check 撞单 cannot be slipped past."""

import datetime
import importlib
import pathlib

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db.models import Value
from django.urls import reverse

from customers.models import ContactPerson, Customer, CustomerKind
from customers.selectors import customer_find_for_access_request
from customers.services import contact_person_add, customer_create
from customers.validators import (
    ID_PROVINCE_CODES,
    id_number_check_char,
    normalize_email,
    normalize_id_number,
    normalize_mobile,
    normalize_org_name,
    normalize_phone,
    normalize_postal_code,
    parse_id_number,
)
from tests.factories import ContactPersonFactory, CustomerFactory, OrganisationFactory

pytestmark = pytest.mark.django_db

ASCII_ID = "110105199106265933"
FULL_WIDTH_ID = "１１０１０５１９９１０６２６５９３３"
SPACED_ID = "１１０１０５\u3000１９９１－０６２６\xa0５９３３"
ASCII_MOBILE = "13800138000"
FULL_WIDTH_MOBILE = "＋８６ １３８-００１３-８０００"


def _make_id(prefix: str) -> str:
    first17 = f"{prefix}010519910626593"
    return first17 + id_number_check_char(first17)


@pytest.mark.parametrize(
    "raw",
    [
        ASCII_ID,
        FULL_WIDTH_ID,
        SPACED_ID,
        "110105 19910626 5933",
        "110105-19910626-5933",
        "110105‐19910626‑5933",  # hyphen, non-breaking hyphen
        "110105–19910626—5933",  # en and em dash
        "110105ー19910626ー5933",  # the IME's long mark between digits
        "١١٠١٠٥١٩٩١٠٦٢٦٥٩٣٣",  # Arabic-Indic digits
        "110105\u200b199106265933",  # zero-width space pasted from a chat
    ],
)
def test_id_numbers_in_any_form_normalise_to_one(raw):
    assert normalize_id_number(raw) == ASCII_ID
    assert parse_id_number(raw).birthday == datetime.date(1991, 6, 26)


def test_a_wholly_full_width_id_with_an_x_is_accepted():
    assert normalize_id_number("１１０１０５１９４９１２３１００２ｘ") == "11010519491231002X"
    assert parse_id_number("１１０１０５１９４９１２３１００２Ｘ").sex == "F"


@pytest.mark.parametrize(
    "raw",
    [
        ASCII_MOBILE,
        FULL_WIDTH_MOBILE,
        "+86 138 0013 8000",
        "0086-138-0013-8000",
        "(+86) 138 0013 8000",
        "8613800138000",
        "138\u30000013\u30008000",
        "١٣٨٠٠١٣٨٠٠٠",
    ],
)
def test_mobiles_in_any_form_normalise_to_one(raw):
    assert normalize_mobile(raw) == ASCII_MOBILE


def test_other_identifiers_normalise():
    assert normalize_phone("（０１０）６５１２-３４５６") == "01065123456"
    assert normalize_phone("+86 10 6512 3456") == "01065123456"
    assert normalize_postal_code("１０００ ２０") == "100020"
    assert normalize_email(" Li.Na＠Example.COM ") == "Li.Na@example.com"
    assert normalize_org_name("华夏科技（２）") == normalize_org_name("华夏科技(٢)")


# Province-level codes of GB/T 2260, and the codes on either side of each run.
@pytest.mark.parametrize(
    ("prefix", "accepted"),
    [
        ("00", False),
        ("10", False),
        ("11", True),
        ("15", True),
        ("16", False),
        ("20", False),
        ("21", True),
        ("23", True),
        ("24", False),
        ("30", False),
        ("31", True),
        ("37", True),
        ("38", False),
        ("40", False),
        ("41", True),
        ("46", True),
        ("47", False),
        ("49", False),
        ("50", True),
        ("54", True),
        ("55", False),
        ("60", False),
        ("61", True),
        ("65", True),
        ("66", False),
        ("70", False),
        ("71", True),
        ("72", False),
        ("80", False),
        ("81", True),
        ("82", True),
        ("83", True),  # Taiwan residents' residence permits
        ("84", False),
        ("91", False),
        ("99", False),
    ],
)
def test_the_first_two_digits_must_be_a_province_code(prefix, accepted):
    number = _make_id(prefix)
    if accepted:
        parse_id_number(number)
        return
    with pytest.raises(ValidationError) as caught:
        parse_id_number(number)
    assert caught.value.code == "id_region"
    assert prefix in caught.value.messages[0]


def test_demo_data_and_factories_use_real_province_codes():
    from customers.demo import identity, names
    from tests.factories import make_id_number

    assert {code[:2] for code, *_rest in names.PLACES} <= ID_PROVINCE_CODES
    for index in range(0, identity.ID_SPACE, identity.ID_SPACE // 997):
        parse_id_number(identity.id_number_for(index)[0])
    parse_id_number(make_id_number(7))


# The doors: the service, the page form, the admin, contact people, search, access requests.


def test_the_service_stores_canonical_values_and_catches_duplicates(sales1, sales3):
    customer = customer_create(
        actor=sales1,
        customer=Customer(
            kind=CustomerKind.INDIVIDUAL,
            name="全角",
            id_number=SPACED_ID,
            mobile=FULL_WIDTH_MOBILE,
            phone="（０１０）６５１２-３４５６",
            email="Quan@EXAMPLE.com",
            postal_code="１０００２０",
        ),
    )
    customer.refresh_from_db()
    assert customer.id_number == ASCII_ID
    assert customer.mobile == ASCII_MOBILE
    assert customer.phone == "01065123456"
    assert customer.email == "Quan@example.com"
    assert customer.postal_code == "100020"
    assert customer.birthday == datetime.date(1991, 6, 26)
    with pytest.raises(ValidationError) as caught:
        customer_create(
            actor=sales3,
            customer=Customer(kind=CustomerKind.INDIVIDUAL, name="半角", id_number=ASCII_ID),
        )
    assert "id_number" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        customer_create(
            actor=sales3,
            customer=Customer(kind=CustomerKind.INDIVIDUAL, name="半角", mobile="138 0013 8000"),
        )
    assert "mobile" in caught.value.message_dict


def test_the_page_form_saves_full_width_input_canonical(sales1, client_as):
    response = client_as(sales1).post(
        reverse("customers:create"),
        {"kind": "individual", "name": "林晓", "status": "active",
         "id_number": FULL_WIDTH_ID, "mobile": FULL_WIDTH_MOBILE, "postal_code": "１０００２０"},
    )  # fmt: skip
    assert response.status_code == 302, response.context["form"].errors
    customer = Customer.objects.get(name="林晓")
    assert (customer.id_number, customer.mobile, customer.postal_code) == (
        ASCII_ID,
        ASCII_MOBILE,
        "100020",
    )


def test_the_page_form_catches_a_full_width_duplicate(sales1, sales3, client_as):
    CustomerFactory(owner=sales3, id_number=ASCII_ID, mobile=ASCII_MOBILE,
                    birthday=datetime.date(1991, 6, 26))  # fmt: skip
    response = client_as(sales1).post(
        reverse("customers:create"),
        {"kind": "individual", "name": "撞单", "status": "active",
         "id_number": SPACED_ID, "mobile": FULL_WIDTH_MOBILE},
    )  # fmt: skip
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "张伟" in errors["id_number"][0]
    assert "张伟" in errors["mobile"][0]
    assert not Customer.objects.filter(name="撞单").exists()


def test_the_admin_catches_a_full_width_duplicate(manager1, sales1, sales3, client_as):
    CustomerFactory(owner=sales3, id_number=ASCII_ID, mobile=ASCII_MOBILE,
                    birthday=datetime.date(1991, 6, 26))  # fmt: skip
    client = client_as(manager1)
    response = client.post(
        reverse("admin:customers_customer_add"),
        {"kind": "individual", "name": "重复", "owner": sales1.pk, "status": "active",
         "id_number": SPACED_ID, "mobile": FULL_WIDTH_MOBILE},
    )  # fmt: skip
    assert response.status_code == 200
    assert "张伟" in response.text
    assert not Customer.objects.filter(name="重复").exists()


def test_the_admin_saves_full_width_input_canonical(manager1, sales1, client_as):
    response = client_as(manager1).post(
        reverse("admin:customers_customer_add"),
        {"kind": "individual", "name": "后台录入", "owner": sales1.pk, "status": "active",
         "id_number": SPACED_ID, "mobile": FULL_WIDTH_MOBILE,
         "phone": "０１０－６５１２ ３４５６", "postal_code": "１０００２０"},
    )  # fmt: skip
    assert response.status_code == 302
    customer = Customer.objects.get(name="后台录入")
    assert (customer.id_number, customer.mobile, customer.phone, customer.postal_code) == (
        ASCII_ID,
        ASCII_MOBILE,
        "01065123456",
        "100020",
    )


def test_admin_search_finds_a_mobile_typed_with_spaces(manager1, sales1, client_as):
    CustomerFactory(owner=sales1, name="查找我", mobile=ASCII_MOBILE)
    response = client_as(manager1).get(
        reverse("admin:customers_customer_changelist"), {"q": FULL_WIDTH_MOBILE}
    )
    assert "查找我" in response.text


def test_contact_people_are_stored_canonical(sales1):
    organisation = OrganisationFactory(owner=sales1)
    person = contact_person_add(
        actor=sales1,
        person=ContactPerson(
            customer=organisation, name="钱总", mobile="１３９ ００００ １１１１", email="Q@CO.CN"
        ),
    )
    person.refresh_from_db()
    assert (person.mobile, person.email) == ("13900001111", "Q@co.cn")


def test_the_list_search_and_access_requests_find_full_width_identifiers(sales1, client_as):
    customer = CustomerFactory(
        owner=sales1,
        name="欧阳",
        id_number=ASCII_ID,
        mobile=ASCII_MOBILE,
        birthday=datetime.date(1991, 6, 26),
    )
    url = reverse("customers:list")
    client = client_as(sales1)
    for term in (FULL_WIDTH_ID, SPACED_ID, FULL_WIDTH_MOBILE):
        page = client.get(url, {"q": term}).context["page"]
        assert [row.name for row in page] == ["欧阳"], term
    assert customer_find_for_access_request(identifier=SPACED_ID) == customer
    assert customer_find_for_access_request(identifier=FULL_WIDTH_MOBILE) == customer


def _migration_module():
    path = next(pathlib.Path("customers/migrations").glob("*_normalised_identifiers.py"))
    return importlib.import_module(f"customers.migrations.{path.stem}")


def test_the_migration_normalises_old_rows_and_leaves_duplicates_for_the_check(sales1, sales3):
    old = CustomerFactory(owner=sales1, name="旧档案")
    twin = CustomerFactory(owner=sales3, name="双胞胎", mobile="13911112222")
    person = ContactPersonFactory(customer=OrganisationFactory(owner=sales1))
    # Rows as the old code stored them (an update with a plain Value bypasses the fields),
    # within the columns' lengths (PostgreSQL enforces them).
    Customer.objects.filter(pk=old.pk).update(
        id_number=Value(FULL_WIDTH_ID),
        mobile=Value("１３８００１３８０００"),
        phone=Value("010-6512 3456"),
        postal_code=Value("１０００２０"),
        email=Value("Old@EXAMPLE.COM"),
    )
    Customer.objects.filter(pk=twin.pk).update(mobile=Value("١٣٨٠٠١٣٨٠٠٠"))
    ContactPerson.objects.filter(pk=person.pk).update(mobile=Value("１３９００００２２２２"))

    _migration_module().normalise_identifiers(apps, None)

    old.refresh_from_db()
    assert (old.id_number, old.mobile, old.phone, old.postal_code, old.email) == (
        ASCII_ID,
        ASCII_MOBILE,
        "01065123456",
        "100020",
        "Old@example.com",
    )
    person.refresh_from_db()
    assert person.mobile == "13900002222"
    # The twin's mobile is now another customer's: left as typed, not merged...
    twin.refresh_from_db()
    assert twin.mobile == "١٣٨٠٠١٣٨٠٠٠"
    # ...and the duplicate check names the other owner when someone saves it.
    from customers.services import customer_update

    with pytest.raises(ValidationError) as caught:
        customer_update(actor=sales3, customer=twin)
    assert "王磊" in caught.value.message_dict["mobile"][0]
