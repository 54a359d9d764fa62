"""The catalog: a SQLite index of captures and where their records are.

The WARC files are the source of truth; the catalog is derived from them and can be
rebuilt from them alone (``rebuild``). It lives in the archive home, in WAL mode with
``synchronous=FULL``, so a capture acknowledged to the user survives a power cut.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import CatalogError
from .hashing import canonical_json
from .warc import WrittenRecord

CATALOG_NAME = "catalog.sqlite3"
SCHEMA_VERSION = 1

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
    provenance     TEXT NOT NULL  -- the document exactly as stored in the metadata record
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
"""

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
            self._db.executescript(_SCHEMA)
            self._db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
        except sqlite3.DatabaseError as exc:
            raise CatalogError(f"cannot open catalog {path}: {exc} (run 'archiver catalog rebuild')") from exc

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Catalog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def add(self, document: dict[str, Any], records: Iterable[WrittenRecord]) -> None:
        """Record one capture durably: its provenance document and where its records are.

        A group commit: captures added from several threads while a commit is running
        go into the next transaction together, so they share its fsync.
        """
        entry = _Pending(document, tuple(records))
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
        )
        self._db.execute("INSERT INTO captures VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", row)
        self._db.executemany(
            f"INSERT INTO records VALUES ({','.join('?' * len(_RECORD_COLUMNS))})",
            [(r.record_id, document["capture_id"], r.type, r.target_uri, r.file, r.offset,
              r.length, r.block_sha256, r.block_blake3, r.payload_sha256, r.payload_blake3)
             for r in entry.records],
        )

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


@dataclass(slots=True)
class _Pending:
    """A capture waiting for a group commit, and how that went."""

    document: dict[str, Any]
    records: tuple[WrittenRecord, ...]
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


def _record(row: tuple) -> WrittenRecord:
    values = dict(zip(_RECORD_COLUMNS, row, strict=True))
    values.pop("capture_id")
    return WrittenRecord(**values)
