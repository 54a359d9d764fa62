"""What changed between two captures of one article: a word diff, field changes, a verdict.

``diff_versions(old, new)`` compares two ``Version``s (what one capture knows: its id,
time, URL, the page's claimed title, authors and dates, and the normalised article text
of ``archiver.extract``) and returns an ``ArticleDiff``: the word-level operations with
character offsets into both texts, the changed fields, a classification of the edit
(figures, quotes, paragraphs, headline, byline, correction notes) and whether it is a
*stealth edit*. ``ArticleDiff.to_document()`` gives ``schemas/diff.schema.json``;
``archiver.diffview.render_diff`` the terminal view.

Texts are compared token by token through ``archiver.textalign``, which says what the
comparison ignores and what the alignment costs.

**Stealth edit.** ``stealth_edit`` is true exactly when both captures have article text,
that text changed beyond page furniture (below), the new version adds no correction or
update note (a note already on the page, unchanged, discloses an earlier edit, not this
one), and the page does not claim a new ``modified_at`` (the same instant in another
notation, or no claim at all in the new version, is "not changed": neither tells a
reader that the text moved). Notes are
found by ``archiver.textnotes``.

**Page furniture.** Crossheads and credit lines (``archiver.textnotes``) are set by
templates and desks, not reporters: a redesign adds a crosshead, a republished copy
drops the credits. Edits that touch only such paragraphs are listed in
``furniture_changed`` and are no stealth edit; they are not counted as paragraphs
added or removed.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter, defaultdict, deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .textalign import Tokens, aligned_ranges, comparison_key
from .textextract import text_blake3
from .textnotes import NOTE_PATTERNS, furniture_paragraphs, note_paragraphs

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
    "field_changes",
    "short_quote",
]

#: A paragraph counts as added (removed) when at most this share of its words has a
#: counterpart in the other version; stray common words must not hide a new paragraph.
NEW_PARAGRAPH_MAX_MATCHED = 0.2
#: Words either side of a figure in its ``*_context``.
FIGURE_CONTEXT_WORDS = 3

FIELDS = ("title", "authors", "published_at", "modified_at", "canonical_url")

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
    #: Crossheads and credit lines that edits touched (old text, then new); the only
    #: changes when ``text_changed`` and no edit reaches the article's own paragraphs.
    furniture_changed: tuple[str, ...] = ()
    article_changed: bool = False  # some edit touches a paragraph that is not furniture


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
                "furniture_changed": list(c.furniture_changed),
                "article_changed": c.article_changed,
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

_Edit = tuple[int, int, int]  # character range on one side, index of the operation
_Span = tuple[int, int, str]  # character range and the text found there
_WORD_CHUNK = re.compile(r"\S*[^\W_]\S*")  # a run of non-space with a letter or digit
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
def _paragraphs_of(tokens: Tokens, lo: int, hi: int) -> range:
    """The paragraphs that tokens[lo:hi] touch (none for an empty range)."""
    return range(tokens.para_of[lo], tokens.para_of[hi - 1] + 1) if lo < hi else range(0)


def _windows(tokens: Tokens, edits: list[_Edit]) -> list[tuple[int, int]]:
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


def _context(tokens: Tokens, start: int, end: int) -> str:
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


def _unit(tokens: Tokens, end: int) -> str:
    """The word after a figure ("dead" in "12 dead"), to pair figures of one quantity."""
    following = tokens.text[end:end + 40].split()
    return following[0].casefold() if following else ""


def _figures(old: Tokens, new: Tokens, edits_old: list[_Edit],
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
            if b and a and (comparison_key(b[2].replace(" ", ""))
                            == comparison_key(a[2].replace(" ", ""))):
                continue
            changes.append(FigureChange(
                change="changed" if b and a else "removed" if b else "added",
                before=b[2] if b else None, after=a[2] if a else None,
                before_context=_context(old, b[0], b[1]) if b else None,
                after_context=_context(new, a[0], a[1]) if a else None))
    return changes


def _quotes(old: Tokens, new: Tokens, edits_old: list[_Edit],
            edits_new: list[_Edit]) -> list[QuoteChange]:
    """Quotations found in one version only; an old and a new one at one edit "changed".

    A quotation whose words (in comparison form) appear quoted anywhere in the other
    version did not change, wherever it moved.
    """
    quotes_old, quotes_new = _spans(_QUOTE, old.text), _spans(_QUOTE, new.text)
    keys_old = {comparison_key(q[2]) for q in quotes_old}
    keys_new = {comparison_key(q[2]) for q in quotes_new}
    gone = [q for q in quotes_old if comparison_key(q[2]) not in keys_new]
    came = [q for q in quotes_new if comparison_key(q[2]) not in keys_old]
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


def _count_matched(tokens: Tokens, lo: int, hi: int, matched: Counter[int]) -> None:
    """Add the words of tokens[lo:hi] (all matched) to their paragraphs' counts."""
    if lo == hi:
        return
    for index in range(tokens.para_of[lo], tokens.para_of[hi - 1] + 1):
        p_lo, p_hi, _, _ = tokens.paragraphs[index]
        matched[index] += tokens.word_count(max(lo, p_lo), min(hi, p_hi))


