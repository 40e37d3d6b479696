"""Bootstrap 5 form markup without crispy-forms' per-field template machinery.

crispy renders each field through half a dozen nested templates; on the pages staff open
all day (the customer page's contact form, the customer list's filters) that was a
fifth of the request's CPU. `includes/bootstrap_fields.html` writes the same markup
(ids, names, labels, help texts, errors, classes) with one loop, and `bootstrap_widget`
gives each widget the classes crispy's bootstrap5 pack would."""

from django import forms, template

register = template.Library()

_UNSUPPORTED = (
    forms.CheckboxInput,
    forms.RadioSelect,
    forms.CheckboxSelectMultiple,
    forms.FileInput,
    forms.MultiWidget,
)


@register.filter
def bootstrap_widget(field):
    """The field's widget with crispy's bootstrap5 classes: the widget's class name, then
    form-select or form-control, then is-invalid when the field has errors."""
    widget = field.field.widget
    if isinstance(widget, _UNSUPPORTED):
        raise TypeError(
            f"includes/bootstrap_fields.html renders inputs and selects; "
            f"{field.name} is a {type(widget).__name__}: render that form with crispy."
        )
    classes = widget.attrs.get("class", "").split()
    wanted = [type(widget).__name__.lower()]
    wanted.append("form-select" if isinstance(widget, forms.Select) else "form-control")
    if field.errors:
        wanted.append("is-invalid")
    classes += [name for name in wanted if name not in classes]
    return field.as_widget(attrs={"class": " ".join(classes)})
