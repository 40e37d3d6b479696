"""Thin views: rows from selectors, writes to services. Out of scope is 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.humanize.templatetags.humanize import intcomma
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.roles import require_page
from customers.audit import audit_record
from customers.models import AuditAction
from customers.selectors import customer_can_edit, customer_get_visible
from customers.services import MassActionRefused, personal_data_export_record
from customers.spreadsheets import SafeCsvWriter
from loyalty.forms import AdjustForm, CancelForm, RulesDateForm, StatementFilterForm, VoucherUseForm
from loyalty.liability import points_liability_stored
from loyalty.models import AnnualReward, Reward
from loyalty.selectors import (
    card_annual_rewards,
    card_can_adjust,
    card_can_redeem,
    card_get_visible,
    card_open_lots,
    card_redemptions,
    customer_search_for_redemption,
    redemption_get_visible,
    redemption_list_visible,
    rewards_offered,
    rulebook_in_force,
    rulebook_levels,
    statement_lines,
)
from loyalty.services import (
    PointsRefused,
    annual_reward_use,
    card_issue,
    points_adjust,
    points_liability_refresh,
    redemption_cancel,
    redemption_create,
)

RECENT_REDEMPTIONS = 20


def _refusal(error: PointsRefused) -> str:
    return " ".join(error.messages)


@login_required
def home(request):
    """The rewards catalogue and the way into a redemption: find a customer."""
    query = request.GET.get("q", "")
    return render(
        request,
        "loyalty/home.html",
        {
            "rewards": list(rewards_offered()),
            "query": query,
            "found": customer_search_for_redemption(user=request.user, query=query),
            "redemptions": list(
                redemption_list_visible(user=request.user).order_by("-redeemed_at")[
                    :RECENT_REDEMPTIONS
                ]
            ),
        },
    )


@login_required
def rules(request):
    today = timezone.localdate()
    form = RulesDateForm(request.GET or {"on": today.isoformat()})
    on = form.cleaned_data["on"] if form.is_valid() else today
    rulebook = rulebook_in_force(on=on)
    return render(
        request,
        "loyalty/rules.html",
        {
            "form": form,
            "on": on,
            "rulebook": rulebook,
            "levels": rulebook_levels(rulebook) if rulebook else [],
        },
    )


@login_required
@require_POST
def issue(request, customer_pk):
    customer = customer_get_visible(user=request.user, pk=customer_pk)
    if not customer_can_edit(user=request.user, customer=customer):
        raise PermissionDenied
    card = card_issue(actor=request.user, customer=customer)
    messages.success(request, _("Points card %(number)s issued.") % {"number": card.number})
    return redirect(customer)


def _statement_context(request, card):
    form = StatementFilterForm(request.GET or None)
    start = end = None
    if form.is_valid():
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    opening, lines = statement_lines(card=card, start=start, end=end)
    return form, start, end, opening, lines


@login_required
def statement(request, pk):
    card = card_get_visible(user=request.user, pk=pk)
    audit_record(
        actor=request.user,
        action=AuditAction.VIEW,
        obj=card,
        customer=card.customer,
        object_type="loyalty_statement",
    )
    form, start, end, opening, lines = _statement_context(request, card)
    today = timezone.localdate()
    rewards = card_annual_rewards(card=card)
    can_redeem = card_can_redeem(user=request.user, card=card)
    voucher_form = None
    if can_redeem and any(reward.status == "issued" for reward in rewards):
        voucher_form = VoucherUseForm(bookings=card.customer.bookings.order_by("-start_date"))
    return render(
        request,
        "loyalty/statement.html",
        {
            "card": card,
            "customer": card.customer,
            "form": form,
            "start": start,
            "end": end,
            "opening": opening,
            "lines": lines,
            "closing": lines[-1].balance if lines else opening,
            "lots": card_open_lots(card=card, today=today),
            "redemptions": card_redemptions(card=card),
            "annual_rewards": rewards,
            "voucher_form": voucher_form,
            "can_redeem": can_redeem,
            "can_adjust": card_can_adjust(user=request.user),
            "today": today,
            "query": request.GET.urlencode(),
        },
    )


@login_required
def statement_csv(request, pk):
    card = card_get_visible(user=request.user, pk=pk)
    _form, _start, _end, opening, lines = _statement_context(request, card)
    try:
        personal_data_export_record(
            actor=request.user,
            customer_rows=1,
            obj=card,
            customer=card.customer,
            object_type="loyalty_statement",
            detail={"rows": len(lines)},
        )
    except MassActionRefused as refusal:
        messages.error(request, refusal.message)
        return redirect(f"{card.get_absolute_url()}?{request.GET.urlencode()}")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="points-{card.number}.csv"'
    response.write("\ufeff")  # Excel opens UTF-8 Chinese correctly with a BOM
    writer = SafeCsvWriter(response)
    writer.writerow(
        [
            _("Date"),
            _("Entry"),
            _("Details"),
            _("Points"),
            _("Balance"),
            _("Expires on"),
            _("Rules version"),
        ]
    )
    writer.writerow(["", _("Opening balance"), "", "", opening, "", ""])
    for line in lines:
        entry = line.entry
        writer.writerow(
            [
                entry.occurred_on.isoformat(),
                entry.get_kind_display(),
                _entry_details(entry),
                entry.points,
                line.balance,
                entry.expires_on.isoformat() if entry.expires_on else "",
                entry.rulebook.version if entry.rulebook else "",
            ]
        )
    return response


def _entry_details(entry) -> str:
    if entry.redemption_id:
        return entry.redemption.reward.name
    if entry.booking_id:
        return entry.booking.product
    return entry.reason


@login_required
def redeem(request, pk):
    """Choose a reward (GET), confirm it (GET ?reward=), redeem (POST)."""
    card = card_get_visible(user=request.user, pk=pk)
    if not card_can_redeem(user=request.user, card=card):
        raise PermissionDenied
    rewards = rewards_offered()
    if request.method == "POST":
        try:
            redemption = redemption_create(
                actor=request.user, card_id=card.pk, reward_id=int(request.POST.get("reward", 0))
            )
        except (ValueError, Reward.DoesNotExist):
            messages.error(request, _("Choose a reward from the catalogue."))
        except PointsRefused as error:
            messages.error(request, _refusal(error))
        else:
            messages.success(
                request,
                _("Redeemed “%(reward)s” for %(points)s points. New balance: %(balance)s points.")
                % {
                    "reward": redemption.reward.name,
                    "points": intcomma(redemption.points),
                    "balance": intcomma(redemption.balance_after),
                },
            )
            return redirect(card)
        return redirect("loyalty:redeem", pk=card.pk)
    chosen = None
    if request.GET.get("reward"):
        chosen = (
            rewards.filter(pk=request.GET["reward"]).first()
            if request.GET["reward"].isdigit()
            else None
        )
        if chosen is None:
            raise Http404
    return render(
        request,
        "loyalty/redeem.html",
        {
            "card": card,
            "customer": card.customer,
            "rewards": list(rewards),
            "chosen": chosen,
            "balance_after": card.balance - chosen.points_price if chosen else None,
        },
    )


@login_required
def cancel(request, pk):
    redemption = redemption_get_visible(user=request.user, pk=pk)
    card = redemption.card
    if not card_can_redeem(user=request.user, card=card):
        raise PermissionDenied
    form = CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            redemption = redemption_cancel(
                actor=request.user, redemption_id=redemption.pk, reason=form.cleaned_data["reason"]
            )
        except PointsRefused as error:
            messages.error(request, _refusal(error))
        else:
            messages.success(
                request,
                _("Redemption cancelled: %(points)s points returned. New balance: %(balance)s.")
                % {
                    "points": intcomma(redemption.points),
                    "balance": intcomma(redemption.balance_after),
                },
            )
        return redirect(card)
    return render(
        request,
        "loyalty/cancel.html",
        {"redemption": redemption, "card": card, "customer": card.customer, "form": form},
    )


@login_required
def adjust(request, pk):
    card = card_get_visible(user=request.user, pk=pk)
    require_page(card_can_adjust(user=request.user))
    form = AdjustForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            points_adjust(
                actor=request.user,
                card_id=card.pk,
                points=form.cleaned_data["points"],
                reason=form.cleaned_data["reason"],
            )
        except PointsRefused as error:
            form.add_error(None, _refusal(error))
        else:
            messages.success(request, _("Points adjusted."))
            return redirect(card)
    return render(
        request, "loyalty/adjust.html", {"card": card, "customer": card.customer, "form": form}
    )


@login_required
@require_POST
def voucher_use(request, pk):
    reward = get_object_or_404(AnnualReward.objects.select_related("customer"), pk=pk)
    customer = customer_get_visible(user=request.user, pk=reward.customer_id)
    if not customer_can_edit(user=request.user, customer=customer):
        raise PermissionDenied
    form = VoucherUseForm(request.POST, bookings=customer.bookings.all())
    if form.is_valid():
        try:
            annual_reward_use(
                actor=request.user, reward_id=reward.pk, booking_id=form.cleaned_data["booking"].pk
            )
        except PointsRefused as error:
            messages.error(request, _refusal(error))
        else:
            messages.success(
                request, _("Voucher %(code)s recorded as used.") % {"code": reward.voucher_code}
            )
    else:
        messages.error(request, _("Choose one of this customer's bookings."))
    card = getattr(customer, "loyalty_card", None)
    return redirect(card if card else customer)


@login_required
@require_http_methods(["GET", "POST"])
def liability(request):
    """The stored liability, as of its last refresh (a GET writes only on a fresh
    install, where nothing was ever summed: it is summed once then). POST is
    "Refresh now": summed again at once."""
    require_page(card_can_adjust(user=request.user))
    if request.method == "POST":
        points_liability_refresh(actor=request.user)
        messages.success(request, _("The points liability has been summed again."))
        return redirect("loyalty:liability")
    today = timezone.localdate()
    stored = points_liability_stored(today=today)
    if stored is None:
        points_liability_refresh()
        stored = points_liability_stored(today=today)
    return render(request, "loyalty/liability.html", {"liability": stored})
