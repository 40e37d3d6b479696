"""Pages: the card panel, redemption flow, statement (print, CSV), adjustments,
liability and rules; scoping by role (404 outside scope) and constant query counts."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from customers.models import AuditEntry
from loyalty.models import Card, LedgerEntry, Redemption, Reward, RewardKind
from loyalty.services import (
    annual_rewards_issue,
    points_adjust,
    points_liability_refresh,
    redemption_create,
)
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def card(customer, pay):
    pay(customer, amount="1000", paid=datetime.date(2026, 2, 18))
    return Card.objects.get(customer=customer)


def test_the_customer_page_shows_the_card(sales1, customer, card, client_as):
    response = client_as(sales1).get(customer.get_absolute_url())
    panel = response.content.decode()
    assert 'data-panel="loyalty"' in panel
    assert "1,000 points" in panel
    assert reverse("loyalty:statement", args=[card.pk]) in panel
    assert reverse("loyalty:redeem", args=[card.pk]) in panel


def test_a_customer_without_a_card_can_be_given_one(sales1, customer, client_as):
    client = client_as(sales1)
    page = client.get(customer.get_absolute_url()).content.decode()
    assert "No points card yet" in page
    response = client.post(reverse("loyalty:issue", args=[customer.pk]))
    assert response.status_code == 302
    assert Card.objects.filter(customer=customer, balance=0).exists()


def test_customer_page_and_statement_queries_do_not_grow_with_history(
    sales1, customer, card, pay, client_as, django_assert_max_num_queries
):
    pay(customer, amount="60000", paid=datetime.date(2025, 6, 1))
    annual_rewards_issue(year=2025, today=datetime.date(2026, 1, 1), notify=False)
    client = client_as(sales1)
    urls = [
        customer.get_absolute_url(),
        reverse("loyalty:statement", args=[card.pk]),
        reverse("loyalty:redeem", args=[card.pk]),
    ]
    counts = []
    for url in urls:
        with django_assert_max_num_queries(40) as small:
            client.get(url)
        counts.append(len(small.captured_queries))
    reward = Reward.objects.create(name="券", kind=RewardKind.VOUCHER, points_price=10)
    for month in range(3, 11):
        pay(customer, amount="100", paid=datetime.date(2026, month, 1))
    for _ in range(5):
        redemption_create(actor=sales1, card_id=card.pk, reward_id=reward.pk)
    # Another year's spend reward: the statement lists each with a form to record its use.
    pay(customer, amount="60000", paid=datetime.date(2024, 6, 1))
    annual_rewards_issue(year=2024, today=datetime.date(2025, 1, 1), notify=False)
    assert LedgerEntry.objects.filter(card=card).count() > 12
    for url, count in zip(urls, counts, strict=True):
        with django_assert_max_num_queries(count):
            client.get(url)


def test_a_rep_redeems_for_their_own_customer_and_sees_the_new_balance(sales1, card, client_as):
    reward = Reward.objects.create(name="贵宾厅", kind=RewardKind.SERVICE, points_price=300)
    client = client_as(sales1)
    url = reverse("loyalty:redeem", args=[card.pk])
    assert "贵宾厅" in client.get(url).content.decode()
    confirm = client.get(url, {"reward": reward.pk}).content.decode()
    assert "Balance afterwards: 700 points." in confirm
    response = client.post(url, {"reward": reward.pk}, follow=True)
    assert "New balance: 700 points." in response.content.decode()
    redemption = Redemption.objects.get()
    cancel_url = reverse("loyalty:cancel", args=[redemption.pk])
    response = client.post(cancel_url, {"reason": "客户改主意"}, follow=True)
    assert "New balance: 1,000." in response.content.decode()


def test_a_refused_redemption_says_why(sales1, card, client_as):
    reward = Reward.objects.create(name="旅行箱", kind=RewardKind.TRAVEL_PRODUCT, points_price=5000)
    response = client_as(sales1).post(
        reverse("loyalty:redeem", args=[card.pk]), {"reward": reward.pk}, follow=True
    )
    assert "Not enough points: balance 1000, needs 5000." in response.content.decode()
    assert not Redemption.objects.exists()


def test_scoping_other_reps_get_404_and_only_managers_adjust_or_see_liability(
    staff, card, client_as
):
    statement = reverse("loyalty:statement", args=[card.pk])
    redeem = reverse("loyalty:redeem", args=[card.pk])
    adjust = reverse("loyalty:adjust", args=[card.pk])
    liability = reverse("loyalty:liability")
    expected = {
        # user: (statement, redeem, adjust, liability)
        # Redeeming is refused on a card they see (403, "not allowed"); adjusting and the
        # liability are managers' pages, which do not exist for anyone else (404).
        "sales1": (200, 200, 404, 404),
        "sales2": (404, 404, 404, 404),  # same team, not the owner, not the lead
        "lead1": (200, 200, 404, 404),
        "sales3": (404, 404, 404, 404),
        "manager1": (200, 200, 200, 200),
        "finance1": (200, 403, 404, 404),
        "custodian1": (200, 403, 404, 404),
    }
    for username, codes in expected.items():
        client = Client()
        client.force_login(staff[username])
        got = tuple(client.get(url).status_code for url in (statement, redeem, adjust, liability))
        assert got == codes, username
    anonymous = Client().get(statement)
    assert anonymous.status_code == 302


def test_a_rep_only_finds_their_own_customers_to_redeem_for(sales1, sales3, card, client_as):
    CustomerFactory(owner=sales3, name="孙悦的邻居")
    page = client_as(sales1).get(reverse("loyalty:home"), {"q": "孙悦"}).content.decode()
    assert "孙悦的邻居" not in page
    assert reverse("loyalty:redeem", args=[card.pk]) in page


def test_a_manager_adjusts_points_with_a_reason(manager1, card, client_as):
    client = client_as(manager1)
    url = reverse("loyalty:adjust", args=[card.pk])
    response = client.post(url, {"points": "0", "reason": "x"})
    assert "at least one point" in response.content.decode()
    response = client.post(url, {"points": "-5000", "reason": "错录"})
    assert "Not enough points: balance 1000, cannot remove 5000." in response.content.decode()
    client.post(url, {"points": "250", "reason": "投诉补偿"})
    card.refresh_from_db()
    assert card.balance == 1250


def test_statement_is_printable_and_exports_csv(sales1, manager1, card, client_as):
    points_adjust(actor=manager1, card_id=card.pk, points=20, reason="补偿")
    client = client_as(sales1)
    page = client.get(reverse("loyalty:statement", args=[card.pk])).content.decode()
    assert "data-print" in page and "v1" in page  # print styles: static/css/app.css
    assert AuditEntry.objects.filter(object_type="loyalty_statement", action="view").exists()
    response = client.get(reverse("loyalty:statement_csv", args=[card.pk]))
    assert response["Content-Type"].startswith("text/csv")
    rows = response.content.decode("utf-8-sig").splitlines()
    assert rows[0].startswith("Date,Entry,Details,Points,Balance")
    assert rows[2].startswith("2026-02-18,Earned,三亚五日游,1000,1000,2028-03-01,1")
    assert rows[3].split(",")[1:5] == ["Adjusted", "补偿", "20", "1020"]
    filtered = client.get(
        reverse("loyalty:statement_csv", args=[card.pk]), {"start": "2026-03-01"}
    ).content.decode("utf-8-sig")
    assert ",Opening balance,,,1000," in filtered
    assert AuditEntry.objects.filter(object_type="loyalty_statement", action="export").count() == 2


def test_rules_page_shows_the_version_in_force_on_the_chosen_date(sales1, client_as):
    client = client_as(sales1)
    page = client.get(reverse("loyalty:rules"), {"on": "2026-03-01"}).content.decode()
    assert "version 1, effective from 2026-01-01" in page
    assert "Gold card" in page
    before = client.get(reverse("loyalty:rules"), {"on": "2025-06-01"}).content.decode()
    assert "No points rules were in force on 2025-06-01" in before


def test_liability_by_level_and_expiry_month(manager1, card, client_as):
    response = client_as(manager1).get(reverse("loyalty:liability"))
    liability = response.context["liability"]
    assert liability.total_points == 1000
    assert [row["points"] for row in liability.by_month] == [1000]
    assert liability.by_month[0]["month"] == datetime.date(2028, 3, 1)
    assert "¥10.00" in response.content.decode()


def test_nav_shows_loyalty_to_staff_and_liability_to_managers(sales1, manager1, client_as):
    rep_page = client_as(sales1).get(reverse("loyalty:home")).content.decode()
    assert reverse("loyalty:liability") not in rep_page.split("</nav>")[0]
    manager_page = client_as(manager1).get(reverse("loyalty:home")).content.decode()
    assert reverse("loyalty:liability") in manager_page.split("</nav>")[0]


def test_expiring_points_show_on_the_panel(sales1, customer, card, client_as, time_machine):
    time_machine.move_to(datetime.datetime(2028, 1, 1, 10, tzinfo=datetime.UTC))
    page = client_as(sales1).get(customer.get_absolute_url()).content.decode()
    assert "1,000 points, first on 2028-03-01" in page
    assert "Earned" in page


def test_catalogue_liability_and_rules_queries_do_not_grow(
    manager1, sales1, customer, pay, client_as, django_assert_max_num_queries
):
    pay(customer, amount="5000")
    card = Card.objects.get(customer=customer)
    Reward.objects.create(name="券", kind=RewardKind.VOUCHER, points_price=10)
    points_liability_refresh()  # the liability page reads the stored figures
    client = client_as(manager1)
    urls = [
        reverse("loyalty:home") + "?q=客户",
        reverse("loyalty:liability"),
        reverse("loyalty:rules"),
    ]
    counts = []
    for url in urls:
        with django_assert_max_num_queries(20) as small:
            client.get(url)
        counts.append(len(small.captured_queries))
    for index in range(12):
        other = CustomerFactory(owner=sales1, name=f"客户{index}")
        pay(other, amount="1000", paid=datetime.date(2026, 1 + index % 10, 1))
        Reward.objects.create(name=f"礼品{index}", kind=RewardKind.SERVICE, points_price=50)
        redemption_create(actor=sales1, card_id=card.pk, reward_id=Reward.objects.last().pk)
    points_liability_refresh()  # more cards, and lots in more expiry months
    for url, count in zip(urls, counts, strict=True):
        with django_assert_max_num_queries(count):
            client.get(url)


def test_chinese_pages_label_the_filter_button_as_a_filter(sales1, card, client):
    # "Show" alone is the customer page's "显示完整号码" (show the full ID number):
    # the loyalty filter buttons need their own msgid.
    from django.conf import settings

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    client.force_login(sales1)
    for url in (reverse("loyalty:statement", args=[card.pk]), reverse("loyalty:rules")):
        page = client.get(url).content.decode()
        assert '<html lang="zh-hans">' in page
        assert "显示完整号码" not in page, url


def test_bad_adjustments_say_why_keep_what_was_typed_and_change_nothing(manager1, card, client_as):
    client = client_as(manager1)
    url = reverse("loyalty:adjust", args=[card.pk])
    cases = [
        ({"points": "abc", "reason": "投诉补偿"}, "Enter a whole number."),
        ({"points": "100", "reason": "   "}, "This field is required."),
        ({"points": "", "reason": "投诉补偿"}, "This field is required."),
        ({"points": "-1001", "reason": "错录"}, "balance 1000, cannot remove 1001"),
    ]
    for data, message in cases:
        response = client.post(url, data)
        page = response.content.decode()
        assert response.status_code == 200, data
        assert message in page, data
        if data["reason"].strip():
            assert f'value="{data["reason"]}"' in page, data  # nothing typed is lost
    card.refresh_from_db()
    assert card.balance == 1000
    assert LedgerEntry.objects.filter(card=card).count() == 1


def test_bad_redemptions_and_cancellations_say_why_and_change_nothing(
    sales1, card, reward, client_as
):
    client = client_as(sales1)
    url = reverse("loyalty:redeem", args=[card.pk])
    for data in ({}, {"reward": "x"}, {"reward": "999999"}):
        response = client.post(url, data, follow=True)
        assert "Choose a reward from the catalogue." in response.content.decode(), data
    Reward.objects.filter(pk=reward.pk).update(active=False)
    response = client.post(url, {"reward": reward.pk}, follow=True)
    assert "“机场贵宾厅” is no longer offered." in response.content.decode()
    assert not Redemption.objects.exists()

    Reward.objects.filter(pk=reward.pk).update(active=True)
    redemption = redemption_create(actor=sales1, card_id=card.pk, reward_id=reward.pk)
    cancel = reverse("loyalty:cancel", args=[redemption.pk])
    response = client.post(cancel, {"reason": "  "})
    assert "This field is required." in response.content.decode()
    redemption.refresh_from_db()
    card.refresh_from_db()
    assert (redemption.status, card.balance) == ("redeemed", 900)


def test_every_post_needs_the_csrf_token(sales1, manager1, customer, card, reward):
    redemption = redemption_create(actor=sales1, card_id=card.pk, reward_id=reward.pk)
    posts = [
        (sales1, reverse("loyalty:redeem", args=[card.pk]), {"reward": reward.pk}),
        (sales1, reverse("loyalty:cancel", args=[redemption.pk]), {"reason": "改期"}),
        (sales1, reverse("loyalty:issue", args=[customer.pk]), {}),
        (manager1, reverse("loyalty:adjust", args=[card.pk]), {"points": "5", "reason": "补偿"}),
    ]
    for user, url, data in posts:
        client = Client(enforce_csrf_checks=True)
        client.force_login(user)
        assert client.post(url, data).status_code == 403, url
    card.refresh_from_db()
    redemption.refresh_from_db()
    assert (card.balance, redemption.status, Redemption.objects.count()) == (900, "redeemed", 1)


def test_a_statement_period_that_ends_before_it_starts_is_refused(sales1, card, client_as):
    response = client_as(sales1).get(
        reverse("loyalty:statement", args=[card.pk]), {"start": "2026-06-01", "end": "2026-01-01"}
    )
    page = response.content.decode()
    assert "The end date is before the start date." in page
    assert "三亚五日游" in page  # the whole statement, not an empty period


def test_redeem_is_offered_only_to_those_who_may_redeem(
    sales1, finance1, manager1, customer, card, client_as
):
    redeem_url = reverse("loyalty:redeem", args=[card.pk])
    for user, offered in ((sales1, True), (manager1, True), (finance1, False)):
        page = client_as(user).get(reverse("loyalty:home"), {"q": customer.name}).content
        assert (redeem_url in page.decode()) is offered, user.username
    assert client_as(finance1).get(redeem_url).status_code == 403
