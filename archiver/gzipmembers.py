"""A WARC/ARC file as one stream of bytes: gzip members inflated, boundaries and damage kept.

``ByteStream`` is what ``warcread`` parses. Underneath, a source turns the file into
items: data pieces (``bytes``, at most ``PIECE_BYTES`` each), ``MemberStart`` and
``MemberEnd`` marks with file offsets, and ``Damage`` where the data stops: a gzip
member cut short by the end of the file, one whose CRC-32 or length does not match
(ISA-L checks each member's trailer), one that does not inflate, or bytes between
members that are not gzip at all. After damage the gzip source resynchronises on the
next member that inflates into the start of a record, so one bad member does not hide
the rest of a file.

Memory is bounded whatever the sizes in the file: each inflate call gets at most
``INFLATE_INPUT_BYTES`` and returns at most ``PIECE_BYTES``; ``ByteStream.window``
copies only when asked to look across pieces.
"""

from __future__ import annotations

import os
import zlib
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import BinaryIO

from isal import isal_zlib

#: Raw bytes read from the file at a time: large reads keep syscalls off the profile.
RAW_READ_BYTES = 1 << 20
#: Compressed bytes handed to the inflater per call. Small enough that zlib's copies of
#: the unused input (``unused_data``/``unconsumed_tail``) stay cheap, large enough that
#: a 100 KiB record takes one or two calls.
INFLATE_INPUT_BYTES = 64 << 10
#: Largest piece of decompressed (or plain) data produced at once, hence the largest
#: piece ``Record.chunks()`` yields and the memory a record of any size costs.
PIECE_BYTES = 1 << 20
#: When a gzip member fails, its output from the failing inflate call is lost. We
#: replay the member's start in small steps to recover up to this much data, enough
#: for the record header, so the problem can name the record it hit.
SALVAGE_BYTES = 64 << 10
SALVAGE_STEP = 32
#: After damage, a candidate gzip member must inflate from this much input into
#: something that starts like a record before we resynchronise on it.
TRIAL_RAW_BYTES = 4096
TRIAL_OUTPUT_BYTES = 64

GZIP_MAGIC = b"\x1f\x8b"
#: Magic and the deflate method byte: what a member worth a trial starts with.
MEMBER_START = GZIP_MAGIC + b"\x08"


@dataclass(frozen=True, slots=True)
class MemberStart:
    raw_offset: int


@dataclass(frozen=True, slots=True)
class MemberEnd:
    raw_end: int


@dataclass(slots=True, kw_only=True)
class Damage:
    """Damage in the byte stream: data stops here and resumes (if at all) elsewhere."""

    kind: str
    raw_offset: int
    message: str
    at_end: bool = False
    pos: int = 0  # position in the decompressed stream, set by ByteStream
    claimed: bool = False  # reported by the record it cut short


class PlainSource:
    """Bytes ``start`` to ``end`` of an uncompressed file, in pieces."""

    def __init__(self, file: BinaryIO, start: int, end: int) -> None:
        self._file = file
        self.offset = start
        self._end = end
        file.seek(start)

    def __iter__(self) -> Iterator[object]:
        while piece := self._file.read(min(PIECE_BYTES, self._end - self.offset)):
            self.offset += len(piece)
            yield piece


