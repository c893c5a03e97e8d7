"""The live Slack connector: the real slack_sdk client, built by ingest.clients, over HTTP on
loopback against the fake Slack Web API (tests/fakes/slack.py). Nothing is patched."""

from __future__ import annotations

from collections import Counter

import pandas as pd
import pytest

from ingest.clients import RetryLog, RetryPolicy, Secret, slack_client
from ingest.config import SlackSettings
from ingest.errors import ConfigError, SourceError
from ingest.progress import Progress
from ingest.schema import concat, validate
from ingest.slack.live import (
    HISTORY_PAGE,
    SlackPeople,
    incident_channels,
    permalinks,
    pull_slack,
    resolve_channels,
    slack_ts,
)
from ingest.types import Incident, Window
from tests.fakes import SLACK_TEST_TOKEN
from tests.fakes import slack as sl

FAST = RetryPolicy(retries=2, backoff=0.01, max_wait=5)
START = 1714557600  # 2024-05-01T10:00:00Z
WINDOW = Window(
    pd.Timestamp(START, unit="s", tz="UTC"), pd.Timestamp(START + 3600, unit="s", tz="UTC")
)
CHANNEL = "C0INC0042"
INCIDENT = Incident(id="PT4KHLK", number=42)
WORKSPACE = "https://acme.slack.com"


def at(seconds: int, micros: int = 0) -> str:
    """A Slack ts ``seconds`` after the window start."""
    return f"{START + seconds}.{micros:06d}"


_OPENED: list = []


@pytest.fixture(autouse=True)
def _close_clients():
    """Close every client a test built, so no connection outlives its test."""
    yield
    while _OPENED:
        _OPENED.pop().close()


def make_client(fake, *, token=SLACK_TEST_TOKEN, log=None, policy=FAST):
    settings = SlackSettings(base_url=fake.base_url)
    client = slack_client(settings, Secret(token), policy=policy, log=log)
    _OPENED.append(client)
    return client


def settings_for(fake, **kw) -> SlackSettings:
    kw.setdefault("channels", ("inc-42",))
    kw.setdefault("workspace_url", WORKSPACE)
    return SlackSettings(base_url=fake.base_url, **kw)


def pull(fake, client=None, progress=None, **settings) -> pd.DataFrame:
    frames = list(
        pull_slack(
            client or make_client(fake),
            settings_for(fake, **settings),
            WINDOW,
            progress or Progress(),
            incident=INCIDENT,
        )
    )
    for frame in frames:
        validate(frame)
    return concat(frames)


def odd_channel(fake):
    """An incident channel holding one of each odd record Slack serves."""
    fake.add_user("U0ALICE01", "alice", "Alice Archer")
    fake.add_user("U0BOB0001", "bob", "Bob Baker")
    fake.add_user("U0CAROL01", "carol", "Carol Chen")
    channel = fake.add_channel(CHANNEL, "inc-42")
    parent = at(100)
    channel.messages += [
        sl.message(at(-600), "before the window", user="U0BOB0001"),
        sl.message(
            parent,
            "checkout 500s, declaring an incident, paging <@U0CAROL01>",
            user="U0ALICE01",
            thread_ts=parent,
            reply_count=3,
            latest_reply=at(3700),
            reactions=[{"name": "rotating_light", "count": 1, "users": ["U0BOB0001"]}],
        ),
        sl.message(
            at(200), "<@U0BOB0001> has joined the channel", user="U0BOB0001", subtype="channel_join"
        ),
        {
            "type": "message",
            "subtype": "bot_message",
            "ts": at(300),
            "bot_id": "B0DEPLOY1",
            "username": "deploybot",
            "text": "deploy 4f2a started",
        },
        sl.message(
            at(400),
            "error rate 12%",
            user="U0BOB0001",
            edited={"user": "U0BOB0001", "ts": at(1400, 1)},
        ),
        sl.message(
            at(500),
            "",
            user="U0CAROL01",
            subtype="file_share",
            files=[{"id": "F1", "name": "latency.png"}],
        ),
        sl.message(
            at(600),
            "rolling back now",
            user="U0ALICE01",
            subtype="thread_broadcast",
            thread_ts=parent,
        ),
        {
            "type": "message",
            "subtype": "message_deleted",
            "hidden": True,
            "ts": at(700),
            "deleted_ts": at(450),
            "previous_message": {"ts": at(450), "text": "oops"},
        },
        {
            "type": "message",
            "subtype": "message_changed",
            "hidden": True,
            "ts": at(800),
            "message": {
                "type": "message",
                "user": "U0CAROL01",
                "ts": at(500),
                "text": "graph",
                "edited": {"user": "U0CAROL01", "ts": at(800)},
            },
            "previous_message": {"ts": at(500), "text": ""},
        },
        sl.message(at(900), "rollback finished, error rate back to 0.1%", user="U0BOB0001"),
        sl.message(at(3600), "closing the incident", user="U0ALICE01"),  # exactly the end
        sl.message(at(3700), "after the window", user="U0ALICE01"),
    ]
    channel.replies[parent] = [
        sl.reply(at(150), "I'm on it", parent_ts=parent, user="U0CAROL01"),
        {**channel.messages[6]},  # the broadcast, which the thread holds too
        sl.reply(at(1000), "confirmed from the canary", parent_ts=parent, user="U0CAROL01"),
        sl.reply(at(3700), "postmortem on Friday", parent_ts=parent, user="U0ALICE01"),
    ]
    channel.pinned.append(parent)
    return channel


