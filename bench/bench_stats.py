"""Benchmark `postmortem stats` over a large archive; prints figures, asserts nothing.

    python bench/bench_stats.py [--incidents 10000] [--events 5000000] [--workdir DIR]

Generates an archive at run time (incidents.parquet, and the events partitioned by incident as
`postmortem export` writes them), then times the stats command end to end in a fresh process
(interpreter start, imports, reading, grouping, printing) for each grouping and format, and
compute_stats alone in this process. Target: under 2 s end to end.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.dataset as ds

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ingest.schema import COLUMNS, frame_from_columns  # noqa: E402
from ingest.vocab import GAPS  # noqa: E402
from timeline.bundle import write_atomically  # noqa: E402
from timeline.export.archive import (  # noqa: E402
    EVENTS_DIR,
    INCIDENT_COLUMNS,
    INCIDENTS_FILE,  # noqa: E402
    rows_frame,
)
from timeline.export.stats import compute_stats  # noqa: E402

SERVICES = [f"service-{n:02d}" for n in range(40)]
SEVERITIES = ["SEV-1", "SEV-2", "SEV-3"]
START = pd.Timestamp("2024-01-01T00:00:00Z")


def make_incidents(count: int, rng: np.random.Generator) -> pd.DataFrame:
    opened = START + pd.to_timedelta(np.sort(rng.uniform(0, 730 * 86400, count)), unit="s")
    ids = [f"P{n:07d}" for n in range(count)]
    frame = pd.DataFrame(
        {
            "id": ids,
            "title": [f"Incident {n}" for n in range(count)],
            "service": rng.choice(SERVICES, count),
            "severity": rng.choice(SEVERITIES, count),
            "url": [f"https://acme.pagerduty.com/incidents/{i}" for i in ids],
            "created_at": opened,
            "bundle": ids,
            "events": 0,
            "exported_at": START,
        }
    )
    for gap in GAPS:
        values = rng.lognormal(6, 1.2, count)
        values[rng.random(count) < 0.15] = np.nan  # unknown ends
        frame[gap] = values
    frame["resolved_at"] = frame["created_at"] + pd.to_timedelta(
        frame["time_to_resolve"].fillna(3600), unit="s"
    )
    for name in ("status_pagerduty", "status_github", "status_slack"):
        frame[name] = "ok"
    return rows_frame(frame.reindex(columns=list(INCIDENT_COLUMNS)).to_dict("records"))


def write_events(
    archive: Path, incidents: pd.DataFrame, total: int, rng: np.random.Generator
) -> None:
    per = total // len(incidents)
    owner = np.repeat(incidents["id"].to_numpy(dtype=object), per)
    opened = np.repeat(incidents["created_at"].dt.tz_convert(None).to_numpy(), per)
    offsets = pd.to_timedelta(rng.uniform(-3600, 7200, len(owner)), unit="s").to_numpy()
    ts = pd.Series(opened + offsets).dt.tz_localize("UTC")
    n = len(owner)
    frame = frame_from_columns(
        {
            "ts": ts,
            "source": rng.choice(["pagerduty", "github", "slack"], n),
            "kind": rng.choice(["alert.triggered", "chat.message", "deploy.succeeded"], n),
            "actor": rng.choice(["priya", "marco", "deploy-bot"], n),
            "summary": "checkout 5xx rising",
            "ref": pd.Series(np.arange(n)).astype(str),
        },
        length=n,
    )
    frame["incident"] = owner
    table = pa.Table.from_pandas(frame, preserve_index=False)
    ds.write_dataset(
        table,
        archive / EVENTS_DIR,
        format="parquet",
        partitioning=["incident"],
        partitioning_flavor="hive",
        basename_template="events{i}.parquet",
        max_partitions=len(incidents) + 1,
        existing_data_behavior="overwrite_or_ignore",
    )
    assert list(frame.columns[:-1]) == list(COLUMNS)


def timed_command(archive: Path, *args: str) -> float:
    code = "import sys; from timeline.cli.export import stats; stats(sys.argv[1:])"
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-c", code, str(archive), *args],
        check=True,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--incidents", type=int, default=10_000)
    parser.add_argument("--events", type=int, default=5_000_000)
    parser.add_argument("--workdir", type=Path)
    args = parser.parse_args()
    rng = np.random.default_rng(7)
    with tempfile.TemporaryDirectory(dir=args.workdir) as folder:
        archive = Path(folder) / "archive"
        started = time.perf_counter()
        incidents = make_incidents(args.incidents, rng)
        write_atomically(
            archive / INCIDENTS_FILE, lambda tmp: incidents.to_parquet(tmp, index=False)
        )
        write_events(archive, incidents, args.events, rng)
        files = sum(1 for _ in (archive / EVENTS_DIR).glob("*/*.parquet"))
        print(
            f"archive: {args.incidents} incidents, {args.events} events in {files} partition "
            f"files, generated in {time.perf_counter() - started:.1f} s"
        )
        for by in ("service", "severity", "month"):
            for fmt in ("table", "json"):
                best = min(timed_command(archive, "--by", by, "--format", fmt) for _ in range(3))
                print(f"postmortem stats --by {by:<8} --format {fmt:<5}  {best:.2f} s (best of 3)")
        best = min(timed_command(archive, "--since", "180d") for _ in range(3))
        print(f"postmortem stats --since 180d                    {best:.2f} s (best of 3)")
        started = time.perf_counter()
        figures = compute_stats(archive, by="service")
        print(
            f"compute_stats in process: {time.perf_counter() - started:.3f} s, "
            f"{len(figures['groups'])} groups, {len(figures['recurring'])} recurring services"
        )
        started = time.perf_counter()
        events = pd.read_parquet(archive / EVENTS_DIR, columns=["ts", "kind"])
        print(
            f"(for scale) reading every event with pandas: {time.perf_counter() - started:.1f} s, "
            f"{len(events)} rows"
        )


if __name__ == "__main__":
    main()
