"""The archive's evidence layer: its keys, signed checkpoints of its log, RFC 3161 tokens.

What the commands ``keys init``, ``keys show``, ``checkpoint`` and ``capture --tsa``
do, as plain functions of an ``ArchiveHome`` (``logcheck.py`` verifies it all).

* **Keys** live in ``<home>/keys/`` (0700): the Ed25519 key that signs checkpoints
  and the ECDSA P-384 key that signs WACZ bundles (``keys.py`` has the file rules).
  The Ed25519 key's name is the log's **origin**: the first line of every
  checkpoint, which says which log a checkpoint is about. By default it is
  ``archiver.invalid/<host>-<8 random hex digits>``: the reserved ``.invalid``
  domain (RFC 2606) says it is a name, not a place to fetch anything from, and the
  random part keeps two archives on one machine apart. Give ``--name`` a path under
  a domain you control (``newsroom.example.org/archive``) to say whose log it is.
* **Checkpoints** (c2sp.org/tlog-checkpoint, signed notes): origin, tree size, base64
  root. Each is stored in the catalog (table ``checkpoints``) and as
  ``<home>/checkpoints/<size>.note``. A new one is signed only after a consistency
  proof from the latest stored one verifies, so the archive never signs two
  checkpoints that contradict each other.
* **Time-stamps**: an RFC 3161 token over the exact bytes of a checkpoint's note
  (``<size>.timestamp.json``) or of a capture's leaf (``<home>/timestamps/<id>.json``
  and table ``capture_timestamps``), stored as a document (schemas/timestamp) with
  the TSA's chain and the root it was verified against when it was received, so it
  verifies offline, at the token's time, years later.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import socket
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from . import schemas
from .catalog import Catalog
from .errors import ArchiverError
from .files import read_evidence_file, write_new_file
from .home import ArchiveHome
from .keys import (
    PRIVATE_KEY_FILE,
    VERIFIER_KEY_FILE,
    WACZ_PRIVATE_KEY_FILE,
    WACZ_PUBLIC_KEY_FILE,
    SigningKey,
    fingerprint,
    init_key,
    init_wacz_key,
    load_key,
    load_wacz_public_key,
    wacz_fingerprint,
)
from .ledger import (
    LogError,
    StoredCheckpoint,
    b64,
    consistency_document,
    inclusion_document,
    load_tree,
)
from .merkle import MerkleTree, verify_consistency
from .signednote import Checkpoint, NoteError, parse_verifier_key, verify_checkpoint
from .timestamp import (
    TimestampToken,
    TimestampVerificationError,
    VerifiedTimestamp,
    format_time,
    load_certificates,
)
from .tsaclient import DEFAULT_TIMEOUT, TimestampRequestError, request_timestamp

SCHEMA_VERSION = "1"
#: Origins (key names) default to a name under this reserved domain.
DEFAULT_ORIGIN_DOMAIN = "archiver.invalid"
PUBLIC_RECORD = "public.json"
#: ``capture --tsa`` stops asking a TSA that failed this many times in a row.
MAX_TSA_FAILURES = 3


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


class CheckpointRefused(ArchiverError):
    """A new checkpoint would contradict a stored one (a check found a problem: exit 1)."""


# --- keys --------------------------------------------------------------------------------


def default_key_name(host: str | None = None) -> str:
    """``archiver.invalid/<host>-<8 hex>``: unique, and plainly not a URL to fetch."""
    host = socket.gethostname() if host is None else host
    safe = re.sub(r"[^a-z0-9.-]+", "-", host.lower()).strip(".-") or "archive"
    return f"{DEFAULT_ORIGIN_DOMAIN}/{safe}-{secrets.token_hex(4)}"


def init_keys(home: ArchiveHome, *, name: str | None = None) -> tuple[dict[str, Any], list[str]]:
    """Create whichever of the archive's two keys is missing; never replace one.

    Returns the public keys document (schemas/keys) and the keys created
    (``"log"``, ``"wacz"``).

    Raises:
        ArchiverError: both keys exist, or ``name`` differs from the existing log key's.
    """
    directory = home.keys_dir
    have_log = os.path.lexists(directory / PRIVATE_KEY_FILE)
    have_wacz = os.path.lexists(directory / WACZ_PRIVATE_KEY_FILE)
    if have_log and have_wacz:
        raise ArchiverError(
            f"the archive already has its keys in {directory}; refusing to replace them "
            "(what they signed is checked against them). 'archiver keys show' prints them")
    created = []
    if not have_log:
        init_key(directory, name or default_key_name())
        created.append("log")
    elif name is not None and (existing := load_key(directory).name) != name:
        raise ArchiverError(f"the archive's log key is named {existing!r}, not {name!r}; "
                            "a key's name cannot change")
    if not have_wacz:
        init_wacz_key(directory)
        created.append("wacz")
    document = keys_document(home)
    record = directory / PUBLIC_RECORD
    temporary = record.with_name(f".{PUBLIC_RECORD}.{secrets.token_hex(8)}.tmp")
    temporary.write_text(json.dumps(document, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    os.chmod(temporary, 0o644)
    os.replace(temporary, record)
    return document, created


def archive_verifier_key(home: ArchiveHome) -> str | None:
    """The archive's verifier key string (public), or None when it has no log key."""
    path = home.keys_dir / VERIFIER_KEY_FILE
    try:
        return read_evidence_file(path).decode("utf-8").strip()
    except FileNotFoundError:
        pass
    except (OSError, UnicodeDecodeError) as exc:
        raise ArchiverError(f"cannot read {path}: {exc}") from None
    if os.path.lexists(home.keys_dir / PRIVATE_KEY_FILE):
        return load_key(home.keys_dir).verifier_key  # the public half was never written
    return None


