"""My day, the follow-up actions, scoping and query counts."""

import datetime

import pytest
from django.urls import reverse

from customers.models import ContactRecord
from followups.models import Followup, FollowupKind, FollowupStatus, StandingVisit
from followups.services import followup_complete, planning_run
from tests.factories import BookingFactory, ContactRecordFactory, CustomerFactory
from tests.followups.conftest import TODAY, at

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)


def followup(owner, *, due_on=TODAY, kind=FollowupKind.REGULAR, key=None, **fields):
    customer = fields.pop("customer", None) or CustomerFactory(owner=owner)
    return Followup.objects.create(
        customer=customer,
        owner=owner,
        kind=kind,
        occasion_key=key or f"test:{customer.pk}",
        facts={"last": None, "grade": "C"},
        channel=fields.pop("channel", "phone"),
        planned_on=due_on,
        due_on=due_on,
        **fields,
    )


def _group(html: str, key: str) -> str:
    return html.split(f'data-testid="group-{key}"')[1].split("</section>")[0]


def test_my_day_groups_by_what_to_do_overdue_first(sales1, client_as, frozen):
    late = followup(sales1, due_on=TODAY - 2 * DAY)
    now = followup(sales1, due_on=TODAY)
    soon = followup(sales1, due_on=TODAY + 6 * DAY)
    later = followup(sales1, due_on=TODAY + 7 * DAY)
    trip = followup(sales1, due_on=TODAY - DAY, kind=FollowupKind.POST_TRIP)
    greeting = followup(sales1, due_on=TODAY + DAY, kind=FollowupKind.GREETING)
    page = client_as(sales1).get(reverse("followups:my_day"))
    assert page.status_code == 200
    html = page.text
    regular = _group(html, "regular")
    # Overdue first, then today, then the week; nothing past the week.
    assert (
        regular.index(f'data-followup="{late.pk}"')
        < regular.index(f'data-followup="{now.pk}"')
        < regular.index(f'data-followup="{soon.pk}"')
    )
    assert "2 days late" in regular and "1 overdue" in regular
    assert f'data-followup="{later.pk}"' not in html
    assert f'data-followup="{trip.pk}"' in _group(html, "post_trip")
    assert f'data-followup="{greeting.pk}"' in _group(html, "greeting")
    assert 'data-testid="group-feedback"' not in html  # no empty groups
    # The grade and a tel: link one tap away.
    assert f'href="tel:{late.customer.mobile}"' in regular
    assert '<span class="badge text-bg-warning" data-testid="my-day-count">3</span>' in html


