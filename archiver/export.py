"""Evidence bundles: chosen captures, with what proves them, in one signed WACZ file.

``export_bundle`` writes a WACZ 1.1.1 file (``wacz.write_wacz``) holding every record
of each chosen capture, copied byte for byte from the archive's WARC files, and in
``evidence/``:

* ``provenance-<id>.json``: each capture's provenance document, the exact bytes of
  its metadata record's block;
* ``proof-<id>.json``: the RFC 9162 inclusion proof of its leaf (the leaf bytes and
  the audit path) in the tree of the bundle's checkpoint (schemas/proof);
* ``timestamp-<id>.json``: the RFC 3161 token over the leaf, when it has one;
* ``checkpoint-<size>.note``: the latest signed checkpoint, and every earlier one
  with ``consistency-<size>.json``, the proof that the latest tree extends it (whoever
  holds an earlier checkpoint from elsewhere can check that nothing was rewritten);
  ``checkpoint-<size>.timestamp.json``: the token over a note, when it has one;
* ``verifier.key`` (Ed25519, checks the checkpoints) and ``wacz-public.pem`` (the
  P-384 key that signs the bundle);
* ``report.html``: what was captured, when, how and by which key, and what the
  bundle can and cannot prove (``report.py``).

A revisit record only replays with the record it refers to, so the capture that holds
that record is exported too: every record in a bundle then belongs to a capture whose
leaf is proved. The latest checkpoint must cover every exported capture; if it does
not, one is signed first (``make_checkpoint``, which refuses a log that contradicts an
earlier checkpoint). Signing one is cheap, never contradicts the earlier ones, and a
bundle without a checkpoint that covers it would prove nothing, so asking the user to
run ``archiver checkpoint`` first would only add a step.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.serialization import (
    Encoding,
    PublicFormat,
    load_der_public_key,
)

from .catalog import CaptureRow, Catalog
from .errors import ArchiverError
from .evidence import (
    TsaOptions,
    capture_evidence,
    document_bytes,
    make_checkpoint,
    utc_now,
)
from .hashing import canonical_json
from .home import ArchiveHome
from .keys import WACZ_PRIVATE_KEY_FILE, fingerprint, load_wacz_key
from .report import bundle_report
from .signednote import parse_checkpoint, parse_note, parse_verifier_key
from .wacz import Page, WaczSigner, WarcPart, write_wacz
from .warc import OPEN_SUFFIX
from .warcread import WarcReader

__all__ = ["ExportResult", "evidence_entry", "export_bundle", "select_captures"]

EVIDENCE_DIR = "evidence"
VERIFIER_KEY_ENTRY = f"{EVIDENCE_DIR}/verifier.key"
WACZ_KEY_ENTRY = f"{EVIDENCE_DIR}/wacz-public.pem"
REPORT_ENTRY = f"{EVIDENCE_DIR}/report.html"


def evidence_entry(kind: str, key: str | int, extension: str = "json") -> str:
    """``evidence/<kind>-<capture id or tree size>.<extension>`` (the layout above)."""
    return f"{EVIDENCE_DIR}/{kind}-{key}.{extension}"


@dataclass(frozen=True, slots=True, kw_only=True)
class ExportResult:
    """What ``export_bundle`` wrote."""

    path: Path
    bytes: int
    captures: tuple[str, ...]  # every exported capture id, in capture order
    originals: tuple[str, ...]  # those added because a chosen revisit refers to them
    checkpoint_size: int
    checkpoint_signed: bool  # a new checkpoint was signed for this bundle
    log_key_fingerprint: str
    wacz_key_fingerprint: str
    datapackage_hash: str
    timestamp_error: ArchiverError | None  # --tsa was given and the TSA failed

    def to_document(self) -> dict:
        """What ``export --json`` prints (schemas/export.schema.json)."""
        return {
            "schema_version": "1", "path": str(self.path), "bytes": self.bytes,
            "captures": list(self.captures), "originals": list(self.originals),
            "checkpoint": {"tree_size": self.checkpoint_size,
                           "signed_for_this_bundle": self.checkpoint_signed},
            "log_key_fingerprint": self.log_key_fingerprint,
            "wacz_key_fingerprint": self.wacz_key_fingerprint,
            "datapackage_hash": self.datapackage_hash,
            "timestamp_error": str(self.timestamp_error) if self.timestamp_error else None,
        }


def select_captures(catalog: Catalog, *, capture_ids: Sequence[str] = (),
                    url: str | None = None, everything: bool = False) -> list[CaptureRow]:
    """The captures named by id (or unique prefix), of ``url``, or all of them.

    Raises:
        ArchiverError: not exactly one way of choosing, or nothing chosen.
        CatalogError: an unknown or ambiguous id.
    """
    if sum((bool(capture_ids), url is not None, everything)) != 1:
        raise ArchiverError("choose the captures to export: capture ids, --url URL or --all")
    if capture_ids:
        rows = {row.capture_id: row for row in map(catalog.get, capture_ids)}
        chosen = sorted(rows.values(), key=lambda row: (row.captured_at, row.capture_id))
    else:
        chosen = list(catalog.captures(url=url))
    if not chosen:
        raise ArchiverError(f"no capture of {url} in the archive (see 'archiver list')"
                            if url is not None else "the archive has no captures to export")
    return chosen


def export_bundle(home: ArchiveHome, out: Path, rows: Sequence[CaptureRow], *,
                  tsa: TsaOptions | None = None, clock: Callable[[], datetime] = utc_now,
                  progress: Callable[[str], None] = lambda message: None) -> ExportResult:
    """Write the evidence bundle of ``rows`` (and the originals of their revisits) to ``out``.

    ``progress`` receives one line per step. With ``tsa``, the checkpoint is
    time-stamped (a new one, or the latest if it has no token yet).

    Raises:
        ArchiverError: ``out`` exists, the archive has no keys, a capture has no leaf,
            a WARC file is missing; nothing is written.
        CheckpointRefused: the log contradicts an earlier checkpoint.
    """
    out = Path(out)
    if out.exists():
        raise ArchiverError(f"{out} exists; refusing to overwrite it (choose another name)")
    if not (home.keys_dir / WACZ_PRIVATE_KEY_FILE).exists():
        raise ArchiverError(f"the archive has no WACZ signing key in {home.keys_dir}: run "
                            "'archiver keys init'")
    key = load_wacz_key(home.keys_dir)
    with home.open_catalog() as catalog:
        rows, originals = _with_originals(catalog, rows)
        needs_checkpoint = tsa is not None or _uncovered(catalog, rows)
    outcome = None
    if needs_checkpoint:
        outcome = make_checkpoint(home, tsa=tsa, clock=clock)
        progress(f"checkpoint {outcome.document['tree_size']} "
                 + ("signed" if outcome.new else "stands (the log has not grown)"))
    ids = [row.capture_id for row in rows]
    with home.shared():
        evidence = capture_evidence(home, ids)
        if evidence["verifier_key"] is None:
            raise ArchiverError(f"the archive's verifier key is missing from {home.keys_dir}: "
                                "its checkpoints cannot be checked ('archiver verify')")
        checkpoint = parse_checkpoint(parse_note(evidence["checkpoint"]).text)
        progress(f"collecting the records of {len(rows)} captures")
        parts = _warc_parts(home, rows)
        files = _evidence_files(rows, evidence, checkpoint.size, key.public_key_der)
        files[REPORT_ENTRY] = bundle_report(
            rows, evidence, originals=originals, wacz_key=key.fingerprint,
            created=clock()).encode("utf-8")
        progress(f"writing {out}")
        summary = write_wacz(
            out, warc_slices=parts, pages=[_page(row) for row in rows], extra_files=files,
            signer=WaczSigner(key.private_key), created=clock(),
            title=f"archiver evidence bundle: {len(rows)} captures")
    return ExportResult(
        path=out, bytes=summary.bytes, captures=tuple(ids), originals=tuple(originals),
        checkpoint_size=checkpoint.size, checkpoint_signed=bool(outcome and outcome.new),
        log_key_fingerprint=fingerprint(parse_verifier_key(evidence["verifier_key"]).public_key),
        wacz_key_fingerprint=key.fingerprint, datapackage_hash=summary.datapackage_hash,
        timestamp_error=outcome.timestamp_error if outcome else None)


def _with_originals(catalog: Catalog,
                    rows: Sequence[CaptureRow]) -> tuple[list[CaptureRow], list[str]]:
    """``rows`` plus the captures their revisit records refer to, in capture order."""
    chosen = {row.capture_id: row for row in rows}
    originals: list[str] = []
    pending = list(rows)
    while pending:
        revisit = pending.pop().provenance["content"].get("revisit")
        if not revisit or revisit["refers_to_capture"] in chosen:
            continue
        original_id = revisit["refers_to_capture"]
        if not catalog.has(original_id):
            raise ArchiverError(f"a chosen capture is a revisit of capture {original_id}, "
                                "which the archive no longer has: its bundle would not "
                                "replay ('archiver verify' checks the archive)")
        original = catalog.get(original_id)
        chosen[original_id] = original
        originals.append(original_id)
        pending.append(original)
    ordered = sorted(chosen.values(), key=lambda row: (row.captured_at, row.capture_id))
    return ordered, originals


def _uncovered(catalog: Catalog, rows: Sequence[CaptureRow]) -> bool:
    """Whether some capture is not in the tree of the latest checkpoint (or has no leaf:
    then signing a checkpoint checks the log, and says what is wrong with it)."""
    latest = catalog.latest_checkpoint()
    for row in rows:
        entry = catalog.log_entry(row.capture_id)
        if latest is None or entry is None or entry.index >= latest.tree_size:
            return True
    return False


def _warc_parts(home: ArchiveHome, rows: Sequence[CaptureRow]) -> list[WarcPart]:
    """One part per WARC file: its warcinfo record and the captures' records."""
    files = {path.name.removesuffix(OPEN_SUFFIX): path for path in home.warc_files()}
    spans: dict[str, set[tuple[int, int]]] = {}
    for row in rows:
        for record in row.records:
            spans.setdefault(record.file, set()).add((record.offset, record.length))
    parts = []
    for name in sorted(spans):
        path = files.get(name)
        if path is None:
            raise ArchiverError(f"the catalog has records in {name}, which is not in "
                                f"{home.warc_dir}: run 'archiver verify'")
        warcinfo = _warcinfo_span(path)
        parts.append(WarcPart(name=name, path=path, ranges=_merged(
            spans[name] | ({warcinfo} if warcinfo else set()))))
    return parts


