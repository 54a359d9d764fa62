"""What changed between two captures of one article: a word diff, field changes, a verdict.

``diff_versions(old, new)`` compares two ``Version``s (what one capture knows: its id,
time, URL, the page's claimed title, authors and dates, and the normalised article text
of ``archiver.extract``) and returns an ``ArticleDiff``: the word-level operations with
character offsets into both texts, the changed fields, a classification of the edit
(figures, quotes, paragraphs, headline, byline, correction notes) and whether it is a
*stealth edit*. ``ArticleDiff.to_document()`` gives ``schemas/diff.schema.json``;
``render_diff`` the terminal view.

**Comparison, not rewriting.** Texts are compared token by token (a token is a word, or
one punctuation mark or symbol; ideographs count one each) through a comparison key that
erases what a template or an extractor changes without an editor: Unicode compatibility
forms (NFKC), curly against straight quotes, hyphen and minus variants, soft hyphens and
zero-width characters, and all whitespace, paragraph breaks included. Offsets and texts
in the result are always those of the texts as given; the operations tile both texts, so
concatenating their ``old`` (``new``) texts gives the old (new) text back.

**Cost.** difflib's ``SequenceMatcher`` (``autojunk=False``: news text repeats "the" far
more than 1% of the time, and junking it gives absurd alignments) runs on paragraphs
first, then on the words of the paragraphs that differ. Its work grows with the product
of how often each token occurs in both sides, times the common runs it finds, so every
comparison is priced first (``_cost``): a block longer than ``WORD_BLOCK_TOKENS`` or
dearer than ``WORD_BUDGET`` is aligned by sentences first, then by words; a block still
over budget (a rewrite with no sentence in common, or hostile input such as one word
repeated 100,000 times) becomes one replace instead of minutes of CPU. Measured here:
two 10,000-word texts with scattered edits take about 60 ms (a third of it cutting the
texts into tokens), unrelated 10,000-word texts about 100 ms, 100,000 one-word
paragraphs under a second. Moved paragraphs show as removed and added.

**Stealth edit.** ``stealth_edit`` is true exactly when both captures have article text,
that text changed, the new version adds no correction or update note (a note already on
the page, unchanged, discloses an earlier edit, not this one), and the page does not
claim a new ``modified_at`` (the same instant in another notation, or no claim at all in
the new version, is "not changed": neither tells a reader that the text moved). The
note patterns (``NOTE_PATTERNS``) cover English, French, Spanish, German, Italian and
Portuguese.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections import Counter, defaultdict, deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from difflib import SequenceMatcher
from itertools import accumulate
from typing import Any

from .textextract import text_blake3

__all__ = [
    "NOTE_PATTERNS",
    "ArticleDiff",
    "Classification",
    "FieldChange",
    "FigureChange",
    "Operation",
    "QuoteChange",
    "Version",
    "diff_versions",
    "render_diff",
]

#: Upper bound on the inner-loop steps of ``SequenceMatcher``'s first search over one
#: block (``_cost``). Its later searches, one per common run found, rescan parts of the
#: block, so the time is about that cost times the runs: measured on unrelated English
#: blocks, 1,000 tokens a side cost 8-15 thousand steps and 6-8 ms, 4,000 tokens a side
#: 120-220 thousand steps and 120-200 ms.
WORD_BUDGET = 100_000
#: Longest block (tokens per side) that gets a word diff at once; longer blocks are
#: aligned by sentences first.
WORD_BLOCK_TOKENS = 1_500
#: An equal run of at most this many tokens between two edits, and no longer than either
#: edit, is folded into them: two rewritten sentences read better as one replacement
#: than cut into pieces around a "the" or a comma they happen to share.
FOLD_MAX_TOKENS = 4
#: A paragraph counts as added (removed) when at most this share of its words has a
#: counterpart in the other version; stray common words must not hide a new paragraph.
NEW_PARAGRAPH_MAX_MATCHED = 0.2
#: Words either side of a figure in its ``*_context``.
FIGURE_CONTEXT_WORDS = 3
#: Characters of a context paragraph shown around a change by ``render_diff``.
RENDER_CONTEXT_CHARS = 160

FIELDS = ("title", "authors", "published_at", "modified_at", "canonical_url")
_FIELD_LABELS = {"title": "Title", "authors": "Authors", "published_at": "Published",
                 "modified_at": "Modified", "canonical_url": "Canonical"}

# --- comparison keys -------------------------------------------------------------------

#: Typographic variants with one comparison form; None deletes (invisible characters).
_TYPOGRAPHY = str.maketrans(
    {
        **dict.fromkeys("\u2018\u2019\u201a\u201b\u2032\u02bc", "'"),
        **dict.fromkeys("\u201c\u201d\u201e\u201f\u2033", '"'),
        **dict.fromkeys("\u2010\u2011\u2012\u2212", "-"),
        **dict.fromkeys("\u00ad\u200b\u200c\u200d\u2060\ufeff", None),
    }
)
#: Paragraph breaks (the line breaks of ``str.splitlines``) or runs of non-space.
_BREAKS = frozenset("\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")
_CHUNK_OR_BREAK = re.compile(r"[\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]|\S+")
_CHUNK = re.compile(r"\S+")
_WORD_CHUNK = re.compile(r"\S*[^\W_]\S*")  # a run of non-space with a letter or digit
#: Scripts written without spaces between words: each character is a token.
_IDEOGRAPHIC = re.compile(r"[\u0e00-\u0e7f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_IDEOGRAPHIC_SPLIT = re.compile(
    r"[\u0e00-\u0e7f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]"
    r"|[^\u0e00-\u0e7f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+"
)
_SENTENCE_END = frozenset({".", "!", "?", "...", "。", "؟", "।"})  # keys: NFKC already


def _comparison_form(text: str) -> str:
    return unicodedata.normalize("NFKC", text).translate(_TYPOGRAPHY)


def _is_mark(char: str) -> bool:
    return unicodedata.category(char)[0] in "PS"


class _Tokens:
    """One text cut into tokens, with offsets, comparison keys and paragraph structure."""

    __slots__ = (
        "ends",
        "keys",
        "para_of",
        "paragraphs",
        "sentence_ends",
        "starts",
        "text",
        "word_sums",
        "words",
    )

    def __init__(self, text: str, cache: dict[str, str]) -> None:
        self.text = text
        self.starts: list[int] = []
        self.ends: list[int] = []
        self.keys: list[str] = []
        self.words: list[bool] = []
        self.para_of: list[int] = []
        self.paragraphs: list[tuple[int, int, int, int]] = []  # token range, char range
        first = 0
        keys, starts, ends, words = self.keys, self.starts, self.ends, self.words
        for match in _CHUNK_OR_BREAK.finditer(text):
            chunk = match.group()
            if chunk in _BREAKS:
                if len(keys) > first:
                    self._paragraph(first)
                    first = len(keys)
            elif chunk.isascii() and chunk.isalnum():  # most tokens: inlined ``_add``
                key = cache.get(chunk)
                if key is None:
                    key = cache[chunk] = _comparison_form(chunk)
                start = match.start()
                starts.append(start)
                ends.append(start + len(chunk))
                keys.append(key)
                words.append(True)
            else:
                self._add_chunk(chunk, match.start(), cache)
        if len(keys) > first:
            self._paragraph(first)
        self.word_sums = [0, *accumulate(self.words)]
        self.sentence_ends = {i + 1 for i, key in enumerate(self.keys) if key in _SENTENCE_END}
        self.sentence_ends.update(end for _, end, _, _ in self.paragraphs)

    def _paragraph(self, first: int) -> None:
        index, last = len(self.paragraphs), len(self.keys)
        self.para_of.extend([index] * (last - first))
        self.paragraphs.append((first, last, self.starts[first], self.ends[-1]))

    def _add_chunk(self, chunk: str, start: int, cache: dict[str, str]) -> None:
        if chunk.isalnum() and (chunk.isascii() or not _IDEOGRAPHIC.search(chunk)):
            self._add(chunk, start, cache, word=True)
            return
        if not chunk.isascii() and _IDEOGRAPHIC.search(chunk):
            for piece in _IDEOGRAPHIC_SPLIT.finditer(chunk):
                if len(piece.group()) == 1 and _IDEOGRAPHIC.match(piece.group()):
                    self._add(piece.group(), start + piece.start(), cache, word=True)
                else:
                    self._add_chunk(piece.group(), start + piece.start(), cache)
            return
        lo, hi = 0, len(chunk)
        while lo < hi and _is_mark(chunk[lo]):
            self._add(chunk[lo], start + lo, cache, word=False)
            lo += 1
        trailing = []
        while hi > lo and _is_mark(chunk[hi - 1]):
            hi -= 1
            trailing.append(hi)
        if lo < hi:
            self._add(chunk[lo:hi], start + lo, cache, word=True)
        for at in reversed(trailing):
            self._add(chunk[at], start + at, cache, word=False)

    def _add(self, token: str, start: int, cache: dict[str, str], *, word: bool) -> None:
        key = cache.get(token)
        if key is None:
            key = cache[token] = _comparison_form(token)
        if not key:  # only invisible characters: whitespace to the comparison
            return
        self.starts.append(start)
        self.ends.append(start + len(token))
        self.keys.append(key)
        self.words.append(word)

    def boundary(self, index: int) -> int:
        """Where the op starting at token ``index`` starts (ops own trailing whitespace)."""
        if index == 0:
            return 0
        return self.starts[index] if index < len(self.starts) else len(self.text)

    def word_count(self, lo: int, hi: int) -> int:
        return self.word_sums[hi] - self.word_sums[lo]

    def paragraph_text(self, index: int) -> str:
        _, _, start, end = self.paragraphs[index]
        return self.text[start:end]


def _key_of(text: str | None) -> str | None:
    """The comparison form of a short string (a title, a name); None stays None."""
    return None if text is None else " ".join(_comparison_form(text).split()).casefold()


# --- alignment -------------------------------------------------------------------------

_Op = tuple[str, int, int, int, int]  # tag, old token range, new token range
_Edit = tuple[int, int, int]  # character range on one side, index of the operation
_Span = tuple[int, int, str]  # character range and the text found there


def _cost(a: Sequence[str], b: Sequence[str]) -> int:
    """The inner-loop steps of SequenceMatcher's first longest-match search over a and b."""
    counts = Counter(b)
    return sum(counts[x] for x in a)


