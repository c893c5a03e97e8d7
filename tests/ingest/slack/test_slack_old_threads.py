"""Live Slack: replies inside the window to threads started before it, found by reading
history back ``slack.thread_lookback`` (against the fake Slack Web API over HTTP)."""

from __future__ import annotations

import pandas as pd

from ingest.progress import Progress
from tests.fakes import slack as sl
from tests.ingest.slack.test_slack_live import CHANNEL, WORKSPACE, at, pull

DAY = 86400


def status_channel(fake):
    """Yesterday's maintenance thread answered during the incident, an older thread answered
    only yesterday, and a thread started three weeks ago answered during the incident."""
    fake.add_user("U0ALICE01", "alice", "Alice Archer")
    channel = fake.add_channel(CHANNEL, "inc-42")
    yesterday, older, ancient = at(-DAY), at(-2 * DAY), at(-21 * DAY)
    channel.messages += [
        sl.message(
            yesterday,
            "maintenance on the payments DB tonight",
            user="U0ALICE01",
            thread_ts=yesterday,
            reply_count=2,
            latest_reply=at(3000),
        ),
        sl.message(
            older,
            "cert rotation done",
            user="U0ALICE01",
            thread_ts=older,
            reply_count=1,
            latest_reply=at(-DAY + 60),
        ),
        sl.message(
            ancient,
            "quarterly failover drill",
            user="U0ALICE01",
            thread_ts=ancient,
            reply_count=1,
            latest_reply=at(1200),
        ),
        sl.message(at(100), "checkout 500s", user="U0ALICE01"),
    ]
    channel.replies[yesterday] = [
        sl.reply(at(-DAY + 30), "starting", parent_ts=yesterday, user="U0ALICE01"),
        sl.reply(at(3000), "is this related to checkout?", parent_ts=yesterday, user="U0ALICE01"),
    ]
    channel.replies[older] = [
        sl.reply(at(-DAY + 60), "all hosts rotated", parent_ts=older, user="U0ALICE01")
    ]
    channel.replies[ancient] = [
        sl.reply(at(1200), "drill notes attached", parent_ts=ancient, user="U0ALICE01")
    ]


def test_a_reply_in_the_window_to_yesterdays_thread_is_kept(fake_slack):
    status_channel(fake_slack)
    progress = Progress()
    frame = pull(fake_slack, progress=progress)

    late = f"{CHANNEL}/{at(3000)}"
    assert sorted(frame["ref"]) == sorted([f"{CHANNEL}/{at(100)}", late])
    row = frame[frame["ref"] == late].iloc[0]
    assert (row["kind"], row["thread_ref"]) == ("chat.reply", f"{CHANNEL}/{at(-DAY)}")
    assert row["url"] == (
        f"{WORKSPACE}/archives/{CHANNEL}/p{at(3000).replace('.', '')}"
        f"?thread_ts={at(-DAY)}&cid={CHANNEL}"
    )
    # Only the thread whose last reply reaches the window was read.
    asked = [r.arg("ts") for r in fake_slack.requests_to("conversations.replies")]
    assert asked == [at(-DAY)]
    assert progress.sources["slack"].counts == {"old_threads": 1}


def test_history_is_read_back_only_as_far_as_the_lookback(fake_slack):
    status_channel(fake_slack)
    frame = pull(fake_slack, thread_lookback="30d")
    assert f"{CHANNEL}/{at(1200)}" in set(frame["ref"])  # the three-week-old thread's reply
    before = [
        r for r in fake_slack.requests_to("conversations.history") if r.arg("inclusive") == "0"
    ]
    assert [r.arg("oldest") for r in before] == [at(-30 * DAY)]

    fake_slack.reset_log()
    frame = pull(fake_slack, thread_lookback="0s")  # off: only the window is read
    assert f"{CHANNEL}/{at(3000)}" not in set(frame["ref"])
    assert len(fake_slack.requests_to("conversations.history")) == 1


def test_old_threads_are_counted_in_the_live_pull_inventory(fake_slack):
    status_channel(fake_slack)
    progress = Progress()
    pull(fake_slack, progress=progress, thread_lookback="30d")
    assert progress.sources["slack"].counts["old_threads"] == 2
    assert pd.notna(progress.sources["slack"].events)
