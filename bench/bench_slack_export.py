"""Benchmark the Slack export reader against plain JSON parsing; prints figures, asserts nothing.

    python bench/bench_slack_export.py [--messages 1000000] [--days 365] [--zip] [--workdir DIR]

(a) Whole export: seconds to ``json.loads`` every day file vs. seconds to normalise the whole
    export with ``read_slack_export`` (target: at most 1.5x), and the reader's peak memory, in
    a fresh process, vs. the export's bytes (target: at most 3x).
(b) A 2-hour window from a 30-day and from a 365-day export of the same density
    (target: under 1 s each, and flat).
Exports are generated at run time (bench/make_slack_export.py) in a temporary folder.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_slack_export import START, write_export, zip_export  # noqa: E402

from ingest.schema import concat  # noqa: E402
from ingest.slack.export import read_slack_export  # noqa: E402
from ingest.types import ReadContext, Window  # noqa: E402

WORKSPACE = "https://acme.slack.com"


def best_of(repeat: int, action) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        best = min(best, time.perf_counter() - started)
    return best


def json_loads_all(root: Path) -> None:
    for path in sorted(root.rglob("*.json")):
        json.loads(path.read_bytes())


def read_all(root: Path) -> int:
    rows = 0
    for page in read_slack_export(root, ReadContext(workspace_url=WORKSPACE)):
        rows += len(page)
    return rows


def peak_memory(root: Path, keep: bool) -> dict:
    """Peak RSS of a fresh process that reads the export (keeping the frame when ``keep``)."""
    command = [sys.executable, __file__, "--child", str(root)] + (["--keep"] if keep else [])
    out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def child(root: Path, keep: bool) -> None:
    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    pages = read_slack_export(root, ReadContext(workspace_url=WORKSPACE))
    if keep:
        frame = concat(pages)
        rows, frame_bytes = len(frame), int(frame.memory_usage(deep=True).sum())
    else:
        rows, frame_bytes = sum(len(page) for page in pages), 0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(json.dumps({"baseline": baseline, "peak": peak, "rows": rows, "frame": frame_bytes}))


def window_seconds(path: Path, day: int, repeat: int) -> tuple[float, int]:
    start = pd.Timestamp(START) + pd.Timedelta(days=day, hours=9)
    window = Window(start, start + pd.Timedelta(hours=2))
    rows = 0

    def pull() -> None:
        nonlocal rows
        rows = len(concat(read_slack_export(path, ReadContext(window=window))))

    return best_of(repeat, pull), rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--short-days", type=int, default=30)
    parser.add_argument("--channels", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=3, help="runs of (a), best taken")
    parser.add_argument("--zip", action="store_true", help="also time windows from ZIP exports")
    parser.add_argument("--workdir", type=Path, help="where to write exports (default: temp)")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--keep", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.keep)
        return

    with tempfile.TemporaryDirectory(dir=args.workdir) as tmp:
        long_root, short_root = Path(tmp) / "long", Path(tmp) / "short"
        short_messages = args.messages * args.short_days // args.days
        started = time.perf_counter()
        size = write_export(long_root, args.messages, args.days, args.channels, seed=1)
        write_export(short_root, short_messages, args.short_days, args.channels, seed=2)
        if args.zip:
            zip_export(long_root, long_root.with_suffix(".zip"))
            zip_export(short_root, short_root.with_suffix(".zip"))
        print(f"generated exports in {time.perf_counter() - started:.0f} s")
        day_files = sum(1 for _ in long_root.rglob("*-*-*.json"))
        print(
            f"export: {args.messages:,} messages, {args.days} days, {args.channels} channels, "
            f"{day_files:,} day files, {size / 1e6:,.0f} MB ({size / args.messages:.0f} B/message)"
        )

        print("\n(a) whole export")
        json_loads_all(long_root)  # warm the page cache for both contenders
        loads, normalise, ratios = [], [], []
        for _ in range(args.repeat):  # interleaved, so that both see the same machine load
            loads.append(best_of(1, lambda: json_loads_all(long_root)))
            normalise.append(best_of(1, lambda: read_all(long_root)))
            ratios.append(normalise[-1] / loads[-1])
        rows = read_all(long_root)
        print(f"  json.loads every day file   {min(loads):8.2f} s  (best of {args.repeat})")
        print(f"  read_slack_export, all rows {min(normalise):8.2f} s  ({rows:,} rows)")
        print(
            f"  ratio                       {min(normalise) / min(loads):8.2f} x   (target <= 1.5;"
            f" per run {', '.join(f'{r:.2f}' for r in ratios)})"
        )
        for keep, label in ((False, "streaming pages"), (True, "kept as one frame")):
            mem = peak_memory(long_root, keep)
            print(
                f"  peak RSS, {label:17s} {mem['peak'] / 1e6:8,.0f} MB = "
                f"{mem['peak'] / size:.2f} x export (interpreter + imports "
                f"{mem['baseline'] / 1e6:,.0f} MB)"
                + (f"; frame {mem['frame'] / 1e6:,.0f} MB" if keep else "")
            )

        print("\n(b) a 2-hour window")
        targets = [(short_root, args.short_days), (long_root, args.days)]
        if args.zip:
            targets += [(short_root.with_suffix(".zip"), args.short_days)]
            targets += [(long_root.with_suffix(".zip"), args.days)]
        for path, days in targets:
            seconds, rows = window_seconds(path, days // 2, repeat=3)
            form = "zip" if path.suffix == ".zip" else "folder"
            print(f"  {days:4d}-day export ({form:6s}) {seconds:8.3f} s  ({rows:,} rows)")


if __name__ == "__main__":
    main()
