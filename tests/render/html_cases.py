"""Bundles (events frame + summary) for the HTML report tests, hostile text included."""

from __future__ import annotations

from typing import Any

import pandas as pd

from ingest.schema import frame_from_columns
from ingest.times import iso_to_utc

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
ATTRIBUTE_BREAK = '"><svg onload=alert(1)>'


def event(ts: str, source: str, kind: str, summary: str, ref: str, **extra: Any) -> dict:
    return {"ts": ts, "source": source, "kind": kind, "summary": summary, "ref": ref, **extra}


def make_frame(rows: list[dict]) -> pd.DataFrame:
    """A schema frame from row dicts (times as ISO strings), in the order given."""
    columns: dict[str, Any] = {
        "ts": iso_to_utc([r["ts"] for r in rows]),
        "edited_at": iso_to_utc([r.get("edited_at") for r in rows]),
        "source": [r["source"] for r in rows],
        "kind": [r["kind"] for r in rows],
        "summary": [r["summary"] for r in rows],
        "ref": [r["ref"] for r in rows],
        "key": [r.get("key", True) for r in rows],
    }
    for name in ("actor", "url", "channel", "thread_ref", "tags", "subtype"):
        columns[name] = [r.get(name, "") for r in rows]
    return frame_from_columns(columns, length=len(rows))


def milestone(at: str | None, evidence: str = "observed", ref: str = "", rule: str = "") -> dict:
    return {"at": at, "evidence": evidence if at else "unknown", "ref": ref, "rule": rule}


def hostile_rows() -> list[dict]:
    """An incident whose artifacts try to inject markup and scripts everywhere they can."""
    return [
        event(
            "2024-05-01T09:50:00Z",
            "github",
            "deploy.succeeded",
            f"shop v1.2 {IMG}",
            "dep-7",
            url="https://github.com/acme/shop/deployments/7",
            actor="acme-deployer[bot]",
        ),
        event(
            "2024-05-01T10:00:00Z",
            "pagerduty",
            "alert.triggered",
            f"Checkout 5xx {SCRIPT}",
            "R1",
            url="https://acme.pagerduty.com/incidents/P1/log_entries/R1",
            actor="checkout",
            channel="checkout",
        ),
        event(
            "2024-05-01T10:01:00Z",
            "slack",
            "chat.message",
            f"look {IMG} and {SCRIPT}",
            f"C1/1714557660.000100{ATTRIBUTE_BREAK}",
            channel=f"inc{SCRIPT}",
            actor=IMG,
            url="javascript:alert(1)",
        ),
        event(
            "2024-05-01T10:01:30Z",
            "slack",
            "chat.message",
            "just chatting",
            "C1/1714557690.000100",
            channel="inc",
            actor="bob",
            key=False,
        ),
        event(
            "2024-05-01T10:02:00Z",
            "pagerduty",
            "alert.acknowledged",
            "Acknowledged",
            "R2",
            url="data:text/html,<script>alert(1)</script>",
            actor="Dana",
        ),
        event(
            "2024-05-01T10:20:00Z",
            "github",
            "deploy.succeeded",
            "shop v1.1 to prod",
            "dep-8",
            url=f"https://github.com/acme/shop/deployments/8?x={ATTRIBUTE_BREAK}",
            actor="dana",
        ),
        event(
            "2024-05-01T10:21:00Z",
            "slack",
            "chat.reply",
            f"rolled back {ATTRIBUTE_BREAK}",
            "C1/1714558860.000100",
            thread_ref="C1/1714557660.000100",
            channel="inc",
            actor="dana",
            edited_at="2024-05-01T10:40:00Z",
            tags="edited_after_mitigation",
            url="https://acme.slack.com/archives/C1/p1714558860000100",
        ),
        event(
            "2024-05-01T10:30:00Z",
            "pagerduty",
            "alert.resolved",
            "Resolved",
            "R3",
            url="https://acme.pagerduty.com/incidents/P1/log_entries/R3",
            actor="checkout",
        ),
    ]


def hostile_summary() -> dict:
    return {
        "incident": {
            "id": f"P1{SCRIPT}",
            "title": f"Checkout errors {IMG}",
            "severity": SCRIPT,
            "url": "javascript:alert(1)",
            "window": {"start": "2024-05-01T09:00:00Z", "end": "2024-05-01T11:00:00Z"},
        },
        "sources": [
            {"name": "pagerduty", "status": "ok", "events": 3, "error": None},
            {"name": "slack", "status": "failed", "events": 0, "error": f"boom {IMG}"},
        ],
        "milestones": {
            "impact_start": milestone(None),
            "detected": milestone("2024-05-01T10:00:00Z", ref="R1"),
            "acknowledged": milestone("2024-05-01T10:02:00Z", ref="R2"),
            "escalated": milestone(None),
            "mitigated": milestone(
                "2024-05-01T10:20:00Z", "inferred", "dep-8", f"older SHA redeployed {SCRIPT}"
            ),
            "resolved": milestone("2024-05-01T10:30:00Z", ref="R3"),
            "first_comms": milestone(None),
        },
        "gaps": {
            "time_to_acknowledge": 120.0,
            "time_to_mitigate": 1200.0,
            "time_to_resolve": 1800.0,
            "time_to_detect": -30.0,
        },
        "quiet_periods": [
            {"start": "2024-05-01T10:03:00Z", "end": "2024-05-01T10:20:00Z", "seconds": 1020}
        ],
        "redactions": [{"kind": f"aws{SCRIPT}", "ref": f"C1/1{IMG}", "count": 2}],
        "warnings": [f"slack/2024-05-01.json:14: odd message {SCRIPT}"],
        "inventory": [
            {
                "source": "pagerduty",
                "name": f"log{IMG}.json",
                "records": 4,
                "in_window": 4,
                "outside_window": 0,
            },
        ],
        "tool": {"name": "postmortem-timeline", "version": "0.1.0"},
    }
