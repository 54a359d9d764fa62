"""`archiver watch`: feeds, sitemaps and URL lists on loopback, the schedule, politeness, crashes.

The library tests drive ``Watcher`` with a fixed clock and a sleep that only moves that
clock, so the schedule runs without waiting; the CLI tests run ``watch --once``; the
crash test kills a real ``archiver watch`` process in the middle of a capture.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from datetime import timedelta

import pytest

from archiver.capture import CaptureSettings
from archiver.home import ArchiveHome
from archiver.netpolicy import NetworkPolicy
from archiver.schedule import WatchState
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
