"""Bookings as the API shows and takes them.

A booking sent by another system is addressed by its source and the source's booking
number; its customer by id or by one identifier the caller may see (mobile, full ID
number, organisation name); its destination by id or by name. These serializers check
the shape (types, lengths, choices); the sync service checks the content with the model's
own rules (customers.services.booking_sync_from_source)."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from api.serializers.customers import BlankChoicesMixin
from customers.models import Booking, BookingStatus, TripType

MONEY = {"max_digits": 12, "decimal_places": 2, "min_value": 0, "coerce_to_string": True}
MAX_HEAD_COUNT = 100_000
CUSTOMER_REFERENCES = ("customer", "customer_mobile", "customer_id_number", "customer_name")
DESTINATION_REFERENCES = ("destination", "destination_name")


class BookingSerializer(BlankChoicesMixin, serializers.ModelSerializer):
    """A booking. `customer` is the customer's id: a booking carries no personal data of
    its own (the customer's are at /customers/{id})."""

    number = serializers.CharField(source="source_number")
    destination_name = serializers.CharField(source="destination.name")
    amount = serializers.DecimalField(**MONEY)
    cost = serializers.DecimalField(**MONEY)
    refunded_amount = serializers.DecimalField(**MONEY)
    gross_profit = serializers.DecimalField(max_digits=13, decimal_places=2)

    class Meta:
        model = Booking
        fields = [
            "id",
            "customer",
            "source",
            "number",
            "product",
            "destination",
            "destination_name",
            "trip_type",
            "start_date",
            "end_date",
            "head_count",
            "amount",
            "cost",
            "gross_profit",
            "refunded_amount",
            "payment_due_date",
            "paid_date",
            "status",
            "created_at",
        ]
        read_only_fields = fields


def _optional_text(max_length: int, help_text: str) -> serializers.CharField:
    return serializers.CharField(
        required=False, allow_blank=False, max_length=max_length, help_text=help_text
    )


class BookingValuesSerializer(serializers.Serializer):
    """What a syncing system sends for one booking. Every booking field is optional on
    an update (what is left out stays as it is); a new booking needs product,
    destination, trip type, dates, amount and cost (the model says which are missing)."""

    customer = serializers.IntegerField(
        required=False, min_value=1, max_value=2**63 - 1, help_text="The customer's id."
    )
    customer_mobile = _optional_text(24, "Or: the customer's mobile number.")
    customer_id_number = _optional_text(
        24, "Or: the customer's full ID number (only where you may see full ID numbers)."
    )
    customer_name = _optional_text(200, "Or: the organisation's name (corporate customers).")
    product = _optional_text(200, "Product or tour.")
    destination = serializers.IntegerField(
        required=False, min_value=1, max_value=2**63 - 1, help_text="The destination's id."
    )
    destination_name = _optional_text(100, "Or: the destination's name.")
    trip_type = serializers.ChoiceField(choices=TripType.choices, required=False)
    start_date = serializers.DateField(required=False)
    end_date = serializers.DateField(required=False)
    head_count = serializers.IntegerField(required=False, min_value=1, max_value=MAX_HEAD_COUNT)
    amount = serializers.DecimalField(required=False, **MONEY)
    cost = serializers.DecimalField(required=False, **MONEY)
    refunded_amount = serializers.DecimalField(required=False, **MONEY)
    payment_due_date = serializers.DateField(required=False, allow_null=True)
    paid_date = serializers.DateField(required=False, allow_null=True)
    status = serializers.ChoiceField(choices=BookingStatus.choices, required=False)

    def validate(self, attrs):
        customers = [name for name in CUSTOMER_REFERENCES if name in attrs]
        if len(customers) != 1:
            raise serializers.ValidationError(
                {
                    "customer": [
                        _(
                            "Name the customer once: by customer (the id), customer_mobile, "
                            "customer_id_number or customer_name."
                        )
                    ]
                }
            )
        if all(name in attrs for name in DESTINATION_REFERENCES):
            raise serializers.ValidationError(
                {"destination": [_("Give the destination or its name, not both.")]}
            )
        return attrs


class BookingSyncItemSerializer(BookingValuesSerializer):
    """One booking of a batch: its source and number, then the same as a PUT's body."""

    source = serializers.CharField(max_length=40, help_text="The system it came from.")
    number = serializers.CharField(max_length=64, help_text="Its booking number there.")


BATCH_MAX = 500


class BookingBatchSerializer(serializers.Serializer):
    """The batch as it is read: a list of up to 500 objects. Each is then checked on its
    own (BookingSyncItemSerializer), so one bad item is reported in its result and does
    not hold back the others."""

    bookings = serializers.ListField(min_length=1, max_length=BATCH_MAX)


class BookingBatchRequestSerializer(serializers.Serializer):
    """The batch as the schema documents it."""

    bookings = BookingSyncItemSerializer(
        many=True, min_length=1, max_length=BATCH_MAX, help_text="Up to 500 bookings."
    )


class BookingSyncResultSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=["created", "updated", "unchanged"])
    booking = BookingSerializer()


class ItemErrorSerializer(serializers.Serializer):
    field = serializers.CharField()
    detail = serializers.CharField()
    code = serializers.CharField()


class BatchItemResultSerializer(serializers.Serializer):
    index = serializers.IntegerField(help_text="The item's place in the request, from 0.")
    status = serializers.ChoiceField(
        choices=["created", "updated", "unchanged", "invalid", "forbidden"],
        help_text="invalid: see errors; forbidden: you may not record bookings for it.",
    )
    id = serializers.IntegerField(allow_null=True, help_text="The booking's id, when saved.")
    source = serializers.CharField(allow_blank=True)
    number = serializers.CharField(allow_blank=True)
    errors = ItemErrorSerializer(many=True)


class BatchSummarySerializer(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    invalid = serializers.IntegerField()
    forbidden = serializers.IntegerField()


class BatchResultSerializer(serializers.Serializer):
    summary = BatchSummarySerializer()
    results = BatchItemResultSerializer(many=True)
