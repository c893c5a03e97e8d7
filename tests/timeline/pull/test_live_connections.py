"""Connections a live pull opens: the three official clients over HTTPS on loopback, each fake
counting the connections it accepted and the TLS handshakes it completed. A pull reuses one
connection per host per source, through pages, retries and calls from other threads, and opens
a new one when the server closes it."""

from __future__ import annotations

import pytest

from ingest.clients import RetryPolicy
from ingest.config import config_from_mapping
from tests.fakes import (
    GITHUB_TEST_TOKEN,
    PAGERDUTY_TEST_TOKEN,
    SLACK_TEST_TOKEN,
    TEST_TOKENS,
    FakeGitHub,
    FakePagerDuty,
    FakeSlack,
    tls_context,
)
from tests.fakes.scenario import REPO, serve_incident
from timeline.pull.files import FilePull
from timeline.pull.live import pull_live

TOKENS = TEST_TOKENS
QUICK = RetryPolicy(retries=2, backoff=0.0, max_wait=5)


@pytest.fixture
def fakes(test_ca):
    """The three fakes over HTTPS, each on its own port: one host each."""
    with (
        FakePagerDuty(PAGERDUTY_TEST_TOKEN, tls=tls_context(test_ca, "127.0.0.1")) as pagerduty,
        FakeGitHub(GITHUB_TEST_TOKEN, tls=tls_context(test_ca, "127.0.0.1")) as github,
        FakeSlack(SLACK_TEST_TOKEN, tls=tls_context(test_ca, "127.0.0.1")) as slack,
    ):
        yield {"pagerduty": pagerduty, "github": github, "slack": slack}


def config_for(fakes, ca_bundle_path, *, timeline=None, **slack):
    return config_from_mapping(
        {
            "timeline": timeline or {},
            "pagerduty": {"base_url": fakes["pagerduty"].origin, "ca_bundle": ca_bundle_path},
            "github": {
                "base_url": fakes["github"].base_url,
                "ca_bundle": ca_bundle_path,
                "repos": [REPO],
            },
            "slack": {
                "base_url": fakes["slack"].base_url,
                "ca_bundle": ca_bundle_path,
                "channel_template": "inc-{number}",
                **slack,
            },
        }
    )


def pull(fakes, ca_bundle_path, incident_id, **settings):
    request = FilePull(specs=[], config=config_for(fakes, ca_bundle_path, **settings))
    return pull_live(incident_id, request, environ=TOKENS, policy=QUICK)


def statuses(bundle) -> list[str]:
    return [source["status"] for source in bundle.summary.to_json()["sources"]]


def test_a_pull_of_several_pages_opens_one_connection_per_source(fakes, ca_bundle_path):
    incident = serve_incident(
        *fakes.values(), 7, log_entries=250, commits=250, messages=1100, threads=3
    )
    # A budget that holds every participant's first message: key chat rows to link exactly.
    timeline = {"max_rows": 1000}
    bundle = pull(fakes, ca_bundle_path, incident, timeline=timeline, exact_permalinks=True)

    assert statuses(bundle) == ["ok", "ok", "ok"]
    per_source = bundle.frame["source"].value_counts()
    assert per_source["pagerduty"] == 250 and per_source["slack"] == 1106
    assert per_source["github"] >= 250
    pagerduty, github, slack = fakes.values()
    assert len(pagerduty.requests_to("/log_entries")) == 3  # 100 a page
    assert len(github.requests_to("/commits")) == 3
    assert len(slack.requests_to("conversations.history")) >= 2  # 999 a page
    # chat.getPermalink runs after the workers, in the calling thread: same connection.
    assert slack.requests_to("chat.getPermalink")
    for name, fake in fakes.items():
        assert len(fake.requests) > 3, name
        assert (fake.connections, fake.handshakes) == (1, 1), name


def test_retries_after_429_and_5xx_keep_the_connection(fakes, ca_bundle_path):
    incident = serve_incident(*fakes.values(), 8)
    quiet = pull(fakes, ca_bundle_path, incident)
    for fake in fakes.values():
        fake.reset_log()
        fake.fail_next(1, 429, retry_after="0")
        fake.fail_next(1, 503, retry_after=None)

    bundle = pull(fakes, ca_bundle_path, incident)

    assert sorted(bundle.frame["ref"]) == sorted(quiet.frame["ref"])
    retries = bundle.summary.to_json()["retries"]
    for name, fake in fakes.items():
        assert retries[name]["count"] == 2, name
        assert [r.path for r in fake.requests[:3]].count(fake.requests[0].path) == 3, name
        assert (fake.connections, fake.handshakes) == (1, 1), name


def test_a_server_closing_connections_is_reconnected_to(fakes, ca_bundle_path):
    incident = serve_incident(*fakes.values(), 9, log_entries=250, commits=250, messages=20)
    quiet = pull(fakes, ca_bundle_path, incident)
    asked = {name: len(fake.requests) for name, fake in fakes.items()}
    for fake in fakes.values():
        fake.reset_log()
        fake.close_after = 2  # closes each connection after two answers, without saying so

    bundle = pull(fakes, ca_bundle_path, incident)

    assert sorted(bundle.frame["ref"]) == sorted(quiet.frame["ref"])
    assert statuses(bundle) == ["ok", "ok", "ok"]
    for name, fake in fakes.items():
        made = len(fake.requests)
        assert made >= asked[name], name  # a request sent on a closed connection is sent again
        assert fake.connections == fake.handshakes, name
        # a new connection after each two answers: never one per request, never just one
        assert -(-asked[name] // 2) <= fake.connections <= made, name
        assert fake.connections > 1, name
