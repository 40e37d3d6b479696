import datetime

import django_filters
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from customers.models import (
    ChannelPartner,
    Customer,
    CustomerKind,
    CustomerStatus,
    Destination,
    SourceChannel,
    Tag,
)
from customers.search import customer_search
from customers.selectors import (
    customer_filter_dormant_stored,
    customer_filter_never_contacted,
    customer_filter_not_contacted_since,
    owner_choices,
)


class AnyYesNo(forms.Select):
    """A yes/no filter whose empty choice reads "Any", not django-filter's "Unknown"."""

    def __init__(self, attrs=None):
        super().__init__(attrs, choices=[("", _("Any")), ("true", _("Yes")), ("false", _("No"))])


CONTACT_AGE_CHOICES = [
    ("30", _("Not contacted for 30+ days")),
    ("60", _("Not contacted for 60+ days")),
    ("90", _("Not contacted for 90+ days")),
    ("180", _("Not contacted for 180+ days")),
    ("never", _("Never contacted")),
]


class CustomerFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_search", label=_("Search"))
    kind = django_filters.ChoiceFilter(choices=CustomerKind.choices, label=_("kind"))
    status = django_filters.ChoiceFilter(choices=CustomerStatus.choices, label=_("status"))
    owner = django_filters.ModelChoiceFilter(queryset=None, label=_("owner"))
    source_channel = django_filters.ChoiceFilter(
        choices=SourceChannel.choices, label=_("source channel")
    )
    channel_partner = django_filters.ModelChoiceFilter(
        queryset=ChannelPartner.objects.all(), label=_("channel partner")
    )
    destination = django_filters.ModelChoiceFilter(
        field_name="desired_destinations",
        queryset=Destination.objects.all(),
        label=_("desired destination"),
    )
    tag = django_filters.ModelChoiceFilter(
        field_name="tags", queryset=Tag.objects.all(), label=_("tag")
    )
    contact_age = django_filters.ChoiceFilter(
        choices=CONTACT_AGE_CHOICES, method="filter_contact_age", label=_("last contact")
    )
    dormant = django_filters.BooleanFilter(
        method="filter_dormant",
        # The period is the tier policy's (customers.dormancy), six months by default.
        label=_("Semi-dormant (no recent business, by the tier policy)"),
        widget=AnyYesNo,
    )
    is_key_account = django_filters.BooleanFilter(label=_("key account"), widget=AnyYesNo)
    sort = django_filters.OrderingFilter(
        fields=(
            ("name", "name"),
            ("created_at", "created"),
            ("last_contact_at", "last_contact"),
            ("owner__username", "owner"),
        ),
        choices=[
            ("name", _("Name, A to Z")),
            ("-name", _("Name, Z to A")),
            ("-created", _("Newest first")),
            ("created", _("Oldest first")),
            ("-last_contact", _("Contacted most recently")),
            ("last_contact", _("Contacted longest ago")),
            ("owner", _("Owner")),
        ],
        label=_("sort by"),
    )

    class Meta:
        model = Customer
        fields = []

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["owner"].queryset = owner_choices(user=user)
        self.user = user

    def filter_search(self, queryset, name, value):
        return customer_search(queryset, user=self.user, text=value)

    def filter_contact_age(self, queryset, name, value):
        if value == "never":
            return customer_filter_never_contacted(queryset)
        since = timezone.now() - datetime.timedelta(days=int(value))
        return customer_filter_not_contacted_since(queryset, since=since)

    def filter_dormant(self, queryset, name, value):
        if value is None:
            return queryset
        return customer_filter_dormant_stored(queryset, dormant=value)
