"""HashList(n) (circuits/lib/hash.circom) equals statement.poseidon.hash_list at the chunking boundaries."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zkmargin.constants import FIELD_ORDER as R
from zkmargin.statement.poseidon import N_ROUNDS_P, hash_list
from zkmargin.toolchain.compile import CompiledCircuit, compile_circuit
from zkmargin.toolchain.witness import WitnessError, calculate_witness, read_array

pytestmark = pytest.mark.slow

MAIN = Path(__file__).parent / "circuits" / "hash_test.circom"
LENGTHS = (1, 16, 17, 31, 32, 40)

field_elements = st.one_of(st.integers(0, R - 1), st.sampled_from([0, 1, R - 1, R - 2]))


@pytest.fixture(scope="module")
def circuit() -> CompiledCircuit:
    return compile_circuit(MAIN)


def circuit_hashes(circuit: CompiledCircuit, lists: list[list[int]]) -> list[int]:
    witness = calculate_witness(circuit, {f"list{n}": values for n, values in zip(LENGTHS, lists, strict=True)})
    return read_array(circuit, witness, "out")


def test_boundary_values(circuit: CompiledCircuit) -> None:
    for lists in (
        [[0] * n for n in LENGTHS],
        [[R - 1] * n for n in LENGTHS],
        [[(i * 7919) % 5 if i % 3 else R - 1 - i for i in range(n)] for n in LENGTHS],
    ):
        assert circuit_hashes(circuit, lists) == [hash_list(values) for values in lists]


@settings(derandomize=True, max_examples=5, deadline=None)
@given(data=st.data())
def test_random_lists(circuit: CompiledCircuit, data: st.DataObject) -> None:
    lists = [data.draw(st.lists(field_elements, min_size=n, max_size=n)) for n in LENGTHS]
    assert circuit_hashes(circuit, lists) == [hash_list(values) for values in lists]


@pytest.mark.parametrize("where", ["first", "chunk edge", "last"])
def test_every_element_counts(circuit: CompiledCircuit, where: str) -> None:
    """Changing one element of each list (its first, the one after a chunk edge, its last) changes every hash."""
    base = [[i + 1 for i in range(n)] for n in LENGTHS]
    changed = [row[:] for row in base]
    for row in changed:
        position = {"first": 0, "chunk edge": min(16, len(row) - 1), "last": len(row) - 1}[where]
        row[position] = R - 1
    hashes = circuit_hashes(circuit, changed)
    assert hashes == [hash_list(row) for row in changed]
    assert all(h != hash_list(row) for h, row in zip(hashes, base, strict=True))


def test_wrong_length_input_is_rejected(circuit: CompiledCircuit) -> None:
    lists = [[0] * n for n in LENGTHS]
    lists[2] = [0] * 16  # list17 one short
    with pytest.raises(WitnessError, match="Not enough values"):
        circuit_hashes(circuit, lists)


def poseidon_cost(m: int) -> int:
    """circomlib Poseidon(m): 3 per S-box, (m + 1) * 8 full + N_ROUNDS_P partial, minus the constant first S-box."""
    return 3 * (8 * (m + 1) + N_ROUNDS_P[m - 1]) - 3


def hash_list_cost(n: int) -> int:
    cost = poseidon_cost(min(n, 16))
    for start in range(16, n, 15):
        cost += poseidon_cost(1 + min(15, n - start))
    return cost


def test_constraint_cost(circuit: CompiledCircuit) -> None:
    assert [poseidon_cost(m) for m in (1, 2, 10, 16)] == [213, 240, 459, 609]
    assert [hash_list_cost(n) for n in LENGTHS] == [213, 609, 849, 1218, 1458, 1677]
    assert circuit.n_constraints == sum(hash_list_cost(n) for n in LENGTHS)
