"""Text fingerprints: word shingles of an article's text and their MinHash signature.

A fingerprint describes the article text extracted at capture time (what
``Catalog.article_text`` gives back), never the page: menus, footers and boxes of
related stories are not in it, so two stories sharing a site template do not look
alike, while one story carried by two sites does.

**Shingles.** The text is cut into words (runs of letters and digits, NFKC and
casefolded; an ideograph is a word by itself, as in ``textalign``), and every run of
``SHINGLE_WORDS`` consecutive words is a shingle, hashed to 64 bits. Five words is the
length at which a lightly edited copy (a word changed in every other sentence) still
keeps most shingles, while unrelated news texts share almost none: measured on the
corpus's reuse cases and the 612 Helsinki-summit texts (docs/republication.md).

**Signature.** The MinHash of the set of distinct shingles: ``NUM_PERM`` minimum values
under datasketch's ``affine32`` permutations (seed ``SEED``), stored as little-endian
unsigned 32-bit integers. ``METHOD`` names all of these choices and is stored with
every signature, so signatures made under other choices are recomputed, never mixed.

**Exact figures.** The index finds candidates from signatures; similarity,
containment and shared passages reported to the user are computed here on the real
shingles of both texts (``ShingledText``, ``overlap``, ``shared_passages``).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache

import blake3
import numpy as np
from datasketch import MinHash

from .textextract import text_blake3

#: Words per shingle (see the module docstring for why five).
SHINGLE_WORDS = 5
#: MinHash size: 128 values estimate a Jaccard similarity within about ±0.09 (two
#: standard deviations at 0.5), enough to pick candidates that are then measured.
NUM_PERM = 128
SEED = 1
#: Stored with each signature; a change of any parameter above changes it.
METHOD = f"words{SHINGLE_WORDS}-minhash{NUM_PERM}-affine32-seed{SEED}"
#: Words read from one text. An article has hundreds to a few thousand; a longer
#: "text" is a dump (a live blog's whole archive, a data table), and the passage
#: search below costs more the longer the texts. The rest is not fingerprinted.
MAX_WORDS = 50_000
#: A shingle that occurs more often than this in one text (a refrain, a repeated
#: table row) does not start shared passages: it would only multiply the work.
MAX_REPEATS = 16
#: Shortest shared passage reported, in words (a shingle and a few words more).
MIN_PASSAGE_WORDS = 8

_IDEOGRAPHS = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_WORD = re.compile(rf"[{_IDEOGRAPHS}]|[^\W{_IDEOGRAPHS}]+")
#: Odd 64-bit constants: the rolling combination of word hashes, then splitmix64's finaliser.
_ROLL = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)
#: Word hashes kept between texts (most words recur); cleared when it grows past this.
_WORD_CACHE_LIMIT = 500_000
_word_hashes: dict[str, int] = {}


@dataclass(frozen=True, slots=True, kw_only=True)
class Fingerprint:
    """What the catalog stores for one article text."""

    text_blake3: str
    shingles: int  # distinct shingles
    signature: bytes  # NUM_PERM little-endian uint32 MinHash values
    method: str = METHOD

    def values(self) -> np.ndarray:
        """The signature as an array of ``NUM_PERM`` unsigned 32-bit integers."""
        return np.frombuffer(self.signature, dtype="<u4")


class ShingledText:
    """One text cut into words and hashed shingles (character offsets on demand)."""

    __slots__ = ("_offsets", "distinct", "hashes", "text", "truncated", "words")

    def __init__(self, text: str) -> None:
        self.text = text
        words = _WORD.findall(text)
        self.truncated = len(words) > MAX_WORDS
        del words[MAX_WORDS:]
        self.words = len(words)
        #: the hash of the shingle starting at each word (one shingle when there are
        #: fewer than SHINGLE_WORDS words, none for no word)
        self.hashes = _shingle_hashes(np.array([_word_hash(w) for w in words], dtype=np.uint64))
        self.distinct = np.unique(self.hashes)
        self._offsets: tuple[list[int], list[int]] | None = None

    def offsets(self) -> tuple[list[int], list[int]]:
        """Where each word starts and ends in the text (only passages need them)."""
        if self._offsets is None:
            starts, ends = [], []
            for match in _WORD.finditer(self.text):
                if len(starts) == self.words:
                    break
                starts.append(match.start())
                ends.append(match.end())
            self._offsets = (starts, ends)
        return self._offsets


def fingerprint(text: str) -> Fingerprint:
    """The fingerprint of a normalised article text, for the catalog's ``fingerprints``.

    Raises:
        ValueError: ``text`` is empty (a capture without article text has none).
    """
    if not text:
        raise ValueError("an empty text has no fingerprint")
    return fingerprint_of(ShingledText(text), text_blake3(text) or "")


def fingerprint_of(shingled: ShingledText, text_blake3: str) -> Fingerprint:
    """The fingerprint of a text already cut into shingles."""
    minhash = MinHash(num_perm=NUM_PERM, seed=SEED, hashfunc=int, scheme="affine32",
                      permutations=_permutations())
    # datasketch's affine32 scheme takes 32-bit inputs: the high half of each hash
    minhash.update_batch((shingled.distinct >> np.uint64(32)).tolist())
    values = minhash.hashvalues.astype("<u4")
    return Fingerprint(text_blake3=text_blake3, shingles=int(shingled.distinct.size),
                       signature=values.tobytes())


@cache
def _permutations() -> np.ndarray:
    """datasketch's permutation parameters for ``SEED`` (made once: RandomState is slow)."""
    return MinHash(num_perm=NUM_PERM, seed=SEED, scheme="affine32").permutations


