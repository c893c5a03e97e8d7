"""The three clients on a network that misbehaves, over real HTTP(S) on loopback: a proxy
(from the environment or the settings), a server that accepts and never answers, a closed
port, a certificate nobody trusts; and the settings the three share."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import trustme

from ingest.clients import Clients, RetryLog, RetryPolicy, Secret, endpoint, slack_client
from ingest.config import Config, GitHubSettings, PagerDutySettings, SlackSettings
from ingest.errors import ConfigError, SourceError
from ingest.github.live import pull_github
from ingest.pagerduty.live import fetch_incident
from ingest.progress import Progress
from ingest.slack.live import resolve_channels
from ingest.types import Window
from tests.fakes import (
    GITHUB_TEST_TOKEN,
    PAGERDUTY_TEST_TOKEN,
    SLACK_TEST_TOKEN,
    TEST_TOKENS,
    FakeGitHub,
    FakeSlack,
    tls_context,
)
from tests.fakes import github as gh
from tests.fakes import pagerduty as pd_fake
from tests.fakes.network import ConnectProxy, SilentServer, closed_port

TOKENS = TEST_TOKENS
REPO = "acme/checkout"
WINDOW = Window(pd.Timestamp("2026-10-14T14:00:00Z"), pd.Timestamp("2026-10-14T16:00:00Z"))
QUICK = RetryPolicy(retries=2, backoff=0.0, max_wait=1)


def config(pagerduty: str, github: str, slack: str, ca: str, proxy: str = "") -> Config:
    """Settings for the three fakes; ``proxy`` is the PagerDuty and Slack proxy setting."""
    return Config(
        pagerduty=PagerDutySettings(base_url=pagerduty, ca_bundle=ca, proxy=proxy),
        github=GitHubSettings(base_url=github, ca_bundle=ca, repos=(REPO,)),
        slack=SlackSettings(base_url=slack, ca_bundle=ca, proxy=proxy),
    )


@pytest.fixture
def tls_fakes(fake_pagerduty, test_ca):
    """PagerDuty, GitHub and Slack fakes, all three over HTTPS with the test CA's certificate
    (a proxy tunnels HTTPS; it would see plain HTTP requests instead)."""
    fake_pagerduty.add_incident(pd_fake.incident("PNET001", 7, created_at="2026-10-14T15:00:00Z"))
    with (
        FakeGitHub(GITHUB_TEST_TOKEN, tls=tls_context(test_ca, "127.0.0.1")) as github,
        FakeSlack(SLACK_TEST_TOKEN, tls=tls_context(test_ca, "127.0.0.1")) as slack,
    ):
        github.repo(REPO).commits.append(
            gh.commit(REPO, "a" * 40, committed_at="2026-10-14T15:00:00Z")
        )
        slack.add_channel("C0NET0001", "inc-7")
        yield fake_pagerduty, github, slack


def use_all_three(clients: Clients) -> None:
    """One call through each client, as a pull makes them."""
    fetch_incident(clients.pagerduty, "PNET001", severity_map={})
    frames = list(pull_github(clients.github, clients.config.github, WINDOW, Progress()))
    assert sum(len(f) for f in frames) == 1
    assert resolve_channels(clients.slack, ["C0NET0001"]) == {"C0NET0001": ("C0NET0001", "inc-7")}


# -- proxies -----------------------------------------------------------------------------------


def test_https_proxy_from_the_environment_carries_all_three(tls_fakes, ca_bundle_path, monkeypatch):
    pagerduty, github, slack = tls_fakes
    with ConnectProxy() as proxy:
        # requests (under PyGithub) reads the process environment itself.
        monkeypatch.setenv("HTTPS_PROXY", proxy.url)
        monkeypatch.delenv("NO_PROXY", raising=False)
        settings = config(pagerduty.origin, github.base_url, slack.base_url, ca_bundle_path)
        with Clients(settings, environ={**TOKENS, "HTTPS_PROXY": proxy.url}) as clients:
            use_all_three(clients)
        assert sorted(set(proxy.tunnels)) == sorted(
            {f"127.0.0.1:{fake.port}" for fake in (pagerduty, github, slack)}
        )
    assert pagerduty.requests and github.requests and slack.requests


def test_no_proxy_sends_the_named_hosts_direct(tls_fakes, ca_bundle_path, monkeypatch):
    pagerduty, github, slack = tls_fakes
    with ConnectProxy() as proxy:
        env = {"HTTPS_PROXY": proxy.url, "NO_PROXY": "localhost,127.0.0.1"}
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        settings = config(pagerduty.origin, github.base_url, slack.base_url, ca_bundle_path)
        with Clients(settings, environ={**TOKENS, **env}) as clients:
            use_all_three(clients)
        assert proxy.tunnels == []


def test_a_proxy_setting_per_source(tls_fakes, ca_bundle_path, monkeypatch):
    pagerduty, github, slack = tls_fakes
    monkeypatch.delenv("HTTPS_PROXY", raising=False)
    with ConnectProxy() as proxy:
        settings = config(
            pagerduty.origin, github.base_url, slack.base_url, ca_bundle_path, proxy.url
        )
        with Clients(settings, environ=TOKENS) as clients:
            use_all_three(clients)
        # GitHub, with no proxy of its own and none in the environment, went direct.
        assert sorted(set(proxy.tunnels)) == sorted(
            {f"127.0.0.1:{pagerduty.port}", f"127.0.0.1:{slack.port}"}
        )
    with pytest.raises(ConfigError, match="github.proxy cannot be honoured.*HTTPS_PROXY"):
        _ = Clients(Config(github=GitHubSettings(proxy=proxy.url)), environ=TOKENS).github


def test_a_proxy_that_is_not_a_url_is_a_config_error():
    with pytest.raises(ConfigError, match=r"slack.proxy 'ftp://x' is not a proxy URL"):
        endpoint("slack", SlackSettings(proxy="ftp://x"))
    with pytest.raises(ConfigError, match=r"HTTPS_PROXY 'socks5://x:1' is not a proxy URL"):
        endpoint("slack", SlackSettings(), {"HTTPS_PROXY": "socks5://x:1"})


# -- timeouts, refusals, TLS failures -------------------------------------------------------------


def silent_config(origin: str, ca: str, timeout: float) -> Config:
    return Config(
        pagerduty=PagerDutySettings(base_url=origin, ca_bundle=ca, timeout=timeout),
        github=GitHubSettings(base_url=origin, ca_bundle=ca, timeout=timeout, repos=(REPO,)),
        slack=SlackSettings(base_url=origin + "/api/", ca_bundle=ca, timeout=timeout),
    )


def each_source(clients: Clients) -> dict[str, SourceError]:
    """The error each source's first call gives."""
    calls = {
        "pagerduty": lambda: fetch_incident(clients.pagerduty, "PNET001", severity_map={}),
        "github": lambda: list(
            pull_github(clients.github, clients.config.github, WINDOW, Progress())
        ),
        "slack": lambda: resolve_channels(clients.slack, ["C0NET0001"]),
    }
    errors = {}
    for source, call in calls.items():
        with pytest.raises(SourceError) as caught:
            call()
        errors[source] = caught.value
        error = caught.value
        for text in (str(error), repr(error), str(error.__cause__), repr(error.__cause__)):
            assert not any(token in text for token in TOKENS.values()), source
    return errors


