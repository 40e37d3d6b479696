"""Redemption 兑换: points and stock are taken together, with the card and the reward
locked (always in that order, so two redemptions never deadlock), and given back
together when a redemption is cancelled."""

import datetime

from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from customers.audit import audit_record
from customers.models import AuditAction, Customer
from loyalty.models import (
    Card,
    CardStatus,
    EntryKind,
    LedgerEntry,
    Redemption,
    RedemptionStatus,
    Reward,
)
from loyalty.selectors import rulebooks_published
from loyalty.services import statements
from loyalty.services.earning import rulebook_on
from loyalty.services.errors import PointsRefused
from loyalty.services.ledger import _expire_due_lots, _expiry, _post, _post_together

IDEMPOTENCY_KEY_MAX_LENGTH = 100


def _replay(redemption: Redemption) -> Redemption:
    """The redemption a key first made, as it was answered then: the card's balance right
    after its points were drawn (the card's entries are written under its lock, so the
    sum of those up to its last draw is that balance)."""
    last_draw = max(
        entry.pk for entry in redemption.entries.all() if entry.kind == EntryKind.REDEEM
    )
    redemption.balance_after = LedgerEntry.objects.filter(
        card_id=redemption.card_id, pk__lte=last_draw
    ).aggregate(total=Sum("points"))["total"]
    redemption.replayed = True
    return redemption


def redemption_create(
    *,
    actor,
    card_id: int,
    reward_id: int,
    today: datetime.date | None = None,
    idempotency_key: str = "",
) -> Redemption:
    """Take a reward for points. With an `idempotency_key` (the API's Idempotency-Key
    header) the key names the redemption on its card: sent again — later, or at the same
    moment, as the card row is locked before the key is looked up — it returns the
    redemption the key made (`replayed`, `balance_after` as answered then) and takes
    nothing more; the same key for another reward is refused. A refused attempt is not
    remembered, so the key may be sent again once the card holds enough points."""
    today = today or timezone.localdate()
    key = (idempotency_key or "").strip()
    if len(key) > IDEMPOTENCY_KEY_MAX_LENGTH:
        raise PointsRefused(
            _("An idempotency key has at most %(max)d characters.")
            % {"max": IDEMPOTENCY_KEY_MAX_LENGTH}
        )
    with transaction.atomic():
        # The card locked and the reward read in one statement (with the key of the
        # published rulebooks, cached per process).
        card, reward, rulebook_key = statements.card_and_reward_lock(
            card_id=card_id, reward_id=reward_id
        )
        if key:
            earlier = (
                Redemption.objects.filter(card=card, idempotency_key=key)
                .select_related("reward")
                .prefetch_related("entries")
                .first()
            )
            if earlier is not None:
                if earlier.reward_id != reward_id:
                    raise PointsRefused(
                        _("This idempotency key was already used on this card for “%(reward)s”.")
                        % {"reward": earlier.reward.name}
                    )
                return _replay(earlier)
        if reward is None:
            raise Reward.DoesNotExist(f"Reward {reward_id} does not exist.")
        if reward.stock is not None:
            # Only a limited reward is locked: redemptions of an unlimited one need not
            # queue behind each other (the stock CHECK guards a concurrent admin change).
            reward = Reward.objects.select_for_update().get(pk=reward_id)
        if card.status != CardStatus.ACTIVE:
            raise PointsRefused(_("This card is frozen: no points can be redeemed."))
        if not reward.active:
            raise PointsRefused(_("“%(reward)s” is no longer offered.") % {"reward": reward.name})
        if not reward.in_stock:
            raise PointsRefused(_("“%(reward)s” is out of stock.") % {"reward": reward.name})
        # The card's lots, read once: those past their validity expire, the others are
        # drawn on, oldest expiry first.
        lots = statements.open_lots(card_id=card.pk)
        due = [
            statements.lot_from_row(card, row)
            for row in sorted(lots)  # by id
            if row[2] <= today
        ]
        expiries = [_expiry(card, lot, today=today) for lot in due]
        balance = card.balance + sum(entry.points for entry in expiries)
        if balance < reward.points_price:
            raise PointsRefused(
                _("Not enough points: balance %(balance)d, needs %(needs)d.")
                % {"balance": balance, "needs": reward.points_price}
            )
        redemption = Redemption.objects.create(
            card=card,
            reward=reward,
            points=reward.points_price,
            redeemed_at=timezone.now(),
            redeemed_by=actor,
            idempotency_key=key,
        )
        in_force = rulebook_on(rulebooks_published(key=rulebook_key), today)
        rulebook_id = in_force.pk if in_force is not None else None
        draws, left = [], reward.points_price
        for row in lots:
            if left == 0:
                break
            if row[2] <= today:  # expired above
                continue
            lot = statements.lot_from_row(card, row)
            take = min(lot.remaining, left)
            left -= take
            lot.remaining -= take
            draws.append(
                LedgerEntry(
                    card=card,
                    kind=EntryKind.REDEEM,
                    points=-take,
                    occurred_on=today,
                    lot=lot,
                    redemption=redemption,
                    actor=actor,
                    rulebook_id=rulebook_id,
                )
            )
        if left:  # the balance was checked under the lock; the caches disagree
            raise PointsRefused(
                _("The card's lots do not add up to its balance; run the reconciliation.")
            )
        _post_together(card, [expiries, draws], lots=[*due, *(d.lot for d in draws)])
        if reward.stock is not None:
            Reward.objects.filter(pk=reward.pk).update(stock=F("stock") - 1)
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=redemption,
            customer=Customer(pk=card.customer_id),
            object_type="loyalty_redemption",
            detail={"reward": reward.name, "points": reward.points_price, "balance": card.balance},
        )
    redemption.balance_after = card.balance
    redemption.replayed = False
    return redemption


