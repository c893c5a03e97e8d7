import pandas as pd

from tests.timeline.factories import events
from timeline.twins import fold_twins

WINDOW = pd.Timedelta(minutes=2)


def note(ts: str, kind: str, ref: str, text: str = "") -> dict:
    return {"ts": ts, "source": "notes", "kind": kind, "ref": ref, "summary": text}


def test_a_notes_line_and_the_record_of_the_same_event_are_one():
    frame = events(
        [
            note("2026-10-14T14:33:00Z", "alert.acknowledged", "notes.txt:6", "Priya acked"),
            {
                "ts": "2026-10-14T14:33:41Z",
                "source": "pagerduty",
                "kind": "alert.acknowledged",
                "ref": "RZHB",
            },
            # Same kind, but outside the window: two events.
            note("2026-10-14T14:40:00Z", "alert.acknowledged", "notes.txt:9"),
            # Within the window, but another kind.
            note("2026-10-14T14:34:00Z", "alert.resolved", "notes.txt:7"),
        ]
    )
    folded = fold_twins(frame, window=WINDOW)
    assert len(folded) == len(frame)  # nothing is dropped
    twin = dict(zip(folded["ref"], folded["twin_ref"], strict=True))
    assert twin == {"notes.txt:6": "RZHB", "RZHB": "", "notes.txt:9": "", "notes.txt:7": ""}
    tags = dict(zip(folded["ref"], folded["tags"], strict=True))
    assert tags["notes.txt:6"] == "twin" and tags["RZHB"] == "corroborated"


def test_the_window_is_configurable_and_each_record_takes_one_line():
    frame = events(
        [
            note("2026-10-14T14:10:00Z", "deploy.succeeded", "n:1"),
            note("2026-10-14T14:10:50Z", "deploy.succeeded", "n:2"),
            {
                "ts": "2026-10-14T14:10:55Z",
                "source": "github",
                "kind": "deploy.succeeded",
                "ref": "d",
            },
        ]
    )
    folded = fold_twins(frame, window=WINDOW)
    assert list(folded["twin_ref"]) == ["", "d", ""]  # the closer line wins
    narrow = fold_twins(frame, window=pd.Timedelta(seconds=3))
    assert list(narrow["twin_ref"]) == ["", "", ""]


def test_a_status_update_posted_in_several_channels_is_one_row():
    def message(ts, ref, channel, text):
        return {
            "ts": ts,
            "source": "slack",
            "kind": "chat.message",
            "ref": ref,
            "channel": channel,
            "summary": text,
            "actor": "dchen",
        }

    frame = events(
        [
            note("2026-10-14T14:44:00Z", "comms.status_page", "notes.txt:7", "status page set"),
            message("2026-10-14T14:44:03Z", "post", "#status-updates", "Checkout: investigating."),
            message("2026-10-14T14:44:26Z", "echo", "#inc", "Status page is up: Investigating"),
            message("2026-10-14T14:44:30Z", "talk", "#inc", "I'll draft the status page update"),
            message("2026-10-14T14:49:00Z", "late", "#inc", "Status page set to Monitoring."),
        ]
    )
    folded = fold_twins(frame, window=WINDOW, comms_channels=("status-updates",))
    twin = dict(zip(folded["ref"], folded["twin_ref"], strict=True))
    assert twin == {"notes.txt:7": "post", "post": "", "echo": "post", "talk": "", "late": ""}
    # Without a comms channel there is no status post to fold into.
    assert (fold_twins(frame, window=WINDOW)["twin_ref"] == "").all()
