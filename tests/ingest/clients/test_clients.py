"""The three official clients, built by ingest.clients, against the fake servers over real
HTTP(S) on loopback. Nothing here patches a client: retries, waits and pagination are the
libraries' own, as configured by the builders."""

from __future__ import annotations

import pickle
from datetime import UTC, datetime

import github
import pagerduty
import pytest
import requests
from slack_sdk.errors import SlackApiError

from ingest.clients import (
    RetryLog,
    RetryPolicy,
    Secret,
    github_client,
    pagerduty_client,
    slack_client,
)
from ingest.config import GitHubSettings, PagerDutySettings, SlackSettings
from ingest.errors import ConfigError, SourceError
from tests.fakes import GITHUB_TEST_TOKEN, PAGERDUTY_TEST_TOKEN, SLACK_TEST_TOKEN
from tests.fakes import github as gh
from tests.fakes import pagerduty as pd
from tests.fakes import slack as sl

FAST = RetryPolicy(retries=2, backoff=0.01, max_wait=5)
_OPENED: list = []


@pytest.fixture(autouse=True)
def _close_clients():
    """Close every pooled client a test built, so no connection outlives its test."""
    yield
    while _OPENED:
        _OPENED.pop().close()


# -- Secret ----------------------------------------------------------------------------------


def test_secret_is_masked_everywhere_it_could_be_printed():
    secret = Secret(SLACK_TEST_TOKEN)
    for text in (repr(secret), str(secret), f"{secret}", repr([secret]), repr({"t": secret})):
        assert SLACK_TEST_TOKEN not in text
        assert "****" in text
    with pytest.raises(TypeError):
        pickle.dumps(secret)


def test_secret_from_env_names_the_missing_variable():
    with pytest.raises(ConfigError, match="SLACK_BOT_TOKEN is not set"):
        Secret.from_env("SLACK_BOT_TOKEN", environ={})


def test_secret_from_env_carries_the_token_to_the_client(fake_slack):
    token = Secret.from_env("SLACK_BOT_TOKEN", environ={"SLACK_BOT_TOKEN": SLACK_TEST_TOKEN})
    client = slack_client(SlackSettings(base_url=fake_slack.base_url), token)
    _OPENED.append(client)
    assert client.call("auth.test")["bot_id"] == "B0BOT0001"
    assert SLACK_TEST_TOKEN not in repr(client)


def test_builders_refuse_a_bare_string_token(fake_slack):
    with pytest.raises(TypeError, match="Secret"):
        slack_client(SlackSettings(base_url=fake_slack.base_url), SLACK_TEST_TOKEN)  # type: ignore[arg-type]


def test_unreadable_ca_bundle_is_a_config_error(tmp_path):
    settings = PagerDutySettings(ca_bundle=str(tmp_path / "missing.pem"))
    with pytest.raises(ConfigError, match="pagerduty.ca_bundle"):
        pagerduty_client(settings, Secret(PAGERDUTY_TEST_TOKEN))


# -- PagerDuty (HTTPS with the test CA) ------------------------------------------------------


def _pd(fake, ca_bundle_path, *, policy=FAST, log=None, token=PAGERDUTY_TEST_TOKEN):
    settings = PagerDutySettings(base_url=fake.origin, ca_bundle=ca_bundle_path, timeout=7)
    client = pagerduty_client(settings, Secret(token), policy=policy, log=log)
    _OPENED.append(client)
    return client


def _pd_incident(fake, entries=7):
    fake.add_incident(
        pd.incident("PT4KHLK", 1234, created_at="2024-05-01T10:00:00Z"),
        log_entries=[
            pd.log_entry(f"Q{i:03d}", "PT4KHLK", created_at=f"2024-05-01T10:{i:02d}:00Z")
            for i in range(entries)
        ],
        notes=pd.notes_example(),
    )


