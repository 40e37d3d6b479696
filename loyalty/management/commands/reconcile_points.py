from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from loyalty.selectors import ledger_reconcile


class Command(BaseCommand):
    help = gettext_lazy(
        "Check that every card's cached balance equals the sum of its ledger entries and "
        "every lot's remaining points equal its points less what was drawn on it."
    )

    def handle(self, *args, **options):
        result = ledger_reconcile()
        for card_id, cached, total in result.card_mismatches:
            self.stdout.write(
                _("Card %(card)d: balance %(cached)d, entries add up to %(total)d.")
                % {"card": card_id, "cached": cached, "total": total}
            )
        for lot_id, cached, total in result.lot_mismatches:
            self.stdout.write(
                _("Lot %(lot)d: remaining %(cached)d, ledger says %(total)d.")
                % {"lot": lot_id, "cached": cached, "total": total}
            )
        if not result.ok:
            raise CommandError(_("The points ledger does not reconcile."))
        self.stdout.write(
            self.style.SUCCESS(
                _("%(cards)d card(s) checked: every balance equals the sum of its entries.")
                % {"cards": result.cards_checked}
            )
        )
