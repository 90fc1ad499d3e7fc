"""On-chain verification: the generated Groth16 verifier and MarginRegistry on pyrevm.

The module fixture compiles ``tests/fixtures/solidity/statement.circom`` (a toy
circuit with the account statement's three public signals), makes INSECURE dev
keys, exports and compiles the verifier, and proves four witnesses
(``tests/solidity_fixture.py``).  Every negative test changes exactly one thing
and names the rejection it expects.  The last tests check one proof of the real
account circuit (``test`` size) on chain and against the Python verifier.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from py_ecc import bn128
from solidity_fixture import StatementFixture, build_statement_fixture

from zkmargin.constants import BASE_FIELD_MODULUS, FIELD_ORDER
from zkmargin.engine.account import encode_account
from zkmargin.engine.commitments import ParamsTree
from zkmargin.engine.io import load_portfolio
from zkmargin.prover.prove import ProofResult, check_provable, prove_account
from zkmargin.statement.commitments import unpack_margins
from zkmargin.toolchain import tools
from zkmargin.toolchain.keys import SetupArtifacts
from zkmargin.verifier import groth16
from zkmargin.verifier.abi import AbiError, AbiValue, ContractAbi, decode, encode, keccak256, selector
from zkmargin.verifier.evm import Chain, Contract, ContractRevertError, ProofCalldata, intrinsic_gas, proof_to_calldata
from zkmargin.verifier.onchain import check_on_evm
from zkmargin.verifier.solidity_build import (
    REGISTRY_SOURCE,
    GeneratedVerifierError,
    build_verifier_contracts,
    check_generated_verifier,
    compile_contracts,
)

R = FIELD_ORDER
Q = BASE_FIELD_MODULUS
FRESHNESS_WINDOW = 2
VERIFY_GAS_BUDGET = 230_000
SUBMIT_GAS_BUDGET = 300_000


# --------------------------------------------------------------------------- pure helpers (no toolchain)

def test_keccak256_known_vectors() -> None:
    assert keccak256(b"").hex() == "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"
    assert keccak256(b"abc").hex() == "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45"
    assert selector("transfer(address,uint256)").hex() == "a9059cbb"
    # 136 bytes is exactly one rate block: padding must spill into a second block.
    assert keccak256(b"\x00" * 136) != keccak256(b"\x00" * 135)


def test_abi_static_roundtrip_and_bounds() -> None:
    types = ["uint256[2][2]", "address", "bool", "uint64", "int8", "bytes4"]
    values: list[AbiValue] = [[[1, 2], [3, 2**256 - 1]], "0x" + "ab" * 20, True, 2**64 - 1, -128, b"\x01\x02\x03\x04"]
    data = encode(types, values)
    assert len(data) == 32 * 9
    assert list(decode(types, data)) == values
    with pytest.raises(AbiError, match="outside"):
        encode(["uint64"], [2**64])
    with pytest.raises(AbiError, match="outside"):
        encode(["uint256"], [-1])
    with pytest.raises(AbiError, match="sequence of 2"):
        encode(["uint256[2]"], [[1, 2, 3]])
    with pytest.raises(AbiError, match="not supported"):
        encode(["bytes"], [b""])
    with pytest.raises(AbiError, match="high"):
        decode(["address"], b"\x01" * 32)


def test_intrinsic_gas_counts_zero_and_nonzero_bytes() -> None:
    assert intrinsic_gas(b"") == 21_000
    assert intrinsic_gas(b"\x00\x01\x00") == 21_000 + 4 + 16 + 4


def _sample_proof_json() -> dict[str, object]:
    return {"protocol": "groth16", "curve": "bn128", "pi_a": ["1", "2", "1"],
            "pi_b": [["3", "4"], ["5", "6"], ["1", "0"]], "pi_c": ["7", "8", "1"]}


def test_proof_to_calldata_swaps_fq2_halves() -> None:
    calldata = proof_to_calldata(_sample_proof_json(), ["9", "10", "11"])
    assert calldata.a == (1, 2)
    assert calldata.b == ((4, 3), (6, 5))  # snarkjs [c0, c1] -> EVM (c1, c0)
    assert calldata.c == (7, 8)
    assert calldata.submit_args() == [[1, 2], [[4, 3], [6, 5]], [7, 8], 9, 10, 11]


@pytest.mark.parametrize(("field", "value", "message"), [
    ("pi_a", [str(Q), "2", "1"], r"pi_a\[0\]"),
    ("pi_b", [["3", str(Q)], ["5", "6"], ["1", "0"]], r"pi_b\[0\]\[1\]"),
    ("pi_c", ["7", "8", "2"], "affine"),
])
def test_proof_to_calldata_rejects_noncanonical_points(field: str, value: object, message: str) -> None:
    proof = {**_sample_proof_json(), field: value}
    with pytest.raises(ValueError, match=message):
        proof_to_calldata(proof, ["9"])


def test_proof_to_calldata_rejects_signal_outside_field() -> None:
    with pytest.raises(ValueError, match="public signal 2"):
        proof_to_calldata(_sample_proof_json(), ["1", "2", str(R)])


# --------------------------------------------------------------------------- toolchain fixture

@pytest.fixture(scope="module")
def fx(tmp_path_factory: pytest.TempPathFactory) -> StatementFixture:
    return build_statement_fixture(tmp_path_factory.mktemp("solidity"))


@dataclass
class Deployment:
    chain: Chain
    verifier: Contract
    registry: Contract
    owner: str
    oracle: str
    stranger: str


@pytest.fixture
def dep(fx: StatementFixture) -> Deployment:
    """Fresh chain: verifier + registry (window 2), oracle set, params root of witness 0 at epoch 1."""
    chain = Chain()
    owner, oracle, stranger = chain.account(1), chain.account(2), chain.account(3)
    verifier = chain.deploy(owner, "Groth16Verifier", *fx.contracts.verifier)
    registry = chain.deploy(owner, "MarginRegistry", *fx.contracts.registry, args=[verifier.address, FRESHNESS_WINDOW])
    chain.transact(registry, "setOracle", [oracle], sender=owner)
    chain.transact(registry, "publishParamsRoot", [fx.witnesses[0].params_root, 1], sender=oracle)
    return Deployment(chain, verifier, registry, owner, oracle, stranger)


def _verify(dep: Deployment, calldata: ProofCalldata) -> bool:
    (ok,) = dep.chain.call(dep.verifier, "verifyProof", calldata.verify_args()).values
    assert isinstance(ok, bool)
    return ok


def _reverts(dep: Deployment, function: str, args: list[AbiValue], sender: str) -> ContractRevertError:
    with pytest.raises(ContractRevertError) as info:
        dep.chain.transact(dep.registry, function, args, sender=sender)
    return info.value


def _record(dep: Deployment, commitment: int) -> tuple[AbiValue, ...]:
    return dep.chain.call(dep.registry, "accountRecord", [commitment]).values


@pytest.mark.slow
def test_each_transaction_starts_cold(dep: Deployment) -> None:
    # pyrevm keeps slots warm across calls; Chain must undo that or every gas number is low.
    reads = [dep.chain.transact(dep.registry, "latestEpoch", sender=dep.owner).execution_gas for _ in range(2)]
    assert reads[0] == reads[1] > 2_100  # one cold SLOAD (EIP-2929) each time
    publishes = [dep.chain.transact(dep.registry, "publishParamsRoot", [900 + epoch, epoch], sender=dep.owner)
                 for epoch in (2, 3)]
    assert publishes[0].execution_gas == publishes[1].execution_gas  # clean, cold slots both times (EIP-2200)
    assert dep.chain.call(dep.registry, "paramsRootEpoch", [902]).values == (2,)


# --------------------------------------------------------------------------- build products

@pytest.mark.slow
def test_fixture_statement_has_three_public_inputs(fx: StatementFixture) -> None:
    circuit = fx.keys.circuit
    assert (circuit.n_public_outputs, circuit.n_public_inputs) == (0, 3)
    assert fx.contracts.export.n_public == 3
    for witness, proof in zip(fx.witnesses, fx.proofs, strict=True):
        assert proof.calldata.public_signals == witness.public_signals


@pytest.mark.slow
def test_build_products_stay_out_of_the_repository(fx: StatementFixture) -> None:
    for path in (fx.keys.zkey, fx.contracts.export.source, fx.proofs[0].proof_path):
        assert not path.resolve().is_relative_to(tools.REPO_ROOT) or ".cache" in path.parts


@pytest.mark.slow
def test_generated_verifier_passes_the_checks(fx: StatementFixture) -> None:
    check_generated_verifier(fx.contracts.export.source.read_text(), 3)


@pytest.mark.slow
@pytest.mark.parametrize(("mutation", "n_public", "message"), [
    (lambda s: s.replace("checkField(calldataload(add(_pubSignals, 64)))", ""), 3, r"public signals \[2\]"),
    (lambda s: re.sub(r"function checkField\(v\) \{.*?\}\s*\}", "", s, count=1, flags=re.S), 3, "checkField"),
    (lambda s: s.replace("lt(v, r)", "lt(v, q)"), 3, "rejects v >= r"),
    (lambda s: s.replace("uint[3] calldata _pubSignals", "uint[2] calldata _pubSignals"), 3, "uint\\[3\\]"),
    (lambda s: s, 4, "nPublic = 4"),
    (lambda s: s.replace("495617;", "495618;", 1), 3, "not the BN254 scalar field"),
])
def test_generated_verifier_without_fixes_is_refused(fx: StatementFixture, mutation: Callable[[str], str],
                                                     n_public: int, message: str) -> None:
    mutated = mutation(fx.contracts.export.source.read_text())
    with pytest.raises(GeneratedVerifierError, match=message):
        check_generated_verifier(mutated, n_public)


@pytest.mark.slow
def test_compile_is_cached_by_content(fx: StatementFixture, tmp_path: Path) -> None:
    sources = [fx.contracts.export.source, REGISTRY_SOURCE]
    first = compile_contracts(sources, tmp_path / "a", cache_dir=tmp_path / "cache")
    second = compile_contracts(sources, tmp_path / "b", cache_dir=tmp_path / "cache")
    assert first == second
    assert len(list((tmp_path / "cache").glob("solc-*.json"))) == 1
    assert (tmp_path / "b" / "MarginRegistry.bin").read_text() == first["MarginRegistry"].bytecode.hex()
    manifest = json.loads((tmp_path / "b" / "solc-manifest.json").read_text())
    assert manifest["solc"].startswith("0.8.28+")
    assert manifest["settings"]["evmVersion"] == "cancun"
    # Our keccak and signature canonicalisation agree with solc's method identifiers.
    (cached,) = (tmp_path / "cache").glob("solc-*.json")
    solc_output = json.loads(cached.read_text())["output"]["contracts"]
    for unit, name in (("Groth16Verifier.sol", "Groth16Verifier"), ("MarginRegistry.sol", "MarginRegistry")):
        identifiers = solc_output[unit][name]["evm"]["methodIdentifiers"]
        abi = ContractAbi(first[name].abi)
        assert identifiers
        for signature, hex_selector in identifiers.items():
            assert abi.function(signature).selector.hex() == hex_selector


@pytest.mark.slow
def test_registry_refuses_a_verifier_without_code(fx: StatementFixture) -> None:
    chain = Chain()
    owner = chain.account(1)
    with pytest.raises(ContractRevertError) as info:
        chain.deploy(owner, "MarginRegistry", *fx.contracts.registry, args=["0x" + "00" * 19 + "42", 1])
    assert info.value.error == "VerifierHasNoCode"


# --------------------------------------------------------------------------- calldata conventions

@pytest.mark.slow
def test_calldata_matches_snarkjs_soliditycalldata(fx: StatementFixture) -> None:
    proof = fx.proofs[0]
    out = tools.snarkjs(["zkey", "export", "soliditycalldata", str(proof.public_path), str(proof.proof_path)]).stdout
    a, b, c, public = json.loads(f"[{out}]")
    as_int = lambda xs: [int(x, 16) for x in xs]  # noqa: E731
    calldata = proof.calldata
    assert as_int(a) == list(calldata.a)
    assert [as_int(row) for row in b] == [list(row) for row in calldata.b]
    assert as_int(c) == list(calldata.c)
    assert as_int(public) == list(calldata.public_signals)


@pytest.mark.slow
def test_g2_point_is_on_curve_only_in_snarkjs_order(fx: StatementFixture, dep: Deployment) -> None:
    pi_b = fx.proofs[0].proof_json["pi_b"]
    x = [int(v) for v in pi_b[0]]
    y = [int(v) for v in pi_b[1]]
    assert bn128.is_on_curve((bn128.FQ2(x), bn128.FQ2(y)), bn128.b2)  # snarkjs: [c0, c1]
    assert not bn128.is_on_curve((bn128.FQ2(x[::-1]), bn128.FQ2(y[::-1])), bn128.b2)
    calldata = fx.proofs[0].calldata
    unswapped = replace(calldata, b=(calldata.b[0][::-1], calldata.b[1][::-1]))
    assert _verify(dep, calldata)
    assert not _verify(dep, unswapped)


# --------------------------------------------------------------------------- verifier

@pytest.mark.slow
def test_valid_proofs_verify(fx: StatementFixture, dep: Deployment,
                             record_property: Callable[[str, object], None]) -> None:
    for index, proof in enumerate(fx.proofs):
        result = dep.chain.call(dep.verifier, "verifyProof", proof.calldata.verify_args())
        assert result.values == (True,), f"proof {index}"
    record_property("verifyProof_tx_gas", result.gas_used)
    record_property("verifyProof_execution_gas", result.execution_gas)
    print(f"\nverifyProof: {result.gas_used} gas as a transaction, {result.execution_gas} excluding intrinsic")
    assert result.gas_used <= VERIFY_GAS_BUDGET


def _tampered_signals(calldata: ProofCalldata, index: int, delta: int) -> ProofCalldata:
    signals = list(calldata.public_signals)
    signals[index] += delta
    return replace(calldata, public_signals=tuple(signals))


SIGNALS = ["params_root", "account_commitment", "margins"]
# +r keeps the value congruent mod r: only checkField stops it (ecMul reduces scalars mod r).
DELTAS = {"plus_one": 1, "plus_r": R}


@pytest.mark.slow
@pytest.mark.parametrize("delta_name", DELTAS)
@pytest.mark.parametrize("index", range(3), ids=SIGNALS)
def test_tampered_public_signal_is_rejected(fx: StatementFixture, dep: Deployment, index: int,
                                            delta_name: str) -> None:
    tampered = _tampered_signals(fx.proofs[0].calldata, index, DELTAS[delta_name])
    assert not _verify(dep, tampered)
    if index == 0 and delta_name == "plus_one":
        # Publish the tampered root too, so that submit reaches the verifier.
        dep.chain.transact(dep.registry, "publishParamsRoot", [tampered.public_signals[0], 2], sender=dep.owner)
    expected = "UnknownParamsRoot" if (index == 0 and delta_name == "plus_r") else "InvalidProof"
    assert _reverts(dep, "submit", tampered.submit_args(), dep.stranger).error == expected
    assert _record(dep, tampered.public_signals[1]) == (0, 0, 0)


PROOF_ELEMENTS = ["a0", "a1", "b00", "b01", "b10", "b11", "c0", "c1"]


def _tampered_proof(calldata: ProofCalldata, element: str, delta: int) -> ProofCalldata:
    a, b, c = list(calldata.a), [list(row) for row in calldata.b], list(calldata.c)
    if element[0] == "a":
        a[int(element[1])] += delta
    elif element[0] == "b":
        b[int(element[1])][int(element[2])] += delta
    else:
        c[int(element[1])] += delta
    return replace(calldata, a=(a[0], a[1]), b=((b[0][0], b[0][1]), (b[1][0], b[1][1])), c=(c[0], c[1]))


@pytest.mark.slow
@pytest.mark.parametrize("delta", [1, Q], ids=["plus_one", "plus_q"])
@pytest.mark.parametrize("element", PROOF_ELEMENTS)
def test_tampered_proof_element_is_rejected(fx: StatementFixture, dep: Deployment, element: str,
                                            delta: int) -> None:
    # +1 moves the point off the curve; +q is a non-canonical encoding of the same
    # coordinate, which the precompiles must refuse (no proof malleability by encoding).
    tampered = _tampered_proof(fx.proofs[0].calldata, element, delta)
    assert not _verify(dep, tampered)
    assert _reverts(dep, "submit", tampered.submit_args(), dep.stranger).error == "InvalidProof"
    assert _record(dep, fx.witnesses[0].account_commitment) == (0, 0, 0)


# --------------------------------------------------------------------------- registry

@pytest.mark.slow
def test_submit_records_margins_and_emits(fx: StatementFixture, dep: Deployment,
                                          record_property: Callable[[str, object], None]) -> None:
    witness = fx.witnesses[0]
    result = dep.chain.transact(dep.registry, "submit", fx.proofs[0].calldata.submit_args(), sender=dep.stranger)
    assert [log.event for log in result.logs] == ["MarginAttested"]
    assert result.logs[0].address == dep.registry.address
    assert result.logs[0].args == {"accountCommitment": witness.account_commitment, "epoch": 1,
                                   "initialMargin": witness.initial_margin,
                                   "maintenanceMargin": witness.maintenance_margin}
    assert _record(dep, witness.account_commitment) == (witness.initial_margin, witness.maintenance_margin, 1)
    assert _record(dep, fx.witnesses[1].account_commitment) == (0, 0, 0)
    record_property("submit_tx_gas", result.gas_used)
    print(f"\nsubmit (new account): {result.gas_used} gas as a transaction, {result.execution_gas} excluding intrinsic")
    assert result.gas_used <= SUBMIT_GAS_BUDGET


@pytest.mark.slow
def test_two_accounts_under_one_root(fx: StatementFixture, dep: Deployment) -> None:
    for proof in fx.proofs[:2]:
        dep.chain.transact(dep.registry, "submit", proof.calldata.submit_args(), sender=dep.stranger)
    for witness in fx.witnesses[:2]:
        assert _record(dep, witness.account_commitment) == (witness.initial_margin, witness.maintenance_margin, 1)


@pytest.mark.slow
def test_largest_margins_split_exactly(fx: StatementFixture, dep: Deployment) -> None:
    witness = fx.witnesses[3]
    assert witness.initial_margin >= 2**124 and witness.maintenance_margin >= 2**124
    dep.chain.transact(dep.registry, "publishParamsRoot", [witness.params_root, 2], sender=dep.owner)
    dep.chain.transact(dep.registry, "submit", fx.proofs[3].calldata.submit_args(), sender=dep.stranger)
    assert _record(dep, witness.account_commitment) == (witness.initial_margin, witness.maintenance_margin, 2)


@pytest.mark.slow
def test_unknown_root_is_rejected(fx: StatementFixture, dep: Deployment) -> None:
    # Witness 2's params (epoch-2 rates) were never published in this deployment.
    error = _reverts(dep, "submit", fx.proofs[2].calldata.submit_args(), dep.stranger)
    assert (error.error, error.error_args) == ("UnknownParamsRoot", (fx.witnesses[2].params_root,))


def _publish_dummy_epochs(dep: Deployment, epochs: range) -> None:
    for epoch in epochs:
        dep.chain.transact(dep.registry, "publishParamsRoot", [10_000 + epoch, epoch], sender=dep.oracle)


@pytest.mark.slow
def test_root_is_fresh_up_to_the_window(fx: StatementFixture, dep: Deployment) -> None:
    _publish_dummy_epochs(dep, range(2, 2 + FRESHNESS_WINDOW))  # latest = 1 + window: age == window
    dep.chain.transact(dep.registry, "submit", fx.proofs[0].calldata.submit_args(), sender=dep.stranger)
    assert _record(dep, fx.witnesses[0].account_commitment)[2] == 1


@pytest.mark.slow
def test_stale_root_is_rejected(fx: StatementFixture, dep: Deployment) -> None:
    _publish_dummy_epochs(dep, range(2, 3 + FRESHNESS_WINDOW))  # latest = 2 + window: age == window + 1
    error = _reverts(dep, "submit", fx.proofs[0].calldata.submit_args(), dep.stranger)
    expected = ("StaleParamsRoot", (fx.witnesses[0].params_root, 1, 2 + FRESHNESS_WINDOW))
    assert (error.error, error.error_args) == expected


@pytest.mark.slow
def test_only_owner_or_oracle_publish_roots(dep: Deployment) -> None:
    error = _reverts(dep, "publishParamsRoot", [777, 2], dep.stranger)
    assert (error.error, error.error_args) == ("Unauthorized", (dep.stranger,))
    dep.chain.transact(dep.registry, "publishParamsRoot", [777, 2], sender=dep.owner)
    dep.chain.transact(dep.registry, "publishParamsRoot", [778, 3], sender=dep.oracle)
    assert _reverts(dep, "setOracle", [dep.stranger], dep.oracle).error == "Unauthorized"
    dep.chain.transact(dep.registry, "setOracle", ["0x" + "00" * 20], sender=dep.owner)  # revoke
    assert _reverts(dep, "publishParamsRoot", [779, 4], dep.oracle).error == "Unauthorized"
    assert dep.chain.call(dep.registry, "paramsRootEpoch", [778]).values == (3,)
    assert dep.chain.call(dep.registry, "latestEpoch").values == (3,)


@pytest.mark.slow
def test_ownership_transfer(dep: Deployment) -> None:
    assert _reverts(dep, "transferOwnership", [dep.stranger], dep.oracle).error == "Unauthorized"
    assert _reverts(dep, "transferOwnership", ["0x" + "00" * 20], dep.owner).error == "ZeroAddress"
    result = dep.chain.transact(dep.registry, "transferOwnership", [dep.stranger], sender=dep.owner)
    assert result.logs[0].args == {"previousOwner": dep.owner, "newOwner": dep.stranger}
    assert _reverts(dep, "publishParamsRoot", [777, 2], dep.owner).error == "Unauthorized"
    dep.chain.transact(dep.registry, "publishParamsRoot", [777, 2], sender=dep.stranger)


@pytest.mark.slow
@pytest.mark.parametrize(("root", "epoch", "error", "args"), [
    (777, 1, "EpochNotIncreasing", (1, 1)),
    (777, 0, "EpochNotIncreasing", (0, 1)),
    (0, 2, "InvalidParamsRoot", (0,)),
    (R, 2, "InvalidParamsRoot", (R,)),
    (None, 2, "ParamsRootAlreadyPublished", None),
])
def test_publication_rules(fx: StatementFixture, dep: Deployment, root: int | None, epoch: int, error: str,
                           args: tuple[int, ...] | None) -> None:
    root = fx.witnesses[0].params_root if root is None else root
    args = (root, 1) if args is None else args
    reverted = _reverts(dep, "publishParamsRoot", [root, epoch], dep.owner)
    assert (reverted.error, reverted.error_args) == (error, args)


@pytest.mark.slow
def test_resubmission_at_the_same_epoch_is_a_replay(fx: StatementFixture, dep: Deployment) -> None:
    calldata = fx.proofs[0].calldata
    commitment = fx.witnesses[0].account_commitment
    dep.chain.transact(dep.registry, "submit", calldata.submit_args(), sender=dep.stranger)
    error = _reverts(dep, "submit", calldata.submit_args(), dep.owner)
    assert (error.error, error.error_args) == ("EpochReplay", (commitment, 1, 1))
    # A re-randomised copy (kA, B/k, C) is a different, equally valid proof: still a replay.
    k = 0x1234567
    a = bn128.multiply((bn128.FQ(calldata.a[0]), bn128.FQ(calldata.a[1])), k)
    b_point = (bn128.FQ2([calldata.b[0][1], calldata.b[0][0]]), bn128.FQ2([calldata.b[1][1], calldata.b[1][0]]))
    b = bn128.multiply(b_point, pow(k, -1, bn128.curve_order))
    rerandomised = replace(
        calldata, a=(int(a[0]), int(a[1])),
        b=((int(b[0].coeffs[1]), int(b[0].coeffs[0])), (int(b[1].coeffs[1]), int(b[1].coeffs[0]))))
    assert rerandomised.a != calldata.a
    assert _verify(dep, rerandomised)
    assert _reverts(dep, "submit", rerandomised.submit_args(), dep.stranger).error == "EpochReplay"


@pytest.mark.slow
def test_newer_epoch_is_accepted_and_older_is_a_replay(fx: StatementFixture, dep: Deployment,
                                                      record_property: Callable[[str, object], None]) -> None:
    old, new = fx.witnesses[0], fx.witnesses[2]
    assert old.account_commitment == new.account_commitment and old.margins != new.margins
    dep.chain.transact(dep.registry, "submit", fx.proofs[0].calldata.submit_args(), sender=dep.stranger)
    dep.chain.transact(dep.registry, "publishParamsRoot", [new.params_root, 2], sender=dep.oracle)
    result = dep.chain.transact(dep.registry, "submit", fx.proofs[2].calldata.submit_args(), sender=dep.stranger)
    assert result.logs[0].args["epoch"] == 2
    assert _record(dep, new.account_commitment) == (new.initial_margin, new.maintenance_margin, 2)
    record_property("submit_update_tx_gas", result.gas_used)
    print(f"\nsubmit (update): {result.gas_used} gas as a transaction, {result.execution_gas} excluding intrinsic")
    error = _reverts(dep, "submit", fx.proofs[0].calldata.submit_args(), dep.stranger)
    assert (error.error, error.error_args) == ("EpochReplay", (old.account_commitment, 1, 2))


@pytest.mark.slow
def test_views_of_an_unknown_account_and_root(dep: Deployment) -> None:
    assert _record(dep, 12345) == (0, 0, 0)
    assert dep.chain.call(dep.registry, "paramsRootEpoch", [12345]).values == (0,)
    assert dep.chain.call(dep.registry, "freshnessWindow").values == (FRESHNESS_WINDOW,)
    assert dep.chain.call(dep.registry, "verifier").values == (dep.verifier.address,)


# --------------------------------------------------------------------------- the real account circuit

BUTTERFLY = tools.REPO_ROOT / "examples" / "portfolios" / "butterfly.json"


@pytest.fixture(scope="module")
def account_proof(test_keys: SetupArtifacts, example_params_tree: ParamsTree,
                  tmp_path_factory: pytest.TempPathFactory) -> ProofResult:
    """One proof of examples/portfolios/butterfly.json with the `test` circuit's INSECURE dev keys."""
    account = encode_account(load_portfolio(BUTTERFLY), example_params_tree.table, source=str(BUTTERFLY))
    return prove_account(test_keys, check_provable(example_params_tree, account),
                         workdir=tmp_path_factory.mktemp("account"))


