"""People from every source, pulled from files as a user would, never reach a public output.

A Slack export (users.json with every field Slack fills), PagerDuty responses (user references
as agents, notified users, assignees, acknowledgers, escalation targets, note authors), GitHub
records (commit authors and committers with login, name and e-mail, co-authors, pull-request
users), a roster and notes each plant their own person. The bundle is pulled with
``pull_files`` and rendered for the public; every output is searched.
"""

from __future__ import annotations

import html
import json
import re
from datetime import UTC
from pathlib import Path

import pandas as pd
import pytest

from ingest.config import Config, RedactionSettings
from ingest.files import FileSpec
from render.audience import for_audience, public_names
from render.html import render_html
from render.markdown import render_markdown
from timeline.pull.files import FilePull, pull_files

ROSTER = {"obright": "Release captain", "olu": "Release captain"}
# Every identifier of every person planted below; none may be in a public output.
IDENTIFIERS = [
    # Slack users.json: id, handle, display name, real name, first and last name, e-mail
    "U0HIRO", "hiro.sato", "hiro", "Hiroshi", "Sato", "hiroshi.sato@corp.example",
    "U0NADIA", "nadia.k", "Nadia", "Kowalczyk", "nadia@corp.example",
    "U0ESME", "esme", "Esmeralda", "Quint", "esme.q@corp.example",
    "U0OLU", "olu", "Olusegun", "Brightwater",
    "U0WENDY", "wendell.f", "Wendell", "Fairbanks", "wendell@corp.example",
    # PagerDuty user references: id, name, e-mail
    "PUKATV1", "Katalin", "Varga", "kvarga@corp.example",
    "PUMIRO1", "Miroslav", "Dvorak", "mdvorak@corp.example",
    "PUBAST1", "Bastian", "Ortlieb",
    # GitHub: logins, git names and e-mails, co-author, pull-request user
    "nkowal", "eq-dev", "esmeralda@home.example", "obright", "ob@corp.example",
    "tpham", "Thanh", "Pham", "tpham@corp.example",
]  # fmt: skip
SYSTEMS = ["Datadog", "dependabot[bot]", "checkout-api"]

DAY = "2026-03-02"


def _ts(hh_mm: str) -> str:
    return str(pd.Timestamp(f"{DAY}T{hh_mm}:00Z").timestamp()) + "00"


def _user(uid, handle, display, first, last, email=None, **extra):
    profile = {"display_name": display, "real_name": f"{first} {last}", "first_name": first}
    profile.update({"last_name": last, **({"email": email} if email else {})})
    return {"id": uid, "name": handle, "real_name": f"{first} {last}", "profile": profile, **extra}


def _slack_export(root: Path) -> Path:
    export = root / "slack"
    (export / "inc-checkout").mkdir(parents=True)
    users = [
        _user("U0HIRO", "hiro.sato", "hiro", "Hiroshi", "Sato", "hiroshi.sato@corp.example"),
        _user("U0NADIA", "nadia.k", "Nadia K", "Nadia", "Kowalczyk", "nadia@corp.example"),
        _user("U0ESME", "esme", "esme", "Esmeralda", "Quint", "esme.q@corp.example"),
        _user("U0OLU", "olu", "olu", "Olusegun", "Brightwater"),
        _user("U0WENDY", "wendell.f", "wendell.f", "Wendell", "Fairbanks", "wendell@corp.example"),
        {"id": "U0DDOG", "name": "datadog", "is_bot": True, "profile": {"display_name": "Datadog"}},
    ]
    (export / "users.json").write_text(json.dumps(users))
    channels = [{"id": "C0INC", "name": "inc-checkout", "created": 1700000000}]
    (export / "channels.json").write_text(json.dumps(channels))
    messages = [
        {"type": "message", "subtype": "bot_message", "bot_id": "B0DD", "username": "Datadog",
         "text": "Triggered: checkout 5xx above 2%", "ts": _ts("10:00")},
        {"type": "message", "user": "U0HIRO", "text": "looking at the pool now",
         "ts": _ts("10:03")},
        {"type": "message", "user": "U0NADIA", "text": "<@U0ESME> can you check the deploy?",
         "ts": _ts("10:04")},
        {"type": "message", "user": "U0ESME", "text": "on it, Nadia", "ts": _ts("10:05")},
        {"type": "message", "user": "U0OLU", "text": "rollback ready when we decide",
         "ts": _ts("10:06")},
    ]  # fmt: skip
    (export / "inc-checkout" / f"{DAY}.json").write_text(json.dumps(messages))
    return export