def test_pagerduty_pages_log_entries_over_https(fake_pagerduty, ca_bundle_path):
    _pd_incident(fake_pagerduty, entries=7)
    client = _pd(fake_pagerduty, ca_bundle_path)
    entries = list(
        client.iter_all("/incidents/PT4KHLK/log_entries", params={"time_zone": "UTC"}, page_size=3)
    )
    assert [e["id"] for e in entries] == [f"Q{i:03d}" for i in range(7)]
    sent = fake_pagerduty.requests_to("/log_entries")
    assert [r.arg("offset") for r in sent] == ["0", "3", "6"]
    assert {r.arg("time_zone") for r in sent} == {"UTC"}
    assert all(r.headers["Authorization"] == f"Token token={PAGERDUTY_TEST_TOKEN}" for r in sent)
    assert not any(PAGERDUTY_TEST_TOKEN in r.target for r in fake_pagerduty.requests)
    assert client.timeout == 7


def test_pagerduty_incident_by_number_notes_and_unknown_id(fake_pagerduty, ca_bundle_path):
    _pd_incident(fake_pagerduty)
    client = _pd(fake_pagerduty, ca_bundle_path)
    assert client.rget("/incidents/1234")["id"] == "PT4KHLK"
    notes = client.rget("/incidents/PT4KHLK/notes")
    assert [n["created_at"] for n in notes] == [
        "2013-03-06T15:28:51-05:00",
        "2013-03-06T15:28:42-05:00",
    ]
    with pytest.raises(pagerduty.HttpError) as caught:
        client.rget("/incidents/PNOPE00")
    assert caught.value.response.status_code == 404
    assert caught.value.response.json()["error"]["code"] == 2100


def test_pagerduty_incident_list_filters(fake_pagerduty, ca_bundle_path):
    fake_pagerduty.add_incident(
        pd.incident("PA", 1, created_at="2024-05-01T10:00:00Z", status="resolved")
    )
    fake_pagerduty.add_incident(
        pd.incident("PB", 2, created_at="2024-05-02T10:00:00Z", status="triggered")
    )
    fake_pagerduty.add_incident(
        pd.incident(
            "PC", 3, created_at="2024-05-03T10:00:00Z", status="resolved", service_id="PSVC2"
        )
    )
    client = _pd(fake_pagerduty, ca_bundle_path)

    def ids(**params):
        return [i["id"] for i in client.iter_all("/incidents", params=params, page_size=1)]

    assert ids(statuses=["resolved"], date_range="all") == ["PA", "PC"]
    assert ids(service_ids=["PSVC2"], date_range="all") == ["PC"]
    assert ids(since="2024-05-01T12:00:00Z", until="2024-05-03T00:00:00Z") == ["PB"]
    assert fake_pagerduty.requests[-1].args("statuses[]") == []
    assert fake_pagerduty.requests_to("/incidents")[0].args("statuses[]") == ["resolved"]


def test_pagerduty_429_waits_for_retry_after_then_succeeds(fake_pagerduty, ca_bundle_path):
    _pd_incident(fake_pagerduty)
    log = RetryLog()
    client = _pd(fake_pagerduty, ca_bundle_path, log=log)
    fake_pagerduty.fail_next(1, 429, retry_after="1")
    assert client.rget("/incidents/PT4KHLK")["incident_number"] == 1234
    assert len(fake_pagerduty.requests) == 2
    assert log.of("pagerduty") == [1.0]
    assert log.total >= 1


def test_pagerduty_429_honours_ratelimit_reset_when_no_retry_after(fake_pagerduty, ca_bundle_path):
    _pd_incident(fake_pagerduty)
    log = RetryLog()
    client = _pd(fake_pagerduty, ca_bundle_path, log=log)
    fake_pagerduty.fail_next(1, 429, retry_after=None, headers={"ratelimit-reset": "1"})
    client.rget("/incidents/PT4KHLK")
    assert len(fake_pagerduty.requests) == 2
    assert log.of("pagerduty")[0] >= 1