def _bounded_opcodes(a: Sequence[str], b: Sequence[str], a0: int, b0: int,
                     max_len: int | None = None) -> list[_Op] | None:
    """Opcodes of a against b shifted by (a0, b0); None when the middle is over budget.

    The common prefix and suffix are cut first (linear, and often all there is to do);
    what remains must be at most ``max_len`` items a side and cost at most ``WORD_BUDGET``.
    """
    lo = 0
    while lo < len(a) and lo < len(b) and a[lo] == b[lo]:
        lo += 1
    hi_a, hi_b = len(a), len(b)
    while hi_a > lo and hi_b > lo and a[hi_a - 1] == b[hi_b - 1]:
        hi_a, hi_b = hi_a - 1, hi_b - 1
    ops: list[_Op] = [("equal", a0, a0 + lo, b0, b0 + lo)] if lo else []
    mid_a, mid_b = a[lo:hi_a], b[lo:hi_b]
    if mid_a and mid_b:
        too_long = max_len is not None and max(len(mid_a), len(mid_b)) > max_len
        if too_long or _cost(mid_a, mid_b) > WORD_BUDGET:
            return None
        matcher = SequenceMatcher(None, mid_a, mid_b, autojunk=False)
        at_a, at_b = a0 + lo, b0 + lo
        ops += [(t, at_a + i1, at_a + i2, at_b + j1, at_b + j2)
                for t, i1, i2, j1, j2 in matcher.get_opcodes()]
    elif mid_a or mid_b:
        ops.append(("replace", a0 + lo, a0 + hi_a, b0 + lo, b0 + hi_b))
    if hi_a < len(a):
        ops.append(("equal", a0 + hi_a, a0 + len(a), b0 + hi_b, b0 + len(b)))
    return ops


def _groups(bounds: Sequence[tuple[int, int]], keys: list[str]) -> list[str]:
    return ["\x00".join(keys[lo:hi]) for lo, hi in bounds]


def _sentences(tokens: _Tokens, lo: int, hi: int) -> list[tuple[int, int]]:
    bounds, start = [], lo
    for index in range(lo + 1, hi + 1):
        if index in tokens.sentence_ends or index == hi:
            bounds.append((start, index))
            start = index
    return bounds