def _user_ref(uid, name, email=None):
    ref = {"id": uid, "type": "user_reference", "summary": name}
    return {**ref, "email": email} if email else ref


def _pagerduty(root: Path) -> Path:
    service = {"id": "PSVC1", "type": "service_reference", "summary": "checkout-api"}
    katalin = _user_ref("PUKATV1", "Katalin Varga", "kvarga@corp.example")
    miroslav = _user_ref("PUMIRO1", "Miroslav Dvorak", "mdvorak@corp.example")
    bastian = _user_ref("PUBAST1", "Bastian Ortlieb")

    def entry(n, kind, at, summary, agent, **extra):
        return {"id": f"R{n}", "type": f"{kind}_log_entry", "summary": summary,
                "created_at": f"{DAY}T{at}:00Z", "agent": agent, "service": service,
                "html_url": f"https://acme.pagerduty.com/incidents/PINC1/log_entries/R{n}",
                **extra}  # fmt: skip

    incident = {
        "id": "PINC1", "title": "Checkout failing", "status": "resolved", "service": service,
        "created_at": f"{DAY}T10:00:00Z", "resolved_at": f"{DAY}T10:40:00Z",
        "assignments": [{"assignee": katalin}], "acknowledgements": [{"acknowledger": katalin}],
        "last_status_change_by": miroslav,
    }  # fmt: skip
    entries = [
        entry(1, "trigger", "10:00", "Triggered through the API", service),
        entry(2, "notify", "10:01", "Notified Miroslav Dvorak by SMS", service, user=miroslav),
        entry(3, "assign", "10:01", "Assigned to Katalin Varga by checkout-api", service,
              assignees=[katalin]),
        entry(4, "acknowledge", "10:02", "Acknowledged by Katalin Varga", katalin),
        entry(5, "escalate", "10:08", "Escalated to Bastian Ortlieb (Database On-Call, level 2)",
              service, assignees=[bastian]),
        entry(6, "annotate", "10:09", "Note added", _user_ref("PUHIRO1", "Hiroshi Sato"),
              channel={"type": "note", "summary": "Hiroshi: pool saturated"}),
        entry(7, "resolve", "10:40", "Resolved by Miroslav Dvorak", miroslav),
    ]  # fmt: skip
    path = root / "pagerduty.json"
    path.write_text(json.dumps({"incident": incident, "log_entries": entries}))
    return path


def _commit(sha, at, login, name, email, message, *, kind="User"):
    when = f"{DAY}T{at}:00Z"
    return {
        "sha": sha * 40 if len(sha) == 1 else sha,
        "html_url": f"https://github.com/acme/orders/commit/{sha}",
        "commit": {
            "author": {"name": name, "email": email, "date": when},
            "committer": {
                "name": "GitHub",
                "email": "noreply@github.com",
                "date": when,
            },
            "message": message,
        },
        "author": {"login": login, "type": kind},
        "committer": {"login": "web-flow", "type": "User"},
    }


def _github(root: Path) -> Path:
    commits = [
        _commit("a", "09:40", "nkowal", "Nadia Kowalczyk", "nadia@corp.example",
                "Tighten pool\n\nCo-authored-by: Thanh Pham <tpham@corp.example>"),
        _commit("b", "09:42", "eq-dev", "esmeralda  QUINT", "esmeralda@home.example", "Fix gauge"),
        _commit("c", "09:44", "obright", "O. Brightwater", "ob@corp.example", "Bump client"),
        _commit("d", "09:46", "dependabot[bot]", "dependabot[bot]",
                "49699333+dependabot[bot]@users.noreply.github.com", "Bump lib", kind="Bot"),
    ]  # fmt: skip
    pulls = [
        {"number": 7, "title": "Raise pool size", "merged_at": f"{DAY}T09:50:00Z",
         "base": {"ref": "main"}, "user": {"login": "tpham", "type": "User"},
         "html_url": "https://github.com/acme/orders/pull/7"},
    ]  # fmt: skip
    path = root / "github.json"
    path.write_text(json.dumps({"repo": "acme/orders", "commits": commits, "pulls": pulls}))
    return path


def _notes(root: Path) -> Path:
    path = root / "notes.txt"
    path.write_text("10:20 Fairbanks and Katalin agreed to roll back\n10:30 Thanh confirmed\n")
    return path