def test_one_click_completion_writes_the_timeline(sales1, client_as, frozen):
    item = followup(sales1)
    client = client_as(sales1)
    response = client.post(
        reverse("followups:complete", args=[item.pk]),
        {
            "outcome": "interested",
            "channel": "phone",
            "notes": "想去日本赏樱",
            "next_step": "寄日本线路",
            "next": reverse("followups:my_day"),
        },
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == FollowupStatus.DONE
    record = ContactRecord.objects.get(customer=item.customer)
    assert (record.outcome, record.notes, record.next_step, record.by) == (
        "interested",
        "想去日本赏樱",
        "寄日本线路",
        sales1,
    )
    assert item.contact_record == record
    timeline = client.get(reverse("customers:detail", args=[item.customer_id])).text
    assert "想去日本赏樱" in timeline


def test_a_rep_never_sees_another_reps_follow_ups(sales1, sales2, sales3, client_as, frozen):
    theirs = followup(sales3)
    client = client_as(sales1)
    assert client.get(reverse("followups:detail", args=[theirs.pk])).status_code == 404
    for name in ("complete", "reschedule", "skip", "appointment"):
        assert client.post(reverse(f"followups:{name}", args=[theirs.pk]), {}).status_code == 404
    assert client.get(reverse("followups:my_day") + f"?rep={sales3.pk}").status_code == 404
    assert client.get(reverse("followups:my_day") + f"?rep={sales2.pk}").status_code == 404
    assert f'data-followup="{theirs.pk}"' not in client.get(reverse("followups:my_day")).text
    theirs.refresh_from_db()
    assert theirs.status == FollowupStatus.OPEN


def test_team_lead_and_manager_see_the_backlog(sales1, sales3, lead1, manager1, client_as, frozen):
    followup(sales1, due_on=TODAY - DAY)
    followup(sales3, due_on=TODAY)
    lead_page = client_as(lead1).get(reverse("followups:my_day")).text
    backlog = lead_page.split('data-testid="backlog"')[1]
    assert "王磊" in backlog and "张伟" not in backlog  # the lead's team only
    manager_page = client_as(manager1).get(reverse("followups:my_day")).text
    backlog = manager_page.split('data-testid="backlog"')[1]
    assert "王磊" in backlog and "张伟" in backlog
    rep_day = client_as(manager1).get(reverse("followups:my_day") + f"?rep={sales3.pk}")
    assert rep_day.status_code == 200 and "张伟" in rep_day.text
    assert 'data-testid="backlog"' not in client_as(sales1).get(reverse("followups:my_day")).text


def test_reschedule_and_skip_need_a_reason(sales1, client_as, frozen):
    item = followup(sales1)
    client = client_as(sales1)
    client.post(reverse("followups:reschedule", args=[item.pk]), {"due_on": "2026-11-30"})
    item.refresh_from_db()
    assert item.due_on == TODAY
    client.post(
        reverse("followups:reschedule", args=[item.pk]),
        {"due_on": "2026-11-30", "reason": "客户出差"},
    )
    item.refresh_from_db()
    assert (item.due_on, item.note) == (datetime.date(2026, 11, 30), "客户出差")
    client.post(reverse("followups:skip", args=[item.pk]), {"reason": "客户要求暂不联系"})
    item.refresh_from_db()
    assert item.status == FollowupStatus.SKIPPED


def test_a_visit_needs_a_confirmed_appointment(sales1, client_as, frozen):
    from django.core.exceptions import ValidationError

    key = CustomerFactory(owner=sales1, is_key_account=True)
    visit = followup(sales1, customer=key, kind=FollowupKind.KEY_ACCOUNT, channel="visit")
    with pytest.raises(ValidationError, match="appointment confirmed by phone"):
        followup_complete(actor=sales1, followup=visit, outcome="reached", channel="visit")
    client = client_as(sales1)
    client.post(
        reverse("followups:complete", args=[visit.pk]), {"outcome": "reached", "channel": "visit"}
    )
    visit.refresh_from_db()
    assert visit.status == FollowupStatus.OPEN
    client.post(
        reverse("followups:appointment", args=[visit.pk]),
        {"appointment_at": "2026-11-24T15:00", "note": "王总电话确认"},
    )
    visit.refresh_from_db()
    assert visit.appointment_at == at(TODAY + DAY, 15)
    assert visit.appointment_confirmed_at is not None
    followup_complete(actor=sales1, followup=visit, outcome="reached", channel="visit")
    visit.refresh_from_db()
    assert visit.status == FollowupStatus.DONE
    assert ContactRecord.objects.get(customer=key).channel == "visit"


def test_a_standing_weekly_visit_needs_no_phone_call(sales1, frozen):
    key = CustomerFactory(owner=sales1, is_key_account=True)
    StandingVisit.objects.create(
        customer=key,
        weekday=TODAY.weekday(),
        time=datetime.time(9),
        route="国贸",
        created_by=sales1,
    )
    planning_run(today=TODAY, now=at(TODAY, 6))
    weekly = Followup.objects.get(kind=FollowupKind.WEEKLY_VISIT, due_on=TODAY)
    followup_complete(actor=sales1, followup=weekly, outcome="reached", channel="visit")
    weekly.refresh_from_db()
    assert weekly.status == FollowupStatus.DONE


def test_my_day_query_count_does_not_grow(sales1, client_as, frozen, django_assert_max_num_queries):
    client = client_as(sales1)
    for n in range(3):
        followup(sales1, due_on=TODAY - n * DAY)
    with django_assert_max_num_queries(14) as small:
        client.get(reverse("followups:my_day"))
    for n in range(40):
        BookingFactory(customer=followup(sales1, due_on=TODAY + (n % 9 - 3) * DAY).customer)
    with django_assert_max_num_queries(len(small.captured_queries)):
        page = client.get(reverse("followups:my_day"))
    assert page.status_code == 200


def test_my_day_and_the_badge_read_by_owner_alone(
    sales1, sales2, client_as, frozen, django_assert_max_num_queries
):
    """No "customer's current owner" at read time any more (the owner column is kept
    right when a customer changes hands): My day is two queries on follow-ups, each
    filtering by owner_id and never by the customer's owner, the badge one COUNT."""
    mine = followup(sales1, due_on=TODAY - DAY)
    followup(sales2)  # someone else's, not on sales1's day
    client = client_as(sales1)
    # + 1: the open early warnings; + 3: the session saved on every request (idle timeout)
    with django_assert_max_num_queries(11) as page:
        response = client.get(reverse("followups:my_day"))
    assert f'data-followup="{mine.pk}"' in response.text
    reads = [q["sql"] for q in page.captured_queries if 'FROM "followups_followup"' in q["sql"]]
    assert len(reads) == 2  # the counts per kind, then the rows
    for sql in reads:
        where = sql.split(" WHERE ", 1)[1]
        assert f'"followups_followup"."owner_id" = {sales1.pk}' in where
        assert '"customers_customer"."owner_id"' not in where and "UNION" not in sql
    with django_assert_max_num_queries(40) as other:
        client.get(reverse("customers:list"))
    badge = [q["sql"] for q in other.captured_queries if 'FROM "followups_followup"' in q["sql"]]
    assert len(badge) == 1 and "COUNT(" in badge[0] and "JOIN" not in badge[0]
    assert f'"followups_followup"."owner_id" = {sales1.pk}' in badge[0]


def test_customer_page_panel_shows_open_follow_ups(
    sales1, client_as, frozen, django_assert_max_num_queries
):
    item = followup(sales1, due_on=TODAY + DAY)
    client = client_as(sales1)
    url = reverse("customers:detail", args=[item.customer_id])
    page = client.get(url).text
    panel = page.split('data-testid="followups-panel"')[1]
    assert reverse("followups:detail", args=[item.pk]) in panel
    assert reverse("followups:feedback_new", args=[item.customer_id]) in panel
    with django_assert_max_num_queries(60) as few:
        client.get(url)
    for n in range(10):
        followup(sales1, customer=item.customer, key=f"extra:{n}")
        ContactRecordFactory(customer=item.customer)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)


