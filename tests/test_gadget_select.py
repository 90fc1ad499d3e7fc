"""OneHot(n) and its constraint core AssertOneHot(n) (circuits/lib/select.circom).

tests/circuits/select_test.circom evaluates 8 x OneHot(4) (the account circuit's instrument kinds) and one
OneHot(1) in one witness; AssertOneHot(4) takes the encoding as an INPUT (the exact constraints that pin
OneHot's ``<--``), so dishonest encodings can be tried and shown to have no witness.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from zkmargin.constants import FIELD_ORDER as R
from zkmargin.toolchain.compile import CompiledCircuit, compile_circuit
from zkmargin.toolchain.witness import WitnessError, calculate_witness, read_array

pytestmark = pytest.mark.slow

MAIN = Path(__file__).parent / "circuits" / "select_test.circom"
B, N = 8, 4


@pytest.fixture(scope="module")
def circuit() -> CompiledCircuit:
    return compile_circuit(MAIN)


def one_hot(code: int, n: int = N) -> list[int]:
    return [int(code == j) for j in range(n)]


def run(circuit: CompiledCircuit, codes: list[int] | None = None, *, single: int = 0, check_code: int = 0,
        claimed: list[int] | None = None) -> list[int]:
    """Evaluate select_test.circom; returns the B x 4 encodings, flattened."""
    codes = (codes or []) + [0] * (B - len(codes or []))
    witness = calculate_witness(circuit, {"code": codes, "single": single, "checkCode": check_code,
                                          "claimed": claimed if claimed is not None else one_hot(check_code)})
    return read_array(circuit, witness, "sel")


def test_every_code_is_encoded(circuit: CompiledCircuit) -> None:
    codes = [0, 1, 2, 3, 3, 2, 1, 0]
    assert run(circuit, codes) == [bit for code in codes for bit in one_hot(code)]


@pytest.mark.parametrize("code", [4, 5, -1, R - 1, 2**64, (R - 1) // 2])
def test_code_outside_the_range_is_rejected(circuit: CompiledCircuit, code: int) -> None:
    with pytest.raises(WitnessError, match="Assert Failed") as info:
        run(circuit, [0, code])
    assert "OneHot" in info.value.tool_message


@pytest.mark.parametrize("single", [1, 2, -1])
def test_one_code_admits_only_zero(circuit: CompiledCircuit, single: int) -> None:
    with pytest.raises(WitnessError, match="OneHot"):
        run(circuit, single=single)


@pytest.mark.parametrize("code", range(N))
def test_true_encoding_is_accepted(circuit: CompiledCircuit, code: int) -> None:
    run(circuit, check_code=code, claimed=one_hot(code))


@pytest.mark.parametrize(("code", "claimed", "why"), [
    (2, [0, 0, 0, 0], "no bit set"),
    (2, [0, 1, 1, 0], "two bits set"),
    (2, [0, 1, 0, 0], "another code's encoding"),
    (0, [1, 1, R - 1, 0], "sums right with a non-bit (-1)"),
    (1, [0, 2, 0, R - 1], "sums to 1 with weights 2 and -1"),
    (3, [0, 0, 0, 3], "code as the value of the slot"),
    (4, [0, 0, 0, 0], "code outside the range, nothing set"),
    (5, [0, 1, 0, 1], "code outside the range as a sum of two slots"),
])
def test_wrong_encoding_is_rejected(circuit: CompiledCircuit, code: int, claimed: list[int], why: str) -> None:
    with pytest.raises(WitnessError, match="Assert Failed") as info:
        run(circuit, check_code=code, claimed=claimed)
    assert "AssertOneHot" in info.value.tool_message, why


def test_constraint_cost(circuit: CompiledCircuit) -> None:
    """OneHot(n) and AssertOneHot(n): n booleanity constraints; --O2 folds the linear sums where an encoding
    feeds other constraints (8 x OneHot(4), each sel feeding one product, compile to 8 x 4 + 8).  Here
    the encodings are main's public outputs and the claims its inputs, which must stay in the witness, so
    one linear sum per instance (B OneHot(4) and the AssertOneHot(4)) is kept."""
    assert circuit.n_constraints == B * N + 1 + N + (B + 1)
