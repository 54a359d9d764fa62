"""Shared pieces of the benchmarks: synthetic article pages and timing subprocesses."""

from __future__ import annotations

import json
import platform
import random
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from archiver.testing import LoopbackSite

OUT = Path(__file__).resolve().parent / "out"
WORDS = ("the of and to in a is that for it as was with be by on not he this are or his "
         "from at which but have an they you were minister said talks ceasefire city "
         "reported agency officials sources police government").split()


#: A real news page is mostly markup: the 38 labelled pages of ../shared/corpus/news-html
#: have a median of 101 KB of HTML around 2.7 KB (417 words) of article text, 2.4%.
ARTICLE_WORDS = (400, 900)


def article_page(number: int, size: int, rng: random.Random) -> str:
    """A news-like page of about ``size`` bytes, shaped like the corpus's real pages: a
    400-900 word article (JSON-LD, byline, paragraphs) inside page chrome (styles,
    scripts, navigation, related links) that makes up the rest."""
    paragraphs, words_left = [], rng.randint(*ARTICLE_WORDS)
    while words_left > 0:
        count = min(words_left, rng.randint(40, 120))
        words = " ".join(rng.choice(WORDS) for _ in range(count))
        paragraphs.append(f"<p>{words.capitalize()}.</p>")
        words_left -= count
    jsonld = json.dumps({"@context": "https://schema.org", "@type": "NewsArticle",
                         "headline": f"Article {number}", "datePublished": "2026-11-01T08:00:00Z",
                         "author": {"@type": "Person", "name": "Bench Writer"},
                         "publisher": {"@type": "Organization", "name": "Bench Daily"}})
    article = (f"<article><h1>Article {number}</h1><p class=byline>By Bench Writer</p>"
               f"{''.join(paragraphs)}</article>")
    head = (f"<!doctype html><html lang=en><head><meta charset=utf-8><title>Article {number}"
            f"</title><meta property=og:site_name content='Bench Daily'>"
            f"<script type=application/ld+json>{jsonld}</script>")
    chrome = _chrome(max(0, size - len(head) - len(article) - 200), rng)
    return (f"{head}<style>{chrome['style']}</style><script>{chrome['script']}</script></head>"
            f"<body><nav>{chrome['nav']}</nav>{article}<aside class=related>{chrome['related']}"
            f"</aside><footer>© Bench Daily</footer></body></html>")


def _chrome(size: int, rng: random.Random) -> dict[str, str]:
    """About ``size`` bytes of page furniture: CSS, a script, menus, teasers."""
    parts = {"style": [], "script": [], "nav": [], "related": []}
    length = 0
    while length < size:
        n = rng.randrange(100000)
        pieces = {
            "style": f".c{n}{{margin:{n % 9}px;color:#{n:06x};font-weight:{n % 7}00}}",
            "script": f"window.cfg{n}={{id:{n},slot:'ad-{n % 40}',lazy:{str(n % 2 == 0).lower()}}};",
            "nav": f"<li><a href=/section/{n}>Section {n}</a></li>",
            "related": f"<div class=teaser><a href=/story/{n}><img src=/img/{n}.jpg alt=''>"
                       f"Story {n}</a></div>",
        }
        for name, piece in pieces.items():
            parts[name].append(piece)
            length += len(piece)
    return {name: "".join(found) for name, found in parts.items()}


def write_site(folder: Path, pages: int, size: int) -> list[str]:
    """Write ``pages`` pages into ``folder``; return their paths."""
    rng = random.Random(20261124)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for number in range(pages):
        (folder / f"a{number}.html").write_text(article_page(number, size, rng), encoding="utf-8")
        paths.append(f"/a{number}.html")
    return paths


def parse_size_args(description: str):
    """--pages and --size, shared by the benchmarks."""
    import argparse

    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--size", type=int, default=100 * 1024)
    return parser.parse_args()


def timed(command: list[str], **kwargs) -> float:
    """Run ``command`` to completion; return wall-clock seconds (fails loudly)."""
    started = time.perf_counter()
    subprocess.run(command, check=True, **kwargs)
    return time.perf_counter() - started


def machine() -> dict:
    import os

    return {"python": sys.version.split()[0], "platform": platform.platform(),
            "cpus": os.cpu_count()}


def report(name: str, result: dict) -> None:
    """Print the result and keep it in benchmarks/out/<name>.json."""
    OUT.mkdir(exist_ok=True)
    result = {"benchmark": name, "machine": machine(), **result}
    (OUT / f"{name}.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


@dataclass(frozen=True)
class Captured:
    wget_seconds: float
    wget_warc: Path
    #: extract mode -> (seconds, WARC files) of each archiver run
    archiver: dict[str, tuple[float, list[Path]]]


def compile_bytecode() -> None:
    """Compile archiver's modules, as pip does for an installed package (warcio's are):
    an editable install run with PYTHONDONTWRITEBYTECODE set, as on the project's
    machine, would otherwise compile every module from source on each start (~45 ms)."""
    import compileall

    import archiver

    compileall.compile_dir(Path(archiver.__file__).parent, quiet=1)


def capture_both(root: Path, pages: int, size: int, modes: tuple[str, ...] = ("full",)) -> Captured:
    """Serve ``pages`` pages on 127.0.0.1; capture them with wget, then archiver per mode."""
    if shutil.which("wget") is None:
        sys.exit("the benchmarks need wget (apt-get install wget)")
    compile_bytecode()
    paths = write_site(root / "site", pages, size)
    runs = {}
    with LoopbackSite(root / "site") as site:
        urls = root / "urls.txt"
        urls.write_text("\n".join(site.url(p) for p in paths) + "\n")
        wget = timed(["wget", "--quiet", "--warc-file", str(root / "wget"),
                      "--input-file", str(urls), "--output-document", "/dev/null"], cwd=root)
        for mode in modes:
            home = root / f"home-{mode}"
            seconds = timed([sys.executable, "-m", "archiver", "--home", str(home), "capture",
                             "--allow-network", "127.0.0.1/32", "--extract", mode, "-i", str(urls)],
                            stdout=subprocess.DEVNULL)
            runs[mode] = (seconds, sorted((home / "warcs").iterdir()))
    return Captured(wget_seconds=wget, wget_warc=root / "wget.warc.gz", archiver=runs)
