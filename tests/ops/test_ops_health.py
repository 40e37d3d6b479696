"""The site's probe does not fail because the broker is down; the broker has its own."""

from unittest import mock

import pytest
from django.db import connection
from django.urls import reverse

pytestmark = pytest.mark.django_db

DOWN = "redis://127.0.0.1:1/0"  # nothing listens on port 1


def test_the_site_stays_healthy_with_the_broker_down_and_says_so(client, settings):
    settings.CELERY_BROKER_URL = DOWN
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok" and body["database"] == "ok"
    assert body["broker"].startswith("error")


def test_the_broker_probe_fails_when_the_broker_is_down(client, settings):
    settings.CELERY_BROKER_URL = DOWN
    response = client.get(reverse("healthz_broker"))
    assert response.status_code == 503
    assert response.json()["status"] == "error"


def test_the_broker_probe_passes_without_a_broker_configured(client, settings):
    settings.CELERY_BROKER_URL = ""
    response = client.get(reverse("healthz_broker"))
    assert response.status_code == 200
    assert response.json()["broker"].startswith("not configured")


def test_the_site_probe_fails_when_the_database_does_not_answer(client):
    with mock.patch.object(connection, "cursor", side_effect=RuntimeError("down")):
        response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json()["database"] == "error: RuntimeError"
