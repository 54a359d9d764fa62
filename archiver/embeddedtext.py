"""Article text kept in a page's script state, for app shells whose HTML holds none.

Pages built by JavaScript frameworks often serve an empty shell and carry the article
in a JSON object for the app to render: Apollo's ``window.__APOLLO_STATE__`` (the
South China Morning Post), Next.js's ``__NEXT_DATA__``, Arc Publishing's
``Fusion.globalContent``, Nuxt's ``__NUXT__``, or JSON-LD's ``articleBody``. Each
nests the body its own way, but all keep it either as an array of blocks (paragraphs,
crossheads, quotes), each holding its words in fields such as ``data``, ``text``,
``content`` or ``value`` (split into inline runs where a link or an emphasis starts,
or as an HTML fragment), or as one long string. ``embedded_text`` finds, across the
JSON of the page's scripts, the candidate whose blocks hold the most prose and joins
them as paragraphs.

Script state often holds other stories too (related articles, with their whole
bodies), so a candidate counts only inside the object of *this* article: the nearest
object above it that has a headline field must give the page's own headline (its
``og:title``, ``twitter:title``, ``<title>`` or a part of it, or an ``<h1>``). A page
whose state names no such object gets no text from here: better none than another
article's.

``archiver.extract`` calls it only when the text extractor found (next to) nothing,
so a page whose HTML carries its article never goes through it. Bounded: scripts
over ``MAX_SCRIPT_CHARS`` are skipped, at most ``MAX_OBJECTS`` JSON parses are tried
on one page and ``MAX_VISITS`` values visited, each HTML string is parsed once, and
nesting deeper than Python's JSON parser allows is skipped.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from statistics import median
from typing import Any

import lxml.html

from . import __version__
from .textextract import normalise_text

#: ``article.extractor`` of a text read from script state.
EMBEDDED_EXTRACTOR = f"archiver {__version__} (script state)"
MAX_SCRIPT_CHARS = 8 * 1024 * 1024
#: JSON parse attempts per page: the state objects of a page, and a few false starts.
MAX_OBJECTS = 32
#: JSON values visited in all, counting a value once for each array above it.
MAX_VISITS = 2_000_000
#: Keys whose string values are a block's words (or an HTML fragment of them).
TEXT_KEYS = frozenset({"data", "text", "content", "value", "html", "body", "articlebody",
                       "plain", "markup"})
#: A candidate must have this many prose blocks, and prose must be this share of it.
MIN_PROSE_BLOCKS = 3
MIN_PROSE_SHARE = 0.6
#: Blocks longer than this (median) are whole articles: a list of related stories.
MAX_MEDIAN_BLOCK = 2000

#: Keys that name the story an object is (its own, or a related one's); a dict value
#: holds variants (Arc Publishing's ``"headlines": {"basic": ...}``).
_HEADLINE_KEYS = frozenset({"headline", "headlines", "title", "socialheadline",
                            "seoheadline", "seotitle"})
_TITLE_SEPARATORS = re.compile(r"\s+[|–—-]\s+|\s+::\s+")
_ASSIGNMENT = re.compile(r"""(?:^|[;,{\s(])[\w$.\[\]'"]+\s*=\s*(?=[{\[])""")
_SENTENCE_END = re.compile(r"[.!?…。！？][\"'”’»)]*(?:\s|$)")
_WORD_GAP = re.compile(r"\s")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")
_HTML = re.compile(r"<(?:p|br|div|span|a|em|strong|i|b|h[1-6]|li|blockquote)\b", re.I)


def embedded_text(tree: lxml.html.HtmlElement) -> str:
    """The article text found in the page's script state, normalised; "" if none."""
    headlines = _headlines(tree)
    if not headlines:
        return ""
    reader = _StateReader(headlines)
    best: tuple[int, list[str]] | None = None
    for document in _json_objects(tree):
        for blocks in reader.candidates(document):
            score = _prose_score(blocks)
            if score and (best is None or score > best[0]):
                best = (score, blocks)
    return normalise_text("\n".join(best[1])) if best else ""


def _json_objects(tree: lxml.html.HtmlElement) -> Iterator[Any]:
    """The JSON objects and arrays assigned or embedded in the page's inline scripts;
    at most MAX_OBJECTS parse attempts in all (a failed one may have read the rest of
    its script)."""
    attempts = 0
    decoder = json.JSONDecoder()
    for script in tree.iter("script"):
        code = script.text or ""
        if script.get("src") or len(code) > MAX_SCRIPT_CHARS or \
                ("{" not in code and "[" not in code):
            continue
        kind = (script.get("type") or "").strip().lower()
        starts = [len(code) - len(code.lstrip())] if kind.endswith("json") else \
            (match.end() for match in _ASSIGNMENT.finditer(code))
        for start in starts:
            if attempts >= MAX_OBJECTS:
                return
            attempts += 1
            try:
                value, _ = decoder.raw_decode(code, start)
            except (ValueError, RecursionError):
                continue
            if isinstance(value, dict | list):
                yield value


def _headlines(tree: lxml.html.HtmlElement) -> set[str]:
    """The page's own headline, as its markup gives it, each way normalised."""
    found = []
    for meta in tree.iter("meta"):
        if (meta.get("property") or meta.get("name") or "").lower() in ("og:title",
                                                                          "twitter:title"):
            found.append(meta.get("content") or "")
    title = tree.findtext(".//title") or ""
    found += [title, *_TITLE_SEPARATORS.split(title)]
    found += [h1.text_content() for h1 in list(tree.iter("h1"))[:3]]
    return {key for text in found if len(key := _normal(text)) >= 10}


def _normal(text: str) -> str:
    return " ".join(text.split()).strip(" .!?\"'“”‘’«»").casefold()


class _StateReader:
    """Walks script state within one budget of visits; each HTML string is parsed once
    however many arrays above it are weighed."""

    def __init__(self, headlines: set[str]) -> None:
        self.headlines = headlines
        self.visits = MAX_VISITS
        self._parsed: dict[int, tuple[str, list[str]]] = {}  # id -> (string, paragraphs)

    def candidates(self, document: Any) -> Iterator[list[str]]:
        """Inside this article's objects (see the module's docstring), each array as its
        blocks' texts and each long text string as its paragraphs, in document order."""
        stack: list[tuple[Any, str, bool]] = [(document, "", False)]
        while stack and self.visits > 0:
            value, key, ours = stack.pop()
            self.visits -= 1
            if isinstance(value, dict):
                named = [name for k, v in value.items() if k.lower() in _HEADLINE_KEYS
                         for name in (v.values() if isinstance(v, dict) else [v])
                         if isinstance(name, str)]
                if named:
                    ours = any(_normal(name) in self.headlines for name in named)
                stack.extend(reversed([(v, k.lower(), ours) for k, v in value.items()]))
            elif isinstance(value, list):
                if ours and len(value) >= MIN_PROSE_BLOCKS:
                    yield [self.block_text(item) for item in value]
                stack.extend(reversed([(item, key, ours) for item in value]))
            elif ours and isinstance(value, str) and key in TEXT_KEYS and len(value) >= 500:
                yield self.paragraphs(value)

    def block_text(self, block: Any) -> str:
        """A block's words: the text fields under it, in order, runs joined as written."""
        if isinstance(block, str):
            return self.paragraphs(block)[0] if _HTML.search(block) else block.strip()
        runs: list[str] = []
        stack = [(block, "")]
        while stack and self.visits > 0:
            value, key = stack.pop()
            self.visits -= 1
            if isinstance(value, dict):
                stack.extend(reversed([(v, k.lower()) for k, v in value.items()]))
            elif isinstance(value, list):
                stack.extend(reversed([(item, key) for item in value]))
            elif isinstance(value, str) and key in TEXT_KEYS:
                runs.append(" ".join(self.paragraphs(value)) if _HTML.search(value) else value)
        return "".join(runs).strip()

    def paragraphs(self, text: str) -> list[str]:
        """An HTML fragment's paragraphs as text, or a plain string's lines."""
        if not _HTML.search(text):
            return [line.strip() for line in text.splitlines() if line.strip()] or [""]
        held = self._parsed.get(id(text))
        if held is None or held[0] is not text:
            held = (text, _html_paragraphs(text))
            self._parsed[id(text)] = held
        return held[1]


def _html_paragraphs(text: str) -> list[str]:
    try:
        fragment = lxml.html.fragment_fromstring(text, create_parent="div")
    except (ValueError, lxml.etree.ParserError):
        return [""]
    for element in fragment.iter("br", "p", "div", "li", "blockquote", "h1", "h2", "h3", "h4"):
        element.tail = "\n" + (element.tail or "")
    lines = fragment.text_content().split("\n")
    return [line.strip() for line in lines if line.strip()] or [""]


def _prose_score(blocks: list[str]) -> int:
    """Characters of prose in ``blocks``, or 0 when they do not look like an article."""
    texts = [block for block in blocks if block]
    prose = [block for block in texts if _is_prose(block)]
    if len(prose) < MIN_PROSE_BLOCKS or median(len(block) for block in prose) > MAX_MEDIAN_BLOCK:
        return 0
    prose_chars = sum(len(block) for block in prose)
    if prose_chars < MIN_PROSE_SHARE * sum(len(block) for block in texts):
        return 0
    return prose_chars


def _is_prose(text: str) -> bool:
    """A sentence or more of running text (not a name, a URL or a label)."""
    if len(text) < 40 or not _SENTENCE_END.search(text):
        return False
    return len(_WORD_GAP.findall(text)) >= 5 or bool(_CJK.search(text))
