"""The Markdown skeleton: sections, TK markers, safe tables, folding of non-key rows, overrides."""

from __future__ import annotations

import ast
import copy
import re
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from ingest.errors import InputError, TimeError
from ingest.schema import frame_from_columns
from ingest.times import iso_to_utc
from render.markdown import render_markdown

RENDER_PACKAGE = Path(__file__).resolve().parents[2] / "render"

SECTIONS = [
    "# Postmortem: ",
    "## Key timestamps",
    "## Gaps",
    "## Preceding changes",
    "## Timeline",
    "## Quiet periods",
    "## Artifact inventory",
    "## Redaction findings",
    "### Warnings",
    "## Summary",
    "## Customer impact",
    "## Contributing factors",
    "## What went well",
    "## What went wrong",
    "## Where we got lucky",
    "## Action items",
    "## Lessons learned",
    "## Distribution",
]


def event(ts: str, source: str, kind: str, summary: str, ref: str, **extra: Any) -> dict:
    return {"ts": ts, "source": source, "kind": kind, "summary": summary, "ref": ref, **extra}


def make_frame(rows: list[dict]) -> pd.DataFrame:
    """A schema frame from row dicts (times as ISO strings), in the order given."""
    names = ["actor", "url", "channel", "thread_ref", "tags"]
    columns: dict[str, Any] = {
        "ts": iso_to_utc([r["ts"] for r in rows]),
        "edited_at": iso_to_utc([r.get("edited_at") for r in rows]),
        "source": [r["source"] for r in rows],
        "kind": [r["kind"] for r in rows],
        "summary": [r["summary"] for r in rows],
        "ref": [r["ref"] for r in rows],
        "key": [r.get("key", True) for r in rows],
    }
    for name in names:
        columns[name] = [r.get(name, "") for r in rows]
    return frame_from_columns(columns, length=len(rows))


def milestone(at: str | None, evidence: str = "observed", ref: str = "", rule: str = "") -> dict:
    return {"at": at, "evidence": evidence if at else "unknown", "ref": ref, "rule": rule}


@pytest.fixture
def incident_rows() -> list[dict]:
    return [
        event(
            "2024-05-01T09:40:00Z",
            "github",
            "commit",
            "bump pool size",
            "a1b2c3d",
            url="https://github.com/acme/shop/commit/a1b2c3d",
            actor="alice",
            key=False,
        ),
        event(
            "2024-05-01T09:50:00Z",
            "github",
            "deploy.succeeded",
            "shop v1.2 to prod",
            "dep-7",
            url="https://github.com/acme/shop/deployments/7",
            actor="deploy-bot",
        ),
        event(
            "2024-05-01T10:00:00Z",
            "pagerduty",
            "alert.triggered",
            "Checkout 5xx above 2%",
            "R1",
            url="https://acme.pagerduty.com/incidents/P1/log_entries/R1",
            actor="Datadog",
            channel="checkout",
        ),
        event(
            "2024-05-01T10:01:00Z",
            "slack",
            "chat.message",
            "anyone else seeing this?",
            "C1/1714557660.000100",
            channel="inc-checkout",
            actor="bob",
            key=False,
        ),
        event(
            "2024-05-01T10:01:30Z",
            "slack",
            "chat.message",
            "yes, since 10:00",
            "C1/1714557690.000100",
            channel="inc-checkout",
            actor="carol",
            key=False,
        ),
        event(
            "2024-05-01T10:01:40Z",
            "slack",
            "chat.message",
            "looking at dashboards",
            "C1/1714557700.000100",
            channel="inc-checkout",
            actor="bob",
            key=False,
        ),
        event(
            "2024-05-01T10:02:00Z",
            "pagerduty",
            "alert.acknowledged",
            "Acknowledged by Dana",
            "R2",
            url="https://acme.pagerduty.com/incidents/P1/log_entries/R2",
            actor="Dana",
        ),
        event(
            "2024-05-01T10:03:00Z",
            "slack",
            "chat.message",
            "paging db on-call",
            "C1/1714557780.000100",
            channel="inc-checkout",
            actor="dana",
            key=False,
        ),
        event(
            "2024-05-01T10:20:00Z",
            "github",
            "deploy.succeeded",
            "shop v1.1 to prod",
            "dep-8",
            url="https://github.com/acme/shop/deployments/8",
            actor="dana",
        ),
        event(
            "2024-05-01T10:21:00Z",
            "slack",
            "chat.reply",
            "rolled back, errors recovering",
            "C1/1714558860.000100",
            thread_ref="C1/1714557660.000100",
            channel="inc-checkout",
            actor="dana",
            edited_at="2024-05-01T10:40:00Z",
            tags="edited_after_mitigation",
            url="https://acme.slack.com/archives/C1/p1714558860000100",
        ),
        event(
            "2024-05-01T10:30:00Z",
            "pagerduty",
            "alert.resolved",
            "Resolved",
            "R3",
            url="https://acme.pagerduty.com/incidents/P1/log_entries/R3",
            actor="Datadog",
        ),
    ]


