"""An article's main text: two extractors, one normalisation, one fingerprint.

Two text modes, chosen per capture run:

* ``full``: trafilatura's main-content extraction (the quality path). Measured on the 15
  annotated corpus bodies: token F1 0.971; about 20 ms per corpus page.
* ``fast``: resiliparse's main-content extraction (the capture-rate path): token F1
  0.937; 2-4 ms per corpus page, the serialisation below included. Its text also keeps
  headlines, bylines, captions and ad labels that trafilatura drops.

Both read the page's one lxml tree, already bounded by ``archiver.htmltree``
(``MAX_ELEMENTS``, and libxml2's nesting limit of 255 levels). resiliparse parses HTML
itself, so ``fast`` serialises that bounded tree for it rather than handing it the raw
body: resiliparse's main-content pass grows with the square of the nesting depth
(measured: 6 ms at 256 levels, 0.6 s at 4,000, 5 minutes for a 100,000-level page),
while the round trip through lxml costs about 1 ms per corpus page and gave the same
text as the raw body on all 53 corpus pages.

Whatever the mode, the text is normalised by ``normalise_text`` and fingerprinted by
``text_blake3``; ``article.extractor`` (``extractor_label``) names the extractor and its
version, since the same page gives different text under the two. The extractors may
raise on hostile input; ``archiver.extract`` runs them guarded.
"""

from __future__ import annotations

import unicodedata
from functools import cache
from importlib.metadata import PackageNotFoundError, version

import blake3
import lxml.html

#: Text mode -> the package that extracts the text (also the ``sources.text`` value).
TEXT_EXTRACTORS = {"full": "trafilatura", "fast": "resiliparse"}
#: trafilatura precision mode. Measured on the corpus: the same token F1 as balanced mode
#: on the annotated bodies (0.971 vs 0.971), about 8% less time (17.9 vs 19.5 ms per
#: page), and it keeps cookie notices and page headers out of the fingerprinted text
#: (it also dropped two closing paragraphs of one unannotated page).
FAVOR_PRECISION = True
#: resiliparse options: main content only, paragraphs kept as lines, and none of the
#: extras that are not article prose (list bullets, alt texts, link targets, form
#: fields, noscript blocks, comment sections).
RESILIPARSE_OPTIONS = {
    "main_content": True,
    "preserve_formatting": True,
    "list_bullets": False,
    "alt_texts": False,
    "links": False,
    "form_fields": False,
    "noscript": False,
    "comments": False,
}


def check_text_mode(text_mode: str) -> str:
    """``text_mode`` itself when it is one of ``TEXT_EXTRACTORS``, else ValueError."""
    if text_mode not in TEXT_EXTRACTORS:
        known = ", ".join(repr(mode) for mode in TEXT_EXTRACTORS)
        raise ValueError(f"unknown text mode {text_mode!r} (expected one of {known})")
    return text_mode


def main_text(tree: lxml.html.HtmlElement, *, url: str, text_mode: str) -> str:
    """The normalised main text of a parsed page with the mode's extractor ("" if none).

    trafilatura copies the tree before it prunes; resiliparse reads a serialisation of
    it. Either way ``tree`` is left as it was, for the other readers of the page.
    """
    if check_text_mode(text_mode) == "fast":
        from resiliparse.extract.html2text import extract_plain_text
        from resiliparse.parse.html import HTMLTree

        html = lxml.html.tostring(tree, encoding="unicode")
        return normalise_text(extract_plain_text(HTMLTree.parse(html), **RESILIPARSE_OPTIONS))
    from trafilatura import bare_extraction

    document = bare_extraction(
        tree,
        url=url,
        favor_precision=FAVOR_PRECISION,
        include_comments=False,
        include_tables=True,
        with_metadata=False,
    )
    return normalise_text(getattr(document, "text", None) or "")


def normalise_text(text: str) -> str:
    """NFC, whitespace runs inside a paragraph collapsed, empty paragraphs dropped.

    ``str.split()`` splits on exactly the characters that ``re``'s ``\\s`` matches
    (checked over every code point) and is about three times faster on a 100 KB text.
    In ASCII text with no whitespace but spaces and newlines, a line without a double,
    leading or trailing space is already collapsed; skipping those lines halves the
    cost on a typical article.
    """
    text = unicodedata.normalize("NFC", text)
    if text.isascii() and not any(space in text for space in _OTHER_ASCII_SPACE):
        lines = (
            line if "  " not in line and line[:1] != " " and line[-1:] != " "
            else " ".join(line.split())
            for line in text.split("\n")
        )
    else:
        lines = (" ".join(line.split()) for line in text.splitlines())
    return "\n".join(line for line in lines if line)


#: ASCII whitespace other than space and newline (what ``str.split()`` also splits on).
_OTHER_ASCII_SPACE = "\t\r\x0b\x0c\x1c\x1d\x1e\x1f"


def text_blake3(text: str) -> str | None:
    """``blake3:<hex>`` of the UTF-8 text, or None for empty text."""
    return "blake3:" + blake3.blake3(text.encode("utf-8")).hexdigest() if text else None


@cache
def extractor_label(text_mode: str = "full") -> str:
    """The mode's text extractor and its installed version, e.g. ``trafilatura 2.3.1``."""
    package = TEXT_EXTRACTORS[check_text_mode(text_mode)]
    try:
        return f"{package} {version(package)}"
    except PackageNotFoundError:  # pragma: no cover - both are dependencies
        return package
