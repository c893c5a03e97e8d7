"""Day-file columns become Arrow record batches exactly, or not at all."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from ingest.slack.arrays import columns_batch, slack_micros
from ingest.slack.columns import message_columns


@pytest.mark.parametrize(
    ("stamp", "micros"),
    [
        ("1355517523.000005", 1_355_517_523_000_005),
        ("1355517523", 1_355_517_523_000_000),
        ("1355517523.5", 1_355_517_523_500_000),
        ("1355517523.", 1_355_517_523_000_000),
        ("1355517523.1234567", 1_355_517_523_123_456),  # beyond microseconds: cut, not rounded
        ("0.000001", 1),
    ],
)
def test_slack_stamps_are_read_exactly(stamp: str, micros: int) -> None:
    assert slack_micros([stamp]).to_pylist() == [micros]
    # Mixed with canonical ones, the exact path is still taken.
    assert slack_micros(["1355517523.000001", stamp]).to_pylist()[1] == micros


@pytest.mark.parametrize(
    "stamp", ["", "abc", "1355517523.00000x", "-1355517523.0", "١٣٥٥٥١٧٥٢٣.0", " 1.0", "9" * 30]
)
def test_anything_else_is_no_stamp(stamp: str) -> None:
    assert slack_micros(["1355517523.000001", stamp]) is None


def test_a_batch_holds_the_columns_and_times_of_the_messages() -> None:
    records = [
        {"type": "message", "user": "U1", "text": "hi", "ts": "1700000000.000100"},
        {
            "type": "message",
            "user": "U2",
            "text": "re",
            "ts": "1700000001.000200",
            "thread_ts": "1700000000.000100",
            "edited": {"user": "U2", "ts": "1700000009.000300"},
        },
    ]
    records.append(dict(records[0], ts="1700000000.000100", thread_ts="1700000000.000100"))
    columns = message_columns(records, channel_id="C1", users={"U1": "ana"})
    batch = columns_batch(columns, channel_id="C1", workspace_url="https://acme.slack.com/")
    assert batch.num_rows == 3
    # A thread's parent carries its own ts as thread_ts: it is no reply.
    assert batch["reply"].to_pylist() == [False, True, False]
    assert batch["actor"].to_pylist() == ["ana", "U2", "ana"]
    assert batch["ref"].to_pylist() == ["C1/1700000000.000100", "C1/1700000001.000200"] + [
        "C1/1700000000.000100"
    ]
    assert batch["thread_ref"].to_pylist() == ["", "C1/1700000000.000100", ""]
    assert batch["url"].to_pylist() == [
        "https://acme.slack.com/archives/C1/p1700000000000100",
        "https://acme.slack.com/archives/C1/p1700000001000200?thread_ts=1700000000.000100&cid=C1",
        "https://acme.slack.com/archives/C1/p1700000000000100",
    ]
    without = columns_batch(columns, channel_id="C1")
    assert without["url"].to_pylist() == ["", "", ""]
    posted = [t.value for t in batch["ts"].to_pylist()]  # pandas-free: nanoseconds
    assert posted[:2] == [1_700_000_000_000_100_000, 1_700_000_001_000_200_000]
    edited = batch["edited_at"].to_pylist()
    assert edited[0] is None and edited[1].value == 1_700_000_009_000_300_000


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("ts", "yesterday"),
        ("edited", "soon"),
        ("summary", 5),
        ("actor", ["x"]),
        ("ts", "9" * 20),
        ("thread_ts", 7),
        ("thread_ts", None),
    ],
)
def test_a_wrong_value_gives_no_batch(column: str, value: object) -> None:
    records = [{"type": "message", "user": "U1", "text": "hi", "ts": "1700000000.000100"}]
    columns = message_columns(records, channel_id="C1", users={})
    columns[column] = [value]
    assert columns_batch(columns, channel_id="C1") is None


def test_a_worker_never_loads_pandas(tmp_path: Path) -> None:
    # Arrow would import pandas on its first array; a worker has no use for it.
    day = tmp_path / "2024-01-01.json"
    day.write_text('[{"type": "message", "user": "U1", "text": "hi", "ts": "1700000000.1"}]')
    script = f"""
import sys
from pathlib import Path
from ingest.slack import workers
options = dict(channel_id="C1", users={{}}, workspace_url="", bounds=None)
workers._start_worker(lambda name: Path(name).read_bytes(), options)
batch, edits = workers._reduce_day({str(day)!r})
print(batch.num_rows, "pandas" in sys.modules and sys.modules["pandas"] is not None)
"""
    run = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).parents[3],
    )
    assert run.stdout.split() == ["1", "False"]
