"""End to end: `postmortem pull ID` through the real clients against the fake APIs."""

import json

import pytest
from click.testing import CliRunner

from tests.fakes import TEST_TOKENS
from tests.fakes.scenario import serve_example
from timeline.cli import main
from timeline.pull.files import EXAMPLE_DIR

TOKENS = TEST_TOKENS


@pytest.fixture
def live(fake_pagerduty, fake_github, fake_slack, ca_bundle_path, tmp_path):
    serve_example(EXAMPLE_DIR, fake_pagerduty, fake_github, fake_slack)
    config = tmp_path / "postmortem.toml"
    config.write_text(f"""
[window]
lookback = "2h"
lookahead = "30m"

[pagerduty]
base_url = "{fake_pagerduty.origin}"
ca_bundle = "{ca_bundle_path}"
severity_map = {{ P1 = "SEV-1" }}

[github]
base_url = "{fake_github.base_url}"
repos = ["acme/checkout-api"]

[slack]
base_url = "{fake_slack.base_url}"
workspace_url = "https://acme.slack.com"
channel_template = "inc-{{number}}-checkout-5xx"
comms_channels = ["status-updates"]
""")
    return {
        "config": config,
        "out": tmp_path / "out",
        "pagerduty": fake_pagerduty,
        "github": fake_github,
        "slack": fake_slack,
    }


def pull(live, *args, env=TOKENS):
    return CliRunner().invoke(
        main, ["pull", *args, "--config", str(live["config"]), "--out", str(live["out"])], env=env
    )


def test_live_pull_matches_the_same_artifacts_read_from_files(live, tmp_path):
    live["pagerduty"].fail_next(1, status=429, retry_after="1")
    live["slack"].fail_next(1, status=503)
    result = pull(live, "2231")
    assert result.exit_code == 0, result.output
    summary = json.loads((live["out"] / "PXM2K7Q" / "summary.json").read_text())
    assert summary["incident"]["severity"] == "SEV-1"
    assert {s["name"]: s["status"] for s in summary["sources"]} == {
        "pagerduty": "ok",
        "github": "ok",
        "slack": "ok",
    }
    assert summary["retries"]["pagerduty"]["count"] == 1
    assert summary["retries"]["pagerduty"]["seconds"] >= 1

    files = CliRunner().invoke(
        main,
        [
            "pull",
            "--config",
            str(live["config"]),
            "--out",
            str(tmp_path / "files"),
            "--from",
            str(EXAMPLE_DIR / "pagerduty-incident.json"),
            "--from",
            str(EXAMPLE_DIR / "pagerduty-log-entries.json"),
            "--from",
            str(EXAMPLE_DIR / "github-deployments.json"),
            "--from",
            str(EXAMPLE_DIR / "slack-export"),
        ],
    )
    assert files.exit_code == 0, files.output
    from_files = json.loads((tmp_path / "files" / "PXM2K7Q" / "summary.json").read_text())
    for name in ("detected", "acknowledged", "escalated", "mitigated", "resolved", "first_comms"):
        assert summary["milestones"][name] == from_files["milestones"][name], name
    assert summary["gaps"]["time_to_mitigate"] == from_files["gaps"]["time_to_mitigate"]
    assert summary["gaps"]["time_to_mitigate"] > 0
    markdown = (live["out"] / "PXM2K7Q" / "timeline.md").read_text()
    assert "EXAMPLEfakeT0ken" not in markdown
    for token in TOKENS.values():
        assert token not in result.output
        for path in (live["out"] / "PXM2K7Q").iterdir():
            assert token.encode() not in path.read_bytes()


def test_slack_down_still_lands_the_others_with_exit_3(live):
    live["slack"].fail_next(50, status=503)
    result = pull(live, "PXM2K7Q")
    assert result.exit_code == 3, result.output
    summary = json.loads((live["out"] / "PXM2K7Q" / "summary.json").read_text())
    statuses = {s["name"]: s for s in summary["sources"]}
    assert statuses["slack"]["status"] == "failed"
    assert "503" in statuses["slack"]["error"] or "5xx" in statuses["slack"]["error"]
    assert statuses["pagerduty"]["events"] > 0
    assert statuses["github"]["events"] > 0
    assert summary["milestones"]["detected"]["evidence"] == "observed"


def test_unknown_incident_is_one_line_and_no_bundle(live):
    result = pull(live, "PNOPE00")
    assert result.exit_code == 1
    line = result.stderr.splitlines()[0]
    assert line.startswith("Error: pagerduty: incident PNOPE00 not found")
    assert not live["out"].exists()


def test_missing_pagerduty_token_names_the_variable(live):
    result = pull(live, "PXM2K7Q", env={"PAGERDUTY_API_TOKEN": ""})
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        "Error: environment variable PAGERDUTY_API_TOKEN is not set: export it with the API token"
    )


def test_bad_pagerduty_token_says_token_or_region(live):
    result = pull(live, "PXM2K7Q", env={**TOKENS, "PAGERDUTY_API_TOKEN": "wrong"})
    assert result.exit_code == 1
    line = result.stderr.splitlines()[0]
    assert "401" in line or "token" in line
    assert "region" in line
    assert "wrong" not in line.replace("wrong region", "")


def test_missing_slack_token_fails_only_slack(live):
    env = {**TOKENS, "SLACK_BOT_TOKEN": ""}
    result = pull(live, "PXM2K7Q", env=env)
    assert result.exit_code == 3
    summary = json.loads((live["out"] / "PXM2K7Q" / "summary.json").read_text())
    slack = next(s for s in summary["sources"] if s["name"] == "slack")
    assert (
        slack["error"]
        == "environment variable SLACK_BOT_TOKEN is not set: export it with the API token"
    )