@pytest.fixture
def summary() -> dict:
    return {
        "incident": {
            "id": "P1",
            "title": "Checkout errors",
            "severity": "SEV-2",
            "url": "https://acme.pagerduty.com/incidents/P1",
            "window": {"start": "2024-05-01T08:00:00Z", "end": "2024-05-01T11:00:00Z"},
        },
        "sources": [
            {"name": "pagerduty", "status": "ok", "events": 4, "error": None},
            {"name": "github", "status": "ok", "events": 3, "error": None},
            {
                "name": "slack",
                "status": "failed",
                "events": 0,
                "error": "not_in_channel: invite the bot to #inc-checkout",
            },
        ],
        "milestones": {
            "impact_start": milestone(None),
            "detected": milestone("2024-05-01T10:00:00Z", ref="R1"),
            "acknowledged": milestone("2024-05-01T10:02:00Z", ref="R2"),
            "escalated": milestone(None),
            "mitigated": milestone(
                "2024-05-01T10:20:00Z", "inferred", "dep-8", "older SHA redeployed"
            ),
            "resolved": milestone("2024-05-01T10:30:00Z", ref="R3"),
            "first_comms": milestone(None),
        },
        "gaps": {
            "time_to_detect": None,
            "time_to_acknowledge": 120.0,
            "detection_to_escalation": None,
            "escalation_to_mitigation": None,
            "time_to_mitigate": 1200.0,
            "time_to_resolve": 1800.0,
            "impact_duration": None,
            "time_to_first_comms": None,
        },
        "quiet_periods": [
            {"start": "2024-05-01T10:03:00Z", "end": "2024-05-01T10:20:00Z", "seconds": 1020}
        ],
        "redactions": [{"kind": "aws_access_key", "ref": "C1/1714557780.000100", "count": 2}],
        "warnings": ["slack/2024-05-01.json:14: message without ts skipped"],
        "inventory": [
            {
                "source": "pagerduty",
                "name": "log_entries.json",
                "records": 4,
                "in_window": 4,
                "outside_window": 0,
            },
        ],
        "counts": {"events": 11, "key_events": 6, "other_messages": 5},
        "tool": {"name": "postmortem-timeline", "version": "0.1.0"},
    }


@pytest.fixture
def rendered(incident_rows: list[dict], summary: dict) -> str:
    return render_markdown(make_frame(incident_rows), summary)


def section(text: str, heading: str) -> str:
    """The body of one section: from its heading to the next heading of any level."""
    start = text.index(heading + "\n")
    rest = text[start + len(heading) + 1 :]
    following = re.search(r"^#{1,3} ", rest, flags=re.MULTILINE)
    return rest[: following.start()] if following else rest


def table_rows(text: str) -> list[list[str]]:
    """Each Markdown table in the text as its list of row lines."""
    tables: list[list[str]] = []
    previous_was_row = False
    for line in text.splitlines():
        is_row = line.startswith("|")
        if is_row and not previous_was_row:
            tables.append([])
        if is_row:
            tables[-1].append(line)
        previous_was_row = is_row
    return tables


def column_count(row: str) -> int:
    """Cells in a table row, counting only pipes that no backslash escapes."""
    pipes, index = 0, 0
    while index < len(row):
        if row[index] == "\\":
            index += 2
            continue
        pipes += row[index] == "|"
        index += 1
    return pipes - 1


def assert_tables_well_formed(text: str) -> None:
    tables = table_rows(text)
    assert tables, "expected at least one table"
    for rows in tables:
        width = column_count(rows[0])
        assert re.fullmatch(r"\|(---\|)+", rows[1]), rows[:2]
        for row in rows:
            assert row.endswith("|"), row
            assert column_count(row) == width, row


