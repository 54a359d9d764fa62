"""Does the transparency log hold? Leaves, checkpoints and time-stamps, checked offline.

``verify_archive`` (catalogcheck.py) runs this after the WARC files and the catalog
have been checked. Each finding is a ``Problem`` of the verification report, naming
the capture and the leaf index, or the checkpoint file:

* ``log-leaf-mismatch``: a stored leaf is not the leaf recomputed from the capture's
  WARC records (a digest, a record or the URL or time changed on either side);
* ``log-leaf-invalid``: a stored leaf hash is not the hash of the stored bytes, or the
  bytes are not a leaf document, or name another capture than their row;
* ``log-leaf-missing``: a leaf index is missing (a deleted leaf), or a catalogued
  capture has no leaf; ``log-leaf-duplicate``: a capture has several leaves;
  ``log-leaf-orphan``: a leaf names a capture the catalog does not have;
  ``log-leaf-moved``: a capture's leaf is not at the index recorded with its row
  (leaves were reordered);
* ``checkpoint-invalid``: a checkpoint (catalog row or ``checkpoints/<size>.note``)
  does not verify with the archive's verifier key, is malformed, or its two copies
  differ or one is missing; ``checkpoint-rollback``: the log is smaller than a
  checkpoint; ``checkpoint-inconsistent``: the RFC 9162 consistency proof from the
  checkpoint's size to the current tree fails (the log was rewritten or reordered);
  ``checkpoint-not-covered``: a checkpoint the user gives (``verify --checkpoint``)
  cannot be checked (the archive has no key);
* ``timestamp-invalid``: a stored RFC 3161 token does not verify, offline, over the
  checkpoint note or leaf it is stored for, against the root recorded with it.

Within the archive, only the checkpoints make reordering or rewriting detectable by
someone who does not trust the archive: the other checks catch tampering that forgot
a copy. The verifier key used is the archive's own ``keys/verifier.key``; the report
notes its fingerprint so the checker can compare it with the one published.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from . import schemas
from .catalog import Catalog
from .errors import ArchiverError
from .evidence import (
    archive_verifier_key,
    capture_timestamp_path,
    checkpoint_timestamp_path,
    verify_timestamp_document,
)
from .files import read_evidence_file
from .home import ArchiveHome
from .keys import fingerprint
from .ledger import StoredCheckpoint, b64, leaf_difference
from .merkle import MerkleTree, leaf_hash, verify_consistency
from .signednote import (
    Checkpoint,
    GivenCheckpoint,
    NoteError,
    parse_verifier_key,
    verify_checkpoint,
)
from .timestamp import TimestampVerificationError
from .warccheck import Notice, Problem

_NOTE_NAME = re.compile(r"(0|[1-9][0-9]*)\.note")
_STAMP_NAME = re.compile(r"(0|[1-9][0-9]*)\.timestamp\.json")


class LogCheck:
    """Collects the log's problems: feed it WARC-derived leaves, then ``conclude``."""

    def __init__(self, home: ArchiveHome, catalog: Catalog,
                 given: Sequence[GivenCheckpoint] = ()) -> None:
        self.home = home
        self.catalog = catalog
        self.given = given  # checkpoints the user holds from elsewhere
        self.where = str(home.catalog_path)
        self.problems: list[Problem] = []
        self.warnings: list[Notice] = []
        self.notes: list[Notice] = []
        self._roots: dict[str, str] = {}  # trusted root and its source -> a note about it

    def problem(self, kind: str, message: str, *, file: str | None = None,
                expected: str | None = None, actual: str | None = None) -> None:
        self.problems.append(Problem(file=file or self.where, offset=None, record_id=None,
                                     kind=kind, message=message, expected=expected,
                                     actual=actual))

    def notice(self, into: list[Notice], kind: str, message: str, file: str | None = None) -> None:
        into.append(Notice(file=file or self.where, offset=None, record_id=None, kind=kind,
                           message=message))

    # --- leaves ---

    def warc_capture(self, capture_id: str, leaf: bytes | None) -> None:
        """Compare the leaf recomputed from a capture's WARC records with the stored one.

        ``leaf`` is None when the records could not be read back (the catalog check
        has reported why).
        """
        entry = self.catalog.log_entry(capture_id)
        if leaf is None or entry is None:
            return  # a missing leaf is reported by conclude()
        if entry.leaf != leaf:
            self.problem("log-leaf-mismatch",
                         f"leaf {entry.index} (capture {capture_id}) is not what the capture's "
                         f"WARC records say: {leaf_difference(entry.leaf, leaf)}",
                         expected=leaf_hash(leaf).hex(), actual=leaf_hash(entry.leaf).hex())

    def conclude(self) -> None:
        """Every check that reads the stored log, checkpoints and tokens."""
        tree, leaves = self._check_leaves()
        verifier = self._verifier()
        self._check_checkpoints(tree, verifier)
        self._check_given(tree, verifier)
        self._check_capture_timestamps(leaves)
        for described in self._roots.values():
            self.notice(self.notes, "timestamp-root", described)
        self.notice(self.notes, "log", f"log: {tree.size} leaves, root {b64(tree.root())}")

    def _check_leaves(self) -> tuple[MerkleTree, dict[str, tuple[int, bytes]]]:
        recorded = self.catalog.leaf_indexes()
        seen: dict[str, tuple[int, bytes]] = {}
        tree = MerkleTree()
        expected = 0
        for entry in self.catalog.log_entries():
            index, capture_id = entry.index, entry.capture_id
            if index != expected:
                gap = f"{expected}" if index == expected + 1 else f"{expected} to {index - 1}"
                self.problem("log-leaf-missing", f"leaf {gap} is missing from the log (deleted): "
                             f"the stored leaves jump from {expected - 1} to {index}")
            expected = index + 1
            hashed = leaf_hash(entry.leaf)
            tree.append(hashed)  # the bytes are the evidence; a bad stored hash is reported
            if entry.leaf_hash != hashed:
                self.problem("log-leaf-invalid", f"leaf {index} (capture {capture_id}): the "
                             "stored leaf hash is not the hash of the stored leaf",
                             expected=hashed.hex(), actual=entry.leaf_hash.hex())
            self._check_leaf_document(index, capture_id, entry.leaf)
            if capture_id in seen:
                self.problem("log-leaf-duplicate", f"capture {capture_id} has more than one "
                             f"leaf: {seen[capture_id][0]} and {index}")
                continue
            seen[capture_id] = (index, entry.leaf)
            if capture_id not in recorded:
                self.problem("log-leaf-orphan", f"leaf {index} names capture {capture_id}, "
                             "which is not in the catalog (a capture was removed)")
            elif recorded[capture_id] != index:
                self.problem("log-leaf-moved", f"leaf {index} holds capture {capture_id}, which "
                             f"the catalog recorded at leaf {recorded[capture_id]}: leaves were "
                             "reordered", expected=str(recorded[capture_id]), actual=str(index))
        for capture_id in recorded:
            if capture_id not in seen:
                self.problem("log-leaf-missing", f"capture {capture_id} has no leaf in the log")
        return tree, seen

    def _check_leaf_document(self, index: int, capture_id: str, leaf: bytes) -> None:
        try:
            document = json.loads(leaf)
        except (ValueError, RecursionError):
            self.problem("log-leaf-invalid", f"leaf {index} (capture {capture_id}) is not JSON")
            return
        errors = schemas.problems(document, "leaf")
        if errors:
            self.problem("log-leaf-invalid", f"leaf {index} (capture {capture_id}) does not "
                         f"match schemas/leaf.schema.json: {errors[0]}")
        elif document["capture_id"] != capture_id:
            self.problem("log-leaf-invalid", f"leaf {index} is stored for capture {capture_id} "
                         f"but names capture {document['capture_id']}")

    # --- checkpoints ---

    def _verifier(self) -> str | None:
        try:
            vkey = archive_verifier_key(self.home)
            if vkey is not None:
                parse_verifier_key(vkey)
        except (ArchiverError, NoteError) as exc:
            self.problem("checkpoint-invalid", f"the archive's verifier key cannot be read: {exc}",
                         file=str(self.home.keys_dir))
            return None
        if vkey is not None:
            key = parse_verifier_key(vkey)
            self.notice(self.notes, "log-key", f"checkpoints are checked with the archive's key "
                        f"{vkey} (fingerprint {fingerprint(key.public_key)}): compare it with "
                        "the one the archive published", file=str(self.home.keys_dir))
        return vkey

    def _check_checkpoints(self, tree: MerkleTree, verifier: str | None) -> None:
        rows = {row.tree_size: row for row in self.catalog.checkpoints()}
        files = self._numbered_files(_NOTE_NAME)
        stamps = self._numbered_files(_STAMP_NAME)
        if (rows or files) and verifier is None:
            self.problem("checkpoint-invalid", "the archive has checkpoints but no verifier "
                         f"key ({self.home.keys_dir / 'verifier.key'}): they cannot be checked")
        for size in sorted(rows.keys() | files.keys()):
            row, path = rows.get(size), files.get(size)
            copies: list[tuple[str, str | None]] = []
            if row is not None:
                copies.append((f"checkpoint {size} in the catalog", row.note))
            if path is None:
                self.problem("checkpoint-invalid", f"checkpoint {size} is in the catalog but its "
                             f"file {self.home.checkpoints_dir / f'{size}.note'} is missing")
            else:
                text = _read_text(path)
                copies.append((f"checkpoint file {path}", text))
                if text is None:
                    self.problem("checkpoint-invalid", f"{path} cannot be read as UTF-8 text",
                                 file=str(path))
                elif row is None:
                    self.problem("checkpoint-invalid", f"{path} is not in the catalog (was its "
                                 "row deleted?)", file=str(path))
                elif text != row.note:
                    self.problem("checkpoint-invalid", f"{path} differs from the catalog's copy "
                                 f"of checkpoint {size}", file=str(path))
            checked: set[str] = set()
            for label, note in copies:
                if note is None or note in checked or verifier is None:
                    continue
                checked.add(note)
                self._check_note(size, label, note, row, verifier, tree,
                                 file=str(path) if label.startswith("checkpoint file") else None)
            self._check_checkpoint_timestamp(size, row, stamps.get(size),
                                             note=row.note if row else _read_text(path))
        for size, path in stamps.items():
            if size not in rows and size not in files:
                self.problem("timestamp-invalid", f"{path} time-stamps a checkpoint the archive "
                             "does not have", file=str(path))

    def _check_given(self, tree: MerkleTree, verifier: str | None) -> None:
        """A checkpoint someone kept from elsewhere (a published copy, a witness's) must
        verify with the archive's key, and the log must still extend it."""
        label = "the given checkpoint"  # the report names its file
        for given in self.given:
            if verifier is None:
                self.problem("checkpoint-not-covered", f"{label} cannot be checked: the "
                             "archive has no verifier key", file=given.label)
                continue
            before = len(self.problems)
            checkpoint = self._check_note(None, label, given.note, None, verifier, tree,
                                          file=given.label)
            if checkpoint is not None and len(self.problems) == before:
                self.notice(self.notes, "given-checkpoint", f"{label} {given.label} "
                            f"({checkpoint.size} leaves, root {b64(checkpoint.root_hash)}) "
                            f"verifies with the archive's key, and the log of {tree.size} "
                            "leaves extends it", file=given.label)

    def _check_note(self, size: int | None, label: str, note: str | bytes,
                    row: StoredCheckpoint | None, verifier: str, tree: MerkleTree,
                    file: str | None) -> Checkpoint | None:
        """Check one signed checkpoint (of ``size`` leaves, when that is known) against
        the log; the checkpoint, or None when its signature or text does not verify."""
        try:
            checkpoint = verify_checkpoint(note, verifier)
        except NoteError as exc:
            self.problem("checkpoint-invalid", f"{label} does not verify: {exc}", file=file)
            return None
        name = parse_verifier_key(verifier).name
        if checkpoint.origin != name:
            self.problem("checkpoint-invalid", f"{label} is about log {checkpoint.origin!r}, not "
                         f"this archive's log {name!r}", file=file)
        if size is None:
            size = checkpoint.size
        elif checkpoint.size != size:
            self.problem("checkpoint-invalid", f"{label} signs a tree of {checkpoint.size} "
                         f"leaves, not {size}", file=file)
            return checkpoint
        if row is not None and file is None and row.root_hash != checkpoint.root_hash:
            self.problem("checkpoint-invalid", f"{label}: the root in its row differs from the "
                         "signed note's", expected=b64(checkpoint.root_hash),
                         actual=b64(row.root_hash))
        if size > tree.size:
            self.problem("checkpoint-rollback", f"the log has {tree.size} leaves but {label} "
                         f"commits to {size}: leaves were removed after it was signed",
                         file=file, expected=str(size), actual=str(tree.size))
            return checkpoint
        proof = tree.consistency_proof(size)
        if not verify_consistency(size, tree.size, checkpoint.root_hash, tree.root(), proof):
            self.problem("checkpoint-inconsistent", f"{label} does not match the log: its first "
                         f"{size} leaves were changed, reordered or replaced since it was signed "
                         f"(the consistency proof from {size} to {tree.size} leaves fails)",
                         file=file, expected=b64(checkpoint.root_hash), actual=b64(tree.root(size)))
        return checkpoint

    def _check_checkpoint_timestamp(self, size: int, row: StoredCheckpoint | None,
                                    path: Path | None, note: str | None) -> None:
        stored = row.timestamp if row is not None else None
        from_file = _read_json(path) if path is not None else None
        if path is not None and stored is not None and from_file != stored:
            self.problem("timestamp-invalid", f"{path} differs from the catalog's time-stamp of "
                         f"checkpoint {size}", file=str(path))
        if row is not None and stored is None and path is not None:
            self.problem("timestamp-invalid", f"{path} is not in the catalog (was its row "
                         "changed?)", file=str(path))
        if row is not None and stored is not None and path is None:
            self.problem("timestamp-invalid", f"the time-stamp of checkpoint {size} is in the "
                         f"catalog but {checkpoint_timestamp_path(self.home, size)} is missing")
        for document, file in ((stored, None), (from_file, path)):
            if document is None or (file is not None and document == stored) or note is None:
                continue
            self._check_token(document, note.encode("utf-8"), f"the time-stamp of checkpoint "
                              f"{size}", {"kind": "checkpoint", "tree_size": size},
                              file=str(file) if file else None)

    # --- capture time-stamps ---

    def _check_capture_timestamps(self, leaves: dict[str, tuple[int, bytes]]) -> None:
        rows = {capture_id: text for capture_id, text in self.catalog.capture_timestamps()}
        directory = self.home.timestamps_dir
        files = {path.name.removesuffix(".json"): path for path in
                 (sorted(directory.glob("*.json")) if directory.is_dir() else [])}
        for capture_id in sorted(rows.keys() | files.keys()):
            text, path = rows.get(capture_id), files.get(capture_id)
            stored = _parse_json(text) if text is not None else None
            from_file = _read_json(path) if path is not None else None
            if text is not None and path is None:
                self.problem("timestamp-invalid", f"the time-stamp of capture {capture_id} is "
                             f"in the catalog but {capture_timestamp_path(self.home, capture_id)} "
                             "is missing")
            if path is not None and text is None:
                self.problem("timestamp-invalid", f"{path} is not in the catalog (was its row "
                             "deleted?)", file=str(path))
            if path is not None and text is not None and from_file != stored:
                self.problem("timestamp-invalid", f"{path} differs from the catalog's time-stamp "
                             f"of capture {capture_id}", file=str(path))
            if capture_id not in leaves:
                self.problem("timestamp-invalid", f"capture {capture_id} has a time-stamp but no "
                             "leaf in the log", file=str(path) if path else None)
                continue
            index, leaf = leaves[capture_id]
            subject = {"kind": "capture", "capture_id": capture_id, "leaf_index": index}
            for document, file in ((stored, None), (from_file, path)):
                if document is None or (file is not None and text is not None
                                        and document == stored):
                    continue
                self._check_token(document, leaf, f"the time-stamp of capture {capture_id} "
                                  f"(leaf {index})", subject, file=str(file) if file else None)

    def _check_token(self, document: Any, data: bytes, label: str, subject: dict[str, Any],
                     file: str | None) -> None:
        if not isinstance(document, dict):
            self.problem("timestamp-invalid", f"{label} is not a JSON object", file=file)
            return
        try:
            verified = verify_timestamp_document(document, data)
        except (TimestampVerificationError, ArchiverError) as exc:
            self.problem("timestamp-invalid", f"{label} does not verify: {exc}", file=file)
            return
        if document["subject"] != subject:
            self.problem("timestamp-invalid", f"{label} is stored for {document['subject']}",
                         file=file)
        if document["skew_flagged"]:
            self.notice(self.warnings, "timestamp-skew", f"{label}: the TSA's time and this "
                        f"machine's clock differed by {document['skew_seconds']:.0f} s when it was "
                        "requested (over 10 minutes)", file=file)
        source = "given by the operator (--tsa-ca)" if document["root_source"] == "tsa-ca" \
            else "as sent by the TSA itself (no --tsa-ca was given): decide whether you trust it"
        self._roots.setdefault(verified.root_sha256 + source,
                               f"time-stamps verified up to the root {verified.root_subject} "
                               f"({verified.root_sha256}), {source}")

    def _numbered_files(self, pattern: re.Pattern[str]) -> dict[int, Path]:
        directory = self.home.checkpoints_dir
        found: dict[int, Path] = {}
        if not directory.is_dir():
            return found
        for path in sorted(directory.iterdir()):
            match = pattern.fullmatch(path.name)
            if match:
                found[int(match.group(1))] = path
        return found


def _read_text(path: Path | None) -> str | None:
    if path is None:
        return None
    try:
        return read_evidence_file(path).decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def _parse_json(text: str | None) -> Any:
    try:
        return json.loads(text) if text is not None else None
    except (ValueError, RecursionError):
        return "not JSON"


def _read_json(path: Path) -> Any:
    text = _read_text(path)
    return "not readable" if text is None else _parse_json(text)
