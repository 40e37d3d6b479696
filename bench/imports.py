"""Benchmark the spreadsheet import against a bare read of the same file.

    createdb -h 127.0.0.1 -U postgres crm_bench_imports
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/crm_bench_imports
    .venv/bin/python manage.py migrate
    .venv/bin/python bench/imports.py [--customers 100000] [--bookings 400000]

Builds (once, cached in /tmp) an XLSX of `--customers` customers (20 columns, as an
agency's list: ID numbers and mobiles as text, dates as date cells) and one of
`--bookings` bookings of those customers (16 columns, found by ID number), then, in the
same run, prints for each file:

- the bare read: python-calamine iterating every cell of every row (the floor for any
  importer), and for the customers file openpyxl's read-only mode doing the same (why
  calamine);
- the floor of the check (`bare_check`: read, each cell parsed with its column's reader,
  the model fields' validators, one batched look-up of the keys per 1,000 rows; in a
  plain loop, no engine) and the check over it, as CPU per row too;
- the check (`import_job_check`: every row parsed, validated, looked up; nothing written);
- the commit (`import_job_commit`: the same plus bulk writes, history and audit rows);
- the same file committed again (all rows unchanged);
- the ratios check/read (goal ≤ 3) and commit/read (goal ≤ 5), as wall time, as this
  process's CPU time over the read's (on a shared machine the wall clock measures the
  queue), and with the PostgreSQL backend's CPU added (read from /proc: the database's
  own work for the commit is in the server); the process's peak resident memory;
- the floor of the commit's writes: the rows it wrote (customers with history, audit and
  links; bookings with history, audit and the points they earned) loaded again by bare
  COPY into tables with the same indexes and keys, wall and CPU, as ratios too.
Needs an empty archive (a scratch database): the import is what fills it.
"""

import argparse
import datetime
import os
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.dummy.EmailBackend"
os.environ["DEBUG"] = "0"

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华"
CITIES = [("北京市", "北京市", "朝阳区"), ("上海市", "上海市", "浦东新区"),
          ("广东省", "广州市", "天河区"), ("浙江省", "杭州市", "西湖区")]  # fmt: skip
PLACES = ["三亚", "丽江", "桂林", "日本", "泰国", "新加坡", "西安", "成都"]


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def id_number(n: int) -> str:
    from customers.validators import id_number_check_char

    birthday = datetime.date(1960, 1, 1) + datetime.timedelta(days=n % 15000)
    first17 = f"110105{birthday:%Y%m%d}{n // 15000 % 1000:03d}"
    return first17 + id_number_check_char(first17)


def customer_rows(count: int):
    rng = random.Random(7)
    yield ["客户类型", "姓名", "身份证号码", "手机", "电话", "邮箱", "省份", "城市", "区县",
           "详细地址", "邮编", "来源渠道", "希望去的地方", "标签", "职业", "座位偏好",
           "酒店等级", "饮食", "结婚纪念日", "备注"]  # fmt: skip
    for n in range(count):
        province, city, district = CITIES[n % len(CITIES)]
        number = id_number(n)
        yield [
            "散客",
            rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN),
            number if n % 1000 else number[:6] + " " + number[6:],
            f"13{n:09d}",
            "",
            f"c{n}@example.com",
            province,
            city,
            district,
            f"建国路{n % 500}号{n % 30}单元",
            "100020",
            rng.choice(["到店咨询", "转介绍", "网站", "呼叫中心"]),
            "、".join(rng.sample(PLACES, 2)),
            "",
            rng.choice(["教师", "医生", "工程师", "公务员"]),
            rng.choice(["靠窗", "靠过道", ""]),
            "",
            "",
            datetime.date(2000, 1, 1) + datetime.timedelta(days=n % 7000),
            "",
        ]


def booking_rows(count: int, customers: int):
    rng = random.Random(11)
    yield ["订单号", "身份证号码", "产品名称", "目的地", "出行类型", "出发日期", "返回日期",
           "人数", "金额", "成本", "付款期限", "付款日期", "退款金额", "状态", "来源系统",
           "备注"]  # fmt: skip
    for n in range(count):
        start = datetime.date(2024, 1, 1) + datetime.timedelta(days=n % 700)
        amount = rng.randrange(2000, 40000)
        place = PLACES[n % len(PLACES)]
        paid = n % 5 != 0
        yield [
            f"BK-{n:07d}",
            id_number(n % customers),
            f"{place}{rng.randrange(3, 9)}日游",
            place,
            "出境" if place in ("日本", "泰国", "新加坡") else "国内",
            start,
            start + datetime.timedelta(days=5),
            rng.randrange(1, 5),
            f"¥{amount:,}.00",
            round(amount * 0.8, 2),
            start - datetime.timedelta(days=10),
            start - datetime.timedelta(days=12) if paid else None,
            0,
            "已付款" if paid else "已预订",
            "ledger",
            "",
        ]


