"""Reading what a watch SOURCE gives: RSS, RDF, Atom, sitemaps, news sitemaps, URL lists.

``parse_feed(data, source)`` turns the bytes of one document into a ``ParsedFeed``: the
article entries it lists and, for a sitemap index, the child sitemaps for the caller to
fetch (``archiver.sitemapindex.gather`` walks an index). The kind is decided by the content (gzip magic, then the root element),
never by the file name or the Content-Type, which servers get wrong.

XML hardening: feeds are hostile input. We parse with ``defusedxml.ElementTree`` (the
stdlib expat parser wrapped so that any entity declaration, internal or external, and
any external reference raises before it is expanded or fetched) rather than lxml with
``resolve_entities=False``. Reasons: it fails closed with a typed reason we can name in
the message (a billion-laughs or XXE feed is *refused*, not silently half-parsed);
its guarantee does not depend on libxml2/lxml versions, whose entity defaults have
changed (lxml 5 made ``resolve_entities='internal'`` the default); expat never loads an
external DTD or XInclude, so nothing touches the network or the file system; and expat
>= 2.4 adds its own amplification limit underneath. A DOCTYPE without entity
declarations (RSS 0.91's Netscape DTD) is allowed, since it is harmless and real.
We stream (``iterparse``) and drop each entry once read, so memory stays bounded by
the entry count and the byte cap even for a 50 MB sitemap.

Limits follow the sitemap protocol (sitemaps.org): at most 50,000 URLs and 50 MB
(52,428,800 bytes) uncompressed per file, the same for a gzip file once decompressed.
"""

from __future__ import annotations

import io
import re
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from urllib.parse import urljoin, urlsplit
from xml.etree.ElementTree import Element, ParseError

from defusedxml import (
    DefusedXmlException,
    DTDForbidden,
    EntitiesForbidden,
    ExternalReferenceForbidden,
)
from defusedxml import ElementTree as SafeET

from .errors import ArchiverError, PolicyError
from .netpolicy import parse_target

#: Sitemap protocol: "no larger than 50MB (52,428,800 bytes)" uncompressed.
MAX_FEED_BYTES = 52_428_800
#: Sitemap protocol: "no more than 50,000 URLs" per sitemap (and per index).
MAX_ENTRIES = 50_000
#: Sitemap indexes nested this deep are not followed; the protocol allows none (an index
#: lists sitemaps), but real news sites use one index of indexes, so we allow some.
MAX_SITEMAP_DEPTH = 3
#: Child sitemaps fetched per source by ``gather``; the newest (by lastmod) first.
MAX_SITEMAPS = 200
#: Elements inside one entry; a news-sitemap <url> has about 10, a rich RSS item 50.
MAX_ENTRY_ELEMENTS = 1_000
#: Elements in one document: a full 50,000-URL news sitemap has about 450,000. Parsing
#: runs at about 2 us per element, so this bounds the CPU a hostile feed can take.
MAX_ELEMENTS = 2_000_000

GZIP_MAGIC = b"\x1f\x8b"
KINDS = ("rss", "rdf", "atom", "sitemap", "sitemapindex", "urllist")

_XML_BASE = "{http://www.w3.org/XML/1998/namespace}base"
_ATOM = "{http://www.w3.org/2005/Atom}"
_ATOM03 = "{http://purl.org/atom/ns#}"
_RDF = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}"
_RSS1 = "{http://purl.org/rss/1.0/}"
_RSS090 = "{http://my.netscape.com/rdf/simple/0.9/}"
_DC = "{http://purl.org/dc/elements/1.1/}"
_DCTERMS = "{http://purl.org/dc/terms/}"
_NEWS = "{http://www.google.com/schemas/sitemap-news/0.9}"
_FEEDBURNER = "{http://rssnamespace.org/feedburner/ext/1.0}"


class FeedError(ArchiverError):
    """A source cannot be read: not a feed, malformed, too large, or refused."""

    def __init__(self, source: str, reason: str) -> None:
        super().__init__(_one_line(f"cannot read {source}: {reason}"))
        self.source = source
        self.reason = reason


