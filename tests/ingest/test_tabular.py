import hashlib
from pathlib import Path

import pandas as pd
import pytest

from ingest.errors import InputError, TimeError
from ingest.schema import KINDS, validate
from ingest.tabular import read_table
from ingest.times import zone
from ingest.types import ReadContext, Window

FIXTURES = Path(__file__).parents[1] / "fixtures" / "tables"


def read(path: Path, ctx: ReadContext | None = None) -> pd.DataFrame:
    frames = list(read_table(path, ctx or ReadContext()))
    assert len(frames) <= 1
    for frame in frames:
        validate(frame)
    return frames[0] if frames else pd.DataFrame()


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_csv_rows_become_events_with_all_optional_columns():
    frame = read(FIXTURES / "events.csv")
    first = frame.iloc[0]
    assert first["ts"] == pd.Timestamp("2024-05-01T10:05:00Z")
    assert first["source"] == "table"
    assert first["kind"] == "report.customer"
    assert first["summary"] == "First customer ticket: checkout times out"
    assert first["actor"] == "Support"
    assert first["ref"] == "ZD-4411"
    assert first["url"] == "https://support.example.com/tickets/4411"
    assert first["channel"] == "support desk"


def test_offsets_convert_and_missing_ref_and_kind_get_defaults():
    frame = read(FIXTURES / "events.csv")
    status, vendor = frame.iloc[1], frame.iloc[2]
    assert status["ts"] == pd.Timestamp("2024-05-01T10:12:00Z")  # 12:12+02:00
    assert status["ref"] == "events.csv:3"
    assert vendor["kind"] == "note"
    assert vendor["summary"] == "Vendor confirmed a regional\nnetwork fault"
    assert vendor["ref"] == "events.csv:4"  # the line the quoted record starts on


def test_raw_hash_is_of_the_record_text():
    frame = read(FIXTURES / "events.csv")
    line = (FIXTURES / "events.csv").read_text().splitlines(keepends=True)[1]
    assert frame["raw_sha256"].iloc[0] == hashlib.sha256(line.encode()).hexdigest()


def test_json_lines_read_with_blank_lines_and_line_numbers():
    frame = read(FIXTURES / "events.jsonl")
    assert frame["ref"].tolist() == ["ZD-4411", "events.jsonl:3"]
    assert frame["kind"].astype(str).tolist() == ["report.customer", "note"]
    assert frame["ts"].iloc[1] == pd.Timestamp("2024-05-01T10:15:00Z")
    assert frame["actor"].tolist() == ["", "Earline Greenholt"]


def test_naive_times_take_the_given_zone():
    frame = read(FIXTURES / "events_naive.csv", ReadContext(tz=zone("Europe/Berlin")))
    assert frame["ts"].tolist() == [
        pd.Timestamp("2024-05-01T10:05:00Z"),
        pd.Timestamp("2024-05-01T10:20:00Z"),
    ]
    assert frame["summary"].iloc[0] == "Checkout error rate back under 1%"


def test_naive_time_without_zone_names_file_and_line():
    path = FIXTURES / "events_naive.csv"
    with pytest.raises(TimeError) as error:
        read(path)
    assert str(error.value) == (
        f"{path}:2: time '2024-05-01 12:05:00' has no time zone: add an offset such as 'Z' or "
        "'+02:00' or an abbreviation such as PDT, or give --tz"
    )


def test_time_in_a_daylight_saving_gap_is_an_error(tmp_path):
    path = write(tmp_path, "dst.csv", "time,event\n2024-01-01T00:00:00Z,a\n2024-03-10 02:30,b\n")
    with pytest.raises(
        TimeError,
        match=(
            r"dst.csv:3: time '2024-03-10 02:30': 2024-03-10 02:30 does not exist in "
            r"America/New_York \(clocks went forward\); write it with its UTC offset$"
        ),
    ):
        read(path, ReadContext(tz=zone("America/New_York")))


def test_unreadable_time_names_its_line(tmp_path):
    path = write(tmp_path, "t.csv", "time,event\n2024-05-01T10:00:00Z,a\nyesterday-ish Z,b\n")
    with pytest.raises(
        TimeError, match=r"t.csv:3: time 'yesterday-ish Z' is not a time I can read"
    ):
        read(path)


def test_unknown_kind_names_the_valid_ones(tmp_path):
    path = write(tmp_path, "k.csv", "ts,summary,kind\n2024-05-01T10:00:00Z,a,deploy\n")
    with pytest.raises(InputError) as error:
        read(path)
    message = str(error.value)
    assert message.startswith(f"{path}:2: kind 'deploy' is not one of: alert.triggered, ")
    assert all(kind in message for kind in KINDS)


def test_missing_time_column_lists_what_was_found(tmp_path):
    path = write(tmp_path, "m.csv", "when,event\n2024-05-01T10:00:00Z,a\n")
    with pytest.raises(InputError) as error:
        read(path)
    assert str(error.value) == (
        f"{path}: needs a time column (time, ts, timestamp); found: when, event"
    )