def timeline_lines(text: str) -> list[str]:
    return table_rows(section(text, "## Timeline"))[0][2:]


def test_every_section_is_present_in_order(rendered: str) -> None:
    positions = [rendered.index(heading) for heading in SECTIONS]
    assert positions == sorted(positions)
    assert rendered.startswith("# Postmortem: Checkout errors\n")
    assert rendered.endswith("\n") and not rendered.endswith("\n\n")
    assert "\n\n\n" not in rendered


def test_every_table_is_well_formed(rendered: str) -> None:
    assert_tables_well_formed(rendered)
    assert len(table_rows(rendered)) == 9


def test_header_links_incident_and_reports_each_source(rendered: str) -> None:
    header = section(rendered, "# Postmortem: Checkout errors")
    assert "| Incident | [P1](https://acme.pagerduty.com/incidents/P1) |" in header
    assert "| Severity | SEV-2 |" in header
    assert "| Window start (UTC) | 2024-05-01 08:00:00 |" in header
    assert "| Window end (UTC) | 2024-05-01 11:00:00 |" in header
    assert "| Source: pagerduty | ok, 4 events |" in header
    assert "| Source: slack | failed: not\\_in\\_channel: invite the bot to #inc-checkout |" in (
        header
    )


def test_empty_severity_and_title_are_tk(incident_rows: list[dict], summary: dict) -> None:
    summary["incident"].update(severity="", title="", url="")
    text = render_markdown(make_frame(incident_rows), summary)
    assert text.startswith("# Postmortem: TK — author to confirm\n")
    assert "| Severity | TK |" in text
    assert "| Incident | P1 |" in text


def test_milestones_show_time_evidence_and_source(rendered: str) -> None:
    body = section(rendered, "## Key timestamps")
    assert (
        "| Detected | 2024-05-01 10:00:00 | observed | "
        "[R1](https://acme.pagerduty.com/incidents/P1/log_entries/R1) |"
    ) in body
    assert (
        "| Mitigated | 2024-05-01 10:20:00 | inferred (older SHA redeployed) | "
        "[dep-8](https://github.com/acme/shop/deployments/8) |"
    ) in body


def test_unknown_milestones_are_tk_markers(rendered: str) -> None:
    body = section(rendered, "## Key timestamps")
    for label in ("Impact start", "Escalated", "First communication"):
        assert f"| {label} | TK | TK — author to confirm | — |" in body
    assert body.count("TK — author to confirm") == 3


def test_milestones_missing_from_the_summary_are_unknown(incident_rows: list[dict]) -> None:
    text = render_markdown(make_frame(incident_rows), {"incident": {"id": "P9"}})
    body = section(text, "## Key timestamps")
    assert body.count("| TK | TK — author to confirm | — |") == 7
    assert "## Preceding changes" not in text
    assert section(text, "## Gaps").count("TK — unknown") == 8


def test_gaps_are_formatted_and_unknown_ones_marked(rendered: str) -> None:
    body = section(rendered, "## Gaps")
    assert "| Time to acknowledge | Detected → Acknowledged | 2m 00s |" in body
    assert "| Time to mitigate | Detected → Mitigated | 20m 00s |" in body
    assert "| Time to detect | Impact start → Detected | TK — unknown |" in body
    assert "⚠" not in body


def test_a_negative_gap_is_shown_with_a_warning(incident_rows: list[dict], summary: dict) -> None:
    summary["gaps"]["time_to_acknowledge"] = -3850
    body = section(render_markdown(make_frame(incident_rows), summary), "## Gaps")
    row = next(line for line in body.splitlines() if "Time to acknowledge" in line)
    assert "-1h 04m 10s ⚠" in row
    assert "negative" in row


def test_preceding_changes_are_listed_neutrally(rendered: str) -> None:
    body = section(rendered, "## Preceding changes")
    rows = table_rows(body)[0][2:]
    assert len(rows) == 2
    assert rows[0].startswith("| 2024-05-01 09:40:00 | Commit: bump pool size |")
    assert rows[1].startswith("| 2024-05-01 09:50:00 | Deploy succeeded: shop v1.2 to prod |")
    assert "dep-8" not in body  # the rollback deploy came after detection
    assert "listed because they came first" in body
    assert "not a finding" in body
    assert not re.search(r"\b(cause[sd]?|causal|culprit|root|blame\w*|fault)\b", body, re.I)


