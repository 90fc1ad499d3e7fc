"""Binary Poseidon Merkle trees, the Python twin of ``MerkleInclusion(D)`` in ``circuits/lib/merkle.circom``.

A tree of depth ``D`` has ``2**D`` leaf slots; unused slots hold the leaf 0.
A node is ``poseidon([left, right])``.  Bit ``i`` of a leaf's index (``i = 0``
at the leaf level) is 0 when the running node is the LEFT child at level
``i`` and 1 when it is the RIGHT child; ``path(index)[i]`` is the sibling at
level ``i``.

Only the nodes above real leaves are hashed: a subtree made only of padding
has the precomputed hash ``zero_hashes[h]`` for its height ``h``, so a deep
tree with few leaves is cheap.
"""

from __future__ import annotations

import operator
from collections.abc import Sequence
from typing import Final

from engine.fixedpoint import FIELD_ORDER
from engine.poseidon import poseidon

#: Deepest tree accepted (the circuit's index range check is Num2Bits(D), D <= 252).
MAX_DEPTH: Final = 252


class MerkleError(ValueError):
    """A Merkle tree or path argument is outside what the circuit accepts."""


def _check_depth(depth: int) -> None:
    if not 1 <= depth <= MAX_DEPTH:
        raise MerkleError(f"depth={depth} is outside 1..{MAX_DEPTH} (the circuit's MerkleInclusion(D) bounds)")


def _as_int(name: str, value: int) -> int:
    """``value`` as a plain int (numpy integers welcome); bools and floats are rejected."""
    if isinstance(value, bool):
        raise TypeError(f"{name} is bool, expected an integer")
    try:
        return operator.index(value)
    except TypeError:
        raise TypeError(f"{name} is {type(value).__name__}, expected an integer") from None


def _check_field(name: str, value: int) -> int:
    value = _as_int(name, value)
    if not 0 <= value < FIELD_ORDER:
        raise MerkleError(f"{name}={value} is not a field element: expected 0 <= x < r")
    return value


def _check_index(index: int, depth: int) -> int:
    index = _as_int("index", index)
    if not 0 <= index < (1 << depth):
        raise MerkleError(f"index={index} is outside [0, 2^{depth}) for a tree of depth {depth}")
    return index


def hash_pair(left: int, right: int) -> int:
    """Node hash: ``Poseidon(2)(left, right)``."""
    return poseidon([left, right])


def zero_hashes(depth: int) -> list[int]:
    """``zero_hashes(depth)[h]`` is the root of an all-zero subtree of height ``h`` (``h = 0..depth``)."""
    hashes = [0]
    for _ in range(depth):
        hashes.append(hash_pair(hashes[-1], hashes[-1]))
    return hashes


class MerkleTree:
    """A depth-``depth`` Poseidon Merkle tree over ``leaves``, padded with 0 leaves.

    Parameters
    ----------
    leaves : sequence of int
        Field elements (``0 <= x < r``), at most ``2**depth`` of them; leaf ``i`` sits at index ``i``.
    depth : int
        Number of levels above the leaves, ``1 <= depth <= 252``.

    Raises
    ------
    MerkleError
        Too many leaves, a bad depth, or a leaf outside the field.
    """

    def __init__(self, leaves: Sequence[int], depth: int) -> None:
        _check_depth(depth)
        if len(leaves) > (1 << depth):
            raise MerkleError(
                f"{len(leaves)} leaves do not fit a tree of depth {depth} (at most 2^{depth} = {1 << depth})"
            )
        self.depth: Final = depth
        self.leaves: Final = tuple(_check_field(f"leaves[{i}]", leaf) for i, leaf in enumerate(leaves))
        self._zero = zero_hashes(depth)
        # levels[h] holds the nodes at height h that have at least one real leaf below them
        levels: list[list[int]] = [list(self.leaves)]
        for height in range(depth):
            below = levels[-1]
            if len(below) % 2:
                below = [*below, self._zero[height]]
            levels.append([hash_pair(below[i], below[i + 1]) for i in range(0, len(below), 2)])
        self._levels = levels

    @property
    def root(self) -> int:
        """The Merkle root (the all-zero root for an empty tree)."""
        top = self._levels[self.depth]
        return top[0] if top else self._zero[self.depth]

    def node(self, height: int, position: int) -> int:
        """Node at ``height`` (0 = leaves) and ``position`` within that level."""
        level = self._levels[height]
        return level[position] if position < len(level) else self._zero[height]

    def path(self, index: int) -> list[int]:
        """Siblings of leaf ``index`` from the leaf level up: the ``siblings[D]`` input of ``MerkleInclusion(D)``."""
        index = _check_index(index, self.depth)
        return [self.node(height, (index >> height) ^ 1) for height in range(self.depth)]

    def leaf(self, index: int) -> int:
        """Leaf at ``index`` (0 for a padding slot)."""
        index = _check_index(index, self.depth)
        return self.leaves[index] if index < len(self.leaves) else 0


def merkle_root_from_path(leaf: int, index: int, siblings: Sequence[int]) -> int:
    """Root reached from ``leaf`` at ``index`` with ``siblings`` (leaf level first), as ``MerkleInclusion`` does.

    Raises
    ------
    MerkleError
        If ``index`` is outside ``[0, 2**len(siblings))`` (the circuit has no witness then) or a value is
        not a field element.
    """
    depth = len(siblings)
    _check_depth(depth)
    index = _check_index(index, depth)
    node = _check_field("leaf", leaf)
    for level, sibling in enumerate(siblings):
        sibling = _check_field(f"siblings[{level}]", sibling)
        node = hash_pair(sibling, node) if (index >> level) & 1 else hash_pair(node, sibling)
    return node
