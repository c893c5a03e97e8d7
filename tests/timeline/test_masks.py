"""Row masks agree with the pandas expressions they stand for, on any index and any dtype."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ingest.vocab import has_tag
from tests.timeline.factories import events
from timeline.masks import FrameMasks

ROWS = [
    {"ts": "2026-10-14T14:31:00Z", "source": "pagerduty", "kind": "alert.triggered", "ref": "T"},
    {
        "ts": "2026-10-14T14:32:00Z",
        "source": "slack",
        "kind": "chat.message",
        "actor": "priya",
        "channel": "#inc",
        "tags": "pinned reaction:eyes",
    },
    {
        "ts": "2026-10-14T14:30:00Z",
        "source": "slack",
        "kind": "chat.message",
        "actor": "tom",
        "channel": "#status",
        "tags": "bot",
    },
    {
        "ts": "2026-10-14T14:33:00Z",
        "source": "slack",
        "kind": "chat.message",
        "actor": "priya",
        "channel": "#inc",
        "twin_ref": "T",
    },
    {"ts": "2026-10-14T14:30:00Z", "source": "notes", "kind": "report.customer", "ref": "n:2"},
]


@pytest.fixture(params=["range", "relabelled"])
def frame(request: pytest.FixtureRequest) -> pd.DataFrame:
    frame = events(ROWS)
    if request.param == "relabelled":
        frame = frame.set_axis([40, 7, 19, 3, 88])
    return frame


def test_masks_are_the_pandas_expressions(frame: pd.DataFrame) -> None:
    rows = FrameMasks(frame)
    kinds = frame["kind"]
    assert (
        rows.kind("chat.message", "report.customer")
        == kinds.isin(["chat.message", "report.customer"])
    ).all()
    assert (rows.kind("alert.resolved") == (kinds == "alert.resolved")).all()
    assert (rows.source("notes", "pagerduty") == frame["source"].isin(["notes", "pagerduty"])).all()
    for tags in (("pinned",), ("bot", "reaction:eyes"), ("reaction",)):
        assert (rows.tag(*tags) == has_tag(frame["tags"], *tags).to_numpy()).all()
    assert (rows.channel(["#inc"]) == (frame["channel"] == "#inc")).all()
    assert (rows.named("twin_ref") == (frame["twin_ref"] != "")).all()
    assert list(np.flatnonzero(rows.first_of_each("actor", rows.named("actor")))) == [1, 2]
    starts_p = rows.where("actor", lambda actor: actor.startswith("p"))
    assert (starts_p == frame["actor"].str.startswith("p")).all()
    codes, actors = rows.values("actor")
    assert [actors[i] for i in codes] == frame["actor"].tolist()


def test_single_rows_are_found_by_position(frame: pd.DataFrame) -> None:
    rows = FrameMasks(frame)
    report_or_alert = rows.kind("report.customer", "alert.triggered")
    assert rows.first(report_or_alert) == 0
    assert rows.last(report_or_alert) == 4
    # the earliest time wins over row order; of equal times the first row
    assert rows.earliest(rows.kind("report.customer", "alert.triggered", "chat.message")) == 2
    assert rows.first(rows.kind("alert.resolved")) is None
    assert rows.earliest(rows.kind("alert.resolved")) is None
    assert (rows.ref(4), rows.at(4)) == ("n:2", pd.Timestamp("2026-10-14T14:30:00Z"))
    assert list(np.flatnonzero(rows.after(pd.Timestamp("2026-10-14T14:32:00Z")))) == [1, 3]
    after = rows.after(pd.Timestamp("2026-10-14T14:32:00Z"), strictly=True)
    assert list(np.flatnonzero(after)) == [3]


def test_kinds_and_sources_as_plain_text_are_read_the_same() -> None:
    frame = events(ROWS)
    plain = frame.astype({"kind": "string", "source": "string"})
    assert (FrameMasks(plain).kind("chat.message") == FrameMasks(frame).kind("chat.message")).all()
    assert (FrameMasks(plain).source("notes") == FrameMasks(frame).source("notes")).all()
