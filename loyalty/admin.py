"""Managers run the programme in the admin: they publish rule versions (never edit
them), keep the reward catalogue, freeze a card. The ledger and the job runs are read
only for everyone."""

from django import forms
from django.contrib import admin
from django.forms.models import BaseInlineFormSet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from customers.admin import ReadOnlyAdmin
from customers.admin_history import ReadOnlyHistoryAdmin
from loyalty.models import (
    AnnualReward,
    AnnualRewardCatchUp,
    AnnualRewardPolicy,
    AnnualRewardRun,
    AnnualRewardTier,
    Card,
    CardLevel,
    ExpiryNotice,
    ExpiryRun,
    LedgerEntry,
    LevelCode,
    Redemption,
    Reward,
    Rulebook,
)


class PublishOnlyAdmin(admin.ModelAdmin):
    """A version is added once and then only read: a change is a new version."""

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.pk:
            return [field.name for field in self.model._meta.fields]
        return self.readonly_fields

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False


class EffectiveFromForm(forms.ModelForm):
    def clean_effective_from(self):
        day = self.cleaned_data["effective_from"]
        today = timezone.localdate()
        if day < today:
            raise forms.ValidationError(
                _("Rules cannot apply to the past: choose today (%(today)s) or a later date."),
                params={"today": today.isoformat()},
            )
        return day


class PublishedInline(admin.TabularInline):
    extra = 0

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.pk:
            return [field.name for field in self.model._meta.fields]
        return ()

    def has_change_permission(self, request, obj=None):
        return obj is None

    def has_delete_permission(self, request, obj=None):
        return False


class LevelFormSet(BaseInlineFormSet):
    def clean(self):
        super().clean()
        codes = [
            form.cleaned_data["code"]
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        if LevelCode.STANDARD not in codes or len(codes) != len(set(codes)):
            raise forms.ValidationError(
                _("Every version needs the standard card once, and each level once.")
            )
        for form in self.forms:
            data = form.cleaned_data
            if (
                data
                and data.get("code") == LevelCode.STANDARD
                and (data.get("grade_at_least") or data.get("spend_at_least") is not None)
            ):
                raise forms.ValidationError(
                    _("The standard card is for everyone: leave its rules empty.")
                )


class CardLevelInline(PublishedInline):
    model = CardLevel
    formset = LevelFormSet
    extra = 4
    fields = ["code", "earn_rate", "grade_at_least", "spend_at_least", "benefits"]


@admin.register(Rulebook)
class RulebookAdmin(PublishOnlyAdmin):
    form = EffectiveFromForm
    list_display = ["version", "effective_from", "validity_months", "point_value", "published_by"]
    fields = ["effective_from", "validity_months", "point_value", "notes"]
    inlines = [CardLevelInline]

    def save_model(self, request, obj, form, change):
        from django.db.models import Max

        obj.version = (Rulebook.objects.aggregate(top=Max("version"))["top"] or 0) + 1
        obj.published_by = request.user
        super().save_model(request, obj, form, change)


class AnnualRewardTierInline(PublishedInline):
    model = AnnualRewardTier
    extra = 2
    fields = ["customer_kind", "threshold", "reward_name", "reward_value"]


@admin.register(AnnualRewardPolicy)
class AnnualRewardPolicyAdmin(PublishOnlyAdmin):
    form = EffectiveFromForm
    list_display = ["effective_from", "published_by", "published_at"]
    fields = ["effective_from", "notes"]
    inlines = [AnnualRewardTierInline]

    def save_model(self, request, obj, form, change):
        obj.published_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(Card)
class CardAdmin(admin.ModelAdmin):
    list_display = ["number", "customer", "level", "status", "balance", "created_at"]
    list_filter = ["level", "status"]
    search_fields = ["customer__name", "customer__mobile"]
    list_select_related = ["customer"]
    readonly_fields = ["customer", "level", "balance", "created_at", "created_by"]
    fields = ["customer", "level", "status", "balance", "created_at", "created_by"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdmin):
    list_display = [
        "occurred_on",
        "card",
        "kind",
        "points",
        "remaining",
        "expires_on",
        "rulebook",
        "booking",
    ]
    list_filter = ["kind", "occurred_on"]
    search_fields = ["card__customer__name", "reason"]
    list_select_related = ["card__customer", "rulebook", "booking"]
    raw_id_fields = ["card", "booking", "redemption", "lot"]


@admin.register(Reward)
class RewardAdmin(ReadOnlyHistoryAdmin):
    list_display = ["name", "kind", "points_price", "stock", "active"]
    list_filter = ["kind", "active"]
    search_fields = ["name"]

    def has_delete_permission(self, request, obj=None):
        return False  # redemptions point at it; take it off the catalogue instead


@admin.register(Redemption)
class RedemptionAdmin(ReadOnlyAdmin):
    list_display = ["redeemed_at", "card", "reward", "points", "status", "redeemed_by"]
    list_filter = ["status"]
    list_select_related = ["card__customer", "reward", "redeemed_by"]


@admin.register(ExpiryRun)
class ExpiryRunAdmin(ReadOnlyAdmin):
    list_display = [
        "run_date",
        "swept_bookings",
        "levels_changed",
        "expired_lots",
        "expired_points",
        "notices_sent",
    ]


@admin.register(ExpiryNotice)
class ExpiryNoticeAdmin(ReadOnlyAdmin):
    list_display = ["sent_on", "email", "lot"]


@admin.register(AnnualReward)
class AnnualRewardAdmin(ReadOnlyAdmin):
    list_display = ["year", "customer", "reward_name", "spend", "voucher_code", "status"]
    list_filter = ["year", "status"]
    search_fields = ["customer__name", "voucher_code"]
    list_select_related = ["customer"]


@admin.register(AnnualRewardRun)
class AnnualRewardRunAdmin(ReadOnlyAdmin):
    list_display = ["year", "run_on", "issued_count", "notified_owners"]


@admin.register(AnnualRewardCatchUp)
class AnnualRewardCatchUpAdmin(ReadOnlyAdmin):
    list_display = ["year", "run_on", "issued_count", "notified_owners"]
    list_filter = ["year"]