@pytest.mark.slow
def test_account_proof_verifies_and_registry_accepts_it(test_keys: SetupArtifacts, example_params_tree: ParamsTree,
                                                         account_proof: ProofResult) -> None:
    epoch = example_params_tree.table.epoch
    signals = account_proof.bundle.public_signals
    check = check_on_evm(test_keys.zkey, account_proof.bundle.snarkjs_proof(), signals, epoch)
    assert check.verified
    assert check.accepted, check.rejection
    statement = account_proof.statement
    assert check.record == (statement.initial_margin, statement.maintenance_margin, epoch)
    assert unpack_margins(int(signals[2])) == (statement.initial_margin, statement.maintenance_margin)


@pytest.mark.slow
def test_account_proof_solidity_and_python_verifiers_agree(test_keys: SetupArtifacts,
                                                           account_proof: ProofResult) -> None:
    contracts = build_verifier_contracts(test_keys.zkey)
    chain = Chain()
    verifier = chain.deploy(chain.account(1), "Groth16Verifier", *contracts.verifier)
    vkey = json.loads(test_keys.vkey.read_text())
    proof = account_proof.bundle.snarkjs_proof()
    calldata = proof_to_calldata(proof, account_proof.bundle.public_signals)

    def verdicts(candidate: ProofCalldata) -> tuple[bool, bool]:
        (on_chain,) = chain.call(verifier, "verifyProof", candidate.verify_args()).values
        return on_chain is True, groth16.verify(vkey, proof, list(candidate.public_signals))

    assert verdicts(calldata) == (True, True)
    for index, name in enumerate(SIGNALS):
        assert verdicts(_tampered_signals(calldata, index, 1)) == (False, False), name
