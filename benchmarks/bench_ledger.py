"""Transparency log: append 1,000,000 leaves, then 10,000 inclusion and 1,000 consistency proofs.

Leaves are realistic (about 1.4 KB: the canonical JSON of a three-record capture
summary, each one distinct) and are hashed as part of the append. Measured for
``archiver.merkle.MerkleTree`` (every complete node stored, one bytearray per level):

* appending one leaf at a time (as captures do), and in bulk (as ``ledger.load_tree``
  does when it reads the catalog), with the tree's memory and the process's peak RSS;
* computing and verifying random inclusion proofs and consistency proofs;
* the same proofs side by side with the reference algorithms on a smaller tree: the
  O(n) functions of ``archiver.merkle`` and the RFC 9162 recursive definitions as
  written (``PATH``, ``SUBPROOF`` over ``MTH``), plus a few reference proofs on the full
  tree, so the ratios can be read at both sizes;
* reading leaves back from a catalog database and building the tree (``load_tree``),
  which every checkpoint and verify does.

    python benchmarks/bench_ledger.py [--leaves 1000000] [--proofs 10000]
"""

from __future__ import annotations

import argparse
import random
import resource
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import report  # noqa: E402

from archiver import merkle  # noqa: E402
from archiver.catalog import Catalog  # noqa: E402
from archiver.ledger import load_tree  # noqa: E402
from archiver.merkle import MerkleTree, leaf_hash, node_hash  # noqa: E402

#: A capture's leaf with a number in it: request, response, metadata record.
TEMPLATE = (
    b'{"capture_id":"01kdyak3se%016d","captured_at":"2026-11-24T02:35:45.123456Z",'
    b'"final_url":"https://news.example/2026/11/story-%d.html","records":['
    b'{"block_blake3":"blake3:d52f6dc921c6c705643c20b8031615ed56207ee6e4fd0983c6eab8347c64b950",'
    b'"block_sha256":"sha256:54999d0b882252962f06d43d6536f4cd2870e79b7e21499bebe84b6d522b0844",'
    b'"payload_blake3":"blake3:af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262",'
    b'"payload_sha256":"sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",'
    b'"record_id":"<urn:uuid:00000000-0000-4000-8000-000000000001>","type":"request"},'
    b'{"block_blake3":"blake3:0bd4c2e1a4b3e8d8f1de4e4cb6cd0d2e0f9f2d4e8d1c35c8c1c4f6c8d4e1a2b3",'
    b'"block_sha256":"sha256:9f2c8d5b1e0a4c7d3b6e9f1a2c5d8e0b3f6a9c2d5e8f1b4a7c0d3e6f9a2b5c8d",'
    b'"payload_blake3":"blake3:1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f809",'
    b'"payload_sha256":"sha256:2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a",'
    b'"record_id":"<urn:uuid:00000000-0000-4000-8000-000000000002>","type":"response"},'
    b'{"block_blake3":"blake3:3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b",'
    b'"block_sha256":"sha256:4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c",'
    b'"record_id":"<urn:uuid:00000000-0000-4000-8000-000000000003>","type":"metadata"}],'
    b'"schema_version":"1","url":"https://news.example/2026/11/story-%d.html"}'
)


def leaf(number: int) -> bytes:
    return TEMPLATE % (number, number, number)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


# --- the RFC 9162 definitions, as written (the "plain recursive" algorithm) -----------------


def _k(n: int) -> int:
    return 1 << ((n - 1).bit_length() - 1)


def mth(leaves: list[bytes]) -> bytes:
    if not leaves:
        return merkle.EMPTY_ROOT
    if len(leaves) == 1:
        return leaves[0]
    k = _k(len(leaves))
    return node_hash(mth(leaves[:k]), mth(leaves[k:]))


def path(m: int, leaves: list[bytes]) -> list[bytes]:
    if len(leaves) == 1:
        return []
    k = _k(len(leaves))
    if m < k:
        return [*path(m, leaves[:k]), mth(leaves[k:])]
    return [*path(m - k, leaves[k:]), mth(leaves[:k])]


