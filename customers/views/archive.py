"""Thin views: they get rows from selectors, hand writes to services."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms.models import ModelChoiceIteratorValue
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.debug import sensitive_post_parameters

from accounts.roles import require_page
from customers.audit import audit_record
from customers.filters import CustomerFilter
from customers.forms import (
    BookingForm,
    ContactPersonForm,
    ContactPersonReplaceForm,
    ContactRecordForm,
    CustomerBulkForm,
    CustomerForm,
    ServiceRecordForm,
)
from customers.masking import mask_id_number
from customers.models import AuditAction, ContactRecord, Customer
from customers.pagination import CappedPaginator
from customers.selectors import (
    booking_can_edit,
    customer_can_create,
    customer_can_edit,
    customer_get_visible,
    customer_history,
    customer_list_annotate,
    customer_list_visible,
)
from customers.services import (
    ANONYMISED_MESSAGE,
    MassActionRefused,
    booking_save,
    contact_person_add,
    contact_person_replace,
    contact_record_create,
    customer_create,
    customer_export_record,
    customer_soft_delete,
    customer_update,
    customers_bulk_allowed,
    service_record_create,
)
from customers.spreadsheets import SafeCsvWriter
from customers.views.record import customer_record_context

PAGE_SIZE = 25


def _filtered_customers(request):
    visible = customer_list_annotate(customer_list_visible(user=request.user))
    return CustomerFilter(request.GET or None, queryset=visible, user=request.user)


def _offer_rows(field, rows) -> None:
    """Let `field`'s select offer `rows`, read already, instead of reading them again (its
    empty choice first, as the field's own choices would)."""
    choices = [("", field.empty_label)] if field.empty_label is not None else []
    if getattr(field, "null_label", None) is not None:
        choices.append((field.null_value, field.null_label))
    choices += [
        (ModelChoiceIteratorValue(field.prepare_value(row), row), field.label_from_instance(row))
        for row in rows
    ]
    field.widget.choices = choices


