"""load_demo never runs under production settings (it would create admin/travel-demo)."""

import subprocess

import pytest
from django.core.management import CommandError, call_command

from accounts.models import User
from tests.ops.conftest import BASE_DIR, PRODUCTION_ENV, PYTHON, manage_env

pytestmark = pytest.mark.django_db


def test_load_demo_refuses_production_settings_and_creates_nobody(settings):
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="refuses to run with production settings"):
        call_command("load_demo", customers=0)
    assert not User.objects.filter(username__in=["admin", "manager1", "sales1"]).exists()


def test_load_demo_refuses_before_touching_the_production_database():
    # The database named here does not exist: the refusal comes first.
    result = subprocess.run(
        [PYTHON, "manage.py", "load_demo"],
        cwd=BASE_DIR,
        env=manage_env(**PRODUCTION_ENV),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode != 0
    assert "load_demo refuses to run with production settings (DJANGO_ENV=production)" in (
        result.stderr
    )
    assert "travel-demo" in result.stderr
