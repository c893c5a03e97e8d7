"""Reading day files in worker processes gives exactly what reading them in-process gives."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from ingest.errors import InputError
from ingest.schema import concat
from ingest.slack import workers
from ingest.slack.export import read_slack_export
from ingest.types import ReadContext
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
