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
