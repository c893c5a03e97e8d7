from tests.timeline.factories import events
from timeline.responders import find_responders


def slack(ts, actor, text, ref, tags=""):
    return {
        "ts": ts,
        "source": "slack",
        "kind": "chat.message",
        "actor": actor,
        "summary": text,
        "ref": ref,
        "tags": tags,
        "channel": "#inc",
    }


def pagerduty(ts, kind, actor, text, ref):
    return {
        "ts": ts,
        "source": "pagerduty",
        "kind": kind,
        "actor": actor,
        "summary": text,
        "ref": ref,
        "channel": "checkout-api",
    }


ROWS = [
    pagerduty("2026-10-14T14:31:07Z", "alert.triggered", "checkout-api", "Triggered", "P1"),
    pagerduty("2026-10-14T14:33:41Z", "alert.acknowledged", "Ana Ruiz", "Acknowledged", "P2"),
    slack("2026-10-14T14:34:00Z", "ana", "@ana has joined the channel", "S0", "system"),
    slack("2026-10-14T14:34:10Z", "ana", "looking at dashboards", "S1"),
    slack("2026-10-14T14:35:00Z", "bo", "@bo has joined the channel", "S2", "system"),
    slack("2026-10-14T14:35:30Z", "bo", "Joining as incident commander.", "S3"),
    slack("2026-10-14T14:36:00Z", "Datadog", "Triggered: 5xx > 5%", "S4", "bot"),
    pagerduty(
        "2026-10-14T14:37:00Z",
        "alert.escalated",
        "Ana Ruiz",
        "Escalated to Kai Sato (Database On-Call, level 2) by Ana Ruiz.",
        "P3",
    ),
    slack("2026-10-14T14:40:00Z", "kai", "Kai from DB here, reading back", "S5"),
    slack("2026-10-14T14:41:00Z", "lee", "Support here. 14 tickets so far", "S6"),
    slack("2026-10-14T14:42:00Z", "mo", "anything I can do?", "S7"),
]


def test_each_person_once_with_role_first_appearance_and_first_action():
    found = {r["name"]: r for r in find_responders(events(ROWS), roster={"mo": "Payments PM"})}
    assert list(found) == ["Ana Ruiz", "bo", "kai", "lee", "mo"]  # systems and bots left out
    ana = found["Ana Ruiz"]
    assert ana["also"] == ["ana"]  # the chat handle is the same person
    assert ana["role"] is None  # nothing states her role
    assert ana["first_seen"] == "2026-10-14T14:33:41Z"
    assert ana["first_action"]["ref"] == "P2"
    bo = found["bo"]
    assert bo["role"] == "incident commander" and bo["role_source"] == "said in chat S3"
    assert bo["first_seen"] == "2026-10-14T14:35:00Z"  # the join is when they appeared
    assert bo["first_action"]["ref"] == "S3"  # the join is not an action
    assert found["kai"]["role"] == "Database On-Call"
    assert found["kai"]["role_source"] == "PagerDuty P3"
    assert found["lee"]["role"] == "Support"
    assert found["mo"]["role"] == "Payments PM" and found["mo"]["role_source"] == "roster"


def test_no_people_no_responders():
    assert find_responders(events(ROWS[:1]), roster={}) == []
