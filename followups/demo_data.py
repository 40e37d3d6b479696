"""The demo agency's return-visit work, added by `manage.py load_demo` after customers,
archives and tiers: an agency that has kept up with its regular contacts (most customers
were called within their grade's cadence, a few slipped), a few days of planning runs
(so every rep has a few overdue items, some today and most later this week), a standing
weekly visit, an agreed appointment, key-account records, feedback (one
overdue), a VIP event with replies and a catalogue mailing. Idempotent: each part checks
for what it made before."""

import datetime
import random
import zoneinfo

from django.conf import settings
from django.contrib.auth import get_user_model

from customers.models import ContactRecord, Customer, Destination, ServiceRecord
from customers.selectors import customer_list_visible
from customers.services import customers_last_contact_refresh
from followups.models import (
    CatalogueMailing,
    CustomerEvent,
    EventInvitation,
    Followup,
    FollowupKind,
    FollowupPolicy,
    FollowupStatus,
    KeyAccountRecord,
    PlanningRun,
    StandingVisit,
)
from followups.selectors_care import customers_matching
from followups.services import (
    event_create,
    event_invite,
    feedback_receive,
    followup_complete,
    followup_confirm_appointment,
    followup_reschedule,
    invitation_record,
    key_account_record_create,
    mailing_create,
    planning_run,
)

PLANNING_DAYS = 3  # planning runs for the last days, so some work is overdue
# The share of customers whose regular contact slipped: the rest were called within
# their grade's cadence, so their next call falls due evenly over the coming weeks.
SLIPPED = 0.05
KEPT_UP_NOTES = [
    "例行回访，客户近况良好，暂无出行计划。",
    "微信问候，介绍了新上线的海岛线路。",
    "电话回访，客户考虑明年春节出行。",
    "客户对上次行程满意，答应推荐同事。",
]
FEEDBACK = [
    # (kind, source, summary, details, hours ago)
    ("complaint", "phone", "导游临时增加自费项目", "丽江团第三天，导游要求每人加付 280 元。", 60),
    ("suggestion", "wechat", "希望增加亲子游线路", "孩子 8 岁，暑假想去海边。", 20),
    ("request", "email", "申请开具团费发票", "公司报销需要增值税普通发票。", 5),
]
EVENT_NAME = "2026 年度 VIP 客户答谢晚宴"
MAILING_TITLE = "日本赏樱新线路目录"


def _shanghai(day: datetime.date, hour: int) -> datetime.datetime:
    return datetime.datetime.combine(
        day, datetime.time(hour), tzinfo=zoneinfo.ZoneInfo(settings.TIME_ZONE)
    )


def load(*, stdout, today: datetime.date, seed: int = 2026) -> None:
    rng = random.Random(seed)
    User = get_user_model()
    manager = User.objects.get(username="manager1")
    sales1 = User.objects.get(username="sales1")
    _standing_visit(sales1=sales1, today=today)
    _feedback(rng=rng, today=today)
    _contacts_kept_up(rng=rng, today=today)
    runs = 0
    for offset in range(PLANNING_DAYS, -1, -1):
        day = today - datetime.timedelta(days=offset)
        if planning_run(today=day, now=_shanghai(day, 6)) is not None:
            runs += 1
    _work_done(rng=rng, today=today)
    _key_account_records(rng=rng, today=today)
    _event(manager=manager, rng=rng, today=today)
    _mailing(manager=manager, today=today)
    open_count = Followup.objects.filter(status=FollowupStatus.OPEN).count()
    stdout.write(
        f"Return visits: {runs} planning run(s), {open_count} open follow-ups, a VIP event "
        "and a catalogue mailing."
    )


def _standing_visit(*, sales1, today: datetime.date) -> None:
    if StandingVisit.objects.exists():
        return
    key = Customer.objects.filter(owner=sales1, status="active").order_by("id").first()
    if key is None:
        return
    if not key.is_key_account:
        Customer.objects.filter(pk=key.pk).update(is_key_account=True)
    StandingVisit.objects.create(
        customer=key,
        weekday=today.weekday(),
        time=datetime.time(10),
        route="公司 → 客户总部 → 分公司",
        created_by=sales1,
    )


def _contacts_kept_up(*, rng, today: datetime.date) -> None:
    """A realistic agency is mostly on time: each live client was last contacted within
    their grade's cadence (a call on a day drawn evenly over it), except a few who
    slipped. So a rep opens the day with a few overdue items, not the whole book.
    Runs before the first planning run (and never again: it checks for one)."""
    if PlanningRun.objects.exists():
        return
    policy = FollowupPolicy.in_force(today=today)
    cadence = {"A": policy.cadence_a_days, "B": policy.cadence_b_days}
    live = (
        Customer.objects.filter(
            status__in=["active", "dormant"], kind__in=["individual", "corporate"]
        )
        .order_by("id")
        .values_list("id", "owner_id", "grade")
    )
    records = []
    for customer_id, owner_id, grade in live:
        if rng.random() < SLIPPED:
            continue
        days = cadence.get(grade, policy.cadence_c_days)
        day = today - datetime.timedelta(days=rng.randint(1, days))
        records.append(
            ContactRecord(
                customer_id=customer_id,
                by_id=owner_id,
                contacted_at=_shanghai(day, rng.randint(9, 18)),
                channel=rng.choice(["phone", "phone", "wechat"]),
                outcome="reached",
                notes=rng.choice(KEPT_UP_NOTES),
            )
        )
    ContactRecord.objects.bulk_create(records, batch_size=2000)
    customers_last_contact_refresh(customer_ids=[record.customer_id for record in records])


