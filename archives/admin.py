"""Django admin for archive custodians: the policy, the retention queue, legal holds and
destruction (with a confirmation page and a reason), and the permanent records.
Rows come from the same visibility selector as the pages; archives change only through
the services, never by editing their fields. Every change and history page of archive
data (tours, archives, destruction records, keep-until changes) writes one VIEW audit
entry through customers.admin_audit.AuditedChangeViewMixin."""

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.roles import is_manager
from archives.forms import ReasonForm, TourGroupAdminForm
from archives.models import (
    ArchiveDocument,
    BusinessArchive,
    DestructionRecord,
    DocumentCheck,
    DocumentRequirement,
    RetentionChange,
    RetentionChangeStatus,
    RetentionPolicy,
    RetentionRun,
    TourGroup,
    TourGroupBooking,
)
from archives.retention import retention_change_decide
from archives.selectors import archive_filter_past_retention, archive_list_visible
from archives.services import (
    archive_destroy,
    archive_destroy_refusal,
    archive_legal_hold_clear,
    archive_legal_hold_set,
    tour_group_create,
    tour_group_update,
)
from customers.admin import ReadOnlyAdmin
from customers.admin_audit import AuditedChangeViewMixin
from customers.admin_history import ReadOnlyHistoryAdmin


class TourGroupBookingInline(admin.TabularInline):
    """The travellers a tour carried, read-only: they are picked when the tour is created
    (archives.services.tour_group_create, which checks and records them) and no service
    changes them afterwards, so no row is added, changed or removed here unrecorded."""

    model = TourGroupBooking
    fields = ["booking"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name = _("traveller booking")
    verbose_name_plural = _("travellers (bookings)")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(TourGroup)
class TourGroupAdmin(AuditedChangeViewMixin, admin.ModelAdmin):
    list_display = ["group_number", "product", "trip_type", "start_date", "end_date",
                    "head_count", "guide"]  # fmt: skip
    list_filter = ["trip_type"]
    search_fields = ["=group_number", "product", "guide"]
    date_hierarchy = "start_date"
    readonly_fields = ["created_by", "created_at"]
    inlines = [TourGroupBookingInline]
    form = TourGroupAdminForm

    def get_queryset(self, request):
        visible = archive_list_visible(user=request.user)
        return super().get_queryset(request).filter(archive__in=visible)

    def has_change_permission(self, request, obj=None):
        # The tour of a destroyed archive keeps only what the destruction record needs.
        if obj is not None and obj.archive.is_destroyed:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if not change:
            # The admin records the tour's facts; travellers are picked on the archive page.
            tour_group_create(actor=request.user, tour=obj)
            return
        changes = RetentionChange.objects.filter(archive__tour=obj)
        seen = set(changes.values_list("pk", flat=True))
        tour_group_update(
            actor=request.user,
            tour=obj,
            changed=form.changed_data,
            reason=form.cleaned_data.get("retention_reason", ""),
        )
        for new in changes.exclude(pk__in=seen):
            self._tell_keep_until(request, new)

    def _tell_keep_until(self, request, change):
        dates = {"old": f"{change.old_end:%Y-%m-%d}", "new": f"{change.proposed_end:%Y-%m-%d}"}
        if change.status == RetentionChangeStatus.PENDING:
            self.message_user(
                request,
                _(
                    "The tour is saved, but its archive is still kept until %(old)s: moving "
                    "that earlier, to %(new)s, needs a manager's approval. The request waits "
                    "under Keep-until changes."
                )
                % dates,
                messages.WARNING,
            )
        elif change.status == RetentionChangeStatus.APPLIED:
            self.message_user(
                request, _("The archive is now kept until %(new)s.") % dates, messages.INFO
            )


class PastRetentionFilter(admin.SimpleListFilter):
    title = _("retention")
    parameter_name = "retention"

    def lookups(self, request, model_admin):
        return [("past", _("Past retention")), ("kept", _("Still within retention"))]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        if self.value() == "past":
            return archive_filter_past_retention(queryset, today=today)
        if self.value() == "kept":
            return queryset.filter(retention_end__gte=today)
        return queryset


class ArchiveDocumentInline(admin.TabularInline):
    model = ArchiveDocument
    fields = ["kind", "download", "paper_location", "reference", "content_type", "size",
              "uploaded_by", "uploaded_at"]  # fmt: skip
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("file"))
    def download(self, obj):
        if not obj.file:
            return "—"
        url = reverse("archives:download", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, obj.original_filename)


class RetentionChangeInline(admin.TabularInline):
    """The archive's keep-until history, read-only; decisions are the actions of the
    Keep-until changes list and the archive page."""

    model = RetentionChange
    fields = ["requested_at", "requested_by", "old_end", "proposed_end", "applied_end",
              "status", "tour_end_before", "tour_end_after", "reason", "decided_by",
              "decided_at", "decision_reason"]  # fmt: skip
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ["-requested_at", "-id"]
    verbose_name_plural = _("keep-until history")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(BusinessArchive)
