import json
from pathlib import Path

import pandas as pd
import pytest

from ingest.errors import InputError, TimeError
from ingest.pagerduty.file import read_pagerduty_file
from ingest.pagerduty.normalise import (
    alerts_frame,
    incident_info,
    log_entries_frame,
    notes_frame,
)
from ingest.schema import concat, validate
from ingest.types import ReadContext, Window

FIXTURES = Path(__file__).parents[2] / "fixtures" / "pagerduty"


def load(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text())


def read_all(path: Path, ctx: ReadContext | None = None) -> pd.DataFrame:
    frames = list(read_pagerduty_file(path, ctx or ReadContext()))
    for frame in frames:
        validate(frame)
    return concat(frames)


def test_incident_info_reads_the_official_example():
    info = incident_info(load("get_incident.json")["incident"])
    assert info.id == "PT4KHLK"
    assert info.title == "The server is on fire."
    assert info.severity == "P2"
    assert info.url == "https://subdomain.pagerduty.com/incidents/PT4KHLK"
    assert info.service == "My Mail Service"
    assert info.created_at == pd.Timestamp("2015-10-06T21:30:42Z")
    assert info.resolved_at is None
    assert info.status == "acknowledged"
    assert info.number == 1234


def test_severity_maps_priority_then_falls_back_to_urgency():
    incident = load("get_incident.json")["incident"]
    assert incident_info(incident, {"P2": "SEV-2"}).severity == "SEV-2"
    incident["priority"] = None
    assert incident_info(incident).severity == "urgency:high"
    del incident["urgency"]
    assert incident_info(incident).severity == ""


def test_every_log_entry_type_gets_its_kind_and_none_is_dropped():
    entries = load("log_entries_mixed.json")["log_entries"]
    frame = log_entries_frame(entries, incident_id="PT4KHLK")
    validate(frame)
    assert len(frame) == len(entries)
    kinds = dict(zip(frame["subtype"], frame["kind"].astype(str), strict=True))
    assert kinds == {
        "trigger_log_entry": "alert.triggered",
        "notify_log_entry": "alert.notified",
        "acknowledge_log_entry": "alert.acknowledged",
        "annotate_log_entry": "alert.annotated",
        "escalate_log_entry": "alert.escalated",
        "reassign_log_entry": "alert.assigned",
        "priority_change_log_entry": "alert.priority_changed",
        "responder_request_log_entry": "alert.responder_requested",
        "status_update_log_entry": "alert.status_update",
        "snooze_log_entry": "alert.other",
        "teleport_log_entry": "alert.other",
        "unacknowledge_log_entry": "alert.unacknowledged",
        "resolve_log_entry": "alert.resolved",
    }


def test_unknown_type_is_named_in_its_summary():
    frame = log_entries_frame(load("log_entries_mixed.json")["log_entries"], incident_id="P1")
    row = frame.set_index("ref").loc["Q1FUTURE000001"]
    assert row["kind"] == "alert.other"
    assert row["summary"] == "[teleport_log_entry] Teleported to a parallel incident"


@pytest.mark.parametrize(
    "raw_type", ["exhaust_escalation_path_log_entry", "repeat_escalation_path_log_entry"]
)
def test_escalation_path_types_are_escalations(raw_type):
    entry = {"id": "Q9", "type": raw_type, "summary": "", "created_at": "2020-01-01T00:00:00Z"}
    assert log_entries_frame([entry], incident_id="P1")["kind"].iloc[0] == "alert.escalated"


def test_acknowledgement_spelling_from_the_spec_subschema_is_an_acknowledgement():
    entry = {"id": "Q9", "type": "acknowledgement_log_entry", "created_at": "2020-01-01T00:00Z"}
    assert log_entries_frame([entry], incident_id="P1")["kind"].iloc[0] == "alert.acknowledged"


def test_mixed_offsets_land_on_one_utc_clock():
    frame = log_entries_frame(load("log_entries_mixed.json")["log_entries"], incident_id="P1")
    ack = frame.set_index("ref").loc["Q1ACK000000001"]
    assert ack["ts"] == pd.Timestamp("2015-11-07T00:20:05Z")
    assert str(frame["ts"].dtype) == "datetime64[ns, UTC]"


def test_log_entry_columns_come_from_the_record():
    frame = log_entries_frame(load("log_entries_mixed.json")["log_entries"], incident_id="P1")
    trigger = frame.iloc[0]
    assert trigger["ref"] == "Q02JTSNZWHSEKV"
    assert trigger["url"].endswith("/incidents/PT4KHLK/log_entries/Q02JTSNZWHSEKV")
    assert trigger["actor"] == "My Mail Service"
    assert trigger["channel"] == "My Mail Service"
    assert trigger["source"] == "pagerduty"
    assert len(trigger["raw_sha256"]) == 64
    assert frame["raw_sha256"].nunique() == len(frame)


def test_annotation_carries_the_note_text():
    frame = log_entries_frame(load("log_entries_mixed.json")["log_entries"], incident_id="P1")
    note = frame.set_index("ref").loc["Q1ANNOTATE0001"]
    assert note["summary"] == "Note added: Rolling back the 00:05 mail deploy"


