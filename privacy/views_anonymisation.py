"""The deletion request's anonymisation (panel and POST) and the dormant-customer queue.
Custodians and managers only (404 for everyone else); writes go through
privacy.anonymisation and privacy.dormant."""

from django import forms
from django.apps import apps
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.roles import require_page
from customers.services import MassActionRefused
from privacy.anonymisation import (
    customer_anonymise,
    customers_anonymise,
    privacy_can_anonymise,
)
from privacy.dormant import dormant_keep
from privacy.models import (
    DormantProposal,
    PrivacyPolicy,
    ProposalStatus,
    RequestKind,
    RightsRequest,
)

PAGE_SIZE = 50


class AnonymiseForm(forms.Form):
    understood = forms.BooleanField(
        label=gettext_lazy(
            "I understand that the person's details are removed for good and cannot be restored."
        ),
        error_messages={"required": gettext_lazy("Tick the box to confirm.")},
    )


class QueueForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=300, required=False)
    understood = forms.BooleanField(
        label=gettext_lazy(
            "I understand that anonymising removes the selected people's details for good."
        ),
        required=False,
    )


def _deletion_request(request, pk) -> RightsRequest:
    require_page(privacy_can_anonymise(request.user))
    return get_object_or_404(
        RightsRequest.objects.select_related("customer"), pk=pk, kind=RequestKind.DELETION
    )


@login_required
def request_anonymise_page(request, pk):
    """The deletion request's panel on a page of its own (the request's page includes
    the same panel)."""
    rights_request = _deletion_request(request, pk)
    return render(request, "privacy/requests/anonymise.html", {"rights_request": rights_request})


@require_POST
@login_required
def request_anonymise(request, pk):
    rights_request = _deletion_request(request, pk)
    form = AnonymiseForm(request.POST)
    back = request.POST.get("next") or ""
    if not back.startswith("/") or back.startswith("//"):
        back = ""
    if not form.is_valid():
        messages.error(request, _("Tick the box to confirm."))
    else:
        try:
            customer_anonymise(
                customer=rights_request.customer,
                by=request.user,
                reason=_("The person's deletion request of %(date)s")
                % {"date": rights_request.received_on.isoformat()},
                request=rights_request,
            )
        except (ValidationError, MassActionRefused) as error:
            messages.error(
                request,
                error.message if isinstance(error, MassActionRefused) else " ".join(error.messages),
            )
        else:
            messages.success(
                request, _("The person has been anonymised and the request is closed.")
            )
    return redirect(back or "privacy:request_anonymise_page", **({} if back else {"pk": pk}))


def _open_proposals():
    try:
        link = apps.get_model("archives", "TourGroupBooking")
        archive = apps.get_model("archives", "BusinessArchive")
    except LookupError:
        link = archive = None
    queryset = (
        DormantProposal.objects.filter(status=ProposalStatus.PROPOSED)
        .select_related("customer", "customer__owner")
        .order_by("proposed_on", "id")
    )
    if link is not None:
        on_hold = Exists(
            archive.objects.filter(
                legal_hold=True,
                tour_id__in=link.objects.filter(
                    booking__customer_id=OuterRef(OuterRef("customer_id"))
                ).values("tour_id"),
            )
        )
        queryset = queryset.annotate(on_hold=on_hold)
    return queryset


@login_required
def dormant_queue(request):
    require_page(privacy_can_anonymise(request.user))
    policy = PrivacyPolicy.current()
    form = QueueForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        ids = [int(value) for value in request.POST.getlist("selected") if value.isdigit()]
        proposals = list(
            DormantProposal.objects.filter(pk__in=ids, status=ProposalStatus.PROPOSED)
            .select_related("customer")
            .order_by("id")
        )
        action = request.POST.get("action")
        if not proposals:
            messages.error(request, _("Select at least one person."))
        elif action == "keep":
            try:
                kept = dormant_keep(
                    proposals=proposals, by=request.user, reason=form.cleaned_data["reason"]
                )
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                messages.success(
                    request, _("%(count)d kept; not proposed again for a year.") % {"count": kept}
                )
                return redirect("privacy:dormant_queue")
        elif action == "anonymise":
            if not form.cleaned_data["understood"]:
                messages.error(request, _("Tick the box to confirm."))
            else:
                reason = form.cleaned_data["reason"] or _(
                    "No business and no contact for %(years)d years"
                ) % {"years": policy.dormant_years}
                try:
                    result = customers_anonymise(
                        customers=[proposal.customer for proposal in proposals],
                        by=request.user,
                        reason=reason,
                    )
                except MassActionRefused as refusal:
                    messages.error(request, refusal.message)
                else:
                    if result.done:
                        messages.success(
                            request, _("%(count)d anonymised.") % {"count": len(result.done)}
                        )
                    for customer, why in result.refused:
                        messages.warning(request, f"#{customer.pk}: {why}")
                    return redirect("privacy:dormant_queue")
    page = Paginator(_open_proposals(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "privacy/dormant/queue.html",
        {"page": page, "form": form, "policy": policy, "query": ""},
    )
