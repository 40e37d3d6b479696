"""The points-card search finds a mobile however it is typed (one normalisation)."""

import pytest
from django.urls import reverse

from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("typed", ["1391234", "１３９１２３４", "139-1234", "+86 139 1234"])
def test_a_mobile_typed_any_way_finds_the_customer(sales1, client_as, typed):
    CustomerFactory(owner=sales1, name="孙悦", mobile="13912345678")
    page = client_as(sales1).get(reverse("loyalty:home"), {"q": typed})
    assert "孙悦" in page.content.decode()
