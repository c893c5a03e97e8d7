"""The export's use of the APIs: one set of clients for the whole run (one TLS handshake per
worker, however many incidents), and each incident read from the list, never fetched again."""

from __future__ import annotations

import re

import pandas as pd
from msgspec.structs import replace

from ingest.clients import RetryPolicy
from ingest.config import config_from_mapping
from tests.fakes import (
    GITHUB_TEST_TOKEN,
    PAGERDUTY_TEST_TOKEN,
    SLACK_TEST_TOKEN,
    FakeGitHub,
    FakePagerDuty,
    FakeSlack,
    tls_context,
)
from tests.fakes.scenario import REPO, serve_incident
from tests.timeline.export.test_export import (
    ENVIRON,
    SINCE,
    UNTIL,
    ExportRequest,
    add,
    export_incidents,
    render,
    request,
)


def test_incidents_come_from_the_list_and_are_never_fetched_again(
    fake_pagerduty, ca_bundle_path, tmp_path
):
    ids = [add(fake_pagerduty, n, day=10 + n) for n in (1, 2, 3, 4)]
    req = request(fake_pagerduty, ca_bundle_path, tmp_path / "out", concurrency=1)
    report = export_incidents(req, render=render, environ=ENVIRON)
    assert [o.status for o in report.outcomes] == ["exported"] * 4
    single = [r.path for r in fake_pagerduty.requests if re.fullmatch(r"/incidents/[^/]+", r.path)]
    assert single == []
    for incident_id in ids:
        assert len(fake_pagerduty.requests_to(f"/incidents/{incident_id}/log_entries")) == 1


def test_one_set_of_clients_serves_every_incident_of_the_run(
    fake_pagerduty, ca_bundle_path, tmp_path
):
    for n in range(1, 7):
        add(fake_pagerduty, n, day=10 + n % 5)
    req = request(fake_pagerduty, ca_bundle_path, tmp_path / "out", concurrency=1)
    report = export_incidents(req, render=render, environ=ENVIRON)
    assert report.count("exported") == 6
    # The list and six pulls (log entries, alerts, notes each), one after another from the
    # lister's thread and each pull's worker, over one kept connection.
    assert len(fake_pagerduty.requests) == 2 + 6 * 3
    assert fake_pagerduty.connections == 1


def test_a_shortened_retry_policy_reaches_every_incident_of_the_run(
    fake_pagerduty, ca_bundle_path, tmp_path
):
    add(fake_pagerduty, 1, day=11)
    fake_pagerduty.fail_next(1, 429, path="/log_entries", retry_after="30")
    slept: list[float] = []
    req = request(fake_pagerduty, ca_bundle_path, tmp_path / "out")
    policy = RetryPolicy(retries=2, backoff=0.0, max_wait=60, sleep=slept.append)
    report = export_incidents(req, render=render, environ=ENVIRON, policy=policy)
    assert report.count("exported") == 1
    assert slept == [30.0]  # asked for, recorded, and not slept for real


def test_an_export_reuses_one_connection_per_host_per_worker(test_ca, ca_bundle_path, tmp_path):
    """Three sources over HTTPS, four incidents: each host sees one TLS handshake per worker,
    however many incidents and requests the run makes."""
    with (
        FakePagerDuty(PAGERDUTY_TEST_TOKEN, tls=tls_context(test_ca, "127.0.0.1")) as pagerduty,
        FakeGitHub(GITHUB_TEST_TOKEN, tls=tls_context(test_ca, "127.0.0.1")) as github,
        FakeSlack(SLACK_TEST_TOKEN, tls=tls_context(test_ca, "127.0.0.1")) as slack,
    ):
        fakes = {"pagerduty": pagerduty, "github": github, "slack": slack}
        for n in (1, 2, 3, 4):
            serve_incident(pagerduty, github, slack, n, day=10 + n)
        config = config_from_mapping(
            {
                "pagerduty": {"base_url": pagerduty.origin, "ca_bundle": ca_bundle_path},
                "github": {"base_url": github.base_url, "ca_bundle": ca_bundle_path},
                "slack": {
                    "base_url": slack.base_url,
                    "ca_bundle": ca_bundle_path,
                    "channel_template": "inc-{number}",
                },
            }
        )
        config = replace(config, github=replace(config.github, repos=(REPO,)))
        environ = {
            "PAGERDUTY_API_TOKEN": PAGERDUTY_TEST_TOKEN,
            "GITHUB_TOKEN": GITHUB_TEST_TOKEN,
            "SLACK_BOT_TOKEN": SLACK_TEST_TOKEN,
        }
        for workers in (1, 2):
            for fake in fakes.values():
                fake.reset_log()
            req = ExportRequest(
                out_dir=tmp_path / f"out-{workers}",
                since=pd.Timestamp(SINCE),
                until=pd.Timestamp(UNTIL),
                config=config,
                concurrency=workers,
            )
            report = export_incidents(req, render=render, environ=environ)
            assert report.count("exported") == 4
            read = {r.arg("channel") for r in slack.requests_to("conversations.history")}
            assert read == {f"C0INC{n:05d}" for n in (1, 2, 3, 4)}
            for name, fake in fakes.items():
                assert len(fake.requests) >= 8, name
                assert fake.handshakes == fake.connections, name
                assert 1 <= fake.connections <= workers, (name, workers)
