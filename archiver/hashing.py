"""Digests: SHA-256 for the standard WARC fields, BLAKE3 as archiver's own identity.

Labels follow the WARC 1.1 annotated digest table: ``sha256:<hex>`` and
``blake3:<hex>``, lowercase hex. Third-party WARCs mostly carry ``sha1:<BASE32>``;
``parse_digest``/``digest_matches`` read every form we meet in the wild.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from typing import Any

import blake3

#: hashlib-style constructors for the algorithms found in real WARC digest fields.
ALGORITHMS = {
    "sha1": hashlib.sha1,
    "sha256": hashlib.sha256,
    "sha512": hashlib.sha512,
    "md5": hashlib.md5,
    "blake3": blake3.blake3,
}


class DigestPair:
    """Streams bytes into SHA-256 and BLAKE3 at once."""

    __slots__ = ("_blake3", "_sha256")

    def __init__(self, data: bytes = b"") -> None:
        self._sha256 = hashlib.sha256()
        self._blake3 = blake3.blake3()
        if data:
            self.update(data)

    def update(self, data: bytes) -> None:
        self._sha256.update(data)
        self._blake3.update(data)

    @property
    def sha256(self) -> str:
        return "sha256:" + self._sha256.hexdigest()

    @property
    def blake3(self) -> str:
        return "blake3:" + self._blake3.hexdigest()


def blake3_label(data: bytes) -> str:
    """``blake3:<hex>`` of ``data``."""
    return "blake3:" + blake3.blake3(data).hexdigest()


def sha256_label(data: bytes) -> str:
    """``sha256:<hex>`` of ``data``."""
    return "sha256:" + hashlib.sha256(data).hexdigest()


def parse_digest(label: str) -> tuple[str, bytes] | None:
    """Split ``algo:value`` into the algorithm and raw digest bytes.

    The value may be hex or Base32 (either case, with or without padding), as
    WARC writers disagree. Returns None for an unknown algorithm or an undecodable value.
    """
    algo, sep, value = label.strip().partition(":")
    algo = algo.lower().replace("-", "")
    if not sep or algo not in ALGORITHMS:
        return None
    size = ALGORITHMS[algo]().digest_size
    value = value.strip()
    if len(value) == size * 2:
        try:
            return algo, binascii.unhexlify(value)
        except (binascii.Error, ValueError):  # ValueError: a non-ASCII character
            pass
    try:
        padded = value.upper() + "=" * (-len(value) % 8)
        raw = base64.b32decode(padded)
    except (binascii.Error, ValueError):
        return None
    return (algo, raw) if len(raw) == size else None


def canonical_json(document: Any) -> bytes:
    """Canonical JSON bytes: sorted keys, compact separators, UTF-8 (what gets hashed)."""
    return json.dumps(
        document, sort_keys=True, separators=(",", ":"), ensure_ascii=False
    ).encode("utf-8")