class FeedRefused(FeedError):
    """A source was refused because it tries an XML attack (entities, external refs)."""

    def __init__(self, source: str, reason: str) -> None:
        ArchiverError.__init__(self, _one_line(f"refused {source}: {reason}"))
        self.source = source
        self.reason = reason


@dataclass(frozen=True, slots=True, kw_only=True)
class FeedLimits:
    """Bounds on reading one source (the caller also caps the fetch itself)."""

    max_bytes: int = MAX_FEED_BYTES
    max_entries: int = MAX_ENTRIES
    max_depth: int = MAX_SITEMAP_DEPTH
    max_sitemaps: int = MAX_SITEMAPS


@dataclass(frozen=True, slots=True, kw_only=True)
class FeedEntry:
    """One article URL a source lists, with what the source says about it (UTC dates)."""

    url: str
    lastmod: datetime | None = None
    published: datetime | None = None
    title: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ParsedFeed:
    """What one document of a source gave.

    ``sitemaps`` is only filled for a sitemap index: the child sitemaps (url, lastmod)
    the caller fetches next with ``depth + 1``. ``truncated`` says entries past
    ``max_entries`` were dropped; ``skipped`` counts entries without a usable
    http(s) URL and duplicates.
    """

    source: str
    kind: str
    entries: tuple[FeedEntry, ...] = ()
    sitemaps: tuple[FeedEntry, ...] = ()
    truncated: bool = False
    skipped: int = 0


def parse_feed(data: bytes, source: str, *, limits: FeedLimits = FeedLimits(),
               depth: int = 0) -> ParsedFeed:
    """Parse one document of ``source`` (its URL, also the base of relative URLs).

    ``depth`` is how many sitemap indexes led here (0 for the source itself). Raises
    FeedError for anything that is not a usable feed, FeedRefused for XML attacks.
    """
    if len(data) > limits.max_bytes:
        raise FeedError(source, f"more than {limits.max_bytes} bytes")
    if data[:2] == GZIP_MAGIC:
        data = gunzip(data, source, max_bytes=limits.max_bytes)
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not head:
        raise FeedError(source, "the document is empty")
    if head[:1] == b"<" or data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return _parse_xml(data, source, limits, depth)
    return _parse_url_list(data, source, limits)


def gunzip(data: bytes, source: str, *, max_bytes: int = MAX_FEED_BYTES) -> bytes:
    """Decompress a gzip file (every member) without ever holding more than ``max_bytes``."""
    out = bytearray()
    rest = data
    while rest[:2] == GZIP_MAGIC:
        inflater = zlib.decompressobj(wbits=31)
        try:
            out += inflater.decompress(rest, max_bytes + 1 - len(out))
        except zlib.error as exc:
            raise FeedError(source, f"not valid gzip ({exc})") from None
        if len(out) > max_bytes:
            raise FeedError(source, f"decompresses to more than {max_bytes} bytes "
                                    "(a gzip bomb, or too big)")
        if not inflater.eof:
            raise FeedError(source, "the gzip data is truncated")
        rest = inflater.unused_data
    return bytes(out)


def parse_date(text: str | None) -> datetime | None:
    """A feed or sitemap date as an aware UTC datetime; None when absent or unreadable.

    Accepts W3C datetime / RFC 3339 (sitemaps, Atom, Dublin Core) and RFC 822/2822
    (RSS ``pubDate``), whichever the text is: feeds mix them up. A date without a
    time is midnight UTC; a time without a zone is taken as UTC. An unknown zone name
    gives None rather than a time off by hours.
    """
    if not text:
        return None
    text = " ".join(text.split())
    try:
        return _w3c_date(text) or _rfc822_date(text)
    except (ValueError, OverflowError):
        return None


# -- XML ---------------------------------------------------------------------------------