def keys_document(home: ArchiveHome) -> dict[str, Any]:
    """The archive's public keys and fingerprints, from the public files (schemas/keys).

    Raises:
        ArchiverError: the archive has no keys, or a public key file is damaged.
    """
    directory = home.keys_dir
    log_key = wacz_key = None
    vkey = archive_verifier_key(home)
    if vkey is not None:
        try:
            verifier = parse_verifier_key(vkey)
        except NoteError as exc:
            raise ArchiverError(f"{directory / VERIFIER_KEY_FILE} is damaged: {exc}") from None
        log_key = {"algorithm": "ed25519", "name": verifier.name,
                   "key_id": f"{verifier.key_id:08x}", "verifier_key": vkey,
                   "fingerprint": fingerprint(verifier.public_key),
                   "file": str(directory / VERIFIER_KEY_FILE)}
    try:
        der = load_wacz_public_key(directory)
    except FileNotFoundError:
        der = None
    if der is not None:
        wacz_key = {"algorithm": "ecdsa-p384", "public_key": b64(der),
                    "fingerprint": wacz_fingerprint(der),
                    "file": str(directory / WACZ_PUBLIC_KEY_FILE)}
    if log_key is None and wacz_key is None:
        raise ArchiverError(f"the archive has no keys in {directory}: run 'archiver keys init'")
    document = {"schema_version": SCHEMA_VERSION, "directory": str(directory),
                "log_key": log_key, "wacz_key": wacz_key}
    schemas.validate(document, "keys")
    return document


# --- time-stamps ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class TsaOptions:
    """Where to ask for time-stamps, and which roots to trust for the answers."""

    url: str
    #: From ``--tsa-ca``. Empty: trust the self-signed root the TSA sends with its
    #: token, recorded as such (``root_source: tsa-chain``) for whoever checks later.
    roots: tuple[x509.Certificate, ...] = ()
    timeout: float = DEFAULT_TIMEOUT

    @classmethod
    def from_arguments(cls, url: str, ca_file: Path | None = None,
                       timeout: float = DEFAULT_TIMEOUT) -> TsaOptions:
        """Options from the command line; reads the ``--tsa-ca`` PEM file.

        Raises:
            ArchiverError: the CA file cannot be read or holds no certificate.
        """
        roots: tuple[x509.Certificate, ...] = ()
        if ca_file is not None:
            try:
                roots = tuple(load_certificates([Path(ca_file).read_bytes()]))
            except (OSError, ValueError) as exc:
                raise ArchiverError(f"cannot read TSA root certificates from {ca_file}: "
                                    f"{exc}") from None
            if not roots:
                raise ArchiverError(f"{ca_file} holds no certificate")
        return cls(url=url, roots=roots, timeout=timeout)


