from django.core.management.base import BaseCommand

from webhooks.services import deliveries_prune, deliveries_send_due


class Command(BaseCommand):
    help = (
        "Send the webhook deliveries that are due (new ones, retries whose time has come, "
        "those of a worker that died). The Celery beat runs the same sweep every minute; "
        "without a broker, run this from cron every minute."
    )

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=200, help="At most this many.")

    def handle(self, *args, limit: int, **options):
        result = deliveries_send_due(limit=limit)
        pruned = deliveries_prune()
        self.stdout.write(
            f"{result.attempted} attempted, {result.delivered} delivered, "
            f"{len(result.skipped_endpoints)} endpoint(s) unreachable, {pruned} old removed"
        )
