"""`archiver watch`: feeds, sitemaps and URL lists on loopback, the schedule, politeness, crashes,
and sitemap indexes of which only the child sitemaps that moved are read again.

The library tests drive ``Watcher`` with a fixed clock and a sleep that only moves that
clock, so the schedule runs without waiting; the CLI tests run ``watch --once``; the
crash test kills a real ``archiver watch`` process in the middle of a capture.
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from datetime import timedelta

import pytest

from archiver.capture import CaptureSettings
from archiver.feeds import FeedEntry, FeedLimits
from archiver.home import ArchiveHome
from archiver.netpolicy import NetworkPolicy
from archiver.schedule import SCHEMA_VERSION, WatchState
from archiver.testing import FixedClock
from archiver.watch import Watcher, WatchOptions
from tests.conftest import REPO
from tests.helpers import run_cli, warc_records
from tests.newsroom import QUAKE, QUAKE_EDITED, Article, Newsroom

PATHS = ["/world/a.html", "/world/b.html", "/world/c.html", "/world/d.html"]
LOOPBACK = CaptureSettings(policy=NetworkPolicy(allow_private=True))
BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<rss version="2.0"><channel><item><link>&lol3;</link></item></channel></rss>"""


@pytest.fixture(name="room")
def _room():
    """A newsroom with four articles; a feed lists a and b, a sitemap b and c."""
    with Newsroom() as room:
        for n, path in enumerate(PATHS):
            room.add(Article(path=path, title=f"Story {n}", paragraphs=[
                f"Story number {n} begins here.", *QUAKE]))
        room.feed("/rss.xml", PATHS[:2])
        room.sitemap("/sitemap.xml", [(PATHS[1], None), (PATHS[2], "2026-01-02T00:00:00Z")])
        yield room


class Harness:
    """A Watcher over ``sources`` with a fixed clock; ``sleep`` only moves the clock."""

    def __init__(self, home, sources, **options) -> None:
        self.clock = FixedClock()
        self.slept: list[float] = []
        self.events = []
        self.watcher = Watcher(home=ArchiveHome(home), sources=sources, settings=LOOPBACK,
                               options=WatchOptions(**{"delay": 0.0, **options}),
                               clock=self.clock, sleep=self.sleep, on_event=self.events.append)

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.clock.now += timedelta(seconds=seconds)

    def later(self, **delta) -> None:
        self.clock.now += timedelta(**delta)

    def outcomes(self) -> dict[str, str]:
        return {e.subject: e.detail for e in self.events if e.kind == "captured"}

    def __enter__(self) -> Harness:
        return self

    def __exit__(self, *exc) -> None:
        self.watcher.close()


def test_watch_once_captures_what_a_feed_a_sitemap_and_a_file_list(tmp_path, room):
    """Every article listed is captured once, whichever sources list it."""
    listed = tmp_path / "urls.txt"
    listed.write_text(f"# extra articles\n{room.url(PATHS[3])}\n{room.url(PATHS[0])}\n")
    result = run_cli(tmp_path / "home", "watch", "--once", "--allow-private", "--delay", "0",
                     room.url("/rss.xml"), room.url("/sitemap.xml"), str(listed))
    assert result.exit_code == 0, result.stderr
    assert {path: room.hits.get(path) for path in PATHS} == dict.fromkeys(PATHS, 1)
    assert f"source    {room.url('/rss.xml')}: 2 articles, 2 new" in result.stderr
    assert "pass: 4 new articles, 4 captures (4 new or changed, 0 revisits), 0 failed" in (
        result.stderr)
    assert len(WatchState.in_home(tmp_path / "home")) == 4


def test_a_second_pass_revalidates_and_records_a_304_as_a_revisit(tmp_path, room):
    """Past the first interval the articles are asked for again; the 304s become revisits."""
    with Harness(tmp_path, [room.url("/rss.xml")]) as harness:
        first = harness.watcher.run_pass()
        assert (first.captured, first.changed, first.revisits) == (2, 2, 0)
        harness.later(minutes=10)
        assert harness.watcher.run_pass().captured == 0  # not due yet: 15-minute interval
        harness.later(minutes=6)
        second = harness.watcher.run_pass()
    assert (second.captured, second.revisits) == (2, 2) and room.not_modified == 2
    revisits = [h for h, _ in warc_records(tmp_path) if h["WARC-Type"] == "revisit"]
    assert len(revisits) == 2
    assert all(h["WARC-Profile"].endswith("/server-not-modified") for h in revisits)
    found = run_cli(tmp_path, "history", room.url(PATHS[0]))
    assert "(revisit: server-not-modified)" in found.output


