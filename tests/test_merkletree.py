"""MerkleTree: stored levels give byte-identical roots and proofs to the reference functions."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from archiver.merkle import (
    EMPTY_ROOT,
    CompactRange,
    MerkleTree,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    root,
    verify_consistency,
    verify_inclusion,
)
from tests.test_merkle import (
    CONSISTENCY_VECTORS,
    INCLUSION_VECTORS,
    LEAVES,
    ROOTS,
    distinct_leaves,
    flip,
    ref_path,
    ref_root,
    ref_subproof,
)


def test_vectors():
    """Roots of sizes 0-8 and the CT suite's proofs come out of the tree exactly."""
    tree = MerkleTree(LEAVES)
    for size in range(9):
        assert tree.root(size) == ROOTS[size]
    for index, size, proof in INCLUSION_VECTORS:
        assert tree.inclusion_proof(index, size) == proof
    for old, new, proof in CONSISTENCY_VECTORS:
        assert tree.consistency_proof(old, new) == proof
    assert MerkleTree().root() == EMPTY_ROOT


def test_every_proof_of_small_trees_equals_the_reference():
    """Sizes 0-90: every root, every inclusion and consistency proof, at every prefix size."""
    leaves = distinct_leaves(90)
    tree = MerkleTree()
    for n in range(91):
        if n:
            tree.append(leaves[n - 1])
        prefix = leaves[:n]
        assert tree.size == n
        assert tree.root() == root(prefix) == ref_root(prefix)
        for i in range(n):
            assert tree.inclusion_proof(i) == inclusion_proof(prefix, i)
        for m in range(n + 1):
            assert tree.consistency_proof(m) == consistency_proof(prefix, m)
    for size in (1, 2, 3, 5, 64, 77, 89):  # proofs for earlier sizes of the full tree
        for i in range(size):
            assert tree.inclusion_proof(i, size) == ref_path(i, leaves[:size])
        for m in range(1, size):
            assert tree.consistency_proof(m, size) == ref_subproof(m, leaves[:size], True)


@pytest.mark.parametrize("n", [1023, 1024, 1025, 3000, 4097])
def test_larger_trees_equal_the_reference_on_random_proofs(n):
    """Around and between powers of two, random proofs equal the O(n) reference ones."""
    leaves = distinct_leaves(n, seed=n)
    tree = MerkleTree(leaves)
    rng = random.Random(n)
    assert tree.root() == root(leaves)
    for _ in range(25):
        i = rng.randrange(n)
        assert tree.inclusion_proof(i) == inclusion_proof(leaves, i)
        m = rng.randrange(n + 1)
        assert tree.consistency_proof(m) == consistency_proof(leaves, m)
        assert tree.root(m) == root(leaves[:m])


def test_append_extend_and_packed_build_the_same_tree():
    """One at a time, in batches, or packed: the same levels and the same roots."""
    leaves = distinct_leaves(300)
    one = MerkleTree()
    for leaf in leaves:
        one.append(leaf)
    batches = MerkleTree()
    for start in range(0, 300, 37):
        batches.extend(leaves[start:start + 37])
    packed = MerkleTree()
    packed.extend_packed(b"".join(leaves[:150]))
    packed.extend_packed(b"".join(leaves[150:]))
    assert one._levels == batches._levels == packed._levels
    assert one.leaves() == b"".join(leaves)
    assert [one.leaf(i) for i in range(300)] == leaves


def test_agrees_with_the_compact_range_at_every_size():
    """The stored tree and the O(log n) compact range agree while growing."""
    compact, tree = CompactRange(), MerkleTree()
    for leaf in distinct_leaves(200, seed=7):
        compact.append(leaf)
        tree.append(leaf)
        assert compact.root() == tree.root()


def test_rejects_bad_arguments():
    """Indices and sizes outside the tree, and malformed hashes, are ValueErrors."""
    tree = MerkleTree(LEAVES)
    for call in (lambda: tree.inclusion_proof(8), lambda: tree.inclusion_proof(3, 3),
                 lambda: tree.consistency_proof(9), lambda: tree.root(9),
                 lambda: tree.leaf(8), lambda: tree.append(b"short"),
                 lambda: tree.extend_packed(b"x" * 33), lambda: MerkleTree().inclusion_proof(0)):
        with pytest.raises(ValueError):
            call()
    assert tree.size == 8  # nothing was appended by the failed calls


def test_memory_is_about_two_hashes_per_leaf():
    """Levels hold n leaves plus n - 1 inner nodes at most (32 bytes each)."""
    tree = MerkleTree(distinct_leaves(1000))
    stored = sum(len(level) for level in tree._levels)
    assert stored <= (2 * 1000 - 1) * 32


@settings(max_examples=40, deadline=None)
@given(data=st.data(), n=st.integers(min_value=1, max_value=1500))
def test_proofs_of_random_trees_verify_and_mutations_fail(data, n):
    """Every proof verifies against the tree's root; one flipped bit in it does not."""
    leaves = distinct_leaves(n, seed=n + 1)
    tree = MerkleTree(leaves)
    full = tree.root()
    index = data.draw(st.integers(0, n - 1), label="index")
    proof = tree.inclusion_proof(index)
    assert verify_inclusion(leaves[index], index, n, proof, full)
    bit = data.draw(st.integers(0, 255), label="bit")
    assert not verify_inclusion(flip(leaves[index], bit), index, n, proof, full)
    if proof:
        k = data.draw(st.integers(0, len(proof) - 1), label="element")
        assert not verify_inclusion(leaves[index], index, n,
                                    [*proof[:k], flip(proof[k], bit), *proof[k + 1:]], full)
    old = data.draw(st.integers(1, n), label="old size")
    consistency = tree.consistency_proof(old)
    assert verify_consistency(old, n, tree.root(old), full, consistency)
    if consistency:
        assert not verify_consistency(old, n, flip(tree.root(old), bit), full, consistency)


def test_leaf_hash_domain_separation_holds_in_the_tree():
    """A two-leaf tree's root is not the leaf hash of the two leaves concatenated."""
    a, b = leaf_hash(b"a"), leaf_hash(b"b")
    assert MerkleTree([a, b]).root() != leaf_hash(a + b)
