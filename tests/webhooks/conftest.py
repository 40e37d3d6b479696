"""A real receiver on 127.0.0.1 (http.server in a thread) that checks signatures the way
the README tells receivers to, and the settings the webhook tests run under."""

import contextlib
import hashlib
import hmac
import json
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from webhooks.services import endpoint_create, listeners_forget


def verify(secret: str, headers, body: bytes, *, tolerance: int = 300) -> bool:
    """The receiver's check, exactly as documented in the README."""
    timestamp = headers.get("X-CRM-Timestamp", "")
    if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > tolerance:
        return False
    signed = timestamp.encode() + b"." + body
    expected = "sha256=" + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, headers.get("X-CRM-Signature", ""))


@dataclass
class Received:
    headers: dict
    body: bytes
    path: str

    @property
    def json(self):
        return json.loads(self.body)


@dataclass
class Receiver:
    port: int
    status: int = 204
    delay: float = 0.0
    location: str = ""
    requests: list[Received] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None
    secret: str = ""

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks"

    def start(self) -> "Receiver":
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                receiver.requests.append(Received(dict(self.headers), body, self.path))
                if receiver.delay:
                    time.sleep(receiver.delay)
                self.send_response(receiver.status)
                if receiver.location:
                    self.send_header("Location", receiver.location)
                answer = b"ok" if receiver.status < 300 else b"receiver says no"
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                with contextlib.suppress(OSError):  # the sender gave up (timeout tests)
                    self.wfile.write(answer)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    def verified(self) -> list[Received]:
        return [r for r in self.requests if verify(self.secret, r.headers, r.body)]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(autouse=True)
def _webhook_settings(settings):
    """The tests' receiver is on loopback over plain HTTP (allowed only by this switch or
    DEBUG); deliveries are sent by the tests, not on commit, unless a test says so."""
    settings.WEBHOOKS_ALLOW_HTTP_LOOPBACK = True
    settings.WEBHOOKS_SEND_ON_COMMIT = False
    settings.WEBHOOKS_CONNECT_TIMEOUT = 1.0
    settings.WEBHOOKS_READ_TIMEOUT = 1.0
    listeners_forget()
    yield
    listeners_forget()


@pytest.fixture
def receiver():
    made = []

    def start(**options) -> Receiver:
        r = Receiver(port=free_port(), **options).start()
        made.append(r)
        return r

    yield start
    for r in made:
        r.stop()


@pytest.fixture
def register(manager1):
    """Register an endpoint through the service, as the page does."""

    def make(url: str, events=("customer.created",), name="Booking system", target=None):
        endpoint, secret = endpoint_create(actor=manager1, name=name, url=url, events=events)
        if target is not None:
            target.secret = secret
        return endpoint, secret

    return make


def create_customer(actor, n: int = 1, **fields):
    """A customer created through the service, as the form does."""
    from customers.models import Customer, CustomerKind
    from customers.services import customer_create
    from tests.factories import make_id_number

    values = {
        "kind": CustomerKind.INDIVIDUAL,
        "name": f"孙悦{n}",
        "id_number": make_id_number(900 + n),
        "mobile": f"1390000{n:04d}",
    }
    return customer_create(actor=actor, customer=Customer(**(values | fields)))