def test_a_changed_article_is_young_again(tmp_path, room):
    """An edit restarts the schedule: the changed article is due sooner than a quiet one."""
    with Harness(tmp_path, [room.url("/rss.xml")]) as harness:
        harness.watcher.run_pass()
        for hours in (1, 2, 3):  # a quiet article's interval grows past three hours
            harness.clock.now = FixedClock().now + timedelta(hours=hours, minutes=1)
            harness.watcher.run_pass()
        room.articles[PATHS[0]].paragraphs = ["Story number 0 begins here.", *QUAKE_EDITED]
        harness.later(hours=1)
        harness.watcher.run_pass()
        state = harness.watcher.state
        changed, quiet = state.get(room.url(PATHS[0])), state.get(room.url(PATHS[1]))
        assert harness.outcomes()[room.url(PATHS[0])] == "changed"
    assert changed.last_changed > quiet.last_changed
    assert changed.interval == timedelta(minutes=15) and quiet.interval == timedelta(hours=1)


def test_a_new_lastmod_makes_a_known_url_due_at_once(tmp_path, room):
    """A sitemap lastmod after our capture brings the article back before its interval."""
    with Harness(tmp_path, [room.url("/sitemap.xml")]) as harness:
        harness.watcher.run_pass()
        harness.later(minutes=2)
        assert harness.watcher.run_pass().captured == 0
        moved = (harness.clock.now - timedelta(minutes=1)).isoformat()
        room.sitemap("/sitemap.xml", [(PATHS[1], None), (PATHS[2], moved)])
        assert harness.watcher.run_pass().captured == 1
    assert room.hits[PATHS[2]] == 2 and room.hits[PATHS[1]] == 1


def test_bad_sources_are_reported_and_the_others_still_read(tmp_path, room):
    """A malformed feed and a billion-laughs feed fail clearly; the good feed is captured."""
    room.document("/broken.xml", b"<rss><channel><item><link>x</link></channel></rss>",
                  "application/rss+xml")
    room.document("/laughs.xml", BILLION_LAUGHS, "application/rss+xml")
    result = run_cli(tmp_path, "watch", "--once", "--allow-private", "--delay", "0",
                     room.url("/broken.xml"), room.url("/laughs.xml"), room.url("/rss.xml"))
    assert result.exit_code == 1
    assert f"cannot read {room.url('/broken.xml')}: not well-formed XML" in result.stderr
    assert f"refused {room.url('/laughs.xml')}: it declares the XML entity" in result.stderr
    assert room.hits == {PATHS[0]: 1, PATHS[1]: 1}
    assert "Traceback" not in result.stderr


def test_no_readable_source_is_exit_2(tmp_path, room):
    """When no source can be read, nothing ran: exit 2."""
    result = run_cli(tmp_path, "watch", "--once", "--allow-private",
                     room.url("/missing.xml"), str(tmp_path / "absent.txt"))
    assert result.exit_code == 2
    assert "the server answered HTTP 404" in result.stderr
    assert "cannot read the file" in result.stderr


def test_the_network_policy_applies_to_sources_and_articles(tmp_path, room):
    """Without --allow-private a loopback feed is refused, as capture would refuse it."""
    result = run_cli(tmp_path, "watch", "--once", room.url("/rss.xml"))
    assert result.exit_code == 2 and "refused" in result.stderr
    assert not room.hits


def test_one_request_at_a_time_per_host_and_a_delay_between(tmp_path, room):
    """per_host=1 with four workers: never two requests at once, starts 5 s apart."""
    with Harness(tmp_path, [room.url("/rss.xml"), room.url("/sitemap.xml")], workers=4,
                 per_host=1, delay=5.0) as harness:
        summary = harness.watcher.run_pass()
    assert summary.captured == 3 and room.max_concurrent == 1
    assert sum(harness.slept) >= 2 * 5.0 - 0.1


