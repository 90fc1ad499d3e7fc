"""Quaternary Poseidon Merkle trees, the Python twin of ``QuadMerkleInclusion(L)`` in ``circuits/lib/merkle4.circom``.

A tree of ``levels`` levels has ``4**levels`` leaf slots; unused slots hold the leaf 0.  A node
is ``poseidon([c0, c1, c2, c3])`` of its four children.  Digit ``i`` of a leaf's index in base 4
(``i = 0`` at the leaf level) is the slot of the running node among its parent's four children;
``path(index)[i]`` lists the three other children at level ``i`` in slot order (the node's own
slot removed).

Only the nodes above real leaves are hashed: a subtree made only of padding has the precomputed
hash ``zero_roots(levels)[h]`` for its height ``h``, so a deep tree with few leaves is cheap.
"""

from __future__ import annotations

import operator
from collections.abc import Sequence
from typing import Final

from zkmargin.constants import FIELD_ORDER
from zkmargin.statement.poseidon import poseidon

#: Children per node.
ARITY: Final = 4
#: Deepest tree accepted: the circuit range-checks the index with Num2Bits(2L), unique only for 2L <= 252.
MAX_LEVELS: Final = 126


class MerkleError(ValueError):
    """A Merkle tree or path argument is outside what the circuit accepts."""


def _check_levels(levels: int) -> int:
    levels = _as_int("levels", levels)
    if not 1 <= levels <= MAX_LEVELS:
        raise MerkleError(f"levels={levels} is outside 1..{MAX_LEVELS} (the circuit's QuadMerkleInclusion(L) bounds)")
    return levels


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


def _check_index(index: int, levels: int) -> int:
    index = _as_int("index", index)
    if not 0 <= index < ARITY**levels:
        raise MerkleError(f"index={index} is outside [0, 4^{levels}) for a tree of {levels} levels")
    return index


def hash_children(children: Sequence[int]) -> int:
    """Node hash: ``Poseidon(4)(children[0..3])``."""
    if len(children) != ARITY:
        raise MerkleError(f"a node has {ARITY} children, got {len(children)}")
    return poseidon(children)


def zero_roots(levels: int) -> list[int]:
    """``zero_roots(levels)[h]`` is the root of an all-zero subtree of height ``h`` (``h = 0..levels``)."""
    roots = [0]
    for _ in range(levels):
        roots.append(hash_children([roots[-1]] * ARITY))
    return roots


class QuadMerkleTree:
    """A quaternary Poseidon Merkle tree of ``levels`` levels over ``leaves``, padded with 0 leaves.

    Parameters
    ----------
    leaves : sequence of int
        Field elements (``0 <= x < r``), at most ``4**levels`` of them; leaf ``i`` sits at index ``i``.
    levels : int
        Number of levels above the leaves, ``1 <= levels <= 126``.

    Raises
    ------
    MerkleError
        Too many leaves, a bad level count, or a leaf outside the field.
    """

    def __init__(self, leaves: Sequence[int], levels: int) -> None:
        levels = _check_levels(levels)
        capacity = ARITY**levels
        if len(leaves) > capacity:
            raise MerkleError(f"{len(leaves)} leaves do not fit a tree of {levels} levels (at most 4^{levels} = "
                              f"{capacity})")
        self.levels: Final = levels
        self.leaves: Final = tuple(_check_field(f"leaves[{i}]", leaf) for i, leaf in enumerate(leaves))
        self._zero = zero_roots(levels)
        # layers[h] holds the nodes at height h that have at least one real leaf below them
        layers: list[list[int]] = [list(self.leaves)]
        for height in range(levels):
            below = layers[-1]
            below = below + [self._zero[height]] * (-len(below) % ARITY)
            layers.append([hash_children(below[j:j + ARITY]) for j in range(0, len(below), ARITY)])
        self._layers = layers

    @property
    def root(self) -> int:
        """The Merkle root (the all-zero root for an empty tree)."""
        top = self._layers[self.levels]
        return top[0] if top else self._zero[self.levels]

    def node(self, height: int, position: int) -> int:
        """Node at ``height`` (0 = leaves) and ``position`` within that level."""
        layer = self._layers[height]
        return layer[position] if position < len(layer) else self._zero[height]

    def leaf(self, index: int) -> int:
        """Leaf at ``index`` (0 for a padding slot)."""
        index = _check_index(index, self.levels)
        return self.leaves[index] if index < len(self.leaves) else 0

    def path(self, index: int) -> list[list[int]]:
        """Siblings of leaf ``index``, leaf level first: the ``siblings[L][3]`` input of ``QuadMerkleInclusion(L)``."""
        index = _check_index(index, self.levels)
        out = []
        for height in range(self.levels):
            slot = index % ARITY
            first = index - slot
            out.append([self.node(height, first + j) for j in range(ARITY) if j != slot])
            index //= ARITY
        return out


def root_from_path(leaf: int, index: int, siblings: Sequence[Sequence[int]]) -> int:
    """Root reached from ``leaf`` at ``index`` with ``siblings`` (leaf level first), as ``QuadMerkleInclusion`` does.

    Parameters
    ----------
    leaf : int
        Field element.
    index : int
        Position of the leaf, ``0 <= index < 4**len(siblings)``.
    siblings : sequence of sequences of int
        ``L`` levels of 3 field elements each, in slot order with the running node's slot removed.

    Raises
    ------
    MerkleError
        If a level does not have 3 siblings, ``index`` is outside ``[0, 4**L)`` (the circuit has no
        witness then) or a value is not a field element.
    """
    levels = _check_levels(len(siblings))
    index = _check_index(index, levels)
    node = _check_field("leaf", leaf)
    for height, level in enumerate(siblings):
        if len(level) != ARITY - 1:
            raise MerkleError(f"siblings[{height}] has {len(level)} elements; each level of a path has {ARITY - 1}")
        values = [_check_field(f"siblings[{height}][{j}]", sibling) for j, sibling in enumerate(level)]
        slot = index % ARITY
        node = hash_children([*values[:slot], node, *values[slot:]])
        index //= ARITY
    return node
