"""A fake Slack Web API: ``/api/<method>`` by POST with a form body or by GET with a query
string (Slack takes both; slack_sdk's async client reads with GET), answers in the official
shapes, cursor pagination (``response_metadata.next_cursor``, ``has_more``) and errors as
HTTP 200 with ``"ok": false`` (``invalid_auth``, ``channel_not_found``, ``not_in_channel``,
``missing_scope`` with ``needed``), as Slack does.
"""

from __future__ import annotations

import base64
import copy
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from .base import FakeServer, Recorded, Reply, load_fixture

# The scope each method needs (for public channels).
METHOD_SCOPES = {
    "conversations.list": "channels:read",
    "conversations.info": "channels:read",
    "conversations.history": "channels:history",
    "conversations.replies": "channels:history",
    "users.info": "users:read",
    "users.list": "users:read",
    "chat.getPermalink": "",
    "pins.list": "pins:read",
    "reactions.get": "reactions:read",
    "auth.test": "",
}
ALL_SCOPES = frozenset(scope for scope in METHOD_SCOPES.values() if scope)


@dataclass
class Channel:
    """One conversation: its ``conversations.info`` object, parent messages (and broadcasts),
    thread replies by parent ``ts``, and pins. ``member`` False gives ``not_in_channel``."""

    info: dict[str, Any]
    messages: list[dict[str, Any]] = field(default_factory=list)
    replies: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    pinned: list[str] = field(default_factory=list)
    member: bool = True


class FakeSlack(FakeServer):
    """Serves the Web API methods in ``METHOD_SCOPES`` for ``Authorization: Bearer <token>``."""

    name = "slack"

    def __init__(self, token: str, *, workspace: str = "acme", **kw: Any) -> None:
        super().__init__(**kw)
        self.token = token
        self.workspace = workspace
        self.scopes: set[str] = set(ALL_SCOPES)
        self.channels: dict[str, Channel] = {}
        self.users: dict[str, dict[str, Any]] = {}

    @property
    def base_url(self) -> str:
        return f"{self.origin}/api/"

    def add_channel(self, channel_id: str, name: str, **kw: Any) -> Channel:
        info = copy.deepcopy(load_fixture("slack_conversations_info.json")["channel"])
        info.update(id=channel_id, name=name, name_normalized=name)
        self.channels[channel_id] = Channel(info=info, **kw)
        return self.channels[channel_id]

    def add_user(self, user_id: str, name: str, real_name: str) -> dict[str, Any]:
        user = copy.deepcopy(load_fixture("slack_users_info.json")["user"])
        user.update(id=user_id, name=name, real_name=real_name)
        user["profile"].update(real_name=real_name, display_name=name)
        self.users[user_id] = user
        return user

    def fault_body(self, status: int) -> Any:
        return {"ok": False, "error": "ratelimited" if status == 429 else "internal_error"}

    def route(self, request: Recorded) -> Reply:
        method = request.path.removeprefix("/api/")
        if request.method not in ("GET", "POST") or method not in METHOD_SCOPES:
            return Reply(404, {"ok": False, "error": "unknown_method"})
        auth = request.headers.get("Authorization", "")
        if not auth:
            return _fail("not_authed")
        if auth != f"Bearer {self.token}":
            return _fail("invalid_auth")
        needed = METHOD_SCOPES[method]
        if needed and needed not in self.scopes:
            provided = ",".join(sorted(self.scopes))
            return _fail("missing_scope", needed=needed, provided=provided)
        return getattr(self, "_" + method.replace(".", "_"))(request)

    # -- methods -----------------------------------------------------------------------------

    def _auth_test(self, request: Recorded) -> Reply:
        return _ok(
            url=f"https://{self.workspace}.slack.com/",
            team=self.workspace,
            user="postmortem-bot",
            team_id="T012AB3C4",
            user_id="U0BOT0001",
            bot_id="B0BOT0001",
        )

    def _conversations_list(self, request: Recorded) -> Reply:
        infos = [c.info for c in self.channels.values()]
        page, cursor = _cursor_page(infos, request, default=100)
        return _ok(channels=page, response_metadata={"next_cursor": cursor})

    def _conversations_info(self, request: Recorded) -> Reply:
        channel = self.channels.get(request.arg("channel") or "")
        return _ok(channel=channel.info) if channel else _fail("channel_not_found")

    def _conversations_history(self, request: Recorded) -> Reply:
        channel, error = self._readable(request)
        if error:
            return error
        newest_first = sorted(channel.messages, key=lambda m: Decimal(m["ts"]), reverse=True)
        return self._messages(
            _in_range(newest_first, request), request, pin_count=len(channel.pinned)
        )

    def _conversations_replies(self, request: Recorded) -> Reply:
        channel, error = self._readable(request)
        if error:
            return error
        ts = request.arg("ts") or ""
        parent = next((m for m in channel.messages if m["ts"] == ts), None)
        if parent is None:
            return _fail("thread_not_found")
        replies = sorted(channel.replies.get(ts, []), key=lambda m: Decimal(m["ts"]))
        return self._messages([parent, *_in_range(replies, request)], request)

    def _users_info(self, request: Recorded) -> Reply:
        user = self.users.get(request.arg("user") or "")
        return _ok(user=user) if user else _fail("user_not_found")

    def _users_list(self, request: Recorded) -> Reply:
        page, cursor = _cursor_page(list(self.users.values()), request, default=100)
        return _ok(members=page, cache_ts=1498777272, response_metadata={"next_cursor": cursor})

    def _chat_getPermalink(self, request: Recorded) -> Reply:
        channel_id, ts = request.arg("channel") or "", request.arg("message_ts") or ""
        if channel_id not in self.channels:
            return _fail("channel_not_found")
        if not any(m["ts"] == ts for m in self._all_messages(channel_id)):
            return _fail("message_not_found")
        return _ok(channel=channel_id, permalink=self.permalink(channel_id, ts))

    def _pins_list(self, request: Recorded) -> Reply:
        channel, error = self._readable(request)
        if error:
            return error
        channel_id = channel.info["id"]
        by_ts = {m["ts"]: m for m in channel.messages}
        items = [
            {
                "type": "message",
                "channel": channel_id,
                "created": int(Decimal(ts)) + 60,
                "created_by": by_ts[ts].get("user", ""),
                "message": {
                    **by_ts[ts],
                    "permalink": self.permalink(channel_id, ts),
                    "pinned_to": [channel_id],
                },
            }
            for ts in channel.pinned
        ]
        return _ok(items=items)

    def _reactions_get(self, request: Recorded) -> Reply:
        channel, error = self._readable(request)
        if error:
            return error
        channel_id, ts = channel.info["id"], request.arg("timestamp") or ""
        message = next((m for m in self._all_messages(channel_id) if m["ts"] == ts), None)
        if message is None:
            return _fail("message_not_found")
        return _ok(type="message", channel=channel_id, message=message)

    # -- helpers -----------------------------------------------------------------------------

    def permalink(self, channel_id: str, ts: str) -> str:
        return f"https://{self.workspace}.slack.com/archives/{channel_id}/p{ts.replace('.', '')}"

    def _all_messages(self, channel_id: str) -> list[dict[str, Any]]:
        channel = self.channels[channel_id]
        return channel.messages + [r for replies in channel.replies.values() for r in replies]

    def _readable(self, request: Recorded) -> tuple[Any, Reply | None]:
        channel = self.channels.get(request.arg("channel") or "")
        if channel is None:
            return None, _fail("channel_not_found")
        if not channel.member:
            return None, _fail("not_in_channel")
        return channel, None

    def _messages(self, messages: list[dict[str, Any]], request: Recorded, **extra: Any) -> Reply:
        page, cursor = _cursor_page(messages, request, default=100, maximum=999)
        return _ok(
            messages=page, has_more=bool(cursor), response_metadata={"next_cursor": cursor}, **extra
        )


