"""The files of a Slack workspace export, read the same way from a folder and from a ZIP.

Kept free of pandas: worker processes that read day files get a copy of the export (a ZIP is
opened again in each), and importing this module must not cost them pandas.
"""

from __future__ import annotations

import os
import re
import zipfile
import zlib
from abc import ABC, abstractmethod
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ingest.errors import InputError
from ingest.shapes import DEFAULT_MAX_BYTES, check_size

if TYPE_CHECKING:
    from ingest.types import Window

DAY_FILE = re.compile(r"\d{4}-\d{2}-\d{2}\.json")


# A day file holds one calendar day of the clock the export was made on (UTC, or the
# workspace's zone), and clocks run from UTC-12:00 to UTC+14:00: the files of the dates the
# window touches on any of them are the only ones that can hold its messages.
_WESTMOST = timedelta(hours=-12)
_EASTMOST = timedelta(hours=14)


def _day_range(window: Window) -> list[str]:
    first: date = (window.start + _WESTMOST).date()
    last: date = (window.end + _EASTMOST).date()
    return [f"{first + timedelta(days=n)}.json" for n in range((last - first).days + 1)]


class Export(ABC):
    """Read access to an export, the same for a folder and a ZIP (paths use ``/``)."""

    max_bytes: int = DEFAULT_MAX_BYTES  # the reader sets the limit it was given

    @abstractmethod
    def label(self, relpath: str) -> str: ...

    @abstractmethod
    def has(self, relpath: str) -> bool: ...

    @abstractmethod
    def read(self, relpath: str) -> bytes: ...

    @abstractmethod
    def size(self, relpath: str) -> int: ...

    @abstractmethod
    def listing(self, folder: str) -> list[str]: ...

    def day_files(self, folder: str, window: Window | None) -> list[str]:
        """The channel folder's day files in date order; for a window only those in its
        range, found by name without listing or opening the others."""
        if window is None:
            names = sorted(n for n in self.listing(folder) if DAY_FILE.fullmatch(n))
        else:
            names = [n for n in _day_range(window) if self.has(f"{folder}/{n}")]
        return [f"{folder}/{n}" for n in names]

    def other_files(self, folder: str) -> list[str]:
        return sorted(f"{folder}/{n}" for n in self.listing(folder) if not DAY_FILE.fullmatch(n))

    def __enter__(self) -> Export:
        return self

    def __exit__(self, *exc: object) -> None:
        return None


class FolderExport(Export):
    def __init__(self, root: Path) -> None:
        self.root = root

    def label(self, relpath: str) -> str:
        return str(self.root / relpath) if relpath else str(self.root)

    def has(self, relpath: str) -> bool:
        try:
            return (self.root / relpath).is_file()
        except OSError:  # a name the file system cannot hold is not in the export
            return False

    def size(self, relpath: str) -> int:
        try:
            return (self.root / relpath).stat().st_size
        except OSError:  # read() names the problem
            return 0

    def read(self, relpath: str) -> bytes:
        try:
            check_size((self.root / relpath).stat().st_size, self.max_bytes, self.label(relpath))
            return (self.root / relpath).read_bytes()
        except OSError as e:
            raise InputError(f"cannot read ({e.strerror})", path=self.label(relpath)) from e

    def listing(self, folder: str) -> list[str]:
        try:
            return [entry.name for entry in os.scandir(self.root / folder) if entry.is_file()]
        except OSError:  # no such folder, or a name the file system cannot hold
            return []


class ZipExport(Export):
    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self.archive = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError) as e:
            raise InputError("not a readable ZIP file; download the export again", path=path) from e
        names = self.archive.namelist()
        # Some exports are zipped with a top folder: find the root by its channels.json.
        roots = sorted(
            (n[: -len("channels.json")] for n in names if n.rsplit("/", 1)[-1] == "channels.json"),
            key=len,
        )
        self.prefix = roots[0] if roots else ""
        self.members = {n[len(self.prefix) :] for n in names if n.startswith(self.prefix)}
        self.folders: dict[str, list[str]] | None = None

    def label(self, relpath: str) -> str:
        return f"{self.path}!{relpath}" if relpath else str(self.path)

    def has(self, relpath: str) -> bool:
        return relpath in self.members

    def size(self, relpath: str) -> int:
        return self.archive.getinfo(self.prefix + relpath).file_size

    def read(self, relpath: str) -> bytes:
        try:
            size = self.archive.getinfo(self.prefix + relpath).file_size
            check_size(size, self.max_bytes, self.label(relpath))
            return self.archive.read(self.prefix + relpath)
        except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError) as e:
            raise InputError(
                f"cannot read from the ZIP ({e}); download the export again",
                path=self.label(relpath),
            ) from e

    def listing(self, folder: str) -> list[str]:
        if self.folders is None:
            self.folders = {}
            for member in self.members:
                parent, _, name = member.rpartition("/")
                if name:
                    self.folders.setdefault(parent, []).append(name)
        return self.folders.get(folder, [])

    def __exit__(self, *exc: object) -> None:
        self.archive.close()

    # A worker process reading day files gets its own handle on the archive.
    def __getstate__(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k not in ("archive", "folders")}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state, folders=None)
        self.archive = zipfile.ZipFile(self.path)


def open_export(path: Path) -> Export:
    if path.is_dir():
        return FolderExport(path)
    if path.is_file():
        return ZipExport(path)
    raise InputError("no such file or folder; give a Slack export ZIP or its folder", path=path)
