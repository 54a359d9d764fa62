"""Verifying an evidence bundle offline, with nothing but the bundle: ``verify_bundle``.

The checks, each building on the one before:

1. the WACZ itself (``waczcheck.check_wacz``): ZIP safety before anything is parsed,
   every resource against ``datapackage.json``, its digest and signature. A bundle
   that is not safe to read stops here;
2. every record of every WARC in ``archive/``, read in place from the ZIP (entries are
   STORED, so a WARC is a span of the bundle file; nothing is extracted), with the
   checks ``archiver verify`` runs on WARC files (``warccheck``);
3. the evidence (``export.py`` lays it out) against those records and itself: the
   checkpoints, consistency and inclusion proofs, leaves, provenance documents,
   time-stamps and the signer (``bundleevidence.py``).

The keys come from the bundle, so all of this shows only that the bundle is what its
key's holder made: the report gives the key fingerprints to compare with those the
archive published. A WACZ without archiver evidence (made by another tool) gets
checks 1 and 2 and a note that who captured it and when cannot be checked.
"""

from __future__ import annotations

import shutil
import struct
import tempfile
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, BinaryIO

from . import schemas
from .bundleevidence import CaptureCheck, EvidenceCheck, EvidenceSummary, Findings, RecordHeader
from .catalogrows import record_from_header
from .errors import ArchiverError
from .export import EVIDENCE_DIR
from .signednote import GivenCheckpoint
from .verify import FileSummary, Notice, Problem, VerificationReport
from .waczcheck import ENTRY_ERRORS, WaczReport, check_wacz
from .waczsignature import SignatureInfo
from .warccheck import FileCheck
from .warcread import Record, WarcReader

__all__ = ["BundleReport", "CaptureCheck", "EvidenceSummary", "verify_bundle"]

#: Findings of check_wacz after which the ZIP is not read any further.
UNSAFE_KINDS = frozenset({"not-a-zip", "too-many-entries", "unsafe-path", "duplicate-entry",
                          "encrypted-entry", "unsupported-compression", "symlink-entry",
                          "zip-bomb"})


@dataclass(frozen=True, slots=True, kw_only=True)
class BundleReport:
    """The outcome of ``verify_bundle``: ok when ``records`` holds no problem."""

    path: str
    wacz: WaczReport
    records: VerificationReport  # the WARC entries, and every problem found anywhere
    evidence: EvidenceSummary | None  # None: the WACZ holds no archiver evidence

    @property
    def ok(self) -> bool:
        return self.records.ok

    def to_document(self) -> dict[str, Any]:
        """``records.to_document()`` with a ``bundle`` section (schemas/verification)."""
        document = self.records.to_document()
        signature = self.wacz.signature
        document["bundle"] = {
            "path": self.path, "wacz_version": self.wacz.wacz_version,
            "entries": self.wacz.entries, "resources_checked": self.wacz.resources_checked,
            "signature": None if signature is None else {
                name: getattr(signature, name) for name in SignatureInfo.__slots__},
            "evidence": None if self.evidence is None else {
                **{name: getattr(self.evidence, name) for name in EvidenceSummary.__slots__
                   if name != "captures"},
                "earlier_checkpoints": list(self.evidence.earlier_checkpoints),
                "captures": [{name: getattr(capture, name) for name in CaptureCheck.__slots__}
                             for capture in self.evidence.captures]},
        }
        schemas.validate(document, "verification")
        return document


class _EntryReader(WarcReader):
    """A ``WarcReader`` over one STORED ZIP entry, read in place, keeping record headers."""

    def __init__(self, path: Path, *, start: int, end: int, entry: str) -> None:
        super().__init__(path, start=start, end=end)
        self.start, self.entry = start, entry
        self.headers: list[RecordHeader] = []

    def __iter__(self) -> Iterator[Record]:
        for record in super().__iter__():
            yield record
            header = record.header
            if header.is_arc:
                continue
            record.read_to_end()
            self.headers.append(RecordHeader(
                record_from_header(header, file=self.entry, offset=record.offset - self.start,
                                   length=record.length or 0),
                header.get("Archiver-Capture-ID"), header.get("WARC-Refers-To")))


def verify_bundle(path: str | Path, *,
                  progress: Callable[[int, int], None] | None = None,
                  given: Sequence[GivenCheckpoint] = ()) -> BundleReport:
    """Verify a WACZ bundle offline; ``progress(bytes_done, bytes_total)`` as WARCs are read.
    ``given``: checkpoints the user kept from elsewhere, which the bundle's log must extend.

    Raises:
        ArchiverError: the file cannot be read at all (a finding is never raised).
    """
    path = Path(path)
    wacz = check_wacz(path)
    found = Findings(str(path))
    for problem in wacz.problems:
        found.problem(problem.kind, problem.message, entry=problem.entry,
                      expected=problem.expected, actual=problem.actual)
    for note in wacz.notes:
        found.notice(found.notes, note.kind, note.message, entry=note.entry)
    if any(problem.kind in UNSAFE_KINDS for problem in wacz.problems):
        return _report(found, wacz, [], None)
    try:
        with zipfile.ZipFile(path) as bundle, open(path, "rb") as raw:
            entries = {info.filename: info for info in bundle.infolist() if not info.is_dir()}
            summaries, headers = _check_warcs(path, bundle, raw, entries, found,
                                              progress)
            evidence = None
            if any(name.startswith(f"{EVIDENCE_DIR}/") for name in entries):
                evidence = EvidenceCheck(bundle, entries, headers, wacz.signature,
                                          found, given).run()
            else:
                found.notice(found.notes, "no-evidence", "this WACZ holds no archiver "
                             "evidence (checkpoint, proofs, provenance documents): its "
                             "ZIP, hashes, signature and WARC records were checked, but who "
                             "captured it and when cannot be checked")
                for item in given:
                    found.problem("checkpoint-not-covered", f"the given checkpoint "
                                  f"{item.label} cannot be checked: the bundle holds no "
                                  "checkpoint")
    except (OSError, zipfile.BadZipFile) as exc:
        raise ArchiverError(f"cannot read {path}: {exc}") from exc
    return _report(found, wacz, summaries, evidence)


