"""Verify throughput: `archiver verify` vs `warcio check`, same files, same run.

Captures 2,000 pages of about 100 KiB with archiver and with wget (as bench_capture
does), then checks each WARC with both tools. Reported: MB/s of WARC file bytes for
each tool on each file (best of five alternating runs), and the ratio. archiver
checks more: SHA-256 and BLAKE3 of every block and payload, gzip member integrity,
and every provenance document.

    python benchmarks/bench_verify.py [--pages 2000] [--size 102400]
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import capture_both, parse_size_args, report, timed  # noqa: E402

#: Each tool runs this many times, alternating; the best time counts (the least disturbed).
REPEATS = 5


def check(files: list[Path]) -> dict:
    size = sum(p.stat().st_size for p in files)
    names = [str(p) for p in files]
    # Both through their installed console scripts, as a user runs them.
    warcio_command = [str(Path(sys.executable).with_name("warcio")), "check", *names]
    ours_command = [str(Path(sys.executable).with_name("archiver")), "verify", *names]
    runs = [(timed(warcio_command, stdout=subprocess.DEVNULL),
             timed(ours_command, stdout=subprocess.DEVNULL)) for _ in range(REPEATS)]
    warcio, ours = min(w for w, _ in runs), min(o for _, o in runs)
    return {"megabytes": round(size / 1e6, 1),
            "warcio_check_mb_per_s": round(size / 1e6 / warcio, 1),
            "archiver_verify_mb_per_s": round(size / 1e6 / ours, 1),
            "ratio_archiver_over_warcio": round(warcio / ours, 2)}


def main() -> None:
    args = parse_size_args(__doc__)
    with tempfile.TemporaryDirectory() as scratch:
        run = capture_both(Path(scratch), args.pages, args.size, modes=("fast",))
        report("verify", {"archiver_warcs": check(run.archiver["fast"][1]),
                          "wget_warc": check([run.wget_warc])})


if __name__ == "__main__":
    main()