def _feedback(*, rng, today: datetime.date) -> None:
    if ServiceRecord.objects.filter(summary=FEEDBACK[0][2]).exists():
        return
    now = _shanghai(today, 9)
    customers = list(
        Customer.objects.filter(owner__username__in=["sales1", "sales2"], status="active")
        .select_related("owner")
        .order_by("id")[:30]
    )
    for (kind, source, summary, details, hours_ago), customer in zip(
        FEEDBACK, rng.sample(customers, len(FEEDBACK)), strict=False
    ):
        feedback_receive(
            actor=customer.owner,
            record=ServiceRecord(
                customer=customer,
                kind=kind,
                source_channel=source,
                summary=summary,
                details=details,
                occurred_at=now - datetime.timedelta(hours=hours_ago),
            ),
            now=now - datetime.timedelta(hours=hours_ago),
        )


def _work_done(*, rng, today: datetime.date) -> None:
    """Last week's work done on time: the post-trip visits of trips that ended before the
    demo's planning runs began were made on their day, except one in four (late, still
    open); and one key-account visit agreed by phone."""
    if Followup.objects.filter(status=FollowupStatus.DONE).exists():
        return
    overdue = list(
        Followup.objects.filter(
            status=FollowupStatus.OPEN, due_on__lt=today, kind=FollowupKind.POST_TRIP
        )
        .select_related("owner", "customer")
        .order_by("id")[:200]
    )
    for followup in rng.sample(overdue, len(overdue) - len(overdue) // 4):
        followup_complete(
            actor=followup.owner,
            followup=followup,
            outcome="reached",
            channel="phone",
            notes="客户对行程满意，导游服务好。",
            now=_shanghai(followup.due_on, 16),
        )
    # Each rep agreed with a few customers to call them today.
    for owner_id in Followup.objects.order_by().values_list("owner_id", flat=True).distinct():
        late = Followup.objects.filter(
            owner_id=owner_id, status=FollowupStatus.OPEN, due_on__lt=today,
            kind=FollowupKind.REGULAR,
        ).select_related("owner")[:3]  # fmt: skip
        for followup in late:
            followup_reschedule(
                actor=followup.owner, followup=followup, due_on=today,
                reason="客户约定今天回电", today=today,
            )  # fmt: skip
    visit = (
        Followup.objects.filter(status=FollowupStatus.OPEN, kind=FollowupKind.KEY_ACCOUNT)
        .select_related("owner")
        .order_by("id")
        .first()
    )
    if visit is not None:
        followup_confirm_appointment(
            actor=visit.owner,
            followup=visit,
            appointment_at=_shanghai(today + datetime.timedelta(days=1), 15),
            note="电话确认，客户行政部接待",
        )


def _key_account_records(*, rng, today: datetime.date) -> None:
    if KeyAccountRecord.objects.exists():
        return
    keys = Customer.objects.filter(is_key_account=True, status="active").select_related("owner")
    for customer in keys.order_by("id")[:4]:
        visit_date = today - datetime.timedelta(days=rng.randint(20, 40))
        key_account_record_create(
            actor=customer.owner,
            record=KeyAccountRecord(
                customer=customer,
                visit_date=visit_date,
                agency_attendees=f"{customer.owner.display_name}、刘建国",
                customer_attendees="行政部 李经理",
                topics="明年员工旅游计划；年会出行安排",
                opinions="对今年海南团整体满意，希望酒店再升一级。",
                issues="上次返程航班改期通知较晚。",
                commitments="两周内提交三套方案；航班变动当天短信通知。",
                next_visit_on=visit_date + datetime.timedelta(days=30),
            ),
        )


def _event(*, manager, rng, today: datetime.date) -> None:
    if CustomerEvent.objects.filter(name=EVENT_NAME).exists():
        return
    event = event_create(
        actor=manager,
        event=CustomerEvent(
            name=EVENT_NAME,
            starts_at=_shanghai(today + datetime.timedelta(days=24), 18),
            venue="国贸大酒店三层宴会厅",
            description="年度答谢、新线路发布、抽奖。",
        ),
    )
    visible = customer_list_visible(user=manager)
    event_invite(
        actor=manager, event=event, customers=customers_matching(visible=visible, grades=["A"])
    )
    event_invite(
        actor=manager,
        event=event,
        customers=customers_matching(visible=visible, key_accounts_only=True),
    )
    invitations = list(EventInvitation.objects.filter(event=event).order_by("id"))
    for invitation in rng.sample(invitations, len(invitations) // 2):
        invitation_record(
            actor=manager, invitation=invitation, reply=rng.choice(["accepted", "declined"])
        )


def _mailing(*, manager, today: datetime.date) -> None:
    if CatalogueMailing.objects.filter(title=MAILING_TITLE).exists():
        return
    japan = Destination.objects.filter(name="日本").first()
    if japan is None:
        return
    mailing_create(
        actor=manager,
        mailing=CatalogueMailing(
            title=MAILING_TITLE,
            product="东京—京都樱花七日游",
            mailed_on=today - datetime.timedelta(days=10),
        ),
        destinations=[japan],
        visible=customer_list_visible(user=manager),
    )