def test_churn_needs_one_of_the_six_reasons(sales1, client_as):
    """Marking a customer lost on the edit page asks for the reason they left."""
    customer = CustomerFactory(owner=sales1)
    client = client_as(sales1)
    url = reverse("customers:edit", args=[customer.pk])
    form = client.get(url).context["form"]
    data = {
        name: value
        for name, value in form.initial.items()
        if value not in (None, "") and not isinstance(value, list)
    }
    data.update({"status": "lost", "churn_reason": ""})
    page = client.post(url, data)
    assert page.status_code == 200
    assert "A lost customer needs the reason they left." in page.text
    customer.refresh_from_db()
    assert customer.status == "active"
    options = page.context["form"].fields["churn_reason"].choices
    assert {value for value, _label in options if value} == {
        "deceased",
        "moved_away",
        "not_target",
        "price",
        "product_defect",
        "poor_service",
    }


def test_admin_policy_for_managers_read_only_for_custodians(manager1, custodian1, client_as):
    from followups.models import FollowupPolicy

    policy = FollowupPolicy.objects.get()
    url = reverse("admin:followups_followuppolicy_changelist")
    assert client_as(manager1).get(url).status_code == 200
    add = client_as(manager1).post(
        reverse("admin:followups_followuppolicy_add"),
        {"effective_from": "2027-01-01", "post_trip_days": 2, "cadence_a_days": 30,
         "cadence_b_days": 45, "cadence_c_days": 60, "frequency_cap_days": 14,
         "plan_ahead_days": 7, "greeting_lead_days": 3, "key_account_visit_day": 10,
         "feedback_response_hours": 24, "mailing_cap_days": 90, "warning_fall_percent": 50,
         "warning_rise_percent": 100, "notes": "加快答复"},
    )  # fmt: skip
    assert add.status_code == 302
    assert FollowupPolicy.in_force(today=datetime.date(2027, 1, 2)).feedback_response_hours == 24
    assert FollowupPolicy.in_force(today=datetime.date(2026, 12, 31)) == policy
    custodian = client_as(custodian1)
    assert custodian.get(url).status_code == 200
    change = reverse("admin:followups_followuppolicy_change", args=[policy.pk])
    assert custodian.post(change, {"post_trip_days": 9}).status_code == 403
    policy.refresh_from_db()
    assert policy.post_trip_days == 3


def test_my_day_tells_staff_without_follow_ups_why_it_is_empty(finance1, client_as):
    """Finance and custodians plan no follow-ups: the page says so instead of a blank."""
    page = client_as(finance1).get(reverse("followups:my_day"))
    assert page.status_code == 200
    assert 'data-testid="no-followups"' in page.text


def test_a_swamped_day_shows_the_oldest_and_says_how_many_more(
    sales1, client_as, frozen, monkeypatch
):
    from followups import selectors

    monkeypatch.setattr(selectors, "MY_DAY_LIMIT", 2)
    oldest = [followup(sales1, due_on=TODAY - 3 * DAY), followup(sales1, due_on=TODAY - 2 * DAY)]
    newest = followup(sales1, due_on=TODAY)
    page = client_as(sales1).get(reverse("followups:my_day")).text
    assert all(f'data-followup="{item.pk}"' in page for item in oldest)
    assert f'data-followup="{newest.pk}"' not in page
    assert "1 more not shown; finish the oldest first." in page