class BusinessArchiveAdmin(AuditedChangeViewMixin, admin.ModelAdmin):
    list_display = ["group_number", "trip_type", "tour_end", "retention_end", "status",
                    "legal_hold", "expired_on"]  # fmt: skip
    list_filter = ["status", PastRetentionFilter, "legal_hold", "tour__trip_type"]
    search_fields = ["=tour__group_number", "tour__product"]
    list_select_related = ["tour"]
    ordering = ["retention_end", "id"]
    inlines = [ArchiveDocumentInline, RetentionChangeInline]
    actions = ["destroy_selected", "set_legal_hold", "clear_legal_hold"]

    @admin.display(description=_("group number"), ordering="tour__group_number")
    def group_number(self, obj):
        return obj.tour.group_number

    @admin.display(description=_("trip type"), ordering="tour__trip_type")
    def trip_type(self, obj):
        return obj.tour.get_trip_type_display()

    @admin.display(description=_("tour end"), ordering="tour__end_date")
    def tour_end(self, obj):
        return obj.tour.end_date

    def get_queryset(self, request):
        return archive_list_visible(user=request.user).select_related("tour")

    def has_add_permission(self, request):
        return False  # an archive is opened with its tour group

    def has_change_permission(self, request, obj=None):
        return False  # changes go through the actions and the archive page

    def has_delete_permission(self, request, obj=None):
        return False  # destruction is the action below; the row and its record stay

    def has_destroy_permission(self, request):
        return request.user.has_perm("archives.destroy_businessarchive")

    def has_hold_permission(self, request):
        return request.user.has_perm("archives.hold_businessarchive")

    def _confirm_with_reason(self, request, queryset, *, action, title, refusal, perform):
        """An intermediate page listing the selected archives (and why any cannot be
        included) that asks for a reason; on confirmation, performs the action on each
        eligible archive. Returns the number done, or a response to show."""
        archives = list(queryset.select_related("tour"))
        rows = [(archive, refusal(archive)) for archive in archives]
        form = ReasonForm(request.POST if "confirm" in request.POST else None)
        if not form.is_bound or not form.is_valid():
            context = {
                **self.admin_site.each_context(request),
                "title": title,
                "opts": self.model._meta,
                "rows": rows,
                "eligible": sum(1 for _archive, why in rows if not why),
                "form": form,
                "action": action,
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            }
            return TemplateResponse(
                request, "admin/archives/businessarchive/reason_confirmation.html", context
            )
        done = 0
        for archive, why in rows:
            try:
                if why:
                    raise ValidationError(why)
                perform(archive, form.cleaned_data["reason"])
            except ValidationError as error:
                self.message_user(
                    request,
                    format_html("{}: {}", archive.tour.group_number, " ".join(error.messages)),
                    messages.WARNING,
                )
            else:
                done += 1
        return done

    @admin.action(
        description=_("Destroy selected archives (past retention)…"), permissions=["destroy"]
    )
    def destroy_selected(self, request, queryset):
        today = timezone.localdate()
        done = self._confirm_with_reason(
            request,
            queryset,
            action="destroy_selected",
            title=_("Destroy business archives"),
            refusal=lambda archive: archive_destroy_refusal(archive=archive, today=today),
            perform=lambda archive, reason: archive_destroy(
                actor=request.user, archive=archive, reason=reason, today=today
            ),
        )
        if not isinstance(done, int):
            return done
        if done:
            self.message_user(
                request,
                ngettext(
                    "%(count)d archive destroyed; its destruction record is below.",
                    "%(count)d archives destroyed; their destruction records are below.",
                    done,
                )
                % {"count": done},
                messages.SUCCESS,
            )
            return HttpResponseRedirect(reverse("admin:archives_destructionrecord_changelist"))
        return None

    @admin.action(description=_("Set a legal hold on selected archives…"), permissions=["hold"])
    def set_legal_hold(self, request, queryset):
        done = self._confirm_with_reason(
            request,
            queryset,
            action="set_legal_hold",
            title=_("Set a legal hold"),
            refusal=lambda archive: (
                _("It has already been destroyed.") if archive.is_destroyed else None
            ),
            perform=lambda archive, reason: archive_legal_hold_set(
                actor=request.user, archive=archive, reason=reason
            ),
        )
        if not isinstance(done, int):
            return done
        self.message_user(
            request,
            ngettext(
                "%(count)d archive is under legal hold.",
                "%(count)d archives are under legal hold.",
                done,
            )
            % {"count": done},
            messages.SUCCESS,
        )
        return None

    @admin.action(description=_("Clear the legal hold of selected archives…"), permissions=["hold"])
    def clear_legal_hold(self, request, queryset):
        done = self._confirm_with_reason(
            request,
            queryset,
            action="clear_legal_hold",
            title=_("Clear a legal hold"),
            refusal=lambda archive: (
                None if archive.legal_hold else _("It is not under legal hold.")
            ),
            perform=lambda archive, reason: archive_legal_hold_clear(
                actor=request.user, archive=archive, reason=reason
            ),
        )
        if not isinstance(done, int):
            return done
        self.message_user(
            request,
            ngettext(
                "The legal hold of %(count)d archive is cleared.",
                "The legal holds of %(count)d archives are cleared.",
                done,
            )
            % {"count": done},
            messages.SUCCESS,
        )
        return None


