"""A base for the read-only model serializers of the bookings, records, follow-ups,
points and grades resources."""

from rest_framework import serializers


class ReadOnlyModelSerializer(serializers.ModelSerializer):
    """A model serializer whose fields are all read-only, and whose schema still says
    which text fields may be empty: DRF drops `allow_blank` from read-only fields, so an
    optional choice (a grade not yet given, a channel not recorded) would be documented
    as never empty while the API answers "" (schemathesis checks every answer)."""

    def include_extra_kwargs(self, kwargs, extra_kwargs):
        blank = kwargs.get("allow_blank", False)
        kwargs = super().include_extra_kwargs(kwargs, extra_kwargs)
        if blank:
            kwargs["allow_blank"] = True
        return kwargs
