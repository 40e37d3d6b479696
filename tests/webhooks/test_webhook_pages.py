"""The managers' pages: everyone else gets 404 on every one; the secret is shown once;
the log filters; retry and test buttons work."""

import pytest
from django.urls import reverse

from customers.models import AuditEntry
from tests.webhooks.conftest import create_customer
from webhooks.models import Delivery, DeliveryStatus, Endpoint

pytestmark = pytest.mark.django_db

NOT_MANAGERS = ["sales1", "sales2", "sales3", "lead1", "custodian1", "finance1"]


@pytest.fixture
def endpoint(register):
    endpoint, _secret = register("http://127.0.0.1:9/hooks", events=["customer.created"])
    return endpoint


@pytest.fixture
def delivery(endpoint, sales1):
    create_customer(sales1)
    return Delivery.objects.get()


def page_urls(endpoint, delivery):
    return [
        ("get", reverse("webhooks:endpoints")),
        ("get", reverse("webhooks:endpoint_new")),
        ("post", reverse("webhooks:endpoint_new")),
        ("get", reverse("webhooks:endpoint", args=[endpoint.pk])),
        ("get", reverse("webhooks:endpoint_edit", args=[endpoint.pk])),
        ("post", reverse("webhooks:endpoint_edit", args=[endpoint.pk])),
        ("post", reverse("webhooks:endpoint_toggle", args=[endpoint.pk])),
        ("post", reverse("webhooks:endpoint_secret", args=[endpoint.pk])),
        ("post", reverse("webhooks:endpoint_test", args=[endpoint.pk])),
        ("get", reverse("webhooks:deliveries")),
        ("get", reverse("webhooks:delivery", args=[delivery.pk])),
        ("post", reverse("webhooks:delivery_retry", args=[delivery.pk])),
    ]


@pytest.mark.parametrize("username", NOT_MANAGERS)
def test_every_page_is_404_for_everyone_but_managers(
    client_as, staff, endpoint, delivery, username
):
    client = client_as(staff[username])
    for method, url in page_urls(endpoint, delivery):
        response = getattr(client, method)(url, {"name": "x", "url": "https://x.example"})
        assert response.status_code == 404, (username, method, url)
    endpoint.refresh_from_db()
    assert endpoint.is_active
    assert Delivery.objects.count() == 1  # no test event sent
    assert Delivery.objects.get().attempts == 0  # no retry


def test_signed_out_visitors_are_sent_to_sign_in(client, endpoint, delivery):
    for method, url in page_urls(endpoint, delivery):
        response = getattr(client, method)(url)
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]


def test_the_menu_shows_webhooks_to_managers_only(client_as, manager1, sales1):
    url = reverse("webhooks:endpoints")
    assert url in client_as(manager1).get(reverse("customers:list")).text
    assert url not in client_as(sales1).get(reverse("customers:list")).text


def test_a_manager_registers_an_endpoint_and_sees_the_secret_once(client_as, manager1):
    client = client_as(manager1)
    response = client.post(
        reverse("webhooks:endpoint_new"),
        {
            "name": "订单系统",
            "url": "http://127.0.0.1:8765/crm",
            "events": ["customer.created", "booking.paid"],
        },
    )
    endpoint = Endpoint.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("webhooks:endpoint", args=[endpoint.pk])
    assert endpoint.events == ["booking.paid", "customer.created"]

    first = client.get(response["Location"])
    assert endpoint.secret in first.text
    assert "no-store" in first["Cache-Control"]
    again = client.get(response["Location"])
    assert endpoint.secret not in again.text
    assert AuditEntry.objects.filter(object_type="webhook_endpoint", action="create").exists()

    # A new secret: shown once too, the old one gone.
    old = endpoint.secret
    client.post(reverse("webhooks:endpoint_secret", args=[endpoint.pk]))
    endpoint.refresh_from_db()
    assert endpoint.secret != old
    shown = client.get(reverse("webhooks:endpoint", args=[endpoint.pk])).text
    assert endpoint.secret in shown and old not in shown
    assert endpoint.secret not in client.get(reverse("webhooks:endpoint", args=[endpoint.pk])).text


def test_a_refused_url_is_a_form_error_not_a_500(client_as, manager1):
    response = client_as(manager1).post(
        reverse("webhooks:endpoint_new"),
        {"name": "内网", "url": "https://10.1.2.3/hook", "events": ["booking.paid"]},
    )
    assert response.status_code == 200
    assert "private or internal" in response.text
    assert not Endpoint.objects.exists()


