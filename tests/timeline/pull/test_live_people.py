"""People named by the live APIs never reach a public draft of a live pull.

The fakes serve records in the official shapes with people planted in them: Slack users
(``users.info``: ID, handle, display name, real and first and last name, e-mail) and a user
Slack no longer knows (only the profile their message carries), PagerDuty user references
(agents, notified users, escalation targets, note authors), GitHub commit authors with their
git name and e-mail, co-authors, pull-request users and deployment creators. The incident is
pulled with ``postmortem pull ID`` and drafted with ``postmortem draft --audience public``.
"""

from __future__ import annotations

import html
import json
import re
from datetime import UTC, datetime, timedelta

import pytest
from click.testing import CliRunner

from render.audience import public_names
from tests.fakes import TEST_TOKENS
from tests.fakes import github as gh
from tests.fakes import pagerduty as pd_fake
from tests.fakes import slack as sl
from timeline.bundle import read_bundle
from timeline.cli import main

TOKENS = TEST_TOKENS
INCIDENT, NUMBER, REPO = "PINC0077", 77, "acme/orders"
START = datetime(2026, 3, 2, 10, tzinfo=UTC)
IDENTIFIERS = [
    # Slack users.info: ID, handle, first and last name, e-mail; a departed user's profile
    "U0HIRO", "hiro.sato", "Hiroshi", "Sato", "hiroshi.sato@corp.example",
    "U0NADIA", "nadia.k", "Nadia", "Kowalczyk", "nadia@corp.example",
    "U0GONE", "wendell.f", "Wendell", "Fairbanks",
    # PagerDuty user references: ID, name, e-mail
    "PUKATV1", "Katalin", "Varga", "kvarga@corp.example", "PUMIRO1", "Miroslav", "Dvorak",
    "PUBAST1", "Bastian", "Ortlieb", "PUNADIA", "PUHIRO1",
    # GitHub: logins, co-author, pull-request user, deployment creator
    "nkowal", "tpham", "Thanh", "Pham", "tpham@corp.example", "eq-dev",
]  # fmt: skip


