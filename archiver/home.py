"""The archive home: a folder with ``warcs/``, the catalog, the keys and the checkpoints."""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import ArchiverError

if TYPE_CHECKING:
    from .catalog import Catalog

CATALOG_NAME = "catalog.sqlite3"
WARC_DIR = "warcs"
LOCK_NAME = "archiver.lock"
PARTIES_NAME = "parties.json"
KEYS_DIR = "keys"
CHECKPOINTS_DIR = "checkpoints"
TIMESTAMPS_DIR = "timestamps"


@dataclass(frozen=True, slots=True)
class ArchiveHome:
    """Where an archive lives: ``<path>/warcs/*.warc.gz`` and ``<path>/catalog.sqlite3``."""

    path: Path

    @property
    def warc_dir(self) -> Path:
        return self.path / WARC_DIR

    @property
    def catalog_path(self) -> Path:
        return self.path / CATALOG_NAME

    @property
    def keys_dir(self) -> Path:
        """The signing keys (0700): see ``keys.py``."""
        return self.path / KEYS_DIR

    @property
    def checkpoints_dir(self) -> Path:
        """Signed checkpoints ``<size>.note`` and their ``<size>.timestamp.json``."""
        return self.path / CHECKPOINTS_DIR

    @property
    def timestamps_dir(self) -> Path:
        """RFC 3161 token documents over capture leaves, ``<capture id>.json``."""
        return self.path / TIMESTAMPS_DIR

    def party_files(self) -> list[Path]:
        """The archive's own additions to the party registry: ``parties.json``, if any."""
        path = self.path / PARTIES_NAME
        return [path] if path.is_file() else []

    def open_catalog(self) -> Catalog:
        from .catalog import Catalog  # here: verifying files or printing help needs no SQLite

        return Catalog(self.catalog_path)

    def warc_files(self) -> list[Path]:
        """Every WARC file of the archive, closed or open, in name (= time) order."""
        if not self.warc_dir.is_dir():
            return []
        return sorted(p for p in self.warc_dir.iterdir()  # a FIFO would hang every reader
                      if p.name.endswith((".warc.gz", ".warc.gz.open")) and p.is_file())

    @contextmanager
    def shared(self) -> Iterator[None]:
        """Held while capturing: many writers at once, but no catalog rebuild."""
        with self._lock(fcntl.LOCK_SH):
            yield

    @contextmanager
    def exclusive(self) -> Iterator[None]:
        """Held while rebuilding the catalog: no writer may run meanwhile."""
        with self._lock(fcntl.LOCK_EX):
            yield

    @contextmanager
    def _lock(self, mode: int) -> Iterator[None]:
        self.path.mkdir(parents=True, exist_ok=True)
        with open(self.path / LOCK_NAME, "a+b") as handle:
            try:
                fcntl.flock(handle, mode | fcntl.LOCK_NB)
            except BlockingIOError:
                raise ArchiverError(
                    f"another archiver process is using {self.path}; try again when it ends"
                ) from None
            yield