def test_a_change_folded_into_its_system_record_is_listed_once(
    incident_rows: list[dict], summary: dict
) -> None:
    notes_line = event(
        "2024-05-01T09:50:30Z", "notes", "deploy.succeeded", "shop v1.2 went out", "notes.md:2"
    )
    frame = make_frame([*incident_rows, notes_line])
    frame.loc[frame["ref"] == "notes.md:2", "twin_ref"] = "dep-7"
    body = section(render_markdown(frame, summary), "## Preceding changes")
    assert "shop v1.2 to prod" in body
    assert "notes.md:2" not in body


def test_preceding_changes_are_omitted_without_detection_or_changes(
    incident_rows: list[dict], summary: dict
) -> None:
    unknown = copy.deepcopy(summary)
    unknown["milestones"]["detected"] = milestone(None)
    assert "## Preceding changes" not in render_markdown(make_frame(incident_rows), unknown)
    no_changes = [r for r in incident_rows if r["source"] != "github"]
    assert "## Preceding changes" not in render_markdown(make_frame(no_changes), summary)


def test_non_key_rows_are_counted_between_key_rows_not_listed(rendered: str) -> None:
    lines = timeline_lines(rendered)
    texts = [line.split(" | ")[1] for line in lines]
    assert texts == [
        "*… 1 more event from github*",
        "Deploy succeeded: shop v1.2 to prod",
        "Alert triggered: Checkout 5xx above 2%",
        "*… 3 more messages in #inc-checkout*",
        "Alert acknowledged: Acknowledged by Dana",
        "*… 1 more message in #inc-checkout*",
        "Deploy succeeded: shop v1.1 to prod",
        "Reply in thread: rolled back, errors recovering (edited 10:40:00) "
        "⚠ edited after mitigation; may contain hindsight",
        "Alert resolved: Resolved",
    ]
    body = section(rendered, "## Timeline")
    assert "anyone else seeing this" not in body
    assert "6 key events of 11 are shown, chosen by what they carry" in body
    assert "The other 5 stay in the events files" in body


def test_non_key_rows_from_several_channels_share_one_row() -> None:
    rows = [
        event("2024-05-01T10:00:00Z", "pagerduty", "alert.triggered", "fire", "R1"),
        event(
            "2024-05-01T10:01:00Z", "slack", "chat.message", "a", "C1/1", channel="inc", key=False
        ),
        event(
            "2024-05-01T10:02:00Z", "slack", "chat.message", "b", "C2/1", channel="ops", key=False
        ),
        event("2024-05-01T10:03:00Z", "slack", "chat.reply", "c", "C1/2", channel="inc", key=False),
        event(
            "2024-05-01T10:04:00Z",
            "pagerduty",
            "alert.notified",
            "sms",
            "R2",
            channel="checkout",
            key=False,
        ),
    ]
    lines = timeline_lines(render_markdown(make_frame(rows), {}))
    assert len(lines) == 2
    assert lines[1] == "|  | *… 4 more events: 2 in #inc, 1 in #ops, 1 in checkout* |  |  |"


def test_a_frame_whose_source_column_is_plain_text_folds_the_same() -> None:
    # A frame from elsewhere (a draft's input rebuilt by hand) may not carry the categories.
    rows = [
        event("2024-05-01T10:00:00Z", "pagerduty", "alert.triggered", "fire", "R1"),
        event("2024-05-01T10:01:00Z", "github", "commit", "a", "abc1", key=False),
        event(
            "2024-05-01T10:02:00Z", "slack", "chat.message", "b", "C1/1", channel="inc", key=False
        ),
    ]
    frame = make_frame(rows)
    plain = frame.assign(source=frame["source"].astype(object))
    assert render_markdown(plain, {}) == render_markdown(frame, {})
    assert "2 more events: 1 from github, 1 in #inc" in render_markdown(plain, {})


def test_replies_edits_and_hindsight_are_marked(rendered: str) -> None:
    row = next(line for line in timeline_lines(rendered) if "rolled back" in line)
    assert row == (
        "| 2024-05-01 10:21:00 | Reply in thread: rolled back, errors recovering "
        "(edited 10:40:00) ⚠ edited after mitigation; may contain hindsight | "
        "[C1/1714558860.000100](https://acme.slack.com/archives/C1/p1714558860000100) | dana |"
    )