def _align_groups(old: _Tokens, new: _Tokens, ga: list[tuple[int, int]],
                  gb: list[tuple[int, int]],
                  refine: Callable[[int, int, int, int], list[_Op]]) -> list[_Op]:
    """Align two lists of token ranges by their keys, refining the ranges that differ."""
    ops: list[_Op] = []
    group_ops = _bounded_opcodes(_groups(ga, old.keys), _groups(gb, new.keys), 0, 0)
    if group_ops is None:
        group_ops = [("replace", 0, len(ga), 0, len(gb))]
    for tag, i1, i2, j1, j2 in group_ops:
        a_lo = ga[i1][0] if i1 < len(ga) else (ga[-1][1] if ga else 0)
        a_hi = ga[i2 - 1][1] if i2 > i1 else a_lo
        b_lo = gb[j1][0] if j1 < len(gb) else (gb[-1][1] if gb else 0)
        b_hi = gb[j2 - 1][1] if j2 > j1 else b_lo
        if tag == "equal" or a_lo == a_hi or b_lo == b_hi:
            ops.append((tag, a_lo, a_hi, b_lo, b_hi))
        else:
            ops += refine(a_lo, a_hi, b_lo, b_hi)
    return ops


def _align(old: _Tokens, new: _Tokens) -> list[_Op]:
    """Token opcodes: paragraphs first, then words, with sentences between when costly."""

    def words(a_lo: int, a_hi: int, b_lo: int, b_hi: int) -> list[_Op]:
        ops = _bounded_opcodes(old.keys[a_lo:a_hi], new.keys[b_lo:b_hi], a_lo, b_lo,
                               WORD_BLOCK_TOKENS)
        return ops if ops is not None else [("replace", a_lo, a_hi, b_lo, b_hi)]

    def sentences_then_words(a_lo: int, a_hi: int, b_lo: int, b_hi: int) -> list[_Op]:
        ops = _bounded_opcodes(old.keys[a_lo:a_hi], new.keys[b_lo:b_hi], a_lo, b_lo,
                               WORD_BLOCK_TOKENS)
        if ops is not None:
            return ops
        return _align_groups(old, new, _sentences(old, a_lo, a_hi),
                             _sentences(new, b_lo, b_hi), words)

    pa = [(lo, hi) for lo, hi, _, _ in old.paragraphs]
    pb = [(lo, hi) for lo, hi, _, _ in new.paragraphs]
    if not pa or not pb:
        ops = [("replace", 0, len(old.keys), 0, len(new.keys))]
    else:
        ops = _align_groups(old, new, pa, pb, sentences_then_words)
    return _merge(_slide(_cleanup(_merge(ops)), old, new))


def _merge(ops: Iterable[_Op]) -> list[_Op]:
    """Drop empty ops, join neighbours of one kind, and join adjacent edits into one."""
    merged: list[_Op] = []
    for tag, i1, i2, j1, j2 in ops:
        if i1 == i2 and j1 == j2:
            continue
        tag = "equal" if tag == "equal" else "edit"
        if merged and (merged[-1][0] == "equal") == (tag == "equal"):
            merged[-1] = (tag, merged[-1][1], i2, merged[-1][3], j2)
        else:
            merged.append((tag, i1, i2, j1, j2))
    return [_retag(op) for op in merged]


def _retag(op: _Op) -> _Op:
    tag, i1, i2, j1, j2 = op
    if tag != "equal":
        tag = "insert" if i1 == i2 else "delete" if j1 == j2 else "replace"
    return (tag, i1, i2, j1, j2)


def _cleanup(ops: list[_Op]) -> list[_Op]:
    """Fold short equal runs between two edits into them (see ``FOLD_MAX_TOKENS``)."""
    out: list[_Op] = []
    for op in ops:
        out.append(op)
        while len(out) >= 3 and out[-2][0] == "equal" and out[-1][0] != "equal" \
                and out[-3][0] != "equal":
            before, same, after = out[-3], out[-2], out[-1]
            run = same[2] - same[1]
            size_before = max(before[2] - before[1], before[4] - before[3])
            size_after = max(after[2] - after[1], after[4] - after[3])
            if run > min(FOLD_MAX_TOKENS, size_before, size_after):
                break
            out[-3:] = [_retag(("edit", before[1], after[2], before[3], after[4]))]
    return out


def _boundary_score(tokens: _Tokens, index: int) -> int:
    if index in (0, len(tokens.keys)) or tokens.para_of[index] != tokens.para_of[index - 1]:
        return 2
    return 1 if index in tokens.sentence_ends else 0


def _slide(ops: list[_Op], old: _Tokens, new: _Tokens) -> list[_Op]:
    """Move each pure insertion or deletion to the equivalent place that best fits the text.

    "GDP[+. Aftershocks continued+]." and "GDP.[+ Aftershocks continued.+]" say the same;
    the second keeps the new sentence whole. An edit slides over equal neighbours while
    the token leaving one end equals the one entering the other, and lands where its ends
    fall on paragraph (best) or sentence boundaries.
    """
    ops = list(ops)
    for k, (tag, i1, i2, j1, j2) in enumerate(ops):
        if tag not in ("insert", "delete"):
            continue
        tokens, lo, hi = (new, j1, j2) if tag == "insert" else (old, i1, i2)
        keys = tokens.keys
        prev = ops[k - 1] if k and ops[k - 1][0] == "equal" else None
        after = ops[k + 1] if k + 1 < len(ops) and ops[k + 1][0] == "equal" else None
        left_room = (prev[4] - prev[3]) if prev else 0
        right_room = (after[4] - after[3]) if after else 0
        shifts = [0]
        step = 1
        while step <= left_room and keys[lo - step] == keys[hi - step]:
            shifts.append(-step)
            step += 1
        step = 1
        while step <= right_room and keys[lo + step - 1] == keys[hi + step - 1]:
            shifts.append(step)
            step += 1
        best = max(shifts, key=lambda s: (_boundary_score(tokens, lo + s)
                                          + _boundary_score(tokens, hi + s), -abs(s)))
        if best:
            if prev:
                ops[k - 1] = ("equal", prev[1], prev[2] + best, prev[3], prev[4] + best)
            if after:
                ops[k + 1] = ("equal", after[1] + best, after[2], after[3] + best, after[4])
            ops[k] = (tag, i1 + best, i2 + best, j1 + best, j2 + best)
    return ops


