"""WACZ 1.1.1 evidence bundles: writing them (``write_wacz``) and checking them (``check_wacz``).

A bundle is a ZIP file laid out as WACZ 1.1.1 (specs.webrecorder.net/wacz/1.1.1):

* ``archive/<name>.warc.gz``: whole gzip members (records) copied byte for byte from
  our WARC files, STORED so that a replayer can read a record by its offset;
* ``indexes/index.cdxj``: one CDXJ line per response, revisit and resource record;
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
but encodes DER; ``check_wacz`` accepts both encodings and reports which it found.

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
import binascii
import hashlib
import itertools
import json
import os
import re
import stat
import struct
import tempfile
import zipfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import unquote_to_bytes

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)

from . import __version__
from .errors import ArchiverError, WarcError
from .httpmsg import parse_head
from .warcread import WarcReader

__all__ = ["DEFAULT_SOFTWARE", "WACZ_VERSION", "Page", "SignatureInfo", "WaczNote",
           "WaczProblem", "WaczReport", "WaczSigner", "WaczSummary", "WarcPart",
           "check_wacz", "surt_key", "write_wacz"]

WACZ_VERSION = "1.1.1"
DEFAULT_SOFTWARE = f"archiver {__version__}"
DATAPACKAGE = "datapackage.json"
DIGEST_FILE = "datapackage-digest.json"
INDEX_PATH = "indexes/index.cdxj"
PAGES_PATH = "pages/pages.jsonl"
PAGES_HEADER = {"format": "json-pages-1.0", "id": "pages", "title": "All Pages"}
#: Folders the WACZ spec reserves: extra files may not go there.
RESERVED_FOLDERS = ("archive", "indexes", "pages")
#: Record types that get a CDXJ line. cdxj-indexer also indexes metadata records by
#: default; ours share the response's URL and date, and their line would sort first,
#: so a replayer would show the provenance JSON instead of the page.
INDEXED_TYPES = ("response", "revisit", "resource")
#: Frictionless resource names: lowercase letters, digits, ``-._/``.
_RESOURCE_NAME = re.compile(r"[-a-z0-9._/]+")
_SAFE_COMPONENT = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
_ZIP_MODE = (stat.S_IFREG | 0o644) << 16
_COPY_BYTES = 1 << 20
#: Signing-spec property names (wacz-auth 0.1.0 "Signature Data Format").
_ANONYMOUS_FIELDS = {"hash", "created", "software", "version", "signature", "publicKey"}
_DOMAIN_FIELDS = {"hash", "created", "software", "version", "signature", "domain",
                  "domainCert", "timeSignature", "timestampCert", "crossSignedCert"}

# Limits for reading a bundle someone handed us.
#: More entries than this and the bundle is refused before its directory is parsed.
MAX_ENTRIES = 10_000
#: Refused when the entries claim more than this many times the bundle's size
#: uncompressed (WACZ stores WARCs uncompressed: real bundles stay near 1x).
MAX_EXPANSION = 100
#: ... unless the total is below this (tiny bundles of text deflate well).
EXPANSION_FLOOR = 64 << 20
#: datapackage.json, datapackage-digest.json; pages and indexes are only hashed.
MAX_JSON_BYTES = 32 << 20
#: Directory bytes allowed per permitted entry: zipfile parses the whole directory
#: whatever the count says, so its size is capped too.
DIRECTORY_BYTES_PER_ENTRY = 1024
MAX_CERTIFICATES = 10
#: The signing spec: ``created`` within 10 minutes of the RFC 3161 time.
STAMP_TOLERANCE = timedelta(minutes=10)


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


@dataclass(frozen=True, slots=True, kw_only=True)
class WaczProblem:
    """Something in a bundle that does not verify, naming the entry it concerns."""

    kind: str
    entry: str | None
    message: str
    expected: str | None = None
    actual: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class WaczNote:
    """How something passed, or what could not be checked."""

    kind: str
    entry: str | None
    message: str


@dataclass(frozen=True, slots=True, kw_only=True)
class SignatureInfo:
    """Who signed ``datapackage-digest.json``, and what of it checked out."""

    form: str  # "anonymous" (a bare public key) or "domain-certificate"
    verified: bool  # the signature of the hash verifies with the key
    encoding: str | None  # "p1363" (raw r||s) or "der"
    key_fingerprint: str | None  # sha256:<hex> of the DER SubjectPublicKeyInfo
    created: str | None
    software: str | None
    domain: str | None = None
    certificate_fingerprint: str | None = None  # sha256:<hex> of the leaf certificate
    root_fingerprint: str | None = None  # sha256:<hex> of the chain's last certificate
    chain_valid: bool | None = None  # each certificate signed by the next one
    timestamp: str | None = None  # RFC 3161 time of the signature, when it verified
    trusted: bool | None = None  # root in the caller's trust list; None: not evaluated


@dataclass(frozen=True, slots=True, kw_only=True)
class WaczReport:
    """The outcome of ``check_wacz``: ok when there is no problem."""

    path: str
    wacz_version: str | None
    entries: int
    resources_checked: int
    signature: SignatureInfo | None
    problems: tuple[WaczProblem, ...]
    notes: tuple[WaczNote, ...]

    @property
    def ok(self) -> bool:
        return not self.problems


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
class _Indexed:
    """A record that gets a CDXJ line, as found in its source file."""

    source_offset: int
    span: int  # bytes of the record in the file
    length: int  # bytes a reader fetches: an uncompressed record's CRLF CRLF is left
    # out, as warcio (and so cdxj-indexer and pywb) counts it
    url: str
    date: str
    fields: dict[str, str]  # mime, status, digest (those present)
    offset: int = 0  # in the bundle's WARC
    record_digest: str = ""


@dataclass(slots=True)
class _Part:
    part: WarcPart
    ranges: list[tuple[int, int]]
    indexed: list[_Indexed] = field(default_factory=list)
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
        _fsync_dir(directory)
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
                found = _index_fields(record) if header.type in INDEXED_TYPES else None
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
                    part.indexed.append(_Indexed(
                        source_offset=record.offset, span=record.length,
                        length=record.length - cut,
                        url=_target_uri(header), date=header.get("WARC-Date") or "",
                        fields=found))
                expected += record.length
            if reader.problems or expected != start + length:
                why = reader.problems[0].message if reader.problems else \
                    f"the records end at {expected}, not at {start + length}"
                raise WarcError(f"range ({start}, {length}) is not whole records: {why}",
                                path=str(path), offset=start)
        part.size += length


def _target_uri(header: Any) -> str:
    """WARC-Target-URI without the <...> some writers (Wget 1.20) put around it."""
    uri = (header.get("WARC-Target-URI") or "").strip()
    return uri[1:-1] if uri.startswith("<") and uri.endswith(">") else uri


def _index_fields(record: Any) -> dict[str, str]:
    """mime, status and digest as cdxj-indexer derives them (over warcio)."""
    header = record.header
    kind = header.type
    uri = _target_uri(header)
    digest = header.get("WARC-Payload-Digest")
    head = None
    hasher = None if digest else hashlib.sha1()
    if kind in ("response", "revisit") and uri.startswith(("http:", "https:")):
        buffer = b""
        for piece in record.chunks():
            if head is None:
                buffer += bytes(piece)
                head = parse_head(buffer)
                if head is None:
                    if len(buffer) > 1 << 16:
                        break
                    continue
                piece = memoryview(buffer)[head.body_offset:]
            if hasher is None:
                break
            hasher.update(piece)
    elif hasher is not None:
        for piece in record.chunks():
            hasher.update(piece)
    fields: dict[str, str] = {}
    if kind == "revisit":
        mime = "warc/revisit"
    elif kind == "response":
        types = head.get_all("content-type") if head else []
        mime = types[0] if types else None
    else:
        mime = header.get("Content-Type")
    if mime is not None and (mime := re.split(r"[;\s]", mime, maxsplit=1)[0].strip()):
        fields["mime"] = mime
    if head is not None:
        parts = head.start_line.split(" ", 2)
        if len(parts) >= 2:
            fields["status"] = parts[1]
    if digest is None and hasher is not None:
        digest = "sha1:" + base64.b32encode(hasher.digest()).decode()
    if digest:
        fields["digest"] = digest
    return fields


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
    generated = {INDEX_PATH: _cdxj(parts), PAGES_PATH: pages_bytes}
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
                data = source.read(min(_COPY_BYTES, stop - position))
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


def _segments(part: _Part) -> Iterator[tuple[int, int, _Indexed | None]]:
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


def _cdxj(parts: list[_Part]) -> bytes:
    """CDXJ as cdxj-indexer 1.5 writes it with ``records="response,revisit,resource"``,
    ``post_append=True, digest_records=True`` (the py-wacz settings): same keys, order,
    string values and line sort."""
    lines = []
    for part in parts:
        for record in part.indexed:
            index = {"url": record.url, **{k: record.fields[k] for k in
                                            ("mime", "status", "digest") if k in record.fields},
                     "length": str(record.length), "offset": str(record.offset),
                     "filename": part.part.name, "recordDigest": record.record_digest}
            lines.append(f"{surt_key(record.url)} {_timestamp14(record.date)} "
                         f"{json.dumps(index)}\n")
    lines.sort()
    return "".join(lines).encode("utf-8")


def _timestamp14(date: str) -> str:
    try:
        return datetime.fromisoformat(date).strftime("%Y%m%d%H%M%S")
    except ValueError:
        return re.sub(r"\D", "", date)[:14].ljust(14, "0")


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


# --- SURT ------------------------------------------------------------------------------
# The CDXJ key, as the ``surt`` package (used by cdxj-indexer and pywb) computes it by
# default for http(s) URLs: Google-style canonicalisation, then the Internet Archive's
# (lowercase, www stripped, default port dropped, session ids dropped, query sorted).
# Written from that behaviour, and tested against the package.

_WWW = re.compile(r"www\d*\.")
_SESSION_IN_QUERY = [re.compile(p, re.IGNORECASE) for p in (
    r"^(.*)(?:jsessionid=[0-9a-z]{32})(?:&(.*))?$",
    r"^(.*)(?:phpsessid=[0-9a-z]{32})(?:&(.*))?$",
    r"^(.*)(?:sid=[0-9a-z]{32})(?:&(.*))?$",
    r"^(.*)(?:aspsessionid[a-z]{8}=[a-z]{24})(?:&(.*))?$",
    r"^(.*)(?:cfid=[^&]+&cftoken=[^&]+)(?:&(.*))?$")]
_SESSION_IN_PATH = [re.compile(p, re.IGNORECASE) for p in (
    r"^(.*/)(?:\((?:[a-z]\([0-9a-z]{24}\))+\)/)([^?]+\.aspx.*)$",
    r"^(.*/)(?:\([0-9a-z]{24}\)/)([^?]+\.aspx.*)$")]
_DEFAULT_PORTS = {"http": 80, "https": 443}
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*")
_TO_ESCAPE = re.compile(rb"[^\x21-\x7e]|[#%]")


def surt_key(url: str) -> str:
    """The SURT form of ``url`` used as a CDXJ key: ``com,example)/path?a=1&b=2``."""
    url = re.sub(r"[\t\r\n]", "", url).strip(" \x00\x0b\x0c")
    if not url:
        return "-"
    if url.startswith("filedesc"):
        return url
    scheme, sep, rest = url.partition("://")
    if not sep or not _SCHEME.fullmatch(scheme):  # opaque (urn:, dns:): lowercased
        scheme, colon, rest = url.partition(":")
        return scheme + colon + rest.split("#", 1)[0].lower() if colon else url
    rest = rest.split("#", 1)[0]
    cut = min([i for i in (rest.find("/"), rest.find("?")) if i >= 0], default=len(rest))
    authority, rest = rest[:cut], rest[cut:]
    path, question, query = rest.partition("?")
    host, port = _host_port(authority.rpartition("@")[2])
    if port is not None and port.isdigit() and int(port) == _DEFAULT_PORTS.get(scheme.lower()):
        port = None
    key = ",".join(reversed(host.split("."))) + (f":{port}" if port else "") + ")"
    path = _escape(_normalise_path(_unescape(path)))
    for pattern in _SESSION_IN_PATH:
        path = pattern.sub(r"\1\2", path)
    path = path.lower()
    if len(path) > 1 and path.endswith("/"):
        path = path[:-1]
    query = _escape(_unescape(query)) if question else ""
    for pattern in _SESSION_IN_QUERY:
        query = pattern.sub(lambda m: (m.group(1) or "") + (m.group(2) or ""), query)
    # Parameters sort as (name, value) pairs: "a" < "a=" < "a=1" < "a-b=1".
    query = "&".join(sorted(query.lower().split("&"), key=lambda item: item.split("=", 1)))
    return key + (path or "/") + (f"?{query}" if query else "")


def _host_port(authority: str) -> tuple[str, str | None]:
    port: str | None = None
    if authority.startswith("["):
        host, _, tail = authority[1:].partition("]")
        if tail.startswith(":"):
            port = tail[1:] or None
    else:
        host, _, port = authority.rpartition(":") if ":" in authority else (authority, "", "")
        port = port or None
    raw = _unescape(host).decode("utf-8", "replace").lower()
    labels = [label for label in raw.split(".") if label]
    try:
        host = ".".join(label.encode("idna").decode("ascii") if not label.isascii()
                        else label for label in labels)
    except UnicodeError:
        host = ".".join(labels)
    return _WWW.sub("", host, count=1) if _WWW.match(host) else host, port


def _normalise_path(path: bytes) -> bytes:
    """Resolve ``.`` and ``..`` segments; ``..`` pops any segment, empty ones too, and
    stays when there is none. Empty segments then go, and with them a trailing slash."""
    kept: list[bytes] = []
    for segment in path.split(b"/")[1:]:
        if segment == b"..":
            if kept:
                kept.pop()
            else:
                kept.append(segment)
        elif segment != b".":
            kept.append(segment)
    return b"/" + b"/".join(segment for segment in kept if segment)


def _unescape(text: str) -> bytes:
    data = text.encode("utf-8")
    while b"%" in data:
        decoded = unquote_to_bytes(data)
        if decoded == data:
            break
        data = decoded
    return data


def _escape(data: bytes) -> str:
    """Percent-encode controls, space, non-ASCII, ``#`` and ``%``; keep the rest."""
    return _TO_ESCAPE.sub(lambda m: b"%%%02X" % m[0][0], data).decode("ascii")


