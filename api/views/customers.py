"""/api/v1/customers and /api/v1/customers/{id}/contact-people.

The same doors as the pages: rows from customers.selectors (404 outside what the token's
user sees), the list page's filters (customers.filters.CustomerFilter), the forms'
validation and the services' writes (撞单 duplicate check, audit), the masking rule, and
customer rows counted by the export guard before they are sent."""

from django.urls import path
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, mixins, status
from rest_framework.response import Response

from api.custody import deliver_customer_rows
from api.serializers.customers import (
    ContactPersonInputSerializer,
    ContactPersonSerializer,
    CustomerInputSerializer,
    CustomerSerializer,
    IdNumberSerializer,
    bound_form_data,
)
from api.views.base import ApiGenericView, ApiGenericViewSet, ApiView
from customers.filters import CustomerFilter
from customers.forms import ContactPersonForm, CustomerForm
from customers.models import ContactPerson, Customer
from customers.selectors import (
    customer_can_create,
    customer_can_edit,
    customer_get_visible,
    customer_list_annotate,
    customer_list_visible,
)
from customers.services import (
    ANONYMISED_MESSAGE,
    contact_person_add,
    customer_create,
    customer_update,
)
from customers.services.custody import customer_id_number_reveal


class CustomerApiFilter(CustomerFilter):
    """The list page's filters and search; the order is the cursor's (name, id)."""

    sort = None


class UserFilterBackend(DjangoFilterBackend):
    """django-filter's DRF backend, giving the filter the user (owner choices and the
    ID-number search depend on who asks). Invalid filters are a 400 with field errors."""

    def get_filterset_kwargs(self, request, queryset, view):
        return {**super().get_filterset_kwargs(request, queryset, view), "user": request.user}


def form_errors(form) -> exceptions.ValidationError:
    errors = {}
    for field, items in form.errors.get_json_data().items():
        key = "non_field_errors" if field == "__all__" else field
        errors[key] = [
            exceptions.ErrorDetail(item["message"], code=item["code"] or "invalid")
            for item in items
        ]
    return exceptions.ValidationError(errors)


def _with_relations(queryset):
    return queryset.prefetch_related("desired_destinations", "tags")


class CustomerViewSet(mixins.ListModelMixin, ApiGenericViewSet):
    serializer_class = CustomerSerializer
    scope_resource = "customers"
    filter_backends = [UserFilterBackend]
    filterset_class = CustomerApiFilter
    cursor_ordering = ("name", "id")
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        visible = customer_list_visible(user=self.request.user)
        return _with_relations(customer_list_annotate(visible))

    @extend_schema(
        summary="List customers",
        description=(
            "The customers the token's user sees, with the customer list page's filters "
            "and search (`q`: name or part of it, pinyin or its initials, e-mail, a full "
            "mobile, the last 4+ digits of a mobile among your own customers, or a full ID "
            "number where you may see it). Cursor-paginated by name. Each page's rows "
            "count toward the export guard (a person: the custody policy's limit; a "
            "service account: its daily limit); past it the page is refused (403 "
            "export-limit) and managers are alerted."
        ),
    )
    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        deliver_customer_rows(
            request,
            count=len(page),
            object_type="customer_list",
            detail={"filters": request.GET.urlencode()},
        )
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(summary="One customer", responses=CustomerSerializer)
    def retrieve(self, request, pk=None):
        customer = self._visible(pk)
        deliver_customer_rows(request, count=1, object_type="customer", obj=customer)
        return Response(self.get_serializer(customer).data)

    @extend_schema(
        summary="Create a customer",
        description=(
            "The same checks as the New customer form: kind and name required, mobile "
            "and ID number normalised and checked (GB 11643), birthday and sex filled "
            "from the ID number, and duplicates (same ID number, mobile or organisation "
            "name) refused with the owning rep named (撞单). A service account must name "
            "the `owner` (a rep of its owner scope)."
        ),
        request=CustomerInputSerializer,
        responses={201: CustomerSerializer},
    )
    def create(self, request):
        if not customer_can_create(user=request.user):
            raise exceptions.PermissionDenied
        changes = self._input(request)
        if request.user.is_service_account and not changes.get("owner"):
            raise exceptions.ValidationError(
                {"owner": [_("A service account must say which rep owns the customer.")]}
            )
        form = CustomerForm(user=request.user)
        form = CustomerForm(bound_form_data(form, changes), user=request.user)
        if not form.is_valid():
            raise form_errors(form)
        customer = customer_create(
            actor=request.user,
            customer=form.instance,
            destinations=form.cleaned_data["desired_destinations"],
            tags=form.cleaned_data["tags"],
        )
        return Response(self._fresh(customer.pk), status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Change a customer",
        description=(
            "Send only what changes; the rest stays. The same checks as the edit form. "
            "Where you may not see the full ID number, leave `id_number` out to keep it "
            "(or send a whole new number)."
        ),
        request=CustomerInputSerializer,
        responses=CustomerSerializer,
    )
    def partial_update(self, request, pk=None):
        customer = self._visible(pk)
        if not customer_can_edit(user=request.user, customer=customer):
            raise exceptions.PermissionDenied
        if customer.is_anonymised:
            raise exceptions.ValidationError({"non_field_errors": [str(ANONYMISED_MESSAGE)]})
        changes = self._input(request)
        form = CustomerForm(instance=customer, user=request.user)
        form = CustomerForm(bound_form_data(form, changes), instance=customer, user=request.user)
        if not form.is_valid():
            raise form_errors(form)
        customer_update(
            actor=request.user,
            customer=form.instance,
            destinations=form.cleaned_data["desired_destinations"],
            tags=form.cleaned_data["tags"],
        )
        return Response(self._fresh(customer.pk))

    def _visible(self, pk) -> Customer:
        return customer_get_visible(user=self.request.user, pk=pk)

    def _input(self, request) -> dict:
        serializer = CustomerInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def _fresh(self, pk):
        customer = _with_relations(Customer.objects.select_related("owner")).get(pk=pk)
        return self.get_serializer(customer).data