def timestamp_document(data: bytes, tsa: TsaOptions, *, subject: dict[str, Any],
                       clock: Callable[[], datetime] = utc_now) -> dict[str, Any]:
    """Ask the TSA to time-stamp ``data``; the token document to store (schemas/timestamp).

    The token is verified at once against the trusted root (``tsa.roots``, else the
    root the TSA sent), and that root is stored with it.

    Raises:
        TimestampRequestError: the TSA could not be reached or gave no usable token.
        TimestampVerificationError: the token does not verify against the root.
    """
    token = request_timestamp(data, tsa.url, timeout=tsa.timeout, clock=clock)
    if tsa.roots:
        source, candidates = "tsa-ca", list(tsa.roots)
    else:
        chain = token.certificates()
        top = chain[-1] if chain else None
        if top is None or top.subject != top.issuer:
            raise TimestampRequestError(tsa.url, "the TSA sent no root certificate with its "
                                        "token; give its root with --tsa-ca FILE")
        source, candidates = "tsa-chain", [top]
    verified = token.verify(data, trusted_roots=candidates)
    root = next(cert for cert in candidates if _sha256(cert) == verified.root_sha256)
    document = {"schema_version": SCHEMA_VERSION, "subject": subject, **token.to_document(),
                "trusted_root": root.public_bytes(serialization.Encoding.PEM).decode("ascii"),
                "root_source": source}
    schemas.validate(document, "timestamp")
    return document


def verify_timestamp_document(document: Any, data: bytes) -> VerifiedTimestamp:
    """Check a stored token document over ``data``, offline, against its recorded root.

    Raises:
        TimestampVerificationError: naming what failed.
    """
    errors = schemas.problems(document, "timestamp")
    if errors:
        raise TimestampVerificationError(f"the token document does not match "
                                         f"schemas/timestamp.schema.json: {errors[0]}")
    token = TimestampToken.from_document(document)
    try:
        roots = load_certificates([document["trusted_root"]])
    except ValueError as exc:
        raise TimestampVerificationError(f"its trusted root is not a certificate ({exc})") \
            from None
    return token.verify(data, trusted_roots=roots)


def capture_timestamp_path(home: ArchiveHome, capture_id: str) -> Path:
    return home.timestamps_dir / f"{capture_id}.json"


def stamp_capture(home: ArchiveHome, catalog: Catalog, capture_id: str, tsa: TsaOptions, *,
                  clock: Callable[[], datetime] = utc_now) -> dict[str, Any]:
    """Time-stamp a capture's leaf bytes; store the token document (file and catalog).

    Raises:
        ArchiverError: the capture has no leaf, or the TSA failed (the capture is kept).
    """
    entry = catalog.log_entry(capture_id)
    if entry is None:
        raise LogError(f"capture {capture_id} has no leaf in the log")
    document = timestamp_document(
        entry.leaf, tsa, clock=clock,
        subject={"kind": "capture", "capture_id": capture_id, "leaf_index": entry.index})
    write_new_file(capture_timestamp_path(home, capture_id), document_bytes(document))
    catalog.add_capture_timestamp(capture_id, document)
    return document


class CaptureStamper:
    """Time-stamps captures one after another (``capture --tsa``).

    Each request may take the whole timeout when the TSA hangs, so after
    ``MAX_TSA_FAILURES`` failures in a row the rest of the run is not asked for: those
    captures fail at once, saying why. The captures themselves are kept either way.
    """

    def __init__(self, home: ArchiveHome, tsa: TsaOptions, *,
                 clock: Callable[[], datetime] = utc_now) -> None:
        self.home, self.tsa, self.clock = home, tsa, clock
        self.failures = 0
        self.last_reason = ""

    def stamp(self, catalog: Catalog, capture_id: str) -> dict[str, Any]:
        """``stamp_capture`` unless the TSA has failed too often; ArchiverError otherwise."""
        if self.failures >= MAX_TSA_FAILURES:
            raise ArchiverError(f"not asked: the TSA failed {self.failures} times in a row "
                                f"(last: {self.last_reason})")
        try:
            document = stamp_capture(self.home, catalog, capture_id, self.tsa, clock=self.clock)
        except TimestampRequestError as exc:
            self.failures += 1
            self.last_reason = exc.reason
            raise
        self.failures = 0
        return document


# --- checkpoints ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class CheckpointOutcome:
    """What ``make_checkpoint`` did."""

    document: dict[str, Any]  # schemas/checkpoint
    note: str
    new: bool  # False: the log had not grown, the latest checkpoint stands
    timestamp_error: ArchiverError | None = None


