"""The Slack Web API as pages of chat events: an incident's channels, for a window.

Per channel: one ``pins.list``, then ``conversations.history`` pages (999 messages, the most
Slack allows) and, for each parent on a page whose thread has replies, ``conversations.replies``
pages (1000). Then history from ``slack.thread_lookback`` before the window to its start, for
threads started earlier whose replies reach into the window (only those threads are read).
Each history page and its threads' replies become one schema frame, built by
:func:`ingest.slack.normalise.messages_frame`. Replies sit at their own time with ``thread_ref``
naming the parent; a reply also sent to the channel (``thread_broadcast``) is one row.

People are looked up with one ``users.info`` per person, cached for the whole pull, never per
message. ``users.list`` would cost one Tier 2 call per 1000 members of the workspace (and fetch
all of them) to name the few dozen people of an incident channel, so it is not used.

Slack answers most errors as HTTP 200 with ``ok: false`` and the client raises
``SlackApiError``; every call goes through :class:`Api`, which counts it and translates those
errors into :class:`ingest.errors.SourceError` saying what to fix.
"""

from __future__ import annotations

import re
import threading
import weakref
from collections.abc import Iterable, Iterator, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

import msgspec
import pandas as pd

from ingest.clients.slack import SlackClient
from ingest.config import SlackSettings
from ingest.errors import ConfigError, InputError, SourceError
from ingest.people import Identity, slack_identities
from ingest.progress import Progress
from ingest.slack.api import Api
from ingest.slack.normalise import apply_edits, message_edits, messages_frame, user_names
from ingest.times import parse_duration
from ingest.types import Incident, Window
from ingest.vocab import add_tag, has_tag

SOURCE = "slack"
HISTORY_PAGE = 999  # conversations.history maximum
REPLIES_PAGE = 1000
CHANNELS_PAGE = 1000
_HISTORY = "conversations.history"

# Channel IDs are upper case (C public, G private, D direct); channel names never are.
_CHANNEL_ID = re.compile(r"[CGD][A-Z0-9]{6,}")
_MENTION = re.compile(r"<@([UW][A-Z0-9]+)")


def pull_slack(
    client: SlackClient,
    settings: SlackSettings,
    window: Window,
    progress: Progress,
    *,
    incident: Incident,
    people: SlackPeople | None = None,
) -> Iterator[pd.DataFrame]:
    """Yield schema frames of the incident's Slack messages inside ``window``, a page at a time.

    The channels are ``settings.channels``, else ``settings.channel_template`` filled with the
    incident's ``{number}`` / ``{id}``, plus ``settings.comms_channels``. Pinned messages are
    tagged ``pinned``; reactions come with the messages. Permalinks are built from
    ``settings.workspace_url`` (else one ``auth.test`` gives it). Each request is reported with
    ``progress.request("slack")`` and each frame with ``progress.page``. ``people`` (a fresh
    one if None) caches the authors' names and time zones across channels. Raises SourceError
    (bad token, missing scope, unknown channel, bot not in a channel, rate limited) or
    ConfigError (no channels configured).
    """
    api = Api(client, progress, settings.token_env)
    wanted = incident_channels(settings, incident)
    channels = dict.fromkeys(_resolve(api, wanted).values())  # one read per channel, in order
    workspace_url = settings.workspace_url or str(api.call("auth.test").get("url") or "")
    people = people if people is not None else SlackPeople()
    lookback = parse_duration(settings.thread_lookback, what="slack.thread_lookback")
    for channel_id, name in channels:
        channel = _Channel(api, people, channel_id, name, window, workspace_url)
        for frame in _channel_pages(channel):
            progress.page(SOURCE, len(frame))
            yield frame
        for frame in _old_threads(channel, pd.Timedelta(lookback)):
            progress.page(SOURCE, len(frame))
            yield frame
        if channel.old_threads:
            progress.count(SOURCE, "old_threads", channel.old_threads)