class CustomerIdNumberView(ApiView):
    """The full ID number, for those who may see it (the owner, managers), on record as
    a reveal in the audit log — the API's "Show" button."""

    scope_resource = "customers"

    @extend_schema(summary="Reveal a customer's full ID number", responses=IdNumberSerializer)
    def get(self, request, pk):
        customer = customer_get_visible(user=request.user, pk=pk)
        return Response(
            {"id_number": customer_id_number_reveal(actor=request.user, customer=customer)}
        )


class ContactPeopleView(ApiGenericView):
    """One customer's contact people (current and past, with who replaced whom)."""

    serializer_class = ContactPersonSerializer
    scope_resource = "contacts"
    pagination_class = None

    @extend_schema(
        summary="A customer's contact people", responses=ContactPersonSerializer(many=True)
    )
    def get(self, request, pk):
        customer = customer_get_visible(user=request.user, pk=pk)
        people = list(ContactPerson.objects.filter(customer=customer))
        # One customer's personal data delivered: one row toward the guard (walking the
        # ids for contact people must be as limited as pulling the customer list).
        deliver_customer_rows(
            request,
            count=1,
            object_type="contact_person_list",
            customer=customer,
            detail={"rows": len(people)},
        )
        return Response(self.get_serializer(people, many=True).data)

    @extend_schema(
        summary="Add a contact person",
        description="The same checks as the Add a contact person form.",
        request=ContactPersonInputSerializer,
        responses={201: ContactPersonSerializer},
    )
    def post(self, request, pk):
        customer = customer_get_visible(user=request.user, pk=pk)
        if not customer_can_edit(user=request.user, customer=customer):
            raise exceptions.PermissionDenied
        serializer = ContactPersonInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        form = ContactPersonForm(
            bound_form_data(ContactPersonForm(), dict(serializer.validated_data)),
            instance=ContactPerson(customer=customer),
        )
        if not form.is_valid():
            raise form_errors(form)
        person = contact_person_add(actor=request.user, person=form.instance)
        return Response(self.get_serializer(person).data, status=status.HTTP_201_CREATED)


urlpatterns = [
    path(
        "customers",
        CustomerViewSet.as_view({"get": "list", "post": "create"}),
        name="customer-list",
    ),
    path(
        "customers/<int:pk>",
        CustomerViewSet.as_view({"get": "retrieve", "patch": "partial_update"}),
        name="customer-detail",
    ),
    path("customers/<int:pk>/id-number", CustomerIdNumberView.as_view(), name="customer-id-number"),
    path("customers/<int:pk>/contact-people", ContactPeopleView.as_view(), name="contact-people"),
]
