"""Does the catalog agree with the WARC files? And ``verify_archive``, which asks both.

The WARC files are the evidence and the catalog is an index of them, so every
disagreement is a problem of kind ``catalog-mismatch`` naming the file, offset and
record. The check reads only record headers at the catalog's offsets, plus the
metadata records whole: the full digest check of every byte is ``verify_paths``'s.
From the same headers and metadata blocks it recomputes each capture's log leaf,
which ``logcheck`` compares with the stored one (the log's other checks are there).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from pathlib import Path

from isal import isal_zlib

from .catalog import Catalog
from .catalogrows import CATALOGUED_FIELDS, record_from_header
from .errors import CatalogError
from .hashing import canonical_json
from .home import ArchiveHome
from .ledger import leaf_bytes
from .logcheck import LogCheck
from .signednote import GivenCheckpoint
from .verify import Problem, VerificationReport, verify_paths
from .warc import OPEN_SUFFIX, WrittenRecord
from .warcheader import Header, parse_warc_header
from .warcread import WarcReader

KIND = "catalog-mismatch"
#: A record header is well under this many compressed bytes; only it is inflated.
HEADER_PROBE_BYTES = 64 * 1024


def verify_archive(home: ArchiveHome, *,
                   progress: Callable[[int, int], None] | None = None,
                   given: Sequence[GivenCheckpoint] = ()) -> VerificationReport:
    """Verify every WARC file of the archive, then the catalog and the log against them,
    and the log against the ``given`` checkpoints."""
    report = verify_paths(home.warc_files(), progress=progress)
    if not home.catalog_path.exists():
        return report.with_problems([Problem(
            file=str(home.catalog_path), offset=None, record_id=None, kind=KIND,
            message="the catalog is missing (run 'archiver catalog rebuild')")])
    with home.open_catalog() as catalog:
        log = LogCheck(home, catalog, given)
        try:
            problems = check_catalog(home, catalog, on_capture=log.warc_capture)
            log.conclude()
        except CatalogError as exc:  # a row that is not what archiver writes
            return report.with_problems([Problem(
                file=str(home.catalog_path), offset=None, record_id=None, kind=KIND,
                message=str(exc))])
    return replace(report.with_problems([*problems, *log.problems]),
                   warnings=(*report.warnings, *log.warnings), notes=(*report.notes, *log.notes))


#: ``on_capture(capture_id, leaf)``: the log leaf recomputed from a capture's records in
#: the WARC file, or None when they could not all be read back.
OnCapture = Callable[[str, bytes | None], None]


def check_catalog(home: ArchiveHome, catalog: Catalog, *,
                  on_capture: OnCapture | None = None) -> list[Problem]:
    """Every way the catalog and the WARC files of ``home`` disagree."""
    by_file: dict[str, list[tuple[str, WrittenRecord]]] = {}
    for capture_id, record in catalog.all_records():
        by_file.setdefault(record.file, []).append((capture_id, record))
    files = {path.name.removesuffix(OPEN_SUFFIX): path for path in home.warc_files()}
    problems: list[Problem] = []
    for name, records in sorted(by_file.items()):
        path = files.get(name)
        if path is None:
            problems.append(Problem(file=name, offset=None, record_id=None, kind=KIND,
                                    message=f"the catalog lists {len(records)} records in "
                                            f"{name}, which is not in {home.warc_dir}"))
            continue
        problems += _check_file(path, records, catalog, on_capture)
    for name, path in sorted(files.items()):
        if name not in by_file:
            problems += _uncatalogued(path, 0, path.stat().st_size)
    return problems


def _check_file(path: Path, records: list[tuple[str, WrittenRecord]],
                catalog: Catalog, on_capture: OnCapture | None) -> list[Problem]:
    problems: list[Problem] = []
    size = path.stat().st_size
    covered = 0
    read: dict[str, list[WrittenRecord]] = {}  # capture id -> its records, in file order
    unreadable: set[str] = set()
    documents: dict[str, bytes] = {}
    with open(path, "rb") as stream:
        for capture_id, record in sorted(records, key=lambda item: item[1].offset):
            if record.offset > covered:
                problems += _uncatalogued(path, covered, record.offset)
            covered = max(covered, record.offset + record.length)
            found, header, block = _check_record(path, stream, size, capture_id, record,
                                                 catalog)
            problems += found
            if header is None:
                unreadable.add(capture_id)
                continue
            owner = header.get("Archiver-Capture-ID") or capture_id
            read.setdefault(owner, []).append(record_from_header(
                header, file=record.file, offset=record.offset, length=record.length))
            if block is not None:
                documents[owner] = block
    if covered < size:
        problems += _uncatalogued(path, covered, size)
    if on_capture is not None:
        for capture_id, found_records in read.items():
            leaf = None if capture_id in unreadable else \
                _leaf(documents.get(capture_id), found_records)
            on_capture(capture_id, leaf)
    return problems


def _leaf(block: bytes | None, records: list[WrittenRecord]) -> bytes | None:
    """The log leaf of a capture from its metadata record's block and record headers."""
    try:
        document = json.loads(block) if block is not None else None
        return leaf_bytes(document, records) if isinstance(document, dict) else None
    except (ValueError, KeyError, TypeError, RecursionError):
        return None