def test_an_edit_before_mitigation_only_shows_its_time() -> None:
    rows = [
        event(
            "2024-05-01T10:00:00Z",
            "slack",
            "chat.message",
            "db is slow",
            "C1/1",
            edited_at="2024-05-01T10:05:09Z",
            channel="inc",
        )
    ]
    row = timeline_lines(render_markdown(make_frame(rows), {}))[0]
    assert "| Message: db is slow (edited 10:05:09) | `C1/1` |" in row
    assert "hindsight" not in row


def test_sub_second_rows_keep_frame_order() -> None:
    rows = [
        event("2024-05-01T10:00:00.100Z", "pagerduty", "alert.triggered", "first", "R1"),
        event("2024-05-01T10:00:00.100001Z", "slack", "chat.message", "second", "C1/2"),
        event("2024-05-01T10:00:00.900Z", "slack", "chat.message", "third", "C1/3"),
    ]
    lines = timeline_lines(render_markdown(make_frame(rows), {}))
    assert [line.split(" | ")[0] for line in lines] == ["| 2024-05-01 10:00:00"] * 3
    assert [re.search(r"(first|second|third)", line).group(1) for line in lines] == [
        "first",
        "second",
        "third",
    ]


def test_planted_pipes_newlines_and_html_cannot_break_the_document(summary: dict) -> None:
    nasty = "a | b\nc\r\n| d | e |\\|`x`*y*_z_ [l](javascript:alert(1)) <script>alert(1)</script>"
    rows = [
        event(
            "2024-05-01T10:00:00Z",
            "pagerduty",
            "alert.triggered",
            nasty,
            "R|1\n2",
            actor="eve | mallory\n# h",
            url="javascript:alert(1)",
            channel="x|y",
        ),
        event(
            "2024-05-01T10:01:00Z",
            "slack",
            "chat.message",
            nasty,
            "C1/2",
            key=False,
            channel="inc|ops\nx",
        ),
        event(
            "2024-05-01T10:02:00Z",
            "slack",
            "chat.message",
            nasty,
            "C1/3",
            url="https://acme.slack.com/archives/C1/p3?q=(1)|2 3",
        ),
    ]
    summary["incident"]["title"] = "Title | with\nbreak <b>"
    summary["incident"]["id"] = "P|1"
    summary["incident"]["url"] = "javascript:alert(1)"
    summary["sources"][2]["error"] = "bad | token\nline two"
    summary["warnings"] = ["- w | one\nsecond line", "# not a heading"]
    summary["redactions"] = [{"kind": "k|k", "ref": "C1/3|x", "count": 1}]
    summary["inventory"][0]["name"] = "log|entries`.json"
    summary["milestones"]["detected"]["rule"] = "rule | x"
    text = render_markdown(make_frame(rows), summary)

    assert_tables_well_formed(text)
    assert "<script>" not in text.replace("\\<script>", "")
    assert "<b>" not in text.replace("\\<b>", "")
    assert "javascript:" not in text.replace("\\[l\\](javascript:alert(1))", "")
    assert not re.search(r"(?<!\\)\]\(javascript", text)
    assert "(https://acme.slack.com/archives/C1/p3?q=%281%29%7C2%203)" in text
    assert text.startswith("# Postmortem: Title \\| with break \\<b>\n")
    assert "- \\- w \\| one<br>second line\n" in text
    assert "- \\# not a heading\n" in text
    lines = timeline_lines(text)
    assert len(lines) == 3
    assert "*… 1 more message in #inc\\|ops<br>x*" in lines[1]


def test_quiet_periods_prompt_the_author(rendered: str) -> None:
    body = section(rendered, "## Quiet periods")
    assert "| 2024-05-01 10:03:00 | 2024-05-01 10:20:00 | 17m 00s |" in body
    assert "Find out what happened" in body


