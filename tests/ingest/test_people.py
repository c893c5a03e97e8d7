"""Who is a person in GitHub's listings: a pull request names its repository's owner, which may
be an organisation, beside the people who opened and reviewed it."""

from __future__ import annotations

from ingest.people import build_directory, github_identities
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