def _new_paragraphs(tokens: Tokens, matched: Counter[int],
                    furniture: set[int]) -> tuple[str, ...]:
    found = []
    for index, (lo, hi, _, _) in enumerate(tokens.paragraphs):
        total = tokens.word_count(lo, hi)
        if index in furniture:
            continue
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


def field_changes(old: Version, new: Version) -> list[FieldChange]:
    """The page claims (``FIELDS``) that differ: titles in comparison form, authors as a
    set, dates as instants."""
    changes = []
    for name in FIELDS:
        before, after = getattr(old, name), getattr(new, name)
        if name == "authors":
            same = sorted(map(comparison_key, before)) == sorted(map(comparison_key, after))
            before, after = list(before), list(after)
        elif name in ("published_at", "modified_at"):
            same = _same_instant(before, after)
        elif name == "title":
            same = comparison_key(before) == comparison_key(after)
        else:
            same = before == after
        if not same:
            changes.append(FieldChange(field=name, before=before, after=after))
    return changes


# --- the diff --------------------------------------------------------------------------


def diff_versions(old: Version, new: Version) -> ArticleDiff:
    """Compare two captures of one article: word diff, field changes, edit classification."""
    cache: dict[str, str] = {}
    a, b = Tokens(old.text, cache), Tokens(new.text, cache)
    operations, edits_old, edits_new = [], [], []
    matched_a: Counter[int] = Counter()
    matched_b: Counter[int] = Counter()
    common = typographic = 0
    furniture_a, furniture_b = furniture_paragraphs(a), furniture_paragraphs(b)
    touched_a: set[int] = set()
    touched_b: set[int] = set()
    article_changed = False
    for index, (tag, (i1, i2, j1, j2), (o_lo, o_hi, n_lo, n_hi)) in enumerate(aligned_ranges(a, b)):
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
            paragraphs_a, paragraphs_b = _paragraphs_of(a, i1, i2), _paragraphs_of(b, j1, j2)
            touched_a.update(paragraphs_a)
            touched_b.update(paragraphs_b)
            article_changed = article_changed or not (
                furniture_a.issuperset(paragraphs_a) and furniture_b.issuperset(paragraphs_b))
    words_a, words_b = a.word_count(0, len(a.keys)), b.word_count(0, len(b.keys))
    similarity = 1.0 if not words_a + words_b else round(2 * common / (words_a + words_b), 4)
    text_changed = bool(edits_old)

    notes_old, notes_new = note_paragraphs(a), note_paragraphs(b)
    added_notes = [text for key, text in notes_new.items() if key not in notes_old]
    if new.title and NOTE_PATTERNS.search(new.title) and not (
            old.title and NOTE_PATTERNS.search(old.title)):
        added_notes.insert(0, new.title)
    fields = field_changes(old, new)
    changed = {f.field for f in fields}
    classification = Classification(
        text_changed=text_changed,
        headline_changed="title" in changed,
        byline_changed="authors" in changed,
        figures_changed=tuple(_figures(a, b, edits_old, edits_new)) if text_changed else (),
        quotes_changed=tuple(_quotes(a, b, edits_old, edits_new)) if text_changed else (),
        paragraphs_added=_new_paragraphs(b, matched_b, furniture_b) if text_changed else (),
        paragraphs_removed=_new_paragraphs(a, matched_a, furniture_a) if text_changed else (),
        correction_note_added=bool(added_notes),
        correction_notes=tuple(added_notes),
        correction_note_present=bool(notes_new) or bool(added_notes),
        typographic_changes=typographic,
        furniture_changed=tuple(
            [a.paragraph_text(i) for i in sorted(touched_a & furniture_a)]
            + [b.paragraph_text(i) for i in sorted(touched_b & furniture_b)]),
        article_changed=article_changed,
    )
    stealth, reason = _verdict(old, new, classification, words_b - common, words_a - common,
                               notes_new)
    return ArticleDiff(old=old, new=new, fields=tuple(fields), classification=classification,
                       stealth_edit=stealth, stealth_reason=reason, similarity=similarity,
                       words_added=words_b - common, words_removed=words_a - common,
                       operations=tuple(operations))


def short_quote(text: str, limit: int = 80) -> str:
    """``text`` in curly quotes, cut to ``limit`` characters with an ellipsis."""
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
    if not c.article_changed:
        shown = ", ".join(short_quote(text, 40) for text in c.furniture_changed[:3])
        return False, (f"{changed}, but only in crossheads or credit lines ({shown}), "
                       "which templates and desks set, not the article's claims")
    disclosures = []
    if c.correction_note_added:
        disclosures.append(f"the new version shows a correction or update note: "
                           f"{short_quote(c.correction_notes[0])}")
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
        note = short_quote(next(iter(notes_new.values())))
        reason += f"; the note already on the page ({note}) was there before this edit"
    return True, reason
