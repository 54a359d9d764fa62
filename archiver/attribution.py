"""Attribution declared in a page's markup: who the page itself says the story came from.

Each link reads "information came from ``source`` and was relayed by ``via``"
(``$defs/link`` of ``schemas/provenance.schema.json``). For page-level links ``via`` is
the outlet. ``markup_links`` finds what the page *declares*:

* bylines (``byline``): JSON-LD, ``<meta>``, microdata or an HTML byline;
* JSON-LD ``publisher`` other than the outlet (``publisher``), ``isBasedOn``
  (``based_on``), ``sourceOrganization`` (``source_organization``), ``citation`` (``cites``);
* ``rel=canonical`` / ``og:url`` on another registrable domain (``republished_from``);
* credit lines in the article text or in credit/byline elements (``credit``, or
  ``photo_credit`` when the credit sits on a picture caption): datelines such as
  ``PARIS (AFP) —`` or ``МОСКВА. /ТАСС/.``, ``Source: X``, ``X contributed to this
  report``, ``With additional reporting by X``, ``This article first appeared on X``,
  ``© AP``, ``det/dpa``.

Reporting-verb chains in the prose ("according to X", "X told AFP") are not read here.
News agencies are recognised with the registry in ``archiver/data/parties.json``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from lxml import etree
from lxml.html import HtmlElement
from tld import get_fld

from .parties import registry

#: Longest credit element or credit line we read; longer text is prose, not a credit.
MAX_CREDIT_CHARS = 200
#: Longest paragraph searched for credits: a longer one is a text dump, not prose.
MAX_LINE_CHARS = 10_000
#: Longest evidence sentence kept for a credit found in the text.
MAX_EVIDENCE_CHARS = 300
#: Class or id fragments of elements that carry bylines and credits.
_CREDIT_CLASSES = (
    "byline",
    "credit",
    "author",
    "source",
    "dateline",
    "copyright",
    "agency",
    "signature",
    "quelle",
    "fonte",
    "fuente",
)
#: Ancestors whose content is about other stories or the whole site, not this article.
_CHROME = re.compile(r"related|recommend|teaser|promo|sidebar|most-?read|newsletter|comment", re.I)
#: Class fragments (on the element or its parents) saying a credit belongs to a picture.
_PICTURE = re.compile(
    r"(?:^|[\s_-])(?:photo|image|img|picture|caption|foto|bild|media|gallery)s?(?:$|[\s_-])", re.I
)
#: Elements never read as credits (their text is code or the whole page).
_NOT_CREDITS = frozenset({"script", "style", "meta", "link", "body", "html", "head", "template"})
_WORD_SPLIT = re.compile(r"\s*(?:[,;/&]|\band\b|\bund\b|\bet\b|\by\b|\be\b)\s*", re.I)
_SENTENCE_END = re.compile(r"(?<=[.!?。！？])\s+")
_WHITESPACE = re.compile(r"\s+")


@dataclass(frozen=True, slots=True, kw_only=True)
class Byline:
    """One author as the page names it, with how we read it."""

    name: str
    kind: str | None  # "person" or "organization" when the markup typed it
    method: str  # json-ld, meta, opengraph, microdata or html-byline


# --- credit-line patterns in the article text ----------------------------------------


@dataclass(frozen=True, slots=True)
class _CreditPattern:
    """A regex whose group ``names`` holds who is credited.

    ``needles``: lowercase strings one of which a line must contain before the regex
    is tried (most lines contain none, and some of these regexes backtrack).
    ``max_line``: the longest line the pattern is tried on.
    ``whole``: each ``/``- or comma-separated name must be an agency by itself (for
    short, ambiguous shapes such as ``(X) —``); otherwise agencies are looked for
    inside the names. ``default_kind``: kind given to names that are not agencies;
    None keeps agencies only.
    """

    needles: tuple[str, ...]
    regex: re.Pattern[str]
    relation: str
    default_kind: str | None
    whole: bool = False
    max_line: int = MAX_LINE_CHARS


def _pattern(
    needles: tuple[str, ...],
    regex: str,
    relation: str = "credit",
    default_kind: str | None = None,
    *,
    whole: bool = False,
    max_line: int = MAX_LINE_CHARS,
    flags: int = re.I,
) -> _CreditPattern:
    """A compiled ``_CreditPattern`` (case-insensitive unless ``flags`` says otherwise)."""
    return _CreditPattern(
        needles, re.compile(regex, flags), relation, default_kind, whole, max_line
    )


#: The place of a dateline: a capitalised word, then up to 70 characters ("HAYWARD, Calif.").
_PLACE = r"[^\W\d_][^()\n/]{0,70}?"
#: Where a credited name ends in a sentence such as "... first appeared on X and is ...".
_NAME_END = r"(?=\s+(?:and|on|under|with)\b|\.(?!\S)|[,;(]|$)"
CREDIT_PATTERNS = (
    # PARIS (AFP) — / HAYWARD, Calif. (AP) — / (ANSA) - ROMA, 28 LUG -
    _pattern(
        ("(",),
        rf"^(?:{_PLACE}\s*)?\((?P<names>[^()\n]{{2,30}})\)\s*(?:-{{1,2}}|–|—|:)\s",
        whole=True,
        flags=0,
    ),
    # МОСКВА, 29 июня. /ТАСС/.
    _pattern(("/",), rf"^{_PLACE}\s/(?P<names>[^/\n]{{2,20}})/\s*[.\-–—]", whole=True, flags=0),
    # Source: Al Jazeera / Quelle: dpa / 来源：新华网
    _pattern(
        (":", "："),
        r"^(?:sources?|fontes?|fuentes?|quellen?|источник|джерело|来源|來源|出典"
        r"|출처)\s*[:：]\s*(?P<names>[^\n]{2,80})$",
        default_kind="organization",
    ),
    # This article first appeared on The Conversation.
    _pattern(
        ("first", "originally"),
        r"(?:(?:this|the)\s+(?:article|story|piece|report|post|column)\s+(?:was\s+)?|^)"
        r"(?:first|originally)\s+(?:appeared|published|ran)\s+(?:on|in|at|by)\s+"
        rf"(?P<names>(?:[^.\n]|\.(?=\S)){{2,80}}?){_NAME_END}",
        default_kind="organization",
    ),
    # Associated Press writers A and B contributed to this report.
    _pattern(
        ("contributed",),
        r"(?:^|(?<=[.!?]\s))(?P<names>[^.!?\n]{2,200}?)\s+contributed\s+"
        r"(?:to\s+this\s+(?:report|story|article)|(?:additional\s+)?reporting)",
        default_kind="person",
    ),
    # With additional reporting by Reuters / Reporting by A; editing by B
    _pattern(
        ("reporting by",),
        r"(?:additional\s+)?reporting\s+by\s+(?P<names>[^;.\n]{2,200})",
        default_kind="person",
    ),
    # Mit Material von dpa / Con información de EFE / Com informações da Reuters / Avec AFP
    _pattern(
        ("material", "información", "informações", "avec"),
        r"(?:mit\s+material\s+(?:von|der)|con\s+información\s+de"
        r"|com\s+informações\s+d[aoe]s?|^avec)\s+(?P<names>[^.\n]{2,60})",
        whole=True,
    ),
    # © AP 2026 / Copyright 2026 The Associated Press. All rights reserved.
    _pattern(
        ("©", "(c)", "copyright"), r"^(?:©|\(c\)|copyright\b)\s*(?:\d{4}\s*)?(?P<names>[^\n]{2,80})"
    ),
    # Hat das Potential zum Superstar: Mikaela Shiffrin. © AFP / JEFF PACHOUD
    _pattern(
        ("©", "(c)"), r"\S.*?(?:©|\(c\))\s*(?:\d{4}\s*)?(?P<names>[^\n]{2,80})", "photo_credit"
    ),
    # Photo: Jonathan Nackstrand/AFP / Foto: dpa
    _pattern(
        (":", "："),
        r"(?<!\w)(?:photo|foto|bild|image|picture|imagen|immagine)\s*[:：]\s*"
        r"(?P<names>[^\n]{2,80})",
        "photo_credit",
    ),
    # Von: det/dpa / APA/AP / (dpa)  -- a short line that is only a credit
    _pattern(
        ("",),
        r"^(?:(?:von|by|por|par|text|texto)\s*:?\s*)?\(?(?P<names>[\w.\- ]{2,30}"
        r"(?:\s*/\s*[\w.\- ]{1,30})*)\)?\.?$",
        whole=True,
        max_line=80,
    ),
    # ... stato designato per Torino-Roma. (ANSA).
    _pattern(("(",), r"\((?P<names>[\w/ ]{2,30})\)\.?\s*$", whole=True, flags=0),
)


# --- the entry point ------------------------------------------------------------------


def markup_links(
    *,
    outlet: Mapping[str, Any],
    bylines: Sequence[Byline],
    article_node: Mapping[str, Any] | None,
    canonical: Sequence[tuple[str, str]],
    page_url: str,
    text: str,
    tree: HtmlElement | None,
) -> list[dict[str, Any]]:
    """Attribution links the page declares, deduplicated, each relayed by the outlet.

    Args:
        outlet: the ``outlet`` object of the provenance document.
        bylines: the article's authors as extracted, with the method that found them.
        article_node: the page's main JSON-LD article, references resolved, or None.
        canonical: ``(absolute URL, source)`` pairs from ``rel=canonical`` and ``og:url``.
        page_url: the final URL of the capture.
        text: the normalised article text; offsets of credits found in it refer to it.
        tree: the parsed page, for credit elements outside the text.
    """
    links = LinkSet(outlet)
    for byline in bylines:
        party = registry().resolve(byline.name) or {
            "name": byline.name,
            "kind": byline.kind or "person",
        }
        links.add(party, "byline", f"{byline.method} author: {byline.name}", byline.method)
    if article_node:
        _jsonld_links(links, article_node)
    for url, source in canonical:
        party = _site_party(url)
        if party and _registrable(url) != _registrable(page_url):
            tag = (
                '<link rel="canonical" href="{}">'
                if source == "html"
                else '<meta property="og:url" content="{}">'
            )
            links.add(party, "republished_from", tag.format(url), "canonical")
    for party, relation, evidence, offset in text_credits(text):
        links.add(party, relation, evidence, "credit-line", offset)
    if tree is not None:
        # found in markup, so no offset: the same words in the text may be prose
        for party, relation, evidence in _element_credits(tree):
            links.add(party, relation, evidence, "credit-line")
    return links.items


class LinkSet:
    """Links in the order found, one per (source, relation), never the outlet itself.

    A credit naming someone already in the byline adds nothing and is dropped, and so
    is a second reading (markup after text) of the same evidence about the same party.
    """

    def __init__(self, outlet: Mapping[str, Any]) -> None:
        name = outlet.get("name") or outlet.get("domain") or "unknown"
        self.via: dict[str, Any] = {"name": name, "kind": "outlet"}
        if outlet.get("domain"):
            self.via["domain"] = outlet["domain"]
        self._own_names = {name_key(n) for n in (outlet.get("name"), outlet.get("domain")) if n}
        self._own_names.discard("")
        self._own_domain = _registrable("http://" + outlet.get("domain", ""))
        own_agency = registry().by_domain(self._own_domain) if self._own_domain else None
        if own_agency:  # an agency's own site: its datelines credit itself
            self._own_names.add(name_key(own_agency["name"]))
        self._seen: set[tuple[str, str, str]] = set()  # (name, kind, relation)
        self._said: set[tuple[str, str, str]] = set()  # (name, kind, evidence)
        self.items: list[dict[str, Any]] = []

    def is_self(self, party: Mapping[str, Any]) -> bool:
        """Whether ``party`` is the outlet (same name, a name it starts, or same site)."""
        name = name_key(party["name"])
        if party.get("domain") and _registrable("http://" + party["domain"]) == self._own_domain:
            return True
        return any(name == own or name.startswith(own + " ") for own in self._own_names)

    def add(
        self,
        party: dict[str, Any],
        relation: str,
        evidence: str,
        method: str,
        offset: int | None = None,
    ) -> None:
        key = (party["name"].casefold(), party["kind"], relation)
        said = (party["name"].casefold(), party["kind"], evidence)
        if key in self._seen or said in self._said or self.is_self(party):
            return
        if relation == "credit" and (key[0], key[1], "byline") in self._seen:
            return
        self._seen.add(key)
        self._said.add(said)
        link = {
            "source": party,
            "via": dict(self.via),
            "relation": relation,
            "evidence": evidence,
            "method": method,
        }
        if offset is not None:
            link["offset"] = offset
        self.items.append(link)


def _jsonld_links(links: LinkSet, node: Mapping[str, Any]) -> None:
    publisher = _party_of(node.get("publisher"), "organization")
    if publisher:
        links.add(publisher, "publisher", f"json-ld publisher: {publisher['name']}", "json-ld")
    for key, relation in (
        ("isBasedOn", "based_on"),
        ("isBasedOnUrl", "based_on"),
        ("sourceOrganization", "source_organization"),
        ("citation", "cites"),
    ):
        values = node.get(key)
        for value in values if isinstance(values, list) else [values]:
            party = _party_of(value, "organization")
            if party:
                links.add(party, relation, f"json-ld {key}: {_describe(value)}", "json-ld")


def _party_of(value: Any, default_kind: str) -> dict[str, Any] | None:
    """The party behind a JSON-LD value: an organization or person, a work's publisher, a URL."""
    if isinstance(value, str):
        if value.strip().lower().startswith(("http://", "https://")):
            return _site_party(value.strip())
        return _named_party(value, default_kind) if len(value) <= MAX_CREDIT_CHARS else None
    if not isinstance(value, Mapping):
        return None
    types = {t.casefold() for t in _as_list(value.get("@type")) if isinstance(t, str)}
    if types & {"person", "organization", "newsmediaorganization", "corporation"}:
        name = value.get("name")
        kind = "person" if "person" in types else "organization"
        return _named_party(name, kind) if isinstance(name, str) else None
    for key in ("publisher", "sourceOrganization", "author"):
        if party := _party_of(_first(value.get(key)), default_kind):
            return party
    url = value.get("url") or value.get("@id")
    return _site_party(url) if isinstance(url, str) else None