def incident_channels(settings: SlackSettings, incident: Incident) -> tuple[str, ...]:
    """The channel names or IDs to read: ``channels`` (else the filled ``channel_template``)
    and then ``comms_channels``, each once, without a leading ``#``."""
    chosen = settings.channels
    if not chosen and settings.channel_template:
        chosen = (_fill_template(settings.channel_template, incident),)
    names = [c.strip().removeprefix("#") for c in (*chosen, *settings.comms_channels)]
    names = [n for n in names if n]
    if not names:
        raise ConfigError(
            "no Slack channels to read: set slack.channels or slack.channel_template in the config"
        )
    return tuple(dict.fromkeys(names))


def resolve_channels(
    client: SlackClient, names_or_ids: Iterable[str], *, progress: Progress | None = None
) -> dict[str, tuple[str, str]]:
    """``{as given: (channel ID, name)}`` for channel names (``#`` optional) and IDs.

    Names are looked up in ``conversations.list`` (public and private, archived too, 1000 a
    page, stopping once all are found); IDs with one ``conversations.info`` each. Raises
    SourceError naming a channel that does not exist or that the bot cannot see.
    """
    return _resolve(Api(client, progress), tuple(names_or_ids))


def permalinks(client: SlackClient, refs: Iterable[str]) -> dict[str, str]:
    """``{ref: permalink}`` for message refs ``CHANNEL_ID/ts`` from ``chat.getPermalink``.

    Each ref is asked for once per client (answers are cached on it). A message or channel that
    no longer exists is left out, so the caller keeps the permalink it built. Raises SourceError
    for any other failure, ValueError for a ref that is not ``CHANNEL_ID/ts``.
    """
    with _PERMALINK_LOCK:
        cache = _PERMALINKS.setdefault(client, {})
    api = Api(client, None)
    found: dict[str, str] = {}
    for ref in dict.fromkeys(refs):
        if ref not in cache:
            channel_id, _, ts = ref.partition("/")
            if not channel_id or not ts:
                raise ValueError(f"{ref!r} is not a Slack message ref 'CHANNEL_ID/ts'")
            answer = api.call("chat.getPermalink", channel=channel_id, message_ts=ts, gone_ok=True)
            cache[ref] = str(answer.get("permalink") or "") if answer is not None else ""
        if cache[ref]:
            found[ref] = cache[ref]
    return found


_PERMALINKS: weakref.WeakKeyDictionary[SlackClient, dict[str, str]] = weakref.WeakKeyDictionary()
_PERMALINK_LOCK = threading.Lock()


# -- one channel -----------------------------------------------------------------------------


class _Channel(msgspec.Struct):
    """One channel being read, and what reading it found so far."""

    api: Api
    people: SlackPeople
    channel_id: str
    name: str
    window: Window
    workspace_url: str
    # Every ts read: a broadcast is in both lists.
    seen: set[str] = msgspec.field(default_factory=set)
    old_threads: int = 0  # threads started before the window with replies inside it

    @property
    def where(self) -> str:
        return "#" + self.name

    @property
    def span(self) -> dict[str, Any]:
        oldest, latest = slack_ts(self.window.start), slack_ts(self.window.end)
        return {"oldest": oldest, "latest": latest, "inclusive": True}

    def frame(self, records: list[dict[str, Any]]) -> pd.DataFrame:
        self.people.learn(self.api, records)
        try:
            return messages_frame(
                records,
                channel_id=self.channel_id,
                channel_name=self.name,
                users=self.people.names,
                workspace_url=self.workspace_url,
            )
        except InputError as e:  # a ts that is not seconds.micros: Slack's fault, not ours
            raise SourceError(
                f"{self.where}: {e}", source=SOURCE, url=self.api.url(_HISTORY)
            ) from e


def _old_threads(channel: _Channel, lookback: pd.Timedelta) -> Iterator[pd.DataFrame]:
    """Replies inside the window to threads whose parent was posted before it (a reply at
    10:50 to yesterday's maintenance thread): history from ``lookback`` before the window to
    its start, and the replies of each parent whose ``latest_reply`` reaches the window."""
    if lookback <= pd.Timedelta(0):
        return
    api, window, where = channel.api, channel.window, channel.where
    oldest = slack_ts(window.start)
    earlier = api.pages(
        _HISTORY,
        "messages",
        where=where,
        channel=channel.channel_id,
        limit=HISTORY_PAGE,
        oldest=slack_ts(window.start - lookback),
        latest=oldest,
        inclusive=False,
    )
    for messages in earlier:
        records: list[dict[str, Any]] = []
        for parent in messages:
            if not _has_replies_since(parent, oldest):
                continue
            span = channel.span
            replies = _thread(api, channel.channel_id, parent["ts"], where, span, channel.seen)
            if replies:
                channel.old_threads += 1
                records += [parent, *replies]
        if records:
            frame = channel.frame(records)
            frame = frame[window.contains(frame["ts"])]
            if len(frame):
                yield frame.sort_values("ts", kind="stable", ignore_index=True)