def test_a_server_that_never_answers_is_a_read_timeout_after_three_attempts(
    test_ca, ca_bundle_path
):
    log = RetryLog()
    with SilentServer(tls=tls_context(test_ca, "127.0.0.1")) as silent:
        settings = silent_config(silent.origin, ca_bundle_path, timeout=1)
        with Clients(settings, environ=TOKENS, policy=QUICK, log=log) as clients:
            errors = each_source(clients)
        assert silent.accepted == 9  # three sources, three attempts each
    host = f"127.0.0.1:{silent.port}"
    for source, error in errors.items():
        assert str(error).startswith(
            f"{source}: read timeout: {host} accepted the connection but sent no answer within "
            "1 s (3 attempts (2 retries))"
        ), str(error)
        assert f"raise {source}.timeout" in str(error)
        assert log.of(source) == [0.0, 0.0]  # two retries, not three: the first try is not one


def test_a_handshake_that_never_comes_is_a_connect_timeout(test_ca, ca_bundle_path):
    with SilentServer(tls=tls_context(test_ca, "127.0.0.1"), handshake=False) as silent:
        settings = silent_config(silent.origin, ca_bundle_path, timeout=0.5)
        policy = RetryPolicy(retries=0, backoff=0.0)
        with Clients(settings, environ=TOKENS, policy=policy) as clients:
            error = each_source(clients)["pagerduty"]
    assert str(error).startswith(
        f"pagerduty: connect timeout: no connection to 127.0.0.1:{silent.port} within 0.5 s "
        "(1 attempt)"
    )


def test_a_closed_port_is_a_refused_connection(ca_bundle_path):
    port = closed_port()
    settings = silent_config(f"https://127.0.0.1:{port}", ca_bundle_path, timeout=2)
    log = RetryLog()
    with Clients(settings, environ=TOKENS, policy=QUICK, log=log) as clients:
        errors = each_source(clients)
    for source, error in errors.items():
        assert str(error).startswith(
            f"{source}: cannot connect to 127.0.0.1:{port} (connection refused; 3 attempts "
            f"(2 retries)); check {source}.base_url"
        ), str(error)
        assert len(log.of(source)) == 2


