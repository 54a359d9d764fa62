"""What a page declares about itself in markup: JSON-LD, OpenGraph, ``<meta>`` and microdata.

``Markup`` reads one parsed page once and answers the questions the extraction cascade
(``archiver.extract``) asks of declared metadata: the page's main JSON-LD entity (the
article it is about), that entity's plain fields, authors and publisher with ``@id``
references resolved, every ``<meta>`` content by key, and microdata headline, dates and
authors. The ``*_META`` tables name, per article field, the ``<meta>`` keys that declare
it, best first, with the fact source each counts as.

Nothing here decides between sources or cleans values (the cascade does both), and
nothing raises on a broken page: malformed JSON-LD is repaired or salvaged, and every
walk is bounded (``MAX_JSONLD_CHARS``, ``MAX_JSONLD_DEPTH``, ``MAX_JSONLD_NODES``,
``MAX_MICRODATA_ELEMENTS``, ``MAX_MICRODATA_AUTHORS``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import lxml.html

from . import surrogates

#: JSON-LD blocks larger than this are skipped (real ones are under 50 KB; a larger
#: block is an inline app state, not page metadata, and costs milliseconds to parse).
MAX_JSONLD_CHARS = 1_000_000
#: JSON-LD nesting walked at most this deep (real metadata nests 3-5 levels).
MAX_JSONLD_DEPTH = 12
#: Candidate main entities examined at most (real pages declare a handful to a few dozen).
MAX_JSONLD_NODES = 500
#: Elements carrying ``itemprop`` (outside ``<meta>``) read for the headline and dates.
#: The article's own microdata comes first; a listing page repeats itemprop on every
#: teaser further down, and reading them all would cost time and find nothing better.
MAX_MICRODATA_ELEMENTS = 200
#: ``itemprop=author`` elements read: real bylines name one to a few people.
MAX_MICRODATA_AUTHORS = 10

#: schema.org types of a news article (the main entity we look for).
ARTICLE_TYPES = frozenset(
    {
        "NewsArticle",
        "ReportageNewsArticle",
        "AnalysisNewsArticle",
        "OpinionNewsArticle",
        "BackgroundNewsArticle",
        "ReviewNewsArticle",
        "AskPublicNewsArticle",
        "LiveBlogPosting",
        "Article",
        "BlogPosting",
        "Report",
        "SatiricalArticle",
        "ScholarlyArticle",
        "TechArticle",
    }
)
#: Types used when a page declares no article: they still carry headline and dates.
PAGE_TYPES = ("WebPage", "ItemPage", "ClaimReview")
_TYPE_RANK = {t.casefold(): 0 for t in ARTICLE_TYPES} | {t.casefold(): 1 for t in PAGE_TYPES}
#: Keys whose values are further JSON-LD nodes to look for articles in.
_CONTAINER_KEYS = ("@graph", "mainEntity")


def _sourced(spec: str) -> tuple[tuple[str, str], ...]:
    """``"opengraph:og:title meta:dc.title"`` as ((source, meta key), ...), order kept."""
    return tuple(tuple(item.split(":", 1)) for item in spec.split())  # type: ignore[misc]


#: ``<meta>`` keys (name, property, itemprop or http-equiv, lowercased) per field, best
#: first, each with the fact source it counts as.
TITLE_META = _sourced(
    "opengraph:og:title meta:twitter:title meta:parsely-title meta:sailthru.title "
    "meta:dc.title microdata:headline"
)
AUTHOR_META = _sourced(
    "meta:author opengraph:article:author meta:parsely-author meta:sailthru.author "
    "meta:dc.creator meta:byl"
)
PUBLISHED_META = _sourced(
    "opengraph:article:published_time opengraph:article:published opengraph:og:published_time "
    "meta:parsely-pub-date meta:sailthru.date meta:dc.date.issued meta:dcterms.issued "
    "meta:dc.date meta:date meta:pubdate meta:publishdate meta:publish-date "
    "microdata:datepublished"
)
MODIFIED_META = _sourced(
    "opengraph:article:modified_time opengraph:article:modified opengraph:og:updated_time "
    "meta:dc.date.modified meta:dcterms.modified meta:last-modified microdata:datemodified"
)
LANGUAGE_META = ("content-language", "language", "dc.language")
OUTLET_META = ("application-name", "apple-mobile-web-app-title", "dc.publisher", "publisher")

#: Microdata properties read from elements other than ``<meta>`` (lowercased).
_MICRODATA_KEYS = ("headline", "datepublished", "datemodified")
#: Elements whose itemprop token list includes "author".
_ITEMPROP_AUTHOR = "//*[contains(concat(' ', normalize-space(@itemprop), ' '), ' author ')]"
_TRAILING_COMMA = re.compile(r",\s*([}\]])")
_LINE_COMMENT = re.compile(r"(?m)(^|[,{\[]\s*)//[^\n]*$")
_SALVAGE_FIELD = re.compile(
    r'"(@type|headline|datePublished|dateModified|inLanguage)"\s*:\s*"((?:[^"\\]|\\.){1,500})"'
)


class MetaIndex(dict[str, list[str]]):
    """``<meta>`` contents by lowercased name/property/itemprop/http-equiv, in page order."""

    def get(self, key: str, default: Any = None) -> str | None:  # type: ignore[override]
        values = super().get(key)
        return values[0] if values else default

    def get_all(self, key: str) -> list[str]:
        return super().get(key, [])


class Markup:
    """The metadata one parsed page declares: ``<meta>`` index and main JSON-LD entity.

    Attributes:
        meta: every ``<meta content>`` by key, plus microdata headline and dates.
        nodes, ids: the page's JSON-LD nodes and their ``@id`` index (``jsonld_nodes``).
        article: the JSON-LD node the page is about (see ``main_node``), or None.
    """

    def __init__(self, tree: lxml.html.HtmlElement, url: str) -> None:
        self.tree = tree
        self.meta = meta_index(tree)
        self.nodes, self.ids = jsonld_nodes(tree)
        self.article = main_node(self.nodes, self.ids, url)

    def ld_text(self, key: str) -> str | None:
        """A plain string field of the main entity (first of a list, ``@value`` or ``name``)."""
        if not self.article:
            return None
        value = self._resolve(self.article.get(key))
        value = value[0] if isinstance(value, list) and value else value
        if isinstance(value, dict):
            value = value.get("@value") or value.get("name")
        return value if isinstance(value, str) else None

    def ld_authors(self) -> list[tuple[str, str | None]]:
        """The main entity's authors as (name, kind): ``person``, ``organization`` or None."""
        if not self.article:
            return []
        found = []
        for author in as_list(self.article.get("author")):
            author = self._resolve(author)
            if isinstance(author, str):
                found.append((author, None))
            elif (name := name_of(author)) is not None:
                types = {t.casefold() for t in _types(author)}
                kind = "person" if "person" in types else "organization" if types else None
                found.append((name, kind))
        return found

    def ld_publisher_name(self) -> str | None:
        """The name of the main entity's ``publisher``."""
        publisher = self._resolve(self.article.get("publisher")) if self.article else None
        return name_of(publisher)

    def microdata_authors(self) -> list[tuple[str, str | None]]:
        """Names of ``itemprop=author`` elements (their ``itemprop=name`` child when present)."""
        found = []
        for element in self.tree.xpath(_ITEMPROP_AUTHOR)[:MAX_MICRODATA_AUTHORS]:
            named = element.xpath('.//*[@itemprop="name"]')
            target = named[0] if named else element
            value = target.get("content") or target.text_content()
            found.append((value, None))
        return found

    def resolved_article(self) -> dict[str, Any] | None:
        """The main article node with its references resolved one level, for attribution."""
        if not self.article:
            return None
        return {
            key: (
                [self._resolve(v) for v in value]
                if isinstance(value, list)
                else self._resolve(value)
            )
            for key, value in self.article.items()
        }

    def _resolve(self, value: Any) -> Any:
        """A node for a ``{"@id": ...}`` reference, when the page defines that id."""
        if isinstance(value, dict) and set(value) <= {"@id", "@type"} and "@id" in value:
            return self.ids.get(str(value["@id"]), value)
        return value