def test_max_captures_per_pass_leaves_the_rest_due(tmp_path, room):
    """The cap holds; what is left over is captured by the next pass."""
    with Harness(tmp_path, [room.url("/rss.xml"), room.url("/sitemap.xml")],
                 max_captures=2) as harness:
        assert harness.watcher.run_pass().captured == 2
        assert harness.watcher.run_pass().captured == 1
    assert sum(room.hits.values()) == 3


def test_a_killed_watch_resumes_where_it_stopped(tmp_path, room):
    """Kill -9 during the third capture; the next run captures only what was left."""
    hold = room.holds[PATHS[2]] = threading.Event()
    listed = tmp_path / "urls.txt"
    listed.write_text("".join(room.url(p) + "\n" for p in PATHS[:3]))
    home = tmp_path / "home"
    process = subprocess.Popen(
        [sys.executable, "-m", "archiver", "--home", str(home), "watch", "--once",
         "--allow-private", "--delay", "0", str(listed)],
        cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while room.hits.get(PATHS[2]) != 1 and time.monotonic() < deadline:
            assert process.poll() is None, process.stderr.read().decode()
            time.sleep(0.05)
        assert room.hits.get(PATHS[2]) == 1, "the watch never reached the third article"
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
        process.stderr.close()
    hold.set()
    result = run_cli(home, "watch", "--once", "--allow-private", "--delay", "0", str(listed))
    assert result.exit_code == 0, result.stderr
    assert "pass: 0 new articles, 1 captures" in result.stderr
    assert room.hits == {PATHS[0]: 1, PATHS[1]: 1, PATHS[2]: 2}
    assert run_cli(home, "verify").exit_code == 0


def test_a_429_holds_the_host_back_and_retries_later(tmp_path, room):
    """The site asks us to slow down: its next request waits throttle_pause, the URL backs off."""
    room.articles[PATHS[0]].status = 429
    with Harness(tmp_path, [room.url("/rss.xml")], throttle_pause=60.0) as harness:
        summary = harness.watcher.run_pass()
        retry = harness.watcher.state.get(room.url(PATHS[0]))
    assert summary.captured == 2 and harness.outcomes()[room.url(PATHS[0])] == "throttled"
    assert sum(harness.slept) >= 60.0 - 0.1
    assert retry.failures == 1 and retry.next_due is not None


def test_a_source_over_the_byte_limit_is_refused(tmp_path, room):
    """A URL list file larger than the feed byte cap is an error, not a partial read."""
    from archiver.feeds import FeedLimits

    listed = tmp_path / "urls.txt"
    listed.write_text("".join(room.url(p) + "\n" for p in PATHS))
    with Harness(tmp_path, [str(listed)], feed_limits=FeedLimits(max_bytes=64)) as harness:
        summary = harness.watcher.run_pass()
    assert summary.unreadable_sources == 1 and summary.captured == 0
    assert "more than 64 bytes" in harness.events[0].detail


# -- sitemap indexes: only what moved is read, politely -----------------------------------------

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"


class Sitemaps:
    """Sitemap documents on the newsroom's host, served with an ETag and honouring
    If-None-Match as CDNs do. ``asked`` logs (path, If-None-Match sent, ``clock.now``)
    per request; ``status`` makes a path answer an error instead."""

    def __init__(self, room: Newsroom) -> None:
        self.room = room
        self.clock: FixedClock | None = None
        self.asked: list[tuple[str, str | None, object]] = []
        self.status: dict[str, int] = {}
        self._bodies: dict[str, bytes] = {}

    def index(self, path: str, children: list[tuple[str, str | None]]) -> str:
        """A sitemap index of (child path, lastmod) at ``path``; its URL."""
        body = "".join(f"<sitemap><loc>{self.room.url(p)}</loc>"
                       + (f"<lastmod>{lastmod}</lastmod>" if lastmod else "") + "</sitemap>"
                       for p, lastmod in children)
        return self._serve(path, f'<sitemapindex xmlns="{SITEMAP_NS}">{body}</sitemapindex>')

    def urlset(self, path: str, articles: list[str]) -> str:
        """A sitemap of the article paths ``articles`` at ``path``; its URL."""
        body = "".join(f"<url><loc>{self.room.url(p)}</loc></url>" for p in articles)
        return self._serve(path, f'<urlset xmlns="{SITEMAP_NS}">{body}</urlset>')

    def paths_asked(self) -> list[str]:
        return [path for path, _, _ in self.asked]

    def _serve(self, path: str, xml: str) -> str:
        self._bodies[path] = xml.encode()
        self.room.site.routes[path] = lambda handler: self._send(handler, path)
        return self.room.url(path)

    def _send(self, handler, path: str) -> None:
        body = self._bodies[path]
        etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
        sent = handler.headers.get("If-None-Match")
        self.asked.append((path, sent, self.clock.now if self.clock else None))
        status = self.status.get(path, 200)
        if status == 200 and sent == etag:
            status, body = 304, b""
        handler.send_response(status)
        handler.send_header("ETag", etag)
        handler.send_header("Content-Type", "application/xml")
        if status != 304:
            handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)


