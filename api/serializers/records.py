"""Contact records 联系记录 and service records (feedback) 服务记录 as the API shows and
takes them. The shape is checked here; the content by the pages' own forms and services
(customers.forms, customers.services, followups.services.feedback)."""

from rest_framework import serializers

from api.serializers.customers import BlankChoicesMixin, OwnerSerializer
from customers.models import (
    ContactChannel,
    ContactOutcome,
    ContactRecord,
    FeedbackSource,
    ServiceKind,
    ServiceRecord,
    ServiceStatus,
)

DB_ID_MAX = 2**63 - 1


class ContactRecordSerializer(BlankChoicesMixin, serializers.ModelSerializer):
    by = OwnerSerializer(read_only=True)

    class Meta:
        model = ContactRecord
        fields = [
            "id",
            "customer",
            "channel",
            "outcome",
            "contacted_at",
            "by",
            "notes",
            "next_step",
            "next_contact_on",
            "created_at",
        ]
        read_only_fields = fields


class ContactRecordInputSerializer(serializers.Serializer):
    channel = serializers.ChoiceField(choices=ContactChannel.choices)
    outcome = serializers.ChoiceField(choices=ContactOutcome.choices)
    contacted_at = serializers.DateTimeField(
        required=False, help_text="When; now if left out. Not in the future."
    )
    notes = serializers.CharField(required=False, allow_blank=True, max_length=10_000)
    next_step = serializers.CharField(required=False, allow_blank=True, max_length=200)
    next_contact_on = serializers.DateField(required=False, allow_null=True)


class ServiceRecordSerializer(BlankChoicesMixin, serializers.ModelSerializer):
    recorded_by = OwnerSerializer(read_only=True)
    assigned_to = OwnerSerializer(read_only=True, allow_null=True)

    class Meta:
        model = ServiceRecord
        fields = [
            "id",
            "customer",
            "kind",
            "source_channel",
            "booking",
            "occurred_at",
            "summary",
            "details",
            "status",
            "assigned_to",
            "respond_by",
            "responded_at",
            "response",
            "resolution",
            "correction",
            "closed_at",
            "recorded_by",
            "created_at",
        ]
        read_only_fields = fields


class ServiceRecordInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ServiceKind.choices)
    source_channel = serializers.ChoiceField(
        choices=FeedbackSource.choices, required=False, allow_blank=True
    )
    booking = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        max_value=DB_ID_MAX,
        help_text="One of this customer's bookings.",
    )
    occurred_at = serializers.DateTimeField(required=False, help_text="When; now if left out.")
    summary = serializers.CharField(max_length=200)
    details = serializers.CharField(required=False, allow_blank=True, max_length=10_000)
    status = serializers.ChoiceField(choices=ServiceStatus.choices, required=False)
    response = serializers.CharField(required=False, allow_blank=True, max_length=10_000)
    resolution = serializers.CharField(required=False, allow_blank=True, max_length=10_000)
    correction = serializers.CharField(required=False, allow_blank=True, max_length=10_000)
