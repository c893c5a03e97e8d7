"""Servers for the ways a network fails, on 127.0.0.1: one that accepts connections and never
answers, and a forward proxy that tunnels ``CONNECT`` requests (as corporate proxies do) and
records where each tunnel went."""

from __future__ import annotations

import select
import socket
import ssl
import threading
from abc import ABC, abstractmethod
from typing import Any


class _LoopbackServer(ABC):
    """A listening socket on 127.0.0.1 whose accept loop runs in a thread and hands each
    connection to ``handle``; used as a context manager."""

    def __init__(self) -> None:
        self._sock = socket.create_server(("127.0.0.1", 0))
        self.port = int(self._sock.getsockname()[1])
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    @abstractmethod
    def handle(self, conn: socket.socket) -> None:
        """Take one accepted connection (on the accept thread: hand long work to a thread)."""

    def _serve(self) -> None:
        self._sock.settimeout(0.05)
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.handle(conn)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self._sock.close()


class SilentServer(_LoopbackServer):
    """Accepts every connection (completing the TLS handshake when ``tls`` is given), reads
    what the client sends, and never answers. ``handshake=False`` with ``tls`` leaves the
    handshake unanswered too: the client is still connecting when its time runs out."""

    def __init__(self, *, tls: ssl.SSLContext | None = None, handshake: bool = True) -> None:
        super().__init__()
        self.tls = tls
        self.handshake = handshake
        self.accepted = 0
        self._open: list[socket.socket] = []

    @property
    def origin(self) -> str:
        return f"{'https' if self.tls else 'http'}://127.0.0.1:{self.port}"

    def handle(self, conn: socket.socket) -> None:
        self.accepted += 1
        if self.tls is not None and self.handshake:
            try:
                conn = self.tls.wrap_socket(conn, server_side=True)
            except (ssl.SSLError, OSError):
                conn.close()
                return
        self._open.append(conn)  # held open, never answered

    def __exit__(self, *exc: object) -> None:
        super().__exit__(*exc)
        for conn in self._open:
            conn.close()


def closed_port() -> int:
    """A loopback port nothing listens on (connecting to it is refused)."""
    with socket.create_server(("127.0.0.1", 0)) as sock:
        return int(sock.getsockname()[1])


class ConnectProxy(_LoopbackServer):
    """An HTTP forward proxy on 127.0.0.1 that answers ``CONNECT host:port`` by opening a
    tunnel to it, and refuses anything else with 405. ``tunnels`` lists each target."""

    def __init__(self) -> None:
        super().__init__()
        self.tunnels: list[str] = []
        self._lock = threading.Lock()
        self.url = f"http://127.0.0.1:{self.port}"

    def handle(self, conn: socket.socket) -> None:
        threading.Thread(target=self._tunnel, args=(conn,), daemon=True).start()

    def _tunnel(self, client: socket.socket) -> None:
        with client:
            head = b""
            while b"\r\n\r\n" not in head:
                chunk = client.recv(4096)
                if not chunk:
                    return
                head += chunk
            method, target, *_ = head.split(b"\r\n", 1)[0].decode("latin-1").split()
            if method != "CONNECT":
                client.sendall(b"HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n")
                return
            with self._lock:
                self.tunnels.append(target)
            host, _, port = target.rpartition(":")
            try:
                upstream = socket.create_connection((host, int(port)), timeout=5)
            except OSError:
                client.sendall(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
                return
            with upstream:
                client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
                _pipe(client, upstream, self._stop)


def _pipe(a: socket.socket, b: socket.socket, stop: Any) -> None:
    peers = {a: b, b: a}
    while not stop.is_set():
        ready, _, _ = select.select(list(peers), [], [], 0.05)
        for sock in ready:
            data = sock.recv(65536)
            if not data:
                return
            peers[sock].sendall(data)
