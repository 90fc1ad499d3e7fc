"""Quaternary Poseidon Merkle trees, the Python twin of ``circuits/lib/merkle4.circom``.

A tree of ``levels`` levels holds ``4**levels`` leaves; empty leaves are 0.  A node is
``poseidon([c0, c1, c2, c3])`` of its four children.  A leaf's path lists, per level from the
leaf up, the three siblings in slot order (the node's own slot removed); the slot at level ``i``
is digit ``i`` of the leaf index in base 4.
"""

from __future__ import annotations

from collections.abc import Sequence

from engine.fixedpoint import FIELD_ORDER
from engine.poseidon import poseidon

ARITY = 4


class MerkleError(ValueError):
    """A bad leaf count, index or path."""


class QuadMerkleTree:
    """A quaternary Poseidon tree over ``leaves`` (padded with zeros to ``4**levels``)."""

    def __init__(self, leaves: Sequence[int], levels: int) -> None:
        if levels < 1:
            raise MerkleError(f"levels must be >= 1, got {levels}")
        capacity = ARITY**levels
        if len(leaves) > capacity:
            raise MerkleError(f"{len(leaves)} leaves do not fit a tree of {levels} levels ({capacity} leaves)")
        for i, leaf in enumerate(leaves):
            if not 0 <= leaf < FIELD_ORDER:
                raise MerkleError(f"leaf {i} is not a field element")
        self.levels = levels
        zero = 0
        self._layers: list[list[int]] = [list(leaves)]
        self._zeros: list[int] = [zero]
        for _ in range(levels):
            below = self._layers[-1]
            zb = self._zeros[-1]
            width = (len(below) + ARITY - 1) // ARITY
            padded = below + [zb] * (width * ARITY - len(below))
            self._layers.append([poseidon(padded[ARITY * j: ARITY * j + ARITY]) for j in range(width)])
            self._zeros.append(poseidon([zb] * ARITY))
        self.root = self._layers[-1][0] if self._layers[-1] else self._zeros[-1]

    def _node(self, level: int, index: int) -> int:
        layer = self._layers[level]
        return layer[index] if index < len(layer) else self._zeros[level]

    def path(self, index: int) -> list[list[int]]:
        """Siblings of leaf ``index``: ``levels`` lists of 3 field elements."""
        if not 0 <= index < ARITY**self.levels:
            raise MerkleError(f"index {index} is outside the tree (0..{ARITY**self.levels - 1})")
        out = []
        for level in range(self.levels):
            slot = index % ARITY
            first = index - slot
            out.append([self._node(level, first + j) for j in range(ARITY) if j != slot])
            index //= ARITY
        return out


def root_from_path(leaf: int, index: int, siblings: Sequence[Sequence[int]]) -> int:
    """The root that ``leaf`` at ``index`` with path ``siblings`` leads to."""
    node = leaf
    for level in siblings:
        if len(level) != ARITY - 1:
            raise MerkleError("each level of a path has 3 siblings")
        slot = index % ARITY
        children = [*level[:slot], node, *level[slot:]]
        node = poseidon(children)
        index //= ARITY
    if index:
        raise MerkleError("index does not fit the path length")
    return node
