"""The decaying recapture schedule, conditional requests, the resumable watch state, and
per-host politeness (with a fake clock: nothing here sleeps)."""

from __future__ import annotations

import itertools
import sqlite3
import subprocess
import sys
import textwrap
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from archiver.feeds import FeedEntry
from archiver.pacing import HostPacer
from archiver.schedule import (
    NEWSDIFFS_TABLE,
    STOP_AFTER,
    WATCH_NAME,
    Backoff,
    WatchState,
    WatchStateError,
    cache_validators,
    conditional_headers,
    interval_for,
    next_due,
)

UTC = timezone.utc
T0 = datetime(2026, 11, 3, 12, 0, tzinfo=UTC)
MIN = timedelta(minutes=1)
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)
REPO = Path(__file__).resolve().parent.parent


# -- the table -------------------------------------------------------------------------------


@pytest.mark.parametrize(("quiet", "every"), [
    (timedelta(0), 15 * MIN),
    (2 * HOUR + 59 * MIN, 15 * MIN),
    (3 * HOUR, HOUR),
    (23 * HOUR, HOUR),
    (DAY, 3 * HOUR),
    (6 * DAY, 3 * HOUR),
    (7 * DAY, DAY),
    (29 * DAY, DAY),
    (30 * DAY, 7 * DAY),
    (400 * DAY, 7 * DAY),
])
def test_interval_follows_newsdiffs_table(quiet, every):
    """The interval for a quiet time is NewsDiffs' get_update_delay."""
    assert interval_for(quiet) == every


def test_the_table_is_ordered_and_open_ended():
    """Bands grow in quiet time and interval, and the last one has no upper bound."""
    limits = [band.quiet_under for band in NEWSDIFFS_TABLE[:-1]]
    assert limits == sorted(limits)
    assert [b.every for b in NEWSDIFFS_TABLE] == sorted(b.every for b in NEWSDIFFS_TABLE)
    assert NEWSDIFFS_TABLE[-1].quiet_under is None


# -- next_due --------------------------------------------------------------------------------


def test_a_url_never_captured_is_due_now():
    """First sight means capture at once."""
    assert next_due(T0, None, None, T0 + MIN) == T0 + MIN


def test_a_young_article_is_recaptured_every_15_minutes():
    """Just captured and just seen: again in 15 minutes."""
    assert next_due(T0, T0, T0, T0) == T0 + 15 * MIN


def test_the_interval_grows_as_the_article_stays_quiet():
    """Past 3 h quiet the next check waits a full hour since the last one, and so on."""
    captured = T0 + 2 * HOUR + 55 * MIN
    assert next_due(T0, captured, T0, captured) == captured + HOUR
    captured = T0 + 2 * DAY
    assert next_due(T0, captured, T0, captured) == captured + 3 * HOUR
    captured = T0 + 10 * DAY
    assert next_due(T0, captured, T0, captured) == captured + DAY
    captured = T0 + 40 * DAY
    assert next_due(T0, captured, T0, captured) == captured + 7 * DAY


def test_crossing_a_band_waits_for_the_band_start():
    """A check due inside a faster band happens no earlier than that band allows."""
    # Last capture at 2h50 quiet: 15 min later is 3h05, already in the hourly band,
    # so the next check is one hour after the last capture.
    captured = T0 + 2 * HOUR + 50 * MIN
    assert next_due(T0, captured, None, captured) == captured + HOUR


def test_the_answer_does_not_depend_on_when_it_is_asked():
    """next_due is a schedule, not a countdown: asking later gives the same time."""
    captured = T0 + 5 * HOUR
    asked = [next_due(T0, captured, T0, captured + k * 7 * MIN) for k in range(20)]
    assert set(asked) == {captured + HOUR}


def test_a_change_makes_the_article_young_again():
    """An edit seen at the last capture resets the decay to every 15 minutes."""
    captured = T0 + 10 * DAY
    assert next_due(T0, captured, captured, captured) == captured + 15 * MIN


def test_a_published_date_before_first_sight_ages_the_article():
    """An article published a month before we saw it is already on the weekly band."""
    first_seen = T0
    assert next_due(first_seen, T0, None, T0, published=T0 - 40 * DAY) == T0 + 7 * DAY


