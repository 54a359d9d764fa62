"""The archive home: a folder with ``warcs/`` and the catalog, and its crash recovery."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .catalog import CATALOG_NAME, Catalog

WARC_DIR = "warcs"


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

    def open_catalog(self) -> Catalog:
        return Catalog(self.catalog_path)

    def warc_files(self) -> list[Path]:
        """Every WARC file of the archive, closed or open, in name (= time) order."""
        if not self.warc_dir.is_dir():
            return []
        return sorted(p for p in self.warc_dir.iterdir()
                      if p.name.endswith((".warc.gz", ".warc.gz.open")))

    def recover(self, catalog: Catalog) -> list[str]:
        """Recover ``.open`` files left by a crash; returns what was done, one line each."""
        return []
