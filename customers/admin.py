"""Django admin for archive custodians. Rows come from the same visibility selector as
the pages; deleting is always the soft, restorable kind."""

from django import forms
from django.contrib import admin, messages
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.debug import sensitive_post_parameters

from accounts.roles import ROLE_LABELS
from customers.admin_audit import AuditedChangeViewMixin, VisibleCustomerRowsMixin
from customers.admin_history import ReadOnlyHistoryAdmin
from customers.audit import audit_record
from customers.forms import CustomerPrepareMixin
from customers.masking import MaskedIdentityFormMixin, mask_id_number
from customers.models import (
    AccessRequest,
    AuditAction,
    Booking,
    ChannelPartner,
    ContactPerson,
    ContactRecord,
    CustodyPolicy,
    Customer,
    Destination,
    HandoverItem,
    SecurityAlert,
    ServiceRecord,
    StaffDeparture,
    Tag,
)
from customers.models.custody import TWO_FACTOR_SUPERUSER
from customers.search import customer_search_q
from customers.selectors import customer_list_visible
from customers.services import (
    MassActionRefused,
    booking_save,
    contact_record_create,
    custody_policy_save,
    customer_restore,
    customers_last_contact_refresh,
    customers_soft_delete,
)
from customers.signals import announce_customers_reassigned, customer_saved


class CustomerAdminForm(MaskedIdentityFormMixin, CustomerPrepareMixin, forms.ModelForm):
    request_user = None  # set per request by CustomerAdmin.get_form

    class Meta:
        model = Customer
        exclude = ["name_normalised"]  # noqa: DJ006 - admin edits every field

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.request_user is not None:
            self.mask_identity_fields(user=self.request_user)


class DeletedFilter(admin.SimpleListFilter):
    title = _("recycle bin")
    parameter_name = "bin"

    def lookups(self, request, model_admin):
        return [("alive", _("Not deleted")), ("deleted", _("Deleted"))]

    def queryset(self, request, queryset):
        if self.value() == "alive":
            return queryset.alive()
        if self.value() == "deleted":
            return queryset.deleted()
        return queryset


