"""The beat container's healthcheck finds beat by its command line (PID 1 is tini)."""

import pytest

from ops.probe_beat import beat_running

pytestmark = pytest.mark.django_db  # the suite's autouse fixtures read the test database


def _process(proc, pid: str, *args: str) -> None:
    (proc / pid).mkdir()
    (proc / pid / "cmdline").write_bytes(b"\0".join(a.encode() for a in args) + b"\0")


def test_beat_is_found_behind_tini_and_the_probe_itself_does_not_count(tmp_path):
    _process(tmp_path, "1", "/sbin/docker-init", "--", "celery", "-A", "config", "beat")
    _process(tmp_path, "7", "/usr/local/bin/python3", "/usr/local/bin/celery", "-A", "config",
             "beat", "-l", "info")  # fmt: skip
    (tmp_path / "self").mkdir()
    assert beat_running(str(tmp_path))


def test_no_beat_process_is_unhealthy(tmp_path):
    _process(tmp_path, "1", "/sbin/docker-init", "--", "celery", "-A", "config", "beat")
    _process(tmp_path, "42", "python", "-m", "ops.probe_beat")
    assert not beat_running(str(tmp_path))