def _word_hash(word: str) -> int:
    found = _word_hashes.get(word)
    if found is None:
        if len(_word_hashes) >= _WORD_CACHE_LIMIT:
            _word_hashes.clear()
        folded = unicodedata.normalize("NFKC", word).casefold().encode("utf-8")
        found = _word_hashes[word] = int.from_bytes(blake3.blake3(folded).digest(8), "little")
    return found


def _shingle_hashes(words: np.ndarray) -> np.ndarray:
    """64-bit hashes of each run of ``SHINGLE_WORDS`` words (one run if there are fewer)."""
    if words.size == 0:
        return words
    count = max(words.size - SHINGLE_WORDS + 1, 1)
    width = min(SHINGLE_WORDS, words.size)
    hashes = words[:count].copy()
    for offset in range(1, width):
        hashes = hashes * _ROLL + words[offset:offset + count]
    hashes ^= hashes >> np.uint64(30)
    hashes *= _MIX1
    hashes ^= hashes >> np.uint64(27)
    hashes *= _MIX2
    return hashes ^ (hashes >> np.uint64(31))


# --- measuring two texts -----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Overlap:
    """Distinct shingles of two texts ``a`` and ``b``, and how many they share."""

    shared: int
    a: int
    b: int

    @property
    def similarity(self) -> float:
        """Jaccard similarity of the two shingle sets."""
        union = self.a + self.b - self.shared
        return self.shared / union if union else 0.0

    @property
    def coverage_a(self) -> float:
        """Share of ``a``'s shingles found in ``b``."""
        return self.shared / self.a if self.a else 0.0

    @property
    def coverage_b(self) -> float:
        """Share of ``b``'s shingles found in ``a``."""
        return self.shared / self.b if self.b else 0.0

    @property
    def containment(self) -> float:
        """Share of the shorter text's shingles found in the other."""
        return max(self.coverage_a, self.coverage_b)


def overlap(a: ShingledText, b: ShingledText) -> Overlap:
    """The exact shingle overlap of two texts."""
    shared = np.intersect1d(a.distinct, b.distinct, assume_unique=True).size
    return Overlap(int(shared), int(a.distinct.size), int(b.distinct.size))


@dataclass(frozen=True, slots=True)
class Passage:
    """A run of words the two texts share: word count and character ranges in each."""

    words: int
    a_start: int
    a_end: int
    b_start: int
    b_end: int


def shared_passages(a: ShingledText, b: ShingledText, *, limit: int) -> list[Passage]:
    """The ``limit`` longest passages shared by ``a`` and ``b``, longest first.

    A passage is a maximal run of consecutive shingles equal in both texts; passages
    are chosen longest first, each overlapping no chosen one in either text, and none
    shorter than ``MIN_PASSAGE_WORDS``. Passages may come in any order in either text
    (a copy that moved paragraphs around still shares them).
    """
    ha, hb = a.hashes.tolist(), b.hashes.tolist()
    positions: dict[int, list[int]] = {}
    for j, value in enumerate(ha):
        positions.setdefault(value, []).append(j)
    repeated = {value for value, found in positions.items() if len(found) > MAX_REPEATS}
    runs = []  # (shingles, start in a, start in b)
    size_a, size_b = len(ha), len(hb)
    for i, value in enumerate(hb):
        if value in repeated:
            continue
        for j in positions.get(value, ()):
            if i and j and hb[i - 1] == ha[j - 1] and hb[i - 1] not in repeated:
                continue  # inside a run that started earlier
            length = 1
            while i + length < size_b and j + length < size_a and hb[i + length] == ha[j + length]:
                length += 1
            runs.append((length, j, i))
    runs.sort(key=lambda run: (-run[0], run[1], run[2]))
    width = min(SHINGLE_WORDS, a.words, b.words)
    chosen: list[Passage] = []
    taken_a: list[tuple[int, int]] = []
    taken_b: list[tuple[int, int]] = []
    for length, j, i in runs:
        words = length + width - 1
        if words < MIN_PASSAGE_WORDS or len(chosen) == limit:
            break
        span_a, span_b = (j, j + words), (i, i + words)
        if _overlaps(span_a, taken_a) or _overlaps(span_b, taken_b):
            continue
        taken_a.append(span_a)
        taken_b.append(span_b)
        (a_starts, a_ends), (b_starts, b_ends) = a.offsets(), b.offsets()
        chosen.append(Passage(words, a_starts[j], a_ends[j + words - 1],
                              b_starts[i], b_ends[i + words - 1]))
    return chosen


def _overlaps(span: tuple[int, int], taken: list[tuple[int, int]]) -> bool:
    return any(span[0] < end and start < span[1] for start, end in taken)