def test_empty_lists_say_so(incident_rows: list[dict], summary: dict) -> None:
    for name in ("quiet_periods", "redactions", "warnings", "inventory"):
        summary[name] = []
    summary["sources"] = [s for s in summary["sources"] if s["status"] == "ok"]
    text = render_markdown(make_frame(incident_rows), summary)
    assert section(text, "## Quiet periods").strip() == "None found."
    assert section(text, "## Redaction findings").strip() == "None."
    assert section(text, "### Warnings").strip() == "None."
    assert section(text, "## Artifact inventory").strip() == "No artifacts recorded."


def test_inventory_lists_artifacts_and_missing_sources(rendered: str) -> None:
    body = section(rendered, "## Artifact inventory")
    assert "| pagerduty | `log_entries.json` | 4 | 4 | 0 |" in body
    assert (
        "- Missing: **slack** (failed): not\\_in\\_channel: invite the bot to #inc-checkout"
    ) in body


def test_redactions_give_kind_ref_count_and_the_rotation_prompt(rendered: str) -> None:
    body = section(rendered, "## Redaction findings")
    assert "| aws\\_access\\_key | `C1/1714557780.000100` | 2 |" in body
    assert "rotate it" in body
    assert "- slack/2024-05-01.json:14: message without ts skipped" in section(
        rendered, "### Warnings"
    )


def test_author_sections_are_tk_prompts(rendered: str) -> None:
    for heading in SECTIONS[9:]:
        assert section(rendered, heading).strip().startswith("TK — author to confirm: ")
    actions = table_rows(section(rendered, "## Action items"))[0]
    assert actions[0] == "| Action | Type (Prevention/Detection/Mitigation) | Owner | Due date |"
    assert actions[2:] == ["| TK | TK | TK | TK |"]


def test_an_empty_frame_still_renders_every_section(summary: dict) -> None:
    text = render_markdown(make_frame([]), summary)
    for heading in SECTIONS:
        if heading != "## Preceding changes":
            assert heading in text
    assert timeline_lines(text) == []
    assert_tables_well_formed(text)


def test_a_part_can_be_overridden_from_template_dir(
    tmp_path: Path, incident_rows: list[dict], summary: dict
) -> None:
    (tmp_path / "_author.md.j2").write_text("## Our own sections\n\n{{ TK }}: fill in.\n")
    text = render_markdown(make_frame(incident_rows), summary, template_dir=tmp_path)
    assert "## Our own sections\n\nTK — author to confirm: fill in.\n" in text
    assert "## Where we got lucky" not in text
    assert "## Timeline" in text


def test_the_whole_template_can_be_overridden(
    tmp_path: Path, incident_rows: list[dict], summary: dict
) -> None:
    (tmp_path / "timeline.md.j2").write_text(
        "# {{ incident.id }}\n{% for row in timeline if not row.more %}"
        "- {{ row.ts | utc }} {{ row.summary | md }}\n{% endfor %}"
    )
    text = render_markdown(make_frame(incident_rows), summary, template_dir=tmp_path)
    assert text.splitlines()[:2] == ["# P1", "- 2024-05-01 09:50:00 shop v1.2 to prod"]
    assert len(text.splitlines()) == 7


def test_a_broken_template_names_its_file_and_line(
    tmp_path: Path, incident_rows: list[dict], summary: dict
) -> None:
    (tmp_path / "_gaps.md.j2").write_text("## Gaps\n\n{% for g in gaps %}\n")
    with pytest.raises(InputError, match=r"_gaps\.md\.j2:3: template error"):
        render_markdown(make_frame(incident_rows), summary, template_dir=tmp_path)
    (tmp_path / "_gaps.md.j2").write_text("{{ no_such_name }}\n")
    with pytest.raises(InputError, match="no_such_name"):
        render_markdown(make_frame(incident_rows), summary, template_dir=tmp_path)


def test_a_missing_template_dir_is_an_input_error(tmp_path: Path, summary: dict) -> None:
    with pytest.raises(InputError, match="template directory not found"):
        render_markdown(make_frame([]), summary, template_dir=tmp_path / "nope")


def test_a_summary_time_without_zone_is_a_time_error(
    incident_rows: list[dict], summary: dict
) -> None:
    summary["milestones"]["detected"]["at"] = "2024-05-01T10:00:00"
    with pytest.raises(TimeError, match="milestone detected .* no time zone"):
        render_markdown(make_frame(incident_rows), summary)


def test_render_never_imports_timeline() -> None:
    for path in RENDER_PACKAGE.glob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            assert not any(n.split(".")[0] == "timeline" for n in names), path
