"""Reading raw HTTP/1.x messages as they were recorded: head, payload, decoding.

Everything here works on bytes that came from the network or from an archive
someone handed us, so every function is bounded and never trusts a length.

Terms follow WARC 1.1: the *block* of a request/response record is the whole HTTP
message as on the wire; the *payload* is the entity body after removing any
transfer encoding (chunking), before content decoding (gzip, br).
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass

import brotli

from .errors import ArchiverError

#: Heads larger than this are not HTTP we accept (h11's default limit is 16 KiB).
MAX_HEAD_BYTES = 64 * 1024


class DecodeLimitError(ArchiverError):
    """Decoding a body would exceed the decompression cap (a gzip bomb, or just too big)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class HttpHead:
    """The start line and header fields of one HTTP message, as recorded."""

    start_line: str
    headers: tuple[tuple[str, str], ...]
    body_offset: int  # where the message body starts in the block

    def get(self, name: str) -> str | None:
        """The last value of header ``name`` (case-insensitive), or None."""
        name = name.lower()
        found = None
        for key, value in self.headers:
            if key.lower() == name:
                found = value
        return found

    def get_all(self, name: str) -> list[str]:
        name = name.lower()
        return [value for key, value in self.headers if key.lower() == name]

    @property
    def status(self) -> int | None:
        """The status code of a response head, or None for a request or garbage."""
        parts = self.start_line.split(" ", 2)
        code = parts[1] if len(parts) >= 2 and parts[0].startswith("HTTP/") else ""
        if code.isascii() and code.isdigit():  # "²00" passes isdigit, not int
            return int(code)
        return None

    @property
    def is_chunked(self) -> bool:
        codings = ",".join(self.get_all("transfer-encoding")).lower()
        return "chunked" in [c.strip() for c in codings.split(",")]


def parse_head(block: bytes) -> HttpHead | None:
    """Parse the head of an HTTP message block; None when there is no complete head."""
    end = block.find(b"\r\n\r\n", 0, MAX_HEAD_BYTES)
    sep = 4
    if end < 0:  # some old servers and writers use bare LF
        end = block.find(b"\n\n", 0, MAX_HEAD_BYTES)
        sep = 2
        if end < 0:
            return None
    lines = block[:end].decode("iso-8859-1").replace("\r\n", "\n").split("\n")
    headers: list[tuple[str, str]] = []
    for line in lines[1:]:
        if line[:1] in (" ", "\t") and headers:  # obsolete line folding
            name, value = headers[-1]
            headers[-1] = (name, value + " " + line.strip())
        elif ":" in line:
            name, _, value = line.partition(":")
            headers.append((name.strip(), value.strip()))
    return HttpHead(start_line=lines[0].strip(), headers=tuple(headers), body_offset=end + sep)


#: A chunk-size line must end (LF) within this many bytes.
CHUNK_LINE_LIMIT = 1024
_CHUNK_SIZE = re.compile(rb"[0-9A-Fa-f]+")


