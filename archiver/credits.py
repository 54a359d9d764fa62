"""Credits a page gives in its text and in its markup: who a credit line or a credit
element names, with the relation and the evidence.

``text_credits`` reads the normalised article text line by line: datelines ("PARIS
(AFP) —", "МОСКВА. /ТАСС/."), "Source: X", "X contributed to this report" (the agency
and each writer), "With additional reporting by X", "This article first appeared on X",
"© AP", "det/dpa", byline lines ("Von A, B und C, NDR"), the signature of an embedded
tweet ("— Elon Musk (@elonmusk) March 16, 2020") and "KVELLER via JTA —".
``element_credits`` reads short credit, byline, caption and © elements outside page
chrome; a picture credit in them is read as a chain by ``archiver.picture_credits``.
``archiver.attribution`` turns both into links.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, NamedTuple

from lxml import etree
from lxml.html import HtmlElement

from .parties import PRESS, registry
from .picture_credits import caption_credit, credit_chain

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
    "firma",
    "caption",
)
#: Ancestors whose content is about other stories or the whole site, not this article.
#: Class fragments of page chrome; not "sticky-sidebar-parent" / "-relative", layout
#: classes of the story column that has a sticky sidebar beside it.
_CHROME = re.compile(
    r"related|recommend|teaser|promo|sidebar(?!-(?:parent|relative))|most-?read|newsletter|"
    r"comment",
    re.I,
)
#: Class fragments (on the element or its parents) saying a credit belongs to a picture.
_PICTURE = re.compile(
    r"(?:^|[\s_-])(?:photo|image|img|picture|caption|foto|bild|media|gallery)s?(?:$|[\s_-])", re.I
)
#: Elements never read as credits (their text is code or the whole page).
_NOT_CREDITS = frozenset({"script", "style", "meta", "link", "body", "html", "head", "template"})
_WORD_SPLIT = re.compile(r"\s*(?:[,;/&]|\band\b|\bund\b|\bet\b|\by\b|\be\b)\s*", re.I)
_SENTENCE_END = re.compile(r"(?<=[.!?。！？])\s+")
_WHITESPACE = re.compile(r"\s+")

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
    None keeps agencies only. ``chained``: the names are a picture credit, read as a
    chain (``archiver.picture_credits``) when they parse as one.
    """

    needles: tuple[str, ...]
    regex: re.Pattern[str]
    relation: str
    default_kind: str | None
    whole: bool = False
    max_line: int = MAX_LINE_CHARS
    chained: bool = False


def _pattern(
    needles: tuple[str, ...],
    regex: str,
    relation: str = "credit",
    default_kind: str | None = None,
    *,
    whole: bool = False,
    max_line: int = MAX_LINE_CHARS,
    flags: int = re.I,
    chained: bool = False,
) -> _CreditPattern:
    """A compiled ``_CreditPattern`` (case-insensitive unless ``flags`` says otherwise)."""
    return _CreditPattern(
        needles, re.compile(regex, flags), relation, default_kind, whole, max_line, chained
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
        ("©", "(c)", "copyright"),
        r"^(?:©|\(c\)|copyright\b)\s*(?:\d{4}\s*)?(?P<names>[^\n]{2,80})",
        chained=True,
    ),
    # Hat das Potential zum Superstar: Mikaela Shiffrin. © AFP / JEFF PACHOUD
    _pattern(
        ("©", "(c)"),
        r"\S.*?(?:©|\(c\))\s*(?:\d{4}\s*)?(?P<names>[^\n]{2,80})",
        "photo_credit",
        chained=True,
    ),
    # Photo: Jonathan Nackstrand/AFP / Foto: dpa
    _pattern(
        (":", "："),
        r"(?<!\w)(?:photo|foto|bild|image|picture|imagen|immagine)\s*[:：]\s*"
        r"(?P<names>[^\n]{2,80})",
        "photo_credit",
        chained=True,
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
    # Von A, B und C, NDR / Auteur : Kossivi Tiassou  -- a line that is only a byline
    _pattern(
        ("",),
        r"^(?:von|by|por|par|di|auteur|autor|author|autore)\s*:?\s+(?P<names>[^\n]{2,150})$",
        "byline",
        "person",
        max_line=170,
    ),
    # — Elon Musk (@elonmusk) March 16, 2020  -- the signature of an embedded tweet
    _pattern(
        ("(@",),
        r"^[—–-]\s*(?P<names>[^()\n]{2,60}?)\s*\(@\w{1,30}\)\s*[^\W\d]+\.?\s+\d{1,2},\s*\d{4}\s*$",
        "said",
        "person",
        flags=0,
    ),
    # KVELLER via JTA — The state of Washington ...
    _pattern(
        (" via ",),
        r"^(?P<names>[^\W\d_][\w.'’ -]{1,40}?\s+via\s+[\w.'’ -]{2,40}?)\s*(?:—|–|--)\s",
        chained=True,
    ),
)