# --- checking ----------------------------------------------------------------------------


class _Findings:
    def __init__(self) -> None:
        self.problems: list[WaczProblem] = []
        self.notes: list[WaczNote] = []

    def problem(self, kind: str, entry: str | None, message: str, *,
                expected: str | None = None, actual: str | None = None) -> None:
        self.problems.append(WaczProblem(kind=kind, entry=entry, message=message,
                                         expected=expected, actual=actual))

    def note(self, kind: str, entry: str | None, message: str) -> None:
        self.notes.append(WaczNote(kind=kind, entry=entry, message=message))


def check_wacz(path: str | os.PathLike[str], *, trusted_roots: Iterable[str] = (),
               max_entries: int = MAX_ENTRIES) -> WaczReport:
    """Check a WACZ file someone handed us: ZIP safety, resource hashes and sizes,
    ``datapackage-digest.json`` and its signature.

    ``trusted_roots`` are SHA-256 fingerprints (hex, or ``sha256:<hex>``) of root
    certificates to trust for the domain-certificate form; without them trust is
    reported as not evaluated. Problems are data; ``ArchiverError`` means the file
    could not be read at all.
    """
    path = Path(path)
    found = _Findings()
    roots = {root.lower().removeprefix("sha256:") for root in trusted_roots}
    try:
        size = os.stat(path).st_size
        with open(path, "rb") as raw:
            count, cd_size = _declared_entries(raw, size)
    except OSError as exc:
        raise ArchiverError(f"cannot read {path}: {exc.strerror}") from exc

    def report(version: str | None = None, entries: int = 0, checked: int = 0,
               signature: SignatureInfo | None = None) -> WaczReport:
        return WaczReport(path=str(path), wacz_version=version, entries=entries,
                          resources_checked=checked, signature=signature,
                          problems=tuple(found.problems), notes=tuple(found.notes))

    if count is None:
        found.problem("not-a-zip", None, "no ZIP end-of-central-directory record")
        return report()
    if count > max_entries or cd_size > max_entries * DIRECTORY_BYTES_PER_ENTRY:
        found.problem("too-many-entries", None, f"the ZIP claims {count} entries in "
                      f"{cd_size} bytes of directory (limit {max_entries}); not opened")
        return report()
    try:
        bundle = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError) as exc:
        found.problem("not-a-zip", None, f"not a readable ZIP file: {exc}")
        return report()
    with bundle:
        infos = bundle.infolist()
        if len(infos) > max_entries:
            found.problem("too-many-entries", None, f"the ZIP directory holds {len(infos)} "
                          f"entries (limit {max_entries})")
            return report(entries=len(infos))
        if not _zip_safe(infos, size, found):
            return report(entries=len(infos))
        entries = {info.filename: info for info in infos if not info.is_dir()}
        package = _read_json(bundle, entries, DATAPACKAGE, found)
        if package is None:
            if "webarchive.yaml" in entries:
                found.note("old-format", "webarchive.yaml", "WACZ 0.1.0 (webarchive.yaml) "
                           "has no hashes to check")
            return report(entries=len(infos))
        version = package.get("wacz_version") if isinstance(package.get("wacz_version"),
                                                             str) else None
        checked = _check_resources(bundle, entries, package, found)
        signature = _check_digest(bundle, entries, package, found, roots)
        return report(version, len(infos), checked, signature)


