"""engine.poseidon against circomlib's Poseidon circuit, and the optimised version against the reference.

The circuit vectors come from ``tests/circuits/poseidon_test.circom``
(widths 1, 2, 3, 4, 5, 8, 12; ``test_gadget_hash.py`` adds 10 and 16); the
textbook reference (original constants, a separate file of circomlib's)
checks the optimised Python hash at every width 1..16.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zkmargin.constants import FIELD_ORDER as R
from zkmargin.statement import poseidon as poseidon_module
from zkmargin.statement.poseidon import (
    MAX_INPUTS,
    N_ROUNDS_P,
    PoseidonConstantsError,
    hash_list,
    poseidon,
    poseidon_reference,
)
from zkmargin.toolchain.compile import CompiledCircuit, compile_circuit
from zkmargin.toolchain.witness import calculate_witness, read_array

MAIN = Path(__file__).parent / "circuits" / "poseidon_test.circom"
WIDTHS = (1, 2, 3, 4, 5, 8, 12)

IMPLEMENTATIONS: dict[str, Callable[[Sequence[int]], int]] = {
    "optimised": poseidon,
    "reference": poseidon_reference,
}

field_elements = st.one_of(
    st.integers(0, R - 1),
    st.sampled_from([0, 1, 2, R - 1, R - 2, (R - 1) // 2, 2**252, 2**253]),
)


@pytest.fixture(scope="module")
def circuit() -> CompiledCircuit:
    return compile_circuit(MAIN)


def circuit_hashes(circuit: CompiledCircuit, rows: list[list[int]]) -> list[int]:
    """Poseidon(WIDTHS[k]) of rows[k] (padded to 16 with zeros) in one witness call."""
    padded = [row + [0] * (16 - len(row)) for row in rows]
    witness = calculate_witness(circuit, {"in": padded})
    return read_array(circuit, witness, "out")


@pytest.mark.slow
def test_circuit_matches_python_on_boundary_inputs(circuit: CompiledCircuit) -> None:
    for fill in (0, R - 1):
        rows = [[fill] * width for width in WIDTHS]
        expected = [poseidon(row) for row in rows]
        assert circuit_hashes(circuit, rows) == expected


@pytest.mark.slow
@settings(derandomize=True, max_examples=6, deadline=None)
@given(data=st.data())
def test_circuit_matches_python_on_random_inputs(circuit: CompiledCircuit, data: st.DataObject) -> None:
    rows = [data.draw(st.lists(field_elements, min_size=w, max_size=w)) for w in WIDTHS]
    assert circuit_hashes(circuit, rows) == [poseidon(row) for row in rows]


@pytest.mark.parametrize("name", sorted(IMPLEMENTATIONS))
def test_known_vectors(name: str) -> None:
    # published circomlibjs vectors
    impl = IMPLEMENTATIONS[name]
    assert impl([1]) == 18586133768512220936620570745912940619677854269274689475585506675881198879027
    assert impl([1, 2]) == 7853200120776062878684798364095072458815029376092732009249414926327459813530


@pytest.mark.parametrize("width", range(1, MAX_INPUTS + 1))
def test_optimised_matches_reference_at_every_width(width: int) -> None:
    rng = random.Random(width)
    for values in ([0] * width, [R - 1] * width, [rng.randrange(R) for _ in range(width)]):
        assert poseidon(values) == poseidon_reference(values)


@pytest.mark.parametrize("name", sorted(IMPLEMENTATIONS))
@pytest.mark.parametrize("bad", [[], list(range(17)), [R], [-1], [0, R + 5]])
def test_rejects_bad_inputs(name: str, bad: list[int]) -> None:
    with pytest.raises(ValueError):
        IMPLEMENTATIONS[name](bad)


def test_rejects_non_integers() -> None:
    with pytest.raises(TypeError):
        poseidon([True])
    with pytest.raises(TypeError):
        poseidon([1.0])  # type: ignore[list-item]


def test_hash_list_is_the_documented_chain() -> None:
    values = list(range(1, 41))
    assert hash_list(values[:1]) == poseidon(values[:1])
    assert hash_list(values[:16]) == poseidon(values[:16])
    h = poseidon(values[:16])
    assert hash_list(values[:17]) == poseidon([h, 17])
    h31 = poseidon([h, *values[16:31]])
    assert hash_list(values[:31]) == h31
    assert hash_list(values[:32]) == poseidon([h31, 32])
    assert hash_list(values) == poseidon([h31, *values[31:40]])


@pytest.mark.parametrize("bad", [[], [R], [-1], [*range(20), R]])
def test_hash_list_rejects_bad_values(bad: list[int]) -> None:
    with pytest.raises(ValueError):
        hash_list(bad)


def test_missing_circomlib_is_reported(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(poseidon_module, "CIRCOMLIB_CIRCUITS", tmp_path)
    poseidon_module._parse_constants_file.cache_clear()
    try:
        with pytest.raises(PoseidonConstantsError, match="circomlib is not installed"):
            poseidon_module._parse_constants_file(poseidon_module.CONSTANTS_FILE)
    finally:
        poseidon_module._parse_constants_file.cache_clear()


@pytest.mark.slow
def test_constraint_cost(circuit: CompiledCircuit) -> None:
    """Poseidon(m) = 3 * (8 * (m + 1) + N_ROUNDS_P[m - 1]) - 3: the first S-box of the zero capacity is constant."""
    assert circuit.n_constraints == sum(3 * (8 * (m + 1) + N_ROUNDS_P[m - 1]) - 3 for m in WIDTHS)
