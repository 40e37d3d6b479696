"""The contact form on the customer page and the customer list's filters are written by
one plain template (includes/bootstrap_fields.html), not crispy-forms: a person sees the
same form either way, errors and all."""

import re

import pytest
from crispy_forms.templatetags.crispy_forms_filters import as_crispy_form
from crispy_forms.utils import render_crispy_form
from django import forms
from django.template.loader import render_to_string
from django.urls import reverse

from customers.filters import CustomerFilter
from customers.forms import ContactRecordForm

pytestmark = pytest.mark.django_db


def _markup(html: str) -> str:
    """Markup as a browser reads it: runs of whitespace are one space, none between tags
    or just inside a label."""
    html = re.sub(r"\s+", " ", str(html))
    html = re.sub(r">\s+<", "><", html)
    html = re.sub(r"\s+>", ">", html)
    html = re.sub(r"(<label[^>]*>) ", r"\1", html)
    return re.sub(r" (<span class=\"asteriskField\">|</label>)", r"\1", html).strip()


def _plain(form, **context) -> str:
    return render_to_string("includes/bootstrap_fields.html", {"form": form, **context})


def test_the_contact_form_matches_crispys_with_and_without_errors():
    blank = ContactRecordForm()
    assert _markup(_plain(blank, inline_errors=True)) == _markup(render_crispy_form(blank))
    wrong = ContactRecordForm(
        {"channel": "phone", "contacted_at": "2999-01-01 10:00", "next_contact_on": "x"}
    )
    assert not wrong.is_valid()
    plain = _markup(_plain(wrong, inline_errors=True))
    assert plain == _markup(render_crispy_form(wrong))
    assert 'id="id_outcome_error" class="invalid-feedback"' in plain
    assert "A contact cannot be logged in the future." in plain
    assert 'class="select form-select is-invalid"' in plain


def test_the_list_filters_match_crispys_with_an_error(sales1):
    filters = CustomerFilter({"owner": "999999", "q": "林"}, user=sales1)
    assert not filters.form.is_valid()
    plain = _markup(_plain(filters.form))
    assert plain == _markup(as_crispy_form(filters.form))
    assert '<p id="error_1_id_owner">' in plain
    assert 'name="q" value="林"' in plain


def test_pages_show_the_plain_forms(sales1, customer_of_sales1, client_as):
    client = client_as(sales1)
    page = client.get(reverse("customers:detail", args=[customer_of_sales1.pk])).text
    assert '<select name="channel" class="select form-select" required id="id_channel">' in page
    assert '<label for="id_outcome" class="form-label requiredField">Outcome' in page
    listing = client.get(reverse("customers:list"), {"kind": "individual"}).text
    assert '<div id="div_id_kind" class="mb-3">' in listing
    assert '<option value="individual" selected>' in listing


def test_a_form_the_plain_template_cannot_write_is_refused():
    class Agree(forms.Form):
        agree = forms.BooleanField()

    with pytest.raises(TypeError, match="render that form with crispy"):
        _plain(Agree())