@dataclass(slots=True)
class _Reader:
    """The state of one streaming parse."""

    source: str
    limits: FeedLimits
    kind: str = ""
    entry_tags: tuple[str, ...] = ()
    entries: dict[str, FeedEntry] = field(default_factory=dict)
    sitemaps: dict[str, FeedEntry] = field(default_factory=dict)
    seen: int = 0  # entry elements read, usable or not
    skipped: int = 0
    truncated: bool = False


def _parse_xml(data: bytes, source: str, limits: FeedLimits, depth: int) -> ParsedFeed:
    try:
        reader = _stream(data, source, limits)
    except (LookupError, UnicodeError) as exc:  # a declared encoding Python lacks, or a
        # codec of Python's that is no character encoding ("idna", "punycode")
        raise FeedError(source, f"unsupported character encoding ({exc})") from None
    except ValueError as exc:  # expat cannot do multi-byte legacy encodings (Shift_JIS, GBK)
        if "multi-byte" not in str(exc):
            raise
        reader = _stream(_to_utf8(data, source), source, limits)
    if reader.kind == "sitemapindex" and depth >= limits.max_depth:
        raise FeedError(source, f"sitemap index nested more than {limits.max_depth} deep; not followed")
    return ParsedFeed(source=source, kind=reader.kind, entries=tuple(reader.entries.values()),
                      sitemaps=tuple(reader.sitemaps.values()), truncated=reader.truncated,
                      skipped=reader.skipped)


def _stream(data: bytes, source: str, limits: FeedLimits) -> _Reader:
    """Run the hardened pull parser over ``data``, reading each entry as it closes."""
    reader = _Reader(source=source, limits=limits)
    stack: list[Element] = []
    bases = [source if _is_http(source) else ""]  # the xml:base in force at each depth
    entry_depth = -1  # the stack depth of the entry being read, or -1
    entry_base = ""
    entry_elements = elements = 0
    try:
        for event, element in SafeET.iterparse(io.BytesIO(data), events=("start", "end")):
            if event == "start":
                elements += 1
                if elements > MAX_ELEMENTS:
                    raise FeedError(source, f"more than {MAX_ELEMENTS} XML elements")
                own = element.get(_XML_BASE)
                bases.append(_join(bases[-1], own) if own else bases[-1])
                if not stack:
                    _detect(reader, element, data)
                elif entry_depth >= 0:
                    entry_elements += 1
                    if entry_elements > MAX_ENTRY_ELEMENTS:
                        raise FeedError(source, f"an entry has more than {MAX_ENTRY_ELEMENTS} elements")
                elif element.tag in reader.entry_tags:
                    entry_depth, entry_base, entry_elements = len(stack), bases[-1], 0
                stack.append(element)
                continue
            stack.pop()
            bases.pop()
            if len(stack) == entry_depth:
                entry_depth = -1
                if not _take(reader, element, entry_base):
                    break
            if entry_depth < 0 and stack:
                stack[-1].remove(element)  # drop what is read: memory stays bounded
    except EntitiesForbidden as exc:
        raise FeedRefused(source, f"it declares the XML entity {exc.name!r}; entity "
                                  "declarations are refused (billion laughs, XXE)") from None
    except ExternalReferenceForbidden as exc:
        raise FeedRefused(source, f"it refers to the external resource {exc.sysid!r}") from None
    except DTDForbidden:
        raise FeedRefused(source, "it has a document type definition") from None
    except DefusedXmlException as exc:
        raise FeedRefused(source, f"unsafe XML ({exc})") from None
    except ParseError as exc:
        line, column = exc.position
        reason = str(exc).split(":", 1)[0]
        hint = " (an HTML page?)" if _looks_like_html(data) else ""
        where = f"at line {line}, column {column + 1}"
        raise FeedError(source, f"not well-formed XML: {reason} {where}{hint}") from None
    return reader


