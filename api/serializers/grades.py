"""Grades 客户等级, their history and the monthly statistics 每月统计 as the API shows them."""

from rest_framework import serializers

from api.serializers.customers import BlankChoicesMixin, OwnerSerializer
from tiers.models import CustomerSnapshot, GradeChange

MONEY = {"max_digits": 16, "decimal_places": 2, "coerce_to_string": True}


class MonthlyFiguresSerializer(BlankChoicesMixin, serializers.ModelSerializer):
    """A customer's figures at the end of a month, as the monthly job computed them."""

    margin_percent = serializers.DecimalField(
        max_digits=8, decimal_places=1, allow_null=True, read_only=True
    )

    class Meta:
        model = CustomerSnapshot
        fields = [
            "month",
            "grade",
            "implied_grade",
            "quadrant",
            "spend_12m",
            "spend_prev_12m",
            "gross_profit_12m",
            "margin_percent",
            "bookings_12m",
            "bookings_prev_12m",
            "last_trip_on",
            "recency_days",
            "avg_payment_delay_days",
            "r_score",
            "f_score",
            "m_score",
            "spend_percentile",
            "large_volume",
            "high_loyalty",
            "is_dormant",
            "last_business_on",
            "value_score",
            "poor_value",
        ]
        read_only_fields = fields


class GradeChangeSerializer(BlankChoicesMixin, serializers.ModelSerializer):
    approved_by = OwnerSerializer(read_only=True)
    reason = serializers.CharField(source="reason_text", read_only=True)

    class Meta:
        model = GradeChange
        fields = ["id", "from_grade", "to_grade", "source", "reason", "approved_by", "changed_at"]
        read_only_fields = fields


class CustomerGradeSerializer(serializers.Serializer):
    customer = serializers.IntegerField()
    grade = serializers.CharField(allow_blank=True, help_text="A, B, C or empty (not graded).")
    grade_label = serializers.CharField(allow_blank=True)
    manual = serializers.BooleanField(help_text="The grade is a manager's manual override.")
    latest_figures = MonthlyFiguresSerializer(
        allow_null=True, help_text="The latest month's statistics."
    )
    recent_changes = GradeChangeSerializer(many=True, help_text="The last ten grade changes.")


class GradeRowSerializer(serializers.Serializer):
    grade = serializers.CharField(allow_blank=True)
    label = serializers.CharField()
    customers = serializers.IntegerField()
    share = serializers.FloatField()
    spend = serializers.DecimalField(**MONEY)


class QuadrantRowSerializer(serializers.Serializer):
    quadrant = serializers.CharField()
    label = serializers.CharField()
    customers = serializers.IntegerField()
    customer_share = serializers.FloatField()
    spend = serializers.DecimalField(**MONEY)
    spend_share = serializers.FloatField()
    gross_profit = serializers.DecimalField(**MONEY)
    profit_share = serializers.FloatField()
    poor_value = serializers.IntegerField()


class MovementRowSerializer(serializers.Serializer):
    kind = serializers.CharField()
    label = serializers.CharField()
    customers = serializers.IntegerField()


class ParetoSerializer(serializers.Serializer):
    buyers = serializers.IntegerField()
    spend = serializers.DecimalField(**MONEY)
    gross_profit = serializers.DecimalField(**MONEY)
    top20_spend_percent = serializers.FloatField()
    top20_profit_percent = serializers.FloatField()


class RfmCellSerializer(serializers.Serializer):
    r = serializers.IntegerField()
    f = serializers.IntegerField()
    customers = serializers.IntegerField()
    avg_m = serializers.FloatField(allow_null=True)
    spend = serializers.DecimalField(**MONEY)


class MonthlyStatisticsSerializer(serializers.Serializer):
    month = serializers.CharField(help_text="YYYY-MM")
    customers = serializers.IntegerField()
    spend = serializers.DecimalField(**MONEY)
    grades = GradeRowSerializer(many=True)
    quadrants = QuadrantRowSerializer(many=True)
    movement = MovementRowSerializer(many=True)
    pareto = ParetoSerializer()
    rfm = RfmCellSerializer(many=True)


class MonthQuerySerializer(serializers.Serializer):
    month = serializers.RegexField(
        r"^[1-9]\d{3}-(0[1-9]|1[0-2])$",
        required=False,
        help_text="YYYY-MM; the latest month with statistics if left out.",
    )
