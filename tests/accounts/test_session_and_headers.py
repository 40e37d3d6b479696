"""Sessions end after a working day idle and at browser close; pages with personal data
are never cached; every page carries the Content-Security-Policy."""

import json
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse

from accounts.middleware import NoStoreForSignedInMiddleware

pytestmark = pytest.mark.django_db


def test_a_customer_page_and_the_csv_export_are_not_cached(client_as, manager1, customer_of_sales1):
    client = client_as(manager1)
    page = client.get(reverse("customers:detail", args=[customer_of_sales1.pk]))
    assert page.status_code == 200
    assert page["Cache-Control"] == "no-store"
    export = client.get(reverse("customers:export"))
    assert export.status_code == 200
    assert export["Content-Type"].startswith("text/csv")
    assert export["Cache-Control"] == "no-store"


def _through_the_middleware(path, user):
    request = RequestFactory().get(path)
    request.user = user
    middleware = NoStoreForSignedInMiddleware(lambda r: HttpResponse("x"))
    return middleware(request)


def test_signed_out_responses_are_left_alone():
    from django.contrib.auth.models import AnonymousUser

    assert "Cache-Control" not in _through_the_middleware("/accounts/login/", AnonymousUser())


def test_static_files_are_left_cacheable_for_signed_in_people(sales1):
    static = "/" + settings.STATIC_URL.lstrip("/") + "css/app.css"
    assert "Cache-Control" not in _through_the_middleware(static, sales1)
    assert _through_the_middleware("/customers/", sales1)["Cache-Control"] == "no-store"


def test_every_page_has_a_strict_content_security_policy(client_as, sales1):
    for response in [
        client_as(None).get(reverse("login")),
        client_as(sales1).get(reverse("customers:list")),
    ]:
        policy = response["Content-Security-Policy"]
        directives = dict(
            [*part.split(" ", 1), ""][:2] for part in policy.replace("; ", ";").split(";")
        )
        assert directives["default-src"] == "'self'"
        assert directives["script-src"] == "'self'"
        assert directives["frame-ancestors"] == "'none'"
        assert directives["form-action"] == "'self'"
        assert directives["object-src"] == "'none'"
        assert "data:" in directives["img-src"]
        assert "unsafe-inline" not in policy and "nonce" not in policy


def _production_settings(**env):
    inherited = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    code = (
        "import json; from django.conf import settings as s; print(json.dumps({k: getattr(s, k)"
        " for k in ['SESSION_COOKIE_AGE', 'SESSION_SAVE_EVERY_REQUEST',"
        " 'SESSION_EXPIRE_AT_BROWSER_CLOSE', 'SESSION_COOKIE_SECURE', 'AXES_FAILURE_LIMIT']}))"
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=settings.BASE_DIR,
        env={
            **inherited,
            "DJANGO_ENV": "production",
            "ALLOWED_HOSTS": "crm.example.com",
            "SECRET_KEY": "k3y-" + "x7Qp9#Lm2$Vr8@Tn5&Zw" * 3,
            "DATABASE_URL": "postgres://crm:not-used-by-shell@db.invalid:5432/crm",
            **env,
        },
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_sessions_end_after_a_working_day_idle_and_at_browser_close():
    values = _production_settings()
    assert 9 * 3600 <= values["SESSION_COOKIE_AGE"] <= 10 * 3600
    assert values["SESSION_SAVE_EVERY_REQUEST"] is True  # idle time, not time since login
    assert values["SESSION_EXPIRE_AT_BROWSER_CLOSE"] is True
    assert values["SESSION_COOKIE_SECURE"] is True
    assert values["AXES_FAILURE_LIMIT"] == 5


def test_session_length_and_lockout_limit_come_from_the_environment():
    values = _production_settings(SESSION_COOKIE_AGE="3600", LOGIN_FAILURE_LIMIT="8")
    assert values["SESSION_COOKIE_AGE"] == 3600
    assert values["AXES_FAILURE_LIMIT"] == 8


def test_each_request_moves_the_session_end(client_as, sales1):
    client = client_as(sales1)
    client.get(reverse("customers:list"))
    first = client.session.get_expiry_date()
    client.get(reverse("customers:list"))
    assert client.session.get_expiry_date() >= first
    response = client.get(reverse("customers:list"))
    assert settings.SESSION_COOKIE_NAME in response.cookies  # re-sent: idle clock restarted
