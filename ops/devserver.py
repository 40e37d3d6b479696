"""`make run`'s server: Django's runserver, and with a broker a Celery worker and beat,
stopped together.

    python -m ops.devserver [HOST:PORT]

Each child runs in a process group of its own, so stopping one stops everything it
started (runserver's autoreloader runs the server in a child process; the worker has its
pool). A SIGTERM or SIGHUP to this process (make forwards a SIGTERM to it) or a Ctrl-C
stops all three: SIGTERM to each group, SIGKILL to what is left after GRACE seconds.
When one of them exits on its own (a port in use, a broken setting), the others are
stopped too, and the exit status is the first one's. No Django import here: this only
starts and stops processes.
"""

import contextlib
import os
import signal
import subprocess
import sys
import time

GRACE = float(os.environ.get("DEVSERVER_GRACE_SECONDS", "10"))


class Stop(Exception):
    def __init__(self, signum: int):
        self.signum = signum


def _raise_stop(signum, frame):
    raise Stop(signum)


def _commands(host: str) -> list[tuple[str, list[str]]]:
    python = sys.executable
    celery = os.path.join(os.path.dirname(python), "celery")
    commands = [("runserver", [python, "manage.py", "runserver", host])]
    if os.environ.get("CELERY_BROKER_URL") or os.environ.get("REDIS_URL"):
        commands += [
            ("worker", [celery, "-A", "config", "worker", "-l", "info", "--concurrency", "2"]),
            # The schedule lives in the database (CELERY_BEAT_SCHEDULER, config/beat.py).
            ("beat", [celery, "-A", "config", "beat", "-l", "info"]),
        ]
    return commands


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _stop(children: dict[str, subprocess.Popen]) -> None:
    for child in children.values():
        with contextlib.suppress(ProcessLookupError):
            os.killpg(child.pid, signal.SIGTERM)
    deadline = time.monotonic() + GRACE
    for child in children.values():
        with contextlib.suppress(subprocess.TimeoutExpired):
            child.wait(timeout=max(0.0, deadline - time.monotonic()))
    # Anything still there (a group member that ignored SIGTERM, a hung leader): SIGKILL.
    for child in children.values():
        if child.poll() is None or _group_alive(child.pid):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(child.pid, signal.SIGKILL)
        child.wait()
    # Reap the leftovers' groups: wait until the kernel has them gone.
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and any(_group_alive(c.pid) for c in children.values()):
        time.sleep(0.1)


def main(argv: list[str]) -> int:
    host = argv[1] if len(argv) > 1 else "127.0.0.1:8000"
    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(signum, _raise_stop)
    children: dict[str, subprocess.Popen] = {}
    status = 0
    try:
        for name, command in _commands(host):
            children[name] = subprocess.Popen(command, start_new_session=True)  # noqa: S603
        print(
            "devserver: " + ", ".join(f"{name} pid {c.pid}" for name, c in children.items()),
            flush=True,
        )
        while True:
            for name, child in children.items():
                code = child.poll()
                if code is not None:
                    print(f"devserver: {name} exited ({code}); stopping the others", flush=True)
                    status = code or 1
                    raise Stop(0)
            time.sleep(0.5)
    except Stop as stop:
        # Once stopping, a second Ctrl-C must not leave children behind.
        for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(signum, signal.SIG_IGN)
        if stop.signum:
            print(f"devserver: {signal.Signals(stop.signum).name}; stopping", flush=True)
        _stop(children)
        print("devserver: stopped", flush=True)
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv))