# -- the rows ----------------------------------------------------------------------------------


def test_odd_records_become_one_honest_row_each(fake_slack):
    odd_channel(fake_slack)
    frame = pull(fake_slack).set_index("ref")
    ref = lambda seconds, micros=0: f"{CHANNEL}/{at(seconds, micros)}"  # noqa: E731

    expected = [ref(s) for s in (100, 150, 200, 300, 400, 500, 600, 700, 900, 1000, 3600)]
    assert list(frame.index) == expected  # in time order; outside the window is gone
    assert frame.loc[ref(100), "tags"] == "pinned reaction:rotating_light"
    assert frame.loc[ref(100), "summary"] == ("checkout 500s, declaring an incident, paging @carol")
    assert frame.loc[ref(100), "actor"] == "alice"
    assert frame.loc[ref(200), "tags"] == "system"
    assert (frame.loc[ref(300), "actor"], frame.loc[ref(300), "tags"]) == ("deploybot", "bot")
    edit = pd.Timestamp(START + 1400, unit="s", tz="UTC") + pd.Timedelta(microseconds=1)
    assert frame.loc[ref(400), "edited_at"] == edit
    assert frame.loc[ref(500), "summary"] == "[files: latency.png]"
    assert frame.loc[ref(500), "edited_at"] == pd.Timestamp(START + 800, unit="s", tz="UTC")
    assert frame.loc[ref(700), "summary"] == f"message {ref(450)} was deleted"
    assert frame.loc[ref(700), "tags"] == "system"
    # The broadcast reply is one row, a reply of its thread, tagged as broadcast.
    assert frame.loc[ref(600), "kind"] == "chat.reply"
    assert frame.loc[ref(600), "tags"] == "broadcast"
    assert frame.loc[ref(600), "thread_ref"] == ref(100)


def test_a_reply_sits_at_its_own_time_after_a_later_top_level_message(fake_slack):
    odd_channel(fake_slack)
    frame = pull(fake_slack)
    refs = list(frame["ref"])
    late_reply, later_message = f"{CHANNEL}/{at(1000)}", f"{CHANNEL}/{at(900)}"
    assert refs.index(late_reply) == refs.index(later_message) + 1
    row = frame[frame["ref"] == late_reply].iloc[0]
    assert (row["kind"], row["thread_ref"]) == ("chat.reply", f"{CHANNEL}/{at(100)}")
    assert row["url"] == (
        f"{WORKSPACE}/archives/{CHANNEL}/p{at(1000).replace('.', '')}"
        f"?thread_ts={at(100)}&cid={CHANNEL}"
    )
    assert set(frame["channel"]) == {"#inc-42"} and set(frame["source"]) == {"slack"}


def window_reads(fake) -> list:
    """The history requests for the window itself (the look back for older threads is the
    one that excludes its ``latest``: the window's start)."""
    return [r for r in fake.requests_to("conversations.history") if r.arg("inclusive") == "1"]


