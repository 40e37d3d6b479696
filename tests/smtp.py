"""Real SMTP on 127.0.0.1 for the outbox tests: a server that accepts (aiosmtpd), an
address where nothing listens (mail down), and one that accepts the connection and never
answers (silent). Import the fixtures into a test module to use them."""

import socket
import threading
from dataclasses import dataclass, field
from email import message_from_bytes

import pytest
from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Received:
    """What the server accepted: one entry per message (envelope recipients, parsed)."""

    messages: list = field(default_factory=list)
    refuse: set = field(default_factory=set)  # addresses answered 550 at RCPT
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.messages.append(
                (list(envelope.rcpt_tos), message_from_bytes(envelope.original_content))
            )
        return "250 Message accepted for delivery"

    def message_ids(self) -> list[str]:
        return [message["Message-ID"] for _to, message in self.messages]


def use_smtp(settings, port: int, timeout: float = 2) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = timeout


class MailServer:
    """An SMTP server on one port that can be stopped (mail down) and started again."""

    def __init__(self, port: int):
        self.port = port
        self.received = Received()
        self.controller = None

    def start(self) -> None:
        self.controller = Controller(self.received, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def mail_server(settings):
    """Mail goes to a real SMTP server on 127.0.0.1, down until the test starts it."""
    server = MailServer(free_port())
    use_smtp(settings, server.port)
    yield server
    server.stop()


class SilentServer:
    """Accepts connections and never says a word (a hung mail server)."""

    def __init__(self):
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(16)
        self.port = self.listener.getsockname()[1]
        self.held: list[socket.socket] = []
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        self.listener.settimeout(0.2)
        while not self.stopped.is_set():
            try:
                connection, _address = self.listener.accept()
            except OSError:
                continue
            self.held.append(connection)

    def stop(self) -> None:
        self.stopped.set()
        self.thread.join(timeout=2)
        for connection in self.held:
            connection.close()
        self.listener.close()


@pytest.fixture
def silent_mail_server(settings):
    server = SilentServer()
    use_smtp(settings, server.port, timeout=1)
    yield server
    server.stop()
