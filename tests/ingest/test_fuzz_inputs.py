"""Mutated inputs never give a traceback, and never rows made from garbage.

Each supported format is read once as written, then many times mutated: truncated, a key
deleted, a value's type swapped, a huge string put in, bytes flipped. Every run must end in a
one-line error (a PostmortemError) or in a valid event frame; for the structural mutations of
JSON inputs that frame must hold exactly the rows of the original (the same refs at the same
times), since a record either still has what the tool reads or is refused.
"""

from __future__ import annotations

import copy
import json
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ingest.errors import PostmortemError
from ingest.files import FORMATS, FileSpec
from ingest.schema import concat, validate
from ingest.types import ReadContext

FIXTURES = Path(__file__).parents[1] / "fixtures"
HUGE = "x" * 1_000_000
FUZZ = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
FREE_TEXT = {"summary", "text", "content", "message", "title", "description", "name"}

# format -> the file or folder read, and inside a folder the JSON files the mutations target
JSON_INPUTS: dict[str, tuple[Path, tuple[str, ...]]] = {
    "pagerduty": (FIXTURES / "pagerduty" / "incident_bundle.json", ("",)),
    "github": (FIXTURES / "github" / "export_checkout.json", ("",)),
    "slack-export": (
        FIXTURES / "slack_export",
        ("users.json", "channels.json", "incident-db/2024-03-05.json", "general/2024-03-05.json"),
    ),
}
TEXT_INPUTS = {
    "table": FIXTURES / "tables" / "events.csv",
    "notes": FIXTURES / "notes" / "overnight.md",
}
JSON_LINES = FIXTURES / "tables" / "events.jsonl"
# top-level collections an export may leave out (the readers accept files with any of them)
OPTIONAL_SECTIONS = {
    "github": {"deployments", "commits", "pulls", "releases"},
    "pagerduty": {"log_entries", "alerts", "notes"},
}


def read(fmt: str, path: Path) -> pd.DataFrame | PostmortemError:
    """The rows a format's reader makes of ``path``, or the error it refuses it with. Any
    other exception fails the test."""
    ctx = ReadContext(tz=None)
    try:
        frame = concat(FileSpec(fmt, path).reader()(path, ctx))
    except PostmortemError as e:
        message = str(e)
        assert message and "\n" not in message and "Traceback" not in message, message
        return e
    validate(frame)
    return frame


def keys(frame: pd.DataFrame) -> list[tuple[str, pd.Timestamp]]:
    return sorted(zip(frame["ref"].astype(str), frame["ts"], strict=True))


@contextmanager
def copied(source: Path) -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / source.name
        if source.is_dir():
            shutil.copytree(source, target)
        else:
            shutil.copy(source, target)
        yield target


# -- JSON tree mutations ------------------------------------------------------------------------


def paths_in(node: Any, prefix: tuple = ()) -> Iterator[tuple]:
    """Every path to a value inside a JSON tree (dict keys and list indexes)."""
    children = (
        node.items()
        if isinstance(node, dict)
        else enumerate(node)
        if isinstance(node, list)
        else ()
    )
    for key, child in children:
        yield (*prefix, key)
        yield from paths_in(child, (*prefix, key))


def at(tree: Any, path: tuple) -> Any:
    for key in path:
        tree = tree[key]
    return tree


def swapped(value: Any, choice: int) -> Any:
    """A value of another JSON type (never a string from a number: that is a valid ID)."""
    options = [v for v in (12345, [1, 2], {"k": 1}, True, None, 1.5) if type(v) is not type(value)]
    if isinstance(value, str):
        options = [o for o in options if o is not None]
    return options[choice % len(options)]


def mutate(tree: Any, kind: str, path: tuple, choice: int) -> Any:
    tree = copy.deepcopy(tree)
    parent, key = at(tree, path[:-1]), path[-1]
    if kind == "delete" and isinstance(parent, dict):
        del parent[key]
    elif kind == "swap":
        parent[key] = swapped(parent[key], choice)
    elif kind == "huge" and isinstance(parent, dict):
        if key in FREE_TEXT and isinstance(parent[key], str):
            parent[key] = HUGE
        else:
            parent["x_unread_" + str(key)] = HUGE
    return tree


json_mutation = st.tuples(
    st.sampled_from(["delete", "swap", "huge"]), st.integers(0, 10**6), st.integers(0, 10)
)


def target_file(root: Path, relpath: str) -> Path:
    return root / relpath if relpath else root


def read_mutated(fmt: str, which: int, kind: str, pick: int, choice: int):
    """The outcome of reading ``fmt``'s input with one mutation, and the path it changed."""
    source, files = JSON_INPUTS[fmt]
    with copied(source) as root:
        path = target_file(root, files[which % len(files)])
        tree = json.loads(path.read_text(encoding="utf-8"))
        paths = list(paths_in(tree))
        where = paths[pick % len(paths)]
        path.write_text(json.dumps(mutate(tree, kind, where, choice)))
        return read(fmt, root), where


