"""Identifiers: capture ids that sort by time, and WARC record ids."""

from __future__ import annotations

import os
import uuid
from datetime import datetime

#: Crockford's Base32 alphabet, lowercase (no i, l, o, u): easy to read aloud and type.
_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"


def capture_id(moment: datetime, entropy: bytes | None = None) -> str:
    """A 26-character ULID-style id: 48 bits of milliseconds, then 80 random bits."""
    millis = int(moment.timestamp() * 1000)
    rand = int.from_bytes(entropy if entropy is not None else os.urandom(10), "big")
    value = (millis << 80) | rand
    return "".join(_ALPHABET[(value >> shift) & 31] for shift in range(125, -1, -5))


def record_id() -> str:
    """A fresh ``<urn:uuid:…>`` WARC-Record-ID."""
    return f"<urn:uuid:{uuid.uuid4()}>"
