"""The PagerDuty payloads: the incident (GET /incidents/{id}) and its log entries."""

from __future__ import annotations

from example_incident.story import (
    DAY,
    INCIDENT_ID,
    INCIDENT_TITLE,
    MONITOR,
    PD_API,
    PD_WEB,
    PEOPLE,
    RESOLVED,
    TRIGGERED,
    Ids,
    iso_eastern,
    iso_z,
    utc,
)


def pd_ref(kind: str, ident: str, summary: str, path: str, web: str | None = None) -> dict:
    ref = {
        "id": ident,
        "type": f"{kind}_reference",
        "summary": summary,
        "self": f"{PD_API}/{path}/{ident}",
    }
    if web is not None:
        ref["html_url"] = f"{PD_WEB}/{web}/{ident}"
    return ref


def pd_user(key: str) -> dict:
    person = PEOPLE[key]
    return pd_ref("user", person[6], person[2], "users", "users")


SERVICE = pd_ref("service", "PCHK4PI", "checkout-api", "services", "service-directory")
TEAM_REF = pd_ref("team", "PTCHK01", "Checkout", "teams", "teams")
POLICY = pd_ref(
    "escalation_policy",
    "PEPCHK1",
    "Checkout API On-Call",
    "escalation_policies",
    "escalation_policies",
)
DB_POLICY = pd_ref(
    "escalation_policy", "PEPDB02", "Database On-Call", "escalation_policies", "escalation_policies"
)
PRIORITIES = {
    name: pd_ref("priority", ident, name, "priorities")
    for name, ident in (("P1", "PA1B2C3"), ("P2", "PD4E5F6"))
}
INCIDENT_REF = {
    "id": INCIDENT_ID,
    "type": "incident_reference",
    "summary": f"[#2231] {INCIDENT_TITLE}",
    "self": f"{PD_API}/incidents/{INCIDENT_ID}",
    "html_url": f"{PD_WEB}/incidents/{INCIDENT_ID}",
}

# fmt: off
# time (UTC), type, agent (person key or "service"), summary, channel extras, entry extras,
# render time with the Eastern offset instead of Z
LOG_ENTRIES: list[tuple[str, str, str, str, dict, dict, bool]] = [
    ("14:31:07", "trigger_log_entry", "service", "Triggered through the API.",
     {"type": "api", "summary": MONITOR}, {"event_details": {"description": MONITOR}}, False),
    ("14:31:09", "notify_log_entry", "service", "Notified Priya Raman by push notification.",
     {"type": "auto", "notification": {"type": "push_notification", "status": "success",
                                       "address": "Pixel 8"}}, {"user": "priya"}, False),
    ("14:31:10", "notify_log_entry", "service", "Notified Priya Raman by SMS.",
     {"type": "auto", "notification": {"type": "sms_notification", "status": "success",
                                       "address": "+1 555-0142"}}, {"user": "priya"}, True),
    ("14:33:41", "acknowledge_log_entry", "priya", "Acknowledged by Priya Raman.",
     {"type": "website"}, {"acknowledgement_timeout": 1800}, True),
    ("14:36:02", "annotate_log_entry", "priya", "Note added.",
     {"type": "note", "summary": "Working in Slack #inc-2231-checkout-5xx. Dashboards show the "
      "5xx rate rising from about 14:12 UTC."}, {}, False),
    ("14:37:25", "assign_log_entry", "priya", "Assigned to Marco Silva by Priya Raman.",
     {"type": "website"}, {"assignees": ["marco"]}, False),
    ("14:37:26", "notify_log_entry", "service", "Notified Marco Silva by push notification.",
     {"type": "auto", "notification": {"type": "push_notification", "status": "success",
                                       "address": "iPhone"}}, {"user": "marco"}, False),
    ("14:38:50", "priority_change_log_entry", "priya", "Priority changed from P2 to P1 by Priya "
     "Raman.", {"type": "website", "old_priority": PRIORITIES["P2"],
                "new_priority": PRIORITIES["P1"]}, {}, False),
    ("14:44:40", "status_update_log_entry", "marco", "Status update sent by Marco Silva.",
     {"type": "website", "message": "Investigating elevated errors on checkout. Some customers "
      "cannot complete checkout. Next update in 30 minutes."}, {}, False),
    ("14:47:30", "responder_request_log_entry", "priya", "Priya Raman requested responders from "
     "Database On-Call.", {"type": "website", "message": "checkout-api DB pool waits, please "
                           "join #inc-2231-checkout-5xx"}, {"responders": [DB_POLICY]}, False),
    ("14:48:05", "escalate_log_entry", "priya", "Escalated to Kenji Watanabe (Database On-Call, "
     "level 2) by Priya Raman.", {"type": "website"}, {"assignees": ["kenji"]}, False),
    ("14:48:06", "notify_log_entry", "service", "Notified Kenji Watanabe by phone.",
     {"type": "auto", "notification": {"type": "phone_notification", "status": "success",
                                       "address": "+1 555-0177"}}, {"user": "kenji"}, True),
    ("14:55:40", "custom_action_log_entry", "priya", "Automation action \"Collect pgbouncer "
     "diagnostics\" ran on checkout-api, started by Priya Raman.",
     {"type": "website", "action": "collect-pgbouncer-diagnostics"}, {}, False),
    ("15:16:10", "status_update_log_entry", "marco", "Status update sent by Marco Silva.",
     {"type": "website", "message": "Mitigated: a rollback finished at 15:05 UTC and checkout "
      "error rates are back to normal. Monitoring before resolving."}, {}, False),
    ("15:48:20", "resolve_log_entry", "marco", "Resolved by Marco Silva.",
     {"type": "website"}, {}, False),
]
# fmt: on


