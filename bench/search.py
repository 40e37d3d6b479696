"""The customer list and its search at a million customers, on PostgreSQL.

    DATABASE_URL=postgres://…/crm_bench python bench/search.py [--rounds 7]

Uses bench/scale.py's million customers and five million bookings, gives them realistic
Chinese names for the run (surnames, polyphonic ones included, given names, company
names; their pinyin written set-based from customers.pinyin's readings of each part)
and puts the BENCH names back at the end. Then, for a manager and for the rep with
5,000 customers, the median server time (the view through Django's test client, no
network) and the queries of: list page 1, the deepest page (the count cap's), each
filter (semi-dormant too), search by name, part of a name, pinyin, initials, mobile,
mobile's last four, e-mail and ID number. Also, as bare queries in the same run (page
of 25 plus the count): the conditions before this change (`OR id IN (subquery)`,
`UPPER(name) LIKE`, the anti-join over the bookings, the full count), and the two
pinyin designs (pg_trgm `LIKE '%…%'` against prefix `LIKE '…%'` on a pattern index).
"""

import argparse
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Q  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.roles import MANAGER  # noqa: E402
from bench.scale import BIG_REP_CUSTOMERS, MARK, load_scale_data  # noqa: E402
from customers.dormancy import dormant_days, dormant_since  # noqa: E402
from customers.models import AccessRequest, CustodyPolicy, Customer  # noqa: E402
from customers.pinyin import name_search_keys  # noqa: E402
from customers.selectors import customer_filter_dormant  # noqa: E402
from customers.services.dormancy import customers_dormancy_refresh  # noqa: E402

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏"
    "魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝"
    "龚邵万钱严覃武戴莫孔向汤单解区仇"
)
GIVEN = (
    "小晓雨宇伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏飞建国志文斌海燕丹婷雪梅春"
)
CITIES = ["北京", "上海", "广州", "深圳", "杭州", "成都", "武汉", "西安", "南京", "重庆"]
TRADES = ["华夏", "东方", "长城", "天成", "新世纪", "远航", "锦程", "恒通", "博雅", "康达"]
FORMS = ["科技有限公司", "旅游集团", "贸易有限公司", "实业有限公司", "文化传媒有限公司"]


def _keys(parts: list[str], kind: str) -> tuple[list[str], list[str]]:
    keys = [name_search_keys(part, kind=kind) for part in parts]
    return [full for full, _ in keys], [initials for _, initials in keys]


def realistic_names() -> None:
    """Set-based: each customer's name from its number n (mobile = '19' || n)."""
    sp, si = _keys(list(SURNAMES), "individual")
    gp, gi = _keys(list(GIVEN), "corporate")  # a given name's characters, no surname rule
    cp, ci = _keys(CITIES, "corporate")
    tp, ti = _keys(TRADES, "corporate")
    fp, fi = _keys(FORMS, "corporate")
    n = "CAST(substr(mobile, 3) AS bigint)"
    s, g1, g2 = (  # %% is SQL's modulo beside the %(name)s parameters
        f"(1 + {n} %% {len(SURNAMES)})",
        f"(1 + ({n} / 7) %% {len(GIVEN)})",
        f"(1 + ({n} / 311) %% {len(GIVEN)})",
    )
    c, t, f = (
        f"(1 + {n} %% {len(CITIES)})",
        f"(1 + ({n} / 11) %% {len(TRADES)})",
        f"(1 + ({n} / 113) %% {len(FORMS)})",
    )
    person = "(%(s)s)[{s}] || (%(g)s)[{g1}] || (%(g)s)[{g2}]"
    company = "(%(c)s)[{c}] || (%(t)s)[{t}] || (%(f)s)[{f}] || {n}"

    def pick(template: str, suffix: str) -> str:
        # "(%(s)s)[i]" picks from the names, "(%(sp)s)[i]" from their pinyin, "…i" initials.
        sql = template.format(s=s, g1=g1, g2=g2, c=c, t=t, f=f, n=n)
        return sql.replace(")s)", f"{suffix})s)")

    sql = f"""
        UPDATE customers_customer SET
          name = CASE WHEN kind = 'individual' THEN {pick(person, "")}
                      ELSE {pick(company, "")} END,
          name_pinyin = CASE WHEN kind = 'individual' THEN {pick(person, "p")}
                      ELSE {pick(company, "p")} END,
          name_initials = CASE WHEN kind = 'individual' THEN {pick(person, "i")}
                      ELSE {pick(company, "i")} END
        WHERE name LIKE '{MARK}%%'"""
    params = {"s": list(SURNAMES), "g": list(GIVEN), "c": CITIES, "t": TRADES, "f": FORMS}
    params |= {"sp": sp, "gp": gp, "cp": cp, "tp": tp, "fp": fp}
    params |= {"si": si, "gi": gi, "ci": ci, "ti": ti, "fi": fi}
    with connection.cursor() as cursor:
        cursor.execute(sql, {key: list(value) for key, value in params.items()})
        cursor.execute("ANALYZE customers_customer")