def test_edit_and_disable(client_as, manager1, endpoint, sales1):
    client = client_as(manager1)
    client.post(
        reverse("webhooks:endpoint_edit", args=[endpoint.pk]),
        {
            "name": "Renamed",
            "url": endpoint.url,
            "events": ["customer.created", "points.changed"],
            "is_active": "on",
        },
    )
    endpoint.refresh_from_db()
    assert endpoint.name == "Renamed"
    assert endpoint.events == ["customer.created", "points.changed"]
    client.post(reverse("webhooks:endpoint_toggle", args=[endpoint.pk]))
    endpoint.refresh_from_db()
    assert not endpoint.is_active
    create_customer(sales1)
    assert not Delivery.objects.exists()  # disabled: nothing written


def test_the_delivery_log_filters_and_shows_attempts(client_as, manager1, delivery, register):
    other, _secret = register("http://127.0.0.1:9/other", events=["booking.paid"])
    client = client_as(manager1)
    page = client.get(reverse("webhooks:deliveries"))
    assert page.status_code == 200
    assert reverse("webhooks:delivery", args=[delivery.pk]) in page.text

    only_other = client.get(reverse("webhooks:deliveries"), {"endpoint": other.pk}).text
    assert reverse("webhooks:delivery", args=[delivery.pk]) not in only_other
    failed = client.get(reverse("webhooks:deliveries"), {"status": "failed"}).text
    assert reverse("webhooks:delivery", args=[delivery.pk]) not in failed
    by_event = client.get(reverse("webhooks:deliveries"), {"event": "customer.created"}).text
    assert reverse("webhooks:delivery", args=[delivery.pk]) in by_event
    # Nonsense in the filters is ignored, never a 500.
    for query in ({"endpoint": "abc"}, {"status": "<x>"}, {"page": "999"}, {"event": "x" * 500}):
        assert client.get(reverse("webhooks:deliveries"), query).status_code == 200
    assert client.get("/integrations/webhooks/deliveries/not-a-uuid/").status_code == 404
    assert client.get("/integrations/webhooks/99999999999999999999999/").status_code == 404
    assert client.get("/integrations/webhooks/999999/edit/").status_code == 404

    detail = client.get(reverse("webhooks:delivery", args=[delivery.pk])).text
    assert "孙悦1" in detail  # the payload
    assert "*" * 14 in detail


def test_retry_now_sends_a_failed_delivery(
    client_as, manager1, receiver, register, sales1, django_capture_on_commit_callbacks
):
    target = receiver()
    endpoint, _secret = register(target.url, events=["customer.created"], target=target)
    create_customer(sales1)
    delivery = Delivery.objects.get(endpoint=endpoint)
    Delivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.FAILED, attempts=8)
    client = client_as(manager1)
    assert "retry-now" in client.get(reverse("webhooks:delivery", args=[delivery.pk])).text

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("webhooks:delivery_retry", args=[delivery.pk]))

    assert response.status_code == 302
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED
    assert delivery.attempts == 9
    assert delivery.attempt_log.get().manual
    assert len(target.verified()) == 1
    assert "retry-now" not in client.get(reverse("webhooks:delivery", args=[delivery.pk])).text


def test_send_a_test_event(
    client_as, manager1, receiver, register, django_capture_on_commit_callbacks
):
    target = receiver()
    endpoint, _secret = register(target.url, events=["booking.paid"], target=target)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_as(manager1).post(reverse("webhooks:endpoint_test", args=[endpoint.pk]))
    delivery = Delivery.objects.get(endpoint=endpoint)
    assert response["Location"] == reverse("webhooks:delivery", args=[delivery.pk])
    (got,) = target.verified()
    assert got.headers["X-CRM-Event"] == "ping"
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED


def test_the_endpoints_list_counts_waiting_and_failed(client_as, manager1, endpoint, sales1):
    for n in range(3):
        create_customer(sales1, n=n + 1)
    Delivery.objects.filter(pk=Delivery.objects.first().pk).update(status=DeliveryStatus.FAILED)
    page = client_as(manager1).get(reverse("webhooks:endpoints"))
    (row,) = page.context["endpoints"]
    assert (row.waiting, row.failed) == (2, 1)
    assert f"?endpoint={endpoint.pk}&amp;status=failed" in page.text


def test_disabling_always_works_enabling_checks_the_address_again(
    client_as, manager1, endpoint, monkeypatch
):
    client = client_as(manager1)
    monkeypatch.setattr("webhooks.safety._resolve", lambda host, port: ["10.0.0.7"])
    url = reverse("webhooks:endpoint_toggle", args=[endpoint.pk])
    client.post(url)
    endpoint.refresh_from_db()
    assert not endpoint.is_active
    response = client.post(url, follow=True)
    assert response.status_code == 200
    assert "private or internal" in response.text
    endpoint.refresh_from_db()
    assert not endpoint.is_active
