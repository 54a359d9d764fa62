"""Indexing WARC files into the catalog: the catalog is derived from the WARCs alone.

Only our own captures are indexed: records carrying ``Archiver-Capture-ID``, grouped
by that id, with the provenance document taken from the capture's metadata record.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from .catalog import CATALOGUED_FIELDS, Catalog
from .home import ArchiveHome
from .warc import OPEN_SUFFIX, WrittenRecord
from .warccheck import MAX_PROVENANCE_BYTES
from .warcread import Record, WarcReader


def index_warc(path: Path, catalog: Catalog) -> int:
    """Add the captures in ``path`` that the catalog lacks; returns how many."""
    name = path.name.removesuffix(OPEN_SUFFIX)
    pending: dict[str, list[WrittenRecord]] = {}
    added = 0
    with WarcReader(path) as reader:
        for record in reader:
            capture_id = record.header.get("Archiver-Capture-ID")
            if capture_id is None:
                continue
            block = _read(record, keep=record.header.type == "metadata")
            if not record.complete or record.length is None or record.damaged:
                pending.pop(capture_id, None)  # a damaged capture is verify's to report
                continue
            pending.setdefault(capture_id, []).append(_written(record, name))
            if block is None or catalog.has(capture_id):
                continue
            try:
                document = json.loads(block)
            except ValueError:
                continue
            catalog.add(document, pending.pop(capture_id))
            added += 1
    return added


def rebuild_catalog(home: ArchiveHome) -> int:
    """Replace the catalog with one built from the WARC files; returns the captures."""
    fresh = home.catalog_path.with_name(home.catalog_path.name + ".rebuild")
    for stale in _sqlite_files(fresh):
        stale.unlink(missing_ok=True)
    count = 0
    with home.exclusive(), Catalog(fresh) as catalog:
        for path in home.warc_files():
            count += index_warc(path, catalog)
    for old in _sqlite_files(home.catalog_path):
        old.unlink(missing_ok=True)
    os.replace(fresh, home.catalog_path)
    return count


def _sqlite_files(path: Path) -> list[Path]:
    return [path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")]


def _read(record: Record, *, keep: bool) -> bytes | None:
    """Read the block to its end (so ``complete`` is final); return it if ``keep``."""
    data = bytearray()
    for piece in record.chunks():
        if keep and len(data) + len(piece) <= MAX_PROVENANCE_BYTES:
            data += piece
        else:
            keep = False
    return bytes(data) if keep else None


def _written(record: Record, file_name: str) -> WrittenRecord:
    values = {column: record.header.get(field) for field, column in CATALOGUED_FIELDS.items()}
    # A foreign or forged record may lack a required field: keep it empty, as verify reports it.
    for column in ("record_id", "type", "block_sha256", "block_blake3"):
        values[column] = values[column] or ""
    return WrittenRecord(**values, file=file_name, offset=record.offset, length=record.length or 0)