def meta_index(tree: lxml.html.HtmlElement) -> MetaIndex:
    """Every ``<meta content>`` by each of its keys, plus microdata headline and dates."""
    index = MetaIndex()
    for element in tree.iter("meta"):
        content = element.get("content")
        if content is None or not content.strip():
            continue
        keys = [(element.get(a) or "").strip().lower() for a in ("property", "name", "http-equiv")]
        keys += (element.get("itemprop") or "").lower().split()  # itemprop is a token list
        for key in dict.fromkeys(k for k in keys if k):
            index.setdefault(key, []).append(content.strip())
    # microdata outside <meta>: <time itemprop=datePublished datetime=...>, <h1 itemprop=headline>
    for element in tree.xpath("//*[@itemprop][not(self::meta)]")[:MAX_MICRODATA_ELEMENTS]:
        for key in element.get("itemprop", "").lower().split():
            if key in _MICRODATA_KEYS and key not in index:
                value = element.get("datetime") or element.get("content") or element.text_content()
                if value and value.strip():
                    index[key] = [value.strip()]
    return index


def jsonld_nodes(
    tree: lxml.html.HtmlElement,
) -> tuple[list[dict[str, Any]], dict[str, dict[str, Any]]]:
    """Top-level JSON-LD nodes (lists and ``@graph`` flattened) and an ``@id`` index."""
    nodes: list[dict[str, Any]] = []
    for script in tree.iter("script"):
        if (script.get("type") or "").strip().lower() != "application/ld+json":
            continue
        raw = script.text or ""
        if len(raw) > MAX_JSONLD_CHARS:
            continue
        data = _load_json(raw)
        nodes.extend(n for n in as_list(data) if isinstance(n, dict))
    ids: dict[str, dict[str, Any]] = {}
    for node in _walk(nodes):
        if "@id" in node and len(node) > 2:
            ids.setdefault(str(node["@id"]), node)
    return nodes, ids


