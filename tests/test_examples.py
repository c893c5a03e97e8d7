"""The scheduling examples in examples/: each parses, and the export command line in each is one
the tool accepts. The systemd units also pass `systemd-analyze verify` where it is installed."""

from __future__ import annotations

import configparser
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import click
import pytest
import yaml

from timeline.cli.export import export

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
CRONTAB = EXAMPLES / "cron" / "postmortem-export.crontab"
SERVICE = EXAMPLES / "systemd" / "postmortem-export.service"
TIMER = EXAMPLES / "systemd" / "postmortem-export.timer"
WORKFLOW = EXAMPLES / "github-actions" / "postmortem-export.yml"
CRON_FIELD_RANGES = [(0, 59), (0, 23), (1, 31), (1, 12), (0, 7)]
# The directives these examples may use, per section (systemd.unit(5), .service(5), .exec(5),
# .timer(5)): a misspelt key is only a warning to systemd, so it is caught here.
KNOWN_DIRECTIVES = {
    "Unit": {"Description", "Documentation", "Wants", "After", "Requires", "OnFailure"},
    "Service": {
        "Type",
        "User",
        "Group",
        "WorkingDirectory",
        "EnvironmentFile",
        "Environment",
        "ExecStart",
        "TimeoutStartSec",
        "NoNewPrivileges",
        "PrivateTmp",
        "ProtectSystem",
        "ProtectHome",
        "ReadWritePaths",
        "SuccessExitStatus",
    },
    "Timer": {"OnCalendar", "RandomizedDelaySec", "Persistent", "Unit", "AccuracySec"},
    "Install": {"WantedBy"},
}


def export_arguments(command: str) -> list[str]:
    """The arguments after `postmortem export` in a shell command (its line, in a script)."""
    line = next(line for line in command.splitlines() if "postmortem export" in line)
    words = shlex.split(line)
    start = next(
        i for i, w in enumerate(words) if w.endswith("postmortem") and words[i + 1] == "export"
    )
    arguments = []
    for word in words[start + 2 :]:
        if word in ("&&", "||", "|", ";"):
            break
        arguments.append(word)
    return arguments


def assert_export_accepts(arguments: list[str]) -> None:
    """The export command parses these options (nothing runs)."""
    context = export.make_context("export", [a.replace("$RESOLVED_SINCE", "2h") for a in arguments])
    assert context.params["resolved_since"]
    assert context.params["severities"] == ("SEV-1,SEV-2",)


def assert_cron_schedule(fields: list[str]) -> None:
    assert len(fields) == 5, fields
    for field, (low, high) in zip(fields, CRON_FIELD_RANGES, strict=True):
        for part in field.split(","):
            match = re.fullmatch(r"(\*|\d+(?:-\d+)?)(?:/(\d+))?", part)
            assert match, f"bad cron field {field!r}"
            numbers = [int(n) for n in re.findall(r"\d+", match.group(1))]
            assert all(low <= n <= high for n in numbers), f"{field!r} outside {low}-{high}"


def test_crontab_line_is_valid_and_its_command_parses():
    lines = [
        line
        for line in CRONTAB.read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    environment = [line for line in lines if re.fullmatch(r"[A-Z_]+=\S+", line)]
    jobs = [line for line in lines if line not in environment]
    assert environment == ["MAILTO=sre-oncall@example.com"]
    assert len(jobs) == 1
    fields = jobs[0].split(None, 5)
    assert_cron_schedule(fields[:5])
    assert_export_accepts(export_arguments(fields[5]))
    assert "--quiet" in fields[5]


def read_unit(path: Path) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=True, interpolation=None, delimiters=("=",))
    parser.optionxform = str  # systemd keys are case-sensitive
    parser.read_string(path.read_text(), source=str(path))
    return parser


def test_systemd_units_have_the_sections_and_keys_systemd_needs():
    service = read_unit(SERVICE)
    assert service.sections() == ["Unit", "Service"]
    assert service["Service"]["Type"] == "oneshot"
    exec_start = service["Service"]["ExecStart"]
    assert exec_start.startswith("/"), "ExecStart needs an absolute path"
    assert_export_accepts(export_arguments(exec_start))
    assert service["Service"]["EnvironmentFile"].startswith("/")
    timer = read_unit(TIMER)
    assert timer.sections() == ["Unit", "Timer", "Install"]
    assert timer["Timer"]["Unit"] == SERVICE.name
    assert timer["Timer"]["Persistent"] == "true"
    assert re.fullmatch(r"\*-\*-\* \*:\d\d:\d\d", timer["Timer"]["OnCalendar"])
    assert timer["Install"]["WantedBy"] == "timers.target"
    for unit in (service, timer):
        for section in unit.sections():
            assert set(unit[section]) <= KNOWN_DIRECTIVES[section], section


def test_systemd_units_pass_systemd_analyze_where_installed(tmp_path):
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        # No systemd here: check the structure instead (also done by the test above).
        test_systemd_units_have_the_sections_and_keys_systemd_needs()
        return
    # verify insists that ExecStart's program exists: point it at this environment's script.
    script = Path(sys.executable).with_name("postmortem")
    assert script.exists(), "the project is installed, so its console script is"
    service = SERVICE.read_text().replace("/opt/postmortem/.venv/bin/postmortem", str(script))
    (tmp_path / SERVICE.name).write_text(service)
    shutil.copy(TIMER, tmp_path / TIMER.name)
    result = subprocess.run(
        [analyze, "verify", str(tmp_path / SERVICE.name), str(tmp_path / TIMER.name)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == "", result.stderr  # unknown keys are only warnings: none allowed
    calendar = subprocess.run(
        [analyze, "calendar", read_unit(TIMER)["Timer"]["OnCalendar"]],
        capture_output=True,
        text=True,
    )
    assert calendar.returncode == 0, calendar.stderr


def test_github_actions_workflow_parses_and_runs_the_export():
    workflow = yaml.safe_load(WORKFLOW.read_text())
    triggers = workflow[True]  # YAML 1.1 reads the key `on` as true
    cron = triggers["schedule"][0]["cron"]
    assert_cron_schedule(cron.split())
    assert "workflow_dispatch" in triggers
    assert workflow["permissions"] == {"contents": "write"}
    assert workflow["concurrency"]["cancel-in-progress"] is False
    steps = workflow["jobs"]["export"]["steps"]
    assert all(("uses" in step) != ("run" in step) for step in steps)
    export_step = next(s for s in steps if s.get("id") == "export")
    assert_export_accepts(export_arguments(export_step["run"]))
    for name in ("PAGERDUTY_API_TOKEN", "GITHUB_TOKEN", "SLACK_BOT_TOKEN"):
        assert export_step["env"][name].startswith("${{ secrets.")
    last = steps[-1]
    assert last["if"] == "steps.export.outputs.code != '0'"


def test_the_parse_check_refuses_a_misspelt_option():
    with pytest.raises(click.UsageError, match="No such option '--severty'"):
        assert_export_accepts(["--resolved-since", "2h", "--severty", "SEV-1,SEV-2"])
