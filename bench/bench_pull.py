"""Time `postmortem pull` as a user runs it (a fresh process, start-up to the last file written)
on a synthetic Slack export, against baselines timed in the same run; prints figures, asserts
nothing.

    python bench/bench_pull.py [--year DIR] [--month DIR] [--workdir DIR] [--repeat 3]
                               [--window-only]

(1) The whole year of the busiest channel of a 1,000,000-message, 365-day export, against
    ``json.loads`` of that channel's day files (target: at most 4x) and against the naive
    per-row script bench/naive_slack_csv.py (target: the pull at least 8x faster).
(2) The pull's peak RSS (the child's own, from wait4) against the channel's bytes (target: at
    most 3x).
(3) The size of timeline.md (target: at most 1 MB), and every message in events.parquet and
    events.csv.
(4) A 2-hour window of the same channel from a 30-day and from the 365-day export of the same
    density, against the import floor ``python -c "import pandas, pyarrow.parquet"`` (target:
    at most 1.25x, and flat).

Without --year / --month the exports are generated (bench/make_slack_export.py, the first
channel holding 40% of the messages) under --workdir, which takes a few minutes. Runs are
interleaved so that every contender sees the same machine load; figures are medians. Each
figure is given as wall seconds and as CPU seconds (user + system): on a loaded machine the
CPU figure is the steadier one. One untimed pull runs first with bytecode writing on, so that
the tool's modules load from their .pyc files as in any installed copy (pip compiles them;
pandas and pyarrow of the floor have theirs), even where PYTHONDONTWRITEBYTECODE is set.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
from make_slack_export import START, write_export  # noqa: E402

CHANNEL = "channel-0"  # make_slack_export gives the first channel the --busiest-share
BUSIEST_SHARE = 0.4
POSTMORTEM = str(Path(sys.executable).with_name("postmortem"))


class Timing:
    """Wall and CPU seconds of runs of one contender, and peak RSS for child processes."""

    def __init__(self) -> None:
        self.wall: list[float] = []
        self.cpu: list[float] = []
        self.peak: list[int] = []

    def add(self, wall: float, cpu: float, peak: int = 0) -> None:
        self.wall.append(wall)
        self.cpu.append(cpu)
        self.peak.append(peak)

    @property
    def last(self) -> str:
        return f"{self.wall[-1]:.2f} s ({self.cpu[-1]:.2f} CPU)"

    def median(self, what: str = "wall") -> float:
        return statistics.median(getattr(self, what))

    def __str__(self) -> str:
        return f"{self.median():8.2f} s wall {self.median('cpu'):8.2f} s CPU"


def run_child(command: list[str], timing: Timing) -> None:
    """Run a command to its end, adding its wall and CPU seconds and its own peak RSS."""
    started = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise SystemExit(f"{command[:3]} failed ({child.returncode}): {child.stderr.read()!r}")
    child.stderr.close()
    timing.add(seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss * 1024)


def json_loads(folder: Path, timing: Timing) -> int:
    started, cpu = time.perf_counter(), time.process_time()
    messages = 0
    for path in sorted(folder.glob("*.json")):
        messages += len(json.loads(path.read_bytes()))
    timing.add(time.perf_counter() - started, time.process_time() - cpu)
    return messages


def pull_command(export: Path, out: Path, start: datetime, end: datetime) -> list[str]:
    return [
        POSTMORTEM, "pull", "--from", f"slack-export:{export}", "--channel", CHANNEL,
        "--since", start.isoformat(), "--until", end.isoformat(),
        "--slack-workspace-url", "https://acme.slack.com", "--id", "BENCH", "--out", str(out), "-q",
    ]  # fmt: skip


def csv_rows(path: Path) -> int:
    with path.open(newline="", encoding="utf-8") as handle:
        return sum(1 for _ in csv.reader(handle)) - 1


def parquet_rows(path: Path) -> int:
    import pyarrow.parquet as pq

    return pq.read_metadata(path).num_rows


def whole_year(export: Path, days: int, repeat: int, scratch: Path) -> None:
    folder = export / CHANNEL
    channel_bytes = sum(p.stat().st_size for p in folder.glob("*.json"))
    day_files = len(list(folder.glob("*.json")))
    end = START + timedelta(days=days + 1)
    out = scratch / "year"
    loads, pulls, naives = Timing(), Timing(), Timing()
    json_loads(folder, Timing())  # warm the page cache for every contender
    for run in range(1, repeat + 1):
        messages = json_loads(folder, loads)
        shutil.rmtree(out, ignore_errors=True)
        run_child(pull_command(export, out, START - timedelta(days=1), end), pulls)
        naive = [sys.executable, str(BENCH / "naive_slack_csv.py"), str(export), CHANNEL]
        run_child([*naive, str(scratch / "naive.csv")], naives)
        print(f"  run {run}: loads {loads.last}, pull {pulls.last}, naive {naives.last}; "
              f"load average {os.getloadavg()[0]:.1f}", flush=True)  # fmt: skip
    bundle = out / "BENCH"
    print(f"  #{CHANNEL}: {messages:,} messages, {day_files} day files, "
          f"{channel_bytes / 1e6:,.0f} MB; medians of {repeat} runs")  # fmt: skip
    print(f"  json.loads of the day files  {loads}")
    print(f"  naive per-row script         {naives}")
    print(f"  postmortem pull, whole year  {pulls}")
    for what in ("wall", "cpu"):
        name = "wall" if what == "wall" else "CPU "
        ratio = pulls.median(what) / loads.median(what)
        faster = naives.median(what) / pulls.median(what)
        print(f"  (1) {name}: pull / json.loads {ratio:6.2f} x (target <= 4); "
              f"naive / pull {faster:6.2f} x (target >= 8)")  # fmt: skip
    peak = statistics.median(pulls.peak)
    print(f"  (2) peak RSS of the pull     {peak / 1e6:8,.0f} MB = "
          f"{peak / channel_bytes:.2f} x the channel's bytes (target <= 3)")  # fmt: skip
    timeline = (bundle / "timeline.md").stat().st_size
    print(f"  (3) timeline.md              {timeline / 1e6:8.2f} MB  (target <= 1)")
    summary = json.loads((bundle / "summary.json").read_text(encoding="utf-8"))
    print(f"      key rows                 {summary['counts']['key_events']:8,}")
    print(f"      events.parquet rows      {parquet_rows(bundle / 'events.parquet'):8,}")
    print(f"      events.csv rows          {csv_rows(bundle / 'events.csv'):8,}")
    print(f"      messages in the channel  {messages:8,}")


def warm_up(export: Path, scratch: Path) -> None:
    """One untimed window pull with bytecode writing on (see the module docstring)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    start = START + timedelta(hours=9)
    command = pull_command(export, scratch / "warm-up", start, start + timedelta(hours=2))
    subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL)


