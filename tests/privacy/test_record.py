"""The record of processing activities (PIPL Art. 54-55): read from the system's own
configuration when asked for, so a changed policy, a new consent text or a new ground
agency abroad shows at once; for managers and custodians; printable; constant queries."""

import datetime

import pytest
from django.urls import reverse

from archives.models import RetentionPolicy, TourGroup
from customers.models import Customer, TripType
from privacy.models import ConsentText, PrivacyPolicy, Purpose
from privacy.services import consent_give
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def _page(client):
    response = client.get(reverse("privacy:record"))
    assert response.status_code == 200
    return response.text


def test_the_record_lists_purposes_data_roles_retention_abroad_and_texts(
    manager1, sales1, client_as
):
    text = ConsentText.objects.create(
        version="2026-07", title="出境游个人信息同意书", body="向境外地接社提供护照信息。",
        published_on=datetime.date(2026, 7, 1),
    )  # fmt: skip
    ConsentText.objects.create(
        version="2099-01", title="未来版本", body="尚未发布", published_on=datetime.date(2099, 1, 1)
    )
    consent_give(
        actor=sales1, customer=CustomerFactory(owner=sales1), purposes=["cross_border"],
        method="paper", text=text,
    )  # fmt: skip
    TourGroup.objects.create(
        group_number="OUT-2026-001", product="日本七日游", trip_type=TripType.OUTBOUND,
        start_date=datetime.date(2026, 10, 1), end_date=datetime.date(2026, 10, 7),
        head_count=20, ground_agency="东京樱花地接社", created_by=manager1,
    )  # fmt: skip
    TourGroup.objects.create(
        group_number="DOM-2026-001", product="三亚五日游", trip_type=TripType.DOMESTIC,
        start_date=datetime.date(2026, 10, 1), end_date=datetime.date(2026, 10, 5),
        head_count=20, ground_agency="三亚本地地接社", created_by=manager1,
    )  # fmt: skip
    page = _page(client_as(manager1))
    for purpose in Purpose:
        assert f'data-purpose="{purpose.value}"' in page
        assert str(purpose.label) in page
    # Categories come from the customer model's fields, not a hand-kept list.
    for name in ("mobile", "email", "street_address", "id_number", "pref_diet"):
        assert str(Customer._meta.get_field(name).verbose_name) in page
    assert "encrypted at rest" in page
    for role in ("sales", "team_lead", "manager", "custodian", "finance"):
        assert f'data-role="{role}"' in page
    assert "東京" not in page and "东京樱花地接社" in page  # abroad: outbound tours only
    assert "三亚本地地接社" not in page
    assert "2026-07" in page and "向境外地接社提供护照信息。" in page
    assert "未来版本" not in page
    assert "data-print" in page


def test_the_record_follows_the_policies_when_they_change(custodian1, client_as):
    client = client_as(custodian1)
    policy = PrivacyPolicy.current()
    policy.dormant_years = 7
    policy.save()
    RetentionPolicy.objects.filter(trip_type=TripType.OUTBOUND).update(years=4)
    page = _page(client)
    assert "no business and no contact for 7 years" in page
    assert "Outbound" in page and "4 years after the tour ends" in page


def test_the_record_runs_a_constant_number_of_queries(
    manager1, sales1, client_as, django_assert_max_num_queries
):
    client = client_as(manager1)
    with django_assert_max_num_queries(40) as few:
        _page(client)
    for n in range(5):
        ConsentText.objects.create(
            version=f"v{n}", title=f"版本{n}", body="……", published_on=datetime.date(2026, 1, 1)
        )
        TourGroup.objects.create(
            group_number=f"OUT-{n}", product="泰国", trip_type=TripType.OUTBOUND,
            start_date=datetime.date(2026, 1, 1), end_date=datetime.date(2026, 1, 5),
            head_count=10, ground_agency=f"曼谷地接社{n}", created_by=manager1,
        )  # fmt: skip
    with django_assert_max_num_queries(len(few.captured_queries)):
        _page(client)


def test_the_manager_menu_and_the_archives_menu_link_the_record(
    manager1, custodian1, sales1, client_as
):
    url = reverse("privacy:record")
    assert url in client_as(manager1).get(reverse("customers:list")).text
    assert url in client_as(custodian1).get(reverse("customers:list")).text
    assert url not in client_as(sales1).get(reverse("customers:list")).text
