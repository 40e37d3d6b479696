"""The form renderer: Django's, with the commonest widgets written in Python.

Django renders every widget through templates: a select is a template that includes an
option template, which includes an attributes template, once per option. On the customer
list (a dozen selects of filters) that was a third of the request's CPU. This renderer
writes <input>, <textarea> and <select> character for character as Django's stock
templates do (tests/test_form_renderer.py compares the two over every kind of value) and
hands every other template to Django. An app that overrides one of the stock widget
templates named below must drop it from these tables (that test would fail first)."""

from django.forms.renderers import DjangoTemplates
from django.template.base import render_value_in_context
from django.template.context import Context
from django.utils.html import escape
from django.utils.safestring import SafeData, mark_safe

_WIDGETS = "django/forms/widgets/"
# Stock templates that are nothing but {% include "django/forms/widgets/input.html" %}.
_INPUTS = frozenset(
    _WIDGETS + name
    for name in (
        "input.html",
        "text.html",
        "number.html",
        "email.html",
        "url.html",
        "password.html",
        "hidden.html",
        "date.html",
        "datetime.html",
        "time.html",
        "search.html",
        "tel.html",
    )
)
_SELECT = _WIDGETS + "select.html"
_OPTION = _WIDGETS + "select_option.html"
_TEXTAREA = _WIDGETS + "textarea.html"

# How {{ value }} prints in a template with autoescape on (localised, escaped).
_AUTOESCAPE = Context(autoescape=True)


def _text(value) -> str:
    return render_value_in_context(value, _AUTOESCAPE)


def _stringformat(value) -> str:
    """{{ value|stringformat:'s' }}: str(), escaped unless the value was safe already."""
    if isinstance(value, SafeData):
        return str(value)
    return escape(str(value))


def _attrs(attrs: dict) -> str:
    """django/forms/widgets/attrs.html."""
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        if value is True:
            parts.append(f" {_text(name)}")
        else:
            parts.append(f' {_text(name)}="{_stringformat(value)}"')
    return "".join(parts)


def _input(widget: dict) -> str:
    value = widget["value"]
    shown = f' value="{_stringformat(value)}"' if value is not None else ""
    return (
        f'<input type="{_text(widget["type"])}" name="{_text(widget["name"])}"'
        f"{shown}{_attrs(widget['attrs'])}>"
    )


def _textarea(widget: dict) -> str:
    value = widget["value"]
    return (
        f'<textarea name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>\n'
        f"{_text(value) if value else ''}</textarea>"
    )


def _select(widget: dict) -> str | None:
    parts = [f'<select name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{_text(group_name)}">')
        for option in group_choices:
            if option["template_name"] != _OPTION:
                return None
            parts.append(
                f'\n  <option value="{_stringformat(option["value"])}"'
                f"{_attrs(option['attrs'])}>{_text(option['label'])}</option>\n"
            )
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


class FastWidgetRenderer(DjangoTemplates):
    def render(self, template_name, context, request=None):
        widget = context.get("widget") if len(context) == 1 else None
        html = None
        if widget is not None and not request:
            if template_name in _INPUTS:
                html = _input(widget)
            elif template_name == _TEXTAREA:
                html = _textarea(widget)
            elif template_name == _SELECT:
                html = _select(widget)
        if html is None:
            return super().render(template_name, context, request=request)
        return mark_safe(html)  # noqa: S308 - every value escaped as the templates do