def test_pagerduty_persistent_429_is_bounded_and_names_no_token(fake_pagerduty, ca_bundle_path):
    _pd_incident(fake_pagerduty)
    client = _pd(fake_pagerduty, ca_bundle_path)
    fake_pagerduty.fail_next(50, 429, retry_after="0")
    with pytest.raises(SourceError, match="rate limited") as caught:
        client.rget("/incidents/PT4KHLK")
    assert len(fake_pagerduty.requests) == FAST.retries + 1
    assert caught.value.status == 429
    assert PAGERDUTY_TEST_TOKEN not in str(caught.value)


def test_pagerduty_wait_longer_than_max_wait_is_not_slept(fake_pagerduty, ca_bundle_path):
    _pd_incident(fake_pagerduty)
    log = RetryLog()
    client = _pd(fake_pagerduty, ca_bundle_path, log=log)
    fake_pagerduty.fail_next(1, 429, retry_after="3600")
    with pytest.raises(SourceError, match="asks to wait 3600 s, over the 5 s limit"):
        client.rget("/incidents/PT4KHLK")
    assert len(fake_pagerduty.requests) == 1
    assert log.waits == []


def test_pagerduty_5xx_is_retried_a_bounded_number_of_times(fake_pagerduty, ca_bundle_path):
    _pd_incident(fake_pagerduty)
    log = RetryLog()
    client = _pd(fake_pagerduty, ca_bundle_path, log=log)
    fake_pagerduty.fail_next(1, 502, retry_after=None)
    assert client.rget("/incidents/PT4KHLK")["id"] == "PT4KHLK"
    assert len(fake_pagerduty.requests) == 2

    fake_pagerduty.reset_log()
    fake_pagerduty.fail_next(50, 503, retry_after=None)
    with pytest.raises(pagerduty.ServerHttpError) as caught:
        client.rget("/incidents/PT4KHLK")
    assert caught.value.response.status_code == 503
    assert len(fake_pagerduty.requests) == FAST.retries + 1
    assert log.of("pagerduty") == [0.01, 0.01, 0.02]  # one wait for the 502, two for the 503s


def test_pagerduty_bad_token_is_401_and_not_retried(fake_pagerduty, ca_bundle_path):
    _pd_incident(fake_pagerduty)
    wrong = "u+WRONGtokenABCDEFGH9999"
    client = _pd(fake_pagerduty, ca_bundle_path, token=wrong)
    with pytest.raises(pagerduty.HttpError) as caught:
        client.rget("/incidents/PT4KHLK")
    assert caught.value.response.status_code == 401
    assert len(fake_pagerduty.requests) == 1
    assert wrong not in str(caught.value) and wrong not in repr(caught.value)


def test_pagerduty_refuses_plain_http_base_url():
    with pytest.raises(ConfigError, match="must start with https://"):
        pagerduty_client(PagerDutySettings(base_url="http://127.0.0.1:9"), Secret("x"))


def test_pagerduty_without_the_ca_bundle_does_not_trust_the_fake(fake_pagerduty):
    client = pagerduty_client(
        PagerDutySettings(base_url=fake_pagerduty.origin, timeout=5),
        Secret(PAGERDUTY_TEST_TOKEN),
        policy=RetryPolicy(retries=1, backoff=0.01),
    )
    _OPENED.append(client)
    with pytest.raises(pagerduty.Error, match="network"):
        client.rget("/incidents/PT4KHLK")
    assert fake_pagerduty.requests == []


# -- GitHub (HTTP, /api/v3, Link pagination) -------------------------------------------------

REPO = "acme/checkout"


def _gh(fake, *, policy=FAST, log=None, token=GITHUB_TEST_TOKEN):
    client = github_client(
        GitHubSettings(base_url=fake.base_url), Secret(token), policy=policy, log=log
    )
    _OPENED.append(client)
    return client


