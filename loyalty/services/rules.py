"""Publishing rules. A version applies from its effective date, which is today or later:
a published rule is never changed and never applied to the past (信守承诺)."""

import datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from loyalty.models import AnnualRewardPolicy, AnnualRewardTier, CardLevel, LevelCode, Rulebook
from loyalty.services.errors import PointsRefused


def _check_effective(*, effective_from: datetime.date, today: datetime.date, model) -> None:
    if effective_from < today:
        raise PointsRefused(
            _("Rules cannot apply to the past: choose today (%(today)s) or a later date.")
            % {"today": today.isoformat()}
        )
    if model.objects.filter(effective_from=effective_from).exists():
        raise PointsRefused(
            _("A version already takes effect on %(date)s.") % {"date": effective_from.isoformat()}
        )


@transaction.atomic
def rulebook_publish(
    *,
    actor,
    effective_from: datetime.date,
    today: datetime.date,
    levels: list[dict],
    validity_months: int = 24,
    point_value: Decimal = Decimal("0.01"),
    notes: str = "",
) -> Rulebook:
    """`levels`: dicts of CardLevel fields (code, earn_rate, grade_at_least,
    spend_at_least, benefits). The standard card must be open to all."""
    _check_effective(effective_from=effective_from, today=today, model=Rulebook)
    codes = [level["code"] for level in levels]
    if LevelCode.STANDARD not in codes or len(set(codes)) != len(codes):
        raise PointsRefused(_("Every version needs the standard card once, and each level once."))
    version = (Rulebook.objects.aggregate(top=Max("version"))["top"] or 0) + 1
    rulebook = Rulebook.objects.create(
        version=version,
        effective_from=effective_from,
        validity_months=validity_months,
        point_value=point_value,
        notes=notes,
        published_by=actor,
    )
    for fields in levels:
        level = CardLevel(rulebook=rulebook, **fields)
        if level.code == LevelCode.STANDARD and not level.is_open_to_all:
            raise PointsRefused(_("The standard card is for everyone: leave its rules empty."))
        level.full_clean()
        level.save()
    return rulebook


@transaction.atomic
def annual_policy_publish(
    *,
    actor,
    effective_from: datetime.date,
    today: datetime.date,
    tiers: list[dict],
    notes: str = "",
) -> AnnualRewardPolicy:
    _check_effective(effective_from=effective_from, today=today, model=AnnualRewardPolicy)
    policy = AnnualRewardPolicy.objects.create(
        effective_from=effective_from, notes=notes, published_by=actor
    )
    for fields in tiers:
        tier = AnnualRewardTier(policy=policy, **fields)
        tier.full_clean()
        tier.save()
    return policy
