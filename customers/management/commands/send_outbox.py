from django.core.management.base import BaseCommand

from customers.services.outbox_sending import messages_prune, messages_send_due


class Command(BaseCommand):
    help = (
        "Send the outgoing messages that are due (new ones whose task was lost, retries "
        "whose time has come, those of a worker that died). The Celery beat runs the same "
        "sweep every minute; without a broker, run this from cron every minute."
    )

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=500, help="At most this many.")

    def handle(self, *args, limit: int, **options):
        result = messages_send_due(limit=limit)
        pruned = messages_prune()
        self.stdout.write(f"{result.attempted} attempted, {result.sent} sent, {pruned} old removed")
        if result.server_trouble:
            self.stdout.write(f"Stopped: {result.server_trouble}")