@pytest.fixture(name="maps")
def _maps(room):
    """An index at /index.xml of three sitemaps, one article each, with lastmods."""
    maps = Sitemaps(room)
    for n in (1, 2, 3):
        maps.urlset(f"/s/{n}.xml", [PATHS[n - 1]])
    maps.index("/index.xml", [(f"/s/{n}.xml", f"2026-01-01T0{n}:00:00Z") for n in (1, 2, 3)])
    return maps


def child_counts(summary) -> tuple[int, int, int]:
    return summary.sitemaps_read, summary.sitemaps_unchanged, summary.sitemaps_failed


def test_an_index_rereads_only_the_child_whose_lastmod_moved(tmp_path, room, maps):
    """Pass 2 fetches the index and the one child it dates later; the skipped children's
    articles stay watched and are recaptured on their schedule all the same."""
    with Harness(tmp_path, [room.url("/index.xml")]) as harness:
        first = harness.watcher.run_pass()
        assert child_counts(first) == (3, 0, 0) and first.captured == 3
        maps.urlset("/s/2.xml", [PATHS[1], PATHS[3]])
        maps.index("/index.xml", [("/s/1.xml", "2026-01-01T01:00:00Z"),
                                  ("/s/2.xml", "2026-01-02T00:00:00Z"),
                                  ("/s/3.xml", "2026-01-01T03:00:00Z")])
        room.site.requests.clear()
        harness.later(minutes=16)
        second = harness.watcher.run_pass()
        events = [e.detail for e in harness.events if e.kind == "source"]
    assert [p for p in room.site.requests if p not in PATHS] == ["/index.xml", "/s/2.xml"]
    assert child_counts(second) == (1, 2, 0) and second.new_urls == 1
    assert room.hits == {PATHS[0]: 2, PATHS[1]: 2, PATHS[2]: 2, PATHS[3]: 1}
    assert (second.captured, second.revisits) == (4, 3)
    assert events[-1] == "2 articles, 1 new; child sitemaps: 1 read, 2 unchanged, 0 failed"


def test_a_child_without_lastmod_is_revalidated_and_a_304_is_unchanged(tmp_path, room, maps):
    """The index answers 304 and is walked through the children it listed; the child
    without a lastmod is asked with If-None-Match, and its 304 is no error."""
    maps.index("/index.xml", [("/s/1.xml", "2026-01-01T01:00:00Z"), ("/s/2.xml", None)])
    with Harness(tmp_path, [room.url("/index.xml")]) as harness:
        harness.watcher.run_pass()
        maps.asked.clear()
        harness.later(minutes=1)
        second = harness.watcher.run_pass()
        details = [(e.kind, e.detail) for e in harness.events if e.kind.startswith("source")]
        remembered = harness.watcher.state.sitemap(room.url("/s/2.xml"))
    assert [(path, sent is not None) for path, sent, _ in maps.asked] == [
        ("/index.xml", True), ("/s/2.xml", True)]
    assert child_counts(second) == (0, 2, 0) and second.source_errors == 0
    assert details[-1] == ("source", "index not modified since the last poll; 0 articles, "
                                     "0 new; child sitemaps: 0 read, 2 unchanged, 0 failed")
    assert remembered.etag == maps.asked[-1][1] and remembered.last_error is None