# --- results ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class Version:
    """What one capture knows about the article: its identity, the page's claims, the text."""

    capture_id: str
    captured_at: str  # RFC 3339 UTC, as in the provenance document
    url: str
    title: str | None = None
    authors: tuple[str, ...] = ()
    published_at: str | None = None
    modified_at: str | None = None
    canonical_url: str | None = None
    text: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "authors", tuple(self.authors))

    @classmethod
    def from_provenance(cls, document: dict[str, Any], *, text: str) -> Version:
        """The version of a provenance document, with the article text re-extracted.

        The text is not in the document, only its BLAKE3 (``article.text_blake3``);
        compare it with the diff's ``text_blake3`` to know the text is the one captured.
        """
        article = document["article"]
        return cls(capture_id=document["capture_id"], captured_at=document["captured_at"],
                   url=document["final_url"], title=article.get("title"),
                   authors=tuple(article.get("authors") or ()),
                   published_at=article.get("published_at"),
                   modified_at=article.get("modified_at"),
                   canonical_url=article.get("canonical_url"), text=text)


@dataclass(frozen=True, slots=True, kw_only=True)
class Side:
    """One side of an operation: character offsets (code points) into that text, and it."""

    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Operation:
    """One step of the word diff: ``equal``, ``insert``, ``delete`` or ``replace``."""

    op: str
    old: Side
    new: Side


@dataclass(frozen=True, slots=True, kw_only=True)
class FieldChange:
    """A page claim that differs between the versions."""

    field: str
    before: str | list[str] | None
    after: str | list[str] | None


@dataclass(frozen=True, slots=True, kw_only=True)
class FigureChange:
    """A number that changed (both sides), appeared (``before`` None) or went (``after`` None)."""

    change: str
    before: str | None
    after: str | None
    before_context: str | None
    after_context: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class QuoteChange:
    """A quotation whose words changed, or that was added or removed."""

    change: str
    before: str | None
    after: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class Classification:
    """What kind of edit this is."""

    text_changed: bool
    headline_changed: bool
    byline_changed: bool
    figures_changed: tuple[FigureChange, ...] = ()
    quotes_changed: tuple[QuoteChange, ...] = ()
    paragraphs_added: tuple[str, ...] = ()
    paragraphs_removed: tuple[str, ...] = ()
    correction_note_added: bool = False
    correction_notes: tuple[str, ...] = ()  # notes in the new version that are new
    correction_note_present: bool = False  # any note in the new version, new or not
    typographic_changes: int = 0  # tokens that differ only in ignored ways


@dataclass(frozen=True, slots=True, kw_only=True)
class ArticleDiff:
    """Everything ``diff_versions`` found; ``to_document()`` is ``schemas/diff``."""

    old: Version
    new: Version
    fields: tuple[FieldChange, ...]
    classification: Classification
    stealth_edit: bool
    stealth_reason: str
    similarity: float
    words_added: int
    words_removed: int
    operations: tuple[Operation, ...] = field(repr=False)

    def to_document(self) -> dict[str, Any]:
        """The JSON document (``schemas/diff.schema.json``)."""
        c = self.classification

        def version(v: Version) -> dict[str, Any]:
            return {"capture_id": v.capture_id, "captured_at": v.captured_at, "url": v.url,
                    "text_blake3": text_blake3(v.text), "text_chars": len(v.text)}

        def side(s: Side) -> dict[str, Any]:
            return {"start": s.start, "end": s.end, "text": s.text}

        return {
            "schema_version": "1",
            "from": version(self.old),
            "to": version(self.new),
            "fields": [{"field": f.field, "before": f.before, "after": f.after}
                       for f in self.fields],
            "classification": {
                "text_changed": c.text_changed,
                "headline_changed": c.headline_changed,
                "byline_changed": c.byline_changed,
                "figures_changed": [
                    {"change": f.change, "before": f.before, "after": f.after,
                     "before_context": f.before_context, "after_context": f.after_context}
                    for f in c.figures_changed],
                "quotes_changed": [{"change": q.change, "before": q.before, "after": q.after}
                                   for q in c.quotes_changed],
                "paragraphs_added": {"count": len(c.paragraphs_added),
                                     "paragraphs": list(c.paragraphs_added)},
                "paragraphs_removed": {"count": len(c.paragraphs_removed),
                                       "paragraphs": list(c.paragraphs_removed)},
                "correction_note_added": c.correction_note_added,
                "correction_notes": list(c.correction_notes),
                "correction_note_present": c.correction_note_present,
                "typographic_changes": c.typographic_changes,
            },
            "stealth_edit": self.stealth_edit,
            "stealth_reason": self.stealth_reason,
            "similarity": self.similarity,
            "words_added": self.words_added,
            "words_removed": self.words_removed,
            "operations": [{"op": o.op, "old": side(o.old), "new": side(o.new)}
                           for o in self.operations],
        }


# --- classification --------------------------------------------------------------------

