"""The three official API clients, built in one place from settings and a token.

Each builder sets the base URL, the CA bundle, the timeout and bounded retries that honour the
server's ``Retry-After`` on 429 (and 503), with a short backoff for other 5xx. Every wait before
a retry is recorded in a :class:`RetryLog` so a progress display can show the time spent.

Tokens travel in a :class:`Secret`, whose ``repr`` and ``str`` are masked; they are unwrapped
only here, to hand to the client.
"""

from __future__ import annotations

import email.utils
import itertools
import math
import os
import ssl
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import github
import httpx2
import pagerduty
from github.GithubRetry import GithubRetry
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.http_retry.handler import RetryHandler
from slack_sdk.http_retry.interval_calculator import RetryIntervalCalculator

from ingest.config import GitHubSettings, PagerDutySettings, SlackSettings
from ingest.errors import ConfigError, SourceError

MASK = "********"
SERVER_ERRORS = frozenset({500, 502, 503, 504})


class Secret:
    """A token. Its ``repr`` and ``str`` are masked so it cannot leak into logs or errors."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    @classmethod
    def from_env(cls, name: str, environ: Any = None) -> Secret:
        """The token in environment variable ``name``; ConfigError saying what to set if unset."""
        value = (os.environ if environ is None else environ).get(name, "").strip()
        if not value:
            raise ConfigError(
                f"environment variable {name} is not set: export it with the API token"
            )
        return cls(value)

    def __repr__(self) -> str:
        return f"Secret('{MASK}')"

    def __str__(self) -> str:
        return MASK

    def __reduce__(self) -> Any:
        raise TypeError("a Secret cannot be pickled")


def _reveal(token: Secret) -> str:
    if not isinstance(token, Secret):
        raise TypeError("pass the token as ingest.clients.build.Secret")
    return token._value


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to retry: ``retries`` per request, first backoff for 5xx without Retry-After
    (doubling), and the longest single wait a server may ask for before we give up."""

    retries: int = 4
    backoff: float = 0.5
    max_wait: float = 120.0


@dataclass
class RetryLog:
    """Waits spent before retries, in seconds, shared by the clients of one run."""

    waits: list[tuple[str, int, float]] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def record(self, source: str, status: int, seconds: float) -> None:
        with self._lock:
            self.waits.append((source, status, float(seconds)))

    @property
    def total(self) -> float:
        """Seconds waited in all."""
        return sum(seconds for _, _, seconds in self.waits)

    def of(self, source: str) -> list[float]:
        """The waits one source spent, in order."""
        return [seconds for name, _, seconds in self.waits if name == source]


DEFAULT_POLICY = RetryPolicy()


# -- PagerDuty -------------------------------------------------------------------------------


def pagerduty_client(
    settings: PagerDutySettings,
    token: Secret,
    *,
    policy: RetryPolicy = DEFAULT_POLICY,
    log: RetryLog | None = None,
) -> pagerduty.RestApiV2Client:
    """A ``pagerduty.RestApiV2Client`` for ``settings.base_url`` (https only).

    Retries live in the transport, because the client ignores ``Retry-After`` and
    ``ratelimit-reset`` and retries 429 forever: a 429 or 5xx is retried up to
    ``policy.retries`` times; a 5xx that persists is returned (the client raises
    ``pagerduty.ServerHttpError``), a 429 that persists raises :class:`SourceError`.
    """
    if not settings.base_url.startswith("https://"):
        raise ConfigError(
            f"pagerduty.base_url {settings.base_url!r} must start with https:// "
            "(for example https://api.pagerduty.com or https://api.eu.pagerduty.com)"
        )
    verify: ssl.SSLContext | bool = _ssl_context("pagerduty", settings.ca_bundle) or True
    transport = RetryAfterTransport(
        httpx2.HTTPTransport(verify=verify), source="pagerduty", policy=policy, log=log
    )
    client = pagerduty.RestApiV2Client(
        _reveal(token), base_url=settings.base_url.rstrip("/"), transport=transport
    )
    # The constructor's timeout= is shadowed by a class attribute (an int, but floats work).
    client.timeout = settings.timeout  # type: ignore[assignment]
    client.retry = {}  # the transport retries; the client's own 429 loop never sees a 429
    # Network errors (refused, TLS failure) are the client's to retry: same bound and backoff.
    client.max_network_attempts = policy.retries
    client.sleep_timer = policy.backoff / client.sleep_timer_base
    return client