def _ok(**body: Any) -> Reply:
    return Reply(200, {"ok": True, **body})


def _fail(error: str, **extra: Any) -> Reply:
    return Reply(200, {"ok": False, "error": error, **extra})


def _in_range(messages: list[dict[str, Any]], request: Recorded) -> list[dict[str, Any]]:
    """``oldest``/``latest`` are exclusive unless ``inclusive=1``."""
    oldest, latest = request.arg("oldest"), request.arg("latest")
    inclusive = request.arg("inclusive") in ("1", "true")
    kept = []
    for message in messages:
        ts = Decimal(message["ts"])
        if oldest and (ts < Decimal(oldest) or (ts == Decimal(oldest) and not inclusive)):
            continue
        if latest and (ts > Decimal(latest) or (ts == Decimal(latest) and not inclusive)):
            continue
        kept.append(message)
    return kept


def _cursor_page(
    items: list[Any], request: Recorded, *, default: int, maximum: int = 1000
) -> tuple[list[Any], str]:
    """One page and the next cursor (``""`` at the end); cursors are opaque base64 offsets."""
    limit = min(int(request.arg("limit") or default), maximum)
    cursor = request.arg("cursor") or ""
    offset = int(base64.b64decode(cursor).decode().removeprefix("offset:")) if cursor else 0
    end = offset + limit
    next_cursor = base64.b64encode(f"offset:{end}".encode()).decode() if end < len(items) else ""
    return items[offset:end], next_cursor


# -- record builders -------------------------------------------------------------------------


def message(ts: str, text: str, *, user: str = "U061F7AUR", **extra: Any) -> dict[str, Any]:
    """A message in the shape of the spec's ``conversations.history`` example."""
    record = copy.deepcopy(load_fixture("slack_conversations_history.json")["messages"][0])
    record.update(ts=ts, text=text, user=user, **extra)
    return record


def reply(
    ts: str, text: str, *, parent_ts: str, user: str = "U061F7AUR", **extra: Any
) -> dict[str, Any]:
    """A thread reply in the shape of the spec's ``conversations.replies`` example."""
    record = copy.deepcopy(load_fixture("slack_conversations_replies.json")["messages"][1])
    record.update(ts=ts, text=text, user=user, thread_ts=parent_ts, **extra)
    return record
