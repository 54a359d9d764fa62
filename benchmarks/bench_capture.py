"""Capture throughput: archiver vs `wget --warc-file`, same pages, same server, same run.

2,000 pages of about 100 KiB are served from 127.0.0.1 by one threaded server; each
tool fetches all of them into a gzip WARC. Reported: pages/s of wget and of archiver
with each text extractor (`--extract full`, the default, and `--extract fast`), and the
ratios. archiver does more per page than wget: SHA-256 + BLAKE3 of block and payload,
article extraction into a validated provenance record, an fsync per capture and a
catalog row.

    python benchmarks/bench_capture.py [--pages 2000] [--size 102400]
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import capture_both, parse_size_args, report  # noqa: E402


def main() -> None:
    args = parse_size_args(__doc__)
    with tempfile.TemporaryDirectory() as scratch:
        run = capture_both(Path(scratch), args.pages, args.size, modes=("full", "fast"))
        result = {"pages": args.pages, "page_bytes": args.size,
                  "wget_pages_per_s": round(args.pages / run.wget_seconds, 1),
                  "wget_warc_bytes": run.wget_warc.stat().st_size}
        for mode, (seconds, warcs) in run.archiver.items():
            result[f"archiver_{mode}"] = {
                "pages_per_s": round(args.pages / seconds, 1),
                "ratio_over_wget": round(run.wget_seconds / seconds, 2),
                "warc_bytes": sum(p.stat().st_size for p in warcs),
            }
        report("capture", result)

if __name__ == "__main__":
    main()