def bench_names_back() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE customers_customer SET name = '{MARK}' || CASE WHEN kind = 'individual'"
            " THEN '客户' ELSE '公司' END || CAST(substr(mobile, 3) AS bigint),"
            " name_pinyin = '', name_initials = ''"
            f" WHERE mobile LIKE '19%%' AND name NOT LIKE '{MARK}%%'"
        )


def median_ms(run, rounds: int) -> tuple[float, int]:
    run()  # warm the caches once
    times = []
    queries = 0
    for _ in range(rounds):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            run()
            times.append((time.perf_counter() - started) * 1000)
        queries = len(captured.captured_queries)
    return statistics.median(times), queries


def page_cases(sample) -> list[tuple[str, dict]]:
    return [
        ("list page 1", {}),
        ("list deepest page (400)", {"page": 400}),
        ("filter kind=corporate", {"kind": "corporate"}),
        ("filter status=lost", {"status": "lost"}),
        ("filter key accounts", {"is_key_account": "true"}),
        ("filter semi-dormant", {"dormant": "true"}),
        ("filter not semi-dormant", {"dormant": "false"}),
        ("filter not contacted 90+ days", {"contact_age": "90"}),
        ("sort newest first", {"sort": "-created"}),
        ("search full name", {"q": sample["name"]}),
        ("search 2 characters (小雨)", {"q": sample["given"]}),
        ("search part of a company", {"q": "华夏"}),
        ("search pinyin full", {"q": sample["pinyin"]}),
        ("search initials (3)", {"q": sample["initials"]}),
        ("search initials (2)", {"q": sample["initials"][:2]}),
        ("search mobile", {"q": sample["mobile"]}),
        ("search mobile last 4", {"q": sample["mobile"][-4:]}),
        ("search e-mail", {"q": sample["email"] or "nobody@bench.example"}),
        ("search ID number", {"q": "34052419800101001X"}),
    ]


def bare(queryset, rounds: int) -> float:
    def run():
        list(queryset.order_by("name", "id")[:25])
        queryset.order_by().values("pk")[:10_001].count()

    return median_ms(run, rounds)[0]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--no-refresh", action="store_true", help="skip timing the daily job")
    parser.add_argument(
        "--keep-names",
        action="store_true",
        help="the customers already carry the realistic names (an earlier run's); keep them",
    )
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("bench/search.py needs PostgreSQL (set DATABASE_URL)")
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["*"]
    today = timezone.localdate()
    if args.keep_names:
        big_rep = get_user_model().objects.get(username="bench-rep-big").pk
        run_cases(big_rep, args.rounds)
        return
    bench_names_back()  # an interrupted run left them renamed
    data = load_scale_data(customers=args.customers, bookings_per_customer=5, today=today)
    if not args.no_refresh:
        time_refresh()
    realistic_names()
    try:
        run_cases(data.big_rep_id, args.rounds)
    finally:
        bench_names_back()


