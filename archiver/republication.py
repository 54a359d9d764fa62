"""Republication tracing: captured articles at other URLs that share this one's text.

``Tracer`` loads the archive's text fingerprints (``archiver.fingerprint``), making
those that are missing (captures from before fingerprints, or after a catalog
rebuild) from the article text stored at capture time, and indexes them:

* **Candidates** come from ``SignatureIndex``: for each of the ``NUM_PERM`` MinHash
  positions, the texts holding the same minimum value. The share of positions two
  texts agree on estimates their Jaccard similarity J; with both texts' shingle counts
  that gives an estimate of the shingles they share, hence of how much of the shorter
  one the longer contains. So one index answers similarity and containment in both
  directions (a wire story inside a longer article, and that article's text around
  the story). docs/republication.md explains why this replaced datasketch's LSH
  Ensemble here (measured: 90 KB and 1 ms per indexed text, 9 GB for 100,000).
* **Matches** are then measured on the real shingles of both texts: a candidate is a
  match when at least ``MIN_CONTAINMENT`` of the shorter text's shingles, and at least
  ``MIN_SHARED`` shingles, are in the other. The figures shown are these measurements.
* **Lineage** (``archiver.lineage``): which came first and on what evidence, whether
  the later credits the earlier, what kind of reuse, and the tree of a story's copies.

Captures of one article (same final URL, or same canonical URL on the same site) are
never matches of each other: re-captures and revisits of a URL are issue 2's edits.
Each trace stores its findings in the catalog as derived ``republished`` links of the
copies (``republished_link``), which ``archiver show`` reports, marked derived; the
WARC records are never rewritten.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

import numpy as np

from .catalog import CaptureRow, Catalog
from .errors import ArchiverError
from .fingerprint import (
    METHOD,
    NUM_PERM,
    Overlap,
    ShingledText,
    fingerprint_of,
    overlap,
    shared_passages,
)
from .lineage import Cluster, Edge, Story, clusters, compare

SCHEMA_VERSION = "1"
#: Texts with fewer distinct shingles (about 24 words) are not traced: a headline, a
#: cookie notice or a failed extraction, which would match every page failing alike.
MIN_SHINGLES = 20
#: A match carries at least half of the shorter text. Measured on the 612 Helsinki
#: texts: pairs below share quotes (tweets, a press conference) or page chrome the
#: scrape kept; from 0.5 up they share wire paragraphs (docs/republication.md).
MIN_CONTAINMENT = 0.5
#: ... and at least this many shingles (about 30 words): two short texts sharing a
#: sentence are not a republication.
MIN_SHARED = 25
#: Candidates need this estimated containment (half the reported threshold, so MinHash
#: estimation error does not lose matches; candidates are measured anyway) ...
CANDIDATE_CONTAINMENT = 0.25
#: ... and at least this many equal MinHash values.
MIN_VOTES = 2
#: A MinHash value shared by more texts than this is boilerplate (a standard footer
#: line most texts of one site end with): it says nothing about one pair, and reading
#: its long list would cost every query.
MAX_BUCKET = 2_000
#: Matches listed by one trace, most overlap first.
MAX_MATCHES = 100
#: Shared passages listed per match, longest first, and the characters shown of each.
MAX_PASSAGES = 5
MAX_PASSAGE_CHARS = 600
#: Shingled texts kept in memory while tracing the whole archive (about 12 KB each).
TEXT_CACHE = 4_096
#: Fingerprints made per catalog transaction when filling gaps.
FINGERPRINT_BATCH = 500

#: A callback told (done, total) as work goes on.
ProgressCallback = Callable[[int, int], None]


class TraceError(ArchiverError):
    """A capture cannot be traced (no article text, or too little)."""


# --- the index ------------------------------------------------------------------------


class SignatureIndex:
    """MinHash signatures of many texts, searched by how many values a query shares.

    Kept as one sorted array of (position, value) keys and the row of each: 12 bytes
    per value, about 1.5 KB per text, built by one sort.
    """

    def __init__(self, signatures: np.ndarray, sizes: np.ndarray) -> None:
        self.sizes = np.asarray(sizes, dtype=np.float64)
        self._positions = np.arange(NUM_PERM, dtype=np.uint64) << np.uint64(32)
        count = len(self.sizes)
        keys = (np.asarray(signatures, dtype=np.uint64).reshape(count, NUM_PERM)
                | self._positions).T.ravel()  # position-major: index = position * count + row
        order = np.argsort(keys, kind="stable")
        self._keys = keys[order]
        self._rows = (order % max(count, 1)).astype(np.int32)

    def __len__(self) -> int:
        return len(self.sizes)

    def candidates(self, signature: np.ndarray, size: int) -> np.ndarray:
        """Rows whose estimated containment with the query (either way) is high enough."""
        probe = signature.astype(np.uint64) | self._positions
        starts = np.searchsorted(self._keys, probe, "left").tolist()
        ends = np.searchsorted(self._keys, probe, "right").tolist()
        hits = [self._rows[s:e] for s, e in zip(starts, ends, strict=True)
                if 0 < e - s <= MAX_BUCKET]
        if not hits:
            return np.empty(0, dtype=np.int32)
        rows, votes = np.unique(np.concatenate(hits), return_counts=True)
        kept = votes >= MIN_VOTES
        rows, similarity = rows[kept], votes[kept] / NUM_PERM
        other = self.sizes[rows]
        shared = similarity * (size + other) / (1 + similarity)
        return rows[shared / np.minimum(size, other) >= CANDIDATE_CONTAINMENT]


# --- fingerprints in the catalog --------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FingerprintGaps:
    """What filling the catalog's missing fingerprints did."""

    made: int  # captures fingerprinted now
    without_text: int  # captures whose article text the catalog does not have


