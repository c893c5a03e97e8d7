"""The Slack client: the official ``AsyncWebClient`` on an ``aiohttp`` session that keeps its
connections open, called as plain blocking calls (``client.call("conversations.history",
channel=...)``) from the pull's threads.

``slack_sdk.WebClient`` sends each call through ``urllib``, which opens a new TLS connection per
request: a pull of a busy channel paid one handshake per page, thread and person. Here each
call runs on an event loop kept for the run (:class:`~ingest.clients.loops.LoopPool`) with its
own ``aiohttp.ClientSession``: one TLS handshake per host per worker, kept across the incidents
of an export, until :meth:`SlackClient.close`.

Retries: a 429 (sleeping ``Retry-After``), 500/502/503/504 and requests that got no answer
(refused, reset, closed by the server, timed out; never a TLS failure, which would fail the same
way again); all retries of one call share ``policy.retries``. Slack reports most errors as HTTP
200 with ``ok: false``: the client raises ``SlackApiError`` for those.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

import aiohttp
from slack_sdk.errors import SlackClientError
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.web.async_slack_response import AsyncSlackResponse

from ingest.clients.loops import LoopPool
from ingest.clients.network import TLS, failure_kind
from ingest.clients.retry import (
    DEFAULT_POLICY,
    NETWORK,
    SERVER_ERRORS,
    RetryLog,
    RetryPolicy,
    retry_after,
)
from ingest.clients.secret import Secret, reveal
from ingest.clients.settings import Endpoint, endpoint
from ingest.config import SlackSettings

# What a call raises when the request got no answer (refused, timed out, TLS, proxy...).
NO_ANSWER: tuple[type[BaseException], ...] = (SlackClientError, aiohttp.ClientError, OSError)

# Seconds an idle connection is kept: long enough to outlast the pauses between the calls and
# the incidents of a run; a connection the server closed sooner is opened again.
KEEPALIVE = 60.0


class SlackClient:
    """Blocking Slack Web API calls through the official ``AsyncWebClient``, reusing
    connections; carries the endpoint and retry policy it was built with. Close it when done
    (``Clients`` does, at the end of a run), or use it as a context manager."""

    def __init__(
        self, token: Secret, where: Endpoint, policy: RetryPolicy, handlers: list[AsyncRetryHandler]
    ) -> None:
        self.endpoint = where
        self.policy = policy
        self.base_url = where.base_url + "/"
        self._token = token
        self._handlers = handlers
        self._loops: LoopPool[AsyncWebClient] = LoopPool(self._open, self._close)

    def call(self, method: str, **args: Any) -> AsyncSlackResponse:
        """One Web API method (``conversations.history``), as the SDK's method of that name
        sends it; the answer reads like a dict. Raises ``SlackApiError`` for ``ok: false``."""
        name = method.replace(".", "_")
        return self._loops.run(lambda web: getattr(web, name)(**args))

    def close(self) -> None:
        """Close the sessions and their connections."""
        self._loops.close()

    def __enter__(self) -> SlackClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"SlackClient({self.base_url!r})"  # never the token

    async def _open(self) -> AsyncWebClient:
        where = self.endpoint
        timeout = aiohttp.ClientTimeout(
            total=None, sock_connect=where.timeout, sock_read=where.timeout
        )
        connector = aiohttp.TCPConnector(keepalive_timeout=KEEPALIVE)
        session = aiohttp.ClientSession(connector=connector, timeout=timeout, trust_env=False)
        web = AsyncWebClient(
            token=reveal(self._token),
            base_url=self.base_url,
            timeout=int(-(-where.timeout // 1)),  # unused with a session of our own
            ssl=where.ssl_context,
            proxy=where.proxy or None,
            session=session,
            retry_handlers=self._handlers,
        )
        # The constructor falls back to HTTPS_PROXY even for a host NO_PROXY names; the endpoint
        # has already decided (None: a direct connection).
        web.proxy = where.proxy or None
        return web

    @staticmethod
    async def _close(web: AsyncWebClient) -> None:
        if web.session is not None:
            await web.session.close()


def slack_client(
    settings: SlackSettings,
    token: Secret,
    *,
    policy: RetryPolicy = DEFAULT_POLICY,
    log: RetryLog | None = None,
    environ: Mapping[str, str] | None = None,
) -> SlackClient:
    """A client for ``settings.base_url`` (``https://slack.com/api/``, GovSlack
    ``https://slack-gov.com/api/``)."""
    where = endpoint("slack", settings, environ)
    reveal(token)  # refuse a bare string now, not at the first call
    log = log if log is not None else RetryLog()
    handlers: list[AsyncRetryHandler] = [
        SlackConnectionRetry(log=log, policy=policy),
        SlackRateLimitRetry(log=log, policy=policy),
        SlackServerErrorRetry(log=log, policy=policy),
    ]
    return SlackClient(token, where, policy, handlers)


class _Recording(AsyncRetryHandler):
    """Records each retry and sleeps with the policy's ``sleep``. (``_can_retry_async`` and
    ``prepare_for_next_attempt_async`` are the methods slack_sdk documents for custom
    handlers.)"""

    def __init__(self, *, log: RetryLog, policy: RetryPolicy) -> None:
        super().__init__(max_retry_count=policy.retries)
        self.log = log
        self.policy = policy

    def wait_for(self, state: Any, response: Any) -> float:
        """The policy's backoff, doubling; no jitter, so recorded waits are what was slept."""
        return self.policy.backoff_for(state.current_attempt)

    async def prepare_for_next_attempt_async(
        self, *, state: Any, request: Any, response: Any = None, error: Any = None
    ) -> None:
        wait = self.wait_for(state, response)
        status = response.status_code if response is not None else NETWORK
        self.log.record("slack", status, wait)
        state.next_attempt_requested = True
        # A blocking sleep on purpose: this loop runs this one call and nothing else, and the
        # policy's sleep is what tests replace to wait for nothing.
        self.policy.sleep(wait)
        state.increment_current_attempt()


class SlackConnectionRetry(_Recording):
    """Retries a request that got no answer: refused, reset, closed by the server, timed out,
    failed at the proxy. Not a TLS failure, which would fail the same way again."""

    errors = (
        aiohttp.ClientConnectionError,
        aiohttp.ClientPayloadError,
        aiohttp.ClientHttpProxyError,
        asyncio.TimeoutError,
    )

    async def _can_retry_async(
        self, *, state: Any, request: Any, response: Any = None, error: Any = None
    ) -> bool:
        return isinstance(error, self.errors) and failure_kind(error) != TLS


class SlackRateLimitRetry(_Recording):
    """Retries a 429, sleeping exactly ``Retry-After`` seconds (1 s if absent). A wait longer
    than ``policy.max_wait`` is not retried: the ``ratelimited`` error surfaces."""

    async def _can_retry_async(
        self, *, state: Any, request: Any, response: Any = None, error: Any = None
    ) -> bool:
        if response is None or response.status_code != 429:
            return False
        return self.wait_for(state, response) <= self.policy.max_wait

    def wait_for(self, state: Any, response: Any) -> float:
        wait = retry_after(response.headers)
        return 1.0 if wait is None else wait


class SlackServerErrorRetry(_Recording):
    """Retries 500, 502, 503 and 504 with a doubling backoff."""

    async def _can_retry_async(
        self, *, state: Any, request: Any, response: Any = None, error: Any = None
    ) -> bool:
        return response is not None and response.status_code in SERVER_ERRORS
