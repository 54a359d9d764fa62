"""Golden WARC bytes: a fixed clock, fixed ids and fixed exchanges give identical files.

The exchanges are replayed, not fetched (a live server's port would change the Host
header); fetching itself is tested against real servers in test_capture.py.
Regenerate after an intended format change with
``ARCHIVER_REGEN_GOLDEN=1 python -m pytest tests/test_golden.py`` and review the diff.
"""

from __future__ import annotations

import gzip
import os
from pathlib import Path

from archiver.capture import Capturer, CaptureSettings
from archiver.fetch import Exchange
from archiver.home import ArchiveHome
from archiver.httpmsg import parse_head
from archiver.testing import FixedClock, fixed_capture_ids, fixed_ids

GOLDEN = Path(__file__).parent / "golden"
REQUEST = (b"GET /story HTTP/1.1\r\nHost: news.example\r\nUser-Agent: golden/1\r\n"
           b"Accept-Encoding: gzip, deflate, br\r\nConnection: close\r\n\r\n")
REDIRECT = b"HTTP/1.1 301 Moved Permanently\r\nLocation: https://news.example/story\r\nContent-Length: 0\r\n\r\n"
RESPONSE = (b"HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n6\r\nPARIS \r\n15\r\n(AFP) - Talks began.\n\r\n0\r\n\r\n")


class ReplayFetcher:
    """Returns the same two exchanges (a redirect, then a chunked page) for any URL."""

    def fetch(self, url: str, *, conditional=()) -> list[Exchange]:
        def exchange(target: str, response: bytes) -> Exchange:
            return Exchange(url=target, request=REQUEST, response=response,
                            head=parse_head(response), peer_ip="192.0.2.10", tls=None,
                            truncated=None)

        return [exchange("http://news.example/story", REDIRECT),
                exchange("https://news.example/story", RESPONSE)]


def build_golden_archive(home: Path) -> Path:
    """Capture the replayed exchanges with everything fixed; return the WARC file."""
    with Capturer(home=ArchiveHome(home), settings=CaptureSettings(user_agent="golden/1"),
                  clock=FixedClock(), new_capture_id=fixed_capture_ids(),
                  new_record_id=fixed_ids(), host="golden-host", platform="golden-platform",
                  fetcher=ReplayFetcher()) as capturer:
        capturer.capture("http://news.example/story")
    (warc,) = (home / "warcs").glob("*.warc.gz")
    return warc


def test_warc_bytes_match_the_golden_file(tmp_path):
    """The WARC written for a fixed capture is byte-identical to tests/golden/."""
    warc = build_golden_archive(tmp_path)
    golden = GOLDEN / "capture.warc.gz"
    if os.environ.get("ARCHIVER_REGEN_GOLDEN"):
        golden.write_bytes(warc.read_bytes())
        (GOLDEN / "capture.warc").write_bytes(gzip.decompress(warc.read_bytes()))
    assert warc.name == "archiver-20260102030405680901-00000-golden-host.warc.gz"
    assert gzip.decompress(warc.read_bytes()) == (GOLDEN / "capture.warc").read_bytes()
    assert warc.read_bytes() == golden.read_bytes()


def test_two_builds_are_identical(tmp_path):
    """Nothing in a capture depends on anything but the injected clock and ids."""
    first = build_golden_archive(tmp_path / "a").read_bytes()
    assert build_golden_archive(tmp_path / "b").read_bytes() == first
