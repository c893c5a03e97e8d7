"""The vocabulary: every kind, milestone, gap and tag named once, and everything else agrees."""

import pandas as pd
import pytest
from click.testing import CliRunner

from ingest.schema import COLUMNS
from ingest.vocab import (
    CHANGE_KINDS,
    CHAT_KINDS,
    GAPS,
    KIND_LABELS,
    KINDS,
    MILESTONE_LABELS,
    MILESTONES,
    TAGS,
    add_tag,
    has_tag,
    kind_label,
)
from render.filters import FILTERS
from render.markdown import gap_rows, milestone_rows
from timeline.cli import main
from timeline.export.archive import INCIDENT_COLUMNS


def test_every_kind_of_the_frame_has_a_label_of_its_own():
    categories = list(COLUMNS["kind"].categories)
    assert categories == list(KINDS)
    labels = [FILTERS["kind_label"](kind) for kind in categories]
    assert all(label and label != kind for label, kind in zip(labels, categories, strict=True))
    assert len(set(labels)) == len(labels)


def test_kind_groups_are_kinds():
    assert set(CHAT_KINDS) <= set(KINDS)
    assert set(CHANGE_KINDS) <= set(KINDS)


def test_unknown_kind_is_shown_as_written():
    assert kind_label("alert.mystery") == "alert.mystery"
    assert KIND_LABELS["alert.triggered"] == "Alert triggered"


def test_gaps_run_between_known_milestones_and_have_labels():
    assert list(GAPS) == [gap.name for gap in GAPS.values()]
    for gap in GAPS.values():
        assert gap.start in MILESTONES and gap.end in MILESTONES
        assert gap.start != gap.end
    assert len({gap.label for gap in GAPS.values()}) == len(GAPS)


def test_rendered_tables_follow_the_vocabulary():
    frame = pd.DataFrame({"ref": pd.Series([], dtype=str), "url": pd.Series([], dtype=str)})
    rows = milestone_rows(frame, {})
    assert [(r["name"], r["label"]) for r in rows] == list(MILESTONE_LABELS.items())
    gaps = gap_rows({})
    assert [g["name"] for g in gaps] == list(GAPS)
    assert gaps[0]["from"] == MILESTONE_LABELS[GAPS[gaps[0]["name"]].start]


def test_archive_has_a_column_per_milestone_and_gap():
    for name in MILESTONES:
        assert f"{name}_at" in INCIDENT_COLUMNS
    for name in GAPS:
        assert name in INCIDENT_COLUMNS


def test_mark_help_names_every_milestone():
    result = CliRunner().invoke(main, ["pull", "--help"])
    help_text = " ".join(result.output.split())
    assert ", ".join(MILESTONES) in help_text


@pytest.mark.parametrize(
    ("tags", "names", "expected"),
    [
        ("pinned", ("pinned",), True),
        ("reaction:eyes pinned", ("pinned",), True),
        ("unpinned", ("pinned",), False),
        ("reaction:pinned", ("pinned",), False),
        ("bot", ("bot", "system"), True),
        ("reaction:bot", ("bot",), False),
        ("", ("system",), False),
        ("reaction:white_check_mark", ("reaction:white_check_mark",), True),
        ("reaction:white_check_mark_2", ("reaction:white_check_mark",), False),
    ],
)
def test_has_tag_matches_whole_tags_only(tags, names, expected):
    assert has_tag(pd.Series([tags], dtype="string[pyarrow]"), *names).tolist() == [expected]


def test_tags_the_readers_set_are_in_the_vocabulary():
    # "reaction" stands for every reaction:NAME tag.
    for name in ("pinned", "broadcast", "bot", "system", "rollback", "revert"):
        assert name in TAGS
    assert "edited_after_mitigation" in TAGS


def test_add_tag_appends_once():
    tags = pd.Series(["", "bot", "pinned bot"], dtype="string[pyarrow]")
    assert add_tag(tags, "pinned").tolist() == ["pinned", "bot pinned", "pinned bot"]
    assert add_tag(tags, "pinned").dtype == tags.dtype
    assert add_tag(tags, "pinned", first=True).tolist() == ["pinned", "pinned bot", "pinned bot"]


def test_every_tag_in_a_pulled_bundle_is_in_the_vocabulary():
    from timeline.pull.files import FilePull, example_specs, pull_files

    bundle = pull_files(FilePull(specs=example_specs(), now=pd.Timestamp("2026-11-01T00:00:00Z")))
    written = {tag.partition(":")[0] for tags in bundle.frame["tags"] for tag in tags.split()}
    assert written  # the example has pinned messages, reactions, rollbacks
    assert written <= set(TAGS)


def test_has_tag_answers_for_each_long_column_asked_in_turn():
    # Long columns are factorised once and kept: each must still get its own answer.
    first = pd.Series(["pinned bot", "", None, "reaction:eyes"] * 5_000, dtype="string[pyarrow]")
    second = pd.Series(["bot", "system", "pinned", None] * 5_000, dtype="string[pyarrow]")
    for _ in range(2):
        for column in (first, second, first.iloc[1:]):
            expected = [isinstance(t, str) and "pinned" in t.split() for t in column]
            assert has_tag(column, "pinned").tolist() == expected
            expected = [
                isinstance(t, str) and bool({"bot", "system"} & set(t.split())) for t in column
            ]
            assert has_tag(column, "bot", "system").tolist() == expected