def _channel_pages(channel: _Channel) -> Iterator[pd.DataFrame]:
    api, channel_id, window, where = channel.api, channel.channel_id, channel.window, channel.where
    oldest = slack_ts(window.start)
    span = channel.span
    pins = api.call("pins.list", where=where, channel=channel_id)
    pinned = {
        f"{channel_id}/{item['message']['ts']}"
        for item in pins.get("items") or ()
        if (item.get("message") or {}).get("ts")
    }
    seen = channel.seen
    pending_edits: dict[str, str] = {}  # history runs newest first: edits come before originals
    history = api.pages(
        _HISTORY,
        "messages",
        where=where,
        channel=channel_id,
        limit=HISTORY_PAGE,
        **span,
    )
    for messages in history:
        seen.update(m.get("ts") or "" for m in messages)
        replies = []
        for parent in messages:
            if _has_replies_since(parent, oldest):
                replies += _thread(api, channel_id, parent["ts"], where, span, seen)
        records = messages + replies
        frame = channel.frame(records)
        edits = _latest_edits(pending_edits, message_edits(records))
        pending_edits = apply_edits(frame, edits, channel_id)
        frame = frame[window.contains(frame["ts"])]
        if len(frame):
            yield _mark_pinned(frame, pinned).sort_values("ts", kind="stable", ignore_index=True)


def _thread(
    api: Api, channel_id: str, parent_ts: str, where: str, span: dict, seen: set[str]
) -> list[dict[str, Any]]:
    """The replies of one thread, without its parent and without any message already read."""
    replies = []
    pages = api.pages(
        "conversations.replies",
        "messages",
        where=where,
        channel=channel_id,
        ts=parent_ts,
        limit=REPLIES_PAGE,
        **span,
    )
    for page in pages:
        for message in page:
            ts = message.get("ts") or ""
            if ts != parent_ts and ts not in seen:
                seen.add(ts)
                replies.append(message)
    return replies


def _has_replies_since(message: Mapping[str, Any], oldest: str) -> bool:
    """A thread parent with replies, the last of which is not before the window."""
    ts = message.get("ts")
    if not message.get("reply_count") or message.get("thread_ts", ts) != ts:
        return False
    last = message.get("latest_reply")
    return not last or _decimal(last) >= _decimal(oldest)


def _latest_edits(old: dict[str, str], new: dict[str, str]) -> dict[str, str]:
    merged = dict(old)
    for ts, edited in new.items():
        if ts not in merged or _decimal(edited) > _decimal(merged[ts]):
            merged[ts] = edited
    return merged


def _mark_pinned(frame: pd.DataFrame, pinned_refs: set[str]) -> pd.DataFrame:
    if not pinned_refs or frame.empty:
        return frame
    hit = frame["ref"].isin(pinned_refs) & ~has_tag(frame["tags"], "pinned")
    if hit.any():
        frame = frame.copy()
        frame.loc[hit, "tags"] = add_tag(frame.loc[hit, "tags"], "pinned", first=True)
    return frame


def slack_ts(moment: pd.Timestamp) -> str:
    """A UTC time as a Slack ``ts`` string (``seconds.micros``), exact to the microsecond."""
    nanos = pd.Timestamp(moment).tz_convert("UTC").value
    seconds, rest = divmod(nanos, 1_000_000_000)
    return f"{seconds}.{rest // 1000:06d}"


def _decimal(stamp: str) -> Decimal:
    try:
        return Decimal(stamp)
    except InvalidOperation:
        return Decimal(0)