class RetryAfterTransport(httpx2.BaseTransport):
    """Wraps an httpx2 transport: retries 429 and 5xx a bounded number of times, sleeping for
    ``Retry-After`` (or PagerDuty's ``ratelimit-reset``) when the server gives one."""

    def __init__(
        self,
        inner: httpx2.BaseTransport,
        *,
        source: str,
        policy: RetryPolicy = DEFAULT_POLICY,
        log: RetryLog | None = None,
    ) -> None:
        self.inner = inner
        self.source = source
        self.policy = policy
        self.log = log if log is not None else RetryLog()

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        where = f"{request.method} {request.url.path}"
        url = str(request.url.copy_with(query=None))
        for attempt in itertools.count():
            response = self.inner.handle_request(request)
            status = response.status_code
            last = attempt >= self.policy.retries
            if (status != 429 and status not in SERVER_ERRORS) or (last and status != 429):
                return response  # for a persistent 5xx the client raises ServerHttpError
            response.close()
            wait = retry_after(response.headers)
            if wait is None:
                wait = self.policy.backoff * 2**attempt
            if last or wait > self.policy.max_wait:
                limit = f"{self.policy.max_wait:.0f} s"
                reason = f"and asks to wait {wait:.0f} s, over the {limit} limit"
                if last:
                    reason = f"after {attempt} retries"
                raise SourceError(
                    f"rate limited (HTTP {status}) on {where} {reason}; run again later",
                    source=self.source,
                    url=url,
                    status=status,
                )
            self.log.record(self.source, status, wait)
            time.sleep(wait)
        raise AssertionError("unreachable")

    def close(self) -> None:
        self.inner.close()


def retry_after(headers: Any) -> float | None:
    """Seconds the server asks a client to wait before trying again, from response headers.

    ``Retry-After`` (delay seconds or an HTTP date), else PagerDuty's ``ratelimit-reset``
    (seconds); never negative; None when neither is there or readable. ``headers`` is any
    mapping, in any casing, whose values are strings or lists of strings (as slack_sdk gives).
    """
    lowered = {str(key).lower(): value for key, value in headers.items()}
    for name in ("retry-after", "ratelimit-reset"):
        value = lowered.get(name)
        if isinstance(value, (list, tuple)):
            value = value[0] if value else None
        text = str(value or "").strip()
        if not text:
            continue
        try:
            return max(float(text), 0.0)
        except ValueError:
            pass
        try:
            when = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError):
            continue
        if when.tzinfo is None:  # RFC 9110 dates are GMT
            when = when.replace(tzinfo=UTC)
        return max((when - datetime.now(UTC)).total_seconds(), 0.0)
    return None


# -- GitHub ----------------------------------------------------------------------------------


def github_client(
    settings: GitHubSettings,
    token: Secret,
    *,
    policy: RetryPolicy = DEFAULT_POLICY,
    log: RetryLog | None = None,
) -> github.Github:
    """A ``github.Github`` for ``settings.base_url`` (github.com or ``https://HOST/api/v3``).

    100 items per page, no client-side throttling, and a ``GithubRetry`` that retries 5xx and
    429 up to ``policy.retries`` times, honours ``Retry-After`` (429/403) and never waits for a
    rate-limit reset longer than ``policy.max_wait``. A 5xx that persists surfaces as
    ``requests.exceptions.RetryError``.
    """
    if settings.ca_bundle:
        _ssl_context("github", settings.ca_bundle)  # fail early, with the setting's name
    retry = RecordingGithubRetry(
        source="github",
        log=log if log is not None else RetryLog(),
        total=policy.retries,
        backoff_factor=policy.backoff,
        backoff_max=policy.max_wait,
        retry_after_max=int(policy.max_wait),
        max_rate_limit_wait=policy.max_wait,
        secondary_rate_wait=min(60.0, policy.max_wait),
        status_forcelist=[*range(500, 600), 429],
    )
    return github.Github(
        auth=github.Auth.Token(_reveal(token)),
        base_url=settings.base_url.rstrip("/"),
        per_page=100,
        timeout=max(1, math.ceil(settings.timeout)),  # PyGithub insists on an int
        verify=settings.ca_bundle or True,
        retry=retry,
        seconds_between_requests=None,
        seconds_between_writes=None,
    )


class RecordingGithubRetry(GithubRetry):
    """``GithubRetry`` that records each wait it is about to sleep in a :class:`RetryLog`."""

    def __init__(self, *, source: str = "github", log: RetryLog | None = None, **kw: Any) -> None:
        self.source = source
        self.log = log if log is not None else RetryLog()
        super().__init__(**kw)

    def new(self, **kw: Any) -> Any:
        kw.update(source=self.source, log=self.log)
        return super().new(**kw)

    def sleep(self, response: Any = None) -> None:
        wait = None
        if self.respect_retry_after_header and response is not None:
            wait = self.get_retry_after(response)
        if not wait:
            wait = self.get_backoff_time()
        if wait > 0:
            status = int(getattr(response, "status", 0) or 0)
            self.log.record(self.source, status, wait)
        super().sleep(response)


