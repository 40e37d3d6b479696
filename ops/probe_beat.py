"""Container healthcheck for Celery beat: `python -m ops.probe_beat`.

Beat answers no pings; it is healthy while a `celery … beat` process runs in the
container (PID 1 is tini, with `init: true`, so beat is found by its command line)."""

import os
import sys


def beat_running(proc: str = "/proc") -> bool:
    for pid in os.listdir(proc):
        if not pid.isdigit():
            continue
        try:
            with open(os.path.join(proc, pid, "cmdline"), "rb") as f:
                args = f.read().split(b"\0")
        except OSError:  # the process ended while we looked
            continue
        if any(arg.endswith(b"celery") for arg in args[:2]) and b"beat" in args:
            return True
    return False


if __name__ == "__main__":
    sys.exit(0 if beat_running() else 1)
