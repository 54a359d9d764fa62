"""Page facts: what an HTML page claims about itself, and its article text.

``extract_page`` turns the content-decoded body of one capture into the ``outlet``,
``article`` and ``attribution`` parts of the provenance document
(``schemas/provenance.schema.json``). Every field is a *claim of the page* and records
the source that decided it, tried in this order:

* outlet name: decided by ``archiver.outlets`` (the caller, JSON-LD, OpenGraph,
  ``<meta>``, the ``<title>``'s brand, a copyright notice; each read against the site);
* title, authors, dates: JSON-LD, then OpenGraph / ``<meta>`` / microdata, then
  htmldate (published date only), then trafilatura's heuristics;
* canonical URL: ``<link rel=canonical>`` (``html``), then ``og:url``;
* language: ``<html lang>``, content-language ``<meta>``, JSON-LD ``inLanguage``, ``og:locale``;
* text: the text mode's main-content extractor (``archiver.textextract``: trafilatura
  for ``full``, resiliparse for ``fast``), normalised and fingerprinted with BLAKE3.

The markup sources are read by ``archiver.jsonld``; this module decides between them,
cleans the values and runs the costly heuristics only when every markup source is
silent (each fallback is called lazily, see ``_first``). On the corpus that keeps
htmldate to 8 pages of 53 and trafilatura's byline search to 21; where it does run,
htmldate's free-text search costs about 35 ms on a 100 KiB page (3 ms without it).
The ``fast`` text mode therefore also runs htmldate without its free-text search and
skips trafilatura's byline search, bounding the cost of a page without markup.

The body is untrusted network input: nothing here raises on garbage, and the work is
bounded (``MAX_DATE_SEARCH_CHARS``, the limits of ``archiver.htmltree`` and those of
``archiver.jsonld``). The page is decoded and parsed once, with lxml, by
``archiver.htmltree``; the markup readers, the attribution pass, htmldate and the text
extractors all read that one tree (htmldate and trafilatura copy it before they prune,
resiliparse reads a serialisation of it).
selectolax was measured as an alternative for the ``<meta>``/JSON-LD pass: 0.5-0.7 ms
per corpus page for its own parse and reads, the same as reading the lxml tree that
attribution and trafilatura need anyway (0.5-0.6 ms), so it would add a dependency and
save nothing.
"""

from __future__ import annotations

import email.utils
import html as html_lib
import logging
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

import lxml.html

from . import htmltree, surrogates
from .attribution import Byline, markup_links, name_key
from .embeddedtext import EMBEDDED_EXTRACTOR, embedded_text
from .jsonld import (
    AUTHOR_META,
    LANGUAGE_META,
    MODIFIED_META,
    PUBLISHED_META,
    TITLE_META,
    Markup,
)
from .outlets import outlet_domain, outlet_object, page_outlet, site_label
from .textextract import (
    TEXT_EXTRACTORS,
    check_text_mode,
    extractor_label,
    main_text,
    normalise_text,
    text_blake3,
)

__all__ = [
    "TEXT_EXTRACTORS",
    "PageFacts",
    "clean_authors",
    "empty_facts",
    "extract_page",
    "extractor_label",
    "iso_datetime",
    "normalise_text",
    "outlet_domain",
    "text_blake3",
]

LOGGER = logging.getLogger(__name__)
LOGGER.addHandler(logging.NullHandler())  # a library's logger: the application decides

#: htmldate's free-text date search reads the whole page text (3.4 s for 8 MB of
#: paragraphs); beyond this many characters only its markup and URL rules run.
MAX_DATE_SEARCH_CHARS = 1_000_000
#: Longer strings are not titles or names but a template or parsing accident.
MAX_TITLE_CHARS = 500
MAX_NAME_CHARS = 100
#: A main text shorter than this may be an app shell's: its script state is read too.
EMBEDDED_BELOW_CHARS = 500

#: Author strings that are placeholders, not people.
PLACEHOLDER_AUTHORS = frozenset(
    {
        "no author",
        "admin",
        "administrator",
        "anonymous",
        "unknown",
        "author",
        "editor",
        "guest",
        "null",
        "none",
        "redaktion",
    }
)

