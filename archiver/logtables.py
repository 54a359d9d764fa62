"""The transparency log's tables in the catalog: leaves, checkpoints, time-stamps.

They hold the evidence the WARC files cannot give back: the log's leaves in commit
order (``log``; a capture's leaf is appended in the transaction that adds its row,
see ``Catalog.add``), the signed checkpoints (``checkpoints``) and the RFC 3161 tokens
over capture leaves (``capture_timestamps``). ``LogTables`` is a part of ``Catalog``:
it uses the catalog's connection, lock and transactions.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from .catalogrows import CHECKPOINT_COLUMNS, checkpoint_of, log_entry_of
from .errors import CatalogError
from .hashing import canonical_json
from .ledger import LogEntry, StoredCheckpoint

#: Log rows are read this many at a time (a million leaves are about 600 MB).
_LOG_BATCH = 4096


class LogTables:
    """The log, checkpoint and time-stamp methods of ``Catalog``."""

    _db: sqlite3.Connection
    _lock: threading.RLock

    def _transaction(self):
        raise NotImplementedError  # Catalog's

    def log_size(self) -> int:
        """Number of leaves (one more than the highest index, if there is no gap)."""
        with self._lock:
            (size,) = self._db.execute(
                "SELECT COALESCE(MAX(leaf_index) + 1, 0) FROM log").fetchone()
        return size

    def log_entries(self, *, start: int = 0) -> Iterator[LogEntry]:
        """Every stored leaf from index ``start`` on, in index order, read in batches."""
        after = start - 1
        while True:
            with self._lock:
                rows = self._db.execute(
                    "SELECT leaf_index, capture_id, leaf_hash, leaf FROM log "
                    "WHERE leaf_index > ? ORDER BY leaf_index LIMIT ?",
                    (after, _LOG_BATCH)).fetchall()
            for row in rows:
                yield log_entry_of(row)
            if len(rows) < _LOG_BATCH:
                return
            after = rows[-1][0]

    def log_entry(self, capture_id: str) -> LogEntry | None:
        """The leaf of one capture (the first, should there be several)."""
        with self._lock:
            row = self._db.execute(
                "SELECT leaf_index, capture_id, leaf_hash, leaf FROM log WHERE capture_id = ? "
                "ORDER BY leaf_index LIMIT 1", (capture_id,)).fetchone()
        return None if row is None else log_entry_of(row)

    def leaf_indexes(self) -> dict[str, int | None]:
        """capture id -> the leaf index recorded with the capture's row."""
        with self._lock:
            return dict(self._db.execute("SELECT capture_id, leaf_index FROM captures"))

    def checkpoints(self) -> list[StoredCheckpoint]:
        """Every stored checkpoint, smallest tree first."""
        with self._lock:
            rows = self._db.execute(
                f"SELECT {', '.join(CHECKPOINT_COLUMNS)} FROM checkpoints "
                "ORDER BY tree_size").fetchall()
        return [checkpoint_of(row) for row in rows]

    def latest_checkpoint(self) -> StoredCheckpoint | None:
        with self._lock:
            row = self._db.execute(
                f"SELECT {', '.join(CHECKPOINT_COLUMNS)} FROM checkpoints "
                "ORDER BY tree_size DESC LIMIT 1").fetchone()
        return None if row is None else checkpoint_of(row)

    def add_checkpoint(self, checkpoint: StoredCheckpoint, *, previous: int | None,
                       before_commit: Callable[[], None] = lambda: None) -> None:
        """Store a new checkpoint, if the latest stored one is still ``previous`` (a size).

        ``before_commit`` runs inside the transaction (e.g. to write the note's file);
        if it raises, nothing is stored.

        Raises:
            CatalogError: another checkpoint was stored meanwhile.
        """
        with self._transaction():
            (latest,) = self._db.execute("SELECT MAX(tree_size) FROM checkpoints").fetchone()
            if latest != previous:
                raise CatalogError(f"another checkpoint (size {latest}) was made meanwhile; "
                                   "run 'archiver checkpoint' again")
            self._db.execute("INSERT INTO checkpoints VALUES (?,?,?,?,?,?)",
                             _checkpoint_row(checkpoint))
            before_commit()

    def set_checkpoint_timestamp(self, tree_size: int, document: dict[str, Any]) -> None:
        """Attach an RFC 3161 token document to a stored checkpoint that has none."""
        with self._transaction():
            self._db.execute("UPDATE checkpoints SET timestamp = ? WHERE tree_size = ? "
                             "AND timestamp IS NULL",
                             (canonical_json(document).decode("utf-8"), tree_size))

    def add_capture_timestamp(self, capture_id: str, document: dict[str, Any]) -> None:
        """Store the RFC 3161 token document over a capture's leaf (replacing none)."""
        with self._transaction():
            self._db.execute("INSERT INTO capture_timestamps VALUES (?, ?)",
                             (capture_id, canonical_json(document).decode("utf-8")))

    def capture_timestamps(self) -> Iterator[tuple[str, str]]:
        """(capture id, token document as stored JSON text) for every capture token."""
        with self._lock:
            rows = self._db.execute(
                "SELECT capture_id, document FROM capture_timestamps ORDER BY capture_id"
            ).fetchall()
        yield from rows

    def copy_evidence(self, other: Path) -> tuple[int, int, int]:
        """Copy the log, checkpoints and capture time-stamps of the catalog at ``other``,
        row for row (a rebuild keeps the evidence the WARC files cannot give back).

        Returns how many leaves, checkpoints and time-stamps were copied.

        Raises:
            sqlite3.Error: ``other`` cannot be read (nothing is copied).
        """
        with self._lock:
            self._db.execute("ATTACH DATABASE ? AS old", (str(other),))
            try:
                tables = {name for (name,) in self._db.execute(
                    "SELECT name FROM old.sqlite_master WHERE type = 'table'")}
                counts = []
                with self._transaction():
                    for table in ("log", "checkpoints", "capture_timestamps"):
                        if table in tables:
                            counts.append(self._db.execute(
                                f"INSERT INTO main.{table} SELECT * FROM old.{table}").rowcount)
                        else:
                            counts.append(0)
            finally:
                self._db.execute("DETACH DATABASE old")
        return counts[0], counts[1], counts[2]

    def import_checkpoint(self, checkpoint: StoredCheckpoint) -> bool:
        """Store a checkpoint read back from its file, unless its size is stored already."""
        with self._transaction():
            return self._db.execute("INSERT OR IGNORE INTO checkpoints VALUES (?,?,?,?,?,?)",
                                    _checkpoint_row(checkpoint)).rowcount == 1

    def import_capture_timestamp(self, capture_id: str, document: Any) -> bool:
        """Store a capture's token document read back from its file, unless one is stored."""
        with self._transaction():
            return self._db.execute(
                "INSERT OR IGNORE INTO capture_timestamps VALUES (?, ?)",
                (capture_id, canonical_json(document).decode("utf-8"))).rowcount == 1


def _checkpoint_row(checkpoint: StoredCheckpoint) -> tuple:
    stamp = checkpoint.timestamp
    return (checkpoint.tree_size, checkpoint.root_hash, checkpoint.note,
            checkpoint.key_fingerprint, checkpoint.created_at,
            canonical_json(stamp).decode("utf-8") if stamp is not None else None)
