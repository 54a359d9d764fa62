"""Capture throughput: archiver vs `wget --warc-file`, same pages, same server, same run.

2,000 pages of about 100 KiB are served from 127.0.0.1 by one threaded server; each
tool fetches all of them into a gzip WARC. Reported: pages/s of each, and the ratio.
archiver does more per page than wget (SHA-256 + BLAKE3 of block and payload, article
extraction into a provenance record, an fsync per capture and a catalog row).

    python benchmarks/bench_capture.py [--pages 2000] [--size 102400]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import capture_both, report  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--size", type=int, default=100 * 1024)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        run = capture_both(Path(scratch), args.pages, args.size)
        report("capture", {
            "pages": args.pages, "page_bytes": args.size,
            "wget_pages_per_s": round(args.pages / run.wget_seconds, 1),
            "archiver_pages_per_s": round(args.pages / run.archiver_seconds, 1),
            "ratio_archiver_over_wget": round(run.wget_seconds / run.archiver_seconds, 2),
            "wget_warc_bytes": run.wget_warc.stat().st_size,
            "archiver_warc_bytes": sum(p.stat().st_size for p in run.archiver_warcs),
        })


if __name__ == "__main__":
    main()
