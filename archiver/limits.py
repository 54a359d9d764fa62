"""The bounds on one capture: a wall-clock deadline, a byte cap, a redirect cap.

Kept apart from ``archiver.fetch`` so the command line can show the defaults without
loading the HTTP and TLS stack.
"""

from __future__ import annotations

from dataclasses import dataclass

#: Wall-clock seconds for a whole capture, redirects included.
DEFAULT_TIMEOUT = 30.0
#: Bytes of one response block; 50 MiB holds any article page with room to spare.
DEFAULT_MAX_BYTES = 50 * 1024 * 1024
#: Browsers give up after about 20; news sites need 3 at most.
DEFAULT_MAX_REDIRECTS = 10


@dataclass(frozen=True, slots=True, kw_only=True)
class Limits:
    """Bounds on one capture (all redirect hops together)."""

    timeout: float = DEFAULT_TIMEOUT
    max_bytes: int = DEFAULT_MAX_BYTES
    max_redirects: int = DEFAULT_MAX_REDIRECTS
