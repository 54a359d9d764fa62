"""Word alignment of two texts: tokens, comparison keys, and operations tiling both texts.

``Tokens`` cuts a text into tokens (with offsets, comparison keys, paragraphs and
sentence ends); ``aligned_ranges(old, new)`` gives the ``equal``, ``insert``, ``delete``
and ``replace`` operations between two of them, each with its token and character
ranges; ``comparison_key`` folds a short string (a title, a name) the same way.
``archiver.textdiff`` builds the article diff on them.

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
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from difflib import SequenceMatcher
from itertools import accumulate

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


class Tokens:
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


def comparison_key(text: str | None) -> str | None:
    """The comparison form of a short string (a title, a name); None stays None."""
    return None if text is None else " ".join(_comparison_form(text).split()).casefold()


# --- alignment -------------------------------------------------------------------------

_Op = tuple[str, int, int, int, int]  # tag, old token range, new token range


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


def _sentences(tokens: Tokens, lo: int, hi: int) -> list[tuple[int, int]]:
    bounds, start = [], lo
    for index in range(lo + 1, hi + 1):
        if index in tokens.sentence_ends or index == hi:
            bounds.append((start, index))
            start = index
    return bounds


def _align_groups(old: Tokens, new: Tokens, ga: list[tuple[int, int]],
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


def _align(old: Tokens, new: Tokens) -> list[_Op]:
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


def _boundary_score(tokens: Tokens, index: int) -> int:
    if index in (0, len(tokens.keys)) or tokens.para_of[index] != tokens.para_of[index - 1]:
        return 2
    return 1 if index in tokens.sentence_ends else 0


def _slide(ops: list[_Op], old: Tokens, new: Tokens) -> list[_Op]:
    """Move each pure insertion or deletion to the equivalent place that best fits the text.

    "GDP[+. Aftershocks continued+]." and "GDP.[+ Aftershocks continued.+]" say the same;
    the second keeps the new sentence whole. An edit slides over equal neighbours while
    the token leaving one end equals the one entering the other, and lands where its ends
    fall on paragraph (best) or sentence boundaries.
    """
    ops = list(ops)
    moved: list[tuple[int, _Op]] = []  # new equal ops, inserted once every edit has slid
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
            # The equal tokens the edit slides over change sides; the side that receives
            # them may have no equal op yet (the edit was first or last).
            if prev:
                ops[k - 1] = ("equal", prev[1], prev[2] + best, prev[3], prev[4] + best)
            elif best > 0:
                moved.append((k, ("equal", i1, i1 + best, j1, j1 + best)))
            if after:
                ops[k + 1] = ("equal", after[1] + best, after[2], after[3] + best, after[4])
            elif best < 0:
                moved.append((k + 1, ("equal", i2 + best, i2, j2 + best, j2)))
            ops[k] = (tag, i1 + best, i2 + best, j1 + best, j2 + best)
    for at, op in reversed(moved):
        ops.insert(at, op)
    return ops


def aligned_ranges(a: Tokens, b: Tokens
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
