"""Indexing WARC files into the catalog: the catalog is derived from the WARCs alone.

Only our own captures are indexed: records carrying ``Archiver-Capture-ID``, grouped
by that id, with the provenance document taken from the capture's metadata record.

The transparency log is the one part of the catalog that the WARC files cannot give
back as it was: its order is the order captures were committed, and its checkpoints
and time-stamps were made afterwards. So a rebuild copies the log, checkpoints and
capture time-stamps from the old catalog when it can be read, then appends leaves for
captures only the WARC files have. When it cannot be read, the leaves are re-derived
in WARC order, and the checkpoints and time-stamps are read back from their files in
``checkpoints/`` and ``timestamps/``; checkpoints signed over the old order may then
no longer match (``RebuildResult.stale_checkpoints`` says which, and verify reports them).
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from .catalog import Catalog
from .catalogrows import record_from_header
from .errors import SchemaError
from .files import read_evidence_file
from .hashing import blake3_label
from .home import ArchiveHome
from .ledger import LogError, StoredCheckpoint, load_tree
from .signednote import NoteError, parse_checkpoint, parse_note
from .warc import OPEN_SUFFIX, WrittenRecord
from .warccheck import MAX_PROVENANCE_BYTES
from .warcread import Record, WarcReader

_NOTE_NAME = re.compile(r"(0|[1-9][0-9]*)\.note")


@dataclass(frozen=True, slots=True, kw_only=True)
class RebuildResult:
    """What ``rebuild_catalog`` did, for the user to read."""

    captures: int
    leaves_copied: int  # from the old catalog's log
    leaves_added: int  # appended for captures the old log lacked (all, when re-derived)
    checkpoints: int  # in the new catalog
    checkpoints_from_files: int  # read back from checkpoints/*.note
    capture_timestamps: int  # in the new catalog
    #: Why the old catalog's log could not be copied (None: it was copied).
    old_catalog_problem: str | None
    #: Sizes of checkpoints the new log does not match (verify says more).
    stale_checkpoints: tuple[int, ...]


def index_warc(path: Path, catalog: Catalog) -> int:
    """Add the captures in ``path`` that the catalog lacks; returns how many."""
    name = path.name.removesuffix(OPEN_SUFFIX)
    pending: dict[str, list[WrittenRecord]] = {}
    texts: dict[str, bytes] = {}  # a capture's conversion record, before its metadata
    added = 0
    with WarcReader(path) as reader:
        for record in reader:
            capture_id = record.header.get("Archiver-Capture-ID")
            if capture_id is None:
                continue
            kind = record.header.type
            block = _read(record, keep=kind in ("metadata", "conversion"))
            if not record.complete or record.length is None or record.damaged:
                pending.pop(capture_id, None)  # a damaged capture is verify's to report
                continue
            pending.setdefault(capture_id, []).append(_written(record, name))
            if kind == "conversion" and block is not None:
                texts[capture_id] = block
            if kind != "metadata" or block is None or catalog.has(capture_id):
                continue
            try:
                document = json.loads(block)
                catalog.add(document, pending.pop(capture_id),
                            text=_text(texts.pop(capture_id, None), document))
            except (ValueError, TypeError, KeyError, RecursionError, SchemaError):
                continue  # forged or malformed records: verify reports them
            added += 1
    return added


def _text(block: bytes | None, document: dict) -> str | None:
    """The article text of a conversion record, if it is the one the document names."""
    if block is None or blake3_label(block) != document["article"]["text_blake3"]:
        return None
    return block.decode("utf-8")


def rebuild_catalog(home: ArchiveHome) -> RebuildResult:
    """Replace the catalog with one built from the WARC files, keeping the old log."""
    fresh = home.catalog_path.with_name(home.catalog_path.name + ".rebuild")
    for stale in _sqlite_files(fresh):
        stale.unlink(missing_ok=True)
    count = 0
    with home.exclusive(), Catalog(fresh) as catalog:
        problem = None
        copied = (0, 0, 0)
        if not home.catalog_path.exists():
            problem = "it is missing"
        else:
            try:
                copied = catalog.copy_evidence(home.catalog_path)
            except sqlite3.Error as exc:
                problem = f"{exc}"
        from_files = _import_files(home, catalog)
        for path in home.warc_files():
            count += index_warc(path, catalog)
        checkpoints = catalog.checkpoints()
        result = RebuildResult(
            captures=count, leaves_copied=copied[0],
            leaves_added=catalog.log_size() - copied[0], checkpoints=len(checkpoints),
            checkpoints_from_files=from_files,
            capture_timestamps=sum(1 for _ in catalog.capture_timestamps()),
            old_catalog_problem=problem, stale_checkpoints=_stale(catalog, checkpoints))
    for old in _sqlite_files(home.catalog_path):
        old.unlink(missing_ok=True)
    os.replace(fresh, home.catalog_path)
    return result


def _import_files(home: ArchiveHome, catalog: Catalog) -> int:
    """Store the checkpoints and time-stamps whose files the catalog lacks; returns how
    many checkpoints were read back. Unreadable files are left for verify to report."""
    imported = 0
    folder = home.checkpoints_dir
    for path in sorted(folder.iterdir()) if folder.is_dir() else []:
        match = _NOTE_NAME.fullmatch(path.name)
        if not match:
            continue
        try:
            note = read_evidence_file(path).decode("utf-8")
            checkpoint = parse_checkpoint(parse_note(note).text)
        except (OSError, UnicodeDecodeError, NoteError):
            continue
        stamp = _json_file(folder / f"{match.group(1)}.timestamp.json")
        imported += catalog.import_checkpoint(StoredCheckpoint(
            tree_size=checkpoint.size, root_hash=checkpoint.root_hash, note=note,
            key_fingerprint=None, created_at=None,
            timestamp=stamp if isinstance(stamp, dict) else None))
    folder = home.timestamps_dir
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        document = _json_file(path)
        if isinstance(document, dict):
            catalog.import_capture_timestamp(path.name.removesuffix(".json"), document)
    return imported


def _stale(catalog: Catalog, checkpoints: list[StoredCheckpoint]) -> tuple[int, ...]:
    """Sizes of the checkpoints whose root is not that of the log's prefix of their size."""
    if not checkpoints:
        return ()
    try:
        tree = load_tree(catalog)
    except LogError:
        return tuple(c.tree_size for c in checkpoints)
    return tuple(c.tree_size for c in checkpoints
                 if c.tree_size > tree.size or tree.root(c.tree_size) != c.root_hash)


def _json_file(path: Path) -> object:
    try:
        return json.loads(read_evidence_file(path))
    except (OSError, ValueError, RecursionError):
        return None


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
    return record_from_header(record.header, file=file_name, offset=record.offset,
                              length=record.length or 0)
