"""When to capture each watched URL again, politely, and the state that survives a crash.

The recapture schedule decays as NewsDiffs' does (ecprice/newsdiffs,
``website/frontend/management/commands/scraper.py``, ``get_update_delay``): the
interval depends on how long the article has been *quiet*, that is the time since it
last changed (or since it was first seen, if it never changed), so an edit makes an
article young again. NewsDiffs' intervals, which ``NEWSDIFFS_TABLE`` keeps:

    quiet for less than 3 hours   every 15 minutes
    less than 1 day               every hour
    less than 7 days              every 3 hours
    less than 30 days             every day
    longer                        every week

NewsDiffs checks an article when ``minutes_since_check / delay > 1`` and visits the
most overdue (by that ratio) first; ``WatchState.due`` orders the same way. NewsDiffs
never stops; we stop after ``STOP_AFTER`` (a year) of quiet, since a watch that
recaptures every article it ever saw weekly grows without bound. A source's
``lastmod`` newer than our last capture makes the URL due at once, as does a URL we
have never captured.

HTTP caching: ``cache_validators`` takes ETag / Last-Modified from a response and
``conditional_headers`` turns them into If-None-Match / If-Modified-Since (RFC 9110
section 13) for the next request; a ``304`` is an unchanged capture.

Sitemap indexes: the state keeps, per child sitemap, the ``lastmod`` its index gave
at our last successful read and that read's validators (``SitemapState``), and per
index the children it listed then (``listing``). A child whose listed lastmod has not
moved is not fetched again, and an index that answers ``304`` is walked through its
remembered listing, so a news site's index of hundreds of sitemaps costs a request or
two per pass rather than hundreds.
"""

from __future__ import annotations

import re
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from pathlib import Path

from .errors import ArchiverError
from .feeds import FeedEntry

WATCH_NAME = "watch.sqlite3"
#: 2: child sitemaps (``sitemaps``) and what each index listed (``listings``).
SCHEMA_VERSION = 2


@dataclass(frozen=True, slots=True)
class Band:
    """Recapture ``every`` while the article has been quiet for less than ``quiet_under``."""

    quiet_under: timedelta | None  # None: open-ended (the last band)
    every: timedelta


#: NewsDiffs' get_update_delay (see the module docstring), quiet time -> interval.
NEWSDIFFS_TABLE: tuple[Band, ...] = (
    Band(timedelta(hours=3), timedelta(minutes=15)),
    Band(timedelta(days=1), timedelta(hours=1)),
    Band(timedelta(days=7), timedelta(hours=3)),
    Band(timedelta(days=30), timedelta(days=1)),
    Band(None, timedelta(days=7)),
)
#: No more recaptures once an article has been quiet this long (NewsDiffs: never stops).
STOP_AFTER = timedelta(days=365)


class WatchStateError(ArchiverError):
    """The watch state database cannot be opened or written."""


def interval_for(quiet: timedelta, table: tuple[Band, ...] = NEWSDIFFS_TABLE) -> timedelta:
    """The recapture interval for an article quiet for ``quiet``."""
    for band in table:
        if band.quiet_under is None or quiet < band.quiet_under:
            return band.every
    return table[-1].every


def next_due(first_seen: datetime, last_captured: datetime | None,
             last_changed: datetime | None, now: datetime, *,
             published: datetime | None = None, lastmod: datetime | None = None,
             table: tuple[Band, ...] = NEWSDIFFS_TABLE,
             stop_after: timedelta | None = STOP_AFTER) -> datetime | None:
    """When to capture the URL next; a time at or before ``now`` means due now.

    None means stop watching it (quiet for longer than ``stop_after``). The answer is
    the first moment at which the time since the last capture reaches the interval
    that the article's quiet time calls for, so it does not depend on when it is asked.
    """
    return _plan(first_seen, last_captured, last_changed, now, published=published,
                 lastmod=lastmod, table=table, stop_after=stop_after)[0]


