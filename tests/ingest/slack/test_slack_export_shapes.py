"""The Slack export reader refuses what it cannot read (one line naming the file, the record and
the field), within size and depth bounds, and keeps in-window replies to old threads."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from ingest.errors import InputError
from ingest.schema import concat, validate
from ingest.slack.export import read_slack_export
from ingest.types import ReadContext, Window
from tests.ingest.slack.test_slack_export import FIXTURE, zip_of

DAY = "general/2024-03-05.json"


@pytest.fixture
def export_copy(tmp_path: Path) -> Path:
    return Path(shutil.copytree(FIXTURE, tmp_path / "export"))


def read(path: Path, **context: object) -> pd.DataFrame:
    pages = list(read_slack_export(path, ReadContext(**context)))  # type: ignore[arg-type]
    for page in pages:
        validate(page)
    return concat(pages)


def message(**fields: object) -> dict:
    return {"type": "message", "ts": "1709647000.000100", "user": "U01ALICE", "text": "hi"} | fields


@pytest.mark.parametrize(
    ("record", "expected"),
    [
        (message(user=42), r"message #1 \(1709647000.000100\): field 'user' must be a string"),
        (message(text=["a"]), r"field 'text' must be a string, not a list"),
        (message(subtype=7), r"field 'subtype' must be a string, not a number"),
        (message(ts=1709647000.0001), r"message #1: field 'ts' must be a string, not a number"),
        (message(thread_ts=17), r"field 'thread_ts' must be a string, not a number"),
        (message(reactions="eyes"), r"field 'reactions' must be a list, not a string"),
        (message(reactions=[{"name": 1}]), r"field 'reactions\[0\].name' must be a string"),
        (message(files={"name": "x"}), r"field 'files' must be a list, not an object"),
        (message(text="", attachments=["x"]), r"field 'attachments\[0\]' must be an object"),
        (message(edited={"ts": 5}), r"field 'edited.ts' must be a string, not a number"),
        (
            message(user="U0NOBODY", user_profile={"display_name": 5}),
            r"field 'user_profile.display_name' must be a string",
        ),
    ],
)
def test_a_message_field_of_the_wrong_type_names_file_message_and_field(
    export_copy: Path, record: dict, expected: str
) -> None:
    (export_copy / DAY).write_text(json.dumps([message(ts="1709646000.000001"), record]))
    expected = expected.replace("#1", "#2")
    with pytest.raises(InputError, match=expected) as error:
        read(export_copy, channels=("general",))
    assert str(error.value).startswith(f"{export_copy / DAY}: ")
    assert "\n" not in str(error.value)


def test_a_day_file_entry_that_is_not_an_object_is_numbered(export_copy: Path) -> None:
    (export_copy / DAY).write_text(json.dumps([message(), "hello"]))
    with pytest.raises(InputError, match=r"message #2 is a string"):
        read(export_copy, channels=("general",))


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("users.json", {"id": "U1"}, r"users.json: user records must be a JSON list"),
        ("users.json", [{"id": "U1", "profile": "x"}], r"user #1 \(U1\): field 'profile'"),
        ("users.json", [{"name": "ann"}], r"users.json: user #1: has no 'id'"),
        ("channels.json", [{"id": "C1"}], r"channels.json: channel #1 \(C1\): has no 'name'"),
        ("channels.json", [{"id": 5, "name": "x"}], r"channel #1 \(5\): field 'id' must be a"),
        (
            "channels.json",
            [{"id": "C1", "name": "../general"}],
            r"channel C1 has the name '../general', which is not a Slack channel name",
        ),
        ("channels.json", [{"id": "C1", "name": "x" * 81}], r"not a Slack channel name"),
    ],
)
def test_users_and_channels_of_the_wrong_shape(
    export_copy: Path, name: str, content: object, expected: str
) -> None:
    (export_copy / name).write_text(json.dumps(content))
    for path in (export_copy, zip_of(export_copy, export_copy.parent / "e.zip")):
        with pytest.raises(InputError, match=expected):
            read(path, channels=("general",))


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(export_copy: Path) -> None:
    size = (export_copy / DAY).stat().st_size
    for path in (export_copy, zip_of(export_copy, export_copy.parent / "e.zip")):
        with pytest.raises(InputError, match=r"over the limit of .* \(limits.max_file_size\)"):
            read(path, channels=("general",), max_bytes=size - 1)


def test_json_nested_beyond_the_depth_limit(export_copy: Path) -> None:
    (export_copy / "users.json").write_text("[" * 150 + "]" * 150)
    with pytest.raises(InputError, match=r"users.json: JSON nested 150 levels deep"):
        read(export_copy, channels=("general",))
    (export_copy / DAY).write_text("[" * 200_000 + "]" * 200_000)
    (export_copy / "users.json").write_text("[]")
    with pytest.raises(InputError, match=r"2024-03-05.json: JSON nested too deeply to read"):
        read(export_copy, channels=("general",))


def test_a_deeply_nested_message_is_read_and_hashed_as_written(export_copy: Path) -> None:
    # Deeper than a JSON writer goes (orjson stops at 255 levels): the message is still read,
    # and its raw_sha256 is of its bytes in the file, which need no writing again.
    nested: object = "x"
    for _ in range(300):
        nested = {"a": nested}
    record = json.dumps(message(blocks=nested))
    (export_copy / DAY).write_text(f"[{record}]")
    frame = read(export_copy, channels=("general",))
    assert len(frame) == 1
    assert frame["raw_sha256"].iloc[0] == hashlib.sha256(record.encode()).hexdigest()


# -- old threads --------------------------------------------------------------------------------


def test_in_window_reply_to_a_parent_in_an_older_day_file_is_kept(tmp_path: Path) -> None:
    """Slack writes a reply into the day file of the reply's own date, so a reply at 10:50 to
    a thread started two days before is read from a file in the window's range, while the
    parent's day file is never opened."""
    root = tmp_path / "export"
    (root / "status").mkdir(parents=True)
    (root / "channels.json").write_text(json.dumps([{"id": "C0STATUS1", "name": "status"}]))
    (root / "users.json").write_text(json.dumps([{"id": "U1", "name": "ann"}]))
    parent = "1709287200.000100"  # 2024-03-01T10:00:00Z
    reply = "1709635800.000200"  # 2024-03-05T10:50:00Z
    (root / "status" / "2024-03-01.json").write_text(
        json.dumps(
            [message(ts=parent, thread_ts=parent, reply_count=1, text="maintenance tonight")]
        )
    )
    (root / "status" / "2024-03-05.json").write_text(
        json.dumps([message(ts=reply, thread_ts=parent, text="maintenance overran, rolling back")])
    )
    window = Window(pd.Timestamp("2024-03-05T10:00:00Z"), pd.Timestamp("2024-03-05T12:00:00Z"))
    for path in (root, zip_of(root, tmp_path / "e.zip")):
        frame = read(path, window=window)
        assert frame["ref"].to_list() == [f"C0STATUS1/{reply}"]
        assert frame["kind"].astype(str).to_list() == ["chat.reply"]
        assert frame["thread_ref"].to_list() == [f"C0STATUS1/{parent}"]
        assert frame["ts"].iloc[0] == pd.Timestamp("2024-03-05T10:50:00.000200Z")