@login_required
def customer_list(request):
    customer_filter = _filtered_customers(request)
    page = CappedPaginator(customer_filter.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    bulk_form = (
        CustomerBulkForm(user=request.user) if customers_bulk_allowed(user=request.user) else None
    )
    if bulk_form is not None:
        # The filters and the bulk bar offer the same reps (owner_choices) and tags: one
        # read each. The bar's template iterates the querysets, filled here.
        for name in ("owner", "tag"):
            rows = bulk_form.fields[name].queryset
            _offer_rows(customer_filter.form.fields[name], list(rows))
    return render(
        request,
        "customers/customer_list.html",
        {
            "filter": customer_filter,
            "page": page,
            "query": query.urlencode(),
            "can_create": customer_can_create(user=request.user),
            "can_export": request.user.has_perm("customers.export_customers"),
            "bulk_form": bulk_form,
        },
    )


class _Echo:
    def write(self, value):
        return value


EXPORT_COLUMNS = [
    (gettext_lazy("name"), lambda c: c.name),
    (gettext_lazy("kind"), lambda c: c.get_kind_display()),
    (gettext_lazy("status"), lambda c: c.get_status_display()),
    (gettext_lazy("owner"), lambda c: c.owner.display_name),
    (gettext_lazy("mobile"), lambda c: c.mobile),
    (gettext_lazy("e-mail"), lambda c: c.email),
    # Exports carry the last-four mask for everyone and no birthday (customers.masking).
    (gettext_lazy("resident ID number"), lambda c: mask_id_number(c.id_number)),
    (gettext_lazy("postal address"), lambda c: c.postal_address),
    (gettext_lazy("postal code"), lambda c: c.postal_code),
    (gettext_lazy("source channel"), lambda c: c.get_source_channel_display()),
    (
        gettext_lazy("last contact"),
        lambda c: (
            timezone.localtime(c.last_contact_at).strftime("%Y-%m-%d") if c.last_contact_at else ""
        ),
    ),
]


@login_required
def customer_export(request):
    """CSV of the visible, filtered list. ID numbers are masked in every export."""
    require_page(request.user.has_perm("customers.export_customers"))
    customers = _filtered_customers(request).qs
    try:
        customer_export_record(
            actor=request.user, rows=customers.count(), filters=request.GET.urlencode()
        )
    except MassActionRefused as refusal:
        messages.error(request, refusal.message)
        return redirect(f"{reverse('customers:list')}?{request.GET.urlencode()}")

    def rows():
        yield "\ufeff"  # BOM so Excel opens the UTF-8 file with Chinese intact
        writer = SafeCsvWriter(_Echo())
        yield writer.writerow([str(header) for header, _getter in EXPORT_COLUMNS])
        for customer in customers.iterator(chunk_size=2000):
            yield writer.writerow([getter(customer) for _header, getter in EXPORT_COLUMNS])

    filename = f"customers-{timezone.localdate():%Y%m%d}.csv"
    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def customer_detail(request, pk):
    customer = customer_get_visible(user=request.user, pk=pk)
    audit_record(actor=request.user, action=AuditAction.VIEW, obj=customer)
    context = customer_record_context(user=request.user, customer=customer)
    context.update(
        # An anonymised archive takes no new records: no buttons that could only refuse.
        can_edit=not customer.is_anonymised
        and customer_can_edit(user=request.user, customer=customer),
        contact_form=ContactRecordForm(),
    )
    return render(request, "customers/customer_detail.html", context)


@sensitive_post_parameters("id_number")
@login_required
def customer_create_view(request):
    require_page(customer_can_create(user=request.user))
    form = CustomerForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            customer = customer_create(
                actor=request.user,
                customer=form.instance,
                destinations=form.cleaned_data["desired_destinations"],
                tags=form.cleaned_data["tags"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Customer %(name)s created.") % {"name": customer.name})
            return redirect("customers:detail", pk=customer.pk)
    return render(request, "customers/customer_form.html", {"form": form, "customer": None})


def _editable_customer(request, pk) -> Customer:
    customer = customer_get_visible(user=request.user, pk=pk)
    if not customer_can_edit(user=request.user, customer=customer):
        raise PermissionDenied
    return customer


@sensitive_post_parameters("id_number")
@login_required
def customer_edit(request, pk):
    customer = _editable_customer(request, pk)
    if customer.is_anonymised:
        return _refuse_anonymised(request, customer)
    if request.method == "GET":  # the form shows the archive: a view on record
        audit_record(
            actor=request.user, action=AuditAction.VIEW, obj=customer, detail={"page": "edit"}
        )
    form = CustomerForm(request.POST or None, instance=customer, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            customer_update(
                actor=request.user,
                customer=form.instance,
                destinations=form.cleaned_data["desired_destinations"],
                tags=form.cleaned_data["tags"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("customers:detail", pk=customer.pk)
    return render(request, "customers/customer_form.html", {"form": form, "customer": customer})


@login_required
def customer_delete(request, pk):
    customer = _editable_customer(request, pk)
    if request.method == "POST":
        try:
            customer_soft_delete(actor=request.user, customer=customer)
        except MassActionRefused as refusal:
            messages.error(request, refusal.message)
            return redirect("customers:detail", pk=customer.pk)
        messages.success(
            request,
            _("%(name)s moved to the recycle bin. An archive custodian can restore it.")
            % {"name": customer.name},
        )
        return redirect("customers:list")
    return render(request, "customers/customer_confirm_delete.html", {"customer": customer})


@login_required
def customer_history_view(request, pk):
    customer = customer_get_visible(user=request.user, pk=pk)
    audit_record(
        actor=request.user, action=AuditAction.VIEW, obj=customer, detail={"page": "history"}
    )
    return render(
        request,
        "customers/customer_history.html",
        {
            "customer": customer,
            "changes": customer_history(customer=customer, user=request.user),
        },
    )


@login_required
def contact_log(request, pk):
    """Posted from the customer page; a form sent back with its errors lives at this
    address too, so opening it again (a reload, a language switch) shows the form."""
    customer = _editable_customer(request, pk)
    if customer.is_anonymised:
        return _refuse_anonymised(request, customer)
    # With the customer on the instance the form runs the contact rules too (an on-site
    # visit needs an appointment): the refusal shows on the form.
    form = ContactRecordForm(request.POST or None, instance=ContactRecord(customer=customer))
    if request.method == "POST" and form.is_valid():
        try:
            contact_record_create(actor=request.user, customer=customer, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Contact logged."))
            return redirect(f"{customer.get_absolute_url()}#timeline")
    return render(
        request,
        "customers/record_form.html",
        {"customer": customer, "form": form, "title": _("Log a contact")},
    )


def _refuse_anonymised(request, customer):
    """A page adding a record to an anonymised archive says why not, on the archive."""
    messages.error(request, ANONYMISED_MESSAGE)
    return redirect("customers:detail", pk=customer.pk)


def _record_form_view(request, customer, *, form_class, save, title, instance=None, **kwargs):
    """Shared shape of the small 'add a record to this customer' pages."""
    if instance is None and customer.is_anonymised:
        return _refuse_anonymised(request, customer)
    form_kwargs = kwargs
    form = form_class(request.POST or None, instance=instance, **form_kwargs)
    if request.method == "POST" and form.is_valid():
        form.instance.customer = customer
        try:
            save(actor=request.user, obj=form.instance, form=form)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("customers:detail", pk=customer.pk)
    return render(
        request, "customers/record_form.html", {"customer": customer, "form": form, "title": title}
    )


@login_required
def booking_form(request, pk, booking_pk=None):
    customer = customer_get_visible(user=request.user, pk=pk)
    if not booking_can_edit(user=request.user, customer=customer):
        raise PermissionDenied
    instance = None
    if booking_pk is not None:
        instance = get_object_or_404(customer.bookings, pk=booking_pk)
        if request.method == "GET":
            audit_record(
                actor=request.user, action=AuditAction.VIEW, obj=instance, detail={"page": "edit"}
            )
    return _record_form_view(
        request,
        customer,
        form_class=BookingForm,
        instance=instance,
        title=_("Edit booking") if instance else _("Add a booking"),
        save=lambda actor, obj, form: booking_save(actor=actor, booking=obj),
    )


@login_required
def service_record_add(request, pk):
    customer = _editable_customer(request, pk)
    return _record_form_view(
        request,
        customer,
        for_customer=customer,
        form_class=ServiceRecordForm,
        title=_("Add a service record"),
        save=lambda actor, obj, form: service_record_create(actor=actor, record=obj),
    )


@login_required
def contact_person_add_view(request, pk):
    return _record_form_view(
        request,
        _editable_customer(request, pk),
        form_class=ContactPersonForm,
        title=_("Add a contact person"),
        save=lambda actor, obj, form: contact_person_add(actor=actor, person=obj),
    )


@login_required
def contact_person_replace_view(request, pk, person_pk):
    customer = _editable_customer(request, pk)
    old = customer.contact_people.filter(pk=person_pk, ended_on__isnull=True).first()
    if old is None:
        raise Http404
    return _record_form_view(
        request,
        customer,
        form_class=ContactPersonReplaceForm,
        replacing=old,
        title=_("Change contact person: %(name)s") % {"name": old.name},
        save=lambda actor, obj, form: contact_person_replace(
            actor=actor, old=old, new=obj, reason=form.cleaned_data["reason"]
        ),
    )
