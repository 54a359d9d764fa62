"""The outlet behind a page: the name the page gives it, and which source said so.

``page_outlet`` decides the provenance document's ``outlet`` (``name``, ``domain``,
``source``). The name is the first acceptable one of, in this order (``source`` in
brackets):

* the name the caller gave, taken as it is (``user``);
* the JSON-LD ``publisher`` of the page's main article (``json-ld``);
* ``og:site_name`` (``opengraph``);
* ``application-name``, ``apple-mobile-web-app-title``, ``dc.publisher``, ``publisher``
  (``meta``);
* elsewhere in the JSON-LD: any node's ``publisher``, the ``WebSite`` node's name, an
  ``Organization`` whose ``url`` is on this site (``json-ld``);
* the brand segment of ``<title>``: "Headline | The Times of Israel" (``title``);
* the holder of a copyright notice: "©2019 The Associated Press." (``copyright``).

A candidate is read against the site: the registrable domain's label ("nytimes" for
www.nytimes.com) and the site's sections (subdomain labels, the URL path before the
article's slug, ``article:section``). A name *matches the domain* when its letters
hold the label, the label holds them, or the label spells the name's words by their
beginnings ("latimes": Los Angeles Times). Then:

* a tagline goes: "Remember 80/90 - Memorabilia anni 80/90" keeps the part that
  matches the domain; with no such part the whole name stays;
* a section is no outlet: a name that does not match the domain but is a section
  ("U.S." as ``og:site_name`` on reuters.com/article/us-global-markets/…, "Hosted" on
  hosted.ap.org) is passed over, and so is a sentence (over ``MAX_NAME_WORDS`` words);
* the weak sources need more: a title segment counts when it matches the domain or
  the page says it again as a keyword, as the text of a link to the site's home page
  or inside a copyright notice ("新华网" in "…城！-新华网" and in the home link); a
  copyright holder counts only when it matches the domain;
* a publisher that is the company ("Ediciones EL PAÍS S.L.") or the group ("Sky")
  gives way to the ``og:site_name`` it holds or that extends it ("EL PAÍS", "Sky News").

The name is never made from the domain: with no name, ``name`` is None and the domain
speaks for itself. A Wayback Machine copy (``web.archive.org/web/<time>/<url>``) is
read against the archived URL's site, since its markup is the archived page's; the
``domain`` stays the host the capture came from.

The weak sources read the parsed tree only when every declared name fails, and each
of those walks is bounded (``MAX_HOME_LINKS``, ``MAX_NOTICES``).
"""

from __future__ import annotations

import html
import itertools
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from functools import cached_property
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

import lxml.html

from .identity import registrable_domain
from .jsonld import OUTLET_META, Markup, as_list, name_of

__all__ = [
    "MAX_HOME_LINKS",
    "MAX_NAME_CHARS",
    "MAX_NAME_WORDS",
    "MAX_NOTICES",
    "OUTLET_SOURCES",
    "matches_domain",
    "outlet_domain",
    "outlet_object",
    "page_outlet",
    "site_label",
]

#: Every value ``outlet.source`` takes (``schemas/provenance.schema.json`` lists them).
OUTLET_SOURCES = ("user", "json-ld", "opengraph", "meta", "title", "copyright", "none")
#: A longer "name" is a sentence or a title, not an outlet (the longest in the corpus,
#: "Prefeitura Municipal de Jaraguá do Sul", has six words).
MAX_NAME_WORDS = 8
#: Longer strings are a template or parsing accident, not a name.
MAX_NAME_CHARS = 100
#: Links read for home-page links; a masthead's come first in the page.
MAX_HOME_LINKS = 400
#: Copyright notices read; a page has one or two, a listing may repeat them.
MAX_NOTICES = 10

