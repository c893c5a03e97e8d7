"""Live pull against the fake APIs with added latency: requests per source beside the minimum
for the page sizes, connections (TLS handshakes: all three fakes serve HTTPS) per source, and
the whole (concurrent) pull beside each source pulled alone. The Slack pull is also timed with
``slack_sdk.WebClient`` (a new connection per request, as before) as the baseline.

    python bench/bench_live_pull.py [--latency 0.05] [--handshake-rtts 2] [--messages 3000]
                                    [--threads 300]
                                    [--log-entries 400] [--commits 200] [--exact-permalinks]

Run from the repository root (it uses the fake servers in tests/fakes).
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
import trustme
from slack_sdk import WebClient

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ingest.clients import Clients  # noqa: E402
from ingest.config import config_from_mapping  # noqa: E402
from ingest.github import live as github_api  # noqa: E402
from ingest.pagerduty import live as pagerduty_api  # noqa: E402
from ingest.progress import Progress  # noqa: E402
from ingest.slack import live as slack_api  # noqa: E402
from tests.fakes import (  # noqa: E402
    GITHUB_TEST_TOKEN,
    PAGERDUTY_TEST_TOKEN,
    SLACK_TEST_TOKEN,
    FakeGitHub,
    FakePagerDuty,
    FakeSlack,
    tls_context,
)
from tests.fakes import github as gh  # noqa: E402
from tests.fakes import pagerduty as pd_fake  # noqa: E402
from tests.fakes import slack as sl  # noqa: E402
from timeline.pull.files import FilePull  # noqa: E402
from timeline.pull.live import live_window, pull_live  # noqa: E402

START = pd.Timestamp("2026-10-14T14:00:00Z")
REPO = "acme/checkout-api"
CHANNEL = "C0INC0001"
USERS = 20
BASELINE = "slack, one connection per call (before)"
LOG_TYPES = ["notify_log_entry", "annotate_log_entry", "assign_log_entry", "escalate_log_entry"]


def iso(seconds: float) -> str:
    return (START + pd.Timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%SZ")


def slack_ts(seconds: float) -> str:
    stamp = START + pd.Timedelta(seconds=seconds)
    return f"{stamp.value // 1_000_000_000}.{(stamp.value // 1000) % 1_000_000:06d}"


def populate(pagerduty: FakePagerDuty, github: FakeGitHub, slack: FakeSlack, args) -> None:
    span = 3 * 3600
    entries = [pd_fake.log_entry("RTRIGGER", "PBENCH1", created_at=iso(0))]
    entries += [
        pd_fake.log_entry(
            f"R{i:06d}",
            "PBENCH1",
            created_at=iso(60 + i * span / args.log_entries),
            type=LOG_TYPES[i % len(LOG_TYPES)],
        )
        for i in range(args.log_entries - 2)
    ]
    entries.append(
        pd_fake.log_entry("RRESOLVE", "PBENCH1", created_at=iso(span), type="resolve_log_entry")
    )
    pagerduty.add_incident(
        pd_fake.incident(
            "PBENCH1", 4242, created_at=iso(0), resolved_at=iso(span), service_name="checkout-api"
        ),
        log_entries=entries,
    )
    repo = github.repo(REPO)
    for i in range(args.commits):
        repo.commits.append(gh.commit(REPO, f"{i:040x}", committed_at=iso(60 + i * 40)))
    for i in range(4):
        repo.deployments.append(
            gh.deployment(REPO, 100 + i, sha=f"{i:040x}", created_at=iso(i * 600))
        )
        repo.statuses[100 + i] = [
            gh.deployment_status(
                REPO, 100 + i, 1000 + i, state="success", created_at=iso(i * 600 + 90)
            )
        ]
    for user in range(USERS):
        slack.add_user(f"U{user:08d}", f"person{user}", f"Person {user}")
    channel = slack.add_channel(CHANNEL, "inc-4242")
    replies_each = max(1, (args.messages // 10) // max(args.threads, 1))
    parents = args.messages - args.threads * replies_each
    step = span / parents
    for i in range(parents):
        ts = slack_ts(i * step)
        message = sl.message(ts, f"message {i}", user=f"U{i % USERS:08d}")
        if i < args.threads:
            message.update(
                thread_ts=ts,
                reply_count=replies_each,
                latest_reply=slack_ts(i * step + replies_each),
            )
            channel.replies[ts] = [
                sl.reply(
                    slack_ts(i * step + r + 1),
                    f"reply {r}",
                    parent_ts=ts,
                    user=f"U{(i + r) % USERS:08d}",
                )
                for r in range(replies_each)
            ]
        channel.messages.append(message)


def config_for(pagerduty, github, slack, ca_path, exact_permalinks):
    return config_from_mapping(
        {
            "pagerduty": {"base_url": pagerduty.origin, "ca_bundle": ca_path},
            "github": {"base_url": github.base_url, "ca_bundle": ca_path, "repos": [REPO]},
            "slack": {
                "base_url": slack.base_url,
                "ca_bundle": ca_path,
                "channels": ["inc-4242"],
                "exact_permalinks": exact_permalinks,
            },
        }
    )


class OneConnectionPerCall:
    """The baseline: Slack called through ``slack_sdk.WebClient``, whose ``urllib`` transport
    opens a new connection (a TLS handshake) for every request, as the Slack client did
    before it moved to the SDK's ``AsyncWebClient`` on one ``aiohttp`` session."""

    def __init__(self, client) -> None:
        self.endpoint, self.policy, self.base_url = client.endpoint, client.policy, client.base_url
        where = client.endpoint
        self.web = WebClient(
            token=SLACK_TEST_TOKEN, base_url=self.base_url, ssl=where.ssl_context, proxy=None
        )
        self.web.proxy = None  # as the client did: the endpoint decides, not HTTPS_PROXY

    def call(self, method, **args):
        return getattr(self.web, method.replace(".", "_"))(**args)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument(
        "--handshake-rtts",
        type=float,
        default=2.0,
        help="a new connection waits this many latencies (TCP and TLS 1.3: about 2 round trips)",
    )
    parser.add_argument("--messages", type=int, default=3000)
    parser.add_argument("--threads", type=int, default=300)
    parser.add_argument("--log-entries", type=int, default=400)
    parser.add_argument("--commits", type=int, default=200)
    parser.add_argument("--exact-permalinks", action="store_true")
    args = parser.parse_args()

    ca = trustme.CA()
    delays = {"latency": args.latency, "handshake_latency": args.latency * args.handshake_rtts}
    with (
        tempfile.TemporaryDirectory() as tmp,
        FakePagerDuty(
            PAGERDUTY_TEST_TOKEN, tls=tls_context(ca, "127.0.0.1"), **delays
        ) as pagerduty,
        FakeGitHub(GITHUB_TEST_TOKEN, tls=tls_context(ca, "127.0.0.1"), **delays) as github,
        FakeSlack(SLACK_TEST_TOKEN, tls=tls_context(ca, "127.0.0.1"), **delays) as slack,
    ):
        ca_path = str(Path(tmp) / "ca.pem")
        ca.cert_pem.write_to_path(ca_path)
        populate(pagerduty, github, slack, args)
        config = config_for(pagerduty, github, slack, ca_path, args.exact_permalinks)
        request = FilePull(specs=[], config=config)
        environ = {
            "PAGERDUTY_API_TOKEN": PAGERDUTY_TEST_TOKEN,
            "GITHUB_TOKEN": GITHUB_TEST_TOKEN,
            "SLACK_BOT_TOKEN": SLACK_TEST_TOKEN,
        }
        fakes = {"pagerduty": pagerduty, "github": github, "slack": slack}
        alone: dict[str, dict[str, float]] = {}
        for fake in fakes.values():
            fake.reset_log()
        with Clients(config, environ=environ) as clients:
            incident = pagerduty_api.fetch_incident(clients.pagerduty, "PBENCH1", severity_map={})
            window, _ = live_window(incident, request, config)
            pulls = {
                "pagerduty": lambda: pagerduty_api.pull_pagerduty(
                    clients.pagerduty, incident, window, Progress()
                ),
                "github": lambda: github_api.pull_github(
                    clients.github, config.github, window, Progress()
                ),
                "slack": lambda: slack_api.pull_slack(
                    clients.slack, config.slack, window, Progress(), incident=incident
                ),
                BASELINE: lambda: slack_api.pull_slack(
                    OneConnectionPerCall(clients.slack),
                    config.slack,
                    window,
                    Progress(),
                    incident=incident,
                ),
            }
            for name, pull in pulls.items():
                fake = fakes[name.split(",")[0]]
                if name != "pagerduty":  # PagerDuty's figures include the incident's fetch
                    fake.reset_log()
                began = time.perf_counter()
                rows = sum(len(frame) for frame in pull())
                alone[name] = {
                    "seconds": time.perf_counter() - began,
                    "rows": rows,
                    "requests": len(fake.requests),
                    "connections": fake.handshakes,
                }
        for fake in fakes.values():
            fake.reset_log()
        began = time.perf_counter()
        bundle = pull_live("PBENCH1", request, environ=environ)  # its own clients, as run
        whole = time.perf_counter() - began
        requests = {name: len(fake.requests) for name, fake in fakes.items()}
        handshakes = {name: fake.handshakes for name, fake in fakes.items()}

    threads = args.threads
    parents = args.messages - threads * max(1, (args.messages // 10) // max(threads, 1))
    minimum = {
        # incident, log entry pages, alerts, notes
        "pagerduty": 1 + math.ceil(args.log_entries / 100) + 1 + 1,
        # deployments page, one statuses call per deployment, commit pages, pulls, releases
        "github": 1 + 4 + math.ceil(args.commits / 100) + 1 + 1,
        # auth.test (the workspace URL for permalinks), channel lookup, pins, history pages,
        # one history page back for threads started before the window, one replies call per
        # thread, one users.info per person
        "slack": 1 + 1 + 1 + math.ceil(parents / 999) + 1 + threads + USERS,
    }
    minimum[BASELINE] = minimum["slack"]
    key_slack = int((bundle.frame["key"] & (bundle.frame["source"] == "slack")).sum())
    whole_minimum = dict(minimum)
    if args.exact_permalinks:
        whole_minimum["slack"] += key_slack  # one chat.getPermalink per key chat row
    print(
        f"latency per response: {args.latency * 1000:.0f} ms, per new connection: "
        f"{delays['handshake_latency'] * 1000:.0f} ms; {args.messages} chat messages "
        f"({threads} threads), {args.log_entries} log entries, {args.commits} commits; "
        f"{os.cpu_count()} cores"
    )
    print("each source pulled alone (one client per source, as a run builds them):")
    print(f"  {'source':<40} {'requests':>8} {'minimum':>8} {'TLS conns':>9} {'rows':>6} {'s':>7}")
    for name, row in alone.items():
        print(
            f"  {name:<40} {row['requests']:>8} {minimum[name]:>8} {row['connections']:>9} "
            f"{row['rows']:>6} {row['seconds']:>7.2f}"
        )
    before, after = alone[BASELINE], alone["slack"]
    print(
        f"slack: {after['connections']} TLS handshake(s) instead of {before['connections']}, "
        f"{before['seconds'] / after['seconds']:.2f}x faster than one connection per call"
    )
    how = f"{key_slack} chat.getPermalink" if args.exact_permalinks else "no getPermalink"
    print(f"whole pull (pull_live, three sources at once; {how}, {key_slack} key chat rows):")
    for name in fakes:
        print(
            f"  {name:<10} {requests[name]:>5} requests (minimum {whole_minimum[name]}), "
            f"{handshakes[name]} TLS handshake(s)"
        )
    slowest = max(alone[name]["seconds"] for name in fakes)
    print(
        f"whole pull: {whole:.2f} s; slowest source alone: {slowest:.2f} s; "
        f"ratio {whole / slowest:.2f} (target <= 1.25)"
    )
    print(f"bundle: {len(bundle.frame)} events, {int(bundle.frame['key'].sum())} key rows")


if __name__ == "__main__":
    main()
