"""Reading WARC and ARC files record by record: bounded, streaming, candid about damage.

``WarcReader(path)`` yields ``Record`` objects in file order. It reads WARC 1.1, 1.0,
0.18 and 0.17 and ARC v1 / v1.1 (and the ten-field v2 lines), uncompressed or gzip:
one member per record, a whole file in one gzip stream, or anything in between.
Everything it reads may come from someone we do not trust, so:

* **Memory is bounded by streaming, not by a cap on record size.** A block is never
  held whole: ``Record.chunks()`` yields it in pieces of at most ``PIECE_BYTES`` as
  they are decompressed, so a 1 GB record costs about one piece plus the gzip window.
  A ``Content-Length`` only says how far to read; nothing is allocated from it.
* Headers are bounded (``MAX_HEADER_BYTES``, ``warcheader.MAX_HEADER_FIELDS``).
* Damage is data: truncated or corrupt gzip members, bad gzip trailers, blocks shorter
  than their Content-Length, missing record terminators, garbage between records and
  files that are not WARC/ARC at all become ``ReadProblem`` values, on the record they
  concern (``Record.problems``) or on the reader (``WarcReader.problems``). After
  damage the reader resynchronises on the next gzip member or record start, so one
  bad record does not hide the rest of the file. zlib (ISA-L here) checks each gzip
  member's CRC-32 and length, which warcio does not report (warcio#138).

Offsets are file offsets. In a gzip file a record's ``offset`` is that of the gzip
member it starts in; ``shared_member`` says whether that member holds other records
too (then ``length`` is None: the record cannot be cut out of the file on its own).

``WarcReader(path, start=..., end=...)`` reads a span of a file on its own; where a
file can be cut into spans, or back to its last complete capture after a crash, is
``warcspans``. A record's ``Header`` is parsed by ``warcheader``; the gzip layer itself
is ``gzipmembers``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from .gzipmembers import GZIP_MAGIC, PIECE_BYTES, ByteStream, Damage, GzipSource, PlainSource
from .warcheader import Header, parse_warc_header

#: WARC headers in the wild are a few KiB; 64 KiB leaves room for long
#: WARC-Concurrent-To lists while a hostile file cannot make us buffer more.
MAX_HEADER_BYTES = 64 << 10
#: Most headers fit here, so the common case never looks further (or copies).
HEADER_PROBE_BYTES = 4096
#: Resynchronisation scans decompressed data in windows of this size.
SCAN_WINDOW = 1 << 20
WARC_TERMINATOR = b"\r\n\r\n"
#: Damage that makes a member's data untrustworthy (not merely short).
CORRUPTION_KINDS = frozenset({"bad-gzip-trailer", "corrupt-gzip-member"})
ARC_V1_FIELDS = ("URL", "IP-address", "Archive-date", "Content-type", "Archive-length")
ARC_V2_FIELDS = ("URL", "IP-address", "Archive-date", "Content-type", "Result-code",
                 "Checksum", "Location", "Offset", "Filename", "Archive-length")

_WARC_LINE = re.compile(rb"WARC/(\d+\.\d+)\r?\n")
_ARC_LINE = re.compile(rb"[A-Za-z][A-Za-z0-9+.\-]*:\S* \S+ \d{8,14} \S")
_ARC_START = rb"filedesc://|[A-Za-z][A-Za-z0-9+.\-]*:\S* \S+ \d{8,14} \S"
#: Where the next record may start, by the format of the file being read: a WARC
#: version line anywhere (a damaged record may lack its terminator), an ARC
#: URL-record line at the start of a line.
_NEXT_START = {
    "warc": re.compile(rb"(?=WARC/\d+\.\d+\r?\n)"),
    "arc": re.compile(rb"\n(?=" + _ARC_START + rb")"),
    None: re.compile(rb"(?=WARC/\d+\.\d+\r?\n)|\n(?=" + _ARC_START + rb")"),
}
#: What is left of a WARC version line cut short by the end of the file.
_CUT_WARC_LINE = re.compile(rb"W(?:A(?:R(?:C(?:/[\d.]*\r?)?)?)?)?")
_RECORD_ID_LINE = re.compile(rb"\r\nWARC-Record-ID:[ \t]*(\S+)\r\n", re.IGNORECASE)


def _damage_problem(damage: Damage, record_id: str | None = None, offset: int | None = None,
                    detail: str = "") -> ReadProblem:
    return ReadProblem(kind=damage.kind, offset=damage.raw_offset if offset is None else offset,
                       record_id=record_id, message=damage.message + detail,
                       at_end=damage.at_end)


def starts_record(data: bytes) -> bool:
    """Whether a WARC or ARC record starts at the beginning of ``data``."""
    return _start_kind(data) is not None


def _start_kind(data: bytes, start: int = 0, end: int | None = None) -> str | None:
    """What record, if any, starts at ``data[start:]``: "warc", "filedesc", "arc" or None."""
    end = len(data) if end is None else end
    if _WARC_LINE.match(data, start, end):
        return "warc"
    if data.startswith(b"filedesc://", start, end):
        return "filedesc"
    if _ARC_LINE.match(data, start, end):
        return "arc"
    return None


@dataclass(frozen=True, slots=True, kw_only=True)
class ReadProblem:
    """Something structurally wrong in a file, found while reading it."""

    kind: str  # slug: truncated-gzip-member, bad-gzip-trailer, incomplete-record, ...
    offset: int  # file offset of the record (gzip: its member), or of the damage
    record_id: str | None
    message: str
    expected: str | None = None
    actual: str | None = None
    #: True when the problem is only that the file ends too early (an unfinished write).
    at_end: bool = False
    #: True for quirks of real writers that lose nothing (reported, not failed).
    warning: bool = False


# --- records ---------------------------------------------------------------------------


class Record:
    """One record, as it is read. Read its block with ``chunks()``; the reader skips
    whatever is left when asked for the next record.

    ``length``, ``complete`` and the end-of-record entries of ``problems`` are final
    once the block has been read to its end (``chunks()`` exhausted).
    """

    __slots__ = ("_end_pos", "_pieces", "_start_pos", "_stream", "_tail", "complete",
                 "content_length", "damaged", "header", "length", "offset", "problems",
                 "shared_member")

    def __init__(self, stream: ByteStream, *, header: Header, content_length: int,
                 start_pos: int) -> None:
        self._stream = stream
        self._start_pos = start_pos
        self._end_pos = start_pos
        self.header = header
        self.content_length = content_length
        self.offset, starts_member = stream.member_offset(start_pos)
        self.shared_member = not starts_member
        self.length: int | None = None
        self.complete = False
        #: The gzip data it was read from failed its check: its bytes, header included,
        #: may be wrong, and the damage is its only problem worth reporting.
        self.damaged = False
        self.problems: list[ReadProblem] = []
        self._pieces: Iterator[memoryview] | None = None
        self._tail = b""  # the last bytes of the block, for the terminator check

    @property
    def record_id(self) -> str | None:
        return self.header.record_id

    def chunks(self) -> Iterator[memoryview]:
        """The block in pieces of at most PIECE_BYTES, each valid while referenced."""
        if self._pieces is None:
            self._pieces = self._read_block()
        return self._pieces

    def read_to_end(self) -> None:
        """Read what is left of the block without keeping it (so that ``length``,
        ``complete`` and ``problems`` are final)."""
        for _ in self.chunks():
            pass

    def _problem(self, kind: str, message: str, *, at_end: bool = False, warning: bool = False,
                 expected: str | None = None, actual: str | None = None) -> None:
        self.complete = self.complete and warning
        self.problems.append(ReadProblem(kind=kind, offset=self.offset,
                                         record_id=self.record_id, message=message,
                                         expected=expected, actual=actual, at_end=at_end,
                                         warning=warning))

    def _read_block(self) -> Iterator[memoryview]:
        stream = self._stream
        remaining = self.content_length
        one_member = stream.compressed and not self.shared_member
        while remaining:
            if not stream.fill(1):
                break
            if one_member and stream.member_starts_here() and _record_follows(stream):
                break  # the member ended early and the next one holds the next record
            piece = stream.read(min(remaining, PIECE_BYTES))
            remaining -= len(piece)
            self._tail = (self._tail + piece[-4:].tobytes())[-4:]
            yield piece
        self._finish(remaining)

    def _finish(self, remaining: int) -> None:
        stream = self._stream
        self.complete = True
        if remaining:
            self._report_short_block(remaining)
        elif self.header.is_arc:
            buf, start, end = stream.window(1)
            if buf[start:end] == b"\n":
                stream.consume(1)
        else:
            self._check_terminator()
        self._end_pos = stream.pos
        if self._end_pos > self._start_pos:
            last_member, _ = stream.member_offset(self._end_pos - 1)
        else:
            last_member = self.offset
        stream.settle()
        damage = stream.pending_break()
        if damage is not None and not damage.claimed and \
                self.offset <= damage.raw_offset <= last_member:
            self._claim(damage)
        self._measure()

    def _claim(self, damage: Damage, detail: str = "") -> None:
        """Report damage that hit this record; it explains any other problem found in
        the record, which is then dropped."""
        damage.claimed = True
        self.complete = False
        self.damaged = damage.kind in CORRUPTION_KINDS
        self.problems = [_damage_problem(damage, self.record_id, self.offset, detail)]

    def _report_short_block(self, remaining: int) -> None:
        stream = self._stream
        got = self.content_length - remaining
        detail = f"; the record has {got} of its {self.content_length} block bytes"
        damage = stream.pending_break()
        if damage is not None:
            self._claim(damage, detail)
        elif stream.at_end():
            self._problem("incomplete-record", f"Content-Length is {self.content_length} "
                          f"but the file ends after {got} bytes of the block", at_end=True,
                          expected=str(self.content_length), actual=str(got))
        else:
            self._problem("incomplete-record", f"Content-Length is {self.content_length} "
                          f"but its gzip member ends after {got} bytes of the block",
                          expected=str(self.content_length), actual=str(got))

    def _check_terminator(self) -> None:
        stream = self._stream
        buf, start, end = stream.window(len(WARC_TERMINATOR))
        found = buf[start:end]
        if found == WARC_TERMINATOR:
            stream.consume(len(found))
            return
        if WARC_TERMINATOR.startswith(found) and stream.fill(len(WARC_TERMINATOR)) == len(found):
            stream.consume(len(found))
            damage = stream.pending_break()
            if damage is not None:
                self._claim(damage, "; the record's CRLF CRLF terminator is cut")
            else:
                self._problem("missing-terminator", "the file ends before the record's "
                              "CRLF CRLF terminator", at_end=True,
                              expected=repr(WARC_TERMINATOR), actual=repr(found))
            return
        if self._tail == WARC_TERMINATOR and _record_follows(stream):
            self._problem("terminator-in-block", "Content-Length counts the record's CRLF "
                          "CRLF terminator as part of the block (a quirk of some writers, "
                          "e.g. ia-web-commons); the next record follows directly",
                          warning=True)
            return
        self._problem("missing-terminator", f"the block is not followed by CRLF CRLF "
                      f"(found {found!r}): Content-Length or the block was altered",
                      expected=repr(WARC_TERMINATOR), actual=repr(found))

    def _measure(self) -> None:
        """Set ``length`` when the record occupies its own bytes of the file."""
        stream = self._stream
        if self.shared_member:
            return
        end = stream.member_end(self._end_pos)
        if end is None and stream.fill(1):  # blank lines before the member's end
            buf, start, stop = stream.window(16)
            blank = len(buf[start:stop]) - len(buf[start:stop].lstrip(b"\r\n"))
            if blank and stream.member_end(self._end_pos + blank) is not None:
                stream.consume(blank)
                end = stream.member_end(stream.pos)
        if end is not None:
            self.length = end - self.offset
        elif self.complete:  # the member goes on: it holds more than this record
            self.shared_member = True


def _record_follows(stream: ByteStream) -> bool:
    return _start_kind(*stream.window(HEADER_PROBE_BYTES)) is not None


# --- the reader ------------------------------------------------------------------------


class WarcReader:
    """Iterate over the records of one WARC or ARC file, or of the span from ``start``
    to ``end`` (offsets from ``split_offsets``: the span must start at a record).

    ``problems`` collects what is wrong between records (garbage, damage in a gzip
    member no record was read from, a file that is not WARC/ARC at all); problems of
    a record are on ``Record.problems``.
    """

    def __init__(self, path: str | os.PathLike[str], *, start: int = 0,
                 end: int | None = None) -> None:
        self.path = Path(path)
        self._file = open(self.path, "rb")  # noqa: SIM115 -- closed by close()
        self.size = os.fstat(self._file.fileno()).st_size
        self._file.seek(start)  # a span (or a WARC stored inside a ZIP) is judged by its own bytes
        self.compression = "gzip" if self._file.read(2) == GZIP_MAGIC else "none"
        end = self.size if end is None else end
        self._start, self._end = start, end
        self._source: PlainSource | GzipSource
        if self.compression == "gzip":
            self._source = GzipSource(self._file, start, end, starts_record)
        else:
            self._source = PlainSource(self._file, start, end)
        self._stream = ByteStream(iter(self._source), self.compression == "gzip", start)
        self.format: str | None = None  # "warc" or "arc" once the first record is read
        self.version: str | None = None  # of the first record
        self.problems: list[ReadProblem] = []
        self._arc_fields = ARC_V1_FIELDS
        self._arc_version = "ARC/1.0"
        self._quiet = False  # the next garbage is already explained by a record problem
        self._started = False  # a record was parsed, or damage seen: not "not a WARC"

    def close(self) -> None:
        self._file.close()

    def __enter__(self) -> WarcReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def position(self) -> int:
        """File bytes read so far (for progress)."""
        return self._source.offset

    def __iter__(self) -> Iterator[Record]:
        if self._end <= self._start:
            self.problems.append(ReadProblem(kind="empty-file", offset=self._start,
                                             record_id=None, message="the file is empty",
                                             at_end=True))
            return
        while (record := self._next_record()) is not None:
            yield record
            record.read_to_end()
            if record.problems:
                self._quiet = True

    def _problem(self, kind: str, offset: int, message: str, *, at_end: bool = False) -> None:
        self.problems.append(ReadProblem(kind=kind, offset=offset, record_id=None,
                                         message=message, at_end=at_end))

    def _next_record(self) -> Record | None:
        stream = self._stream
        while True:
            stream.forget_before(stream.pos)
            buf, start, end = stream.window(HEADER_PROBE_BYTES)
            if start == end:  # damage, or the end of the file
                damage = stream.take_break()
                if damage is None:
                    if not self._started:
                        self._problem("not-a-warc", self._start,
                                      "the file holds no WARC or ARC record")
                    return None
                self._started = True
                if not damage.claimed:
                    self.problems.append(_damage_problem(damage))
                self._quiet = True
                continue
            if buf[start] in b"\r\n":
                self._skip_blank_lines()
                continue
            kind = _start_kind(buf, start, end)
            if kind is None and self._cut_record_start(buf[start:end]):
                continue
            if not self._started and kind is None:
                self._problem("not-a-warc", self._start, "the file does not start with a WARC "
                              f"or ARC record (it starts with {bytes(buf[start:start + 16])!r})")
                return None
            if kind is not None:
                self._started = True
            if kind == "warc" and self.format in (None, "warc"):
                record = self._parse_warc(buf, start, end)
            elif kind in ("filedesc", "arc") and self.format in (None, "arc"):
                record = self._parse_arc(buf, start, end, filedesc=kind == "filedesc")
            else:
                record = None
                self._skip_garbage()
            if record is not None:
                self._quiet = False
                return record

    def _cut_record_start(self, data: bytes) -> bool:
        """Whether ``data`` is all there is before the end of the file or damage, and the
        start of a record cut short there. Consumes it; reports it at the end of the file
        (damage is reported as itself)."""
        stream = self._stream
        if self.format is None or stream.fill(len(data) + 1) > len(data):
            return False
        if not (_CUT_WARC_LINE.fullmatch(data) if self.format == "warc" else b"\n" not in data):
            return False
        if not stream.ends_in_damage():
            offset, _ = stream.member_offset(stream.pos)
            self._problem("incomplete-record", offset, f"the file ends {len(data)} bytes "
                          "into a record's first line", at_end=True)
        stream.consume(len(data))
        return True

    def _skip_blank_lines(self) -> None:
        stream = self._stream
        while True:
            buf, start, end = stream.window(256)
            chunk = buf[start:end]
            blank = len(chunk) - len(chunk.lstrip(b"\r\n"))
            if not blank:
                return
            stream.consume(blank)

    def _skip_garbage(self) -> None:
        """Consume bytes up to the next record start, member start or damage."""
        stream = self._stream
        first = stream.pos
        offset, _ = stream.member_offset(first)
        while True:
            buf, start, end = stream.window(SCAN_WINDOW)
            match = _NEXT_START[self.format].search(buf, start + 1, end)
            stop = match.end() - start if match else end - start
            member = stream.next_member_start()
            if member is not None and member - stream.pos < stop:
                stop = member - stream.pos
            if match is None and member is None and end - start > 64 and \
                    stream.fill(SCAN_WINDOW + 1) > SCAN_WINDOW:
                stop = end - start - 64  # keep a tail: a record start may straddle windows
            stream.consume(stop)
            if match or member is not None or stream.pending_break() or stream.at_end():
                break
        if not self._quiet:
            where = f" inside the gzip member at byte {offset}" if stream.compressed else ""
            self._problem("garbage", offset,
                          f"{stream.pos - first} bytes{where} are not a WARC/ARC record")
        self._quiet = True

    def _header_bytes(self, separator: bytes, buf: bytes, start: int,
                      end: int) -> tuple[bytes, int] | None:
        """The header up to ``separator``, and the bytes it occupies with it; ``buf``
        holds the first HEADER_PROBE_BYTES, the usual place to find it."""
        found = buf.find(separator, start, end)
        if found < 0 and end - start == HEADER_PROBE_BYTES:
            buf, start, end = self._stream.window(MAX_HEADER_BYTES)
            found = buf.find(separator, start, end)
        if found < 0:
            return None
        return buf[start:found], found + len(separator) - start

    def _unreadable_header(self, what: str) -> None:
        """Report a header that does not end, and move past it."""
        stream = self._stream
        start = stream.pos
        offset, _ = stream.member_offset(start)
        buf, begin, end = stream.window(MAX_HEADER_BYTES)
        found = _RECORD_ID_LINE.search(buf, begin, end)
        record_id = found.group(1).decode("utf-8", "replace") if found else None
        stream.consume(end - begin)
        damage = stream.pending_break()
        if damage is not None:
            damage.claimed = True
            self.problems.append(_damage_problem(damage, record_id, offset,
                                                 f"; the {what} is cut"))
        elif stream.at_end():
            self.problems.append(ReadProblem(
                kind="incomplete-record", offset=offset, record_id=record_id, at_end=True,
                message=f"the file ends inside the {what} ({end - begin} bytes)"))
        else:
            self.problems.append(ReadProblem(
                kind="unparseable-record", offset=offset, record_id=record_id,
                message=f"the {what} is longer than {MAX_HEADER_BYTES} bytes"))
        self._quiet = True

    def _parse_warc(self, buf: bytes, begin: int, end: int) -> Record | None:
        stream = self._stream
        start = stream.pos
        found = self._header_bytes(b"\r\n\r\n", buf, begin, end)
        if found is None:
            self._unreadable_header("WARC header")
            return None
        raw, size = found
        header, error = parse_warc_header(raw)
        length = header.get("Content-Length", "") if header else ""
        if header is not None and error is None and not (length.isascii() and length.isdigit()):
            error = f"Content-Length {length!r} is not a byte count"
        if error is not None:
            offset, _ = stream.member_offset(start)
            self.problems.append(ReadProblem(
                kind="unparseable-record", offset=offset, message=error,
                record_id=header.record_id if header else None))
            stream.consume(1)
            self._quiet = True
            return None
        stream.consume(size)
        self.format = "warc"
        self.version = self.version or header.version
        return Record(stream, header=header, content_length=int(length), start_pos=start)

    def _parse_arc(self, buf: bytes, begin: int, end: int, *, filedesc: bool) -> Record | None:
        stream = self._stream
        start = stream.pos
        found = self._header_bytes(b"\n", buf, begin, end)
        if found is None:
            self._unreadable_header("ARC URL-record line")
            return None
        raw, size = found
        tokens = raw.rstrip(b"\r").decode("utf-8", "replace").split()
        names = ARC_V2_FIELDS if len(tokens) == len(ARC_V2_FIELDS) else self._arc_fields
        if len(tokens) < len(names) or not (tokens[-1].isascii() and tokens[-1].isdigit()):
            offset, _ = stream.member_offset(start)
            self.problems.append(ReadProblem(
                kind="unparseable-record", offset=offset, record_id=None,
                message=f"ARC URL-record line {raw[:200]!r} does not have the fields "
                        f"{' '.join(names)}"))
            stream.consume(1)
            self._quiet = True
            return None
        extra = len(tokens) - len(names)  # spaces inside the URL
        values = [" ".join(tokens[:extra + 1]), *tokens[extra + 1:]]
        stream.consume(size)
        if filedesc:
            self._read_arc_version()
        header = Header(self._arc_version, tuple(zip(names, values, strict=True)))
        self.format = "arc"
        self.version = self.version or header.version
        return Record(stream, header=header, content_length=int(tokens[-1]), start_pos=start)

    def _read_arc_version(self) -> None:
        """Read version and field names from the start of a filedesc block."""
        buf, start, end = self._stream.window(HEADER_PROBE_BYTES)
        lines = buf[start:end].split(b"\n", 2)
        if len(lines) < 3:
            return
        version = lines[0].split()
        if len(version) >= 2 and version[0].isdigit() and version[1].isdigit():
            self._arc_version = f"ARC/{int(version[0])}.{int(version[1])}"
        names = tuple(lines[1].decode("utf-8", "replace").split())
        if len(names) >= len(ARC_V1_FIELDS) and names[0] == "URL":
            self._arc_fields = names
