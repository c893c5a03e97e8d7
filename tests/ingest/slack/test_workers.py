"""Reading day files in worker processes gives exactly what reading them in-process gives."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest

from ingest import machine
from ingest.errors import InputError
from ingest.schema import concat
from ingest.slack import export as slack_export
from ingest.slack import workers
from ingest.slack.export import read_slack_export
from ingest.types import ReadContext
from tests.ingest.slack import worker_reads
from tests.ingest.slack.test_slack_export import FIXTURE, WORKSPACE, zip_of


def read_all(path: Path) -> pd.DataFrame:
    return concat(read_slack_export(path, ReadContext(workspace_url=WORKSPACE)))


def test_small_reads_stay_in_process_and_large_ones_use_every_core() -> None:
    assert workers.worker_count(workers.PARALLEL_BYTES - 1) == 1
    assert workers.worker_count(workers.PARALLEL_BYTES) == workers.usable_cores()


@pytest.mark.parametrize("form", ["folder", "zip"])
def test_workers_give_the_same_frame(
    form: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = FIXTURE if form == "folder" else zip_of(FIXTURE, tmp_path / "export.zip")
    expected = read_all(path)
    monkeypatch.setattr(workers, "PARALLEL_BYTES", 1)
    monkeypatch.setattr(workers, "usable_cores", lambda: 2)
    assert workers.worker_count(1) == 2
    pd.testing.assert_frame_equal(read_all(path), expected)
    assert len(expected) > 10 and expected["edited_at"].notna().any()


def test_a_damaged_day_file_is_named_with_its_line_as_in_process(tmp_path: Path) -> None:
    export = Path(shutil.copytree(FIXTURE, tmp_path / "export"))
    day = export / "incident-db" / "2024-03-05.json"
    day.write_bytes(day.read_bytes()[:700])
    with pytest.raises(InputError) as in_process:
        read_all(export)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(workers, "PARALLEL_BYTES", 1)
        patch.setattr(workers, "usable_cores", lambda: 2)
        with pytest.raises(InputError) as in_workers:
            read_all(export)
    assert str(in_workers.value) == str(in_process.value)
    assert f"{day}:" in str(in_workers.value) and "not valid JSON" in str(in_workers.value)


DRIVER = """
import os, signal, sys
signal.signal(signal.SIGINT, signal.default_int_handler)  # as under a terminal, even if ignored
from ingest.slack import export, handover, workers
workers.PARALLEL_BYTES = 1
workers.usable_cores = lambda: 2
handover.MEMORY_FOLDER, handover.MIN_FREE_BYTES = os.environ["TEST_MEMORY_FOLDER"], 0
added = []
plain_add = export._Batch.add

def add(self, *args):
    added.append(args[0])
    if len(added) == 2:  # later files are in the workers' hands: Ctrl-C, as a terminal sends it
        os.killpg(0, signal.SIGINT)
    return plain_add(self, *args)

export._Batch.add = add
from timeline.cli import main
sys.argv = ["postmortem", *sys.argv[1:]]
main()
"""


def busy_export(root: Path) -> Path:
    """An export of one channel, #busy: ten day files of 2,000 messages each."""
    (root / "busy").mkdir(parents=True)
    (root / "channels.json").write_text('[{"id": "C9", "name": "busy"}]')
    (root / "users.json").write_text("[]")
    start = 1_700_000_000
    for day in range(10):
        messages = [
            {"type": "message", "user": "U1", "text": f"m{i}", "ts": f"{start + day * 86400 + i}.0"}
            for i in range(2_000)
        ]
        (root / "busy" / f"2023-11-{day + 10:02d}.json").write_text(json.dumps(messages))
    return root


def run_driver(
    driver: str, export: Path, out: Path, memory: Path
) -> subprocess.CompletedProcess[str]:
    """Run ``driver`` as the pull, with ``memory`` standing in for /dev/shm."""
    args = ["pull", "--from", f"slack-export:{export}", "--id", "INT", "--out", str(out), "-q"]
    memory.mkdir()
    return subprocess.run(
        [sys.executable, "-c", driver, *args],
        capture_output=True,
        text=True,
        timeout=120,
        start_new_session=True,
        cwd=Path(__file__).parents[3],
        env={**os.environ, "TEST_MEMORY_FOLDER": str(memory)},
    )


