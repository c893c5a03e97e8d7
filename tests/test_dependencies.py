"""Every third-party import is declared in pyproject.toml: deptry over the project's own folders
(named, so that a virtual environment inside the checkout, whatever its name, is not read)."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROJECT_FOLDERS = ("ingest", "timeline", "render", "bench", "examples")


def test_deptry_finds_every_import_declared():
    result = subprocess.run(
        [sys.executable, "-m", "deptry", *PROJECT_FOLDERS],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No dependency issues found" in result.stdout + result.stderr