#: Types of JSON-LD nodes that name the site itself.
_SITE_TYPES = frozenset({"WebSite", "Periodical", "Newspaper"})
_ORGANIZATION_TYPES = frozenset({"Organization", "NewsMediaOrganization", "Corporation"})
#: The Wayback Machine's URLs of an archived page: /web/<timestamp><flags>/<original URL>.
_WAYBACK = re.compile(r"^/web/\d{1,14}[a-z_]*/(.+)$")
_WAYBACK_HOSTS = frozenset({"web.archive.org", "wayback.archive.org"})
#: Between a name and its tagline, or the segments of a title.
_SPACED_SEPARATOR = r"\s+[|\-–—/:·•»]{1,2}\s+|\s*[｜]\s*"
#: CJK titles join segments without spaces ("…城！-新华网"); elsewhere that is a hyphen.
_CJK = "\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uff01-\uff60"
_TAGLINE_SPLIT = re.compile(_SPACED_SEPARATOR)
_TITLE_SPLIT = re.compile(
    rf"{_SPACED_SEPARATOR}|(?<=[{_CJK}])[-_|－—](?=\S)|(?<=\S)[-_|－—](?=[{_CJK}])"
)
_WORD_SPLIT = re.compile(r"[\W_]+")
_SECTION_SPLIT = re.compile(r"\s*[>/|,»]\s*")
_KEYWORD_SPLIT = re.compile(r"\s*[,;，、]\s*")
_WHITESPACE = re.compile(r"\s+")
#: Company forms at the end of a legal name ("Ediciones EL PAÍS S.L.", "Foo Media GmbH").
_LEGAL_FORM = re.compile(
    r"(?:\b(?:gmbh|ag|ltd|limited|inc|llc|plc|corp|corporation|company|co)\.?"
    r"|\bs\.?\s?[alp]\.?(?:\s?[au]\.?)?)$",
    re.I,
)
#: A copyright notice: its marks ("Copyright (C)", "©", "ⓒ"), then up to 150 characters
#: of the line, which name the holder ("©2019 The Associated Press. All rights …").
_NOTICE = re.compile(r"(?:copyrights?\b|©|ⓒ)(?:\s*(?:\(c\)|©|ⓒ))*([^\n]{1,150})", re.I)
_NOTICE_MARK = re.compile(r"copyrights?\b|©|ⓒ|\(c\)", re.I)
_NOTICE_YEARS = re.compile(r"\b(?:19|20)\d\d(?:\s*[-–]\s*(?:19|20)?\d\d)?\b")
_NOTICE_END = re.compile(r"\.\s|[|,;:]|\s[-–—]\s|\ball rights\b", re.I)
#: An href that can lead to a site's home page (a Wayback copy's included).
_HOME_HREF = re.compile(
    r"^(?:(?:https?:)?//[^/?#\s]+|(?:https?://[^/?#\s]+)?/web/\d+[a-z_]*/https?://[^/?#\s]+)?"
    r"/?(?:index\.(?:html?|php))?$",
    re.I,
)


def page_outlet(
    tree: lxml.html.HtmlElement, markup: Markup, url: str, *, user_name: str | None = None
) -> dict[str, Any]:
    """The ``outlet`` object of the provenance document for one parsed page.

    Args:
        tree: the parsed page.
        markup: the page's declared metadata, read once by the caller.
        url: the final URL of the capture.
        user_name: a name the caller gave; it wins, recorded as ``user``.
    """
    if user_name:
        return outlet_object(url, user_name, "user")
    name, source = _Judge(tree, markup, url).decide()
    return outlet_object(url, name, source)


def outlet_object(url: str, name: str | None, source: str) -> dict[str, Any]:
    """``{"name", "domain", "source"}``; the source is ``none`` when there is no name."""
    return {"name": name, "domain": outlet_domain(url), "source": source if name else "none"}


def outlet_domain(url: str) -> str:
    """The URL's host, lowercased, without a leading ``www.`` (empty for a malformed URL)."""
    return _host(url).removeprefix("www.")


def site_label(url: str) -> str:
    """The brand in a URL's registrable domain, as a key: "sky" for news.sky.com.

    Empty for an address ("127.0.0.1" names no brand) or a URL without a host.
    """
    return _label_of(registrable_domain(url) or "")