def window(exports: list[tuple[Path, int]], repeat: int, scratch: Path) -> None:
    floor_command = [sys.executable, "-c", "import pandas, pyarrow.parquet"]
    floor = Timing()
    pulls = {days: Timing() for _, days in exports}
    for _ in range(repeat):
        run_child(floor_command, floor)
        for export, days in exports:
            start = START + timedelta(days=days // 2, hours=9)
            out = scratch / f"window-{days}"
            shutil.rmtree(out, ignore_errors=True)
            run_child(pull_command(export, out, start, start + timedelta(hours=2)), pulls[days])
    print(f"  import floor (pandas, pyarrow.parquet) {floor}; medians of {repeat} runs")
    for _, days in exports:
        timing = pulls[days]
        ratios = " / ".join(
            f"{timing.median(what) / floor.median(what):.2f} x {what}" for what in ("wall", "cpu")
        )
        print(f"  (4) {days:3d}-day export, 2-hour window {timing}: {ratios} of the floor "
              "(target <= 1.25)")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--year", type=Path, help="a 365-day export made by make_slack_export")
    parser.add_argument("--month", type=Path, help="a 30-day export of the same density")
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--short-days", type=int, default=30)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--window-repeat", type=int, default=7)
    parser.add_argument("--workdir", type=Path, help="where to write exports (default: temp)")
    parser.add_argument("--window-only", action="store_true", help="only (4), the 2-hour window")
    args = parser.parse_args()
    loadavg = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"{os.cpu_count()} cores, load average {loadavg}, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    with tempfile.TemporaryDirectory(dir=args.workdir) as tmp:
        scratch = Path(tmp)
        year, month = args.year, args.month
        if year is None:
            year = scratch / "year"
            write_export(year, args.messages, args.days, 10, seed=1, busiest_share=BUSIEST_SHARE)
        if month is None:
            month = scratch / "month"
            short = args.messages * args.short_days // args.days
            write_export(month, short, args.short_days, 10, seed=2, busiest_share=BUSIEST_SHARE)
        warm_up(month, scratch)
        if not args.window_only:
            print("\nwhole year of the busiest channel")
            whole_year(year, args.days, args.repeat, scratch)
        print("\n2-hour window")
        window([(month, args.short_days), (year, args.days)], args.window_repeat, scratch)
        loadavg = ", ".join(f"{x:.2f}" for x in os.getloadavg())
        print(f"\nload average at the end {loadavg}")


if __name__ == "__main__":
    main()