def _warcinfo_span(path: Path) -> tuple[int, int] | None:
    """(0, length) of the file's first record if it is a whole warcinfo record."""
    with WarcReader(path) as reader:
        first = next(iter(reader), None)
        if first is None or first.header.type != "warcinfo":
            return None
        first.read_to_end()
        return (0, first.length) if first.length else None


def _merged(spans: set[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    """Spans sorted, those that touch joined into one."""
    merged: list[list[int]] = []
    for offset, length in sorted(spans):
        if merged and merged[-1][0] + merged[-1][1] == offset:
            merged[-1][1] += length
        else:
            merged.append([offset, length])
    return tuple((offset, length) for offset, length in merged)


def _evidence_files(rows: Sequence[CaptureRow], evidence: dict[str, Any], size: int,
                    wacz_key_der: bytes) -> dict[str, bytes]:
    files = {
        VERIFIER_KEY_ENTRY: (evidence["verifier_key"] + "\n").encode("utf-8"),
        WACZ_KEY_ENTRY: load_der_public_key(wacz_key_der).public_bytes(
            Encoding.PEM, PublicFormat.SubjectPublicKeyInfo),
        evidence_entry("checkpoint", size, "note"): evidence["checkpoint"].encode("utf-8"),
    }
    if evidence["checkpoint_timestamp"] is not None:
        files[evidence_entry("checkpoint", size, "timestamp.json")] = \
            document_bytes(evidence["checkpoint_timestamp"])
    for earlier in evidence["earlier"]:
        old = earlier["consistency"]["old_size"]
        files[evidence_entry("checkpoint", old, "note")] = earlier["note"].encode("utf-8")
        files[evidence_entry("consistency", old)] = document_bytes(earlier["consistency"])
        if earlier["timestamp"] is not None:
            files[evidence_entry("checkpoint", old, "timestamp.json")] = \
                document_bytes(earlier["timestamp"])
    for row, proof in zip(rows, evidence["proofs"], strict=True):
        capture_id = row.capture_id
        files[evidence_entry("provenance", capture_id)] = canonical_json(row.provenance)
        files[evidence_entry("proof", capture_id)] = document_bytes(proof)
        stamp = evidence["capture_timestamps"].get(capture_id)
        if stamp is not None:
            files[evidence_entry("timestamp", capture_id)] = document_bytes(stamp)
    return files


def _page(row: CaptureRow) -> Page:
    return Page(id=row.capture_id, url=row.final_url,
                ts=datetime.fromisoformat(row.captured_at), title=row.title)