def test_ctrl_c_while_workers_read_stops_the_pull_with_one_line(tmp_path: Path) -> None:
    # Workers that took Ctrl-C themselves could die holding the pool's result queue and leave
    # the pull waiting for good (seen on a year-long export); they leave it to the pull.
    memory = tmp_path / "memory"
    run = run_driver(DRIVER, busy_export(tmp_path / "export"), tmp_path / "out", memory)
    assert run.returncode == 1, run.stderr
    assert run.stderr.strip() == "Aborted!"
    assert not (tmp_path / "out" / "INT").exists()
    assert list(memory.iterdir()) == []  # the handover folder went too


KILLING_DRIVER = (
    DRIVER.replace(
        "os.killpg(0, signal.SIGINT)",
        "[os.kill(child.pid, signal.SIGKILL) for child in multiprocessing.active_children()]",
    )
    .replace("import os, signal, sys", "import multiprocessing, os, signal, sys")
    .replace(
        "from timeline.cli import main",
        "from timeline.cli import run as main",  # as the script
    )
)


def test_a_worker_killed_mid_read_ends_the_pull_with_one_line_naming_a_file(
    tmp_path: Path,
) -> None:
    export = busy_export(tmp_path / "export")
    memory = tmp_path / "memory"
    run = run_driver(KILLING_DRIVER, export, tmp_path / "out", memory)
    assert run.returncode == 1, run.stderr
    line = run.stderr.strip()
    assert "\n" not in line and "Traceback" not in run.stderr
    assert line.startswith(f"Error: {export / 'busy'}/2023-11-"), line
    assert line.endswith(f".json: {workers.WORKER_STOPPED}"), line
    assert not (tmp_path / "out" / "INT").exists()
    assert list(memory.iterdir()) == []


def test_this_process_reads_too_and_the_order_holds() -> None:
    read_in_this_process_and_a_worker()


def read_in_this_process_and_a_worker() -> None:
    """Day files read in this process and in the one worker come back in file order, each once."""
    relpaths = [f"day-{i:03d}" for i in range(40)]
    days = workers.reduced_days(
        worker_reads.stamped_by_name,
        relpaths,
        workers=2,
        channel_id="C1",
        users={},
        workspace_url="",
    )
    seen = [(relpath, future.result()[0]) for relpath, future in days]
    assert [relpath for relpath, _ in seen] == relpaths
    stamps = [batch.column("ts")[0].value // 1_000 for _, batch in seen]
    assert stamps == [worker_reads.stamp_micros(relpath) for relpath in relpaths]
    assert {batch.column("actor")[0].as_py() for _, batch in seen} == {"here", "worker"}


def test_a_worker_ended_from_outside_is_one_clear_error_naming_the_file() -> None:
    days = workers.reduced_days(
        worker_reads.ended_in_workers,
        ["2024-03-05.json", "2024-03-06.json"],
        workers=2,
        channel_id="C1",
        users={},
        workspace_url="",
    )
    relpath, first = next(days)
    assert relpath == "2024-03-05.json"  # the first file goes to the worker
    with pytest.raises(InputError) as error:
        first.result()
    assert str(error.value) == workers.WORKER_STOPPED
    assert error.value.path is None  # the reader of the export adds the file's name
    days.close()


@pytest.mark.parametrize("run_files", [1, 2, 8])
@pytest.mark.parametrize("threads", [1, 2])
def test_runs_and_pages_of_any_length_give_the_same_frame_in_one_piece(
    run_files: int, threads: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = read_all(FIXTURE)
    monkeypatch.setattr(workers, "RUN_FILES", run_files)
    # The pieces of each column are joined side by side in threads on a long enough column.
    monkeypatch.setattr(machine, "PARALLEL_FROM_ROWS", 1)
    monkeypatch.setattr(machine, "usable_cores", lambda: threads)
    monkeypatch.setattr(slack_export, "PAGE_MESSAGES", 3)
    paged = read_all(FIXTURE)
    pd.testing.assert_frame_equal(paged, expected)
    # Each text column is one Arrow array: selecting rows from a column in pieces copies it.
    for name in ("summary", "actor", "ref", "url", "thread_ref", "raw_sha256"):
        assert getattr(pa.array(paged[name].array), "num_chunks", 1) == 1, name
