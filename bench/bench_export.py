"""Benchmark `postmortem export` against the fake APIs; prints figures, asserts nothing.

    python bench/bench_export.py [--incidents 200] [--latency 0.05] [--concurrency N]

Serves INCIDENTS resolved incidents from the fake PagerDuty (HTTPS), GitHub and Slack APIs (each
response delayed by LATENCY seconds), and exports them twice into fresh folders: with the
default concurrency (export.concurrency) and one incident at a time. Prints wall time, requests
per incident per API, and the rate of requests each API saw.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
import trustme

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ingest.config import Config, config_from_mapping  # noqa: E402
from render.markdown import render_markdown  # noqa: E402
from tests.fakes import (  # noqa: E402
    GITHUB_TEST_TOKEN,
    PAGERDUTY_TEST_TOKEN,
    SLACK_TEST_TOKEN,
    FakeGitHub,
    FakePagerDuty,
    FakeSlack,
    tls_context,
)
from tests.fakes import github as gh_fake  # noqa: E402
from tests.fakes import pagerduty as pd_fake  # noqa: E402
from tests.fakes import slack as slack_fake  # noqa: E402
from timeline.export.run import ExportRequest, export_incidents  # noqa: E402

REPO = "acme/checkout-api"
START = pd.Timestamp("2026-10-01T00:00:00Z")
ENVIRON = {
    "PAGERDUTY_API_TOKEN": PAGERDUTY_TEST_TOKEN,
    "GITHUB_TOKEN": GITHUB_TEST_TOKEN,
    "SLACK_BOT_TOKEN": SLACK_TEST_TOKEN,
}


def iso(ts: pd.Timestamp) -> str:
    return ts.strftime("%Y-%m-%dT%H:%M:%SZ")


def populate(pagerduty: FakePagerDuty, github: FakeGitHub, slack: FakeSlack, count: int) -> None:
    """Each incident: 6 log entries, 2 alerts, a note, a deploy before it and a rollback during
    it, and an incident channel of 30 messages (a thread of 5 replies among them)."""
    repo = github.repo(REPO)
    slack.add_user("U061F7AUR", "priya", "Priya Raman")
    for n in range(1, count + 1):
        incident_id = f"PB{n:05d}"
        opened = START + pd.Timedelta(hours=3 * n)
        at = [opened + pd.Timedelta(minutes=m) for m in range(0, 61)]
        entries = [
            pd_fake.log_entry(f"Q{n}-{k}", incident_id, created_at=iso(at[m]), type=kind)
            for k, (m, kind) in enumerate(
                [
                    (1, "trigger_log_entry"),
                    (2, "notify_log_entry"),
                    (4, "acknowledge_log_entry"),
                    (9, "escalate_log_entry"),
                    (30, "annotate_log_entry"),
                    (60, "resolve_log_entry"),
                ]
            )
        ]
        pagerduty.add_incident(
            pd_fake.incident(
                incident_id,
                n,
                created_at=iso(at[1]),
                resolved_at=iso(at[60]),
                priority="P1" if n % 2 else "P2",
                service_name="checkout-api",
            ),
            log_entries=entries,
            alerts=[
                pd_fake.alert(f"A{n}-{k}", incident_id, created_at=iso(at[1 + k])) for k in range(2)
            ],
            notes=pd_fake.notes_example()[:1],
        )
        deploy_id, rollback_id = 2 * n, 2 * n + 1
        repo.deployments += [
            gh_fake.deployment(
                REPO, deploy_id, sha=f"{n:040x}", created_at=iso(opened - pd.Timedelta(minutes=20))
            ),
            gh_fake.deployment(REPO, rollback_id, sha=f"{n - 1:040x}", created_at=iso(at[25])),
        ]
        repo.statuses[deploy_id] = [
            gh_fake.deployment_status(
                REPO,
                deploy_id,
                deploy_id,
                state="success",
                created_at=iso(opened - pd.Timedelta(minutes=15)),
            )
        ]
        repo.statuses[rollback_id] = [
            gh_fake.deployment_status(
                REPO, rollback_id, rollback_id, state="success", created_at=iso(at[28])
            )
        ]
        repo.commits.append(
            gh_fake.commit(REPO, f"{n:040x}", committed_at=iso(opened - pd.Timedelta(hours=1)))
        )
        base = int(at[2].timestamp())
        messages = [
            slack_fake.message(f"{base + 60 * k}.{k:06d}", f"update {k} on checkout errors")
            for k in range(25)
        ]
        parent = messages[0]["ts"]
        messages[0].update(thread_ts=parent, reply_count=5)
        replies = [
            slack_fake.reply(f"{base + 30 + 60 * k}.000100", f"reply {k}", parent_ts=parent)
            for k in range(5)
        ]
        slack.add_channel(f"C{n:08d}", f"inc-{n}", messages=messages, replies={parent: replies})
    # GitHub lists deployments and commits newest first.
    repo.deployments.reverse()
    repo.commits.reverse()


def config_for(pagerduty: FakePagerDuty, github: FakeGitHub, slack: FakeSlack, ca: str) -> Config:
    return config_from_mapping(
        {
            "pagerduty": {
                "base_url": pagerduty.origin,
                "ca_bundle": ca,
                "timeout": 30,
                "severity_map": {"P1": "SEV-1", "P2": "SEV-2"},
            },
            "github": {"base_url": github.base_url, "repos": [REPO], "timeout": 30},
            "slack": {
                "base_url": slack.base_url,
                "channel_template": "inc-{number}",
                "workspace_url": "https://acme.slack.com",
                "timeout": 30,
            },
        }
    )


def run_once(fakes: tuple, config: Config, concurrency: int, count: int) -> None:
    for fake in fakes:
        fake.reset_log()
    with tempfile.TemporaryDirectory() as folder:
        request = ExportRequest(
            out_dir=Path(folder) / "out",
            since=START,
            until=START + pd.Timedelta(days=60),
            severities=("SEV-1", "SEV-2"),
            config=config,
            concurrency=concurrency,
        )
        started = time.perf_counter()
        report = export_incidents(
            request,
            render=lambda b: {"timeline.md": render_markdown(b.frame, b.summary.to_json())},
            environ=ENVIRON,
        )
        seconds = time.perf_counter() - started
    statuses = {s: report.count(s) for s in ("exported", "partial", "failed") if report.count(s)}
    print(
        f"concurrency {concurrency}: {count} incidents in {seconds:.1f} s "
        f"({seconds / count * 1000:.0f} ms per incident) {statuses}"
    )
    for fake in fakes:
        requests = len(fake.requests)
        print(
            f"  {fake.name:<10} {requests:>6} requests, {requests / count:5.1f} per incident, "
            f"{requests / seconds * 60:7.0f} per minute"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--incidents", type=int, default=200)
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--concurrency", type=int, default=Config().export.concurrency)
    args = parser.parse_args()
    ca = trustme.CA()
    with tempfile.TemporaryDirectory() as folder:
        ca_path = Path(folder) / "ca.pem"
        ca.cert_pem.write_to_path(str(ca_path))
        pagerduty = FakePagerDuty(
            PAGERDUTY_TEST_TOKEN, tls=tls_context(ca, "127.0.0.1"), latency=args.latency
        )
        github = FakeGitHub(GITHUB_TEST_TOKEN, latency=args.latency)
        slack = FakeSlack(SLACK_TEST_TOKEN, latency=args.latency)
        populate(pagerduty, github, slack, args.incidents)
        fakes = (pagerduty, github, slack)
        for fake in fakes:
            fake.start()
        try:
            config = config_for(pagerduty, github, slack, str(ca_path))
            print(
                f"{args.incidents} incidents, {args.latency * 1000:.0f} ms added to every response"
            )
            run_once(fakes, config, args.concurrency, args.incidents)
            run_once(fakes, config, 1, args.incidents)
        finally:
            for fake in fakes:
                fake.stop()


if __name__ == "__main__":
    main()