def test_requests_are_the_minimum_and_users_are_asked_once_each(fake_slack):
    odd_channel(fake_slack)
    progress = Progress()
    pull(fake_slack, progress=progress)

    made = Counter(r.path.removeprefix("/api/") for r in fake_slack.requests)
    assert made == {
        "conversations.list": 1,
        "pins.list": 1,
        "conversations.history": 2,  # the window, and the week before it for older threads
        "conversations.replies": 1,  # only the parent with replies
        "users.info": 3,  # alice, bob, carol: many messages each, one lookup each
    }
    asked = [r.arg("user") for r in fake_slack.requests_to("users.info")]
    assert sorted(asked) == ["U0ALICE01", "U0BOB0001", "U0CAROL01"]
    assert progress.sources["slack"].requests == len(fake_slack.requests)
    assert progress.sources["slack"].events == 11

    history, before = fake_slack.requests_to("conversations.history")
    assert (history.arg("oldest"), history.arg("latest")) == (at(0), at(3600))
    assert (history.arg("inclusive"), history.arg("limit")) == ("1", str(HISTORY_PAGE))
    assert (before.arg("oldest"), before.arg("latest")) == (at(-7 * 86400), at(0))
    assert before.arg("inclusive") == "0"  # the window's first message is not read twice
    [replies] = fake_slack.requests_to("conversations.replies")
    assert (replies.arg("ts"), replies.arg("limit")) == (at(100), "1000")