def _detect(reader: _Reader, root: Element, data: bytes) -> None:
    """Decide the kind from the root element, or refuse a document that is no feed."""
    ns, local = _split(root.tag)
    if root.tag == "rss":
        reader.kind, reader.entry_tags = "rss", ("item",)
    elif root.tag == f"{_RDF}RDF":
        reader.kind, reader.entry_tags = "rdf", (f"{_RSS1}item", f"{_RSS090}item", "item")
    elif root.tag in (f"{_ATOM}feed", f"{_ATOM03}feed"):
        reader.kind, reader.entry_tags = "atom", (f"{ns}entry",)
    elif local == "urlset":
        reader.kind, reader.entry_tags = "sitemap", (f"{ns}url",)
    elif local == "sitemapindex":
        reader.kind, reader.entry_tags = "sitemapindex", (f"{ns}sitemap",)
    elif local.lower() == "html" or _looks_like_html(data):
        raise FeedError(reader.source, "it is an HTML page, not a feed, sitemap or URL list")
    else:
        raise FeedError(reader.source, f"the root element <{local}> is not RSS, RDF, Atom or a sitemap")


def _take(reader: _Reader, entry: Element, base: str) -> bool:
    """Read one closed entry element; False past the entry cap (the rest is not read)."""
    reader.seen += 1
    if reader.seen > reader.limits.max_entries:
        reader.truncated = True
        return False
    found = _READERS[reader.kind](entry, base)
    target = reader.sitemaps if reader.kind == "sitemapindex" else reader.entries
    if found is None or found.url in target:
        reader.skipped += 1
    else:
        target[found.url] = found
    return True


def _rss_item(item: Element, base: str) -> FeedEntry | None:
    guid = item.find("guid")
    permalink = guid is not None and (guid.get("isPermaLink") or "true").strip().lower() != "false"
    guid_url = _text(item, "guid") if permalink else None  # only if absolute: guids are often ids
    candidates = [_text(item, _FEEDBURNER + "origLink"), _text(item, "link"),
                  guid_url if guid_url and _is_http(guid_url) else None, _atom_link(item, base)]
    return _entry(candidates, base, title=_text(item, "title"),
                  published=_text(item, "pubDate") or _text(item, _DC + "date"),
                  lastmod=_text(item, _ATOM + "updated") or _text(item, _DCTERMS + "modified"))


def _rdf_item(item: Element, base: str) -> FeedEntry | None:
    ns = _split(item.tag)[0]
    return _entry([_text(item, ns + "link"), item.get(_RDF + "about")], base,
                  title=_text(item, ns + "title"), published=_text(item, _DC + "date"),
                  lastmod=_text(item, _DCTERMS + "modified"))


def _atom_entry(entry: Element, base: str) -> FeedEntry | None:
    ns = _split(entry.tag)[0]
    title = entry.find(ns + "title")  # type="xhtml" titles are markup: take all the text
    entry_id = _text(entry, ns + "id")  # a fallback only when it is an http(s) URL
    candidates = [_atom_link(entry, base, ns), entry_id if entry_id and _is_http(entry_id) else None]
    return _entry(candidates, base,
                  title="".join(title.itertext()) if title is not None else None,
                  published=_text(entry, ns + "published") or _text(entry, ns + "issued"),
                  lastmod=_text(entry, ns + "updated") or _text(entry, ns + "modified"))


def _sitemap_url(url: Element, base: str) -> FeedEntry | None:
    ns = _split(url.tag)[0]
    news = url.find(_NEWS + "news")
    return _entry([_text(url, ns + "loc")], base, lastmod=_text(url, ns + "lastmod"),
                  published=_text(news, _NEWS + "publication_date") if news is not None else None,
                  title=_text(news, _NEWS + "title") if news is not None else None)


def _sitemap_child(sitemap: Element, base: str) -> FeedEntry | None:
    ns = _split(sitemap.tag)[0]
    return _entry([_text(sitemap, ns + "loc")], base, lastmod=_text(sitemap, ns + "lastmod"))


_READERS: dict[str, Callable[[Element, str], FeedEntry | None]] = {
    "rss": _rss_item, "rdf": _rdf_item, "atom": _atom_entry,
    "sitemap": _sitemap_url, "sitemapindex": _sitemap_child,
}


