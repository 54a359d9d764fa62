"""A WARC or ARC record's header: its version line and fields, parsed once, read by name.

``parse_warc_header`` parses the bytes of a WARC header (the reader, ``warcread``,
finds where it ends; ``catalogcheck`` parses the one at a catalog offset); ARC
records get a ``Header`` built from their URL-record line. The header is untrusted
input: the number of fields is bounded (``MAX_HEADER_FIELDS``) and a line that is not
a field is an error returned with what was parsed before it, never an exception.
"""

from __future__ import annotations

MAX_HEADER_FIELDS = 1024


class Header:
    """A record's header: version line and fields, ordered, duplicates kept.

    ARC records get the fields of their URL-record line (``URL``, ``IP-address``, ...)
    and a version such as ``ARC/1.1``. Lookups are case-insensitive. Treat as
    immutable.
    """

    __slots__ = ("_index", "fields", "is_arc", "record_id", "type", "version")

    def __init__(self, version: str, fields: tuple[tuple[str, str], ...],
                 index: dict[str, list[str]] | None = None) -> None:
        self.version = version
        self.fields = fields
        if index is None:  # values by lowercase name (the parser passes it, built)
            index = {}
            for name, value in fields:
                index.setdefault(name.lower(), []).append(value)
        self._index = index
        self.is_arc = version.startswith("ARC/")
        self.record_id: str | None = self.get("WARC-Record-ID")
        #: WARC-Type; for ARC records "filedesc" or "response".
        self.type: str | None = self.get("WARC-Type")
        if self.is_arc:
            url = self.get("URL") or ""
            self.type = "filedesc" if url.startswith("filedesc:") else "response"

    def __repr__(self) -> str:
        return f"Header({self.version!r}, {self.fields!r})"

    def get(self, name: str, default: str | None = None) -> str | None:
        """The first value of field ``name``, or ``default``."""
        values = self._index.get(name.lower())
        return values[0] if values else default

    def get_all(self, name: str) -> list[str]:
        """Every value of field ``name``, in order (e.g. WARC-Concurrent-To)."""
        return list(self._index.get(name.lower(), ()))

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.lower() in self._index


_FOLD = (" ", "\t")


def parse_warc_header(raw: bytes) -> tuple[Header | None, str | None]:
    """Parse a WARC header (without its blank line); returns the header or an error."""
    text = raw.decode("ascii") if raw.isascii() else raw.decode("utf-8", "replace")
    lines = text.split("\r\n")
    version = lines[0].strip()
    if len(lines) > MAX_HEADER_FIELDS + 1:
        return None, f"the WARC header has more than {MAX_HEADER_FIELDS} fields"
    fields: list[tuple[str, str]] = []
    index: dict[str, list[str]] = {}
    for line in lines[1:]:
        name, colon, value = line.partition(":")
        if line[:1] in _FOLD and fields:  # a continuation line
            name, value = fields[-1]
            fields[-1] = (name, value + " " + line.strip())
            values = index[name.lower()]
            values[-1] = fields[-1][1]
        elif colon and (name := name.strip()):
            fields.append((name, value := value.strip()))
            if (values := index.get(key := name.lower())) is None:
                index[key] = [value]
            else:
                values.append(value)
        else:
            return Header(version, tuple(fields)), f"WARC header line {line[:100]!r} is not a field"
    return Header(version, tuple(fields), index), None
