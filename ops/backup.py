"""Backups and restores of the database together with the private document store.

One archive (an uncompressed tar: the dump is compressed already, documents are mostly
PDFs and photos) holds:

    manifest.json    when, the SHA-256 and size of every other member, the row count of
                     every table, and any document row whose file was missing at backup
    database.dump    pg_dump --format=custom of the whole database
    media/…          every file under PRIVATE_MEDIA_ROOT

The row counts and the dump come from one snapshot: a REPEATABLE READ transaction
exports its snapshot and pg_dump runs in it (--snapshot), so the counts are exactly
what the dump holds. The documents are copied after that snapshot; a document row the
snapshot holds whose file is not in the store is listed in the manifest (a file
uploaded after the snapshot is copied too, harmlessly).

`backup_restore` checks every member against the manifest before using it, restores
into an empty database only (pg_restore in one transaction), writes the documents
(only those missing or different, so a live store can be repaired with media only),
and compares the restored tables' row counts with the manifest.
"""

import datetime
import hashlib
import json
import os
import shutil
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

import psycopg2
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

FORMAT = 1
MANIFEST = "manifest.json"
DUMP = "database.dump"
MEDIA = "media"
BLOCK = 1024 * 1024


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why and what to do."""


def _sha256_file(path: Path) -> str:
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def _pg_env(params: dict) -> dict:
    """libpq's environment for a connection (the password never on a command line)."""
    env = dict(os.environ)
    for key, value in {
        "PGHOST": params.get("host"),
        "PGPORT": params.get("port"),
        "PGUSER": params.get("user"),
        "PGPASSWORD": params.get("password"),
        "PGDATABASE": params.get("dbname"),
    }.items():
        if value:
            env[key] = str(value)
        else:
            env.pop(key, None)
    return env


def _params_from_settings() -> dict:
    db = settings.DATABASES["default"]
    if db["ENGINE"] != "django.db.backends.postgresql":
        raise BackupError(
            _(
                "manage.py backup needs PostgreSQL (DATABASE_URL=postgres://…). With the "
                "default SQLite file, stop the server and copy db.sqlite3 and private_media/."
            )
        )
    return {
        "host": db.get("HOST"),
        "port": db.get("PORT"),
        "user": db.get("USER"),
        "password": db.get("PASSWORD"),
        "dbname": db["NAME"],
    }


def params_from_url(url: str) -> dict:
    parts = urlsplit(url)
    if parts.scheme not in {"postgres", "postgresql", "pgsql"}:
        raise BackupError(
            _("--database must be a postgres:// URL, not %(scheme)s://") % {"scheme": parts.scheme}
        )
    return {
        "host": parts.hostname,
        "port": parts.port,
        "user": unquote(parts.username or ""),
        "password": unquote(parts.password or ""),
        "dbname": unquote(parts.path.lstrip("/")),
    }


def _table_counts(cursor) -> dict[str, int]:
    cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY 1")
    counts = {}
    for (table,) in cursor.fetchall():
        cursor.execute(f'SELECT count(*) FROM "{table}"')  # noqa: S608 - names from pg_tables
        counts[table] = cursor.fetchone()[0]
    return counts


@dataclass
class BackupResult:
    path: Path
    tables: int
    rows: int
    files: int
    bytes: int
    documents_missing: list[str] = field(default_factory=list)


def backup_create(*, output_dir: Path, now: datetime.datetime | None = None) -> BackupResult:
    """Write one archive into `output_dir` (made 0700 if new; the archive is 0600: it
    holds every customer's personal data). Returns what it holds."""
    now = now or timezone.now()
    params = _params_from_settings()
    media_root = Path(settings.PRIVATE_MEDIA_ROOT)
    output_dir = Path(output_dir)
    output_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    stamp = timezone.localtime(now).strftime("%Y%m%d-%H%M%S")
    final = output_dir / f"crm-backup-{stamp}.tar"
    with tempfile.TemporaryDirectory(dir=output_dir, prefix=".backup-") as work:
        work = Path(work)
        dump = work / DUMP
        # The snapshot both the counts and pg_dump read; held open until pg_dump is done.
        conn = psycopg2.connect(**{k: v for k, v in params.items() if v})
        try:
            conn.set_session(isolation_level="REPEATABLE READ", readonly=True)
            with conn.cursor() as cursor:
                cursor.execute("SELECT pg_export_snapshot()")
                snapshot = cursor.fetchone()[0]
                counts = _table_counts(cursor)
                document_files = []
                if "archives_archivedocument" in counts:
                    cursor.execute("SELECT file FROM archives_archivedocument WHERE file <> ''")
                    document_files = [name for (name,) in cursor.fetchall()]
            subprocess.run(  # noqa: S603 - fixed arguments, no shell
                [
                    shutil.which("pg_dump") or "pg_dump",
                    "--format=custom",
                    "--no-owner",
                    "--no-privileges",
                    f"--snapshot={snapshot}",
                    f"--file={dump}",
                ],
                env=_pg_env(params),
                check=True,
                capture_output=True,
                text=True,
            )
        except subprocess.CalledProcessError as exc:
            raise BackupError(
                _("pg_dump failed: %(error)s") % {"error": exc.stderr.strip()}
            ) from exc
        finally:
            conn.rollback()
            conn.close()

        media = {}
        if media_root.is_dir():
            for path in sorted(media_root.rglob("*")):
                if path.is_file() and not path.is_symlink():
                    rel = path.relative_to(media_root).as_posix()
                    media[rel] = {"sha256": _sha256_file(path), "size": path.stat().st_size}
        missing = sorted(name for name in document_files if name not in media)
        manifest = {
            "format": FORMAT,
            "created_at": now.isoformat(),
            "database": {
                "file": DUMP,
                "sha256": _sha256_file(dump),
                "size": dump.stat().st_size,
                "tables": counts,
            },
            "media": media,
            "documents_missing_at_backup": missing,
        }
        (work / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True))
        partial = work / final.name
        with tarfile.open(partial, "w") as tar:
            tar.add(work / MANIFEST, arcname=MANIFEST)
            tar.add(dump, arcname=DUMP)
            for rel in media:
                tar.add(media_root / rel, arcname=f"{MEDIA}/{rel}")
        os.chmod(partial, 0o600)
        os.replace(partial, final)  # complete or absent, never half written
    return BackupResult(
        path=final,
        tables=len(counts),
        rows=sum(counts.values()),
        files=len(media),
        bytes=final.stat().st_size,
        documents_missing=missing,
    )


