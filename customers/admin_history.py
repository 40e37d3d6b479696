"""The admin's history pages (django-simple-history), read-only and on record.

simple-history's own pages let anyone who can open them "revert" an object: a POST to a
history record saves the old version straight through the model form, past the
services that check permission, apply the mass-deletion guard and write the audit (a
manager restored customers from the recycle bin that way, and re-deleted them with no
trace). Here every history page only reads:

- the list and each record open only for objects the reader may see in the admin
  (the same `get_queryset`, so the same visibility selector), otherwise 404;
- a record is shown as a read-only table: no form, no Save or Revert button, and any
  POST is refused (405);
- old and new values of the ID number and birthday pass through customers.masking;
- each page opened writes exactly one VIEW audit entry ({"via": "admin-history"}).

Restoring and deleting go only through customers.services (customer_restore,
customers_soft_delete), i.e. the admin's recycle-bin actions.
"""

from django.contrib.admin.utils import display_for_field, unquote
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import render
from django.urls import reverse
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from simple_history.admin import SimpleHistoryAdmin
from simple_history.template_utils import HistoricalRecordContextHelper

from customers.audit import audit_record
from customers.masking import customer_identity_for, display_field_value, sensitive_kind
from customers.models import AuditAction, Customer

HISTORY_AUDIT_DETAIL = {"via": "admin-history"}


class MaskedHistoryContextHelper(HistoricalRecordContextHelper):
    """The history list's "Changes" column, with sensitive values masked for the reader."""

    def __init__(self, model, historical_record, *, can_see_full_id: bool, **kwargs):
        super().__init__(model, historical_record, **kwargs)
        self.can_see_full_id = can_see_full_id

    def prepare_delta_change_value(self, change, value):
        if sensitive_kind(self.model, change.field) is None:
            return super().prepare_delta_change_value(change, value)
        return display_field_value(
            model=self.model,
            field_name=change.field,
            value=value,
            can_see_full_id=self.can_see_full_id,
        )


class ReadOnlyHistoryAdmin(SimpleHistoryAdmin):
    """Every admin that shows simple-history uses this instead of SimpleHistoryAdmin."""

    object_history_form_template = "admin/history_record.html"

    def revert_disabled(self, request, obj=None):
        return True

    def _history_object(self, request, object_id):
        """The object whose history is asked for, if the reader may see it; else 404
        (never simple-history's fallback to the last historical record, which would show
        objects outside the reader's scope, deleted ones included)."""
        try:
            obj = self.get_queryset(request).get(pk=unquote(object_id))
        except (ObjectDoesNotExist, ValueError, TypeError, OverflowError, ValidationError):
            raise Http404 from None
        if not self.has_view_history_or_change_history_permission(request, obj):
            raise Http404
        return obj

    def _can_see_full_id(self, request, obj) -> bool:
        customer = obj if isinstance(obj, Customer) else getattr(obj, "customer", None)
        if not isinstance(customer, Customer):
            return False
        return customer_identity_for(user=request.user, customer=customer).can_see_full_id

    def _audit_view(self, request, obj) -> None:
        audit_record(
            actor=request.user, action=AuditAction.VIEW, obj=obj, detail=HISTORY_AUDIT_DETAIL
        )

    def history_view(self, request, object_id, extra_context=None):
        obj = self._history_object(request, object_id)
        request._history_can_see_full_id = self._can_see_full_id(request, obj)
        response = super().history_view(request, object_id, extra_context)
        if request.method == "GET" and response.status_code == 200:
            self._audit_view(request, obj)
        return response

    def get_historical_record_context_helper(self, request, historical_record):
        return MaskedHistoryContextHelper(
            self.model,
            historical_record,
            can_see_full_id=getattr(request, "_history_can_see_full_id", False),
        )

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method != "GET":
            return HttpResponseNotAllowed(["GET"])
        obj = self._history_object(request, object_id)
        history = getattr(self.model, self.model._meta.simple_history_manager_attribute)
        try:
            record = history.get(**{self.model._meta.pk.attname: obj.pk, "history_id": version_id})
        except (ObjectDoesNotExist, ValueError, TypeError, OverflowError, ValidationError):
            raise Http404 from None
        opts = self.model._meta
        info = self.admin_site.name, opts.app_label, opts.model_name
        context = {
            **self.admin_site.each_context(request),
            "title": _("View %s") % record.history_object,
            "subtitle": None,
            "opts": opts,
            "app_label": opts.app_label,
            "object": obj,
            "record": record,
            "rows": self._record_rows(record, can_see_full_id=self._can_see_full_id(request, obj)),
            "change_url": reverse("{}:{}_{}_change".format(*info), args=[obj.pk]),
            "history_url": reverse("{}:{}_{}_history".format(*info), args=[obj.pk]),
            "changelist_url": reverse("{}:{}_{}_changelist".format(*info)),
            **(extra_context or {}),
        }
        response = render(request, self.object_history_form_template, context)
        self._audit_view(request, obj)
        return response

    def _record_rows(self, record, *, can_see_full_id: bool) -> list[tuple[str, object]]:
        """(label, value) for each field the historical record kept, values as the admin
        displays them, sensitive ones through the masking rule."""
        rows = []
        tracked = {field.attname for field in record._meta.concrete_fields}
        empty = self.get_empty_value_display()
        for field in self.model._meta.concrete_fields:
            if field.attname not in tracked:
                continue  # not kept in history (excluded_fields)
            if field.is_relation:
                try:
                    value = getattr(record, field.name)
                except ObjectDoesNotExist:
                    value = getattr(record, field.attname)
                shown = empty if value is None else str(value)
            elif sensitive_kind(self.model, field.name) is not None:
                value = getattr(record, field.attname)
                shown = display_field_value(
                    model=self.model,
                    field_name=field.name,
                    value=value,
                    can_see_full_id=can_see_full_id,
                )
                shown = shown or empty
            else:
                shown = display_for_field(getattr(record, field.attname), field, empty)
            rows.append((capfirst(field.verbose_name), shown))
        return rows