def _atom_link(parent: Element, base: str, ns: str = _ATOM) -> str | None:
    """The href of the alternate (article) link, HTML first, resolved against its xml:base."""
    best: tuple[int, str] | None = None
    for link in parent.findall(ns + "link"):
        rel = (link.get("rel") or "alternate").strip().lower()
        href = link.get("href")
        if rel != "alternate" or not href:
            continue
        kind = (link.get("type") or "text/html").lower()
        rank = 0 if kind in ("text/html", "application/xhtml+xml") else 1
        own = link.get(_XML_BASE)
        href = _join(_join(base, own) if own else base, href)
        if best is None or rank < best[0]:
            best = (rank, href)
    return best[1] if best else None


def _entry(candidates: list[str | None], base: str, *, title: str | None = None,
           published: str | None = None, lastmod: str | None = None) -> FeedEntry | None:
    """The entry for the first candidate that is an http(s) URL, or None."""
    for candidate in candidates:
        url = absolute_url(candidate, base)
        if url is not None:
            return FeedEntry(url=url, lastmod=parse_date(lastmod), published=parse_date(published),
                             title=" ".join(title.split()) if title and title.strip() else None)
    return None


def absolute_url(raw: str | None, base: str = "") -> str | None:
    """``raw`` resolved against ``base``, normalised as a capture records it; None unless http(s)."""
    if not raw or not raw.strip():
        return None
    raw = raw.strip()
    try:
        absolute = raw if raw[:8].lower().startswith(("http://", "https://")) else urljoin(base, raw)
        return parse_target(absolute).url
    except (PolicyError, ValueError):
        return None


# -- plain URL lists ----------------------------------------------------------------------


def _parse_url_list(data: bytes, source: str, limits: FeedLimits) -> ParsedFeed:
    """One URL per line (Google's text sitemap format), blank lines and ``#`` comments."""
    if b"\x00" in data[:65536]:
        raise FeedError(source, "binary data, not a feed, sitemap or URL list")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        reason = f"a URL list must be UTF-8 text (bad byte at offset {exc.start})"
        raise FeedError(source, reason) from None
    base = source if _is_http(source) else ""
    entries: dict[str, FeedEntry] = {}
    skipped = lines = 0
    truncated = False
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        lines += 1
        if lines > limits.max_entries:
            truncated = True
            break
        # A relative reference must be a path ("/a.html"): a bare word is not a URL.
        plausible = _is_http(line) or line.startswith("/")
        url = absolute_url(line, base) if plausible and not any(c.isspace() for c in line) else None
        if url is None or url in entries:
            skipped += 1
        else:
            entries[url] = FeedEntry(url=url)
    if lines and not entries:
        raise FeedError(source, "no http(s) URLs in it; it is not a feed, sitemap or URL list")
    return ParsedFeed(source=source, kind="urllist", entries=tuple(entries.values()),
                      truncated=truncated, skipped=skipped)


# -- dates --------------------------------------------------------------------------------

_W3C = re.compile(
    r"(\d{4})(?:-(\d{2})(?:-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?)?)?"
    r"\s*(Z|z|UTC|[+-]\d{2}(?::?\d{2})?)?")
_RFC822 = re.compile(
    r"(?:[A-Za-z]{2,9}\.?,?\s*)?(\d{1,2})[\s-]+([A-Za-z]{3,9})\.?[\s-]+(\d{2,4})"
    r"(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?)?\s*([A-Za-z]{1,5}|[+-]\d{2}:?\d{2})?")
_MONTHS = {m: i for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1)}
#: RFC 822's zone names, plus the abbreviations news feeds commonly use in their place.
#: Ambiguous ones (IST, CST as China time) are deliberately left to the RFC meaning or out.
_ZONES = {"UT": 0, "UTC": 0, "GMT": 0, "Z": 0, "EST": -5, "EDT": -4, "CST": -6, "CDT": -5,
          "MST": -7, "MDT": -6, "PST": -8, "PDT": -7, "BST": 1, "CET": 1, "CEST": 2, "MET": 1,
          "MEST": 2, "EET": 2, "EEST": 3, "MSK": 3, "JST": 9, "KST": 9, "HKT": 8, "SGT": 8,
          "AEST": 10, "AEDT": 11, "NZST": 12, "NZDT": 13}


