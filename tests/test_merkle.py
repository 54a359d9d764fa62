"""merkle: RFC 9162 roots and proofs against public test vectors and random trees.

The vectors (the 8 leaf inputs, the roots of sizes 0-8, the inclusion and
consistency proofs) are those of Certificate Transparency's RFC 6962 test suite as
kept by transparency-dev/merkle: ``testonly/constants.go`` (LeafInputs,
RootHashes, NodeHashes), ``testonly/reference_test.go`` (TestRefInclusionProof,
TestRefConsistencyProof) and ``proof/verify_test.go`` (inclusionProofs,
consistencyProofs, the corrupted-proof probes). RFC 9162 hashes trees exactly as
RFC 6962 does, so the vectors apply unchanged.
"""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from archiver.merkle import (
    EMPTY_ROOT,
    CompactRange,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    node_hash,
    root,
    verify_consistency,
    verify_inclusion,
)

# --- public vectors (transparency-dev/merkle testonly/constants.go) ------------------------

LEAF_INPUTS = [bytes.fromhex(h) for h in [
    "", "00", "10", "2021", "3031", "40414243", "5051525354555657",
    "606162636465666768696a6b6c6d6e6f",
]]
LEAVES = [leaf_hash(data) for data in LEAF_INPUTS]

#: Root of the tree over the first n leaf inputs, n = 0..8.
ROOTS = [bytes.fromhex(h) for h in [
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]]

#: Leaf hashes (level 0) of the 8 inputs, from NodeHashes().
LEAF_HASHES = [bytes.fromhex(h) for h in [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
    "0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7",
    "07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7",
    "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
    "4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658",
    "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
    "46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1",
]]


def hx(*hashes: str) -> list[bytes]:
    """Decode hex hashes."""
    return [bytes.fromhex(h) for h in hashes]


#: (index, tree size, proof); 0-based indices (verify_test.go counts leaves from 1).
INCLUSION_VECTORS = [
    (0, 1, []),
    (0, 2, hx("96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7")),
    (1, 2, hx("6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d")),
    (2, 3, hx("fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125")),
    (1, 5, hx("6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
              "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
              "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b")),
    (0, 8, hx("96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
              "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
              "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4")),
    (5, 8, hx("bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
              "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
              "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7")),
]

#: (old size, new size, proof).
CONSISTENCY_VECTORS = [
    (1, 1, []),
    (1, 8, hx("96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
              "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
              "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4")),
    (6, 8, hx("0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
              "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
              "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7")),
    (2, 5, hx("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
              "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b")),
    (6, 7, hx("0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
              "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
              "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7")),
]

SOME_HASH = bytes.fromhex("abacaba000000000000000000000000000000000000000000060061e00123456")


# --- an independent reference: RFC 9162 §2.1.1, §2.1.3.1, §2.1.4.1 taken literally ----------


def split_point(n: int) -> int:
    """The largest power of two strictly below n."""
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def ref_root(leaves: list[bytes]) -> bytes:
    """MTH(D[n]), recursively."""
    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return leaves[0]
    k = split_point(len(leaves))
    return node_hash(ref_root(leaves[:k]), ref_root(leaves[k:]))


def ref_path(index: int, leaves: list[bytes]) -> list[bytes]:
    """PATH(m, D[n]), recursively."""
    if len(leaves) == 1:
        return []
    k = split_point(len(leaves))
    if index < k:
        return [*ref_path(index, leaves[:k]), ref_root(leaves[k:])]
    return [*ref_path(index - k, leaves[k:]), ref_root(leaves[:k])]


def ref_subproof(m: int, leaves: list[bytes], whole: bool) -> list[bytes]:
    """SUBPROOF(m, D[n], b), recursively."""
    if m == len(leaves):
        return [] if whole else [ref_root(leaves)]
    k = split_point(len(leaves))
    if m <= k:
        return [*ref_subproof(m, leaves[:k], whole), ref_root(leaves[k:])]
    return [*ref_subproof(m - k, leaves[k:], False), ref_root(leaves[:k])]


def path_shape(index: int, size: int) -> tuple[str, ...]:
    """Which side each sibling of PATH(index, D[size]) is on, from the leaf up."""
    if size == 1:
        return ()
    k = split_point(size)
    if index < k:
        return (*path_shape(index, k), "right")
    return (*path_shape(index - k, size - k), "left")


