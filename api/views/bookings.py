"""/api/v1/bookings: lists (overall and per customer), one booking, and the sync doors
for other systems — `PUT /bookings/{source}/{number}` (one booking, idempotent) and
`POST /bookings/batch` (up to 500, a result per item).

Rows come from the customers the token's user sees (customers.selectors; 404 outside).
A booking carries no personal data but its customer's id; still, bookings are a
customer's records, so every page of them counts its distinct customers toward the
export guard (api.custody), as the foundation counts customer rows."""

import django_filters
from django import forms
from django.db.models import QuerySet
from django.http import Http404
from django.urls import path
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, status
from rest_framework.response import Response

from api.booking_sync import FORBIDDEN, INVALID, sync_batch, sync_one
from api.custody import deliver_customer_rows
from api.scopes import BOOKINGS_READ, BOOKINGS_WRITE
from api.serializers.bookings import (
    BatchResultSerializer,
    BookingBatchRequestSerializer,
    BookingBatchSerializer,
    BookingSerializer,
    BookingSyncResultSerializer,
    BookingValuesSerializer,
)
from api.views.base import ApiGenericView, ApiView
from customers.models import Booking, BookingStatus
from customers.selectors import customer_get_visible, customer_list_visible
from customers.validators import normalize_booking_number, normalize_booking_source

DB_ID_MAX = 2**63 - 1


def bookings_visible(*, user) -> QuerySet[Booking]:
    """The bookings of the customers `user` sees (the one scoping rule)."""
    return Booking.objects.filter(customer__in=customer_list_visible(user=user)).select_related(
        "destination"
    )


class IdFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField


class BookingFilter(django_filters.FilterSet):
    customer = IdFilter(field_name="customer_id", min_value=1, max_value=DB_ID_MAX)
    status = django_filters.ChoiceFilter(choices=BookingStatus.choices)
    source = django_filters.CharFilter(method="filter_source", max_length=40)
    start_from = django_filters.DateFilter(field_name="start_date", lookup_expr="gte")
    start_to = django_filters.DateFilter(field_name="start_date", lookup_expr="lte")
    paid_from = django_filters.DateFilter(field_name="paid_date", lookup_expr="gte")
    paid_to = django_filters.DateFilter(field_name="paid_date", lookup_expr="lte")

    class Meta:
        model = Booking
        fields: list[str] = []

    def filter_source(self, queryset, name, value):
        return queryset.filter(source=normalize_booking_source(value))


def _deliver_page(request, bookings, *, object_type: str, customer=None) -> None:
    """A page of bookings: its distinct customers; one customer's bookings: that one."""
    deliver_customer_rows(
        request,
        count=1 if customer else len({booking.customer_id for booking in bookings}),
        object_type=object_type,
        customer=customer,
        detail={"rows": len(bookings), "filters": request.GET.urlencode()},
    )


LIST_DESCRIPTION = (
    "Cursor-paginated, newest trip first. Every page counts the distinct customers on it "
    "toward the export guard (403 export-limit past it)."
)


class BookingListView(ApiGenericView):
    serializer_class = BookingSerializer
    scope_resource = "bookings"
    filter_backends = [DjangoFilterBackend]
    filterset_class = BookingFilter
    cursor_ordering = ("-start_date", "-id")

    def get_queryset(self):
        return bookings_visible(user=self.request.user)

    @extend_schema(
        operation_id="bookings_list",
        responses=BookingSerializer(many=True),
        summary="List bookings",
        description="The bookings of every customer you see. " + LIST_DESCRIPTION,
    )
    def get(self, request):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        _deliver_page(request, page, object_type="booking_list")
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class CustomerBookingListView(BookingListView):
    @extend_schema(
        operation_id="customer_bookings_list",
        responses=BookingSerializer(many=True),
        summary="A customer's bookings",
        description=(
            "One customer's bookings (404 outside what you see), newest trip first, "
            "cursor-paginated: one customer row toward the export guard."
        ),
    )
    def get(self, request, pk):
        self.customer = customer_get_visible(user=request.user, pk=pk)
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        _deliver_page(request, page, object_type="booking_list", customer=self.customer)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator
            return Booking.objects.none()
        return Booking.objects.filter(customer=self.customer).select_related("destination")


class BookingDetailView(ApiView):
    scope_resource = "bookings"

    @extend_schema(
        operation_id="bookings_retrieve", summary="One booking", responses=BookingSerializer
    )
    def get(self, request, pk):
        booking = (
            bookings_visible(user=request.user).select_related("customer").filter(pk=pk).first()
        )
        if booking is None:
            raise Http404
        deliver_customer_rows(
            request, count=1, object_type="booking", obj=booking, customer=booking.customer
        )
        return Response(BookingSerializer(booking).data)


def _raise_for(result) -> None:
    if result.status == FORBIDDEN:
        raise exceptions.PermissionDenied(result.errors[0]["detail"])
    if result.status == INVALID:
        detail: dict[str, list] = {}
        for error in result.errors:
            detail.setdefault(error["field"] or "non_field_errors", []).append(
                exceptions.ErrorDetail(error["detail"], code=error["code"])
            )
        raise exceptions.ValidationError(detail)