# -- Slack -----------------------------------------------------------------------------------


def slack_client(
    settings: SlackSettings,
    token: Secret,
    *,
    policy: RetryPolicy = DEFAULT_POLICY,
    log: RetryLog | None = None,
) -> WebClient:
    """A ``slack_sdk.WebClient`` for ``settings.base_url`` (``https://slack.com/api/``, GovSlack
    ``https://slack-gov.com/api/``), retrying 429 (sleeping ``Retry-After``), 5xx and dropped
    connections; all retries of one call share ``policy.retries``. Slack reports most errors as
    HTTP 200 with ``ok: false``: the client raises ``SlackApiError`` for those.
    """
    log = log if log is not None else RetryLog()
    interval = DoublingInterval(policy.backoff)
    handlers: list[RetryHandler] = [
        ConnectionErrorRetryHandler(max_retry_count=policy.retries, interval_calculator=interval),
        SlackRateLimitRetry(log=log, max_wait=policy.max_wait, max_retry_count=policy.retries),
        SlackServerErrorRetry(
            log=log, max_retry_count=policy.retries, interval_calculator=interval
        ),
    ]
    return WebClient(
        token=_reveal(token),
        base_url=settings.base_url,
        timeout=max(1, math.ceil(settings.timeout)),
        ssl=_ssl_context("slack", settings.ca_bundle),
        retry_handlers=handlers,
    )


class DoublingInterval(RetryIntervalCalculator):
    """``first``, then twice that, and so on; no jitter, so recorded waits are what was slept."""

    def __init__(self, first: float) -> None:
        self.first = first

    def calculate_sleep_duration(self, current_attempt: int) -> float:
        return self.first * 2**current_attempt


class SlackRateLimitRetry(RateLimitErrorRetryHandler):
    """Retries a 429, sleeping exactly ``Retry-After`` seconds (1 s if absent), and records the
    wait. A wait longer than ``max_wait`` is not retried: the ``ratelimited`` error surfaces."""

    def __init__(self, *, log: RetryLog, max_wait: float, max_retry_count: int) -> None:
        super().__init__(max_retry_count=max_retry_count)
        self.log = log
        self.max_wait = max_wait

    def _can_retry(
        self, *, state: Any, request: Any, response: Any = None, error: Any = None
    ) -> bool:
        if response is None or response.status_code != 429:
            return False
        return _slack_wait(response.headers) <= self.max_wait

    def prepare_for_next_attempt(
        self, *, state: Any, request: Any, response: Any = None, error: Any = None
    ) -> None:
        wait = _slack_wait(response.headers)
        self.log.record("slack", 429, wait)
        state.next_attempt_requested = True
        time.sleep(wait)
        state.increment_current_attempt()


class SlackServerErrorRetry(ServerErrorRetryHandler):
    """Retries 500, 502, 503 and 504 with a doubling backoff, recording each wait."""

    def __init__(self, *, log: RetryLog, **kw: Any) -> None:
        super().__init__(**kw)
        self.log = log

    def _can_retry(
        self, *, state: Any, request: Any, response: Any = None, error: Any = None
    ) -> bool:
        return response is not None and response.status_code in SERVER_ERRORS

    def prepare_for_next_attempt(
        self, *, state: Any, request: Any, response: Any = None, error: Any = None
    ) -> None:
        wait = self.interval_calculator.calculate_sleep_duration(state.current_attempt)
        self.log.record("slack", response.status_code if response is not None else 0, wait)
        state.next_attempt_requested = True
        time.sleep(wait)
        state.increment_current_attempt()


def _slack_wait(headers: dict[str, Any]) -> float:
    wait = retry_after(headers)
    return 1.0 if wait is None else wait


# -- shared ----------------------------------------------------------------------------------


def _ssl_context(source: str, ca_bundle: str) -> ssl.SSLContext | None:
    """A TLS context trusting ``ca_bundle`` (PEM), None when no bundle is configured."""
    if not ca_bundle:
        return None
    path = Path(ca_bundle).expanduser()
    try:
        return ssl.create_default_context(cafile=str(path))
    except (OSError, ssl.SSLError) as e:
        raise ConfigError(
            f"{source}.ca_bundle {ca_bundle!r} is not a readable PEM CA bundle "
            f"({e.__class__.__name__}): point it at the CA certificate file"
        ) from e
