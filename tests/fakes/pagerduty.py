"""A fake PagerDuty REST API v2 (HTTPS) serving incidents, log entries, alerts and notes in the
official shapes, with classic ``limit``/``offset``/``more`` pagination.

Tests put records in with :meth:`FakePagerDuty.add_incident`; the builders below make records
from the spec's own examples (``tests/fixtures/api/pagerduty_*.json``) with the fields a test
cares about replaced.
"""

from __future__ import annotations

import copy
import functools
import re
from datetime import datetime
from typing import Any

from .base import FakeServer, Recorded, Reply, load_fixture, offset_page

_INCIDENT = re.compile(r"^/incidents/([^/]+)(?:/(log_entries|alerts|notes))?$")


class FakePagerDuty(FakeServer):
    """Serves ``/incidents``, ``/incidents/{id}`` and its ``log_entries``, ``alerts``, ``notes``.

    Answers 401 unless the request carries ``Authorization: Token token=<token>``.
    """

    name = "pagerduty"

    def __init__(self, token: str, **kw: Any) -> None:
        super().__init__(**kw)
        self.token = token
        self.incidents: list[dict[str, Any]] = []
        self.log_entries: dict[str, list[dict[str, Any]]] = {}
        self.alerts: dict[str, list[dict[str, Any]]] = {}
        self.notes: dict[str, list[dict[str, Any]]] = {}

    def add_incident(
        self,
        incident: dict[str, Any],
        *,
        log_entries: list[dict[str, Any]] = (),  # type: ignore[assignment]
        alerts: list[dict[str, Any]] = (),  # type: ignore[assignment]
        notes: list[dict[str, Any]] = (),  # type: ignore[assignment]
    ) -> None:
        self.incidents.append(incident)
        self.log_entries[incident["id"]] = list(log_entries)
        self.alerts[incident["id"]] = list(alerts)
        self.notes[incident["id"]] = list(notes)

    def fault_body(self, status: int) -> Any:
        if status == 429:
            return _error(2020, "Rate Limit Exceeded")
        return _error(status, "Internal Server Error")

    def route(self, request: Recorded) -> Reply:
        if request.headers.get("Authorization") != f"Token token={self.token}":
            return Reply(401, _error(2006, "Authentication required"))
        if request.path == "/incidents":
            return self._list_incidents(request)
        match = _INCIDENT.match(request.path)
        if not match:
            return Reply(404, _error(2100, "Not Found"))
        incident = self._find(match.group(1))
        if incident is None:
            return Reply(404, _error(2100, "Not Found", ["Incident Not Found"]))
        what = match.group(2)
        if what is None:
            return Reply(200, {"incident": incident})
        if what == "notes":  # the API does not paginate notes
            return Reply(200, {"notes": self.notes[incident["id"]]})
        items = (self.log_entries if what == "log_entries" else self.alerts)[incident["id"]]
        return _page(what, items, request)

    def _find(self, id_or_number: str) -> dict[str, Any] | None:
        for incident in self.incidents:
            if id_or_number in (incident["id"], str(incident.get("incident_number"))):
                return incident
        return None

    def _list_incidents(self, request: Recorded) -> Reply:
        items = self.incidents
        if statuses := request.args("statuses[]"):
            items = [i for i in items if i["status"] in statuses]
        if service_ids := request.args("service_ids[]"):
            items = [i for i in items if i["service"]["id"] in service_ids]
        if urgencies := request.args("urgencies[]"):
            items = [i for i in items if i.get("urgency") in urgencies]
        if request.arg("date_range") != "all":
            since, until = request.arg("since"), request.arg("until")
            if since:
                items = [i for i in items if _instant(i["created_at"]) >= _instant(since)]
            if until:
                items = [i for i in items if _instant(i["created_at"]) < _instant(until)]
        return _page("incidents", items, request)


# Classic pagination stops here: a request with limit + offset beyond it is answered 400.
OFFSET_LIMIT = 10_000


def _page(key: str, items: list[dict[str, Any]], request: Recorded) -> Reply:
    reach = int(request.arg("limit") or 25) + int(request.arg("offset") or 0)
    if reach > OFFSET_LIMIT:
        return Reply(400, _error(2001, "Invalid Input Provided", ["Offset must be less than"]))
    page, limit, offset, more = offset_page(items, request, default=25, maximum=100)
    total = len(items) if request.arg("total") == "true" else None
    return Reply(200, {key: page, "limit": limit, "offset": offset, "more": more, "total": total})


def _error(code: int, message: str, errors: list[str] | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "errors": errors or []}}


@functools.lru_cache(maxsize=65536)
def _instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


# -- record builders ------------------------------------------------------------------------


def incident(
    incident_id: str,
    number: int,
    *,
    created_at: str,
    status: str = "resolved",
    title: str = "The server is on fire.",
    service_id: str = "PIJ90N7",
    resolved_at: str | None = None,
    priority: str | None = "P2",
    urgency: str = "high",
    service_name: str = "My Mail Service",
) -> dict[str, Any]:
    """An incident in the shape of the spec's ``GET /incidents/{id}`` example; ``priority``
    None gives an incident without a priority (its urgency is then its severity)."""
    record = copy.deepcopy(load_fixture("pagerduty_get_incident.json")["incident"])
    record.update(
        id=incident_id,
        incident_number=number,
        title=title,
        summary=f"[#{number}] {title}",
        created_at=created_at,
        status=status,
        resolved_at=resolved_at,
        self=f"https://api.pagerduty.com/incidents/{incident_id}",
        html_url=f"https://subdomain.pagerduty.com/incidents/{incident_id}",
    )
    record["service"]["id"] = service_id
    record["service"]["summary"] = service_name
    record["urgency"] = urgency
    if priority is None:
        record["priority"] = None
    else:
        record["priority"]["summary"] = priority
    return record


def log_entry(
    entry_id: str, incident_id: str, *, created_at: str, type: str = "trigger_log_entry"
) -> dict[str, Any]:
    """A log entry in the shape of the spec's ``GET /incidents/{id}/log_entries`` example."""
    record = copy.deepcopy(
        load_fixture("pagerduty_list_incident_log_entries.json")["log_entries"][0]
    )
    record.update(id=entry_id, type=type, created_at=created_at)
    record["self"] = f"https://api.pagerduty.com/log_entries/{entry_id}?incident_id={incident_id}"
    record["incident"]["id"] = incident_id
    return record


def alert(alert_id: str, incident_id: str, *, created_at: str) -> dict[str, Any]:
    """An alert in the shape of the spec's ``GET /incidents/{id}/alerts`` example."""
    record = copy.deepcopy(load_fixture("pagerduty_list_incident_alerts.json")["alerts"][0])
    record.update(id=alert_id, created_at=created_at)
    record["incident"]["id"] = incident_id
    return record


def notes_example() -> list[dict[str, Any]]:
    """The spec's two example notes (their times carry ``-05:00`` offsets)."""
    return copy.deepcopy(load_fixture("pagerduty_list_incident_notes.json")["notes"])


def bare_incident(incident_id: str, number: int, *, created_at: str) -> dict[str, Any]:
    """A resolved incident with only the fields a list reader uses: for lists of thousands."""
    return {
        "id": incident_id,
        "type": "incident",
        "incident_number": number,
        "title": f"Incident {number}",
        "status": "resolved",
        "urgency": "high",
        "created_at": created_at,
        "resolved_at": created_at,
        "html_url": f"https://subdomain.pagerduty.com/incidents/{incident_id}",
        "service": {"id": "PIJ90N7", "type": "service_reference", "summary": "My Mail Service"},
        "priority": None,
    }