def test_record_hash_ignores_key_order_but_not_content():
    entry = load("list_incident_log_entries.json")["log_entries"][0]
    reordered = dict(reversed(list(entry.items())))
    changed = {**entry, "summary": "Triggered by hand"}
    hashes = log_entries_frame([entry, reordered, changed], incident_id="P1")["raw_sha256"]
    assert hashes[0] == hashes[1] != hashes[2]


def test_alerts_trigger_and_never_invent_a_resolve():
    alerts = load("list_incident_alerts.json")["alerts"]
    assert alerts[0]["status"] == "resolved"
    frame = alerts_frame(alerts)
    validate(frame)
    assert frame["kind"].tolist() == ["alert.triggered"]
    assert frame["ts"].iloc[0] == pd.Timestamp("2015-10-06T21:30:42Z")
    assert frame["summary"].iloc[0] == "Alert (critical): The server is on fire."
    assert frame["url"].iloc[0] == "https://subdomain.pagerduty.com/alerts/PXPGF42"


def test_notes_are_annotations_with_their_author_and_edit_time():
    frame = notes_frame(load("list_incident_notes.json")["notes"], incident_id="PT4KHLK")
    validate(frame)
    first = frame.iloc[0]
    assert first["kind"] == "alert.annotated"
    assert first["ref"] == "PWL7QXS"
    assert first["summary"] == "Firefighters are on the scene."
    assert first["actor"] == "Earline Greenholt"
    assert first["ts"] == pd.Timestamp("2013-03-06T20:28:51Z")
    assert first["edited_at"] == pd.Timestamp("2023-10-01T17:00:00Z")


def test_empty_lists_give_empty_valid_frames():
    for frame in (
        log_entries_frame([], incident_id="P1"),
        alerts_frame([]),
        notes_frame([], incident_id="P1"),
    ):
        validate(frame)
        assert frame.empty


def test_reading_a_list_response_with_pagination_fields():
    ctx = ReadContext()
    frame = read_all(FIXTURES / "log_entries_mixed.json", ctx)
    assert len(frame) == 13
    assert ctx.artifacts == [
        {"source": "pagerduty", "name": "log_entries_mixed.json log_entries", "records": 13}
    ]


def test_reading_the_official_example_without_pagination_fields():
    frame = read_all(FIXTURES / "list_incident_log_entries.json")
    assert frame["ref"].tolist() == ["Q02JTSNZWHSEKV"]


def test_reading_an_array_of_pages_fills_the_incident():
    ctx = ReadContext()
    frame = read_all(FIXTURES / "log_entry_pages.json", ctx)
    assert len(frame) == 4
    assert ctx.incident.id == "PT4KHLK"
    assert ctx.incident.severity == "P2"
    assert ctx.incident.created_at == pd.Timestamp("2015-10-06T21:30:42Z")
    # entries that name no service take the incident's
    assert set(frame["channel"]) == {"My Mail Service"}


def test_reading_an_object_with_several_payloads():
    ctx = ReadContext()
    frame = read_all(FIXTURES / "incident_bundle.json", ctx)
    assert sorted(frame["kind"].astype(str)) == [
        "alert.annotated",
        "alert.annotated",
        "alert.triggered",
        "alert.triggered",
    ]
    names = {a["name"]: a["records"] for a in ctx.artifacts}
    assert names == {
        "incident_bundle.json incident": 1,
        "incident_bundle.json log_entries": 1,
        "incident_bundle.json alerts": 1,
        "incident_bundle.json notes": 2,
    }


def test_an_incident_alone_yields_no_rows_but_fills_the_context():
    ctx = ReadContext()
    assert read_all(FIXTURES / "get_incident.json", ctx).empty
    assert ctx.incident.title == "The server is on fire."


def test_window_keeps_only_rows_inside_it():
    window = Window(pd.Timestamp("2015-11-07T00:20:00Z"), pd.Timestamp("2015-11-07T00:30:00Z"))
    frame = read_all(FIXTURES / "log_entries_mixed.json", ReadContext(window=window))
    assert frame["ts"].between(window.start, window.end).all()
    assert len(frame) == 7


def test_truncated_json_names_file_and_line(tmp_path):
    path = tmp_path / "cut.json"
    path.write_text((FIXTURES / "log_entries_mixed.json").read_text()[:500])
    with pytest.raises(InputError) as error:
        list(read_pagerduty_file(path, ReadContext()))
    message = str(error.value)
    assert message.startswith(f"{path}:")
    assert error.value.line is not None and error.value.line > 1
    assert "not valid JSON" in message and "\n" not in message


def test_json_of_another_shape_says_which_keys_were_expected(tmp_path):
    path = tmp_path / "users.json"
    path.write_text('{"users": []}')
    with pytest.raises(InputError) as error:
        list(read_pagerduty_file(path, ReadContext()))
    assert str(error.value) == (
        f"{path}: is not a PagerDuty API response: expected an object with one of 'incident', "
        "'log_entries', 'alerts', 'notes' (found 'users')"
    )


