"""The bundle: one folder per incident, written atomically, read back for drafts and reviews.

:func:`write_atomically` is the tool's one way of writing anything: bundles, drafts, the
export's state file and archive tables.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import threading
import unicodedata
import uuid
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import msgspec
import orjson
import pandas as pd

from ingest.errors import BundleError, PostmortemError
from ingest.schema import COLUMNS, STRING, validate
from timeline.summary import Summary

EVENTS_PARQUET = "events.parquet"
EVENTS_CSV = "events.csv"
SUMMARY_JSON = "summary.json"
TIMELINE_MD = "timeline.md"


class Bundle(msgspec.Struct, frozen=True):
    """What a pull produces, finished: the ordered events frame and the summary."""

    frame: pd.DataFrame
    summary: Summary

    @property
    def name(self) -> str:
        return folder_name(self.summary.incident.id, self.summary.incident.title)


def folder_name(incident_id: str, title: str) -> str:
    """The bundle folder: the incident ID, else a slug of the title."""
    for candidate in (incident_id, title):
        slug = slugify(candidate)
        if slug:
            return slug
    return "incident"


def slugify(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    text = re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-.")
    return text[:80]


def write_bundle(
    bundle: Bundle,
    out_dir: Path,
    files: Mapping[str, str] | Callable[[], Mapping[str, str]],
    *,
    name: str | None = None,
) -> Path:
    """Write the bundle to ``out_dir/NAME`` atomically and return that path.

    ``files`` are extra rendered documents (``timeline.md`` at least), or a function that
    renders them: it then runs while the events files are written, on another core.
    Everything is written into a temporary folder beside the target, which is renamed into
    place at the end: a crash leaves no half bundle, and an earlier bundle of the same
    incident is replaced whole.
    """
    validate(bundle.frame)
    target = out_dir / (name or bundle.name)

    def fill(staging: Path) -> None:
        import pyarrow as pa

        table = pa.Table.from_pandas(bundle.frame, preserve_index=False)
        # Arrow lets go of the interpreter while it writes: the Parquet file and the CSV are
        # written on other cores while the documents render. Only the Arrow table crosses to
        # the other threads; the frame stays with this one.
        with ThreadPoolExecutor(2) as beside:
            events = [
                beside.submit(_flushed, _write_parquet, table, staging / EVENTS_PARQUET),
                beside.submit(_flushed, _write_csv, table, staging / EVENTS_CSV),
            ]
            (staging / SUMMARY_JSON).write_bytes(summary_bytes(bundle.summary))
            for filename, text in (files() if callable(files) else files).items():
                (staging / filename).write_text(text, encoding="utf-8")
            for written in events:
                written.result()

    write_atomically(target, fill, folder=True)
    return target


def summary_bytes(summary: Summary) -> bytes:
    """summary.json: the summary as JSON indented by two spaces, in UTF-8, as
    ``json.dumps(..., indent=2, ensure_ascii=False)`` writes it, but at C speed."""
    options = orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS
    return orjson.dumps(summary.to_json(), option=options) + b"\n"


def write_atomically(
    target: Path, content: str | Callable[[Path], None], *, folder: bool = False
) -> None:
    """Write ``target`` (a file, or with ``folder`` a whole folder) so that no reader ever sees
    half of it: ``content`` (text, or a function given the temporary path) goes to a hidden
    ``.NAME.*.tmp`` sibling on the same file system, which is flushed to disk and renamed into
    place. A failure leaves the old ``target`` as it was and removes the temporary; a crash
    leaves at worst the hidden temporary, which readers ignore (and
    ``timeline.export.archive.clean_staging`` removes).
    """
    target = Path(target)
    temporary = target.parent / f".{target.name}.{uuid.uuid4().hex}.tmp"
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        if folder:
            temporary.mkdir()
        if isinstance(content, str):
            temporary.write_text(content, encoding="utf-8")
        else:
            content(temporary)
        for written in temporary.iterdir() if folder else (temporary,):
            with open(written, "rb") as handle:
                os.fsync(handle.fileno())
        if folder:
            _replace_dir(temporary, target)
        else:
            os.replace(temporary, target)
    except OSError as e:
        _remove(temporary)
        raise BundleError(f"{target}: cannot write ({e.strerror or e})") from e
    except BaseException:
        _remove(temporary)
        raise


def read_bundle(path: Path) -> Bundle:
    """Read a bundle folder back; BundleError naming the folder and the missing file."""
    for required in (EVENTS_PARQUET, SUMMARY_JSON):
        if not (path / required).exists():
            raise BundleError(
                f"{path}: not a bundle (no {required}); give a folder written by 'postmortem pull'"
            )
    try:
        summary = Summary.from_json(json.loads((path / SUMMARY_JSON).read_text(encoding="utf-8")))
        frame = pd.read_parquet(path / EVENTS_PARQUET)
    except (OSError, ValueError, TypeError, AttributeError, PostmortemError) as e:
        raise BundleError(f"{path}: the bundle is damaged ({e}); pull it again") from e
    frame = frame.reindex(columns=list(COLUMNS))
    # A bundle written before a column existed reads it as empty.
    text = [name for name, dtype in COLUMNS.items() if dtype is STRING]
    frame[text] = frame[text].fillna("")
    frame["key"] = frame["key"].fillna(False)
    frame = frame.astype(COLUMNS)
    return Bundle(frame=frame, summary=summary)


def _flushed(write: Callable[[Any, Path], None], table: Any, path: Path) -> None:
    """``write(table, path)``, flushed to disk while it is written (``write_atomically`` then
    finds nothing left to flush).

    The disk takes the file as it grows, from a thread that flushes what has been written so
    far every few hundredths of a second: flushed only at the end, a year of chat (200 MB)
    kept the pull waiting half a second after the last byte was written."""
    path.touch()
    with open(path, "rb") as handle:
        stop = threading.Event()
        flusher = threading.Thread(target=_flush_until, args=(handle.fileno(), stop))
        flusher.start()
        try:
            write(table, path)
        finally:
            stop.set()
            flusher.join()
        os.fsync(handle.fileno())


def _flush_until(descriptor: int, stop: threading.Event) -> None:
    flush = getattr(os, "fdatasync", os.fsync)  # macOS has no fdatasync
    with contextlib.suppress(OSError):  # a disk that fails is reported by the last fsync
        while not stop.wait(FLUSH_EVERY):
            flush(descriptor)


FLUSH_EVERY = 0.05  # seconds


def _write_parquet(table: Any, path: Path) -> None:
    """The events as Parquet. Text that repeats from row to row (names, channels, tags, rules)
    is stored once in a dictionary, and only columns a reader selects rows by get min/max
    statistics: text new on every row (summaries, refs, links, hashes) gains from neither, and
    trying both cost a third of the writing time. The hashes are stored uncompressed: random
    hex shrinks by 3% under Snappy, for a quarter of the writing time."""
    import pyarrow.parquet as pq

    codecs = {name: "none" if name == "raw_sha256" else "snappy" for name in table.column_names}
    pq.write_table(
        table,
        path,
        use_dictionary=list(_REPEATED_COLUMNS),
        write_statistics=list(_RANGE_COLUMNS),
        compression=codecs,
    )


_REPEATED_COLUMNS = (
    "source", "kind", "actor", "channel", "thread_ref", "subtype", "tags", "kind_rule",
    "key_rule", "twin_ref", "key",
)  # fmt: skip
_RANGE_COLUMNS = ("ts", "edited_at", "source", "kind", "key")


def _write_csv(table: Any, csv_path: Path) -> None:
    """The events as CSV: times ISO 8601 with Z and microseconds, empty when unknown; ``key``
    is True or False."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pa_csv

    columns = []
    for column in table.itercolumns():
        if pa.types.is_timestamp(column.type):
            micros = pc.cast(column, pa.timestamp("us", tz="UTC"), safe=False)
            # The zone dropped, the UTC wall time stays: Arrow writes that seven times faster
            # than strftime, as "2024-01-01 08:06:28.000000".
            naive = micros.cast(pa.int64()).cast(pa.timestamp("us"))
            text = pc.replace_substring(naive.cast(pa.string()), " ", "T", max_replacements=1)
            column = pc.fill_null(pc.binary_join_element_wise(text, "Z", ""), "")
        elif pa.types.is_boolean(column.type):
            column = pc.if_else(column, "True", "False")
        elif pa.types.is_dictionary(column.type):
            column = column.cast(pa.string())
        columns.append(column)
    pa_csv.write_csv(pa.table(columns, names=table.column_names), csv_path)


def _replace_dir(staging: Path, target: Path) -> None:
    if not target.exists():
        os.rename(staging, target)
        return
    old = target.with_name(f".{target.name}.old")
    shutil.rmtree(old, ignore_errors=True)
    os.rename(target, old)
    os.rename(staging, target)
    shutil.rmtree(old, ignore_errors=True)


def _remove(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path, ignore_errors=True)
    else:
        with contextlib.suppress(OSError):
            path.unlink(missing_ok=True)
