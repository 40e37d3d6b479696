"""The annual spend reward 年度消费奖励 (1 January): customers whose net paid purchases in
the previous calendar year reached a threshold of the policy in force on 1 January of
that year get its reward, with a voucher code; their owners are told. Once per year per
customer (unique), and the year is claimed: the job run twice issues once."""

import datetime
import secrets
from collections import defaultdict

from django.conf import settings
from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from customers.audit import audit_record
from customers.dbstats import tables_analyze
from customers.models import AuditAction, Booking
from customers.services.outbox import MessageDraft, messages_queue
from loyalty.models import (
    AnnualReward,
    AnnualRewardCatchUp,
    AnnualRewardRun,
    AnnualRewardStatus,
)
from loyalty.selectors import PAID_STATUSES, annual_policy_in_force
from loyalty.services.errors import PointsRefused


def _voucher_code(year: int) -> str:
    return f"NJ{year}{secrets.token_hex(5).upper()}"


def _rewards_due(*, year: int, today: datetime.date) -> list[AnnualReward]:
    """`year`'s rewards not yet issued: customers whose net paid purchases that year reach
    a threshold of the policy in force on 1 January, each at the highest tier reached."""
    policy = annual_policy_in_force(on=datetime.date(year, 1, 1))
    tiers_by_kind = defaultdict(list)
    for tier in policy.tiers.all() if policy else []:
        tiers_by_kind[tier.customer_kind].append(tier)
    already = AnnualReward.objects.filter(year=year).values("customer_id")
    rewards = []
    for kind, tiers in tiers_by_kind.items():
        tiers.sort(key=lambda tier: tier.threshold, reverse=True)
        # One grouped query per customer kind, at the lowest threshold; the highest tier
        # each customer reached is picked from the (few) rows that pass.
        passed = (
            Booking.objects.filter(
                status__in=PAID_STATUSES,
                paid_date__gte=datetime.date(year, 1, 1),
                paid_date__lte=datetime.date(year, 12, 31),
                customer__kind=kind,
                customer__deleted_at__isnull=True,
            )
            .exclude(customer_id__in=already)
            .values("customer_id")
            .annotate(spend=Sum(F("amount") - F("refunded_amount")))
            .filter(spend__gte=tiers[-1].threshold)
            .order_by("customer_id")
        )
        for row in passed:
            tier = next(t for t in tiers if row["spend"] >= t.threshold)
            rewards.append(
                AnnualReward(
                    customer_id=row["customer_id"],
                    year=year,
                    tier=tier,
                    reward_name=tier.reward_name,
                    spend=row["spend"],
                    voucher_code=_voucher_code(year),
                    issued_on=today,
                    valid_until=datetime.date(today.year, 12, 31),
                )
            )
    return AnnualReward.objects.bulk_create(rewards, batch_size=2000)


def annual_rewards_issue(
    *, year: int, today: datetime.date, notify: bool = True
) -> AnnualRewardRun | None:
    """Issue `year`'s rewards. None when the year was already run. `notify=False`
    (demo data) records the rewards without e-mailing the owners."""
    with transaction.atomic():
        run, created = AnnualRewardRun.objects.get_or_create(year=year, defaults={"run_on": today})
        if not created:
            return None
        rewards = _rewards_due(year=year, today=today)
        run.issued_count = len(rewards)
        tables_analyze(AnnualReward, changed_rows=run.issued_count)
        # The owners' e-mails are queued in the outbox with the claim: sent after the
        # commit, again while mail is down.
        if rewards and notify:
            run.notified_owners = _tell_owners(year=year, rewards=rewards)
        run.save(update_fields=["issued_count", "notified_owners"])
    return run


# A purchase of a year may be recorded late (finance closes the books in the new year):
# the spend years already run are looked at again for this long.
CATCH_UP_YEARS = 2


def annual_rewards_catch_up(*, today: datetime.date) -> list[AnnualRewardCatchUp]:
    """Look again at the spend years already run (the last CATCH_UP_YEARS): a customer
    whose purchases of such a year, recorded after its run, now pass a threshold gets
    the reward (once per customer and year, as ever), with a catch-up record; the owners
    are told of these only. Claimed per year and day: run twice, it issues once. The
    monthly points job runs it."""
    years = AnnualRewardRun.objects.filter(
        year__gte=today.year - CATCH_UP_YEARS, year__lt=today.year
    ).values_list("year", flat=True)
    done = []
    for year in sorted(years):
        with transaction.atomic():
            catch_up, created = AnnualRewardCatchUp.objects.get_or_create(year=year, run_on=today)
            if not created:
                continue
            rewards = _rewards_due(year=year, today=today)
            catch_up.issued_count = len(rewards)
            if rewards:
                catch_up.notified_owners = _tell_owners(year=year, rewards=rewards)
            catch_up.save(update_fields=["issued_count", "notified_owners"])
        done.append(catch_up)
    return done


def _tell_owners(*, year: int, rewards: list[AnnualReward]) -> int:
    """One e-mail per owner listing their customers' new rewards for the year."""
    by_owner = defaultdict(list)
    rows = AnnualReward.objects.filter(pk__in=[reward.pk for reward in rewards]).select_related(
        "customer__owner"
    )
    for reward in rows.order_by("customer__name"):
        owner = reward.customer.owner
        if owner.email:
            by_owner[owner.email].append(reward)
    messages = []
    with translation.override(settings.LANGUAGE_CODE):
        for email, rewards in by_owner.items():
            subject = _("Annual spend rewards for %(year)d: %(count)d of your customers") % {
                "year": year,
                "count": len(rewards),
            }
            lines = [
                _("%(customer)s: %(reward)s (voucher %(code)s, spend ¥%(spend)s)")
                % {
                    "customer": reward.customer.name,
                    "reward": reward.reward_name,
                    "code": reward.voucher_code,
                    "spend": f"{reward.spend:,.2f}",
                }
                for reward in rewards
            ]
            advice = _("Please tell each customer and book their reward trip like any paid trip.")
            messages.append(MessageDraft([email], subject, "\n".join([*lines, "", advice])))
    return len(messages_queue(kind="loyalty.annual_reward", drafts=messages))


def annual_reward_use(
    *, actor, reward_id: int, booking_id: int, today: datetime.date | None = None
) -> AnnualReward:
    """Record the booking a reward voucher paid for (the trip is then served like any
    paid trip: 客户为本)."""
    today = today or timezone.localdate()
    with transaction.atomic():
        reward = (
            AnnualReward.objects.select_for_update(of=("self",))
            .select_related("customer")
            .get(pk=reward_id)
        )
        if reward.status != AnnualRewardStatus.ISSUED:
            raise PointsRefused(_("This voucher has already been used."))
        if today > reward.valid_until:
            raise PointsRefused(
                _("This voucher expired on %(date)s.") % {"date": reward.valid_until.isoformat()}
            )
        booking = Booking.objects.filter(pk=booking_id, customer_id=reward.customer_id).first()
        if booking is None:
            raise PointsRefused(_("Choose one of this customer's bookings."))
        reward.status = AnnualRewardStatus.USED
        reward.used_on = today
        reward.used_booking = booking
        reward.used_by = actor
        reward.save(update_fields=["status", "used_on", "used_booking", "used_by"])
        audit_record(
            actor=actor,
            action=AuditAction.CHANGE,
            obj=reward,
            customer=reward.customer,
            object_type="loyalty_annual_reward",
            detail={"voucher": reward.voucher_code, "booking": booking.pk},
        )
    return reward