def matches_domain(name: str, label: str) -> bool:
    """Whether ``name`` is the brand of a site whose registrable domain's label is ``label``.

    Compared as letters and digits only: the name holds the label ("The Times of
    Israel", "timesofisrael"), the label holds the name ("Guardian", "theguardian"), or
    the label is the beginnings of the name's words in order ("latimes": Los Angeles
    Times; "nytimes": The New York Times). A label of three letters or fewer must be a
    whole word of the name or spelled that way ("rt": RT International; "ap": The
    Associated Press), since a short label sits inside many unrelated words.
    """
    words = _words(name)
    if not label or not words or len(words) > MAX_NAME_WORDS:
        return False
    joined = "".join(words)
    if len(label) <= 3:
        return label in words or _spelled_by(label, words)
    return label in joined or (len(joined) >= 4 and joined in label) or _spelled_by(label, words)


class _Judge:
    """The candidates of one page, read against its site, cheapest sources first."""

    def __init__(self, tree: lxml.html.HtmlElement, markup: Markup, url: str) -> None:
        self.tree = tree
        self.markup = markup
        self.meta = markup.meta
        self.url = url
        self.site_url = _archived_url(url) or url
        self.host = _host(self.site_url)
        self.domain = registrable_domain(self.site_url) or ""
        self.label = _label_of(self.domain)

    def decide(self) -> tuple[str | None, str]:
        site_name = self._declared(self.meta.get("og:site_name"))
        candidates: Iterable[tuple[str, Callable[[], Iterable[str | None]]]] = (
            ("json-ld", lambda: [self.markup.ld_publisher_name()]),
            ("opengraph", lambda: [self.meta.get("og:site_name")]),
            ("meta", lambda: (self.meta.get(key) for key in OUTLET_META)),
            ("json-ld", self._graph_names),
            ("title", self._title_brands),
            ("copyright", self._notice_holders),
        )
        for source, produce in candidates:
            for value in produce():
                name = self._declared(value)
                if name is None:
                    continue
                if source == "json-ld" and site_name and _is_company_of(name, site_name):
                    return site_name, "opengraph"
                return name, source
        return None, "none"

    # the site -------------------------------------------------------------------------

    def matches(self, name: str) -> bool:
        return matches_domain(name, self.label)

    @cached_property
    def sections(self) -> frozenset[str]:
        """Keys of the site's section names: subdomains, path before the slug, sections."""
        try:
            path = unquote(urlsplit(self.site_url).path)
        except ValueError:  # e.g. an unclosed IPv6 bracket: no sections
            path = ""
        subdomains = self.host.removesuffix(self.domain).split(".")
        segments = [s for s in path.split("/") if s][:-1]  # the slug goes
        declared = [
            *self.meta.get_all("article:section"),
            self.markup.ld_text("articleSection") or "",
        ]
        names = [
            *(s for s in subdomains if s != "www"),
            *segments,
            *(w for s in segments for w in _WORD_SPLIT.split(s)),
            *(p for s in declared for p in _SECTION_SPLIT.split(s)),
        ]
        return frozenset(filter(None, map(_key, names)))

    def _declared(self, value: str | None) -> str | None:
        """A declared name, cleaned and without its tagline; None for a section or sentence."""
        name = _clean_name(value)
        if name is None:
            return None
        parts = [p for p in _TAGLINE_SPLIT.split(name) if p.strip()]
        if len(parts) > 1:
            name = next((p.strip() for p in parts if self.matches(p)), name)
        if len(_words(name)) > MAX_NAME_WORDS:
            return None
        if not self.matches(name) and _key(name) in self.sections:
            return None
        return name

    # JSON-LD beyond the main article ------------------------------------------------------

    def _graph_names(self) -> Iterator[str | None]:
        """Publishers anywhere, then the WebSite's name, then an Organization of this site."""
        nodes, ids = self.markup.nodes, self.markup.ids
        graph = [
            *nodes,
            *(g for n in nodes for g in as_list(n.get("@graph")) if isinstance(g, dict)),
            *ids.values(),
        ]

        def resolve(value: Any) -> Any:
            if isinstance(value, dict) and "@id" in value and set(value) <= {"@id", "@type"}:
                return ids.get(str(value["@id"]), value)
            return value

        for node in graph:
            yield name_of(resolve(node.get("publisher")))
        for node in graph:
            if _SITE_TYPES & set(as_list(node.get("@type"))):
                yield name_of(node)
        for node in graph:
            if _ORGANIZATION_TYPES & set(as_list(node.get("@type"))) and self._own(node):
                yield name_of(node)

    def _own(self, node: dict[str, Any]) -> bool:
        """Whether an organisation is this site's: its url is on this site, or its name fits."""
        url = node.get("url")
        labels = {_key(label) for label in _host(url).split(".")} if isinstance(url, str) else ()
        name = name_of(node)
        return bool(self.label and self.label in labels) or bool(name and self.matches(name))

    # title and copyright -----------------------------------------------------------------

    def _title_brands(self) -> Iterator[str]:
        """Segments of ``<title>`` besides the headline that the site claims as its brand.

        Those that match the domain, then those the page names again: as a keyword, in a
        copyright notice ("半月谈" in "© 半月谈杂志社") or as what a link to the site's home
        page says. Each time the last segment first ("Headline | Brand"), then the first
        ("Brand | Headline"), then those between from the end ("Headline - 조선닷컴 -
        스포츠 > 스포츠 포토").
        """
        title = _clean_name(self.tree.findtext(".//title"), limit=1000)
        segments = [s.strip() for s in _TITLE_SPLIT.split(title or "") if s.strip()]
        if len(segments) < 2:
            return
        headline = self._headline_segment(segments)
        ordered = [
            segment
            for segment in dict.fromkeys([segments[-1], segments[0], *reversed(segments[1:-1])])
            if segment != headline and any(c.isalpha() for c in segment)
        ]
        yield from filter(self.matches, ordered)
        # then the segments the page says again (not a section, nor a breadcrumb such as
        # "World > Europe"); the cheap sayings first, for every segment
        unmatched = [
            (segment, key)
            for segment, key in ((s, _key(s)) for s in ordered if ">" not in s)
            if len(key) >= 2 and key not in self.sections
        ]
        said_again = (
            lambda key: key in self._keywords,
            lambda key: any(key in _key(notice) for notice in self._notices),
            lambda key: key in self._home_link_keys,
        )
        for said in said_again:
            yield from (segment for segment, key in unmatched if said(key))

    def _headline_segment(self, segments: list[str]) -> str:
        """The segment that is the headline: the first or last one that the declared
        headline holds (og:title may carry the brand too), else the longest."""
        declared = (self.meta.get("og:title"), self.markup.ld_text("headline"))
        keys = [_key(h) for h in declared if h]
        for segment in (segments[0], segments[-1]):
            if _key(segment) and any(_key(segment) in key for key in keys):
                return segment
        return max(segments, key=len)

    @cached_property
    def _keywords(self) -> frozenset[str]:
        """Keys of the page's ``keywords`` and ``news_keywords`` items."""
        texts = (*self.meta.get_all("keywords"), *self.meta.get_all("news_keywords"))
        return frozenset(_key(k) for text in texts for k in _KEYWORD_SPLIT.split(text))

    @cached_property
    def _home_link_keys(self) -> frozenset[str]:
        """What links to this site's home page say: their text, image alt text and title."""
        said = set()
        for link in itertools.islice(self.tree.iter("a"), MAX_HOME_LINKS):
            href = (link.get("href") or "").strip()
            if not _HOME_HREF.match(href):
                continue
            try:
                target = urljoin(self.url, href)
                host = (urlsplit(_archived_url(target) or target).hostname or "").lower()
            except ValueError:  # e.g. an unclosed IPv6 bracket
                continue
            if not self.domain or not (host == self.domain or host.endswith("." + self.domain)):
                continue
            said.add(link.text_content())
            said.update(link.get(a) or "" for a in ("title", "aria-label"))
            said.update(image.get("alt") or "" for image in link.iter("img"))
        return frozenset(_key(text) for text in said if 0 < len(text) <= MAX_NAME_CHARS)

    @cached_property
    def _notices(self) -> list[str]:
        """Copyright notices: the ``copyright`` meta, then what follows "©" in the text.

        One pass of C over the body's text (``text_content``, 60 µs on an average corpus
        page, where walking the elements from Python costs ten times that).
        """
        body = self.tree.find("body")
        text = (body if body is not None else self.tree).text_content()
        found = [value[:MAX_NAME_CHARS] for value in self.meta.get_all("copyright")]
        found += (m.group(1) for m in itertools.islice(_NOTICE.finditer(text), MAX_NOTICES))
        return found

    def _notice_holders(self) -> Iterator[str]:
        """The holder each copyright notice names, when it is this site's brand."""
        for notice in self._notices:
            rest = _NOTICE_YEARS.sub(" ", _NOTICE_MARK.sub(" ", notice)).lstrip(" :.,-–—")
            holder = _NOTICE_END.split(rest, maxsplit=1)[0]
            if self.matches(holder):
                yield holder


