"""The machinery every fake API server shares: a threaded HTTP(S) server on 127.0.0.1, a log of
every request, injected faults (429s, 5xx), a fixed latency per response, a count of the
connections accepted and TLS handshakes completed (one fake is one host), and connections the
server closes after a number of requests without saying so (as a server dropping idle or
long-lived keep-alive connections does).

A fake subclasses :class:`FakeServer` and implements :meth:`FakeServer.route`, which takes a
:class:`Recorded` request and returns a :class:`Reply`.
"""

from __future__ import annotations

import json
import ssl
import threading
import time
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "api"


def load_fixture(name: str) -> Any:
    """A payload copied from the official specs' examples (``tests/fixtures/api/NAME``)."""
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


@dataclass
class Recorded:
    """One request as the server saw it."""

    method: str
    path: str
    query: dict[str, list[str]]
    form: dict[str, list[str]]
    headers: dict[str, str]
    target: str  # the raw request target, path and query as sent

    def arg(self, name: str, default: str | None = None) -> str | None:
        """The first value of a query or form parameter."""
        values = self.query.get(name) or self.form.get(name)
        return values[0] if values else default

    def args(self, name: str) -> list[str]:
        """Every value of a repeated query or form parameter (``statuses[]=a&statuses[]=b``)."""
        return self.query.get(name, []) + self.form.get(name, [])


@dataclass
class Reply:
    status: int = 200
    body: Any = None  # JSON-serialisable, or bytes sent as they are
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Fault:
    """Answer the next ``remaining`` matching requests with ``status`` instead of routing them."""

    remaining: int
    status: int
    path: str | None
    retry_after: str | None
    headers: dict[str, str]


class FakeServer(ABC):
    """A small HTTP(S) API server in a background thread. Use as a context manager or
    call :meth:`start` / :meth:`stop`.

    ``tls`` is an ``ssl.SSLContext`` for the server side (see ``tls_context``); None means HTTP.
    ``latency`` is added to every answer; ``handshake_latency`` to every new connection before
    its TLS handshake (on a real network a new connection costs round trips of its own).
    """

    name = "fake"

    def __init__(
        self,
        *,
        tls: ssl.SSLContext | None = None,
        latency: float = 0.0,
        handshake_latency: float = 0.0,
    ) -> None:
        self.tls = tls
        self.latency = latency
        self.handshake_latency = handshake_latency
        self.requests: list[Recorded] = []
        self.connections = 0  # connections accepted
        self.handshakes = 0  # TLS handshakes completed (an HTTPS fake only)
        self.close_after: int | None = None  # requests a connection serves before it is closed
        self._faults: list[Fault] = []
        self._lock = threading.Lock()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> FakeServer:
        self._httpd = _Server(("127.0.0.1", 0), _handler_for(self), tls=self.tls, fake=self)
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def __enter__(self) -> FakeServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        assert self._httpd is not None, "server not started"
        return int(self._httpd.server_address[1])

    @property
    def origin(self) -> str:
        """``http(s)://127.0.0.1:PORT``"""
        scheme = "https" if self.tls else "http"
        return f"{scheme}://127.0.0.1:{self.port}"

    # -- what tests use ----------------------------------------------------------------------

    def fail_next(
        self,
        count: int,
        status: int = 429,
        *,
        path: str | None = None,
        retry_after: str | None = "0",
        headers: dict[str, str] | None = None,
    ) -> None:
        """Answer the next ``count`` requests (whose path contains ``path``, if given) with
        ``status``; a ``Retry-After`` header is added when ``retry_after`` is not None."""
        with self._lock:
            self._faults.append(Fault(count, status, path, retry_after, dict(headers or {})))

    def requests_to(self, path_part: str) -> list[Recorded]:
        """The recorded requests whose path contains ``path_part``."""
        return [r for r in self.requests if path_part in r.path]

    def reset_log(self) -> None:
        """Forget the requests, connections and handshakes seen so far."""
        with self._lock:
            self.requests.clear()
            self.connections = 0
            self.handshakes = 0

    # -- for subclasses ----------------------------------------------------------------------

    @abstractmethod
    def route(self, request: Recorded) -> Reply:
        """Answer one request; every fake implements its own API's paths here."""

    def fault_body(self, status: int) -> Any:
        """The body an injected fault carries, in the service's own error shape."""
        return {"error": f"HTTP {status}"}

    # -- internals ---------------------------------------------------------------------------

    def _take_fault(self, request: Recorded) -> Fault | None:
        with self._lock:
            for fault in self._faults:
                if fault.remaining > 0 and (fault.path is None or fault.path in request.path):
                    fault.remaining -= 1
                    return fault
        return None

    def _answer(self, request: Recorded) -> Reply:
        with self._lock:
            self.requests.append(request)
        if self.latency:
            time.sleep(self.latency)
        fault = self._take_fault(request)
        if fault is None:
            return self.route(request)
        headers = dict(fault.headers)
        if fault.retry_after is not None:
            headers["Retry-After"] = fault.retry_after
        return Reply(fault.status, self.fault_body(fault.status), headers)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(
        self, address: tuple[str, int], handler: type, *, tls: ssl.SSLContext | None, fake: Any
    ):
        self._tls = tls
        self._fake = fake
        super().__init__(address, handler)

    def get_request(self) -> tuple[Any, Any]:
        sock, address = self.socket.accept()
        with self._fake._lock:
            self._fake.connections += 1
        if self._tls is not None:
            # The handshake runs in the request's own thread (finish_request), so one slow
            # client cannot stall the accept loop.
            sock = self._tls.wrap_socket(sock, server_side=True, do_handshake_on_connect=False)
        return sock, address

    def finish_request(self, request: Any, client_address: Any) -> None:
        if self._tls is not None:
            if self._fake.handshake_latency:
                time.sleep(self._fake.handshake_latency)
            try:
                request.do_handshake()
            except (ssl.SSLError, OSError):
                return
            with self._fake._lock:
                self._fake.handshakes += 1
        super().finish_request(request, client_address)


