import os
import sys
from pathlib import Path

import pytest
from django.conf import settings

BASE_DIR = Path(settings.BASE_DIR)
PRODUCTION_ENV = {
    "DJANGO_ENV": "production",
    "SECRET_KEY": "k3y-" + "x7Qp9#Lm2$Vr8@Tn5&Zw" * 3,
    "ALLOWED_HOSTS": "crm.example.com",
    "DATABASE_URL": "postgres://crm:s3cret@db.invalid:5432/crm",
}


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private_media"
    return settings.PRIVATE_MEDIA_ROOT


def manage_env(**env) -> dict:
    """The environment of a manage.py subprocess: this one's, without the variables a
    test sets or removes (None removes)."""
    inherited = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    inherited.update(env)
    return {k: v for k, v in inherited.items() if v is not None}


PYTHON = sys.executable
