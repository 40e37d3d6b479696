"""Every page in the Chinese UI is Chinese, and each error is said once.

No text a reader sees is one of our own English msgids left untranslated (a string built
without gettext, a lazy string evaluated at import time, a msgid missing from the catalogue,
a demo text stored in English), and no error is shown twice on a form.

Each role opens every page it can reach (every URL of the project's apps that takes no
argument, the pages of a customer's work, the admin changelists for those with admin access)
and the main forms are sent back with invalid input; the visible text and the attributes a
person reads are compared with the catalogue's msgids."""

import datetime
import functools
import gettext
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib import admin
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from loyalty.services import card_issue
from tests.factories import BookingFactory, ContactRecordFactory, CustomerFactory

pytestmark = pytest.mark.django_db

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.mo"
OUR_APPS = {
    "accounts",
    "twofactor",
    "customers",
    "archives",
    "tiers",
    "followups",
    "loyalty",
    "imports",
    "api",
    "webhooks",
    "home",
    "privacy",
}
# Pages that are not for reading (they act, redirect or stream a file).
NOT_PAGES = {"logout", "set_language"}
READ_ATTRIBUTES = {"title", "placeholder", "aria-label", "alt"}
SKIPPED = {"script", "style", "code", "pre", "kbd"}
ROLES = ["sales1", "lead1", "manager1", "custodian1", "finance1"]


PLACEHOLDER = re.compile(r"%\(\w+\)[sdf]|%[sd]|\{\w*\}")


@functools.cache
def english_msgids() -> tuple[frozenset[str], re.Pattern]:
    """Our catalogue's msgids whose Chinese differs from the English (so "CSV" is not one):
    the plain ones, and those with placeholders as one pattern (a duplicate message names
    the owner: "… is already followed by %(owner)s")."""
    with CATALOGUE.open("rb") as file:
        catalogue = gettext.GNUTranslations(file)._catalog
    plain, patterns = set(), []
    for msgid, text in catalogue.items():
        if not isinstance(msgid, str) or text == msgid or "<" in msgid:
            continue
        msgid = " ".join(msgid.split())
        words = re.findall(r"[A-Za-z]{2,}", PLACEHOLDER.sub(" ", msgid))
        if not words:
            continue
        if not PLACEHOLDER.search(msgid):
            plain.add(msgid)
        elif len(words) >= 3:
            parts = PLACEHOLDER.split(msgid)
            patterns.append(".+?".join(re.escape(part) for part in parts))
    return frozenset(plain), re.compile("|".join(f"(?:{p})" for p in patterns))


class _ReadText(HTMLParser):
    """The text nodes and read attributes of a page, outside <script>, <style> and code
    (a field name such as `detail` in the API's documentation is not English prose)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in SKIPPED:
            self._skipping += 1
        shown_value = tag == "input" and dict(attrs).get("type") in ("submit", "button", "reset")
        for name, value in attrs:
            if value and (name in READ_ATTRIBUTES or (shown_value and name == "value")):
                self.texts.append(value)

    def handle_endtag(self, tag):
        if tag in SKIPPED and self._skipping:
            self._skipping -= 1

    def handle_data(self, data):
        if not self._skipping:
            self.texts.append(data)


def untranslated(html: str, msgids) -> set[str]:
    plain, with_placeholders = msgids
    reader = _ReadText()
    reader.feed(html)
    found = set()
    for text in reader.texts:
        text = " ".join(text.split())
        if text in plain or with_placeholders.fullmatch(text):
            found.add(text)
        elif text.endswith(":") and text[:-1] in plain:  # a label with its colon
            found.add(text[:-1])
    return found


FORM_ERRORS = [
    re.compile(r'<ul class="errorlist nonfield">(.*?)</ul>', re.S),
    re.compile(r'<div class="alert[^"]*alert-danger[^"]*">(.*?)</div>', re.S),
]
FIELD_ERRORS = re.compile(r'<span id="error_\d+_id_(\w+)"[^>]*>(.*?)</span>', re.S)


def _texts(block: str) -> list[str]:
    items = re.findall(r"<(?:li|strong)>(.*?)</(?:li|strong)>", block, re.S) or [block]
    return [" ".join(re.sub(r"<[^>]+>", "", item).split()) for item in items]


def error_messages(html: str) -> list[tuple[str, str]]:
    """(where, message) for each error a form page shows: "form" or the field's name."""
    found = [
        ("form", text) for place in FORM_ERRORS for b in place.findall(html) for text in _texts(b)
    ]
    found += [(field, text) for field, b in FIELD_ERRORS.findall(html) for text in _texts(b)]
    return [(where, text) for where, text in found if text]


def shown_twice(html: str) -> list[str]:
    """Messages said twice: twice in one place, or for the form and for a field."""
    found = error_messages(html)
    by_message: dict[str, list[str]] = {}
    for where, text in found:
        by_message.setdefault(text, []).append(where)
    return sorted(
        text
        for text, places in by_message.items()
        if len(places) != len(set(places)) or ("form" in places and len(places) > 1)
    )


