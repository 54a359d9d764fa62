"""The archive's transparency log: one leaf per capture, in an RFC 9162 Merkle tree.

Every capture appends one **leaf**: the canonical JSON (``hashing.canonical_json``)
of a summary that can be recomputed from the capture's WARC records alone::

    {"schema_version": "1", "capture_id": ..., "url": ..., "final_url": ...,
     "captured_at": ..., "records": [{"record_id": ..., "type": ...,
     "block_sha256": ..., "block_blake3": ..., "payload_sha256": ...,
     "payload_blake3": ...}, ...]}

``url``, ``final_url`` and ``captured_at`` are those of the provenance document (the
metadata record); each record entry copies the record's ``WARC-Record-ID``,
``WARC-Type``, ``WARC-Block-Digest``, ``Archiver-Block-Digest``, and, when the record
has them, ``WARC-Payload-Digest`` and ``Archiver-Payload-Digest``, exactly as written
in its header; records are listed in the order they appear in the WARC file. No file
name or offset is in the leaf, so it stays checkable after the records are copied
into another file (a WACZ bundle). The provenance document itself is covered through
the metadata record's block digests. ``schemas/leaf.schema.json`` is the contract.

The leaves live in the catalog database (table ``log``, see ``catalog.py``), written
in the same transaction as the capture's row, so an acknowledged capture is logged.
Leaf ``i`` is the ``i``-th capture the catalog committed; the leaf hash is
``SHA-256(0x00 || leaf)`` (``merkle.leaf_hash``).

This module holds the leaf format and what is built on the stored log: the tree
(``load_tree``) and inclusion and consistency proofs as JSON documents, for bundles
and for anyone checking a capture against a checkpoint.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from .errors import ArchiverError
from .hashing import canonical_json
from .merkle import MerkleTree, leaf_hash

if TYPE_CHECKING:
    from .catalog import Catalog

LEAF_SCHEMA_VERSION = "1"
PROOF_SCHEMA_VERSION = "1"


class LogError(ArchiverError):
    """The stored log is not a well-formed append-only list (a check found a problem)."""


class RecordDigests(Protocol):
    """What a leaf needs of a record (``warc.WrittenRecord`` has it)."""

    record_id: str
    type: str
    block_sha256: str
    block_blake3: str
    payload_sha256: str | None
    payload_blake3: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class LogEntry:
    """One stored leaf."""

    index: int
    capture_id: str
    leaf_hash: bytes  # as stored; verify checks it is merkle.leaf_hash(leaf)
    leaf: bytes  # canonical JSON


@dataclass(frozen=True, slots=True, kw_only=True)
class StoredCheckpoint:
    """A checkpoint as the catalog keeps it (and ``checkpoints/<size>.note`` holds)."""

    tree_size: int
    root_hash: bytes
    note: str  # the signed note, exactly as written
    key_fingerprint: str | None
    created_at: str | None
    timestamp: dict[str, Any] | None  # RFC 3161 token document (schemas/timestamp)


def leaf_document(provenance: Mapping[str, Any], records: Iterable[RecordDigests]) -> dict:
    """The leaf of a capture: its provenance summary and its records' digests, in WARC order."""
    return {
        "schema_version": LEAF_SCHEMA_VERSION,
        "capture_id": provenance["capture_id"],
        "url": provenance["url"],
        "final_url": provenance["final_url"],
        "captured_at": provenance["captured_at"],
        "records": [_record_entry(record) for record in records],
    }


def leaf_bytes(provenance: Mapping[str, Any], records: Iterable[RecordDigests]) -> bytes:
    """The canonical JSON bytes of ``leaf_document`` (what the tree hashes)."""
    return canonical_json(leaf_document(provenance, records))


def _record_entry(record: RecordDigests) -> dict[str, str]:
    entry = {"record_id": record.record_id, "type": record.type,
             "block_sha256": record.block_sha256, "block_blake3": record.block_blake3}
    if record.payload_sha256 is not None:
        entry["payload_sha256"] = record.payload_sha256
    if record.payload_blake3 is not None:
        entry["payload_blake3"] = record.payload_blake3
    return entry


