"""Republication index: 100,000 synthetic articles of about 600 words, side by side.

Articles are drawn from a Zipf-distributed vocabulary of 50,000 words. Planted among
them: 500 short stories (150 words) each carried inside a longer article, and 500
articles each with a light rewrite (one word in ten replaced). Measured:

* fingerprinting every article (``archiver.fingerprint``: shingles + MinHash), once;
* building each index from the stored signatures, in a fresh process each, with the
  process's peak RSS above what the signatures alone take;
* query latency (index lookup alone, and lookup plus measuring each candidate on its
  shingles, as ``archiver trace`` does) and recall on the planted pairs;

for archiver's ``SignatureIndex`` and for a plain datasketch ``MinHashLSH`` (Jaccard
threshold 0.5) as the baseline; optionally for datasketch's ``MinHashLSHEnsemble``
(containment 0.5) at ``--ensemble-articles``, since at 100,000 it would need ~9 GB.

    python benchmarks/bench_trace.py [--articles 100000] [--queries 1000] [--ensemble-articles N]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import report  # noqa: E402

from archiver.fingerprint import NUM_PERM, ShingledText, fingerprint_of, overlap  # noqa: E402
from archiver.republication import SignatureIndex, is_match  # noqa: E402

PLANTED = 500  # pairs of each kind
VOCABULARY = 50_000


def corpus(articles: int, seed: int = 20261124) -> tuple[list[str], list[tuple[int, int, str]]]:
    """Texts, and the planted (query, expected match, kind) pairs."""
    rng = np.random.default_rng(seed)
    weights = 1 / np.arange(1, VOCABULARY + 1) ** 1.1
    words = np.array([f"w{n}" for n in range(VOCABULARY)])

    def draw(count: int) -> list[str]:
        return words[rng.choice(VOCABULARY, count, p=weights / weights.sum())].tolist()

    texts, pairs = [], []
    for _ in range(PLANTED):  # a short story inside a longer article
        story = draw(150)
        texts.append(" ".join(story))
        texts.append(" ".join(draw(225) + story + draw(225)))
        pairs.append((len(texts) - 2, len(texts) - 1, "contained"))
        pairs.append((len(texts) - 1, len(texts) - 2, "contains"))
    for _ in range(PLANTED):  # a light rewrite
        original = draw(600)
        changed = list(original)
        for position in rng.choice(600, 60, replace=False):
            changed[position] = draw(1)[0]
        texts += [" ".join(original), " ".join(changed)]
        pairs.append((len(texts) - 2, len(texts) - 1, "rewrite"))
    while len(texts) < articles:
        texts.append(" ".join(draw(int(rng.integers(500, 700)))))
    return texts, pairs


def child(kind: str, data: Path, queries: int) -> None:
    """Build one index in this fresh process; print its figures as JSON."""
    loaded = np.load(data)
    signatures, sizes, probes = loaded["signatures"], loaded["sizes"], loaded["probes"]
    before = _memory_mb()["VmRSS"]
    started = time.perf_counter()
    if kind == "archiver":
        index = SignatureIndex(signatures, sizes)

        def lookup(row: int) -> set[int]:
            return set(index.candidates(signatures[row], int(sizes[row])).tolist())
    else:
        from datasketch import LeanMinHash, MinHashLSH, MinHashLSHEnsemble

        sketches = [LeanMinHash(seed=1, hashvalues=s, scheme="affine32") for s in signatures]
        if kind == "minhashlsh":
            lsh = MinHashLSH(threshold=0.5, num_perm=NUM_PERM)
            with lsh.insertion_session() as session:
                for row, sketch in enumerate(sketches):
                    session.insert(row, sketch)

            def lookup(row: int) -> set[int]:
                return set(lsh.query(sketches[row]))
        else:
            ensemble = MinHashLSHEnsemble(threshold=0.5, num_perm=NUM_PERM)
            ensemble.index([(row, s, int(sizes[row])) for row, s in enumerate(sketches)])

            def lookup(row: int) -> set[int]:
                return set(ensemble.query(sketches[row], int(sizes[row])))
    build = time.perf_counter() - started
    memory = _memory_mb()
    found, latencies = [], []
    for row in probes[:queries].tolist():
        started = time.perf_counter()
        found.append(sorted(lookup(row)))
        latencies.append(time.perf_counter() - started)
    print(json.dumps({"build_seconds": round(build, 2),
                      "memory_mb": round(memory["VmRSS"] - before, 1),
                      "peak_memory_mb": round(memory["VmHWM"] - before, 1),
                      "lookup_ms": _percentiles(latencies), "found": found}))


def _memory_mb() -> dict[str, float]:
    """This process's resident memory now (VmRSS) and at its peak (VmHWM), in MB."""
    fields = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            fields[name] = int(value.split()[0]) / 1024
    return fields


