"""Reading a day file fast (only the fields the normaliser reads) gives the same columns as
reading every field, and each message is hashed as the file holds it."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import orjson
import pytest

from ingest.errors import InputError
from ingest.slack.columns import day_columns, message_columns, window_rows
from ingest.slack.dayfile import read_day

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "slack_export"
DAY_FILES = sorted(FIXTURES.glob("*/20*.json"))
OPTIONS = {"channel_id": "C1", "users": {"U01ALICE": "alice"}}

# Every field the normaliser reads, in the shapes Slack writes and in odd but readable ones.
ODD_BUT_READABLE = [
    {"type": "message", "ts": "1700000000.000001", "user": "U01ALICE", "text": None},
    {"type": "message", "ts": "1700000001.000001", "user_profile": None, "username": "deploy"},
    {
        "type": "message",
        "subtype": "bot_message",
        "ts": "1700000002.000001",
        "bot_id": "B1",
        "bot_profile": {"name": "pager", "icons": {"image_36": "x"}},
        "attachments": [{"fallback": "<!here> *FIRING* &amp; more", "color": "danger"}],
        "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "ignored"}}],
    },
    {
        "type": "message",
        "ts": "1700000003.000001",
        "user": "U2",
        "user_profile": {"display_name": "", "real_name": "Bo Li", "image_72": "x"},
        "text": "see <https://x.io/a|graph> and <@U01ALICE>",
        "files": [{"name": "trace.txt", "mimetype": "text/plain"}, {"id": "F2"}],
        "reactions": [{"name": "eyes", "users": ["U1"], "count": 1}, {"count": 2}],
        "pinned_to": ["C1"],
        "thread_ts": "1700000000.000001",
        "edited": {"user": "U2", "ts": "1700000009.000001"},
    },
    {
        "type": "message",
        "subtype": "message_changed",
        "ts": "1700000010.000001",
        "message": {"ts": "1700000003.000001", "edited": {"ts": "1700000010.000001"}},
    },
    {"type": "message", "subtype": "message_deleted", "ts": "1700000011.1", "deleted_ts": "1"},
    {"type": "message", "subtype": "channel_join", "ts": "1700000012", "user": "U3", "n": 1.5},
]


def full_read(data: bytes) -> tuple[dict, dict]:
    """The columns from every field of every message, with the same bytes hashed."""
    records = orjson.loads(data)
    _, raw = read_day(data)
    return message_columns(records, **OPTIONS, raw=raw), {}


@pytest.mark.parametrize("path", DAY_FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_the_fast_read_of_each_fixture_day_file_gives_the_full_reads_columns(path: Path) -> None:
    data = path.read_bytes()
    fast, _ = day_columns(data, **OPTIONS)
    assert fast == full_read(data)[0]


@pytest.mark.parametrize("indent", [None, 4])
def test_odd_but_readable_messages_give_the_full_reads_columns(indent: int | None) -> None:
    data = json.dumps(ODD_BUT_READABLE, indent=indent).encode()
    records, _ = read_day(data)
    assert "blocks" not in records[2] and "n" not in records[6]  # the fast read was taken
    fast, edits = day_columns(data, **OPTIONS)
    assert fast == full_read(data)[0]
    assert edits == {"1700000003.000001": "1700000010.000001"}
    assert len(fast["ts"]) == len(ODD_BUT_READABLE) - 1  # the edit is no row of its own


def test_each_message_is_hashed_as_the_file_holds_it() -> None:
    records = [json.dumps(record, indent=2) for record in ODD_BUT_READABLE[:3]]
    data = ("[\n" + ",\n".join(records) + "\n]").encode()
    columns, _ = day_columns(data, **OPTIONS)
    assert columns["raw_sha256"] == [hashlib.sha256(r.encode()).hexdigest() for r in records]


def test_a_message_off_the_common_shape_is_read_whole_and_named() -> None:
    # A profile that is not an object: the fast read refuses it, the full read names it.
    odd = [{"type": "message", "ts": "1700000000.000001", "user_profile": "alice"}]
    with pytest.raises(InputError, match=r"message #1 \(1700000000.000001\): .*user_profile"):
        day_columns(json.dumps(odd).encode(), **OPTIONS)
    with pytest.raises(InputError, match=r"message #2 is a number"):
        read_day(json.dumps([ODD_BUT_READABLE[0], 5]).encode())


def per_row_window(day: list[dict], first: int, last: int) -> list[int]:
    """The rule, row by row: drop only a well-formed ts outside the bounds (never an edit)."""
    kept = []
    for row, record in enumerate(day):
        stamp = record.get("ts")
        if isinstance(stamp, str) and stamp.partition(".")[0].isdigit():
            seconds = int(stamp.partition(".")[0])
            if not first <= seconds <= last and record.get("subtype") != "message_changed":
                continue
        kept.append(row)
    return kept


@pytest.mark.parametrize(
    "stamps",
    [
        ["1700000000.000001", "1700000500.000001", "1700000999.999999"],  # all inside
        ["1699999999.999999", "1700000500.000001"],  # one a moment before
        ["1700000500.000001", "1700001000.000000"],  # one a second after
        ["1700000500.1", "1600000000.000001"],  # a short stamp, and one long before
        ["1700000500.000001", 17, None],  # stamps that are not text stay
        ["1700000500.000001", "١٧٠٠٠٠٠٥٠٠.000001"],  # not ASCII digits: stays
        [],
    ],
)
def test_the_window_keeps_what_the_per_row_rule_keeps(stamps: list) -> None:
    day = [{"ts": stamp, "text": "x"} for stamp in stamps]
    day.append({"ts": "1600000000.000001", "subtype": "message_changed"})  # an edit: kept
    bounds = (1_700_000_000, 1_700_000_999)
    assert window_rows(day, bounds) == per_row_window(day, *bounds)
    assert window_rows(day[:-1], bounds) == per_row_window(day[:-1], *bounds)


def test_text_that_is_not_utf8_is_named_as_json_that_cannot_be_read() -> None:
    # The bytes of each record split fine; only decoding its text finds the bad byte.
    data = b'[{"type": "message", "ts": "1700000000.000001", "text": "caf\x80"}]'
    with pytest.raises(InputError, match=r"not valid JSON"):
        read_day(data)
