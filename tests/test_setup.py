"""Trusted setup: the production path with a ceremony ptau, its power check, and the prover's own checks."""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path
from typing import Any

import pytest

from zkmargin.engine.account import AccountInts, encode_account
from zkmargin.engine.commitments import ParamsTree
from zkmargin.engine.io import load_portfolio
from zkmargin.engine.margin import margin_account
from zkmargin.prover.prove import CircuitMismatchError, _compare, check_provable, prove_account
from zkmargin.prover.witness import circuit_input
from zkmargin.statement.commitments import new_salt
from zkmargin.toolchain import tools
from zkmargin.toolchain.keys import SetupError, dev_ptau, ptau_power, setup
from zkmargin.toolchain.witness import calculate_witness

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def butterfly(params: ParamsTree) -> AccountInts:
    return encode_account(load_portfolio(EXAMPLES / "portfolios" / "butterfly.json"), params.table)


def test_ceremony_ptau_of_too_small_power_is_rejected_before_setup() -> None:
    small = dev_ptau(10, seed="stand-in ceremony (INSECURE)")
    assert ptau_power(small) == 10
    with pytest.raises(SetupError, match=r"has power 10; the test circuit .* needs power 15"):
        setup("test", ptau=small)


def test_not_a_ptau_file_is_rejected(tmp_path: Path) -> None:
    bogus = tmp_path / "bogus.ptau"
    bogus.write_bytes(b"not a ptau file at all")
    with pytest.raises(SetupError, match=r"not a \.ptau file"):
        setup("test", ptau=bogus)


@pytest.mark.slow
def test_production_setup_contributes_verifies_and_records_hashes(example_params_tree: ParamsTree,
                                                                  tmp_path: Path) -> None:
    # a prepared ptau from another seed stands in for a public ceremony's file
    ceremony = dev_ptau(15, seed="stand-in ceremony (INSECURE)")
    keys = setup("test", ptau=ceremony)  # contribution, random beacon and `snarkjs zkey verify` inside
    manifest = keys.manifest
    assert not keys.insecure and manifest["warning"] is None
    assert manifest["ptau"]["sha256"] == tools.sha256_file(ceremony) and manifest["ptau"]["power"] == 15
    assert manifest["zkey_sha256"] == tools.sha256_file(keys.zkey)
    assert manifest["vkey_sha256"] == tools.sha256_file(keys.vkey)
    assert manifest["circuit"]["r1cs_sha256"] == tools.sha256_file(keys.circuit.r1cs)
    assert (keys.directory / "manifest.json").is_file()
    dev_keys = setup("test")
    assert keys.vkey_id != dev_keys.vkey_id  # a contribution with fresh entropy gives other keys
    result = prove_account(keys, check_provable(example_params_tree, butterfly(example_params_tree)), workdir=tmp_path)
    (tmp_path / "proof.json").write_text(json.dumps(result.bundle.snarkjs_proof()))
    (tmp_path / "public.json").write_text(json.dumps(result.bundle.public_signals))
    out = tools.snarkjs(["groth16", "verify", str(keys.vkey), str(tmp_path / "public.json"),
                         str(tmp_path / "proof.json")])
    assert "OK" in out.stdout


@pytest.mark.slow
@pytest.mark.parametrize("field", ["maintenance_margin", "collateral_value", "scan_risk"])
def test_engine_circuit_mismatch_is_a_hard_error_naming_the_field(example_params_tree: ParamsTree,
                                                                  test_keys: Any, field: str) -> None:
    account = butterfly(example_params_tree)
    honest = margin_account(example_params_tree.table, account)
    inputs, _ = circuit_input(example_params_tree, account, new_salt(), honest)
    witness = calculate_witness(test_keys.circuit, inputs)
    _compare(test_keys, witness, honest)  # agrees
    if field == "scan_risk":
        group = dataclasses.replace(honest.groups[0], scan_risk=honest.groups[0].scan_risk + 1)
        wrong = dataclasses.replace(honest, groups=(group, *honest.groups[1:]))
        name = "scan[0]"
    else:
        wrong = dataclasses.replace(honest, **{field: getattr(honest, field) + 1})
        name = {"maintenance_margin": "mm", "collateral_value": "collateral"}[field]
    with pytest.raises(CircuitMismatchError, match=f"disagree on {re.escape(name)}:"):
        _compare(test_keys, witness, wrong)
