"""The Slack client: ``slack_sdk.WebClient`` retrying 429 (sleeping ``Retry-After``), 5xx and
requests that got no answer; all retries of one call share ``policy.retries``. Slack reports
most errors as HTTP 200 with ``ok: false``: the client raises ``SlackApiError`` for those.

``WebClient`` sends each call through ``urllib``, which opens a new connection per request;
the fewer calls a pull makes, the fewer handshakes.
"""

from __future__ import annotations

from collections.abc import Mapping
from http.client import RemoteDisconnected
from typing import Any
from urllib.error import URLError

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.http_retry.handler import RetryHandler
from slack_sdk.http_retry.interval_calculator import RetryIntervalCalculator

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


class SlackClient(WebClient):
    """The official client, carrying the endpoint and retry policy it was built with."""

    endpoint: Endpoint
    policy: RetryPolicy


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
    log = log if log is not None else RetryLog()
    interval = DoublingInterval(policy)
    handlers: list[RetryHandler] = [
        SlackConnectionRetry(log=log, policy=policy, interval_calculator=interval),
        SlackRateLimitRetry(log=log, policy=policy),
        SlackServerErrorRetry(log=log, policy=policy, interval_calculator=interval),
    ]
    client = SlackClient(
        token=reveal(token),
        base_url=where.base_url + "/",
        timeout=where.timeout,  # type: ignore[arg-type]  # urllib takes float seconds
        ssl=where.ssl_context,
        proxy=where.proxy or None,
        retry_handlers=handlers,
    )
    # The constructor falls back to HTTPS_PROXY even for a host NO_PROXY names; the endpoint
    # has already decided (None: urllib connects directly, honouring NO_PROXY itself).
    client.proxy = where.proxy or None
    client.endpoint = where
    client.policy = policy
    return client


class DoublingInterval(RetryIntervalCalculator):
    """The policy's backoff, doubling; no jitter, so recorded waits are what was slept."""

    def __init__(self, policy: RetryPolicy) -> None:
        self.policy = policy

    def calculate_sleep_duration(self, current_attempt: int) -> float:
        return self.policy.backoff_for(current_attempt)


class _Recording(RetryHandler):
    """Records each retry and sleeps with the policy's ``sleep``. (``_can_retry`` and
    ``prepare_for_next_attempt`` are the methods slack_sdk documents for custom handlers.)"""

    log: RetryLog
    policy: RetryPolicy

    def wait_for(self, state: Any, response: Any) -> float:
        return self.interval_calculator.calculate_sleep_duration(state.current_attempt)

    def prepare_for_next_attempt(
        self, *, state: Any, request: Any, response: Any = None, error: Any = None
    ) -> None:
        wait = self.wait_for(state, response)
        status = response.status_code if response is not None else NETWORK
        self.log.record("slack", status, wait)
        state.next_attempt_requested = True
        self.policy.sleep(wait)
        state.increment_current_attempt()


class SlackConnectionRetry(_Recording, ConnectionErrorRetryHandler):
    """Retries a request that got no answer: refused, reset, timed out. Not a TLS failure,
    which would fail the same way again."""

    def __init__(self, *, log: RetryLog, policy: RetryPolicy, **kw: Any) -> None:
        errors = [URLError, ConnectionResetError, RemoteDisconnected, TimeoutError]
        super().__init__(max_retry_count=policy.retries, error_types=errors, **kw)
        self.log = log
        self.policy = policy

    def _can_retry(
        self, *, state: Any, request: Any, response: Any = None, error: Any = None
    ) -> bool:
        if error is not None and failure_kind(error) == TLS:
            return False
        return super()._can_retry(state=state, request=request, response=response, error=error)


class SlackRateLimitRetry(_Recording, RateLimitErrorRetryHandler):
    """Retries a 429, sleeping exactly ``Retry-After`` seconds (1 s if absent). A wait longer
    than ``policy.max_wait`` is not retried: the ``ratelimited`` error surfaces."""

    def __init__(self, *, log: RetryLog, policy: RetryPolicy) -> None:
        super().__init__(max_retry_count=policy.retries)
        self.log = log
        self.policy = policy

    def _can_retry(
        self, *, state: Any, request: Any, response: Any = None, error: Any = None
    ) -> bool:
        if response is None or response.status_code != 429:
            return False
        return self.wait_for(state, response) <= self.policy.max_wait

    def wait_for(self, state: Any, response: Any) -> float:
        wait = retry_after(response.headers)
        return 1.0 if wait is None else wait


class SlackServerErrorRetry(_Recording, ServerErrorRetryHandler):
    """Retries 500, 502, 503 and 504 with a doubling backoff."""

    def __init__(self, *, log: RetryLog, policy: RetryPolicy, **kw: Any) -> None:
        super().__init__(max_retry_count=policy.retries, **kw)
        self.log = log
        self.policy = policy

    def _can_retry(
        self, *, state: Any, request: Any, response: Any = None, error: Any = None
    ) -> bool:
        return response is not None and response.status_code in SERVER_ERRORS
