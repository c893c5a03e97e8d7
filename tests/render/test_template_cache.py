"""Compiled templates cached between runs: same pages, a folder per Jinja2 and Python version,
and a run that cannot use the cache renders as if there were none."""

from __future__ import annotations

import sys
from pathlib import Path

import jinja2
import pytest
from click.testing import CliRunner

from render.html import render_html
from render.markdown import render_markdown
from render.template_cache import DISABLE_VARIABLE, bytecode_cache, cache_directory
from tests.render.html_cases import hostile_rows, hostile_summary, make_frame
from timeline.cli import main


@pytest.fixture
def cache_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "cache-home"
    monkeypatch.setenv("XDG_CACHE_HOME", str(home))
    monkeypatch.delenv(DISABLE_VARIABLE, raising=False)
    return home


def render_both() -> tuple[str, str]:
    frame = make_frame(hostile_rows())
    return render_markdown(frame, hostile_summary()), render_html(frame, hostile_summary())


def cached_files(home: Path) -> list[Path]:
    return sorted(p for p in home.rglob("*") if p.is_file())


def test_the_folder_names_the_jinja_and_python_versions(cache_home: Path) -> None:
    folder = cache_directory("markdown")
    assert folder is not None
    assert folder.parent.parent == cache_home / "postmortem-timeline"
    assert jinja2.__version__ in folder.parent.name
    assert sys.implementation.cache_tag in folder.parent.name


def test_without_xdg_cache_home_the_cache_is_under_the_home_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/is/ignored")
    folder = cache_directory("html")
    assert folder is not None
    assert folder.is_relative_to(tmp_path / ".cache" / "postmortem-timeline")


def test_a_second_render_reads_the_cache_and_gives_the_same_pages(
    cache_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = render_both()
    files = cached_files(cache_home)
    assert {p.parent.name for p in files} == {"markdown", "html"}
    stamps = {p: p.stat().st_mtime_ns for p in files}
    assert render_both() == first
    assert {p: p.stat().st_mtime_ns for p in cached_files(cache_home)} == stamps
    monkeypatch.setenv(DISABLE_VARIABLE, "off")
    assert render_both() == first


def test_turned_off_nothing_is_written(cache_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(DISABLE_VARIABLE, "off")
    assert bytecode_cache("markdown") is None
    render_both()
    assert not cache_home.exists()


def test_a_damaged_cache_file_is_compiled_again(cache_home: Path) -> None:
    first = render_both()
    for path in cached_files(cache_home):
        data = path.read_bytes()
        path.write_bytes(data[: len(data) // 2])
    assert render_both() == first


def test_a_home_that_cannot_be_written_still_renders(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A file where the cache folder would go: making the folder fails even for root.
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("x", encoding="utf-8")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocked))
    assert bytecode_cache("markdown") is None
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["pull", "--example", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert list(out.rglob("timeline.md")) and blocked.read_text(encoding="utf-8") == "x"


def test_the_cache_is_not_written_into_the_bundle(cache_home: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["pull", "--example", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert not [p for p in out.rglob("*") if "jinja" in p.name or p.suffix == ".cache"]
    assert any(p.suffix == ".cache" for p in cached_files(cache_home))