def _gh_repo(fake, commits=250):
    repo = fake.repo(REPO)
    repo.commits += [
        gh.commit(REPO, f"{i:040x}", committed_at=f"2024-05-01T{i // 60:02d}:{i % 60:02d}:00Z")
        for i in range(commits)
    ]
    repo.deployments.append(
        gh.deployment(REPO, 42, sha="a" * 40, created_at="2024-05-01T10:00:00Z")
    )
    repo.statuses[42] = [
        gh.deployment_status(REPO, 42, 1, state="in_progress", created_at="2024-05-01T10:00:05Z"),
        gh.deployment_status(REPO, 42, 2, state="success", created_at="2024-05-01T10:03:00Z"),
    ]
    repo.pulls += [
        gh.pull(REPO, 7, merged_at="2024-05-01T09:50:00Z"),
        gh.pull(REPO, 8, merged_at=None, state="open"),
    ]
    repo.releases.append(gh.release(REPO, 3, tag="v2.4.1", published_at="2024-05-01T10:05:00Z"))
    return repo


def test_github_follows_link_pages_on_the_servers_own_host(fake_github):
    _gh_repo(fake_github, commits=250)
    client = _gh(fake_github)
    commits = list(client.get_repo(REPO).get_commits())
    assert len(commits) == 250
    pages = fake_github.requests_to("/commits")
    assert [r.arg("page", "1") for r in pages] == ["1", "2", "3"]
    assert {r.arg("per_page") for r in pages} == {"100"}
    assert all(
        r.headers["Authorization"] == f"token {GITHUB_TEST_TOKEN}" for r in fake_github.requests
    )
    assert not any(GITHUB_TEST_TOKEN in r.target for r in fake_github.requests)


def test_github_commits_window_and_other_listings(fake_github):
    _gh_repo(fake_github, commits=180)
    repo = _gh(fake_github).get_repo(REPO)
    since = datetime(2024, 5, 1, 1, 0, tzinfo=UTC)
    until = datetime(2024, 5, 1, 1, 59, tzinfo=UTC)
    window = list(repo.get_commits(since=since, until=until))
    assert len(window) == 60
    assert all(since <= c.commit.committer.date <= until for c in window)
    [deployment] = list(repo.get_deployments())
    assert [s.state for s in deployment.get_statuses()] == ["in_progress", "success"]
    assert [p.number for p in repo.get_pulls(state="closed")] == [7]
    assert [r.tag_name for r in repo.get_releases()] == ["v2.4.1"]


def test_github_429_waits_for_retry_after(fake_github):
    _gh_repo(fake_github, commits=3)
    log = RetryLog()
    repo = _gh(fake_github, log=log).get_repo(REPO)
    fake_github.fail_next(1, 429, path="/commits", retry_after="1")
    assert len(list(repo.get_commits())) == 3
    assert len(fake_github.requests_to("/commits")) == 2
    assert log.of("github") == [1.0]


def test_github_403_with_retry_after_is_retried(fake_github):
    _gh_repo(fake_github, commits=3)
    log = RetryLog()
    repo = _gh(fake_github, log=log).get_repo(REPO)
    fake_github.fail_next(1, 403, path="/releases", retry_after="1")
    assert [r.tag_name for r in repo.get_releases()] == ["v2.4.1"]
    assert len(fake_github.requests_to("/releases")) == 2
    assert log.of("github")[0] >= 1


def test_github_5xx_is_retried_a_bounded_number_of_times(fake_github):
    _gh_repo(fake_github, commits=3)
    repo = _gh(fake_github).get_repo(REPO)
    fake_github.fail_next(1, 502, path="/commits", retry_after=None)
    assert len(list(repo.get_commits())) == 3
    assert len(fake_github.requests_to("/commits")) == 2

    fake_github.reset_log()
    fake_github.fail_next(50, 500, path="/commits", retry_after=None)
    with pytest.raises(requests.exceptions.RetryError):
        list(repo.get_commits())
    assert len(fake_github.requests_to("/commits")) == FAST.retries + 1