# --- credit lines ---------------------------------------------------------------------


class Credit(NamedTuple):
    """A party a credit names, relayed by ``via`` (None: the outlet)."""

    party: dict[str, Any]
    relation: str
    evidence: str
    offset: int | None = None
    via: dict[str, Any] | None = None


def text_credits(text: str) -> Iterator[Credit]:
    """Credit lines in the article text, with their evidence sentence and its offset."""
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
                start, sentence = _sentence(line, match.start(), match.end())
                names = match.group("names")
                if pattern.relation == "byline":
                    for party, relation in _byline_names(names):
                        yield Credit(party, relation, sentence, offset + start)
                    continue
                chain = credit_chain(names) if pattern.chained else []
                for party, via in chain or [(p, None) for p in _credited(names, pattern)]:
                    yield Credit(party, pattern.relation, sentence, offset + start, via)
        offset += len(line) + 1


def _credited(names: str, pattern: _CreditPattern) -> list[dict[str, Any]]:
    """Parties in a credit's name list: agencies from the registry, else the names."""
    names = re.sub(r"(?i)\ball rights reserved\b.*", "", names).strip(" .")
    tokens = [t.strip(" .,:;()") for t in _WORD_SPLIT.split(names)]
    if pattern.whole:
        agencies = [party for t in tokens if t and (party := registry().resolve(t))]
    else:
        agencies = [party for party, _ in registry().find(names)]
    if agencies and pattern.default_kind == "person":
        # "Associated Press writers A and B contributed": the writers, not only the agency
        return agencies + [{"name": name, "kind": "person"} for name in _writers(tokens)]
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


_AND = re.compile(r"\s+(?:and|und|et|y|e)\s+")
_STAFF_PREFIX = re.compile(
    r"^.*?\b(?:writers?|reporters?|correspondents?|journalists?|staff|photographers?)\s+"
)


def _writers(tokens: list[str]) -> list[str]:
    """The people's names among a credit's tokens ("Associated Press writers Alan Fram")."""
    names = []
    for token in tokens:
        name = _STAFF_PREFIX.sub("", token)
        words = name.split()
        if (
            2 <= len(words) <= 4
            and all(word[0].isupper() for word in words)
            and next(registry().find(name), None) is None
        ):
            names.append(name)
    return names


def _byline_names(names: str) -> list[tuple[dict[str, Any], str]]:
    """The people of a byline line, and the affiliation after its last comma ("Von A, B und
    C, NDR"; "By Hannah Okafor, Coastal Science Weekly") as a credit. None when a part is
    neither a name nor a party: "By the time we arrived" is no byline."""
    *people, last = re.split(r"\s*,\s*", names.strip(" ."))
    affiliation = None
    if people and not _AND.search(last):  # "A, B and C" ends with a name, "A, NDR" not
        affiliation = registry().resolve(last, kinds=PRESS)
        if affiliation is None and all(word[0].isupper() for word in last.split()):
            affiliation = {"name": last, "kind": "organization"}
        if affiliation is None:
            return []
    parts = people if affiliation else [*people, last]
    tokens = [token for part in parts for token in _AND.split(part)]
    writers = _writers(tokens)
    if not tokens or len(writers) < len(tokens):
        return []
    found = [({"name": name, "kind": "person"}, "byline") for name in writers]
    return found + ([(affiliation, "credit")] if affiliation else [])


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
_MARKED = etree.XPath("//*[@class or @id]")
#: Every class and id value, in document order; each knows its element (getparent).
_CLASS_AND_ID = etree.XPath("//@class | //@id")
_COPYRIGHT = etree.XPath("//text()[contains(., '©')]/..")
_CAPTIONS = etree.XPath("//figcaption")
#: Class fragments of elements holding a picture's credit or caption.
_PICTURE_CREDIT = re.compile(r"credit|copyright|photographer|fotograf", re.I)
_CAPTION_CLASS = re.compile(r"caption|legend", re.I)
#: Longest caption searched for a picture credit at its end.
MAX_CAPTION_CHARS = 400