def test_a_bad_page_in_an_array_is_named(tmp_path):
    path = tmp_path / "pages.json"
    path.write_text('[{"log_entries": []}, [1, 2]]')
    with pytest.raises(InputError, match=r"page 2 is not a PagerDuty API response"):
        list(read_pagerduty_file(path, ReadContext()))


def test_missing_file_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match=r"nope.json: file not found$"):
        list(read_pagerduty_file(tmp_path / "nope.json", ReadContext()))


def test_log_entries_that_are_not_a_list_of_objects(tmp_path):
    path = tmp_path / "odd.json"
    path.write_text('{"log_entries": {"id": "Q1"}}')
    with pytest.raises(InputError, match=r"odd.json: 'log_entries' must be a list of objects"):
        list(read_pagerduty_file(path, ReadContext()))


def test_entry_without_id_or_time_is_named(tmp_path):
    path = tmp_path / "holes.json"
    path.write_text('{"log_entries": [{"id": "Q1", "type": "trigger_log_entry"}]}')
    expected = r"holes.json: log entry #1 \(Q1\): has no 'created_at'$"
    with pytest.raises(InputError, match=expected):
        list(read_pagerduty_file(path, ReadContext()))
    path.write_text('{"log_entries": [{"type": "trigger_log_entry"}]}')
    with pytest.raises(InputError, match=r"log entry #1: has no 'id'$"):
        list(read_pagerduty_file(path, ReadContext()))


def test_naive_time_is_a_time_error_naming_the_file(tmp_path):
    path = tmp_path / "naive.json"
    path.write_text('{"log_entries": [{"id": "Q1", "created_at": "2015-11-07T00:14:20"}]}')
    with pytest.raises(TimeError) as error:
        list(read_pagerduty_file(path, ReadContext()))
    assert str(error.value).startswith(f"{path}: ")
    assert "has no time zone offset" in str(error.value)


# -- every record checked against the shape the tool reads --------------------------------------


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ('{"incident": [1, 2, 3]}', r"'incident' must be an object, not a list"),
        ('{"incident": {"title": "x"}}', r"incident #1: has no 'id'"),
        (
            '{"incident": {"id": "P1", "service": "checkout"}}',
            r"incident #1 \(P1\): field 'service' must be an object, not a string",
        ),
        ('{"log_entries": [1, 2]}', r"log entry #1: must be an object, not a number"),
        (
            '{"log_entries": [{"id": "Q1", "created_at": "2024-05-01T10:00:00Z"}, '
            '{"id": "Q2", "created_at": "2024-05-01T10:00:00Z", "agent": "bob"}]}',
            r"log entry #2 \(Q2\): field 'agent' must be an object, not a string",
        ),
        (
            '{"log_entries": [{"id": "Q1", "created_at": 1714557600}]}',
            r"log entry #1 \(Q1\): field 'created_at' must be a string, not a number",
        ),
        (
            '{"log_entries": [{"id": "Q1", "created_at": "2024-05-01T10:00:00Z", '
            '"summary": ["a"]}]}',
            r"log entry #1 \(Q1\): field 'summary' must be a string, not a list",
        ),
        (
            '{"alerts": [{"id": "A1", "created_at": "2024-05-01T10:00:00Z", '
            '"service": {"summary": 7}}]}',
            r"alert #1 \(A1\): field 'service.summary' must be a string, not a number",
        ),
        (
            '{"notes": [{"id": "N1", "created_at": "2024-05-01T10:00:00Z", "content": {}}]}',
            r"note #1 \(N1\): field 'content' must be a string, not an object",
        ),
        ('{"notes": "none"}', r"'notes' must be a list of objects, not a string"),
    ],
)
def test_a_wrong_type_or_missing_field_names_file_record_and_field(tmp_path, payload, message):
    path = tmp_path / "pd.json"
    path.write_text(payload)
    with pytest.raises(InputError, match=message) as error:
        list(read_pagerduty_file(path, ReadContext()))
    assert str(error.value).startswith(f"{path}: ")
    assert "\n" not in str(error.value)


def test_note_rows_keep_the_link_of_the_log_entry_they_replace(tmp_path):
    path = tmp_path / "pd.json"
    entry = {
        "id": "RANNOTATE1",
        "type": "annotate_log_entry",
        "summary": "Note added.",
        "html_url": "https://acme.pagerduty.com/incidents/P1/log_entries/RANNOTATE1",
        "created_at": "2024-05-01T10:05:00Z",
        "channel": {"type": "note", "summary": "Rolled back 4411."},
    }
    note = {"id": "PNOTE1", "content": "Rolled back 4411.", "created_at": "2024-05-01T10:05:01Z"}
    path.write_text(json.dumps({"log_entries": [entry], "notes": [note]}))
    frame = concat(read_pagerduty_file(path, ReadContext()))
    assert list(frame["ref"]) == ["PNOTE1"]
    assert frame["url"].iloc[0] == entry["html_url"]
    assert frame["summary"].iloc[0] == "Rolled back 4411."