def subproof(m: int, leaves: list[bytes], whole: bool) -> list[bytes]:
    if m == len(leaves):
        return [] if whole else [mth(leaves)]
    k = _k(len(leaves))
    if m <= k:
        return [*subproof(m, leaves[:k], whole), mth(leaves[k:])]
    return [*subproof(m - k, leaves[k:], False), mth(leaves[:k])]


# --- measurements ------------------------------------------------------------------------


def timed(function) -> tuple[float, object]:
    started = time.perf_counter()
    result = function()
    return time.perf_counter() - started, result


def proofs(tree: MerkleTree, hashes: list[bytes] | None, count: int, consistency: int,
           rng: random.Random) -> dict:
    """Time ``count`` inclusion and ``consistency`` consistency proofs, made and verified."""
    size, root = tree.size, tree.root()
    indexes = [rng.randrange(size) for _ in range(count)]
    made_s, made = timed(lambda: [tree.inclusion_proof(i) for i in indexes])
    leaves = [tree.leaf(i) for i in indexes]
    check_s, ok = timed(lambda: all(merkle.verify_inclusion(h, i, size, p, root)
                                    for h, i, p in zip(leaves, indexes, made, strict=True)))
    assert ok
    olds = [rng.randrange(1, size) for _ in range(consistency)]
    cmade_s, cmade = timed(lambda: [(tree.root(m), tree.consistency_proof(m)) for m in olds])
    ccheck_s, cok = timed(lambda: all(merkle.verify_consistency(m, size, r, root, p)
                                      for m, (r, p) in zip(olds, cmade, strict=True)))
    assert cok
    if hashes is not None:  # spot-check against the reference
        for i, proof in list(zip(indexes, made, strict=True))[:20]:
            assert proof == merkle.inclusion_proof(hashes, i)
    return {
        "inclusion_proofs": count,
        "inclusion_make_s": round(made_s, 3),
        "inclusion_verify_s": round(check_s, 3),
        "inclusion_us_per_proof": round((made_s + check_s) / count * 1e6, 1),
        "mean_proof_length": round(sum(map(len, made)) / count, 1),
        "consistency_proofs": consistency,
        "consistency_make_s": round(cmade_s, 3),
        "consistency_verify_s": round(ccheck_s, 3),
        "consistency_us_per_proof": round((cmade_s + ccheck_s) / consistency * 1e6, 1),
    }


def reference(hashes: list[bytes], count: int, rng: random.Random, *, recursive: bool) -> dict:
    """Per-proof cost of the reference algorithms (O(n) per proof) on ``hashes``."""
    size = len(hashes)
    indexes = [rng.randrange(size) for _ in range(count)]
    olds = [rng.randrange(1, size) for _ in range(count)]
    if recursive:
        made_s, _ = timed(lambda: [path(i, hashes) for i in indexes])
        cmade_s, _ = timed(lambda: [subproof(m, hashes, True) for m in olds])
    else:
        made_s, _ = timed(lambda: [merkle.inclusion_proof(hashes, i) for i in indexes])
        cmade_s, _ = timed(lambda: [merkle.consistency_proof(hashes, m) for m in olds])
    return {"proofs": count, "inclusion_ms_per_proof": round(made_s / count * 1e3, 2),
            "consistency_ms_per_proof": round(cmade_s / count * 1e3, 2)}


