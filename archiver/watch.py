"""Watching sources: capture new articles, recapture known ones on a decaying schedule.

A SOURCE is an RSS/RDF/Atom feed, a sitemap (news sitemaps and sitemap indexes
included) or a list of article URLs, given as an http(s) URL or a local file. One pass
(``Watcher.run_pass``):

1. Polls every source, with the validators of its last poll (a ``304`` means nothing
   new), and parses it with the hardened reader of ``archiver.feeds``. One bad source
   is reported and skipped; the others are still read. The URLs listed go into the
   watch state (``archiver.schedule.WatchState``): a new URL, or one whose ``lastmod``
   is newer than our last capture, is due at once. URLs are only ever added or
   updated: one that a source no longer lists keeps its schedule.
   For a sitemap index, a child sitemap whose ``lastmod`` in the index has not moved
   since our last successful read of it is not fetched; the others are fetched with
   the validators of their last read (a ``304`` means unchanged), and one that failed
   is fetched again on the next pass. An index that answers ``304`` is walked through
   the children it listed at our last read.
2. Captures the URLs due now, most urgent first, at most ``max_captures`` of them,
   through one ``Capturer`` with ``revalidate=True``: each recapture asks the server
   whether the page changed since the archive's newest capture of it, and a ``304``
   is recorded as a server-not-modified revisit.
3. Throughout, one ``HostPacer`` paces every request, source and child sitemap fetches
   as well as captures: at most ``per_host`` at once per host, starts ``delay``
   seconds apart; a ``429`` or ``503`` holds the host back ``throttle_pause`` seconds
   more. Sources are read one request at a time; captures run in a thread pool.
4. Records each outcome: the recapture schedule decays while the article stays
   unchanged (same text and status as its previous capture) and starts again when it
   changes; a failed capture backs off (a URL the network policy refuses is dropped).

**Crash safety.** Every step commits before the next, so a watch killed at any point
resumes where it stopped: a capture whose outcome was not yet recorded is still due and
is captured again (an unchanged page then gives a revisit, not a second copy), and the
``Capturer`` recovers a WARC file left open.

The clock and the sleep are parameters, so tests run the schedule without waiting.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

from .capture import Capturer, CaptureSettings, utc_now
from .catalog import CaptureRow
from .errors import ArchiverError, PolicyError
from .feeds import FeedEntry, FeedError, FeedLimits
from .home import ArchiveHome
from .httpmsg import DecodeLimitError, content_decode, payload_of
from .pacing import HostPacer
from .schedule import (
    SitemapState,
    WatchedUrl,
    WatchState,
    cache_validators,
    conditional_headers,
)
from .sitemapindex import Gathered, NotModified, gather

__all__ = ["PassSummary", "WatchEvent", "WatchOptions", "Watcher"]

#: Statuses that ask us to slow down: the capture is kept, the URL retried later.
THROTTLE_STATUSES = (429, 503)


@dataclass(frozen=True, slots=True, kw_only=True)
class WatchOptions:
    """How hard a watch may pull on the sites it watches."""

    per_host: int = 1  # requests at once to one host
    delay: float = 2.0  # seconds between request starts to one host
    workers: int = 4  # captures at once, all hosts together
    #: Captures per pass; the rest stay due for the next pass, most urgent first.
    max_captures: int = 1000
    #: Extra seconds a host is left alone after it answered 429 or 503.
    throttle_pause: float = 60.0
    feed_limits: FeedLimits = field(default_factory=FeedLimits)


@dataclass(frozen=True, slots=True, kw_only=True)
class WatchEvent:
    """Something a pass did, for the caller to show.

    ``kind`` is ``source`` (read: ``detail`` says how many articles and, for a sitemap
    index, how many child sitemaps were read, unchanged and failed),
    ``source-unchanged`` (304), ``source-error`` (the source or one child sitemap),
    ``captured`` (``row`` is the capture, ``detail`` one of ``new``, ``changed``,
    ``unchanged``, ``revisit``) or ``failed``.
    """

    kind: str
    subject: str  # the source or the article URL
    detail: str = ""
    row: CaptureRow | None = None


@dataclass(slots=True)
class PassSummary:
    """What one pass did."""

    sources: int = 0
    unreadable_sources: int = 0  # sources that gave nothing
    source_errors: int = 0  # every document that failed, child sitemaps included
    sitemaps_read: int = 0  # child sitemaps of indexes fetched and parsed
    sitemaps_unchanged: int = 0  # not fetched (lastmod has not moved) or answered 304
    sitemaps_failed: int = 0
    new_urls: int = 0
    captured: int = 0
    changed: int = 0  # new or changed articles
    revisits: int = 0
    failed: int = 0
    next_due: datetime | None = None  # the earliest moment a watched URL is due again


class Watcher:
    """Watches ``sources`` into the archive at ``home``. Use as a context manager."""

    def __init__(self, *, home: ArchiveHome, sources: Sequence[str],
                 settings: CaptureSettings = CaptureSettings(),
                 options: WatchOptions = WatchOptions(),
                 clock: Callable[[], datetime] = utc_now,
                 sleep: Callable[[float], None] = time.sleep,
                 on_event: Callable[[WatchEvent], None] = lambda event: None) -> None:
        self.sources = tuple(sources)
        self.options = options
        self.clock = clock
        self.sleep = sleep
        self.on_event = on_event
        self.state = WatchState.in_home(home.path)
        # One pacer for every request of every pass: a host serves sitemaps and articles.
        self.pacer = HostPacer(per_host=options.per_host, delay=options.delay,
                               clock=lambda: self.clock().timestamp())
        try:
            self.capturer = Capturer(home=home, settings=replace(settings, revalidate=True),
                                     clock=clock)
        except BaseException:
            self.state.close()
            raise

    def __enter__(self) -> Watcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.capturer.close()
        self.state.close()

    def run(self, *, once: bool = False, interval: float = 300.0,
            on_pass: Callable[[PassSummary], None] = lambda summary: None) -> None:
        """Run passes ``interval`` seconds apart (one pass with ``once``)."""
        while True:
            on_pass(self.run_pass())
            if once:
                return
            self.sleep(interval)

    def run_pass(self) -> PassSummary:
        """Poll every source, then capture what is due (see the module docstring)."""
        summary = PassSummary(sources=len(self.sources))
        for source in self.sources:
            self._poll(source, summary)
        due = self.state.due(self.clock(), limit=self.options.max_captures)
        self._capture_all(due, summary)
        summary.next_due = self.state.earliest_due()
        return summary

    # -- sources --

    def _poll(self, source: str, summary: PassSummary) -> None:
        validators: dict[str, tuple[str | None, str | None]] = {}

        def fetch(url: str) -> bytes:
            if url == source:
                held = conditional_headers(*self.state.source_validators(source))
            else:
                known = self.state.sitemap(url)
                held = known.request_headers() if known else []
            return self._read(url, held, validators)

        now = self.clock()
        try:
            gathered = gather(source, fetch, limits=self.options.feed_limits,
                              follow=self._follow, remembered=self.state.listing)
        except NotModified:
            self.state.record_poll(source, now)
            self.on_event(WatchEvent(kind="source-unchanged", subject=source))
            return
        except ArchiverError as exc:
            summary.unreadable_sources += 1
            summary.source_errors += 1
            self.state.record_poll(source, now, error=str(exc))
            self.on_event(WatchEvent(kind="source-error", subject=source, detail=str(exc)))
            return
        # Entries first: a crash before record_poll only makes the next pass read again.
        new = self.state.observe(source, gathered.entries, now)
        summary.new_urls += new
        etag, last_modified = validators.get(source, (None, None))
        self.state.record_poll(source, now, etag=etag, last_modified=last_modified,
                               sitemaps=_sitemap_states(gathered, validators, now),
                               listings=gathered.listings)
        read, unchanged, failed = _child_counts(gathered)
        summary.sitemaps_read += read
        summary.sitemaps_unchanged += unchanged
        summary.sitemaps_failed += failed
        summary.source_errors += len(gathered.errors)
        for error in gathered.errors:
            self.on_event(WatchEvent(kind="source-error", subject=source, detail=str(error)))
        detail = f"{len(gathered.entries)} articles, {new} new"
        if gathered.not_modified:
            detail = f"index not modified since the last poll; {detail}"
        if gathered.children:
            detail += f"; child sitemaps: {read} read, {unchanged} unchanged, {failed} failed"
        self.on_event(WatchEvent(kind="source", subject=source, detail=detail))

    def _follow(self, child: FeedEntry) -> bool:
        """Whether to fetch a child sitemap its index lists (see SitemapState.needs_read)."""
        known = self.state.sitemap(child.url)
        return known is None or known.needs_read(child.lastmod)

    def _read(self, url: str, conditional: list[tuple[str, str]],
              validators: dict[str, tuple[str | None, str | None]]) -> bytes:
        """The document at ``url`` (a local file, or fetched under the network policy and
        the host's pace); a 304's validators, or a 200's, go into ``validators``."""
        limit = self.options.feed_limits.max_bytes
        if urlsplit(url).scheme.lower() not in ("http", "https"):
            try:
                with Path(url).open("rb") as handle:
                    return handle.read(limit + 1)  # parse_feed refuses what is over
            except OSError as exc:
                raise FeedError(url, f"cannot read the file ({exc.strerror or exc})") from None
        self.pacer.add(url)
        while self.pacer.take() is None:  # sources are read one at a time: it is ours
            self.sleep(self.pacer.wait_time() or 0.0)
        try:
            final = self.capturer.fetcher.fetch(url, conditional=conditional)[-1]
        except BaseException:
            self.pacer.done(url)
            raise
        throttled = final.status in THROTTLE_STATUSES
        self.pacer.done(url, pause=self.options.throttle_pause if throttled else 0.0)
        if final.status == 304 and conditional:  # unasked, a 304 tells us nothing: an error
            validators[url] = cache_validators(final.head.headers)
            raise NotModified(url)
        if final.status != 200:
            raise FeedError(url, f"the server answered HTTP {final.status}")
        if final.truncated:
            raise FeedError(url, f"the response was cut ({final.truncated}); raise --max-bytes "
                                 "or --timeout")
        validators[url] = cache_validators(final.head.headers)
        try:
            return content_decode(payload_of(final.response, final.head),
                                  final.head.get("content-encoding"), max_bytes=limit)
        except DecodeLimitError as exc:
            raise FeedError(url, str(exc)) from None

    # -- captures --

    def _capture_all(self, due: list[WatchedUrl], summary: PassSummary) -> None:
        self.pacer.extend(watched.url for watched in due)
        running: dict[Future[CaptureRow], str] = {}
        with ThreadPoolExecutor(max_workers=self.options.workers,
                                thread_name_prefix="archiver-watch") as pool:
            while self.pacer.pending or running:
                url = self.pacer.take()
                if url is not None:
                    running[pool.submit(self.capturer.capture, url)] = url
                    continue
                pause = self.pacer.wait_time()
                if running and pause != 0:
                    finished, _ = wait(running, timeout=pause, return_when=FIRST_COMPLETED)
                    for future in finished:
                        self._finish(running.pop(future), future, summary)
                elif pause:
                    self.sleep(pause)
                elif pause is None:
                    break  # nothing running and nothing may start: cannot happen

    def _finish(self, url: str, future: Future[CaptureRow], summary: PassSummary) -> None:
        now = self.clock()
        pause = 0.0
        try:
            row = future.result()
        except ArchiverError as exc:
            summary.failed += 1
            self.state.record_failure(url, now, str(exc), permanent=isinstance(exc, PolicyError))
            self.on_event(WatchEvent(kind="failed", subject=url, detail=str(exc)))
        else:
            summary.captured += 1
            if row.status in THROTTLE_STATUSES:
                pause = self.options.throttle_pause
                self.state.record_failure(url, now, f"HTTP {row.status}: the site asks us to "
                                                    "slow down")
                outcome = "throttled"
            else:
                outcome = self._outcome(row)
                content = row.provenance["content"]
                self.state.record_capture(url, now, changed=outcome in ("new", "changed"),
                                          etag=content.get("etag"),
                                          last_modified=content.get("last_modified"))
            summary.changed += outcome in ("new", "changed")
            summary.revisits += outcome == "revisit"
            self.on_event(WatchEvent(kind="captured", subject=url, detail=outcome, row=row))
        self.pacer.done(url, pause=pause)

    def _outcome(self, row: CaptureRow) -> str:
        """``new``, ``changed``, ``unchanged`` or ``revisit``: this capture against the
        previous capture of the same URL (its article text and its status)."""
        if row.provenance["content"].get("revisit"):
            return "revisit"
        earlier = [other for other in self.capturer.catalog.captures(url=row.url)
                   if other.capture_id != row.capture_id and other.captured_at <= row.captured_at]
        if not earlier:
            return "new"
        previous = earlier[-1]
        same = (previous.text_blake3, previous.status) == (row.text_blake3, row.status)
        return "unchanged" if same else "changed"


def _child_counts(gathered: Gathered) -> tuple[int, int, int]:
    """Child sitemaps (read, unchanged: skipped or not modified, failed)."""
    outcomes = [child.outcome for child in gathered.children]
    read, failed = outcomes.count("read"), outcomes.count("failed")
    return read, len(outcomes) - read - failed, failed


def _sitemap_states(gathered: Gathered, validators: dict[str, tuple[str | None, str | None]],
                    now: datetime) -> list[SitemapState]:
    """What to remember of each child sitemap fetched: read or not modified (its listed
    lastmod and validators), or failed (why)."""
    states = []
    for child in gathered.children:
        url = child.listed.url
        if child.outcome == "failed":
            states.append(SitemapState(url=url, last_error=str(child.error)))
        elif child.outcome != "skipped":
            etag, last_modified = validators.get(url, (None, None))
            states.append(SitemapState(url=url, lastmod=child.listed.lastmod, etag=etag,
                                       last_modified=last_modified, last_read=now))
    return states
