"""The Slack export reader and the shared message normaliser, on a small hand-written export."""

from __future__ import annotations

import hashlib
import json
import shutil
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from ingest.errors import InputError
from ingest.schema import concat, validate
from ingest.slack import export as slack_export
from ingest.slack.export import read_slack_export
from ingest.slack.normalise import messages_frame, user_names
from ingest.types import ReadContext, Window

FIXTURE = Path(__file__).parents[2] / "fixtures" / "slack_export"
INCIDENT = "C0INC0001"
PARENT_TS = "1709647331.000100"  # 2024-03-05T14:02:11.000100Z, in incident-db/2024-03-05.json
QUESTION_TS = "1709647380.123456"  # edited at 14:05:00.000001
FAILOVER_TS = "1709647560.000300"  # edited later by a message_changed event
REPLY_TS = "1709647620.000500"  # a reply to PARENT_TS, posted after FAILOVER_TS
WORKSPACE = "https://acme.slack.com"


def zip_of(folder: Path, target: Path, top: str = "") -> Path:
    """Pack an export folder as a ZIP (optionally under a top folder, as some tools do)."""
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*.json")):
            archive.write(path, top + path.relative_to(folder).as_posix())
    return target


@pytest.fixture(params=["folder", "zip"])
def export_path(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    """The fixture export, as a folder or as a ZIP made from it."""
    if request.param == "folder":
        return FIXTURE
    return zip_of(FIXTURE, tmp_path / "export.zip")


@pytest.fixture
def export_copy(tmp_path: Path) -> Path:
    """A writable copy of the fixture export folder."""
    return Path(shutil.copytree(FIXTURE, tmp_path / "export"))


def read(path: Path, **context: object) -> tuple[pd.DataFrame, ReadContext]:
    ctx = ReadContext(**context)  # type: ignore[arg-type]
    pages = list(read_slack_export(path, ctx))
    for page in pages:
        validate(page)
    return concat(pages), ctx


def row(frame: pd.DataFrame, ts: str, channel: str = INCIDENT) -> pd.Series:
    rows = frame[frame["ref"] == f"{channel}/{ts}"]
    assert len(rows) == 1, f"expected one row for {channel}/{ts}, got {len(rows)}"
    return rows.iloc[0]


def incident_window() -> Window:
    return Window(pd.Timestamp("2024-03-05T14:00:00Z"), pd.Timestamp("2024-03-06T03:00:00Z"))


# --- the export as a whole ------------------------------------------------------------------


def test_folder_and_zip_give_the_same_rows(tmp_path: Path) -> None:
    from_folder, _ = read(FIXTURE)
    from_zip, _ = read(zip_of(FIXTURE, tmp_path / "e.zip"))
    from_nested_zip, _ = read(zip_of(FIXTURE, tmp_path / "n.zip", top="Acme Slack export/"))
    pd.testing.assert_frame_equal(from_folder, from_zip)
    pd.testing.assert_frame_equal(from_folder, from_nested_zip)
    # 11 records in the incident's day, one a message_changed event: 10 rows; + 3 other days
    # of the incident channel, 1 in #general, 1 in the private #sre-private.
    assert len(from_folder) == 10 + 3 + 1 + 1
    assert set(from_folder["channel"]) == {"#incident-db", "#general", "#sre-private"}
    assert (from_folder["source"] == "slack").all()


def test_inventory_entry_per_channel(export_path: Path) -> None:
    _, ctx = read(export_path)
    assert ctx.artifacts == [
        {"source": "slack", "name": "#incident-db (export)", "records": 13},
        {"source": "slack", "name": "#general (export)", "records": 1},
        {"source": "slack", "name": "#sre-private (export)", "records": 1},
    ]


def test_reply_sits_at_its_own_time_with_a_thread_ref(export_path: Path) -> None:
    frame, _ = read(export_path)
    reply = row(frame, REPLY_TS)
    assert reply["kind"] == "chat.reply"
    assert reply["thread_ref"] == f"{INCIDENT}/{PARENT_TS}"
    assert reply["ts"] == pd.Timestamp("2024-03-05T14:07:00.000500Z")
    ordered = frame.sort_values("ts", kind="stable")["ref"].to_list()
    assert ordered.index(f"{INCIDENT}/{PARENT_TS}") < ordered.index(f"{INCIDENT}/{FAILOVER_TS}")
    assert ordered.index(f"{INCIDENT}/{FAILOVER_TS}") < ordered.index(f"{INCIDENT}/{REPLY_TS}")
    parent = row(frame, PARENT_TS)
    assert parent["kind"] == "chat.message" and parent["thread_ref"] == ""


def test_ts_microseconds_survive(export_path: Path) -> None:
    frame, _ = read(export_path)
    question = row(frame, QUESTION_TS)
    assert question["ts"] == pd.Timestamp("2024-03-05T14:03:00.123456Z")
    assert question["ts"].microsecond == 123456
    assert question["ref"].endswith(".123456")


def test_mentions_channels_links_and_entities_are_resolved(export_path: Path) -> None:
    frame, _ = read(export_path)
    assert row(frame, QUESTION_TS)["summary"] == (
        "looking, @alice is the primary down? see dashboard (https://grafana.example.com/d/abc)"
    )
    assert row(frame, FAILOVER_TS)["summary"] == (
        "failing over to replica & rolling back deploy <v42> in #general"
    )
    assert row(frame, PARENT_TS)["summary"] == "db latency alerts firing @here"


def test_actor_names_and_their_fallbacks(export_path: Path) -> None:
    frame, _ = read(export_path)
    assert row(frame, PARENT_TS)["actor"] == "alice"  # users.json display name
    assert row(frame, QUESTION_TS)["actor"] == "Bob Builder"  # empty display name: real name
    assert row(frame, "1709647860.000800")["actor"] == "dave"  # not in users.json: profile
    assert row(frame, "1709647800.000700")["actor"] == "alertmanager"  # a bot's username


def test_edits_are_kept_and_message_changed_is_no_row(export_path: Path) -> None:
    frame, _ = read(export_path)
    assert row(frame, QUESTION_TS)["edited_at"] == pd.Timestamp("2024-03-05T14:05:00.000001Z")
    assert row(frame, FAILOVER_TS)["edited_at"] == pd.Timestamp("2024-03-05T14:12:00.000900Z")
    assert "message_changed" not in set(frame["subtype"])
    assert pd.isna(row(frame, PARENT_TS)["edited_at"])
    # the edit event's text never replaces what the export holds
    assert "in #general" in row(frame, FAILOVER_TS)["summary"]


def test_system_bot_and_flag_tags(export_path: Path) -> None:
    frame, _ = read(export_path)
    assert row(frame, "1709647450.000200")["tags"] == "system"  # channel_join
    assert row(frame, "1709589600.000010")["tags"] == "system"  # channel_topic
    assert row(frame, "1709647800.000700")["tags"] == "bot"
    assert row(frame, PARENT_TS)["tags"] == "pinned reaction:rotating_light"
    assert row(frame, QUESTION_TS)["tags"] == "reaction:eyes"
    broadcast = row(frame, "1709647740.000600")
    assert broadcast["tags"] == "broadcast" and broadcast["kind"] == "chat.reply"
    assert row(frame, FAILOVER_TS)["tags"] == ""


def test_deleted_message_is_a_system_row_and_nothing_is_invented(export_path: Path) -> None:
    frame, _ = read(export_path)
    deleted = row(frame, "1709647980.001000")
    assert deleted["subtype"] == "message_deleted"
    assert deleted["tags"] == "system"
    assert deleted["summary"] == f"message {INCIDENT}/1709647260.000050 was deleted"


def test_files_and_bot_attachments_in_the_summary(export_path: Path) -> None:
    frame, _ = read(export_path)
    assert row(frame, "1709647860.000800")["summary"] == "replica lag graph [files: lag.png]"
    assert row(frame, "1709647800.000700")["summary"] == "[RESOLVED] DBLatencyHigh"


def test_permalinks_only_with_a_workspace_url(export_path: Path) -> None:
    with_url, _ = read(export_path, workspace_url=WORKSPACE + "/")
    assert row(with_url, QUESTION_TS)["url"] == (
        f"{WORKSPACE}/archives/{INCIDENT}/p1709647380123456"
    )
    assert row(with_url, REPLY_TS)["url"] == (
        f"{WORKSPACE}/archives/{INCIDENT}/p1709647620000500?thread_ts={PARENT_TS}&cid={INCIDENT}"
    )
    without, _ = read(export_path)
    assert (without["url"] == "").all()
    assert (without["ref"] != "").all()


def record_bytes(path: Path) -> list[tuple[dict, bytes]]:
    """Each record of a JSON array file with its exact bytes in the file (the stdlib reader
    finds where each ends)."""
    text = path.read_text(encoding="utf-8")
    decoder, found = json.JSONDecoder(), []
    position = text.index("[") + 1
    while True:
        while text[position] in " \t\r\n,":
            position += 1
        if text[position] == "]":
            return found
        record, end = decoder.raw_decode(text, position)
        found.append((record, text[position:end].encode("utf-8")))
        position = end


def test_raw_sha256_is_of_the_record_as_received() -> None:
    # The bytes of the message in the day file, as the export holds them (its indentation too),
    # so that anyone can check a row against the export.
    records = record_bytes(FIXTURE / "incident-db" / "2024-03-05.json")
    frame, _ = read(FIXTURE)
    question = next(raw for record, raw in records if record["ts"] == QUESTION_TS)
    assert b"\n" in question  # the fixture is indented, unlike any re-serialisation
    assert row(frame, QUESTION_TS)["raw_sha256"] == hashlib.sha256(question).hexdigest()
    for record, raw in records:
        if record.get("subtype") not in ("message_changed", "message_replied"):
            assert row(frame, record["ts"])["raw_sha256"] == hashlib.sha256(raw).hexdigest()


# --- channels -------------------------------------------------------------------------------


@pytest.mark.parametrize("wanted", [("incident-db",), ("#incident-db",), (INCIDENT,)])
def test_channels_by_name_or_id(export_path: Path, wanted: tuple[str, ...]) -> None:
    frame, ctx = read(export_path, channels=wanted)
    assert set(frame["channel"]) == {"#incident-db"}
    assert [a["name"] for a in ctx.artifacts] == ["#incident-db (export)"]


def test_private_channel_from_groups_json(export_path: Path) -> None:
    frame, _ = read(export_path, channels=("G0PRIV001",))
    assert frame["summary"].to_list() == ["paging the db on-call"]


def test_unknown_channel_names_it_and_lists_the_export_channels(export_path: Path) -> None:
    with pytest.raises(InputError) as raised:
        read(export_path, channels=("incident-api",))
    message = str(raised.value)
    assert "'incident-api' is not in this export" in message
    assert "#general, #incident-db, #sre-private" in message
    assert "channels.json" in message


# --- windows --------------------------------------------------------------------------------


def test_window_keeps_messages_by_ts_not_by_file_name(export_path: Path) -> None:
    frame, ctx = read(export_path, window=incident_window(), channels=("incident-db",))
    # filed under 2024-03-05 (a Pacific day), posted 2024-03-06T02:00Z: inside the window
    assert row(frame, "1709690400.001100")["ts"] == pd.Timestamp("2024-03-06T02:00:00.001100Z")
    assert frame["ts"].min() >= incident_window().start
    assert frame["ts"].max() <= incident_window().end
    # outside: the topic change the evening before, and the next day's follow-up
    assert not frame["ref"].str.contains("1709589600|1709748000", regex=True).any()
    assert ctx.artifacts == [{"source": "slack", "name": "#incident-db (export)", "records": 10}]


@pytest.mark.parametrize("form", ["folder", "zip"])
def test_window_never_opens_day_files_outside_its_range(
    export_copy: Path, tmp_path: Path, form: str
) -> None:
    far = export_copy / "incident-db" / "2023-01-01.json"
    far.write_text('[{"type": "message", "ts": "16725')  # not JSON any more
    path = export_copy if form == "folder" else zip_of(export_copy, tmp_path / "e.zip")
    frame, _ = read(path, window=incident_window())
    assert len(frame) == 10 + 1  # the incident channel's window rows, and #sre-private's
    with pytest.raises(InputError, match="2023-01-01.json"):
        read(path)  # without a window the damaged file is read, and named


@pytest.mark.parametrize(
    ("start", "end", "dates"),
    [
        # An evening in UTC is still that day at UTC-12:00, and the next one at UTC+14:00.
        ("2024-03-05T17:00Z", "2024-03-05T19:00Z", ["03-05", "03-06"]),
        # Early morning in UTC is the day before west of UTC.
        ("2024-03-05T02:00Z", "2024-03-05T04:00Z", ["03-04", "03-05"]),
        # Noon UTC: the same date from UTC-12:00 (midnight) to UTC+11:00; the next from +12:00.
        ("2024-03-05T12:00Z", "2024-03-05T12:30Z", ["03-05", "03-06"]),
        # A minute earlier it is still the day before at UTC-12:00.
        ("2024-03-05T11:59Z", "2024-03-05T12:00Z", ["03-04", "03-05", "03-06"]),
        ("2024-03-04T23:00Z", "2024-03-06T01:00Z", ["03-04", "03-05", "03-06"]),
    ],
)
def test_a_window_opens_the_day_files_its_dates_can_fall_on_from_utc_minus_12_to_plus_14(
    tmp_path: Path, start: str, end: str, dates: list[str]
) -> None:
    from ingest.slack.archive import FolderExport

    (tmp_path / "ops").mkdir()
    for day in range(1, 9):
        (tmp_path / "ops" / f"2024-03-0{day}.json").write_text("[]")
    window = Window(pd.Timestamp(start), pd.Timestamp(end))
    opened = FolderExport(tmp_path).day_files("ops", window)
    assert opened == [f"ops/2024-{d}.json" for d in dates]


# --- bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize("form", ["folder", "zip"])
def test_truncated_day_file_names_the_file(export_copy: Path, tmp_path: Path, form: str) -> None:
    day = export_copy / "incident-db" / "2024-03-05.json"
    day.write_bytes(day.read_bytes()[:700])
    path = export_copy if form == "folder" else zip_of(export_copy, tmp_path / "e.zip")
    with pytest.raises(InputError) as raised:
        read(path)
    message = str(raised.value)
    assert message.splitlines()[0] == message  # one line
    assert "incident-db/2024-03-05.json:" in message
    assert "not valid JSON" in message and "re-export" in message


def test_bad_ts_names_the_day_file(export_copy: Path) -> None:
    day = export_copy / "incident-db" / "2024-03-06.json"
    day.write_text('[{"type": "message", "user": "U01ALICE", "text": "x", "ts": "yesterday"}]')
    with pytest.raises(InputError, match=r"incident-db/2024-03-06.json: .*'yesterday'"):
        read(export_copy)


def test_day_file_that_is_not_an_array_of_messages(export_copy: Path) -> None:
    (export_copy / "general" / "2024-03-05.json").write_text('{"messages": []}')
    with pytest.raises(InputError, match=r"general/2024-03-05.json: a day file must be"):
        read(export_copy)


def test_missing_export_and_not_an_export(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file or folder"):
        read(tmp_path / "nowhere")
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError, match="lists no channels"):
        read(tmp_path / "empty")
    (tmp_path / "junk.zip").write_bytes(b"PK not really")
    with pytest.raises(InputError, match="not a readable ZIP"):
        read(tmp_path / "junk.zip")


def test_missing_users_json_is_an_error_saying_a_full_export_has_it(export_copy: Path) -> None:
    (export_copy / "users.json").unlink()
    for path in (export_copy, zip_of(export_copy, export_copy.parent / "export.zip")):
        with pytest.raises(InputError) as error:
            read(path, channels=("incident-db",))
        message = str(error.value)
        assert message.startswith(f"{path}: users.json is missing")
        assert "a full workspace export has it" in message and "\n" not in message


def test_stray_file_in_a_channel_folder_is_a_warning(export_copy: Path) -> None:
    (export_copy / "general" / "canvas.json").write_text("{}")
    _, ctx = read(export_copy, channels=("general",))
    assert ctx.warnings == [
        f"{export_copy}/general/canvas.json: skipped, not a YYYY-MM-DD.json day file"
    ]


# --- edits across day files and pages -------------------------------------------------------


def test_edit_in_a_later_day_file_reaches_its_message(export_copy: Path) -> None:
    edit_ts = "1709751600.000001"  # 2024-03-06T19:00:00Z
    day = export_copy / "incident-db" / "2024-03-06.json"
    records = json.loads(day.read_text())
    records.append(
        {
            "type": "message",
            "subtype": "message_changed",
            "hidden": True,
            "ts": edit_ts,
            "message": {"ts": QUESTION_TS, "text": "new", "edited": {"ts": edit_ts}},
        }
    )
    day.write_text(json.dumps(records))
    frame, ctx = read(export_copy, channels=("incident-db",))
    assert row(frame, QUESTION_TS)["edited_at"] == pd.Timestamp("2024-03-06T19:00:00.000001Z")
    assert ctx.warnings == []


def test_pages_hold_many_day_files_and_edits_cross_pages(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(slack_export, "PAGE_MESSAGES", 2_000)  # pages of a few day files
    root = tmp_path / "big"
    (root / "busy").mkdir(parents=True)
    (root / "channels.json").write_text('[{"id": "C9", "name": "busy"}]')
    (root / "users.json").write_text("[]")
    per_day = slack_export.PAGE_MESSAGES // 2 + 1
    start = 1_700_000_000
    for day in range(3):
        records = [
            {
                "type": "message",
                "user": "U1",
                "text": f"m{i}",
                "ts": f"{start + day * 86400 + i}.000000",
            }
            for i in range(per_day)
        ]
        if day == 2:  # edit the first message of the first page, from the second page
            records.append(
                {
                    "type": "message",
                    "subtype": "message_changed",
                    "ts": f"{start + 2 * 86400 + per_day}.000000",
                    "message": {
                        "ts": f"{start + 86400}.000000",
                        "edited": {"ts": f"{start + 2 * 86400 + per_day}.000000"},
                    },
                }
            )
        (root / "busy" / f"2023-11-{14 + day}.json").write_text(json.dumps(records))
    ctx = ReadContext()
    pages = list(read_slack_export(root, ctx))
    assert [len(p) for p in pages] == [2 * per_day, per_day]  # two day files, then one
    frame = concat(pages)
    edited = frame[frame["edited_at"].notna()]
    assert edited["ref"].to_list() == [f"C9/{start + 86400}.000000"]
    assert ctx.artifacts == [{"source": "slack", "name": "#busy (export)", "records": 3 * per_day}]


# --- the normaliser on Web API shapes -------------------------------------------------------

# conversations.replies and users.list answers, in the shapes of the Slack API examples.
REPLIES = [
    {
        "reply_count": 3,
        "text": "island",
        "thread_ts": "1482960137.003543",
        "ts": "1482960137.003543",
        "type": "message",
        "user": "U061F7AUR",
    },
    {
        "parent_user_id": "U061F7AUR",
        "text": "one island",
        "thread_ts": "1482960137.003543",
        "ts": "1483037603.017503",
        "type": "message",
        "user": "U061F7AUR",
    },
    {
        "parent_user_id": "U061F7AUR",
        "text": "two island",
        "thread_ts": "1482960137.003543",
        "ts": "1483051909.018632",
        "type": "message",
        "user": "W012A3CDE",
    },
]
MEMBERS = [
    {
        "id": "W012A3CDE",
        "name": "spengler",
        "real_name": "spengler",
        "profile": {"display_name": "spengler", "real_name": "Egon Spengler"},
    },
    {
        "id": "U061F7AUR",
        "name": "glinda",
        "real_name": "Glinda Southgood",
        "profile": {"display_name": "", "real_name": "Glinda Southgood"},
    },
]


def test_messages_frame_on_api_replies() -> None:
    frame = messages_frame(
        REPLIES, channel_id="C1", channel_name="general", users=user_names(MEMBERS)
    )
    validate(frame)
    assert frame["kind"].to_list() == ["chat.message", "chat.reply", "chat.reply"]
    assert frame["thread_ref"].to_list() == ["", "C1/1482960137.003543", "C1/1482960137.003543"]
    assert frame["actor"].to_list() == ["Glinda Southgood", "Glinda Southgood", "spengler"]
    assert frame["ts"].iloc[2] == pd.Timestamp("2016-12-29T22:51:49.018632Z")
    assert frame["channel"].unique().tolist() == ["#general"]


def test_messages_frame_of_nothing_is_an_empty_schema_frame() -> None:
    frame = messages_frame([], channel_id="C1", channel_name="general", users={})
    validate(frame)
    assert len(frame) == 0


def test_messages_frame_reads_short_ts_exactly() -> None:
    records = [{"type": "message", "text": "x", "user": "U1", "ts": "1355517523.5"}]
    frame = messages_frame(records, channel_id="C1", channel_name="g", users={})
    assert frame["ts"].iloc[0] == pd.Timestamp("2012-12-14T20:38:43.500000Z")
    assert frame["ref"].iloc[0] == "C1/1355517523.5"


def test_messages_frame_rejects_a_missing_ts() -> None:
    records = [{"type": "message", "text": "x", "user": "U1"}]
    with pytest.raises(InputError, match="a message has no ts"):
        messages_frame(records, channel_id="C1", channel_name="g", users={})


def test_markup_edge_cases() -> None:
    records = [
        {"type": "message", "ts": "1.000001", "text": "<@U9|old-name> and <@U9> and <#C5>"},
        {
            "type": "message",
            "ts": "2.000002",
            "text": "<!subteam^S1|@db-oncall> see <https://x.io>",
        },
        {"type": "message", "ts": "3.000003", "text": "&amp;lt;kept&amp;gt; a<b"},
    ]
    frame = messages_frame(records, channel_id="C1", channel_name="g", users={})
    assert frame["summary"].to_list() == [
        "@old-name and @U9 and #C5",
        "@db-oncall see https://x.io",
        "&lt;kept&gt; a<b",
    ]


def test_message_of_the_wrong_shape_names_the_day_file(export_copy: Path) -> None:
    day = export_copy / "general" / "2024-03-05.json"
    day.write_text('[{"type": "message", "text": "x", "ts": "1.000001", "edited": "yes"}]')
    expected = (
        r"general/2024-03-05.json: message #1 \(1.000001\): "
        r"field 'edited' must be an object, not a string$"
    )
    with pytest.raises(InputError, match=expected):
        read(export_copy)
