"""Benchmark the mail outbox: what queueing costs the transaction that writes it, and how
fast the sweep sends to a real SMTP server.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/scratch \
        .venv/bin/python bench/outbox.py [--messages 2000]

Needs a migrated database (a scratch copy); the rows it writes are deleted at the end.
Prints:
- `messages_queue` of `--messages` e-mails (one bulk INSERT per 1,000 rows) against a bare
  multi-row INSERT of the same rows into the same table (psycopg2 `execute_values`, 1,000
  rows a statement; ratio);
- the sweep sending them to an SMTP server on 127.0.0.1 (aiosmtpd, in its own process so
  it does not share our GIL): messages/s, one connection for the run, the claim and the
  record (two UPDATEs and an attempt row) per message;
- the sweep finding the server down: how long one run takes with every message due.
"""

import argparse
import datetime
import os
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

SERVER = """
import asyncio, sys
from aiosmtpd.controller import Controller

class Handler:
    async def handle_DATA(self, server, session, envelope):
        return "250 OK"

controller = Controller(Handler(), hostname="127.0.0.1", port=int(sys.argv[1]))
controller.start()
print("ready", flush=True)
sys.stdin.read()
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=2000)
    args = parser.parse_args()
    port = free_port()
    os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.smtp.EmailBackend"
    os.environ["EMAIL_HOST"] = "127.0.0.1"
    os.environ["EMAIL_PORT"] = str(port)

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection, transaction
    from django.utils import timezone
    from psycopg2.extras import Json, execute_values

    from customers.models import MessageStatus, OutboundAttempt, OutboundMessage
    from customers.services import MessageDraft, messages_queue
    from customers.services.outbox_sending import messages_send_due

    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    n = args.messages
    drafts = [
        MessageDraft(
            [f"customer{i}@example.com"],
            f"您的客户等级：{'ABC'[i % 3]}",
            "尊敬的客户：\n\n感谢您与我们同行。您的客户等级现为 A。" * 3,
            f"grade_notification:{i}",
        )
        for i in range(n)
    ]
    before = OutboundMessage.objects.order_by("-pk").values_list("pk", flat=True).first() or 0

    started = time.perf_counter()
    with transaction.atomic():
        ids = messages_queue(kind="bench", drafts=drafts, dispatch=False)
    queue_s = time.perf_counter() - started

    now = timezone.now()
    rows = [
        (
            "email",
            "bench-bare",
            d.reference,
            Json(d.recipients),
            d.subject,
            d.body,
            f"<outbox.{uuid.uuid4().hex}@example.com>",
            "pending",
            0,
            now,
            "",
            now,
        )
        for d in drafts
    ]
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        execute_values(
            cursor,
            "INSERT INTO customers_outboundmessage (channel, kind, reference, recipients, "
            "subject, body, message_id_header, status, attempts, next_attempt_at, "
            "last_error, created_at) VALUES %s",
            rows,
            page_size=1000,
        )
    bare_s = time.perf_counter() - started
    OutboundMessage.objects.filter(kind="bench-bare").delete()

    # The server is down: one sweep run over all the due messages.
    started = time.perf_counter()
    down = messages_send_due(limit=n)
    down_s = time.perf_counter() - started

    server = subprocess.Popen(  # noqa: S603 (our own interpreter and code)
        [sys.executable, "-c", SERVER, str(port)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        server.stdout.readline()
        later = timezone.now() + datetime.timedelta(minutes=10)
        started = time.perf_counter()
        sent = messages_send_due(now=later, limit=n, time_budget_seconds=3600).sent
        send_s = time.perf_counter() - started
    finally:
        server.stdin.close()
        server.wait(timeout=10)
    ok = OutboundMessage.objects.filter(pk__in=ids, status=MessageStatus.SENT).count()
    OutboundAttempt.objects.filter(message__kind="bench").delete()
    OutboundMessage.objects.filter(kind="bench", pk__gt=before).delete()

    print(f"{connection.vendor}, {n} messages")
    print(f"messages_queue: {queue_s * 1000:.0f} ms ({queue_s / n * 1e6:.0f} µs a message)")
    print(f"bare INSERT of the same rows: {bare_s * 1000:.0f} ms; ratio {queue_s / bare_s:.2f}")
    print(f"server down: one sweep run {down_s * 1000:.0f} ms, {down.attempted} attempted")
    print(f"sending: {sent} sent ({ok} marked) in {send_s:.1f} s = {sent / send_s:.0f} msgs/s")
    return 0 if ok == n else 1


if __name__ == "__main__":
    sys.exit(main())