def _plan(first_seen, last_captured, last_changed, now, *, published, lastmod, table,
          stop_after) -> tuple[datetime | None, timedelta]:
    """(next due or None, the interval it was computed with)."""
    for name, value in (("first_seen", first_seen), ("last_captured", last_captured),
                        ("last_changed", last_changed), ("now", now),
                        ("published", published), ("lastmod", lastmod)):
        if value is not None and value.utcoffset() is None:
            raise ValueError(f"{name} must be a timezone-aware datetime")
    if last_captured is None or (lastmod is not None and lastmod > last_captured):
        return now, table[0].every
    # An article cannot be born after we first saw it; a claimed future date is ignored.
    born = min(first_seen, published) if published is not None else first_seen
    anchor = max(born, last_changed) if last_changed is not None else born
    low = timedelta(0)
    for band in table:
        due = max(last_captured + band.every, anchor + low)
        if band.quiet_under is None or due < anchor + band.quiet_under:
            if stop_after is not None and due - anchor >= stop_after:
                return None, band.every
            return due, band.every
        low = band.quiet_under
    raise ValueError("the last band of a schedule table must be open-ended (quiet_under=None)")


# -- HTTP caching -------------------------------------------------------------------------

_ETAG = re.compile(r'(?:W/)?"[\x21\x23-\x7e\x80-\xff]*"|[\x21\x23-\x2b\x2d-\x7e]+')
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")


def cache_validators(headers: Iterable[tuple[str, str]]) -> tuple[str | None, str | None]:
    """(ETag, Last-Modified) of a response's header fields, each None when absent or invalid.

    Values are kept exactly as received (RFC 9110 13.1.3: send Last-Modified back as
    is). An ETag that is neither an entity-tag nor a bare token, or a Last-Modified that
    is not an HTTP-date, is dropped rather than echoed into our next request.
    """
    etag = last_modified = None
    for name, value in headers:
        lowered = name.strip().lower()
        if lowered == "etag":
            etag = value.strip()
        elif lowered == "last-modified":
            last_modified = value.strip()
    if etag is not None and not _ETAG.fullmatch(etag):
        etag = None
    if last_modified is not None and (_CONTROL.search(last_modified)
                                      or _http_date(last_modified) is None):
        last_modified = None
    return etag, last_modified


def conditional_headers(etag: str | None, last_modified: str | None) -> list[tuple[str, str]]:
    """If-None-Match / If-Modified-Since for a recapture; empty when there is nothing to send.

    Both are sent when both are known: a server evaluates If-None-Match first and
    ignores If-Modified-Since then (RFC 9110 13.2.2), and a server that does not
    keep ETags across its cluster can still answer the date.
    """
    etag, last_modified = cache_validators(
        [("ETag", etag or ""), ("Last-Modified", last_modified or "")])
    headers = []
    if etag:
        headers.append(("If-None-Match", etag))
    if last_modified:
        headers.append(("If-Modified-Since", last_modified))
    return headers


def _http_date(value: str) -> datetime | None:
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=timezone.utc)


# -- the state database -------------------------------------------------------------------

_SCHEMA = """
CREATE TABLE IF NOT EXISTS urls (
    url            TEXT PRIMARY KEY,
    source         TEXT,            -- the source that listed it first
    first_seen     TEXT NOT NULL,   -- times: RFC 3339 UTC, fixed width, so text order = time order
    published      TEXT,            -- as a source claims it
    lastmod        TEXT,            -- the newest lastmod a source gave
    last_captured  TEXT,
    last_changed   TEXT,
    etag           TEXT,            -- validators of the last response, sent back as they came
    last_modified  TEXT,
    next_due       TEXT,            -- NULL: no longer watched (quiet too long, or gave up)
    interval       REAL NOT NULL,   -- seconds, the interval next_due was computed with
    failures       INTEGER NOT NULL DEFAULT 0,
    last_error     TEXT
);
CREATE INDEX IF NOT EXISTS urls_next_due ON urls (next_due) WHERE next_due IS NOT NULL;
CREATE TABLE IF NOT EXISTS sources (
    source         TEXT PRIMARY KEY,
    last_polled    TEXT NOT NULL,
    etag           TEXT,
    last_modified  TEXT,
    last_error     TEXT
);
CREATE TABLE IF NOT EXISTS sitemaps (
    url            TEXT PRIMARY KEY,  -- a child sitemap of a watched index
    lastmod        TEXT,              -- as its index gave it at our last successful read
    etag           TEXT,              -- validators of that read
    last_modified  TEXT,
    last_read      TEXT,
    last_error     TEXT               -- set when the last attempt failed
);
CREATE TABLE IF NOT EXISTS listings (  -- rowid order = the order the index gave
    parent         TEXT NOT NULL,     -- a sitemap index, a source or a child
    url            TEXT NOT NULL,     -- a sitemap it listed at our last read of it
    lastmod        TEXT,
    PRIMARY KEY (parent, url)
);
"""