#: The article fields whose deciding source ``article["sources"]`` records.
FACT_FIELDS = (
    "title",
    "authors",
    "published_at",
    "modified_at",
    "canonical_url",
    "language",
    "text",
)
#: Media types that get extraction; anything else (PDF, images, JSON) gets empty facts.
HTML_MEDIA_TYPES = frozenset({"text/html", "application/xhtml+xml", ""})

_ISO_DATE = re.compile(
    r"(\d{4})-(\d\d)-(\d\d)(?:[T ](\d\d):(\d\d)(?::(\d\d)(?:[.,](\d{1,9}))?)?"
    r"\s*(Z|[+-]\d\d:?\d\d)?)?$",
    re.I,
)
_LANGUAGE_TAG = re.compile(r"^[a-z]{2,3}(?:-[a-z0-9]{1,8})*$")
_BY_PREFIX = re.compile(r"^(?:by|von|por|par|door|przez)\b\s*:?\s*", re.I)
_LABEL_PREFIX = re.compile(r"^[^\d:：]{1,12}[:：]\s*")
_AUTHOR_SPLIT = re.compile(r"\s*(?:[,;|&/]|\band\b|\bund\b|\bet\b)\s*", re.I)
_DOMAIN_IN_PARENS = re.compile(r"\s*\([^()]*\.[a-z]{2,}[^()]*\)?", re.I)
_TITLE_SEPARATORS = re.compile(r"\s+[|\-–—:·•»]{1,2}\s+")
_WHITESPACE = re.compile(r"\s+")


@dataclass(frozen=True, slots=True, kw_only=True)
class PageFacts:
    """What one captured page claims about itself, shaped for the provenance document."""

    outlet: dict[str, Any]
    article: dict[str, Any]
    attribution: list[dict[str, Any]]
    text: str


def extract_page(
    html: bytes,
    *,
    url: str,
    content_type: str | None = None,
    outlet_name: str | None = None,
    text_mode: str = "full",
) -> PageFacts:
    """Extract outlet, article facts, attribution and text from one HTML page.

    Args:
        html: the response body, content coding already removed (untrusted bytes).
        url: the final URL of the capture; gives the outlet's domain and resolves links.
        content_type: the response's Content-Type header, for the media type and charset.
        outlet_name: a name the user gave for the outlet; wins over the page's claims.
        text_mode: ``"full"`` (trafilatura text, every fallback) or ``"fast"``
            (resiliparse text, no free-text date search, no byline heuristic); see
            ``archiver.textextract``.

    Returns:
        PageFacts whose parts validate against the provenance schema. A page that is
        not HTML or cannot be parsed gets ``empty_facts``; nothing is raised for any body.

    Raises:
        ValueError: ``text_mode`` is not one of ``TEXT_EXTRACTORS`` (a caller's mistake).
    """
    check_text_mode(text_mode)
    media_type = (content_type or "").split(";", 1)[0].strip().lower()
    if media_type not in HTML_MEDIA_TYPES:
        return empty_facts(url, outlet_name=outlet_name)
    decoded = htmltree.decode(html, content_type)
    tree = htmltree.parse(decoded)
    if tree is None:
        return empty_facts(url, outlet_name=outlet_name)
    return _Page(tree, url, outlet_name, page_chars=len(decoded), text_mode=text_mode).facts()


def empty_facts(url: str, *, outlet_name: str | None = None) -> PageFacts:
    """Facts for a page that is not HTML or could not be read: only the URL speaks."""
    outlet = outlet_object(url, outlet_name, "user")
    article = {
        "title": None,
        "authors": [],
        "published_at": None,
        "modified_at": None,
        "canonical_url": None,
        "language": None,
        "text_blake3": None,
        "text_chars": 0,
        "sources": dict.fromkeys(FACT_FIELDS, "none"),
        "extractor": "none",
    }
    return PageFacts(outlet=outlet, article=article, attribution=[], text="")


