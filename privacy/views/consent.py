from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from customers.audit import audit_record
from customers.models import AuditAction, CustomerKind
from customers.selectors import customer_can_edit, customer_get_visible
from privacy.forms import GiveConsentForm, WithdrawConsentForm
from privacy.selectors import consent_history, consent_states, consent_texts_published
from privacy.services import consent_give, consent_withdraw


@login_required
def customer_consent(request, customer_pk):
    """What the person consented to, its history, and (for those who may edit the
    customer) recording and withdrawing it: the two forms side by side, equally easy."""
    customer = customer_get_visible(user=request.user, pk=customer_pk)
    can_edit = customer_can_edit(user=request.user, customer=customer)
    is_person = customer.kind == CustomerKind.INDIVIDUAL
    states = consent_states(customer=customer)
    texts = consent_texts_published()
    data = request.POST if request.method == "POST" else None
    action = request.POST.get("action") if data else None
    give = GiveConsentForm(
        data if action == "give" else None,
        open_purposes=[s.purpose for s in states if not s.given],
        texts=texts,
    )
    withdraw = WithdrawConsentForm(
        data if action == "withdraw" else None,
        given_purposes=[s.purpose for s in states if s.given],
    )
    if data and can_edit and is_person:
        form = give if action == "give" else withdraw
        if form.is_valid():
            try:
                if action == "give":
                    rows = consent_give(
                        actor=request.user,
                        customer=customer,
                        purposes=form.cleaned_data["purposes"],
                        method=form.cleaned_data["method"],
                        text=form.cleaned_data["text"],
                        given_at=form.cleaned_data["given_at"],
                    )
                    messages.success(request, _("Consent recorded: %d.") % len(rows))
                else:
                    count = consent_withdraw(
                        actor=request.user,
                        customer=customer,
                        purposes=form.cleaned_data["purposes"],
                        method=form.cleaned_data["method"],
                    )
                    messages.success(request, _("Consent withdrawn: %d.") % count)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                return redirect("privacy:customer_consent", customer_pk=customer.pk)
    elif data:
        messages.error(request, _("You may not change this customer's consents."))
    # Every page shown is a view of the person's consents, a form sent back included.
    audit_record(actor=request.user, action=AuditAction.VIEW, obj=customer, object_type="consent")
    return render(
        request,
        "privacy/customer_consent.html",
        {
            "customer": customer,
            "can_edit": can_edit and is_person,
            "is_person": is_person,
            "states": states,
            "history": list(consent_history(customer=customer)[:100]),
            "give": give,
            "withdraw": withdraw,
            "has_texts": texts.exists(),
        },
    )
