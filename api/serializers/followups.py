"""Follow-ups 回访任务 as the API shows them, and the completion it takes."""

from rest_framework import serializers

from api.serializers.customers import BlankChoicesMixin
from api.serializers.records import ContactRecordSerializer
from customers.models import ContactChannel, ContactOutcome
from followups.models import Followup


class CustomerRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class FollowupSerializer(BlankChoicesMixin, serializers.ModelSerializer):
    customer = CustomerRefSerializer(read_only=True)
    reason = serializers.CharField(read_only=True, help_text="Why it exists, in your language.")
    cap_note = serializers.CharField(
        read_only=True, help_text="Why the frequency cap moved it; empty if it did not."
    )
    has_confirmed_appointment = serializers.BooleanField(read_only=True)

    class Meta:
        model = Followup
        fields = [
            "id",
            "kind",
            "customer",
            "reason",
            "channel",
            "planned_on",
            "due_on",
            "cap_note",
            "status",
            "appointment_at",
            "has_confirmed_appointment",
            "booking",
            "service_record",
            "completed_at",
            "contact_record",
        ]
        read_only_fields = fields


class FollowupCompleteSerializer(serializers.Serializer):
    """As the Done form on My day: the outcome, and the channel if not the suggested one."""

    outcome = serializers.ChoiceField(choices=ContactOutcome.choices)
    channel = serializers.ChoiceField(
        choices=ContactChannel.choices,
        required=False,
        allow_blank=True,
        help_text="Empty: the follow-up's suggested channel.",
    )
    notes = serializers.CharField(required=False, allow_blank=True, max_length=10_000)
    next_step = serializers.CharField(required=False, allow_blank=True, max_length=200)
    next_contact_on = serializers.DateField(required=False, allow_null=True)


class FollowupCompletedSerializer(serializers.Serializer):
    followup = FollowupSerializer()
    contact_record = ContactRecordSerializer()
