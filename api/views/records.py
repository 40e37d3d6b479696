"""/api/v1/customers/{id}/contact-records and /service-records: a customer's contact
records 联系记录 and feedback 服务记录, listed and logged through the pages' own doors.

A contact is checked by the customer page's form with the contact rules other apps add
(an on-site visit needs an appointment agreed by phone first), then logged by
`customers.services.contact_record_create`, which announces it: the frequency cap moves
the customer's planned follow-ups at once, as for a contact logged on the page.
Feedback is checked by the page's service-record form and received by
`followups.services.feedback_receive` (through `service_record_create`): it gets its
respond-by deadline from the policy and lands on the owner's day, as on the page.

Reading needs the customer in sight (404 outside); logging needs the right to work on it
(403 for a special-access reader, as on the page). A list is one customer's records: one
customer row toward the export guard."""

from django.urls import path
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, status
from rest_framework.response import Response

from api.custody import deliver_customer_rows
from api.serializers.customers import form_data
from api.serializers.records import (
    ContactRecordInputSerializer,
    ContactRecordSerializer,
    ServiceRecordInputSerializer,
    ServiceRecordSerializer,
)
from api.views.base import ApiGenericView
from api.views.customers import form_errors
from customers.forms import ContactRecordForm, ServiceRecordForm
from customers.models import ContactRecord, Customer, ServiceRecord, ServiceStatus
from customers.selectors import customer_can_edit, customer_get_visible
from customers.services import contact_record_create
from followups.services.feedback import feedback_receive


def _editable(request, pk) -> Customer:
    customer = customer_get_visible(user=request.user, pk=pk)
    if not customer_can_edit(user=request.user, customer=customer):
        raise exceptions.PermissionDenied
    return customer


class _CustomerRecordsView(ApiGenericView):
    scope_resource = "records"
    object_type = ""

    def get_queryset(self):
        raise NotImplementedError

    def list_for(self, request, pk):
        self.customer = customer_get_visible(user=request.user, pk=pk)
        page = self.paginate_queryset(self.get_queryset())
        deliver_customer_rows(
            request,
            count=1,
            object_type=self.object_type,
            customer=self.customer,
            detail={"rows": len(page)},
        )
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class ContactRecordsView(_CustomerRecordsView):
    serializer_class = ContactRecordSerializer
    cursor_ordering = ("-contacted_at", "-id")
    object_type = "contact_record_list"

    def get_queryset(self):
        return ContactRecord.objects.filter(customer=self.customer).select_related("by")

    @extend_schema(
        operation_id="customer_contact_records_list",
        responses=ContactRecordSerializer(many=True),
        summary="A customer's contact records",
        description="Newest first, cursor-paginated. One customer row toward the export guard.",
    )
    def get(self, request, pk):
        return self.list_for(request, pk)

    @extend_schema(
        operation_id="customer_contact_records_create",
        summary="Log a contact",
        description=(
            "The same checks as Log a contact on the customer page: not in the future, the "
            "next contact after this one, and the contact rules (an on-site visit needs an "
            "appointment confirmed by phone first, or a standing weekly visit). Logged "
            "contacts count for the frequency cap at once."
        ),
        request=ContactRecordInputSerializer,
        responses={201: ContactRecordSerializer},
    )
    def post(self, request, pk):
        customer = _editable(request, pk)
        serializer = ContactRecordInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        values = {"contacted_at": timezone.now(), **serializer.validated_data}
        form = ContactRecordForm(form_data(values), instance=ContactRecord(customer=customer))
        if not form.is_valid():
            raise form_errors(form)
        record = contact_record_create(actor=request.user, customer=customer, **form.cleaned_data)
        return Response(self.get_serializer(record).data, status=status.HTTP_201_CREATED)


class ServiceRecordsView(_CustomerRecordsView):
    serializer_class = ServiceRecordSerializer
    cursor_ordering = ("-occurred_at", "-id")
    object_type = "service_record_list"

    def get_queryset(self):
        return ServiceRecord.objects.filter(customer=self.customer).select_related(
            "recorded_by", "assigned_to"
        )

    @extend_schema(
        operation_id="customer_service_records_list",
        responses=ServiceRecordSerializer(many=True),
        summary="A customer's service records (feedback)",
        description="Newest first, cursor-paginated. One customer row toward the export guard.",
    )
    def get(self, request, pk):
        return self.list_for(request, pk)

    @extend_schema(
        operation_id="customer_service_records_create",
        summary="Record feedback (a complaint, request, suggestion or praise)",
        description=(
            "The same checks as Add a service record on the customer page (the booking, if "
            "named, must be this customer's). Feedback gets its respond-by deadline from "
            "the return-visit policy and goes on the owner's day; a response or a closing "
            "status given at once is dated now."
        ),
        request=ServiceRecordInputSerializer,
        responses={201: ServiceRecordSerializer},
    )
    def post(self, request, pk):
        customer = _editable(request, pk)
        serializer = ServiceRecordInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        values = {
            "occurred_at": timezone.now(),
            "status": ServiceStatus.OPEN,
            **serializer.validated_data,
        }
        form = ServiceRecordForm(
            form_data(values), instance=ServiceRecord(customer=customer), for_customer=customer
        )
        if not form.is_valid():
            raise form_errors(form)
        record = feedback_receive(actor=request.user, record=form.instance)
        record = ServiceRecord.objects.select_related("recorded_by", "assigned_to").get(
            pk=record.pk
        )
        return Response(self.get_serializer(record).data, status=status.HTTP_201_CREATED)


urlpatterns = [
    path(
        "customers/<int:pk>/contact-records",
        ContactRecordsView.as_view(),
        name="customer-contact-records",
    ),
    path(
        "customers/<int:pk>/service-records",
        ServiceRecordsView.as_view(),
        name="customer-service-records",
    ),
]