@dataclass(frozen=True, slots=True, kw_only=True)
class Backoff:
    """Retry a failed capture after ``first``, doubling up to ``cap``; stop at ``give_up_after``.

    With the defaults a URL that keeps failing is retried 9 times over about 42 hours.
    A failure is a capture that could not happen (DNS, connect, deadline), not an HTTP
    error status: a 404 or 410 is a capture, and evidence that the article went away.
    """

    first: timedelta = timedelta(minutes=5)
    cap: timedelta = timedelta(days=1)
    give_up_after: int = 10

    def delay(self, failures: int) -> timedelta:
        return min(self.first * (2 ** max(failures - 1, 0)), self.cap)


@dataclass(frozen=True, slots=True, kw_only=True)
class WatchedUrl:
    """One URL of the watch state (times are aware UTC datetimes)."""

    url: str
    source: str | None
    first_seen: datetime
    published: datetime | None
    lastmod: datetime | None
    last_captured: datetime | None
    last_changed: datetime | None
    etag: str | None
    last_modified: str | None
    next_due: datetime | None
    interval: timedelta
    failures: int
    last_error: str | None

    def request_headers(self) -> list[tuple[str, str]]:
        """The conditional request headers for recapturing this URL."""
        return conditional_headers(self.etag, self.last_modified)


@dataclass(frozen=True, slots=True, kw_only=True)
class SitemapState:
    """A child sitemap of a watched index, as of our last attempt to read it."""

    url: str
    lastmod: datetime | None = None  # as its index gave it at our last successful read
    etag: str | None = None  # validators of that read
    last_modified: str | None = None
    last_read: datetime | None = None  # None: never read successfully
    last_error: str | None = None  # the last attempt failed

    def needs_read(self, listed: datetime | None) -> bool:
        """Whether to fetch it now that its index lists it with lastmod ``listed``.

        Only a lastmod that has not moved since a successful read spares the fetch; a
        child without one, never read, or that failed last time is fetched (with its
        validators, so an unchanged one costs a 304).
        """
        return (listed is None or self.lastmod is None or self.last_read is None
                or self.last_error is not None or listed > self.lastmod)

    def request_headers(self) -> list[tuple[str, str]]:
        """The conditional request headers for fetching it again."""
        return conditional_headers(self.etag, self.last_modified)


_COLUMNS = ("url", "source", "first_seen", "published", "lastmod", "last_captured",
            "last_changed", "etag", "last_modified", "next_due", "interval", "failures",
            "last_error")
_TIMES = ("first_seen", "published", "lastmod", "last_captured", "last_changed", "next_due")