class Dechunker:
    """Removes chunked transfer coding from a body fed piece by piece, one loop turn
    per HTTP chunk (never per byte or line of data). Capture and verify both use it,
    so the payload digest we write is the one we check."""

    __slots__ = ("_left", "_line", "_state", "complete")

    def __init__(self) -> None:
        self._state = "size"  # size | data | crlf | cr | done | bad
        self._line = b""
        self._left = 0
        self.complete = False

    def feed(self, data: memoryview) -> Iterator[memoryview]:
        """Yield the payload parts of ``data``."""
        pos, size = 0, len(data)
        while pos < size:
            state = self._state
            if state == "data":
                take = min(self._left, size - pos)
                yield data[pos:pos + take]
                pos += take
                self._left -= take
                if not self._left:
                    self._state = "crlf"
            elif state == "size":
                room = CHUNK_LINE_LIMIT - len(self._line)
                window = data[pos:pos + room].tobytes()
                end = window.find(b"\n")
                if end < 0:
                    self._line += window
                    if len(self._line) >= CHUNK_LINE_LIMIT:
                        self._state = "bad"
                    return
                self._chunk_size(self._line + window[:end])
                self._line = b""
                pos += end + 1
            elif state in ("crlf", "cr"):
                byte = data[pos:pos + 1].tobytes()
                pos += 1
                if byte == b"\n":
                    self._state = "size"
                elif byte == b"\r" and state == "crlf":
                    self._state = "cr"
                else:
                    self._state = "bad"
            else:  # done or bad: the rest is trailers or garbage, not payload
                return

    def _chunk_size(self, line: bytes) -> None:
        # 1*HEXDIG (RFC 9112 7.1), as h11 reads it when capturing: int() alone would
        # also take "+5", "0x5" and "1_0"
        token = line.split(b";", 1)[0].strip()
        size = int(token, 16) if _CHUNK_SIZE.fullmatch(token) else -1
        if size < 0:
            self._state = "bad"
        elif size == 0:
            self._state, self.complete = "done", True
        else:
            self._state, self._left = "data", size


def dechunk(body: bytes) -> tuple[bytes, bool]:
    """Remove chunked transfer coding from ``body``.

    Returns ``(payload, complete)``; ``complete`` is False when the chunk framing is
    cut short or malformed, in which case ``payload`` holds the data decoded so far.
    """
    dechunker = Dechunker()
    payload = b"".join(dechunker.feed(memoryview(body)))
    return payload, dechunker.complete


def payload_of(block: bytes, head: HttpHead) -> bytes:
    """The WARC 1.1 payload of a message block: its body with transfer coding removed."""
    body = block[head.body_offset :]
    if head.is_chunked:
        payload, _complete = dechunk(body)
        return payload
    return body


def content_decode(payload: bytes, content_encoding: str | None, *, max_bytes: int) -> bytes:
    """Undo Content-Encoding (gzip, deflate, br; stacked in order) for extraction.

    Raises DecodeLimitError when the decoded size would pass ``max_bytes``, so a
    gzip bomb costs us at most that much memory, or when the body is not in a coding
    it declares. Unknown codings are left as they are.
    """
    data = payload
    codings = [c.strip().lower() for c in (content_encoding or "").split(",") if c.strip()]
    for coding in reversed(codings):
        try:
            if coding in ("gzip", "x-gzip"):
                data = _inflate(data, zlib.decompressobj(wbits=47), max_bytes)
            elif coding == "deflate":
                try:
                    data = _inflate(data, zlib.decompressobj(), max_bytes)
                except zlib.error:  # raw deflate, as some servers send
                    data = _inflate(data, zlib.decompressobj(wbits=-15), max_bytes)
            elif coding == "br":
                data = _unbrotli(data, max_bytes)
            elif coding != "identity":
                return data
        except zlib.error as exc:
            raise DecodeLimitError(f"{coding} body does not decode: {exc}") from exc
    if len(data) > max_bytes:
        raise DecodeLimitError(f"body is larger than the {max_bytes}-byte decode cap")
    return data


def _inflate(data: bytes, inflater: zlib._Decompress, max_bytes: int) -> bytes:
    out = inflater.decompress(data, max_bytes + 1)
    if len(out) > max_bytes:
        raise DecodeLimitError(f"decoded body passes the {max_bytes}-byte decode cap")
    return out


def _unbrotli(data: bytes, max_bytes: int) -> bytes:
    decoder = brotli.Decompressor()
    try:
        out = decoder.process(data, output_buffer_limit=max_bytes + 1)
    except brotli.error as exc:
        raise DecodeLimitError(f"brotli body does not decode: {exc}") from exc
    if len(out) > max_bytes or not decoder.can_accept_more_data():
        raise DecodeLimitError(f"decoded body passes the {max_bytes}-byte decode cap")
    return out
