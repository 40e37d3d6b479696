"""Benchmark the document check and a backup/restore round trip.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/scratch PRIVATE_MEDIA_ROOT=/tmp/bench_media \
        .venv/bin/python bench/ops.py [--files 500] [--kib 1024]

Needs a migrated PostgreSQL database with at least one business archive (load_demo) and
pg_dump/pg_restore. Adds `--files` documents of `--kib` KiB of random bytes to the first
archive (rows with their SHA-256, files in PRIVATE_MEDIA_ROOT), then times:
- `documents_verify` (every file hashed), and its MiB/s;
- a bare `openssl dgst -sha256` of the same files (the same reads and hashing outside
  Python, OpenSSL's SHA-256 as hashlib uses), for the ratio;
- `manage.py backup` (pg_dump + tar of the files + manifest) and its size;
- `manage.py restore` into a scratch database and a scratch folder.
The documents, files, scratch database and archive are removed at the end.
"""

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

import psycopg2  # noqa: E402
from django.conf import settings  # noqa: E402

from archives.integrity import documents_verify  # noqa: E402
from archives.models import ArchiveDocument, BusinessArchive, DocumentCheck  # noqa: E402
from ops.backup import backup_create, backup_restore  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=500)
    parser.add_argument("--kib", type=int, default=1024)
    args = parser.parse_args()
    archive = BusinessArchive.objects.select_related("tour").first()
    actor_id = archive.tour.created_by_id
    root = Path(settings.PRIVATE_MEDIA_ROOT) / "bench"
    root.mkdir(parents=True, exist_ok=True)
    rows = []
    for i in range(args.files):
        data = os.urandom(args.kib * 1024)
        name = f"bench/{uuid.uuid4().hex}"
        (root / name.split("/")[1]).write_bytes(data)
        rows.append(
            ArchiveDocument(
                archive=archive, kind="itinerary", file=name, original_filename=f"b{i}.pdf",
                size=len(data), sha256=hashlib.sha256(data).hexdigest(),
                uploaded_by_id=actor_id,
            )
        )  # fmt: skip
    created = ArchiveDocument.objects.bulk_create(rows)
    mib = args.files * args.kib / 1024
    scratch = f"bench_restore_{uuid.uuid4().hex[:8]}"
    db = settings.DATABASES["default"]
    admin = psycopg2.connect(
        host=db["HOST"], port=db["PORT"] or 5432, user=db["USER"],
        password=db["PASSWORD"] or None, dbname="postgres",
    )  # fmt: skip
    admin.autocommit = True
    work = Path(tempfile.mkdtemp(prefix="bench-ops-"))
    try:
        # Cold-ish: the files were just written, so the page cache holds them; both the
        # check and sha256sum read them warm, the same way.
        t0 = time.perf_counter()
        check = documents_verify()
        verify = time.perf_counter() - t0
        if check.missing or check.altered:
            raise SystemExit(f"the check found problems: {check.problems[:3]}")
        t0 = time.perf_counter()
        subprocess.run(  # noqa: S603
            ["openssl", "dgst", "-sha256", *[str(p) for p in root.iterdir()]],  # noqa: S607
            check=True, capture_output=True,
        )  # fmt: skip
        bare = time.perf_counter() - t0
        t0 = time.perf_counter()
        result = backup_create(output_dir=work / "backups")
        backup = time.perf_counter() - t0
        with admin.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{scratch}"')
        password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
        url = f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT'] or 5432}/{scratch}"
        t0 = time.perf_counter()
        restored = backup_restore(archive=result.path, database_url=url, media_dir=work / "m")
        restore = time.perf_counter() - t0
        if restored.count_mismatches:
            raise SystemExit(f"row counts differ: {restored.count_mismatches}")
        print(f"{check.checked} files, {mib:.0f} MiB")
        print(f"verify_documents  {verify:6.2f} s  {mib / verify:7.0f} MiB/s")
        ratio = verify / bare
        print(f"openssl (bare)    {bare:6.2f} s  {mib / bare:7.0f} MiB/s  ratio {ratio:.2f}")
        print(
            f"backup            {backup:6.2f} s  {result.bytes / 2**20:7.0f} MiB archive, "
            f"{result.tables} tables, {result.rows:,} rows"
        )
        print(f"restore           {restore:6.2f} s  (database + {restored.files_written} files)")
    finally:
        ArchiveDocument.objects.filter(pk__in=[d.pk for d in created]).delete()
        DocumentCheck.objects.all().delete()
        shutil.rmtree(root, ignore_errors=True)
        shutil.rmtree(work, ignore_errors=True)
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')
        admin.close()


if __name__ == "__main__":
    main()