def element_credits(tree: HtmlElement) -> list[Credit]:
    """Credits in short credit, byline, caption and © elements outside page chrome.

    A picture credit ("Ou Dongqu/Xinhua/ZUMA", a caption ending "(AP Photo/Ted S.
    Warren)") is read as a chain with its photographer. Otherwise only registry agencies
    count here: these elements also name the outlet's own staff, which the bylines
    already cover. Shortest evidence first, so a credit span wins over the caption or
    byline block around it.
    """
    found = []
    for element in _credit_classed(tree) + _COPYRIGHT(tree) + _CAPTIONS(tree):
        if element.tag in _NOT_CREDITS:
            continue
        evidence = _WHITESPACE.sub(" ", " ".join(element.itertext())).strip()
        if not evidence or len(evidence) > MAX_CAPTION_CHARS or _in_chrome(element):
            continue
        relation = "photo_credit" if _on_picture(element) else "credit"
        classes = f"{element.get('class') or ''} {element.get('id') or ''}"
        caption = element.tag == "figcaption" or bool(_CAPTION_CLASS.search(classes))
        chain = []
        if not caption and (_PICTURE_CREDIT.search(classes) or relation == "photo_credit"):
            chain = credit_chain(evidence)  # the whole element is the credit
        if not chain and (caption or _PICTURE_CREDIT.search(classes)):
            chain = credit_chain(caption_credit(evidence) or "")
        if chain:
            if any(party["kind"] == "person" for party, _ in chain):
                relation = "photo_credit"  # a photographer's name says it
            found += [Credit(party, relation, evidence, None, via) for party, via in chain]
        elif len(evidence) <= MAX_CREDIT_CHARS and not caption:
            # a caption names agencies in its story ("AFP's office in Gaza"), not as credits
            found += [Credit(party, relation, evidence) for party, _ in registry().find(evidence)]
    return sorted(found, key=lambda credit: len(credit.evidence))


def _credit_classed(tree: HtmlElement) -> list[HtmlElement]:
    """Elements whose class or id holds a credit fragment ("byline", "credit"...), in
    document order.

    Measured on corpus and benchmark pages: 0.7 ms per page, where a regex per element
    took 1.5 ms and one XPath with contains() per fragment 8-20 ms. ASCII values (nearly
    all) are searched in one lower-cased string with ``str.find``; ``str.lower`` keeps
    ASCII offsets, which map each hit back to its value.
    """
    values = _CLASS_AND_ID(tree)
    joined = "\n".join(values)
    if not joined.isascii():
        return [element for element in _MARKED(tree) if _CREDIT_ELEMENT.search(
            f"{element.get('class') or ''} {element.get('id') or ''}")]
    joined = joined.lower()
    hits = set()
    for fragment in _CREDIT_CLASSES:
        at = joined.find(fragment)
        while at >= 0:
            hits.add(at)
            at = joined.find(fragment, at + 1)
    starts, position = [], 0
    for value in values:
        starts.append(position)
        position += len(value) + 1
    elements = {}  # in document order, each once (its class and its id may both hit)
    for index in sorted({bisect.bisect_right(starts, hit) - 1 for hit in hits}):
        element = values[index].getparent()
        elements.setdefault(element, None)
    return list(elements)


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
        if node.tag == "article" and node.find(".//h1") is not None:
            # the story itself: layout classes around it ("sticky-sidebar-parent") say nothing
            return False
        if node.tag == "aside" and len(node) == 1 and node[0].tag == "figure":
            continue  # an aside holding one figure is a picture set in the story
        if node.tag in ("nav", "aside") or _CHROME.search(
            f"{node.get('class', '')} {node.get('id', '')}"
        ):
            return True
        # an <article> or a <figure> may have its own footer (credits live there); the
        # page's footer is chrome
        if node.tag == "footer" and all(
            a.tag not in ("article", "figure") for a in ancestors[index + 1 :]
        ):
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