_FIGURE = re.compile(
    r"(?<![\dA-Za-z.,])"  # not inside "MP3" or "1.2.3"; ideographs may touch a number
    r"(?:(?:US|A|C|NZ|HK)?[$€£¥₹₽₩₺₪]\s?|(?:USD|EUR|GBP|CHF|JPY|CNY|INR|RUB|BRL)\s?)?"
    r"(?:\d{1,2}:\d\d(?::\d\d)?"  # times of day
    # 1,200 / 1.200 / 1'200 / 1 200 (no-break spaces become plain in normalised text)
    r"|\d{1,3}(?:[,.'’ \u00a0\u202f\u2009]\d{3}(?!\d))+(?:[.,]\d+)?"
    r"|\d+(?:[.,]\d+)?)"
    r"(?:\s?(?:%|‰|(?i:per\s?cent|percent|pour\s?cent|por\s?ciento|por\s?cento|per\s?cento"
    r"|prozent)\b))?"
    r"(?:\s?(?i:(?:million|billion|trillion|thousand|millions|milliards?|millionen"
    r"|milliarden|tausend|mil\s+millones|millones|milioni|miliardi|milhões|bilhões|bn|mn|tn"
    r"|[km])\b|mio\.|mrd\.))?"
    r"(?:\s?(?:[$€£¥₹]|(?:USD|EUR|GBP|CHF)\b|(?i:dollars?|euros?|pounds?|francs?|yuan|yen)\b))?"
    r"|\b(?i:two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen"
    r"|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy"
    r"|eighty|ninety|hundred|dozens?|hundreds|thousands|millions|billions)\b"
)
_QUOTE = re.compile(
    r"„([^“”\n]+)(?:[“”]|$)|“([^”\n]+)(?:”|$)|«([^»\n]+)(?:»|$)|»([^«\n]+)(?:«|$)"
    r'|"([^"\n]+)(?:"|$)|「([^」\n]+)(?:」|$)',
    re.MULTILINE,
)
_LEAD = r"^[\s*\[(«\"“„>•·|–—-]*"  # bullets, brackets, dashes before a label
#: A correction, update or editor's note, matched case-insensitively at the start of
#: every paragraph (and in the headline), and anywhere for the third group. The first group
#: are labels that open a paragraph and need a colon or dash ("Update:", "UPDATE 2-");
#: the second, dated labels at a paragraph's start ("Updated at 10:32", "Mis à jour le");
#: the third, sentences anywhere ("An earlier version of this article ...").
_NOTE_SOURCE = (
    _LEAD + r"(?:corrections?|updated?|clarification|editor['’]?s['’]? note|note to readers"
    r"|rectificatif|correctif|précision|erratum|mise à jour|note de la rédaction"
    r"|corrección|aclaración|fe de erratas|actualización|nota del editor"
    r"|nota de la redacción|korrektur|berichtigung|klarstellung|aktualisierung"
    r"|anmerkung der redaktion|korrekturhinweis|correzione|rettifica|precisazione"
    r"|aggiornamento|nota della redazione|errata corrige|correção|errata|esclarecimento"
    r"|atualização|nota do editor|nota da redação)\s*\d*\s*[:\-–—)\]]"
    r"|" + _LEAD + r"(?:(?:last\s+)?updated\s+(?:at|on|\d)|(?:zuletzt\s+)?aktualisiert"
    r"(?:\s+(?:am|um|\d)|:)|mise? à jour\s+(?:le|à|\d)|dernière mise à jour"
    r"|actualizado(?:\s+(?:el|a las|\d)|:)|última actualización"
    r"|aggiornato(?:\s+(?:il|alle|\d)|:)|ultimo aggiornamento"
    r"|atualizado(?:\s+(?:em|às|\d)|:)|última atualização)"
    r"|\b(?:this (?:article|story|post|report|piece) (?:has been|was) (?:updated|corrected"
    r"|amended)|an? (?:earlier|previous) version of this"
    r"|cet article a été (?:mis à jour|modifié|corrigé|actualisé)"
    r"|une (?:précédente|première) version de cet article"
    r"|este artículo (?:ha sido|fue) (?:actualizado|corregido|modificado)"
    r"|una versión anterior de (?:este|esta)"
    r"|dieser (?:artikel|beitrag|text) wurde (?:aktualisiert|korrigiert|ergänzt|geändert)"
    r"|in einer früheren version"
    r"|questo articolo è stato (?:aggiornato|corretto|modificato)"
    r"|una (?:precedente|versione precedente) (?:versione )?di questo articolo"
    r"|est[ea] (?:texto|artigo|reportagem|matéria) foi (?:atualizad|corrigid)[oa]"
    r"|uma versão anterior d(?:est)?[ea])"
)
NOTE_PATTERNS = re.compile(_NOTE_SOURCE.replace(" ", r"\s+"), re.IGNORECASE | re.MULTILINE)


def _note_keys(tokens: _Tokens) -> dict[str, str]:
    """Comparison key -> original text of every paragraph that is a correction/update note."""
    notes = {}
    starts = [start for _, _, start, _ in tokens.paragraphs]
    for match in NOTE_PATTERNS.finditer(tokens.text):
        index = bisect.bisect_right(starts, match.end() - 1) - 1
        if index >= 0:
            text = tokens.paragraph_text(index)
            notes[_key_of(text) or ""] = text
    return notes


def _windows(tokens: _Tokens, edits: list[_Edit]) -> list[tuple[int, int]]:
    """The character ranges of the paragraphs that hold an edit, overlapping ones merged."""
    starts = [start for _, _, start, _ in tokens.paragraphs]
    windows: list[tuple[int, int]] = []
    for start, end, _ in edits:
        if start == end or not starts:
            continue
        first = max(bisect.bisect_right(starts, start) - 1, 0)
        last = max(bisect.bisect_right(starts, end - 1) - 1, first)
        lo, hi = tokens.paragraphs[first][2], tokens.paragraphs[last][3]
        if windows and lo <= windows[-1][1] + 1:
            windows[-1] = (windows[-1][0], max(hi, windows[-1][1]))
        else:
            windows.append((lo, hi))
    return windows


def _spans(pattern: re.Pattern[str], text: str,
           windows: Iterable[tuple[int, int]] | None = None) -> list[_Span]:
    """Where ``pattern`` matches (its first non-empty group, else the whole match)."""
    found = []
    matches = (pattern.finditer(text) if windows is None else
               (m for lo, hi in windows for m in pattern.finditer(text, lo, hi)))
    for match in matches:
        group = next((g for g in range(1, (pattern.groups or 0) + 1) if match.group(g)), 0)
        if match.group(group).strip():
            found.append((match.start(group), match.end(group), match.group(group)))
    return found


def _edits_touching(spans: list[_Span], edits: list[_Edit], *,
                    insertions: bool = False) -> list[tuple[int, _Span]]:
    """(first edit index, span) for each span overlapping one of ``edits`` (start, end, index).

    With ``insertions``, an edit with nothing on this side (text inserted in the other
    version) touches a span when it sits inside the span or at either end of it.
    """
    starts = [start for start, _, _ in edits]
    touched = []
    for span in spans:
        at = max(bisect.bisect_left(starts, span[0]) - 1, 0)
        while at < len(edits) and edits[at][0] <= span[1]:
            start, end, index = edits[at]
            inside = (end > span[0] and start < span[1]) or (
                insertions and start == end and span[0] <= start <= span[1])
            if inside:
                touched.append((index, span))
                break
            at += 1
    return touched


