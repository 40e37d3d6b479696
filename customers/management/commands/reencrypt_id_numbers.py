"""Re-encrypts every stored ID number under the current key (after a key rotation)."""

from django.core.management.base import BaseCommand

from customers import id_numbers
from customers.models import Customer


class Command(BaseCommand):
    help = (
        "Re-encrypt ID numbers not yet under the current key of ID_NUMBER_KEYS (the first), "
        "in batches; safe to rerun. --reindex also recomputes every blind index (after "
        "changing ID_NUMBER_INDEX_KEY). --new-key prints a fresh random key and exits."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=1000)
        parser.add_argument("--reindex", action="store_true")
        parser.add_argument("--new-key", action="store_true")

    def handle(self, *args, batch_size, reindex, new_key, **options):
        if new_key:
            self.stdout.write(id_numbers.new_key())
            return
        current = id_numbers.keyring().current_id
        for model in (Customer, Customer.history.model):
            changed = id_numbers.reencrypt_rows(model, batch_size=batch_size, reindex=reindex)
            self.stdout.write(
                f"{model._meta.label}: {changed} ID number(s) re-encrypted under key {current}."
            )
