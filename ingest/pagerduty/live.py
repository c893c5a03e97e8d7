"""PagerDuty live: one incident, its log entries, alerts and notes, through ``RestApiV2Client``.

The client comes built from settings (``ingest.clients.pagerduty_client``): it retries 429s,
5xx and network errors itself. This module asks for the right pages, turns each page into an
event frame with the normalisers of ``ingest.pagerduty.normalise``, and translates the client's
errors into :class:`~ingest.errors.SourceError` messages that say what to fix.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

import httpx2
import msgspec
import pagerduty
import pandas as pd

from ingest.clients.network import TLS, failure_kind, network_error
from ingest.errors import InputError, SourceError, TimeError, UsageError
from ingest.pagerduty.normalise import (
    alerts_frame,
    incident_info,
    incidents_info,
    log_entries_frame,
    merge_notes,
    notes_frame,
)
from ingest.people import Identity, pagerduty_identities
from ingest.progress import Progress
from ingest.schema import concat
from ingest.times import to_iso
from ingest.types import Incident, Window

SOURCE = "pagerduty"
PAGE_SIZE = 100  # the most any of these list endpoints returns per page
# Full objects rather than references: a reference may carry only an ID, and the priority and
# service names are what the skeleton shows.
INCIDENT_INCLUDES = ("priorities", "services")
# GET /incidents refuses a since/until range longer than six months.
LONGEST_RANGE = timedelta(days=180)
TOKEN_HINT = "check the API token (pagerduty.token_env, default PAGERDUTY_API_TOKEN)"


def fetch_incident(
    client: pagerduty.RestApiV2Client,
    ref: str,
    *,
    severity_map: Mapping[str, str],
    progress: Progress | None = None,
) -> Incident:
    """The incident ``ref`` (its ID or its number) as ``incident_info`` reads it (times in UTC,
    None when not there).

    Raises SourceError: not found, token rejected (or wrong region), unreachable.
    """
    ref = str(ref).strip()
    if not ref or "/" in ref or "?" in ref:
        raise UsageError(f"{ref!r} is not a PagerDuty incident ID or number (e.g. PT4KHLK or 1234)")
    with _requests_counted(client, progress), _translated(client, incident_ref=ref):
        raw = client.rget(f"/incidents/{ref}", params={"include": list(INCIDENT_INCLUDES)})
        if not isinstance(raw, dict) or not raw.get("id"):
            raise InputError(f"GET /incidents/{ref} answered without an incident object")
        info = incident_info(raw, severity_map)
    return info


def pull_pagerduty(
    client: pagerduty.RestApiV2Client,
    incident: Incident,
    window: Window,
    progress: Progress,
    *,
    identities: list[Identity] | None = None,
) -> Iterator[pd.DataFrame]:
    """Schema frames of the incident's log entries, alerts and notes inside ``window``.

    One frame per API page, as the pages arrive: log entries (rendered in UTC, the full log,
    not the overview; status updates are among them), then alerts, then notes. ``incident`` is
    what :func:`fetch_incident` returned. Each HTTP request is reported with
    ``progress.request`` and each page with ``progress.page``; retries happen in the client.
    ``identities``, when given, gets the user references of every page read (agents,
    assignees, notified users, note authors; ``ingest.people``): no request of its own.
    """
    found = identities if identities is not None else []
    incident_id = incident.id
    if not incident_id:
        raise UsageError("pull_pagerduty needs the incident's 'id' (from fetch_incident)")
    service = incident.service
    base = f"/incidents/{incident_id}"
    log_params = {"time_zone": "UTC", "is_overview": "false"}
    annotations = []
    with _requests_counted(client, progress) as counter, _translated(client):
        for records in _api_pages(client, f"{base}/log_entries", log_params, counter):
            found.extend(pagerduty_identities(records))
            frame = log_entries_frame(records, incident_id=incident_id, service=service)
            # Held back until the notes are in: most notes are also an annotate log entry.
            annotated = frame["kind"] == "alert.annotated"
            annotations.append(frame[annotated])
            yield from _in_window(frame[~annotated], window, progress)
        for records in _api_pages(client, f"{base}/alerts", {}, counter):
            found.extend(pagerduty_identities(records))
            yield from _in_window(alerts_frame(records), window, progress)
        # The notes endpoint is not paginated (no "more"), so it is one plain GET.
        notes = client.rget(f"{base}/notes")
        found.extend(pagerduty_identities([notes]))
        frame = notes_frame(list(notes), incident_id=incident_id, service=service)
        notes_page = merge_notes(concat([*annotations, frame]))
        yield from _in_window(notes_page, window, progress)


def list_incidents(
    client: pagerduty.RestApiV2Client,
    *,
    since: datetime | None,
    until: datetime | None,
    statuses: Sequence[str] = ("resolved",),
    service_ids: Sequence[str] = (),
    team_ids: Sequence[str] = (),
    urgencies: Sequence[str] = (),
    severity_map: Mapping[str, str] | None = None,
    progress: Progress | None = None,
) -> Iterator[Incident]:
    """Incidents created in ``[since, until)``, oldest first, each as :func:`fetch_incident`
    returns it. ``since`` and ``until`` must carry a zone (they are sent in UTC with ``Z``: a
    naive value would be read in the account's zone); both None means every incident.

    A range longer than the API's six months is asked for in consecutive slices.
    """
    params: dict[str, Any] = {
        "time_zone": "UTC",
        "sort_by": "created_at:asc",
        "include": list(INCIDENT_INCLUDES),
    }
    for name, values in (
        ("statuses", statuses),
        ("service_ids", service_ids),
        ("team_ids", team_ids),
        ("urgencies", urgencies),
    ):
        if values:
            params[name] = list(values)
    ranges = list(_ranges(since, until))
    seen: set[str] = set()
    with _requests_counted(client, progress) as counter, _translated(client):
        for start, end in ranges:
            if start is None:
                sliced = {**params, "date_range": "all"}
            else:
                sliced = {**params, "since": to_iso(start), "until": to_iso(end)}
            for batch in _batches(_all_incidents(client, sliced, start, end, counter)):
                for info in incidents_info(batch, severity_map):
                    if info.id in seen:  # an incident on a slice boundary
                        continue
                    seen.add(info.id)
                    yield info


def _batches(records: Iterator[dict], size: int = 1000) -> Iterator[list[dict]]:
    batch: list[dict] = []
    for record in records:
        batch.append(record)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _all_incidents(
    client: pagerduty.RestApiV2Client,
    params: dict[str, Any],
    start: pd.Timestamp | None,
    end: pd.Timestamp | None,
    counter: _RequestCounter,
) -> Iterator[dict]:
    """Every incident ``params`` select, past the API's 10,000 offset limit: up to the limit
    by plain offset pages, beyond it by the client's ``iter_history``, which halves the time
    range until each half fits. A list that still comes back short (more than 10,000
    incidents created within one second, or no range to halve) is an error, never a warning.
    """
    total = client.get_total("/incidents", params=dict(params))
    if total <= pagerduty.ITERATION_LIMIT or start is None or end is None:
        records = (r for page in _api_pages(client, "/incidents", params, counter) for r in page)
    else:
        bounded = {k: v for k, v in params.items() if k not in ("since", "until")}
        records = client.iter_history(
            "/incidents",
            start.to_pydatetime(),
            end.to_pydatetime(),
            params=bounded,
            page_size=PAGE_SIZE,
        )
    count = 0
    for record in records:
        count += 1
        yield record
    if count < total:
        span = "all time" if start is None else f"{to_iso(start)} to {to_iso(end)}"
        raise SourceError(
            f"the incident list was cut short: {count} of {total} incidents created "
            f"{span} came back (the API stops at offset {pagerduty.ITERATION_LIMIT}); "
            "export a shorter range, or narrow it by severity or service",
            source=SOURCE,
            url=f"{client.url}/incidents",
        )


# -- internals ------------------------------------------------------------------------------


class _RequestCounter(msgspec.Struct):
    requests: int = 0


@contextmanager
def _requests_counted(
    client: pagerduty.RestApiV2Client, progress: Progress | None
) -> Iterator[_RequestCounter]:
    """Count the HTTP requests this thread makes with the client (a retried one counts once)
    while the block runs; the client may be shared by other threads of the run.

    ``iter_all`` yields records, not pages; the count moving between two records is how a new
    API page is told apart without paging by hand.
    """
    counter = _RequestCounter()
    thread = threading.get_ident()

    def on_request(request: httpx2.Request) -> None:
        if threading.get_ident() != thread:
            return
        counter.requests += 1
        if progress is not None:
            progress.request(SOURCE)

    hooks = client.event_hooks["request"]
    hooks.append(on_request)
    try:
        yield counter
    finally:
        hooks.remove(on_request)


def _api_pages(
    client: pagerduty.RestApiV2Client, path: str, params: dict[str, Any], counter: _RequestCounter
) -> Iterator[list[dict]]:
    """The records of ``path``, one list per API page, paged by ``iter_all`` at the largest
    page size (so the request count is the least the API allows)."""
    page: list[dict] = []
    page_request = None
    pages = 0
    for record in client.iter_all(path, params=params, page_size=PAGE_SIZE):
        if page and counter.requests != page_request:
            yield page
            pages += 1
            page = []
        page_request = counter.requests
        page.append(record)
    if page or not pages:  # an empty answer is a page too, for the progress count
        yield page


def _in_window(frame: pd.DataFrame, window: Window, progress: Progress) -> Iterator[pd.DataFrame]:
    kept = frame[window.contains(frame["ts"])].reset_index(drop=True)
    if progress is not None:
        progress.page(SOURCE, len(kept))
    if len(kept):
        yield kept


def _ranges(
    since: datetime | None, until: datetime | None
) -> Iterator[tuple[pd.Timestamp | None, pd.Timestamp | None]]:
    if since is None and until is None:
        yield None, None
        return
    if since is None or until is None:
        raise UsageError("list_incidents needs both since and until, or neither (all incidents)")
    start, end = _aware(since, "since"), _aware(until, "until")
    if start >= end:
        raise UsageError(f"since {to_iso(start)} is not before until {to_iso(end)}")
    while start < end:
        stop = min(start + LONGEST_RANGE, end)
        yield start, stop
        start = stop


def _aware(moment: datetime, name: str) -> pd.Timestamp:
    stamp = pd.Timestamp(moment)
    if stamp.tzinfo is None:
        raise TimeError(
            f"{name} {stamp.isoformat()} has no time zone: give it an offset such as 'Z' "
            "(PagerDuty would read it in the account's zone)"
        )
    return stamp.tz_convert("UTC")


@contextmanager
def _translated(client: pagerduty.RestApiV2Client, *, incident_ref: str = "") -> Iterator[None]:
    """Turn the client's exceptions into SourceError saying what to fix; never the token."""
    base_url = client.url
    try:
        yield
    except pagerduty.HttpError as e:
        if e.response is None:  # not expected: HttpError always carries its response
            raise
        raise _http_error(e.response, base_url, incident_ref) from e
    except pagerduty.Error as e:
        if e.__cause__ is None:  # not a network error: the client's own complaint
            raise SourceError(f"{e}", source=SOURCE, url=base_url) from e
        # No response at all: refused, timed out, TLS failure (never retried).
        where = getattr(client, "endpoint", None)
        policy = getattr(client, "policy", None)
        if where is None or policy is None:
            raise SourceError(
                f"cannot reach {base_url} ({e.__cause__.__class__.__name__})",
                source=SOURCE,
                url=base_url,
            ) from e
        attempts = 1 if failure_kind(e.__cause__) == TLS else policy.attempts
        raise network_error(e.__cause__, where, attempts=attempts) from e
    except pagerduty.UrlError as e:
        raise SourceError(f"bad request URL ({e})", source=SOURCE, url=base_url) from e
    except InputError as e:
        raise SourceError(
            f"the API sent a record that cannot be read: {e}", source=SOURCE, url=base_url
        ) from e


def _http_error(response: httpx2.Response, base_url: str, incident_ref: str) -> SourceError:
    status = response.status_code
    url = str(response.request.url.copy_with(query=None))
    where = f"GET {response.request.url.path}"
    if status == 401:
        message = (
            f"the API token was rejected (HTTP 401): {TOKEN_HINT}, or the wrong region: "
            f"base_url is {base_url} (EU accounts use https://api.eu.pagerduty.com)"
        )
    elif status == 403:
        message = (
            f"the token may not read {where} (HTTP 403): use a token with read access to "
            "incidents (OAuth scope incidents.read)"
        )
    elif status == 404 and incident_ref:
        message = (
            f"incident {incident_ref} not found; check the ID or number "
            f"(PagerDuty base_url is {base_url})"
        )
    elif status == 404:
        message = f"{where} not found (HTTP 404); check the incident ID and pagerduty.base_url"
    elif status >= 500:
        message = f"server error (HTTP {status}) on {where} after retries; run again later"
    else:
        message = f"the API refused {where} (HTTP {status}: {_api_message(response)})"
    return SourceError(message, source=SOURCE, url=url, status=status)


def _api_message(response: httpx2.Response) -> str:
    """The ``error.message`` (and ``errors``) of a PagerDuty error body, else the reason."""
    try:
        error = response.json().get("error") or {}
    except ValueError:
        error = {}
    if not isinstance(error, dict):
        return response.reason_phrase or "no details"
    details = [str(d) for d in error.get("errors") or []]
    message = str(error.get("message") or response.reason_phrase or "no details")
    return f"{message}: {'; '.join(details)}" if details else message
