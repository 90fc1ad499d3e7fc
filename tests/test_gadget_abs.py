"""SignedAbs(n) (circuits/lib/max.circom): |in| of a signed value, range-checking its input.

tests/circuits/abs_test.circom evaluates 16 x SignedAbs(8) and one SignedAbs(96) (the account circuit's
net-delta width) in one witness.  The output is pinned by a constraint (no ``<--``), so honest evaluation
over the whole range and rejection of every input outside it cover the gadget.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zkmargin.constants import FIELD_ORDER as R
from zkmargin.toolchain.compile import CompiledCircuit, compile_circuit
from zkmargin.toolchain.witness import WitnessError, calculate_witness, read_array, read_signals

pytestmark = pytest.mark.slow

MAIN = Path(__file__).parent / "circuits" / "abs_test.circom"
B, N, WIDE = 16, 8, 96
LO, HI = -(2 ** (N - 1)), 2 ** (N - 1) - 1
LOW, HIW = -(2 ** (WIDE - 1)), 2 ** (WIDE - 1) - 1


@pytest.fixture(scope="module")
def circuit() -> CompiledCircuit:
    return compile_circuit(MAIN)


def run(circuit: CompiledCircuit, values: list[int], wide: int = 0) -> tuple[list[int], int]:
    """(|values| as computed by the circuit, |wide|); values are signed, padded with zeros to B."""
    witness = calculate_witness(circuit, {"in": values + [0] * (B - len(values)), "wide": wide})
    return (read_array(circuit, witness, "out")[:len(values)],
            read_signals(circuit, witness, ["outWide"])["outWide"])


def test_whole_narrow_range_and_wide_edges(circuit: CompiledCircuit) -> None:
    values = list(range(LO, HI + 1))
    for start in range(0, len(values), B):
        chunk = values[start:start + B]
        assert run(circuit, chunk)[0] == [abs(v) for v in chunk]
    for wide in (LOW, LOW + 1, -1, 0, 1, HIW):
        assert run(circuit, [], wide)[1] == abs(wide)


@settings(derandomize=True, max_examples=10, deadline=None)
@given(values=st.lists(st.integers(LO, HI), min_size=B, max_size=B), wide=st.integers(LOW, HIW))
def test_random_values(circuit: CompiledCircuit, values: list[int], wide: int) -> None:
    assert run(circuit, values, wide) == ([abs(v) for v in values], abs(wide))


@pytest.mark.parametrize("value", [HI + 1, LO - 1, 2**N, R - 2**N, 2**200, (R - 1) // 2])
def test_out_of_range_input_is_rejected(circuit: CompiledCircuit, value: int) -> None:
    with pytest.raises(WitnessError, match="Assert Failed") as info:
        run(circuit, [1, value])
    assert "SignedAbs" in info.value.tool_message


@pytest.mark.parametrize("wide", [HIW + 1, LOW - 1, 2**WIDE])
def test_out_of_range_wide_input_is_rejected(circuit: CompiledCircuit, wide: int) -> None:
    with pytest.raises(WitnessError, match="SignedAbs"):
        run(circuit, [], wide)


def test_constraint_cost(circuit: CompiledCircuit) -> None:
    """SignedAbs(n): n (range check and sign) + 1 (the signed product)."""
    assert circuit.n_constraints == B * (N + 1) + WIDE + 1
