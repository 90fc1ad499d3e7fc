"""FloorDiv / CeilDiv and their constraint cores AssertFloorDiv / AssertCeilDiv (circuits/lib/divmod.circom).

tests/circuits/divmod_test.circom evaluates FloorDiv(16, d) and CeilDiv(16, d)
for d in {1, 2, 3, 7, 16, 10000}, 12 inputs each, in one witness, plus the
margin circuit's shapes (n = 116, d = 10^4 and n = 132, d = 10^12).
tests/circuits/divmod_check_test.circom takes the quotient, remainder and
excess as INPUTS (the exact constraints that pin FloorDiv's and CeilDiv's
``<--``), so forged results can be tried and shown to have no witness.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zkmargin.constants import FIELD_ORDER as R
from zkmargin.constants import ceil_div
from zkmargin.toolchain.compile import CompiledCircuit, CompileError, compile_circuit
from zkmargin.toolchain.witness import WitnessError, calculate_witness, read_array

pytestmark = pytest.mark.slow

HERE = Path(__file__).parent / "circuits"
N, B = 16, 12
DIVISORS = (1, 2, 3, 7, 16, 10000)
CHECK_DIVISORS = (1, 7, 16, 10000)
WIDE = ((116, 10**4), (132, 10**12))


@pytest.fixture(scope="module")
def circuit() -> CompiledCircuit:
    return compile_circuit(HERE / "divmod_test.circom")


@pytest.fixture(scope="module")
def check_circuit() -> CompiledCircuit:
    return compile_circuit(HERE / "divmod_check_test.circom")


def expected(value: int, d: int) -> tuple[int, int, int, int]:
    """(floor q, remainder, ceil q, excess) of value / d."""
    q, r = divmod(value, d)
    cq = ceil_div(value, d)
    return q, r, cq, cq * d - value


def run(circuit: CompiledCircuit, rows: list[list[int]], wide: tuple[int, int] = (0, 0)) -> None:
    """Evaluate divmod_test.circom on rows[k] (inputs for DIVISORS[k]) and compare every output."""
    witness = calculate_witness(circuit, {"in": rows, "wideBp": wide[0], "wideCollateral": wide[1]})
    outputs = {name: read_array(circuit, witness, name) for name in ("q", "r", "cq", "ce", "wideOut")}
    for k, d in enumerate(DIVISORS):
        for i, value in enumerate(rows[k]):
            got = tuple(outputs[name][k * B + i] for name in ("q", "r", "cq", "ce"))
            assert got == expected(value, d), (value, d)
    for j, ((_, d), value) in enumerate(zip(WIDE, wide, strict=True)):
        assert tuple(outputs["wideOut"][4 * j:4 * j + 4]) == expected(value, d), (value, d)


def boundary_row(d: int) -> list[int]:
    """B inputs at the edges that matter for divisor d (0, 2^n - 1, multiples of d and their neighbours)."""
    top = 2**N - 1
    candidates = [0, 1, top, top - 1, d - 1, d, d + 1, 2 * d - 1, 2 * d, (top // d) * d, (top // d) * d - 1, 12345]
    values = sorted({v for v in candidates if 0 <= v <= top})
    return values + [0] * (B - len(values))


# ----------------------------------------------------------------------------- honest evaluation

def test_boundaries(circuit: CompiledCircuit) -> None:
    run(circuit, [boundary_row(d) for d in DIVISORS], wide=(2**116 - 1, 2**132 - 1))
    run(circuit, [[0] * B for _ in DIVISORS], wide=(10**4 * 7 - 1, 10**12 + 1))


@settings(derandomize=True, max_examples=10, deadline=None)
@given(rows=st.lists(st.lists(st.integers(0, 2**N - 1), min_size=B, max_size=B),
                     min_size=len(DIVISORS), max_size=len(DIVISORS)),
       wide_bp=st.integers(0, 2**116 - 1), wide_collateral=st.integers(0, 2**132 - 1))
def test_random(circuit: CompiledCircuit, rows: list[list[int]], wide_bp: int, wide_collateral: int) -> None:
    run(circuit, rows, wide=(wide_bp, wide_collateral))


@pytest.mark.parametrize("value", [2**N, R - 1, -1, 2**N + 7, R - 2**N])
def test_input_outside_n_bits_is_stopped_by_the_callers_range_check(circuit: CompiledCircuit, value: int) -> None:
    rows = [[0] * B for _ in DIVISORS]
    rows[3][5] = value
    with pytest.raises(WitnessError, match="UnsignedRangeCheck"):
        run(circuit, rows)


@pytest.mark.parametrize(("bp", "collateral"), [(2**116, 0), (0, 2**132)])
def test_wide_input_outside_n_bits_is_rejected(circuit: CompiledCircuit, bp: int, collateral: int) -> None:
    with pytest.raises(WitnessError, match="Assert Failed"):
        run(circuit, [[0] * B for _ in DIVISORS], wide=(bp, collateral))


# ----------------------------------------------------------------------------- forged results

def honest_claims(values: dict[int, int] | None = None) -> list[list[int]]:
    """claims[k] = [in, q, r, cq, ce] for CHECK_DIVISORS[k], honest; values maps d -> in (default 1000)."""
    values = values or {}
    return [[values.get(d, 1000), *expected(values.get(d, 1000), d)] for d in CHECK_DIVISORS]


def check(circuit: CompiledCircuit, claims: list[list[int]]) -> None:
    calculate_witness(circuit, {"claims": claims})


def forge(d: int, field: int, delta: int, *, value: int = 1000) -> list[list[int]]:
    """Honest claims except claims[d][field] += delta (field 1 = q, 2 = r, 3 = cq, 4 = ce)."""
    claims = honest_claims({d: value})
    claims[CHECK_DIVISORS.index(d)][field] += delta
    return claims


@pytest.mark.parametrize("value", [0, 1, 6, 7, 8, 15, 16, 9999, 10000, 10001, 2**N - 1])
def test_honest_claims_are_accepted(check_circuit: CompiledCircuit, value: int) -> None:
    check(check_circuit, honest_claims(dict.fromkeys(CHECK_DIVISORS, value)))


@pytest.mark.parametrize("d", CHECK_DIVISORS)
@pytest.mark.parametrize(("field", "delta", "why"), [
    (2, +1, "remainder off by +1"),
    (2, -1, "remainder off by -1"),
    (1, +1, "quotient off by +1"),
    (1, -1, "quotient off by -1"),
    (4, +1, "excess off by +1"),
    (4, -1, "excess off by -1"),
    (3, +1, "ceiling off by +1"),
    (3, -1, "ceiling off by -1"),
])
def test_off_by_one_is_rejected(check_circuit: CompiledCircuit, d: int, field: int, delta: int, why: str) -> None:
    with pytest.raises(WitnessError, match="Assert Failed"):
        check(check_circuit, forge(d, field, delta, value=1000 + d // 2))


@pytest.mark.parametrize("d", [7, 16, 10000])
def test_consistent_but_shifted_pair_is_rejected(check_circuit: CompiledCircuit, d: int) -> None:
    """(q - 1, r + d) and (q + 1, r - d) satisfy in == q*d + r; only the remainder bound stops them."""
    value = 5 * d + 3
    q, r, cq, e = expected(value, d)
    for forged_floor, forged_ceil in (([q - 1, r + d], [cq + 1, e + d]), ([q + 1, r - d], [cq - 1, e - d])):
        claims = honest_claims({d: value})
        claims[CHECK_DIVISORS.index(d)][1:3] = forged_floor
        with pytest.raises(WitnessError, match="AssertBelowConstant"):
            check(check_circuit, claims)
        claims = honest_claims({d: value})
        claims[CHECK_DIVISORS.index(d)][3:5] = forged_ceil
        with pytest.raises(WitnessError, match="AssertBelowConstant"):
            check(check_circuit, claims)


@pytest.mark.parametrize("d", [7, 16, 10000])
def test_field_division_forgery_is_rejected(check_circuit: CompiledCircuit, d: int) -> None:
    """Any r' in [0, d) fits in == q' * d + r' with q' = (in - r') / d computed in the field.

    Only the bound q' < 2^n stops it (likewise for the ceiling and its excess).
    """
    value = ((2**N - 1) // d - 1) * d + 2
    _, true_r, _, true_e = expected(value, d)
    inverse = pow(d, -1, R)
    k = CHECK_DIVISORS.index(d)
    for forged in sorted({0, 1, d - 1} - {true_r}):
        forged_q = (value - forged) * inverse % R
        assert (forged_q * d + forged) % R == value and forged_q >= 2**N
        claims = honest_claims({d: value})
        claims[k][1:3] = [forged_q, forged]
        with pytest.raises(WitnessError, match="AssertFloorDiv"):
            check(check_circuit, claims)
    for forged in sorted({0, 1, d - 1} - {true_e}):
        forged_cq = (value + forged) * inverse % R
        assert forged_cq * d % R == (value + forged) % R and forged_cq >= 2**N
        claims = honest_claims({d: value})
        claims[k][3:5] = [forged_cq, forged]
        with pytest.raises(WitnessError, match="AssertCeilDiv"):
            check(check_circuit, claims)


@settings(derandomize=True, max_examples=10, deadline=None)
@given(value=st.integers(0, 2**N - 1), d=st.sampled_from(CHECK_DIVISORS), field=st.integers(1, 4),
       delta=st.integers(-3 * 10**4, 3 * 10**4).filter(bool))
def test_random_forgeries_are_rejected(check_circuit: CompiledCircuit, value: int, d: int, field: int,
                                       delta: int) -> None:
    with pytest.raises(WitnessError, match="Assert Failed"):
        check(check_circuit, forge(d, field, delta, value=value))


@pytest.mark.parametrize(("template", "n", "d"), [("FloorDiv", 239, 10**4), ("CeilDiv", 252, 2), ("FloorDiv", 8, 0)])
def test_bad_parameters_do_not_compile(tmp_path: Path, template: str, n: int, d: int) -> None:
    main = tmp_path / "bad_div.circom"
    main.write_text(f'pragma circom 2.1.0;\ninclude "lib/divmod.circom";\ncomponent main = {template}({n}, {d});\n')
    with pytest.raises(CompileError, match="False assert reached"):
        compile_circuit(main, cache_dir=tmp_path / "cache")


def div_cost(n: int, d: int) -> int:
    """Documented cost of AssertFloorDiv / AssertCeilDiv after --O2 (identity folded)."""
    if d == 1:
        return 0
    k = (d - 1).bit_length()
    return n + (k if d == 1 << k else 2 * k)


def test_constraint_cost(check_circuit: CompiledCircuit) -> None:
    """Per divisor: the caller's range check (n) plus one floor and one ceiling check."""
    assert [div_cost(N, d) for d in (16, 7, 10000)] == [20, 22, 44]
    assert check_circuit.n_constraints == sum(N + 2 * div_cost(N, d) for d in CHECK_DIVISORS)