def assert_rows_kept(fmt: str, kind: str, where: tuple, outcome: pd.DataFrame) -> None:
    original = read(fmt, JSON_INPUTS[fmt][0])
    assert isinstance(original, pd.DataFrame) and len(original)
    if kind == "delete" and len(where) == 1 and where[0] in OPTIONAL_SECTIONS.get(fmt, ()):
        # an export without one of its sections is a valid export: fewer rows, never new ones
        assert set(keys(outcome)) < set(keys(original)), (kind, where)
    elif (
        fmt == "github"
        and kind == "delete"
        and len(where) == 3  # the statuses key itself; inside its list, delete changes nothing
        and where[0::2] == ("deployments", "statuses")
    ):
        # a deployment without its statuses is the deployments listing's own shape: that
        # deployment becomes one row at its creation, every other row stays
        tree = json.loads(JSON_INPUTS[fmt][0].read_text(encoding="utf-8"))
        deployment = tree["deployments"][where[1]]
        own = f"{tree['repo']}@{deployment['id']}"

        def others(rows: pd.DataFrame) -> list:
            return [k for k in keys(rows) if k[0] != own and not k[0].startswith(own + "/")]

        assert others(outcome) == others(original), (kind, where)
        created = pd.Timestamp(deployment["created_at"])
        assert [k for k in keys(outcome) if k not in others(outcome)] == [(own, created)]
    elif (
        fmt == "github"
        and kind == "delete"
        and where[0:1] + where[2:4] == ("commits", "commit", "committer")
        and where[4:] in ((), ("date",))
    ):
        # documented: a commit without a committer date is dated by its authored date
        commit = json.loads(JSON_INPUTS[fmt][0].read_text(encoding="utf-8"))["commits"][where[1]]
        authored = pd.Timestamp(commit["commit"]["author"]["date"])
        expected = [(ref, authored if ref == commit["sha"] else ts) for ref, ts in keys(original)]
        assert keys(outcome) == sorted(expected), (kind, where)
    else:
        assert keys(outcome) == keys(original), (kind, where)


@FUZZ
@given(fmt=st.sampled_from(sorted(JSON_INPUTS)), which=st.integers(0, 3), mutation=json_mutation)
def test_json_structure_mutations_keep_the_rows_or_are_refused(fmt, which, mutation):
    kind, pick, choice = mutation
    outcome, where = read_mutated(fmt, which, kind, pick, choice)
    if isinstance(outcome, pd.DataFrame):
        assert_rows_kept(fmt, kind, where, outcome)


def pick_of(fmt: str, where: tuple) -> int:
    tree = json.loads(JSON_INPUTS[fmt][0].read_text(encoding="utf-8"))
    return list(paths_in(tree)).index(where)


# Mutations once seen to change the rows, kept as explicit examples: a deployment status
# without its ID would be the deployment's own row, one without its state would no longer be
# an inactive status left out; a pull request without merged_at, or a release without
# published_at, would be taken for unmerged or a draft.
@pytest.mark.parametrize(
    ("where", "said"),
    [
        (("deployments", 0, "statuses", 1, "id"), "deployment 101 status #2: has no 'id'"),
        (("deployments", 2, "statuses", 0, "id"), "status #1: has no 'id'"),
        (("deployments", 0, "statuses", 2, "state"), "status #3 (1003): has no 'state'"),
        (("pulls", 0, "merged_at"), "pull request #1"),
        (("releases", 0, "published_at"), "release #1"),
    ],
)
def test_a_github_record_without_what_makes_its_row_is_refused_naming_the_field(where, said):
    outcome, changed = read_mutated("github", 0, "delete", pick_of("github", where), 0)
    assert changed == where
    assert isinstance(outcome, PostmortemError), keys(outcome)
    message = str(outcome)
    assert said in message and f"has no {where[-1]!r}" in message
    assert "export_checkout.json" in message and "\n" not in message


def test_a_commit_without_its_committer_date_is_dated_by_its_authored_date():
    where = ("commits", 1, "commit", "committer", "date")
    outcome, _ = read_mutated("github", 0, "delete", pick_of("github", where), 0)
    assert isinstance(outcome, pd.DataFrame)
    assert_rows_kept("github", "delete", where, outcome)


def test_a_commit_without_its_committer_name_keeps_every_row_and_time():
    where = ("commits", 2, "commit", "committer", "name")
    outcome, changed = read_mutated("github", 0, "delete", pick_of("github", where), 0)
    assert changed == where and isinstance(outcome, pd.DataFrame)
    assert_rows_kept("github", "delete", where, outcome)