def _handler_for(fake: FakeServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        served = 0  # requests answered on this connection (one handler per connection)
        # Headers and body go out in two writes: with Nagle's algorithm the body would wait for
        # the client's delayed ACK of the headers (40 ms on Linux) on every kept-alive connection.
        disable_nagle_algorithm = True

        def do_GET(self) -> None:
            self._serve()

        def do_POST(self) -> None:
            self._serve()

        def _serve(self) -> None:
            split = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            form: dict[str, list[str]] = {}
            if "form-urlencoded" in (self.headers.get("Content-Type") or ""):
                form = parse_qs(raw.decode("utf-8"), keep_blank_values=True)
            request = Recorded(
                method=self.command,
                path=split.path,
                query=parse_qs(split.query, keep_blank_values=True),
                form=form,
                headers={k: v for k, v in self.headers.items()},
                target=self.path,
            )
            reply = fake._answer(request)
            self.served += 1
            if fake.close_after is not None and self.served >= fake.close_after:
                self.close_connection = True  # after this answer, with no Connection: close
            body = reply.body if isinstance(reply.body, bytes) else json.dumps(reply.body).encode()
            self.send_response(reply.status)
            headers = {"Content-Type": "application/json; charset=utf-8", **reply.headers}
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            pass  # keep test output clean

    return Handler


def tls_context(ca: Any, *hosts: str) -> ssl.SSLContext:
    """A server-side TLS context with a certificate for ``hosts`` issued by a ``trustme.CA``."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert(*(hosts or ("127.0.0.1", "localhost"))).configure_cert(context)
    return context


def offset_page(items: list[Any], request: Recorded, *, default: int, maximum: int) -> tuple:
    """``(page, limit, offset, more)`` for PagerDuty-style ``limit``/``offset`` pagination."""
    limit = min(int(request.arg("limit") or default), maximum)
    offset = int(request.arg("offset") or 0)
    page = items[offset : offset + limit]
    return page, limit, offset, offset + limit < len(items)