def _declared_entries(raw: BinaryIO, size: int) -> tuple[int | None, int]:
    """Entry count and directory size from the end records, before zipfile parses
    (and allocates for) the central directory."""
    tail_size = min(size, 22 + 0xFFFF)
    raw.seek(size - tail_size)
    tail = raw.read(tail_size)
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) - at < 22:
        return None, 0
    _, _, _, _, count, cd_size, _, _ = struct.unpack("<4sHHHHIIH", tail[at:at + 22])
    if (count == 0xFFFF or cd_size == 0xFFFFFFFF) and at >= 20 and \
            tail[at - 20:at - 16] == b"PK\x06\x07":
        locator = struct.unpack("<4sIQI", tail[at - 20:at])
        raw.seek(locator[2])
        record = raw.read(56)
        if len(record) == 56 and record[:4] == b"PK\x06\x06":
            count, cd_size = struct.unpack("<QQ", record[32:48])
    return count, cd_size


def _zip_safe(infos: list[zipfile.ZipInfo], size: int, found: _Findings) -> bool:
    """Names, duplicates, methods, encryption, links and expansion; False stops the check."""
    seen: set[str] = set()
    total = 0
    for info in infos:
        name = info.filename
        parts = name.rstrip("/").split("/")
        if name.startswith(("/", "\\")) or "\\" in name or re.match(r"[A-Za-z]:", name) or \
                any(p in ("", ".", "..") for p in parts) or \
                any(ord(c) < 0x20 or c == "\x7f" for c in name):
            found.problem("unsafe-path", name, "entry name is absolute, has .. or empty "
                          "segments, backslashes or control characters")
        if name in seen:
            found.problem("duplicate-entry", name, "two entries have this name (readers "
                          "disagree on which one counts)")
        seen.add(name)
        if info.flag_bits & 0x1:
            found.problem("encrypted-entry", name, "entry is encrypted")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            found.problem("unsupported-compression", name,
                          f"compression method {info.compress_type} (WACZ uses store or "
                          "deflate)")
        if stat.S_ISLNK(info.external_attr >> 16):
            found.problem("symlink-entry", name, "entry is a symbolic link")
        # Deflate expands at most 1032:1; a stored entry holds what it claims.
        if info.file_size > (1032 * info.compress_size + 1024
                             if info.compress_type == zipfile.ZIP_DEFLATED
                             else info.compress_size):
            found.problem("zip-bomb", name, f"claims {info.file_size} bytes from "
                          f"{info.compress_size}: more than its method can produce")
        total += info.file_size
    if total > max(MAX_EXPANSION * size, EXPANSION_FLOOR):
        found.problem("zip-bomb", None, f"entries claim {total} bytes uncompressed from a "
                      f"{size}-byte file (limit {MAX_EXPANSION}x)")
    return not found.problems


