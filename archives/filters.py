import django_filters
from django.utils.translation import gettext_lazy as _

from archives.models import ArchiveStatus, BusinessArchive
from customers.filters import AnyYesNo
from customers.models import TripType


class ArchiveFilter(django_filters.FilterSet):
    group_number = django_filters.CharFilter(
        field_name="tour__group_number", lookup_expr="icontains", label=_("group number")
    )
    trip_type = django_filters.ChoiceFilter(
        field_name="tour__trip_type", choices=TripType.choices, label=_("trip type")
    )
    status = django_filters.ChoiceFilter(choices=ArchiveStatus.choices, label=_("status"))
    missing = django_filters.BooleanFilter(
        method="filter_missing", label=_("required documents missing"), widget=AnyYesNo
    )

    class Meta:
        model = BusinessArchive
        fields = []

    def filter_missing(self, queryset, name, value):
        # missing_count is annotated by archives.selectors.archive_list_annotate.
        if value is None:
            return queryset
        return queryset.filter(missing_count__gt=0) if value else queryset.filter(missing_count=0)
