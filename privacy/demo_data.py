"""The demo agency's consents, added by `manage.py load_demo` before the return-visit demo
plans its week (privacy is installed before followups): a published consent text, most
people agreed to everything on the paper form, some to the trip only (no marketing, no
cross-border), a few withdrew marketing calls by phone. Idempotent: skipped when the text
is already there. Set-based: one INSERT per batch of rows."""

import datetime
import random
import zoneinfo

from django.conf import settings
from django.utils import timezone

from customers.models import Customer, CustomerKind
from privacy.models import MARKETING_PURPOSES, Consent, ConsentText, Purpose

TEXT_VERSION = "2026-01"
TRIP_ONLY = (Purpose.SERVICE, Purpose.SUPPLIERS, Purpose.SENSITIVE_ID)


def load(*, stdout, today: datetime.date, seed: int = 2026) -> None:
    if ConsentText.objects.filter(version=TEXT_VERSION).exists():
        return
    text = ConsentText.objects.create(
        version=TEXT_VERSION,
        title="个人信息处理告知同意书",
        body=(
            "为履行旅游合同，本社将处理您的姓名、联系方式、身份证号等个人信息，"
            "并在行程需要时提供给酒店、地接社等供应商；出境游需向境外接待方提供。"
            "经您单独同意，本社可通过您选择的渠道向您发送节日问候、产品目录和活动邀请。"
            "您可随时撤回同意，撤回不影响撤回前基于同意已进行的处理。"
        ),
        published_on=datetime.date(2026, 1, 1),
    )
    rng = random.Random(seed)
    zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    now = timezone.now()
    people = Customer.all_objects.filter(kind=CustomerKind.INDIVIDUAL).values_list(
        "pk", "owner_id", "created_at"
    )
    rows, withdrawn = [], 0
    for pk, owner_id, created_at in people.iterator(chunk_size=2000):
        given_at = max(created_at, datetime.datetime(2026, 1, 2, 10, tzinfo=zone))
        share = rng.random()
        purposes = TRIP_ONLY if share < 0.12 else tuple(Purpose)
        for purpose in purposes:
            consent = Consent(
                customer_id=pk,
                purpose=purpose,
                given_at=given_at,
                method="paper",
                text=text,
                recorded_by_id=owner_id,
            )
            if purpose == Purpose.MARKETING_PHONE and 0.12 <= share < 0.17:
                consent.withdrawn_at = min(given_at + datetime.timedelta(days=30), now)
                consent.withdrawal_method = "phone"
                consent.withdrawn_by_id = owner_id
                withdrawn += 1
            rows.append(consent)
        if len(rows) >= 5000:
            Consent.objects.bulk_create(rows)
            rows = []
    Consent.objects.bulk_create(rows)
    stdout.write(
        f"Consents: text {TEXT_VERSION}; {withdrawn} withdrawal(s) of marketing calls; "
        f"{len(MARKETING_PURPOSES)} marketing channels."
    )