def note_path(home: ArchiveHome, tree_size: int) -> Path:
    return home.checkpoints_dir / f"{tree_size}.note"


def checkpoint_timestamp_path(home: ArchiveHome, tree_size: int) -> Path:
    return home.checkpoints_dir / f"{tree_size}.timestamp.json"


def make_checkpoint(home: ArchiveHome, *, tsa: TsaOptions | None = None,
                    clock: Callable[[], datetime] = utc_now) -> CheckpointOutcome:
    """Sign a checkpoint of the log as it is now, after checking it extends every stored one.

    With ``tsa``, the note is also time-stamped; a TSA failure leaves the checkpoint
    signed and stored, and is returned as ``timestamp_error``.

    Raises:
        CheckpointRefused: the stored log contradicts the latest checkpoint (rolled
            back, rewritten or reordered), or a leaf is missing or damaged.
        ArchiverError: no key, or the key or catalog cannot be used.
    """
    if not os.path.lexists(home.keys_dir / PRIVATE_KEY_FILE):
        raise ArchiverError(f"the archive has no signing key in {home.keys_dir}: run "
                            "'archiver keys init' first")
    key = load_key(home.keys_dir)
    with home.shared(), home.open_catalog() as catalog:
        previous = catalog.latest_checkpoint()
        try:
            tree = load_tree(catalog)
        except LogError as exc:
            raise CheckpointRefused(f"refusing to sign a checkpoint: {exc}") from None
        size, root = tree.size, tree.root()
        proof = _check_extends(home, catalog, previous, key, tree)
        if previous is not None and previous.tree_size == size:
            stored, new, before = previous, False, None
        else:
            note = key.sign_note(Checkpoint(origin=key.name, size=size, root_hash=root).to_text())
            stored = StoredCheckpoint(tree_size=size, root_hash=root, note=note,
                                      key_fingerprint=key.fingerprint,
                                      created_at=format_time(clock()), timestamp=None)
            catalog.add_checkpoint(
                stored, previous=previous.tree_size if previous else None,
                before_commit=lambda: write_new_file(note_path(home, size), note.encode()))
            new = True
            before = None if previous is None else {
                "tree_size": previous.tree_size, "consistency_proof": [b64(n) for n in proof]}
        stamp, error = stored.timestamp, None
        if tsa is not None and stamp is None:
            try:
                stamp = timestamp_document(stored.note.encode("utf-8"), tsa, clock=clock,
                                           subject={"kind": "checkpoint", "tree_size": size})
                write_new_file(checkpoint_timestamp_path(home, size), document_bytes(stamp))
                catalog.set_checkpoint_timestamp(size, stamp)
            except ArchiverError as exc:
                stamp, error = None, exc
    document = {
        "schema_version": SCHEMA_VERSION,
        "origin": key.name,
        "tree_size": size,
        "root_hash": b64(stored.root_hash),
        "note": stored.note,
        "file": str(note_path(home, size)),
        "new": new,
        "created_at": stored.created_at,
        "key": {"name": key.name, "key_id": f"{key.key_id:08x}",
                "verifier_key": key.verifier_key, "fingerprint": key.fingerprint},
        "previous": before,
        "timestamp": None if stamp is None else {
            "file": str(checkpoint_timestamp_path(home, size)),
            **{name: stamp[name] for name in ("tsa_url", "tsa_time", "local_time",
                                              "skew_seconds", "skew_flagged", "root_source")}},
    }
    schemas.validate(document, "checkpoint")
    return CheckpointOutcome(document=document, note=stored.note, new=new, timestamp_error=error)


