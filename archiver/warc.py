"""Writing WARC/1.1 files: records with our own digests, one gzip member each.

We serialise records ourselves rather than through warcio's writer: warcio rewrites
HTTP headers and hard-codes SHA-1 digests, and we need the blocks to be the exact
wire bytes with SHA-256 and BLAKE3 digests. See docs/warc-format.md for the layout.

A capture's records are appended with one ``write`` and an ``fsync`` before the
capture is acknowledged, so a crash loses at most the capture being written;
``recover`` (in ``recovery.py``) trims what a crash left in a ``.open`` file.
"""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from isal import isal_zlib

from .errors import WarcError
from .files import fsync_directory
from .hashing import DigestPair

WARC_VERSION = "WARC/1.1"
FILE_PREFIX = "archiver"
OPEN_SUFFIX = ".open"
#: Rotation size. 1 GB is the common default of Heritrix and the IIPC guidelines.
DEFAULT_ROTATE_BYTES = 1_000_000_000
#: ISA-L level 1: about 10x faster than zlib level 9 for WARC-sized records, a few
#: percent larger (benchmarks/bench_capture.py measures it).
GZIP_LEVEL = 1

WARCINFO_FORMAT_FIELDS = (
    ("format", "WARC File Format 1.1"),
    ("conformsTo", "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/"),
)

#: Types whose block is an HTTP message and so has a payload.
HTTP_RECORD_TYPES = ("request", "response")


