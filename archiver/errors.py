"""Exception hierarchy, translated into one-line messages once, in the CLI.

* ArchiverError
  + CaptureError   the capture of one URL failed (network, HTTP framing, limits)  (.url)
    + PolicyError  the URL or the address it resolved to is not allowed           (.url)
  + WarcError      a WARC file cannot be written or parsed                     (.path, .offset)
  + SchemaError    a document does not match schemas/<name>                       (.errors)
  + CatalogError   the catalog is missing, corrupt or has no such capture

A failed verification is data (a report), never an exception.
"""

from __future__ import annotations


class ArchiverError(Exception):
    """Base class of every error archiver raises on purpose."""


class CaptureError(ArchiverError):
    """Capturing one URL failed."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"capture of {url} failed: {reason}")
        self.url = url
        self.reason = reason


class PolicyError(CaptureError):
    """The URL's scheme or the address it connects to is refused by the network policy."""

    def __init__(self, url: str, reason: str) -> None:
        ArchiverError.__init__(self, f"capture of {url} refused: {reason}")
        self.url = url
        self.reason = reason


class WarcError(ArchiverError):
    """A WARC file cannot be written or parsed."""

    def __init__(self, message: str, *, path: str | None = None, offset: int | None = None):
        where = f"{path}" + (f" at byte {offset}" if offset is not None else "") if path else ""
        super().__init__(f"{where}: {message}" if where else message)
        self.path = path
        self.offset = offset


class SchemaError(ArchiverError):
    """A document does not match its JSON schema."""

    def __init__(self, name: str, errors: list[str]) -> None:
        super().__init__(f"document does not match schema {name}: " + "; ".join(errors[:3]))
        self.name = name
        self.errors = errors


class CatalogError(ArchiverError):
    """The catalog is missing, corrupt, or has no such capture."""
