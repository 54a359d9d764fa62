"""Regenerate examples/history.json and examples/diff.json: an article edited in silence.

Captures the example site's ceasefire story three times as if served by
www.harbour-gazette.example, with a fixed clock and fixed ids: as published, again
unchanged (a revisit), and after its casualty figure was changed and a sentence
rewritten, with dateModified untouched (a stealth edit):

    python examples/make_edits_examples.py
"""

from __future__ import annotations

import json
import os
import tempfile
from datetime import timedelta
from pathlib import Path

from make_examples import ORIGIN, SiteFetcher  # this folder: run as a script

from archiver.capture import Capturer, CaptureSettings
from archiver.edits import article_history, choose_pair, diff_entries
from archiver.home import ArchiveHome
from archiver.testing import FixedClock, fixed_capture_ids, fixed_ids

HERE = Path(__file__).resolve().parent
PAGE = "/world/2026/11/ceasefire-talks.html"
EDITS = [("killed at least 14 civilians", "killed at least 17 civilians"),
         ("The envoy's office said the next session was scheduled for Friday.",
          "The envoy's office said the talks would resume on Monday.")]


class EditedPage(SiteFetcher):
    """The example site, with the story edited once ``edited`` is set."""

    edited = False

    def body(self, path: str) -> bytes:
        text = super().body(path).decode("utf-8")
        for before, after in EDITS if self.edited else ():
            text = text.replace(before, after)
        return text.encode("utf-8")


def main() -> None:
    page = EditedPage()
    clock = FixedClock(step=timedelta(hours=2))
    with tempfile.TemporaryDirectory() as scratch:
        os.chdir(scratch)  # relative paths only, so no machine path lands in the examples
        home = ArchiveHome(Path("archive"))
        with Capturer(home=home, settings=CaptureSettings(user_agent="archiver-example"),
                      clock=clock, new_capture_id=fixed_capture_ids(),
                      new_record_id=fixed_ids(), host="example-host",
                      platform="example-platform", fetcher=page) as capturer:
            capturer.capture(ORIGIN + PAGE + "?utm_source=newsletter")
            capturer.capture(ORIGIN + PAGE)
            page.edited = True
            capturer.capture(ORIGIN + PAGE)
            history = article_history(capturer.catalog, ORIGIN + PAGE)
            result = diff_entries(capturer.catalog, *choose_pair(history))
    for name, document in (("history", history.to_document()), ("diff", result.to_document())):
        (HERE / f"{name}.json").write_text(
            json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n",
            encoding="utf-8")


if __name__ == "__main__":
    main()
