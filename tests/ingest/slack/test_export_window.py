"""A short window read from a Slack export: the messages around it are skipped before they are
normalised, and that changes nothing the reader returns."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from ingest.errors import InputError
from ingest.schema import concat
from ingest.slack.export import read_slack_export
from ingest.times import slack_ts_second
from ingest.types import ReadContext, Window

FIXTURE = Path(__file__).parents[2] / "fixtures" / "slack_export"
FAILOVER_TS = "1709647560.000300"  # edited by a message_changed event posted six minutes later
EDIT_EVENT_TS = "1709647920.000900"


def read(path: Path, window: Window | None = None) -> pd.DataFrame:
    ctx = ReadContext(channels=("incident-db",), workspace_url="https://acme.slack.com")
    ctx.window = window
    return concat(list(read_slack_export(path, ctx))).reset_index(drop=True)


def around(stamp: str, seconds: float) -> Window:
    at = slack_ts_second(stamp)
    return Window(at - pd.Timedelta(seconds=seconds), at + pd.Timedelta(seconds=seconds))


@pytest.mark.parametrize(
    "window",
    [
        around(FAILOVER_TS, 60),  # the edit event itself lies outside
        around(FAILOVER_TS, 0),  # only the edited message's own second
        around(EDIT_EVENT_TS, 1),  # only the edit event: no row
        Window(pd.Timestamp("2024-03-05T14:05:00Z"), pd.Timestamp("2024-03-05T14:10:00Z")),
        Window(pd.Timestamp("2024-03-04T00:00:00Z"), pd.Timestamp("2024-03-07T00:00:00Z")),
    ],
)
def test_window_read_is_the_whole_read_cut_to_the_window(window: Window) -> None:
    whole = read(FIXTURE)
    expected = whole[window.contains(whole["ts"])].reset_index(drop=True)
    got = read(FIXTURE, window)
    pd.testing.assert_frame_equal(got, expected)


def test_edit_made_outside_the_window_is_applied_to_a_message_inside_it() -> None:
    got = read(FIXTURE, around(FAILOVER_TS, 60))
    failover = got[got["ref"] == f"C0INC0001/{FAILOVER_TS}"]
    assert len(failover) == 1
    assert failover["edited_at"].iloc[0] == pd.Timestamp("2024-03-05T14:12:00.000900Z")


def test_malformed_time_next_to_the_window_is_still_reported(tmp_path: Path) -> None:
    export = Path(shutil.copytree(FIXTURE, tmp_path / "export"))
    day = export / "incident-db" / "2024-03-05.json"
    messages = json.loads(day.read_text())
    messages.append({"type": "message", "user": "U01ALICE", "text": "late", "ts": 1709690999})
    day.write_text(json.dumps(messages))
    with pytest.raises(InputError, match="2024-03-05.json"):
        read(export, around(FAILOVER_TS, 60))