def fill_fingerprints(catalog: Catalog,
                      progress: ProgressCallback | None = None) -> FingerprintGaps:
    """Fingerprint every capture that has article text but no fingerprint of ``METHOD``."""
    by_text: dict[str, list[str]] = {}
    for capture_id, text_key in catalog.fingerprint_gaps(METHOD):
        by_text.setdefault(text_key, []).append(capture_id)
    made = without_text = done = 0
    total = sum(map(len, by_text.values()))
    batch = []
    for text_key, capture_ids in by_text.items():
        text = catalog.article_text(capture_ids[0])
        done += len(capture_ids)
        if not text:
            without_text += len(capture_ids)
            continue
        found = fingerprint_of(ShingledText(text), text_key)
        batch += [(capture_id, found) for capture_id in capture_ids]
        if len(batch) >= FINGERPRINT_BATCH:
            catalog.add_fingerprints(batch)
            made += len(batch)
            batch = []
        if progress is not None:
            progress(done, total)
    catalog.add_fingerprints(batch)
    return FingerprintGaps(made + len(batch), without_text)


# --- tracing --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Match:
    """One capture at another URL sharing text with the traced one."""

    story: Story
    shared: Overlap  # a = the traced capture, b = this one
    edge: Edge
    passages: list[dict[str, Any]]

    def to_document(self) -> dict[str, Any]:
        edge = self.edge
        if edge.order.first is None:
            direction = "unknown"
        else:
            direction = "source" if edge.source is self.story else "copy"
        return {
            **self.story.summary(),
            "similarity": round(self.shared.similarity, 4),
            "containment": round(self.shared.containment, 4),
            "coverage": {"query": round(self.shared.coverage_a, 4),
                         "match": round(self.shared.coverage_b, 4)},
            "shared_shingles": self.shared.shared,
            "reuse": edge.reuse,
            "direction": {"value": direction, "decided_by": edge.order.decided_by,
                          "explanation": edge.order.explanation},
            "credited": edge.credit is not None,
            "credit": edge.credit.to_document() if edge.credit else None,
            "shared_passages": self.passages,
        }


@dataclass(frozen=True, slots=True)
class Trace:
    """The matches of one capture and the lineage they form with it."""

    query: Story
    shingles: int
    matches: list[Match]
    lineage: Cluster | None


