"""The evidence checks of a bundle (``bundlecheck`` runs them after the WARC entries).

``EvidenceCheck`` reads ``evidence/`` (``export.py`` lays it out) and checks it against
the records found in the bundle's WARCs and against itself: the checkpoints verify
with the bundle's verifier key and name its log; each earlier one has a consistency
proof to the latest; each capture's leaf, recomputed from its records' headers and
its provenance document exactly as the archive computed it, is the leaf of its
inclusion proof, and the proof leads to the latest checkpoint's root; the provenance
document is the metadata record's block; every record belongs to a proved capture;
RFC 3161 tokens verify at their own time with the chain and root they carry; and the
WACZ was signed with the bundle's P-384 key. Findings go to the caller's collector
(``problem``/``notice``, each naming the entry).
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from cryptography.hazmat.primitives.serialization import (
    Encoding,
    PublicFormat,
    load_pem_public_key,
)

from . import schemas
from .errors import ArchiverError
from .evidence import verify_timestamp_document
from .export import EVIDENCE_DIR, VERIFIER_KEY_ENTRY, WACZ_KEY_ENTRY, evidence_entry
from .hashing import sha256_label
from .keys import fingerprint, wacz_fingerprint
from .ledger import b64, leaf_bytes, leaf_difference
from .merkle import leaf_hash, verify_consistency, verify_inclusion
from .signednote import (
    Checkpoint,
    GivenCheckpoint,
    NoteError,
    parse_verifier_key,
    verify_checkpoint,
)
from .timestamp import TimestampVerificationError
from .verify import Notice, Problem
from .waczcheck import ENTRY_ERRORS
from .waczsignature import SignatureInfo
from .warc import WrittenRecord

__all__ = ["CaptureCheck", "EvidenceCheck", "EvidenceSummary", "Findings", "RecordHeader"]

#: Proofs, tokens, notes and provenance documents are a few KiB each.
MAX_EVIDENCE_BYTES = 16 << 20
_NAMED = re.compile(rf"{EVIDENCE_DIR}/(checkpoint|proof|provenance)-([0-9a-z]+)\.(note|json)")


@dataclass(frozen=True, slots=True, kw_only=True)
class CaptureCheck:
    """One capture of a bundle, as far as it checked out."""

    capture_id: str
    url: str | None
    captured_at: str | None
    leaf_index: int | None
    records: int  # its records in the bundle
    proved: bool  # its leaf is its records', and is in the checkpoint's tree
    timestamp: str | None  # TSA time of the token over its leaf, when one verified


@dataclass(frozen=True, slots=True, kw_only=True)
class EvidenceSummary:
    """What the bundle's evidence says, and whether the checkpoint holds."""

    origin: str | None
    verifier_key: str | None
    log_key_fingerprint: str | None
    wacz_key_fingerprint: str | None  # of evidence/wacz-public.pem
    checkpoint_size: int | None
    root_hash: str | None
    checkpoint_verified: bool
    checkpoint_timestamp: str | None  # TSA time, when its token verified
    earlier_checkpoints: tuple[int, ...]
    captures: tuple[CaptureCheck, ...]


class RecordHeader(NamedTuple):
    """A record of a bundle as its header states it: its leaf fields and where it is
    (``record.file``: the WARC entry; ``record.offset``: within the entry)."""

    record: WrittenRecord
    capture_id: str | None
    refers_to: str | None