def test_a_published_date_in_the_future_is_ignored():
    """A claimed future publication date does not keep the article young."""
    captured = T0 + 2 * DAY
    assert next_due(T0, captured, None, captured, published=T0 + 300 * DAY) == captured + 3 * HOUR


def test_a_newer_lastmod_makes_it_due_now_an_older_one_does_not():
    """A source's lastmod after our last capture means capture now."""
    captured = T0 + 2 * DAY
    now = captured + 30 * MIN
    assert next_due(T0, captured, None, now, lastmod=captured + MIN) == now
    assert next_due(T0, captured, None, now, lastmod=captured - MIN) == captured + 3 * HOUR


def test_watching_stops_after_a_year_of_quiet():
    """No recapture is planned once the article has been quiet for STOP_AFTER."""
    captured = T0 + STOP_AFTER - 3 * DAY
    assert next_due(T0, captured, None, captured) is None
    assert next_due(T0, captured, None, captured, stop_after=None) == captured + 7 * DAY
    early = T0 + STOP_AFTER - 10 * DAY
    assert next_due(T0, early, None, early) == early + 7 * DAY


def test_naive_datetimes_are_rejected():
    """Times without a zone are a programming error, never silently local time."""
    with pytest.raises(ValueError, match="timezone-aware"):
        next_due(datetime(2026, 1, 1), None, None, T0)


# -- HTTP caching ----------------------------------------------------------------------------


def test_validators_round_trip_into_conditional_headers():
    """ETag and Last-Modified of a response become If-None-Match and If-Modified-Since."""
    headers = [("Content-Type", "text/html"), ("etag", 'W/"5e1f-abc"'),
               ("Last-Modified", "Tue, 03 Nov 2026 11:00:00 GMT")]
    etag, last_modified = cache_validators(headers)
    assert (etag, last_modified) == ('W/"5e1f-abc"', "Tue, 03 Nov 2026 11:00:00 GMT")
    assert conditional_headers(etag, last_modified) == [
        ("If-None-Match", 'W/"5e1f-abc"'), ("If-Modified-Since", "Tue, 03 Nov 2026 11:00:00 GMT")]
    assert conditional_headers(None, None) == []
    assert conditional_headers('"x"', None) == [("If-None-Match", '"x"')]


def test_invalid_validators_are_dropped_not_echoed():
    """A value that could smuggle a header, or is not an HTTP-date, is never sent back."""
    assert cache_validators([("ETag", '"a"\r\nX-Evil: 1'), ("Last-Modified", "soon")]) == (None, None)
    assert conditional_headers('"a" , "b"', "Tue, 03 Nov 2026 11:00:00 GMT\r\nX: y") == []
    assert cache_validators([("ETag", "bare-token-123")]) == ("bare-token-123", None)


# -- the watch state ---------------------------------------------------------------------------


def entries(*urls: str, lastmod: datetime | None = None, published: datetime | None = None):
    return [FeedEntry(url=u, lastmod=lastmod, published=published) for u in urls]


@pytest.fixture(name="state")
def _state(tmp_path):
    """A fresh watch state in a temporary archive home."""
    with WatchState.in_home(tmp_path) as state:
        yield state


def test_state_lives_in_the_archive_home_with_wal_and_full_sync(tmp_path, state):
    """watch.sqlite3 in the home, in WAL mode with synchronous=FULL."""
    assert state.path == tmp_path / WATCH_NAME and state.path.exists()
    assert state._db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert state._db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL


def test_new_urls_are_due_newest_article_first(state):
    """observe counts new URLs; those never captured come first, the newest published first."""
    assert state.observe("https://p.example/rss", entries("https://p.example/old",
                                                           published=T0 - DAY), T0) == 1
    assert state.observe("https://p.example/rss", entries("https://p.example/new", "https://p.example/old",
                                                           published=T0 - HOUR), T0) == 1
    assert [w.url for w in state.due(T0)] == ["https://p.example/new", "https://p.example/old"]
    assert state.get("https://p.example/old").published == T0 - DAY  # the first claim stays
    assert state.get("https://p.example/new").source == "https://p.example/rss"
    assert len(state) == 2


