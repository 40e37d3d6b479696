"""Where a webhook may be sent: one rule, checked when an endpoint is registered and again
at every connection (a name can resolve elsewhere by the time we send).

- HTTPS only. Plain HTTP only to the loopback interface, and only in development
  (DEBUG) or when WEBHOOKS_ALLOW_HTTP_LOOPBACK is on (the tests' receiver).
- Every address the host name resolves to must be a public one: no private, loopback,
  link-local (cloud metadata at 169.254.169.254), shared, reserved or multicast
  addresses (server-side request forgery). Loopback is allowed under the same
  development switch as plain HTTP.
- The connection is made to the address that was checked (no second lookup), redirects
  are never followed and proxies from the environment are ignored.
"""

import ipaddress
import socket
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool


class UnsafeDestination(Exception):
    """The address is not one we send to."""


def loopback_allowed() -> bool:
    return bool(settings.DEBUG or getattr(settings, "WEBHOOKS_ALLOW_HTTP_LOOPBACK", False))


def _resolve(host: str, port: int) -> list[str]:
    """Every address `host` resolves to (tests replace this to play DNS)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [info[4][0] for info in infos]


def address_allowed(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.is_loopback:
        return loopback_allowed()
    return ip.is_global and not ip.is_multicast


def checked_addresses(host: str, port: int) -> list[str]:
    """The addresses of `host`, all of them allowed; raises UnsafeDestination otherwise."""
    try:
        addresses = _resolve(host, port)
    except (OSError, UnicodeError) as error:
        raise UnsafeDestination(_("The host name could not be resolved.")) from error
    if not addresses:
        raise UnsafeDestination(_("The host name could not be resolved."))
    for address in addresses:
        if not address_allowed(address):
            raise UnsafeDestination(
                _("The address resolves to a private or internal network address (%(ip)s).")
                % {"ip": address}
            )
    return addresses


def url_check(url: str) -> None:
    """Raise ValidationError (in the active language) when webhooks may not go to `url`."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise ValidationError(_("Enter a valid URL.")) from error
    host = parts.hostname or ""
    if parts.scheme not in ("https", "http") or not host:
        raise ValidationError(_("Enter an https:// address."))
    if parts.username or parts.password:
        raise ValidationError(_("Put no user name or password in the address."))
    port = port or (443 if parts.scheme == "https" else 80)
    try:
        addresses = checked_addresses(host, port)
    except UnsafeDestination as error:
        raise ValidationError(str(error)) from error
    if parts.scheme == "http":
        only_loopback = all(
            ipaddress.ip_address(address.split("%", 1)[0]).is_loopback for address in addresses
        )
        if not (loopback_allowed() and only_loopback):
            raise ValidationError(_("Enter an https:// address: deliveries are sent over HTTPS."))


class _CheckedConnectionMixin:
    """Resolve, check, and connect to the checked address (not a second lookup)."""

    def _new_conn(self):
        addresses = checked_addresses(self._dns_host, self.port)
        name = self._dns_host
        self._dns_host = addresses[0]
        try:
            return super()._new_conn()
        finally:
            self._dns_host = name


class _CheckedHTTPConnection(_CheckedConnectionMixin, HTTPConnection):
    pass


class _CheckedHTTPSConnection(_CheckedConnectionMixin, HTTPSConnection):
    pass


class _CheckedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _CheckedHTTPConnection


class _CheckedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _CheckedHTTPSConnection


class _CheckedAdapter(HTTPAdapter):
    def init_poolmanager(self, *args, **kwargs):
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {
            "http": _CheckedHTTPPool,
            "https": _CheckedHTTPSPool,
        }


def checked_session() -> requests.Session:
    """A requests session that connects only where `address_allowed` says, through no
    proxy. Use with allow_redirects=False."""
    session = requests.Session()
    session.trust_env = False  # no proxies or .netrc from the environment
    adapter = _CheckedAdapter(max_retries=0)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session
