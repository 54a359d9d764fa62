"""Regenerate examples/verification.bundle.json: ``archiver verify --json`` of a bundle.

The two example captures of make_evidence_examples.py (fixed clock, ids, host and
keys), exported with ``archiver export`` and verified, so the output is stable:

    python examples/make_bundle_example.py
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from make_evidence_examples import capture_examples

from archiver.bundlecheck import verify_bundle
from archiver.export import export_bundle
from archiver.home import ArchiveHome
from archiver.testing import FixedClock

HERE = Path(__file__).resolve().parent


def main() -> None:
    with tempfile.TemporaryDirectory() as scratch:
        os.chdir(scratch)  # relative paths only, so no machine path lands in the example
        home = ArchiveHome(Path("archive"))
        clock = FixedClock()
        rows, _first = capture_examples(home, clock)
        export_bundle(home, Path("evidence.wacz"), rows, clock=clock)
        document = verify_bundle("evidence.wacz").to_document()
    (HERE / "verification.bundle.json").write_text(
        json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
