"""Evidence bundles: `archiver export` and `archiver verify BUNDLE.wacz` on 1,000 captures,
beside `wacz validate` + `warcio check` on the same bundle, in the same run.

Serves --pages synthetic articles of about --size bytes on 127.0.0.1 and captures them
with `archiver capture --extract fast` (real captures, real records), makes the keys,
then times, each in its own process:

* `archiver export --wacz` of every capture (signs the checkpoint, copies the records,
  writes the proofs, provenance documents and report, signs the WACZ);
* `archiver verify` of the bundle: ZIP, hashes, signature, every record's SHA-256 and
  BLAKE3 digests read in place, every leaf, inclusion proof and the checkpoint;
* `wacz validate -f` (py-wacz: the package and its hashes) plus `warcio check` of the
  WARC files (extracted first, untimed: warcio cannot read inside a ZIP), which
  together check less: no BLAKE3, no leaves, proofs or checkpoint.

    python benchmarks/bench_bundle.py --pages 1000 [--size 102400]
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import compile_bytecode, parse_size_args, report, timed, write_site  # noqa: E402

from archiver.testing import LoopbackSite  # noqa: E402

BIN = Path(sys.executable).parent


def archiver(home: Path, *args: str) -> float:
    return timed([sys.executable, "-m", "archiver", "--home", str(home), *args],
                 stdout=subprocess.DEVNULL)


def main() -> None:
    args = parse_size_args(__doc__)
    compile_bytecode()
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        paths = write_site(root / "site", args.pages, args.size)
        home = root / "home"
        with LoopbackSite(root / "site") as site:
            urls = root / "urls.txt"
            urls.write_text("\n".join(site.url(p) for p in paths) + "\n")
            capture = archiver(home, "capture", "--allow-network", "127.0.0.1/32",
                               "--extract", "fast", "-i", str(urls))
        archiver(home, "keys", "init")
        bundle = root / "bundle.wacz"
        export = archiver(home, "export", "--wacz", str(bundle), "--all")
        verify = archiver(root / "no-home", "verify", str(bundle))
        validate = timed([str(BIN / "wacz"), "validate", "-f", str(bundle)],
                         stdout=subprocess.DEVNULL)
        warcs = root / "extracted"
        with zipfile.ZipFile(bundle) as archive:
            names = [name for name in archive.namelist() if name.startswith("archive/")]
            archive.extractall(warcs, members=names)
        started = time.perf_counter()
        subprocess.run([str(BIN / "warcio"), "check", *(str(warcs / n) for n in names)],
                       check=True, stdout=subprocess.DEVNULL)
        warcio = time.perf_counter() - started
        size = bundle.stat().st_size
        report("bundle", {
            "captures": args.pages, "page_bytes": args.size,
            "bundle_megabytes": round(size / 1e6, 1),
            "capture_seconds": round(capture, 2),
            "export_seconds": round(export, 2),
            "archiver_verify_seconds": round(verify, 2),
            "archiver_verify_mb_per_s": round(size / 1e6 / verify, 1),
            "wacz_validate_seconds": round(validate, 2),
            "warcio_check_seconds": round(warcio, 2),
            "ratio_archiver_over_wacz_validate_plus_warcio": round((validate + warcio) / verify,
                                                                   2),
        })


if __name__ == "__main__":
    main()
