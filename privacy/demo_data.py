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


# Travellers added long ago who never came back: the dormant-customer queue's demo.
# (name, mobile, ID number's first 17 characters, province, city, district, street, postcode)
DORMANT_PEOPLE = [
    ("韦晓岚", "13600001001", "33010619780312042",
     "浙江省", "杭州市", "西湖区", "文三路18号", "310012"),
    ("欧阳建华", "13600001002", "32010219650821031",
     "江苏省", "南京市", "玄武区", "北京东路9号", "210008"),
    ("诸葛明月", "13600001003", "32050819901105062",
     "江苏省", "苏州市", "姑苏区", "人民路266号", "215002"),
]  # fmt: skip


def load(*, stdout, today: datetime.date, seed: int = 2026) -> None:
    _consents(stdout=stdout, today=today, seed=seed)
    _dormant(stdout=stdout, today=today)


def _dormant(*, stdout, today: datetime.date) -> None:
    """A few people added seven years ago with no business and no contact since, then
    the retention job's run for today (privacy.dormant): the queue is not empty."""
    from customers.pinyin import name_search_keys
    from customers.validators import id_number_check_char, normalize_org_name, parse_id_number
    from privacy.dormant import add_years, dormant_propose

    mobiles = [person[1] for person in DORMANT_PEOPLE]
    if Customer.all_objects.filter(mobile__in=mobiles).exists():
        return
    owner_id = Customer.all_objects.values_list("owner_id", flat=True).order_by("id").first()
    if owner_id is None:
        return
    people = []
    for name, mobile, first17, province, city, district, street, postcode in DORMANT_PEOPLE:
        pinyin, initials = name_search_keys(name, kind=CustomerKind.INDIVIDUAL)
        id_number = first17 + id_number_check_char(first17)
        facts = parse_id_number(id_number)
        people.append(
            Customer(
                kind=CustomerKind.INDIVIDUAL, name=name, name_normalised=normalize_org_name(name),
                name_pinyin=pinyin, name_initials=initials, owner_id=owner_id, mobile=mobile,
                id_number=id_number, birthday=facts.birthday, sex=facts.sex,
                province=province, city=city, district=district, street_address=street,
                postal_code=postcode,
            )
        )  # fmt: skip
    Customer.all_objects.bulk_create(people)
    long_ago = timezone.make_aware(
        datetime.datetime.combine(add_years(today, -7), datetime.time(10))
    )
    Customer.all_objects.filter(mobile__in=mobiles).update(
        created_at=long_ago, dormancy_counts_from=long_ago.date()
    )
    run = dormant_propose(today=today)
    stdout.write(
        f"Dormant customers: {run.proposed_count if run else 0} proposed for anonymisation."
    )


def _consents(*, stdout, today: datetime.date, seed: int) -> None:
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
