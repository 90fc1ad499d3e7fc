"""SignedGreaterEq(n) and AssertSignedGreaterEq(n) (circuits/lib/compare.circom).

tests/circuits/compare_test.circom range-checks every input first (the
gadgets' precondition), then compares: all 256 pairs of 4-bit values
exhaustively, 16 pairs at n = 8, and one pair at the widest n = 252.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zkmargin.constants import FIELD_ORDER as R
from zkmargin.toolchain.compile import CompiledCircuit, compile_circuit
from zkmargin.toolchain.witness import WitnessError, calculate_witness, read_array, read_signals

pytestmark = pytest.mark.slow

MAIN = Path(__file__).parent / "circuits" / "compare_test.circom"
B = 16
LO8, HI8 = -(2**7), 2**7 - 1
LO4, HI4 = -(2**3), 2**3 - 1
LOW, HIW = -(2**251), 2**251 - 1
ALL_PAIRS4 = [[a, b] for a, b in itertools.product(range(LO4, HI4 + 1), repeat=2)]
BOUNDARY8 = [LO8, LO8 + 1, -1, 0, 1, HI8 - 1, HI8]


@pytest.fixture(scope="module")
def circuit() -> CompiledCircuit:
    return compile_circuit(MAIN)


def run(circuit: CompiledCircuit, *, pairs8: list[list[int]] | None = None, assert8: list[list[int]] | None = None,
        wide: tuple[int, int] = (0, 0), assert_wide: tuple[int, int] = (0, 0)) -> tuple[list[int], list[int], int]:
    """Evaluate the main; unspecified pairs are [0, 0].  Returns (ge4, ge8, geWide)."""
    pairs8 = (pairs8 or []) + [[0, 0]] * (B - len(pairs8 or []))
    assert8 = (assert8 or []) + [[0, 0]] * (B - len(assert8 or []))
    witness = calculate_witness(circuit, {"pairs4": ALL_PAIRS4, "pairs8": pairs8, "assertPairs8": assert8,
                                          "wide": list(wide), "assertWide": list(assert_wide)})
    return (read_array(circuit, witness, "ge4"), read_array(circuit, witness, "ge8"),
            read_signals(circuit, witness, ["geWide"])["geWide"])


def test_exhaustive_4_bit(circuit: CompiledCircuit) -> None:
    ge4, _, _ = run(circuit)
    assert ge4 == [int(a >= b) for a, b in ALL_PAIRS4]


def test_boundary_pairs_8_bit(circuit: CompiledCircuit) -> None:
    pairs = [[a, b] for a, b in itertools.product(BOUNDARY8, repeat=2)]
    for start in range(0, len(pairs), B):
        chunk = pairs[start:start + B]
        _, ge8, _ = run(circuit, pairs8=chunk)
        assert ge8[:len(chunk)] == [int(a >= b) for a, b in chunk]


@pytest.mark.parametrize(("a", "b"), [(HIW, LOW), (LOW, HIW), (LOW, LOW), (HIW, HIW), (-1, 0), (0, -1)])
def test_wide_pairs(circuit: CompiledCircuit, a: int, b: int) -> None:
    assert run(circuit, wide=(a, b))[2] == int(a >= b)


@settings(derandomize=True, max_examples=10, deadline=None)
@given(st.lists(st.lists(st.integers(LO8, HI8), min_size=2, max_size=2), min_size=B, max_size=B))
def test_random_pairs_8_bit(circuit: CompiledCircuit, pairs: list[list[int]]) -> None:
    _, ge8, _ = run(circuit, pairs8=pairs)
    assert ge8 == [int(a >= b) for a, b in pairs]


def test_assert_accepts_greater_or_equal(circuit: CompiledCircuit) -> None:
    ok = [[a, b] for a, b in itertools.product(BOUNDARY8, repeat=2) if a >= b]
    for start in range(0, len(ok), B):
        run(circuit, assert8=ok[start:start + B])
    run(circuit, assert_wide=(HIW, LOW))
    run(circuit, assert_wide=(LOW, LOW))


@pytest.mark.parametrize(("a", "b"), [(LO8, HI8), (-1, 0), (0, 1), (HI8 - 1, HI8), (LO8, LO8 + 1)])
def test_assert_rejects_less(circuit: CompiledCircuit, a: int, b: int) -> None:
    with pytest.raises(WitnessError, match="Assert Failed") as info:
        run(circuit, assert8=[[5, 5], [a, b]])
    assert "AssertSignedGreaterEq" in info.value.tool_message


@pytest.mark.parametrize(("a", "b"), [(LOW, HIW), (-1, 0), (HIW - 1, HIW)])
def test_assert_rejects_less_wide(circuit: CompiledCircuit, a: int, b: int) -> None:
    with pytest.raises(WitnessError, match="Assert Failed"):
        run(circuit, assert_wide=(a, b))


@pytest.mark.parametrize("value", [HI8 + 1, LO8 - 1, 2**8, R - 2**8, 2**8 - 1])
def test_unchecked_inputs_never_reach_the_comparator(circuit: CompiledCircuit, value: int) -> None:
    """Out-of-range operands are stopped by the range check in front of the comparator."""
    with pytest.raises(WitnessError, match="SignedRangeCheck"):
        run(circuit, pairs8=[[value, 0]])


@settings(derandomize=True, max_examples=8, deadline=None)
@given(pair=st.lists(st.integers(LO8, HI8), min_size=2, max_size=2).filter(lambda p: p[0] < p[1]))
def test_random_assert_rejects_less(circuit: CompiledCircuit, pair: list[int]) -> None:
    with pytest.raises(WitnessError, match="Assert Failed"):
        run(circuit, assert8=[pair])


def ranged_cost(n: int, *, returns_bit: bool) -> int:
    """Two SignedRangeCheck(n) (n each) plus SignedGreaterEq(n) (n + 1) or AssertSignedGreaterEq(n) (n)."""
    return 2 * n + n + int(returns_bit)


def test_constraint_cost(circuit: CompiledCircuit) -> None:
    assert circuit.n_constraints == (256 * ranged_cost(4, returns_bit=True) + B * ranged_cost(8, returns_bit=True)
                                     + B * ranged_cost(8, returns_bit=False) + ranged_cost(252, returns_bit=True)
                                     + ranged_cost(252, returns_bit=False))
