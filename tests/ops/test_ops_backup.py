"""Backup → loss → restore into a scratch database: the same row counts in every table
and the same documents, byte for byte (PostgreSQL; CI step 2)."""

import hashlib
import io
import shutil
import tarfile
import uuid

import psycopg2
import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from archives.models import ArchiveDocument, DocumentKind
from archives.services import archive_document_add
from ops.backup import BackupError, backup_create, backup_restore
from tests.archives.factories import MINIMAL_PDF, archive_for
from tests.factories import CustomerFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_and_its_tools():
    if connection.vendor != "postgresql":
        pytest.skip("backups are of PostgreSQL (DATABASE_URL=postgres://…)")
    if not (shutil.which("pg_dump") and shutil.which("pg_restore")):
        pytest.fail("pg_dump/pg_restore missing: apt-get install postgresql-client")


def _params(dbname: str) -> dict:
    db = settings.DATABASES["default"]
    params = {"host": db["HOST"], "port": db["PORT"], "user": db["USER"], "dbname": dbname}
    if db.get("PASSWORD"):
        params["password"] = db["PASSWORD"]
    return {k: v for k, v in params.items() if v}


def _url(dbname: str) -> str:
    db = settings.DATABASES["default"]
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT'] or 5432}/{dbname}"


def _admin(sql: str) -> None:
    conn = psycopg2.connect(**_params("postgres"))
    conn.autocommit = True
    try:
        with conn.cursor() as cursor:
            cursor.execute(sql)
    finally:
        conn.close()


def _row_counts(dbname: str) -> dict[str, int]:
    conn = psycopg2.connect(**_params(dbname))
    try:
        with conn.cursor() as cursor:
            cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
            tables = [name for (name,) in cursor.fetchall()]
            counts = {}
            for table in tables:
                cursor.execute(f'SELECT count(*) FROM "{table}"')  # noqa: S608
                counts[table] = cursor.fetchone()[0]
            return counts
    finally:
        conn.close()


@pytest.fixture
def scratch_database():
    name = f"{settings.DATABASES['default']['NAME']}_restore_{uuid.uuid4().hex[:8]}"
    _admin(f'CREATE DATABASE "{name}"')
    yield name
    _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_backup_then_restore_gives_back_every_row_and_every_document(
    sales1, custodian1, private_media, tmp_path, scratch_database
):
    CustomerFactory.create_batch(7, owner=sales1)
    archive = archive_for(CustomerFactory(owner=sales1))
    for i in range(3):
        archive_document_add(
            actor=sales1,
            archive=archive,
            kind=DocumentKind.ITINERARY,
            upload=SimpleUploadedFile(f"行程{i}.pdf", MINIMAL_PDF + bytes([i]) * 1000),
        )
    recorded = dict(ArchiveDocument.objects.values_list("file", "sha256"))
    source = settings.DATABASES["default"]["NAME"]
    before = _row_counts(source)

    result = backup_create(output_dir=tmp_path / "backups")
    assert result.files == 3 and result.documents_missing == []
    assert oct(result.path.stat().st_mode & 0o777) == "0o600"

    shutil.rmtree(private_media)  # the loss
    restored_media = tmp_path / "restored_media"
    restore = backup_restore(
        archive=result.path, database_url=_url(scratch_database), media_dir=restored_media
    )

    assert restore.count_mismatches == {}
    after = _row_counts(scratch_database)
    assert after == before
    assert after["customers_customer"] >= 8 and after["archives_archivedocument"] == 3
    for name, sha256 in recorded.items():
        data = (restored_media / name).read_bytes()
        assert hashlib.sha256(data).hexdigest() == sha256
    assert restore.files_written == 3

    # Again into the same store: nothing to write. Into the same database: refused.
    again = backup_restore(archive=result.path, database_url=None, media_dir=restored_media)
    assert (again.files_written, again.files_unchanged) == (0, 3)
    with pytest.raises(BackupError, match="is not empty"):
        backup_restore(archive=result.path, database_url=_url(scratch_database), media_dir=None)


def test_a_tampered_document_in_the_archive_is_refused(sales1, private_media, tmp_path):
    archive = archive_for(CustomerFactory(owner=sales1))
    document = archive_document_add(
        actor=sales1,
        archive=archive,
        kind=DocumentKind.ITINERARY,
        upload=SimpleUploadedFile("a.pdf", MINIMAL_PDF),
    )
    result = backup_create(output_dir=tmp_path)
    tampered = tmp_path / "tampered.tar"
    with tarfile.open(result.path) as src, tarfile.open(tampered, "w") as dst:
        for member in src:
            data = src.extractfile(member).read()
            if member.name == f"media/{document.file.name}":
                data = data.replace(b"%PDF", b"%PDX")
            member.size = len(data)
            dst.addfile(member, io.BytesIO(data))
    with pytest.raises(BackupError, match="does not match its SHA-256"):
        backup_restore(archive=tampered, database_url=None, media_dir=tmp_path / "m")
    assert not (tmp_path / "m" / document.file.name).exists()
    # Over a store that holds the good file, the bad copy never replaces it.
    good = private_media / document.file.name
    good.write_bytes(b"damaged")  # altered on disk: the restore tries to repair it
    with pytest.raises(BackupError):
        backup_restore(archive=tampered, database_url=None, media_dir=private_media)
    assert good.read_bytes() == b"damaged"
    backup_restore(archive=result.path, database_url=None, media_dir=private_media)
    assert hashlib.sha256(good.read_bytes()).hexdigest() == document.sha256
