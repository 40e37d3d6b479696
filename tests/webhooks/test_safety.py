"""Server-side request forgery: deliveries go to public addresses over HTTPS only,
checked when an endpoint is registered and again at every connection."""

import pytest
from django.core.exceptions import ValidationError

from webhooks.models import Delivery, DeliveryStatus, Endpoint, WebhookEvent
from webhooks.safety import UnsafeDestination, checked_session, url_check
from webhooks.services import delivery_attempt, endpoint_create, outbox_write

pytestmark = pytest.mark.django_db

PUBLIC = "93.184.216.34"


@pytest.fixture
def dns(monkeypatch):
    """Play DNS: host name -> addresses."""
    table: dict[str, list[str]] = {}

    def resolve(host, port):
        if host in table:
            return table[host]
        return [host]  # literal addresses resolve to themselves

    monkeypatch.setattr("webhooks.safety._resolve", resolve)
    return table


@pytest.fixture
def production(settings):
    settings.DEBUG = False
    settings.WEBHOOKS_ALLOW_HTTP_LOOPBACK = False


@pytest.mark.parametrize(
    ("url", "addresses"),
    [
        ("https://intranet.example/hook", ["10.0.0.5"]),
        ("https://office.example/hook", ["192.168.1.20"]),
        ("https://metadata.example/latest", ["169.254.169.254"]),
        ("https://169.254.169.254/latest/meta-data/", None),
        ("https://loop.example/hook", ["127.0.0.1"]),
        ("https://[::1]/hook", None),
        ("https://[fd00::1]/hook", None),
        ("https://mapped.example/hook", ["::ffff:10.0.0.1"]),
        ("https://cgnat.example/hook", ["100.64.0.1"]),
        ("https://zero.example/hook", ["0.0.0.0"]),  # noqa: S104 (an address we refuse)
        ("https://mixed.example/hook", [PUBLIC, "10.0.0.5"]),
    ],
)
def test_internal_addresses_are_refused_at_registration(dns, production, manager1, url, addresses):
    if addresses:
        dns[url.split("/")[2]] = addresses
    with pytest.raises(ValidationError) as refused:
        endpoint_create(actor=manager1, name="x", url=url, events=["customer.created"])
    assert "url" in refused.value.message_dict
    assert not Endpoint.objects.exists()


@pytest.mark.parametrize(
    "url",
    [
        "http://partner.example/hook",  # plain HTTP to a public host
        "ftp://partner.example/hook",
        "https://user:pass@partner.example/hook",
        "not a url",
        "https://",
        "https://partner.example:99999/",
    ],
)
def test_only_https_urls_without_credentials(dns, settings, manager1, url):
    settings.WEBHOOKS_ALLOW_HTTP_LOOPBACK = True  # even with the development switch on
    dns["partner.example"] = [PUBLIC]
    with pytest.raises(ValidationError):
        endpoint_create(actor=manager1, name="x", url=url, events=["customer.created"])


def test_a_public_https_endpoint_is_accepted_without_contacting_it(dns, production, manager1):
    dns["partner.example"] = [PUBLIC]
    endpoint, secret = endpoint_create(
        actor=manager1, name="Partner", url="https://partner.example/hook", events=["booking.paid"]
    )
    assert endpoint.url == "https://partner.example/hook"
    assert secret.startswith("whsec_") and len(secret) > 40


def test_plain_http_to_loopback_needs_the_development_switch(production, manager1):
    with pytest.raises(ValidationError):
        url_check("http://127.0.0.1:8000/hook")


def test_a_name_that_turns_internal_after_registration_is_refused_when_sending(
    dns, production, manager1, receiver
):
    """DNS rebinding: public when registered, loopback when sent."""
    target = receiver()
    dns["rebind.example"] = [PUBLIC]
    endpoint, _secret = endpoint_create(
        actor=manager1,
        name="Rebind",
        url=f"https://rebind.example:{target.port}/hook",
        events=["customer.created"],
    )
    (delivery_id,) = outbox_write(event=WebhookEvent.PING, items=[{}], endpoints=[endpoint])
    dns["rebind.example"] = ["127.0.0.1"]

    result = delivery_attempt(delivery_id=delivery_id)

    assert not result.outcome.delivered
    assert target.requests == []
    delivery = Delivery.objects.get(pk=delivery_id)
    assert delivery.status == DeliveryStatus.PENDING
    assert "private or internal" in delivery.last_error


def test_the_connection_itself_is_checked(production, receiver):
    """Whatever the caller checked before, the session connects only to allowed
    addresses (the check runs at the socket, on the address it connects to)."""
    target = receiver()
    with pytest.raises(UnsafeDestination) as refused:
        checked_session().post(target.url, data=b"{}", timeout=1, allow_redirects=False)
    assert "private or internal" in str(refused.value)
    assert target.requests == []
