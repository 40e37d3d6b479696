"""Health endpoints for probes.

GET /healthz/         the site: 200 while it can serve pages (the database answers), 503
                      when it cannot. The broker is reported in the JSON but never turns
                      the site unhealthy: pages work without Redis (outbox rows and job
                      claims wait in the database), and an orchestrator that restarted
                      the web containers because Redis is down would take a working site
                      away for nothing.
GET /healthz/broker/  the broker alone: 200 when it answers (or none is configured),
                      503 when it is unreachable, for the monitoring that should page
                      someone about the background jobs.
"""

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

NOT_CONFIGURED = "not configured (tasks run in-process)"


def _database_status() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any driver error means "down" to a probe
        return f"error: {exc.__class__.__name__}"
    return "ok"


def _broker_status() -> str:
    if not settings.CELERY_BROKER_URL:
        return NOT_CONFIGURED
    from config.celery import app

    try:
        with app.connection_for_write(settings.CELERY_BROKER_URL) as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except Exception as exc:  # kombu raises many kinds; all mean unreachable
        return f"error: {exc.__class__.__name__}"
    return "ok"


@never_cache
@require_GET
def healthz(request):
    database = _database_status()
    broker = _broker_status()
    healthy = database == "ok"
    return JsonResponse(
        {
            "status": "ok" if healthy else "error",
            "database": database,
            # Informational here; /healthz/broker/ is the probe that fails on it.
            "broker": broker,
        },
        status=200 if healthy else 503,
    )


@never_cache
@require_GET
def healthz_broker(request):
    broker = _broker_status()
    healthy = not broker.startswith("error")
    return JsonResponse(
        {"status": "ok" if healthy else "error", "broker": broker},
        status=200 if healthy else 503,
    )