def leaf_difference(stored: bytes, recomputed: bytes) -> str:
    """The first field in which two leaves differ, for a one-line message."""
    try:
        a, b = json.loads(stored), json.loads(recomputed)
    except ValueError:
        return "the stored leaf is not JSON"
    if not isinstance(a, dict):
        return "the stored leaf is not a JSON object"
    # The capture's own fields first: a changed URL says more than the digest it moves.
    for key in sorted(set(a) | set(b), key=lambda name: (name == "records", name)):
        if key == "records" and isinstance(a.get(key), list):
            left, right = a[key], b[key]
            if len(left) != len(right):
                return f"the leaf lists {len(left)} records, the WARC has {len(right)}"
            for number, (x, y) in enumerate(zip(left, right, strict=True)):
                if x == y:
                    continue
                if not isinstance(x, dict):
                    return f"records[{number}] is not an object"
                field = next(k for k in sorted(set(x) | set(y)) if x.get(k) != y.get(k))
                return (f"records[{number}].{field} is {x.get(field)!r} in the leaf but "
                        f"{y.get(field)!r} in the WARC")
        elif a.get(key) != b.get(key):
            return f"{key} is {a.get(key)!r} in the leaf but {b.get(key)!r} in the WARC"
    return "the leaves differ in their encoding (not canonical JSON)"


# --- the stored log ----------------------------------------------------------------------


def checked_entries(entries: Iterable[LogEntry]) -> Iterator[LogEntry]:
    """``entries`` in index order, raising ``LogError`` at the first gap or bad hash."""
    expected = 0
    for entry in entries:
        if entry.index != expected:
            raise LogError(f"the log has no leaf {expected} (the next stored leaf is "
                           f"{entry.index}); run 'archiver verify'")
        if entry.leaf_hash != leaf_hash(entry.leaf):
            raise LogError(f"leaf {entry.index} (capture {entry.capture_id}): its stored hash "
                           "is not the hash of its bytes; run 'archiver verify'")
        expected += 1
        yield entry


def load_tree(catalog: Catalog) -> MerkleTree:
    """The Merkle tree over the catalog's log, after checking it has no gap or bad hash.

    Raises:
        LogError: a leaf index is missing or a stored hash does not match its leaf.
    """
    tree = MerkleTree()
    batch = bytearray()
    for entry in checked_entries(catalog.log_entries()):
        batch += entry.leaf_hash
        if len(batch) >= 1 << 20:
            tree.extend_packed(bytes(batch))
            batch.clear()
    tree.extend_packed(bytes(batch))
    return tree


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def inclusion_document(tree: MerkleTree, entry: LogEntry, tree_size: int) -> dict[str, Any]:
    """The proof that ``entry`` is leaf ``entry.index`` of the tree of ``tree_size`` leaves.

    The document carries the leaf bytes (as text: canonical JSON is UTF-8), so a
    checker recomputes the leaf from the WARC records, hashes it and folds the path
    up to the root of the checkpoint of that size (schemas/proof.schema.json).
    """
    return {
        "schema_version": PROOF_SCHEMA_VERSION,
        "kind": "inclusion",
        "capture_id": entry.capture_id,
        "leaf_index": entry.index,
        "tree_size": tree_size,
        "leaf": entry.leaf.decode("utf-8"),
        "leaf_hash": b64(entry.leaf_hash),
        "root_hash": b64(tree.root(tree_size)),
        "proof": [b64(node) for node in tree.inclusion_proof(entry.index, tree_size)],
    }


def consistency_document(tree: MerkleTree, old_size: int, new_size: int) -> dict[str, Any]:
    """The proof that the tree of ``old_size`` leaves is a prefix of that of ``new_size``."""
    return {
        "schema_version": PROOF_SCHEMA_VERSION,
        "kind": "consistency",
        "old_size": old_size,
        "old_root_hash": b64(tree.root(old_size)),
        "tree_size": new_size,
        "root_hash": b64(tree.root(new_size)),
        "proof": [b64(node) for node in tree.consistency_proof(old_size, new_size)],
    }