class Tracer:
    """The archive's fingerprinted captures, indexed for tracing.

    Building one fills missing fingerprints first (``gaps`` says how that went).
    """

    def __init__(self, catalog: Catalog, *, progress: ProgressCallback | None = None) -> None:
        self.catalog = catalog
        self.gaps = fill_fingerprints(catalog, progress)
        prints = catalog.fingerprints(METHOD, signature_bytes=NUM_PERM * 4)
        self._stories: dict[str, Story] = {}
        self._identity: dict[str, str] = {}
        self._by_text: dict[str, list[str]] = {}  # text_blake3 -> capture ids
        seen: set[tuple[str, str]] = set()
        for row in catalog.captures():  # oldest first: a URL keeps its first capture of a text
            found = prints.get(row.capture_id)
            if found is None or found[1] < MIN_SHINGLES:
                continue
            identity = article_identity(row)
            if (identity, found[0]) in seen:
                continue
            seen.add((identity, found[0]))
            self._stories[row.capture_id] = story_of(row)
            self._identity[row.capture_id] = identity
            self._by_text.setdefault(found[0], []).append(row.capture_id)
        self._keys = list(self._by_text)
        first = {key: ids[0] for key, ids in self._by_text.items()}
        self._signatures = np.array(
            [np.frombuffer(prints[first[key]][2], dtype="<u4") for key in self._keys],
            dtype=np.uint32).reshape(len(self._keys), NUM_PERM)
        self._index = SignatureIndex(self._signatures,
                                     np.array([prints[first[k]][1] for k in self._keys]))
        self._shingled = lru_cache(maxsize=TEXT_CACHE)(self._load)

    @property
    def indexed(self) -> int:
        """Captures taking part (one per article URL and text)."""
        return len(self._stories)

    def _load(self, text_key: str) -> ShingledText:
        return ShingledText(self.catalog.article_text(self._by_text[text_key][0]) or "")

    def trace(self, capture_id: str) -> Trace:
        """The captures at other URLs sharing this capture's text, and their lineage.

        Raises:
            CatalogError: no capture has this id (or unique prefix).
            TraceError: the capture has no article text, or too little to trace.
        """
        row = self.catalog.get(capture_id)
        query = story_of(row)
        text = self.catalog.article_text(row.capture_id)
        if not text:
            raise TraceError(f"capture {row.capture_id} of {row.url} has no article text to "
                             "trace (not an article page, or captured before texts were kept:"
                             " capture it again)")
        shingled = ShingledText(text)
        if shingled.distinct.size < MIN_SHINGLES:
            raise TraceError(f"capture {row.capture_id} of {row.url} has too little article "
                             f"text to trace ({shingled.words} words; about 25 are needed)")
        found = fingerprint_of(shingled, row.text_blake3 or "")
        identity = article_identity(row)
        keys = {self._keys[i] for i in self._index.candidates(found.values(), found.shingles)}
        if row.text_blake3 in self._by_text:
            keys.add(row.text_blake3)  # the same text at other URLs
        best: dict[str, tuple[Overlap, str, str]] = {}  # identity -> overlap, id, text key
        for key in keys:
            others = [c for c in self._by_text[key] if self._identity[c] != identity]
            if not others:
                continue
            shared = overlap(shingled, self._shingled(key))
            if not is_match(shared):
                continue
            for other in others:
                held = best.get(self._identity[other])
                if held is None or shared.similarity > held[0].similarity:
                    best[self._identity[other]] = (shared, other, key)
        ranked = sorted(best.values(), key=lambda m: (-m[0].containment, -m[0].similarity,
                                                      m[1]))[:MAX_MATCHES]
        matches = []
        for shared, other, key in ranked:
            story, theirs = self._stories[other], self._shingled(key)
            edge = compare(query, story, shared, (text, theirs.text))
            passages = [_passage(p, shingled, theirs)
                        for p in shared_passages(shingled, theirs, limit=MAX_PASSAGES)]
            matches.append(Match(story, shared, edge, passages))
        lineage = self._lineage(query, [(self._stories[other], key) for _, other, key in ranked],
                                [m.edge for m in matches])
        if lineage is None:
            self._store([], involving=[row.capture_id])
        else:
            self._store(list(lineage.parent.values()),
                        involving=[story.capture_id for story in lineage.stories])
        return Trace(query, found.shingles, matches, lineage)

    def _lineage(self, query: Story, members: list[tuple[Story, str]],
                 edges: list[Edge]) -> Cluster | None:
        """The tree of the traced capture and its matches (their overlaps measured too)."""
        if not members:
            return None
        found = list(edges)
        for index, (a, key_a) in enumerate(members):
            for b, key_b in members[index + 1:]:
                text_a, text_b = self._shingled(key_a), self._shingled(key_b)
                shared = overlap(text_a, text_b)
                if is_match(shared):  # members are at distinct URLs already
                    found.append(compare(a, b, shared, (text_a.text, text_b.text)))
        return Cluster([query, *(story for story, _ in members)], found)

    def trace_all(self, progress: ProgressCallback | None = None) -> list[Cluster]:
        """Every cluster of captures sharing text across URLs, largest first."""
        edges = []
        for key in self._keys:  # one text at several URLs: verbatim copies
            if len({self._identity[c] for c in self._by_text[key]}) > 1:
                text = self._shingled(key)
                edges += self._edges(key, key, overlap(text, text))
        for row, other, shared in matching_pairs(
                self._index, self._signatures, lambda r: self._shingled(self._keys[r]),
                progress):
            edges += self._edges(self._keys[row], self._keys[other], shared)
        found = clusters(edges)
        self._store([edge for cluster in found for edge in cluster.parent.values()],
                    involving=None)
        return found

    def _edges(self, key_a: str, key_b: str, shared: Overlap) -> list[Edge]:
        """Edges between the captures of two matching texts (or of one text), at
        distinct URLs."""
        text_a, text_b = self._shingled(key_a), self._shingled(key_b)
        found = []
        for a in self._by_text[key_a]:
            for b in self._by_text[key_b]:
                if (a < b or key_a != key_b) and self._identity[a] != self._identity[b]:
                    found.append(compare(self._stories[a], self._stories[b], shared,
                                         (text_a.text, text_b.text)))
        return found

    def _store(self, edges: list[Edge], *, involving: list[str] | None) -> None:
        """Keep each copy's link to its parent in the lineage (the earlier capture it
        shares most with), replacing what earlier traces found about these captures."""
        links = [(e.copy.capture_id, e.source.capture_id, republished_link(e)) for e in edges]
        self.catalog.replace_republications(links, involving=involving)


