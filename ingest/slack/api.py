"""Every Slack Web API call of the live reader: counted, reported to progress, and its errors
translated into :class:`~ingest.errors.SourceError` saying what to fix.

Slack answers most errors as HTTP 200 with ``ok: false`` and the client raises
``SlackApiError``; a request that got no answer at all is named by
:func:`ingest.clients.network.network_error` (TLS failure, timeout, refused).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from slack_sdk.errors import SlackApiError

from ingest.clients.network import TLS, failure_kind, network_error
from ingest.clients.retry import retry_after
from ingest.clients.slack import NO_ANSWER, SlackClient
from ingest.errors import SourceError
from ingest.progress import Progress

SOURCE = "slack"
_BAD_TOKEN = frozenset(
    {"invalid_auth", "not_authed", "account_inactive", "token_revoked", "token_expired"}
)
_GONE = frozenset({"message_not_found", "channel_not_found", "thread_not_found"})


class Api:
    """Every Web API call: counted, reported to progress, errors translated to SourceError."""

    def __init__(self, client: SlackClient, progress: Progress | None, token_env: str = "") -> None:
        self.client = client
        self.progress = progress
        self.token_env = token_env or "SLACK_BOT_TOKEN"

    def url(self, method: str) -> str:
        return f"{self.client.base_url}{method}"  # the token travels in a header, never here

    def call(
        self,
        method: str,
        *,
        where: str = "",
        gone_ok: bool = False,
        missing_ok: bool = False,
        **args: Any,
    ) -> Any:
        """One call; None instead of an error when ``gone_ok`` (message or channel gone) or
        ``missing_ok`` (user not found) allows it."""
        if self.progress is not None:
            self.progress.request(SOURCE)
        try:
            return self.client.call(method, **args)
        except SlackApiError as e:
            error = str(e.response.get("error") or "")
            if (gone_ok and error in _GONE) or (missing_ok and error.startswith("user_not")):
                return None
            raise self._error(method, where, e) from e
        except NO_ANSWER as e:
            attempts = 1 if failure_kind(e) == TLS else self.client.policy.attempts
            raise network_error(
                e, self.client.endpoint, attempts=attempts, url=self.url(method)
            ) from e

    def pages(self, method: str, key: str, *, where: str = "", **args: Any) -> Iterator[list]:
        """The ``key`` list of each page, following ``response_metadata.next_cursor``."""
        cursor = ""
        while True:
            more: dict[str, Any] = {"cursor": cursor} if cursor else {}
            answer = self.call(method, where=where, **args, **more)
            yield list(answer.get(key) or ())
            cursor = (answer.get("response_metadata") or {}).get("next_cursor") or ""
            if not cursor:
                return

    def _error(self, method: str, where: str, e: SlackApiError) -> SourceError:
        error = str(e.response.get("error") or "")
        status = e.response.status_code
        place = where or "the channel"
        if error in _BAD_TOKEN:
            message = (
                f"the token in {self.token_env} was refused ({error}): set it to the app's "
                "bot token (xoxb-...)"
            )
        elif error == "missing_scope":
            needed = e.response.get("needed") or "?"
            message = (
                f"the token lacks the {needed} scope needed by {method}: add it to the Slack "
                "app and reinstall it"
            )
        elif error == "not_in_channel":
            message = f"the bot is not in {place}: invite it with /invite @{self._bot_name()}"
        elif error == "channel_not_found":
            message = (
                f"channel {place} not found: check slack.channels (a private channel is only "
                "visible once the bot is invited)"
            )
        elif status == 429 or error == "ratelimited":
            wait = retry_after(e.response.headers)
            asked = f" (it asks to wait {wait:g} s)" if wait is not None else ""
            message = f"rate limited on {method}{asked} after retrying; run again later"
        elif status >= 500:
            message = f"Slack answered HTTP {status} on {method} after retrying; run again later"
        else:
            message = f"{method} failed for {place}: {error or f'HTTP {status}'}"
        return SourceError(message, source=SOURCE, url=self.url(method), status=status)

    def _bot_name(self) -> str:
        try:
            return str(self.client.call("auth.test").get("user") or "BOT")
        except NO_ANSWER:
            return "BOT"