def test_a_child_that_failed_is_fetched_again_next_pass(tmp_path, room, maps):
    """A child that answered 500 is retried on the next pass, with the validators of
    its last good read; its failure neither loses that read nor counts as one."""
    with Harness(tmp_path, [room.url("/index.xml")]) as harness:
        harness.watcher.run_pass()
        good = harness.watcher.state.sitemap(room.url("/s/2.xml"))
        maps.status["/s/2.xml"] = 500
        maps.urlset("/s/2.xml", [PATHS[1], PATHS[3]])
        maps.index("/index.xml", [("/s/1.xml", "2026-01-01T01:00:00Z"),
                                  ("/s/2.xml", "2026-01-02T00:00:00Z"),
                                  ("/s/3.xml", "2026-01-01T03:00:00Z")])
        harness.later(minutes=1)
        failing = harness.watcher.run_pass()
        failed = harness.watcher.state.sitemap(room.url("/s/2.xml"))
        del maps.status["/s/2.xml"]
        maps.asked.clear()
        harness.later(minutes=1)
        retried = harness.watcher.run_pass()
        healed = harness.watcher.state.sitemap(room.url("/s/2.xml"))
    assert child_counts(failing) == (0, 2, 1) and failing.source_errors == 1
    assert "the server answered HTTP 500" in failed.last_error
    assert (failed.lastmod, failed.etag, failed.last_read) == (good.lastmod, good.etag,
                                                               good.last_read)
    assert maps.paths_asked() == ["/index.xml", "/s/2.xml"] and maps.asked[1][1] == good.etag
    assert child_counts(retried) == (1, 2, 0) and retried.new_urls == 1
    assert healed.last_error is None and healed.lastmod.day == 2
    # A failure is retried even if the index then dates the child back to its last read.
    assert failed.needs_read(good.lastmod) and not healed.needs_read(healed.lastmod)


def test_a_nested_index_that_is_skipped_still_has_its_children_checked(tmp_path, room, maps):
    """An index of indexes: the nested index's lastmod did not move, so it is not
    fetched, but its remembered children are still visited (one has no lastmod)."""
    maps.index("/nested.xml", [("/s/2.xml", None), ("/s/3.xml", "2026-01-01T03:00:00Z")])
    maps.index("/index.xml", [("/s/1.xml", "2026-01-01T01:00:00Z"),
                              ("/nested.xml", "2026-01-01T04:00:00Z")])
    with Harness(tmp_path, [room.url("/index.xml")]) as harness:
        assert child_counts(harness.watcher.run_pass()) == (4, 0, 0)
        maps.urlset("/s/2.xml", [PATHS[1], PATHS[3]])
        maps.asked.clear()
        harness.later(minutes=1)
        second = harness.watcher.run_pass()
    assert maps.paths_asked() == ["/index.xml", "/s/2.xml"]
    assert child_counts(second) == (1, 3, 0) and second.new_urls == 1


def test_unchanged_children_do_not_use_up_the_sitemap_cap(tmp_path, room, maps):
    """With room for one child fetch per pass, the newest is read first, and since the
    children skipped as unchanged do not count, the next passes reach the older ones."""
    with Harness(tmp_path, [room.url("/index.xml")],
                 feed_limits=FeedLimits(max_sitemaps=1)) as harness:
        for _ in range(3):
            harness.watcher.run_pass()
            harness.later(minutes=1)
        fourth = harness.watcher.run_pass()
    assert [p for p in maps.paths_asked() if p != "/index.xml"] == ["/s/3.xml", "/s/2.xml",
                                                                    "/s/1.xml"]
    assert child_counts(fourth) == (0, 3, 0)
    assert {path: room.hits.get(path) for path in PATHS[:3]} == dict.fromkeys(PATHS[:3], 1)


def test_sitemap_fetches_keep_the_per_host_delay(tmp_path, room, maps):
    """--per-host 1 --delay 7: the index and its children start 7 s apart on the clock,
    and the captures that follow keep the same pace."""
    with Harness(tmp_path, [room.url("/index.xml")], per_host=1, delay=7.0) as harness:
        maps.clock = harness.clock
        summary = harness.watcher.run_pass()
    starts = [when for _, _, when in maps.asked]
    assert len(starts) == 4 and summary.captured == 3
    assert all(later - earlier >= timedelta(seconds=7) for earlier, later in zip(starts, starts[1:]))
    assert sum(harness.slept) >= 6 * 7.0 - 0.1  # 7 requests to one host, 6 gaps


