"""MerkleInclusion(D) (circuits/lib/merkle.circom) against engine.merkle.

tests/circuits/merkle_test.circom computes 8 depth-4 roots per witness (two
witnesses cover every index of a tree), one depth-1 root, and one checked path whose root
must equal the input ``expectedRoot`` — the must-fail cases tamper with it.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.fixedpoint import FIELD_ORDER as R
from engine.merkle import MerkleError, MerkleTree, hash_pair, merkle_root_from_path, zero_hashes
from prover.compile import CompiledCircuit, WitnessError, calculate_witness, compile_circuit, read_array, read_signals

MAIN = Path(__file__).parent / "circuits" / "merkle_test.circom"
B, D = 8, 4

field_elements = st.one_of(st.integers(0, R - 1), st.sampled_from([0, 1, R - 1]))


@pytest.fixture(scope="module")
def circuit() -> CompiledCircuit:
    return compile_circuit(MAIN)


@pytest.fixture(scope="module")
def tree() -> MerkleTree:
    rng = random.Random(4)
    return MerkleTree([rng.randrange(R) for _ in range(11)] + [R - 1, 0], D)  # 13 of 16 slots, rest padding


def run(circuit: CompiledCircuit, paths: list[tuple[int, int, list[int]]], checked: tuple[int, int, list[int], int],
        shallow: tuple[int, int, int] = (0, 0, 0)) -> tuple[list[int], int]:
    """Evaluate the main: paths[i] = (leaf, index, siblings); checked = (leaf, index, siblings, expected root)."""
    paths = paths + [(0, 0, [0] * D)] * (B - len(paths))
    witness = calculate_witness(circuit, {
        "leaf": [p[0] for p in paths], "index": [p[1] for p in paths], "siblings": [p[2] for p in paths],
        "shallow": list(shallow),
        "checkedLeaf": checked[0], "checkedIndex": checked[1], "checkedSiblings": checked[2],
        "expectedRoot": checked[3],
    })
    return read_array(circuit, witness, "root"), read_signals(circuit, witness, ["shallowRoot"])["shallowRoot"]


def honest(tree: MerkleTree, index: int) -> tuple[int, int, list[int], int]:
    return tree.leaf(index), index, tree.path(index), tree.root


# ----------------------------------------------------------------------------- circuit == Python

@pytest.mark.slow
def test_every_index_of_a_tree(circuit: CompiledCircuit, tree: MerkleTree) -> None:
    for first in range(0, 2**D, B):
        paths = [(tree.leaf(i), i, tree.path(i)) for i in range(first, first + B)]
        roots, shallow = run(circuit, paths, honest(tree, 5), shallow=(7, 1, 9))
        assert roots == [tree.root] * B
        assert shallow == hash_pair(9, 7) == MerkleTree([9, 7], 1).root


@pytest.mark.slow
@settings(derandomize=True, max_examples=8, deadline=None)
@given(data=st.data())
def test_arbitrary_paths(circuit: CompiledCircuit, data: st.DataObject) -> None:
    paths = [(data.draw(field_elements), data.draw(st.integers(0, 2**D - 1)),
              data.draw(st.lists(field_elements, min_size=D, max_size=D))) for _ in range(B)]
    shallow = (data.draw(field_elements), data.draw(st.integers(0, 1)), data.draw(field_elements))
    roots, shallow_root = run(circuit, paths, (paths[0][0], paths[0][1], paths[0][2],
                                               merkle_root_from_path(*paths[0])), shallow=shallow)
    assert roots == [merkle_root_from_path(*p) for p in paths]
    assert shallow_root == merkle_root_from_path(shallow[0], shallow[1], [shallow[2]])


# ----------------------------------------------------------------------------- tampering

@pytest.mark.slow
@pytest.mark.parametrize("index", [0, 5, 12, 15])
def test_honest_path_is_accepted(circuit: CompiledCircuit, tree: MerkleTree, index: int) -> None:
    run(circuit, [], honest(tree, index))


@pytest.mark.slow
@pytest.mark.parametrize("level", range(D))
def test_wrong_sibling_is_rejected(circuit: CompiledCircuit, tree: MerkleTree, level: int) -> None:
    leaf, index, siblings, root = honest(tree, 6)
    siblings[level] = (siblings[level] + 1) % R
    with pytest.raises(WitnessError, match="MerkleTest"):
        run(circuit, [], (leaf, index, siblings, root))


@pytest.mark.slow
@pytest.mark.parametrize("wrong_index", [7, 4, 2, 14])  # 6 = 0b0110 with one bit flipped at each level
def test_wrong_index_is_rejected(circuit: CompiledCircuit, tree: MerkleTree, wrong_index: int) -> None:
    leaf, _, siblings, root = honest(tree, 6)
    with pytest.raises(WitnessError, match="MerkleTest"):
        run(circuit, [], (leaf, wrong_index, siblings, root))


@pytest.mark.slow
@pytest.mark.parametrize("offset", [2**D, 2 * 2**D, R - 2**D, 2**200])
def test_index_beyond_depth_is_rejected(circuit: CompiledCircuit, tree: MerkleTree, offset: int) -> None:
    """index and index + 2^D share their low D bits; without Num2Bits(D) both would open the same leaf."""
    leaf, index, siblings, root = honest(tree, 6)
    with pytest.raises(WitnessError, match="Num2Bits") as info:
        run(circuit, [], (leaf, (index + offset) % R, siblings, root))
    assert "MerkleInclusion" in info.value.tool_message


@pytest.mark.slow
@pytest.mark.parametrize("index", [-1, 2**D, R - 1])
def test_index_out_of_range_in_the_batch_is_rejected(circuit: CompiledCircuit, tree: MerkleTree, index: int) -> None:
    with pytest.raises(WitnessError, match="MerkleInclusion"):
        run(circuit, [(0, index, [0] * D)], honest(tree, 0))


@pytest.mark.slow
@pytest.mark.parametrize("change", ["leaf", "root", "swap"])
def test_wrong_leaf_or_root_is_rejected(circuit: CompiledCircuit, tree: MerkleTree, change: str) -> None:
    leaf, index, siblings, root = honest(tree, 3)
    if change == "leaf":
        leaf = (leaf + 1) % R
    elif change == "root":
        root = (root + 1) % R
    else:  # present the sibling as the leaf and vice versa
        leaf, siblings = siblings[0], [leaf, *siblings[1:]]
    with pytest.raises(WitnessError, match="MerkleTest"):
        run(circuit, [], (leaf, index, siblings, root))


# ----------------------------------------------------------------------------- Python twin

def test_padding_is_zero_leaves() -> None:
    assert MerkleTree([5, 6, 7], 3).root == MerkleTree([5, 6, 7, 0, 0, 0, 0, 0], 3).root
    assert MerkleTree([], 3).root == zero_hashes(3)[3]
    assert MerkleTree([0], 2).root == hash_pair(hash_pair(0, 0), hash_pair(0, 0))


def test_small_tree_by_hand() -> None:
    tree = MerkleTree([1, 2, 3], 2)
    left, right = hash_pair(1, 2), hash_pair(3, 0)
    assert tree.root == hash_pair(left, right)
    assert tree.path(0) == [2, right]
    assert tree.path(2) == [0, left]
    assert tree.path(3) == [3, left]


def test_paths_lead_to_the_root_in_a_deep_sparse_tree() -> None:
    leaves = [11, 22, 33, R - 1, 0]
    tree = MerkleTree(leaves, 32)
    for index in (0, 1, 2, 3, 4, 5, 2**32 - 1):
        assert merkle_root_from_path(tree.leaf(index), index, tree.path(index)) == tree.root


def test_errors() -> None:
    with pytest.raises(MerkleError, match="do not fit"):
        MerkleTree(list(range(9)), 3)
    with pytest.raises(MerkleError, match="depth"):
        MerkleTree([1], 0)
    with pytest.raises(MerkleError, match="field element"):
        MerkleTree([R], 2)
    with pytest.raises(MerkleError, match="index"):
        MerkleTree([1], 2).path(4)
    with pytest.raises(MerkleError, match="index"):
        merkle_root_from_path(1, -1, [0, 0])
    with pytest.raises(MerkleError, match="index"):
        merkle_root_from_path(1, 4, [0, 0])
    with pytest.raises(MerkleError, match="field element"):
        merkle_root_from_path(1, 0, [R, 0])


@pytest.mark.slow
def test_constraint_cost(circuit: CompiledCircuit) -> None:
    """MerkleInclusion(D) costs 242 * D: D index bits, and per level 1 select + 240 for Poseidon(2)."""
    assert circuit.n_constraints == B * 242 * D + 242 * 1 + 242 * D
