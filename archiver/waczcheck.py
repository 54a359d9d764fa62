"""Checking a WACZ bundle someone handed us: ``check_wacz`` and its report types.

The checks, in order: ZIP safety before anything is parsed (entry count and directory
size from the end records, names, duplicates, methods, encryption, links, expansion);
every resource of ``datapackage.json`` against its hash and size, and every entry
listed; ``datapackage-digest.json`` against ``datapackage.json``; and its signature, in
the anonymous or the domain-certificate form (checked by ``archiver.waczsignature``).
Problems are data (``WaczReport.problems``, each naming its entry); notes say how
something passed or what could not be checked.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
import struct
import zipfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from .errors import ArchiverError
from .wacz import COPY_BYTES, DATAPACKAGE, DIGEST_FILE
from .waczsignature import SignatureInfo, check_anonymous_signature, check_domain_signature

__all__ = ["ENTRY_ERRORS", "WaczNote", "WaczProblem", "WaczReport", "check_wacz"]

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


# --- checking ----------------------------------------------------------------------------


class Findings:
    """The problems and notes found in one bundle, in the order they were found."""

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
    found = Findings()
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
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError,
            NotImplementedError) as exc:  # a version or feature zipfile lacks
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


def _zip_safe(infos: list[zipfile.ZipInfo], size: int, found: Findings) -> bool:
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
               found: Findings) -> dict[str, Any] | None:
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
    except ENTRY_ERRORS as exc:
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


#: What reading a damaged entry raises (zlib.error: a broken deflate stream).
ENTRY_ERRORS = (zipfile.BadZipFile, EOFError, OSError, NotImplementedError,
                RuntimeError, ValueError, zlib.error)


def _read_entry(bundle: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    with bundle.open(info) as stream:
        return stream.read(info.file_size + 1)


def _hash_entry(bundle: zipfile.ZipFile, info: zipfile.ZipInfo, algorithm: str) -> \
        tuple[str, int]:
    hasher = hashlib.new(algorithm)
    count = 0
    with bundle.open(info) as stream:
        while data := stream.read(COPY_BYTES):
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
                     package: dict[str, Any], found: Findings) -> int:
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
        except ENTRY_ERRORS as exc:
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
                  package: dict[str, Any], found: Findings,
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
        return check_domain_signature(signed, found, roots)
    return check_anonymous_signature(signed, found)