def test_a_throttled_sitemap_holds_its_host_back(tmp_path, room, maps):
    """A 429 for a child sitemap holds the host back throttle_pause, as for captures;
    the child counts as failed and is retried next pass."""
    maps.status["/s/3.xml"] = 429
    with Harness(tmp_path, [room.url("/index.xml")], throttle_pause=60.0) as harness:
        maps.clock = harness.clock
        summary = harness.watcher.run_pass()
    (throttled,) = [when for path, _, when in maps.asked if path == "/s/3.xml"]
    after = [when for _, _, when in maps.asked if when > throttled]
    assert after and after[0] - throttled >= timedelta(seconds=60)
    assert child_counts(summary) == (2, 0, 1)
    assert any("HTTP 429" in e.detail for e in harness.events if e.kind == "source-error")


def test_watch_reports_child_sitemaps_per_source_and_per_pass(tmp_path, room, maps):
    """The CLI says how many child sitemaps were read, unchanged and failed."""
    args = ("watch", "--once", "--allow-private", "--delay", "0", room.url("/index.xml"))
    first = run_cli(tmp_path, *args)
    second = run_cli(tmp_path, *args)
    assert first.exit_code == 0 and second.exit_code == 0, first.stderr + second.stderr
    assert "child sitemaps: 3 read, 0 unchanged, 0 failed; next due" in first.stderr
    assert (f"source    {room.url('/index.xml')}: index not modified since the last poll; "
            "0 articles, 0 new; child sitemaps: 0 read, 3 unchanged, 0 failed") in second.stderr
    assert maps.paths_asked().count("/s/1.xml") == 1


def test_a_kill_while_recording_sitemaps_keeps_the_last_read(tmp_path, room, maps):
    """Killed inside the write of the child sitemap states: the earlier states and
    listing stand, so the next pass fetches the moved children instead of skipping them."""
    with Harness(tmp_path, [room.url("/index.xml")]) as harness:
        harness.watcher.run_pass()
    moved = [(f"/s/{n}.xml", f"2026-01-02T0{n}:00:00Z") for n in (1, 2, 3)]
    maps.index("/index.xml", moved)
    script = textwrap.dedent(f"""
        import os
        from datetime import datetime, timezone
        from pathlib import Path
        from archiver.feeds import FeedEntry
        from archiver.schedule import SitemapState, WatchState

        now = datetime(2026, 1, 2, 4, tzinfo=timezone.utc)
        state = WatchState.in_home(Path({str(tmp_path)!r}))

        def dying():
            yield SitemapState(url={room.url('/s/1.xml')!r},
                               lastmod=datetime(2026, 1, 2, 1, tzinfo=timezone.utc), last_read=now)
            os._exit(9)  # killed in the middle of record_poll's transaction

        state.record_poll({room.url('/index.xml')!r}, now, etag='"new"', sitemaps=dying(),
                          listings={{}})
    """)
    result = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True,
                            text=True, timeout=60, check=False)
    assert result.returncode == 9, result.stderr
    with WatchState.in_home(tmp_path) as state:
        assert state._db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert state.sitemap(room.url("/s/1.xml")).lastmod.day == 1
        assert state.source_validators(room.url("/index.xml"))[0] != '"new"'
        assert len(state.listing(room.url("/index.xml"))) == 3
    maps.asked.clear()
    with Harness(tmp_path, [room.url("/index.xml")]) as harness:
        harness.watcher.run_pass()
    assert sorted(maps.paths_asked()) == ["/index.xml", "/s/1.xml", "/s/2.xml", "/s/3.xml"]


def test_a_version_1_state_is_upgraded_and_polls_its_sources_in_full_once(tmp_path):
    """Version 1 kept no listings, so its source validators are dropped: the next poll
    of an index reads it whole and learns its children. URLs are kept."""
    with WatchState.in_home(tmp_path) as state:
        state.observe("https://p.example/index.xml", [FeedEntry(url="https://p.example/a")],
                      FixedClock().now)
        state.record_poll("https://p.example/index.xml", FixedClock().now, etag='"v1"')
        state._db.executescript("DROP TABLE sitemaps; DROP TABLE listings; PRAGMA user_version=1")
    with WatchState.in_home(tmp_path) as state:
        assert state._db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 2
        assert state.source_validators("https://p.example/index.xml") == (None, None)
        assert len(state) == 1 and state.listing("https://p.example/index.xml") == ()
        assert state.sitemap("https://p.example/s.xml") is None