def test_a_capture_moves_the_url_down_the_schedule(state):
    """After a capture the URL is due again per the table, not before."""
    state.observe("s", entries("https://p.example/a"), T0)
    assert state.record_capture("https://p.example/a", T0 + MIN, changed=True) == T0 + 16 * MIN
    assert state.due(T0 + 10 * MIN) == []
    assert [w.url for w in state.due(T0 + 16 * MIN)] == ["https://p.example/a"]
    row = state.get("https://p.example/a")
    assert row.last_captured == row.last_changed == T0 + MIN
    assert row.interval == 15 * MIN


def test_due_orders_by_how_many_intervals_are_overdue(state):
    """A young article 30 minutes late beats an old one a day late (NewsDiffs' priority)."""
    state.observe("s", entries("https://p.example/young", "https://p.example/old"), T0 - 60 * DAY)
    state.record_capture("https://p.example/old", T0 - 60 * DAY, changed=True)
    state.record_capture("https://p.example/old", T0 - 8 * DAY, changed=False)  # weekly band
    state.observe("s", entries("https://p.example/fresh"), T0 - HOUR)
    state.record_capture("https://p.example/fresh", T0 - 45 * MIN, changed=True)  # 15 min band
    state.observe("s", entries("https://p.example/young"), T0)
    state.record_capture("https://p.example/young", T0 - 45 * MIN, changed=True)
    order = [w.url for w in state.due(T0)]
    assert order[-1] == "https://p.example/old"
    assert state.due(T0, limit=1)[0].url in ("https://p.example/fresh", "https://p.example/young")


def test_a_304_keeps_the_validators_and_counts_as_unchanged(state):
    """A not-modified capture keeps the ETag it had and lets the article age."""
    state.observe("s", entries("https://p.example/a"), T0)
    state.record_capture("https://p.example/a", T0, changed=True, etag='"v1"',
                         last_modified="Tue, 03 Nov 2026 11:00:00 GMT")
    later = T0 + 5 * HOUR
    assert state.record_capture("https://p.example/a", later, changed=False) == later + HOUR
    row = state.get("https://p.example/a")
    assert row.etag == '"v1"' and row.last_changed == T0
    assert row.request_headers() == [("If-None-Match", '"v1"'),
                                     ("If-Modified-Since", "Tue, 03 Nov 2026 11:00:00 GMT")]


def test_a_new_lastmod_makes_a_url_due_once(state):
    """A newer lastmod makes the URL due now; the same lastmod seen again does not."""
    url = "https://p.example/a"
    state.observe("s", entries(url), T0)
    state.record_capture(url, T0, changed=True)
    poll = T0 + 5 * MIN
    state.observe("s", entries(url, lastmod=T0 + 2 * MIN), poll)
    assert [w.url for w in state.due(poll)] == [url]
    state.record_capture(url, poll + MIN, changed=True)
    state.observe("s", entries(url, lastmod=T0 + 2 * MIN), poll + 2 * MIN)
    assert state.due(poll + 2 * MIN) == []
    future = T0 + 30 * DAY  # a sitemap that claims a date in the future
    state.observe("s", entries(url, lastmod=future), poll + 3 * MIN)
    state.record_capture(url, poll + 4 * MIN, changed=False)
    state.observe("s", entries(url, lastmod=future), poll + 5 * MIN)
    assert state.due(poll + 5 * MIN) == []


def test_a_stopped_url_is_revived_by_a_new_lastmod(state):
    """After a year of quiet the URL leaves the schedule until its source says it changed."""
    url = "https://p.example/a"
    state.observe("s", entries(url), T0)
    state.record_capture(url, T0, changed=True)
    assert state.record_capture(url, T0 + STOP_AFTER, changed=False) is None
    assert state.get(url).next_due is None
    later = T0 + STOP_AFTER + 10 * DAY
    state.observe("s", entries(url, lastmod=later - HOUR), later)
    assert [w.url for w in state.due(later)] == [url]


def test_failures_back_off_then_give_up(state):
    """Failed captures are retried after 5, 10, 20 ... minutes, capped, then given up."""
    url = "https://p.example/a"
    state.observe("s", entries(url), T0)
    delays = []
    for _ in range(Backoff().give_up_after - 1):
        delays.append(state.record_failure(url, T0, "connect timed out") - T0)
    assert delays[:4] == [5 * MIN, 10 * MIN, 20 * MIN, 40 * MIN]
    assert max(delays) == 1280 * MIN
    assert Backoff().delay(20) == DAY  # the cap
    assert state.record_failure(url, T0, "connect timed out") is None
    row = state.get(url)
    assert row.failures == 10 and row.last_error == "connect timed out" and row.next_due is None
    assert state.record_capture(url, T0 + DAY, changed=True) is not None
    assert state.get(url).failures == 0


