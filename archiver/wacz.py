"""WACZ 1.1.1 evidence bundles: the types, the signer and ``write_wacz``.

A bundle is a ZIP file laid out as WACZ 1.1.1 (specs.webrecorder.net/wacz/1.1.1):

* ``archive/<name>.warc.gz``: whole gzip members (records) copied byte for byte from
  our WARC files, STORED so that a replayer can read a record by its offset;
* ``indexes/index.cdxj``: one CDXJ line per response, revisit and resource record
  (``archiver.cdxj``);
* ``pages/pages.jsonl``; ``datapackage.json`` (the SHA-256 and size of every other
  entry); ``datapackage-digest.json`` (the SHA-256 of ``datapackage.json``, signed
  when a ``WaczSigner`` is given);
* the evidence the caller adds (``extra_files``), listed in ``datapackage.json`` like
  everything else, so one signature covers every byte of the bundle.

Signing follows the *anonymous* form of "WACZ Signing and Verification" 0.1.0
(webrecorder/specs wacz-auth/0.1.0): ``signedData = {hash, signature, publicKey,
created, software}``. What the spec leaves open is fixed by the implementations that
produce and check that form: ArchiveWeb.page signs (webrecorder/awp-sw
src/keystore.ts, ``Signer.sign``) and ReplayWeb.page verifies (webrecorder/wabac.js
src/wacz/certutils.ts, ``verifyWACZSignature``) with WebCrypto, so the key is ECDSA
P-384 given as base64 DER SubjectPublicKeyInfo, the signed bytes are the UTF-8 of the
``hash`` string itself (``"sha256:<hex>"``), the digest is SHA-256 and the signature
is base64 of raw ``r || s`` (IEEE P1363, 96 bytes), not DER. The *domain* form made by
authsign (webrecorder/authsign authsign/crypto.py) signs the same string with SHA-256
but encodes DER; ``archiver.waczcheck.check_wacz`` accepts both encodings and reports
which it found.

py-wacz 0.6 ``wacz validate`` (webrecorder/py-wacz wacz/validate.py) matches files to
resources by the last two components of their path, so every entry here lives exactly
one folder deep; it also wants ``created`` to be the same string in
``datapackage.json`` and ``signedData``.

Output is deterministic for a fixed ``created`` (sorted entries, fixed ZIP times and
modes, RFC 6979 signatures) with a given zlib; it is written to a temporary file,
fsynced and renamed, so ``out`` never holds a partial bundle.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import stat
import tempfile
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

from . import __version__
from .cdxj import INDEXED_TYPES, IndexedRecord, cdxj_index, index_fields, target_uri
from .errors import ArchiverError, WarcError
from .files import fsync_directory
from .warcread import WarcReader

__all__ = ["DEFAULT_SOFTWARE", "WACZ_VERSION", "Page", "WaczSigner", "WaczSummary", "WarcPart",
           "write_wacz"]

WACZ_VERSION = "1.1.1"
DEFAULT_SOFTWARE = f"archiver {__version__}"
DATAPACKAGE = "datapackage.json"
DIGEST_FILE = "datapackage-digest.json"
INDEX_PATH = "indexes/index.cdxj"
PAGES_PATH = "pages/pages.jsonl"
PAGES_HEADER = {"format": "json-pages-1.0", "id": "pages", "title": "All Pages"}
#: Folders the WACZ spec reserves: extra files may not go there.
RESERVED_FOLDERS = ("archive", "indexes", "pages")
#: Frictionless resource names: lowercase letters, digits, ``-._/``.
_RESOURCE_NAME = re.compile(r"[-a-z0-9._/]+")
_SAFE_COMPONENT = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
_ZIP_MODE = (stat.S_IFREG | 0o644) << 16
#: Buffer size for copying WARC ranges into a bundle and hashing its entries.
COPY_BYTES = 1 << 20


# --- input and output types --------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class WarcPart:
    """One WARC file of a bundle, ``archive/<name>``, copied from ``path``.

    ``ranges`` are ``(offset, length)`` spans of whole records (gzip members) of the
    source, e.g. the catalog's ``records`` rows of a few captures merged where they
    touch; ``None`` copies the whole file. Include the file's warcinfo record
    (offset 0) so the records' ``WARC-Warcinfo-ID`` resolves inside the bundle.
    """

    name: str
    path: Path
    ranges: tuple[tuple[int, int], ...] | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Page:
    """One line of ``pages/pages.jsonl``: an entry point for replay."""

    id: str
    url: str
    ts: datetime  # aware; the capture's WARC-Date
    title: str | None = None
    text: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class WaczSummary:
    """What ``write_wacz`` wrote."""

    path: Path
    bytes: int
    datapackage_hash: str  # sha256:<hex> of datapackage.json (what a signature covers)
    resources: tuple[tuple[str, str, int], ...]  # (path, sha256:<hex>, bytes)
    index_lines: int
    signed_by: str | None  # fingerprint of the signing key, sha256:<hex> of its DER SPKI



# --- signing -----------------------------------------------------------------------------


class WaczSigner:
    """Signs ``datapackage-digest.json`` in the anonymous form with an ECDSA P-384 key.

    The caller generates or loads the key (``ec.generate_private_key(ec.SECP384R1())``)
    and keeps it; this only signs. Signatures are deterministic (RFC 6979) where the
    installed ``cryptography`` supports it, so a bundle can be rebuilt byte for byte.
    """

    def __init__(self, private_key: ec.EllipticCurvePrivateKey) -> None:
        if not isinstance(private_key, ec.EllipticCurvePrivateKey) or \
                not isinstance(private_key.curve, ec.SECP384R1):
            raise ArchiverError("WACZ signing needs an ECDSA P-384 (secp384r1) private key: "
                                "ReplayWeb.page imports the public key as P-384")
        self._key = private_key
        self.public_key_der = private_key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)

    @property
    def public_key(self) -> str:
        """Base64 DER SubjectPublicKeyInfo, as ``signedData.publicKey`` carries it."""
        return base64.b64encode(self.public_key_der).decode("ascii")

    @property
    def fingerprint(self) -> str:
        """``sha256:<hex>`` of the DER public key: how a reader names the signer."""
        return "sha256:" + hashlib.sha256(self.public_key_der).hexdigest()

    def sign(self, hash_label: str) -> str:
        """Base64 raw ``r || s`` ECDSA/SHA-256 signature of the UTF-8 ``hash_label``."""
        data = hash_label.encode("utf-8")
        try:
            der = self._key.sign(data, ec.ECDSA(hashes.SHA256(), deterministic_signing=True))
        except (TypeError, UnsupportedAlgorithm):  # cryptography < 44, or old OpenSSL
            der = self._key.sign(data, ec.ECDSA(hashes.SHA256()))
        r, s = decode_dss_signature(der)
        size = (self._key.curve.key_size + 7) // 8
        return base64.b64encode(r.to_bytes(size, "big") + s.to_bytes(size, "big")).decode()

    def signed_data(self, hash_label: str, *, created: str, software: str) -> dict[str, str]:
        """The anonymous ``signedData`` object for ``hash_label``."""
        return {"hash": hash_label, "signature": self.sign(hash_label),
                "publicKey": self.public_key, "created": created, "software": software}


# --- writing -----------------------------------------------------------------------------


@dataclass(slots=True)
class _Part:
    part: WarcPart
    ranges: list[tuple[int, int]]
    indexed: list[IndexedRecord] = field(default_factory=list)
    size: int = 0


def write_wacz(out: str | os.PathLike[str], *, warc_slices: Sequence[WarcPart],
               pages: Sequence[Page] = (), extra_files: Mapping[str, bytes] | None = None,
               signer: WaczSigner | None = None, created: datetime | None = None,
               title: str | None = None, software: str = DEFAULT_SOFTWARE,
               overwrite: bool = False) -> WaczSummary:
    """Write a WACZ 1.1.1 bundle of ``warc_slices``, ``pages`` and ``extra_files``.

    ``extra_files`` maps ZIP paths (``folder/name``, one folder deep, not in
    ``archive/``, ``indexes/`` or ``pages/``) to their bytes. Raises ``WarcError``
    when a range is not whole, undamaged records, ``ArchiverError`` for bad names or
    I/O trouble; either way nothing is left at ``out``.
    """
    out = Path(out)
    moment = created or datetime.now(UTC)
    if moment.tzinfo is None:
        raise ArchiverError("write_wacz needs an aware datetime for created (UTC)")
    stamp = _rfc3339(moment)
    extra = dict(extra_files or {})
    parts = [_Part(part=part, ranges=_ranges(part)) for part in warc_slices]
    if not parts or not all(part.ranges for part in parts):
        raise ArchiverError("a WACZ needs at least one WARC, and each WARC some records")
    names = _check_names(parts, extra)
    if out.exists() and not overwrite:
        raise ArchiverError(f"{out} exists; choose another name or allow overwriting")
    for part in parts:
        try:
            _scan(part)
        except OSError as exc:
            raise WarcError(f"cannot read: {exc.strerror}", path=str(part.part.path)) from exc
    pages_bytes = _pages_jsonl(pages)
    directory = out.parent if str(out.parent) else Path(".")
    try:
        handle, temp_name = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp",
                                             dir=directory)
    except OSError as exc:
        raise ArchiverError(f"cannot write in {directory}: {exc.strerror}") from exc
    temp = Path(temp_name)
    try:
        os.fchmod(handle, 0o644)  # mkstemp's 0600 would make a bundle nobody else reads
        with os.fdopen(handle, "w+b") as file:
            summary = _write_zip(file, parts, pages_bytes, extra, names, signer=signer,
                                 stamp=stamp, moment=moment, title=title, software=software,
                                 pages=pages)
            file.flush()
            os.fsync(file.fileno())
            size = file.tell()
        os.replace(temp, out)
        fsync_directory(directory)
    except BaseException as exc:
        temp.unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise ArchiverError(f"cannot write {out}: {exc.strerror or exc}") from exc
        raise
    datapackage_hash, resources, lines = summary
    return WaczSummary(path=out, bytes=size, datapackage_hash=datapackage_hash,
                       resources=resources, index_lines=lines,
                       signed_by=signer.fingerprint if signer else None)


def _rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _ranges(part: WarcPart) -> list[tuple[int, int]]:
    try:
        size = os.stat(part.path).st_size
    except OSError as exc:
        raise WarcError(f"cannot read: {exc.strerror}", path=str(part.path)) from exc
    if part.ranges is None:
        return [(0, size)] if size else []
    ranges = sorted((int(offset), int(length)) for offset, length in part.ranges)
    end = 0
    for offset, length in ranges:
        if offset < end or length <= 0 or offset + length > size:
            raise WarcError(f"range ({offset}, {length}) is empty, overlaps another or "
                            f"passes the end of the file ({size} bytes)", path=str(part.path),
                            offset=offset)
        end = offset + length
    return ranges


def _check_names(parts: list[_Part], extra: dict[str, bytes]) -> dict[str, str]:
    """Resource name of every entry path; refuses what validators would refuse."""
    names: dict[str, str] = {}
    for part in parts:
        name = part.part.name
        with open(part.part.path, "rb") as file:
            gzipped = file.read(2) == b"\x1f\x8b"
        suffix = ".warc.gz" if gzipped else ".warc"
        if not _SAFE_COMPONENT.fullmatch(name) or not name.endswith(suffix) or \
                (not gzipped and name.endswith(".gz")):
            raise ArchiverError(f"WARC name {name!r} must be letters, digits and ._- "
                                f"ending in {suffix} ({part.part.path} is "
                                f"{'gzip' if gzipped else 'uncompressed'})")
        names["archive/" + name] = name.lower()
    for path, data in extra.items():
        folder, slash, name = path.partition("/")
        if not slash or folder in RESERVED_FOLDERS or not _SAFE_COMPONENT.fullmatch(folder) \
                or not _SAFE_COMPONENT.fullmatch(name) or "." not in name:
            raise ArchiverError(
                f"extra file {path!r}: use folder/name.ext, one folder deep, letters, digits "
                f"and ._- only, not in {', '.join(RESERVED_FOLDERS)}/ (py-wacz validate "
                "matches entries by their last two path components)")
        if not isinstance(data, bytes | bytearray | memoryview):
            raise ArchiverError(f"extra file {path!r} must be bytes")
        names[path] = name.lower()
    names[INDEX_PATH] = "index.cdxj"
    names[PAGES_PATH] = "pages.jsonl"
    seen: dict[str, str] = {}
    for path, name in names.items():
        if name in seen or not _RESOURCE_NAME.fullmatch(name):
            raise ArchiverError(f"{path}: resource name {name!r} "
                                + (f"repeats that of {seen[name]}" if name in seen
                                   else "is not a valid Frictionless name"))
        seen[name] = path
    return names


def _scan(part: _Part) -> None:
    """Check that each range is whole records; note the records to index."""
    path = part.part.path
    for start, length in part.ranges:
        expected = start
        with WarcReader(path, start=start, end=start + length) as reader:
            for record in reader:
                header = record.header
                found = index_fields(record) if header.type in INDEXED_TYPES else None
                record.read_to_end()
                problems = [p for p in record.problems if not p.warning]
                if problems or record.length is None or record.offset != expected:
                    why = problems[0].message if problems else (
                        "shares its gzip member with another record" if record.length is None
                        else f"starts at {record.offset}, not at {expected}")
                    raise WarcError(f"cannot export record {record.record_id}: {why}",
                                    path=str(path), offset=record.offset)
                if found is not None:
                    cut = 4 if reader.compression == "none" and \
                        not any(p.kind == "terminator-in-block" for p in record.problems) else 0
                    part.indexed.append(IndexedRecord(
                        source_offset=record.offset, span=record.length,
                        length=record.length - cut,
                        url=target_uri(header), date=header.get("WARC-Date") or "",
                        fields=found))
                expected += record.length
            if reader.problems or expected != start + length:
                why = reader.problems[0].message if reader.problems else \
                    f"the records end at {expected}, not at {start + length}"
                raise WarcError(f"range ({start}, {length}) is not whole records: {why}",
                                path=str(path), offset=start)
        part.size += length


def _pages_jsonl(pages: Sequence[Page]) -> bytes:
    lines = [json.dumps(PAGES_HEADER)]
    for page in pages:
        if page.ts.tzinfo is None:
            raise ArchiverError(f"page {page.id}: ts must be an aware datetime")
        line = {"id": page.id, "url": page.url, "ts": _rfc3339(page.ts)}
        if page.title is not None:
            line["title"] = page.title
        if page.text is not None:
            line["text"] = page.text
        lines.append(json.dumps(line, ensure_ascii=False))
    return ("\n".join(lines) + "\n").encode("utf-8")


def _zip_info(path: str, moment: datetime, *, stored: bool) -> zipfile.ZipInfo:
    """ZIP times are local DOS times with no zone (2 s steps); ours are ``created`` in UTC."""
    utc = moment.astimezone(UTC)
    when = max((utc.year, utc.month, utc.day, utc.hour, utc.minute, utc.second),
               (1980, 1, 1, 0, 0, 0))
    info = zipfile.ZipInfo(path, date_time=when)
    info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
    info.create_system = 3  # unix, so the mode below means what it says
    info.external_attr = _ZIP_MODE
    return info


#: Entries made from the others; each sorts after ``archive/``, so when the first is
#: reached every WARC (with its record offsets and hashes) is already in the ZIP.
_GENERATED = (DATAPACKAGE, DIGEST_FILE, INDEX_PATH, PAGES_PATH)


def _write_zip(file: BinaryIO, parts: list[_Part], pages_bytes: bytes,
               extra: dict[str, bytes], names: dict[str, str], *, signer: WaczSigner | None,
               stamp: str, moment: datetime, title: str | None, software: str,
               pages: Sequence[Page]) -> tuple[str, tuple[tuple[str, str, int], ...], int]:
    resources: dict[str, tuple[str, int]] = {}
    by_path = {"archive/" + part.part.name: part for part in parts}
    generated: dict[str, bytes] = {}
    with zipfile.ZipFile(file, "w", allowZip64=True) as bundle:
        for path in sorted([*by_path, *extra, *_GENERATED]):
            if path in by_path:
                resources[path] = _copy_part(bundle, path, by_path[path], moment)
                continue
            if path in _GENERATED and not generated:
                if len(resources) != len(by_path):
                    raise AssertionError("a generated entry sorts before a WARC")
                generated = _generate(parts, resources, pages_bytes, extra, names, pages,
                                      signer=signer, stamp=stamp, title=title,
                                      software=software)
            data = generated[path] if path in generated else bytes(extra[path])
            bundle.writestr(_zip_info(path, moment, stored=path.endswith(".gz")), data,
                            compresslevel=9)
    resource_list = tuple((path, *resources[path]) for path in sorted(resources))
    return _label(generated[DATAPACKAGE]), resource_list, sum(len(p.indexed) for p in parts)


def _generate(parts: list[_Part], resources: dict[str, tuple[str, int]], pages_bytes: bytes,
              extra: dict[str, bytes], names: dict[str, str], pages: Sequence[Page], *,
              signer: WaczSigner | None, stamp: str, title: str | None,
              software: str) -> dict[str, bytes]:
    """Index, datapackage.json and its digest, once the WARCs are written."""
    index = cdxj_index((part.part.name, record) for part in parts for record in part.indexed)
    generated = {INDEX_PATH: index, PAGES_PATH: pages_bytes}
    for path, data in [*extra.items(), *generated.items()]:
        resources[path] = (_label(bytes(data)), len(data))
    document: dict[str, Any] = {"profile": "data-package", "wacz_version": WACZ_VERSION}
    if title:
        document["title"] = title
    document["created"] = stamp
    document["software"] = software
    if len(pages) == 1:  # py-wacz's spelling; the spec's prose says mainPageUrl
        document["mainPageURL"] = pages[0].url
        document["mainPageDate"] = _rfc3339(pages[0].ts)
    document["resources"] = [
        {"name": names[path], "path": path, "hash": resources[path][0],
         "bytes": resources[path][1]} for path in sorted(resources)]
    package = json.dumps(document, indent=2, ensure_ascii=False).encode("utf-8")
    digest: dict[str, Any] = {"path": DATAPACKAGE, "hash": _label(package)}
    if signer is not None:
        digest["signedData"] = signer.signed_data(digest["hash"], created=stamp,
                                                  software=software)
    generated[DATAPACKAGE] = package
    generated[DIGEST_FILE] = json.dumps(digest, indent=2).encode("utf-8")
    return generated


def _label(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def _copy_part(bundle: zipfile.ZipFile, path: str, part: _Part,
               moment: datetime) -> tuple[str, int]:
    """Copy the ranges into one STORED entry; hashes the file and each indexed record."""
    info = _zip_info(path, moment, stored=True)
    info.file_size = part.size  # lets zipfile choose ZIP64 up front
    whole = hashlib.sha256()
    written = 0
    with open(part.part.path, "rb") as source, \
            bundle.open(info, "w", force_zip64=part.size >= 0xFFFFFFFF) as target:
        for start, stop, record in _segments(part):
            source.seek(start)
            position, hashed = start, start + (record.length if record else 0)
            record_hash = hashlib.sha256()
            if record is not None:
                record.offset = written
            while position < stop:
                data = source.read(min(COPY_BYTES, stop - position))
                if not data:
                    raise WarcError("the file shrank while being exported",
                                    path=str(part.part.path), offset=position)
                whole.update(data)
                if position < hashed:
                    record_hash.update(data[:hashed - position])
                target.write(data)
                position += len(data)
            written += stop - start
            if record is not None:
                record.record_digest = "sha256:" + record_hash.hexdigest()
    return "sha256:" + whole.hexdigest(), part.size


def _segments(part: _Part) -> Iterator[tuple[int, int, IndexedRecord | None]]:
    """(start, stop, record) spans covering the ranges: indexed records, and the bytes
    between them (``part.indexed`` is in file order, as the ranges are)."""
    records = iter(part.indexed)
    record = next(records, None)
    for start, length in part.ranges:
        position, end = start, start + length
        while record is not None and record.source_offset < end:
            if record.source_offset > position:
                yield position, record.source_offset, None
            position = record.source_offset + record.span
            yield record.source_offset, position, record
            record = next(records, None)
        if position < end:
            yield position, end, None

