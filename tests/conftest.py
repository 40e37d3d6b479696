"""Shared fixtures: the named staff of every permission test, and the browser setup."""

import os
import shutil
import tempfile
from pathlib import Path
from types import SimpleNamespace

import pytest

from tests.factories import CustomerFactory, TeamFactory, UserFactory
from tests.smtp import mail_server, silent_mail_server  # noqa: F401 (real SMTP fixtures)

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # ORM + Playwright in one test

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def screenshots_dir() -> Path:
    """Where the browser tests save their pictures: the README's docs/screenshots/ only
    when asked (`make screenshots` sets CRM_SCREENSHOTS_DIR), so that `make test` changes
    no tracked file; otherwise a scratch folder."""
    target = os.environ.get("CRM_SCREENSHOTS_DIR")
    path = Path(target) if target else Path(tempfile.gettempdir()) / "crm-screenshots"
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


def pytest_collection_modifyitems(config, items):
    """Browser tests need Debian's Chromium. Where it is missing they skip, unless CI says
    they are required (CRM_REQUIRE_BROWSER=1), in which case they fail loudly. Tests
    marked `postgres` skip on SQLite before their fixtures run (a transactional test's
    set-up and flush cost seconds, for a test that would skip anyway)."""
    from django.conf import settings

    if "postgresql" not in settings.DATABASES["default"]["ENGINE"]:
        skip_pg = pytest.mark.skip(reason="needs PostgreSQL (set DATABASE_URL)")
        for item in items:
            if "postgres" in item.keywords:
                item.add_marker(skip_pg)
    if shutil.which(CHROMIUM) or os.environ.get("CRM_REQUIRE_BROWSER"):
        return
    skip = pytest.mark.skip(reason=f"{CHROMIUM} not installed (apt-get install chromium)")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


def _replay_data_migrations() -> None:
    """Run every RunPython of every migration again, in migration order. Each is
    idempotent (get_or_create), so this restores the rows data migrations made (roles,
    policy defaults) after a transactional test flushed them."""
    from django.apps import apps
    from django.conf import settings
    from django.db import connection
    from django.db.migrations import RunPython
    from django.db.migrations.loader import MigrationLoader

    ours = {
        config.label
        for config in apps.get_app_configs()
        if str(config.path).startswith(str(settings.BASE_DIR)) and ".venv" not in config.path
    }
    graph = MigrationLoader(connection).graph

    # What a RunPython uses of its schema editor: the connection (its vendor), execute()
    # (the search indexes' CREATE … IF NOT EXISTS) and quote_name().
    def execute(sql, params=()):
        with connection.cursor() as cursor:
            cursor.execute(sql, params)

    schema_editor = SimpleNamespace(
        connection=connection, execute=execute, quote_name=connection.ops.quote_name
    )
    done = set()
    for leaf in graph.leaf_nodes():
        for key in graph.forwards_plan(leaf):
            if key in done or key[0] not in ours:
                continue
            done.add(key)
            for operation in graph.nodes[key].operations:
                if isinstance(operation, RunPython):
                    operation.code(apps, schema_editor)


@pytest.fixture(autouse=True)
def _data_migration_rows(request, django_db_setup, django_db_blocker):
    """Transactional tests (browser tests, concurrency tests) flush every table when they
    end, and pytest-django may run other tests after them. Before every test, outside its
    transaction, the data-migration rows (roles and their permissions, policy defaults)
    come back if a flush took them."""
    from django.contrib.auth.models import Group

    with django_db_blocker.unblock():
        if not Group.objects.exists():
            _replay_data_migrations()


@pytest.fixture
def east_team(db):
    return TeamFactory(name="华东组")


@pytest.fixture
def north_team(db):
    return TeamFactory(name="华北组")


@pytest.fixture
def lead1(east_team):
    user = UserFactory(username="lead1", full_name="赵组长", team=east_team,
                       roles=["sales", "team_lead"])  # fmt: skip
    east_team.lead = user
    east_team.save()
    return user


