"""The admin's doors into a customer's rows, through the same rules as the pages: rows of
customers the custodian may see, one audit entry per view or change, saves through the
services where a service owns the rule. Other apps' admins reuse these mixins."""

from simple_history.admin import SimpleHistoryAdmin

from customers.audit import audit_record
from customers.models import AuditAction
from customers.selectors import customer_list_responsible, customer_list_visible


class AuditedChangeViewMixin:
    """Opening an object's admin page, or its admin history page, is a view of it:
    exactly one audit entry each. (simple-history's pages are ReadOnlyHistoryAdmin's.)"""

    def _record_admin_view(self, request, response, detail, *, context_key: str):
        """The object the page showed (already in its context: no second query)."""
        if request.method == "GET" and response.status_code == 200:
            obj = getattr(response, "context_data", {}).get(context_key)
            if obj is not None:
                audit_record(actor=request.user, action=AuditAction.VIEW, obj=obj, detail=detail)
        return response

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        return self._record_admin_view(request, response, {"via": "admin"}, context_key="original")

    def history_view(self, request, object_id, extra_context=None):
        response = super().history_view(request, object_id, extra_context)
        if isinstance(self, SimpleHistoryAdmin):  # ReadOnlyHistoryAdmin records its own
            return response
        return self._record_admin_view(
            request, response, {"via": "admin-history"}, context_key="object"
        )


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
        """Saved here with the change on record (admins whose model has a service that
        owns the rule override this to call it). Either way one audit entry."""
        obj._history_user = request.user
        if not change and hasattr(obj, "created_by_id") and not obj.created_by_id:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
        audit_record(
            actor=request.user,
            action=AuditAction.CHANGE if change else AuditAction.CREATE,
            obj=obj,
            detail={"fields": form.changed_data, "via": "admin"} if change else {"via": "admin"},
        )