def _w3c_date(text: str) -> datetime | None:
    match = _W3C.fullmatch(text)
    if match is None:
        return None
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    micro = int((fraction or "0")[:6].ljust(6, "0"))
    moment = datetime(int(year), int(month or 1), int(day or 1), int(hour or 0), int(minute or 0),
                      int(second or 0), micro, tzinfo=_offset(zone))
    return moment.astimezone(timezone.utc)


def _rfc822_date(text: str) -> datetime | None:
    match = _RFC822.fullmatch(re.sub(r"\s*\([^)]*\)$", "", text))  # "+0000 (UTC)"
    if match is None:
        return None
    day, month_name, year, hour, minute, second, zone = match.groups()
    month = _MONTHS.get(month_name[:3].lower())
    if month is None:
        return None
    full_year = int(year)
    if len(year) == 2:  # RFC 2822 section 4.3: 00-49 is 20xx, 50-99 is 19xx
        full_year += 2000 if full_year < 50 else 1900
    tz = _offset(zone)
    if tz is None:
        return None
    moment = datetime(full_year, month, int(day), int(hour or 0), int(minute or 0),
                      int(second or 0), tzinfo=tz)
    return moment.astimezone(timezone.utc)


def _offset(zone: str | None) -> timezone | None:
    """The zone of a date; missing means UTC, an unknown name None."""
    if zone is None:
        return timezone.utc
    if zone[0] in "+-":
        digits = zone[1:].replace(":", "").ljust(4, "0")
        minutes = int(digits[:2]) * 60 + int(digits[2:4])
        if minutes >= 24 * 60:
            raise ValueError(f"zone offset {zone} out of range")
        return timezone(timedelta(minutes=-minutes if zone[0] == "-" else minutes))
    hours = _ZONES.get(zone.upper())
    return None if hours is None else timezone(timedelta(hours=hours))


# -- small helpers ------------------------------------------------------------------------


def _to_utf8(data: bytes, source: str) -> bytes:
    """Re-encode a document in a legacy multi-byte encoding (Shift_JIS, GBK) as UTF-8."""
    declared = re.match(rb"\s*<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._-]+)[\"']", data)
    if declared is None:
        raise FeedError(source, "unsupported character encoding")
    encoding = declared.group(1).decode("ascii")
    try:
        text = data.decode(encoding)
    except (LookupError, UnicodeDecodeError) as exc:
        raise FeedError(source, f"cannot decode it as {encoding} ({exc})") from None
    text = re.sub(r"(encoding\s*=\s*[\"'])[A-Za-z0-9._-]+", r"\1utf-8", text, count=1)
    return text.encode("utf-8")


def _split(tag: str) -> tuple[str, str]:
    """``{ns}local`` -> (``{ns}``, ``local``)."""
    if tag.startswith("{"):
        ns, _, local = tag[1:].partition("}")
        return "{" + ns + "}", local
    return "", tag


def _text(parent: Element, tag: str) -> str | None:
    found = parent.find(tag)
    if found is None or found.text is None:
        return None
    return found.text.strip() or None


def _is_http(url: str) -> bool:
    try:
        return urlsplit(url.strip()).scheme.lower() in ("http", "https")
    except ValueError:
        return False


def _join(base: str, ref: str) -> str:
    """``ref`` resolved against ``base``; a broken base (bad IPv6 literal) is ignored."""
    try:
        return urljoin(base, ref.strip())
    except ValueError:
        return ref.strip()


def _looks_like_html(data: bytes) -> bool:
    start = data[:2048].lower()
    return b"<!doctype html" in start or b"<html" in start


def _one_line(text: str) -> str:
    return "".join(" " if ord(c) < 32 or c == "\x7f" else c for c in text)
