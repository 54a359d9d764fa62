"""The Merkle tree of the evidence log: RFC 9162 (Certificate Transparency v2) hashing, SHA-256.

The log is an append-only list of leaf hashes. Its state at size ``n`` is one
32-byte root; a signed checkpoint publishes ``(n, root)``. Two proofs then let
someone who does not trust us check our claims against checkpoints alone:

* an **inclusion proof** shows that a leaf is at a given index of the tree that a
  checkpoint's root commits to (RFC 9162 §2.1.3);
* a **consistency proof** shows that a later tree is an append-only extension of
  an earlier one, so nothing logged was removed or changed (§2.1.4).

Hashing is domain-separated as the RFC says: a leaf is ``SHA-256(0x00 || data)``
and an inner node ``SHA-256(0x01 || left || right)``, so a leaf can never pass
for a node. The tree over ``n > 1`` leaves splits at the largest power of two
below ``n``: left subtrees are always perfect.

Costs. ``CompactRange`` keeps one root per perfect subtree (at most log2(n)+1 of
them), so each append and each root costs O(log n) hashes. The module-level proof
functions work from a plain list of leaf hashes and recompute the subtree hashes
they need: an inclusion or consistency proof costs O(n) hashes (1-2 seconds per
million leaves in CPython). They are the reference. ``MerkleTree`` keeps every
complete inner node, one ``bytearray`` per level (32 bytes a node, about 64 bytes
per leaf in all), so an append costs O(1) hashes amortised and a proof O(log n)
node lookups plus at most O(log n) hashes; its proofs are byte for byte those of
the reference functions (tests/test_merkle.py checks it on thousands of trees).

The verifiers follow the RFC's algorithms (§2.1.3.2, §2.1.4.2) and never raise:
malformed input (wrong lengths, an index outside the tree, an old size above the
new one, a proof of the wrong length) is simply a proof that does not verify.
Note what an inclusion proof does *not* bind: the tree size is authenticated only
together with its root, by the signed checkpoint. A proof for leaf 0 of a 4-leaf
tree also "verifies" for size 3 against the 4-leaf root, because leaf 0 has the
same path shape in both; so only ever check proofs against a ``(size, root)``
pair taken from a verified checkpoint.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence

#: Bytes in every hash of the tree (SHA-256).
HASH_SIZE = 32

#: The root of the empty tree: SHA-256 of the empty string (RFC 9162 §2.1.1).
EMPTY_ROOT = hashlib.sha256(b"").digest()

_LEAF_PREFIX = b"\x00"
_NODE_PREFIX = b"\x01"


def leaf_hash(data: bytes) -> bytes:
    """The hash of one log entry: ``SHA-256(0x00 || data)``."""
    return hashlib.sha256(_LEAF_PREFIX + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """The hash of an inner node: ``SHA-256(0x01 || left || right)``."""
    return hashlib.sha256(_NODE_PREFIX + left + right).digest()


class CompactRange:
    """The incremental root of a growing log: one hash per perfect subtree.

    A tree of size ``n`` is the concatenation of perfect subtrees whose sizes are
    the set bits of ``n``, largest (leftmost) first; their roots are all that is
    needed to append and to compute the root. Appending merges equal-sized
    subtrees like a binary counter carries, so it costs O(log n) hashes.
    """

    __slots__ = ("_hashes", "_size")

    def __init__(self) -> None:
        self._size = 0
        self._hashes: list[bytes] = []

    @classmethod
    def from_state(cls, size: int, hashes: Iterable[bytes]) -> CompactRange:
        """Restore a range saved as ``(size, hashes)``, checking that the two agree.

        Raises:
            ValueError: the number of hashes is not the number of set bits of ``size``,
                or a hash is not 32 bytes.
        """
        hashes = [bytes(h) for h in hashes]
        if size < 0 or len(hashes) != size.bit_count():
            raise ValueError(f"a tree of size {size} has {size.bit_count()} subtree "
                             f"hashes, not {len(hashes)}")
        for h in hashes:
            _check_hash(h)
        compact = cls()
        compact._size = size
        compact._hashes = hashes
        return compact

    @property
    def size(self) -> int:
        """Number of leaves appended so far."""
        return self._size

    @property
    def hashes(self) -> tuple[bytes, ...]:
        """Roots of the perfect subtrees, largest (leftmost) first: the state to save."""
        return tuple(self._hashes)

    def append(self, leaf: bytes) -> None:
        """Add one leaf hash (not the entry itself: hash it with ``leaf_hash``)."""
        _check_hash(leaf)
        merged = leaf
        size = self._size
        # Each trailing 1 bit of the old size is a subtree of the new leaf's height:
        # fold it in, as a binary counter carries.
        while size & 1:
            merged = node_hash(self._hashes.pop(), merged)
            size >>= 1
        self._hashes.append(merged)
        self._size += 1

    def extend(self, leaves: Iterable[bytes]) -> None:
        """Append every leaf hash of ``leaves`` in order."""
        for leaf in leaves:
            self.append(leaf)

    def root(self) -> bytes:
        """The RFC 9162 root of the leaves appended so far."""
        if not self._hashes:
            return EMPTY_ROOT
        # The RFC tree nests right to left: the smallest subtrees join first.
        result = self._hashes[-1]
        for left in reversed(self._hashes[:-1]):
            result = node_hash(left, result)
        return result


def root(leaf_hashes: Sequence[bytes]) -> bytes:
    """The root of the tree over ``leaf_hashes`` (the empty tree's is ``EMPTY_ROOT``)."""
    return _subtree(leaf_hashes, 0, len(leaf_hashes))


def inclusion_proof(leaf_hashes: Sequence[bytes], index: int) -> list[bytes]:
    """The audit path of leaf ``index`` in the tree over ``leaf_hashes`` (RFC 9162 §2.1.3.1).

    The path lists sibling hashes from the leaf up to the root. Costs O(n) hashes.

    Raises:
        ValueError: ``index`` is not a leaf of the tree.
    """
    return _inclusion_path(index, len(leaf_hashes),
                           lambda lo, hi: _subtree(leaf_hashes, lo, hi))


def consistency_proof(leaf_hashes: Sequence[bytes], old_size: int) -> list[bytes]:
    """The proof that the tree over the first ``old_size`` leaves is a prefix of the whole.

    Follows RFC 9162 §2.1.4.1 (SUBPROOF). The proof is empty when ``old_size`` is 0
    or the whole tree: those are consistent by definition. Costs O(n) hashes.

    Raises:
        ValueError: ``old_size`` is negative or larger than the tree.
    """
    return _consistency_path(old_size, len(leaf_hashes),
                             lambda lo, hi: _subtree(leaf_hashes, lo, hi))


def _inclusion_path(index: int, size: int, subtree: Callable[[int, int], bytes]) -> list[bytes]:
    """RFC 9162 §2.1.3.1 over a tree whose subtree hashes ``subtree(lo, hi)`` gives."""
    if not 0 <= index < size:
        raise ValueError(f"leaf index {index} is outside a tree of size {size}")
    path: list[bytes] = []
    lo, hi = 0, size
    # Walk down from the root; the siblings met on the way are the path, root first.
    while hi - lo > 1:
        split = lo + _largest_power_of_two_below(hi - lo)
        if index < split:
            path.append(subtree(split, hi))
            hi = split
        else:
            path.append(subtree(lo, split))
            lo = split
    path.reverse()
    return path


def _consistency_path(old_size: int, size: int,
                      subtree: Callable[[int, int], bytes]) -> list[bytes]:
    """RFC 9162 §2.1.4.1 (SUBPROOF) over a tree whose subtree hashes ``subtree`` gives."""
    if not 0 <= old_size <= size:
        raise ValueError(f"old size {old_size} is outside a tree of size {size}")
    if old_size in (0, size):
        return []
    proof: list[bytes] = []
    lo, hi = 0, size
    # ``whole`` says whether the subtree still being split starts the old tree, whose
    # root the verifier already has (then its hash is left out of the proof).
    whole = True
    m = old_size
    while m != hi - lo:
        split = _largest_power_of_two_below(hi - lo)
        if m <= split:
            proof.append(subtree(lo + split, hi))
            hi = lo + split
        else:
            proof.append(subtree(lo, lo + split))
            lo += split
            m -= split
            whole = False
    if not whole:
        proof.append(subtree(lo, hi))
    proof.reverse()
    return proof


def verify_inclusion(leaf_hash: bytes, index: int, tree_size: int,
                     proof: Sequence[bytes], root: bytes) -> bool:
    """True if ``proof`` shows ``leaf_hash`` at ``index`` of the tree ``(tree_size, root)``.

    RFC 9162 §2.1.3.2. Never raises: malformed input returns False.
    """
    if not (_is_size(index) and _is_size(tree_size) and index < tree_size):
        return False
    if not (_is_hash(leaf_hash) and _is_hash(root) and _is_proof(proof)):
        return False
    fn, sn = index, tree_size - 1
    result = bytes(leaf_hash)
    for sibling in proof:
        if sn == 0:
            return False  # the proof is longer than the leaf's path
        if fn & 1 or fn == sn:
            result = node_hash(sibling, result)
            # Past the right edge of the tree the path skips levels with no sibling.
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            result = node_hash(result, sibling)
        fn >>= 1
        sn >>= 1
    return sn == 0 and result == root


def verify_consistency(old_size: int, new_size: int, old_root: bytes, new_root: bytes,
                       proof: Sequence[bytes]) -> bool:
    """True if ``proof`` shows tree ``(new_size, new_root)`` extends ``(old_size, old_root)``.

    RFC 9162 §2.1.4.2, plus the trivial cases the RFC leaves out: equal sizes need
    equal roots and an empty proof; an old size of 0 needs the empty tree's root and
    an empty proof. Never raises: malformed input returns False.
    """
    if not (_is_size(old_size) and _is_size(new_size) and old_size <= new_size):
        return False
    if not (_is_hash(old_root) and _is_hash(new_root) and _is_proof(proof)):
        return False
    if old_size == new_size:
        return not proof and old_root == new_root
    if old_size == 0:
        return not proof and old_root == EMPTY_ROOT
    if not proof:
        return False
    path = list(proof)
    # An old tree of size 2^k is a subtree of the new one: its root starts the path.
    if old_size & (old_size - 1) == 0:
        path.insert(0, bytes(old_root))
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    first = second = path[0]
    for node in path[1:]:
        if sn == 0:
            return False  # the proof is longer than the two trees call for
        if fn & 1 or fn == sn:
            first = node_hash(node, first)
            second = node_hash(node, second)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            second = node_hash(second, node)
        fn >>= 1
        sn >>= 1
    return sn == 0 and first == old_root and second == new_root


class MerkleTree:
    """A log's whole tree: every complete node, so proofs cost O(log n) lookups.

    Level 0 holds the leaf hashes, level ``k`` the hash of every complete (perfect,
    aligned) subtree of ``2**k`` leaves, each level one contiguous ``bytearray`` of
    32-byte nodes. Every node of the RFC 9162 tree over any prefix of the log is
    either such a perfect subtree or lies on that prefix's right edge, and a
    right-edge node is the fold of at most log2(n) perfect ones. So a root, an
    inclusion proof or a consistency proof, for the current size or any earlier
    one, needs O(log n) node lookups, and hashes only along one right edge.

    Appending a leaf stores it and then every node it completes (one on average),
    so ``n`` appends cost ``n - 1`` node hashes in all. Memory: 32 bytes per leaf
    and as much again for the inner levels.
    """

    __slots__ = ("_levels",)

    def __init__(self, leaf_hashes: Iterable[bytes] = ()) -> None:
        self._levels: list[bytearray] = [bytearray()]
        self.extend(leaf_hashes)

    @property
    def size(self) -> int:
        """Number of leaves."""
        return len(self._levels[0]) // HASH_SIZE

    def append(self, leaf: bytes) -> None:
        """Add one leaf hash (hash the entry with ``leaf_hash`` first)."""
        _check_hash(leaf)
        levels = self._levels
        row = levels[0]
        row += leaf
        level = 0
        # The new node completes its parent when it is a right child (an even count).
        while not (len(row) // HASH_SIZE) & 1:
            parent = hashlib.sha256(_NODE_PREFIX + row[-2 * HASH_SIZE:]).digest()
            level += 1
            if level == len(levels):
                levels.append(bytearray())
            row = levels[level]
            row += parent

    def extend(self, leaf_hashes: Iterable[bytes]) -> None:
        """Append many leaf hashes; level by level, which is faster than ``append``."""
        added = bytearray()
        for leaf in leaf_hashes:
            _check_hash(leaf)
            added += leaf
        self.extend_packed(bytes(added))

    def extend_packed(self, packed: bytes) -> None:
        """Append leaf hashes given as one string of 32-byte hashes (as stored)."""
        if len(packed) % HASH_SIZE:
            raise ValueError(f"packed leaf hashes must be a multiple of {HASH_SIZE} bytes")
        if not packed:
            return
        levels = self._levels
        levels[0] += packed
        sha256, prefix, pair = hashlib.sha256, _NODE_PREFIX, 2 * HASH_SIZE
        level = 0
        while True:
            row = levels[level]
            if level + 1 == len(levels):
                levels.append(bytearray())
            above = levels[level + 1]
            start = len(above) // HASH_SIZE * pair  # first pair without a parent yet
            end = len(row) // pair * pair
            if start >= end:
                break
            above += b"".join([sha256(prefix + row[i:i + pair]).digest()
                               for i in range(start, end, pair)])
            level += 1
        while len(levels) > 1 and not levels[-1]:
            levels.pop()

    def leaf(self, index: int) -> bytes:
        """The hash of leaf ``index``."""
        if not 0 <= index < self.size:
            raise ValueError(f"leaf index {index} is outside a tree of size {self.size}")
        return self._node(0, index)

    def leaves(self) -> bytes:
        """Every leaf hash, packed (32 bytes each), in order."""
        return bytes(self._levels[0])

    def root(self, size: int | None = None) -> bytes:
        """The root of the first ``size`` leaves (default: all of them)."""
        return self._range(0, self._size_arg(size))

    def inclusion_proof(self, index: int, size: int | None = None) -> list[bytes]:
        """The audit path of leaf ``index`` in the tree of the first ``size`` leaves.

        Identical to ``inclusion_proof(leaf_hashes[:size], index)``.
        """
        return _inclusion_path(index, self._size_arg(size), self._range)

    def consistency_proof(self, old_size: int, size: int | None = None) -> list[bytes]:
        """The proof that the first ``old_size`` leaves are a prefix of the first ``size``.

        Identical to ``consistency_proof(leaf_hashes[:size], old_size)``.
        """
        return _consistency_path(old_size, self._size_arg(size), self._range)

    def _size_arg(self, size: int | None) -> int:
        if size is None:
            return self.size
        if not 0 <= size <= self.size:
            raise ValueError(f"tree size {size} is outside 0..{self.size}")
        return size

    def _node(self, level: int, index: int) -> bytes:
        start = index * HASH_SIZE
        return bytes(self._levels[level][start:start + HASH_SIZE])

    def _range(self, lo: int, hi: int) -> bytes:
        """RFC 9162 hash of leaves ``[lo, hi)``, a node of some prefix's tree.

        Such a node starts at a multiple of the smallest power of two not below its
        width, so it splits into perfect, aligned subtrees by the set bits of the
        width, largest first; those are stored, and fold right to left.
        """
        width = hi - lo
        if width <= 0:
            return EMPTY_ROOT
        parts = []
        for level in range(width.bit_length() - 1, -1, -1):
            if width >> level & 1:
                parts.append(self._node(level, lo >> level))
                lo += 1 << level
        result = parts[-1]
        for left in reversed(parts[:-1]):
            result = node_hash(left, result)
        return result


def _subtree(leaf_hashes: Sequence[bytes], lo: int, hi: int) -> bytes:
    """RFC 9162 hash of ``leaf_hashes[lo:hi]``, folded left to right without recursion."""
    compact = CompactRange()
    for i in range(lo, hi):
        compact.append(leaf_hashes[i])
    return compact.root()


def _largest_power_of_two_below(n: int) -> int:
    """The largest power of two strictly less than ``n`` (n >= 2): the RFC's split point."""
    return 1 << ((n - 1).bit_length() - 1)


def _check_hash(value: bytes) -> None:
    if not _is_hash(value):
        raise ValueError(f"a tree hash is {HASH_SIZE} bytes, got {value!r:.40}")


def _is_hash(value: object) -> bool:
    return isinstance(value, bytes | bytearray) and len(value) == HASH_SIZE


def _is_size(value: object) -> bool:
    # bool is an int subclass; True is not a tree size.
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _is_proof(proof: object) -> bool:
    return (isinstance(proof, Sequence) and not isinstance(proof, bytes | bytearray | str)
            and all(_is_hash(node) for node in proof))