def _context(tokens: _Tokens, start: int, end: int) -> str:
    """The text from a few words before ``start`` to a few after ``end``, in its paragraph."""
    _, _, para_start, para_end = tokens.paragraphs[
        tokens.para_of[bisect.bisect_right(tokens.starts, start) - 1]]
    window = max(para_start, start - 30 * FIGURE_CONTEXT_WORDS)
    limit = min(para_end, end + 30 * FIGURE_CONTEXT_WORDS)
    before = [m.start() for m in _WORD_CHUNK.finditer(tokens.text, window, start)]
    after = [m.end() for m in _WORD_CHUNK.finditer(tokens.text, end, limit)]
    lo = before[-FIGURE_CONTEXT_WORDS] if len(before) >= FIGURE_CONTEXT_WORDS else (
        before[0] if before else start)
    hi = after[FIGURE_CONTEXT_WORDS - 1] if len(after) >= FIGURE_CONTEXT_WORDS else (
        after[-1] if after else end)
    return tokens.text[lo:hi]


def _unit(tokens: _Tokens, end: int) -> str:
    """The word after a figure ("dead" in "12 dead"), to pair figures of one quantity."""
    following = tokens.text[end:end + 40].split()
    return following[0].casefold() if following else ""


def _figures(old: _Tokens, new: _Tokens, edits_old: list[_Edit],
             edits_new: list[_Edit]) -> list[FigureChange]:
    """Figures in or next to each edit, paired old with new within that edit.

    Within one edit, figures followed by the same word pair first ("12 dead" with
    "15 dead"), the rest in order; a figure left over was removed or added.
    """
    olds: dict[int, list[_Span]] = {}
    news: dict[int, list[_Span]] = {}
    figures_old = _spans(_FIGURE, old.text, _windows(old, edits_old))
    figures_new = _spans(_FIGURE, new.text, _windows(new, edits_new))
    for index, span in _edits_touching(figures_old, edits_old):
        olds.setdefault(index, []).append(span)
    for index, span in _edits_touching(figures_new, edits_new):
        news.setdefault(index, []).append(span)
    changes = []
    for index in sorted(set(olds) | set(news)):
        by_unit: defaultdict[str, deque[_Span]] = defaultdict(deque)
        for a in news.get(index, []):
            by_unit[_unit(new, a[1])].append(a)
        pairs: list[tuple[_Span | None, _Span | None]] = []
        before = []
        for b in olds.get(index, []):
            same_unit = by_unit.get(_unit(old, b[1]))
            if same_unit:
                pairs.append((b, same_unit.popleft()))
            else:
                before.append(b)
        paired = {id(a) for _, a in pairs}
        after = [a for a in news.get(index, []) if id(a) not in paired]
        pairs += list(zip(before, after, strict=False))
        pairs += [(b, None) for b in before[len(after):]]
        pairs += [(None, a) for a in after[len(before):]]
        pairs.sort(key=lambda pair: next(span for span in pair if span)[0])
        for b, a in pairs:
            if b and a and _key_of(b[2].replace(" ", "")) == _key_of(a[2].replace(" ", "")):
                continue
            changes.append(FigureChange(
                change="changed" if b and a else "removed" if b else "added",
                before=b[2] if b else None, after=a[2] if a else None,
                before_context=_context(old, b[0], b[1]) if b else None,
                after_context=_context(new, a[0], a[1]) if a else None))
    return changes


def _quotes(old: _Tokens, new: _Tokens, edits_old: list[_Edit],
            edits_new: list[_Edit]) -> list[QuoteChange]:
    """Quotations found in one version only; an old and a new one at one edit "changed".

    A quotation whose words (in comparison form) appear quoted anywhere in the other
    version did not change, wherever it moved.
    """
    quotes_old, quotes_new = _spans(_QUOTE, old.text), _spans(_QUOTE, new.text)
    keys_old = {_key_of(q[2]) for q in quotes_old}
    keys_new = {_key_of(q[2]) for q in quotes_new}
    gone = [q for q in quotes_old if _key_of(q[2]) not in keys_new]
    came = [q for q in quotes_new if _key_of(q[2]) not in keys_old]
    came_at: defaultdict[int, deque[_Span]] = defaultdict(deque)
    for index, quote in _edits_touching(came, edits_new, insertions=True):
        came_at[index].append(quote)
    partners: dict[_Span, _Span] = {}
    for index, quote in _edits_touching(gone, edits_old, insertions=True):
        if came_at.get(index):
            partners[quote] = came_at[index].popleft()
    paired = set(partners.values())
    changes = [QuoteChange(change="changed", before=q[2], after=partners[q][2]) if q in partners
               else QuoteChange(change="removed", before=q[2], after=None) for q in gone]
    return changes + [QuoteChange(change="added", before=None, after=q[2])
                      for q in came if q not in paired]


def _count_matched(tokens: _Tokens, lo: int, hi: int, matched: Counter[int]) -> None:
    """Add the words of tokens[lo:hi] (all matched) to their paragraphs' counts."""
    if lo == hi:
        return
    for index in range(tokens.para_of[lo], tokens.para_of[hi - 1] + 1):
        p_lo, p_hi, _, _ = tokens.paragraphs[index]
        matched[index] += tokens.word_count(max(lo, p_lo), min(hi, p_hi))


def _new_paragraphs(tokens: _Tokens, matched: Counter[int]) -> tuple[str, ...]:
    found = []
    for index, (lo, hi, _, _) in enumerate(tokens.paragraphs):
        total = tokens.word_count(lo, hi)
        if total and matched[index] <= NEW_PARAGRAPH_MAX_MATCHED * total:
            found.append(tokens.paragraph_text(index))
    return tuple(found)


def _same_instant(a: str | None, b: str | None) -> bool:
    if a == b:
        return True
    if a is None or b is None:
        return False
    try:
        first, second = datetime.fromisoformat(a), datetime.fromisoformat(b)
    except ValueError:
        return False
    if (first.tzinfo is None) != (second.tzinfo is None):
        return False
    return first == second and ("T" in a) == ("T" in b)


