"""The default rules: points rulebook v1 (the programme starts on 1 January 2026) and the
annual spend reward policy from 1 January 2024. Managers publish new versions in the
admin; these rows never change."""

import datetime
from decimal import Decimal

from django.db import migrations

LEVELS = [
    # code, points per ¥, grade at least, 12-month spend at least, benefits
    ("standard", "1.000", "", None, "每消费1元积1分"),
    ("silver", "1.200", "B", "20000.00", "积分1.2倍；会员活动优先"),
    ("gold", "1.500", "A", "50000.00", "积分1.5倍；热门线路提前预订；生日礼物"),
    ("platinum", "2.000", "", "150000.00", "积分2倍；定制行程；专属客户经理"),
]

TIERS = [
    # kind, threshold, reward, face value
    ("individual", "50000.00", "精品线路免费游代金券（单人）", "3000.00"),
    ("individual", "100000.00", "精品线路双人免费游", "8000.00"),
    ("supplier", "300000.00", "精品线路免费游代金券（单人）", "3000.00"),
]


def create(apps, schema_editor):
    Rulebook = apps.get_model("loyalty", "Rulebook")
    CardLevel = apps.get_model("loyalty", "CardLevel")
    Policy = apps.get_model("loyalty", "AnnualRewardPolicy")
    Tier = apps.get_model("loyalty", "AnnualRewardTier")
    rulebook, created = Rulebook.objects.get_or_create(
        version=1,
        defaults={
            "effective_from": datetime.date(2026, 1, 1),
            "validity_months": 24,
            "point_value": Decimal("0.01"),
            "notes": "积分卡计划首版规则。",
        },
    )
    if created:
        CardLevel.objects.bulk_create(
            CardLevel(
                rulebook=rulebook,
                code=code,
                earn_rate=Decimal(rate),
                grade_at_least=grade,
                spend_at_least=Decimal(spend) if spend else None,
                benefits=benefits,
            )
            for code, rate, grade, spend, benefits in LEVELS
        )
    policy, created = Policy.objects.get_or_create(
        effective_from=datetime.date(2024, 1, 1), defaults={"notes": "年度消费奖励首版政策。"}
    )
    if created:
        Tier.objects.bulk_create(
            Tier(
                policy=policy,
                customer_kind=kind,
                threshold=Decimal(threshold),
                reward_name=name,
                reward_value=Decimal(value),
            )
            for kind, threshold, name, value in TIERS
        )


class Migration(migrations.Migration):
    dependencies = [("loyalty", "0001_initial")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
