"""The clients of one run: each built once, on first use, shared by every incident and worker
of the run, and closed when the run ends.

    with Clients(config, environ=environ) as clients:
        incident = fetch_incident(clients.pagerduty, ...)

A token is read from the environment only when its client is first asked for, so a source
that is not configured needs no token.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any

from ingest.clients.github import GitHubClient, github_client
from ingest.clients.pagerduty import PagerDutyClient, pagerduty_client
from ingest.clients.retry import DEFAULT_POLICY, RetryLog, RetryPolicy
from ingest.clients.secret import Secret
from ingest.clients.slack import SlackClient, slack_client
from ingest.config import Config

_BUILDERS = {"pagerduty": pagerduty_client, "github": github_client, "slack": slack_client}


class Clients:
    """The PagerDuty, GitHub and Slack clients of one run, built lazily and thread-safely."""

    def __init__(
        self,
        config: Config,
        *,
        environ: Mapping[str, str] | None = None,
        policy: RetryPolicy = DEFAULT_POLICY,
        log: RetryLog | None = None,
    ) -> None:
        self.config = config
        self.environ = environ
        self.policy = policy
        self.log = log if log is not None else RetryLog()
        self._built: dict[str, Any] = {}
        self._lock = threading.Lock()
        self.closed = False

    @property
    def pagerduty(self) -> PagerDutyClient:
        return self._get("pagerduty")

    @property
    def github(self) -> GitHubClient:
        return self._get("github")

    @property
    def slack(self) -> SlackClient:
        return self._get("slack")

    def built(self) -> tuple[str, ...]:
        """The sources whose client has been built so far."""
        with self._lock:
            return tuple(self._built)

    def _get(self, source: str) -> Any:
        with self._lock:
            if self.closed:
                raise RuntimeError("the clients of this run are closed")
            if source not in self._built:
                settings = getattr(self.config, source)
                token = Secret.from_env(settings.token_env, self.environ)
                self._built[source] = _BUILDERS[source](
                    settings, token, policy=self.policy, log=self.log, environ=self.environ
                )
            return self._built[source]

    def close(self) -> None:
        """Close every client built (their pooled connections with them)."""
        with self._lock:
            self.closed = True
            built, self._built = list(self._built.values()), {}
        for client in built:
            close = getattr(client, "close", None)
            if close is not None:
                close()

    def __enter__(self) -> Clients:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
