"""The catalog: a SQLite index of captures and where their records are.

The WARC files are the source of truth; the catalog is derived from them and can be
rebuilt from them alone (``rebuild``). It lives in the archive home, in WAL mode with
``synchronous=FULL``, so a capture acknowledged to the user survives a power cut.

The same database holds the evidence that cannot be derived from the WARC files: the
transparency log (table ``log``, one leaf per capture, see ``ledger.py``), written in
the transaction that adds the capture's row, the signed checkpoints of that log
(``checkpoints``) and the RFC 3161 tokens over capture leaves (``capture_timestamps``).
A rebuild copies these tables from the old database (``rebuild.py``).
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import schemas
from .errors import CatalogError
from .hashing import canonical_json
from .ledger import LogEntry, StoredCheckpoint, leaf_bytes, leaf_document
from .merkle import leaf_hash
from .warc import WrittenRecord

CATALOG_NAME = "catalog.sqlite3"
#: 2: the log, checkpoints and capture_timestamps tables, captures.leaf_index.
SCHEMA_VERSION = 2
#: Log rows are read this many at a time (a million leaves are about 600 MB).
_LOG_BATCH = 4096

_SCHEMA = """
CREATE TABLE IF NOT EXISTS captures (
    capture_id     TEXT PRIMARY KEY,
    url            TEXT NOT NULL,
    final_url      TEXT NOT NULL,
    canonical_url  TEXT,
    status         INTEGER NOT NULL,
    captured_at    TEXT NOT NULL,
    outlet         TEXT,
    title          TEXT,
    payload_sha256 TEXT NOT NULL,
    payload_blake3 TEXT NOT NULL,
    text_blake3    TEXT,
    provenance     TEXT NOT NULL, -- the document exactly as stored in the metadata record
    leaf_index     INTEGER        -- where the capture's leaf is in the log
);
CREATE INDEX IF NOT EXISTS captures_url ON captures (url);
CREATE INDEX IF NOT EXISTS captures_final_url ON captures (final_url);
CREATE INDEX IF NOT EXISTS captures_canonical_url ON captures (canonical_url);
CREATE TABLE IF NOT EXISTS records (
    record_id      TEXT PRIMARY KEY,
    capture_id     TEXT NOT NULL REFERENCES captures (capture_id),
    type           TEXT NOT NULL,
    target_uri     TEXT,
    file           TEXT NOT NULL,
    offset         INTEGER NOT NULL,
    length         INTEGER NOT NULL,
    block_sha256   TEXT NOT NULL,
    block_blake3   TEXT NOT NULL,
    payload_sha256 TEXT,
    payload_blake3 TEXT
);
CREATE INDEX IF NOT EXISTS records_capture ON records (capture_id);
CREATE TABLE IF NOT EXISTS log (
    leaf_index     INTEGER PRIMARY KEY,  -- 0, 1, 2... in the order captures were committed
    capture_id     TEXT NOT NULL,
    leaf_hash      BLOB NOT NULL,        -- SHA-256(0x00 || leaf), RFC 9162
    leaf           BLOB NOT NULL         -- canonical JSON, schemas/leaf.schema.json
);
CREATE UNIQUE INDEX IF NOT EXISTS log_capture ON log (capture_id);
CREATE TABLE IF NOT EXISTS checkpoints (
    tree_size       INTEGER PRIMARY KEY,
    root_hash       BLOB NOT NULL,
    note            TEXT NOT NULL,       -- the signed note, as in checkpoints/<size>.note
    key_fingerprint TEXT,
    created_at      TEXT,
    timestamp       TEXT                 -- RFC 3161 token document over the note, or NULL
);
CREATE TABLE IF NOT EXISTS capture_timestamps (
    capture_id     TEXT PRIMARY KEY,
    document       TEXT NOT NULL         -- RFC 3161 token document over the capture's leaf
);
"""

_CHECKPOINT_COLUMNS = ("tree_size", "root_hash", "note", "key_fingerprint", "created_at",
                       "timestamp")

#: The WARC header fields the catalog copies for each record, and the column of each.
CATALOGUED_FIELDS = {
    "WARC-Record-ID": "record_id",
    "WARC-Type": "type",
    "WARC-Target-URI": "target_uri",
    "WARC-Block-Digest": "block_sha256",
    "Archiver-Block-Digest": "block_blake3",
    "WARC-Payload-Digest": "payload_sha256",
    "Archiver-Payload-Digest": "payload_blake3",
}

_RECORD_COLUMNS = ("record_id", "capture_id", "type", "target_uri", "file", "offset", "length",
                   "block_sha256", "block_blake3", "payload_sha256", "payload_blake3")


@dataclass(frozen=True, slots=True, kw_only=True)
class CaptureRow:
    """One capture as the catalog knows it."""

    capture_id: str
    url: str
    final_url: str
    status: int
    captured_at: str
    outlet: str | None
    title: str | None
    payload_sha256: str
    payload_blake3: str
    text_blake3: str | None
    records: tuple[WrittenRecord, ...]
    provenance: dict[str, Any]

    @classmethod
    def from_document(cls, document: dict[str, Any], records: Iterable[WrittenRecord]) -> CaptureRow:
        """The row for a provenance document and the records written for it."""
        return cls(
            capture_id=document["capture_id"], url=document["url"],
            final_url=document["final_url"], status=document["content"]["status"],
            captured_at=document["captured_at"], outlet=_outlet(document),
            title=document["article"]["title"],
            payload_sha256=document["content"]["payload_sha256"],
            payload_blake3=document["content"]["payload_blake3"],
            text_blake3=document["article"]["text_blake3"],
            records=tuple(sorted(records, key=lambda r: (r.file, r.offset))),
            provenance=document,
        )

    @property
    def response(self) -> WrittenRecord:
        """The final response record (the one the metadata record refers to)."""
        return [r for r in self.records if r.type in ("response", "revisit")][-1]

    def summary(self) -> dict[str, Any]:
        """The capture line of ``capture --json`` and ``list --json`` (schemas/capture)."""
        response = self.response
        return {
            "schema_version": "1",
            "capture_id": self.capture_id,
            "url": self.url,
            "final_url": self.final_url,
            "status": self.status,
            "captured_at": self.captured_at,
            "outlet": self.outlet,
            "title": self.title,
            "warc": {"file": response.file, "offset": response.offset, "length": response.length},
            "payload_sha256": self.payload_sha256,
            "payload_blake3": self.payload_blake3,
            "text_blake3": self.text_blake3,
        }


class Catalog:
    """Open (creating if needed) the catalog of the archive at ``home``."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.RLock()  # one connection shared by capture worker threads
        self._commit_lock = threading.Lock()  # one group commit at a time
        self._pending_lock = threading.Lock()
        self._pending: list[_Pending] = []
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.execute("PRAGMA foreign_keys=ON")
            tables = {name for (name,) in self._db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'")}
            self._db.executescript(_SCHEMA)
            if "captures" in tables and "log" not in tables:
                self._upgrade()
            self._db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
        except sqlite3.DatabaseError as exc:
            raise CatalogError(f"cannot open catalog {path}: {exc} (run 'archiver catalog rebuild')") from exc

    def close(self) -> None:
        self._db.close()

    def _upgrade(self) -> None:
        """A catalog made before the log existed: add the column, log its captures in
        WARC order (the order a rebuild would give them)."""
        with self._transaction():
            columns = {row[1] for row in self._db.execute("PRAGMA table_info(captures)")}
            if "leaf_index" not in columns:
                self._db.execute("ALTER TABLE captures ADD COLUMN leaf_index INTEGER")
            if self._db.execute("SELECT 1 FROM log LIMIT 1").fetchone():
                return  # another process did it
            ordered = self._db.execute(
                "SELECT c.capture_id, c.provenance FROM captures c JOIN records r "
                "ON r.capture_id = c.capture_id AND r.type = 'metadata' "
                "ORDER BY r.file, r.offset").fetchall()
            for capture_id, provenance in ordered:
                records = [_record(r) for r in self._db.execute(
                    "SELECT * FROM records WHERE capture_id = ? ORDER BY file, offset",
                    (capture_id,))]
                index = self._append_leaf(capture_id,
                                          leaf_bytes(json.loads(provenance), records))
                self._db.execute("UPDATE captures SET leaf_index = ? WHERE capture_id = ?",
                                 (index, capture_id))

    def __enter__(self) -> Catalog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def add(self, document: dict[str, Any], records: Iterable[WrittenRecord]) -> None:
        """Record one capture durably: its provenance document and where its records are.

        A group commit: captures added from several threads while a commit is running
        go into the next transaction together, so they share its fsync. The capture's
        log leaf is appended in the same transaction: acknowledged means logged.
        """
        records = tuple(records)
        leaf = leaf_document(document, records)
        schemas.validate(leaf, "leaf")  # SchemaError: a forged record a rebuild skips
        entry = _Pending(document, records, canonical_json(leaf))
        with self._pending_lock:
            self._pending.append(entry)
        with self._commit_lock:
            if not entry.done:
                with self._pending_lock:
                    batch, self._pending = self._pending, []
                self._commit(batch)
        if entry.error is not None:
            raise entry.error

    def _commit(self, batch: list[_Pending]) -> None:
        """Commit ``batch`` in one transaction; if that fails, each entry on its own."""
        try:
            with self._transaction():
                for entry in batch:
                    self._insert(entry)
        except sqlite3.Error as exc:
            if len(batch) == 1:
                batch[0].error = CatalogError(
                    f"cannot record capture {batch[0].document['capture_id']} in {self.path}: "
                    f"{exc} (the WARC has it: 'archiver catalog rebuild' restores the row)")
            else:
                for entry in batch:
                    self._commit([entry])
        for entry in batch:
            entry.done = True

    def _insert(self, entry: _Pending) -> None:
        document = entry.document
        article = document["article"]
        content = document["content"]
        row = (
            document["capture_id"], document["url"], document["final_url"],
            article.get("canonical_url"), content["status"], document["captured_at"],
            _outlet(document), article.get("title"),
            content["payload_sha256"], content["payload_blake3"], article.get("text_blake3"),
            canonical_json(document).decode("utf-8"),
            self._append_leaf(document["capture_id"], entry.leaf),
        )
        self._db.execute("INSERT INTO captures VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)", row)
        self._db.executemany(
            f"INSERT INTO records VALUES ({','.join('?' * len(_RECORD_COLUMNS))})",
            [(r.record_id, document["capture_id"], r.type, r.target_uri, r.file, r.offset,
              r.length, r.block_sha256, r.block_blake3, r.payload_sha256, r.payload_blake3)
             for r in entry.records],
        )

    def _append_leaf(self, capture_id: str, leaf: bytes) -> int:
        """The capture's leaf index: its existing leaf's (a rebuild keeps the old log),
        else that of a new leaf appended now. Runs inside the caller's transaction."""
        found = self._db.execute(
            "SELECT leaf_index FROM log WHERE capture_id = ?", (capture_id,)).fetchone()
        if found is not None:
            return found[0]
        (index,) = self._db.execute("SELECT COALESCE(MAX(leaf_index) + 1, 0) FROM log").fetchone()
        self._db.execute("INSERT INTO log VALUES (?,?,?,?)",
                         (index, capture_id, leaf_hash(leaf), leaf))
        return index

    def has(self, capture_id: str) -> bool:
        with self._lock:
            return self._db.execute(
                "SELECT 1 FROM captures WHERE capture_id = ?", (capture_id,)).fetchone() is not None

    def captures(self, *, url: str | None = None) -> Iterator[CaptureRow]:
        """Every capture in time order, or those of ``url`` (as asked, final or canonical)."""
        query = "SELECT * FROM captures"
        args: tuple = ()
        if url is not None:
            query += " WHERE url = ? OR final_url = ? OR canonical_url = ?"
            args = (url, url, url)
        with self._lock:
            rows = self._db.execute(query + " ORDER BY captured_at, capture_id", args).fetchall()
        for row in rows:
            yield self._row(row)

    def get(self, capture_id: str) -> CaptureRow:
        """The capture with this id or unique id prefix; CatalogError otherwise."""
        with self._lock:
            rows = self._db.execute(
                "SELECT * FROM captures WHERE capture_id >= ? AND capture_id < ? LIMIT 2",
                (capture_id.lower(), capture_id.lower() + "\uffff"),
            ).fetchall()
        if not rows:
            raise CatalogError(f"no capture {capture_id!r} in {self.path.parent} (see 'archiver list')")
        if len(rows) > 1:
            raise CatalogError(f"capture id prefix {capture_id!r} is ambiguous: give more characters")
        return self._row(rows[0])

    def all_records(self) -> Iterator[tuple[str, WrittenRecord]]:
        """(capture_id, record) for every record the catalog knows."""
        with self._lock:
            rows = self._db.execute("SELECT * FROM records ORDER BY file, offset").fetchall()
        for row in rows:
            yield row[1], _record(row)

    def _row(self, row: tuple) -> CaptureRow:
        with self._lock:
            records = tuple(
                _record(r) for r in self._db.execute(
                    "SELECT * FROM records WHERE capture_id = ? ORDER BY file, offset", (row[0],))
            )
        return CaptureRow.from_document(json.loads(row[11]), records)

    def _transaction(self):
        return _Transaction(self._db, self._lock)

    # --- the log and its evidence ------------------------------------------------------

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
                yield _log_entry(row)
            if len(rows) < _LOG_BATCH:
                return
            after = rows[-1][0]

    def log_entry(self, capture_id: str) -> LogEntry | None:
        """The leaf of one capture (the first, should there be several)."""
        with self._lock:
            row = self._db.execute(
                "SELECT leaf_index, capture_id, leaf_hash, leaf FROM log WHERE capture_id = ? "
                "ORDER BY leaf_index LIMIT 1", (capture_id,)).fetchone()
        return None if row is None else _log_entry(row)

    def leaf_indexes(self) -> dict[str, int | None]:
        """capture id -> the leaf index recorded with the capture's row."""
        with self._lock:
            return dict(self._db.execute("SELECT capture_id, leaf_index FROM captures"))

    def checkpoints(self) -> list[StoredCheckpoint]:
        """Every stored checkpoint, smallest tree first."""
        with self._lock:
            rows = self._db.execute(
                f"SELECT {', '.join(_CHECKPOINT_COLUMNS)} FROM checkpoints "
                "ORDER BY tree_size").fetchall()
        return [_checkpoint(row) for row in rows]

    def latest_checkpoint(self) -> StoredCheckpoint | None:
        with self._lock:
            row = self._db.execute(
                f"SELECT {', '.join(_CHECKPOINT_COLUMNS)} FROM checkpoints "
                "ORDER BY tree_size DESC LIMIT 1").fetchone()
        return None if row is None else _checkpoint(row)

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


@dataclass(slots=True)
class _Pending:
    """A capture waiting for a group commit, and how that went."""

    document: dict[str, Any]
    records: tuple[WrittenRecord, ...]
    leaf: bytes
    done: bool = False
    error: CatalogError | None = None


class _Transaction:
    def __init__(self, db: sqlite3.Connection, lock: threading.RLock) -> None:
        self._db = db
        self._lock = lock

    def __enter__(self) -> None:
        self._lock.acquire()
        self._db.execute("BEGIN IMMEDIATE")

    def __exit__(self, kind, *exc: object) -> None:
        try:
            self._db.execute("ROLLBACK" if kind else "COMMIT")
        finally:
            self._lock.release()


def _outlet(document: dict[str, Any]) -> str:
    """The outlet's name, else its domain."""
    return document["outlet"]["name"] or document["outlet"]["domain"]


def _log_entry(row: tuple) -> LogEntry:
    index, capture_id, hashed, leaf = row
    return LogEntry(index=index, capture_id=capture_id, leaf_hash=bytes(hashed), leaf=bytes(leaf))


def _checkpoint(row: tuple) -> StoredCheckpoint:
    values = dict(zip(_CHECKPOINT_COLUMNS, row, strict=True))
    values["root_hash"] = bytes(values["root_hash"])
    values["timestamp"] = json.loads(values["timestamp"]) if values["timestamp"] else None
    return StoredCheckpoint(**values)


def _checkpoint_row(checkpoint: StoredCheckpoint) -> tuple:
    stamp = checkpoint.timestamp
    return (checkpoint.tree_size, checkpoint.root_hash, checkpoint.note,
            checkpoint.key_fingerprint, checkpoint.created_at,
            canonical_json(stamp).decode("utf-8") if stamp is not None else None)


def _record(row: tuple) -> WrittenRecord:
    values = dict(zip(_RECORD_COLUMNS, row, strict=True))
    values.pop("capture_id")
    return WrittenRecord(**values)
