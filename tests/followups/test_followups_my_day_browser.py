"""My day in a real browser, as a rep spends the day: on a laptop (1366×768) the first 25
items fit in two screens and no button wraps; on a phone (390 px) each item is a card
with its call and complete buttons and nothing runs off the side, in Chinese and
English. Then a follow-up completed with an outcome in one tap, and greetings marked
sent together."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from customers.models import ContactRecord
from followups.models import Followup, FollowupKind, FollowupStatus
from tests.factories import PASSWORD, CustomerFactory

LAPTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}
DAY = datetime.timedelta(days=1)
KINDS = [FollowupKind.POST_TRIP, FollowupKind.REGULAR, FollowupKind.FEEDBACK]
NAMES = ["林小雨", "北京远航国际商务旅行服务有限公司", "欧阳晓峰", "上海华夏文化传播有限公司",
         "张伟", "诸葛明", "王芳"]  # fmt: skip

# Buttons whose text wrapped: taller than one line of their own text plus padding and
# border (a wrapped Chinese label is one character per line).
WRAPPED_BUTTONS = """() => [...document.querySelectorAll('[data-testid=item] .btn')]
  .filter(b => b.offsetParent !== null)
  .filter(b => {
    const s = getComputedStyle(b);
    const oneLine = parseFloat(s.lineHeight) + parseFloat(s.paddingTop)
      + parseFloat(s.paddingBottom) + parseFloat(s.borderTopWidth)
      + parseFloat(s.borderBottomWidth);
    return b.getBoundingClientRect().height > oneLine + 1;
  }).map(b => b.textContent.trim())"""


def _day_of_work(rep) -> list[Followup]:
    """30 open items of every kind, a few overdue, most today and this week, customers
    with grades, long company names and mobiles."""
    today = timezone.localdate()
    items = []
    for n in range(30):
        customer = CustomerFactory(
            owner=rep, name=f"{NAMES[n % len(NAMES)]}{n}", grade="ABC"[n % 3],
            is_key_account=n % 7 == 0,
        )  # fmt: skip
        greeting = n % 5 == 0
        due = today + ((n % 8) - 2) * DAY
        items.append(
            Followup.objects.create(
                customer=customer,
                owner=rep,
                kind=FollowupKind.GREETING if greeting else KINDS[n % 3],
                occasion="birthday" if greeting else "",
                occasion_key=f"test:{n}",
                facts={"day": due.isoformat()}
                if greeting
                else {"end": "2026-11-20", "product": "三亚五日游", "last": None, "grade": "A",
                      "summary": "希望增加亲子游线路"},
                channel="wechat" if greeting else "phone",
                planned_on=due,
                due_on=due,
            )
        )  # fmt: skip
    return items


def _sign_in(page, live_server, user, language: str) -> None:
    page.context.clear_cookies()
    page.context.add_cookies(
        [{"name": "django_language", "value": language, "url": live_server.url}]
    )
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_load_state()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_my_day_fits_a_laptop_and_a_phone(live_server, page, sales1, language):
    _day_of_work(sales1)
    _sign_in(page, live_server, sales1, language)

    page.set_viewport_size(LAPTOP)
    page.goto(f"{live_server.url}/followups/")
    items = page.locator("[data-testid=item]")
    expect(items).to_have_count(30)
    bottom = items.nth(24).evaluate("e => e.getBoundingClientRect().bottom + window.scrollY")
    assert bottom <= 2 * LAPTOP["height"], f"the 25th item ends at {bottom}px"
    assert page.evaluate(WRAPPED_BUTTONS) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= LAPTOP["width"]

    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/followups/")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    for index in range(items.count()):
        card = items.nth(index)
        pk = card.get_attribute("data-followup")
        call, complete = (
            card.locator(f"[data-testid=call-{pk}]"),
            card.locator(f"[data-testid=complete-{pk}]"),
        )
        expect(call).to_be_visible()
        expect(complete).to_be_visible()
        for element in (card, call, complete):
            box = element.bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], (pk, box)
    assert page.evaluate(WRAPPED_BUTTONS) == []


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_complete_with_an_outcome_and_greetings_sent_together(live_server, page, sales1):
    items = _day_of_work(sales1)
    _sign_in(page, live_server, sales1, "en")
    page.set_viewport_size(LAPTOP)
    page.goto(f"{live_server.url}/followups/")

    call = next(f for f in items if f.kind == FollowupKind.REGULAR)
    page.locator(f"[data-testid=no-answer-{call.pk}]").click()
    expect(page.locator(".alert-success")).to_contain_text(call.customer.name)
    expect(page.locator(f"[data-followup='{call.pk}']")).to_have_count(0)
    call.refresh_from_db()
    assert call.status == FollowupStatus.DONE
    assert ContactRecord.objects.get(customer=call.customer).outcome == "no_answer"

    greetings = [f for f in items if f.kind == FollowupKind.GREETING][:2]
    for greeting in greetings:
        page.locator(f"[data-followup='{greeting.pk}'] input[name=selected]").check()
    page.locator("[data-testid=bulk-sent]").click()
    expect(page.locator(".alert-success")).to_contain_text("2 greetings marked sent.")
    for greeting in greetings:
        expect(page.locator(f"[data-followup='{greeting.pk}']")).to_have_count(0)
        greeting.refresh_from_db()
        assert greeting.status == FollowupStatus.DONE
    others = Followup.objects.filter(kind=FollowupKind.GREETING, status=FollowupStatus.OPEN)
    assert others.count() == 6 - 2


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_more_menu_snoozes_and_records_other_outcomes(live_server, page, sales1):
    """The page carries the menu once; each item's "More" fills it for that follow-up:
    another outcome, a snooze with its reason, and only what the item allows (a greeting
    offers no call outcomes)."""
    items = _day_of_work(sales1)
    _sign_in(page, live_server, sales1, "zh-hans")
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/followups/")

    first, second = [f for f in items if f.kind == FollowupKind.REGULAR][:2]
    page.locator(f"[data-testid=more-{first.pk}]").click()
    menu = page.locator(f"[data-followup='{first.pk}'] .dropdown-menu")
    menu.get_by_role("button", name="有出游意向").click()
    expect(page.locator(".alert-success")).to_contain_text(first.customer.name)
    first.refresh_from_db()
    assert first.status == FollowupStatus.DONE
    assert ContactRecord.objects.get(customer=first.customer).outcome == "interested"

    page.locator(f"[data-testid=more-{second.pk}]").click()
    snooze = page.locator(f"[data-testid=snooze-{second.pk}]")
    snooze.get_by_label("暂缓：为什么要推迟？").fill("客户出差")
    snooze.get_by_role("button", name="3 天").click()
    expect(page.locator(".alert-success")).to_contain_text(second.customer.name)
    second.refresh_from_db()
    assert (second.due_on, second.status) == (timezone.localdate() + 3 * DAY, FollowupStatus.OPEN)

    greeting = next(f for f in items if f.kind == FollowupKind.GREETING)
    page.locator(f"[data-testid=more-{greeting.pk}]").click()
    menu = page.locator(f"[data-followup='{greeting.pk}'] .dropdown-menu")
    expect(menu.locator(f"[data-testid=snooze-{greeting.pk}]")).to_be_visible()
    expect(menu.get_by_role("button", name="有出游意向")).to_have_count(0)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
