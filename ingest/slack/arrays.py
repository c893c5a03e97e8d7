"""Column lists of Slack messages to one Arrow record batch, without pandas.

This runs where the lists were made: in a worker process for a long read, so that only Arrow
buffers (cheap to send) come back, and the pull itself does not turn a year of strings into
Arrow one by one. A batch is only made when every value is as Slack writes it; otherwise the
caller keeps the lists and reports the first wrong value from them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from itertools import chain
from typing import Any, NamedTuple

import pyarrow as pa
import pyarrow.compute as pc

from ingest.errors import InputError
from ingest.slack.columns import CANONICAL_TS, day_columns

# Columns of message_columns kept as text as they are; "ts", "edited" and "thread_ts" become
# times, the reply flag, the ref, the thread ref and the permalink.
KEPT_TEXT = ("actor", "summary", "raw_sha256", "subtype", "tags")
TEXT_COLUMNS = (*KEPT_TEXT, "ref", "url", "thread_ref")
TIME = pa.timestamp("ns", tz="UTC")

# Any Slack ts: digits, and a dot and digits of fraction if any.
SLACK_TS = re.compile(r"([0-9]+)(?:\.([0-9]*))?")


def day_batches(
    days: Sequence[bytes | InputError], *, workspace_url: str, **options: Any
) -> Batches:
    """Day files' bytes (or the error reading one gave) to :class:`Batches`: for each file,
    what :func:`ingest.slack.columns.day_columns` (same options) gives, with the columns of
    all the files as one record batch (:func:`columns_batch`). The Arrow work is done once for
    them all: its fixed cost per call would otherwise be paid again for each day file."""
    outcomes: list[Any] = []
    for data in days:
        try:
            outcomes.append(data if isinstance(data, InputError) else day_columns(data, **options))
        except InputError as e:
            outcomes.append(e)
    read = [outcome for outcome in outcomes if not isinstance(outcome, InputError)]
    if not read:
        return Batches(None, outcomes)
    joined = {
        name: list(chain.from_iterable(columns[name] for columns, _ in read)) for name in read[0][0]
    }
    batch = columns_batch(joined, channel_id=options["channel_id"], workspace_url=workspace_url)
    if batch is None:  # a file has a wrong value: each file alone, to know which
        return Batches(None, [_alone(outcome, options, workspace_url) for outcome in outcomes])
    return Batches(
        batch,
        [
            outcome if isinstance(outcome, InputError) else (len(outcome[0]["ts"]), outcome[1])
            for outcome in outcomes
        ],
    )


# A day file as one record batch, or as column lists when a value is wrong; and its edits.
Reduced = tuple[pa.RecordBatch | dict[str, list[str]], dict[str, str]]


class Batches(NamedTuple):
    """What :func:`day_batches` gives, in a form that crosses between processes whole: one
    record batch (a slice of one would carry all of its buffers), and for each file its error,
    its :data:`Reduced`, or its number of rows in the batch and its edits."""

    batch: pa.RecordBatch | None
    outcomes: list[InputError | Reduced | tuple[int, dict[str, str]]]

    def per_file(self) -> list[Reduced | InputError]:
        """For each file, its :data:`Reduced` (its own slice of the batch) or its error."""
        files: list[Reduced | InputError] = []
        start = 0
        for outcome in self.outcomes:
            if isinstance(outcome, InputError) or self.batch is None:
                files.append(outcome)  # type: ignore[arg-type]
                continue
            rows, edits = outcome
            files.append((self.batch.slice(start, rows), edits))
            start += rows
        return files


def _alone(outcome: Any, options: Any, workspace_url: str) -> InputError | Reduced:
    if isinstance(outcome, InputError):
        return outcome
    columns, edits = outcome
    batch = columns_batch(columns, channel_id=options["channel_id"], workspace_url=workspace_url)
    return (columns if batch is None else batch), edits


def columns_batch(
    columns: Mapping[str, list[str]], *, channel_id: str, workspace_url: str = ""
) -> pa.RecordBatch | None:
    """``ts`` and ``edited`` as UTC times (``ts`` and ``edited_at``), the ``reply`` flag, the
    text columns, and ``ref`` (``CHANNEL/ts``), ``thread_ref`` (the parent's, on a reply) and
    ``url``: the permalink ``…/archives/CHANNEL/pTS`` (``?thread_ts=…&cid=…`` on a reply) under
    ``workspace_url``, empty without one. None when a time is not a Slack ``ts`` or a value
    is not text."""
    try:
        stamps = pa.array(columns["ts"], type=pa.string())
        parents = pa.array(columns["thread_ts"], type=pa.string())
        texts = [pa.array(columns[name], type=pa.large_string()) for name in KEPT_TEXT]
    except (TypeError, pa.ArrowException):  # a value that is not a string
        return None
    posted = slack_micros(stamps)
    edited_at = _edit_micros(columns["edited"])
    if posted is None or edited_at is None or parents.null_count:
        return None
    times = [_times(posted), _times(edited_at)]
    if None in times:
        return None
    reply = pc.and_(pc.not_equal(parents, ""), pc.not_equal(parents, stamps))
    prefix = channel_id + "/"
    refs = [
        pc.binary_join_element_wise(prefix, stamps, ""),
        _permalinks(stamps, parents, reply, channel_id, workspace_url),
        pc.if_else(reply, pc.binary_join_element_wise(prefix, parents, ""), ""),
    ]
    return pa.RecordBatch.from_arrays(
        [*times, reply, *texts, *(column.cast(pa.large_string()) for column in refs)],
        names=["ts", "edited_at", "reply", *TEXT_COLUMNS],
    )


def _permalinks(
    stamps: pa.Array, parents: pa.Array, reply: pa.Array, channel_id: str, workspace_url: str
) -> pa.Array:
    if not workspace_url:
        return pa.nulls(len(stamps), pa.string()).fill_null("")
    base = f"{workspace_url.rstrip('/')}/archives/{channel_id}/p"
    thread = pc.binary_join_element_wise("?thread_ts=", parents, f"&cid={channel_id}", "")
    digits = pc.replace_substring(stamps, ".", "")
    return pc.binary_join_element_wise(base, digits, pc.if_else(reply, thread, ""), "")


def _edit_micros(edited: Sequence[str]) -> pa.Array | None:
    """The edit stamps as microseconds, null where there is none (""; most messages)."""
    try:
        text = pa.array(edited, type=pa.string())
    except (pa.ArrowInvalid, pa.ArrowTypeError):  # a value that is not a string
        return None
    present = pc.not_equal(text, "")
    if not pc.any(present).as_py():
        return pa.nulls(len(text), pa.int64())
    rows = pc.indices_nonzero(present).to_pylist()
    micros = slack_micros(text.take(rows).to_pylist())
    if micros is None:
        return None
    edited_at = [None] * len(text)
    for row, value in zip(rows, micros.to_pylist(), strict=True):
        edited_at[row] = value
    return pa.array(edited_at, type=pa.int64())


def slack_micros(stamps: Sequence[str] | pa.Array) -> pa.Array | None:
    """Slack ``ts`` strings to integer microseconds, exact (never via float); None when one is
    not a string of digits with an optional dot and fraction.

    Real ones all have the shape ``1355517523.000005``, which Arrow reads at C speed."""
    try:
        arrow = stamps if isinstance(stamps, pa.Array) else pa.array(stamps, type=pa.string())
    except (pa.ArrowInvalid, pa.ArrowTypeError):  # a value that is not a string
        return None
    if arrow.null_count:
        return None
    if not len(arrow) or pc.all(pc.match_substring_regex(arrow, f"^{CANONICAL_TS}$")).as_py():
        return pc.cast(pc.replace_substring(arrow, ".", ""), pa.int64())
    micros = []
    for stamp in arrow.to_pylist():
        match = SLACK_TS.fullmatch(stamp)
        if match is None:
            return None
        seconds, fraction = match.group(1), (match.group(2) or "")[:6]
        micros.append(int(seconds) * 1_000_000 + int(fraction.ljust(6, "0")))
    try:
        return pa.array(micros, type=pa.int64())
    except (pa.ArrowInvalid, OverflowError):  # beyond any time a clock can give
        return None


def _times(micros: pa.Array) -> pa.Array | None:
    try:
        return pc.multiply_checked(micros, 1_000).cast(TIME)
    except pa.ArrowInvalid:  # beyond the year 2262, which nanoseconds cannot hold
        return None
