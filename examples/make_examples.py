"""Regenerate examples/*.json(l): documents archiver writes, for reading and for the tests.

Captures two pages of examples/site as if served by www.harbour-gazette.example,
with a fixed clock, fixed ids and a fixed host, so the output is stable:

    python examples/make_examples.py
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from archiver.capture import Capturer, CaptureSettings
from archiver.catalogcheck import verify_archive
from archiver.fetch import Exchange
from archiver.home import ArchiveHome
from archiver.httpmsg import parse_head
from archiver.testing import FixedClock, fixed_capture_ids, fixed_ids

HERE = Path(__file__).resolve().parent
SITE = HERE / "site"
ORIGIN = "https://www.harbour-gazette.example"
PAGES = ["/world/2026/11/ceasefire-talks.html", "/science/2026/11/reef-survey.html"]


class SiteFetcher:
    """Answers with the example site's files, as a server would have sent them."""

    def fetch(self, url: str, *, conditional=()) -> list[Exchange]:
        path = url.removeprefix(ORIGIN)
        body = self.body(path)
        request = (f"GET {path} HTTP/1.1\r\nHost: www.harbour-gazette.example\r\n"
                   "User-Agent: archiver-example\r\nConnection: close\r\n\r\n").encode()
        response = (b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n"
                    b"Content-Length: %d\r\n\r\n" % len(body)) + body
        return [Exchange(url=url, request=request, response=response, head=parse_head(response),
                         peer_ip="192.0.2.80", tls=None, truncated=None)]

    def body(self, path: str) -> bytes:
        """The page at ``path`` (query ignored), as the site serves it."""
        return (SITE / path.split("?")[0].lstrip("/")).read_bytes()


def main() -> None:
    with tempfile.TemporaryDirectory() as scratch:
        os.chdir(scratch)  # relative paths only, so no machine path lands in the examples
        home = ArchiveHome(Path("archive"))
        with Capturer(home=home, settings=CaptureSettings(user_agent="archiver-example"),
                      clock=FixedClock(), new_capture_id=fixed_capture_ids(),
                      new_record_id=fixed_ids(), host="example-host",
                      platform="example-platform", fetcher=SiteFetcher()) as capturer:
            rows = [capturer.capture(ORIGIN + page) for page in PAGES]
        (HERE / "capture.jsonl").write_text(
            "".join(json.dumps(row.summary(), sort_keys=True) + "\n" for row in rows))
        (HERE / "provenance.json").write_text(
            json.dumps(rows[0].provenance, indent=2, sort_keys=True, ensure_ascii=False) + "\n")
        report = verify_archive(home).to_document()
        (HERE / "verification.json").write_text(json.dumps(report, indent=2, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