def _named_party(name: str, kind: str) -> dict[str, Any] | None:
    name = _WHITESPACE.sub(" ", name).strip()
    if not name:
        return None
    return registry().resolve(name) or {"name": name, "kind": kind}


def _site_party(url: str) -> dict[str, Any] | None:
    domain = _registrable(url)
    if not domain:
        return None
    return registry().by_domain(domain) or {"name": domain, "kind": "outlet", "domain": domain}


def _describe(value: Any) -> str:
    if isinstance(value, Mapping):
        return str(value.get("url") or value.get("name") or value.get("@id") or "")[:200]
    return str(value)[:200]


# --- credit lines ---------------------------------------------------------------------


def text_credits(text: str) -> Iterator[tuple[dict[str, Any], str, str, int]]:
    """Credit lines in the article text: (party, relation, evidence sentence, offset)."""
    folded_text = text.casefold()
    # A needle missing from the whole text is missing from every line: most articles
    # have no "contributed" or "first appeared", so most patterns drop out here.
    patterns = [p for p in CREDIT_PATTERNS if any(n in folded_text for n in p.needles)]
    offset = 0
    for line in text.split("\n"):
        folded = None  # casefolded only for a line short enough for some pattern
        for pattern in patterns:
            if len(line) > pattern.max_line:
                continue
            folded = line.casefold() if folded is None else folded
            if not any(n in folded for n in pattern.needles):
                continue
            for match in pattern.regex.finditer(line):
                for party in _credited(match.group("names"), pattern):
                    start, sentence = _sentence(line, match.start(), match.end())
                    yield party, pattern.relation, sentence, offset + start
        offset += len(line) + 1