def catalog_load(count: int, scratch: Path) -> dict:
    """Build the tree from ``count`` leaves stored in a catalog database."""
    path = scratch / "catalog.sqlite3"
    Catalog(path).close()
    db = sqlite3.connect(path)
    db.executemany("INSERT INTO log VALUES (?,?,?,?)",
                   ((i, f"c{i:025d}", leaf_hash(leaf(i)), leaf(i)) for i in range(count)))
    db.commit()
    db.close()
    with Catalog(path) as catalog:
        seconds, tree = timed(lambda: load_tree(catalog))
    assert tree.size == count
    return {"leaves": count, "load_tree_s": round(seconds, 2),
            "database_mb": round(path.stat().st_size / 1e6, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--leaves", type=int, default=1_000_000)
    parser.add_argument("--proofs", type=int, default=10_000)
    parser.add_argument("--consistency", type=int, default=1_000)
    parser.add_argument("--small", type=int, default=65_536,
                        help="tree size for the side-by-side with the reference algorithms")
    parser.add_argument("--catalog-leaves", type=int, default=100_000)
    args = parser.parse_args()
    rng = random.Random(20261124)
    result: dict = {"leaves": args.leaves, "leaf_bytes": len(leaf(0))}

    def make_only() -> None:
        for i in range(args.leaves // 10):
            leaf(i)

    data_s, _ = timed(make_only)
    rss_before = peak_rss_mb()
    tree = MerkleTree()

    def append_all() -> None:
        append = tree.append
        for i in range(args.leaves):
            append(leaf_hash(leaf(i)))

    append_s, _ = timed(append_all)
    stored = sum(len(level) for level in tree._levels)
    result["append_one_at_a_time"] = {
        "seconds": round(append_s, 2),
        "leaves_per_s": round(args.leaves / append_s),
        "of_which_making_leaf_bytes_s": round(data_s * 10, 2),
        "tree_mb": round(stored / 1e6, 1),
        "peak_rss_growth_mb": round(peak_rss_mb() - rss_before, 1),
    }
    def bulk() -> bytes:
        built = MerkleTree()
        built.extend_packed(b"".join([leaf_hash(leaf(i)) for i in range(args.leaves)]))
        return built.root()

    bulk_s, bulk_root = timed(bulk)
    assert bulk_root == tree.root()
    result["append_in_bulk"] = {"seconds": round(bulk_s, 2),
                                "leaves_per_s": round(args.leaves / bulk_s)}
    result["merkle_tree"] = proofs(tree, None, args.proofs, args.consistency, rng)

    # The reference algorithms on the full tree: a few proofs show the per-proof cost.
    hashes = [tree.leaf(i) for i in range(tree.size)]
    result["reference_on_full_tree"] = reference(hashes, 3, rng, recursive=False)
    per_proof = result["reference_on_full_tree"]["inclusion_ms_per_proof"]
    result["reference_on_full_tree"]["estimated_hours_for_all_inclusion_proofs"] = round(
        per_proof * args.proofs / 3.6e6, 2)
    del hashes

    small = MerkleTree([leaf_hash(leaf(i)) for i in range(args.small)])
    small_hashes = [small.leaf(i) for i in range(args.small)]
    ours = proofs(small, small_hashes, args.proofs, args.consistency, rng)
    iterative = reference(small_hashes, 200, rng, recursive=False)
    recursive = reference(small_hashes, 50, rng, recursive=True)
    ours_ms = (ours["inclusion_make_s"]) / args.proofs * 1e3
    ours_cms = (ours["consistency_make_s"]) / args.consistency * 1e3
    result["side_by_side"] = {
        "tree_size": args.small,
        "merkle_tree": ours,
        "reference_merkle_functions": iterative,
        "rfc_recursive_definitions": recursive,
        "inclusion_speedup_over_reference": round(iterative["inclusion_ms_per_proof"] / ours_ms),
        "inclusion_speedup_over_recursive": round(recursive["inclusion_ms_per_proof"] / ours_ms),
        "consistency_speedup_over_reference": round(
            iterative["consistency_ms_per_proof"] / ours_cms),
        "consistency_speedup_over_recursive": round(
            recursive["consistency_ms_per_proof"] / ours_cms),
    }
    full_ms = result["merkle_tree"]["inclusion_make_s"] / args.proofs * 1e3
    result["inclusion_speedup_on_full_tree"] = round(per_proof / full_ms)
    with tempfile.TemporaryDirectory() as scratch:
        result["catalog"] = catalog_load(args.catalog_leaves, Path(scratch))
    result["peak_rss_mb"] = round(peak_rss_mb(), 1)
    report("ledger", result)


if __name__ == "__main__":
    main()
