"""Identifiers hold their canonical form (customers/models/fields.py): the fields change
class (no change to the columns), and the rows stored before are normalised.

Rows are found by what a canonical value looks like (one scan per column); only the
few that do not look canonical are read and rewritten. A row whose normalised ID number
or mobile already belongs to another customer keeps its value as typed and is printed:
nothing is merged; the duplicate check refuses it the next time someone saves it, so a
custodian can compare the two archives and keep one.
"""

import re

from django.db import migrations
from django.db.models import F, Q, Value
from django.db.models.functions import Replace

import customers.models.fields
import customers.validators
from customers.validators import (
    normalize_email,
    normalize_id_number,
    normalize_mobile,
    normalize_phone,
    normalize_postal_code,
)

# (model, field, normaliser, what a canonical value matches, unique among customers)
COLUMNS = [
    ("Customer", "id_number", normalize_id_number, r"^[0-9]{17}[0-9X]$", True),
    ("Customer", "mobile", normalize_mobile, r"^1[3-9][0-9]{9}$", True),
    ("Customer", "phone", normalize_phone, r"^[0-9]*$", False),
    ("Customer", "postal_code", normalize_postal_code, r"^[0-9]{6}$", False),
    ("Customer", "email", normalize_email, r"^[!-~]+@[a-z0-9.-]+$", False),
    ("ContactPerson", "mobile", normalize_mobile, r"^1[3-9][0-9]{9}$", False),
    ("ContactPerson", "email", normalize_email, r"^[!-~]+@[a-z0-9.-]+$", False),
]


def _encrypted(model, field) -> bool:
    # Run against today's models (tests do), the ID number is encrypted (0016): no SQL
    # pattern or equality applies to it, so its rows are checked here in Python.
    return getattr(model._meta.get_field(field), "encodes_for_database", False)


def _non_canonical(manager, field, pattern):
    if _encrypted(manager.model, field):
        rows = manager.exclude(**{field: ""}).order_by("pk").values_list("pk", field)
        return [(pk, value) for pk, value in rows if not re.match(pattern, value)]
    rows = manager.exclude(**{field: ""}).exclude(**{f"{field}__regex": pattern})
    return rows.order_by("pk").values_list("pk", field)


def _same_value(manager, field, canonical):
    if _encrypted(manager.model, field):
        from customers.id_numbers import id_number_q

        return manager.filter(id_number_q(canonical))
    return manager.filter(**{field: canonical})


def normalise_identifiers(apps, schema_editor):
    for model_name, field, normaliser, pattern, unique in COLUMNS:
        model = apps.get_model("customers", model_name)
        manager = model._base_manager
        if field == "phone":
            # The common case (ASCII dashes and spaces, as the old demo wrote them) in one
            # statement; what is left goes through the normaliser below.
            manager.filter(Q(phone__contains="-") | Q(phone__contains=" ")).update(
                phone=Replace(Replace(F("phone"), Value("-"), Value("")), Value(" "), Value(""))
            )
        rows = _non_canonical(manager, field, pattern)
        for pk, value in rows:  # the oldest row keeps a contested value
            canonical = normaliser(value)
            if canonical == value or len(canonical) > model._meta.get_field(field).max_length:
                continue
            if unique:
                other = _same_value(manager, field, canonical).exclude(pk=pk).first()
                if other is not None:
                    print(
                        f"\n  customers: customer #{pk} keeps its {field} as typed; normalised "
                        f"it would duplicate customer #{other.pk}"
                    )
                    continue
            manager.filter(pk=pk).update(**{field: canonical})


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0008_feedback_flow"),
    ]

    operations = [
        migrations.AlterField(
            model_name="contactperson",
            name="email",
            field=customers.models.fields.NormalisedEmailField(
                blank=True, max_length=254, verbose_name="e-mail"
            ),
        ),
        migrations.AlterField(
            model_name="contactperson",
            name="mobile",
            field=customers.models.fields.MobileField(
                blank=True,
                max_length=11,
                validators=[customers.validators.validate_mobile],
                verbose_name="mobile",
            ),
        ),
        migrations.AlterField(
            model_name="customer",
            name="email",
            field=customers.models.fields.NormalisedEmailField(
                blank=True, max_length=254, verbose_name="e-mail"
            ),
        ),
        migrations.AlterField(
            model_name="customer",
            name="id_number",
            field=customers.models.fields.IdNumberField(
                blank=True,
                max_length=18,
                validators=[customers.validators.validate_id_number],
                verbose_name="resident ID number",
            ),
        ),
        migrations.AlterField(
            model_name="customer",
            name="mobile",
            field=customers.models.fields.MobileField(
                blank=True,
                max_length=11,
                validators=[customers.validators.validate_mobile],
                verbose_name="mobile",
            ),
        ),
        migrations.AlterField(
            model_name="customer",
            name="phone",
            field=customers.models.fields.PhoneField(
                blank=True, max_length=30, verbose_name="other phone"
            ),
        ),
        migrations.AlterField(
            model_name="customer",
            name="postal_code",
            field=customers.models.fields.PostalCodeField(
                blank=True,
                max_length=6,
                validators=[customers.validators.validate_postal_code],
                verbose_name="postal code",
            ),
        ),
        migrations.AlterField(
            model_name="historicalcontactperson",
            name="email",
            field=customers.models.fields.NormalisedEmailField(
                blank=True, max_length=254, verbose_name="e-mail"
            ),
        ),
        migrations.AlterField(
            model_name="historicalcontactperson",
            name="mobile",
            field=customers.models.fields.MobileField(
                blank=True,
                max_length=11,
                validators=[customers.validators.validate_mobile],
                verbose_name="mobile",
            ),
        ),
        migrations.AlterField(
            model_name="historicalcustomer",
            name="email",
            field=customers.models.fields.NormalisedEmailField(
                blank=True, max_length=254, verbose_name="e-mail"
            ),
        ),
        migrations.AlterField(
            model_name="historicalcustomer",
            name="id_number",
            field=customers.models.fields.IdNumberField(
                blank=True,
                max_length=18,
                validators=[customers.validators.validate_id_number],
                verbose_name="resident ID number",
            ),
        ),
        migrations.AlterField(
            model_name="historicalcustomer",
            name="mobile",
            field=customers.models.fields.MobileField(
                blank=True,
                max_length=11,
                validators=[customers.validators.validate_mobile],
                verbose_name="mobile",
            ),
        ),
        migrations.AlterField(
            model_name="historicalcustomer",
            name="phone",
            field=customers.models.fields.PhoneField(
                blank=True, max_length=30, verbose_name="other phone"
            ),
        ),
        migrations.AlterField(
            model_name="historicalcustomer",
            name="postal_code",
            field=customers.models.fields.PostalCodeField(
                blank=True,
                max_length=6,
                validators=[customers.validators.validate_postal_code],
                verbose_name="postal code",
            ),
        ),
        migrations.RunPython(normalise_identifiers, migrations.RunPython.noop, elidable=True),
    ]