def _credited(names: str, pattern: _CreditPattern) -> list[dict[str, Any]]:
    """Parties in a credit's name list: agencies from the registry, else the names."""
    names = re.sub(r"(?i)\ball rights reserved\b.*", "", names).strip(" .")
    tokens = [t.strip(" .,:;()") for t in _WORD_SPLIT.split(names)]
    if pattern.whole:
        agencies = [party for t in tokens if t and (party := registry().resolve(t))]
    else:
        agencies = [party for party, _ in registry().find(names)]
    if agencies or pattern.default_kind is None:
        return agencies
    parties = []
    for name in tokens:
        if 2 <= len(name) <= 80:
            if re.fullmatch(r"[\w-]+(\.[\w-]+)+", name):
                parties.append({"name": name, "kind": "outlet", "domain": name.lower()})
            else:
                parties.append({"name": name, "kind": pattern.default_kind})
    return parties


def _sentence(line: str, start: int, end: int) -> tuple[int, str]:
    """The sentence of ``line`` holding ``line[start:end]``: (its offset in the line, text)."""
    begin = 0
    for boundary in _SENTENCE_END.finditer(line, 0, start):
        begin = boundary.end()
    stop = len(line)
    if boundary := _SENTENCE_END.search(line, max(end - 1, begin)):
        stop = boundary.start()
    return begin, line[begin : min(stop, begin + MAX_EVIDENCE_CHARS)].rstrip()