def _report(found: Findings, wacz: WaczReport, summaries: list[FileSummary],
            evidence: EvidenceSummary | None) -> BundleReport:
    records = VerificationReport(files=tuple(summaries), problems=tuple(found.problems),
                                 warnings=tuple(found.warnings), notes=tuple(found.notes))
    return BundleReport(path=found.path, wacz=wacz, records=records, evidence=evidence)


# --- the WARC entries ----------------------------------------------------------------------


def _check_warcs(path: Path, bundle: zipfile.ZipFile, raw: BinaryIO,
                 entries: dict[str, zipfile.ZipInfo], found: Findings,
                 progress: Callable[[int, int], None] | None,
                 ) -> tuple[list[FileSummary], list[RecordHeader]]:
    """Check every WARC in ``archive/``: a STORED one in place, even one whose CRC-32
    failed (to say which of its records changed); a deflated one, which WACZ does not
    allow but some tools write, once inflated into a temporary file."""
    warcs = [info for name, info in sorted(entries.items()) if name.startswith("archive/")]
    total = sum(info.compress_size for info in warcs)
    done = 0
    summaries: list[FileSummary] = []
    headers: list[RecordHeader] = []
    with tempfile.TemporaryDirectory(prefix="archiver-wacz-") as scratch:
        for info in warcs:
            name = info.filename
            if info.compress_type == zipfile.ZIP_STORED:
                start = _data_offset(raw, info)
                if start is None:
                    found.problem("corrupt-entry", "no ZIP local header where the directory "
                                  "says", entry=name)
                    continue
                source, end = path, start + info.compress_size
            else:
                source, start = _inflated(bundle, info, Path(scratch), found), 0
                end = source.stat().st_size

            def tick(position: int, start: int = start, size: int = info.compress_size) -> None:
                if progress is not None:
                    progress(done + min(position - start, size), total)

            summary, found_headers = _check_entry(source, start, end, name, found, tick)
            summaries.append(replace(summary, bytes=info.compress_size))
            headers += found_headers
            done += info.compress_size
    return summaries, headers


def _check_entry(source: Path, start: int, end: int, name: str, found: Findings,
                 tick: Callable[[int], None]) -> tuple[FileSummary, list[RecordHeader]]:
    """Check the WARC at ``start``..``end`` of ``source``; offsets are reported from
    the start of the entry."""
    check = FileCheck(path=found.where(name), is_open=False)
    with _EntryReader(source, start=start, end=end, entry=name) as reader:
        check.read(reader, lambda: tick(reader.position))
        headers = reader.headers
    check.conclude()
    found.problems += [_shifted(problem, start) for problem in check.problems]
    found.warnings += [_shifted(notice, start) for notice in check.warnings]
    found.notes += [_shifted(notice, start) for notice in check.notes]
    return FileSummary(
        path=check.path, format=check.format or "unknown", version=check.version,
        compression=check.compression, open=False, bytes=end - start,
        records=check.records, digests_checked=check.checked,
        digests_passed=check.passed, digests_not_checked=check.not_checked), headers


def _inflated(bundle: zipfile.ZipFile, info: zipfile.ZipInfo, scratch: Path,
              found: Findings) -> Path:
    """A deflated WARC entry inflated into ``scratch`` (its size was bounded by the ZIP
    checks); a broken stream is reported, and what inflated is still checked."""
    found.notice(found.warnings, "warc-deflated", "the WARC is deflated in the ZIP (WACZ "
                 "stores WARCs uncompressed, to be read in place): it was inflated to be "
                 "checked, and its offsets are in the inflated bytes", entry=info.filename)
    target = scratch / f"{len(list(scratch.iterdir()))}.warc"
    with target.open("wb") as out:
        try:
            with bundle.open(info) as stream:
                shutil.copyfileobj(stream, out)
        except ENTRY_ERRORS as exc:
            found.problem("corrupt-entry", f"the deflated WARC does not inflate ({exc}); "
                          "what did was checked", entry=info.filename)
    return target


def _data_offset(raw: BinaryIO, info: zipfile.ZipInfo) -> int | None:
    """Where a STORED entry's bytes start: after its local header, name and extra field."""
    raw.seek(info.header_offset)
    local = raw.read(30)
    if len(local) < 30 or local[:4] != b"PK\x03\x04":
        return None
    name_length, extra_length = struct.unpack("<HH", local[26:30])
    return info.header_offset + 30 + name_length + extra_length


def _shifted(item: Problem | Notice, start: int) -> Problem | Notice:
    """An offset in the bundle file made an offset in the WARC entry."""
    return item if item.offset is None else replace(item, offset=item.offset - start)
