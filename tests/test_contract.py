"""The circuit's number contract (circuits/lib/contract.circom) equals zkmargin/constants.py.

The check compiles a main that outputs every contract function, the strongest
form: it is what circom itself evaluates, not a reading of the source text.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from zkmargin import constants
from zkmargin.toolchain.compile import compile_circuit
from zkmargin.toolchain.witness import calculate_witness, read_array

MAIN = Path(__file__).parent / "circuits" / "contract_values.circom"

#: Output order of contract_values.circom, named as in zkmargin/constants.py.
CONTRACT_NAMES = (
    "QTY_BITS", "RISK_BITS", "CHARGE_BITS", "BALANCE_BITS", "PRICE_BITS", "MULT_BITS", "MONEY_BITS",
    "BP", "BALANCE_SCALE", "MONEY_SCALE", "QTY_SCALE", "MAX_HAIRCUT_BP", "MAX_POSITIONS", "MAX_ASSETS",
    "ASSET_RISK_BITS", "TIER_BITS", "MAX_CREDIT_BP",
)


@pytest.mark.slow
def test_circuit_contract_equals_python_contract() -> None:
    circuit = compile_circuit(MAIN)
    values = read_array(circuit, calculate_witness(circuit, {}), "out")
    assert len(values) == len(CONTRACT_NAMES)
    circuit_contract = dict(zip(CONTRACT_NAMES, values, strict=True))
    python_contract = {name: getattr(constants, name) for name in CONTRACT_NAMES}
    assert circuit_contract == python_contract


def test_contract_file_defines_every_function_once() -> None:
    text = (Path(__file__).parent.parent / "circuits" / "lib" / "contract.circom").read_text()
    for name in CONTRACT_NAMES:
        assert text.count(f"function {name}()") == 1, name
