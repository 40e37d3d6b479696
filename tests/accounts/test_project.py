"""Project-level promises: roles, login, language, health, deploy settings."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.urls import reverse

from accounts.roles import ROLE_LABELS

BASE_DIR = Path(settings.BASE_DIR)
pytestmark = pytest.mark.django_db


def test_every_role_is_a_group_with_permissions():
    groups = {g.name: g.permissions.count() for g in Group.objects.all()}
    assert set(ROLE_LABELS) <= set(groups)
    assert groups["sales"] > 0 and groups["manager"] > groups["sales"]


def test_log_in_and_land_on_the_home_page(sales1, client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.post(
        reverse("login"), {"username": "sales1", "password": "test-pass-123"}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("home")
    assert 'data-section="rep"' in response.text and "王磊" in response.text


def test_wrong_password_is_refused(sales1, client):
    response = client.post(reverse("login"), {"username": "sales1", "password": "nope"})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_logout_needs_a_post_and_ends_the_session(sales1, client):
    client.force_login(sales1)
    client.post(reverse("logout"))
    assert client.get(reverse("customers:list")).status_code == 302


def test_chinese_is_the_default_even_for_an_english_browser(sales1, client):
    client.force_login(sales1)
    response = client.get(reverse("customers:list"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response["Content-Language"] == "zh-hans"
    assert "客户" in response.text
    assert "New customer" not in response.text


def test_switching_to_english_sticks(sales1, client):
    client.force_login(sales1)
    client.post(reverse("set_language"), {"language": "en", "next": "/customers/"})
    response = client.get(reverse("customers:list"))
    assert response["Content-Language"] == "en"
    assert "New customer" in response.text


def test_healthz_reports_the_database(client):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"] == "ok"
    expected_broker = "ok" if settings.CELERY_BROKER_URL else "not configured"
    assert body["broker"].startswith(expected_broker)


def test_broker_healthz_says_503_when_the_broker_is_unreachable(client, settings):
    # The site's own /healthz/ stays 200 then (tests/ops/test_health.py).
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    response = client.get(reverse("healthz_broker"))
    assert response.status_code == 503
    assert response.json()["broker"].startswith("error")


def _manage(*args, **env):
    inherited = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env={**inherited, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_production_settings_pass_check_deploy():
    result = _manage(
        "check", "--deploy", "--fail-level", "WARNING",
        DJANGO_ENV="production", ALLOWED_HOSTS="crm.example.com",
        DATABASE_URL="postgres://crm:not-used-by-check@db.invalid:5432/crm",
        SECRET_KEY="k3y-" + "x7Qp9#Lm2$Vr8@Tn5&Zw" * 3,
        ID_NUMBER_KEYS="k1:VWF24UUaeAEkrw6hKOHjSMl4bdkzqfhVsfm2rEWBbvs=",
        ID_NUMBER_INDEX_KEY="3q0dHqrEEV1XHN0jbN1ZlHkJ0cE0ZuwqvJm2ZpGZ0Ck=",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=BASE_DIR,
        env={
            **env,
            "DJANGO_ENV": "production",
            "ALLOWED_HOSTS": "crm.example.com",
            "DATABASE_URL": "postgres://crm:not-used-by-check@db.invalid:5432/crm",
        },
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_migrations_are_committed():
    result = _manage("makemigrations", "--check", "--dry-run")
    assert result.returncode == 0, result.stdout


def test_the_chinese_catalogue_is_complete_and_compiled():
    catalogue = BASE_DIR / "locale" / "zh_Hans" / "LC_MESSAGES"
    result = subprocess.run(
        [sys.executable, str(BASE_DIR / "locale" / "check_complete.py")],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert (catalogue / "django.mo").stat().st_size > 0  # .ci/run checks it matches the .po


# Each beat entry and the management command that runs the same job by hand.
COMMAND_OF_BEAT_ENTRY = {
    "archives-retention-expire": "expire_retention",
    "tiers-monthly-statistics": "tier_monthly",
    "tiers-half-yearly-review": "tier_review",
    "followups-daily-planning": "plan_followups",
    "loyalty-points-expiry": "expire_points",
    "loyalty-annual-rewards": "annual_rewards",
    "webhooks-send-due": "send_webhooks",
    "outbox-send-due": "send_outbox",
    "jobs-deadlines": "jobs_check",
    "archives-verify-documents": "verify_documents",
    "customers-dormancy-refresh": "refresh_dormancy",
    "customers-home-figures-refresh": "refresh_home_figures",
    "loyalty-liability-refresh": "refresh_points_liability",
    "privacy-dormant-propose": "propose_dormant",
    "imports-files-expire": "expire_import_files",
}


def test_every_periodic_job_names_a_registered_task_and_a_command():
    """A typo in the beat schedule would fail silently at 02:00 on the 1st; each job also
    runs by hand as a management command (STYLE: jobs run without a broker). A new beat
    entry fails here until its command is named above."""
    from celery.schedules import crontab
    from django.core.management import get_commands

    from config.celery import app

    app.loader.import_default_modules()
    schedule = app.conf.beat_schedule
    assert set(schedule) == set(COMMAND_OF_BEAT_ENTRY)
    commands = get_commands()
    for name, entry in schedule.items():
        assert entry["task"] in app.tasks, f"{name}: {entry['task']} is not a registered task"
        # A calendar time, or a sweep every so many seconds (the outboxes: every minute).
        every = entry["schedule"]
        assert isinstance(every, crontab) or (isinstance(every, float) and every > 0), name
        assert COMMAND_OF_BEAT_ENTRY[name] in commands, name