def build(path: Path, rows) -> float:
    """Write the workbook (cached: built once per size)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    if path.exists():
        return 0.0
    started = time.perf_counter()
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("数据")
    sheet.append(["2024 年客户资料（内部）"])
    for row in rows:
        out = []
        for value in row:
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, datetime.date):
                cell.number_format = "yyyy-mm-dd"
            out.append(cell)
        sheet.append(out)
    partial = path.with_suffix(".partial")
    workbook.save(partial)
    partial.rename(path)
    return time.perf_counter() - started


def bare_read_calamine(path: Path) -> tuple[float, int]:
    from python_calamine import CalamineWorkbook

    started = time.perf_counter()
    workbook = CalamineWorkbook.from_path(str(path))
    cells = 0
    for row in workbook.get_sheet_by_index(0).iter_rows():
        for _value in row:
            cells += 1
    return time.perf_counter() - started, cells


def bare_read_openpyxl(path: Path) -> float:
    from openpyxl import load_workbook

    started = time.perf_counter()
    workbook = load_workbook(path, read_only=True, data_only=True)
    for row in workbook.worksheets[0].iter_rows(values_only=True):
        for _value in row:
            pass
    workbook.close()
    return time.perf_counter() - started


def reader_alone(reader: str, path: Path) -> dict:
    """One reader over every cell, in a process of its own: its time and what it adds to
    the process's peak memory (resident set; Python objects by tracemalloc when asked)."""
    import json
    import subprocess

    # Peak memory from /proc (VmHWM): getrusage's ru_maxrss is inherited across fork and
    # exec on Linux, so a child would report the parent's peak.
    code = (
        "import json, sys, time, tracemalloc\n"
        f"sys.path.insert(0, {str(Path(__file__).resolve().parent)!r})\n"
        "import imports as bench\n"
        "from python_calamine import CalamineWorkbook\n"
        "import openpyxl\n"
        "def status(key):\n"
        "    for line in open('/proc/self/status'):\n"
        "        if line.startswith(key + ':'): return int(line.split()[1]) / 1024\n"
        "trace = sys.argv[3] == 'trace'\n"
        "before = status('VmRSS')\n"
        "if trace: tracemalloc.start()\n"
        "cpu = time.process_time()\n"
        "read = {'calamine': bench.bare_read_calamine,\n"
        "        'openpyxl': bench.bare_read_openpyxl}[sys.argv[1]]\n"
        "result = read(sys.argv[2])\n"
        "seconds = result[0] if isinstance(result, tuple) else result\n"
        "out = {'seconds': seconds, 'cpu': time.process_time() - cpu,\n"
        "       'rss_before_mb': before, 'rss_peak_mb': status('VmHWM')}\n"
        "if trace: out['python_peak_mb'] = tracemalloc.get_traced_memory()[1] / 1e6\n"
        "print(json.dumps(out))\n"
    )
    found = {}
    for mode in ("time", "trace"):
        done = subprocess.run(  # noqa: S603 - this interpreter, this script's own code
            [sys.executable, "-c", code, reader, str(path), mode],
            capture_output=True,
            text=True,
            check=True,
        )
        found[mode] = json.loads(done.stdout.strip().splitlines()[-1])
    return {**found["time"], "python_peak_mb": found["trace"]["python_peak_mb"]}


FLOOR_TABLES = {
    # kind → (table, the rows of it the import wrote)
    "customers": (
        ("customers_customer", "TRUE"),
        ("customers_historicalcustomer", "TRUE"),
        ("customers_auditentry", "object_type = 'customer'"),
        ("customers_customer_desired_destinations", "TRUE"),
        ("customers_customer_tags", "TRUE"),
    ),
    "bookings": (
        ("customers_booking", "TRUE"),
        ("customers_historicalbooking", "TRUE"),
        ("customers_auditentry", "object_type = 'booking'"),
        # The points the paid bookings earned (after the commit, set-based).
        ("loyalty_card", "TRUE"),
        ("loyalty_ledgerentry", "TRUE"),
    ),
}


