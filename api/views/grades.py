"""/api/v1/customers/{id}/grade, /grade-history and /monthly-figures: a customer's grade
客户等级 (with the last changes and the latest month's figures), its whole history, and its
monthly statistics; /api/v1/statistics/monthly: the tier report's figures for a month.

Everything is read through the tiers selectors, scoped as the pages are: a customer in
sight (404 outside); the monthly statistics over the customers the user's reports cover
(`report_scope`: a rep their own, a team lead the team's, managers, custodians and
finance everyone's; a service account, which has no role, has no reports: 404). These
are figures, not personal data: each read is one audit row (a list: with its count)."""

import datetime

from django.http import Http404
from django.urls import path
from django.utils.translation import gettext
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions
from rest_framework.response import Response

from api.custody import audit_list, audit_view
from api.serializers.grades import (
    CustomerGradeSerializer,
    GradeChangeSerializer,
    MonthlyFiguresSerializer,
    MonthlyStatisticsSerializer,
    MonthQuerySerializer,
)
from api.views.base import ApiGenericView, ApiView
from customers.selectors import customer_get_visible
from tiers.selectors import (
    customer_grade_changes,
    customer_monthly_figures,
    report_months,
    report_scope,
    tier_panel_context,
    tier_report,
    tiers_can_see_reports,
)


class CustomerGradeView(ApiView):
    scope_resource = "grades"

    @extend_schema(
        operation_id="customer_grade_retrieve",
        summary="A customer's grade",
        description=(
            "The grade in force (A, B, C or not graded), whether it is a manager's manual "
            "override, the last ten changes and the latest month's statistics."
        ),
        responses=CustomerGradeSerializer,
    )
    def get(self, request, pk):
        customer = customer_get_visible(user=request.user, pk=pk)
        panel = tier_panel_context(customer=customer, user=request.user)
        audit_view(request, obj=customer, detail={"resource": "grade"})
        return Response(
            CustomerGradeSerializer(
                {
                    "customer": customer.pk,
                    "grade": panel["grade"],
                    "grade_label": str(panel["grade_label"]),
                    "manual": panel["manual"],
                    "latest_figures": panel["snapshot"],
                    "recent_changes": panel["history"],
                }
            ).data
        )


class _CustomerListView(ApiGenericView):
    scope_resource = "grades"
    object_type = ""

    def list_for(self, request, pk):
        self.customer = customer_get_visible(user=request.user, pk=pk)
        page = self.paginate_queryset(self.get_queryset())
        audit_list(request, object_type=self.object_type, count=len(page), customer=self.customer)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class GradeHistoryView(_CustomerListView):
    serializer_class = GradeChangeSerializer
    cursor_ordering = ("-changed_at", "-id")
    object_type = "grade_history"

    def get_queryset(self):
        return customer_grade_changes(customer=self.customer)

    @extend_schema(
        operation_id="customer_grade_history",
        responses=GradeChangeSerializer(many=True),
        summary="A customer's grade history",
        description="Every grade change that took effect, newest first (cursor-paginated).",
    )
    def get(self, request, pk):
        return self.list_for(request, pk)


class MonthlyFiguresView(_CustomerListView):
    serializer_class = MonthlyFiguresSerializer
    cursor_ordering = ("-month",)
    object_type = "monthly_figures"

    def get_queryset(self):
        return customer_monthly_figures(customer=self.customer)

    @extend_schema(
        operation_id="customer_monthly_figures",
        responses=MonthlyFiguresSerializer(many=True),
        summary="A customer's monthly statistics",
        description=(
            "The customer's figures at the end of each month the monthly job has run for, "
            "newest first: 12-month spend and gross profit, bookings, recency, RFM scores, "
            "quadrant, grade by spend, dormancy and value (cursor-paginated)."
        ),
    )
    def get(self, request, pk):
        return self.list_for(request, pk)


class MonthlyStatisticsView(ApiView):
    scope_resource = "grades"

    @extend_schema(
        operation_id="statistics_monthly",
        summary="The monthly statistics (tier report)",
        description=(
            "The tier report's figures for a month over the customers your reports cover: "
            "customers and spend by grade and by quadrant, the last evaluation's movement, "
            "the Pareto shares of the top 20% and the RFM grid. 404 when the month has no "
            "statistics."
        ),
        parameters=[MonthQuerySerializer],
        responses=MonthlyStatisticsSerializer,
    )
    def get(self, request):
        if getattr(request.user, "is_service_account", False) or not tiers_can_see_reports(
            user=request.user
        ):
            raise Http404
        query = MonthQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        months = report_months()
        month = months[0] if months else None
        if "month" in query.validated_data:
            year, number = query.validated_data["month"].split("-")
            month = datetime.date(int(year), int(number), 1)
        if month is None or month not in months:
            raise exceptions.NotFound(gettext("There are no monthly statistics for this month."))
        report = tier_report(user=request.user, month=month, scope=report_scope(user=request.user))
        audit_list(
            request,
            object_type="monthly_statistics",
            count=report.customers,
            detail={"month": f"{month:%Y-%m}"},
        )
        return Response(
            MonthlyStatisticsSerializer(
                {
                    "month": f"{month:%Y-%m}",
                    "customers": report.customers,
                    "spend": report.spend,
                    "grades": report.grades,
                    "quadrants": report.quadrants,
                    "movement": report.movement.get("rows", []),
                    "pareto": report.pareto,
                    "rfm": report.rfm,
                }
            ).data
        )


urlpatterns = [
    path("customers/<int:pk>/grade", CustomerGradeView.as_view(), name="customer-grade"),
    path(
        "customers/<int:pk>/grade-history",
        GradeHistoryView.as_view(),
        name="customer-grade-history",
    ),
    path(
        "customers/<int:pk>/monthly-figures",
        MonthlyFiguresView.as_view(),
        name="customer-monthly-figures",
    ),
    path("statistics/monthly", MonthlyStatisticsView.as_view(), name="monthly-statistics"),
]
