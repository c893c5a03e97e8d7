"""Day-file columns become Arrow record batches exactly, or not at all."""

from __future__ import annotations

import json
import pickle
import subprocess
import sys
from pathlib import Path

import pytest

from ingest.errors import InputError
from ingest.slack.arrays import columns_batch, day_batches, slack_micros
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
    # Arrow would import pandas on its first array (or IPC stream); a worker has no use for it.
    day = tmp_path / "2024-01-01.json"
    day.write_text('[{"type": "message", "user": "U1", "text": "hi", "ts": "1700000000.1"}]')
    script = f"""
import sys
from pathlib import Path
from ingest.slack import workers
options = dict(channel_id="C1", users={{}}, workspace_url="", bounds=None)
workers._start_worker(lambda name: Path(name).read_bytes(), options, {str(tmp_path)!r})
(batch, edits), = workers._reduce_run([{str(day)!r}]).loaded().per_file()
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


def day_file(*stamps: str, edit: tuple[str, str] | None = None) -> bytes:
    messages: list[dict] = [
        {"type": "message", "user": "U1", "text": f"at {ts} <@U2>", "ts": ts, "thread_ts": ts}
        for ts in stamps
    ]
    if edit is not None:
        original, at = edit
        messages.append(
            {"type": "message", "subtype": "message_changed", "ts": at,
             "message": {"ts": original, "edited": {"ts": at}}}
        )  # fmt: skip
    return json.dumps(messages, indent=4).encode()


OPTIONS = {"channel_id": "C1", "users": {"U2": "Ana"}, "workspace_url": "https://acme.slack.com"}


@pytest.mark.parametrize("with_wrong_value", [False, True])
def test_a_run_of_day_files_gives_each_file_what_it_gives_alone(with_wrong_value: bool) -> None:
    days: list[bytes | InputError] = [
        day_file(
            "1700000000.000100", "1700000060.000200", edit=("1700000000.000100", "1700000099.0")
        ),
        InputError("too big to read", path="export/c/2023-11-15.json"),
        b'[{"type": "message", "ts": ',
        day_file(),
        day_file("1700086400.000300"),
    ]
    if with_wrong_value:  # a file that reads, with a ts that is not one: its lists, alone
        days.insert(3, day_file("1700000000.000100", "yesterday"))
    run = day_batches(days, **OPTIONS)
    files = pickle.loads(pickle.dumps(run)).per_file()  # as it comes back from a worker
    assert len(files) == len(days)
    for data, got in zip(days, files, strict=True):
        alone = data if isinstance(data, InputError) else day_batches([data], **OPTIONS)
        expected = alone if isinstance(alone, InputError) else alone.per_file()[0]
        if isinstance(expected, InputError):
            assert isinstance(got, InputError) and str(got) == str(expected)
            continue
        assert not isinstance(got, InputError)
        (columns, edits), (expected_columns, expected_edits) = got, expected
        assert edits == expected_edits
        if isinstance(expected_columns, dict):
            assert columns == expected_columns
        else:
            assert columns.equals(expected_columns), (columns, expected_columns)
    assert files[0][1] == {"1700000000.000100": "1700000099.0"}
    assert files[0][0].num_rows == 2 and files[-1][0].num_rows == 1
    assert files[0][0].column("summary").to_pylist()[0] == "at 1700000000.000100 @Ana"
    assert isinstance(files[2], InputError) and "not valid JSON" in str(files[2])
    if with_wrong_value:
        assert isinstance(files[3][0], dict) and files[3][0]["ts"][1] == "yesterday"
    else:
        assert files[3][0].num_rows == 0


def test_a_run_crosses_between_processes_as_one_batch() -> None:
    # A slice of a record batch would be pickled with every buffer of the whole.
    days = [day_file(*(f"17000{i:05d}.000100" for i in range(200))) for _ in range(8)]
    whole = len(pickle.dumps(day_batches(days, **OPTIONS)))
    one = len(pickle.dumps(day_batches(days[:1], **OPTIONS)))
    assert whole < 9 * one
