"""Managers publish policy versions in the admin; history is read-only."""

from decimal import Decimal

import pytest
from django.urls import reverse

from tiers.models import TierPolicy

pytestmark = pytest.mark.django_db


def test_manager_publishes_a_new_version_from_the_current_one(manager1, client_as):
    client = client_as(manager1)
    add = reverse("admin:tiers_tierpolicy_add")
    form = client.get(add)
    assert form.status_code == 200
    assert form.context["adminform"].form.initial["grade_a_min"] == Decimal("50000")

    data = {
        field: value
        for field, value in form.context["adminform"].form.initial.items()
        if value is not None
    }
    data.update({"grade_a_min": "60000", "note": "A starts higher from 2027"})
    response = client.post(add, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    assert list(TierPolicy.objects.values_list("version", "grade_a_min")) == [
        (2, Decimal("60000")), (1, Decimal("50000")),
    ]  # fmt: skip
    assert TierPolicy.objects.get(version=2).created_by == manager1
    change = client.get(reverse("admin:tiers_tierpolicy_change", args=[1]))
    assert b'name="grade_a_min"' not in change.content  # a version is never edited


def test_a_rep_cannot_open_the_policy(sales1, client_as):
    response = client_as(sales1).get(reverse("admin:tiers_tierpolicy_changelist"))
    assert response.status_code == 302  # not staff: to the admin login