class WatchState:
    """The watch state at ``path`` (``<home>/watch.sqlite3``), created if needed.

    Every method commits one transaction (WAL, ``synchronous=FULL``) before it returns,
    so a watch killed at any point resumes from the last call that returned. Safe to
    share between capture threads.
    """

    def __init__(self, path: Path, *, table: tuple[Band, ...] = NEWSDIFFS_TABLE,
                 stop_after: timedelta | None = STOP_AFTER, backoff: Backoff = Backoff()) -> None:
        self.path = path
        self.table = table
        self.stop_after = stop_after
        self.backoff = backoff
        self._lock = threading.RLock()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
            self._db.execute("PRAGMA busy_timeout=10000")
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            version = self._db.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise WatchStateError(f"{path} was written by a newer archiver (schema {version})")
            with self._transaction():
                for statement in _SCHEMA.split(";"):
                    if statement.strip():
                        self._db.execute(statement)
                if version == 1:
                    # Version 1 kept no listings: a sitemap index answering 304 would hide
                    # its children, so poll every source in full once to learn them.
                    self._db.execute("UPDATE sources SET etag = NULL, last_modified = NULL")
                self._db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
        except sqlite3.DatabaseError as exc:
            raise WatchStateError(f"cannot open watch state {path}: {exc}") from exc

    @classmethod
    def in_home(cls, home: Path, **options) -> WatchState:
        """The watch state of the archive at ``home``."""
        return cls(Path(home) / WATCH_NAME, **options)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> WatchState:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- writing --

    def observe(self, source: str, entries: Iterable[FeedEntry], now: datetime) -> int:
        """Record what ``source`` listed at ``now``; returns how many URLs are new.

        New URLs are due at once. A known URL whose lastmod is newer than both the
        lastmod we had and our last capture is due at once too (also when it had
        stopped being watched): only a *new* lastmod counts, so a source that claims a
        date in the future does not make the URL due on every poll.
        """
        _aware(now)
        new = 0
        with self._transaction():
            for entry in entries:
                row = self._get(entry.url)
                if row is None:
                    new += 1
                    self._db.execute(
                        "INSERT INTO urls (url, source, first_seen, published, lastmod, next_due,"
                        " interval) VALUES (?,?,?,?,?,?,?)",
                        (entry.url, source, _ts(now), _ts(entry.published), _ts(entry.lastmod),
                         _ts(now), self.table[0].every.total_seconds()))
                    continue
                published = row.published or entry.published
                lastmod, next_at, interval = row.lastmod, row.next_due, row.interval
                if entry.lastmod is not None and (lastmod is None or entry.lastmod > lastmod):
                    lastmod = entry.lastmod
                    if row.last_captured is None or entry.lastmod > row.last_captured:
                        next_at, interval = now, self.table[0].every
                if (published, lastmod, next_at) == (row.published, row.lastmod, row.next_due):
                    continue
                self._db.execute(
                    "UPDATE urls SET published = ?, lastmod = ?, next_due = ?, interval = ?"
                    " WHERE url = ?",
                    (_ts(published), _ts(lastmod), _ts(next_at), interval.total_seconds(),
                     entry.url))
        return new

    def record_capture(self, url: str, when: datetime, *, changed: bool,
                       etag: str | None = None, last_modified: str | None = None,
                       source: str | None = None) -> datetime | None:
        """Record a capture of ``url`` at ``when``; returns when it is due next (None: done).

        ``changed`` is whether the article (its text, not the page chrome) differs from
        the previous capture; the first capture always counts as a change. A ``304``
        is ``changed=False``. Validators left None keep the previous ones (a 304 need not
        repeat them).
        """
        _aware(when)
        with self._transaction():
            row = self._get(url)
            if row is None:
                self._db.execute(
                    "INSERT INTO urls (url, source, first_seen, interval) VALUES (?,?,?,?)",
                    (url, source, _ts(when), 0.0))
                row = self._get(url)
            assert row is not None
            last_changed = when if changed or row.last_captured is None else row.last_changed
            due, every = _plan(row.first_seen, when, last_changed, when, published=row.published,
                               lastmod=None, table=self.table, stop_after=self.stop_after)
            self._db.execute(
                "UPDATE urls SET last_captured = ?, last_changed = ?, etag = ?, last_modified = ?,"
                " next_due = ?, interval = ?, failures = 0, last_error = NULL WHERE url = ?",
                (_ts(when), _ts(last_changed), etag or row.etag, last_modified or row.last_modified,
                 _ts(due), every.total_seconds(), url))
        return due

    def record_failure(self, url: str, when: datetime, reason: str, *, permanent: bool = False,
                       retry_after: datetime | None = None) -> datetime | None:
        """Record a capture of ``url`` that failed; returns when to retry (None: given up).

        Retries back off (``Backoff``); ``retry_after`` (from a Retry-After header) is
        honoured when later; ``permanent`` gives up at once (the network policy refused it).
        """
        _aware(when)
        with self._transaction():
            row = self._get(url)
            if row is None:
                raise WatchStateError(f"{url} is not in the watch state {self.path}")
            failures = row.failures + 1
            due: datetime | None = None
            if not permanent and failures < self.backoff.give_up_after:
                due = when + self.backoff.delay(failures)
                if retry_after is not None:
                    due = max(due, _aware(retry_after))
            self._db.execute(
                "UPDATE urls SET failures = ?, last_error = ?, next_due = ? WHERE url = ?",
                (failures, reason, _ts(due), url))
        return due

    def record_poll(self, source: str, when: datetime, *, etag: str | None = None,
                    last_modified: str | None = None, error: str | None = None,
                    sitemaps: Iterable[SitemapState] = (),
                    listings: Mapping[str, Iterable[FeedEntry]] | None = None) -> None:
        """Record a poll of a source (a feed or sitemap) and its validators for the next one.

        ``sitemaps`` are the child sitemaps fetched on this poll: one with ``last_error``
        records a failed attempt and keeps what the last successful read left; the
        others replace it (validators left None keep the previous ones, as a 304 need
        not repeat them). ``listings`` replaces what each document read listed. All in
        one transaction, so validators are never kept without the listing they stand for.
        """
        _aware(when)
        with self._transaction():
            self._db.execute(
                "INSERT INTO sources (source, last_polled, etag, last_modified, last_error)"
                " VALUES (?,?,?,?,?) ON CONFLICT (source) DO UPDATE SET"
                " last_polled = excluded.last_polled, last_error = excluded.last_error,"
                " etag = coalesce(excluded.etag, etag),"
                " last_modified = coalesce(excluded.last_modified, last_modified)",
                (source, _ts(when), etag, last_modified, error))
            for child in sitemaps:
                self._record_sitemap(child)
            for parent, listed in (listings or {}).items():
                self._db.execute("DELETE FROM listings WHERE parent = ?", (parent,))
                self._db.executemany(
                    "INSERT OR IGNORE INTO listings (parent, url, lastmod) VALUES (?,?,?)",
                    ((parent, entry.url, _ts(entry.lastmod)) for entry in listed))

    def _record_sitemap(self, child: SitemapState) -> None:
        if child.last_error is not None:
            self._db.execute(
                "INSERT INTO sitemaps (url, last_error) VALUES (?,?)"
                " ON CONFLICT (url) DO UPDATE SET last_error = excluded.last_error",
                (child.url, child.last_error))
            return
        self._db.execute(
            "INSERT INTO sitemaps (url, lastmod, etag, last_modified, last_read) VALUES (?,?,?,?,?)"
            " ON CONFLICT (url) DO UPDATE SET lastmod = excluded.lastmod,"
            " last_read = excluded.last_read, last_error = NULL,"
            " etag = coalesce(excluded.etag, etag),"
            " last_modified = coalesce(excluded.last_modified, last_modified)",
            (child.url, _ts(child.lastmod), child.etag, child.last_modified,
             _ts(child.last_read)))

    # -- reading --

    def due(self, now: datetime, limit: int = 100) -> list[WatchedUrl]:
        """Up to ``limit`` URLs to capture at ``now``, the most urgent first.

        URLs never captured come first, the newest article first; then the rest by how
        many of their intervals have passed since their last capture (NewsDiffs'
        priority), so a young article 30 minutes late beats an old one a day late.
        """
        stamp = _ts(_aware(now))
        with self._lock:
            rows = self._db.execute(
                f"SELECT {', '.join(_COLUMNS)} FROM urls"
                " WHERE next_due IS NOT NULL AND next_due <= ?"
                " ORDER BY last_captured IS NOT NULL,"
                " CASE WHEN last_captured IS NULL THEN coalesce(published, first_seen) END DESC,"
                " (julianday(?) - julianday(last_captured)) * 86400.0 / max(interval, 1) DESC,"
                " url LIMIT ?", (stamp, stamp, limit)).fetchall()
        return [_row(r) for r in rows]

    def earliest_due(self) -> datetime | None:
        """When the next watched URL is due (None: nothing is watched any more)."""
        with self._lock:
            (first,) = self._db.execute(
                "SELECT min(next_due) FROM urls WHERE next_due IS NOT NULL").fetchone()
        return _parse_ts(first)

    def get(self, url: str) -> WatchedUrl | None:
        """The state of ``url``, or None when it is not watched."""
        with self._lock:
            return self._get(url)

    def source_validators(self, source: str) -> tuple[str | None, str | None]:
        """(ETag, Last-Modified) of the last poll of ``source``, for a conditional request."""
        with self._lock:
            row = self._db.execute("SELECT etag, last_modified FROM sources WHERE source = ?",
                                   (source,)).fetchone()
        return (row[0], row[1]) if row else (None, None)

    def sitemap(self, url: str) -> SitemapState | None:
        """What we know of the child sitemap at ``url``, or None if never fetched."""
        with self._lock:
            row = self._db.execute(
                "SELECT url, lastmod, etag, last_modified, last_read, last_error FROM sitemaps"
                " WHERE url = ?", (url,)).fetchone()
        if row is None:
            return None
        return SitemapState(url=row[0], lastmod=_parse_ts(row[1]), etag=row[2],
                            last_modified=row[3], last_read=_parse_ts(row[4]), last_error=row[5])

    def listing(self, parent: str) -> tuple[FeedEntry, ...]:
        """The child sitemaps the index at ``parent`` listed at our last read of it."""
        with self._lock:
            rows = self._db.execute("SELECT url, lastmod FROM listings WHERE parent = ?"
                                    " ORDER BY rowid", (parent,)).fetchall()
        return tuple(FeedEntry(url=url, lastmod=_parse_ts(lastmod)) for url, lastmod in rows)

    def __len__(self) -> int:
        with self._lock:
            return self._db.execute("SELECT count(*) FROM urls").fetchone()[0]

    def _get(self, url: str) -> WatchedUrl | None:
        row = self._db.execute(f"SELECT {', '.join(_COLUMNS)} FROM urls WHERE url = ?",
                               (url,)).fetchone()
        return _row(row) if row else None

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        with self._lock:
            try:
                self._db.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as exc:
                raise WatchStateError(f"cannot write watch state {self.path}: {exc}") from exc
            try:
                yield
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            try:
                self._db.execute("COMMIT")
            except sqlite3.Error as exc:
                self._db.execute("ROLLBACK")
                raise WatchStateError(f"cannot write watch state {self.path}: {exc}") from exc


def _row(row: tuple) -> WatchedUrl:
    values = dict(zip(_COLUMNS, row, strict=True))
    for name in _TIMES:
        values[name] = _parse_ts(values[name])
    values["interval"] = timedelta(seconds=values["interval"])
    return WatchedUrl(**values)


def _ts(moment: datetime | None) -> str | None:
    """Fixed-width RFC 3339 UTC text, so that SQLite's text order is time order."""
    if moment is None:
        return None
    utc = _aware(moment).astimezone(timezone.utc).replace(tzinfo=None)
    return utc.isoformat(timespec="microseconds") + "Z"


def _parse_ts(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text[:-1]).replace(tzinfo=timezone.utc)


def _aware(moment: datetime) -> datetime:
    if moment.utcoffset() is None:
        raise ValueError("watch times must be timezone-aware datetimes")
    return moment
