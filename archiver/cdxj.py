"""The CDXJ index of a WACZ bundle: SURT keys and index lines, as cdxj-indexer writes them.

``surt_key(url)`` is the sort key of a line; ``index_fields(record)`` reads the mime
type, status and payload digest of a WARC record the way cdxj-indexer derives them over
warcio; ``cdxj_index`` writes ``indexes/index.cdxj`` from the ``IndexedRecord``s that
``archiver.wacz.write_wacz`` notes while it checks the records it exports. Replayers
(ReplayWeb.page, pywb) find records by these lines, so they follow the reference tools
byte for byte rather than the spec's prose.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import unquote_to_bytes

from .httpmsg import parse_head

__all__ = ["INDEXED_TYPES", "IndexedRecord", "cdxj_index", "index_fields", "surt_key",
           "target_uri"]

#: Record types that get a CDXJ line. cdxj-indexer also indexes metadata records by
#: default; ours share the response's URL and date, and their line would sort first,
#: so a replayer would show the provenance JSON instead of the page.
INDEXED_TYPES = ("response", "revisit", "resource")


@dataclass(slots=True)
class IndexedRecord:
    """A record that gets a CDXJ line, as found in its source file."""

    source_offset: int
    span: int  # bytes of the record in the file
    length: int  # bytes a reader fetches: an uncompressed record's CRLF CRLF is left
    # out, as warcio (and so cdxj-indexer and pywb) counts it
    url: str
    date: str
    fields: dict[str, str]  # mime, status, digest (those present)
    offset: int = 0  # in the bundle's WARC
    record_digest: str = ""


def target_uri(header: Any) -> str:
    """WARC-Target-URI without the <...> some writers (Wget 1.20) put around it."""
    uri = (header.get("WARC-Target-URI") or "").strip()
    return uri[1:-1] if uri.startswith("<") and uri.endswith(">") else uri


def index_fields(record: Any) -> dict[str, str]:
    """mime, status and digest as cdxj-indexer derives them (over warcio)."""
    header = record.header
    kind = header.type
    uri = target_uri(header)
    digest = header.get("WARC-Payload-Digest")
    head = None
    hasher = None if digest else hashlib.sha1()
    if kind in ("response", "revisit") and uri.startswith(("http:", "https:")):
        buffer = b""
        for piece in record.chunks():
            if head is None:
                buffer += bytes(piece)
                head = parse_head(buffer)
                if head is None:
                    if len(buffer) > 1 << 16:
                        break
                    continue
                piece = memoryview(buffer)[head.body_offset:]
            if hasher is None:
                break
            hasher.update(piece)
    elif hasher is not None:
        for piece in record.chunks():
            hasher.update(piece)
    fields: dict[str, str] = {}
    if kind == "revisit":
        mime = "warc/revisit"
    elif kind == "response":
        types = head.get_all("content-type") if head else []
        mime = types[0] if types else None
    else:
        mime = header.get("Content-Type")
    if mime is not None and (mime := re.split(r"[;\s]", mime, maxsplit=1)[0].strip()):
        fields["mime"] = mime
    if head is not None:
        parts = head.start_line.split(" ", 2)
        if len(parts) >= 2:
            fields["status"] = parts[1]
    if digest is None and hasher is not None:
        digest = "sha1:" + base64.b32encode(hasher.digest()).decode()
    if digest:
        fields["digest"] = digest
    return fields


def cdxj_index(records: Iterable[tuple[str, IndexedRecord]]) -> bytes:
    """The index of ``(WARC file name, record)`` pairs, as cdxj-indexer 1.5 writes it with
    ``records="response,revisit,resource"``, ``post_append=True, digest_records=True``
    (the py-wacz settings): same keys, order, string values and line sort."""
    lines = []
    for filename, record in records:
        index = {"url": record.url, **{k: record.fields[k] for k in
                                        ("mime", "status", "digest") if k in record.fields},
                 "length": str(record.length), "offset": str(record.offset),
                 "filename": filename, "recordDigest": record.record_digest}
        lines.append(f"{surt_key(record.url)} {_timestamp14(record.date)} "
                     f"{json.dumps(index)}\n")
    lines.sort()
    return "".join(lines).encode("utf-8")


def _timestamp14(date: str) -> str:
    try:
        return datetime.fromisoformat(date).strftime("%Y%m%d%H%M%S")
    except ValueError:
        return re.sub(r"\D", "", date)[:14].ljust(14, "0")


# --- SURT ------------------------------------------------------------------------------
# The CDXJ key, as the ``surt`` package (used by cdxj-indexer and pywb) computes it by
# default for http(s) URLs: Google-style canonicalisation, then the Internet Archive's
# (lowercase, www stripped, default port dropped, session ids dropped, query sorted).
# Written from that behaviour, and tested against the package.

_WWW = re.compile(r"www\d*\.")
_SESSION_IN_QUERY = [re.compile(p, re.IGNORECASE) for p in (
    r"^(.*)(?:jsessionid=[0-9a-z]{32})(?:&(.*))?$",
    r"^(.*)(?:phpsessid=[0-9a-z]{32})(?:&(.*))?$",
    r"^(.*)(?:sid=[0-9a-z]{32})(?:&(.*))?$",
    r"^(.*)(?:aspsessionid[a-z]{8}=[a-z]{24})(?:&(.*))?$",
    r"^(.*)(?:cfid=[^&]+&cftoken=[^&]+)(?:&(.*))?$")]
_SESSION_IN_PATH = [re.compile(p, re.IGNORECASE) for p in (
    r"^(.*/)(?:\((?:[a-z]\([0-9a-z]{24}\))+\)/)([^?]+\.aspx.*)$",
    r"^(.*/)(?:\([0-9a-z]{24}\)/)([^?]+\.aspx.*)$")]
_DEFAULT_PORTS = {"http": 80, "https": 443}
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*")
_TO_ESCAPE = re.compile(rb"[^\x21-\x7e]|[#%]")


def surt_key(url: str) -> str:
    """The SURT form of ``url`` used as a CDXJ key: ``com,example)/path?a=1&b=2``."""
    url = re.sub(r"[\t\r\n]", "", url).strip(" \x00\x0b\x0c")
    if not url:
        return "-"
    if url.startswith("filedesc"):
        return url
    scheme, sep, rest = url.partition("://")
    if not sep or not _SCHEME.fullmatch(scheme):  # opaque (urn:, dns:): lowercased
        scheme, colon, rest = url.partition(":")
        return scheme + colon + rest.split("#", 1)[0].lower() if colon else url
    rest = rest.split("#", 1)[0]
    cut = min([i for i in (rest.find("/"), rest.find("?")) if i >= 0], default=len(rest))
    authority, rest = rest[:cut], rest[cut:]
    path, question, query = rest.partition("?")
    host, port = _host_port(authority.rpartition("@")[2])
    if port is not None and port.isascii() and port.isdigit() \
            and int(port) == _DEFAULT_PORTS.get(scheme.lower()):
        port = None
    key = ",".join(reversed(host.split("."))) + (f":{port}" if port else "") + ")"
    path = _escape(_normalise_path(_unescape(path)))
    for pattern in _SESSION_IN_PATH:
        path = pattern.sub(r"\1\2", path)
    path = path.lower()
    if len(path) > 1 and path.endswith("/"):
        path = path[:-1]
    query = _escape(_unescape(query)) if question else ""
    for pattern in _SESSION_IN_QUERY:
        query = pattern.sub(lambda m: (m.group(1) or "") + (m.group(2) or ""), query)
    # Parameters sort as (name, value) pairs: "a" < "a=" < "a=1" < "a-b=1".
    query = "&".join(sorted(query.lower().split("&"), key=lambda item: item.split("=", 1)))
    return key + (path or "/") + (f"?{query}" if query else "")


def _host_port(authority: str) -> tuple[str, str | None]:
    port: str | None = None
    if authority.startswith("["):
        host, _, tail = authority[1:].partition("]")
        if tail.startswith(":"):
            port = tail[1:] or None
    else:
        host, _, port = authority.rpartition(":") if ":" in authority else (authority, "", "")
        port = port or None
    raw = _unescape(host).decode("utf-8", "replace").lower()
    labels = [label for label in raw.split(".") if label]
    try:
        host = ".".join(label.encode("idna").decode("ascii") if not label.isascii()
                        else label for label in labels)
    except UnicodeError:
        host = ".".join(labels)
    return _WWW.sub("", host, count=1) if _WWW.match(host) else host, port


def _normalise_path(path: bytes) -> bytes:
    """Resolve ``.`` and ``..`` segments; ``..`` pops any segment, empty ones too, and
    stays when there is none. Empty segments then go, and with them a trailing slash."""
    kept: list[bytes] = []
    for segment in path.split(b"/")[1:]:
        if segment == b"..":
            if kept:
                kept.pop()
            else:
                kept.append(segment)
        elif segment != b".":
            kept.append(segment)
    return b"/" + b"/".join(segment for segment in kept if segment)


def _unescape(text: str) -> bytes:
    data = text.encode("utf-8")
    while b"%" in data:
        decoded = unquote_to_bytes(data)
        if decoded == data:
            break
        data = decoded
    return data


def _escape(data: bytes) -> str:
    """Percent-encode controls, space, non-ASCII, ``#`` and ``%``; keep the rest."""
    return _TO_ESCAPE.sub(lambda m: b"%%%02X" % m[0][0], data).decode("ascii")