def redemption_cancel(
    *, actor, redemption_id: int, reason: str, today: datetime.date | None = None
) -> Redemption:
    """Give the points back to the lots they came from, keeping those lots' original
    expiry (points whose lot has expired meanwhile expire again at once, with an entry),
    and put the reward back in stock."""
    today = today or timezone.localdate()
    reason = (reason or "").strip()
    if not reason:
        raise PointsRefused(_("Give the reason for cancelling."))
    card_id = Redemption.objects.values_list("card_id", flat=True).get(pk=redemption_id)
    with transaction.atomic():
        card = (
            Card.objects.select_for_update(of=("self",)).select_related("customer").get(pk=card_id)
        )
        redemption = Redemption.objects.select_for_update().get(pk=redemption_id)
        reward = Reward.objects.select_for_update().get(pk=redemption.reward_id)
        if redemption.status == RedemptionStatus.CANCELLED:
            raise PointsRefused(_("This redemption was already cancelled."))
        draws = list(redemption.entries.filter(kind=EntryKind.REDEEM).select_related("lot"))
        _post(
            card,
            [
                LedgerEntry(
                    card=card,
                    kind=EntryKind.CANCEL,
                    points=-draw.points,
                    occurred_on=today,
                    actor=actor,
                    redemption=redemption,
                    lot=draw.lot,
                    rulebook_id=draw.rulebook_id,
                    reason=reason,
                )
                for draw in draws
            ],
        )
        for draw in draws:
            LedgerEntry.objects.filter(pk=draw.lot_id).update(
                remaining=F("remaining") - draw.points
            )
        _expire_due_lots(card, today=today)
        if reward.stock is not None:
            Reward.objects.filter(pk=reward.pk).update(stock=F("stock") + 1)
        redemption.status = RedemptionStatus.CANCELLED
        redemption.cancelled_at = timezone.now()
        redemption.cancelled_by = actor
        redemption.cancel_reason = reason
        redemption.save(update_fields=["status", "cancelled_at", "cancelled_by", "cancel_reason"])
        audit_record(
            actor=actor,
            action=AuditAction.CHANGE,
            obj=redemption,
            customer=card.customer,
            object_type="loyalty_redemption",
            detail={"cancelled": reason, "points": redemption.points, "balance": card.balance},
        )
    redemption.balance_after = card.balance
    return redemption