#: Distinct leaf hashes for the property tests, hashed once for speed.
POOL = [leaf_hash(b"0:%d" % i) for i in range(700)]


def distinct_leaves(n: int, seed: int = 0) -> list[bytes]:
    """n distinct leaf hashes (duplicates would make some mutations legitimately verify)."""
    if seed == 0 and n <= len(POOL):
        return POOL[:n]
    return [leaf_hash(b"%d:%d" % (seed, i)) for i in range(n)]


def flip(value: bytes, bit: int) -> bytes:
    """``value`` with one bit inverted."""
    out = bytearray(value)
    out[bit // 8] ^= 1 << (bit % 8)
    return bytes(out)


# --- vectors ---------------------------------------------------------------------------------


def test_leaf_hashes_match_the_vectors():
    """leaf_hash prefixes 0x00 exactly as the CT test suite's leaf hashes say."""
    assert LEAVES == LEAF_HASHES


def test_empty_tree_root_is_sha256_of_nothing():
    """RFC 9162 §2.1.1: the empty tree's hash is SHA-256 of the empty string."""
    assert root([]) == EMPTY_ROOT == ROOTS[0]
    assert CompactRange().root() == EMPTY_ROOT


@pytest.mark.parametrize("size", range(9))
def test_roots_match_the_vectors(size):
    """Recursive and incremental roots of sizes 0-8 equal the published roots."""
    assert root(LEAVES[:size]) == ROOTS[size]
    compact = CompactRange()
    compact.extend(LEAVES[:size])
    assert compact.root() == ROOTS[size]
    assert compact.size == size


@pytest.mark.parametrize(("index", "size", "proof"), INCLUSION_VECTORS)
def test_inclusion_vectors(index, size, proof):
    """Generated inclusion proofs equal the published ones, and verify."""
    assert inclusion_proof(LEAVES[:size], index) == proof
    assert verify_inclusion(LEAVES[index], index, size, proof, ROOTS[size])


@pytest.mark.parametrize(("old", "new", "proof"), CONSISTENCY_VECTORS)
def test_consistency_vectors(old, new, proof):
    """Generated consistency proofs equal the published ones, and verify."""
    assert consistency_proof(LEAVES[:new], old) == proof
    assert verify_consistency(old, new, ROOTS[old], ROOTS[new], proof)


def inclusion_probes(index, size, proof, root_hash, leaf):
    """The corruptions of verify_test.go's corruptInclusionProof, as argument tuples."""
    probes = [
        (leaf, index - 1, size, proof, root_hash), (leaf, index + 1, size, proof, root_hash),
        (leaf, index ^ 2, size, proof, root_hash), (leaf, index, size * 2, proof, root_hash),
        (leaf, index, size // 2, proof, root_hash), (b"WrongLeaf", index, size, proof, root_hash),
        (leaf, index, size, proof, EMPTY_ROOT), (leaf, index, size, proof, SOME_HASH),
        (leaf, index, size, [*proof, b""], root_hash), (leaf, index, size, [*proof, root_hash],
                                                         root_hash),
        (leaf, index, size, [b"", *proof], root_hash), (leaf, index, size, [root_hash, *proof],
                                                         root_hash),
    ]
    for i in range(len(proof)):
        wrong = list(proof)
        wrong[i] = bytes([wrong[i][0] ^ 8]) + wrong[i][1:]
        probes.append((leaf, index, size, wrong, root_hash))
    if proof:
        probes.append((leaf, index, size, proof[:-1], root_hash))
    if len(proof) > 1:
        probes.append((leaf, index, size, [proof[0], SOME_HASH, *proof[1:]], root_hash))
    return probes


@pytest.mark.parametrize(("index", "size", "proof"), INCLUSION_VECTORS[1:])
def test_corrupted_inclusion_vectors_fail(index, size, proof):
    """Every corruption probe of the CT suite fails to verify."""
    for probe in inclusion_probes(index, size, proof, ROOTS[size], LEAVES[index]):
        assert not verify_inclusion(*probe), probe


@pytest.mark.parametrize(("old", "new", "proof"), CONSISTENCY_VECTORS[1:])
def test_corrupted_consistency_vectors_fail(old, new, proof):
    """Every corruption probe of the CT suite (corruptConsistencyProof) fails to verify."""
    r1, r2 = ROOTS[old], ROOTS[new]
    probes = [
        (old - 1, new, r1, r2, proof), (old + 1, new, r1, r2, proof),
        (old ^ 2, new, r1, r2, proof), (old, new * 2, r1, r2, proof),
        (old, new // 2, r1, r2, proof), (old, new, b"WrongRoot", r2, proof),
        (old, new, r1, b"WrongRoot", proof), (old, new, r2, r1, proof), (old, new, r1, r2, []),
        (old, new, r1, r2, [*proof, b""]), (old, new, r1, r2, [*proof, r1]),
        (old, new, r1, r2, [*proof, r2]), (old, new, r1, r2, [b"", *proof]),
        (old, new, r1, r2, [r1, *proof]), (old, new, r1, r2, [r2, *proof]),
        (old, new, r1, r2, [proof[0], *proof]), (old, new, r1, r2, proof[:-1]),
    ]
    for i in range(len(proof)):
        wrong = list(proof)
        wrong[i] = bytes([wrong[i][0] ^ 16]) + wrong[i][1:]
        probes.append((old, new, r1, r2, wrong))
    for probe in probes:
        assert not verify_consistency(*probe), probe


def test_trivial_consistency():
    """Equal sizes need equal roots and no proof; size 0 needs the empty root and no proof."""
    assert verify_consistency(0, 0, EMPTY_ROOT, EMPTY_ROOT, [])
    assert verify_consistency(0, 5, EMPTY_ROOT, ROOTS[5], [])
    assert verify_consistency(3, 3, ROOTS[3], ROOTS[3], [])
    assert not verify_consistency(3, 3, ROOTS[3], ROOTS[4], [])
    assert not verify_consistency(3, 3, ROOTS[3], ROOTS[3], [EMPTY_ROOT])
    assert not verify_consistency(0, 5, ROOTS[1], ROOTS[5], [])
    assert not verify_consistency(0, 5, EMPTY_ROOT, ROOTS[5], [EMPTY_ROOT])
    assert consistency_proof(LEAVES, 0) == consistency_proof(LEAVES, 8) == []


# --- malformed input -------------------------------------------------------------------------


@pytest.mark.parametrize("args", [
    (LEAVES[0], 1, 1, [], ROOTS[1]),                     # index == size
    (LEAVES[0], 8, 8, [], ROOTS[8]),                     # index past the end
    (LEAVES[0], -1, 8, [], ROOTS[8]),                    # negative index
    (LEAVES[0], 0, 0, [], EMPTY_ROOT),                   # empty tree has no leaves
    (LEAVES[0][:31], 0, 1, [], LEAVES[0][:31]),          # short hashes
    (LEAVES[0] + b"\0", 0, 1, [], LEAVES[0] + b"\0"),    # long hashes
    (LEAVES[0], 0, 2, [LEAVES[1][:31]], ROOTS[2]),       # short proof element
    (LEAVES[0], 0, 2, LEAVES[1], ROOTS[2]),              # proof is bytes, not a list
    (LEAVES[0], 0, 2, None, ROOTS[2]),                   # no proof at all
    (LEAVES[0], 0, 2, [None], ROOTS[2]),                 # proof of the wrong type
    (LEAVES[0], False, True, [], ROOTS[1]),              # booleans are not sizes
    (LEAVES[0], 0.0, 1, [], ROOTS[1]),                   # floats are not sizes
    ("x" * 32, 0, 1, [], ROOTS[1]),                      # str is not a hash
])
def test_verify_inclusion_rejects_malformed_input(args):
    """Malformed inclusion input returns False, without raising."""
    assert verify_inclusion(*args) is False


@pytest.mark.parametrize("args", [
    (5, 4, ROOTS[5], ROOTS[4], []),                      # old size above new
    (-1, 4, ROOTS[1], ROOTS[4], []),
    (2, 5, ROOTS[2][:31], ROOTS[5], CONSISTENCY_VECTORS[3][2]),
    (2, 5, ROOTS[2], ROOTS[5] + b"\0", CONSISTENCY_VECTORS[3][2]),
    (2, 5, ROOTS[2], ROOTS[5], [h[:31] for h in CONSISTENCY_VECTORS[3][2]]),
    (2, 5, ROOTS[2], ROOTS[5], None),
    (2, 5, ROOTS[2], ROOTS[5], b"".join(CONSISTENCY_VECTORS[3][2])),
    (True, 5, ROOTS[1], ROOTS[5], []),
    (2, 5.0, ROOTS[2], ROOTS[5], CONSISTENCY_VECTORS[3][2]),
])
def test_verify_consistency_rejects_malformed_input(args):
    """Malformed consistency input returns False, without raising."""
    assert verify_consistency(*args) is False


def test_generators_reject_out_of_range_arguments():
    """Asking for a proof outside the tree is a ValueError, not a wrong proof."""
    with pytest.raises(ValueError, match="outside"):
        inclusion_proof(LEAVES, 8)
    with pytest.raises(ValueError, match="outside"):
        inclusion_proof([], 0)
    with pytest.raises(ValueError, match="outside"):
        consistency_proof(LEAVES[:4], 5)
    with pytest.raises(ValueError, match="32 bytes"):
        CompactRange().append(b"short")


# --- the compact range -----------------------------------------------------------------------


def test_compact_range_state_round_trips():
    """A range saved as (size, hashes) and restored keeps appending to the same roots."""
    compact = CompactRange()
    compact.extend(LEAVES[:5])
    restored = CompactRange.from_state(compact.size, compact.hashes)
    restored.extend(LEAVES[5:])
    assert restored.root() == ROOTS[8]
    # CompactTrees()[7]: the subtrees [0,4), [4,6), [6,7) from NodeHashes().
    seven = CompactRange()
    seven.extend(LEAVES[:7])
    assert seven.hashes == tuple(hx(
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
        "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f"))
    with pytest.raises(ValueError, match="subtree hashes"):
        CompactRange.from_state(7, compact.hashes)


def test_exhaustive_small_trees_match_the_rfc_definitions():
    """For every size up to 40, generated proofs equal the RFC's recursive definitions."""
    leaves = distinct_leaves(40)
    compact = CompactRange()
    for n in range(1, 41):
        compact.append(leaves[n - 1])
        tree = leaves[:n]
        assert compact.root() == root(tree) == ref_root(tree)
        for i in range(n):
            assert inclusion_proof(tree, i) == ref_path(i, tree)
        for m in range(1, n):
            assert consistency_proof(tree, m) == ref_subproof(m, tree, True)


# --- properties over random trees ------------------------------------------------------------

sizes = st.integers(min_value=1, max_value=300)


@settings(max_examples=10, deadline=None)
@given(n=sizes, seed=st.integers(0, 2**32))
def test_every_proof_of_a_random_tree_verifies(n, seed):
    """In a random tree every inclusion proof and every consistency proof verifies."""
    leaves = distinct_leaves(n, seed)
    compact = CompactRange()
    prefix_roots = [compact.root()]
    for leaf in leaves:
        compact.append(leaf)
        prefix_roots.append(compact.root())
    full = prefix_roots[n]
    assert full == ref_root(leaves)
    for i in range(n):
        assert verify_inclusion(leaves[i], i, n, inclusion_proof(leaves, i), full)
    for m in range(n + 1):
        assert verify_consistency(m, n, prefix_roots[m], full, consistency_proof(leaves, m))


@settings(max_examples=60, deadline=None)
@given(data=st.data(), n=sizes)
def test_incremental_root_equals_recursive_root(data, n):
    """CompactRange's O(log n) appends give the recursive RFC root at every size."""
    leaves = [leaf_hash(data.draw(st.binary(max_size=8))) for _ in range(min(n, 40))]
    leaves += distinct_leaves(n - len(leaves))
    compact = CompactRange()
    compact.extend(leaves)
    assert compact.root() == ref_root(leaves)
    assert len(compact.hashes) == n.bit_count()


@settings(max_examples=100, deadline=None)
@given(data=st.data(), n=sizes)
def test_any_mutation_breaks_an_inclusion_proof(data, n):
    """Flipping one bit of the leaf, a proof element or the root, or another index, fails."""
    leaves = distinct_leaves(n)
    index = data.draw(st.integers(0, n - 1), label="index")
    proof = inclusion_proof(leaves, index)
    full = root(leaves)
    leaf = leaves[index]
    assert verify_inclusion(leaf, index, n, proof, full)
    bit = data.draw(st.integers(0, 255), label="bit")
    assert not verify_inclusion(flip(leaf, bit), index, n, proof, full)
    assert not verify_inclusion(leaf, index, n, proof, flip(full, bit))
    if proof:
        k = data.draw(st.integers(0, len(proof) - 1), label="element")
        mutated = [*proof[:k], flip(proof[k], bit), *proof[k + 1:]]
        assert not verify_inclusion(leaf, index, n, mutated, full)
        assert not verify_inclusion(leaf, index, n, proof[:k] + proof[k + 1:], full)
    assert not verify_inclusion(leaf, index, n, [*proof, SOME_HASH], full)
    other = data.draw(st.integers(-1, n + 1).filter(lambda j: j != index), label="other index")
    assert not verify_inclusion(leaf, other, n, proof, full)


@settings(max_examples=100, deadline=None)
@given(data=st.data(), n=sizes)
def test_another_tree_size_breaks_an_inclusion_proof(data, n):
    """A proof fails against any other real tree head, and against another size with the
    same root unless the leaf's path has the same shape at both sizes."""
    leaves = distinct_leaves(n + 300)
    index = data.draw(st.integers(0, n - 1), label="index")
    proof = inclusion_proof(leaves[:n], index)
    full = root(leaves[:n])
    other = data.draw(st.integers(index + 1, n + 300).filter(lambda s: s != n), label="size")
    # Against the genuine root of that other size (a real checkpoint): always fails.
    assert not verify_inclusion(leaves[index], index, other, proof, root(leaves[:other]))
    # Against this root with a forged size: fails exactly when the path shape changes.
    same_shape = path_shape(index, other) == path_shape(index, n)
    assert verify_inclusion(leaves[index], index, other, proof, full) == same_shape


def test_inclusion_proof_does_not_authenticate_the_size_alone():
    """Leaf 0's proof in the 4-leaf tree also passes as size 3 with the 4-leaf root.

    The RFC verifier cannot tell a leaf sibling from a subtree sibling, so the tree
    size is authenticated only with its root, by the signed checkpoint. This test
    pins that documented behaviour.
    """
    proof = inclusion_proof(LEAVES[:4], 0)
    assert verify_inclusion(LEAVES[0], 0, 3, proof, ROOTS[4])
    assert not verify_inclusion(LEAVES[0], 0, 3, proof, ROOTS[3])
    consistency = consistency_proof(LEAVES[:4], 2)
    assert verify_consistency(2, 3, ROOTS[2], ROOTS[4], consistency)
    assert not verify_consistency(2, 3, ROOTS[2], ROOTS[3], consistency)


@settings(max_examples=100, deadline=None)
@given(data=st.data(), n=st.integers(min_value=2, max_value=300))
def test_any_mutation_breaks_a_consistency_proof(data, n):
    """Flipping one bit of either root or a proof element, or another real tree head, fails."""
    leaves = distinct_leaves(n + 40)
    old = data.draw(st.integers(1, n - 1), label="old size")
    proof = consistency_proof(leaves[:n], old)
    old_root, new_root = root(leaves[:old]), root(leaves[:n])
    assert verify_consistency(old, n, old_root, new_root, proof)
    bit = data.draw(st.integers(0, 255), label="bit")
    assert not verify_consistency(old, n, flip(old_root, bit), new_root, proof)
    assert not verify_consistency(old, n, old_root, flip(new_root, bit), proof)
    k = data.draw(st.integers(0, len(proof) - 1), label="element")
    mutated = [*proof[:k], flip(proof[k], bit), *proof[k + 1:]]
    assert not verify_consistency(old, n, old_root, new_root, mutated)
    assert not verify_consistency(old, n, old_root, new_root, proof[:k] + proof[k + 1:])
    assert not verify_consistency(old, n, old_root, new_root, [*proof, SOME_HASH])
    assert not verify_consistency(old, n, new_root, old_root, proof)
    # Any other pair of genuine tree heads of the same log.
    old2 = data.draw(st.integers(1, n + 39), label="other old size")
    new2 = data.draw(st.integers(old2, n + 40), label="other new size")
    if (old2, new2) != (old, n):
        assert not verify_consistency(old2, new2, root(leaves[:old2]), root(leaves[:new2]),
                                      proof)
