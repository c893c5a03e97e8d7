"""`postmortem pull ID` and Slack: permalinks built from the workspace URL unless exact ones
are asked for, and threads started before the window counted in the inventory."""

from __future__ import annotations

import json
from decimal import Decimal

import pandas as pd

from tests.fakes import slack as sl
from tests.timeline.pull.test_live_pull import live, pull  # noqa: F401  (a fixture)


def summary_of(live_) -> dict:
    return json.loads((live_["out"] / "PXM2K7Q" / "summary.json").read_text())


def test_permalinks_are_built_without_chat_get_permalink(live):  # noqa: F811
    result = pull(live, "2231")
    assert result.exit_code == 0, result.output
    assert live["slack"].requests_to("chat.getPermalink") == []
    frame = pd.read_parquet(live["out"] / "PXM2K7Q" / "events.parquet")
    slack_rows = frame[frame["source"] == "slack"]
    assert (
        len(slack_rows)
        and slack_rows["url"]
        .str.match(
            r"^https://acme\.slack\.com/archives/C[0-9A-Z]+/p\d{16}(\?thread_ts=\d+\.\d{6}&cid=C[0-9A-Z]+)?$"
        )
        .all()
    )
    replies = slack_rows[slack_rows["kind"] == "chat.reply"]
    assert replies["url"].str.contains("?thread_ts=", regex=False).all()


def test_exact_permalinks_ask_slack_once_per_key_row(live):  # noqa: F811
    text = live["config"].read_text().replace("[slack]\n", "[slack]\nexact_permalinks = true\n")
    live["config"].write_text(text)
    result = pull(live, "2231")
    assert result.exit_code == 0, result.output
    frame = pd.read_parquet(live["out"] / "PXM2K7Q" / "events.parquet")
    key_slack = int((frame["key"] & (frame["source"] == "slack")).sum())
    assert key_slack > 0
    assert len(live["slack"].requests_to("chat.getPermalink")) == key_slack


def test_a_thread_started_before_the_window_is_counted_in_the_inventory(live):  # noqa: F811
    channel = live["slack"].channels["C07INC2231"]
    first = min(Decimal(m["ts"]) for m in channel.messages)
    parent_ts = f"{first - 86400:.6f}"  # a day before the incident channel's first message
    reply_ts = f"{first + 60:.6f}"
    channel.messages.append(
        sl.message(
            parent_ts,
            "maintenance window for the payments DB",
            user="U07A1PRAMN",
            thread_ts=parent_ts,
            reply_count=1,
            latest_reply=reply_ts,
        )
    )
    channel.replies[parent_ts] = [
        sl.reply(reply_ts, "could this be related?", parent_ts=parent_ts, user="U07A1PRAMN")
    ]
    result = pull(live, "2231")
    assert result.exit_code == 0, result.output
    assert "1 older thread" in result.stderr  # the progress line of slack
    inventory = {e["name"]: e for e in summary_of(live)["inventory"]}
    assert inventory["channels (API)"]["old_threads"] == 1
    frame = pd.read_parquet(live["out"] / "PXM2K7Q" / "events.parquet")
    assert f"C07INC2231/{reply_ts}" in set(frame["ref"])
    assert f"C07INC2231/{parent_ts}" not in set(frame["ref"])  # outside the window
