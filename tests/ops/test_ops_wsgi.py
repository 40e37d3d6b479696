import subprocess
import sys

import pytest

from tests.ops.conftest import BASE_DIR, manage_env

pytestmark = pytest.mark.django_db


def test_the_wsgi_worker_freezes_what_it_loaded_out_of_the_collectors_sight():
    """A gunicorn worker imports config.wsgi: the objects loaded by then are frozen, so the
    garbage collector's full collections do not walk them on every request's behalf."""
    probe = "import gc, config.wsgi; print(gc.get_freeze_count())"
    frozen = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=BASE_DIR,
        env=manage_env(),
        capture_output=True,
        text=True,
        check=True,
    )
    assert int(frozen.stdout.strip().splitlines()[-1]) > 100_000