@admin.register(Customer)
class CustomerAdmin(AuditedChangeViewMixin, ReadOnlyHistoryAdmin):
    form = CustomerAdminForm
    list_display = ["name", "kind", "owner", "status", "mobile", "id_number_masked", "deleted_at"]
    list_filter = [DeletedFilter, "kind", "status", "is_key_account", "source_channel", "owner"]
    search_fields = ["name", "=mobile", "=id_number", "email"]
    list_select_related = ["owner"]
    autocomplete_fields = ["channel_partner"]
    filter_horizontal = ["desired_destinations", "tags"]
    readonly_fields = ["lost_at", "deleted_at", "deleted_by", "created_at", "updated_at"]
    actions = ["soft_delete_selected", "restore_selected"]
    date_hierarchy = "created_at"

    @admin.display(description=_("resident ID number"))
    def id_number_masked(self, obj):
        return mask_id_number(obj.id_number)

    def get_queryset(self, request):
        include_deleted = request.user.has_perm("customers.restore_customer")
        return customer_list_visible(user=request.user, include_deleted=include_deleted)

    def get_search_fields(self, request):
        # The ID number is searched only through customer_id_number_match (below).
        return [field for field in super().get_search_fields(request) if field != "=id_number"]

    def get_search_results(self, request, queryset, search_term):
        # The admin splits the term at spaces; the whole term also goes through the list
        # page's search (customers.search: pinyin, a mobile typed with spaces, dashes or
        # +86, its last digits in the searcher's own book, a full ID number where allowed).
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        condition = customer_search_q(user=request.user, text=search_term)
        if condition is not None:
            results = results | queryset.filter(condition)
        return results, may_have_duplicates

    def get_form(self, request, obj=None, change=False, **kwargs):
        # The reader decides what the form may pre-fill (customers.masking): those who
        # may not see the full ID number get empty ID and birthday fields with the mask.
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"request_user": request.user})

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # would really delete; ours moves to the bin
        if not request.user.has_perm("customers.restore_customer"):
            actions.pop("restore_selected", None)
        if not request.user.has_perm("customers.delete_customer"):
            actions.pop("soft_delete_selected", None)
        return actions

    def has_change_permission(self, request, obj=None):
        # An anonymised archive reads, never changes: nothing refills it (privacy).
        if obj is not None and obj.is_anonymised:
            return False
        return super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        obj._history_user = request.user
        super().save_model(request, obj, form, change)
        audit_record(
            actor=request.user,
            action=AuditAction.CHANGE if change else AuditAction.CREATE,
            obj=obj,
            detail={"fields": form.changed_data, "via": "admin"} if change else {"via": "admin"},
        )
        if change and "owner" in form.changed_data:
            announce_customers_reassigned(customer_ids=[obj.pk], actor=request.user)
        # The admin's changeform is one transaction: the webhooks outbox is written in it.
        customer_saved.send(
            sender=Customer,
            customer=obj,
            created=not change,
            changed_fields=list(form.changed_data) if change else [],
            actor=request.user,
        )

    def has_delete_permission(self, request, obj=None):
        # No hard delete in the admin: the recycle-bin action below is the only deletion,
        # and it obeys the same mass-deletion guard as the pages.
        return False

    @method_decorator(sensitive_post_parameters("id_number"))
    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        return super().changeform_view(request, object_id, form_url, extra_context)

    @admin.action(description=_("Move selected customers to the recycle bin"))
    def soft_delete_selected(self, request, queryset):
        try:
            count = customers_soft_delete(actor=request.user, customers=list(queryset.alive()))
        except MassActionRefused as refusal:
            self.message_user(request, refusal.message, messages.ERROR)
            return
        self.message_user(
            request,
            ngettext(
                "%(count)d customer moved to the recycle bin.",
                "%(count)d customers moved to the recycle bin.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )

    @admin.action(description=_("Restore selected customers from the recycle bin"))
    def restore_selected(self, request, queryset):
        count = 0
        for customer in queryset.deleted():
            customer_restore(actor=request.user, customer=customer)
            count += 1
        self.message_user(
            request,
            ngettext("%(count)d customer restored.", "%(count)d customers restored.", count)
            % {"count": count},
            messages.SUCCESS,
        )


@admin.register(Booking)
class BookingAdmin(VisibleCustomerRowsMixin, ReadOnlyHistoryAdmin):
    list_display = [
        "product",
        "customer",
        "trip_type",
        "start_date",
        "end_date",
        "amount",
        "cost",
        "gross_profit",
        "status",
        "paid_date",
    ]
    list_filter = ["status", "trip_type", "destination"]
    search_fields = ["product", "customer__name"]
    list_select_related = ["customer", "destination"]
    raw_id_fields = ["customer"]
    readonly_fields = ["gross_profit", "created_by", "created_at"]
    date_hierarchy = "start_date"

    def save_model(self, request, obj, form, change):
        # Through the booking service, as the booking form: validation, audit, points.
        obj._history_user = request.user
        booking_save(actor=request.user, booking=obj)


@admin.register(ContactPerson)
class ContactPersonAdmin(VisibleCustomerRowsMixin, ReadOnlyHistoryAdmin):
    list_display = ["name", "customer", "title", "mobile", "started_on", "ended_on"]
    search_fields = ["name", "customer__name", "=mobile"]
    list_select_related = ["customer"]
    raw_id_fields = ["customer", "replaced_by"]
    readonly_fields = ["created_by", "created_at"]


CONTACT_RECORD_FIELDS = (
    "channel",
    "outcome",
    "contacted_at",
    "notes",
    "next_step",
    "next_contact_on",
)


@admin.register(ContactRecord)
class ContactRecordAdmin(VisibleCustomerRowsMixin, admin.ModelAdmin):
    list_display = ["customer", "channel", "outcome", "contacted_at", "by"]
    list_filter = ["channel", "outcome"]
    search_fields = ["customer__name", "notes"]
    list_select_related = ["customer", "by"]
    raw_id_fields = ["customer"]
    readonly_fields = ["by"]  # whoever records it in the admin, as on the pages
    date_hierarchy = "contacted_at"

    def save_model(self, request, obj, form, change):
        if change:  # contact records are history: not changeable (no permission grants it)
            super().save_model(request, obj, form, change)
            return
        # A new one through the service, as "log a contact": its rules and one audit entry.
        saved = contact_record_create(
            actor=request.user,
            customer=obj.customer,
            **{name: getattr(obj, name) for name in CONTACT_RECORD_FIELDS},
        )
        obj.pk, obj.by = saved.pk, saved.by
        obj._state.adding = False

    # Should a superuser delete contact records, their customers' last contact follows.
    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        customers_last_contact_refresh(customer_ids=[obj.customer_id])

    def delete_queryset(self, request, queryset):
        customer_ids = list(queryset.values_list("customer_id", flat=True).distinct())
        super().delete_queryset(request, queryset)
        customers_last_contact_refresh(customer_ids=customer_ids)


@admin.register(ServiceRecord)
class ServiceRecordAdmin(VisibleCustomerRowsMixin, admin.ModelAdmin):
    list_display = [
        "summary",
        "customer",
        "kind",
        "source_channel",
        "status",
        "occurred_at",
        "respond_by",
        "responded_at",
        "assigned_to",
    ]
    list_filter = ["kind", "status", "source_channel"]
    search_fields = ["customer__name", "summary"]
    list_select_related = ["customer", "recorded_by", "assigned_to"]
    raw_id_fields = ["customer", "recorded_by", "booking", "assigned_to"]
    date_hierarchy = "occurred_at"


@admin.register(Destination)
class DestinationAdmin(admin.ModelAdmin):
    list_display = ["name", "is_outbound"]
    list_filter = ["is_outbound"]
    search_fields = ["name"]


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    search_fields = ["name"]


@admin.register(ChannelPartner)
class ChannelPartnerAdmin(admin.ModelAdmin):
    list_display = ["name", "contact"]
    search_fields = ["name"]


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records of what happened (every app's history): searchable, never added, edited or
    deleted here."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class CustodyPolicyForm(forms.ModelForm):
    """The two-factor roles as ticks with their translated names, not raw JSON."""

    two_factor_roles = forms.TypedMultipleChoiceField(
        label=_("two-factor sign-in required for"),
        choices=[
            *ROLE_LABELS.items(),
            (TWO_FACTOR_SUPERUSER, _("Superusers (full administrators)")),
        ],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=CustodyPolicy._meta.get_field("two_factor_roles").help_text,
    )

    class Meta:
        model = CustodyPolicy
        fields = "__all__"  # noqa: DJ007 - the admin lays out the fields


@admin.register(CustodyPolicy)
class CustodyPolicyAdmin(ReadOnlyHistoryAdmin):
    form = CustodyPolicyForm
    list_display = [
        "__str__",
        "export_row_limit",
        "deletion_limit",
        "window_hours",
        "special_access_days",
    ]

    def has_add_permission(self, request):
        return not CustodyPolicy.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        obj._history_user = request.user
        custody_policy_save(actor=request.user, policy=obj, changed=form.changed_data)


@admin.register(SecurityAlert)
class SecurityAlertAdmin(ReadOnlyAdmin):
    list_display = [
        "created_at",
        "kind",
        "actor",
        "attempted",
        "already_in_window",
        "limit",
        "acknowledged_by",
        "acknowledged_at",
    ]
    list_filter = ["kind", ("actor", admin.RelatedOnlyFieldListFilter)]
    date_hierarchy = "created_at"


@admin.register(AccessRequest)
class AccessRequestAdmin(ReadOnlyAdmin):
    list_display = ["requested_at", "requester", "customer", "status", "decided_by", "expires_at"]
    list_filter = ["status"]
    search_fields = ["requester__username", "customer__name"]
    list_select_related = ["requester", "customer", "decided_by"]


class HandoverItemInline(admin.TabularInline):
    model = HandoverItem
    fields = ["customer", "to_owner"]
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(StaffDeparture)
class StaffDepartureAdmin(ReadOnlyAdmin):
    list_display = ["employee", "left_on", "recorded_by", "recorded_at", "sessions_ended"]
    inlines = [HandoverItemInline]


# The periodic jobs' attempts and alerts, and the audit log, in their own modules (this
# one is long).
from customers import admin_audit_log, admin_jobs  # noqa: E402, F401
