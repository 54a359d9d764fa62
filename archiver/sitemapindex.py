"""Reading one watch SOURCE through its sitemap index: which child sitemaps to fetch.

``gather(source, fetch)`` parses the source with ``archiver.feeds`` and, when it is a
sitemap index, its child sitemaps (and theirs), breadth first, newest first, with the
caller's fetch function. The caller decides which children are worth fetching again
(``follow``, typically: only those whose ``lastmod`` moved since their last read) and
remembers what each index listed (``remembered``), so that an index that did not
change, or was skipped, still has its children checked. What became of each child is
reported (``ChildSitemap``), for the caller's state and its summary.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone

from .errors import ArchiverError
from .feeds import FeedEntry, FeedLimits, ParsedFeed, absolute_url, parse_feed


class NotModified(Exception):
    """Raised by a ``gather`` fetch function: ``url`` has not changed since the caller
    last read it (the server answered ``304`` to a conditional request)."""

    def __init__(self, url: str) -> None:
        super().__init__(f"{url} is not modified since the last read")
        self.url = url


@dataclass(frozen=True, slots=True, kw_only=True)
class ChildSitemap:
    """One child sitemap of an index as ``gather`` met it (``listed``: as the index gave it).

    ``outcome`` is ``read`` (fetched and parsed), ``not-modified``, ``skipped`` (not
    fetched: ``follow`` said so) or ``failed`` (could not be fetched or parsed).
    """

    listed: FeedEntry
    outcome: str
    error: ArchiverError | None = None  # for "failed"


@dataclass(frozen=True, slots=True, kw_only=True)
class Gathered:
    """Everything one source gave, through its sitemap index if it is one.

    ``children`` says what became of each child sitemap visited, in the order visited
    (one bad sitemap does not lose the others); a failure of the source itself raises
    instead. ``listings`` holds, for every document parsed, the child sitemaps it
    listed (empty for a document that is no index), for the caller to remember.
    ``not_modified`` says the source itself answered not modified and its remembered
    listing stood in for it.
    """

    source: str
    kind: str
    entries: tuple[FeedEntry, ...]
    children: tuple[ChildSitemap, ...] = ()
    listings: Mapping[str, tuple[FeedEntry, ...]] = field(default_factory=dict)
    not_modified: bool = False
    truncated: bool = False

    @property
    def documents(self) -> tuple[str, ...]:
        """Every document requested, the source first."""
        return (self.source, *(c.listed.url for c in self.children if c.outcome != "skipped"))

    @property
    def errors(self) -> tuple[ArchiverError, ...]:
        """The errors of the child documents that failed."""
        return tuple(c.error for c in self.children if c.error is not None)


def gather(source: str, fetch: Callable[[str], bytes], *, limits: FeedLimits = FeedLimits(),
           follow: Callable[[FeedEntry], bool] | None = None,
           remembered: Callable[[str], Sequence[FeedEntry]] | None = None) -> Gathered:
    """Read ``source`` and, for a sitemap index, the sitemaps it lists, breadth first.

    ``fetch(url) -> bytes`` is the caller's (capped, policy-checked) HTTP client; it
    raises an ArchiverError on failure, or NotModified when the document is unchanged
    since the caller last read it. ``follow(child) -> False`` skips a child without
    fetching it, typically one whose lastmod is not newer than at its last read.
    ``remembered(url)`` gives the children an index listed at the caller's last read
    of it: for an index that was skipped or not modified they are visited as if it
    had been read again, so a nested index does not hide its children's changes.
    A source that is not modified and has no remembered children lets NotModified
    out: nothing is new. Children are taken newest first; at most
    ``limits.max_sitemaps`` are fetched (skipped ones do not count); a document is
    never visited twice (cycles).
    """
    recall = remembered or (lambda url: ())
    listings: dict[str, tuple[FeedEntry, ...]] = {}
    try:
        top = parse_feed(fetch(source), source, limits=limits)
        listings[source] = top.sitemaps
    except NotModified:
        listed = tuple(recall(source))
        if not listed:
            raise
        top = ParsedFeed(source=source, kind="sitemapindex", sitemaps=listed)
    entries: dict[str, FeedEntry] = {}
    children: list[ChildSitemap] = []
    truncated = top.truncated
    seen = {source, absolute_url(source) or source}
    queue: list[tuple[FeedEntry, int]] = []

    def enqueue(listed: Sequence[FeedEntry], depth: int) -> None:
        for child in _newest_first(listed):
            if child.url not in seen:
                seen.add(child.url)
                queue.append((child, depth))

    enqueue(top.sitemaps, 1)
    _merge(entries, top.entries)
    fetched = 0
    while queue:
        child, depth = queue.pop(0)
        outcome, error = "read", None
        if follow is not None and not follow(child):
            outcome = "skipped"
        elif fetched >= limits.max_sitemaps:
            truncated = True
            break
        else:
            fetched += 1
            try:
                parsed = parse_feed(fetch(child.url), child.url, limits=limits, depth=depth)
            except NotModified:
                outcome = "not-modified"
            except ArchiverError as exc:
                outcome, error = "failed", exc
        children.append(ChildSitemap(listed=child, outcome=outcome, error=error))
        if outcome == "read":
            truncated = truncated or parsed.truncated
            _merge(entries, parsed.entries)
            listings[child.url] = parsed.sitemaps
            enqueue(parsed.sitemaps, depth + 1)
        elif outcome != "failed":
            enqueue(recall(child.url), depth + 1)
    return Gathered(source=source, kind=top.kind, entries=tuple(entries.values()),
                    children=tuple(children), listings=listings,
                    not_modified=source not in listings, truncated=truncated)


def _newest_first(children: Sequence[FeedEntry]) -> list[FeedEntry]:
    oldest = datetime.min.replace(tzinfo=timezone.utc)
    return sorted(children, key=lambda c: c.lastmod or oldest, reverse=True)


def _merge(entries: dict[str, FeedEntry], new: tuple[FeedEntry, ...]) -> None:
    for entry in new:
        entries.setdefault(entry.url, entry)