class Findings:
    """Problems, warnings and notes, each naming the bundle or one of its entries."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.problems: list[Problem] = []
        self.warnings: list[Notice] = []
        self.notes: list[Notice] = []

    def where(self, entry: str | None) -> str:
        return f"{self.path}!/{entry}" if entry else self.path

    def problem(self, kind: str, message: str, *, entry: str | None = None,
                record_id: str | None = None, expected: str | None = None,
                actual: str | None = None) -> None:
        self.problems.append(Problem(file=self.where(entry), offset=None, record_id=record_id,
                                     kind=kind, message=message, expected=expected,
                                     actual=actual))

    def notice(self, into: list[Notice], kind: str, message: str, *,
               entry: str | None = None) -> None:
        into.append(Notice(file=self.where(entry), offset=None, record_id=None, kind=kind,
                           message=message))


class EvidenceCheck:
    """The checks of the evidence folder against the records and each other."""

    def __init__(self, bundle: zipfile.ZipFile, entries: dict[str, zipfile.ZipInfo],
                 headers: list[RecordHeader], signature: SignatureInfo | None,
                 found: Findings, given: Sequence[GivenCheckpoint] = ()) -> None:
        self.bundle, self.entries, self.found = bundle, entries, found
        self.signature = signature
        self.given = given  # checkpoints the user holds from elsewhere
        self.by_capture: dict[str, list[RecordHeader]] = {}
        self.loose: list[RecordHeader] = []
        for header in headers:
            if header.capture_id:
                self.by_capture.setdefault(header.capture_id, []).append(header)
            else:
                self.loose.append(header)
        self.record_ids = {header.record.record_id for header in headers}

    def read(self, entry: str, *, required: bool = True) -> bytes | None:
        info = self.entries.get(entry)
        if info is None:
            if required:
                self.found.problem("evidence-missing", f"{entry} is missing from the bundle",
                                   entry=entry)
            return None
        if info.file_size > MAX_EVIDENCE_BYTES:
            self.found.problem("evidence-invalid", f"{info.file_size} bytes; limit "
                               f"{MAX_EVIDENCE_BYTES}", entry=entry)
            return None
        try:
            with self.bundle.open(info) as stream:
                return stream.read(MAX_EVIDENCE_BYTES + 1)
        except ENTRY_ERRORS as exc:
            self.found.problem("corrupt-entry", f"cannot read: {exc}", entry=entry)
            return None

    def read_json(self, entry: str, schema: str | None = None, *,
                  required: bool = True) -> dict[str, Any] | None:
        data = self.read(entry, required=required)
        if data is None:
            return None
        try:
            document = json.loads(data.decode("utf-8"))
        except (ValueError, RecursionError) as exc:
            self.found.problem("evidence-invalid", f"not JSON: {str(exc)[:200]}", entry=entry)
            return None
        errors = schemas.problems(document, schema) if schema else \
            ([] if isinstance(document, dict) else ["not a JSON object"])
        if errors:
            self.found.problem("evidence-invalid", f"does not match schemas/{schema}"
                               f".schema.json: {errors[0]}", entry=entry)
            return None
        return document

    def run(self) -> EvidenceSummary:
        vkey = self.verifier_key()
        checkpoints = self.checkpoints(vkey) if vkey else {}
        latest = checkpoints[max(checkpoints)] if checkpoints else None
        if vkey and not checkpoints:
            self.found.problem("evidence-missing", "no checkpoint verifies: nothing ties "
                               "the captures to the log")
        earlier = self.consistency(checkpoints, latest) if latest else []
        for given in self.given:
            self.given_checkpoint(given, vkey, checkpoints, latest)
        captures = [self.capture(capture_id, latest) for capture_id in self.capture_ids()]
        for record in (header.record for header in self.loose):
            if record.type != "warcinfo":
                self.found.problem("unproven-record", f"{record.type} record {record.record_id}"
                                   " belongs to no capture: no log leaf covers it",
                                   entry=record.file, record_id=record.record_id)
        self.refers_to()
        wacz_key = self.signer()
        verifier = parse_verifier_key(vkey) if vkey else None
        return EvidenceSummary(
            origin=verifier.name if verifier else None, verifier_key=vkey,
            log_key_fingerprint=fingerprint(verifier.public_key) if verifier else None,
            wacz_key_fingerprint=wacz_key,
            checkpoint_size=latest[0].size if latest else None,
            root_hash=base64.b64encode(latest[0].root_hash).decode() if latest else None,
            checkpoint_verified=latest is not None,
            checkpoint_timestamp=latest[1] if latest else None,
            earlier_checkpoints=tuple(earlier), captures=tuple(captures))

    # --- keys and checkpoints ---

    def verifier_key(self) -> str | None:
        data = self.read(VERIFIER_KEY_ENTRY)
        try:
            vkey = data.decode("utf-8").strip() if data is not None else None
            if vkey is not None:
                parse_verifier_key(vkey)
        except (UnicodeDecodeError, NoteError) as exc:
            self.found.problem("evidence-invalid", f"not a verifier key: {exc}",
                               entry=VERIFIER_KEY_ENTRY)
            return None
        return vkey

    def checkpoints(self, vkey: str) -> dict[int, tuple[Checkpoint, str | None, bytes]]:
        """size -> (checkpoint, TSA time of its token, note bytes), for those that verify."""
        name = parse_verifier_key(vkey).name
        verified = {}
        for _, label, extension in self.named("checkpoint"):
            entry = f"{EVIDENCE_DIR}/checkpoint-{label}.{extension}"
            if not label.isdigit() or entry != evidence_entry("checkpoint", int(label), "note"):
                self.found.notice(self.found.warnings, "unknown-evidence", "not a file archiver "
                                  "writes: not checked", entry=entry)
                continue
            note = self.read(entry)
            if note is None:
                continue
            try:
                checkpoint = verify_checkpoint(note, vkey)
            except NoteError as exc:
                self.found.problem("checkpoint-invalid", f"does not verify with the bundle's "
                                   f"verifier key: {exc}", entry=entry)
                continue
            if checkpoint.origin != name or checkpoint.size != int(label):
                self.found.problem("checkpoint-invalid", f"signs log {checkpoint.origin!r} at "
                                   f"size {checkpoint.size}, not log {name!r} at {label}",
                                   entry=entry)
                continue
            stamp = self.token(evidence_entry("checkpoint", checkpoint.size, "timestamp.json"),
                               note, {"kind": "checkpoint", "tree_size": checkpoint.size})
            verified[checkpoint.size] = (checkpoint, stamp, note)
        return verified

    def consistency(self, checkpoints: dict[int, tuple[Checkpoint, str | None, bytes]],
                    latest: tuple[Checkpoint, str | None, bytes]) -> list[int]:
        """Check each earlier checkpoint's consistency proof to the latest one."""
        newest = latest[0]
        earlier = []
        for size in sorted(checkpoints):
            if size == newest.size:
                continue
            entry = evidence_entry("consistency", size)
            proof = self.read_json(entry, "proof")
            if proof is None:
                continue
            old = checkpoints[size][0]
            nodes = _hashes(proof["proof"])
            if proof["kind"] != "consistency" or proof.get("old_size") != size or \
                    proof["tree_size"] != newest.size or nodes is None or \
                    not verify_consistency(size, newest.size, old.root_hash,
                                           newest.root_hash, nodes):
                self.found.problem("checkpoint-inconsistent", f"checkpoint {size} is not "
                                   f"proved a prefix of checkpoint {newest.size}: the log was "
                                   "rewritten, reordered or rolled back between them",
                                   entry=entry)
                continue
            earlier.append(size)
        return earlier

    def given_checkpoint(self, given: GivenCheckpoint, vkey: str | None,
                         checkpoints: dict[int, tuple[Checkpoint, str | None, bytes]],
                         latest: tuple[Checkpoint, str | None, bytes] | None) -> None:
        """A checkpoint the user kept from elsewhere (a copy the archive published, a
        witness's) must verify with the bundle's key and be one of the bundle's
        checkpoints, each of which ``consistency`` proves a prefix of the latest. Any
        other answer is a problem: the bundle cannot show that its log extends it."""
        label = f"the given checkpoint {given.label}"
        if vkey is None or latest is None:
            self.found.problem("checkpoint-not-covered", f"{label} cannot be checked: the "
                               "bundle has no checkpoint that verifies")
            return
        try:
            held = verify_checkpoint(given.note, vkey)
        except NoteError as exc:
            self.found.problem("checkpoint-invalid", f"{label} does not verify with the "
                               f"bundle's verifier key: {exc}")
            return
        name = parse_verifier_key(vkey).name
        if held.origin != name:
            self.found.problem("checkpoint-invalid", f"{label} is about log {held.origin!r}, "
                               f"not the bundle's log {name!r}")
            return
        ours = checkpoints.get(held.size)
        newest = latest[0].size
        if ours is None:
            why = (f"it is newer than the bundle's latest checkpoint ({newest} leaves): check "
                   "it against the archive ('archiver verify --checkpoint')"
                   if held.size > newest else "the bundle holds no checkpoint of that size, "
                   "so it cannot show that its log extends it")
            self.found.problem("checkpoint-not-covered", f"{label} commits to {held.size} "
                               f"leaves; {why} (the bundle's checkpoints: "
                               f"{', '.join(map(str, sorted(checkpoints)))})")
            return
        if ours[0].root_hash != held.root_hash:
            self.found.problem("checkpoint-inconsistent", f"{label} and the bundle's "
                               f"checkpoint {held.size} sign different roots for the same "
                               f"{held.size} leaves: the log was forked or rewritten",
                               expected=b64(held.root_hash), actual=b64(ours[0].root_hash))
            return
        proved = "its latest" if held.size == newest else \
            f"proved a prefix of its latest ({newest} leaves)"
        self.found.notice(self.found.notes, "given-checkpoint", f"{label} ({held.size} "
                          f"leaves, root {b64(held.root_hash)}) verifies with the bundle's "
                          f"key and is the bundle's checkpoint {held.size}, {proved}")

    def token(self, entry: str, data: bytes, subject: dict[str, Any]) -> str | None:
        """The TSA time of the token document at ``entry`` over ``data``, if it verifies."""
        document = self.read_json(entry, required=False)
        if document is None:
            return None
        try:
            verified = verify_timestamp_document(document, data)
        except (TimestampVerificationError, ArchiverError) as exc:
            self.found.problem("timestamp-invalid", f"does not verify: {exc}", entry=entry)
            return None
        if document["subject"] != subject:
            self.found.problem("timestamp-invalid", f"is stored for {document['subject']}, not "
                               f"{subject}", entry=entry)
            return None
        source = "given by the archive's operator" if document["root_source"] == "tsa-ca" \
            else "as sent by the TSA itself: decide whether you trust it"
        self.found.notice(self.found.notes, "timestamp-root", f"verified at "
                          f"{document['tsa_time']} up to the root {verified.root_subject} "
                          f"({verified.root_sha256}), {source}", entry=entry)
        return document["tsa_time"]

    # --- captures ---

    def named(self, kind: str) -> list[tuple[str, str, str]]:
        found = [_NAMED.fullmatch(name) for name in self.entries]
        return sorted(match.groups() for match in found if match and match[1] == kind)

    def capture_ids(self) -> list[str]:
        ids = set(self.by_capture)
        ids |= {label for kind in ("proof", "provenance") for _, label, _ in self.named(kind)}
        return sorted(ids)

    def capture(self, capture_id: str,
                latest: tuple[Checkpoint, str | None, bytes] | None) -> CaptureCheck:
        records = self.by_capture.get(capture_id, [])
        proof = self.read_json(evidence_entry("proof", capture_id), "proof")
        provenance_bytes = self.read(evidence_entry("provenance", capture_id))
        leaf = proof["leaf"].encode("utf-8") if proof else None
        included = proof is not None and latest is not None and \
            self.included(capture_id, proof, latest[0])
        matches = leaf is not None and provenance_bytes is not None and \
            self.leaf_matches(capture_id, leaf, provenance_bytes, records)
        provenance = _json_object(provenance_bytes)
        stamp = self.token(evidence_entry("timestamp", capture_id), leaf, {
            "kind": "capture", "capture_id": capture_id, "leaf_index": proof["leaf_index"]}) \
            if proof and leaf else None
        return CaptureCheck(
            capture_id=capture_id, url=_str(provenance.get("url")),
            captured_at=_str(provenance.get("captured_at")),
            leaf_index=proof["leaf_index"] if proof else None, records=len(records),
            proved=included and matches, timestamp=stamp)

    def included(self, capture_id: str, proof: dict[str, Any], checkpoint: Checkpoint) -> bool:
        entry = evidence_entry("proof", capture_id)
        leaf = proof["leaf"].encode("utf-8")
        nodes = _hashes(proof["proof"])
        if proof["kind"] != "inclusion" or proof["capture_id"] != capture_id:
            self.found.problem("proof-invalid", f"is not the inclusion proof of capture "
                               f"{capture_id}", entry=entry)
            return False
        if _hashes([proof["leaf_hash"]]) != [leaf_hash(leaf)]:
            self.found.problem("proof-invalid", "its leaf_hash is not the hash of its leaf",
                               entry=entry, expected=base64.b64encode(leaf_hash(leaf)).decode(),
                               actual=proof["leaf_hash"])
            return False
        if proof["tree_size"] != checkpoint.size:
            self.found.problem("proof-checkpoint-mismatch", f"proves leaf "
                               f"{proof['leaf_index']} in a tree of {proof['tree_size']} leaves"
                               f", but the bundle's checkpoint signs {checkpoint.size} (a "
                               "checkpoint was removed, or the log rolled back)", entry=entry,
                               expected=str(checkpoint.size), actual=str(proof["tree_size"]))
            return False
        if nodes is None or not verify_inclusion(leaf_hash(leaf), proof["leaf_index"],
                                                 checkpoint.size, nodes, checkpoint.root_hash):
            self.found.problem("proof-invalid", f"does not lead from leaf "
                               f"{proof['leaf_index']} to the root of checkpoint "
                               f"{checkpoint.size}: the leaf, its index or the path was "
                               "changed", entry=entry)
            return False
        return True

    def leaf_matches(self, capture_id: str, leaf: bytes, provenance: bytes,
                     records: list[RecordHeader]) -> bool:
        """The leaf recomputed from the records and provenance document is the proof's."""
        proof_name = evidence_entry("proof", capture_id)
        if not records:
            self.found.problem("evidence-missing", f"capture {capture_id} has a proof but no "
                               "records in the bundle", entry=proof_name)
            return False
        metadata = [header.record for header in records if header.record.type == "metadata"]
        if not metadata or sha256_label(provenance) != metadata[-1].block_sha256:
            self.found.problem("provenance-mismatch", "is not the block of the capture's "
                               "metadata record", entry=evidence_entry("provenance", capture_id),
                               expected=metadata[-1].block_sha256 if metadata else None,
                               actual=sha256_label(provenance))
            return False
        document = _json_object(provenance)
        try:
            recomputed = leaf_bytes(document, [header.record for header in records])
        except (KeyError, TypeError):
            recomputed = b""
        if recomputed != leaf:
            self.found.problem("log-leaf-mismatch", f"capture {capture_id}: the leaf in its "
                               "proof is not what its records say: "
                               f"{leaf_difference(leaf, recomputed)}", entry=proof_name,
                               expected=leaf_hash(recomputed).hex(), actual=leaf_hash(leaf).hex())
            return False
        return True

    def refers_to(self) -> None:
        """A revisit replays only with the record it refers to."""
        for records in self.by_capture.values():
            for header in records:
                record = header.record
                if record.type == "revisit" and header.refers_to not in self.record_ids:
                    self.found.notice(self.found.warnings, "refers-to-missing", f"revisit "
                                      f"{record.record_id} refers to {header.refers_to}, which "
                                      "is not in the bundle: it will not replay",
                                      entry=record.file)

    def signer(self) -> str | None:
        """The fingerprint of evidence/wacz-public.pem, checked against the signature."""
        data = self.read(WACZ_KEY_ENTRY)
        try:
            der = load_pem_public_key(data).public_bytes(
                Encoding.DER, PublicFormat.SubjectPublicKeyInfo) if data else None
        except (ValueError, TypeError):
            self.found.problem("evidence-invalid", "not a PEM public key", entry=WACZ_KEY_ENTRY)
            return None
        if der is None:
            return None
        key = wacz_fingerprint(der)
        if self.signature is None:
            self.found.problem("bundle-unsigned", "datapackage-digest.json is not signed: "
                               "an archiver bundle is always signed with its WACZ key")
        elif self.signature.key_fingerprint != key:
            self.found.problem("signer-mismatch", "the bundle was signed with another key "
                               "than evidence/wacz-public.pem", expected=key,
                               actual=self.signature.key_fingerprint)
        return key


def _hashes(encoded: Any) -> list[bytes] | None:
    try:
        return [base64.b64decode(item, validate=True) for item in encoded]
    except (binascii.Error, TypeError, ValueError):
        return None


def _json_object(data: bytes | None) -> dict[str, Any]:
    try:
        document = json.loads(data) if data is not None else {}
    except (ValueError, RecursionError):
        return {}
    return document if isinstance(document, dict) else {}


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) else None
