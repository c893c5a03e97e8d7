"""The console script as a user runs it: it skips tearing the interpreter down at the end, and
still gives every byte of output, every file and the same exit status as the command."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from timeline.cli import main

ROOT = Path(__file__).resolve().parents[3]


def postmortem(*args: str) -> subprocess.CompletedProcess[str]:
    # ``python -m timeline`` runs what the installed ``postmortem`` script runs.
    return subprocess.run(
        [sys.executable, "-m", "timeline", *args],
        capture_output=True,
        text=True,
        timeout=180,
        cwd=ROOT,
    )


def test_a_pull_writes_the_same_bundle_and_report_as_the_command(tmp_path: Path) -> None:
    run = postmortem("pull", "--example", "--out", str(tmp_path / "script"))
    assert run.returncode == 0, run.stderr
    in_process = CliRunner().invoke(main, ["pull", "--example", "--out", str(tmp_path / "main")])
    assert in_process.exit_code == 0
    # Written to a pipe, the report is buffered: all of it must still come out.
    assert run.stdout == in_process.stdout.replace("/main/", "/script/")
    for name in ("timeline.md", "events.csv", "events.parquet"):
        written = (tmp_path / "script" / "PXM2K7Q" / name).read_bytes()
        assert written == (tmp_path / "main" / "PXM2K7Q" / name).read_bytes(), name


def test_long_output_to_a_pipe_is_complete() -> None:
    run = postmortem("--help")
    assert run.returncode == 0
    assert run.stdout.startswith("Usage:") and "export" in run.stdout.splitlines()[-1] + run.stdout


@pytest.mark.parametrize(
    ("args", "status"),
    [(["pull"], 2), (["pull", "--from", "notes:/no/such/file.md", "--id", "X"], 1)],
)
def test_the_exit_status_and_one_error_line_are_the_commands(
    args: list[str], status: int, tmp_path: Path
) -> None:
    run = postmortem(*args, "--out", str(tmp_path))
    assert run.returncode == status
    assert len(run.stderr.strip().splitlines()) == 1 and run.stderr.startswith("Error:")
    assert list(tmp_path.iterdir()) == []


def test_a_reader_that_stops_early_ends_the_run_quietly_with_the_bundle_written(
    tmp_path: Path,
) -> None:
    # As in `postmortem pull --example | head -1`: the pipe closes before the report is out.
    # Exit 1 as click gives for a broken pipe, no traceback, and the bundle is whole.
    script = (
        "import os, sys\n"
        "read, write = os.pipe()\n"
        "os.close(read)\n"
        "os.dup2(write, 1)\n"
        f"sys.argv = ['postmortem', 'pull', '--example', '--out', {str(tmp_path)!r}]\n"
        "from timeline.cli import run\n"
        "run()\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=180, cwd=ROOT
    )
    assert (run.returncode, run.stderr) == (1, "")
    names = sorted(p.name for p in (tmp_path / "PXM2K7Q").iterdir())
    assert names == ["events.csv", "events.parquet", "summary.json", "timeline.md"]


def test_the_garbage_collector_waits_for_the_command_and_then_runs(tmp_path: Path) -> None:
    # Each collection once the script runs writes how many objects were set aside when it
    # ran: none may run during start-up (nothing set aside yet), and collecting resumes once
    # the command has imported what it uses (pandas among it).
    log = tmp_path / "collections.txt"
    script = (
        "import gc, sys\n"
        f"log = open({str(log)!r}, 'w', buffering=1)\n"
        "def seen(phase, info):\n"
        "    if phase == 'start':\n"
        "        log.write(f'{gc.get_freeze_count()}\\n')\n"
        f"sys.argv = ['postmortem', 'pull', '--example', '-q', '--out', {str(tmp_path)!r}]\n"
        "from timeline.cli import run\n"
        "gc.callbacks.append(seen)\n"
        "run()\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=180, cwd=ROOT
    )
    assert (run.returncode, run.stderr) == (0, "")
    set_aside = [int(line) for line in log.read_text().split()]
    assert set_aside, "no collection ran during the command"
    assert min(set_aside) > 100_000  # pandas and pyarrow alone are more objects than that


def test_a_command_run_from_python_keeps_the_collector_as_it_was() -> None:
    import gc

    from timeline.cli.common import started

    frozen = gc.get_freeze_count()
    started()
    assert gc.isenabled() and gc.get_freeze_count() == frozen
