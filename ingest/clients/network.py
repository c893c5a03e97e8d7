"""A request that got no HTTP answer, said as what it was: a TLS failure, a connect timeout, a
read timeout, or a connection that could not be made; with the host and the seconds.

The three client libraries wrap the same few failures differently (``httpx2`` exceptions,
``requests`` around ``urllib3``, ``aiohttp`` under ``slack_sdk``); :func:`network_error` walks
the chain of causes to find which one it was.
"""

from __future__ import annotations

import socket
import ssl
from collections.abc import Iterator

import aiohttp
import httpx2
import requests
import urllib3.exceptions

from ingest.clients.retry import attempts_said
from ingest.clients.settings import Endpoint, proxy_host
from ingest.errors import SourceError

TLS = "tls"
CONNECT_TIMEOUT = "connect timeout"
READ_TIMEOUT = "read timeout"
CONNECT = "connect"
PROXY = "proxy"

_CONNECT_TIMEOUTS = (
    aiohttp.ConnectionTimeoutError,
    httpx2.ConnectTimeout,
    httpx2.PoolTimeout,
    urllib3.exceptions.ConnectTimeoutError,
    requests.exceptions.ConnectTimeout,
)
_READ_TIMEOUTS = (
    httpx2.ReadTimeout,
    httpx2.WriteTimeout,
    urllib3.exceptions.ReadTimeoutError,
    requests.exceptions.ReadTimeout,
    socket.timeout,
    TimeoutError,
)
_PROXY = (
    aiohttp.ClientHttpProxyError,
    aiohttp.ClientProxyConnectionError,
    httpx2.ProxyError,
    urllib3.exceptions.ProxyError,
    requests.exceptions.ProxyError,
)


def failure_kind(error: BaseException) -> str:
    """``tls``, ``connect timeout``, ``read timeout``, ``proxy`` or ``connect``."""
    chain = list(_causes(error))
    if any(isinstance(e, ssl.SSLError) or "CERTIFICATE_VERIFY_FAILED" in str(e) for e in chain):
        return TLS
    if any(isinstance(e, _PROXY) for e in chain):
        return PROXY
    if any(isinstance(e, ConnectionRefusedError) for e in chain):
        return CONNECT  # urllib3 files a refused connection under its connect timeouts
    if any(isinstance(e, _CONNECT_TIMEOUTS) for e in chain):
        return CONNECT_TIMEOUT
    if any(isinstance(e, _READ_TIMEOUTS) for e in chain):
        return READ_TIMEOUT
    return CONNECT


def network_error(
    error: BaseException, where: Endpoint, *, attempts: int, url: str = ""
) -> SourceError:
    """The SourceError for ``error``, which left a request without an answer."""
    kind = failure_kind(error)
    host, seconds = where.host, f"{where.timeout:g} s"
    setting = where.source
    tried = attempts_said(attempts)
    via = f" through the proxy {proxy_host(where.proxy)}" if where.proxy else ""
    if kind == TLS:
        reason = _tls_reason(error)
        message = (
            f"TLS failure with {host}{via} ({reason}): set {setting}.ca_bundle to the CA "
            "certificate that signed the server's certificate (for example a TLS-inspecting "
            "proxy's), or check the host name in the base URL"
        )
    elif kind == CONNECT_TIMEOUT:
        message = (
            f"connect timeout: no connection to {host}{via} within {seconds} ({tried}); "
            f"check {setting}.base_url, the proxy (HTTPS_PROXY, NO_PROXY, {setting}.proxy) "
            "and the network"
        )
    elif kind == READ_TIMEOUT:
        message = (
            f"read timeout: {host}{via} accepted the connection but sent no answer within "
            f"{seconds} ({tried}); run again later, or raise {setting}.timeout"
        )
    elif kind == PROXY:
        message = (
            f"the proxy {proxy_host(where.proxy) if where.proxy else ''} refused or failed the "
            f"connection to {host} ({tried}); check HTTPS_PROXY, NO_PROXY and {setting}.proxy"
        )
    else:
        message = (
            f"cannot connect to {host}{via} ({_connect_reason(error)}; {tried}); check "
            f"{setting}.base_url, the proxy (HTTPS_PROXY, NO_PROXY, {setting}.proxy) and "
            "the network"
        )
    return SourceError(message, source=where.source, url=url or where.base_url)


def _causes(error: BaseException) -> Iterator[BaseException]:
    """``error`` and everything it wraps: causes, contexts, ``reason`` and exception args."""
    seen: set[int] = set()
    todo = [error]
    while todo:
        e = todo.pop(0)
        if id(e) in seen:
            continue
        seen.add(id(e))
        yield e
        inner = [e.__cause__, e.__context__, getattr(e, "reason", None), *e.args]
        todo += [x for x in inner if isinstance(x, BaseException)]


def _tls_reason(error: BaseException) -> str:
    for e in _causes(error):
        # aiohttp's certificate error is an SSLError too, without the details: read on.
        verify_message = getattr(e, "verify_message", None)
        if isinstance(e, ssl.SSLCertVerificationError) and verify_message:
            return f"certificate verify failed: {verify_message}"
        reason = getattr(e, "reason", None)
        if isinstance(e, ssl.SSLError) and reason:
            return str(reason).replace("_", " ").lower()
    return "certificate verify failed"


def _connect_reason(error: BaseException) -> str:
    for e in _causes(error):
        if isinstance(e, ConnectionRefusedError) or "refused" in str(e).lower():
            return "connection refused"
        if isinstance(e, socket.gaierror) or "Name or service not known" in str(e):
            return "unknown host"
    return type(error).__name__