def _field_changes(old: Version, new: Version) -> list[FieldChange]:
    changes = []
    for name in FIELDS:
        before, after = getattr(old, name), getattr(new, name)
        if name == "authors":
            same = sorted(map(_key_of, before)) == sorted(map(_key_of, after))
            before, after = list(before), list(after)
        elif name in ("published_at", "modified_at"):
            same = _same_instant(before, after)
        elif name == "title":
            same = _key_of(before) == _key_of(after)
        else:
            same = before == after
        if not same:
            changes.append(FieldChange(field=name, before=before, after=after))
    return changes


def _ranges(a: _Tokens, b: _Tokens
            ) -> Iterator[tuple[str, tuple[int, int, int, int], tuple[int, int, int, int]]]:
    """(tag, token ranges, character ranges) of each operation, tiling both texts.

    An operation owns the whitespace after its last token (the first one also what comes
    before its first). A text of whitespace alone has no tokens: a leading equal
    operation holds it, so that inserts keep an empty old side and deletes a new one.
    """
    if not a.keys and not b.keys:
        if a.text or b.text:
            yield "equal", (0, 0, 0, 0), (0, len(a.text), 0, len(b.text))
        return
    if not a.keys and a.text:
        yield "equal", (0, 0, 0, 0), (0, len(a.text), 0, 0)
    if not b.keys and b.text:
        yield "equal", (0, 0, 0, 0), (0, 0, 0, len(b.text))
    for tag, i1, i2, j1, j2 in _align(a, b):
        old = (a.boundary(i1), a.boundary(i2)) if a.keys else (len(a.text),) * 2
        new = (b.boundary(j1), b.boundary(j2)) if b.keys else (len(b.text),) * 2
        yield tag, (i1, i2, j1, j2), (*old, *new)


# --- the diff --------------------------------------------------------------------------


def diff_versions(old: Version, new: Version) -> ArticleDiff:
    """Compare two captures of one article: word diff, field changes, edit classification."""
    cache: dict[str, str] = {}
    a, b = _Tokens(old.text, cache), _Tokens(new.text, cache)
    operations, edits_old, edits_new = [], [], []
    matched_a: Counter[int] = Counter()
    matched_b: Counter[int] = Counter()
    common = typographic = 0
    for index, (tag, (i1, i2, j1, j2), (o_lo, o_hi, n_lo, n_hi)) in enumerate(_ranges(a, b)):
        operations.append(Operation(op=tag, old=Side(start=o_lo, end=o_hi, text=a.text[o_lo:o_hi]),
                                    new=Side(start=n_lo, end=n_hi, text=b.text[n_lo:n_hi])))
        if tag == "equal":
            common += a.word_count(i1, i2)
            _count_matched(a, i1, i2, matched_a)
            _count_matched(b, j1, j2, matched_b)
            if a.text[o_lo:o_hi].split() != b.text[n_lo:n_hi].split():
                typographic += sum(a.text[a.starts[i]:a.ends[i]] != b.text[b.starts[j]:b.ends[j]]
                                   for i, j in zip(range(i1, i2), range(j1, j2), strict=True))
        else:
            edits_old.append((o_lo, o_hi, index))
            edits_new.append((n_lo, n_hi, index))
    words_a, words_b = a.word_count(0, len(a.keys)), b.word_count(0, len(b.keys))
    similarity = 1.0 if not words_a + words_b else round(2 * common / (words_a + words_b), 4)
    text_changed = bool(edits_old)

    notes_old, notes_new = _note_keys(a), _note_keys(b)
    added_notes = [text for key, text in notes_new.items() if key not in notes_old]
    if new.title and NOTE_PATTERNS.search(new.title) and not (
            old.title and NOTE_PATTERNS.search(old.title)):
        added_notes.insert(0, new.title)
    fields = _field_changes(old, new)
    changed = {f.field for f in fields}
    classification = Classification(
        text_changed=text_changed,
        headline_changed="title" in changed,
        byline_changed="authors" in changed,
        figures_changed=tuple(_figures(a, b, edits_old, edits_new)) if text_changed else (),
        quotes_changed=tuple(_quotes(a, b, edits_old, edits_new)) if text_changed else (),
        paragraphs_added=_new_paragraphs(b, matched_b) if text_changed else (),
        paragraphs_removed=_new_paragraphs(a, matched_a) if text_changed else (),
        correction_note_added=bool(added_notes),
        correction_notes=tuple(added_notes),
        correction_note_present=bool(notes_new) or bool(added_notes),
        typographic_changes=typographic,
    )
    stealth, reason = _verdict(old, new, classification, words_b - common, words_a - common,
                               notes_new)
    return ArticleDiff(old=old, new=new, fields=tuple(fields), classification=classification,
                       stealth_edit=stealth, stealth_reason=reason, similarity=similarity,
                       words_added=words_b - common, words_removed=words_a - common,
                       operations=tuple(operations))


def _short(text: str, limit: int = 80) -> str:
    return f"“{text if len(text) <= limit else text[:limit - 1] + '…'}”"


def _verdict(old: Version, new: Version, c: Classification, added: int, removed: int,
             notes_new: dict[str, str]) -> tuple[bool, str]:
    """``stealth_edit`` and the sentence that explains it (see the module docstring)."""
    missing = [v.capture_id for v in (old, new) if not v.text.strip()]
    if missing:
        return False, (f"no article text was extracted from capture {' and '.join(missing)}, "
                       "so the texts cannot be compared")
    if not c.text_changed:
        extra = (f" ({c.typographic_changes} typographic differences ignored)"
                 if c.typographic_changes else "")
        return False, f"the article text did not change{extra}"
    changed = f"the text changed ({added} words added, {removed} removed)"
    disclosures = []
    if c.correction_note_added:
        disclosures.append(f"the new version shows a correction or update note: "
                           f"{_short(c.correction_notes[0])}")
    if new.modified_at is not None and not _same_instant(old.modified_at, new.modified_at):
        disclosures.append(f"the page's claimed modified_at changed from "
                           f"{old.modified_at or 'none'} to {new.modified_at}")
    if disclosures:
        return False, f"{changed}, and " + "; and ".join(disclosures)
    if new.modified_at is None:
        dates = ("the page claims no modification date" if old.modified_at is None else
                 f"the page no longer claims a modification date (was {old.modified_at})")
    else:
        dates = f"its claimed modified_at is unchanged ({new.modified_at})"
    reason = f"{changed}, but the page adds no correction or update note and {dates}"
    if notes_new:
        reason += (f"; the note already on the page ({_short(next(iter(notes_new.values())))}) "
                   "was there before this edit")
    return True, reason