# --- helpers ----------------------------------------------------------------------------


def _clean_name(value: str | None, limit: int = MAX_NAME_CHARS) -> str | None:
    """Entities decoded, whitespace collapsed, NFC, without "@" or "www."; None if empty."""
    if not isinstance(value, str) or len(value) > 10 * limit:  # not a name: skip the work
        return None
    value = _WHITESPACE.sub(" ", unicodedata.normalize("NFC", html.unescape(value))).strip()
    value = value.lstrip("@").removeprefix("www.").strip()
    return value if value and len(value) <= limit else None


def _is_company_of(publisher: str, site_name: str) -> bool:
    """Whether ``publisher`` is the company or group behind the brand ``site_name``.

    "Ediciones EL PAÍS S.L." holds "EL PAÍS" and ends in a company form; "Sky" is the
    first word of "Sky News", which adds one or two words to it.
    """
    publisher_key, site_key = _key(publisher), _key(site_name)
    if not site_key or publisher_key == site_key:
        return False
    if _LEGAL_FORM.search(publisher) and site_key in publisher_key:
        return True
    publisher_words, site_words = _words(publisher), _words(site_name)
    return (
        bool(publisher_words)
        and site_words[: len(publisher_words)] == publisher_words
        and 1 <= len(site_words) - len(publisher_words) <= 2
    )


