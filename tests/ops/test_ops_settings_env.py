"""Every deployment setting through the env file; production refuses what it must."""

import json
import re
import subprocess

import pytest

from tests.ops.conftest import BASE_DIR, PRODUCTION_ENV, PYTHON, manage_env

# The suite's autouse fixtures read the test database.
pytestmark = pytest.mark.django_db

READ_BY_SETTINGS = re.compile(r'env_(?:str|bool|int|list|required|database_url)\(\s*"([A-Z_]+)"')
READ_BY_ENV_HELPERS = re.compile(r'env_bool\(\s*"([A-Z_]+)"')


def _env_example() -> dict[str, str]:
    """Variables .env.example sets or documents (commented-out `# NAME=` lines too)."""
    names = {}
    for line in (BASE_DIR / ".env.example").read_text().splitlines():
        match = re.match(r"#?\s*([A-Z][A-Z0-9_]+)=(.*)$", line)
        if match:
            names[match.group(1)] = match.group(2)
    return names


def _production(code: str, **env):
    return subprocess.run(
        [PYTHON, "manage.py", "shell", "-c", code],
        cwd=BASE_DIR,
        env=manage_env(**{**PRODUCTION_ENV, **env}),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_every_setting_read_from_the_environment_is_documented_in_env_example():
    source = (BASE_DIR / "config" / "settings.py").read_text()
    read = set(READ_BY_SETTINGS.findall(source))
    read |= set(READ_BY_ENV_HELPERS.findall((BASE_DIR / "config" / "env.py").read_text()))
    assert {"EMAIL_HOST_PASSWORD", "AUDIT_TRUST_X_FORWARDED_FOR", "DATABASE_URL"} <= read
    # Development-only switches, set by compose, or documented by name in .env.example.
    not_for_production = {"DEBUG", "REDIS_URL", "DJANGO_ENV", "WEBHOOKS_ALLOW_HTTP_LOOPBACK"}
    documented = set(_env_example())
    assert read - not_for_production - documented == set()


def test_production_settings_take_mail_proxy_and_secrets_from_the_env_file():
    example = _env_example()
    env = {
        name: value
        for name, value in example.items()
        if value and not name.startswith(("POSTGRES_", "WEB_PORT"))
    }
    env.update(
        PRODUCTION_ENV,
        EMAIL_HOST_PASSWORD="mail-pass",
        EMAIL_USE_TLS="true",
        AUDIT_TRUST_X_FORWARDED_FOR="true",
        AUDIT_TRUSTED_PROXY_COUNT="2",
        EMAIL_TIMEOUT="7",
    )
    names = [
        "EMAIL_HOST", "EMAIL_PORT", "EMAIL_HOST_USER", "EMAIL_HOST_PASSWORD", "EMAIL_USE_TLS",
        "EMAIL_USE_SSL", "EMAIL_TIMEOUT", "DEFAULT_FROM_EMAIL", "AUDIT_TRUST_X_FORWARDED_FOR",
        "AUDIT_TRUSTED_PROXY_COUNT", "CSRF_TRUSTED_ORIGINS", "ALLOWED_HOSTS", "DEBUG",
    ]  # fmt: skip
    code = (
        "import json; from django.conf import settings as s; "
        f"print(json.dumps({{k: getattr(s, k) for k in {names!r}}} | "
        "{'DB': s.DATABASES['default']['PASSWORD'], 'MEDIA': str(s.PRIVATE_MEDIA_ROOT)}))"
    )
    result = _production(code, **env)
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert values["EMAIL_HOST"] == "smtp.example.com"
    assert values["EMAIL_PORT"] == 587
    assert values["EMAIL_HOST_USER"] == "crm@example.com"
    assert values["EMAIL_HOST_PASSWORD"] == "mail-pass"
    assert values["EMAIL_USE_TLS"] is True and values["EMAIL_USE_SSL"] is False
    assert values["EMAIL_TIMEOUT"] == 7
    assert values["DEFAULT_FROM_EMAIL"] == "Travel CRM <crm@example.com>"
    assert values["AUDIT_TRUST_X_FORWARDED_FOR"] is True
    assert values["AUDIT_TRUSTED_PROXY_COUNT"] == 2
    assert values["CSRF_TRUSTED_ORIGINS"] == ["https://crm.example.com"]
    assert values["DEBUG"] is False
    assert values["DB"] == "s3cret"
    assert values["MEDIA"] == "/data/private_media"


def _import_settings(**env):
    return subprocess.run(
        [PYTHON, "-c", "import config.settings"],
        cwd=BASE_DIR,
        env=manage_env(**{**PRODUCTION_ENV, **env}),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_production_refuses_a_database_url_without_its_password():
    result = _import_settings(DATABASE_URL="postgres://crm@db:5432/crm")
    assert result.returncode != 0
    assert "DATABASE_URL gives no password for the database user crm at db" in result.stderr


def test_production_refuses_to_fall_back_to_sqlite_without_a_database_url():
    result = _import_settings(DATABASE_URL=None)
    assert result.returncode != 0
    assert "DATABASE_URL must be set in production" in result.stderr


def test_a_passwordless_server_can_be_declared():
    result = _production(
        "from django.conf import settings; print(settings.DATABASES['default']['HOST'])",
        DATABASE_URL="postgres://crm@db:5432/crm",
        DATABASE_PASSWORDLESS="true",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "db"