class GzipSource:
    """Bytes ``start`` to ``end`` of a gzip file, member by member: data pieces, member
    starts and ends, and damage. ``end`` is the end of the file or the start of a
    member that starts a record (where the next span begins).

    ``starts_record(data)`` says whether inflated data begins a record: after damage,
    only a member passing it is taken as the place to resume.
    """

    def __init__(self, file: BinaryIO, start: int, end: int,
                 starts_record: Callable[[bytes], bool]) -> None:
        self._file = file
        self._size = end
        self._file_size = os.fstat(file.fileno()).st_size
        self._starts_record = starts_record
        self._window = b""
        self._wpos = 0  # unconsumed data starts at self._window[self._wpos]
        self._base = start  # file offset of self._window[0]
        self._file_done = False
        file.seek(start)

    @property
    def offset(self) -> int:
        """File offset of the first compressed byte not yet consumed."""
        return self._base + self._wpos

    def _ensure(self, n: int) -> int:
        """Try to have ``n`` unconsumed bytes in the window; returns how many there are."""
        avail = len(self._window) - self._wpos
        if avail < n and not self._file_done:
            want = min(max(RAW_READ_BYTES, n - avail), self._size - self._base - len(self._window))
            more = self._file.read(want)
            self._file_done = len(more) < want or self._base + len(self._window) + want \
                >= self._size
            self._base += self._wpos
            self._window = self._window[self._wpos:] + more
            self._wpos = 0
            avail = len(self._window)
        return avail

    def __iter__(self) -> Iterator[object]:
        while avail := self._ensure(2):
            start = self.offset
            head = self._window[self._wpos:self._wpos + 2]
            if avail < 2 and GZIP_MAGIC.startswith(head):
                self._wpos += avail
                yield Damage(kind="truncated-gzip-member", raw_offset=start, at_end=True,
                             message=f"the gzip member at byte {start} is cut short after "
                                     f"{avail} byte: the file ends there")
                continue
            if head != GZIP_MAGIC:
                resume = self._resync(start)
                yield Damage(kind="garbage", raw_offset=start,
                             message=f"{_span(start, resume, self._size)} not a gzip member"
                             + _resumed(resume))
                continue
            yield MemberStart(start)
            damage = yield from self._inflate(start)
            if damage is None:
                yield MemberEnd(self.offset)
            else:
                yield damage

    def _inflate(self, start: int) -> Iterator[bytes]:
        """Yield the member's data; return a Damage if it is damaged, else None."""
        inflater = isal_zlib.decompressobj(wbits=31)
        produced = 0
        while True:
            if not self._ensure(INFLATE_INPUT_BYTES):
                while pending := inflater.decompress(b"", PIECE_BYTES):
                    produced += len(pending)
                    yield pending
                if inflater.eof:
                    return None
                return self._unfinished(start)
            chunk = memoryview(self._window)[self._wpos:self._wpos + INFLATE_INPUT_BYTES]
            try:
                out = inflater.decompress(chunk, PIECE_BYTES)
            except isal_zlib.error as exc:
                if produced < SALVAGE_BYTES and (salvaged := self._salvage(start, produced)):
                    yield salvaged
                return self._damage(start, str(exc))
            self._wpos += len(chunk) - len(inflater.unconsumed_tail) - len(inflater.unused_data)
            if out:
                produced += len(out)
                yield out
            if inflater.eof:
                return None

    def _unfinished(self, start: int) -> Damage:
        """A member that the end of the file cut short, or (when whole members follow
        its start) damaged deflate data that ran on through the members after it."""
        resume = self._resync(start + 1)
        if resume is None:
            return Damage(kind="truncated-gzip-member", raw_offset=start, at_end=True,
                          message=f"gzip member at byte {start} is cut short: the file "
                                  f"ends at byte {self._size}, before the member's end")
        return Damage(kind="corrupt-gzip-member", raw_offset=start,
                      message=f"gzip member at byte {start} does not end before the next "
                              f"member{_resumed(resume)}")

    def _damage(self, start: int, reason: str) -> Damage:
        """A member that failed to inflate; reading resumes at the next good member
        after its start (damaged data can run on through the members that follow)."""
        if "checksum" in reason.lower():
            kind = "bad-gzip-trailer"
            message = (f"gzip member at byte {start}: the CRC-32 or length in its trailer "
                       f"does not match the decompressed data")
        else:
            kind = "corrupt-gzip-member"
            message = f"gzip member at byte {start} does not decompress ({reason})"
        message += _resumed(self._resync(start + 1))
        return Damage(kind=kind, raw_offset=start, message=message)

    def _salvage(self, start: int, produced: int) -> bytes:
        """Decompress the start of a failed member in small steps, keeping what precedes
        the failure; returns the part after the ``produced`` bytes already yielded."""
        saved = self._file.tell()
        try:
            self._file.seek(start)
            raw = self._file.read(min(SALVAGE_BYTES, self._size - start))
        finally:
            self._file.seek(saved)
        inflater = zlib.decompressobj(wbits=31)
        out = bytearray()
        for step in range(0, len(raw), SALVAGE_STEP):
            try:
                out += inflater.decompress(raw[step:step + SALVAGE_STEP], SALVAGE_BYTES)
            except zlib.error:
                break
            if inflater.eof or len(out) >= SALVAGE_BYTES:
                break
        return bytes(out[produced:SALVAGE_BYTES])

    def _trial(self, raw: bytes) -> bool:
        """Whether ``raw`` begins a gzip member whose data begins a record."""
        try:
            head = zlib.decompressobj(wbits=31).decompress(raw, TRIAL_OUTPUT_BYTES)
        except zlib.error:
            return False
        return self._starts_record(head)

    def next_member(self, start: int) -> int | None:
        """File offset of the first member at or after ``start`` that inflates into the
        start of a record (where a file can be split), or None."""
        return self._resync(start)

    def _resync(self, start: int) -> int | None:
        """Move to the first gzip member at or after ``start`` that starts a record."""
        if self._base <= start <= self._base + len(self._window):
            self._wpos = start - self._base
        else:
            self._file.seek(start)
            self._window, self._wpos, self._base, self._file_done = b"", 0, start, False
        while self._ensure(TRIAL_RAW_BYTES) >= 2:
            found = self._window.find(MEMBER_START, self._wpos)
            if found < 0:
                self._wpos = len(self._window) - 2  # the last bytes may begin one
                if self._file_done:
                    self._wpos += 1
                continue
            self._wpos = found
            self._ensure(TRIAL_RAW_BYTES)
            if self._trial(self._window[self._wpos:self._wpos + TRIAL_RAW_BYTES]):
                return self.offset
            self._wpos += 1
        self._wpos = len(self._window)
        return self._size if self._size < self._file_size else None