def capture_evidence(home: ArchiveHome, capture_ids: list[str]) -> dict[str, Any]:
    """What proves ``capture_ids`` against the latest checkpoint, for an evidence bundle.

    Returns ``checkpoint`` (the signed note), ``checkpoint_timestamp`` (token document
    or None), ``verifier_key``, ``proofs`` (one inclusion proof document per capture,
    schemas/proof, against the checkpoint's size), ``capture_timestamps`` (capture
    id -> token document, for those that have one) and ``earlier`` (every older
    checkpoint: ``note``, ``timestamp`` and ``consistency``, the proof that the latest
    tree extends it, so whoever holds one of them published can check the bundle's).

    Raises:
        ArchiverError: no checkpoint, a capture not in the log or newer than the
            latest checkpoint, or a log that no longer matches the checkpoint.
    """
    with home.open_catalog() as catalog:
        checkpoint = catalog.latest_checkpoint()
        if checkpoint is None:
            raise ArchiverError("the archive has no checkpoint yet: run 'archiver checkpoint'")
        tree = load_tree(catalog)
        size = checkpoint.tree_size
        if size > tree.size or tree.root(size) != checkpoint.root_hash:
            raise LogError(f"the log does not match its latest checkpoint ({size}): run "
                           "'archiver verify'")
        proofs = []
        for capture_id in capture_ids:
            entry = catalog.log_entry(capture_id)
            if entry is None:
                raise LogError(f"capture {capture_id} has no leaf in the log")
            if entry.index >= size:
                raise ArchiverError(f"capture {capture_id} is newer than the latest checkpoint "
                                    f"({size} leaves): run 'archiver checkpoint' first")
            proofs.append(inclusion_document(tree, entry, size))
        wanted = set(capture_ids)
        stamps = {capture_id: json.loads(text)
                  for capture_id, text in catalog.capture_timestamps() if capture_id in wanted}
        earlier = [{"note": row.note, "timestamp": row.timestamp,
                    "consistency": consistency_document(tree, row.tree_size, size)}
                   for row in catalog.checkpoints() if row.tree_size < size]
    return {"checkpoint": checkpoint.note, "checkpoint_timestamp": checkpoint.timestamp,
            "verifier_key": archive_verifier_key(home), "proofs": proofs,
            "capture_timestamps": stamps, "earlier": earlier}


def _check_extends(home: ArchiveHome, catalog: Catalog, previous: StoredCheckpoint | None,
                   key: SigningKey, tree: MerkleTree) -> list[bytes]:
    """Check that ``tree`` extends every stored checkpoint, in the catalog and in
    ``checkpoints/``; return the consistency proof from the latest one (``previous``).

    Raises:
        CheckpointRefused: a stored checkpoint does not verify with the key, or the
            tree does not extend it (rolled back, changed or reordered).
    """
    notes = {(f"checkpoint {row.tree_size} in the catalog", row.note)
             for row in catalog.checkpoints()}
    folder = home.checkpoints_dir
    for path in sorted(folder.glob("*.note")) if folder.is_dir() else []:
        try:
            notes.add((f"checkpoint file {path}", read_evidence_file(path).decode("utf-8")))
        except (OSError, UnicodeDecodeError) as exc:
            raise CheckpointRefused(f"cannot read checkpoint file {path} ({exc}); run "
                                    "'archiver verify'") from None
    seen: set[str] = set()
    for where, note in sorted(notes):
        if note in seen:
            continue
        seen.add(note)
        try:
            signed = verify_checkpoint(note, key.verifier_key)
        except NoteError as exc:
            raise CheckpointRefused(f"{where} does not verify with the archive's key ({exc}); "
                                    "run 'archiver verify'") from None
        if signed.size > tree.size:
            raise CheckpointRefused(
                f"the log has {tree.size} leaves but {where} commits to {signed.size}: the log "
                "was rolled back; refusing to sign a checkpoint that contradicts it")
        proof = tree.consistency_proof(signed.size)
        if not verify_consistency(signed.size, tree.size, signed.root_hash, tree.root(), proof):
            raise CheckpointRefused(
                f"the log's first {signed.size} leaves are not those {where} signed (changed, "
                "reordered or replaced); refusing to sign a checkpoint that contradicts it; "
                "run 'archiver verify'")
    if previous is None:
        return []
    signed = verify_checkpoint(previous.note, key.verifier_key)
    if (signed.size, signed.root_hash) != (previous.tree_size, previous.root_hash):
        raise CheckpointRefused(f"checkpoint {previous.tree_size} in the catalog: its size or "
                                "root differ from its signed note; run 'archiver verify'")
    return tree.consistency_proof(previous.tree_size)


def document_bytes(document: dict[str, Any]) -> bytes:
    """A JSON document as stored in a file: indented, keys sorted, UTF-8."""
    return (json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode()


def _sha256(cert: x509.Certificate) -> str:
    return "sha256:" + hashlib.sha256(cert.public_bytes(serialization.Encoding.DER)).hexdigest()
