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

import sqlite3
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import schemas
from .catalogrows import (
    RECORD_COLUMNS,
    capture_named,
    damaged,
    fingerprint_of,
    json_object,
    reading,
    record_of,
)
from .errors import CatalogError
from .hashing import canonical_json
from .identity import capture_keys, url_key
from .ledger import leaf_bytes, leaf_document
from .logtables import LogTables
from .merkle import leaf_hash
from .warc import WrittenRecord

if TYPE_CHECKING:  # numpy and datasketch load only for the commands that trace
    from .fingerprint import Fingerprint

#: 2: the log, checkpoints and capture_timestamps tables, captures.leaf_index.
#: 3: texts (article text by text_blake3), article_keys, fingerprints, republications.
#: Every table is CREATE IF NOT EXISTS, so opening an older catalog upgrades it.
SCHEMA_VERSION = 3
#: Rounds of joining captures that share a final URL or an article key into one article;
#: two cover "one capture without a canonical URL", more would chase template bugs.
_ARTICLE_ROUNDS = 3

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
CREATE INDEX IF NOT EXISTS records_payload ON records (payload_sha256);
CREATE TABLE IF NOT EXISTS texts (
    text_blake3    TEXT PRIMARY KEY,     -- article.text_blake3 of the captures with this text
    text           TEXT NOT NULL         -- as in the capture's conversion record
);
CREATE TABLE IF NOT EXISTS article_keys ( -- archiver.identity: which captures are one article
    capture_id     TEXT PRIMARY KEY,
    asked          TEXT NOT NULL,        -- url_key of the URL as asked
    final          TEXT NOT NULL,        -- url_key of the final URL
    article        TEXT NOT NULL         -- url_key of the canonical URL, else of the final URL
);
CREATE INDEX IF NOT EXISTS article_keys_asked ON article_keys (asked);
CREATE INDEX IF NOT EXISTS article_keys_final ON article_keys (final);
CREATE INDEX IF NOT EXISTS article_keys_article ON article_keys (article);
CREATE TABLE IF NOT EXISTS capture_timestamps (
    capture_id     TEXT PRIMARY KEY,
    document       TEXT NOT NULL         -- RFC 3161 token document over the capture's leaf
);
CREATE TABLE IF NOT EXISTS fingerprints (   -- derived: see archiver/fingerprint.py
    capture_id     TEXT PRIMARY KEY,
    text_blake3    TEXT NOT NULL,
    method         TEXT NOT NULL,        -- fingerprint.METHOD when it was made
    shingles       INTEGER NOT NULL,     -- distinct shingles of the text
    signature      BLOB NOT NULL         -- MinHash values, little-endian uint32
);
CREATE TABLE IF NOT EXISTS republications (  -- derived: 'archiver trace' findings
    copy_id        TEXT NOT NULL,
    source_id      TEXT NOT NULL,
    link           TEXT NOT NULL,        -- the copy's `republished` attribution link (JSON)
    PRIMARY KEY (copy_id, source_id)
);
"""

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


class Catalog(LogTables):
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
            if "captures" in tables and "article_keys" not in tables:
                self._index_articles()
            self._db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
            # Lookups made while capturing read committed rows through their own
            # connection, so they never wait for a group commit's fsync.
            self._reader = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
            self._reader_lock = threading.Lock()
        except sqlite3.DatabaseError as exc:
            raise CatalogError(f"cannot open catalog {path}: {exc} (run 'archiver catalog rebuild')") from exc

    def close(self) -> None:
        self._reader.close()
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
                records = [record_of(r) for r in self._db.execute(
                    "SELECT * FROM records WHERE capture_id = ? ORDER BY file, offset",
                    (capture_id,))]
                where = capture_named(capture_id)
                with reading(where):
                    leaf = leaf_bytes(json_object(provenance, where), records)
                index = self._append_leaf(capture_id, leaf)
                self._db.execute("UPDATE captures SET leaf_index = ? WHERE capture_id = ?",
                                 (index, capture_id))

    def _index_articles(self) -> None:
        """A catalog made before article keys existed: compute them for every capture."""
        with self._transaction():
            for capture_id, provenance in self._db.execute(
                    "SELECT capture_id, provenance FROM captures").fetchall():
                where = capture_named(capture_id)
                with reading(where):
                    self._add_article_keys(json_object(provenance, where))

    def _add_article_keys(self, document: dict[str, Any]) -> None:
        keys = capture_keys(document)
        self._db.execute("INSERT OR REPLACE INTO article_keys VALUES (?,?,?,?)",
                         (document["capture_id"], keys.asked, keys.final, keys.article))

    def __enter__(self) -> Catalog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def add(self, document: dict[str, Any], records: Iterable[WrittenRecord], *,
            text: str | None = None, fingerprint: Fingerprint | None = None) -> None:
        """Record one capture durably: its provenance document, where its records are,
        and its article ``text`` when its records carry it (a conversion record).

        A group commit: captures added from several threads while a commit is running
        go into the next transaction together, so they share its fsync. The capture's
        log leaf is appended in the same transaction: acknowledged means logged.
        """
        records = tuple(records)
        leaf = leaf_document(document, records)
        schemas.validate(leaf, "leaf")  # SchemaError: a forged record a rebuild skips
        entry = _Pending(document, records, canonical_json(leaf), text, fingerprint)
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
            f"INSERT INTO records VALUES ({','.join('?' * len(RECORD_COLUMNS))})",
            [(r.record_id, document["capture_id"], r.type, r.target_uri, r.file, r.offset,
              r.length, r.block_sha256, r.block_blake3, r.payload_sha256, r.payload_blake3)
             for r in entry.records],
        )
        self._add_article_keys(document)
        if entry.text and article.get("text_blake3"):
            self._db.execute("INSERT OR IGNORE INTO texts VALUES (?, ?)",
                             (article["text_blake3"], entry.text))
        if entry.fingerprint is not None:
            self._store_fingerprints([(document["capture_id"], entry.fingerprint)])

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

    def article_text(self, capture_id: str) -> str | None:
        """The article text extracted when ``capture_id`` was captured (None: no text).

        Texts are kept once per ``text_blake3``: a revisit, or a capture whose page
        changed only around the article, shares the text of an earlier capture.
        """
        with self._lock:
            found = self._db.execute(
                "SELECT t.text FROM captures c JOIN texts t ON t.text_blake3 = c.text_blake3 "
                "WHERE c.capture_id = ?", (capture_id,)).fetchone()
        return found[0] if found else None

    def original_response(self, target_uri: str, payload_sha256: str) -> StoredResponse | None:
        """The newest response record of ``target_uri`` whose payload has this digest: what
        an identical-payload revisit refers to."""
        with self._reader_lock:
            found = self._reader.execute(
                "SELECT r.record_id, r.target_uri, c.captured_at, c.capture_id, c.provenance "
                "FROM records r JOIN captures c ON c.capture_id = r.capture_id "
                "WHERE r.payload_sha256 = ? AND r.target_uri = ? AND r.type = 'response' "
                "ORDER BY c.captured_at DESC LIMIT 1", (payload_sha256, target_uri)).fetchone()
        return _stored_response(found)

    def latest_response(self, target_uri: str) -> StoredResponse | None:
        """The newest complete, successful capture whose final URL is ``target_uri``,
        with the response record that holds its payload (what a 304 revisit refers to)."""
        with self._reader_lock:
            for capture_id, provenance in self._reader.execute(
                    "SELECT capture_id, provenance FROM captures WHERE final_url = ? "
                    "AND status IN (200, 304) ORDER BY captured_at DESC LIMIT 20", (target_uri,)):
                where = capture_named(capture_id)
                document = json_object(provenance, where)
                with reading(where):
                    content = document["content"]
                    if content["truncated"] is not None:
                        continue
                    revisit = content.get("revisit")
                    if revisit is None:
                        record_id = [r["record_id"] for r in document["records"]
                                     if r["type"] == "response"][-1]
                        return StoredResponse(record_id, target_uri, document["captured_at"],
                                              capture_id, document)
                found = self._reader.execute(
                    "SELECT r.record_id, r.target_uri, c.captured_at, c.capture_id, c.provenance "
                    "FROM records r JOIN captures c ON c.capture_id = r.capture_id "
                    "WHERE r.record_id = ?", (revisit["refers_to_record"],)).fetchone()
                return _stored_response(found)
        return None

    def record(self, record_id: str) -> WrittenRecord | None:
        with self._lock:
            found = self._db.execute(
                "SELECT * FROM records WHERE record_id = ?", (record_id,)).fetchone()
        return record_of(found) if found else None

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

    def article_captures(self, url: str) -> list[CaptureRow]:
        """Every capture of the article at ``url``, oldest first (``archiver.identity``).

        ``url`` may be the article's canonical or final URL, with or without tracking
        parameters, or a URL that redirected to it. Captures join the article through
        their article key or their final URL, so one capture without a canonical URL
        does not split the article.

        Raises:
            CatalogError: ``url`` is no http(s) URL, or only redirected, to several articles.
        """
        key = url_key(url)
        if key is None:
            raise CatalogError(f"{url!r} is not an http(s) URL")
        with self._lock:
            keys = self._article_keys("article = ? OR final = ?", (key, key))
            if not keys:
                keys = self._article_keys("asked = ?", (key,))
                if len(keys) > 1:
                    shown = ", ".join(sorted(k.lstrip("/") for k in keys)[:5])
                    raise CatalogError(f"{url} led to {len(keys)} different articles ({shown}); "
                                       "give the URL of one of them")
            for _ in range(_ARTICLE_ROUNDS):  # keys of captures that share a final URL
                marks = ",".join("?" * len(keys))
                grown = keys | self._article_keys(
                    f"article IN ({marks}) OR final IN ({marks})", (*keys, *keys), both=True)
                if grown == keys:
                    break
                keys = grown
            marks = ",".join("?" * len(keys))
            rows = self._db.execute(
                f"SELECT c.* FROM captures c JOIN article_keys k ON k.capture_id = c.capture_id "
                f"WHERE k.article IN ({marks}) OR k.final IN ({marks}) "
                "ORDER BY c.captured_at, c.capture_id", (*keys, *keys)).fetchall()
        return [self._row(row) for row in rows]

    def _article_keys(self, where: str, args: tuple, *, both: bool = False) -> set[str]:
        columns = "article, final" if both else "article"
        found = self._db.execute(f"SELECT {columns} FROM article_keys WHERE {where}", args)
        return {key for row in found for key in row}

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
            yield row[1], record_of(row)

    def _row(self, row: tuple) -> CaptureRow:
        with self._lock:
            records = tuple(
                record_of(r) for r in self._db.execute(
                    "SELECT * FROM records WHERE capture_id = ? ORDER BY file, offset", (row[0],))
            )
        where = capture_named(row[0])
        if not any(record.type in ("response", "revisit") for record in records):
            raise damaged(where, "has no response record")
        with reading(where):
            return CaptureRow.from_document(json_object(row[11], where), records)

    def _transaction(self):
        return _Transaction(self._db, self._lock)

    # --- derived findings: text fingerprints and republications (archiver trace) ------

    def fingerprint_gaps(self, method: str) -> list[tuple[str, str]]:
        """(capture id, text_blake3) of captures with a text but no fingerprint made by
        ``method`` (captures from before fingerprints, or after a rebuild)."""
        with self._lock:
            return self._db.execute(
                "SELECT c.capture_id, c.text_blake3 FROM captures c LEFT JOIN fingerprints f "
                "ON f.capture_id = c.capture_id AND f.method = ? "
                "WHERE c.text_blake3 IS NOT NULL AND f.capture_id IS NULL", (method,)).fetchall()

    def add_fingerprints(self, found: Iterable[tuple[str, Fingerprint]]) -> None:
        """Store (or replace) the fingerprint of each capture id."""
        with self._transaction():
            self._store_fingerprints(found)

    def _store_fingerprints(self, found: Iterable[tuple[str, Fingerprint]]) -> None:
        self._db.executemany(
            "INSERT OR REPLACE INTO fingerprints VALUES (?,?,?,?,?)",
            [(capture_id, f.text_blake3, f.method, f.shingles, f.signature)
             for capture_id, f in found])

    def fingerprints(self, method: str, *,
                     signature_bytes: int) -> dict[str, tuple[str, int, bytes]]:
        """capture id -> (text_blake3, shingles, signature) of fingerprints made by ``method``,
        whose signatures are ``signature_bytes`` long."""
        with self._lock:
            rows = self._db.execute(
                "SELECT capture_id, text_blake3, shingles, signature FROM fingerprints "
                "WHERE method = ?", (method,)).fetchall()
        return dict(fingerprint_of(row, signature_bytes) for row in rows)

    def replace_republications(self, links: Iterable[tuple[str, str, dict[str, Any]]], *,
                               involving: Iterable[str] | None = None) -> None:
        """Store (copy id, source id, link) findings in place of the earlier ones that
        involve a capture of ``involving`` (as copy or source), or of all when None."""
        with self._transaction():
            if involving is None:
                self._db.execute("DELETE FROM republications")
            else:
                ids = list(involving)
                self._db.executemany(
                    "DELETE FROM republications WHERE copy_id = ? OR source_id = ?",
                    [(i, i) for i in ids])
            self._db.executemany(
                "INSERT OR REPLACE INTO republications VALUES (?,?,?)",
                [(copy_id, source_id, canonical_json(link).decode("utf-8"))
                 for copy_id, source_id, link in links])

    def republished_links(self, capture_id: str) -> list[dict[str, Any]]:
        """The derived `republished` links of one capture (as a copy), oldest source first."""
        with self._lock:
            rows = self._db.execute(
                "SELECT link FROM republications WHERE copy_id = ? ORDER BY source_id",
                (capture_id,)).fetchall()
        return [json_object(link, f"a republication link of capture {capture_id}")
                for (link,) in rows]


@dataclass(slots=True)
class _Pending:
    """A capture waiting for a group commit, and how that went."""

    document: dict[str, Any]
    records: tuple[WrittenRecord, ...]
    leaf: bytes
    text: str | None
    fingerprint: Fingerprint | None
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


@dataclass(frozen=True, slots=True)
class StoredResponse:
    """A response record in the archive that a revisit can refer to, and its capture."""

    record_id: str
    target_uri: str
    date: str  # its WARC-Date: the capture's captured_at
    capture_id: str
    provenance: dict[str, Any]


def _stored_response(row: tuple | None) -> StoredResponse | None:
    if row is None:
        return None
    record_id, target_uri, date, capture_id, provenance = row
    return StoredResponse(record_id, target_uri, date, capture_id,
                          json_object(provenance, capture_named(capture_id)))


def _outlet(document: dict[str, Any]) -> str:
    """The outlet's name, else its domain."""
    return document["outlet"]["name"] or document["outlet"]["domain"]