def _archived_url(url: str | None) -> str | None:
    """The original URL of a Wayback Machine copy, else None."""
    if not url:
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    match = _WAYBACK.match(parts.path) if parts.hostname in _WAYBACK_HOSTS else None
    if not match:
        return None
    original = match.group(1) + (f"?{parts.query}" if parts.query else "")
    return original if original.startswith(("http://", "https://")) else "http://" + original


def _label_of(domain: str) -> str:
    if "." not in domain or domain.replace(".", "").isdigit() or ":" in domain:
        return ""
    return _key(domain.split(".")[0])


def _host(url: str) -> str:
    """The URL's host, lowercased (empty for a malformed URL)."""
    try:
        return (urlsplit(url.strip()).hostname or "").lower()
    except ValueError:
        return ""


def _key(text: str) -> str:
    """Letters and digits only, casefolded, accents dropped: "Página/12" gives "pagina12"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if c.isalnum())


def _words(text: str) -> list[str]:
    return [w for w in map(_key, _WORD_SPLIT.split(text)) if w]


def _spelled_by(label: str, words: list[str]) -> bool:
    """Whether ``label`` is the beginnings of two or more of ``words``, in order.

    Words may be skipped ("The"). A dynamic programme over (position in the label,
    beginnings used so far, capped at 2): a few hundred steps for a real name.
    """
    reached = {(0, 0)}
    for word in words:
        for position, used in list(reached):
            rest = label[position:]
            length = 0
            while length < min(len(rest), len(word)) and rest[length] == word[length]:
                length += 1
                reached.add((position + length, min(used + 1, 2)))
    return (len(label), 2) in reached
