"""The form renderer writes <input>, <textarea> and <select> in Python: the markup must be
Django's own, character for character, whatever the values, or a form would change under
the people filling it in."""

import datetime
from decimal import Decimal

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates, get_default_renderer
from django.test import override_settings
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from config.form_renderer import FastWidgetRenderer
from customers.filters import CustomerFilter
from customers.forms import ContactRecordForm, CustomerForm, DateInput, DateTimeInput

ATTRS = {
    "class": "form-control is-invalid",
    "required": True,
    "disabled": False,
    "maxlength": 200,
    "data-x": "a \"quoted\" <b> & 'it'",
    "data-safe": mark_safe("<i>"),
    "data-zero": 0,
    "placeholder": _("Search"),
}

TEXT_VALUES = [None, "", "孙悦", "a \"b\" <c> & 'd'", mark_safe("<b>safe</b>"), 1234567, "\nlead"]

WIDGETS = [
    forms.TextInput(),
    forms.TextInput(attrs=ATTRS),
    forms.NumberInput(attrs={"step": Decimal("0.01")}),
    forms.EmailInput(),
    forms.URLInput(),
    forms.PasswordInput(render_value=True),
    forms.HiddenInput(),
    forms.SearchInput(),
    forms.TelInput(),
    forms.TimeInput(),
    DateInput(),
    DateTimeInput(attrs=ATTRS),
    forms.Textarea(),
    forms.Textarea(attrs={"rows": 3, **ATTRS}),
]

CHOICES = [
    ("", "---------"),
    (1, "一"),
    ("b<", 'B "quoted" & <tag>'),
    (Decimal("2.50"), mark_safe("<em>safe</em>")),
    ("lazy", _("Any")),
    (_("Group"), [("g1", "G1"), ("g2", _("Yes"))]),
    ("Plain group", [(10000, 10000)]),
]

SELECTS = [
    forms.Select(choices=CHOICES),
    forms.Select(choices=CHOICES, attrs=ATTRS),
    forms.SelectMultiple(choices=CHOICES),
    forms.NullBooleanSelect(),
]


class _NoTemplates(FastWidgetRenderer):
    """Fails if it falls back to a template: the Python path must be the one compared."""

    def get_template(self, template_name):
        raise AssertionError(f"{template_name} went to the template engine")


def _both(widget, name, value, renderer=_NoTemplates):
    fast = widget.render(name, value, attrs={"id": f"id_{name}"}, renderer=renderer())
    stock = widget.render(name, value, attrs={"id": f"id_{name}"}, renderer=DjangoTemplates())
    return fast, stock


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize("widget", WIDGETS, ids=lambda w: type(w).__name__)
def test_inputs_and_textareas_are_djangos_markup(widget, language):
    values = [*TEXT_VALUES, datetime.date(2026, 3, 1), datetime.datetime(2026, 3, 1, 9, 30)]
    with translation.override(language), override_settings(USE_THOUSAND_SEPARATOR=True):
        for value in values:
            fast, stock = _both(widget, "field", value)
            assert fast == stock, value


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize("widget", SELECTS, ids=lambda w: type(w).__name__)
def test_selects_are_djangos_markup(widget, language):
    values = [None, "", 1, "1", "b<", Decimal("2.50"), "g2", ["1", "g1"], 10000, True, "unknown"]
    with translation.override(language), override_settings(USE_THOUSAND_SEPARATOR=True):
        for value in values:
            if isinstance(value, list) and not widget.allow_multiple_selected:
                continue
            fast, stock = _both(widget, "pick", value)
            assert fast == stock, value


@pytest.mark.django_db
def test_whole_forms_render_the_same(sales1, customer_of_sales1):
    assert isinstance(get_default_renderer(), FastWidgetRenderer)
    filters = CustomerFilter({"owner": "999999", "q": "林", "sort": "-name"}, user=sales1)
    for form in [
        ContactRecordForm(),
        ContactRecordForm({"channel": "phone", "notes": "<script>", "next_contact_on": "x"}),
        filters.form,
        CustomerForm(instance=customer_of_sales1, user=sales1),
    ]:
        form.is_bound and form.is_valid()
        fast = [str(field) for field in form]
        form.renderer = DjangoTemplates()
        assert fast == [str(field) for field in form]


def test_other_widgets_are_left_to_django():
    for widget in [forms.CheckboxInput(), forms.RadioSelect(choices=CHOICES[:3])]:
        fast, stock = _both(widget, "other", "1", renderer=FastWidgetRenderer)
        assert fast == stock