def warc_date(moment: datetime) -> str:
    """WARC-Date with microseconds: ``2026-11-24T02:35:45.123456Z``."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass(frozen=True, slots=True, kw_only=True)
class RecordSpec:
    """A record to be written: everything but the digests and the file it lands in."""

    type: str
    record_id: str
    date: str
    content_type: str
    block: bytes
    #: Named fields in order, after WARC-Type/Record-ID/Date (e.g. WARC-Target-URI).
    fields: Sequence[tuple[str, str]] = ()
    #: The payload for the payload digests; None for records without one.
    payload: bytes | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class WrittenRecord:
    """Where a record landed, and its digests (what the catalog keeps)."""

    record_id: str
    type: str
    target_uri: str | None
    file: str  # file name as closed, relative to the WARC directory
    offset: int
    length: int  # bytes of the gzip member
    block_sha256: str
    block_blake3: str
    payload_sha256: str | None = None
    payload_blake3: str | None = None


def _check_field(name: str, value: str) -> None:
    if "\r" in value or "\n" in value:
        raise WarcError(f"refusing to write a line break in the {name} field")


def record_bytes(spec: RecordSpec, *, warcinfo_id: str | None = None) -> tuple[bytes, dict]:
    """Serialise one record; returns the bytes and its digest labels."""
    block = DigestPair(spec.block)
    digests = {"block_sha256": block.sha256, "block_blake3": block.blake3}
    lines = [
        WARC_VERSION,
        f"WARC-Type: {spec.type}",
        f"WARC-Record-ID: {spec.record_id}",
        f"WARC-Date: {spec.date}",
    ]
    fields = list(spec.fields)
    if warcinfo_id and spec.type != "warcinfo":
        fields.append(("WARC-Warcinfo-ID", warcinfo_id))
    for name, value in fields:
        _check_field(name, value)
        lines.append(f"{name}: {value}")
    lines.append(f"Content-Type: {spec.content_type}")
    lines.append(f"WARC-Block-Digest: {block.sha256}")
    if spec.payload is not None:
        payload = DigestPair(spec.payload)
        digests |= {"payload_sha256": payload.sha256, "payload_blake3": payload.blake3}
        lines.append(f"WARC-Payload-Digest: {payload.sha256}")
    lines.append(f"Archiver-Block-Digest: {block.blake3}")
    if spec.payload is not None:
        lines.append(f"Archiver-Payload-Digest: {digests['payload_blake3']}")
    lines.append(f"Content-Length: {len(spec.block)}")
    head = ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8")
    return head + spec.block + b"\r\n\r\n", digests


def gzip_member(data: bytes) -> bytes:
    """One gzip member (RFC 1952) holding ``data``; deterministic (mtime 0)."""
    compressor = isal_zlib.compressobj(GZIP_LEVEL, isal_zlib.DEFLATED, 31)
    return compressor.compress(data) + compressor.flush()


def warc_file_name(moment: datetime, serial: int, host: str) -> str:
    """WARC 1.1 Annex C name: ``prefix-timestamp-serial-host.warc.gz``."""
    stamp = moment.astimezone(timezone.utc).strftime("%Y%m%d%H%M%S%f")
    safe_host = "".join(c if c.isalnum() or c in ".-" else "_" for c in host) or "host"
    return f"{FILE_PREFIX}-{stamp}-{serial:05d}-{safe_host}.warc.gz"


def warcinfo_block(fields: Sequence[tuple[str, str]]) -> bytes:
    """An application/warc-fields block."""
    for name, value in fields:
        _check_field(name, value)
    return "".join(f"{name}: {value}\r\n" for name, value in fields).encode("utf-8")


@dataclass(slots=True)
class _OpenFile:
    name: str  # final name, without .open
    path: Path  # the .open path
    handle: object
    warcinfo_id: str
    size: int  # bytes written (handed to the kernel)
    synced: int = 0  # bytes known to be on disk
    closed: bool = False


@dataclass(kw_only=True)
class WarcWriter:
    """Appends captures to rotating ``.warc.gz.open`` files in ``directory``.

    Thread-safe: record serialisation and compression run in the calling thread,
    only the append is serialised. Durability is a group commit: a capture returns
    once an fsync that began after its append has finished, and one fsync covers every
    capture appended before it, so concurrent captures share the disk's flush latency
    instead of queueing behind one fsync each. ``clock`` and ``new_record_id`` are
    injected so tests get byte-identical files.
    """

    directory: Path
    host: str
    clock: Callable[[], datetime]
    new_record_id: Callable[[], str]
    warcinfo_fields: Sequence[tuple[str, str]] = ()
    rotate_bytes: int = DEFAULT_ROTATE_BYTES
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)
    #: Held while an fsync runs; taken after ``_lock`` when both are needed (closing).
    _sync_lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)
    _file: _OpenFile | None = field(default=None, init=False, repr=False)
    _serial: int = field(default=0, init=False, repr=False)
    closed_files: list[str] = field(default_factory=list, init=False)

    def write_capture(self, specs: Sequence[RecordSpec]) -> list[WrittenRecord]:
        """Append the records of one capture durably; returns where each one landed."""
        while True:
            with self._lock:
                current = self._current()
                warcinfo_id = current.warcinfo_id
            members, digests = self._serialise(specs, warcinfo_id)
            with self._lock:
                current = self._current()
                if current.warcinfo_id != warcinfo_id:  # rotated meanwhile: redo
                    continue
                written, end = self._append(current, specs, members, digests)
            self._sync(current, end)
            return written

    def close(self) -> None:
        """Close and rename the open file, if any."""
        with self._lock:
            self._close_current()

    def __enter__(self) -> WarcWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _serialise(self, specs: Sequence[RecordSpec], warcinfo_id: str):
        members, digests = [], []
        for spec in specs:
            raw, found = record_bytes(spec, warcinfo_id=warcinfo_id)
            members.append(gzip_member(raw))
            digests.append(found)
        return members, digests

    def _append(self, current: _OpenFile, specs, members, digests) -> tuple[list[WrittenRecord], int]:
        """Write one capture's members (not yet durable); returns them and the end offset."""
        written = []
        offset = current.size
        for spec, member, found in zip(specs, members, digests, strict=True):
            written.append(
                WrittenRecord(
                    record_id=spec.record_id,
                    type=spec.type,
                    target_uri=dict(spec.fields).get("WARC-Target-URI"),
                    file=current.name,
                    offset=offset,
                    length=len(member),
                    **found,
                )
            )
            offset += len(member)
        data = b"".join(members)
        try:
            current.handle.write(data)
            current.handle.flush()
        except OSError as exc:
            raise WarcError(f"cannot append to {current.path}: {exc.strerror}") from exc
        current.size = offset
        if current.size >= self.rotate_bytes:
            self._close_current()
        return written, offset

    def _sync(self, current: _OpenFile, end: int) -> None:
        """Return once the first ``end`` bytes of ``current`` are on disk."""
        with self._sync_lock:
            if current.synced >= end or current.closed:  # a later fsync or the close did it
                return
            size = current.size  # everything appended so far is covered by this fsync
            self._fsync(current)
            current.synced = size

    def _fsync(self, current: _OpenFile) -> None:
        try:
            os.fsync(current.handle.fileno())
        except OSError as exc:
            raise WarcError(f"cannot write {current.path} to disk: {exc.strerror}") from exc

    def _current(self) -> _OpenFile:
        if self._file is None:
            self._file = self._open_new()
        return self._file

    def _open_new(self) -> _OpenFile:
        self.directory.mkdir(parents=True, exist_ok=True)
        moment = self.clock()
        while True:
            name = warc_file_name(moment, self._serial, self.host)
            self._serial += 1
            path = self.directory / (name + OPEN_SUFFIX)
            if (self.directory / name).exists():
                continue
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
            except FileExistsError:
                continue
            break
        # The lock tells recovery in another process that this file is alive.
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        handle = os.fdopen(fd, "wb")
        warcinfo_id = self.new_record_id()
        spec = RecordSpec(
            type="warcinfo",
            record_id=warcinfo_id,
            date=warc_date(moment),
            content_type="application/warc-fields",
            block=warcinfo_block([*WARCINFO_FORMAT_FIELDS, *self.warcinfo_fields]),
            fields=[("WARC-Filename", name)],
        )
        raw, _ = record_bytes(spec)
        member = gzip_member(raw)
        handle.write(member)
        handle.flush()
        os.fsync(handle.fileno())
        fsync_directory(self.directory)
        return _OpenFile(name=name, path=path, handle=handle, warcinfo_id=warcinfo_id,
                         size=len(member))

    def _close_current(self) -> None:
        current, self._file = self._file, None
        if current is None:
            return
        with self._sync_lock:
            self._fsync(current)
            current.closed = True
            current.handle.close()
        os.rename(current.path, self.directory / current.name)
        fsync_directory(self.directory)
        self.closed_files.append(current.name)