def test_missing_event_column(tmp_path):
    path = write(tmp_path, "m.jsonl", '{"time": "2024-05-01T10:00:00Z", "who": "x"}\n')
    with pytest.raises(InputError, match=r"m.jsonl: needs a event column \(event, summary, "):
        read(path)


def test_empty_event_text_names_its_line(tmp_path):
    path = write(tmp_path, "e.csv", "time,event\n2024-05-01T10:00:00Z,a\n2024-05-01T10:01:00Z, \n")
    with pytest.raises(InputError, match=r"e.csv:3: the 'event' column is empty"):
        read(path)


def test_bad_json_line_is_named(tmp_path):
    path = write(tmp_path, "b.jsonl", '{"time": "2024-05-01T10:00:00Z", "event": "a"}\n{"time": \n')
    with pytest.raises(InputError, match=r"b.jsonl:2: not valid JSON at column"):
        read(path)


def test_json_line_that_is_not_an_object(tmp_path):
    path = write(tmp_path, "a.jsonl", '["2024-05-01T10:00:00Z", "a"]\n')
    with pytest.raises(InputError, match=r"a.jsonl:1: each line must be a JSON object"):
        read(path)


def test_csv_row_with_too_many_fields(tmp_path):
    path = write(tmp_path, "w.csv", "time,event\n2024-05-01T10:00:00Z,a,extra\n")
    with pytest.raises(InputError, match=r"w.csv:2: has 3 fields but the header names 2"):
        read(path)


def test_repeated_header_is_an_error(tmp_path):
    path = write(tmp_path, "h.csv", "time,event,Event\n2024-05-01T10:00:00Z,a,b\n")
    with pytest.raises(InputError, match=r"h.csv:1: the header names event more than once"):
        read(path)


def test_non_utf8_file(tmp_path):
    path = tmp_path / "latin.csv"
    path.write_bytes("time,event\n2024-05-01T10:00:00Z,caf\xe9\n".encode("latin-1"))
    with pytest.raises(InputError, match=r"latin.csv: is not UTF-8 text"):
        read(path)


def test_missing_file(tmp_path):
    with pytest.raises(InputError, match=r"gone.csv: file not found$"):
        read(tmp_path / "gone.csv")


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("empty.csv", ""),
        ("header.csv", "time,event\n"),
        ("blank.csv", "time,event\n,\n\n"),
        ("empty.jsonl", "\n\n"),
    ],
)
def test_an_empty_table_is_an_error(tmp_path, name, text):
    path = write(tmp_path, name, text)
    with pytest.raises(InputError, match=rf"{name}: has no rows: the table is empty"):
        read(path)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("time,event\n,deploy\n", r"t.csv:2: the time is empty"),
        ("time,event\nsoon,deploy\n", r"t.csv:2: time 'soon' is not a time I can read"),
        ("when,event\n2024-05-01T10:00:00Z,deploy\n", r"t.csv: needs a time column"),
    ],
)
def test_a_table_without_a_usable_time_is_an_error(tmp_path, text, message):
    with pytest.raises(InputError, match=message):
        read(write(tmp_path, "t.csv", text))


def test_json_lines_nested_too_deep_or_not_objects(tmp_path):
    deep = '{"time": "2024-05-01T10:00:00Z", "event": "x", "extra": ' + "[" * 300 + "]" * 300
    with pytest.raises(InputError, match=r"d.jsonl: JSON nested 301 levels deep"):
        read(write(tmp_path, "d.jsonl", deep + "}\n"))
    with pytest.raises(InputError, match=r"n.jsonl:1: each line must be a JSON object, not a list"):
        read(write(tmp_path, "n.jsonl", "[1, 2]\n"))


def test_excel_bom_and_header_case_are_accepted(tmp_path):
    path = tmp_path / "excel.csv"
    path.write_bytes("\ufeffTime,Event\r\n2024-05-01T10:00:00Z,a\r\n".encode())
    frame = read(path)
    assert frame["summary"].tolist() == ["a"]
    assert frame["ref"].tolist() == ["excel.csv:2"]


def test_window_keeps_rows_inside():
    window = Window(pd.Timestamp("2024-05-01T10:00:00Z"), pd.Timestamp("2024-05-01T10:30:00Z"))
    ctx = ReadContext(window=window)
    frame = read(FIXTURES / "events.csv", ctx)
    assert frame["ref"].tolist() == ["ZD-4411", "events.csv:3"]
    assert ctx.artifacts[0]["records"] == 3


@pytest.mark.parametrize(
    "cell", ["1204-05-01T09:40:00Z", "3000-01-01 00:00:00+00:00", "May 1 1204 9:40 UTC"]
)
def test_a_time_outside_what_a_timestamp_holds_names_file_and_line(tmp_path, cell):
    path = write(tmp_path, "far.csv", f"time,event\n2024-05-01T10:00:00Z,ok\n{cell},far\n")
    with pytest.raises(TimeError) as error:
        read(path, ReadContext(tz=zone("UTC")))
    assert str(error.value) == (
        f"{path}:3: time {cell!r} is outside the years 1678 to 2261 that a time can have"
    )
