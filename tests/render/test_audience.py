"""Audiences: internal keeps the bundle; public shows roles or stable aliases, never names."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from ingest.errors import UsageError
from render.audience import for_audience
from render.html import render_html
from render.markdown import render_markdown
from tests.render.html_cases import event, make_frame, milestone

ROSTER = {
    "Marco Silva": "Incident commander",  # a PagerDuty user name
    "U07KENJI": "Database on-call",  # a Slack user ID
    "sofia": "Payments PM",  # a Slack display name
    "Earline Greenholt": "Database lead",  # never acts; only named in text
}
SYSTEMS = ["checkout-api", "Datadog", "PagerDuty", "acme-deployer[bot]", "github-actions[bot]"]
# Everything from the input that names a person; none of it may reach public output.
PERSONAL = [
    "Priya", "Raman", "Marco", "Silva", "Ravi", "Iyer", "jmorales", "jordan", "Earline",
    "Greenholt", "U07KENJI", "sofia", "priya.raman@acme.example", "ops-lead@acme.example",
    "kenji",
]  # fmt: skip


@pytest.fixture
def frame() -> pd.DataFrame:
    return make_frame(
        [
            event(
                "2024-05-01T09:40:00Z",
                "github",
                "commit",
                "bump pool size",
                "a1b2c3d",
                actor="jmorales",
                channel="acme/shop",
            ),
            event(
                "2024-05-01T09:50:00Z",
                "github",
                "deploy.succeeded",
                "shop v1.2 to prod",
                "dep-7",
                actor="acme-deployer[bot]",
                channel="acme/shop",
            ),
            event(
                "2024-05-01T09:55:00Z",
                "github",
                "deploy.succeeded",
                "docs build",
                "dep-6",
                actor="github-actions[bot]",
                channel="acme/shop",
            ),
            event(
                "2024-05-01T10:00:00Z",
                "pagerduty",
                "alert.triggered",
                "Checkout 5xx",
                "A1",
                actor="Datadog",
                channel="checkout-api",
                subtype="alert",
            ),
            event(
                "2024-05-01T10:00:05Z",
                "pagerduty",
                "alert.triggered",
                "Triggered via API",
                "R1",
                actor="checkout-api",
                channel="checkout-api",
            ),
            event(
                "2024-05-01T10:00:09Z",
                "pagerduty",
                "alert.notified",
                "Notified Priya Raman by SMS.",
                "R2",
                actor="checkout-api",
                channel="checkout-api",
                key=False,
            ),
            event(
                "2024-05-01T10:01:00Z",
                "slack",
                "chat.message",
                "Incident triggered, assigned to Priya Raman",
                "C1/1.1",
                actor="PagerDuty",
                tags="bot",
                channel="#inc",
            ),
            event(
                "2024-05-01T10:02:00Z",
                "pagerduty",
                "alert.acknowledged",
                "Acknowledged by Priya Raman.",
                "R3",
                actor="Priya Raman",
                channel="checkout-api",
            ),
            event(
                "2024-05-01T10:02:30Z",
                "notes",
                "note",
                "10:02 Priya acknowledged; Earline Greenholt was asked to help",
                "notes.txt:3",
            ),
            event(
                "2024-05-01T10:03:00Z",
                "slack",
                "chat.message",
                "@priya has joined the channel",
                "C1/1.2",
                actor="priya",
                tags="system",
                channel="#inc",
            ),
            event(
                "2024-05-01T10:04:00Z",
                "slack",
                "chat.message",
                "@priya please look; cc priya.raman@acme.example and ops-lead@acme.example, "
                "@here heads up, @jordan can you help?",
                "C1/1.3",
                actor="marco",
                channel="#inc",
            ),
            event(
                "2024-05-01T10:05:00Z",
                "slack",
                "chat.message",
                "db looks fine to me",
                "C1/1.4",
                actor="U07KENJI",
                channel="#inc",
            ),
            event(
                "2024-05-01T10:06:00Z",
                "slack",
                "chat.message",
                "Ravi here, on it",
                "C1/1.5",
                actor="Ravi Iyer",
                channel="#inc",
            ),
            event(
                "2024-05-01T10:07:00Z",
                "slack",
                "chat.message",
                "payments see drops",
                "C1/1.6",
                actor="sofia",
                channel="#inc",
            ),
            event(
                "2024-05-01T10:08:00Z",
                "slack",
                "chat.message",
                "thanks Ravi, @Ravi Iyer",
                "C1/1.7",
                actor="priya",
                channel="#inc",
            ),
            event(
                "2024-05-01T10:30:00Z",
                "pagerduty",
                "alert.resolved",
                "Resolved by Marco Silva.",
                "R4",
                actor="Marco Silva",
                channel="checkout-api",
            ),
        ]
    )


@pytest.fixture
def summary() -> dict:
    return {
        "incident": {
            "id": "P1",
            "title": "Checkout errors seen by Priya Raman",
            "severity": "SEV-2",
            "url": "https://acme.pagerduty.com/incidents/P1",
            "window": {"start": "2024-05-01T09:00:00Z", "end": "2024-05-01T11:00:00Z"},
        },
        "sources": [
            {
                "name": "slack",
                "status": "failed",
                "events": 0,
                "error": "could not read the profile of Ravi Iyer",
            }
        ],
        "milestones": {
            "detected": milestone("2024-05-01T10:00:00Z", ref="A1"),
            "acknowledged": milestone("2024-05-01T10:02:00Z", ref="R3"),
            "resolved": milestone("2024-05-01T10:30:00Z", ref="R4"),
        },
        "gaps": {"time_to_acknowledge": 120.0},
        "warnings": ["C1/1.3: edited by marco after mitigation"],
        "inventory": [{"source": "notes", "name": "notes-by-priya.txt", "records": 1}],
        "tool": {"name": "postmortem-timeline", "version": "0.1.0"},
    }


def public(frame: pd.DataFrame, summary: dict, roster: dict | None = None):
    roster = ROSTER if roster is None else roster
    return for_audience(frame, summary, audience="public", roster=roster)


def actors(frame: pd.DataFrame) -> dict[str, str]:
    """ref -> actor, to compare rows before and after."""
    return dict(zip(frame["ref"], frame["actor"], strict=True))


def test_internal_returns_equal_copies(frame: pd.DataFrame, summary: dict):
    out_frame, out_summary = for_audience(frame, summary, audience="internal", roster=ROSTER)
    pd.testing.assert_frame_equal(out_frame, frame)
    assert out_summary == summary
    out_frame.loc[0, "actor"] = "changed"
    out_summary["incident"]["title"] = "changed"
    assert frame.loc[0, "actor"] == "jmorales"
    assert summary["incident"]["title"] == "Checkout errors seen by Priya Raman"


def test_public_leaves_the_inputs_alone(frame: pd.DataFrame, summary: dict):
    before = frame.copy()
    public(frame, summary)
    pd.testing.assert_frame_equal(frame, before)
    assert summary["incident"]["title"] == "Checkout errors seen by Priya Raman"


def test_unknown_audience_is_a_usage_error(frame: pd.DataFrame, summary: dict):
    message = r"unknown audience 'press': choose one of internal, public"
    with pytest.raises(UsageError, match=message):
        for_audience(frame, summary, audience="press", roster={})


def test_roster_roles_by_user_name_slack_id_and_display_name(frame, summary):
    out, _ = public(frame, summary)
    by_ref = actors(out)
    assert by_ref["R4"] == "Incident commander"  # PagerDuty user name in the roster
    assert by_ref["C1/1.3"] == "Incident commander"  # "marco" is Marco Silva's handle
    assert by_ref["C1/1.4"] == "Database on-call"  # Slack user ID
    assert by_ref["C1/1.6"] == "Payments PM"  # Slack display name


def test_aliases_follow_first_appearance_and_are_stable(frame, summary):
    out, _ = public(frame, summary)
    by_ref = actors(out)
    assert by_ref["a1b2c3d"] == "Responder A"  # jmorales acts first
    # Priya Raman (PagerDuty) and priya (Slack) are one person, named first in R2's text.
    assert by_ref["R3"] == by_ref["C1/1.2"] == by_ref["C1/1.7"] == "Responder B"
    assert by_ref["C1/1.5"] == "Responder D"  # after @jordan (C), who is only mentioned
    again, _ = public(frame.copy(), summary)
    pd.testing.assert_frame_equal(again, out)


def test_distinct_people_get_distinct_aliases(frame, summary):
    out, _ = public(frame, summary, roster={})
    before, after = frame["actor"], out["actor"]
    people = before[~before.isin(SYSTEMS) & (before != "")]
    pairs = pd.DataFrame({"name": people.str.casefold(), "label": after[people.index]})
    pairs["name"] = pairs["name"].replace({"priya": "priya raman", "marco": "marco silva"})
    per_name = pairs.groupby("name")["label"].nunique()
    per_label = pairs.groupby("label")["name"].nunique()
    assert (per_name == 1).all(), per_name
    assert (per_label == 1).all(), per_label
    assert pairs["label"].str.fullmatch(r"Responder [A-Z]+").all()


def test_system_actors_keep_their_names(frame, summary):
    out, _ = public(frame, summary)
    kept = out.loc[frame["actor"].isin(SYSTEMS), "actor"]
    assert list(kept) == list(frame.loc[frame["actor"].isin(SYSTEMS), "actor"])
    assert set(kept) == set(SYSTEMS)


def test_a_roster_entry_makes_a_system_looking_name_a_person(frame, summary):
    out, _ = public(frame, summary, roster={"checkout-api": "Service owner"})
    assert set(out.loc[frame["actor"] == "checkout-api", "actor"]) == {"Service owner"}


def test_names_in_text_are_replaced(frame, summary):
    out, _ = public(frame, summary)
    text = dict(zip(out["ref"], out["summary"], strict=True))
    assert text["R2"] == "Notified Responder B by SMS."
    assert text["R3"] == "Acknowledged by Responder B."
    assert text["C1/1.1"] == "Incident triggered, assigned to Responder B"
    assert text["C1/1.2"] == "@Responder B has joined the channel"
    assert text["notes.txt:3"] == "10:02 Responder B acknowledged; Database lead was asked to help"
    assert text["C1/1.3"] == (
        "@Responder B please look; cc Responder B and [email], @here heads up, "
        "@Responder C can you help?"
    )
    assert text["C1/1.7"] == "thanks Responder D, @Responder D"
    assert text["R4"] == "Resolved by Incident commander."


def test_summary_text_is_scrubbed_and_refs_kept(frame, summary):
    _, out = public(frame, summary)
    assert out["incident"]["title"] == "Checkout errors seen by Responder B"
    assert out["sources"][0]["error"] == "could not read the profile of Responder D"
    assert out["warnings"] == ["C1/1.3: edited by Incident commander after mitigation"]
    assert out["inventory"][0]["name"] == "notes-by-Responder B.txt"
    assert {k: v["ref"] for k, v in out["milestones"].items()} == {
        "detected": "A1",
        "acknowledged": "R3",
        "resolved": "R4",
    }


def test_no_personal_name_reaches_public_markdown_or_html(frame, summary):
    out_frame, out_summary = public(frame, summary)
    for page in (render_markdown(out_frame, out_summary), render_html(out_frame, out_summary)):
        leaks = [n for n in PERSONAL if re.search(rf"(?<!\w){re.escape(n)}(?!\w)", page, re.I)]
        assert leaks == []
        for name in SYSTEMS:
            assert name in page.replace("\\", "")  # Markdown escapes the brackets of [bot]


def test_the_internal_rendering_does_name_them(frame, summary):
    # The leak test above would pass on any page without names; this shows the names are there.
    page = render_html(*for_audience(frame, summary, audience="internal", roster=ROSTER))
    assert all(re.search(re.escape(n), page, re.I) for n in PERSONAL)


def test_an_actor_given_as_an_email_gets_an_alias():
    frame = make_frame(
        [
            event(
                "2024-05-01T10:00:00Z",
                "table",
                "note",
                "wrote by dana.k@acme.example",
                "events.csv:2",
                actor="dana.k@acme.example",
            )
        ]
    )
    out, _ = for_audience(frame, {}, audience="public", roster={})
    assert out.loc[0, "actor"] == "Responder A"
    assert out.loc[0, "summary"] == "wrote by Responder A"