def backend_cpu() -> float | None:
    """CPU seconds (user + system) of this connection's PostgreSQL backend so far, read
    from /proc (the server runs on this machine); None where it cannot be read."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def bare_writes(kind: str) -> tuple[float, float]:
    """The floor of the commit's writes: the rows the import wrote (the records, their
    history rows, audit entries, links; for bookings the points they earned), loaded
    again with bare COPYs, in one transaction, into scratch tables with the same
    columns, indexes, constraints and foreign keys (checked at COMMIT, as for the
    import). (Wall seconds, this process's CPU + its server's CPU seconds)."""
    import io

    from django.db import connection, transaction

    dumps, columns = {}, {}
    tables = FLOOR_TABLES[kind]
    with connection.cursor() as cursor:
        for table, which in tables:
            # Every column but generated ones (gross_profit), which COPY cannot fill.
            cursor.execute(
                "SELECT string_agg(quote_ident(column_name), ', ' ORDER BY ordinal_position) "
                "FROM information_schema.columns WHERE table_name = %s AND is_generated = 'NEVER'",
                [table],
            )
            columns[table] = cursor.fetchone()[0]
            buffer = io.StringIO()
            cursor.cursor.copy_expert(
                f"COPY (SELECT {columns[table]} FROM {table} WHERE {which}) TO STDOUT",
                buffer,
            )
            dumps[table] = buffer
            cursor.execute(f"DROP TABLE IF EXISTS floor_{table}")
            cursor.execute(f"CREATE TABLE floor_{table} (LIKE {table} INCLUDING ALL)")
            cursor.execute(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid = %s::regclass AND contype = 'f'",
                [table],
            )
            for name, definition in cursor.fetchall():
                cursor.execute(f"ALTER TABLE floor_{table} ADD CONSTRAINT f_{name} {definition}")
    server = backend_cpu()
    started, cpu = time.perf_counter(), time.process_time()
    with transaction.atomic(), connection.cursor() as cursor:
        for table, _which in tables:
            dumps[table].seek(0)
            cursor.cursor.copy_expert(
                f"COPY floor_{table} ({columns[table]}) FROM STDIN", dumps[table]
            )
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    if server is not None:
        cpu += backend_cpu() - server
    with connection.cursor() as cursor:
        for table, _which in tables:
            cursor.execute(f"DROP TABLE floor_{table}")
    return seconds, cpu


def bare_check(path: Path, job) -> int:
    """The floor of the check: the work any check of this file must do per row, in one
    plain loop with no engine (no Row objects, no reports, no messages, no importer).
    For each row of the sheet below the header row the upload found:

    - read it with python-calamine (as `bare_read_calamine`);
    - parse each mapped cell with its column's own reader (imports/fields: the same
      functions the engine calls: dates and amounts as spreadsheets hold them, ID
      numbers, mobiles and booking numbers through customers.validators' normalisers,
      choices from their labels), a string cell stripped first;
    - put the parsed values of the model's own plain fields (not relations, lists or
      derived ones) on one scratch instance of the model and run the fields' validators
      on them: `customers.field_checks.FieldChecks(Model).only(those fields).clean`,
      what the importers run (errors caught and counted, as a check keeps going);
    - per 1,000 rows, one batched look-up of the keys on file, with the importer's own
      query shape (`= ANY(array)` on the indexed column): customers by the blind index
      of the rows' distinct ID numbers (computed once per distinct number) or by mobile;
      for bookings also the bookings on file by (source, booking number). Only the keys
      are fetched (`values_list`), no model instances.

    Not in the floor (the check does them, the floor does not): duplicates within the
    file, matching rows to what was found (one customer or several, whose, may the
    actor write), the name's pinyin, facts derived from an ID number, the booking's
    clean() and CHECK constraints, outcomes and the report. Returns the rows done."""
    from django.core.exceptions import ValidationError
    from django.db.models import Q
    from python_calamine import CalamineWorkbook

    from customers.field_checks import FieldChecks
    from customers.id_numbers import blind_index
    from customers.models import Booking, Customer
    from customers.services.booking_sync.writing import _number_in
    from imports.fields import field_map
    from imports.kinds.common import customers_by_id_index, customers_by_mobile

    model = Customer if job.kind == "customers" else Booking
    specs = field_map(job.kind)
    columns = []  # (cell index, field name, reader)
    for index, header in enumerate(job.headers):
        name = (job.mapping or {}).get(header) or ""
        if name in specs:
            columns.append((index, name, specs[name].reader))
    plain = {
        field.name: field
        for field in model._meta.concrete_fields
        if not field.is_relation
        and not field.primary_key
        and not getattr(field, "generated", False)
    }
    checked = [name for _i, name, _r in columns if name in plain]
    checks = FieldChecks(model).only(checked)
    empty = {
        plain[name].attname: (None if plain[name].null else plain[name].get_default())
        for name in checked
    }
    scratch = model()
    id_key = "id_number" if model is Customer else "customer_id_number"
    mobile_key = "mobile" if model is Customer else "customer_mobile"
    digests: dict[str, str] = {}
    errors = rows = 0

    def look_up(keys: list[tuple]) -> None:
        ids = {digests.setdefault(n, blind_index(n)) for n, _m, _s, _b in keys if n}
        mobiles = {m for _n, m, _s, _b in keys if m}
        condition = Q(pk__in=[])
        if ids:
            condition |= customers_by_id_index(ids)
        if mobiles:
            condition |= customers_by_mobile(mobiles)
        list(Customer.all_objects.filter(condition).values_list("pk", "id_number_index", "mobile"))
        if model is Booking:
            numbers: dict[str, list[str]] = {}
            for _n, _m, source, number in keys:
                numbers.setdefault(source, []).append(number)
            on_file = Q()
            for source, wanted in numbers.items():
                on_file |= Q(source=source) & _number_in(wanted)
            list(Booking.objects.filter(on_file).values_list("pk", "source", "source_number"))

    workbook = CalamineWorkbook.from_path(str(path))
    keys: list[tuple] = []
    for number, cells in enumerate(workbook.get_sheet_by_index(0).iter_rows(), start=1):
        if number <= job.header_row or all(cell in (None, "") for cell in cells):
            continue
        values = {}
        width = len(cells)
        for index, name, read in columns:
            cell = cells[index] if index < width else None
            if cell.__class__ is str:
                cell = cell.strip()
            try:
                values[name] = read(cell)
            except ValidationError:
                errors += 1
        scratch.__dict__.update(empty)
        for name in checked:
            value = values.get(name)
            if value is not None and value != "":
                scratch.__dict__[plain[name].attname] = value
        try:
            checks.clean(scratch, checked)
        except ValidationError:
            errors += 1
        keys.append(
            (values.get(id_key) or "", values.get(mobile_key) or "",
             values.get("source") or "import", values.get("source_number") or "")
        )  # fmt: skip
        rows += 1
        if len(keys) >= 1000:
            look_up(keys)
            keys = []
    if keys:
        look_up(keys)
    return rows


def run_file(*, label, path, kind, actor, owner, openpyxl_too):
    from django.core.files import File
    from django.db import connection

    from imports.services import import_job_check, import_job_commit, import_job_create

    cpu = time.process_time()
    read, cells = bare_read_calamine(path)
    read_cpu = time.process_time() - cpu
    print(f"\n{label}: {path.name} ({path.stat().st_size / 1e6:.1f} MB, {cells:,} cells)")
    print(f"  bare read, python-calamine:     {read:7.2f} s   (CPU {read_cpu:6.2f} s)")
    if openpyxl_too:
        for reader in ("calamine", "openpyxl")[: 1 if openpyxl_too == "calamine" else 2]:
            alone = reader_alone(reader, path)
            grown = alone["rss_peak_mb"] - alone["rss_before_mb"]
            print(f"  {reader + ' alone:':17s} {alone['seconds']:7.2f} s "
                  f"(CPU {alone['cpu']:6.2f} s)"
                  f"  peak RSS {alone['rss_peak_mb']:5.0f} MB (+{grown:.0f} MB for the file)"
                  f"  Python objects' peak {alone['python_peak_mb']:6.1f} MB")  # fmt: skip
    with path.open("rb") as handle:
        started = time.perf_counter()
        job = import_job_create(
            actor=actor, upload=File(handle, name=path.name), kind=kind, owner=owner
        )
        upload = time.perf_counter() - started
    print(f"  upload (store, hash, find header): {upload:5.2f} s   header row {job.header_row}")

    def measured(step):
        server = backend_cpu()
        started, cpu = time.perf_counter(), time.process_time()
        report = step(actor=actor, job=job)
        wall, cpu = time.perf_counter() - started, time.process_time() - cpu
        server = backend_cpu() - server if server is not None else 0.0
        return report, wall, cpu, server

    def line(name, goal, wall, cpu, server, counts):
        print(f"  {name:7s} {wall:7.2f} s {wall / read:5.1f}× read (goal ≤ {goal})   "
              f"CPU {cpu:6.2f} s {cpu / read_cpu:5.1f}× the read's   "
              f"+ server CPU {server:6.2f} s: {(cpu + server) / read_cpu:5.1f}×   "
              f"peak RSS {rss_mb():6.0f} MB   {counts}")  # fmt: skip

    server = backend_cpu()
    started, cpu = time.perf_counter(), time.process_time()
    floor_rows = bare_check(path, job)
    floor, floor_cpu = time.perf_counter() - started, time.process_time() - cpu
    floor_server = backend_cpu() - server if server is not None else 0.0
    print(f"  floor of the check (read, parse, field validators, a look-up per 1,000 rows; "
          f"{floor_rows:,} rows): {floor:6.2f} s = {floor / read:4.1f}× read, "
          f"CPU {floor_cpu:6.2f} s = {floor_cpu / read_cpu:4.1f}× the read's "
          f"(+ server CPU {floor_server:5.2f} s)")  # fmt: skip
    report, check, check_cpu, check_server = measured(import_job_check)
    line("check:", 3, check, check_cpu, check_server, report["counts"])
    per_row = {name: seconds / max(1, floor_rows) * 1e6
               for name, seconds in (("check", check_cpu), ("floor", floor_cpu),
                                     ("read", read_cpu))}  # fmt: skip
    print(f"  check / floor of the check: {check / floor:4.1f}× wall, "
          f"CPU {check_cpu / floor_cpu:4.1f}×; CPU per row: check {per_row['check']:4.0f} µs, "
          f"floor {per_row['floor']:4.0f} µs, read {per_row['read']:4.0f} µs")  # fmt: skip
    report, commit, commit_cpu, commit_server = measured(import_job_commit)
    line("commit:", 5, commit, commit_cpu, commit_server, report["counts"])
    writes, writes_cpu = bare_writes(kind)
    print(f"  floor of the commit's writes (bare COPY of the same rows, history, audit"
          f"{', links' if kind == 'customers' else ', points'}; same indexes and keys): "
          f"{writes:6.2f} s = {writes / read:4.1f}× read, CPU with server's "
          f"{writes_cpu:6.2f} s = {writes_cpu / read_cpu:4.1f}× the read's; "
          f"read + those writes = {(read + writes) / read:4.1f}× "
          f"(CPU {(read_cpu + writes_cpu) / read_cpu:4.1f}×)")  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    started = time.perf_counter()
    report = import_job_commit(actor=actor, job=job)
    again = time.perf_counter() - started
    print(f"  again:   {again:7.2f} s  {again / read:5.1f}× read (nothing to write)   "
          f"{report['counts']}")  # fmt: skip
    if report["problems"]:
        print("  first problems:", report["problems"][:3])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--bookings", type=int, default=400_000)
    parser.add_argument("--workdir", default=str(Path(tempfile.gettempdir()) / "crm-bench-imports"))
    parser.add_argument("--build-only", action="store_true", help="Only make the workbooks.")
    parser.add_argument("--customers-only", action="store_true", help="Leave out the bookings.")
    parser.add_argument(
        "--no-openpyxl", action="store_true", help="Calamine alone (openpyxl takes minutes)."
    )
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection

    from customers.models import Customer
    from tests.factories import UserFactory

    if args.build_only:
        Path(args.workdir).mkdir(parents=True, exist_ok=True)
        build(
            Path(args.workdir) / f"customers-{args.customers}.xlsx", customer_rows(args.customers)
        )
        build(
            Path(args.workdir) / f"bookings-{args.bookings}-{args.customers}.xlsx",
            booking_rows(args.bookings, args.customers),
        )
        return
    if connection.vendor != "postgresql":
        sys.exit("Run on PostgreSQL (DATABASE_URL=postgres://…): SQLite is not measured.")
    if Customer.all_objects.exists():
        sys.exit("The archive is not empty: use a fresh scratch database (dropdb/createdb).")
    workdir = Path(args.workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    settings.PRIVATE_MEDIA_ROOT = workdir / "private_media"
    customers_path = workdir / f"customers-{args.customers}.xlsx"
    bookings_path = workdir / f"bookings-{args.bookings}-{args.customers}.xlsx"
    seconds = build(customers_path, customer_rows(args.customers))
    if not args.customers_only:
        seconds += build(bookings_path, booking_rows(args.bookings, args.customers))
    if seconds:
        print(f"built the workbooks in {seconds:.0f} s")

    manager = UserFactory(username="bench_import_manager", full_name="导入经理",
                          roles=["manager"])  # fmt: skip
    rep = UserFactory(username="bench_import_rep", full_name="导入销售", roles=["sales"])
    run_file(label="customers", path=customers_path, kind="customers", actor=manager,
             owner=rep, openpyxl_too="calamine" if args.no_openpyxl else True)  # fmt: skip
    if args.customers_only:
        return
    run_file(label="bookings", path=bookings_path, kind="bookings", actor=manager,
             owner=None, openpyxl_too=False)  # fmt: skip


if __name__ == "__main__":
    main()
