"""The admin's doors into a customer's rows, through the same rules as the pages: rows of
customers the custodian may see, one audit entry per view or change, saves through the
services where a service owns the rule. Other apps' admins reuse these mixins."""

from simple_history.admin import SimpleHistoryAdmin

from customers.audit import audit_record
from customers.models import AuditAction, Booking, ContactRecord
from customers.selectors import customer_list_responsible, customer_list_visible
from customers.services import booking_save, contact_record_create

CONTACT_RECORD_FIELDS = ("channel", "outcome", "contacted_at", "notes", "next_step")


class AuditedChangeViewMixin:
    """Opening an object's admin page, or its admin history page, is a view of it:
    exactly one audit entry each. (simple-history's pages are ReadOnlyHistoryAdmin's.)"""

    def _record_admin_view(self, request, object_id, response, detail):
        if request.method == "GET" and response.status_code == 200:
            obj = self.get_object(request, object_id)
            if obj is not None:
                audit_record(actor=request.user, action=AuditAction.VIEW, obj=obj, detail=detail)
        return response

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        return self._record_admin_view(request, object_id, response, {"via": "admin"})

    def history_view(self, request, object_id, extra_context=None):
        response = super().history_view(request, object_id, extra_context)
        if isinstance(self, SimpleHistoryAdmin):  # ReadOnlyHistoryAdmin records its own
            return response
        return self._record_admin_view(request, object_id, response, {"via": "admin-history"})


class VisibleCustomerRowsMixin(AuditedChangeViewMixin):
    """Rows that belong to a customer are shown only when the customer is visible, may be
    attached only to a visible customer, are history (staff correct them, never delete
    them) and every view and change of them is on record."""

    def get_queryset(self, request):
        visible = customer_list_visible(user=request.user)
        return super().get_queryset(request).filter(customer__in=visible)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "customer":
            kwargs["queryset"] = customer_list_responsible(user=request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        """Through the service where one owns the rule; otherwise saved here with the
        change on record. Either way one audit entry."""
        obj._history_user = request.user
        if isinstance(obj, Booking):
            booking_save(actor=request.user, booking=obj)
            return
        if isinstance(obj, ContactRecord) and not change:
            saved = contact_record_create(
                actor=request.user,
                customer=obj.customer,
                next_contact_on=obj.next_contact_on,
                **{name: getattr(obj, name) for name in CONTACT_RECORD_FIELDS},
            )
            obj.pk, obj.by = saved.pk, saved.by
            obj._state.adding = False
            return
        if not change and hasattr(obj, "created_by_id") and not obj.created_by_id:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
        audit_record(
            actor=request.user,
            action=AuditAction.CHANGE if change else AuditAction.CREATE,
            obj=obj,
            detail={"fields": form.changed_data, "via": "admin"} if change else {"via": "admin"},
        )