def test_github_bad_token_and_unknown_repo(fake_github):
    _gh_repo(fake_github, commits=1)
    wrong = "ghp_WRONGtoken999999999999999999999999"
    # The client is lazy: addressing a repository sends nothing; its first listing does.
    repo = _gh(fake_github, token=wrong).get_repo(REPO)
    assert fake_github.requests == []
    with pytest.raises(github.BadCredentialsException) as caught:
        repo.get_commits().get_page(0)
    assert caught.value.status == 401
    assert len(fake_github.requests) == 1
    assert wrong not in str(caught.value)
    with pytest.raises(github.UnknownObjectException):
        _gh(fake_github).get_repo("acme/nope").get_commits().get_page(0)


# -- Slack (query strings, cursor pagination, ok:false errors) -----------------------------


def _slack(fake, *, policy=FAST, log=None, token=SLACK_TEST_TOKEN):
    client = slack_client(
        SlackSettings(base_url=fake.base_url), Secret(token), policy=policy, log=log
    )
    _OPENED.append(client)
    return client


def _slack_channel(fake, messages=5):
    channel = fake.add_channel("C0INC0001", "inc-checkout")
    channel.messages += [
        sl.message(f"17145576{i:02d}.00010{i}", f"message {i}") for i in range(messages)
    ]
    parent = channel.messages[0]["ts"]
    channel.replies[parent] = [
        sl.reply(f"17145577{i:02d}.000200", f"reply {i}", parent_ts=parent) for i in range(3)
    ]
    channel.pinned.append(parent)
    return channel


def test_slack_history_follows_next_cursor_in_query_strings(fake_slack):
    _slack_channel(fake_slack, messages=5)
    client = _slack(fake_slack)
    seen, cursor = [], ""
    while True:
        more = {"cursor": cursor} if cursor else {}
        page = client.call("conversations.history", channel="C0INC0001", limit=2, **more)
        seen += [m["ts"] for m in page["messages"]]
        cursor = page["response_metadata"]["next_cursor"]
        if not cursor:
            break
    assert seen == sorted(seen, reverse=True) and len(seen) == 5
    sent = fake_slack.requests_to("conversations.history")
    assert [r.method for r in sent] == ["GET"] * 3
    assert [bool(r.query.get("cursor")) for r in sent] == [False, True, True]
    assert all(r.query["channel"] == ["C0INC0001"] and r.query["limit"] == ["2"] for r in sent)
    assert all(r.headers["Authorization"] == f"Bearer {SLACK_TEST_TOKEN}" for r in sent)
    assert not any(SLACK_TEST_TOKEN in r.target or "token" in r.form for r in fake_slack.requests)


def test_slack_history_window_is_exclusive_unless_inclusive(fake_slack):
    _slack_channel(fake_slack, messages=5)
    client = _slack(fake_slack)
    oldest, latest = "1714557601.000101", "1714557603.000103"
    span = {"channel": "C0INC0001", "oldest": oldest, "latest": latest}
    exclusive = client.call("conversations.history", **span)
    inclusive = client.call("conversations.history", **span, inclusive=True)
    assert [m["ts"] for m in exclusive["messages"]] == ["1714557602.000102"]
    assert len(inclusive["messages"]) == 3
    assert fake_slack.requests[-1].arg("inclusive") == "1"