SYNC_DESCRIPTION = """Create or update the booking `number` of the system `source`
(e.g. `booking-system`, `website`): idempotent. The same body sent again changes nothing
(200, `unchanged`); a changed one updates the booking (200, `updated`, with history);
a new number creates it (201, `created`) — twenty copies sent at once give one booking,
and points are earned once when it is paid. The number is normalised (full-width
characters, spaces, dashes, case), so `ｂｋ 2024－001` and `BK2024-001` are one booking.

Name the customer once: `customer` (the id), or `customer_mobile`, `customer_id_number`
(only where you may see full ID numbers) or `customer_name` (an organisation), among the
customers you see; you must be allowed to record bookings for them (403 otherwise). A
number already on file for another customer is refused (400). Fields left out keep their
value; a new booking needs product, destination (or destination_name), trip type,
dates, amount and cost."""


class BookingSyncView(ApiView):
    method_scopes = {"GET": BOOKINGS_READ, "PUT": BOOKINGS_WRITE}

    @extend_schema(
        operation_id="bookings_by_source_retrieve",
        summary="A booking by its source and number",
        responses=BookingSerializer,
        parameters=[
            OpenApiParameter("source", OpenApiTypes.STR, OpenApiParameter.PATH),
            OpenApiParameter("number", OpenApiTypes.STR, OpenApiParameter.PATH),
        ],
    )
    def get(self, request, source, number):
        booking = (
            bookings_visible(user=request.user)
            .select_related("customer")
            .filter(
                source=normalize_booking_source(source),
                source_number=normalize_booking_number(number),
            )
            .exclude(source_number="")
            .first()
        )
        if booking is None:
            raise Http404
        deliver_customer_rows(
            request, count=1, object_type="booking", obj=booking, customer=booking.customer
        )
        return Response(BookingSerializer(booking).data)

    @extend_schema(
        operation_id="bookings_sync",
        summary="Create or update a booking from another system (idempotent)",
        description=SYNC_DESCRIPTION,
        request=BookingValuesSerializer,
        responses={201: BookingSyncResultSerializer, 200: BookingSyncResultSerializer},
        parameters=[
            OpenApiParameter("source", OpenApiTypes.STR, OpenApiParameter.PATH),
            OpenApiParameter("number", OpenApiTypes.STR, OpenApiParameter.PATH),
        ],
    )
    def put(self, request, source, number):
        serializer = BookingValuesSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        result = sync_one(
            user=request.user, source=source, number=number, item=dict(serializer.validated_data)
        )
        _raise_for(result)
        body = BookingSyncResultSerializer(
            {"outcome": result.status, "booking": result.booking}
        ).data
        code = status.HTTP_201_CREATED if result.status == "created" else status.HTTP_200_OK
        return Response(body, status=code)


BATCH_DESCRIPTION = """Up to 500 bookings in one request, each as the body of
`PUT /bookings/{source}/{number}` plus its `source` and `number`.

Items are independent: each is checked and saved on its own (in its own savepoint; the
batch commits once), and `results` (in the request's order, with `index`) says for each
what happened — `created`,
`updated`, `unchanged` (with the booking's `id`), `invalid` (with field `errors`, in the
language of Accept-Language) or `forbidden` (a customer you may not record bookings
for). One bad item never holds back or undoes the others; the answer is 200 whenever the
batch itself could be read. Every item is idempotent, so a batch that timed out can
simply be sent again. The same number twice in one batch: the later item wins."""


class BookingBatchView(ApiView):
    method_scopes = {"POST": BOOKINGS_WRITE}

    @extend_schema(
        operation_id="bookings_batch",
        summary="Create or update up to 500 bookings (idempotent, a result per item)",
        description=BATCH_DESCRIPTION,
        request=BookingBatchRequestSerializer,
        responses=BatchResultSerializer,
    )
    def post(self, request):
        serializer = BookingBatchSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        results = sync_batch(user=request.user, items=serializer.validated_data["bookings"])
        summary = dict.fromkeys(["created", "updated", "unchanged", INVALID, FORBIDDEN], 0)
        for result in results:
            summary[result.status] += 1
        body = {
            "summary": summary,
            "results": [
                {
                    "index": result.index,
                    "status": result.status,
                    "id": result.id,
                    "source": result.source,
                    "number": result.number,
                    "errors": result.errors,
                }
                for result in results
            ],
        }
        return Response(body)


urlpatterns = [
    path("bookings", BookingListView.as_view(), name="booking-list"),
    path("bookings/batch", BookingBatchView.as_view(), name="booking-batch"),
    path("bookings/<int:pk>", BookingDetailView.as_view(), name="booking-detail"),
    path("bookings/<str:source>/<path:number>", BookingSyncView.as_view(), name="booking-sync"),
    path(
        "customers/<int:pk>/bookings",
        CustomerBookingListView.as_view(),
        name="customer-booking-list",
    ),
]