def _merge_links(
    declared: list[dict[str, Any]], read: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """The page's declared links, then each link read in the prose with a new (source, via).

    "AFP reported" in a story credited "(AFP)" repeats the credit; the credit stays. A
    picture credit is another matter: "[SpaceX via Nasa]" under a photo does not make
    "NASA announced" in the text a repeat.
    """
    def key(link: dict[str, Any]) -> tuple[str, str]:
        return name_key(link["source"]["name"]), name_key(link["via"]["name"])

    seen = {key(link) for link in declared if link["relation"] != "photo_credit"}
    merged = list(declared)
    for link in read:
        if key(link) not in seen:
            seen.add(key(link))
            merged.append(link)
    return merged


# --- the cascade --------------------------------------------------------------------


class _Page:
    """One parsed page; each fact is decided once, by the first source that has it.

    In the ``fast`` text mode the two fallbacks whose cost grows with the page are cut:
    htmldate runs without its free-text search (on a 100 KiB page without markup dates:
    3 ms instead of 35 ms; on the corpus it loses one date of 38), and trafilatura's
    byline search, 2-25 ms on the corpus pages that reach it, is not run (on the corpus
    that loses two author lists of 25).
    """

    def __init__(
        self,
        tree: lxml.html.HtmlElement,
        url: str,
        outlet_name: str | None,
        *,
        page_chars: int,
        text_mode: str,
    ) -> None:
        self.tree = tree
        self.page_chars = page_chars
        self.url = url
        self.user_outlet = _clean(outlet_name)
        self.text_mode = text_mode
        self.markup = Markup(tree, url)
        self.meta = self.markup.meta

    def facts(self) -> PageFacts:
        sources: dict[str, str] = {}
        ld_text = self.markup.ld_text
        outlet = self._outlet()
        text, text_source, extractor = self._text()
        title, sources["title"] = _first(
            ("json-ld", lambda: ld_text("headline") or ld_text("name")),
            *((src, lambda key=key: self.meta.get(key)) for src, key in TITLE_META),
            ("trafilatura", self._trafilatura_title),
            transform=lambda value: _clean_title(value, outlet["name"]),
        )
        bylines, sources["authors"] = self._bylines(outlet)
        published, sources["published_at"] = _first(
            ("json-ld", lambda: ld_text("datePublished")),
            *((src, lambda key=key: self.meta.get(key)) for src, key in PUBLISHED_META),
            ("htmldate", lambda: self._htmldate(text)),
            transform=iso_datetime,
        )
        # htmldate's "latest date" is a guess, not a claim of modification: markup only
        modified, sources["modified_at"] = _first(
            ("json-ld", lambda: ld_text("dateModified")),
            *((src, lambda key=key: self.meta.get(key)) for src, key in MODIFIED_META),
            transform=iso_datetime,
        )
        canonical_links = self._canonical_links()
        canonical, sources["canonical_url"] = (
            (canonical_links[0][0], canonical_links[0][1]) if canonical_links else (None, "none")
        )
        language, sources["language"] = _first(
            ("html", lambda: self.tree.get("lang") or self.tree.get("xml:lang")),
            *(("meta", lambda key=key: self.meta.get(key)) for key in LANGUAGE_META),
            ("json-ld", lambda: ld_text("inLanguage")),
            ("opengraph", lambda: self.meta.get("og:locale")),
            transform=_language,
        )
        sources["text"] = text_source
        article = {
            "title": title,
            "authors": [b.name for b in bylines],
            "published_at": published,
            "modified_at": modified,
            "canonical_url": canonical,
            "language": language,
            "text_blake3": text_blake3(text),
            "text_chars": len(text),
            "sources": sources,
            "extractor": extractor,
        }
        links = markup_links(
            outlet=outlet,
            bylines=bylines,
            article_node=self.markup.resolved_article(),
            canonical=canonical_links,
            page_url=self.url,
            text=text,
            tree=self.tree,
        )
        from .prose import prose_links  # here: compiling its patterns takes ~0.5 s (see capture)

        found_in_prose = _guarded(lambda: prose_links(text, outlet=outlet, language=language))
        links = _merge_links(links, found_in_prose or [])
        return PageFacts(outlet=outlet, article=article, attribution=links, text=text)

    def _text(self) -> tuple[str, str, str]:
        """The main text, the source that gave it and that source's name and version: the
        text mode's extractor; else, when the HTML holds (next to) no text, an app shell's
        script state (``archiver.embeddedtext``); else ("", "none", the extractor)."""
        text = _guarded(lambda: main_text(self.tree, url=self.url, text_mode=self.text_mode)) or ""
        if len(text) < EMBEDDED_BELOW_CHARS:
            embedded = _guarded(lambda: embedded_text(self.tree)) or ""
            if len(embedded) > max(2 * len(text), EMBEDDED_BELOW_CHARS):
                return embedded, "embedded-json", EMBEDDED_EXTRACTOR
        source = TEXT_EXTRACTORS[self.text_mode] if text else "none"
        return text, source, extractor_label(self.text_mode)

    # outlet ------------------------------------------------------------------------

    def _outlet(self) -> dict[str, Any]:
        return page_outlet(self.tree, self.markup, self.url, user_name=self.user_outlet)

    # authors -----------------------------------------------------------------------

    def _bylines(self, outlet: dict[str, Any]) -> tuple[list[Byline], str]:
        """Authors from the first source that names any, as bylines for attribution."""
        candidates: list[tuple[str, str, Callable[[], list[tuple[str, str | None]]]]] = [
            ("json-ld", "json-ld", self.markup.ld_authors),
            *(
                (src, src, lambda key=key: [(v, None) for v in self.meta.get_all(key)])
                for src, key in AUTHOR_META
            ),
            ("microdata", "microdata", self.markup.microdata_authors),
        ]
        if self.text_mode == "full":
            candidates.append(("trafilatura", "html-byline", self._trafilatura_authors))
        for source, method, produce in candidates:
            names = clean_authors(produce(), outlet)
            if names:
                return [Byline(name=n, kind=k, method=method) for n, k in names], source
        return [], "none"

    def _trafilatura_authors(self) -> list[tuple[str, str | None]]:
        from trafilatura.metadata import extract_author

        value = _guarded(lambda: extract_author(self.tree))
        return [(part, None) for part in (value or "").split(";")]

    # dates, title, links ------------------------------------------------------------

    def _htmldate(self, text: str) -> str | None:
        """htmldate's original date; its free-text search only on a page with article text.

        On a page without text (a bot challenge, an app shell) that search finds noise: it
        gave 1998-01-01 for one in the corpus, while on the Wayback capture it finds the
        right day. It is also skipped past ``MAX_DATE_SEARCH_CHARS`` and in fast mode.
        """
        from htmldate import find_date

        extensive = (
            self.text_mode == "full" and bool(text) and self.page_chars <= MAX_DATE_SEARCH_CHARS
        )
        # a tree, never a URL: htmldate fetches when given one
        return _guarded(
            lambda: find_date(
                self.tree, original_date=True, url=self.url, extensive_search=extensive
            )
        )

    def _trafilatura_title(self) -> str | None:
        from trafilatura.metadata import extract_title

        return _guarded(lambda: extract_title(self.tree))

    def _canonical_links(self) -> list[tuple[str, str]]:
        """Absolute http(s) URLs from ``<link rel=canonical>`` then ``og:url``."""
        found = []
        for link in self.tree.iterfind(".//link[@rel]"):
            if "canonical" in link.get("rel", "").lower().split() and link.get("href"):
                found.append((link.get("href"), "html"))
                break
        if og_url := self.meta.get("og:url"):
            found.append((og_url, "opengraph"))
        links = []
        for href, source in found:
            absolute = _absolute(self.url, href)
            if absolute and absolute not in (u for u, _ in links):
                links.append((absolute, source))
        return links


def _first(
    *candidates: tuple[str, Callable[[], Any]], transform: Callable[[str], Any]
) -> tuple[Any, str]:
    """The first candidate whose value survives ``transform``, with its source name.

    Candidates are called lazily, so costly fallbacks (htmldate, trafilatura) only
    run when every cheaper source is silent.
    """
    for source, produce in candidates:
        value = produce()
        if isinstance(value, str) and (result := transform(value)) is not None:
            return result, source
    return None, "none"


def _guarded(call: Callable[[], Any]) -> Any:
    """Run a third-party heuristic on untrusted input; a crash in it means "no answer"."""
    try:
        return call()
    except Exception as error:  # any bug in a heuristic must not stop a capture
        LOGGER.debug("extraction heuristic failed: %r", error)
        return None


# --- value cleaning -------------------------------------------------------------------


def _clean(value: str | None, limit: int = MAX_TITLE_CHARS) -> str | None:
    """Entities decoded, whitespace collapsed, NFC; None when empty or implausibly long.

    Lone surrogates, which some heuristics make of a literal "\\udc00", become U+FFFD.
    """
    if not value:
        return None
    value = surrogates.replaced(html_lib.unescape(value))
    value = _WHITESPACE.sub(" ", unicodedata.normalize("NFC", value)).strip()
    return value if value and len(value) <= limit else None


def _clean_title(value: str, outlet_name: str | None) -> str | None:
    """A title without a trailing or leading `` | Outlet`` when it names this outlet."""
    title = _clean(value)
    if title and outlet_name:
        parts = _TITLE_SEPARATORS.split(title)
        outlet = outlet_name.casefold()
        if len(parts) > 1 and parts[-1].casefold() == outlet:
            title = title[: title.rfind(parts[-1])].rstrip(" |-–—:·•»")
        elif len(parts) > 1 and parts[0].casefold() == outlet:
            title = title[len(parts[0]) :].lstrip(" |-–—:·•»")
    return title or None


def clean_authors(
    raw: list[tuple[str, str | None]], outlet: dict[str, Any]
) -> list[tuple[str, str | None]]:
    """Author names: split on separators, "By " stripped, placeholders and URLs dropped, deduped.

    A name that is the outlet itself (``tagesschau.de``, ``CNN Business`` on cnn.com)
    is dropped: that is the publisher, not a byline.
    """
    own = {name_key(n) for n in (outlet.get("name"), outlet.get("domain")) if n}
    if "." in (domain := outlet.get("domain") or ""):
        # the host's first label ("tagesschau") and the site's brand ("sky" on news.sky.com)
        own |= {name_key(domain.split(".")[0]), site_label("http://" + domain)}
    own.discard("")

    def is_outlet(name: str) -> bool:
        key = name_key(name)
        return any(key == o or key.startswith(o + " ") for o in own)

    names: list[tuple[str, str | None]] = []
    seen: set[str] = set()
    for value, kind in raw:
        value = _clean(value) if isinstance(value, str) else None
        if not value or "://" in value or value.startswith("www.") or is_outlet(value):
            continue
        value = _DOMAIN_IN_PARENS.sub("", _BY_PREFIX.sub("", _LABEL_PREFIX.sub("", value)))
        for part in _AUTHOR_SPLIT.split(value):
            part = part.strip(" .,:-–—()")
            key = part.casefold()
            if (
                len(part) < 2
                or len(part) > MAX_NAME_CHARS
                or part.isdigit()
                or "@" in part
                or key in seen
                or key in PLACEHOLDER_AUTHORS
                or is_outlet(part)
            ):
                continue
            seen.add(key)
            names.append((part, kind))
    return names


def iso_datetime(value: str) -> str | None:
    """A date as the page claims it, in ISO 8601: a date alone stays a date, an offset is kept.

    Reads ISO 8601 (``2020-02-19T20:02:00+0200``, ``2020-02-19 18:37``) and RFC 2822
    (``Tue, 19 Nov 2019 21:57:01 GMT``); anything else is None.
    """
    value = value.strip()
    match = _ISO_DATE.match(value)
    try:
        if match:
            year, month, day, hour, minute, second, fraction, zone = match.groups()
            if hour is None:
                return date(int(year), int(month), int(day)).isoformat()
            offset = "+00:00" if zone and zone.upper() == "Z" else zone
            if offset and ":" not in offset:
                offset = offset[:3] + ":" + offset[3:]
            micro = (fraction or "")[:6].ljust(6, "0") if fraction else None
            stamp = (
                f"{year}-{month}-{day}T{hour}:{minute}:{second or '00'}"
                + (f".{micro}" if micro else "")
                + (offset or "")
            )
            return datetime.fromisoformat(stamp).isoformat()
        if value[:3].isalpha() or value[:2].isdigit():
            return email.utils.parsedate_to_datetime(value).isoformat()
    except (ValueError, TypeError, IndexError, OverflowError):
        return None
    return None


def _language(value: str) -> str | None:
    """A lowercase BCP-47-ish tag (``en``, ``pt-br``) from a lang attribute or locale."""
    tag = value.split(",")[0].strip().replace("_", "-").lower()
    return tag if _LANGUAGE_TAG.match(tag) else None


def _absolute(base: str, href: str) -> str | None:
    """``href`` resolved against ``base`` when the result is an http(s) URL, else None."""
    try:
        absolute = urljoin(base, href.strip())
        return absolute if urlsplit(absolute).scheme in ("http", "https") else None
    except ValueError:  # e.g. an unclosed IPv6 bracket in either URL
        return None