def argumentless_urls() -> list[str]:
    """Every named URL of our apps that takes no argument."""
    urls = []

    def walk(patterns, namespace):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, pattern.namespace or namespace)
            elif isinstance(pattern, URLPattern) and pattern.name:
                app = pattern.callback.__module__.split(".")[0]
                if app not in OUR_APPS or pattern.name in NOT_PAGES:
                    continue
                if pattern.pattern.regex.groups:
                    continue
                name = f"{namespace}:{pattern.name}" if namespace else pattern.name
                urls.append(reverse(name))

    walk(get_resolver().url_patterns, None)
    return urls


def admin_changelists() -> list[str]:
    return [
        reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        for model in admin.site._registry
    ]


@pytest.fixture
def chinese(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    return client


@pytest.fixture
def work(sales1):
    """sales1's customer with a booking, a contact record and a points card."""
    customer = CustomerFactory(owner=sales1)
    today = timezone.localdate()
    BookingFactory(
        customer=customer,
        start_date=today - datetime.timedelta(days=10),
        end_date=today - datetime.timedelta(days=5),
    )
    ContactRecordFactory(customer=customer, by=sales1)
    card = card_issue(actor=sales1, customer=customer)
    return {
        "customer": customer,
        "urls": [
            reverse("customers:detail", args=[customer.pk]),
            reverse("customers:edit", args=[customer.pk]),
            reverse("loyalty:statement", args=[card.pk]),
            reverse("tiers:customer_grade", args=[customer.pk]),
        ],
    }


def _read(client, url, msgids, problems, label):
    response = client.get(url)
    if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
        return
    for text in untranslated(response.content.decode(), msgids):
        problems.add(f"{label} {url}: {text!r}")


def test_the_detector_finds_english_on_an_english_page(sales1, client):
    """Without this the test below could pass by finding nothing anywhere."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(sales1)
    html = client.get(reverse("customers:list")).content.decode()
    assert len(untranslated(html, english_msgids())) >= 5


@pytest.mark.parametrize("role", ROLES)
def test_every_page_a_role_opens_is_chinese(staff, work, chinese, role):
    msgids = english_msgids()
    user = staff[role]
    chinese.force_login(user)
    problems: set[str] = set()
    urls = argumentless_urls() + work["urls"]
    if user.is_staff:
        urls += admin_changelists()
    for url in urls:
        _read(chinese, url, msgids, problems, role)
    assert not problems, "English in the Chinese UI:\n" + "\n".join(sorted(problems))


def test_main_forms_with_invalid_input_answer_in_chinese(sales1, work, chinese):
    msgids = english_msgids()
    chinese.force_login(sales1)
    customer = work["customer"]
    invalid = {
        reverse("customers:create"): {
            "kind": "individual",
            "name": "",
            "id_number": "110101199003071234",
            "mobile": "12345",
            "email": "not-an-address",
        },
        reverse("customers:edit", args=[customer.pk]): {"name": "", "mobile": "abc"},
        reverse("customers:booking_add", args=[customer.pk]): {
            "amount": "-5",
            "start_date": "2026-13-40",
        },
        reverse("customers:contact_log", args=[customer.pk]): {"channel": "nonsense"},
    }
    problems: set[str] = set()
    for url, data in invalid.items():
        response = chinese.post(url, data)
        assert response.status_code == 200, url  # the form again, with its errors
        html = response.content.decode()
        assert error_messages(html), url
        for text in untranslated(html, msgids):
            problems.add(f"{url}: {text!r}")
        for text in shown_twice(html):
            problems.add(f"{url}: shown twice: {text!r}")
    assert not problems, "English in the Chinese UI:\n" + "\n".join(sorted(problems))


def test_duplicate_messages_answer_in_chinese(sales1, customer_of_sales3, chinese):
    """撞单: a new customer with another rep's customer's mobile, then with the mobile of a
    customer in the recycle bin, is refused in Chinese."""
    msgids = english_msgids()
    chinese.force_login(sales1)
    deleted = CustomerFactory(owner=sales1, deleted_at=timezone.now())
    problems: set[str] = set()
    for mobile in (customer_of_sales3.mobile, deleted.mobile):
        response = chinese.post(
            reverse("customers:create"), {"kind": "individual", "name": "林小雨", "mobile": mobile}
        )
        assert response.status_code == 200
        html = response.content.decode()
        assert error_messages(html)
        problems |= untranslated(html, msgids)
        problems |= {f"shown twice: {text}" for text in shown_twice(html)}
    assert not problems, f"English or repeats in the Chinese UI: {sorted(problems)}"


def test_the_demo_agency_reads_in_chinese(chinese):
    """Texts the demo stores (policy names, grade-change reasons) are Chinese too."""
    from django.core.management import call_command

    from accounts.models import User

    call_command("load_demo", customers=40, bookings_per_customer=3)
    msgids = english_msgids()
    problems: set[str] = set()
    for username in ("sales1", "manager1", "custodian1", "finance1"):
        chinese.force_login(User.objects.get(username=username))
        for url in argumentless_urls():
            _read(chinese, url, msgids, problems, username)
    assert not problems, "English in the Chinese UI:\n" + "\n".join(sorted(problems))
