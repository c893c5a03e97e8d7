"""A worker's record batch reaches the pull through a file in memory, or through the pipe."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pyarrow as pa
import pytest

from ingest.errors import InputError
from ingest.slack import handover
from ingest.slack.arrays import Batches
from tests.ingest.slack.test_workers import read_in_this_process_and_a_worker

BATCH = pa.RecordBatch.from_pydict({"ts": [1, 2, 3], "summary": ["a", "b", "ü"]})
OUTCOMES = [(2, {}), (1, {"1.000": "2.000"})]


@pytest.fixture
def memory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """tmp_path standing in for /dev/shm, with room enough."""
    monkeypatch.setattr(handover, "MEMORY_FOLDER", str(tmp_path))
    monkeypatch.setattr(handover, "MIN_FREE_BYTES", 0)
    return tmp_path


def test_a_batch_goes_to_a_file_and_comes_back_whole(memory: Path) -> None:
    with handover.handover_folder() as folder:
        assert folder is not None and Path(folder).parent == memory
        assert stat.S_IMODE(os.stat(folder).st_mode) == 0o700
        spilled = handover.handed_over(Batches(BATCH, OUTCOMES), folder)
        assert isinstance(spilled, handover.Spilled)
        assert Path(spilled.path).is_file() and Path(spilled.path).parent == Path(folder)
        back = spilled.loaded()
        assert back.batch.equals(BATCH) and back.outcomes == OUTCOMES
        assert os.listdir(folder) == []  # removed once read
        handover.handed_over(Batches(BATCH, OUTCOMES), folder)  # left unread: removed below
    assert list(memory.iterdir()) == []


def test_without_a_folder_or_a_batch_nothing_is_written(memory: Path) -> None:
    failed = Batches(None, [InputError("bad")])
    assert handover.handed_over(Batches(BATCH, OUTCOMES), None).batch is BATCH
    with handover.handover_folder() as folder:
        assert handover.handed_over(failed, folder) is failed
        assert os.listdir(folder) == []


def test_a_folder_with_no_room_keeps_the_batch_for_the_pipe(tmp_path: Path) -> None:
    gone = tmp_path / "gone"  # writing there fails as a full folder does
    kept = handover.handed_over(Batches(BATCH, OUTCOMES), str(gone))
    assert isinstance(kept, Batches) and kept.batch is BATCH
    assert not gone.exists()


@pytest.mark.parametrize("where", ["missing", "small"])
def test_no_memory_folder_or_too_little_room_means_the_pipe(
    where: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if where == "missing":
        monkeypatch.setattr(handover, "MEMORY_FOLDER", str(tmp_path / "no-such"))
    else:
        monkeypatch.setattr(handover, "MEMORY_FOLDER", str(tmp_path))
        monkeypatch.setattr(handover, "MIN_FREE_BYTES", 1 << 62)
    with handover.handover_folder() as folder:
        assert folder is None
    assert list(tmp_path.iterdir()) == []


def test_a_lost_file_is_one_clear_error(memory: Path) -> None:
    with handover.handover_folder() as folder:
        spilled = handover.handed_over(Batches(BATCH, OUTCOMES), folder)
        os.remove(spilled.path)
        with pytest.raises(InputError) as error:
            spilled.loaded()
    message = str(error.value)
    assert "\n" not in message and folder in message and "run the pull again" in message


@pytest.mark.parametrize("room", [True, False])
def test_workers_hand_over_through_memory_when_there_is_room(
    room: bool, memory: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not room:
        monkeypatch.setattr(handover, "MIN_FREE_BYTES", 1 << 62)
    taken: list[str] = []
    plain_loaded = handover.Spilled.loaded

    def loaded(self: handover.Spilled) -> Batches:
        taken.append(self.path)
        return plain_loaded(self)

    monkeypatch.setattr(handover.Spilled, "loaded", loaded)
    read_in_this_process_and_a_worker()
    assert bool(taken) == room
    assert all(Path(path).parent.parent == memory for path in taken)
    assert list(memory.iterdir()) == []  # every file and the folder removed
