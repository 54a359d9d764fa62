"""The values of catalog rows: made from WARC headers, and read back checked.

The catalog is derived from the WARC files, but the file itself may have been damaged,
edited or forged: an archive folder handed over for checking is untrusted input. SQLite
stores whatever a column is given, so each value read back is checked here, once, and a
row that does not hold what archiver writes raises ``CatalogError`` naming the row and
the way out, never a TypeError deep in a command (``verify`` reports it as a problem).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from . import surrogates
from .errors import CatalogError
from .ledger import LogEntry, StoredCheckpoint
from .warc import WrittenRecord

if TYPE_CHECKING:
    from .warcheader import Header

RECORD_COLUMNS = ("record_id", "capture_id", "type", "target_uri", "file", "offset", "length",
                  "block_sha256", "block_blake3", "payload_sha256", "payload_blake3")
CHECKPOINT_COLUMNS = ("tree_size", "root_hash", "note", "key_fingerprint", "created_at",
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
_RECORD_TEXT = ("record_id", "type", "file", "block_sha256", "block_blake3")
_RECORD_OPTIONAL_TEXT = ("target_uri", "payload_sha256", "payload_blake3")


def damaged(where: str, what: str) -> CatalogError:
    return CatalogError(f"the catalog is damaged: {where} {what}. The WARC files are the "
                        "record: 'archiver verify' shows what disagrees with them, and "
                        "'archiver catalog rebuild' remakes the catalog from them")


def capture_named(capture_id: Any) -> str:
    """How a capture's rows are named in ``damaged`` (a forged id may be anything)."""
    return f"capture {str(capture_id)[:80]!r}"


def record_of(row: tuple) -> WrittenRecord:
    """A ``records`` row (all of ``RECORD_COLUMNS``) as a WrittenRecord."""
    values = dict(zip(RECORD_COLUMNS, row, strict=True))
    values.pop("capture_id")
    where = f"record {str(values['record_id'])[:80]!r}"
    if not all(isinstance(values[name], str) for name in _RECORD_TEXT) or \
            not all(values[name] is None or isinstance(values[name], str)
                    for name in _RECORD_OPTIONAL_TEXT):
        raise damaged(where, "has a value that is not text where text belongs")
    if not (_count(values["offset"]) and _count(values["length"]) and values["length"]):
        raise damaged(where, f"has offset {values['offset']!r} and length "
                             f"{values['length']!r}, not byte counts")
    return WrittenRecord(**values)


def record_from_header(header: Header, *, file: str, offset: int, length: int) -> WrittenRecord:
    """What the catalog keeps of a record, read from its WARC header. A foreign or forged
    record may lack a required field: it is kept empty, for verify to report."""
    values = {column: header.get(field) for field, column in CATALOGUED_FIELDS.items()}
    for column in ("record_id", "type", "block_sha256", "block_blake3"):
        values[column] = values[column] or ""
    return WrittenRecord(**values, file=file, offset=offset, length=length)


def json_value(text: Any, where: str) -> Any:
    """A JSON column (provenance, links, time-stamp documents) parsed. Archiver writes
    them as UTF-8, so an escaped lone surrogate (no character at all) is damage too."""
    try:
        value = json.loads(text)
    except (TypeError, ValueError, RecursionError) as exc:
        raise damaged(where, f"does not hold JSON ({str(exc)[:80]})") from exc
    if surrogates.ESCAPE.search(text):
        try:
            json.dumps(value, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError as exc:
            raise damaged(where, "holds half a UTF-16 surrogate pair, which is no text") \
                from exc
    return value


@contextmanager
def reading(where: str) -> Iterator[None]:
    """Turn what reading a stored document's fields raises into the catalog's error."""
    try:
        yield
    except (KeyError, IndexError, TypeError, AttributeError) as exc:
        raise damaged(where, f"holds a document archiver did not write ({exc!r:.80})") from exc


def json_object(text: Any, where: str) -> dict[str, Any]:
    document = json_value(text, where)
    if not isinstance(document, dict):
        raise damaged(where, "does not hold a JSON object")
    return document


def log_entry_of(row: tuple) -> LogEntry:
    index, capture_id, hashed, leaf = row
    if not (_count(index) and isinstance(capture_id, str) and isinstance(hashed, bytes)
            and len(hashed) == 32 and isinstance(leaf, bytes)):
        raise damaged(f"log leaf {index!r}", "does not hold a capture id, a 32-byte hash and "
                                             "a leaf")
    return LogEntry(index=index, capture_id=capture_id, leaf_hash=hashed, leaf=leaf)


def checkpoint_of(row: tuple) -> StoredCheckpoint:
    values = dict(zip(CHECKPOINT_COLUMNS, row, strict=True))
    where = f"checkpoint {values['tree_size']!r}"
    if not (_count(values["tree_size"]) and isinstance(values["root_hash"], bytes)
            and len(values["root_hash"]) == 32 and isinstance(values["note"], str)
            and all(values[name] is None or isinstance(values[name], str)
                    for name in ("key_fingerprint", "created_at", "timestamp"))):
        raise damaged(where, "does not hold a tree size, a 32-byte root hash and a note")
    if values["timestamp"]:
        values["timestamp"] = json_object(values["timestamp"], f"{where} time-stamp")
    else:
        values["timestamp"] = None
    return StoredCheckpoint(**values)


def fingerprint_of(row: tuple, signature_bytes: int) -> tuple[str, tuple[str, int, bytes]]:
    """A ``fingerprints`` row as (capture id, (text_blake3, shingles, signature))."""
    capture_id, text_blake3, shingles, signature = row
    if not (isinstance(capture_id, str) and isinstance(text_blake3, str) and _count(shingles)
            and isinstance(signature, bytes) and len(signature) == signature_bytes):
        raise damaged(f"the fingerprint of {capture_named(capture_id)}",
                      f"does not hold a text hash, a shingle count and a {signature_bytes}-"
                      "byte signature")
    return capture_id, (text_blake3, shingles, signature)


def _count(value: Any) -> bool:
    """A non-negative integer (bool is not one here)."""
    return type(value) is int and value >= 0