def _pull(root: Path, *, emails_redacted: bool):
    specs = [
        FileSpec("pagerduty", _pagerduty(root)),
        FileSpec("github", _github(root)),
        FileSpec("notes", _notes(root)),
        FileSpec("slack-export", _slack_export(root)),
    ]
    config = Config(roster=ROSTER, redaction=RedactionSettings(emails=emails_redacted))
    request = FilePull(specs, config=config, tz=UTC, date=pd.Timestamp(DAY).date())
    return pull_files(request)


@pytest.fixture(scope="module")
def bundle(tmp_path_factory):
    # E-mail addresses left unredacted, so that the public audience alone must hide them.
    return _pull(tmp_path_factory.mktemp("pull"), emails_redacted=False)


def leaks(text: str) -> list[str]:
    found = (re.search(rf"(?<![\w.@-]){re.escape(n)}(?![\w@-])", text, re.I) for n in IDENTIFIERS)
    return [n for n, hit in zip(IDENTIFIERS, found, strict=True) if hit]


def public_outputs(bundle) -> dict[str, str]:
    frame, summary = for_audience(
        bundle.frame, bundle.summary.to_json(), audience="public", roster=ROSTER
    )
    return {
        "markdown": render_markdown(frame, summary),
        "html": html.unescape(render_html(frame, summary)),
        "summary.json": json.dumps(summary),
        "events": frame[["actor", "summary", "channel"]].to_csv(),
    }


def test_every_planted_identifier_is_in_the_internal_bundle(bundle):
    internal = render_markdown(bundle.frame, bundle.summary.to_json())
    internal += json.dumps(bundle.summary.to_json())
    assert leaks(internal) == IDENTIFIERS  # so the public test below searches for real names


def test_no_identifier_of_any_person_in_any_public_output(bundle):
    outputs = public_outputs(bundle)
    assert {name: leaks(text) for name, text in outputs.items()} == dict.fromkeys(outputs, [])


def test_services_integrations_and_bots_keep_their_names(bundle):
    outputs = public_outputs(bundle)
    name = public_names(bundle.frame, ROSTER, bundle.summary.to_json()["people"])
    for system in SYSTEMS:
        assert system in outputs["events"]
        assert name(system) == system


def test_one_person_is_one_alias_across_sources(bundle):
    name = public_names(bundle.frame, ROSTER, bundle.summary.to_json()["people"])
    hiro = {name(i) for i in ("hiro", "Hiroshi Sato", "U0HIRO", "hiroshi.sato@corp.example")}
    nadia = {name(i) for i in ("Nadia K", "nkowal", "Nadia Kowalczyk", "nadia@corp.example")}
    esme = {name(i) for i in ("esme", "eq-dev", "Esmeralda Quint", "esmeralda@home.example")}
    olu = {name(i) for i in ("olu", "obright", "O. Brightwater")}
    assert [len(hiro), len(nadia), len(esme), len(olu)] == [1, 1, 1, 1]  # e-mail, e-mail,
    # real name (case and spacing differ), roster
    assert olu == {"Release captain"}
    assert len(hiro | nadia | esme | olu) == 4
    assert name("Katalin Varga") == name("PUKATV1") == name("kvarga@corp.example")


def test_a_person_seen_in_two_sources_is_one_responder(bundle):
    responders = bundle.summary.to_json()["responders"]
    assert [r["name"] for r in responders if "nkowal" in [r["name"], *r["also"]]] == [
        "Nadia Kowalczyk"
    ]
    named = [n for r in responders for n in (r["name"], *r["also"])]
    assert len(named) == len(set(named))
    assert "dependabot[bot]" not in named and "Datadog" not in named


def test_the_roles_line_names_roles_without_tying_them_to_aliases(bundle):
    outputs = public_outputs(bundle)
    section = outputs["markdown"].split("## Responders", 1)[1].split("\n## ", 1)[0]
    table = [line for line in section.splitlines() if line.startswith("| Responder")]
    assert table and all("| — |" in line for line in table)  # no alias carries a role
    assert re.search(r"Roles held: .*assigned in PagerDuty", section)
    assert "| Release captain | Release captain |" in section  # the roster's public name


def test_emails_are_kept_out_of_the_bundle_when_they_are_redacted(tmp_path):
    bundle = _pull(tmp_path, emails_redacted=True)
    people = bundle.summary.to_json()["people"]
    assert people and all(entry["emails"] == [] for entry in people)
    assert "@corp.example" not in json.dumps(bundle.summary.to_json())
