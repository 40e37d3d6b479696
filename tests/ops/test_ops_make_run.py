"""`make serve` (the last step of `make run`) with a broker: a SIGTERM to make, or a
Ctrl-C at the terminal, stops the server (with its autoreloader child), the worker (with
its pool) and beat, within seconds. Needs Redis on 127.0.0.1:6379 (skipped without)."""

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.request

import pytest

from tests.ops.conftest import BASE_DIR, PYTHON, manage_env

pytestmark = pytest.mark.django_db

MAKE = shutil.which("make") or "make"
DEADLINE = 60  # seconds for everything to start; stopping must take < 20


def _redis_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _groups_alive(pgids: list[int]) -> list[int]:
    alive = []
    for pgid in pgids:
        try:
            os.killpg(pgid, 0)
            alive.append(pgid)
        except ProcessLookupError:
            pass
    return alive


def _members(pgids: list[int]) -> int:
    count = 0
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[2]) in pgids and fields[0] != "Z":
                count += 1
    return count


@pytest.fixture(scope="module")
def beat_database(tmp_path_factory):
    """A SQLite file with beat's tables (all runserver, worker and beat need to start)."""
    path = tmp_path_factory.mktemp("devserver") / "db.sqlite3"
    env = manage_env(DATABASE_URL=f"sqlite:///{path}", DJANGO_ENV=None)
    subprocess.run(
        [PYTHON, "manage.py", "migrate", "-v0", "django_celery_beat"],
        cwd=BASE_DIR, env=env, check=True, timeout=120,
    )  # fmt: skip
    return path


@pytest.mark.parametrize("how", ["SIGTERM to make", "Ctrl-C"])
def test_stopping_make_stops_the_server_the_worker_and_beat(beat_database, tmp_path, how):
    if not _redis_up():
        pytest.skip("no Redis on 127.0.0.1:6379")
    port = _free_port()
    env = manage_env(
        DATABASE_URL=f"sqlite:///{beat_database}",
        CELERY_BROKER_URL="redis://127.0.0.1:6379/13",
        DJANGO_ENV=None,
        REDIS_URL=None,
        PRIVATE_MEDIA_ROOT=str(tmp_path),
    )
    log = tmp_path / "make.log"
    with open(log, "w") as out:
        make = subprocess.Popen(
            [MAKE, "--no-print-directory", "serve", f"HOST=127.0.0.1:{port}", f"PY={PYTHON}"],
            cwd=BASE_DIR, env=env, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True,  # its own group, like a terminal's foreground job
        )  # fmt: skip
    pgids: list[int] = []
    try:
        started = time.monotonic()
        while time.monotonic() - started < DEADLINE:
            text = log.read_text()
            if not pgids and "devserver: runserver pid" in text:
                line = next(x for x in text.splitlines() if x.startswith("devserver: runserver"))
                pgids = [int(part.split()[-1]) for part in line.split(": ", 1)[1].split(", ")]
            if pgids and "beat: Starting" in text and "ready." in text:
                try:
                    urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz/", timeout=2)
                    break
                except OSError:
                    pass
            assert make.poll() is None, text
            time.sleep(0.5)
        else:
            pytest.fail(f"not all up within {DEADLINE} s:\n{log.read_text()}")
        assert len(pgids) == 3
        assert _members(pgids) >= 5  # reloader child and worker pool processes too

        stopped_at = time.monotonic()
        if how == "Ctrl-C":
            os.killpg(make.pid, signal.SIGINT)  # what the terminal sends its foreground job
        else:
            make.send_signal(signal.SIGTERM)
        make.wait(timeout=30)
        assert time.monotonic() - stopped_at < 20
        assert _groups_alive(pgids) == [], log.read_text()
        assert "devserver: stopped" in log.read_text()
    finally:
        for pgid in [make.pid, *pgids]:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pgid, signal.SIGKILL)
