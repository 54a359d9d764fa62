"""The payload of an HTTP record, computed as its block streams past.

WARC 1.1 §6.3: the payload of a request/response record is the HTTP entity body after
removing any transfer coding (chunking), before content decoding. ``PayloadTap`` takes
a block in pieces, finds the HTTP head as ``httpmsg.parse_head`` does, and feeds the
body, de-chunked by ``Dechunker`` when the head says so, into hashers. For records
written by other tools it can also hash the still-chunked body, which is what warcio
and wget put in WARC-Payload-Digest.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .hashing import ALGORITHMS
from .httpmsg import MAX_HEAD_BYTES, Dechunker, parse_head

#: A small first look for the end of an HTTP head, so the usual case copies little.
HEAD_PROBE_BYTES = 4096


class PayloadTap:
    """Takes a block's pieces and hashes its HTTP payload (de-chunked when chunked);
    for third-party records also the still-chunked body, for warcio's convention."""

    def __init__(self, algorithms: Iterable[str], *, keep_chunked_body: bool) -> None:
        self.payload = {name: ALGORITHMS[name]() for name in algorithms}
        self.chunked_body: dict[str, Any] | None = None
        self.head_found = False
        self.chunked = False  # the head says Transfer-Encoding: chunked
        self.no_head = False
        self._keep_chunked_body = keep_chunked_body
        self._dechunker: Dechunker | None = None
        self._prefix = bytearray()  # the block so far, while the head is not found

    @property
    def chunked_complete(self) -> bool:
        return self._dechunker is None or self._dechunker.complete

    def feed(self, piece: memoryview) -> None:
        if self.head_found:
            self._body(piece)
        elif not self.no_head:
            self._look_for_head(piece)

    def finish(self) -> None:
        """The block has ended: decide on a head not found yet."""
        if not self.head_found and not self.no_head:
            self._decide(bytes(self._prefix), piece=memoryview(b""), seen=len(self._prefix))

    def _look_for_head(self, piece: memoryview) -> None:
        seen = len(self._prefix)
        if not seen:
            probe = piece[:HEAD_PROBE_BYTES].tobytes()
            if b"\r\n\r\n" in probe:
                self._decide(probe, piece=piece, seen=0)
                return
        self._prefix += piece[:MAX_HEAD_BYTES - seen]
        if b"\r\n\r\n" in self._prefix or len(self._prefix) >= MAX_HEAD_BYTES:
            self._decide(bytes(self._prefix), piece=piece, seen=seen)

    def _decide(self, prefix: bytes, *, piece: memoryview, seen: int) -> None:
        """Parse the head from ``prefix`` (the block's start) and feed the body that
        follows it: bytes of earlier pieces, then ``piece`` (which starts at ``seen``)."""
        self._prefix = bytearray()
        end = prefix.find(b"\r\n\r\n", 0, MAX_HEAD_BYTES)
        if end >= 0 and b"chunked" not in prefix[:end].lower():
            start = end + 4  # what parse_head would say, without parsing every field
        elif (head := parse_head(prefix)) is not None:
            start, self.chunked = head.body_offset, head.is_chunked
        else:
            self.no_head = True
            return
        self.head_found = True
        if self.chunked:
            self._dechunker = Dechunker()
            if self._keep_chunked_body:
                self.chunked_body = {name: ALGORITHMS[name]() for name in self.payload}
        if start < seen:
            self._body(memoryview(prefix)[start:seen])
        self._body(piece[max(0, start - seen):])

    def _body(self, data: memoryview) -> None:
        if not data:
            return
        if self.chunked_body is not None:
            for hasher in self.chunked_body.values():
                hasher.update(data)
        if self._dechunker is None:
            for hasher in self.payload.values():
                hasher.update(data)
            return
        for part in self._dechunker.feed(data):
            for hasher in self.payload.values():
                hasher.update(part)