def _fill_template(template: str, incident: Incident) -> str:
    values = {"number": incident.number, "id": incident.id}
    try:
        return template.format_map({k: v for k, v in values.items() if v not in (None, "")})
    except KeyError as e:
        field = e.args[0]
        if field in values:
            raise ConfigError(
                f"slack.channel_template {template!r} needs the incident's {{{field}}}, which "
                "this incident does not have: set slack.channels instead"
            ) from e
        raise ConfigError(
            f"slack.channel_template {template!r} uses {{{field}}}; "
            "it can use {number} and {id}"
        ) from e
    except (ValueError, IndexError) as e:
        raise ConfigError(
            f"slack.channel_template {template!r} is not a name template such as 'inc-{{number}}'"
        ) from e


# -- channels and people ---------------------------------------------------------------------


def _resolve(api: Api, names_or_ids: tuple[str, ...]) -> dict[str, tuple[str, str]]:
    resolved: dict[str, tuple[str, str]] = {}
    by_name: dict[str, list[str]] = {}
    for given in names_or_ids:
        bare = given.strip().removeprefix("#")
        if _CHANNEL_ID.fullmatch(bare):
            info = api.call("conversations.info", where=bare, channel=bare)["channel"]
            resolved[given] = (info["id"], info.get("name") or bare)
        else:
            by_name.setdefault(bare, []).append(given)
    if by_name:
        listing = api.pages(
            "conversations.list",
            "channels",
            types="public_channel,private_channel",
            exclude_archived=False,
            limit=CHANNELS_PAGE,
        )
        for channels in listing:
            for channel in channels:
                for name in {channel.get("name"), channel.get("name_normalized")} & set(by_name):
                    for given in by_name.pop(name):
                        resolved[given] = (channel["id"], channel["name"])
            if not by_name:
                break  # found them all: skip the rest of the workspace
    if by_name:
        missing = ", ".join("#" + name for name in by_name)
        raise SourceError(
            f"channel {missing} not found: check slack.channels (a private channel is only "
            "visible once the bot is invited)",
            source=SOURCE,
            url=api.url("conversations.list"),
        )
    return {given: resolved[given] for given in names_or_ids}


class SlackPeople(msgspec.Struct):
    """Display names and time zones (IANA) of the people seen, by user ID: one ``users.info``
    each, however many messages they wrote. Pass one to :func:`pull_slack` to read it after.

    ``identities`` gets each person's identity (``ingest.people``) from the ``users.info``
    answer, or, for a user Slack no longer knows, from the profile their message carries."""

    names: dict[str, str] = msgspec.field(default_factory=dict)
    zones: dict[str, str] = msgspec.field(default_factory=dict)
    asked: set[str] = msgspec.field(default_factory=set)
    identities: list[Identity] = msgspec.field(default_factory=list)

    def learn(self, api: Api, messages: Iterable[Mapping[str, Any]]) -> None:
        """Look up every author and mentioned person of ``messages`` not asked about yet."""
        ids: dict[str, None] = {}
        profiles: dict[str, Mapping[str, Any]] = {}
        for message in messages:
            if message.get("user"):
                ids[message["user"]] = None
                if isinstance(message.get("user_profile"), Mapping):
                    profiles.setdefault(message["user"], message["user_profile"])
            text = message.get("text") or ""
            if "<@" in text:
                ids.update(dict.fromkeys(_MENTION.findall(text)))
        for user_id in ids:
            if user_id in self.asked:
                continue
            self.asked.add(user_id)
            answer = api.call("users.info", user=user_id, missing_ok=True)
            if answer is None:
                # A departed or foreign user: the message's own profile names them.
                self.identities.extend(_profile_identity(user_id, profiles.get(user_id)))
                continue
            user = answer["user"]
            self.identities.extend(slack_identities([user]))
            self.names.update(user_names([user]))
            if user.get("tz"):
                self.zones[user_id] = user["tz"]


def _profile_identity(user_id: str, profile: Mapping[str, Any] | None) -> list[Identity]:
    """The identity a message's ``user_profile`` gives its author (handle, names)."""
    if profile is None:
        return []
    member = {
        "id": user_id,
        "name": profile.get("name"),
        "real_name": profile.get("real_name"),
        "profile": profile,
    }
    return slack_identities([member])
