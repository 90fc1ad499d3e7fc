"""QuadMerkleInclusion(L) and PlaceChild (circuits/lib/merkle4.circom) against statement.merkle4.

tests/circuits/merkle4_test.circom computes, per witness, 16 two-level roots (one witness covers
every index of a tree), one one-level root, one checked three-level path whose root must equal
the input ``expectedRoot`` (as the account circuit checks each path against ``instruments_root``;
the must-fail cases tamper with it) and 8 PlaceChild with their bits as inputs.

Tampering is tested twice: exhaustively in batches, where a tampered path must reach a root
other than the committed one (exactly what the root check rejects), and one witness per case
through the checked path, which must have no witness at all.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from functools import cache
from pathlib import Path
from typing import NamedTuple

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zkmargin.constants import FIELD_ORDER as R
from zkmargin.statement.merkle4 import (
    MAX_LEVELS,
    MerkleError,
    QuadMerkleTree,
    hash_children,
    root_from_path,
    zero_roots,
)
from zkmargin.statement.poseidon import N_ROUNDS_P
from zkmargin.toolchain.compile import CompiledCircuit, compile_circuit
from zkmargin.toolchain.witness import WitnessError, calculate_witness, read_array, read_signals

MAIN = Path(__file__).parent / "circuits" / "merkle4_test.circom"
B, L, P = 16, 2, 8   # batched paths, their levels, PlaceChild instances
LC = L + 1           # levels of the checked path

Siblings = list[list[int]]


class OpenPath(NamedTuple):
    """The inputs of one QuadMerkleInclusion: ``leaf`` at ``leaf_index`` with ``siblings[level][3]``."""

    leaf: int
    leaf_index: int
    siblings: Siblings


class Place(NamedTuple):
    """The inputs of one PlaceChild."""

    node: int
    bits: tuple[int, int]
    siblings: list[int]


class Outputs(NamedTuple):
    roots: list[int]
    shallow_root: int
    placed: list[list[int]]


field_elements = st.one_of(st.integers(0, R - 1), st.sampled_from([0, 1, R - 1]))


def siblings_of(levels: int) -> st.SearchStrategy[Siblings]:
    return st.lists(st.lists(field_elements, min_size=3, max_size=3), min_size=levels, max_size=levels)


def open_paths(levels: int) -> st.SearchStrategy[OpenPath]:
    return st.builds(OpenPath, field_elements, st.integers(0, 4**levels - 1), siblings_of(levels))


def digits(index: int, levels: int) -> list[int]:
    """Base-4 digits of ``index``, leaf level first."""
    return [(index >> (2 * level)) & 3 for level in range(levels)]


def from_digits(ds: Sequence[int]) -> int:
    return sum(d << (2 * level) for level, d in enumerate(ds))


def copy(siblings: Siblings) -> Siblings:
    return [list(level) for level in siblings]


def reference_root(leaves: Sequence[int], levels: int) -> int:
    """Slow, obviously correct root: pad to 4^levels zero leaves and hash every node."""
    layer = [*leaves, *[0] * (4**levels - len(leaves))]
    while len(layer) > 1:
        layer = [hash_children(layer[j:j + 4]) for j in range(0, len(layer), 4)]
    return layer[0]


# ----------------------------------------------------------------------------- running the test main

@pytest.fixture(scope="module")
def circuit() -> CompiledCircuit:
    return compile_circuit(MAIN)


@pytest.fixture(scope="module")
def tree() -> QuadMerkleTree:
    """Two levels: 13 of 16 slots filled (including r - 1 and 0), the rest padding."""
    rng = random.Random(4)
    return QuadMerkleTree([rng.randrange(R) for _ in range(11)] + [R - 1, 0], L)


@pytest.fixture(scope="module")
def deep_tree() -> QuadMerkleTree:
    """Three levels (the checked path): 37 of 64 slots filled, so the top level has padding subtrees."""
    rng = random.Random(5)
    return QuadMerkleTree([rng.randrange(R) for _ in range(35)] + [R - 1, 1], LC)


@cache
def zero_checked() -> tuple[OpenPath, int]:
    """A valid filler for the checked path: leaf 0 at index 0 with all siblings 0, and its root."""
    path = OpenPath(0, 0, [[0, 0, 0]] * LC)
    return path, root_from_path(*path)


def run(circuit: CompiledCircuit, paths: Sequence[OpenPath] = (), checked: tuple[OpenPath, int] | None = None,
        shallow: OpenPath | None = None, places: Sequence[Place] = ()) -> Outputs:
    """Evaluate the test main; ``checked`` is (path, expected root); unused slots get valid fillers."""
    shallow = shallow or OpenPath(0, 0, [[0, 0, 0]])
    assert len(paths) <= B and len(places) <= P
    paths = [*paths, *[OpenPath(0, 0, [[0, 0, 0]] * L)] * (B - len(paths))]
    places = [*places, *[Place(0, (0, 0), [0, 0, 0])] * (P - len(places))]
    path, expected_root = checked or zero_checked()
    witness = calculate_witness(circuit, {
        "leaf": [p.leaf for p in paths], "index": [p.leaf_index for p in paths],
        "siblings": [p.siblings for p in paths],
        "shallowLeaf": shallow.leaf, "shallowIndex": shallow.leaf_index, "shallowSiblings": shallow.siblings,
        "checkedLeaf": path.leaf, "checkedIndex": path.leaf_index, "checkedSiblings": path.siblings,
        "expectedRoot": expected_root,
        "placeNode": [p.node for p in places], "placeBits": [list(p.bits) for p in places],
        "placeSiblings": [p.siblings for p in places],
    })
    placed = read_array(circuit, witness, "placed")
    return Outputs(read_array(circuit, witness, "root"), read_signals(circuit, witness, ["shallowRoot"])["shallowRoot"],
                   [placed[4 * k:4 * k + 4] for k in range(P)])


def batch_roots(circuit: CompiledCircuit, paths: Sequence[OpenPath]) -> list[int]:
    """Roots of any number of two-level paths, B per witness."""
    chunks = [paths[first:first + B] for first in range(0, len(paths), B)]
    return [root for chunk in chunks for root in run(circuit, chunk).roots[:len(chunk)]]


def honest(tree: QuadMerkleTree, index: int) -> OpenPath:
    return OpenPath(tree.leaf(index), index, tree.path(index))


def assert_root_check_fails(circuit: CompiledCircuit, path: OpenPath, expected_root: int) -> None:
    """The checked path has no witness, and what fails is the root comparison (not a range check)."""
    with pytest.raises(WitnessError) as info:
        run(circuit, checked=(path, expected_root))
    assert info.value.assert_failed
    assert info.value.tool_message.splitlines()[1].startswith("Error in template QuadMerkleTest_")


# ----------------------------------------------------------------------------- circuit == Python

@pytest.mark.slow
def test_every_index_of_a_tree(circuit: CompiledCircuit, tree: QuadMerkleTree) -> None:
    for leaves in (list(tree.leaves), [R - 1] * 16):
        full = QuadMerkleTree(leaves, L)
        out = run(circuit, [honest(full, i) for i in range(4**L)],
                  shallow=OpenPath(7, 2, [[9, 8, 6]]))  # slot 2 of [9, 8, 7, 6]
        assert out.roots == [full.root] * B
        assert out.shallow_root == QuadMerkleTree([9, 8, 7, 6], 1).root == hash_children([9, 8, 7, 6])


@pytest.mark.slow
@settings(derandomize=True, max_examples=4, deadline=None)
@given(data=st.data())
def test_random_trees(circuit: CompiledCircuit, data: st.DataObject) -> None:
    leaves = data.draw(st.lists(field_elements, max_size=4**L))
    small = QuadMerkleTree(leaves, L)
    deep = QuadMerkleTree(data.draw(st.lists(field_elements, max_size=4**LC)), LC)
    index = data.draw(st.integers(0, 4**LC - 1))
    out = run(circuit, [honest(small, i) for i in range(4**L)], checked=(honest(deep, index), deep.root))
    assert out.roots == [small.root] * B


@pytest.mark.slow
@settings(derandomize=True, max_examples=6, deadline=None)
@given(paths=st.lists(open_paths(L), min_size=B, max_size=B), shallow=open_paths(1), checked=open_paths(LC))
def test_arbitrary_paths(circuit: CompiledCircuit, paths: list[OpenPath], shallow: OpenPath,
                         checked: OpenPath) -> None:
    out = run(circuit, paths, checked=(checked, root_from_path(*checked)), shallow=shallow)
    assert out.roots == [root_from_path(*p) for p in paths]
    assert out.shallow_root == root_from_path(*shallow)


@pytest.mark.slow
def test_place_child_puts_the_node_at_its_digit(circuit: CompiledCircuit) -> None:
    """bits are little-endian: digit = bits[0] + 2 bits[1]; children = siblings[..digit), node, siblings[digit..)."""
    places = [Place(node, (d & 1, d >> 1), siblings)
              for node, siblings in ((10, [11, 12, 13]), (R - 1, [0, R - 2, 1]))
              for d in range(4)]
    out = run(circuit, places=places)
    for place, children in zip(places, out.placed, strict=True):
        d = place.bits[0] + 2 * place.bits[1]
        assert children == [*place.siblings[:d], place.node, *place.siblings[d:]]


@pytest.mark.slow
@pytest.mark.parametrize("bits", [(2, 0), (0, 2), (R - 1, 0), (1, R - 1)])
def test_place_child_needs_boolean_bits(circuit: CompiledCircuit, bits: tuple[int, int]) -> None:
    """With non-boolean bits PlaceChild still has a witness but no longer permutes: the precondition is
    real, and QuadMerkleInclusion meets it with Num2Bits."""
    node, siblings = 10, [11, 12, 13]
    children = run(circuit, places=[Place(node, bits, siblings)]).placed[0]
    assert sorted(children) != sorted([node, *siblings])


# ----------------------------------------------------------------------------- tampering, batched

def one_sibling_changed(tree: QuadMerkleTree) -> list[OpenPath]:
    """Every index, every level, every sibling position: that sibling + 1."""
    out = []
    for index in range(4**L):
        for level in range(L):
            for j in range(3):
                path = honest(tree, index)
                path.siblings[level][j] = (path.siblings[level][j] + 1) % R
                out.append(path)
    return out


def two_siblings_swapped(tree: QuadMerkleTree) -> list[OpenPath]:
    """Every index, every level, every pair of distinct siblings swapped."""
    out = []
    for index in range(4**L):
        for level in range(L):
            for a, b in ((0, 1), (0, 2), (1, 2)):
                path = honest(tree, index)
                row = path.siblings[level]
                if row[a] != row[b]:
                    row[a], row[b] = row[b], row[a]
                    out.append(path)
    return out


@pytest.mark.slow
@pytest.mark.parametrize("tampering", [one_sibling_changed, two_siblings_swapped])
def test_every_tampered_sibling_moves_the_root(circuit: CompiledCircuit, tree: QuadMerkleTree,
                                              tampering: Callable[[QuadMerkleTree], list[OpenPath]]) -> None:
    """Covers the node at slot digit 0..3 at each level: each index of the tree is tried."""
    paths = tampering(tree)
    assert len(paths) >= 4**L * L  # swaps of equal padding siblings are skipped, never all of them
    roots = batch_roots(circuit, paths)
    assert roots == [root_from_path(*p) for p in paths]
    assert tree.root not in roots


@pytest.mark.slow
@pytest.mark.parametrize("index", [0, 6, 9, 4**L - 1])
def test_a_leaf_reaches_the_root_at_one_index_only(circuit: CompiledCircuit, index: int) -> None:
    """The leaf at ``index`` with its path, claimed at each of the 4^L indices of the tree: only its own
    index reaches the root (index aliases >= 4^L have no witness: test_index_beyond_the_tree_is_rejected).

    The leaves are distinct: a leaf equal to its siblings (padding 0s) does sit at each of their slots.
    """
    rng = random.Random(6)
    tree = QuadMerkleTree([rng.randrange(R) for _ in range(4**L - 1)] + [R - 1], L)
    leaf, _, siblings = honest(tree, index)
    roots = run(circuit, [OpenPath(leaf, claimed, siblings) for claimed in range(4**L)]).roots
    assert [claimed for claimed, root in enumerate(roots) if root == tree.root] == [index]


# ----------------------------------------------------------------------------- tampering the checked path

@pytest.mark.slow
@pytest.mark.parametrize("index", [0, 21, 42, 4**LC - 1, from_digits([3, 2, 1]), 36])
def test_honest_path_is_accepted(circuit: CompiledCircuit, deep_tree: QuadMerkleTree, index: int) -> None:
    """Each digit 0..3 at each level (0, 21, 42, 63 repeat one digit), the last index and padding slots."""
    run(circuit, checked=(honest(deep_tree, index), deep_tree.root))


@pytest.mark.slow
@pytest.mark.parametrize("digit", range(4))
@pytest.mark.parametrize("level", range(LC))
def test_wrong_sibling_is_rejected(circuit: CompiledCircuit, deep_tree: QuadMerkleTree, level: int,
                                   digit: int) -> None:
    """The node at slot ``digit`` of ``level``; the sibling changed cycles through positions 0..2."""
    index = from_digits([digit] * LC)
    path = honest(deep_tree, index)
    j = (level + digit) % 3
    path.siblings[level][j] = (path.siblings[level][j] + 1) % R
    assert_root_check_fails(circuit, path, deep_tree.root)


@pytest.mark.slow
@pytest.mark.parametrize("level", range(LC))
def test_wrong_index_is_rejected(circuit: CompiledCircuit, deep_tree: QuadMerkleTree, level: int) -> None:
    """One digit of the index with base-4 digits [2, 1, 1] (leaf level first) changed at each level.

    A real leaf whose siblings all differ: a padding 0 among padding siblings does sit at each of their slots.
    """
    index = from_digits([2, 1, 1])
    wrong = digits(index, LC)
    wrong[level] = (wrong[level] + 1) % 4
    leaf, _, siblings = honest(deep_tree, index)
    assert_root_check_fails(circuit, OpenPath(leaf, from_digits(wrong), siblings), deep_tree.root)


@pytest.mark.slow
@pytest.mark.parametrize("change", ["leaf + 1", "leaf r - 1", "root + 1", "leaf <-> sibling", "siblings swapped",
                                    "levels swapped"])
def test_wrong_leaf_or_root_or_swap_is_rejected(circuit: CompiledCircuit, deep_tree: QuadMerkleTree,
                                                change: str) -> None:
    leaf, index, siblings = honest(deep_tree, from_digits([1, 3, 0]))
    root = deep_tree.root
    siblings = copy(siblings)
    if change == "leaf + 1":
        leaf = (leaf + 1) % R
    elif change == "leaf r - 1":
        leaf = R - 1
    elif change == "root + 1":
        root = (root + 1) % R
    elif change == "leaf <-> sibling":  # present a sibling as the leaf and vice versa
        leaf, siblings[0][0] = siblings[0][0], leaf
    elif change == "siblings swapped":
        siblings[1][0], siblings[1][2] = siblings[1][2], siblings[1][0]
    else:
        siblings[0], siblings[1] = siblings[1], siblings[0]
    assert_root_check_fails(circuit, OpenPath(leaf, index, siblings), root)


@pytest.mark.slow
@pytest.mark.parametrize("offset", [4**LC, 2 * 4**LC, 3 * 4**LC, R - 4**LC, 2**200])
def test_index_beyond_the_tree_is_rejected(circuit: CompiledCircuit, deep_tree: QuadMerkleTree, offset: int) -> None:
    """index and index + k 4^L share their 2L low bits; without Num2Bits(2L) both would open the same leaf."""
    leaf, index, siblings = honest(deep_tree, 27)
    with pytest.raises(WitnessError, match="Num2Bits") as info:
        run(circuit, checked=(OpenPath(leaf, (index + offset) % R, siblings), deep_tree.root))
    assert "QuadMerkleInclusion" in info.value.tool_message


@pytest.mark.slow
@pytest.mark.parametrize("where", ["batch", "shallow"])
@pytest.mark.parametrize("index", ["4^L", "r - 1", "2 * 4^L - 1"])
def test_index_out_of_range_has_no_witness(circuit: CompiledCircuit, where: str, index: str) -> None:
    """4^L - 1 is the last index (accepted above); 4^L, r - 1 (= -1) and 2 * 4^L - 1 have no witness."""
    levels = L if where == "batch" else 1
    value = {"4^L": 4**levels, "r - 1": R - 1, "2 * 4^L - 1": 2 * 4**levels - 1}[index]
    path = OpenPath(0, value, [[0, 0, 0]] * levels)
    with pytest.raises(WitnessError, match="Num2Bits") as info:
        if where == "batch":
            run(circuit, [path])
        else:
            run(circuit, shallow=path)
    assert "QuadMerkleInclusion" in info.value.tool_message


@pytest.mark.slow
def test_last_index_is_accepted_at_every_depth(circuit: CompiledCircuit) -> None:
    shallow = OpenPath(5, 3, [[1, 2, 3]])
    paths = [OpenPath(5, 4**L - 1, [[1, 2, 3]] * L)]
    out = run(circuit, paths, checked=(OpenPath(5, 4**LC - 1, [[1, 2, 3]] * LC),
                                        root_from_path(5, 4**LC - 1, [[1, 2, 3]] * LC)), shallow=shallow)
    assert out.roots[0] == root_from_path(*paths[0])
    assert out.shallow_root == hash_children([1, 2, 3, 5])


# ----------------------------------------------------------------------------- constraint cost

def poseidon_cost(m: int) -> int:
    """circomlib Poseidon(m): 3 per S-box, (m + 1) * 8 full + N_ROUNDS_P partial, minus the constant first S-box."""
    return 3 * (8 * (m + 1) + N_ROUNDS_P[m - 1]) - 3


PLACE_CHILD_COST = 11                                   # 1 (bits[0] * bits[1]) + 4 (eq * node) + 6 (selects)
LEVEL_COST = 2 + PLACE_CHILD_COST + poseidon_cost(4)    # 2 index bits + PlaceChild + Poseidon(4) = 310


def inclusion_cost(levels: int) -> int:
    return levels * LEVEL_COST


@pytest.mark.slow
def test_constraint_cost(circuit: CompiledCircuit) -> None:
    """QuadMerkleInclusion(L) costs 310 L (circuits/lib/merkle4.circom's header); PlaceChild 11."""
    assert LEVEL_COST == 310
    assert circuit.n_constraints == (B * inclusion_cost(L) + inclusion_cost(1) + inclusion_cost(LC)
                                     + P * PLACE_CHILD_COST)


# ----------------------------------------------------------------------------- Python twin

def test_padding_is_zero_subtrees() -> None:
    z = zero_roots(3)
    assert z[0] == 0 and z[1] == hash_children([0] * 4) and z[2] == hash_children([z[1]] * 4)
    assert QuadMerkleTree([5, 6, 7], 2).root == QuadMerkleTree([5, 6, 7, *[0] * 13], 2).root
    assert QuadMerkleTree([], 3).root == QuadMerkleTree([0], 3).root == z[3]
    sparse = QuadMerkleTree([1, 2, 3], 3)
    assert sparse.path(63) == [[0, 0, 0], [z[1]] * 3, [sparse.node(2, 0), z[2], z[2]]]
    assert sparse.leaf(63) == 0 and sparse.leaf(2) == 3


def test_small_tree_by_hand() -> None:
    tree = QuadMerkleTree([1, 2, 3, 4, 5], 2)
    a, b, z = hash_children([1, 2, 3, 4]), hash_children([5, 0, 0, 0]), hash_children([0, 0, 0, 0])
    assert tree.root == hash_children([a, b, z, z])
    assert tree.path(0) == [[2, 3, 4], [b, z, z]]
    assert tree.path(2) == [[1, 2, 4], [b, z, z]]
    assert tree.path(4) == [[0, 0, 0], [a, z, z]]
    assert tree.path(15) == [[0, 0, 0], [a, b, z]]
    assert root_from_path(5, 4, tree.path(4)) == root_from_path(0, 15, tree.path(15)) == tree.root


@settings(derandomize=True, max_examples=25, deadline=None)
@given(data=st.data())
def test_sparse_tree_matches_the_padded_reference(data: st.DataObject) -> None:
    levels = data.draw(st.integers(1, 3))
    leaves = data.draw(st.lists(field_elements, max_size=4**levels))
    tree = QuadMerkleTree(leaves, levels)
    assert tree.root == reference_root(leaves, levels)
    index = data.draw(st.integers(0, 4**levels - 1))
    assert root_from_path(tree.leaf(index), index, tree.path(index)) == tree.root


def test_paths_lead_to_the_root_in_a_deep_sparse_tree() -> None:
    leaves = [11, 22, 33, R - 1, 0, 7]
    tree = QuadMerkleTree(leaves, 16)
    for index in (0, 1, 3, 4, 5, 6, 4**15, 4**16 - 1):
        assert root_from_path(tree.leaf(index), index, tree.path(index)) == tree.root


def test_errors() -> None:
    with pytest.raises(MerkleError, match="do not fit"):
        QuadMerkleTree(list(range(17)), 2)
    QuadMerkleTree(list(range(16)), 2)  # exactly full
    for levels in (0, MAX_LEVELS + 1):
        with pytest.raises(MerkleError, match="levels"):
            QuadMerkleTree([1], levels)
    for bad in (R, -1):
        with pytest.raises(MerkleError, match=r"leaves\[1\].*field element"):
            QuadMerkleTree([0, bad], 2)
    with pytest.raises(TypeError, match="bool"):
        QuadMerkleTree([True], 2)
    tree = QuadMerkleTree([1], 2)
    for index in (-1, 16):
        with pytest.raises(MerkleError, match="index"):
            tree.path(index)
        with pytest.raises(MerkleError, match="index"):
            tree.leaf(index)
    with pytest.raises(TypeError, match="float"):
        tree.path(1.0)  # type: ignore[arg-type]


def test_root_from_path_errors() -> None:
    two_levels = [[0, 0, 0], [0, 0, 0]]
    for index in (-1, 16):  # 16 fits only a path of 3 levels
        with pytest.raises(MerkleError, match="index"):
            root_from_path(1, index, two_levels)
    root_from_path(1, 15, two_levels)
    for row in ([0, 0], [0, 0, 0, 0]):
        with pytest.raises(MerkleError, match=r"siblings\[1\] has .* 3"):
            root_from_path(1, 0, [[0, 0, 0], row])
    with pytest.raises(MerkleError, match="levels"):
        root_from_path(1, 0, [])
    with pytest.raises(MerkleError, match=r"siblings\[0\]\[2\].*field element"):
        root_from_path(1, 0, [[0, 0, R]])
    with pytest.raises(MerkleError, match=r"leaf.*field element"):
        root_from_path(R, 0, [[0, 0, 0]])
    with pytest.raises(MerkleError, match="4 children"):
        hash_children([0, 0, 0])
