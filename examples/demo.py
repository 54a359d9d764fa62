"""`make demo`: serve examples/site on 127.0.0.1, capture its articles, verify, summarise.

Runs the real command line (``python -m archiver``) against a real local server, so
what it shows is what a user gets.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

from archiver.testing import LoopbackSite

SITE = Path(__file__).resolve().parent / "site"


def archiver(home: Path, *args: str) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "archiver", "--home", str(home), *args]
    print("$ archiver " + " ".join(args), flush=True)
    return subprocess.run(command, check=False)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--home", type=Path, default=Path("archive"))
    home = parser.parse_args().home
    pages = sorted(p.relative_to(SITE).as_posix() for p in SITE.rglob("*.html")
                   if p.name != "index.html")
    with LoopbackSite(SITE) as site:
        print(f"serving examples/site at {site.base_url}")
        urls = [site.url("/" + page) for page in pages]
        steps = [
            archiver(home, "capture", "--allow-network", "127.0.0.1/32", *urls),
            archiver(home, "verify"),
            archiver(home, "list"),
        ]
        captures = subprocess.run(
            [sys.executable, "-m", "archiver", "--home", str(home), "list", "--json"],
            capture_output=True, text=True, check=False).stdout.splitlines()
        if captures:
            first = json.loads(captures[-1])["capture_id"]
            steps.append(archiver(home, "show", first))
    failed = [step for step in steps if step.returncode != 0]
    print(f"\n{len(captures)} captures in {home}/, "
          + ("all verified." if not failed else f"{len(failed)} step(s) FAILED."))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