def test_retry_after_and_permanent_failures(state):
    """Retry-After is honoured when later than the backoff; a permanent failure stops at once."""
    state.observe("s", entries("https://p.example/a", "https://p.example/b"), T0)
    assert state.record_failure("https://p.example/a", T0, "503", retry_after=T0 + 2 * HOUR) == T0 + 2 * HOUR
    assert state.record_failure("https://p.example/b", T0, "refused", permanent=True) is None
    with pytest.raises(WatchStateError, match="not in the watch state"):
        state.record_failure("https://p.example/unknown", T0, "x")


def test_source_polls_keep_their_validators(state):
    """A feed's ETag/Last-Modified are kept for the next conditional poll."""
    assert state.source_validators("https://p.example/rss") == (None, None)
    state.record_poll("https://p.example/rss", T0, etag='"f1"', last_modified="Tue, 03 Nov 2026 11:00:00 GMT")
    state.record_poll("https://p.example/rss", T0 + HOUR, error="HTTP 500")
    assert state.source_validators("https://p.example/rss") == ('"f1"', "Tue, 03 Nov 2026 11:00:00 GMT")


def test_state_is_the_same_after_close_and_reopen(tmp_path):
    """Open, record, close, reopen: the same due list and the same rows."""
    urls = [f"https://p.example/{i}" for i in range(6)]
    with WatchState.in_home(tmp_path) as state:
        state.observe("s", entries(*urls, published=T0 - HOUR), T0)
        state.record_capture(urls[0], T0, changed=True, etag='"e"')
        state.record_capture(urls[1], T0 - 4 * HOUR, changed=False)
        state.record_failure(urls[2], T0, "timeout")
        before_due = state.due(T0 + 20 * MIN)
        before_rows = [state.get(u) for u in urls]
    with WatchState.in_home(tmp_path) as state:
        assert state.due(T0 + 20 * MIN) == before_due
        assert [state.get(u) for u in urls] == before_rows


def test_a_crash_mid_transaction_loses_nothing_committed(tmp_path):
    """A process killed inside a write keeps every earlier commit and none of the partial one."""
    script = textwrap.dedent(f"""
        import os
        from datetime import datetime, timedelta, timezone
        from pathlib import Path
        from archiver.feeds import FeedEntry
        from archiver.schedule import WatchState

        t0 = datetime(2026, 11, 3, 12, 0, tzinfo=timezone.utc)
        state = WatchState.in_home(Path({str(tmp_path)!r}))
        state.observe("s", [FeedEntry(url="https://p.example/kept")], t0)
        state.record_capture("https://p.example/kept", t0, changed=True, etag='"k"')

        def dying():
            yield FeedEntry(url="https://p.example/partial-1")
            yield FeedEntry(url="https://p.example/partial-2")
            os._exit(9)  # killed in the middle of observe's transaction

        state.observe("s", dying(), t0 + timedelta(minutes=1))
    """)
    result = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True,
                            text=True, timeout=60, check=False)
    assert result.returncode == 9, result.stderr
    with WatchState.in_home(tmp_path) as state:
        assert state._db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert len(state) == 1
        kept = state.get("https://p.example/kept")
        assert kept.etag == '"k"' and kept.next_due == T0 + 15 * MIN
        assert state.get("https://p.example/partial-1") is None


def test_an_exception_inside_a_write_rolls_it_back(state):
    """A failing observe leaves the state as it was."""
    state.observe("s", entries("https://p.example/a"), T0)

    def broken():
        yield FeedEntry(url="https://p.example/b")
        raise RuntimeError("parser blew up")

    with pytest.raises(RuntimeError):
        state.observe("s", broken(), T0)
    assert state.get("https://p.example/b") is None and len(state) == 1


def test_a_corrupt_state_file_is_a_clear_error(tmp_path):
    """A file that is not SQLite gives a WatchStateError naming it."""
    (tmp_path / WATCH_NAME).write_bytes(b"this is not a database" * 100)
    with pytest.raises(WatchStateError, match=WATCH_NAME):
        WatchState.in_home(tmp_path)