_CREDIT_ELEMENT = re.compile("|".join(_CREDIT_CLASSES), re.I)
#: Measured on the corpus: 2-3 ms per page, where one XPath with contains() per class
#: fragment took 8-20 ms.
_MARKED = etree.XPath("//*[@class or @id]")
_COPYRIGHT = etree.XPath("//text()[contains(., '©')]/..")


def _element_credits(tree: HtmlElement) -> list[tuple[dict[str, Any], str, str]]:
    """Agencies named in short credit, byline and © elements outside page chrome.

    Only registry agencies count here: these elements also name photographers and the
    outlet's own staff, which the bylines already cover. Shortest evidence first, so a
    credit span wins over the byline block around it.
    """
    marked = [
        e
        for e in _MARKED(tree)
        if _CREDIT_ELEMENT.search(f"{e.get('class') or ''} {e.get('id') or ''}")
    ]
    found = []
    for element in marked + _COPYRIGHT(tree):
        if element.tag in _NOT_CREDITS:
            continue
        evidence = _WHITESPACE.sub(" ", " ".join(element.itertext())).strip()
        if not evidence or len(evidence) > MAX_CREDIT_CHARS or _in_chrome(element):
            continue
        relation = "photo_credit" if _on_picture(element) else "credit"
        found += [(party, relation, evidence) for party, _ in registry().find(evidence)]
    return sorted(found, key=lambda credit: len(credit[2]))


