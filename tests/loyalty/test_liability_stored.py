"""The liability page reads the stored figures (loyalty.models.liability): the same
totals as the live sum, "as of" its refresh, in a constant number of queries; refreshed
by the beat job's command, by the monthly points job and by a manager's "Refresh now"."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from customers.models import AuditEntry
from loyalty.liability import points_liability, points_liability_stored
from loyalty.models import Card, LiabilityFigures, LiabilityFiguresRefresh
from loyalty.services import points_liability_refresh, points_monthly, redemption_create
from tests.factories import CustomerFactory
from tests.loyalty.conftest import TODAY, open_lot

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
URL = reverse("loyalty:liability")


def _figures(liability):
    return (
        liability.today,
        liability.point_value,
        liability.by_level,
        liability.by_month,
        liability.total_points,
        liability.total_value,
    )


def test_stored_equals_live_before_and_after_an_earn_and_a_redemption(
    book, customer, pay, reward, sales1
):
    points_liability_refresh()
    stored = points_liability_stored(today=TODAY)
    assert _figures(stored) == _figures(points_liability(today=TODAY))
    assert stored.total_points == 340 + 621 + 900
    assert {row["level"]: row["cards"] for row in stored.by_level} == {
        "standard": 1,
        "silver": 2,
        "gold": 1,
    }
    assert [row["month"] for row in stored.by_month] == [
        datetime.date(2026, 11, 1),  # the silver lot expiring tomorrow
        datetime.date(2027, 6, 1),
        datetime.date(2028, 7, 1),
    ]
    pay(customer, amount="800", paid=TODAY)  # a new card, a lot expiring in 2028-12
    card = Card.objects.get(customer=customer)
    redemption_create(actor=sales1, card_id=card.pk, reward_id=reward.pk)  # 100 drawn
    redemption_create(actor=sales1, card_id=book["silver"][0].pk, reward_id=reward.pk)
    assert points_liability_stored(today=TODAY).total_points == 1861  # as of the refresh
    points_liability_refresh()
    stored = points_liability_stored(today=TODAY)
    assert _figures(stored) == _figures(points_liability(today=TODAY))
    assert stored.total_points == 1861 + 800 - 100 - 100


def test_the_page_shows_the_stored_figures_as_of_their_refresh_in_constant_queries(
    book, manager1, client_as, time_machine, django_assert_num_queries
):
    points_liability_refresh()
    client = client_as(manager1)
    client.get(URL)  # the session and the user's roles read once
    # Ten: the session, the user and their roles, the manager's menu counts, the
    # session saved (three); the liability's two (its rows with their refresh, the
    # point value in force).
    with django_assert_num_queries(10) as before:
        page = client.get(URL)
    assert "1,861 points outstanding on 2026-11-23, worth ¥18.61." in page.text
    assert "As of 2026-11-23 10:00 (summed every ten minutes)." in page.text
    for n in range(30):  # more cards, levels and expiry months: the same queries
        card = Card.objects.create(customer=CustomerFactory(), level="platinum")
        open_lot(card, 10, remaining=10, expires_on=TODAY + datetime.timedelta(days=40 * n + 10))
    time_machine.move_to(datetime.datetime(2026, 11, 23, 10, 10, tzinfo=SHANGHAI))
    points_liability_refresh()
    with django_assert_num_queries(len(before.captured_queries)):
        page = client.get(URL)
    assert "2,161 points outstanding" in page.text
    assert "As of 2026-11-23 10:10" in page.text
    assert [row["level"] for row in page.context["liability"].by_level] == [
        "standard",
        "silver",
        "gold",
        "platinum",
    ]


def test_the_page_says_as_of_in_the_readers_language(book, manager1):
    points_liability_refresh()
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    client.force_login(manager1)
    page = client.get(URL).content.decode()
    assert "数据截至 2026-11-23 10:00（每十分钟汇总一次）。" in page


def test_a_fresh_install_sums_it_once_on_the_first_view(book, manager1, client_as):
    assert not LiabilityFiguresRefresh.objects.exists()
    page = client_as(manager1).get(URL)
    assert "1,861 points outstanding" in page.text
    assert LiabilityFiguresRefresh.objects.get().day == TODAY
    assert LiabilityFigures.objects.count() == 3 + 3  # three levels, three months


def test_nothing_outstanding_is_stored_as_such(manager1, client_as, django_assert_num_queries):
    points_liability_refresh()
    client = client_as(manager1)
    client.get(URL)
    with django_assert_num_queries(11):  # no rows: the refresh's time read on its own
        page = client.get(URL)
    assert "0 points outstanding on 2026-11-23" in page.text
    assert "No points outstanding." in page.text


def test_refresh_now_sums_again_and_is_audited(book, manager1, client_as, time_machine):
    points_liability_refresh()
    open_lot(book["gold"][0], 1000, remaining=1000, expires_on=TODAY + datetime.timedelta(days=9))
    time_machine.move_to(datetime.datetime(2026, 11, 23, 10, 3, tzinfo=SHANGHAI))
    client = client_as(manager1)
    assert "1,861 points outstanding" in client.get(URL).text
    response = client.post(URL, follow=True)
    assert "2,861 points outstanding" in response.text
    assert "As of 2026-11-23 10:03" in response.text
    assert "The points liability has been summed again." in response.text
    entry = AuditEntry.objects.get(object_type="loyalty_liability")
    assert (entry.actor, entry.action, entry.detail["day"]) == (manager1, "change", "2026-11-23")


@pytest.mark.parametrize("role", ["sales1", "lead1", "finance1", "custodian1"])
def test_only_managers_refresh(staff, role, client_as):
    assert client_as(staff[role]).post(URL).status_code == 404
    assert not LiabilityFiguresRefresh.objects.exists()
    assert not AuditEntry.objects.filter(object_type="loyalty_liability").exists()


def test_refresh_now_needs_the_csrf_token(manager1):
    client = Client(enforce_csrf_checks=True)
    client.force_login(manager1)
    assert client.post(URL).status_code == 403
    assert not LiabilityFiguresRefresh.objects.exists()


def test_a_refresh_twice_or_out_of_order_keeps_the_latest(book):
    later = datetime.datetime(2026, 11, 23, 11, tzinfo=SHANGHAI)
    earlier = datetime.datetime(2026, 11, 23, 10, 30, tzinfo=SHANGHAI)
    assert points_liability_refresh(now=later) == 6
    assert points_liability_refresh(now=later) == 6
    assert LiabilityFigures.objects.count() == 6
    assert points_liability_refresh(now=earlier) is None  # a delayed run changes nothing
    assert points_liability_stored(today=TODAY).as_of == later


def test_the_refresh_runs_by_hand(book, capsys):
    call_command("refresh_points_liability")
    assert "Points liability stored (6 rows)." in capsys.readouterr().out
    assert points_liability_stored(today=TODAY).total_points == 1861


def test_the_monthly_points_job_refreshes_it(book, time_machine):
    points_liability_refresh()
    next_month = datetime.date(2026, 12, 1)
    time_machine.move_to(datetime.datetime(2026, 12, 1, 1, tzinfo=SHANGHAI))
    points_monthly(today=next_month)  # expires the silver lot of 24 November, and more
    stored = points_liability_stored(today=next_month)
    assert stored.today == next_month
    assert _figures(stored) == _figures(points_liability(today=next_month))
    assert stored.total_points == 1861 - 500