def test_a_certificate_from_another_ca_is_a_tls_failure_never_retried(tls_fakes, tmp_path):
    pagerduty, github, slack = tls_fakes
    stranger = tmp_path / "other-ca.pem"
    trustme.CA().cert_pem.write_to_path(str(stranger))
    settings = config(pagerduty.origin, github.base_url, slack.base_url, str(stranger))
    log = RetryLog()
    with Clients(settings, environ=TOKENS, policy=QUICK, log=log) as clients:
        errors = each_source(clients)
    for source, error in errors.items():
        host = {"pagerduty": pagerduty, "github": github, "slack": slack}[source].port
        assert str(error).startswith(
            f"{source}: TLS failure with 127.0.0.1:{host} (certificate verify failed"
        ), str(error)
        assert f"set {source}.ca_bundle" in str(error)
    assert [s for s, _, _ in log.waits if s != "github"] == []  # PagerDuty and Slack: no retry


# -- the settings the three share ---------------------------------------------------------------


def test_base_url_with_or_without_a_trailing_slash_and_a_home_relative_ca_bundle(
    fake_pagerduty, test_ca, monkeypatch, tmp_path
):
    monkeypatch.setenv("HOME", str(tmp_path))
    test_ca.cert_pem.write_to_path(str(tmp_path / "ca.pem"))
    fake_pagerduty.add_incident(pd_fake.incident("PNET001", 7, created_at="2026-10-14T15:00:00Z"))
    for base_url in (fake_pagerduty.origin, fake_pagerduty.origin + "/"):
        settings = Config(pagerduty=PagerDutySettings(base_url=base_url, ca_bundle="~/ca.pem"))
        with Clients(settings, environ=TOKENS) as clients:
            assert fetch_incident(clients.pagerduty, "7", severity_map={}).id == "PNET001"
    assert [r.path for r in fake_pagerduty.requests] == ["/incidents/7", "/incidents/7"]
    assert endpoint("slack", SlackSettings(base_url="https://slack.com/api")).base_url == (
        "https://slack.com/api"
    )


def test_plain_http_only_to_a_loopback_address():
    with pytest.raises(ConfigError, match="slack.base_url .* must start with https://"):
        endpoint("slack", SlackSettings(base_url="http://slack.example.com/api/"))
    assert endpoint("slack", SlackSettings(base_url="http://127.0.0.1:9/api/")).host == (
        "127.0.0.1:9"
    )
    with pytest.raises(ConfigError, match="pagerduty.base_url .* must start with https://"):
        endpoint("pagerduty", PagerDutySettings(base_url="http://127.0.0.1:9"), loopback_http=False)


def test_clients_are_built_once_on_first_use_shared_and_closed(fake_pagerduty, ca_bundle_path):
    for n in range(3):
        fake_pagerduty.add_incident(
            pd_fake.incident(f"PNET00{n}", n, created_at="2026-10-14T15:00:00Z")
        )
    settings = Config(
        pagerduty=PagerDutySettings(base_url=fake_pagerduty.origin, ca_bundle=ca_bundle_path)
    )
    # Only the PagerDuty token is set: a source never asked for needs none.
    with Clients(settings, environ={"PAGERDUTY_API_TOKEN": PAGERDUTY_TEST_TOKEN}) as clients:
        first = clients.pagerduty
        for n in range(3):
            fetch_incident(clients.pagerduty, f"PNET00{n}", severity_map={})
        assert clients.pagerduty is first
        assert clients.built() == ("pagerduty",)
    assert fake_pagerduty.connections == 1  # one TLS handshake for the three requests
    with pytest.raises(RuntimeError, match="closed"):
        _ = clients.pagerduty


def test_a_shortened_policy_sleeps_through_its_own_function(fake_slack):
    slept: list[float] = []
    policy = RetryPolicy(retries=3, backoff=0.25, sleep=slept.append)
    fake_slack.fail_next(2, 503, retry_after=None)
    fake_slack.fail_next(1, 429, retry_after="7")
    with slack_client(
        SlackSettings(base_url=fake_slack.base_url), Secret(SLACK_TEST_TOKEN), policy=policy
    ) as client:
        assert client.call("auth.test")["ok"]
    assert slept == [0.25, 0.5, 7.0]  # nothing slept for real


def test_an_unreadable_home_relative_ca_bundle_names_the_setting(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    with pytest.raises(ConfigError, match=r"github.ca_bundle '~/nope.pem' is not a readable"):
        endpoint("github", GitHubSettings(ca_bundle="~/nope.pem"))
    assert not Path(tmp_path / "nope.pem").exists()
