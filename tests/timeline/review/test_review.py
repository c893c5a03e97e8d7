"""The postmortem review: each rubric rule on a draft that breaks it, cross-checks, formats."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from ingest.errors import InputError, UsageError
from ingest.schema import frame_from_columns
from timeline.bundle import Bundle
from timeline.review.check import Finding, format_findings, has_errors, read_draft, review_draft
from timeline.summary import Summary

DRAFTS = Path(__file__).resolve().parents[2] / "fixtures" / "drafts"
GOOD = (DRAFTS / "good.md").read_text(encoding="utf-8")

# The events behind the good draft's timeline: (time, ref, url, kind, key).
GOOD_EVENTS = [
    (
        "2026-10-14T14:05:12Z",
        "4b7d0e2a",
        "https://github.com/example/checkout/commit/4b7d0e2a",
        "deploy.succeeded",
        True,
    ),
    ("2026-10-14T14:22:10Z", "notes.md:3", "", "report.customer", True),
    ("2026-10-14T14:31:04Z", "R1ALERT0TRIGGERED", "", "alert.triggered", True),
    ("2026-10-14T14:33:40Z", "R2ALERT0ACKED", "", "alert.acknowledged", True),
    (
        "2026-10-14T14:41:55Z",
        "C0INCIDENT/1791988915.000200",
        "https://example.slack.com/archives/C0INCIDENT/p1791988915000200",
        "chat.message",
        True,
    ),
    ("2026-10-14T14:45:00Z", "C0INCIDENT/1791989100.000100", "", "chat.message", False),
    ("2026-10-14T14:58:02Z", "C0INCIDENT/1791989882.000300", "", "chat.message", True),
    ("2026-10-14T15:02:15Z", "9f2c1e7", "", "deploy.succeeded", True),
    ("2026-10-14T15:09:30Z", "R3ALERT0RESOLVED", "", "alert.resolved", True),
]
GOOD_MILESTONES = {
    "impact_start": {
        "at": "2026-10-14T14:22:10Z",
        "evidence": "inferred",
        "ref": "notes.md:3",
        "rule": "earliest customer report",
    },
    "detected": {
        "at": "2026-10-14T14:31:04Z",
        "evidence": "observed",
        "ref": "R1ALERT0TRIGGERED",
        "rule": "",
    },
    "acknowledged": {
        "at": "2026-10-14T14:33:40Z",
        "evidence": "observed",
        "ref": "R2ALERT0ACKED",
        "rule": "",
    },
    "escalated": {"at": None, "evidence": "unknown", "ref": "", "rule": ""},
    "mitigated": {
        "at": "2026-10-14T15:02:15Z",
        "evidence": "inferred",
        "ref": "9f2c1e7",
        "rule": "rollback deploy",
    },
    "resolved": {
        "at": "2026-10-14T15:09:30Z",
        "evidence": "observed",
        "ref": "R3ALERT0RESOLVED",
        "rule": "",
    },
}


def make_bundle(
    events=GOOD_EVENTS, milestones=GOOD_MILESTONES, actors=None, start="2026-10-14T14:00:00Z"
) -> Bundle:
    times, refs, urls, kinds, keys = zip(*events, strict=True)
    frame = frame_from_columns(
        {
            "ts": pd.to_datetime(list(times), utc=True),
            "source": "table",
            "kind": list(kinds),
            "summary": [f"event {ref}" for ref in refs],
            "ref": list(refs),
            "url": list(urls),
            "key": list(keys),
            "actor": actors or [""] * len(refs),
        }
    )
    summary = {
        "incident": {
            "id": "PX7Q2L9",
            "window": {"start": start, "end": "2026-10-14T16:00:00Z"},
        },
        "milestones": milestones,
    }
    return Bundle(frame=frame, summary=Summary.from_json(summary))


def replaced(old: str, new: str, text: str = GOOD) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


def in_timeline(old: str, new: str, text: str = GOOD) -> str:
    """Replace in the Timeline section only (the key timestamps repeat some times and refs)."""
    start = text.index("## Timeline")
    return text[:start] + replaced(old, new, text[start:])


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def only(findings: list[Finding], rule: str) -> list[Finding]:
    return [f for f in findings if f.rule == rule]


def rules(findings: list[Finding]) -> set[str]:
    return {f.rule for f in findings}


# --- the good draft ------------------------------------------------------------------------


def test_good_draft_has_no_findings():
    assert review_draft(GOOD) == []


def test_good_draft_agrees_with_its_bundle():
    assert review_draft(GOOD, make_bundle()) == []


# --- sections ------------------------------------------------------------------------------


def test_missing_section_is_an_error_naming_it():
    draft = replaced("## Lessons learned", "## Notes")
    [found] = only(review_draft(draft), "section-missing")
    assert (found.level, found.line, found.quote) == ("error", 1, "## Lessons learned")


def test_numbered_headings_and_near_miss_impact_count_as_sections():
    draft = replaced("## Summary", "## 1. Summary")
    draft = replaced(
        draft[draft.index("## Customer impact") : draft.index("## Key timestamps")],
        "## Customer impact avoided\n\nThe canary caught the change; no request failed.\n\n",
        draft,
    )
    assert review_draft(draft) == []


@pytest.mark.parametrize("answer", ["N/A", "None.", "-", "- none"])
def test_where_we_got_lucky_saying_none_is_an_error(answer):
    body = GOOD[GOOD.index("## Where we got lucky") : GOOD.index("## Action items")]
    draft = replaced(body, f"## Where we got lucky\n\n{answer}\n\n")
    [found] = only(review_draft(draft), "lucky-empty")
    assert found.level == "error"
    assert found.line == line_of(draft, "## Where we got lucky")


def test_empty_section_is_a_warning():
    body = GOOD[GOOD.index("## What went well") : GOOD.index("## What went wrong")]
    draft = replaced(body, "## What went well\n\n<!-- what helped -->\n\n")
    [found] = review_draft(draft)
    assert (found.rule, found.level) == ("section-empty", "warning")
    assert found.line == line_of(draft, "## What went well")


# --- timeline sources ----------------------------------------------------------------------


def test_timeline_row_without_source_is_an_error_and_the_more_row_is_not():
    draft = in_timeline("| `R2ALERT0ACKED` | on-call engineer |", "| — | on-call engineer |")
    found = review_draft(draft)
    assert [(f.rule, f.line) for f in found] == [
        ("timeline-source-missing", line_of(draft, "| Alert acknowledged |"))
    ]


@pytest.mark.parametrize(
    "source",
    [
        "`a1b2c3d`",
        "[log](https://example.com/x)",
        "`C0ABC/1791988915.000200`",
        "`notes.md:12`",
        "`PABC123`",
        "#4512",
        "<https://example.com/log/1>",
    ],
)
def test_every_kind_of_source_ref_is_accepted(source):
    draft = in_timeline("| `R2ALERT0ACKED` |", f"| {source} |")
    assert only(review_draft(draft), "timeline-source-missing") == []


# --- customer impact -----------------------------------------------------------------------


def impact(body: str) -> str:
    old = GOOD[GOOD.index("## Customer impact") : GOOD.index("## Key timestamps")]
    return replaced(old, f"## Customer impact\n\n{body}\n\n")


def test_impact_without_a_number_is_an_error_and_adjectives_warn():
    draft = impact("Many users could not check out, a significant outage.")
    found = review_draft(draft)
    [error] = only(found, "impact-no-number")
    assert (error.level, error.line) == ("error", line_of(draft, "## Customer impact"))
    vague = only(found, "impact-vague")
    assert [(f.quote, f.level, f.line) for f in vague] == [
        ("Many users", "warning", line_of(draft, "Many users")),
        ("significant", "warning", line_of(draft, "Many users")),
    ]


def test_times_and_ids_are_not_impact_numbers():
    draft = impact("Checkout was down from 14:22 to 15:09 UTC on 2026-10-14, see PX7Q2L9.")
    assert rules(review_draft(draft)) == {"impact-no-number"}


def test_impact_numbers_without_a_source_warn():
    draft = impact("2,340 checkout attempts failed.")
    [found] = review_draft(draft)
    assert (found.rule, found.level) == ("impact-unsourced", "warning")


# --- blame and hindsight -------------------------------------------------------------------


def add_to_summary(sentence: str) -> str:
    return replaced("## Summary\n\n", f"## Summary\n\n{sentence}\n")


@pytest.mark.parametrize(
    ("sentence", "rule", "level"),
    [
        ("The root cause was human error.", "blame-wording", "error"),
        ("Operator error during the change.", "blame-wording", "error"),
        ("A careless config edit went out.", "blame-wording", "error"),
        ("The engineer did not follow the runbook.", "blame-wording", "error"),
        ("He didn't follow the checklist.", "blame-wording", "error"),
        ("The reviewer should have caught the key.", "hindsight-wording", "warning"),
        ("The on-call engineer failed to notice the pool graph.", "hindsight-wording", "warning"),
        ("The cause was obviously the pool size.", "hindsight-wording", "warning"),
        ("In hindsight the canary was needed.", "hindsight-wording", "warning"),
        ("The outage was caused by @alice.", "blame-person", "error"),
        ("It was Bob's mistake.", "blame-person", "error"),
        ("Carol broke prod with a config push.", "blame-person", "error"),
    ],
)
def test_blame_and_hindsight_wording(sentence, rule, level):
    draft = add_to_summary(sentence)
    [found] = review_draft(draft)
    assert (found.rule, found.level, found.line) == (rule, level, line_of(draft, sentence))
    assert found.suggestion


@pytest.mark.parametrize(
    "sentence",
    [
        "This was not human error: the template made the mistake easy.",
        "The deploy broke prod checks? No: it was the config.",
        "The outage was caused by a config change.",
        "The outage was caused by Redis running out of connections.",
    ],
)
def test_wording_that_is_not_blame(sentence):
    assert review_draft(add_to_summary(sentence)) == []


def test_a_chat_participant_named_as_cause_is_blame_with_a_bundle():
    draft = add_to_summary("The outage was caused by alice chen.")
    actors = ["", "", "", "", "Alice Chen", "", "", "", ""]
    assert review_draft(draft) == []
    [found] = review_draft(draft, make_bundle(actors=actors))
    assert (found.rule, found.line) == ("blame-person", line_of(draft, "caused by alice"))


def test_artifact_text_quotes_and_code_are_not_analysis():
    draft = replaced('"rolling back the pool change"', '"we should have rolled back sooner"')
    draft = replaced("## Lessons learned\n", "## Lessons learned\n\n> I failed to see it\n", draft)
    draft = replaced("## Distribution\n", "## Distribution\n\n```\nhuman error\n```\n", draft)
    assert review_draft(draft) == []


def test_single_contributing_factor_warns():
    old = GOOD[GOOD.index("## Contributing factors") : GOOD.index("## What went well")]
    draft = replaced(old, "## Contributing factors\n\n- The pool size was too small.\n\n")
    [found] = review_draft(draft)
    assert (found.rule, found.level) == ("single-contributing-factor", "warning")
    assert found.line == line_of(draft, "## Contributing factors")


def test_two_paragraphs_are_two_contributing_factors():
    old = GOOD[GOOD.index("## Contributing factors") : GOOD.index("## What went well")]
    draft = replaced(
        old, "## Contributing factors\n\nThe pool was small.\n\nConfig skips canary.\n\n"
    )
    assert review_draft(draft) == []


# --- action items --------------------------------------------------------------------------

ROW = (
    "| Split the pool size setting per process type in the service template "
    "| Prevention | @dana | 2026-11-15 |"
)


def with_action(row: str) -> str:
    return replaced(ROW, row)


@pytest.mark.parametrize(
    "action",
    [
        "Be more careful with config changes",
        "Improve monitoring",
        "Investigate the pool",
        "Communicate better during incidents",
        "Double-check config diffs",
        "Review the runbook",
        "Consider a canary",
    ],
)
def test_vague_action_is_an_error(action):
    draft = with_action(f"| {action} | Prevention | @dana | 2026-11-15 |")
    [found] = review_draft(draft)
    assert (found.rule, found.level, found.line) == (
        "action-vague",
        "error",
        line_of(draft, action),
    )


@pytest.mark.parametrize("owner", ["TBD", "", "-", "unassigned", "n/a"])
def test_an_action_needs_an_owner(owner):
    draft = with_action(f"| Split the pool setting | Prevention | {owner} | 2026-11-15 |")
    found = only(review_draft(draft), "action-owner")
    assert [(f.level, f.line) for f in found] == [
        ("error", line_of(draft, "Split the pool setting"))
    ]


@pytest.mark.parametrize(
    "owner",
    [
        "@jamie (SRE)",
        "@omar (EM, payments)",
        "SRE team",
        "on-call SRE",
        "Platform Lead",
        "Platform + Eng Leadership",
        "@example/payments",
        "Dana Kim",
    ],
)
def test_a_person_team_or_role_is_an_owner(owner):
    draft = with_action(f"| Split the pool setting | Prevention | {owner} | 2026-11-15 |")
    assert review_draft(draft) == []


def test_tk_owner_is_an_owner_error_and_an_open_marker():
    draft = with_action("| Split the pool setting | Prevention | TK | 2026-11-15 |")
    assert rules(review_draft(draft)) == {"action-owner", "tk-open"}


@pytest.mark.parametrize("due", ["soon", "Q3", "TBD", "2026-02-30", "March", "next sprint", ""])
def test_due_must_be_a_real_date(due):
    draft = with_action(f"| Split the pool setting | Prevention | @dana | {due} |")
    [found] = only(review_draft(draft), "action-due")
    assert (found.level, found.line) == ("error", line_of(draft, "Split the pool setting"))


def test_a_written_out_date_is_a_real_date():
    draft = with_action("| Split the pool setting | Prevention | Dana Kim | Nov 15, 2026 |")
    assert review_draft(draft) == []


@pytest.mark.parametrize("kind", ["Tier 1", "", "Fix", "P1"])
def test_type_must_be_an_action_type(kind):
    draft = with_action(f"| Split the pool setting | {kind} | @dana | 2026-11-15 |")
    [found] = review_draft(draft)
    assert (found.rule, found.quote, found.line) == (
        "action-type",
        kind or "| Split the pool setting | | @dana | 2026-11-15 |",
        line_of(draft, "Split the pool setting"),
    )


@pytest.mark.parametrize(
    "kind", ["Prevent", "detect", "MITIGATE", "Process", "prevention", "Detection", "Mitigation"]
)
def test_the_seed_action_types_in_any_case_are_types(kind):
    draft = with_action(f"| Split the pool setting | {kind} | @dana | 2026-11-15 |")
    assert review_draft(draft) == []


def test_action_items_must_be_a_table_with_the_four_columns():
    old = GOOD[GOOD.index("## Action items") : GOOD.index("## Lessons learned")]
    draft = replaced(old, "## Action items\n\n- Split the pool setting (@dana)\n\n")
    [found] = review_draft(draft)
    assert (found.rule, found.line) == ("action-items-table", line_of(draft, "## Action items"))
    draft = replaced(
        "| Action | Type | Owner | Due |\n|---|---|---|---|",
        "| Action | Owner | Due |\n|---|---|---|",
    )
    [found] = review_draft(draft)
    assert found.rule == "action-items-table"
    assert "type" in found.why


# --- secrets and open markers --------------------------------------------------------------


def test_unredacted_secret_is_an_error_and_never_quoted():
    token = "xoxb-1234567890-abcdefghijkl"
    draft = add_to_summary(f"The bot used {token} to post.")
    [found] = review_draft(draft)
    assert (found.rule, found.level, found.line) == (
        "unredacted-secret",
        "error",
        line_of(draft, "The bot used"),
    )
    assert token not in found.quote and "[REDACTED:slack_token]" in found.quote
    assert token not in format_findings([found], "text") + format_findings([found], "json")


@pytest.mark.parametrize(
    ("contact", "kind"), [("dana.kim@example.com", "email"), ("+44 20 7946 0958", "phone")]
)
def test_unredacted_email_or_phone_is_personal_data(contact, kind):
    draft = replaced("## Distribution\n", f"## Distribution\n\nQuestions: {contact}\n")
    [found] = review_draft(draft)
    assert (found.rule, found.line) == ("unredacted-personal-data", line_of(draft, "Questions:"))
    assert found.quote == f"Questions: [REDACTED:{kind}]"


def test_a_private_key_is_reported_where_it_starts():
    key = "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA\n-----END RSA PRIVATE KEY-----\n"
    draft = replaced("## Lessons learned\n", f"## Lessons learned\n\n{key}")
    [found] = review_draft(draft)
    assert (found.rule, found.line) == ("unredacted-secret", line_of(draft, "BEGIN RSA"))
    assert "MIIEpAIBAAKCAQEA" not in found.quote


def test_a_new_secret_beside_an_existing_marker_reports_only_the_new_kind():
    draft = add_to_summary("Token [REDACTED:slack_token] then ghp_" + "a" * 36 + " was pasted.")
    [found] = review_draft(draft)
    assert found.rule == "unredacted-secret" and "github_token" in found.why


def test_redacted_markers_are_not_findings():
    assert review_draft(add_to_summary("The bot used [REDACTED:slack_token] to post.")) == []


def test_open_tk_marker_is_an_error():
    draft = add_to_summary("TK — author to confirm: who approved the change window.")
    [found] = review_draft(draft)
    assert (found.rule, found.level, found.line) == ("tk-open", "error", line_of(draft, "TK —"))


def test_findings_are_sorted_by_line():
    draft = replaced("## Lessons learned", "## Notes", add_to_summary("Carol broke prod."))
    draft = with_action("| Improve things | Prevention | @dana | soon |") if ROW in draft else draft
    lines = [f.line for f in review_draft(draft)]
    assert lines == sorted(lines) and len(lines) >= 2


# --- cross-checks against a bundle ---------------------------------------------------------


def test_row_time_far_from_its_event_is_an_error():
    draft = in_timeline("| 2026-10-14 14:33:40 |", "| 2026-10-14 14:38:40 |")
    [found] = review_draft(draft, make_bundle())
    assert (found.rule, found.level) == ("timeline-time-mismatch", "error")
    assert found.line == line_of(draft, "| Alert acknowledged")
    assert "300 s" in found.why and "R2ALERT0ACKED" in found.why


def test_row_time_within_a_minute_is_fine():
    draft = in_timeline("| 2026-10-14 14:33:40 |", "| 2026-10-14 14:34:30 |")
    assert review_draft(draft, make_bundle()) == []


def test_row_found_by_link_target_is_checked():
    draft = in_timeline("| 2026-10-14 14:41:55 |", "| 2026-10-14 14:50:00 |")
    [found] = review_draft(draft, make_bundle())
    assert (found.rule, found.line) == ("timeline-time-mismatch", line_of(draft, "DB connections"))


def test_duplicate_refs_match_any_of_their_times():
    events = [*GOOD_EVENTS, ("2026-10-14T16:00:00Z", "R2ALERT0ACKED", "", "alert.other", False)]
    assert review_draft(GOOD, make_bundle(events)) == []


def test_unknown_ref_is_a_warning():
    draft = in_timeline("`R2ALERT0ACKED` |", "`RNOTINBUNDLE9` |")
    found = review_draft(draft, make_bundle())
    unknown = only(found, "timeline-ref-unknown")
    assert [(f.level, f.line) for f in unknown] == [("warning", line_of(draft, "RNOTINBUNDLE9"))]
    # the acknowledged event is now missing from the timeline too
    assert [f.quote for f in only(found, "key-event-missing")] == [
        "2026-10-14 14:33:40 alert.acknowledged event R2ALERT0ACKED (R2ALERT0ACKED)"
    ]


def test_naive_times_warn_when_the_header_does_not_say_utc():
    draft = replaced("| Time (UTC) | Event | Source | Actor |", "| Time | Event | Source | Actor |")
    draft = in_timeline("| 2026-10-14 14:33:40 |", "| 2026-10-14 16:33:40 |", draft)  # not compared
    [found] = review_draft(draft, make_bundle())
    assert (found.rule, found.level) == ("naive-time", "warning")
    assert found.line == line_of(draft, "| 2026-10-14 14:05:12 |")


def test_times_with_a_zone_are_compared_in_utc():
    draft = replaced("| Time (UTC) | Event | Source | Actor |", "| Time | Event | Source | Actor |")
    for old in ("14:05:12", "14:22:10", "14:31:04", "14:41:55", "14:58:02", "15:02:15", "15:09:30"):
        draft = in_timeline(f"| 2026-10-14 {old} |", f"| 2026-10-14 {old} UTC |", draft)
    draft = in_timeline("| 2026-10-14 14:33:40 |", "| 2026-10-14T16:33:40+02:00 |", draft)
    assert review_draft(draft, make_bundle()) == []


def test_clock_only_rows_take_the_incident_date():
    start = GOOD.index("## Timeline")
    draft = GOOD[:start] + GOOD[start:].replace("| 2026-10-14 ", "| ")
    assert review_draft(draft, make_bundle()) == []
    draft = in_timeline("| 14:33:40 |", "| 14:40:00 |", draft)
    assert rules(review_draft(draft, make_bundle())) == {"timeline-time-mismatch"}


def test_unreadable_row_time_warns():
    draft = in_timeline("| 2026-10-14 14:33:40 |", "| shortly after |")
    [found] = review_draft(draft, make_bundle())
    assert (found.rule, found.line) == ("time-unreadable", line_of(draft, "shortly after"))


def test_key_timestamp_far_from_the_milestone_is_an_error():
    draft = replaced("| Detected | 2026-10-14 14:31:04 |", "| Detected | 2026-10-14 14:35:00 |")
    [found] = review_draft(draft, make_bundle())
    assert (found.rule, found.level) == ("key-time-mismatch", "error")
    assert found.line == line_of(draft, "| Detected |")


def test_key_timestamp_citing_an_artifact_at_that_time_is_a_note():
    # The author takes detection from the acknowledged page's artifact time instead.
    draft = replaced(
        "| Detected | 2026-10-14 14:31:04 | observed | `R1ALERT0TRIGGERED` |",
        "| Detected | 2026-10-14 14:33:40 | observed (page answered) | `R2ALERT0ACKED` |",
    )
    [found] = review_draft(draft, make_bundle())
    assert (found.rule, found.level) == ("key-time-moved", "note")
    assert found.line == line_of(draft, "| Detected |") and "R2ALERT0ACKED" in found.why


def test_impact_start_moved_earlier_with_a_source_is_a_note_and_without_one_an_error():
    row = (
        "| Impact start | 2026-10-14 14:22:10 | inferred (earliest customer report) "
        "| `notes.md:3` |"
    )
    earlier = "| Impact start | 2026-10-14 14:12:00 | observed (first 5xx) | `api/access.log:88` |"
    [found] = review_draft(replaced(row, earlier), make_bundle())
    assert (found.rule, found.level) == ("key-time-moved", "note")
    unsourced = "| Impact start | 2026-10-14 14:12:00 | observed | - |"
    found = review_draft(replaced(row, unsourced), make_bundle())
    assert [(f.rule, f.level) for f in found] == [("key-time-mismatch", "error")]
    later = "| Impact start | 2026-10-14 14:40:00 | observed | `api/access.log:88` |"
    found = review_draft(replaced(row, later), make_bundle())
    assert [(f.rule, f.level) for f in found] == [("key-time-mismatch", "error")]


def test_key_timestamp_lines_are_checked():
    draft = add_to_summary("Detected: 2026-10-14 14:31 UTC\n**Resolved**: 2026-10-14 15:20:00 UTC")
    [found] = review_draft(draft, make_bundle())
    assert (found.rule, found.line) == ("key-time-mismatch", line_of(draft, "**Resolved**"))


def test_key_events_left_out_are_warned_and_minor_ones_capped():
    extra = [
        (f"2026-10-14T15:{minute:02d}:00Z", f"RLEFTOUT{minute:02d}", "", "alert.notified", True)
        for minute in range(10, 25)
    ]
    found = review_draft(GOOD, make_bundle([*GOOD_EVENTS, *extra]))
    assert rules(found) == {"key-event-missing"}
    assert len(found) == 11
    assert all(f.line == line_of(GOOD, "## Timeline") for f in found)
    assert "RLEFTOUT10" in found[0].quote
    assert found[-1].quote.startswith("5 more key events")


def test_weighty_left_out_events_come_first_and_are_never_capped():
    chatter = [
        (f"2026-10-14T14:{m:02d}:30Z", f"C0X/17919{m:05d}.000100", "", "chat.message", True)
        for m in range(10, 40)
    ]
    weighty_kinds = ["alert.triggered", "alert.escalated", "comms.status_page", "deploy.succeeded"]
    weighty = [
        (f"2026-10-14T15:{m:02d}:00Z", f"RWEIGHTY{m:02d}", f"https://d.example/{m}", kind, True)
        for m, kind in zip(range(30, 50), weighty_kinds * 5, strict=True)
    ]
    found = review_draft(GOOD, make_bundle([*GOOD_EVENTS, *chatter, *weighty]))
    quotes = [f.quote for f in found if f.rule == "key-event-missing"]
    assert [q for q in quotes if "RWEIGHTY" in q] == quotes[:20]
    assert len(quotes) == 20 + 10 + 1
    assert quotes[-1].startswith("20 more key events")


# --- formats and helpers -------------------------------------------------------------------


def test_text_format_is_one_line_per_finding():
    draft = add_to_summary("It was Bob's mistake.")
    findings = review_draft(draft)
    text = format_findings(findings, "text", path="draft.md")
    line = line_of(draft, "Bob's mistake")
    assert text == (
        f'draft.md:{line}: error [blame-person] "Bob\'s mistake" — names a person as the cause '
        f"(suggest: {findings[0].suggestion})"
    )


def test_json_format_carries_every_field_and_the_counts():
    draft = impact("Many users could not check out.")
    findings = review_draft(draft)
    document = json.loads(format_findings(findings, "json", path="draft.md"))
    assert document["draft"] == "draft.md"
    assert (document["errors"], document["warnings"]) == (1, 1)
    assert [f["rule"] for f in document["findings"]] == ["impact-no-number", "impact-vague"]
    assert set(document["findings"][0]) == {"rule", "level", "line", "quote", "why", "suggestion"}


def test_unknown_format_is_a_usage_error():
    with pytest.raises(UsageError, match="choose one of: text, json"):
        format_findings([], "yaml")


def test_has_errors_only_for_error_level():
    warning = Finding("impact-vague", "warning", 3, "a few", "why")
    error = Finding("tk-open", "error", 4, "TK", "why")
    assert not has_errors([warning]) and has_errors([warning, error])


def test_read_draft_names_a_missing_file(tmp_path):
    with pytest.raises(InputError, match=r"nope\.md: draft not found"):
        read_draft(tmp_path / "nope.md")


def test_clock_only_rows_roll_over_midnight():
    events = [
        ("2026-10-14T23:58:00Z", "RLATE00001", "", "alert.triggered", True),
        ("2026-10-15T00:03:00Z", "RLATE00002", "", "alert.acknowledged", True),
    ]
    start = GOOD.index("## Timeline")
    end = GOOD.index("## Contributing factors")
    table = (
        "## Timeline\n\n| Time (UTC) | Event | Source |\n|---|---|---|\n"
        "| 23:58:00 | Alert triggered | `RLATE00001` |\n"
        "| 00:03:00 | Alert acknowledged | `RLATE00002` |\n\n"
    )
    draft = GOOD[:start] + table + GOOD[end:]
    bundle = make_bundle(events, milestones={}, start="2026-10-14T23:00:00Z")
    assert review_draft(draft, bundle) == []


def test_events_sharing_a_url_are_told_apart_by_ref():
    url = "https://github.com/example/checkout/actions/runs/1"
    events = [
        *GOOD_EVENTS,
        ("2026-10-14T15:30:00Z", "example/checkout@7/71", url, "deploy.started", True),
        ("2026-10-14T15:33:00Z", "example/checkout@7/72", url, "deploy.succeeded", True),
    ]
    row = (
        "| 2026-10-14 15:33:00 | Deploy succeeded | [example/checkout@7/72](" + url + ") | bot |\n"
    )
    draft = in_timeline("\n\n## Contributing factors", "\n" + row + "\n## Contributing factors")
    # The row's time matches ref 72, not 71 (same URL); and the deploy's other status event
    # is the same deploy, so it is not reported as left out.
    assert review_draft(draft, make_bundle(events)) == []


def test_refs_escaped_as_the_skeleton_writes_them_are_found():
    ref = "acme/checkout_api@2262113870/22621138701"
    events = [*GOOD_EVENTS, ("2026-10-14T15:30:00Z", ref, "", "deploy.started", True)]
    escaped = "`acme/checkout\\_api@2262113870/22621138701`"
    row = f"| 2026-10-14 15:30:00 | Deploy started | {escaped} | bot |"
    draft = in_timeline("\n\n## Contributing factors", "\n" + row + "\n\n## Contributing factors")
    assert review_draft(draft, make_bundle(events)) == []
