"""The GitHub client: ``github.Github`` (PyGithub) with 100 items per page, lazy objects (no
request to address a repository), no client-side throttling, and a ``GithubRetry`` that retries
5xx, 429 and requests that got no answer up to ``policy.retries`` times, honours
``Retry-After`` (429/403) and never waits for a rate-limit reset longer than
``policy.max_wait``. A 5xx that persists surfaces as ``requests.exceptions.RetryError``.

PyGithub talks through one ``requests`` session per client, so connections are pooled (one TLS
handshake per host per worker). ``requests`` takes the proxy from ``HTTPS_PROXY`` and
``NO_PROXY`` itself; PyGithub has no way to hand it any other, so a ``github.proxy`` setting
is refused with what to do instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import github
from github.GithubRetry import GithubRetry

from ingest.clients.retry import DEFAULT_POLICY, NETWORK, RetryLog, RetryPolicy
from ingest.clients.secret import Secret, reveal
from ingest.clients.settings import Endpoint, endpoint
from ingest.config import GitHubSettings
from ingest.errors import ConfigError


class GitHubClient(github.Github):
    """The official client, carrying the endpoint and retry policy it was built with."""

    endpoint: Endpoint
    policy: RetryPolicy


def github_client(
    settings: GitHubSettings,
    token: Secret,
    *,
    policy: RetryPolicy = DEFAULT_POLICY,
    log: RetryLog | None = None,
    environ: Mapping[str, str] | None = None,
) -> GitHubClient:
    """A client for ``settings.base_url`` (github.com or ``https://HOST/api/v3``)."""
    if str(getattr(settings, "proxy", "") or "").strip():
        raise ConfigError(
            "github.proxy cannot be honoured: PyGithub has no proxy option. Set HTTPS_PROXY "
            "(and NO_PROXY for hosts to reach directly) for the command instead"
        )
    where = endpoint("github", settings, environ)
    retry = RecordingGithubRetry(
        source="github",
        log=log if log is not None else RetryLog(),
        policy=policy,
        total=policy.retries,
        backoff_factor=policy.backoff,
        backoff_max=policy.max_wait,
        retry_after_max=int(policy.max_wait),
        max_rate_limit_wait=policy.max_wait,
        secondary_rate_wait=min(60.0, policy.max_wait),
        status_forcelist=[*range(500, 600), 429],
    )
    client = GitHubClient(
        auth=github.Auth.Token(reveal(token)),
        base_url=where.base_url,
        per_page=100,
        # PyGithub asserts an int; requests would take a float. Round up, at least 1 s.
        timeout=max(1, int(-(-where.timeout // 1))),
        verify=where.ca_file or True,
        retry=retry,
        seconds_between_requests=None,
        seconds_between_writes=None,
        lazy=True,
    )
    client.endpoint = where
    client.policy = policy
    return client


class RecordingGithubRetry(GithubRetry):
    """``GithubRetry`` that records every retry in a :class:`RetryLog` and spends its wait with
    ``policy.sleep``. The wait is urllib3's own: ``Retry-After`` when the server gives one and
    the retry honours it, else the backoff (0 before the first retry of a request)."""

    def __init__(
        self,
        *,
        source: str = "github",
        log: RetryLog | None = None,
        policy: RetryPolicy = DEFAULT_POLICY,
        **kw: Any,
    ) -> None:
        self.source = source
        self.log = log if log is not None else RetryLog()
        self.policy = policy
        super().__init__(**kw)

    def new(self, **kw: Any) -> Any:
        kw.update(source=self.source, log=self.log, policy=self.policy)
        return super().new(**kw)

    def sleep(self, response: Any = None) -> None:
        wait = None
        if self.respect_retry_after_header and response is not None:
            wait = self.get_retry_after(response)
        if not wait:
            wait = self.get_backoff_time()
        status = int(getattr(response, "status", 0) or NETWORK)
        self.log.record(self.source, status, wait)
        if wait > 0:
            self.policy.sleep(wait)
