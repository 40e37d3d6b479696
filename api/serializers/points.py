"""Points cards 积分卡, their statements and redemptions as the API shows them."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from api.serializers.customers import BlankChoicesMixin
from loyalty.models import Card, LedgerEntry, Redemption, Reward
from loyalty.services.redemption import IDEMPOTENCY_KEY_MAX_LENGTH


class PointsCardSerializer(BlankChoicesMixin, serializers.ModelSerializer):
    number = serializers.CharField(read_only=True, help_text="The card number (JF…).")
    expiring_points = serializers.IntegerField(
        read_only=True, help_text="Points that expire within expiring_days."
    )
    expiring_days = serializers.IntegerField(read_only=True)
    next_expiry = serializers.DateField(read_only=True, allow_null=True)

    class Meta:
        model = Card
        fields = [
            "id",
            "number",
            "customer",
            "level",
            "status",
            "balance",
            "expiring_points",
            "expiring_days",
            "next_expiry",
            "created_at",
        ]
        read_only_fields = fields


class StatementLineSerializer(BlankChoicesMixin, serializers.ModelSerializer):
    balance = serializers.IntegerField(help_text="The balance after this entry.")
    details = serializers.CharField(help_text="The reward, the booking's product, or the reason.")

    class Meta:
        model = LedgerEntry
        fields = [
            "id",
            "occurred_on",
            "kind",
            "points",
            "balance",
            "details",
            "booking",
            "redemption",
            "expires_on",
            "remaining",
        ]
        read_only_fields = fields


class StatementSerializer(serializers.Serializer):
    card = serializers.CharField(help_text="The card number.")
    start = serializers.DateField(allow_null=True)
    end = serializers.DateField(allow_null=True)
    opening_balance = serializers.IntegerField()
    closing_balance = serializers.IntegerField()
    entries = StatementLineSerializer(many=True)


class StatementQuerySerializer(serializers.Serializer):
    start = serializers.DateField(required=False, help_text="From this day (inclusive).")
    end = serializers.DateField(required=False, help_text="To this day (inclusive).")

    def validate(self, attrs):
        if attrs.get("start") and attrs.get("end") and attrs["end"] < attrs["start"]:
            raise serializers.ValidationError({"end": [_("The end comes before the start.")]})
        return attrs


class RewardSerializer(BlankChoicesMixin, serializers.ModelSerializer):
    class Meta:
        model = Reward
        fields = ["id", "name", "kind", "description", "points_price", "stock"]
        read_only_fields = fields


class RedeemSerializer(serializers.Serializer):
    reward = serializers.IntegerField(
        min_value=1, max_value=2**63 - 1, help_text="The reward's id (GET /rewards)."
    )


class RedemptionSerializer(BlankChoicesMixin, serializers.ModelSerializer):
    reward = RewardSerializer(read_only=True)
    balance_after = serializers.IntegerField(
        read_only=True, help_text="The card's balance right after this redemption."
    )

    class Meta:
        model = Redemption
        fields = [
            "id",
            "card",
            "reward",
            "points",
            "status",
            "redeemed_at",
            "balance_after",
            "idempotency_key",
        ]
        read_only_fields = fields


IDEMPOTENCY_KEY_HELP = (
    f"Required: 1 to {IDEMPOTENCY_KEY_MAX_LENGTH} printable ASCII characters, unique per "
    "redemption you mean (e.g. your order number). The same key on the same card returns "
    "the first result and redeems nothing more."
)