def _copy_member(tar: tarfile.TarFile, member: tarfile.TarInfo, dest: Path, sha256: str) -> None:
    """Stream one member to `dest` through a temporary name, which replaces `dest` only
    when its SHA-256 is the manifest's (a bad copy never overwrites a good file)."""
    digest = hashlib.sha256()
    source = tar.extractfile(member)
    if source is None:
        raise BackupError(
            _("%(member)s is not a regular file in the archive") % {"member": member.name}
        )
    dest.parent.mkdir(parents=True, exist_ok=True)
    partial = dest.with_name(f".{dest.name}.restoring")
    with source, open(partial, "wb") as out:
        while block := source.read(BLOCK):
            digest.update(block)
            out.write(block)
    if digest.hexdigest() != sha256:
        partial.unlink()
        raise BackupError(
            _("%(member)s does not match its SHA-256 in the manifest") % {"member": member.name}
        )
    os.replace(partial, dest)


def _safe_media_path(media_dir: Path, member_name: str) -> Path:
    rel = PurePosixPath(member_name).relative_to(MEDIA)
    if rel.is_absolute() or ".." in rel.parts:
        raise BackupError(
            _("refusing an archive member outside media/: %(member)s") % {"member": member_name}
        )
    return media_dir.joinpath(*rel.parts)


@dataclass
class RestoreResult:
    tables_checked: int = 0
    rows: int = 0
    count_mismatches: dict = field(default_factory=dict)
    files_written: int = 0
    files_unchanged: int = 0


def read_manifest(tar: tarfile.TarFile) -> dict:
    try:
        manifest = json.load(tar.extractfile(MANIFEST))
    except (KeyError, TypeError, ValueError) as exc:
        raise BackupError(_("not a backup of this CRM: no readable manifest.json")) from exc
    if manifest.get("format") != FORMAT:
        raise BackupError(
            _("unknown backup format %(format)r") % {"format": manifest.get("format")}
        )
    return manifest


def backup_restore(
    *,
    archive: Path,
    database_url: str | None,
    media_dir: Path | None,
) -> RestoreResult:
    """Restore the database into `database_url` (an existing, empty database) and the
    documents into `media_dir`; either may be None to skip it."""
    result = RestoreResult()
    with tarfile.open(archive, "r:") as tar:
        manifest = read_manifest(tar)
        if database_url:
            params = params_from_url(database_url)
            _restore_database(tar, manifest, params, result)
        if media_dir:
            _restore_media(tar, manifest, Path(media_dir), result)
    return result


def _restore_database(tar, manifest: dict, params: dict, result: RestoreResult) -> None:
    conn = psycopg2.connect(**{k: v for k, v in params.items() if v})
    try:
        with conn.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_tables WHERE schemaname = current_schema()")
            if cursor.fetchone()[0]:
                raise BackupError(
                    _(
                        "the database %(name)s is not empty: restore into a new one "
                        "(createdb), or drop and create it first"
                    )
                    % {"name": params["dbname"]}
                )
    finally:
        conn.close()
    with tempfile.TemporaryDirectory(prefix="crm-restore-") as work:
        dump = Path(work) / DUMP
        _copy_member(tar, tar.getmember(DUMP), dump, manifest["database"]["sha256"])
        try:
            subprocess.run(  # noqa: S603 - fixed arguments, no shell
                [
                    shutil.which("pg_restore") or "pg_restore",
                    "--no-owner",
                    "--no-privileges",
                    "--exit-on-error",
                    "--single-transaction",
                    f"--dbname={params['dbname']}",
                    str(dump),
                ],
                env=_pg_env(params),
                check=True,
                capture_output=True,
                text=True,
            )
        except subprocess.CalledProcessError as exc:
            raise BackupError(
                _("pg_restore failed: %(error)s") % {"error": exc.stderr.strip()}
            ) from exc
    conn = psycopg2.connect(**{k: v for k, v in params.items() if v})
    try:
        with conn.cursor() as cursor:
            restored = _table_counts(cursor)
    finally:
        conn.close()
    expected = manifest["database"]["tables"]
    result.tables_checked = len(expected)
    result.rows = sum(restored.values())
    result.count_mismatches = {
        table: (count, restored.get(table))
        for table, count in expected.items()
        if restored.get(table) != count
    }


def _restore_media(tar, manifest: dict, media_dir: Path, result: RestoreResult) -> None:
    expected = manifest["media"]
    media_dir.mkdir(parents=True, exist_ok=True)
    for member in tar:
        if not member.name.startswith(f"{MEDIA}/"):
            continue
        rel = member.name[len(MEDIA) + 1 :]
        if rel not in expected:
            raise BackupError(_("%(member)s is not in the manifest") % {"member": member.name})
        dest = _safe_media_path(media_dir, member.name)
        if dest.is_file() and _sha256_file(dest) == expected[rel]["sha256"]:
            result.files_unchanged += 1
            continue
        _copy_member(tar, member, dest, expected[rel]["sha256"])
        result.files_written += 1
