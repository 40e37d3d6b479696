"""Every page staff use, at a million customers on PostgreSQL: median server time and
queries, against a one-query page measured in the same run.

    createdb -h 127.0.0.1 -U postgres bench_pages
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_pages
    .venv/bin/python manage.py migrate
    flock /tmp/bench.lock .venv/bin/python bench/pages.py [--customers 1000000] [--rounds 15]
        [--only SUBSTRING]

Data: bench/scale.py's customers, bookings and contact records, and bench/
scale_activity.py's tier statistics and review, 200,000 points cards with 1,000,000
lots and 1,000,000 audit entries, with `--followups` today's follow-up plan (made
once, found again on the next run). The real jobs fill the tiers and follow-up tables.

How: Django's test Client, in-process (no HTTP, no gunicorn: server time only, the
same middleware, sessions, templates and DEBUG off as in production), signed in with
force_login. Each page is requested once to warm it, its queries counted on a second
request (CaptureQueriesContext), then timed `--rounds` times, interleaved round by round
with the baseline, GET /healthz/ (one `SELECT 1`, no session, no template). Printed: the
median, the queries, and the ratio median / baseline median. A page whose URL answers
404 is skipped (so the table can list pages other branches add); any other status than
the one expected is said in its row, and the other pages are still measured. Goal:
every page under 150 ms.

To add a page: one `Page(label, who, url)` line in PAGES; `url` may use the fields of
`Targets` in braces.
"""

import argparse
import datetime
import os
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ["DEBUG"] = "0"
os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.dummy.EmailBackend"

GOAL_MS = 150
BASELINE = "/healthz/"
AUDIT = "/admin/customers/auditentry/"


@dataclass(frozen=True)
class Page:
    label: str
    who: str  # "rep" (5,000 customers), "manager", "custodian"
    url: str
    status: int = 200


PAGES = [
    Page("customer list, page 1", "rep", "/customers/"),
    Page("customer list, last page (200)", "rep", "/customers/?page=200"),
    Page("customer list, page 1", "manager", "/customers/"),
    Page("customer list, page 2,000", "manager", "/customers/?page=2000"),
    Page("filter: kind corporate", "manager", "/customers/?kind=corporate"),
    Page("filter: status lost", "manager", "/customers/?status=lost"),
    Page("filter: owner", "manager", "/customers/?owner={owner}"),
    Page("filter: source channel", "manager", "/customers/?source_channel=referral"),
    Page("filter: destination", "manager", "/customers/?destination={destination}"),
    Page("filter: not contacted 90 days", "manager", "/customers/?contact_age=90"),
    Page("filter: never contacted", "manager", "/customers/?contact_age=never"),
    Page("filter: semi-dormant", "manager", "/customers/?dormant=true"),
    Page("filter: key accounts", "manager", "/customers/?is_key_account=true"),
    Page("filter: semi-dormant", "rep", "/customers/?dormant=true"),
    Page("filter: not contacted 90 days", "rep", "/customers/?contact_age=90"),
    Page("search: name", "rep", "/customers/?q={rep_customer_name}"),
    Page("search: name", "manager", "/customers/?q={customer_name}"),
    # The name without the bench's own marker: every bench name begins "BENCH", whose
    # trigrams are in all million rows (no agency's names share one prefix like that).
    Page("search: part of a name", "rep", "/customers/?q={rep_customer_name_part}"),
    Page("search: part of a name", "manager", "/customers/?q={customer_name_part}"),
    Page("search: pinyin", "manager", "/customers/?q=kehu{customer_number}"),
    Page("search: mobile", "manager", "/customers/?q={mobile}"),
    Page("search: mobile", "rep", "/customers/?q={rep_mobile}"),
    Page("search: ID number", "manager", "/customers/?q=110101199003074514"),
    Page("customer page", "rep", "/customers/{rep_customer}/"),
    Page("customer page", "manager", "/customers/{customer}/"),
    Page("My day", "rep", "/followups/"),
    Page("/tiers/", "rep", "/tiers/"),
    Page("/tiers/", "manager", "/tiers/"),
    Page("tier review list", "manager", "/tiers/review/"),
    Page("tier review detail", "manager", "/tiers/review/{evaluation}/"),
    Page("points liability", "manager", "/loyalty/liability/"),
    Page("home page", "rep", "/"),
    Page("home page", "manager", "/"),
    Page("admin: audit log", "custodian", AUDIT),
    Page("admin: audit log, search user", "custodian", AUDIT + "?q={rep_username}"),
    Page("admin: audit log, search customer", "custodian", AUDIT + "?q={customer_name}"),
    Page("admin: audit log, filter who", "custodian", AUDIT + "?actor__id__exact={owner}"),
    Page("admin: audit log, filter type", "custodian", AUDIT + "?object_type=booking"),
]  # fmt: skip