def _span(start: int, end: int | None, size: int) -> str:
    stop = size if end is None else end
    return f"{stop - start} bytes at byte {start} are"


def _resumed(resume: int | None) -> str:
    if resume is None:
        return "; no gzip member after it starts a record"
    return f"; reading resumes at byte {resume}"


class ByteStream:
    """Decompressed bytes as one stream with peek/read/consume, stopping at damage.

    Data pieces are kept as bytes so that headers can be searched without copying.
    A pending ``Damage`` sits at the end of the buffered data: nothing more is pulled
    from the source until the parser has consumed up to it and taken it.
    """

    def __init__(self, items: Iterator[object], compressed: bool, start: int = 0) -> None:
        self._items = items
        self.compressed = compressed
        self._origin = start  # file offset where the stream starts (uncompressed files)
        self._done = False
        self._buf = b""
        self._off = 0
        self._queue: deque[bytes] = deque()
        self.pos = 0  # stream position of self._buf[self._off]
        self._end = 0  # stream position after the last buffered byte
        self._break: Damage | None = None
        self._starts: deque[tuple[int, int]] = deque()  # (stream pos, file offset)
        self._ends: deque[tuple[int, int]] = deque()  # (stream pos, file offset)

    def _pull(self) -> bool:
        if self._break is not None or self._done:
            return False
        item = next(self._items, None)
        if item is None:
            self._done = True
            return False
        if type(item) is bytes:
            if self._off == len(self._buf) and not self._queue:
                self._buf, self._off = item, 0
            else:
                self._queue.append(item)
            self._end += len(item)
        elif type(item) is MemberStart:
            self._starts.append((self._end, item.raw_offset))
        elif type(item) is MemberEnd:
            self._ends.append((self._end, item.raw_end))
        else:
            item.pos = self._end
            self._break = item
        return True

    def fill(self, n: int) -> int:
        """Buffer ``n`` bytes if the data holds them; returns the bytes available."""
        while self._end - self.pos < n and self._pull():
            pass
        return self._end - self.pos

    def settle(self) -> None:
        """Pull until data follows, or damage or the end: learns where members end."""
        self.fill(1)

    def window(self, n: int) -> tuple[bytes, int, int]:
        """Up to ``n`` bytes from here as ``(buffer, start, end)``; copies only when
        they span pieces."""
        self.fill(n)
        if len(self._buf) - self._off < n and self._queue:
            parts = [self._buf[self._off:]]
            total = len(parts[0])
            while total < n and self._queue:
                part = self._queue.popleft()
                if total + len(part) > n:
                    self._queue.appendleft(part[n - total:])
                    part = part[:n - total]
                parts.append(part)
                total += len(part)
            self._buf, self._off = b"".join(parts), 0
        return self._buf, self._off, min(len(self._buf), self._off + n)

    def consume(self, n: int) -> None:
        self.pos += n
        off = self._off + n
        while off > len(self._buf) or (off == len(self._buf) and self._queue):
            off -= len(self._buf)
            self._buf = self._queue.popleft()
        self._off = off

    def read(self, limit: int) -> memoryview | None:
        """The next piece of at most ``limit`` bytes, or None at damage or the end.
        A piece never runs across the start of a gzip member."""
        if self.pos == self._end and not self.fill(1):
            return None
        if self._off == len(self._buf):
            self._buf, self._off = self._queue.popleft(), 0
        take = min(limit, len(self._buf) - self._off)
        self.forget_before(self.pos)  # a record may span many members
        member = self.next_member_start()
        if member is not None:
            take = min(take, member - self.pos)
        piece = memoryview(self._buf)[self._off:self._off + take]
        self._off += take
        self.pos += take
        return piece

    def pending_break(self) -> Damage | None:
        """The damage right here, if the data stops because of it."""
        return self._break if self.pos == self._end else None

    def ends_in_damage(self) -> bool:
        """Whether the buffered data stops at damage (rather than going on, or ending)."""
        return self._break is not None

    def take_break(self) -> Damage | None:
        found = self.pending_break()
        if found is not None:
            self._break = None
        return found

    def at_end(self) -> bool:
        return self.fill(1) == 0 and self._break is None

    def next_member_start(self) -> int | None:
        """Stream position of the first member start ahead of pos, if one is buffered."""
        for start, _ in self._starts:
            if start > self.pos:
                return start
        return None

    def member_offset(self, pos: int) -> tuple[int, bool]:
        """File offset of the member holding stream position ``pos``, and whether that
        member starts exactly there. Uncompressed: ``(pos, True)``."""
        if not self.compressed:
            return self._origin + pos, True
        found = 0, False
        for start, raw in self._starts:  # oldest first: the ones near pos come first
            if start > pos:
                break
            found = raw, start == pos
        return found

    def member_starts_here(self) -> bool:
        """Whether a gzip member starts at pos (call after ``fill``)."""
        for start, _ in self._starts:
            if start >= self.pos:
                return start == self.pos
        return False

    def member_end(self, pos: int) -> int | None:
        """File offset where a member ends at stream position ``pos``, if one does."""
        if not self.compressed:
            return self._origin + pos
        for end, raw in reversed(self._ends):
            if end == pos:
                return raw
            if end < pos:
                break
        return None

    def forget_before(self, pos: int) -> None:
        """Drop member bookkeeping no record at or after ``pos`` needs."""
        while len(self._starts) > 1 and self._starts[1][0] <= pos:
            self._starts.popleft()
        while self._ends and self._ends[0][0] < pos:
            self._ends.popleft()