def time_refresh() -> None:
    started = time.perf_counter()
    changed = customers_dormancy_refresh()
    print(f"daily dormancy refresh: {time.perf_counter() - started:.1f} s, {changed:,} rows")
    started = time.perf_counter()
    changed = customers_dormancy_refresh()
    print(f"  second run (nothing changed): {time.perf_counter() - started:.1f} s, {changed} rows")


def run_cases(big_rep_id: int, rounds: int) -> None:
    User = get_user_model()
    manager, _ = User.objects.get_or_create(username="bench-manager")
    manager.groups.add(Group.objects.get(name=MANAGER))
    # The bench signs in without a second factor (the policy asks it of managers).
    policy = CustodyPolicy.current()
    policy.two_factor_roles = []
    policy.save()
    rep = User.objects.get(pk=big_rep_id)
    owned = Customer.objects.filter(owner=rep, kind="individual").order_by("id").first()
    sample = {
        "name": owned.name,
        "given": owned.name[1:],
        "pinyin": owned.name_pinyin,
        "initials": owned.name_initials,
        "mobile": owned.mobile,
        "email": owned.email,
    }
    print(f"rep {rep.username}: {BIG_REP_CUSTOMERS:,} customers; sample {sample}")
    url = reverse("customers:list")
    rows = []
    for user in (manager, rep):
        client = Client()
        client.force_login(user)
        if client.get(url).status_code != 200:
            sys.exit(f"{user.username} does not get the customer list")
        for label, params in page_cases(sample):
            ms, queries = median_ms(lambda c=client, p=params: c.get(url, p), rounds)
            rows.append((user.username, label, ms, queries))
    print(f"\n{'who':<16}{'page':<34}{'median ms':>10}{'queries':>9}")
    for who, label, ms, queries in rows:
        print(f"{who:<16}{label:<34}{ms:>10.1f}{queries:>9}")

    print("\nbare queries (page of 25 + count), median ms")
    everyone = Customer.objects.all()
    granted = AccessRequest.objects.filter(requester=rep).values("customer_id")
    old_rep = everyone.filter(Q(owner=rep) | Q(pk__in=granted))
    new_rep = everyone.filter(owner=rep)
    since = dormant_since(as_of=timezone.localdate(), days=dormant_days())

    def old_search(text):
        return Q(name__icontains=text) | Q(email__iexact=text) | Q(mobile__startswith=text)

    comparisons = [
        ("rep list: OR id IN (subquery), full count", old_rep, None),
        ("rep list: owner only (ids fetched first)", new_rep, None),
        ("manager semi-dormant: anti-join", customer_filter_dormant(everyone), None),
        (
            "manager semi-dormant: stored date",
            everyone.filter(dormancy_counts_from__lt=since),
            None,
        ),
        (
            "manager search name: UPPER(name) LIKE",
            everyone.filter(old_search(sample["given"])),
            None,
        ),
    ]
    for key in (sample["initials"], sample["pinyin"]):
        trigram = Q(name_pinyin__contains=key) | Q(name_initials__contains=key)
        prefix = Q(name_pinyin__startswith=key) | Q(name_initials__startswith=key)
        comparisons.append(
            (f"manager pinyin {key!r}: pg_trgm LIKE '%…%'", everyone.filter(trigram), None)
        )
        comparisons.append(
            (f"manager pinyin {key!r}: prefix LIKE '…%'", everyone.filter(prefix), None)
        )
    for label, queryset, _ in comparisons:
        print(f"  {label:<58}{bare(queryset, rounds):>8.1f}")

    def full_count():
        return everyone.count()

    label = "manager full count (before: every list view)"
    print(f"  {label:<58}{median_ms(full_count, rounds)[0]:>8.1f}")
    print(
        f"  {'manager capped count (10,001)':<58}"
        f"{median_ms(lambda: everyone.values('pk')[:10_001].count(), rounds)[0]:>8.1f}"
    )


if __name__ == "__main__":
    main()
