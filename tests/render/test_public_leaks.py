"""A public draft holds no identifier of any person, whichever field the name came in by.

One name is planted in each kind of field the sources fill: Slack actors, mentions and user
IDs, PagerDuty actors and the users its summaries name ("Escalated to X", "Acknowledged by X",
"Notified X"), GitHub logins, e-mail addresses in commit text, names in notes (surname only
too), and the summary's free text, including a field the renderer may add later. Every public
output is searched, Markdown and HTML with entities decoded.
"""

from __future__ import annotations

import html
import re

import pytest

from render.audience import for_audience, public_names
from render.html import render_html
from render.markdown import render_markdown
from tests.render.html_cases import event, make_frame, milestone

# The roster joins a GitHub login and the name its commits carry: one person, one role.
ROSTER = {"jmorales": "Database engineer", "Jordan Morales": "Database engineer"}
IDENTIFIERS = [
    "Kenji", "Watanabe", "kenji.watanabe@corp.example", "U07KENJI",
    "Aiko", "Tanaka", "aiko", "Lars", "Berg", "jmorales", "Jordan", "Morales",
    "jordan.morales@corp.example", "Mei Lin", "Lin",
]  # fmt: skip
SYSTEMS = ["Datadog", "checkout-api", "deploy-bot"]


@pytest.fixture
def frame():
    pd_row = {"channel": "checkout-api"}
    return make_frame(
        [
            event("2026-03-02T10:00:00Z", "pagerduty", "alert.triggered", "Checkout 5xx", "A1",
                  actor="Datadog", subtype="alert", **pd_row),
            event("2026-03-02T10:00:05Z", "pagerduty", "alert.notified",
                  "Notified Aiko Tanaka by phone", "R1", actor="checkout-api", **pd_row),
            event("2026-03-02T10:02:00Z", "pagerduty", "alert.acknowledged",
                  "Acknowledged by Aiko Tanaka", "R2", actor="Aiko Tanaka", **pd_row),
            event("2026-03-02T10:05:00Z", "pagerduty", "alert.escalated",
                  "Escalated to Kenji Watanabe", "R3", actor="checkout-api", **pd_row),
            event("2026-03-02T10:06:00Z", "pagerduty", "alert.annotated",
                  "Berg is checking the pool", "R4", actor="Lars Berg", **pd_row),
            event("2026-03-02T10:07:00Z", "slack", "chat.message",
                  "kenji Watanabe here; @aiko and <@U07KENJI> look at the pool", "C1/1.1",
                  actor="kenji", channel="#inc"),
            event("2026-03-02T10:08:00Z", "slack", "chat.message", "on it", "C1/1.2",
                  actor="aiko", channel="#inc"),
            event("2026-03-02T09:40:00Z", "github", "commit",
                  "shorten pool timeout\n\nCo-authored-by: Jordan Morales "
                  "<jordan.morales@corp.example>", "a1b2c3d", actor="jmorales",
                  channel="acme/orders"),
            event("2026-03-02T09:45:00Z", "github", "deploy.succeeded", "orders to prod", "d1",
                  actor="deploy-bot", channel="acme/orders"),
            event("2026-03-02T10:20:00Z", "notes", "note",
                  "Watanabe and Mei Lin agreed to roll back; kenji.watanabe@corp.example", "n:3"),
            event("2026-03-02T10:21:00Z", "slack", "chat.message", "Mei Lin: done", "C1/1.3",
                  actor="Mei Lin", channel="#inc"),
        ]
    )  # fmt: skip


@pytest.fixture
def summary():
    return {
        "incident": {"id": "P1", "title": "Orders failing, paged Aiko Tanaka", "severity": "SEV-2"},
        "milestones": {
            "acknowledged": milestone("2026-03-02T10:02:00Z", ref="R2", rule="Aiko Tanaka ack"),
            "escalated": milestone("2026-03-02T10:05:00Z", ref="R3"),
        },
        "warnings": ["R4: note by Lars Berg edited after mitigation"],
        "responders": ["Kenji Watanabe", "@aiko", "jmorales"],  # a field added later
    }


def leaks(text: str) -> list[str]:
    return [n for n in IDENTIFIERS if re.search(rf"(?<![\w.@]){re.escape(n)}(?![\w@])", text, re.I)]


def test_no_identifier_of_any_person_in_any_public_output(frame, summary):
    out_frame, out_summary = for_audience(frame, summary, audience="public", roster=ROSTER)
    pages = {
        "markdown": render_markdown(out_frame, out_summary),
        "html": html.unescape(render_html(out_frame, out_summary)),
        "summary": repr(out_summary),
        "frame": out_frame[["actor", "summary", "channel"]].to_csv(),
    }
    assert {name: leaks(page) for name, page in pages.items()} == {name: [] for name in pages}
    for system in SYSTEMS:
        assert system in pages["markdown"]


def test_the_internal_output_does_hold_them(frame, summary):
    page = render_markdown(*for_audience(frame, summary, audience="internal", roster=ROSTER))
    assert set(leaks(page)) >= {"Kenji", "Watanabe", "Aiko", "Tanaka", "jmorales", "Berg"}


def test_one_person_is_one_alias_across_sources(frame):
    name = public_names(frame, ROSTER)
    assert name("kenji") == name("Kenji Watanabe") == name("Watanabe")
    assert name("aiko") == name("Aiko Tanaka") == name("@aiko")
    assert name("jmorales") == name("Jordan Morales") == "Database engineer"
    assert len({name("kenji"), name("aiko"), name("Lars Berg"), name("Mei Lin")}) == 4


def test_pagerduty_users_are_people_and_integrations_keep_their_names(frame):
    name = public_names(frame, ROSTER)
    assert name("Aiko Tanaka").startswith("Responder")
    assert name("Datadog") == "Datadog" and name("deploy-bot") == "deploy-bot"