def test_history_and_replies_paginate_and_edits_reach_older_pages(fake_slack):
    fake_slack.add_user("U0ALICE01", "alice", "Alice Archer")
    channel = fake_slack.add_channel(CHANNEL, "inc-42")
    filler = [
        sl.message(at(1 + i // 1000, i % 1000), f"tick {i}", user="U0ALICE01") for i in range(2400)
    ]
    parent = filler[0]
    parent.update(thread_ts=parent["ts"], reply_count=1200)
    channel.messages += filler
    channel.replies[parent["ts"]] = [
        sl.reply(at(10, i), f"reply {i}", parent_ts=parent["ts"], user="U0ALICE01")
        for i in range(1200)
    ]
    # Newest in history, so on the first page; it edits the oldest message, on the last page.
    channel.messages.append(
        {
            "type": "message",
            "subtype": "message_changed",
            "hidden": True,
            "ts": at(20),
            "message": {
                "ts": parent["ts"],
                "text": "tick 0 (edited)",
                "edited": {"user": "U0ALICE01", "ts": at(20)},
            },
        }
    )
    progress = Progress()
    frame = pull(fake_slack, progress=progress)

    assert len(frame) == 2400 + 1200 and frame["ref"].is_unique
    assert (frame["kind"] == "chat.reply").sum() == 1200
    history = window_reads(fake_slack)
    assert len(history) == 3  # 2401 records at 999 a page
    assert [bool(r.arg("cursor")) for r in history] == [False, True, True]
    assert len(fake_slack.requests_to("conversations.replies")) == 2  # 1201 at 1000 a page
    assert len(fake_slack.requests_to("users.info")) == 1
    assert progress.sources["slack"].pages == 3
    edited = frame.loc[frame["ref"] == f"{CHANNEL}/{parent['ts']}", "edited_at"].iloc[0]
    assert edited == pd.Timestamp(START + 20, unit="s", tz="UTC")


def test_one_429_and_one_5xx_on_the_way_are_recovered(fake_slack):
    odd_channel(fake_slack)
    log = RetryLog()
    fake_slack.fail_next(1, 429, path="conversations.history", retry_after="1")
    fake_slack.fail_next(1, 503, path="conversations.replies", retry_after=None)
    frame = pull(fake_slack, client=make_client(fake_slack, log=log))

    assert len(frame) == 11
    assert len(window_reads(fake_slack)) == 2
    assert len(fake_slack.requests_to("conversations.replies")) == 2
    assert [(status, wait) for _, status, wait in log.waits] == [(429, 1.0), (503, 0.01)]


def test_people_carry_names_and_time_zones_and_a_vanished_user_is_asked_once(fake_slack):
    odd_channel(fake_slack)
    fake_slack.users["U0CAROL01"]["tz"] = "Europe/Berlin"
    fake_slack.channels[CHANNEL].messages.append(
        sl.message(at(1100), "hello from a former colleague", user="U0GONE001")
    )
    people = SlackPeople()
    settings = settings_for(fake_slack, comms_channels=(CHANNEL,))
    frame = concat(
        pull_slack(
            make_client(fake_slack), settings, WINDOW, Progress(), incident=INCIDENT, people=people
        )
    )
    assert people.names == {"U0ALICE01": "alice", "U0BOB0001": "bob", "U0CAROL01": "carol"}
    assert people.zones["U0CAROL01"] == "Europe/Berlin"
    assert people.zones["U0ALICE01"] == "America/Los_Angeles"  # the spec example's zone
    asked = Counter(r.arg("user") for r in fake_slack.requests_to("users.info"))
    assert asked == {"U0ALICE01": 1, "U0BOB0001": 1, "U0CAROL01": 1, "U0GONE001": 1}
    gone = frame[frame["ref"] == f"{CHANNEL}/{at(1100)}"].iloc[0]
    assert gone["actor"] == "U0GONE001"


def test_a_message_with_a_broken_ts_is_a_source_error(fake_slack):
    odd_channel(fake_slack)
    fake_slack.channels[CHANNEL].messages.append(sl.message(f"+{START + 50}.000100", "garbled"))
    error = failure(fake_slack)
    assert str(error).startswith("slack: #inc-42: a message has ts '+1714557650.000100'")


def test_permalinks_are_built_from_auth_test_without_a_workspace_url(fake_slack):
    odd_channel(fake_slack)
    frame = pull(fake_slack, workspace_url="")
    assert len(fake_slack.requests_to("auth.test")) == 1
    row = frame[frame["ref"] == f"{CHANNEL}/{at(100)}"].iloc[0]
    assert row["url"] == fake_slack.permalink(CHANNEL, at(100))


def test_template_and_comms_channels_are_read_once_each(fake_slack):
    odd_channel(fake_slack)
    comms = fake_slack.add_channel("C0STATUS1", "status-updates")
    comms.messages.append(sl.message(at(1200), "Investigating checkout errors", user="U0ALICE01"))
    frame = pull(
        fake_slack,
        channels=(),
        channel_template="inc-{number}",
        comms_channels=("#status-updates", CHANNEL),
    )
    assert frame.groupby("channel")["ref"].count().to_dict() == {
        "#inc-42": 11,
        "#status-updates": 1,
    }
    assert len(window_reads(fake_slack)) == 2
    assert len(fake_slack.requests_to("users.info")) == 3  # the cache spans channels


def test_incident_channels_from_settings():
    settings = SlackSettings(channel_template="inc-{number}-{id}", comms_channels=("#status",))
    assert incident_channels(settings, INCIDENT) == ("inc-42-PT4KHLK", "status")
    chosen = SlackSettings(channels=("#a", "b"), channel_template="inc-{number}")
    assert incident_channels(chosen, INCIDENT) == ("a", "b")
    with pytest.raises(ConfigError, match=r"uses \{severity\}; it can use \{number\} and \{id\}"):
        incident_channels(SlackSettings(channel_template="inc-{severity}"), INCIDENT)
    with pytest.raises(ConfigError, match=r"needs the incident's \{number\}.*slack.channels"):
        incident_channels(SlackSettings(channel_template="inc-{number}"), Incident(id="P1"))
    with pytest.raises(ConfigError, match="set slack.channels or slack.channel_template"):
        incident_channels(SlackSettings(), INCIDENT)


def test_window_ends_become_exact_slack_stamps():
    moment = pd.Timestamp("2024-05-01T12:00:00.000123+02:00")
    assert slack_ts(moment) == f"{START}.000123"


# -- channels and permalinks -------------------------------------------------------------------


def test_resolve_channels_pages_the_list_and_stops_when_all_are_found(fake_slack):
    for i in range(1500):
        fake_slack.add_channel(f"C0FILL{i:04d}", f"fill-{i}")
    client = make_client(fake_slack)
    assert resolve_channels(client, ["#fill-3", "fill-1400", "C0FILL0007"]) == {
        "#fill-3": ("C0FILL0003", "fill-3"),
        "fill-1400": ("C0FILL1400", "fill-1400"),
        "C0FILL0007": ("C0FILL0007", "fill-7"),
    }
    listed = fake_slack.requests_to("conversations.list")
    assert len(listed) == 2
    first = listed[0]
    assert (first.arg("limit"), first.arg("types")) == ("1000", "public_channel,private_channel")
    assert first.arg("exclude_archived") == "0"
    assert len(fake_slack.requests_to("conversations.info")) == 1

    fake_slack.reset_log()
    assert resolve_channels(client, ["fill-2"]) == {"fill-2": ("C0FILL0002", "fill-2")}
    assert len(fake_slack.requests) == 1  # found on the first page: no second page


def test_permalinks_are_fetched_once_per_ref(fake_slack):
    odd_channel(fake_slack)
    client = make_client(fake_slack)
    known, gone = f"{CHANNEL}/{at(100)}", f"{CHANNEL}/{at(4242)}"
    assert permalinks(client, [known, known, gone]) == {
        known: fake_slack.permalink(CHANNEL, at(100))
    }
    assert permalinks(client, [known]) == {known: fake_slack.permalink(CHANNEL, at(100))}
    asked = [r.arg("message_ts") for r in fake_slack.requests_to("chat.getPermalink")]
    assert asked == [at(100), at(4242)]
    assert permalinks(make_client(fake_slack), [known])  # a new client asks again
    assert len(fake_slack.requests_to("chat.getPermalink")) == 3
    with pytest.raises(ValueError, match="not a Slack message ref"):
        permalinks(client, ["no-slash"])


# -- errors ------------------------------------------------------------------------------------


def failure(fake, *, token=SLACK_TEST_TOKEN, **kw) -> SourceError:
    """The SourceError a pull raises, checked to carry the source and never the token."""
    with pytest.raises(SourceError) as caught:
        pull(fake, **kw)
    error = caught.value
    assert error.source == "slack"
    for text in (str(error), repr(error), error.url, str(error.__cause__)):
        assert token not in text
    return error


def test_bot_not_in_channel_says_how_to_invite_it(fake_slack):
    odd_channel(fake_slack)
    fake_slack.add_channel("C0PRIVATE", "secret-room", member=False)
    error = failure(fake_slack, channels=("secret-room",))
    assert str(error) == (
        "slack: the bot is not in #secret-room: invite it with /invite @postmortem-bot"
    )
    assert error.url.endswith("/api/pins.list") and error.status == 200


def test_unknown_channel_names_it(fake_slack):
    odd_channel(fake_slack)
    error = failure(fake_slack, channels=("inc-42", "#no-such-room"))
    assert str(error).startswith("slack: channel #no-such-room not found: check slack.channels")
    error = failure(fake_slack, channels=("C0NOWHERE1",))
    assert str(error).startswith("slack: channel C0NOWHERE1 not found")
    assert error.url.endswith("/api/conversations.info")


def test_missing_scope_names_the_scope(fake_slack):
    odd_channel(fake_slack)
    fake_slack.scopes.discard("channels:history")
    error = failure(fake_slack)
    assert "lacks the channels:history scope needed by conversations.history" in str(error)


@pytest.mark.parametrize("token", ["xoxb-9999-8888-WRONGtoken0000000", ""])
def test_a_refused_token_names_the_variable_and_never_itself(fake_slack, token):
    odd_channel(fake_slack)
    client = make_client(fake_slack, token=token)
    error = failure(
        fake_slack, token=token or SLACK_TEST_TOKEN, client=client, token_env="MY_SLACK"
    )
    expected = "invalid_auth" if token else "not_authed"
    assert str(error) == (
        f"slack: the token in MY_SLACK was refused ({expected}): "
        "set it to the app's bot token (xoxb-...)"
    )


def test_rate_limit_that_outlasts_the_retries_says_so(fake_slack):
    odd_channel(fake_slack)
    fake_slack.fail_next(50, 429, path="conversations.history", retry_after="0")
    error = failure(fake_slack)
    assert str(error) == (
        "slack: rate limited on conversations.history (it asks to wait 0 s) after retrying; "
        "run again later"
    )
    assert error.status == 429
    assert len(fake_slack.requests_to("conversations.history")) == FAST.retries + 1


def test_a_server_error_that_persists_says_so(fake_slack):
    odd_channel(fake_slack)
    fake_slack.fail_next(50, 502, path="users.info", retry_after=None)
    error = failure(fake_slack)
    assert (
        str(error) == "slack: Slack answered HTTP 502 on users.info after retrying; run again later"
    )
    assert error.status == 502


def test_an_unreachable_server_names_the_base_url(fake_slack):
    odd_channel(fake_slack)
    client, settings = make_client(fake_slack), settings_for(fake_slack)
    fake_slack.stop()
    with pytest.raises(SourceError) as caught:
        list(pull_slack(client, settings, WINDOW, Progress(), incident=INCIDENT))
    host = settings.base_url.split("/")[2]  # 127.0.0.1:PORT
    assert str(caught.value).startswith(
        f"slack: cannot connect to {host} (connection refused; 3 attempts (2 retries))"
    )
    assert "check slack.base_url" in str(caught.value)
