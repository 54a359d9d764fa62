"""Checking the records of one WARC/ARC file, or of one span of it: structure,
digests and provenance. ``verify`` runs these checks over files and spans and turns
what they find into a ``VerificationReport``.

Per record:

* ``WARC-Block-Digest``/``WARC-Payload-Digest`` and our ``Archiver-Block-Digest``/
  ``Archiver-Payload-Digest``, in any algorithm of ``hashing.ALGORITHMS``, hex or
  Base32. An unknown algorithm is a warning.
* The payload is what WARC 1.1 §6.3 defines: the HTTP entity body after removing
  transfer coding. Third-party records whose payload digest was taken over the
  still-chunked body (warcio, wget) pass with a note naming that convention; our own
  records (those with ``Archiver-Block-Digest``) must match WARC 1.1 strictly.
* ``revisit`` and segmented records: block digests only (their payload digest is
  that of another record's payload), counted as "not checked".
* Our metadata records (``Archiver-Capture-ID``, ``application/json``): the
  provenance document against ``schemas/provenance.schema.json`` and against the file
  (capture id, listed records, payload digests of the final response, capture time).
  The links between records are checked once the whole file is read (``conclude``).
* Structural problems come from ``warcread``. Damage to a gzip member explains
  whatever else is found in that member, so only the damage is reported.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import Any, NamedTuple

from . import schemas
from .hashing import ALGORITHMS, parse_digest
from .httpmsg import MAX_HEAD_BYTES
from .payloads import PayloadTap
from .warcheader import Header
from .warcread import ReadProblem, Record, WarcReader

#: Provenance documents are a few KiB (a TLS chain adds a few more); anything this
#: large is not ours, and is not parsed.
MAX_PROVENANCE_BYTES = 16 << 20
#: Problems of the gzip layer: they explain anything else found in the same member.
DAMAGE_KINDS = frozenset({"truncated-gzip-member", "bad-gzip-trailer", "corrupt-gzip-member"})
DIGEST_KINDS = frozenset({"block-digest-mismatch", "payload-digest-mismatch",
                          "malformed-digest"})
BLOCK_FIELDS = ("WARC-Block-Digest", "Archiver-Block-Digest")
PAYLOAD_FIELDS = ("WARC-Payload-Digest", "Archiver-Payload-Digest")
CHUNKED_CONVENTION = "payload digest over the chunked body, as warcio/wget write it"


@dataclass(frozen=True, slots=True, kw_only=True)
class Problem:
    """Something that did not verify. Reused for catalog checks (kind catalog-mismatch)."""

    file: str
    offset: int | None  # byte offset of the record (gzip: its member) or the damage
    record_id: str | None
    kind: str  # slug, e.g. block-digest-mismatch, truncated-gzip-member
    message: str  # one line naming what differs
    expected: str | None = None
    actual: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Notice:
    """A warning (needs a look, not a failure) or a note (how something passed)."""

    file: str
    offset: int | None
    record_id: str | None
    kind: str
    message: str


# --- digests ---------------------------------------------------------------------------


class _Claim(NamedTuple):
    """One digest field of a record: what it says."""

    field: str
    label: str
    algorithm: str
    digest: bytes


#: Digest sizes, for reading the usual ``algorithm:lowercase-hex`` labels quickly.
_DIGEST_SIZES = {name: new().digest_size for name, new in ALGORITHMS.items()}


def _parse_label(label: str) -> tuple[str, bytes] | None:
    """``hashing.parse_digest``, with a fast path for labels already in canonical form."""
    algorithm, _, value = label.partition(":")
    size = _DIGEST_SIZES.get(algorithm)
    if size is not None and len(value) == 2 * size:
        try:
            return algorithm, bytes.fromhex(value)
        except ValueError:
            pass
    return parse_digest(label)


def _render(algorithm: str, digest: bytes, like: str) -> str:
    """``digest`` labelled the way ``like`` (the stored label) is written: hex or Base32."""
    stored = like.partition(":")[2].strip()
    if len(stored) == 2 * len(digest) and all(c in "0123456789abcdefABCDEF" for c in stored):
        value = digest.hex()
    else:
        value = base64.b32encode(digest).decode("ascii")
        value = value if "=" in stored else value.rstrip("=")
    return f"{like.partition(':')[0].strip()}:{value}"


def _is_http(header: Header) -> bool:
    media = (header.get("Content-Type") or "").split(";", 1)[0].strip().lower()
    uri = (header.get("WARC-Target-URI") or "").lower()
    return media == "application/http" or (
        header.type in ("request", "response") and uri.startswith(("http:", "https:")))


def _payload_unchecked(header: Header) -> bool:
    """Whether the payload digest describes bytes that are not in this record."""
    return header.type in ("revisit", "continuation") or "WARC-Segment-Number" in header


class _RecordCheck:
    """The digests of one record, computed as its pieces arrive."""

    __slots__ = ("block_claims", "hashers", "kept", "kept_bytes", "own", "payload_claims",
                 "provenance", "record", "tap", "unusable", "updates")

    def __init__(self, record: Record, *, own: bool = False, provenance: bool = False) -> None:
        self.record = record
        self.own = own  # one of our records (it has Archiver-Block-Digest)
        self.provenance = provenance  # one of our metadata records (a provenance document)
        self.block_claims: list[_Claim] = []
        self.payload_claims: list[_Claim] = []
        self.unusable: list[tuple[str, str, str | None]] = []
        self.updates: list[Callable[[memoryview], None]] = []
        self.hashers: dict[str, Any] = {}
        self.tap: PayloadTap | None = None
        self.kept: list[memoryview] | None = None  # the block of a provenance record
        self.kept_bytes = 0

    def feed(self, piece: memoryview) -> None:
        for update in self.updates:
            update(piece)
        if self.kept is not None:
            self.kept.append(piece)
            self.kept_bytes += len(piece)
            if self.kept_bytes > MAX_PROVENANCE_BYTES:
                self.kept = None


# --- one file --------------------------------------------------------------------------


class _Ours(NamedTuple):
    """One of our records, for the provenance checks at the end of the file."""

    type: str | None
    target_uri: str | None
    capture_id: str | None
    date: str | None
    payload_digests: dict[str, str]
    damaged: bool  # its header may be wrong (already reported): no comparisons with it


class _Document(NamedTuple):
    """A provenance document that passed the checks of its own record."""

    offset: int
    record_id: str | None
    refers_to: str | None  # its record's WARC-Refers-To
    document: dict[str, Any]


@dataclass(slots=True)
class FileCheck:
    """Verifies one file, or one span of it (spans are ``merge``d, then ``conclude``d);
    collects problems, notices, counts, and what the file-level checks need. Picklable."""

    path: str
    is_open: bool
    format: str | None = None
    version: str | None = None
    compression: str = "none"
    size: int = 0
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Notice] = field(default_factory=list)
    notes: list[Notice] = field(default_factory=list)
    records: int = 0
    checked: int = 0
    passed: int = 0
    not_checked: int = 0
    ours: dict[str, _Ours] = field(default_factory=dict)
    #: The records found at each offset (a gzip member's, in a gzip file).
    members: dict[int, list[str | None]] = field(default_factory=dict)
    provenance: list[_Document] = field(default_factory=list)

    def problem(self, record: Record | _Document | None, kind: str, message: str, *,
                expected: str | None = None, actual: str | None = None,
                offset: int | None = None) -> None:
        self.problems.append(Problem(
            file=self.path, offset=record.offset if record else offset,
            record_id=record.record_id if record else None, kind=kind, message=message,
            expected=expected, actual=actual))

    def notice(self, into: list[Notice], record: Record | None, kind: str, message: str,
               offset: int | None = None) -> None:
        into.append(Notice(file=self.path, offset=record.offset if record else offset,
                           record_id=record.record_id if record else None, kind=kind,
                           message=message))

    def structural(self, found: ReadProblem) -> None:
        """File a reader problem: a warning when it is a harmless quirk, or when an
        open file merely ends in an unfinished record."""
        if found.warning or (self.is_open and found.at_end):
            message = found.message if found.warning else f"unfinished write: {found.message}"
            self.warnings.append(Notice(file=self.path, offset=found.offset,
                                        record_id=found.record_id, kind=found.kind,
                                        message=message))
        else:
            self.problems.append(Problem(file=self.path, offset=found.offset,
                                         record_id=found.record_id, kind=found.kind,
                                         message=found.message, expected=found.expected,
                                         actual=found.actual))

    def read(self, reader: WarcReader, tick: Callable[[], None]) -> None:
        """Check every record of the reader's file or span."""
        for record in reader:
            self.records += 1
            check = self.begin(record)
            for piece in record.chunks():
                check.feed(piece)
            self.finish(check)
            tick()
        for found in reader.problems:
            self.structural(found)
        self.format, self.version = reader.format, reader.version
        self.compression, self.size = reader.compression, reader.size
        self.settle()

    def settle(self) -> None:
        """Check now the provenance links that this file or span can answer alone, and
        keep of the member bookkeeping only what the damage checks read: a span is
        checked in a worker process, and what it sends back is pickled."""
        unresolved = []
        for document in self.provenance:
            if all(record_id in self.ours for record_id in _linked_records(document)):
                # Every record it names is here: whether the file is damaged elsewhere
                # (which excuses missing records) cannot change what is found.
                self.check_provenance_links(document, damaged=False)
            else:
                unresolved.append(document)
        self.provenance = unresolved
        damage_offsets = {item.offset for item in (*self.problems, *self.warnings)
                          if item.kind in DAMAGE_KINDS}
        self.members = {offset: ids for offset, ids in self.members.items()
                        if offset in damage_offsets}

    def merge(self, later: FileCheck) -> None:
        """Add what was found in the span that follows this one."""
        self.format = self.format or later.format
        self.version = self.version or later.version
        for name in ("records", "checked", "passed", "not_checked"):
            setattr(self, name, getattr(self, name) + getattr(later, name))
        for name in ("problems", "warnings", "notes", "provenance"):
            getattr(self, name).extend(getattr(later, name))
        self.ours.update(later.ours)
        for offset, ids in later.members.items():
            self.members.setdefault(offset, []).extend(ids)

    def conclude(self) -> None:
        """The checks that need the whole file (every span merged into this one): the
        provenance links that reach into other spans, the damage that explains."""
        damaged = any(problem.kind in DAMAGE_KINDS for problem in self.problems)
        for document in self.provenance:
            self.check_provenance_links(document, damaged=damaged)
        self.problems = self.explained_by_damage()
        self.problems.sort(key=lambda problem: problem.offset or 0)
        if self.is_open:
            self.notice(self.warnings, None, "open-file", "the file is still open: being "
                        "written now, or left by a crash (any archiver capture run recovers "
                        "it); only its complete records were verified", offset=0)
        if self.format == "arc":
            self.notice(self.warnings, None, "no-digests", f"{self.records} records parsed, "
                        "no digests to check (ARC)", offset=0)

    def explained_by_damage(self) -> list[Problem]:
        """Drop what damage to a gzip member explains: anything else found in the member
        (its data is cut or wrong), and name the member's record on the damage. In a
        member holding several records, every problem is kept."""
        damaged = {item.offset for item in (*self.problems, *self.warnings)
                   if item.kind in DAMAGE_KINDS and len(self.members.get(item.offset, ())) <= 1}
        kept = []
        for problem in self.problems:
            if problem.offset not in damaged:
                kept.append(problem)
            elif problem.kind in DAMAGE_KINDS:
                named = self.members.get(problem.offset, [None])[0]
                kept.append(replace(problem, record_id=problem.record_id or named))
            elif problem.kind in DIGEST_KINDS:  # a digest over damaged data: not a check
                self.checked -= 1
                self.not_checked += 1
        return kept

    def claims(self, check: _RecordCheck, fields: Iterable[str]) -> list[_Claim]:
        """The digest fields of a record that can be checked; the others are noted on
        ``check.unusable`` as (field, label, known algorithm)."""
        found = []
        for name in fields:
            for label in check.record.header.get_all(name):
                parsed = _parse_label(label)
                if parsed is not None:
                    found.append(_Claim(name, label, *parsed))
                    continue
                algorithm = label.partition(":")[0].strip().lower().replace("-", "")
                check.unusable.append((name, label, algorithm if algorithm in ALGORITHMS else None))
        return found

    def report_unusable(self, check: _RecordCheck) -> None:
        for name, label, algorithm in check.unusable:
            if algorithm is not None:
                self.checked += 1
                self.problem(check.record, "malformed-digest", f"{name} {label!r} is not a "
                             f"{algorithm} digest in hex or Base32", actual=label)
            else:
                self.not_checked += 1
                self.notice(self.warnings, check.record, "unknown-digest-algorithm",
                            f"{name} {label!r} uses an algorithm archiver cannot compute; "
                            f"not checked")

    def begin(self, record: Record) -> _RecordCheck:
        """Set up the hashing of one record's block."""
        header = record.header
        if header.is_arc:
            return _RecordCheck(record)
        own = "Archiver-Block-Digest" in header
        check = _RecordCheck(record, own=own, provenance=own and _is_provenance(header))
        check.block_claims = self.claims(check, BLOCK_FIELDS)
        payload_claims = self.claims(check, PAYLOAD_FIELDS)
        if payload_claims and _payload_unchecked(header):
            self.not_checked += len(payload_claims)
            payload_claims = []
        check.payload_claims = payload_claims
        hashers = {c.algorithm: ALGORITHMS[c.algorithm]() for c in check.block_claims}
        if payload_claims and _is_http(header):
            check.tap = PayloadTap({c.algorithm for c in payload_claims},
                                   keep_chunked_body=not own)
            check.updates.append(check.tap.feed)
        else:  # the payload, if claimed, is the whole block
            hashers |= {c.algorithm: ALGORITHMS[c.algorithm]() for c in payload_claims
                        if c.algorithm not in hashers}
        check.hashers = hashers
        check.updates.extend(hasher.update for hasher in hashers.values())
        if check.provenance:
            check.kept = []
        return check

    def finish(self, check: _RecordCheck) -> None:
        """Compare what the record claims with what was computed."""
        record = check.record
        for found in record.problems:
            self.structural(found)
        self.members.setdefault(record.offset, []).append(record.record_id)
        if check.own:
            self.remember(record)
        if record.damaged:  # even its header may be wrong: the damage says it all
            return
        self.report_unusable(check)
        if not record.complete:  # cut short: the structural problem says it all
            self.not_checked += len(check.block_claims) + len(check.payload_claims)
            return
        for claim in check.block_claims:
            self.compare(record, claim, check.hashers[claim.algorithm].digest(), "the block")
        if check.tap is not None:
            check.tap.finish()
            for claim in check.payload_claims:
                self.check_http_payload(record, claim, check.tap, check.own)
        else:
            for claim in check.payload_claims:
                self.compare(record, claim, check.hashers[claim.algorithm].digest(),
                             "the payload (the whole block)")
        if check.own:
            if check.kept is not None:
                self.check_provenance(record, b"".join(check.kept))
            elif check.provenance:
                self.problem(record, "provenance-invalid", f"the provenance document is "
                             f"larger than {MAX_PROVENANCE_BYTES} bytes; not parsed")

    def compare(self, record: Record, claim: _Claim, digest: bytes, what: str,
                hint: str = "") -> bool:
        self.checked += 1
        if digest == claim.digest:
            self.passed += 1
            return True
        kind = "block-digest-mismatch" if claim.field in BLOCK_FIELDS else \
            "payload-digest-mismatch"
        actual = _render(claim.algorithm, digest, claim.label)
        self.problem(record, kind, f"{claim.field} {claim.label} but {what} hashes to "
                     f"{actual}{hint}", expected=claim.label, actual=actual)
        return False

    def check_http_payload(self, record: Record, claim: _Claim, tap: PayloadTap,
                           own: bool) -> None:
        if not tap.head_found:
            self.checked += 1
            self.problem(record, "payload-digest-mismatch", f"{claim.field} {claim.label} "
                         f"cannot hold: the block has no complete HTTP head within "
                         f"{MAX_HEAD_BYTES} bytes", expected=claim.label)
            return
        digest = tap.payload[claim.algorithm].digest()
        if digest == claim.digest:
            self.checked += 1
            self.passed += 1
            return
        chunked = tap.chunked_body
        if chunked is not None and chunked[claim.algorithm].digest() == claim.digest:
            self.checked += 1
            self.passed += 1
            self.notice(self.notes, record, "payload-digest-convention",
                        f"{claim.field} {claim.label} is a {CHUNKED_CONVENTION}; WARC 1.1 "
                        f"defines it over the de-chunked body")
            return
        hint = "" if tap.chunked_complete else " (its chunked framing is incomplete)"
        if own and tap.chunked:
            hint += "; archiver records must digest the de-chunked body (WARC 1.1)"
        self.compare(record, claim, digest, "the payload", hint)

    def remember(self, record: Record) -> None:
        header = record.header
        if record_id := header.record_id:
            self.ours[record_id] = _Ours(
                header.type, header.get("WARC-Target-URI"), header.get("Archiver-Capture-ID"),
                header.get("WARC-Date"),
                {name: value for name in PAYLOAD_FIELDS if (value := header.get(name))},
                record.damaged)

    # --- provenance ---

    def check_provenance(self, record: Record, block: bytes) -> None:
        """Check the document on its own; links to other records wait for the file's end."""
        try:
            document = json.loads(block.decode("utf-8"))
            errors = schemas.problems(document, "provenance")
        except (UnicodeDecodeError, ValueError) as exc:
            self.problem(record, "provenance-invalid",
                         f"the provenance document is not UTF-8 JSON ({exc})")
            return
        except RecursionError:
            self.problem(record, "provenance-invalid",
                         "the provenance document is nested too deeply to check")
            return
        if errors:
            more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
            self.problem(record, "provenance-invalid", "the provenance document does not "
                         f"match schemas/provenance.schema.json: {errors[0]}{more}",
                         expected="schemas/provenance.schema.json", actual="; ".join(errors))
            return
        header = record.header
        self.expect_equal(record, "capture_id", header.get("Archiver-Capture-ID"),
                          document["capture_id"], "the Archiver-Capture-ID header")
        self.expect_equal(record, "captured_at", header.get("WARC-Date"),
                          document["captured_at"], "the record's WARC-Date")
        # Only what the links check reads: spans are checked in worker processes, and
        # whole documents would be pickled back for nothing.
        linked = {key: document[key] for key in ("capture_id", "captured_at", "records")}
        linked["content"] = {key: document["content"][key]
                             for key in ("payload_sha256", "payload_blake3")}
        linked["article"] = {"text_blake3": document["article"]["text_blake3"]}
        self.provenance.append(_Document(record.offset, record.record_id,
                                         header.get("WARC-Refers-To"), linked))

    def expect_equal(self, record: Record | _Document, what: str, expected: str | None,
                     actual: Any, source: str) -> None:
        if expected != actual:
            self.problem(record, "provenance-mismatch", f"provenance {what} is {actual!r} "
                         f"but {source} is {expected!r}", expected=expected, actual=str(actual))

    def check_provenance_links(self, record: _Document, *, damaged: bool) -> None:
        """Check a provenance document against the records it names. In a ``damaged``
        file, records the damage made unreadable are not held against it."""
        document = record.document
        capture_id = document["capture_id"]
        for listed in document["records"]:
            seen = self.ours.get(listed["record_id"])
            where = f"listed record {listed['record_id']}"
            if seen is None and not damaged:
                self.problem(record, "provenance-mismatch", f"{where} is not a record of ours "
                             f"in this file", expected=listed["record_id"])
            if seen is None or seen.damaged:
                continue
            self.expect_equal(record, f"{where} type", seen.type, listed["type"],
                              "its WARC-Type")
            self.expect_equal(record, f"{where} target_uri", seen.target_uri,
                              listed["target_uri"], "its WARC-Target-URI")
            self.expect_equal(record, f"{where} capture", seen.capture_id, capture_id,
                              "its Archiver-Capture-ID")
            self.expect_equal(record, f"{where} date", seen.date, document["captured_at"],
                              "its WARC-Date")
            if listed["type"] == "conversion":  # the article text the document hashed
                self.expect_equal(record, "article.text_blake3",
                                  _normal(seen.payload_digests.get(PAYLOAD_FIELDS[1])),
                                  _normal(document["article"]["text_blake3"]),
                                  f"the payload BLAKE3 of conversion record {listed['record_id']}")
        final_id = _final_record_id(record)
        final = self.ours.get(final_id) if final_id else None
        if final is None and not damaged:
            self.problem(record, "provenance-mismatch", f"the final response {final_id} is not "
                         f"a record of ours in this file", expected=final_id)
        if final is None or final.damaged:
            return
        content = document["content"]
        if final.type == "revisit" and not final.payload_digests:
            return  # a 304 (server-not-modified) carries no payload to compare
        for key, name in (("payload_sha256", PAYLOAD_FIELDS[0]),
                          ("payload_blake3", PAYLOAD_FIELDS[1])):
            self.expect_equal(record, f"content.{key}", _normal(final.payload_digests.get(name)),
                              _normal(content[key]), f"{name} of {final_id}")


def _final_record_id(document: _Document) -> str | None:
    """The final response a provenance document describes: its record's WARC-Refers-To,
    else the last response or revisit it lists."""
    return document.refers_to or next(
        (r["record_id"] for r in reversed(document.document["records"])
         if r["type"] in ("response", "revisit")), None)


def _linked_records(document: _Document) -> list[str | None]:
    """The records ``check_provenance_links`` looks up: those listed, and the final one."""
    return [*(r["record_id"] for r in document.document["records"]), _final_record_id(document)]


def _normal(label: str | None) -> str | None:
    """A digest label in one spelling (algorithm:lowercase hex), for comparison."""
    parsed = parse_digest(label) if label else None
    return f"{parsed[0]}:{parsed[1].hex()}" if parsed else label


def _is_provenance(header: Header) -> bool:
    media = (header.get("Content-Type") or "").split(";", 1)[0].strip().lower()
    return header.type == "metadata" and "Archiver-Capture-ID" in header and \
        media == "application/json"
