"""The live PagerDuty connector: the real client (built by ingest.clients) over HTTPS on
loopback against the fake PagerDuty API. Nothing here patches the client."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import pandas as pd
import pytest

from ingest.clients import RetryLog, RetryPolicy, Secret, pagerduty_client
from ingest.config import PagerDutySettings
from ingest.errors import SourceError, TimeError, UsageError
from ingest.pagerduty.live import fetch_incident, list_incidents, pull_pagerduty
from ingest.progress import Progress
from ingest.schema import concat, validate
from ingest.types import Window
from tests.conftest import PAGERDUTY_TEST_TOKEN
from tests.fakes import pagerduty as pd_fake

FAST = RetryPolicy(retries=2, backoff=0.01, max_wait=5)
INCIDENT = "PT4KHLK"
WINDOW = Window(pd.Timestamp("2024-05-01T08:00:00Z"), pd.Timestamp("2024-05-01T18:00:00Z"))
WRONG_TOKEN = "u+pdWrongToken9876543210"
_OPENED: list = []


@pytest.fixture(autouse=True)
def _close_clients():
    yield
    while _OPENED:
        _OPENED.pop().close()


def client_for(fake, ca_bundle_path, *, token=PAGERDUTY_TEST_TOKEN, log=None, ca=True):
    settings = PagerDutySettings(
        base_url=fake.origin, ca_bundle=ca_bundle_path if ca else "", timeout=5
    )
    client = pagerduty_client(settings, Secret(token), policy=FAST, log=log)
    _OPENED.append(client)
    return client


def entry(number: int, *, type: str = "trigger_log_entry", at: str | None = None) -> dict:
    minute = number % 600
    created = at or f"2024-05-01T{10 + minute // 60:02d}:{minute % 60:02d}:00Z"
    return pd_fake.log_entry(f"Q{number:04d}", INCIDENT, created_at=created, type=type)


def add_incident(fake, *, log_entries=(), alerts=(), notes=()) -> None:
    fake.add_incident(
        pd_fake.incident(INCIDENT, 1234, created_at="2024-05-01T10:00:00Z"),
        log_entries=list(log_entries),
        alerts=list(alerts),
        notes=list(notes),
    )


def pull(client, *, window=WINDOW, progress=None) -> tuple[list[pd.DataFrame], Progress]:
    progress = progress or Progress()
    incident = fetch_incident(client, INCIDENT, severity_map={}, progress=progress)
    frames = list(pull_pagerduty(client, incident, window, progress))
    for frame in frames:
        validate(frame)
    return frames, progress


# -- the incident -----------------------------------------------------------------------------


def test_fetch_incident_by_id_or_number_with_includes(fake_pagerduty, ca_bundle_path):
    add_incident(fake_pagerduty)
    client = client_for(fake_pagerduty, ca_bundle_path)
    by_number = fetch_incident(client, "1234", severity_map={"P2": "SEV-2"})
    by_id = fetch_incident(client, INCIDENT, severity_map={})
    assert by_number.id == by_id.id == INCIDENT
    assert by_number.number == 1234
    assert by_number.severity == "SEV-2"
    assert by_id.severity == "P2"
    assert by_id.created_at == pd.Timestamp("2024-05-01T10:00:00Z")
    assert by_id.service == "My Mail Service"
    sent = fake_pagerduty.requests_to("/incidents/")
    assert [r.path for r in sent] == ["/incidents/1234", f"/incidents/{INCIDENT}"]
    assert sent[0].args("include[]") == ["priorities", "services"]
    assert client.event_hooks["request"] == []  # the request counter was taken off again


def test_unknown_incident_names_it_and_the_base_url(fake_pagerduty, ca_bundle_path):
    client = client_for(fake_pagerduty, ca_bundle_path)
    with pytest.raises(SourceError) as caught:
        fetch_incident(client, "PNOPE00", severity_map={})
    assert str(caught.value) == (
        "pagerduty: incident PNOPE00 not found; check the ID or number "
        f"(PagerDuty base_url is {fake_pagerduty.origin})"
    )
    assert caught.value.status == 404
    assert caught.value.url == f"{fake_pagerduty.origin}/incidents/PNOPE00"


def test_an_incident_ref_that_is_a_path_is_refused_before_any_request(
    fake_pagerduty, ca_bundle_path
):
    client = client_for(fake_pagerduty, ca_bundle_path)
    with pytest.raises(UsageError, match="not a PagerDuty incident ID or number"):
        fetch_incident(client, "PT4KHLK/log_entries", severity_map={})
    assert fake_pagerduty.requests == []


def test_bad_token_says_token_or_region_and_never_shows_the_token(
    fake_pagerduty, ca_bundle_path, caplog
):
    add_incident(fake_pagerduty)
    client = client_for(fake_pagerduty, ca_bundle_path, token=WRONG_TOKEN)
    caplog.set_level(logging.DEBUG)
    with pytest.raises(SourceError) as caught:
        fetch_incident(client, INCIDENT, severity_map={})
    error = caught.value
    assert error.status == 401
    assert str(error).startswith("pagerduty: the API token was rejected (HTTP 401)")
    assert f"or the wrong region: base_url is {fake_pagerduty.origin}" in str(error)
    assert "PAGERDUTY_API_TOKEN" in str(error)
    everything = [str(error), repr(error), error.url, str(error.__cause__), caplog.text]
    for text in everything:
        assert WRONG_TOKEN not in text
        assert PAGERDUTY_TEST_TOKEN not in text


def test_bad_token_while_pulling_is_translated_too(fake_pagerduty, ca_bundle_path):
    add_incident(fake_pagerduty, log_entries=[entry(1)])
    good = client_for(fake_pagerduty, ca_bundle_path)
    incident = fetch_incident(good, INCIDENT, severity_map={})
    bad = client_for(fake_pagerduty, ca_bundle_path, token=WRONG_TOKEN)
    with pytest.raises(SourceError, match=r"HTTP 401") as caught:
        list(pull_pagerduty(bad, incident, WINDOW, Progress()))
    assert caught.value.url.endswith(f"/incidents/{INCIDENT}/log_entries")
    assert WRONG_TOKEN not in repr(caught.value)


def test_untrusted_certificate_is_said_as_a_tls_failure(fake_pagerduty, ca_bundle_path):
    client = client_for(fake_pagerduty, ca_bundle_path, ca=False)
    with pytest.raises(SourceError) as caught:
        fetch_incident(client, INCIDENT, severity_map={})
    message = str(caught.value)
    host = f"127.0.0.1:{fake_pagerduty.port}"
    assert message.startswith(f"pagerduty: TLS failure with {host} (certificate verify failed")
    assert "set pagerduty.ca_bundle" in message
    assert len(fake_pagerduty.requests) == 0  # never got as far as a request, never retried
    assert caught.value.status is None


# -- log entries, alerts, notes ---------------------------------------------------------------


def test_400_log_entries_come_in_four_pages_of_100(fake_pagerduty, ca_bundle_path):
    add_incident(fake_pagerduty, log_entries=[entry(i) for i in range(400)])
    client = client_for(fake_pagerduty, ca_bundle_path)
    frames, progress = pull(client)

    assert [len(f) for f in frames] == [100, 100, 100, 100]
    assert list(concat(frames)["ref"]) == [f"Q{i:04d}" for i in range(400)]
    sent = fake_pagerduty.requests_to("/log_entries")
    assert [(r.arg("offset"), r.arg("limit")) for r in sent] == [
        ("0", "100"),
        ("100", "100"),
        ("200", "100"),
        ("300", "100"),
    ]
    for request in sent:
        assert request.arg("time_zone") == "UTC"
        assert request.arg("is_overview") == "false"
    # incident, 4 log entry pages, alerts, notes: the fewest requests the API allows
    assert len(fake_pagerduty.requests) == 7
    state = progress.sources["pagerduty"]
    assert state.requests == 7
    assert state.events == 400
    assert state.pages == 6  # 4 log entry pages, the (empty) alert page and the notes


def test_one_429_and_one_5xx_on_the_way_are_recovered(fake_pagerduty, ca_bundle_path):
    add_incident(
        fake_pagerduty,
        log_entries=[entry(i) for i in range(250)],
        alerts=[pd_fake.alert("PALERT1", INCIDENT, created_at="2024-05-01T09:59:30Z")],
    )
    log = RetryLog()
    client = client_for(fake_pagerduty, ca_bundle_path, log=log)
    incident = fetch_incident(client, INCIDENT, severity_map={})
    fake_pagerduty.fail_next(1, 429, path="/log_entries", retry_after="0.05")
    fake_pagerduty.fail_next(1, 503, path="/alerts", retry_after=None)
    progress = Progress()
    frames = list(pull_pagerduty(client, incident, WINDOW, progress))

    frame = concat(frames)
    assert len(frame) == 251
    assert frame["ref"].is_unique
    assert [len(f) for f in frames] == [100, 100, 50, 1]
    # the wait asked for by Retry-After was the wait taken, then a short backoff for the 503
    assert log.waits == [("pagerduty", 429, 0.05), ("pagerduty", 503, 0.01)]
    assert len(fake_pagerduty.requests_to("/log_entries")) == 4  # 3 pages + the 429
    assert len(fake_pagerduty.requests_to("/alerts")) == 2  # 1 page + the 503
    assert progress.sources["pagerduty"].requests == 5  # a retried request counts once


def test_a_5xx_that_persists_is_a_server_error(fake_pagerduty, ca_bundle_path):
    add_incident(fake_pagerduty, log_entries=[entry(1)])
    client = client_for(fake_pagerduty, ca_bundle_path)
    incident = fetch_incident(client, INCIDENT, severity_map={})
    fake_pagerduty.fail_next(3, 502, path="/log_entries", retry_after=None)
    with pytest.raises(SourceError) as caught:
        list(pull_pagerduty(client, incident, WINDOW, Progress()))
    assert caught.value.status == 502
    assert "server error (HTTP 502)" in str(caught.value)
    assert "run again later" in str(caught.value)


def test_a_429_that_persists_is_rate_limited(fake_pagerduty, ca_bundle_path):
    add_incident(fake_pagerduty, log_entries=[entry(1)])
    client = client_for(fake_pagerduty, ca_bundle_path)
    incident = fetch_incident(client, INCIDENT, severity_map={})
    fake_pagerduty.fail_next(5, 429, path="/alerts", retry_after="0")
    with pytest.raises(SourceError, match=r"rate limited \(HTTP 429\)") as caught:
        list(pull_pagerduty(client, incident, WINDOW, Progress()))
    assert caught.value.status == 429


def test_odd_records_are_kept_with_their_kinds(fake_pagerduty, ca_bundle_path):
    odd_agent = entry(3, type="acknowledge_log_entry")
    odd_agent["agent"] = None
    annotate = entry(4, type="annotate_log_entry")
    annotate["channel"] = {"type": "note", "summary": "Rolled back the config push"}
    add_incident(
        fake_pagerduty,
        log_entries=[
            entry(1),
            entry(2, type="snazzy_new_log_entry"),
            odd_agent,
            annotate,
            entry(5, type="status_update_log_entry"),
            entry(6, type="resolve_log_entry"),
        ],
    )
    client = client_for(fake_pagerduty, ca_bundle_path)
    frame = concat(pull(client)[0])
    kinds = dict(zip(frame["ref"], frame["kind"].astype(str), strict=True))
    assert kinds == {
        "Q0001": "alert.triggered",
        "Q0002": "alert.other",
        "Q0003": "alert.acknowledged",
        "Q0004": "alert.annotated",
        "Q0005": "alert.status_update",
        "Q0006": "alert.resolved",
    }
    by_ref = frame.set_index("ref")
    assert by_ref.loc["Q0002", "subtype"] == "snazzy_new_log_entry"
    assert by_ref.loc["Q0002", "summary"].startswith("[snazzy_new_log_entry] ")
    assert by_ref.loc["Q0003", "actor"] == ""
    assert by_ref.loc["Q0004", "summary"].endswith(": Rolled back the config push")
    assert set(frame["channel"]) == {"My Mail Service"}


def test_mixed_offsets_become_one_utc_order_and_the_window_is_kept(fake_pagerduty, ca_bundle_path):
    add_incident(
        fake_pagerduty,
        log_entries=[
            entry(1, at="2024-05-01T10:00:00Z"),
            entry(2, at="2024-05-01T03:05:00-07:00"),  # 10:05Z
            entry(3, at="2024-05-01T12:10:00+02:00"),  # 10:10Z
            entry(4, at="2024-05-01T07:59:59Z"),  # before the window
            entry(5, at="2024-05-01T18:00:00.000001Z"),  # just after it
        ],
        notes=pd_fake.notes_example(),  # 2013, with -05:00 offsets: outside the window
    )
    client = client_for(fake_pagerduty, ca_bundle_path)
    frame = concat(pull(client)[0])
    assert list(frame["ref"]) == ["Q0001", "Q0002", "Q0003"]
    assert list(frame["ts"]) == [
        pd.Timestamp("2024-05-01T10:00:00Z"),
        pd.Timestamp("2024-05-01T10:05:00Z"),
        pd.Timestamp("2024-05-01T10:10:00Z"),
    ]

    wide = Window(pd.Timestamp("2013-03-06T00:00:00Z"), pd.Timestamp("2013-03-07T00:00:00Z"))
    fake_pagerduty.reset_log()
    notes = concat(pull(client, window=wide)[0])
    assert set(notes["kind"].astype(str)) == {"alert.annotated"}
    assert set(notes["ts"]) == {
        pd.Timestamp("2013-03-06T20:28:51Z"),
        pd.Timestamp("2013-03-06T20:28:42Z"),
    }
    notes_requests = fake_pagerduty.requests_to("/notes")
    assert len(notes_requests) == 1 and notes_requests[0].arg("limit") is None


def test_a_naive_time_from_the_api_is_a_source_error(fake_pagerduty, ca_bundle_path):
    add_incident(fake_pagerduty, log_entries=[entry(1, at="2024-05-01T10:00:00")])
    client = client_for(fake_pagerduty, ca_bundle_path)
    with pytest.raises(SourceError, match="has no time zone offset"):
        pull(client)


# -- incident list (scheduled export) --------------------------------------------------------


def test_list_incidents_sends_utc_offsets_filters_and_pages(fake_pagerduty, ca_bundle_path):
    for number in range(1, 161):
        day = 1 + number // 50
        fake_pagerduty.add_incident(
            pd_fake.incident(
                f"P{number:05d}",
                number,
                created_at=f"2024-05-{day:02d}T{number % 24:02d}:00:00Z",
                status="resolved" if number % 3 else "triggered",
            )
        )
    client = client_for(fake_pagerduty, ca_bundle_path)
    incidents = list(
        list_incidents(
            client,
            since=pd.Timestamp("2024-05-01T02:00:00+02:00"),
            until=datetime(2024, 6, 1, tzinfo=UTC),
            severity_map={"P2": "SEV-2"},
        )
    )
    assert len(incidents) == 107  # the resolved ones: all but every third
    assert all(i.severity == "SEV-2" for i in incidents)
    assert all(isinstance(i.created_at, pd.Timestamp) for i in incidents)
    counted = [r for r in fake_pagerduty.requests_to("/incidents") if _asks_total(r)]
    sent = [r for r in fake_pagerduty.requests_to("/incidents") if not _asks_total(r)]
    assert len(counted) == 1  # how many there are, to tell a cut-short list
    assert [r.arg("offset") for r in sent] == ["0", "100"]
    first = sent[0]
    assert first.arg("since") == "2024-05-01T00:00:00Z"
    assert first.arg("until") == "2024-06-01T00:00:00Z"
    assert first.arg("time_zone") == "UTC"
    assert first.arg("limit") == "100"
    assert first.args("statuses[]") == ["resolved"]
    assert first.args("include[]") == ["priorities", "services"]


def test_list_incidents_all_and_service_filter(fake_pagerduty, ca_bundle_path):
    fake_pagerduty.add_incident(pd_fake.incident("PA", 1, created_at="2020-01-01T00:00:00Z"))
    fake_pagerduty.add_incident(
        pd_fake.incident("PB", 2, created_at="2024-01-01T00:00:00Z", service_id="PSVC2")
    )
    client = client_for(fake_pagerduty, ca_bundle_path)
    every = list_incidents(client, since=None, until=None)
    assert [i.id for i in every] == ["PA", "PB"]
    assert fake_pagerduty.requests[-1].arg("date_range") == "all"
    only = list_incidents(client, since=None, until=None, service_ids=["PSVC2"])
    assert [i.id for i in only] == ["PB"]


def test_list_incidents_splits_a_long_range_into_six_month_slices(fake_pagerduty, ca_bundle_path):
    for number, created in enumerate(["2023-01-05T00:00:00Z", "2023-08-01T00:00:00Z"], 1):
        fake_pagerduty.add_incident(pd_fake.incident(f"P{number}", number, created_at=created))
    client = client_for(fake_pagerduty, ca_bundle_path)
    found = list_incidents(
        client,
        since=pd.Timestamp("2023-01-01T00:00:00Z"),
        until=pd.Timestamp("2024-01-01T00:00:00Z"),
    )
    assert [i.id for i in found] == ["P1", "P2"]
    sent = [r for r in fake_pagerduty.requests_to("/incidents") if not _asks_total(r)]
    ranges = [(r.arg("since"), r.arg("until")) for r in sent]
    assert ranges == [
        ("2023-01-01T00:00:00Z", "2023-06-30T00:00:00Z"),
        ("2023-06-30T00:00:00Z", "2023-12-27T00:00:00Z"),
        ("2023-12-27T00:00:00Z", "2024-01-01T00:00:00Z"),
    ]


def test_list_incidents_refuses_naive_or_one_sided_ranges(fake_pagerduty, ca_bundle_path):
    client = client_for(fake_pagerduty, ca_bundle_path)
    with pytest.raises(TimeError, match="since 2024-05-01T00:00:00 has no time zone"):
        list(
            list_incidents(
                client, since=datetime(2024, 5, 1), until=datetime(2024, 6, 1, tzinfo=UTC)
            )
        )
    with pytest.raises(UsageError, match="both since and until"):
        list(list_incidents(client, since=datetime(2024, 5, 1, tzinfo=UTC), until=None))
    with pytest.raises(UsageError, match="is not before"):
        until = datetime(2024, 5, 1, tzinfo=UTC)
        list(list_incidents(client, since=until, until=until))
    assert fake_pagerduty.requests == []


def test_a_note_and_its_annotate_log_entry_are_one_row(fake_pagerduty, ca_bundle_path):
    from tests.fakes import pagerduty as fakes

    inc = fakes.incident(
        "PNOTE01", 7, created_at="2026-10-14T14:00:00Z", resolved_at="2026-10-14T15:00:00Z"
    )
    trigger = fakes.log_entry("RT", "PNOTE01", created_at="2026-10-14T14:00:00Z")
    annotate = fakes.log_entry(
        "RA", "PNOTE01", created_at="2026-10-14T14:10:00Z", type="annotate_log_entry"
    )
    lonely = fakes.log_entry(
        "RB", "PNOTE01", created_at="2026-10-14T14:20:00Z", type="annotate_log_entry"
    )
    note = {
        "id": "PN1",
        "user": {"summary": "Ana"},
        "content": "Checking the pool settings",
        "created_at": "2026-10-14T14:10:01Z",
        "updated_at": "2026-10-14T14:10:01Z",
    }
    fake_pagerduty.add_incident(inc, log_entries=[trigger, annotate, lonely], notes=[note])
    client = pagerduty_client(
        PagerDutySettings(base_url=fake_pagerduty.origin, ca_bundle=ca_bundle_path),
        Secret(PAGERDUTY_TEST_TOKEN),
    )
    incident = fetch_incident(client, "PNOTE01", severity_map={})
    window = Window(pd.Timestamp("2026-10-14T13:00:00Z"), pd.Timestamp("2026-10-14T16:00:00Z"))
    frame = pd.concat(list(pull_pagerduty(client, incident, window, Progress())))
    annotated = frame[frame["kind"] == "alert.annotated"]
    assert sorted(annotated["ref"]) == ["PN1", "RB"]


def _asks_total(request) -> bool:
    return request.arg("total") == "true" and request.arg("limit") == "1"


# -- past the 10,000 offset limit ----------------------------------------------------------------

MANY = pd_fake.OFFSET_LIMIT + 50


def test_a_list_past_the_offset_limit_is_read_whole_by_halving_the_range(
    fake_pagerduty, ca_bundle_path
):
    start = pd.Timestamp("2026-09-01T00:00:00Z")
    for n in range(MANY):
        created = (start + pd.Timedelta(seconds=60 * n)).strftime("%Y-%m-%dT%H:%M:%SZ")
        fake_pagerduty.incidents.append(pd_fake.bare_incident(f"Q{n:06d}", n, created_at=created))
    client = client_for(fake_pagerduty, ca_bundle_path)
    found = list(
        list_incidents(client, since=start, until=start + pd.Timedelta(days=30), statuses=())
    )
    assert len(found) == MANY and len({i.id for i in found}) == MANY
    refused = [r for r in fake_pagerduty.requests if r.arg("offset") == "10000"]
    assert refused == []  # never asked past the limit


def test_a_list_that_cannot_be_read_whole_is_an_error_not_a_warning(fake_pagerduty, ca_bundle_path):
    # More than 10,000 incidents created in the same second: no range is small enough.
    for n in range(MANY):
        incident = pd_fake.bare_incident(f"Q{n:06d}", n, created_at="2026-09-01T00:00:00Z")
        fake_pagerduty.incidents.append(incident)
    client = client_for(fake_pagerduty, ca_bundle_path)
    since = pd.Timestamp("2026-09-01T00:00:00Z")
    # The client only warns when it stops at the offset limit; the tool makes that an error.
    with pytest.raises(SourceError) as caught, pytest.warns(UserWarning, match="10000"):
        list(list_incidents(client, since=since, until=since + pd.Timedelta(seconds=2)))
    assert str(caught.value).startswith(
        f"pagerduty: the incident list was cut short: 10000 of {MANY} incidents created "
        "2026-09-01T00:00:00Z to 2026-09-01T00:00:02Z came back"
    )
    assert "export a shorter range" in str(caught.value)
