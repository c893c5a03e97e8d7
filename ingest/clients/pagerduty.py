"""The PagerDuty client: ``pagerduty.RestApiV2Client`` over an ``httpx2`` transport that pools
connections (one TLS handshake per host per worker), goes through the proxy, and retries.

Retries live in the transport, because the client ignores ``Retry-After`` and
``ratelimit-reset`` and retries 429 forever: a 429, a 5xx or a request that got no answer
(refused, timed out) is retried up to ``policy.retries`` times. A 5xx that persists is returned
(the client raises ``pagerduty.ServerHttpError``); a 429 that persists raises
:class:`SourceError`; a network error that persists, or any TLS failure (never retried: it
would fail the same way), is raised for the client to wrap in ``pagerduty.Error``.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping

import httpx2
import pagerduty

from ingest.clients.network import TLS, failure_kind
from ingest.clients.retry import (
    DEFAULT_POLICY,
    NETWORK,
    SERVER_ERRORS,
    RetryLog,
    RetryPolicy,
    attempts_said,
    retry_after,
)
from ingest.clients.secret import Secret, reveal
from ingest.clients.settings import Endpoint, endpoint
from ingest.config import PagerDutySettings
from ingest.errors import SourceError


class PagerDutyClient(pagerduty.RestApiV2Client):
    """The official client, carrying the endpoint and retry policy it was built with."""

    endpoint: Endpoint
    policy: RetryPolicy


def pagerduty_client(
    settings: PagerDutySettings,
    token: Secret,
    *,
    policy: RetryPolicy = DEFAULT_POLICY,
    log: RetryLog | None = None,
    environ: Mapping[str, str] | None = None,
) -> PagerDutyClient:
    """A client for ``settings.base_url`` (see ``ingest.clients.settings`` for the checks)."""
    where = endpoint("pagerduty", settings, environ, loopback_http=False)
    inner = httpx2.HTTPTransport(verify=where.verify, proxy=where.proxy or None, trust_env=False)
    transport = RetryAfterTransport(inner, where=where, policy=policy, log=log)
    client = PagerDutyClient(reveal(token), base_url=where.base_url, transport=transport)
    client.endpoint = where
    client.policy = policy
    # The constructor's timeout= is shadowed by a class attribute (an int, but floats work).
    client.timeout = where.timeout  # type: ignore[assignment]
    client.retry = {}  # the transport retries; the client's own 429 loop never sees a 429
    client.max_network_attempts = 0  # and network errors: the transport has retried them
    return client


class RetryAfterTransport(httpx2.BaseTransport):
    """Wraps an httpx2 transport: retries 429, 5xx and network errors a bounded number of
    times, sleeping for ``Retry-After`` (or PagerDuty's ``ratelimit-reset``) when given."""

    def __init__(
        self,
        inner: httpx2.BaseTransport,
        *,
        where: Endpoint,
        policy: RetryPolicy = DEFAULT_POLICY,
        log: RetryLog | None = None,
    ) -> None:
        self.inner = inner
        self.source = where.source
        self.policy = policy
        self.log = log if log is not None else RetryLog()

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        where = f"{request.method} {request.url.path}"
        url = str(request.url.copy_with(query=None))
        for retry in itertools.count():
            last = retry >= self.policy.retries
            try:
                response = self.inner.handle_request(request)
            except httpx2.TransportError as e:
                if last or failure_kind(e) == TLS:
                    raise
                self._wait(NETWORK, self.policy.backoff_for(retry))
                continue
            status = response.status_code
            if (status != 429 and status not in SERVER_ERRORS) or (last and status != 429):
                return response  # for a persistent 5xx the client raises ServerHttpError
            response.read()  # the short error body: read, the connection serves the retry
            response.close()
            wait = retry_after(response.headers)
            if wait is None:
                wait = self.policy.backoff_for(retry)
            if last or wait > self.policy.max_wait:
                limit = f"{self.policy.max_wait:g} s"
                reason = f"and asks to wait {wait:g} s, over the {limit} limit"
                if last:
                    reason = f"after {attempts_said(retry + 1)}"
                raise SourceError(
                    f"rate limited (HTTP {status}) on {where} {reason}; run again later",
                    source=self.source,
                    url=url,
                    status=status,
                )
            self._wait(status, wait)
        raise AssertionError("unreachable")

    def _wait(self, status: int, seconds: float) -> None:
        self.log.record(self.source, status, seconds)
        self.policy.sleep(seconds)

    def close(self) -> None:
        self.inner.close()