def test_slack_replies_users_permalink_pins_reactions(fake_slack):
    _slack_channel(fake_slack)
    fake_slack.add_user("U061F7AUR", "jdoe", "Jo Doe")
    fake_slack.add_user("U0SECOND1", "asmith", "Al Smith")
    client = _slack(fake_slack)
    parent = "1714557600.000100"
    thread = client.call("conversations.replies", channel="C0INC0001", ts=parent)["messages"]
    assert [m["text"] for m in thread] == ["message 0", "reply 0", "reply 1", "reply 2"]
    assert {m["thread_ts"] for m in thread[1:]} == {parent}
    first = client.call("users.list", limit=1)
    cursor = first["response_metadata"]["next_cursor"]
    second = client.call("users.list", limit=1, cursor=cursor)
    assert [m["id"] for m in first["members"] + second["members"]] == ["U061F7AUR", "U0SECOND1"]
    answer = client.call("users.info", user="U0SECOND1")
    assert answer["user"]["profile"]["real_name"] == "Al Smith"
    link = client.call("chat.getPermalink", channel="C0INC0001", message_ts=parent)["permalink"]
    assert link.endswith("/archives/C0INC0001/p1714557600000100")
    [pin] = client.call("pins.list", channel="C0INC0001")["items"]
    assert pin["message"]["ts"] == parent
    reactions = client.call("reactions.get", channel="C0INC0001", timestamp=parent)
    assert reactions["message"]["text"] == "message 0"
    info = client.call("conversations.info", channel="C0INC0001")
    assert info["channel"]["name"] == "inc-checkout"
    assert [c["id"] for c in client.call("conversations.list")["channels"]] == ["C0INC0001"]


def test_slack_429_waits_for_retry_after(fake_slack):
    _slack_channel(fake_slack)
    log = RetryLog()
    client = _slack(fake_slack, log=log)
    fake_slack.fail_next(1, 429, retry_after="1")
    assert client.call("conversations.info", channel="C0INC0001")["ok"]
    assert len(fake_slack.requests) == 2
    assert log.of("slack") == [1.0]


def test_slack_persistent_429_is_bounded(fake_slack):
    _slack_channel(fake_slack)
    client = _slack(fake_slack)
    fake_slack.fail_next(50, 429, retry_after="0")
    with pytest.raises(SlackApiError) as caught:
        client.call("conversations.info", channel="C0INC0001")
    assert caught.value.response.status_code == 429
    assert caught.value.response["error"] == "ratelimited"
    assert len(fake_slack.requests) == FAST.retries + 1


def test_slack_5xx_is_retried_a_bounded_number_of_times(fake_slack):
    _slack_channel(fake_slack)
    log = RetryLog()
    client = _slack(fake_slack, log=log)
    fake_slack.fail_next(1, 502, retry_after=None)
    assert client.call("conversations.info", channel="C0INC0001")["ok"]
    assert len(fake_slack.requests) == 2

    fake_slack.reset_log()
    fake_slack.fail_next(50, 503, retry_after=None)
    with pytest.raises(SlackApiError) as caught:
        client.call("conversations.info", channel="C0INC0001")
    assert caught.value.response.status_code == 503
    assert len(fake_slack.requests) == FAST.retries + 1
    assert log.of("slack") == [0.01, 0.01, 0.02]


def test_slack_errors_arrive_as_ok_false(fake_slack):
    _slack_channel(fake_slack)
    fake_slack.add_channel("C0PRIVATE", "secret-room", member=False)
    wrong = "xoxb-9999-8888-WRONGtoken0000000"
    with pytest.raises(SlackApiError) as caught:
        _slack(fake_slack, token=wrong).call("auth.test")
    assert caught.value.response.status_code == 200
    assert caught.value.response["error"] == "invalid_auth"
    assert wrong not in str(caught.value)

    client = _slack(fake_slack)
    for channel, error in (("C0NOWHERE", "channel_not_found"), ("C0PRIVATE", "not_in_channel")):
        with pytest.raises(SlackApiError) as caught:
            client.call("conversations.history", channel=channel)
        assert caught.value.response["error"] == error

    fake_slack.scopes.discard("pins:read")
    with pytest.raises(SlackApiError) as caught:
        client.call("pins.list", channel="C0INC0001")
    assert caught.value.response["error"] == "missing_scope"
    assert caught.value.response["needed"] == "pins:read"
