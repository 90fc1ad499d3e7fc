"""PackSigned(n, bits, per) (circuits/lib/pack.circom) against its twin statement.commitments.pack_signed.

tests/circuits/pack_test.circom packs 7 signed 8-bit values three to a word and compares the words and signs
with claimed ones.  Accepted: the twin's words for random and boundary rows.  Rejected: a value outside
[-128, 128), and a row that is not the canonical opening of the twin's words (a value moved by 2^8 into its
neighbour's lane gives the same word modulo the lanes, and must fail its range check).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zkmargin.constants import to_field
from zkmargin.statement.commitments import pack_signed
from zkmargin.toolchain.compile import CompiledCircuit, compile_circuit
from zkmargin.toolchain.witness import WitnessError, calculate_witness

pytestmark = pytest.mark.slow

MAIN = Path(__file__).parent / "circuits" / "pack_test.circom"
N, BITS, PER = 7, 8, 3
LO, HI = -(1 << (BITS - 1)), (1 << (BITS - 1)) - 1


@pytest.fixture(scope="module")
def circuit() -> CompiledCircuit:
    return compile_circuit(MAIN)


def run(circuit: CompiledCircuit, values: list[int], words: list[int] | None = None) -> None:
    claimed = words if words is not None else pack_signed(values, BITS, PER)
    calculate_witness(circuit, {"values": [to_field(v) for v in values], "words": claimed,
                                "nonneg": [1 if v >= 0 else 0 for v in values]})


def test_boundaries_accepted(circuit: CompiledCircuit) -> None:
    run(circuit, [LO, HI, 0, -1, 1, LO + 1, HI - 1])
    run(circuit, [HI] * N)
    run(circuit, [LO] * N)


def test_twin_words() -> None:
    assert pack_signed([0, 0, 0, 5], BITS, PER) == [128 + (128 << 8) + (128 << 16), 133]
    with pytest.raises(ValueError, match="does not fit 8 signed bits"):
        pack_signed([HI + 1], BITS, PER)


@pytest.mark.parametrize("value", [HI + 1, LO - 1, 1 << 200, -(1 << 200), 1 << 240])
def test_out_of_range_rejected(circuit: CompiledCircuit, value: int) -> None:
    values = [0, 1, value, 0, 0, 0, 0]
    with pytest.raises(WitnessError, match="Assert Failed") as info:
        run(circuit, values, pack_signed(values, BITS, PER, checked=False))
    assert "PackSigned" in info.value.tool_message


def test_other_opening_of_the_same_word_rejected(circuit: CompiledCircuit) -> None:
    honest = [10, -20, 30, 0, 0, 0, 0]
    words = pack_signed(honest, BITS, PER)
    # lane 0 one full lane higher, lane 1 one lower: the same word, lane 0 outside 8 bits
    other = [10 + (1 << BITS), -20 - 1, 30, 0, 0, 0, 0]
    assert pack_signed(other, BITS, PER, checked=False) == words
    with pytest.raises(WitnessError, match="Assert Failed"):
        run(circuit, other, words)


def test_wrong_sign_claim_rejected(circuit: CompiledCircuit) -> None:
    values = [-1, 0, 1, 0, 0, 0, 0]
    with pytest.raises(WitnessError, match="Assert Failed"):
        calculate_witness(circuit, {"values": [to_field(v) for v in values],
                                    "words": pack_signed(values, BITS, PER), "nonneg": [1] * N})


@settings(derandomize=True, max_examples=10, deadline=None)
@given(values=st.lists(st.integers(LO, HI), min_size=N, max_size=N))
def test_random_rows_match_the_twin(circuit: CompiledCircuit, values: list[int]) -> None:
    run(circuit, values)