def test_a_deployment_without_its_statuses_is_one_row_at_its_creation():
    where = ("deployments", 0, "statuses")
    outcome, _ = read_mutated("github", 0, "delete", pick_of("github", where), 0)
    assert isinstance(outcome, pd.DataFrame)
    assert_rows_kept("github", "delete", where, outcome)


@FUZZ
@given(fmt=st.sampled_from(sorted(JSON_INPUTS)), which=st.integers(0, 3), cut=st.floats(0, 1))
def test_truncated_json_is_refused(fmt, which, cut):
    source, files = JSON_INPUTS[fmt]
    original = read(fmt, source)
    with copied(source) as root:
        path = target_file(root, files[which % len(files)])
        data = path.read_bytes().rstrip()
        path.write_bytes(data[: int(len(data) * cut) if cut < 1 else len(data) - 1])
        outcome = read(fmt, root)
    if isinstance(outcome, pd.DataFrame):  # only a cut that leaves the same JSON may pass
        assert keys(outcome) == keys(original)


def flipped(data: bytes, flips: list[tuple[float, int]]) -> bytes:
    out = bytearray(data)
    for where, value in flips:
        out[min(int(where * len(out)), len(out) - 1)] = value
    return bytes(out)


byte_flips = st.lists(st.tuples(st.floats(0, 1), st.integers(0, 255)), min_size=1, max_size=8)


@FUZZ
@given(fmt=st.sampled_from(sorted(JSON_INPUTS)), which=st.integers(0, 3), flips=byte_flips)
def test_flipped_bytes_never_give_a_traceback(fmt, which, flips):
    source, files = JSON_INPUTS[fmt]
    with copied(source) as root:
        path = target_file(root, files[which % len(files)])
        path.write_bytes(flipped(path.read_bytes(), flips))
        read(fmt, root)  # a one-line error or a valid frame; anything else fails


# -- text formats -------------------------------------------------------------------------------

TEXT_MUTATIONS: dict[str, Callable[[bytes, Any], bytes]] = {
    "truncate": lambda data, arg: data[: int(len(data) * arg[0])],
    "flip": lambda data, arg: flipped(data, [arg]),
    "huge": lambda data, arg: (
        data[: int(len(data) * arg[0])] + HUGE.encode() + data[int(len(data) * arg[0]) :]
    ),
}


@FUZZ
@given(
    fmt=st.sampled_from([*sorted(TEXT_INPUTS), "jsonl"]),
    kind=st.sampled_from(sorted(TEXT_MUTATIONS)),
    arg=st.tuples(st.floats(0, 1), st.integers(0, 255)),
)
def test_text_inputs_keep_their_rows_or_are_refused(fmt, kind, arg):
    source = JSON_LINES if fmt == "jsonl" else TEXT_INPUTS[fmt]
    reader_format = "table" if fmt == "jsonl" else fmt
    original = read(reader_format, source)
    assert isinstance(original, pd.DataFrame) and len(original)
    with copied(source) as path:
        path.write_bytes(TEXT_MUTATIONS[kind](path.read_bytes(), arg))
        outcome = read(reader_format, path)
    if isinstance(outcome, pd.DataFrame) and reader_format == "table":
        # A damaged table never gains a row: each row still needs its own time and event.
        assert len(outcome) <= len(original)


@FUZZ
@given(fmt=st.sampled_from(sorted(FORMATS)), garbage=st.binary(min_size=0, max_size=400))
def test_garbage_is_refused(fmt, garbage):
    suffix = {"table": ".csv", "notes": ".txt", "slack-export": ".zip"}.get(fmt, ".json")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"input{suffix}"
        path.write_bytes(garbage)
        outcome = read(fmt, path)
    if fmt != "notes":  # any text is a valid notes file; it must still not give a traceback
        assert isinstance(outcome, PostmortemError), outcome


def test_a_commit_without_a_committer_date_stays_at_its_authored_date() -> None:
    source, files = JSON_INPUTS["github"]
    original = read("github", source)
    with copied(source) as root:
        path = target_file(root, files[0])
        tree = json.loads(path.read_text(encoding="utf-8"))
        commit = tree["commits"][0]
        del commit["commit"]["committer"]["date"]
        path.write_text(json.dumps(tree))
        outcome = read("github", root)
    assert isinstance(outcome, pd.DataFrame)
    assert sorted(outcome["ref"]) == sorted(original["ref"])
    row = outcome[outcome["ref"] == commit["sha"]].iloc[0]
    assert row["ts"] == pd.Timestamp(commit["commit"]["author"]["date"])
    assert row["summary"].startswith("Authored ")