@dataclass(frozen=True)
class Targets:
    """What the URLs point at, found in the bench data."""

    owner: int
    destination: int
    customer: int
    customer_name: str
    customer_number: int
    mobile: str
    rep_customer: int
    rep_customer_name: str
    customer_name_part: str
    rep_customer_name_part: str
    rep_mobile: str
    rep_username: str
    evaluation: int


def targets(data) -> Targets:
    from django.contrib.auth import get_user_model

    from customers.models import Customer
    from tiers.models import Evaluation

    bench = Customer.objects.filter(name__startswith="BENCH").order_by("pk")
    middle = bench.filter(pk__gte=bench.values_list("pk", flat=True)[data.customers // 2]).first()
    mine = bench.filter(owner_id=data.big_rep_id).order_by("pk")[2500]
    evaluation = Evaluation.objects.order_by("-review_date").first()
    return Targets(
        owner=data.rep_ids[7],
        destination=data.destination_ids[0],
        customer=middle.pk,
        customer_name=middle.name,
        customer_number=int(middle.name.removeprefix("BENCH客户").removeprefix("BENCH公司")),
        mobile=middle.mobile,
        rep_customer=mine.pk,
        rep_customer_name=mine.name,
        customer_name_part=middle.name.removeprefix("BENCH"),
        rep_customer_name_part=mine.name.removeprefix("BENCH"),
        rep_mobile=mine.mobile,
        rep_username=get_user_model().objects.get(pk=data.rep_ids[7]).username,
        evaluation=evaluation.pk if evaluation else 0,
    )


def timed_get(client, url: str):
    started = time.perf_counter()
    response = client.get(url)
    return time.perf_counter() - started, response


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--today", help="the day the jobs run for (default: today)")
    parser.add_argument(
        "--only", default="", help="only pages whose label contains one of these (comma-separated)"
    )
    parser.add_argument(
        "--followups", action="store_true", help="plan today's follow-ups first (My day)"
    )
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from bench.scale import load_scale_data
    from bench.scale_activity import load_activity

    if connection.vendor != "postgresql":
        sys.exit("bench/pages.py measures PostgreSQL: set DATABASE_URL to a scratch database.")
    today = datetime.date.fromisoformat(args.today) if args.today else timezone.localdate()
    started = time.perf_counter()
    data = load_scale_data(customers=args.customers, today=today)
    staff = load_activity(data, today=today, followups=args.followups)
    print(f"data ready: {data.customers:,} customers ({time.perf_counter() - started:.0f} s)")
    where = targets(data)
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    User = get_user_model()
    users = {
        "rep": User.objects.get(pk=staff.big_rep_id),
        "manager": User.objects.get(pk=staff.manager_id),
        "custodian": User.objects.get(pk=staff.custodian_id),
    }
    clients = {}
    for who, user in users.items():
        clients[who] = Client()
        clients[who].force_login(user)
    baseline_client = Client()

    wanted = [part for part in args.only.split(",") if part]
    pages = [p for p in PAGES if not wanted or any(part in p.label for part in wanted)]
    rows, baseline_times = [], []
    for page in pages:
        url = page.url.format(**where.__dict__)
        client = clients[page.who]
        first = client.get(url)
        if first.status_code == 404:
            rows.append((page, url, None, None, "404: skipped"))
            continue
        if first.status_code != page.status:
            # Said in the table, not fatal: the pages measured so far still print.
            rows.append((page, url, None, None, f"answered {first.status_code}, not {page.status}"))
            continue
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        query_count = len(queries)  # now: the next request's start empties the log
        times = []
        for _round in range(args.rounds):
            baseline_times.append(timed_get(baseline_client, BASELINE)[0])
            times.append(timed_get(client, url)[0])
        rows.append((page, url, statistics.median(times), query_count, ""))

    baseline = statistics.median(baseline_times)
    print(
        f"\n{len(pages)} pages, median of {args.rounds} requests each (in-process test client,"
        f" DEBUG off); baseline GET {BASELINE} median {baseline * 1000:.1f} ms"
        f" over {len(baseline_times)} requests\n"
    )
    print(f"| page | who | ms | queries | × {BASELINE} | < {GOAL_MS} ms |")
    print("|---|---|---:|---:|---:|---|")
    slow = 0
    for page, _url, median, query_count, note in rows:
        if median is None:
            print(f"| {page.label} | {page.who} | — | — | — | {note} |")
            continue
        ok = median * 1000 < GOAL_MS
        slow += not ok
        print(
            f"| {page.label} | {page.who} | {median * 1000:.0f} | {query_count}"
            f" | {median / baseline:.0f} | {'yes' if ok else '**no**'} |"
        )
    print(f"\n{slow} page(s) over {GOAL_MS} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