def matching_pairs(index: SignatureIndex, signatures: np.ndarray,
                   shingled: Callable[[int], ShingledText], progress: ProgressCallback | None = None
                   ) -> Iterator[tuple[int, int, Overlap]]:
    """(row, later row, measured overlap) of every pair of indexed texts that match,
    each pair once; ``shingled(row)`` gives a row's text."""
    for row in range(len(index)):
        if progress is not None:
            progress(row, len(index))
        found = index.candidates(signatures[row], int(index.sizes[row]))
        for other in sorted(int(r) for r in found if r > row):
            shared = overlap(shingled(row), shingled(other))
            if is_match(shared):
                yield row, other, shared


def is_match(shared: Overlap) -> bool:
    """Whether a measured overlap is reported (see ``MIN_CONTAINMENT``, ``MIN_SHARED``)."""
    return shared.containment >= MIN_CONTAINMENT and shared.shared >= MIN_SHARED


def _passage(passage, query: ShingledText, match: ShingledText) -> dict[str, Any]:
    text = query.text[passage.a_start:passage.a_end]
    return {"words": passage.words, "text": text[:MAX_PASSAGE_CHARS],
            "truncated": len(text) > MAX_PASSAGE_CHARS,
            "query": {"start": passage.a_start, "end": passage.a_end},
            "match": {"start": passage.b_start, "end": passage.b_end}}


def republished_link(edge: Edge) -> dict[str, Any]:
    """The copy's derived attribution link: the story came from the earlier outlet."""
    source, copy, shared = edge.source, edge.copy, edge.overlap
    credit = (f"credited ({edge.credit.how}): {edge.credit.evidence}" if edge.credit
              else "no credit to it found in this text")
    evidence = (f"{shared.coverage_b:.0%} of this article's text is in {source.url} (capture "
                f"{source.capture_id}, {shared.coverage_a:.0%} of that text; similarity "
                f"{shared.similarity:.2f}, {edge.reuse}); earlier by {edge.order.decided_by}: "
                f"{edge.order.explanation}; {credit}")
    return {"source": _party(source), "via": _party(copy), "relation": "republished",
            "evidence": evidence, "method": "similarity", "derived": True}


def _party(story: Story) -> dict[str, Any]:
    return {"name": story.outlet_name, "kind": "outlet", "domain": story.outlet["domain"]}


def story_of(row: CaptureRow) -> Story:
    """The lineage view of a catalog row."""
    document = row.provenance
    return Story(capture_id=row.capture_id, url=row.final_url,
                 outlet={"name": document["outlet"]["name"],
                         "domain": document["outlet"]["domain"]},
                 title=row.title, published_at=document["article"]["published_at"],
                 captured_at=row.captured_at, links=tuple(document["attribution"]))


def article_identity(row: CaptureRow) -> str:
    """What makes two captures the same article: the canonical URL when it is on the
    page's own site (a canonical on another site is a credit, not an identity), else
    the final URL."""
    canonical = row.provenance["article"].get("canonical_url")
    if canonical and urlsplit(canonical).hostname == urlsplit(row.final_url).hostname:
        return canonical
    return row.final_url


def to_document(trace: Trace | None, found: list[Cluster], tracer: Tracer) -> dict[str, Any]:
    """The ``trace`` document (schemas/trace): one capture's matches, or every cluster."""
    query = None
    if trace is not None:
        query = {**trace.query.summary(), "shingles": trace.shingles}
    return {
        "schema_version": SCHEMA_VERSION,
        "method": {"fingerprint": METHOD, "min_containment": MIN_CONTAINMENT,
                   "min_shared_shingles": MIN_SHARED},
        "captures": {"indexed": tracer.indexed, "fingerprinted_now": tracer.gaps.made,
                     "without_text": tracer.gaps.without_text},
        "query": query,
        "matches": [m.to_document() for m in trace.matches] if trace else [],
        "clusters": [cluster.to_document() for cluster in found],
    }