def iso(minutes: float) -> str:
    return (START + timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M:%SZ")


def ts(minutes: float) -> str:
    return f"{(START + timedelta(minutes=minutes)).timestamp():.6f}"


def user_ref(user_id: str, name: str, email: str | None = None) -> dict:
    ref = {"id": user_id, "type": "user_reference", "summary": name}
    return {**ref, "email": email} if email else ref


def serve_pagerduty(fake: pd_fake.FakePagerDuty) -> None:
    katalin = user_ref("PUKATV1", "Katalin Varga", "kvarga@corp.example")
    miroslav = user_ref("PUMIRO1", "Miroslav Dvorak")
    nadia = user_ref("PUNADIA", "Nadia Kowalczyk", "nadia@corp.example")

    def entry(n: int, kind: str, minutes: float, summary: str, **fields) -> dict:
        record = pd_fake.log_entry(f"R{n}", INCIDENT, created_at=iso(minutes), type=kind)
        record.update(summary=summary, **fields)
        return record

    entries = [
        entry(1, "trigger_log_entry", 0, "Triggered through the API"),
        entry(2, "notify_log_entry", 1, "Notified Miroslav Dvorak by SMS", user=miroslav),
        entry(3, "acknowledge_log_entry", 2, "Acknowledged by Katalin Varga", agent=katalin),
        entry(4, "escalate_log_entry", 8, "Escalated to Bastian Ortlieb (level 2)",
              assignees=[user_ref("PUBAST1", "Bastian Ortlieb")]),
        entry(5, "resolve_log_entry", 40, "Resolved by Nadia Kowalczyk", agent=nadia),
    ]  # fmt: skip
    note = pd_fake.notes_example()[0]
    note.update(content="pool saturated", created_at=iso(9), updated_at=iso(9))
    note["user"] = user_ref("PUHIRO1", "Hiroshi Sato")
    incident = pd_fake.incident(
        INCIDENT, NUMBER, created_at=iso(0), resolved_at=iso(40), service_name="checkout-api"
    )
    fake.add_incident(incident, log_entries=entries, notes=[note])


def serve_github(fake: gh.FakeGitHub) -> None:
    repo = fake.repo(REPO)
    commit = gh.commit(
        REPO,
        "a" * 40,
        committed_at=iso(-20),
        message="Tighten pool\n\nCo-authored-by: Thanh Pham <tpham@corp.example>",
    )
    commit["commit"]["author"].update(name="Nadia Kowalczyk", email="nadia@corp.example")
    commit["author"].update(login="nkowal", type="User")
    repo.commits.append(commit)
    pull = gh.pull(REPO, 7, merged_at=iso(-10), updated_at=iso(-10))
    pull["user"].update(login="tpham", type="User")
    repo.pulls.append(pull)
    deployment = gh.deployment(REPO, 900, sha="b" * 40, created_at=iso(-5))
    deployment["creator"].update(login="eq-dev", type="User")
    repo.deployments.append(deployment)
    status = gh.deployment_status(REPO, 900, 901, state="success", created_at=iso(-4))
    status["creator"].update(login="eq-dev", type="User")
    repo.statuses[900] = [status]


def serve_slack(fake: sl.FakeSlack) -> None:
    for user_id, handle, first, last, email in (
        ("U0HIRO", "hiro.sato", "Hiroshi", "Sato", "hiroshi.sato@corp.example"),
        ("U0NADIA", "nadia.k", "Nadia", "Kowalczyk", "nadia@corp.example"),
    ):
        user = fake.add_user(user_id, handle, f"{first} {last}")
        user["profile"].update(first_name=first, last_name=last, email=email)
    departed = {
        "name": "wendell.f",
        "real_name": "Wendell Fairbanks",
        "display_name": "wendell.f",
        "first_name": "Wendell",
        "last_name": "Fairbanks",
    }
    channel = fake.add_channel("C0INC77", f"inc-{NUMBER}")
    channel.messages += [
        sl.message(ts(0), "Triggered: checkout 5xx above 2%", user="", subtype="bot_message",
                   bot_id="B0DD", username="Datadog"),
        sl.message(ts(3), "looking at the pool now", user="U0HIRO"),
        sl.message(ts(4), "<@U0HIRO> can you check the deploy?", user="U0NADIA"),
        sl.message(ts(5), "on it, Nadia", user="U0HIRO"),
        sl.message(ts(6), "rollback ready when we decide", user="U0GONE", user_profile=departed),
        sl.message(ts(20), "Thanh confirmed the pool size", user="U0NADIA"),
    ]  # fmt: skip


@pytest.fixture
def pulled(fake_pagerduty, fake_github, fake_slack, ca_bundle_path, tmp_path):
    serve_pagerduty(fake_pagerduty)
    serve_github(fake_github)
    serve_slack(fake_slack)
    config = tmp_path / "postmortem.toml"
    config.write_text(f"""
[window]
lookback = "1h"
lookahead = "30m"

[redaction]
emails = false

[pagerduty]
base_url = "{fake_pagerduty.origin}"
ca_bundle = "{ca_bundle_path}"

[github]
base_url = "{fake_github.base_url}"
repos = ["{REPO}"]

[slack]
base_url = "{fake_slack.base_url}"
workspace_url = "https://acme.slack.com"
channel_template = "inc-{{number}}"
""")
    out = tmp_path / "out"
    runner = CliRunner()
    result = runner.invoke(
        main, ["pull", INCIDENT, "--config", str(config), "--out", str(out)], env=TOKENS
    )
    assert result.exit_code == 0, result.output
    drafts = {}
    for audience in ("internal", "public"):
        for fmt in ("md", "html"):
            target = tmp_path / f"draft-{audience}.{fmt}"
            args = ["draft", str(out / INCIDENT), "--audience", audience, "--format", fmt]
            done = runner.invoke(main, [*args, "--config", str(config), "-o", str(target)])
            assert done.exit_code == 0, done.output
            drafts[audience, fmt] = html.unescape(target.read_text(encoding="utf-8"))
    fakes = {"pagerduty": fake_pagerduty, "github": fake_github, "slack": fake_slack}
    return {"bundle": read_bundle(out / INCIDENT), "drafts": drafts, "fakes": fakes}


def leaks(text: str) -> list[str]:
    found = (re.search(rf"(?<![\w.@-]){re.escape(n)}(?![\w@-])", text, re.I) for n in IDENTIFIERS)
    return [n for n, hit in zip(IDENTIFIERS, found, strict=True) if hit]


def test_the_live_pull_builds_the_people_directory_from_every_source(pulled):
    people = pulled["bundle"].summary.to_json()["people"]
    sources = {source for entry in people for source in entry["sources"]}
    assert {"slack", "pagerduty", "github"} <= sources
    internal = pulled["drafts"]["internal", "md"] + json.dumps(people)
    assert leaks(internal) == IDENTIFIERS  # so the public drafts are searched for real names


def test_no_identifier_of_any_person_in_a_public_draft_of_a_live_pull(pulled):
    drafts = pulled["drafts"]
    assert leaks(drafts["public", "md"]) == []
    assert leaks(drafts["public", "html"]) == []
    for system in ("Datadog", "checkout-api"):
        assert system in drafts["public", "md"]


def test_one_person_across_the_live_sources_is_one_alias(pulled):
    bundle = pulled["bundle"]
    name = public_names(bundle.frame, {}, bundle.summary.to_json()["people"])
    nadia = {name(i) for i in ("Nadia Kowalczyk", "nadia.k", "U0NADIA", "nkowal", "PUNADIA")}
    hiro = {name(i) for i in ("hiro.sato", "Hiroshi Sato", "U0HIRO", "PUHIRO1")}
    assert [len(nadia), len(hiro)] == [1, 1]  # by e-mail; by real name
    assert nadia != hiro
    assert name("Datadog") == "Datadog"


def test_the_directory_costs_no_request_of_its_own(pulled):
    fakes = pulled["fakes"]
    assert fakes["slack"].requests_to("users.list") == []
    # One users.info per person who wrote or was mentioned, never one per message.
    asked = [r.arg("user") for r in fakes["slack"].requests_to("users.info")]
    assert sorted(asked) == ["U0GONE", "U0HIRO", "U0NADIA"]
    assert fakes["pagerduty"].requests_to("/users") == []
    assert fakes["github"].requests_to("/users") == []