def log_entries(ids: Ids) -> tuple[list[dict], str]:
    """Log entries newest first (the listing order is unspecified); also the trigger's ID."""
    entries = []
    for clock, kind, agent, summary, channel, extra, eastern in LOG_ENTRIES:
        ident = "R" + ids.token(25)
        moment = utc(f"{DAY} {clock}")
        entry = {
            "id": ident,
            "type": kind,
            "summary": summary,
            "self": f"{PD_API}/log_entries/{ident}?incident_id={INCIDENT_ID}",
            "html_url": f"{PD_WEB}/incidents/{INCIDENT_ID}/log_entries/{ident}",
            "created_at": iso_eastern(moment) if eastern else iso_z(moment),
            "agent": SERVICE if agent == "service" else pd_user(agent),
            "channel": channel,
            "service": SERVICE,
            "incident": INCIDENT_REF,
            "teams": [TEAM_REF],
            "contexts": [],
        }
        for key, value in extra.items():
            if key == "user":
                entry["user"] = pd_user(value)
            elif key == "assignees":
                entry["assignees"] = [pd_user(k) for k in value]
            else:
                entry[key] = value
        entries.append(entry)
    return entries[::-1], entries[0]["id"]


def incident(trigger_id: str) -> dict:
    responder = {
        "state": "joined",
        "user": pd_user("kenji"),
        "incident": INCIDENT_REF,
        "updated_at": iso_eastern(utc(f"{DAY} 14:50:12")),
        "message": "checkout-api DB pool waits, please join #inc-2231-checkout-5xx",
        "requester": pd_user("priya"),
        "requested_at": iso_z(utc(f"{DAY} 14:47:30")),
    }
    return {
        "incident": {
            "id": INCIDENT_ID,
            "type": "incident",
            "summary": f"[#2231] {INCIDENT_TITLE}",
            "self": f"{PD_API}/incidents/{INCIDENT_ID}",
            "html_url": f"{PD_WEB}/incidents/{INCIDENT_ID}",
            "incident_number": 2231,
            "title": INCIDENT_TITLE,
            "created_at": iso_z(TRIGGERED),
            "updated_at": iso_z(RESOLVED),
            "status": "resolved",
            "incident_key": "datadog-monitor-48213907-checkout-api",
            "service": SERVICE,
            "assignments": [],
            "assigned_via": "escalation_policy",
            "last_status_change_at": iso_z(RESOLVED),
            "resolved_at": iso_z(RESOLVED),
            "first_trigger_log_entry": {
                "id": trigger_id,
                "type": "trigger_log_entry_reference",
                "summary": "Triggered through the API.",
                "self": f"{PD_API}/log_entries/{trigger_id}?incident_id={INCIDENT_ID}",
                "html_url": f"{PD_WEB}/incidents/{INCIDENT_ID}/log_entries/{trigger_id}",
            },
            "alert_counts": {"all": 1, "triggered": 0, "resolved": 1},
            "is_mergeable": True,
            "incident_type": {"name": "incident_default"},
            "escalation_policy": POLICY,
            "teams": [TEAM_REF],
            "pending_actions": [],
            "acknowledgements": [],
            "alert_grouping": {
                "grouping_type": "intelligent",
                "started_at": iso_z(TRIGGERED),
                "ended_at": iso_z(RESOLVED),
                "alert_grouping_active": False,
            },
            "last_status_change_by": pd_user("marco"),
            "priority": PRIORITIES["P1"],
            "resolve_reason": None,
            "conference_bridge": {
                "conference_number": "+1-555-0100,,,,2231#",
                "conference_url": "https://meet.acme.example/inc-2231",
            },
            "incidents_responders": [responder],
            "responder_requests": [
                {
                    "incident": INCIDENT_REF,
                    "requester": pd_user("priya"),
                    "requested_at": responder["requested_at"],
                    "message": responder["message"],
                    "responder_request_targets": [
                        {
                            "responder_request_target": {
                                "type": "escalation_policy",
                                "id": DB_POLICY["id"],
                                "incidents_responders": [responder],
                            }
                        }
                    ],
                }
            ],
            "urgency": "high",
            "custom_fields": [
                {
                    "id": "PCF0ENV",
                    "type": "field_value",
                    "name": "environment",
                    "display_name": "Runtime Environment",
                    "description": "environment where incident occurred",
                    "data_type": "string",
                    "field_type": "single_value_fixed",
                    "value": "production",
                }
            ],
        }
    }
