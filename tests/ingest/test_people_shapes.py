"""Identities are read from records of any shape: an odd value is skipped, never a crash."""

from __future__ import annotations

from ingest.people import pagerduty_identities


def test_a_type_that_is_not_text_is_no_user_and_no_crash() -> None:
    records = [
        {"type": ["user_reference"], "summary": "Odd Shape"},
        {"agent": {"type": "user_reference", "id": "PU1", "summary": "Dana Whitfield"}},
    ]
    found = pagerduty_identities(records)
    assert [identity.real_names for identity in found] == [("Dana Whitfield",)]
    assert found[0].ids == ("PU1",)
