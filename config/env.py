"""Typed readers for environment variables, so settings.py stays declarative."""

import os

from django.core.exceptions import ImproperlyConfigured


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return default if value in (None, "") else int(value)


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_required(name: str) -> str:
    value = os.environ.get(name, "")
    if not value:
        raise ImproperlyConfigured(f"The environment variable {name} must be set in production.")
    return value


def env_database_url(name: str, *, default: str, production: bool) -> str:
    """The database URL. In production it must be given (a missing one would silently
    write to a SQLite file inside the container, lost at the next deploy), and a
    PostgreSQL server reached over the network must be given a password: set
    DATABASE_PASSWORDLESS=true where the server authenticates otherwise (a .pgpass file,
    a client certificate, a local socket)."""
    if not production:
        return os.environ.get(name) or default
    url = env_required(name)
    if url.startswith(("postgres://", "postgresql://", "pgsql://")) and not env_bool(
        "DATABASE_PASSWORDLESS"
    ):
        from urllib.parse import urlsplit

        parts = urlsplit(url)
        if parts.hostname and not parts.hostname.startswith("/") and not parts.password:
            raise ImproperlyConfigured(
                f"{name} gives no password for the database user "
                f"{parts.username or '(none)'} at {parts.hostname}. Put it in the URL "
                "(postgres://user:PASSWORD@host:5432/name, in the env file), or set "
                "DATABASE_PASSWORDLESS=true if the server authenticates otherwise."
            )
    return url
