"""SignedRangeCheck(n) and UnsignedRangeCheck(n) (circuits/lib/range.circom).

tests/circuits/range_test.circom checks 16 values per kind at n = 8 in one
witness and one value per kind at the widest n = 252.  Must-fail cases put
one bad value among good ones and expect a WitnessError from the failed
Num2Bits constraint.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zkmargin.constants import FIELD_ORDER as R
from zkmargin.toolchain.compile import CompiledCircuit, CompileError, compile_circuit
from zkmargin.toolchain.witness import WitnessError, calculate_witness

pytestmark = pytest.mark.slow

MAIN = Path(__file__).parent / "circuits" / "range_test.circom"
B, N, W = 16, 8, 252
S_MIN, S_MAX = -(2 ** (N - 1)), 2 ** (N - 1) - 1
U_MAX = 2**N - 1


@pytest.fixture(scope="module")
def circuit() -> CompiledCircuit:
    return compile_circuit(MAIN)


def run(circuit: CompiledCircuit, *, signed: list[int] | None = None, unsigned: list[int] | None = None,
        signed_wide: int = 0, unsigned_wide: int = 0) -> None:
    signed = (signed or []) + [0] * (B - len(signed or []))
    unsigned = (unsigned or []) + [0] * (B - len(unsigned or []))
    calculate_witness(circuit, {"signedIn": signed, "unsignedIn": unsigned,
                                "signedWide": signed_wide, "unsignedWide": unsigned_wide})


def test_boundaries_accepted(circuit: CompiledCircuit) -> None:
    run(circuit,
        signed=[S_MIN, S_MAX, 0, -1, 1, S_MIN + 1, S_MAX - 1, R - 1],  # r - 1 encodes -1
        unsigned=[0, U_MAX, 1, 2 ** (N - 1), U_MAX - 1],
        signed_wide=-(2 ** (W - 1)), unsigned_wide=2**W - 1)
    run(circuit, signed_wide=2 ** (W - 1) - 1, unsigned_wide=0)


@pytest.mark.parametrize("value", [S_MAX + 1, S_MIN - 1, U_MAX, 2**N, R - 2**N, 2**200, (R - 1) // 2, (R + 1) // 2])
def test_signed_out_of_range_rejected(circuit: CompiledCircuit, value: int) -> None:
    with pytest.raises(WitnessError, match="Assert Failed") as info:
        run(circuit, signed=[0, 1, value])
    assert "SignedRangeCheck" in info.value.tool_message


@pytest.mark.parametrize("value", [2**N, -1, R - 1, S_MIN, 2**N + 5, R - 2**N, 2**252])
def test_unsigned_out_of_range_rejected(circuit: CompiledCircuit, value: int) -> None:
    with pytest.raises(WitnessError, match="Assert Failed") as info:
        run(circuit, unsigned=[U_MAX, value])
    assert "UnsignedRangeCheck" in info.value.tool_message


@pytest.mark.parametrize(("signed_wide", "unsigned_wide"), [
    (2 ** (W - 1), 0), (-(2 ** (W - 1)) - 1, 0), (0, 2**W), (0, R - 1), (0, -1),
])
def test_wide_out_of_range_rejected(circuit: CompiledCircuit, signed_wide: int, unsigned_wide: int) -> None:
    with pytest.raises(WitnessError, match="Assert Failed"):
        run(circuit, signed_wide=signed_wide, unsigned_wide=unsigned_wide)


@settings(derandomize=True, max_examples=10, deadline=None)
@given(signed=st.lists(st.integers(S_MIN, S_MAX), min_size=B, max_size=B),
       unsigned=st.lists(st.integers(0, U_MAX), min_size=B, max_size=B),
       signed_wide=st.integers(-(2 ** (W - 1)), 2 ** (W - 1) - 1),
       unsigned_wide=st.integers(0, 2**W - 1))
def test_random_in_range_accepted(circuit: CompiledCircuit, signed: list[int], unsigned: list[int],
                                  signed_wide: int, unsigned_wide: int) -> None:
    run(circuit, signed=signed, unsigned=unsigned, signed_wide=signed_wide, unsigned_wide=unsigned_wide)


@settings(derandomize=True, max_examples=8, deadline=None)
@given(value=st.one_of(st.integers(S_MAX + 1, R - 1 + S_MIN), st.integers(-(R - 1), S_MIN - 1)))
def test_random_out_of_signed_range_rejected(circuit: CompiledCircuit, value: int) -> None:
    with pytest.raises(WitnessError, match="Assert Failed"):
        run(circuit, signed=[value])


@pytest.mark.parametrize("template", ["SignedRangeCheck", "UnsignedRangeCheck"])
@pytest.mark.parametrize("n", [0, 253])
def test_bad_width_does_not_compile(tmp_path: Path, template: str, n: int) -> None:
    main = tmp_path / "bad_width.circom"
    main.write_text(f'pragma circom 2.1.0;\ninclude "lib/range.circom";\ncomponent main = {template}({n});\n')
    with pytest.raises(CompileError, match="False assert reached") as info:
        compile_circuit(main, cache_dir=tmp_path / "cache")
    assert ("assert(n <= 252)" if n else "assert(n >= 1)") in str(info.value)


def test_constraint_cost(circuit: CompiledCircuit) -> None:
    """Both checks cost n constraints (Num2Bits booleanity; the sum is folded by --O2)."""
    assert circuit.n_constraints == B * N + B * N + W + W