@admin.register(DocumentRequirement)
class DocumentRequirementAdmin(ReadOnlyHistoryAdmin):
    list_display = ["kind", "required"]
    list_editable = ["required"]
    readonly_fields = ["kind"]

    def has_add_permission(self, request):
        return False  # one row per kind, seeded by migration

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(RetentionPolicy)
class RetentionPolicyAdmin(ReadOnlyHistoryAdmin):
    list_display = ["trip_type", "years"]
    list_editable = ["years"]

    def get_readonly_fields(self, request, obj=None):
        return ["trip_type"] if obj is not None else []

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(DestructionRecord)
class DestructionRecordAdmin(AuditedChangeViewMixin, ReadOnlyAdmin):
    list_display = ["group_number", "destroyed_at", "approved_by", "document_count",
                    "file_count", "paper_count", "retention_end"]  # fmt: skip
    list_filter = ["trip_type"]
    search_fields = ["=group_number"]
    list_select_related = ["approved_by"]
    date_hierarchy = "destroyed_at"


@admin.register(RetentionRun)
class RetentionRunAdmin(ReadOnlyAdmin):
    list_display = ["run_date", "expired_count", "notified_count", "started_at"]


@admin.register(RetentionChange)
class RetentionChangeAdmin(AuditedChangeViewMixin, ReadOnlyAdmin):
    """Every change of a keep-until date; managers approve or refuse the earlier ones
    (with a reason) through the actions, which call archives.retention."""

    list_display = ["group_number", "old_end", "proposed_end", "applied_end", "status",
                    "requested_by", "requested_at", "decided_by"]  # fmt: skip
    list_filter = ["status"]
    search_fields = ["=archive__tour__group_number"]
    list_select_related = ["archive__tour", "requested_by", "decided_by"]
    actions = ["approve_selected", "refuse_selected"]

    @admin.display(description=_("group number"), ordering="archive__tour__group_number")
    def group_number(self, obj):
        return obj.archive.tour.group_number

    def get_queryset(self, request):
        visible = archive_list_visible(user=request.user)
        return super().get_queryset(request).filter(archive__in=visible)

    def has_decide_permission(self, request):
        return is_manager(request.user)

    def _decide(self, request, queryset, *, approve: bool):
        changes = list(queryset.select_related("archive__tour"))
        form = ReasonForm(request.POST if "confirm" in request.POST else None)
        if not form.is_bound or not form.is_valid():
            context = {
                **self.admin_site.each_context(request),
                "title": _("Approve earlier keep-until dates")
                if approve
                else _("Refuse earlier keep-until dates"),
                "opts": self.model._meta,
                "changes": changes,
                "pending": [c for c in changes if c.status == RetentionChangeStatus.PENDING],
                "approve": approve,
                "form": form,
                "action": "approve_selected" if approve else "refuse_selected",
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            }
            return TemplateResponse(
                request, "admin/archives/retentionchange/decision_confirmation.html", context
            )
        done = 0
        for change in changes:
            try:
                retention_change_decide(
                    actor=request.user,
                    change=change,
                    approve=approve,
                    reason=form.cleaned_data["reason"],
                )
            except ValidationError as error:
                self.message_user(
                    request,
                    format_html(
                        "{}: {}", change.archive.tour.group_number, " ".join(error.messages)
                    ),
                    messages.WARNING,
                )
            else:
                done += 1
        if done:
            self.message_user(
                request,
                ngettext("%(count)d request decided.", "%(count)d requests decided.", done)
                % {"count": done},
                messages.SUCCESS,
            )
        return None

    @admin.action(description=_("Approve selected earlier dates…"), permissions=["decide"])
    def approve_selected(self, request, queryset):
        return self._decide(request, queryset, approve=True)

    @admin.action(description=_("Refuse selected earlier dates…"), permissions=["decide"])
    def refuse_selected(self, request, queryset):
        return self._decide(request, queryset, approve=False)


@admin.register(DocumentCheck)
class DocumentCheckAdmin(ReadOnlyAdmin):
    """The weekly document check's runs (archives.integrity): what was missing or altered."""

    list_display = ["started_at", "checked", "missing", "altered", "notified_count", "finished_at"]
    list_filter = ["started_at"]