def test_a_state_from_a_newer_version_is_refused(tmp_path):
    """A schema newer than ours is not silently misread."""
    db = sqlite3.connect(tmp_path / WATCH_NAME)
    db.execute("PRAGMA user_version=99")
    db.close()
    with pytest.raises(WatchStateError, match="newer archiver"):
        WatchState.in_home(tmp_path)


# -- politeness ------------------------------------------------------------------------------


class FakeClock:
    """A monotonic clock that only moves when told."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(name="clock")
def _clock():
    """A fake monotonic clock."""
    return FakeClock()


def test_one_host_gets_requests_delay_seconds_apart(clock):
    """Two URLs on one host: the second waits for the delay, even after the first ended."""
    pacer = HostPacer(per_host=1, delay=5, clock=clock)
    pacer.extend(["https://a.example/1", "https://a.example/2"])
    assert pacer.take() == "https://a.example/1"
    assert pacer.take() is None and pacer.wait_time() is None  # one at a time
    clock.now += 1
    pacer.done("https://a.example/1")
    assert pacer.take() is None and pacer.wait_time() == 4
    clock.now += 4
    assert pacer.take() == "https://a.example/2"
    assert pacer.pending == 0 and pacer.in_flight == 1


def test_other_hosts_are_not_held_back(clock):
    """While one host waits, others go; order is kept within a host and across hosts."""
    pacer = HostPacer(per_host=1, delay=10, clock=clock)
    pacer.extend(["https://a.example/1", "https://a.example/2", "https://B.example/1",
                  "https://c.example/1"])
    assert [pacer.take() for _ in range(4)] == ["https://a.example/1", "https://B.example/1",
                                                "https://c.example/1", None]


def test_per_host_concurrency(clock):
    """With per_host=2 and no delay, two requests to a host run at once, never three."""
    pacer = HostPacer(per_host=2, delay=0, clock=clock)
    pacer.extend(f"https://a.example/{i}" for i in range(4))
    assert [pacer.take(), pacer.take(), pacer.take()] == ["https://a.example/0", "https://a.example/1", None]
    pacer.done("https://a.example/0")
    assert pacer.take() == "https://a.example/2"


def test_a_pause_holds_a_host_back(clock):
    """After a 429 the caller can pause the host beyond the normal delay."""
    pacer = HostPacer(per_host=1, delay=1, clock=clock)
    pacer.extend(["https://a.example/1", "https://a.example/2"])
    pacer.done(pacer.take(), pause=60)
    clock.now += 30
    assert pacer.take() is None and pacer.wait_time() == 30
    clock.now += 30
    assert pacer.take() == "https://a.example/2"
    with pytest.raises(ValueError, match="not taken"):
        pacer.done("https://z.example/")


def test_a_simulated_run_never_breaks_the_rules(clock):
    """Driving many URLs on few hosts with a fake clock: limits hold at every step."""
    per_host, delay = 2, 3.0
    pacer = HostPacer(per_host=per_host, delay=delay, clock=clock)
    urls = [f"https://h{i % 3}.example/{i}" for i in range(60)]
    pacer.extend(urls)
    running: dict[str, float] = {}  # url -> when it ends
    starts: dict[str, list[float]] = {}
    order = []
    while pacer.pending or running:
        url = pacer.take()
        if url is not None:
            host = HostPacer.host(url)
            starts.setdefault(host, []).append(clock.now)
            order.append(url)
            running[url] = clock.now + 1 + len(order) % 4  # uneven request times
            assert sum(1 for u in running if HostPacer.host(u) == host) <= per_host
            continue
        wait = pacer.wait_time()
        next_end = min(running.values()) if running else None
        step = min(x for x in (wait, next_end - clock.now if next_end else None) if x is not None)
        clock.now += max(step, 0)
        for finished in [u for u, end in running.items() if end <= clock.now]:
            del running[finished]
            pacer.done(finished)
    assert sorted(order) == sorted(urls)
    for host, times in starts.items():
        assert all(b - a >= delay for a, b in itertools.pairwise(times)), host
        assert [u for u in order if HostPacer.host(u) == host] == [u for u in urls if HostPacer.host(u) == host]
