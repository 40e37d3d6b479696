"""A person's requests (PIPL Art. 44-47): registered by a custodian or manager with a
deadline in working days, listed open-first by due date with the overdue marked, closed
only with an outcome, audited at every step; invisible (404) to everyone else."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from customers.models import AuditEntry
from privacy.models import PrivacyPolicy, RightsRequest
from privacy.services.requests import rights_request_close, rights_request_register
from privacy.workdays import add_working_days
from tests.factories import CustomerFactory, OrganisationFactory

pytestmark = pytest.mark.django_db

FRIDAY = datetime.date(2026, 11, 27)


@pytest.fixture
def person(sales1):
    return CustomerFactory(owner=sales1, name="陈静")


def _register(actor, customer, kind="copy", received_on=FRIDAY, **extra):
    extra.setdefault("today", max(timezone.localdate(), FRIDAY))
    return rights_request_register(
        actor=actor, customer=customer, kind=kind, received_on=received_on, channel="paper", **extra
    )


def test_working_days_skip_weekends():
    assert add_working_days(FRIDAY, 1) == datetime.date(2026, 11, 30)  # Monday
    assert add_working_days(FRIDAY, 5) == datetime.date(2026, 12, 4)  # next Friday
    assert add_working_days(FRIDAY, 15) == datetime.date(2026, 12, 18)
    saturday = FRIDAY + datetime.timedelta(days=1)
    assert add_working_days(saturday, 1) == datetime.date(2026, 11, 30)


def test_a_request_received_on_a_friday_is_due_fifteen_working_days_later(custodian1, person):
    request = _register(custodian1, person)
    assert request.due_on == datetime.date(2026, 12, 18)
    assert request.due_on.weekday() == 4


def test_the_deadline_follows_the_policy_in_force(manager1, person):
    policy = PrivacyPolicy.current()
    policy.request_working_days = 2
    policy.save()
    request = _register(manager1, person)
    assert request.due_on == datetime.date(2026, 12, 1)  # Friday + Mon, Tue


def test_registering_is_audited_and_refused_to_reps(custodian1, sales1, person):
    request = _register(custodian1, person, kind="correction", details="手机号已换")
    entry = AuditEntry.objects.get(object_type="rightsrequest", action="create")
    assert entry.customer == person and entry.actor == custodian1
    assert entry.detail["kind"] == "correction" and entry.detail["due_on"] == "2026-12-18"
    assert entry.object_id == str(request.pk)
    with pytest.raises(PermissionDenied):
        _register(sales1, person)


def test_a_request_cannot_be_received_in_the_future(custodian1, person):
    with pytest.raises(ValidationError) as error:
        _register(
            custodian1,
            person,
            received_on=datetime.date(2026, 12, 2),
            today=datetime.date(2026, 12, 1),
        )
    assert "received_on" in error.value.message_dict


def test_closing_needs_an_outcome_and_is_audited(custodian1, person):
    request = _register(custodian1, person, kind="withdrawal")
    with pytest.raises(ValidationError) as error:
        rights_request_close(actor=custodian1, rights_request=request, status="done", outcome=" ")
    assert "outcome" in error.value.message_dict
    request.refresh_from_db()
    assert request.status == "open"
    closed = rights_request_close(
        actor=custodian1,
        rights_request=request,
        status="done",
        outcome="已撤回营销短信同意",
    )
    assert closed.status == "done" and closed.closed_by == custodian1 and closed.closed_at
    entry = AuditEntry.objects.get(object_type="rightsrequest", action="change")
    assert entry.detail["closed"] == "done" and entry.customer == person
    with pytest.raises(ValidationError):
        rights_request_close(
            actor=custodian1, rights_request=request, status="refused", outcome="x"
        )


def test_the_close_form_without_an_outcome_says_so(custodian1, person, client_as):
    request = _register(custodian1, person, kind="correction")
    client = client_as(custodian1)
    response = client.post(
        reverse("privacy:request_close", args=[request.pk]), {"status": "done", "outcome": ""}
    )
    assert response.status_code == 400
    assert "This field is required." in response.text
    request.refresh_from_db()
    assert request.status == "open"
    response = client.post(
        reverse("privacy:request_close", args=[request.pk]),
        {"status": "done", "outcome": "手机号已改为13900000000"},
    )
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == "done" and "13900000000" in request.outcome
    page = client.get(reverse("privacy:request_detail", args=[request.pk])).text
    assert "13900000000" in page and 'data-testid="close-form"' not in page


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_received_on_box_shows_today_in_every_language(custodian1, person, client_as, language):
    """In Chinese the date box was empty: today was rendered as 2026/12/02, which a date
    input does not take."""
    client = client_as(custodian1)
    client.cookies["django_language"] = language
    page = client.get(reverse("privacy:request_new", args=[person.pk])).text
    assert f'value="{timezone.localdate():%Y-%m-%d}"' in page


def test_registering_from_the_customer_page(custodian1, person, client_as):
    client = client_as(custodian1)
    page = client.get(reverse("customers:detail", args=[person.pk])).text
    url = reverse("privacy:request_new", args=[person.pk])
    assert url in page
    response = client.post(
        url,
        {
            "kind": "copy",
            "received_on": "2026-11-27",
            "channel": "in_person",
            "requester": "",
            "details": "要求提供全部个人信息副本",
        },
    )
    request = RightsRequest.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("privacy:request_detail", args=[request.pk])
    assert request.due_on == datetime.date(2026, 12, 18) and request.registered_by == custodian1
    # Bad input: a clear message, never a 500.
    response = client.post(url, {"kind": "nonsense", "received_on": "2026-02-30"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.text and "Enter a valid date." in response.text


def test_an_organisation_s_page_offers_registering_too(manager1, sales1, client_as):
    company = OrganisationFactory(owner=sales1)
    page = client_as(manager1).get(reverse("customers:detail", args=[company.pk])).text
    assert reverse("privacy:request_new", args=[company.pk]) in page


@pytest.mark.parametrize("role", ["sales1", "lead1", "finance1"])
def test_other_roles_find_no_request_pages(role, staff, custodian1, person, client_as):
    request = _register(custodian1, person, kind="correction")
    client = client_as(staff[role])
    urls = [
        reverse("privacy:requests"),
        reverse("privacy:record"),
        reverse("privacy:request_new", args=[person.pk]),
        reverse("privacy:request_detail", args=[request.pk]),
    ]
    for url in urls:
        assert client.get(url).status_code == 404, url
    posts = [
        reverse("privacy:request_close", args=[request.pk]),
        reverse("privacy:copy_generate", args=[request.pk]),
        reverse("privacy:copy_download", args=[request.pk, 1]),
    ]
    for url in posts:
        assert client.post(url, {"status": "done", "outcome": "x"}).status_code == 404, url
    request.refresh_from_db()
    assert request.status == "open"
    page = client.get(reverse("customers:detail", args=[person.pk])).text
    assert reverse("privacy:request_new", args=[person.pk]) not in page


@pytest.mark.parametrize("role", ["manager1", "custodian1"])
def test_managers_and_custodians_open_every_page(role, staff, custodian1, person, client_as):
    request = _register(custodian1, person, kind="correction")
    client = client_as(staff[role])
    for url in [
        reverse("privacy:requests"),
        reverse("privacy:record"),
        reverse("privacy:request_new", args=[person.pk]),
        reverse("privacy:request_detail", args=[request.pk]),
    ]:
        assert client.get(url).status_code == 200, url


def test_the_list_puts_open_first_by_due_date_marks_the_overdue_and_filters(
    custodian1, sales1, client_as, django_assert_max_num_queries
):
    today = timezone.localdate()
    people = [CustomerFactory(owner=sales1, name=name) for name in ("甲", "乙", "丙", "丁")]
    late = _register(custodian1, people[0], received_on=today - datetime.timedelta(days=40))
    soon = _register(custodian1, people[1], kind="correction", received_on=today)
    done = _register(custodian1, people[2], kind="withdrawal", received_on=today)
    rights_request_close(actor=custodian1, rights_request=done, status="refused", outcome="不符")
    client = client_as(custodian1)
    url = reverse("privacy:requests")
    page = client.get(url).text
    order = [page.index(f'data-request="{r.pk}"') for r in (late, soon, done)]
    assert order == sorted(order)
    at = page.index(f'data-request="{late.pk}"')
    row = page[at - 60 : at]
    assert 'data-overdue="1"' in row
    assert page.count('data-overdue="1"') == 1
    filtered = client.get(url, {"status": "open", "kind": "correction"}).text
    assert f'data-request="{soon.pk}"' in filtered
    assert f'data-request="{late.pk}"' not in filtered
    assert f'data-request="{done.pk}"' not in filtered
    # Nonsense in the filter is ignored, not a 500.
    assert client.get(url, {"status": "<x>", "page": "zz"}).status_code == 200
    with django_assert_max_num_queries(30) as few:
        client.get(url)
    for n in range(12):
        req = _register(custodian1, CustomerFactory(owner=sales1), received_on=today)
        rights_request_close(actor=custodian1, rights_request=req, status="done", outcome=f"{n}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)


def test_the_home_pages_show_requests_due_with_the_overdue_marked(
    custodian1, manager1, sales1, person, client_as, django_assert_max_num_queries
):
    today = timezone.localdate()
    late = _register(custodian1, person, received_on=today - datetime.timedelta(days=40))
    for role in (custodian1, manager1):
        page = client_as(role).get(reverse("home")).text
        assert 'data-testid="rights-requests-due"' in page
        assert reverse("privacy:request_detail", args=[late.pk]) in page
        assert 'data-overdue="1"' in page
    client = client_as(custodian1)
    with django_assert_max_num_queries(60) as few:
        client.get(reverse("home"))
    for _n in range(10):
        _register(custodian1, CustomerFactory(owner=sales1), received_on=today)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("home"))
    rep_home = client_as(sales1).get(reverse("home")).text
    assert 'data-testid="rights-requests-due"' not in rep_home


def test_the_request_page_links_correction_to_the_form_and_withdrawal_to_consents(
    custodian1, person, client_as, django_assert_max_num_queries
):
    correction = _register(custodian1, person, kind="correction")
    withdrawal = _register(custodian1, person, kind="withdrawal")
    client = client_as(custodian1)
    page = client.get(reverse("privacy:request_detail", args=[correction.pk])).text
    assert reverse("customers:edit", args=[person.pk]) in page
    page = client.get(reverse("privacy:request_detail", args=[withdrawal.pk])).text
    assert reverse("privacy:customer_consent", args=[person.pk]) in page
    with django_assert_max_num_queries(20):
        client.get(reverse("privacy:request_detail", args=[withdrawal.pk]))


def test_the_pages_read_in_chinese(custodian1, person, client):
    """Every request page (those with an argument too, which the project-wide Chinese-UI
    test does not reach) shows none of the catalogue's English msgids."""
    from django.conf import settings

    from tests.accounts.test_chinese_ui import english_msgids, untranslated

    correction = _register(custodian1, person, kind="correction")
    copy = _register(custodian1, person, kind="copy")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    client.force_login(custodian1)
    msgids = english_msgids()
    problems = []
    for url in [
        reverse("privacy:requests"),
        reverse("privacy:record"),
        reverse("privacy:request_new", args=[person.pk]),
        reverse("privacy:request_detail", args=[correction.pk]),
        reverse("privacy:request_detail", args=[copy.pk]),
        reverse("home"),
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert '<html lang="zh-hans">' in response.text, url
        problems += [f"{url}: {text!r}" for text in untranslated(response.text, msgids)]
    assert not problems, "English in the Chinese UI:\n" + "\n".join(problems)
