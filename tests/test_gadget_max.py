"""SignedMax(S, n), AssertSignedMax(S, n) and MaxZero(n) (circuits/lib/max.circom).

tests/circuits/max_test.circom evaluates batches (16 x SignedMax(4, 8),
4 x SignedMax(1, 8), 16 x MaxZero(8), one SignedMax(3, 97)) in one witness.
tests/circuits/max_check_test.circom feeds the claimed maximum as an INPUT to
AssertSignedMax — the exact constraints SignedMax uses to pin its ``<--`` —
so a dishonest prover's claims can be tried and shown to have no witness.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zkmargin.constants import FIELD_ORDER as R
from zkmargin.constants import from_field
from zkmargin.toolchain.compile import CompiledCircuit, compile_circuit
from zkmargin.toolchain.witness import WitnessError, calculate_witness, read_array, read_signals

pytestmark = pytest.mark.slow

HERE = Path(__file__).parent / "circuits"
B, N = 16, 8
LO, HI = -(2 ** (N - 1)), 2 ** (N - 1) - 1
WIDE = 97  # MONEY_BITS
LOW, HIW = -(2 ** (WIDE - 1)), 2 ** (WIDE - 1) - 1

signed8 = st.integers(LO, HI)


@pytest.fixture(scope="module")
def circuit() -> CompiledCircuit:
    return compile_circuit(HERE / "max_test.circom")


@pytest.fixture(scope="module")
def check_circuit() -> CompiledCircuit:
    return compile_circuit(HERE / "max_check_test.circom")


def pad(rows: list[list[int]], width: int, count: int) -> list[list[int]]:
    return rows + [[0] * width] * (count - len(rows))


def run(circuit: CompiledCircuit, *, max4: list[list[int]] | None = None, max1: list[int] | None = None,
        zero: list[int] | None = None, wide: list[int] | None = None) -> dict[str, list[int]]:
    """Evaluate max_test.circom; returns the outputs decoded as signed integers."""
    inputs = {
        "max4": pad(max4 or [], 4, B),
        "max1": pad([[v] for v in (max1 or [])], 1, 4),
        "zero": (zero or []) + [0] * (B - len(zero or [])),
        "wide": wide or [0, 0, 0],
    }
    witness = calculate_witness(circuit, inputs)
    return {name: [from_field(v) for v in read_array(circuit, witness, name)]
            for name in ("outMax4", "outMax1", "outZero")} | {
        "outWide": [from_field(read_signals(circuit, witness, ["outWide"])["outWide"])]}


def check(circuit: CompiledCircuit, values: list[int], claimed: int, single: int = 0,
          claimed_single: int | None = None) -> None:
    calculate_witness(circuit, {"in": values, "claimed": claimed, "single": single,
                                "claimedSingle": single if claimed_single is None else claimed_single})


# ----------------------------------------------------------------------------- honest evaluation

CASES4 = [
    [1, 2, 3, 4], [4, 3, 2, 1], [2, 4, 1, 3],
    [5, 5, 5, 5], [3, 7, 7, 1], [7, 3, 1, 7],                     # ties
    [-5, -3, -9, -4], [LO, LO, LO, LO], [LO, LO + 1, LO, LO],     # all negative
    [HI, LO, 0, -1], [LO, HI, HI, LO], [0, 0, -1, 0],
    [-1, LO, -2, -128], [HI, HI, HI, HI], [0, 0, 0, 0], [LO, -1, 0, 1],
]


def test_batch_of_maxima(circuit: CompiledCircuit) -> None:
    out = run(circuit, max4=CASES4, max1=[LO, HI, 0, -1], zero=[LO, -1, 0, 1, HI, R - 1, -64, 64],
              wide=[LOW, HIW, 0])
    assert out["outMax4"] == [max(c) for c in CASES4]
    assert out["outMax1"] == [LO, HI, 0, -1]
    assert out["outZero"][:8] == [0, 0, 0, 1, HI, 0, 0, 64]
    assert out["outWide"] == [HIW]


@pytest.mark.parametrize("wide", [[LOW, LOW, LOW], [LOW, LOW + 1, LOW], [-1, -2, -3], [HIW, HIW - 1, HIW]])
def test_wide_maxima(circuit: CompiledCircuit, wide: list[int]) -> None:
    assert run(circuit, wide=wide)["outWide"] == [max(wide)]


@settings(derandomize=True, max_examples=10, deadline=None)
@given(rows=st.lists(st.lists(signed8, min_size=4, max_size=4), min_size=B, max_size=B),
       zero=st.lists(signed8, min_size=B, max_size=B),
       wide=st.lists(st.integers(LOW, HIW), min_size=3, max_size=3))
def test_random_batches(circuit: CompiledCircuit, rows: list[list[int]], zero: list[int], wide: list[int]) -> None:
    out = run(circuit, max4=rows, zero=zero, wide=wide)
    assert out["outMax4"] == [max(r) for r in rows]
    assert out["outZero"] == [max(0, z) for z in zero]
    assert out["outWide"] == [max(wide)]


@pytest.mark.parametrize("value", [HI + 1, LO - 1, 2**N - 1, 2**N, R - 2**N, 2**200])
def test_max_zero_range_checks_its_input(circuit: CompiledCircuit, value: int) -> None:
    with pytest.raises(WitnessError, match="MaxZero"):
        run(circuit, zero=[value])


# ----------------------------------------------------------------------------- dishonest claims

@pytest.mark.parametrize("values", [[1, 2, 3, 4], [5, 5, 5, 5], [-5, -3, -9, -4], [LO, HI, 0, 0], [LO] * 4, [HI] * 4])
def test_true_maximum_is_accepted(check_circuit: CompiledCircuit, values: list[int]) -> None:
    check(check_circuit, values, max(values), single=values[0])


@pytest.mark.parametrize(("values", "claimed", "why"), [
    ([1, 2, 3, 4], 3, "member but not the maximum"),
    ([1, 2, 3, 4], 1, "the minimum"),
    ([1, 2, 3, 4], 5, "upper bound but not a member"),
    ([1, 2, 3, 4], HI, "largest representable value, not a member"),
    ([-5, -3, -9, -4], 0, "zero above an all-negative list"),
    ([-5, -3, -9, -4], -4, "second largest negative"),
    ([5, 5, 5, 5], 6, "just above a tie"),
    ([5, 5, 5, 5], 4, "just below a tie"),
    ([LO] * 4, LO - 1, "below the range"),
    ([HI] * 4, HI + 1, "above the range"),
    ([HI] * 4, HI + 2**N, "aliased by 2^n"),
    ([0, 0, 0, 0], R - 1, "r - 1, i.e. -1"),
    ([0, 1, 2, 3], 3 + R // 2, "far outside"),
    ([LO, HI, 0, 0], LO, "the minimum at the range edge"),
])
def test_wrong_maximum_is_rejected(check_circuit: CompiledCircuit, values: list[int], claimed: int, why: str) -> None:
    with pytest.raises(WitnessError, match="Assert Failed") as info:
        check(check_circuit, values, claimed)
    assert "AssertSignedMax" in info.value.tool_message, why


@pytest.mark.parametrize(("single", "claimed"), [(0, 1), (5, 4), (LO, HI), (HI, R - 1)])
def test_single_element_claim_must_equal_it(check_circuit: CompiledCircuit, single: int, claimed: int) -> None:
    with pytest.raises(WitnessError, match="AssertSignedMax"):
        check(check_circuit, [0, 0, 0, 0], 0, single=single, claimed_single=claimed)


@settings(derandomize=True, max_examples=10, deadline=None)
@given(values=st.lists(signed8, min_size=4, max_size=4), claimed=st.integers(LO - 4, HI + 4))
def test_random_claims(check_circuit: CompiledCircuit, values: list[int], claimed: int) -> None:
    if claimed == max(values):
        check(check_circuit, values, claimed)
    else:
        with pytest.raises(WitnessError, match="Assert Failed"):
            check(check_circuit, values, claimed)


def signed_max_cost(s: int, n: int) -> int:
    return s * n + s - 1 if s > 1 else 0  # bounds + product chain; S == 1 is a folded linear constraint


def test_constraint_cost(circuit: CompiledCircuit, check_circuit: CompiledCircuit) -> None:
    """SignedMax(S, n): S*n + S - 1; MaxZero(n): n + 1; every SignedMax operand range-checked (n each)."""
    assert circuit.n_constraints == (B * (4 * N + signed_max_cost(4, N)) + B * (N + 1) + 4 * (N + signed_max_cost(1, N))
                                     + 3 * WIDE + signed_max_cost(3, WIDE))
    assert check_circuit.n_constraints == 4 * N + signed_max_cost(4, N) + N + signed_max_cost(1, N)
