"""/api/v1/followups: my follow-ups (the token user's own work, as on My day) and their
completion with an outcome.

The list is the user's own (`owner`), open by default, in due order; one follow-up is
read through `followups.selectors.followup_get_visible` (the owner, their team lead,
managers; 404 outside), and completed by `followups.services.followup_complete` exactly
as the Done button on My day: the contact goes on the customer's timeline (the contact
rules and the frequency cap apply), and an on-site visit needs an appointment confirmed
by phone first. A follow-up names its customer: every page counts its distinct customers
toward the export guard."""

import django_filters
from django.urls import path
from django.utils.translation import gettext
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions
from rest_framework.response import Response

from api.custody import deliver_customer_rows
from api.scopes import FOLLOWUPS_WRITE
from api.serializers.followups import (
    FollowupCompletedSerializer,
    FollowupCompleteSerializer,
    FollowupSerializer,
)
from api.serializers.records import ContactRecordSerializer
from api.views.base import ApiGenericView, ApiView
from followups.models import Followup, FollowupKind, FollowupStatus
from followups.selectors import followup_get_visible, followup_list_visible
from followups.services import followup_complete


class AlreadyDone(exceptions.APIException):
    status_code = 409
    default_code = "conflict"


class MyFollowupFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=FollowupStatus.choices)
    kind = django_filters.ChoiceFilter(choices=FollowupKind.choices)
    due_from = django_filters.DateFilter(field_name="due_on", lookup_expr="gte")
    due_to = django_filters.DateFilter(field_name="due_on", lookup_expr="lte")

    class Meta:
        model = Followup
        fields: list[str] = []

    def __init__(self, data=None, *args, **kwargs):
        if data is not None and not data.get("status"):
            data = data.copy()
            data["status"] = FollowupStatus.OPEN  # My day: what is still to do
        super().__init__(data, *args, **kwargs)


class MyFollowupsView(ApiGenericView):
    serializer_class = FollowupSerializer
    scope_resource = "followups"
    filter_backends = [DjangoFilterBackend]
    filterset_class = MyFollowupFilter
    cursor_ordering = ("due_on", "id")

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator
            return Followup.objects.none()
        return (
            followup_list_visible(user=self.request.user)
            .filter(owner=self.request.user)
            .select_related("customer")
        )

    @extend_schema(
        operation_id="my_followups_list",
        responses=FollowupSerializer(many=True),
        summary="My follow-ups",
        description=(
            "The token user's own follow-ups, as on My day: open ones by default "
            "(`status`), in due order (filter `due_to` = today for what is due). "
            "Cursor-paginated; each page counts its distinct customers toward the export "
            "guard."
        ),
    )
    def get(self, request):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        deliver_customer_rows(
            request,
            count=len({followup.customer_id for followup in page}),
            object_type="followup_list",
            detail={"rows": len(page), "filters": request.GET.urlencode()},
        )
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class FollowupDetailView(ApiView):
    scope_resource = "followups"

    @extend_schema(
        operation_id="followups_retrieve", summary="One follow-up", responses=FollowupSerializer
    )
    def get(self, request, pk):
        followup = followup_get_visible(user=request.user, pk=pk)
        deliver_customer_rows(
            request, count=1, object_type="followup", obj=followup, customer=followup.customer
        )
        return Response(FollowupSerializer(followup).data)


class FollowupCompleteView(ApiView):
    method_scopes = {"POST": FOLLOWUPS_WRITE}

    @extend_schema(
        operation_id="followups_complete",
        summary="Complete a follow-up with its outcome",
        description=(
            "As Done on My day: the contact is logged on the customer's timeline with the "
            "outcome (and the channel, if not the suggested one). An on-site visit needs "
            "an appointment confirmed by phone first (400 otherwise). A follow-up that is "
            "no longer open: 409."
        ),
        request=FollowupCompleteSerializer,
        responses=FollowupCompletedSerializer,
    )
    def post(self, request, pk):
        followup = followup_get_visible(user=request.user, pk=pk)
        serializer = FollowupCompleteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        if followup.status != FollowupStatus.OPEN:
            raise AlreadyDone(gettext("This follow-up is no longer open."))
        values = dict(serializer.validated_data)
        record = followup_complete(actor=request.user, followup=followup, **values)
        followup = followup_get_visible(user=request.user, pk=pk)
        return Response(
            {
                "followup": FollowupSerializer(followup).data,
                "contact_record": ContactRecordSerializer(record).data,
            }
        )


urlpatterns = [
    path("followups", MyFollowupsView.as_view(), name="my-followups"),
    path("followups/<int:pk>", FollowupDetailView.as_view(), name="followup-detail"),
    path("followups/<int:pk>/complete", FollowupCompleteView.as_view(), name="followup-complete"),
]