@pytest.fixture
def sales1(east_team, lead1):
    return UserFactory(username="sales1", full_name="王磊", team=east_team, roles=["sales"])


@pytest.fixture
def sales2(east_team, lead1):
    return UserFactory(username="sales2", full_name="李娜", team=east_team, roles=["sales"])


@pytest.fixture
def sales3(north_team):
    return UserFactory(username="sales3", full_name="张伟", team=north_team, roles=["sales"])


@pytest.fixture
def manager1(db):
    return UserFactory(username="manager1", full_name="刘经理", roles=["manager"], is_staff=True)


@pytest.fixture
def custodian1(db):
    return UserFactory(
        username="custodian1", full_name="陈档案", roles=["custodian"], is_staff=True
    )


@pytest.fixture
def finance1(db):
    return UserFactory(username="finance1", full_name="周财务", roles=["finance"])


@pytest.fixture
def staff(sales1, sales2, sales3, lead1, manager1, custodian1, finance1):
    return {
        "sales1": sales1,
        "sales2": sales2,
        "sales3": sales3,
        "lead1": lead1,
        "manager1": manager1,
        "custodian1": custodian1,
        "finance1": finance1,
    }


@pytest.fixture
def customer_of_sales1(sales1):
    return CustomerFactory(owner=sales1, name="孙悦")


@pytest.fixture
def customer_of_sales3(sales3):
    return CustomerFactory(owner=sales3, name="钱多多")


@pytest.fixture(autouse=True)
def _english_outside_requests():
    """Messages built outside a request read in English in assertions; pages choose their
    language per request (zh-hans by default, see tests/accounts/test_project.py)."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def client_as(client):
    """Log the test client in as a given user, reading pages in English."""
    from django.conf import settings

    def login(user):
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        if user is not None:
            client.force_login(user)
        return client

    return login


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _celery_in_process(settings):
    """THE SUITE'S DEFAULT: the project's tasks run in the test's process, as in the
    default setup, also when CI names a broker (step 2 runs on PostgreSQL with Redis). A
    task queued to Redis with no worker would leave the test's mail, imports and webhook
    deliveries waiting. The real-worker tests (tests/jobs/test_workers_postgres.py) use a
    Celery app and workers of their own on the broker; the webhook tests that send on
    commit say so themselves."""
    from config.celery import app

    before = (app.conf.task_always_eager, app.conf.task_eager_propagates)
    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.WEBHOOKS_SEND_ON_COMMIT = False
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = before


@pytest.fixture(autouse=True)
def _two_factor_policy_off(monkeypatch):
    """THE SUITE'S DEFAULT: the two-factor policy requires nobody (in production it
    requires managers, custodians and superusers: CustodyPolicy.two_factor_roles).

    Most tests sign managers and custodians in with force_login to test something else;
    with the policy on, every one of them would first be sent to set up an authenticator.
    People who have set one up are still asked for their code. The two-factor tests
    (tests/twofactor/) switch the policy back on with their `two_factor_policy` fixture."""
    monkeypatch.setattr("twofactor.policy.required_roles", frozenset)


@pytest.fixture(autouse=True)
def _test_shortcuts_are_not_sign_ins(monkeypatch):
    """force_login and logout on the test client set up a test; they are not a person
    signing in or out, so they write no sign-in audit rows (tests that count audit rows
    count what the page under test wrote). The sign-in audit tests sign in through the
    login pages (tests/accounts/test_sign_in_audit.py)."""
    from django.contrib.auth.signals import user_logged_in, user_logged_out
    from django.test import Client

    from customers import sign_in

    def muted(method, signal, receiver):
        def call(self, *args, **kwargs):
            signal.disconnect(receiver, dispatch_uid=f"customers.sign_in.{receiver.__name__}")
            try:
                return method(self, *args, **kwargs)
            finally:
                sign_in.connect()

        return call

    monkeypatch.setattr(
        Client, "force_login", muted(Client.force_login, user_logged_in, sign_in.audit_signed_in)
    )
    monkeypatch.setattr(
        Client, "logout", muted(Client.logout, user_logged_out, sign_in.audit_signed_out)
    )