def _read_json(bundle: zipfile.ZipFile, entries: dict[str, zipfile.ZipInfo], name: str,
               found: _Findings) -> dict[str, Any] | None:
    info = entries.get(name)
    if info is None:
        if name == DATAPACKAGE:
            found.problem("missing-entry", name, "datapackage.json is missing")
        return None
    if info.file_size > MAX_JSON_BYTES:
        found.problem("oversized-entry", name, f"{info.file_size} bytes; limit "
                      f"{MAX_JSON_BYTES}")
        return None
    try:
        data = _read_entry(bundle, info)
    except _ENTRY_ERRORS as exc:
        found.problem("corrupt-entry", name, f"cannot read: {exc}")
        return None
    try:
        document = json.loads(data.decode("utf-8"))
    except (ValueError, RecursionError) as exc:  # UnicodeDecodeError is a ValueError
        found.problem("unparseable-json", name, f"not JSON: {str(exc)[:200]}")
        return None
    if not isinstance(document, dict):
        found.problem("unparseable-json", name, "not a JSON object")
        return None
    return document


_ENTRY_ERRORS = (zipfile.BadZipFile, EOFError, OSError, NotImplementedError,
                 RuntimeError, ValueError)


def _read_entry(bundle: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    with bundle.open(info) as stream:
        return stream.read(info.file_size + 1)


def _hash_entry(bundle: zipfile.ZipFile, info: zipfile.ZipInfo, algorithm: str) -> \
        tuple[str, int]:
    hasher = hashlib.new(algorithm)
    count = 0
    with bundle.open(info) as stream:
        while data := stream.read(_COPY_BYTES):
            hasher.update(data)
            count += len(data)
    return hasher.hexdigest(), count


def _resource_claims(resource: Any) -> tuple[str, str, str, int] | None:
    """(path, algorithm, hex, bytes) of a resource, WACZ 1.1 or 1.0 style."""
    if not isinstance(resource, dict) or not isinstance(resource.get("path"), str):
        return None
    if isinstance(resource.get("hash"), str):  # 1.1: "sha256:<hex>"
        algorithm, _, value = resource["hash"].partition(":")
        size = resource.get("bytes")
    else:  # 1.0: {"stats": {"hash", "bytes"}, "hashing": "sha256"}
        stats = resource.get("stats") if isinstance(resource.get("stats"), dict) else {}
        algorithm, value, size = resource.get("hashing", "sha256"), stats.get("hash"), \
            stats.get("bytes")
    if not isinstance(algorithm, str) or not isinstance(value, str) or \
            not isinstance(size, int) or isinstance(size, bool):
        return None
    return resource["path"], algorithm.lower().replace("-", ""), value.lower(), size


def _check_resources(bundle: zipfile.ZipFile, entries: dict[str, zipfile.ZipInfo],
                     package: dict[str, Any], found: _Findings) -> int:
    resources = package.get("resources")
    if package.get("profile") != "data-package":
        found.note("profile", DATAPACKAGE, f"profile is {package.get('profile')!r}, not "
                   "'data-package'")
    if not isinstance(resources, list):
        found.problem("bad-datapackage", DATAPACKAGE, "no resources list")
        return 0
    listed: set[str] = set()
    checked = 0
    for resource in resources:
        claims = _resource_claims(resource)
        if claims is None:
            found.problem("bad-datapackage", DATAPACKAGE, f"resource without path, hash "
                          f"and bytes: {json.dumps(resource)[:200]}")
            continue
        name, algorithm, expected, size = claims
        if name in listed:
            found.problem("bad-datapackage", name, "listed twice in datapackage.json")
            continue
        listed.add(name)
        info = entries.get(name)
        if info is None:
            found.problem("missing-entry", name, "listed in datapackage.json but not in "
                          "the ZIP")
            continue
        if algorithm not in ("sha256", "sha384", "sha512", "md5", "sha1"):
            found.problem("unknown-hash", name, f"hash algorithm {algorithm!r}")
            continue
        try:
            actual, count = _hash_entry(bundle, info, algorithm)
        except _ENTRY_ERRORS as exc:
            found.problem("corrupt-entry", name, f"cannot read: {exc}")
            continue
        checked += 1
        if algorithm in ("md5", "sha1"):
            found.note("weak-hash", name, f"{algorithm} has known collisions: a match does "
                       "not prove the content unchanged")
        if actual != expected:
            found.problem("hash-mismatch", name, f"{algorithm} of {name} differs from "
                          "datapackage.json", expected=f"{algorithm}:{expected}",
                          actual=f"{algorithm}:{actual}")
        if count != size:
            found.problem("size-mismatch", name, f"{name} has {count} bytes, "
                          f"datapackage.json says {size}", expected=str(size),
                          actual=str(count))
        if name.startswith("archive/") and info.compress_type != zipfile.ZIP_STORED:
            found.note("compressed-warc", name, "WARC is deflated in the ZIP: it cannot "
                       "be read by range")
    for name in sorted(set(entries) - listed - {DATAPACKAGE, DIGEST_FILE}):
        found.problem("unlisted-entry", name, "not listed in datapackage.json, so no hash "
                      "or signature covers it")
    for folder, what in (("pages/pages.jsonl", "pages list"), ("indexes/", "index")):
        if not any(name == folder or (folder.endswith("/") and name.startswith(folder))
                   for name in entries):
            found.problem("missing-entry", folder, f"the WACZ {what} is missing")
    return checked


def _check_digest(bundle: zipfile.ZipFile, entries: dict[str, zipfile.ZipInfo],
                  package: dict[str, Any], found: _Findings,
                  roots: set[str]) -> SignatureInfo | None:
    digest = _read_json(bundle, entries, DIGEST_FILE, found)
    if digest is None:
        if DIGEST_FILE not in entries:
            found.note("no-digest", DIGEST_FILE, "no datapackage-digest.json: "
                       "datapackage.json is neither hashed nor signed")
        return None
    package_bytes = _read_entry(bundle, entries[DATAPACKAGE])
    claimed = digest.get("hash")
    algorithm = claimed.partition(":")[0] if isinstance(claimed, str) else ""
    if digest.get("path") != DATAPACKAGE or algorithm not in ("sha256", "sha384", "sha512"):
        found.problem("bad-digest-file", DIGEST_FILE, "path is not datapackage.json or the "
                      "hash is not sha256/384/512:<hex>")
        return None
    actual = f"{algorithm}:{hashlib.new(algorithm, package_bytes).hexdigest()}"
    if actual != claimed.lower():
        found.problem("hash-mismatch", DATAPACKAGE, "datapackage.json differs from the hash "
                      "in datapackage-digest.json", expected=claimed, actual=actual)
    signed = digest.get("signedData")
    if signed is None:
        found.note("unsigned", DIGEST_FILE, "datapackage-digest.json is not signed")
        return None
    if not isinstance(signed, dict) or not all(isinstance(signed.get(k), str)
                                               for k in ("hash", "signature")):
        found.problem("bad-signature", DIGEST_FILE, "signedData lacks hash or signature")
        return None
    if signed["hash"] != claimed:
        found.problem("signature-hash-mismatch", DIGEST_FILE, "signedData.hash is not the "
                      "hash of datapackage.json", expected=claimed, actual=signed["hash"])
    if signed.get("created") != package.get("created"):
        found.problem("signature-created-mismatch", DIGEST_FILE, "signedData.created differs "
                      "from datapackage.json created", expected=str(package.get("created")),
                      actual=str(signed.get("created")))
    if "domainCert" in signed:
        return _check_domain_signature(signed, found, roots)
    return _check_anonymous_signature(signed, found)


def _verify_ecdsa(key: Any, signature_b64: str, message: bytes) -> str | None:
    """The encoding ("p1363" or "der") under which the signature verifies, or None."""
    try:
        signature = base64.b64decode(signature_b64, validate=True)
    except (binascii.Error, ValueError):
        return None
    if not isinstance(key, ec.EllipticCurvePublicKey):
        return None
    size = (key.curve.key_size + 7) // 8
    candidates = []
    if len(signature) == 2 * size:
        r, s = int.from_bytes(signature[:size], "big"), int.from_bytes(signature[size:], "big")
        candidates.append(("p1363", encode_dss_signature(r, s)))
    candidates.append(("der", signature))
    for encoding, der in candidates:
        try:
            key.verify(der, message, ec.ECDSA(hashes.SHA256()))
            return encoding
        except (InvalidSignature, ValueError):
            continue
    return None


def _check_anonymous_signature(signed: dict[str, Any], found: _Findings) -> SignatureInfo:
    extra = set(signed) - _ANONYMOUS_FIELDS
    if extra:
        found.note("extra-signature-fields", DIGEST_FILE, "signedData has properties the "
                   f"signing spec does not list: {', '.join(sorted(extra))}")
    key_b64 = signed.get("publicKey")
    key = der = None
    try:
        der = base64.b64decode(key_b64, validate=True) if isinstance(key_b64, str) else None
        key = serialization.load_der_public_key(der) if der else None
    except (binascii.Error, ValueError, UnsupportedAlgorithm):
        key = None
    encoding = _verify_ecdsa(key, signed["signature"], signed["hash"].encode("utf-8")) \
        if key is not None else None
    if key is None:
        found.problem("bad-signature", DIGEST_FILE, "signedData.publicKey is not a base64 "
                      "DER public key")
    elif encoding is None:
        found.problem("bad-signature", DIGEST_FILE, "the signature of the datapackage.json "
                      "hash does not verify with signedData.publicKey")
    elif not isinstance(key.curve, ec.SECP384R1):
        found.note("key-curve", DIGEST_FILE, f"key is on {key.curve.name}; ReplayWeb.page "
                   "expects P-384")
    if encoding == "der":
        found.note("der-signature", DIGEST_FILE, "signature is DER; WebCrypto verifiers "
                   "(ReplayWeb.page) expect raw r||s")
    return SignatureInfo(form="anonymous", verified=encoding is not None, encoding=encoding,
                         key_fingerprint=_fingerprint(der) if key is not None else None,
                         created=_str(signed.get("created")),
                         software=_str(signed.get("software")))


def _check_domain_signature(signed: dict[str, Any], found: _Findings,
                            roots: set[str]) -> SignatureInfo:
    extra = set(signed) - _DOMAIN_FIELDS
    if extra:
        found.note("extra-signature-fields", DIGEST_FILE, "signedData has properties the "
                   f"signing spec does not list: {', '.join(sorted(extra))}")
    chain = _certificates(signed.get("domainCert"))
    if not chain:
        found.problem("bad-certificate", DIGEST_FILE, "domainCert holds no readable "
                      f"certificate (at most {MAX_CERTIFICATES})")
        return SignatureInfo(form="domain-certificate", verified=False, encoding=None,
                             key_fingerprint=None, created=_str(signed.get("created")),
                             software=_str(signed.get("software")))
    leaf = chain[0]
    key = leaf.public_key()
    encoding = _verify_ecdsa(key, signed["signature"], signed["hash"].encode("utf-8"))
    if encoding is None:
        found.problem("bad-signature", DIGEST_FILE, "the signature of the datapackage.json "
                      "hash does not verify with the domain certificate's key")
    chain_valid = _chain_links(chain)
    if not chain_valid:
        found.problem("bad-certificate", DIGEST_FILE, "domainCert: a certificate is not "
                      "signed by the next one in the chain")
    domain = _str(signed.get("domain"))
    names = _subject_names(leaf)
    if domain not in names:
        found.problem("domain-mismatch", DIGEST_FILE, f"domain {domain!r} is not the "
                      f"certificate's subject ({', '.join(names) or 'none'})")
    created = _parse_time(signed.get("created"))
    if created is None or not leaf.not_valid_before_utc <= created <= leaf.not_valid_after_utc:
        found.problem("certificate-not-valid", DIGEST_FILE, f"created {signed.get('created')!r}"
                      " is not within the domain certificate's validity period")
    timestamp = _check_time_signature(signed, created, found, roots)
    root = _fingerprint(chain[-1].public_bytes(serialization.Encoding.DER))
    trusted = None
    if roots:
        trusted = root.removeprefix("sha256:") in roots
        if not trusted:
            found.problem("untrusted-certificate", DIGEST_FILE, "the domain certificate "
                          f"chain ends at {chain[-1].subject.rfc4514_string()} ({root}), "
                          "which is not a trusted root")
    else:
        found.note("trust-not-evaluated", DIGEST_FILE, "no trusted roots given: the "
                   f"certificate chain (root {root}) was checked for consistency only")
    if signed.get("crossSignedCert"):
        found.note("cross-signed-not-checked", DIGEST_FILE, "crossSignedCert is not checked")
    return SignatureInfo(
        form="domain-certificate", verified=encoding is not None, encoding=encoding,
        key_fingerprint=_fingerprint(key.public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)),
        created=_str(signed.get("created")), software=_str(signed.get("software")),
        domain=domain, certificate_fingerprint=_fingerprint(
            leaf.public_bytes(serialization.Encoding.DER)),
        root_fingerprint=root, chain_valid=chain_valid, timestamp=timestamp, trusted=trusted)