def _ancestry(element: HtmlElement, depth: int) -> list[HtmlElement]:
    """The element and up to ``depth`` ancestors below ``<body>`` (whose classes say little)."""
    nodes = []
    while element is not None and element.tag not in ("body", "html") and len(nodes) <= depth:
        nodes.append(element)
        element = element.getparent()
    return nodes


def _in_chrome(element: HtmlElement) -> bool:
    """Inside navigation, an aside, the site footer or a box about other stories."""
    ancestors = _ancestry(element, 30)
    for index, node in enumerate(ancestors):
        if node.tag in ("nav", "aside") or _CHROME.search(
            f"{node.get('class', '')} {node.get('id', '')}"
        ):
            return True
        # an <article> may have its own footer (credits live there); the page's is chrome
        if node.tag == "footer" and all(a.tag != "article" for a in ancestors[index + 1 :]):
            return True
    return False


def _on_picture(element: HtmlElement) -> bool:
    """On a figure or caption, or inside an element whose class says photo or image."""
    for node in _ancestry(element, 3):
        if node.tag in ("figure", "figcaption", "picture", "img"):
            return True
        if _PICTURE.search(f"{node.get('class', '')} {node.get('id', '')}"):
            return True
    return False


def name_key(name: str) -> str:
    """A name for comparison: casefolded, words only, without a leading "the"."""
    return " ".join(re.findall(r"\w+", name.casefold())).removeprefix("the ")


def _registrable(url: str) -> str | None:
    """The registrable domain of ``url`` (public suffix list), else its last two labels.

    The fallback covers reserved names such as ``.example`` that have no public suffix.
    """
    try:
        host = (urlsplit(url.strip()).hostname or "").rstrip(".")
    except ValueError:
        return None
    if not host:
        return None
    found = get_fld(host, fix_protocol=True, fail_silently=True)
    return str(found) if found else ".".join(host.split(".")[-2:])


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [] if value is None else [value]


def _first(value: Any) -> Any:
    return value[0] if isinstance(value, list) and value else value
