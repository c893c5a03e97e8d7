"""Who is a person in the sources' records: a pull request names its repository's owner, which
may be an organisation; a PagerDuty reference is a user only by its type."""

from __future__ import annotations

from ingest.people import build_directory, github_identities, pagerduty_identities
from tests.fakes import github as gh


def test_an_organisation_owning_the_repository_is_a_system_not_a_person():
    pull = gh.pull("acme/orders", 7, merged_at="2026-03-02T09:50:00Z")
    pull["user"].update(login="tpham", type="User")
    for side in ("head", "base"):
        pull[side]["repo"]["owner"].update(login="acme", type="Organization")
    directory = build_directory(github_identities([pull]), {})
    by_login = {entry["ids"][0]: entry for entry in directory if entry["ids"]}
    assert by_login["acme"]["system"] is True
    assert by_login["tpham"]["system"] is False


def test_a_pagerduty_reference_whose_type_is_not_text_is_no_user_and_no_crash():
    records = [
        {"agent": {"id": "PU1", "type": ["user_reference"], "summary": "Katalin Varga"}},
        {"agent": {"id": "PU2", "type": "user_reference", "summary": "Miroslav Dvorak"}},
    ]
    found = pagerduty_identities(records)
    assert [identity.ids for identity in found] == [("PU2",)]


def test_with_a_frame_the_directory_keeps_who_acts_or_is_named_and_drops_the_rest():
    from ingest.people import Identity
    from tests.timeline.factories import events

    acts = Identity("slack", ids=("U1",), names=("priya",), emails=("priya@corp.example",))
    # Joined by e-mail to the person who acts, so seen through the other identity's name.
    same = Identity("github", ids=("praman",), emails=("priya@corp.example",))
    named = Identity("pagerduty", ids=("PU2",), real_names=("Kenji Watanabe",))
    elsewhere = Identity("slack", ids=("U3",), names=("marco",), real_names=("Marco Silva",))
    frame = events(
        [
            {"ts": "2026-10-14T14:31:00Z", "source": "slack", "kind": "chat.message",
             "ref": "C/1", "actor": "priya", "summary": "paging (@Watanabe) for the db"},
            {"ts": "2026-10-14T14:32:00Z", "source": "slack", "kind": "chat.message",
             "ref": "C/2", "actor": "priya", "summary": "marcos-runbook says restart"},
        ]
    )  # fmt: skip
    directory = build_directory([acts, same, named, elsewhere], {}, frame=frame)
    kept = sorted(entry["ids"][0] for entry in directory)
    assert kept == ["PU2", "U1"]  # "marcos-runbook" is not the word "marco"
    joined = next(entry for entry in directory if entry["ids"][0] == "U1")
    assert sorted(joined["ids"]) == ["U1", "praman"]