# --- terminal view ---------------------------------------------------------------------

_STYLE = {"delete": "\x1b[9;31m", "insert": "\x1b[32m", "context": "\x1b[2m", "bold": "\x1b[1m",
          "alert": "\x1b[1;31m", "ok": "\x1b[1;32m"}
_RESET = "\x1b[0m"
_MARKERS = {"delete": ("[-", "-]"), "insert": ("{+", "+}")}
#: Control characters (C0 but tab, C1, DEL): page text must not drive the terminal.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_LINE_BREAK = re.compile(r"\r\n|[\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")


def _safe(text: str) -> str:
    """``text`` with control characters shown as ``\\xNN`` instead of sent to the terminal."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def _clip(text: str, *, keep_end: bool) -> str:
    """A context line cut to about ``RENDER_CONTEXT_CHARS`` at a word boundary."""
    if len(text) <= RENDER_CONTEXT_CHARS:
        return text
    if keep_end:
        tail = text[-RENDER_CONTEXT_CHARS:]
        return "…" + tail[tail.find(" ") + 1:] if " " in tail else "…" + tail
    head = text[:RENDER_CONTEXT_CHARS]
    return (head[:head.rfind(" ")] if " " in head else head) + "…"


def _paint(text: str, kind: str, color: bool) -> str:
    if not text:
        return ""
    text = _safe(text)
    if color:
        return f"{_STYLE[kind]}{text}{_RESET}"
    opening, closing = _MARKERS.get(kind, ("", ""))
    return f"{opening}{text}{closing}"


def _split_ws(text: str) -> tuple[str, str]:
    body = text.rstrip()
    return body, text[len(body):]


def _display_lines(diff: ArticleDiff, color: bool) -> list[tuple[bool, str]]:
    """(changed?, rendered line) for the whole article, edits inline."""
    lines: list[tuple[bool, str]] = [(False, "")]

    def emit(text: str, kind: str | None) -> None:
        for n, piece in enumerate(_LINE_BREAK.split(text)):
            if n:
                lines.append((False, ""))
            changed, line = lines[-1]
            styled = _paint(piece, kind, color) if kind else _safe(piece)
            lines[-1] = (changed or bool(kind and piece.strip()), line + styled)

    ops = diff.operations
    for index, op in enumerate(ops):
        old_body, old_ws = _split_ws(op.old.text)
        new_body, new_ws = _split_ws(op.new.text)
        following = ops[index + 1].op if index + 1 < len(ops) else None
        if op.op == "equal":
            emit(new_body, None)
            emit(old_ws if following == "delete" else new_ws, None)
            continue
        emit(old_body, "delete")
        emit(new_body, "insert")
        emit(old_ws if op.op == "delete" else new_ws, None)
    return lines


def render_diff(diff: ArticleDiff, *, color: bool) -> str:
    """A readable diff: field changes, the classification, then the changed paragraphs.

    With ``color`` removed words are red and struck through and added words green (ANSI);
    without, they read ``[-removed-]`` and ``{+added+}``. Each changed paragraph comes
    with the paragraph before and after it (shortened) as context.
    """
    c = diff.classification

    def bold(text: str) -> str:
        return f"{_STYLE['bold']}{text}{_RESET}" if color else text

    def row(label: str, value: str) -> str:
        return f"  {label:<11}{value}"

    old, new = diff.old, diff.new
    lines = [bold(_safe(f"Diff {old.capture_id} → {new.capture_id}")),
             row("From", _safe(f"{old.captured_at}  {old.url}")),
             row("To", _safe(f"{new.captured_at}  {new.url}"))]
    if diff.fields:
        lines.append(bold("Fields"))
        for f in diff.fields:
            before = "; ".join(f.before) if isinstance(f.before, list) else f.before
            after = "; ".join(f.after) if isinstance(f.after, list) else f.after
            lines.append(row(_FIELD_LABELS[f.field], f"{_paint(before or '—', 'delete', color)} → "
                                      f"{_paint(after or '—', 'insert', color)}"))
    verdict = "STEALTH EDIT" if diff.stealth_edit else "not a stealth edit"
    if color:
        verdict = _paint(verdict, "alert" if diff.stealth_edit else "ok", color)
    lines += [bold("Edit"), row("Verdict", f"{verdict}: {_safe(diff.stealth_reason)}")]
    if c.text_changed:
        lines.append(row("Text", f"{diff.words_added} words added, {diff.words_removed} "
                                 f"removed, similarity {diff.similarity:.3f}"))
    for f in c.figures_changed:
        lines.append(row("Figure", _safe(f"{f.before or '—'} → {f.after or '—'}  "
                                         f"({f.before_context or '—'} → "
                                         f"{f.after_context or '—'})")))
    for q in c.quotes_changed:
        shown = {"changed": f"{_short(q.before or '')} → {_short(q.after or '')}",
                 "removed": f"removed {_short(q.before or '')}",
                 "added": f"added {_short(q.after or '')}"}[q.change]
        lines.append(row("Quote", _safe(shown)))
    if c.paragraphs_added or c.paragraphs_removed:
        lines.append(row("Paragraphs", f"{len(c.paragraphs_added)} added, "
                                       f"{len(c.paragraphs_removed)} removed"))
    for note in c.correction_notes:
        lines.append(row("Note", _safe(f"added {_short(note)}")))
    if c.text_changed:
        lines += [bold("Changes"), *_hunks(_display_lines(diff, color), color)]
    return "\n".join(lines)


def _hunks(display: list[tuple[bool, str]], color: bool) -> list[str]:
    """The changed lines, each with one line of context either side, gaps marked ⋮."""
    changed = [n for n, (is_changed, _) in enumerate(display) if is_changed]
    shown: list[str] = []
    last = -1
    for n in changed:
        lo, hi = max(n - 1, 0), min(n + 1, len(display) - 1)
        if last >= 0 and lo > last + 1:
            shown.append("  ⋮")
        for m in range(max(lo, last + 1), hi + 1):
            is_changed, text = display[m]
            if not is_changed:
                text = _clip(text, keep_end=m < n)
                text = f"{_STYLE['context']}{text}{_RESET}" if color and text else text
            shown.append(f"  {text}")
        last = max(last, hi)
    return shown
