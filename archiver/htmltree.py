"""From a response body to the page's one parsed tree: charset, decoding, lxml, bounds.

``decode`` reads at most ``MAX_PARSE_BYTES`` of the body in the codec that
``detect_charset`` finds (a BOM, the Content-Type header's charset, ``<meta charset>``,
else UTF-8; WHATWG labels map to the codecs browsers use for them). ``parse`` turns that
text into an lxml tree with trafilatura's parser settings and keeps the first
``MAX_ELEMENTS`` elements. The body is untrusted network input: nothing here raises on
garbage, and a page with nothing to parse gives None. ``archiver.extract`` decides the
page's facts from the tree; ``archiver.textextract`` takes its main text from it.
"""

from __future__ import annotations

import codecs
import itertools
import logging
import re

import lxml.html
from lxml import etree

LOGGER = logging.getLogger(__name__)
LOGGER.addHandler(logging.NullHandler())  # a library's logger: the application decides

#: Only this much of the body is decoded and parsed. News article pages run 50-500 KB
#: (the largest of 53 in the test corpus is 435 KB; pages carrying a big inline app
#: state reach 2-3 MB, mostly script); past 4 MiB the rest is comments, listings or
#: hostile padding, and every later stage costs time in proportion to what is kept.
MAX_PARSE_BYTES = 4 * 1024 * 1024
#: Elements kept of the parsed tree, in document order. The largest corpus page has
#: 2,285; trafilatura spends about 40 µs per element on link tables and grows faster
#: than linearly on long paragraph runs; this keeps a hostile page to 1-2 s (measured).
MAX_ELEMENTS = 20_000
#: How far into the body ``<meta charset>`` is looked for. The HTML standard's prescan
#: stops at 1024 bytes; real pages often put long comments or scripts first.
CHARSET_PRESCAN_BYTES = 8192
#: WHATWG encoding labels whose Python codec is not the label's literal meaning
#: (browsers read "iso-8859-1" as windows-1252, "gb2312" as GBK, and so on).
_CODEC_ALIASES = {
    label: codec
    for codec, labels in {
        "cp1252": "iso-8859-1 iso8859-1 latin1 latin-1 l1 ascii us-ascii",
        "gb18030": "gb2312 gbk x-gbk",
        "cp932": "shift_jis sjis x-sjis",
        "cp949": "euc-kr ks_c_5601-1987",
        "cp874": "tis-620",
        "cp1254": "iso-8859-9",
        "utf-8": "utf8 unicode-1-1-utf-8",
    }.items()
    for label in labels.split()
}
_META_CHARSET = re.compile(rb"""<meta\b[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]{1,40})""", re.I)
_HEADER_CHARSET = re.compile(r"""charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]{1,40})""", re.I)
#: Characters libxml2 cannot hold in a tree (C0 controls other than tab, LF and CR).
_CONTROL_BYTES = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20)])


def detect_charset(html: bytes, content_type: str | None = None) -> str:
    """The Python codec for ``html``: BOM, then the header's charset, then ``<meta>``, else UTF-8.

    The BOM wins as in the HTML standard's sniffing; unknown labels are skipped.
    """
    if html.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if html.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    header = _HEADER_CHARSET.search(content_type or "")
    meta = _META_CHARSET.search(html[:CHARSET_PRESCAN_BYTES])
    labels = [
        header.group(1) if header else None,
        meta.group(1).decode("ascii", "replace") if meta else None,
    ]
    for label in labels:
        codec = _codec(label)
        # a <meta> cannot declare UTF-16: the bytes that declared it were ASCII-compatible
        if codec and not (label is labels[1] and codec.startswith("utf-16")):
            return codec
    return "utf-8"


def _codec(label: str | None) -> str | None:
    if not label:
        return None
    label = label.strip().lower()
    name = _CODEC_ALIASES.get(label, label)
    try:
        codec = codecs.lookup(name).name
        # Python codecs that are no page encoding fail here: "quopri" (bytes to bytes),
        # "idna" (strict only), "punycode" (ASCII only)
        b"<\x80\xff".decode(codec, errors="replace")
    except (LookupError, UnicodeError):
        return None
    return codec


def decode(html: bytes | str, content_type: str | None) -> str:
    """The first ``MAX_PARSE_BYTES`` of the body as text, in its ``detect_charset`` codec;
    undecodable bytes become U+FFFD."""
    if isinstance(html, str):
        return html[:MAX_PARSE_BYTES]
    body = bytes(html[:MAX_PARSE_BYTES])
    return body.decode(detect_charset(body, content_type), errors="replace")


def parse(text: str) -> lxml.html.HtmlElement | None:
    """The page as an lxml tree of at most ``MAX_ELEMENTS`` elements; None when the text
    is blank once control characters are dropped, or lxml cannot parse it."""
    # In UTF-8 a control character is exactly one byte below 0x20, never part of a
    # multi-byte sequence, so deleting those bytes equals deleting the characters (and
    # bytes.translate does it about ten times faster than a regex over the text).
    data = text.encode("utf-8", "replace").translate(None, _CONTROL_BYTES)
    if not data.decode("utf-8").strip():
        return None
    try:
        # trafilatura's own parser settings, so the shared tree is what it expects; a new
        # parser per page because lxml parsers must not be shared between threads
        parser = lxml.html.HTMLParser(
            encoding="utf-8",
            collect_ids=False,
            default_doctype=False,
            remove_comments=True,
            remove_pis=True,
        )
        tree = lxml.html.document_fromstring(data, parser=parser)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError) as error:
        LOGGER.debug("unparseable page: %s", error)
        return None
    # Each element but the few the parser implies (html, body, p) starts at a "<", so a
    # page with few of them cannot exceed the limit, and most pages skip the walk.
    if data.count(b"<") > MAX_ELEMENTS // 2:
        _truncate(tree, MAX_ELEMENTS)
    return tree


def _truncate(tree: lxml.html.HtmlElement, limit: int) -> None:
    """Drop, in place, every element after the first ``limit`` in document order."""
    cut = next(itertools.islice(tree.iter(), limit, None), None)
    if cut is None:
        return
    node = cut
    while (parent := node.getparent()) is not None:
        for sibling in list(node.itersiblings()):
            parent.remove(sibling)
        node = parent
    cut.getparent().remove(cut)