def _percentiles(seconds: list[float]) -> dict[str, float]:
    values = np.array(seconds) * 1000
    return {"p50": round(float(np.percentile(values, 50)), 3),
            "p95": round(float(np.percentile(values, 95)), 3),
            "max": round(float(values.max()), 3)}


def measured_queries(texts: list[str], signatures: np.ndarray, sizes: np.ndarray,
                     probes: np.ndarray) -> dict[str, float]:
    """Latency of a whole query as ``archiver trace`` makes it: shingle the query text,
    look up candidates, shingle each candidate's text and measure the overlap."""
    index = SignatureIndex(signatures, sizes)
    latencies = []
    for query in probes.tolist():
        started = time.perf_counter()
        mine = ShingledText(texts[query])
        for other in index.candidates(signatures[query], int(sizes[query])).tolist():
            if other != query:
                is_match(overlap(mine, ShingledText(texts[other])))
        latencies.append(time.perf_counter() - started)
    return _percentiles(latencies)


def run(kind: str, data: Path, queries: int) -> dict:
    done = subprocess.run([sys.executable, __file__, "--child", kind, "--data", str(data),
                           "--queries", str(queries)], check=True, capture_output=True,
                          text=True)
    return json.loads(done.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=1_000)
    parser.add_argument("--ensemble-articles", type=int, default=0,
                        help="Also time datasketch's LSH Ensemble on this many articles.")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.child:
        child(arguments.child, arguments.data, arguments.queries)
        return

    texts, pairs = corpus(arguments.articles)
    started = time.perf_counter()
    shingled = [ShingledText(text) for text in texts]
    prints = [fingerprint_of(s, str(n)) for n, s in enumerate(shingled)]
    fingerprint_seconds = time.perf_counter() - started
    signatures = np.stack([p.values() for p in prints])
    sizes = np.array([p.shingles for p in prints])
    rng = np.random.default_rng(7)
    planted = [query for query, _, _ in pairs]
    others = rng.choice(np.arange(4 * PLANTED, len(texts)), arguments.queries)
    probes = np.array(planted + others.tolist())  # the planted pairs, then random articles

    results = {}
    with tempfile.TemporaryDirectory() as scratch:
        data = Path(scratch) / "signatures.npz"
        np.savez(data, signatures=signatures, sizes=sizes, probes=probes)
        for kind in ("archiver", "minhashlsh"):
            results[kind] = run(kind, data, len(probes))
        if arguments.ensemble_articles:
            small = Path(scratch) / "small.npz"
            count = arguments.ensemble_articles
            np.savez(small, signatures=signatures[:count], sizes=sizes[:count],
                     probes=probes[probes < count])
            results["lsh_ensemble"] = run("ensemble", small, len(probes))
            results["lsh_ensemble"]["articles"] = count

    for figures in results.values():
        found = figures.pop("found")
        recall = {}
        for name in ("contained", "contains", "rewrite"):
            expected = [(n, match) for n, (_, match, what) in enumerate(pairs)
                        if what == name and n < len(found)]
            recall[name] = round(sum(match in found[n] for n, match in expected)
                                 / max(len(expected), 1), 3)
        figures["recall"] = recall
    results["archiver"]["measured_query_ms"] = measured_queries(texts, signatures, sizes,
                                                                probes)
    base = results["minhashlsh"]
    ours = results["archiver"]
    report("trace", {
        "articles": len(texts), "queries": len(probes),
        "load": os.getloadavg()[0],
        "fingerprint_ms_per_article": round(fingerprint_seconds / len(texts) * 1000, 3),
        "indexes": results,
        "ratios_archiver_to_minhashlsh": {
            "build": round(ours["build_seconds"] / base["build_seconds"], 2),
            "memory": round(ours["memory_mb"] / base["memory_mb"], 2),
            "lookup_p95": round(ours["lookup_ms"]["p95"] / base["lookup_ms"]["p95"], 2),
        },
        "targets": {"build_under_60_s": ours["build_seconds"] < 60,
                    "query_p95_under_50_ms": ours["measured_query_ms"]["p95"] < 50,
                    "memory_under_2_gb": ours["peak_memory_mb"] < 2048},
    })


if __name__ == "__main__":
    main()