def main_node(
    nodes: list[dict[str, Any]], ids: dict[str, dict[str, Any]], url: str
) -> dict[str, Any] | None:
    """The article the page is about: best type rank, then the one naming this URL."""
    ranked = []
    for order, node in enumerate(_candidates(nodes)):
        node = ids.get(str(node.get("@id")), node) if set(node) <= {"@id", "@type"} else node
        ranks = [_TYPE_RANK[t.casefold()] for t in _types(node) if t.casefold() in _TYPE_RANK]
        if ranks:
            names_url = _same_page(url, node)
            ranked.append((min(ranks), not names_url, order, node))
    return min(ranked, key=lambda r: r[:3])[3] if ranked else None


def _load_json(raw: str) -> Any:
    """Parse one JSON-LD block, repairing the usual slips, else salvage its plain fields."""
    text = raw.strip().removeprefix("<!--").removesuffix("-->").strip()
    for attempt in (text, _LINE_COMMENT.sub(r"\1", _TRAILING_COMMA.sub(r"\1", text))):
        try:
            data = json.loads(attempt, strict=False)
            if surrogates.ESCAPE.search(attempt):  # rare: read it again with U+FFFD for them
                data = json.loads(surrogates.replaced(json.dumps(data, ensure_ascii=False)))
            return data
        except (ValueError, RecursionError):
            continue
    # e.g. a single-quoted description: keep the fields that still read cleanly
    salvaged: dict[str, Any] = {}
    for key, value in _SALVAGE_FIELD.findall(text):
        salvaged.setdefault(key, _load_json_string(value))
    return salvaged if salvaged.get("@type") else None


def _load_json_string(value: str) -> str:
    try:
        return surrogates.replaced(str(json.loads(f'"{value}"', strict=False)))
    except ValueError:
        return value


def _walk(value: Any, depth: int = 0) -> Iterator[dict[str, Any]]:
    """Every dict in a JSON value, parents first, at most ``MAX_JSONLD_DEPTH`` deep."""
    if depth > MAX_JSONLD_DEPTH:
        return
    if isinstance(value, list):
        for item in value:
            yield from _walk(item, depth + 1)
    elif isinstance(value, dict):
        yield value
        for key, item in value.items():
            if key != "@context" and isinstance(item, (list, dict)):
                yield from _walk(item, depth + 1)


def _candidates(nodes: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """Nodes that may be the page's main entity: top level, in ``@graph`` or ``mainEntity``."""
    pending = list(nodes)
    seen = 0
    while pending and seen < MAX_JSONLD_NODES:
        node = pending.pop(0)
        seen += 1
        yield node
        for key in _CONTAINER_KEYS:
            pending.extend(n for n in as_list(node.get(key)) if isinstance(n, dict))


def _same_page(url: str, node: dict[str, Any]) -> bool:
    page = _url_key(url)
    if page is None:
        return False
    entity = node.get("mainEntityOfPage")
    claimed = [
        node.get("url"),
        node.get("@id"),
        entity.get("@id") if isinstance(entity, dict) else entity,
    ]
    return any(isinstance(c, str) and _url_key(c) == page for c in claimed)


def _url_key(url: str) -> str | None:
    """Host without ``www.`` plus path without a trailing slash, for "same page" tests."""
    try:
        parts = urlsplit(url.strip())
        host = (parts.hostname or "").removeprefix("www.")
    except ValueError:
        return None
    return host + parts.path.rstrip("/")


def _types(node: dict[str, Any]) -> list[str]:
    return [t for t in as_list(node.get("@type")) if isinstance(t, str)]


def as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def name_of(node: Any) -> str | None:
    if isinstance(node, str):
        return node
    if isinstance(node, dict):
        name = node.get("name")
        name = name[0] if isinstance(name, list) and name else name
        if isinstance(name, dict):
            name = name.get("@value")
        return name if isinstance(name, str) else None
    return None
