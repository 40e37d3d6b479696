"""Consent on the customer's consent page: recorded and withdrawn with who, when, how and
which text; withdrawing as easy as giving; scoped (404 outside) and audited."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from customers.models import AuditEntry
from privacy.models import Consent, ConsentText, Purpose
from privacy.selectors import consent_in_force_q
from privacy.services import consent_give, consent_withdraw
from tests.factories import CustomerFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def text(db):
    return ConsentText.objects.create(
        version="2026-01",
        title="个人信息处理同意书",
        body="本社为履行旅游合同处理您的个人信息……",
        published_on=datetime.date(2026, 1, 1),
    )


@pytest.fixture
def person(sales1):
    return CustomerFactory(owner=sales1, name="陈静")


def _url(customer):
    return reverse("privacy:customer_consent", args=[customer.pk])


def _give(client, customer, text, *purposes, method="paper", given_at=""):
    return client.post(
        _url(customer),
        {
            "action": "give",
            "give-purposes": list(purposes),
            "give-method": method,
            "give-text": text.pk,
            "give-given_at": given_at,
        },
    )


def _withdraw(client, customer, *purposes, method="phone"):
    return client.post(
        _url(customer),
        {"action": "withdraw", "withdraw-purposes": list(purposes), "withdraw-method": method},
    )


def test_the_owner_records_consent_with_when_how_and_text_and_it_is_audited(
    sales1, person, text, client_as
):
    client = client_as(sales1)
    response = _give(
        client, person, text, Purpose.SERVICE, Purpose.MARKETING_PHONE,
        given_at="2026-03-02T10:30",
    )  # fmt: skip
    assert response.status_code == 302
    rows = {c.purpose: c for c in Consent.objects.filter(customer=person)}
    assert set(rows) == {"service", "marketing_phone"}
    consent = rows["marketing_phone"]
    assert consent.method == "paper" and consent.text == text and consent.recorded_by == sales1
    assert timezone.localtime(consent.given_at).strftime("%Y-%m-%d %H:%M") == "2026-03-02 10:30"
    entry = AuditEntry.objects.get(object_type="consent", action="create")
    assert entry.customer == person and entry.detail["consent_given"] == [
        "service",
        "marketing_phone",
    ]
    page = client.get(_url(person)).text
    assert "2026-01" in page and "Signature on paper" in page
    assert AuditEntry.objects.filter(object_type="consent", action="view").count() == 1


def test_withdrawing_is_one_step_and_takes_effect_at_once(sales1, person, text, client_as):
    client = client_as(sales1)
    _give(client, person, text, Purpose.MARKETING_PHONE, Purpose.MARKETING_WECHAT)
    assert type(person).objects.filter(consent_in_force_q(Purpose.MARKETING_PHONE)).exists()
    response = _withdraw(client, person, Purpose.MARKETING_PHONE)
    assert response.status_code == 302
    assert not type(person).objects.filter(consent_in_force_q(Purpose.MARKETING_PHONE)).exists()
    assert type(person).objects.filter(consent_in_force_q(Purpose.MARKETING_WECHAT)).exists()
    withdrawn = Consent.objects.get(purpose=Purpose.MARKETING_PHONE)
    assert withdrawn.withdrawn_by == sales1 and withdrawn.withdrawal_method == "phone"
    assert AuditEntry.objects.filter(object_type="consent", action="change").get().detail[
        "consent_withdrawn"
    ] == ["marketing_phone"]
    # Given again later: a new row; the history keeps both.
    _give(client, person, text, Purpose.MARKETING_PHONE, method="online")
    assert Consent.objects.filter(purpose=Purpose.MARKETING_PHONE).count() == 2
    history = client.get(_url(person)).text
    assert history.count("Marketing calls and visits") >= 3  # the state row and two history rows


@pytest.mark.parametrize(
    ("username", "status"),
    [("sales1", 200), ("lead1", 200), ("manager1", 200), ("custodian1", 200), ("sales3", 404)],
)
def test_the_consent_page_is_scoped_like_the_customer(staff, person, client_as, username, status):
    assert client_as(staff[username]).get(_url(person)).status_code == status


@pytest.mark.parametrize(("username", "status"), [("custodian1", 200), ("sales2", 404)])
def test_only_those_who_may_edit_the_customer_change_consent(
    staff, person, text, client_as, username, status
):
    response = _give(client_as(staff[username]), person, text, Purpose.SERVICE)
    assert response.status_code == status
    if status == 200:  # the custodian sees the customer, and is told it may not change it
        assert "You may not change this customer" in response.text
        assert 'data-testid="give-consent"' not in response.text
        # The page it was shown instead is a view of the person's consents, and audited.
        assert AuditEntry.objects.filter(
            actor=staff[username], action="view", object_type="consent"
        ).exists()
    assert not Consent.objects.exists()


def test_the_service_refuses_outsiders_organisations_and_future_dates(sales1, sales3, person, text):
    with pytest.raises(PermissionDenied):
        consent_give(actor=sales3, customer=person, purposes=["service"], method="paper", text=text)
    with pytest.raises(ValidationError):
        consent_give(
            actor=sales1,
            customer=OrganisationFactory(owner=sales1),
            purposes=["service"],
            method="paper",
            text=text,
        )
    with pytest.raises(ValidationError):
        consent_give(
            actor=sales1,
            customer=person,
            purposes=["service"],
            method="paper",
            text=text,
            given_at=timezone.now() + datetime.timedelta(hours=1),
        )
    assert not Consent.objects.exists()


def test_giving_twice_keeps_one_in_force_and_withdrawing_nothing_writes_nothing(
    sales1, person, text
):
    consent_give(actor=sales1, customer=person, purposes=["service"], method="paper", text=text)
    again = consent_give(
        actor=sales1, customer=person, purposes=["service"], method="online", text=text
    )
    assert again == [] and Consent.objects.count() == 1
    assert (
        consent_withdraw(actor=sales1, customer=person, purposes=["suppliers"], method="phone") == 0
    )
    assert not AuditEntry.objects.filter(object_type="consent", action="change").exists()


def test_the_customer_page_shows_the_consent_panel(sales1, person, text, client_as):
    consent_give(
        actor=sales1, customer=person, purposes=["cross_border"], method="online", text=text
    )
    page = client_as(sales1).get(reverse("customers:detail", args=[person.pk])).text
    assert 'data-testid="privacy-panel"' in page
    assert "Cross-border provision for outbound tours" in page


def test_an_outbound_traveller_without_cross_border_consent_is_flagged(
    sales1, person, text, client_as
):
    from tests.factories import BookingFactory

    today = timezone.localdate()
    BookingFactory(
        customer=person,
        trip_type="outbound",
        start_date=today + datetime.timedelta(days=20),
        end_date=today + datetime.timedelta(days=26),
    )
    url = reverse("customers:detail", args=[person.pk])
    client = client_as(sales1)
    flag = client.get(url).text.split('data-testid="cross-border-flag"')
    assert len(flag) == 2
    assert (today + datetime.timedelta(days=20)).isoformat() in flag[1].split("</div>")[0]
    consent_give(
        actor=sales1, customer=person, purposes=["cross_border"], method="paper", text=text
    )
    assert 'data-testid="cross-border-flag"' not in client.get(url).text