def _check_time_signature(signed: dict[str, Any], created: datetime | None,
                          found: _Findings, roots: set[str]) -> str | None:
    """Verify the RFC 3161 token over the signature string with timestampCert."""
    from rfc3161_client import VerificationError, VerifierBuilder, decode_timestamp_response

    chain = _certificates(signed.get("timestampCert"))
    token = signed.get("timeSignature")
    if not chain or not isinstance(token, str):
        found.problem("bad-timestamp", DIGEST_FILE, "timeSignature or timestampCert missing")
        return None
    try:
        response = decode_timestamp_response(base64.b64decode(token, validate=True))
        verifier = VerifierBuilder(tsa_certificate=chain[0], intermediates=chain[1:-1],
                                   roots=[chain[-1]]).build()
        verifier.verify_message(response, signed["signature"].encode("ascii"))
        when = response.tst_info.gen_time.astimezone(UTC)
    except (ValueError, TypeError, VerificationError) as exc:
        found.problem("bad-timestamp", DIGEST_FILE, "timeSignature does not verify as an "
                      f"RFC 3161 token over the signature with timestampCert: {exc}")
        return None
    if created is None or abs(when - created) > STAMP_TOLERANCE:
        found.problem("bad-timestamp", DIGEST_FILE, f"timestamp {when.isoformat()} is more "
                      f"than {STAMP_TOLERANCE} from created")
    root = _fingerprint(chain[-1].public_bytes(serialization.Encoding.DER))
    if roots and root.removeprefix("sha256:") not in roots:
        found.problem("untrusted-certificate", DIGEST_FILE, "the timestamp certificate "
                      f"chain ends at {root}, which is not a trusted root")
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def _certificates(pem: Any) -> list[x509.Certificate]:
    if not isinstance(pem, str) or pem.count("-----BEGIN") > MAX_CERTIFICATES:
        return []
    try:
        return x509.load_pem_x509_certificates(pem.encode("ascii"))
    except (ValueError, UnicodeEncodeError):
        return []


def _chain_links(chain: list[x509.Certificate]) -> bool:
    for child, issuer in itertools.pairwise(chain):
        try:
            child.verify_directly_issued_by(issuer)
        except (ValueError, TypeError, InvalidSignature, UnsupportedAlgorithm):
            return False
    return True


def _subject_names(cert: x509.Certificate) -> list[str]:
    names = [str(a.value) for a in cert.subject.get_attributes_for_oid(
        x509.NameOID.COMMON_NAME)]
    try:
        names += cert.extensions.get_extension_for_class(
            x509.SubjectAlternativeName).value.get_values_for_type(x509.DNSName)
    except x509.ExtensionNotFound:
        pass
    return names


def _fingerprint(der: bytes | None) -> str | None:
    return "sha256:" + hashlib.sha256(der).hexdigest() if der else None


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment.astimezone(UTC) if moment.tzinfo else None