def _check_record(path: Path, stream, size: int, capture_id: str, record: WrittenRecord,
                  catalog: Catalog) -> tuple[list[Problem], Header | None, bytes | None]:
    """The record's problems, its WARC header (None if unreadable) and, for a metadata
    record, its block."""
    def problem(message: str, expected: str | None = None, actual: str | None = None) -> Problem:
        return Problem(file=str(path), offset=record.offset, record_id=record.record_id,
                       kind=KIND, message=message, expected=expected, actual=actual)

    end = record.offset + record.length
    if end <= size:  # a forged catalog's offset may be past anything seek takes
        stream.seek(end)
    if end > size or (end < size and stream.read(2) != b"\x1f\x8b"):
        return [problem(f"the catalog says the record is {record.length} bytes long, "
                        "but no gzip member starts where that ends")], None, None
    stream.seek(record.offset)
    header = _member_header(stream.read(min(record.length, HEADER_PROBE_BYTES)))
    if header is None:
        return [problem("no WARC record header at the offset the catalog gives")], None, None
    found = []
    for field, column in CATALOGUED_FIELDS.items():
        expected, actual = getattr(record, column), header.get(field)
        if expected != actual:
            found.append(problem(f"{field} in the catalog differs from the WARC record",
                                 expected=expected, actual=actual))
    if header.get("Archiver-Capture-ID") != capture_id:
        found.append(problem("the record belongs to another capture than the catalog says",
                             expected=capture_id, actual=header.get("Archiver-Capture-ID")))
    if header.type == "revisit":
        found += _check_refers_to(header, catalog, problem)
    block = None
    if header.type == "metadata":
        with WarcReader(path, start=record.offset, end=record.offset + record.length) as reader:
            block = b"".join(bytes(piece) for first in reader for piece in first.chunks())
    if record.type == "metadata" and not found:
        stored = canonical_json(catalog.get(capture_id).provenance)
        if block != stored:
            found.append(problem("the catalog's provenance document differs from the "
                                 "metadata record"))
    return found, header, block


def _check_refers_to(header: Header, catalog: Catalog, problem) -> list[Problem]:
    """A revisit stands for an earlier response: it must be in the archive, and for an
    identical payload, with the payload digest the revisit repeats."""
    refers_to = header.get("WARC-Refers-To")
    if refers_to is None:
        return [problem("the revisit record has no WARC-Refers-To")]
    original = catalog.record(refers_to)
    if original is None or original.type != "response":
        return [problem(f"the revisit refers to {refers_to}, which is not a response record "
                        "in the archive", expected=refers_to)]
    if header.get("WARC-Profile", "").endswith("/identical-payload-digest") and \
            original.payload_sha256 != header.get("WARC-Payload-Digest"):
        return [problem(f"the revisit repeats a payload digest that its original {refers_to} "
                        "does not have", expected=original.payload_sha256,
                        actual=header.get("WARC-Payload-Digest"))]
    return []


def _uncatalogued(path: Path, start: int, end: int) -> Iterator[Problem]:
    """Our captures in ``path[start:end]`` that the catalog does not list."""
    seen: set[str] = set()
    with WarcReader(path, start=start, end=end) as reader:
        for record in reader:
            capture_id = record.header.get("Archiver-Capture-ID")
            if capture_id and capture_id not in seen:
                seen.add(capture_id)
                yield Problem(file=str(path), offset=record.offset, record_id=record.record_id,
                              kind=KIND, message=f"capture {capture_id} is in the WARC file "
                              "but not in the catalog (run 'archiver catalog rebuild')")


def _member_header(compressed: bytes) -> Header | None:
    """The WARC header of the record whose gzip member starts ``compressed``."""
    try:
        data = isal_zlib.decompressobj(wbits=31).decompress(compressed, HEADER_PROBE_BYTES)
    except isal_zlib.error:
        return None
    end = data.find(b"\r\n\r\n")
    if not data.startswith(b"WARC/") or end < 0:
        return None
    header, error = parse_warc_header(data[:end])
    return None if error else header
