"""On-chain verification: the Groth16 verifier rendered from a vkey, PoseidonT7 and MarginRegistry on pyrevm.

The first tests need no toolchain: the ABI on eth-abi, calldata conversion, and the two things
``zkmargin.verifier._pyrevm_compat`` reads from pinned pyrevm's debug text, checked against
hand-assembled contracts.  The module fixture then compiles ``tests/fixtures/solidity/statement.circom``
(a toy circuit with the account statement's four public signals and its Poseidon params root), makes
INSECURE dev keys, renders and compiles the verifier from the vkey, and proves four witnesses
(``tests/solidity_fixture.py``).  Every negative test changes exactly one thing and names the rejection
it expects.  The last tests check one proof of the real account circuit (``test`` size) on chain and
against the Python verifier.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Final, cast

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from py_ecc.bn128 import bn128_curve
from py_ecc.fields import bn128_FQ as FQ
from py_ecc.fields import bn128_FQ2 as FQ2
from pyrevm import EVM
from solidity_fixture import PARAMS_1, StatementFixture, StatementWitness, build_statement_fixture, fixture_params

from zkmargin.constants import BASE_FIELD_MODULUS, FIELD_ORDER, MULT_BITS
from zkmargin.engine.account import encode_account
from zkmargin.engine.commitments import ParamsTree
from zkmargin.engine.io import load_portfolio
from zkmargin.prover.prove import ProofResult, check_provable, prove_account
from zkmargin.statement.commitments import DOMAIN_PARAMS, params_root, unpack_margins
from zkmargin.statement.poseidon import poseidon
from zkmargin.statement.records import ParamsRecord
from zkmargin.statement.signals import Disclosure
from zkmargin.statement.sizes import SIZES
from zkmargin.toolchain import tools
from zkmargin.toolchain.keys import SetupArtifacts
from zkmargin.verifier import _pyrevm_compat as compat
from zkmargin.verifier import groth16
from zkmargin.verifier.abi import (
    AbiError,
    AbiJson,
    AbiValue,
    ContractAbi,
    decode,
    decode_error_string,
    encode,
    keccak256,
    selector,
)
from zkmargin.verifier.evm import (
    SPEC_ID,
    Chain,
    Contract,
    ContractRevertError,
    ExecutionHaltedError,
    ProofCalldata,
    intrinsic_gas,
    proof_to_calldata,
)
from zkmargin.verifier.groth16_errors import MalformedKeyError
from zkmargin.verifier.onchain import AccountRecord, check_on_evm, publish_params_args, registry_record
from zkmargin.verifier.solidity import poseidon_t7
from zkmargin.verifier.solidity_build import (
    REGISTRY_SOURCE,
    GeneratedVerifierError,
    build_verifier_from_vkey,
    check_generated_verifier,
    compile_contracts,
)

R = FIELD_ORDER
Q = BASE_FIELD_MODULUS
MULT_LIMIT = 1 << MULT_BITS
FRESHNESS_WINDOW = 2
MAX_EPOCH_JUMP = 3
VERIFY_GAS_BUDGET = 240_000
SUBMIT_GAS_BUDGET = 330_000  # a record is three slots: margin commitment, disclosure, epoch
#: publishParams hashes the root on chain with PoseidonT7 (~120k gas of it).
PUBLISH_GAS_BUDGET = 220_000
POSEIDON_GAS_BUDGET = 150_000


# --------------------------------------------------------------------------- ABI (no toolchain)

def test_keccak256_known_vectors() -> None:
    assert keccak256(b"").hex() == "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"
    assert keccak256(b"abc").hex() == "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45"
    assert selector("transfer(address,uint256)").hex() == "a9059cbb"
    assert selector("Error(string)").hex() == "08c379a0"
    assert selector("Panic(uint256)").hex() == "4e487b71"
    # 136 bytes is exactly one rate block: padding must spill into a second block.
    assert keccak256(b"\x00" * 136) != keccak256(b"\x00" * 135)


def test_verify_proof_calldata_layout() -> None:
    """uint[2], uint[2][2], uint[2], uint[3]: 11 static words, b row-major as nested sequences."""
    a, b, c, pub = [1, 2], [[3, 4], [5, 6]], [7, 8], [9, 10, R - 1]
    data = encode(["uint256[2]", "uint256[2][2]", "uint256[2]", "uint256[3]"], [a, b, c, pub])
    assert [int.from_bytes(data[i:i + 32], "big") for i in range(0, len(data), 32)] == [*range(1, 11), R - 1]
    assert decode(["uint256[2]", "uint256[2][2]"], data) == ((1, 2), ((3, 4), (5, 6)))  # tuples, not lists
    assert encode(["uint[2]"], [a]) == encode(["uint256[2]"], [a])  # the generated verifier writes `uint[2]`


def test_abi_static_roundtrip_and_bounds() -> None:
    types = ["uint256[2][2]", "address", "bool", "uint64", "int8", "bytes4"]
    values: list[AbiValue] = [[[1, 2], [3, 2**256 - 1]], "0x" + "ab" * 20, True, 2**64 - 1, -128, b"\x01\x02\x03\x04"]
    data = encode(types, values)
    assert len(data) == 32 * 9
    assert decode(types, data) == (((1, 2), (3, 2**256 - 1)), "0x" + "ab" * 20, True, 2**64 - 1, -128,
                                   b"\x01\x02\x03\x04")
    cases: list[tuple[list[str], list[AbiValue], str]] = [
        (["uint64"], [2**64], "Cannot be encoded in 64 bits"),
        (["uint256"], [-1], "Cannot be encoded in 256 bits"),
        (["uint256[2]"], [[1, 2, 3]], "has 3 items when 2 were expected"),
        (["uint256"], [True], "cannot be encoded"),
        (["bool"], [1], "cannot be encoded"),
        (["uint7"], [1], "integer size"),
        (["uint256"], [1, 2], "1 ABI types but 2 values"),
    ]
    for bad_types, bad_values, message in cases:
        with pytest.raises(AbiError, match=message):
            encode(bad_types, bad_values)
    with pytest.raises(AbiError, match="Padding bytes were not empty"):
        decode(["address"], b"\x01" * 32)
    with pytest.raises(AbiError, match="Boolean must be either"):
        decode(["bool"], (2).to_bytes(32, "big"))
    with pytest.raises(AbiError, match="only got 31 bytes"):
        decode(["uint256"], bytes(31))


def test_abi_dynamic_types_and_error_strings() -> None:
    data = encode(["uint256[]", "bytes", "string"], [[1, 2, 3], b"\xff", "hi"])
    assert decode(["uint256[]", "bytes", "string"], data) == ((1, 2, 3), b"\xff", "hi")
    assert decode_error_string(encode(["string"], ["x too small"])) == "x too small"
    assert decode_error_string(encode(["bytes"], [b"\xff ok"])) == "\ufffd ok"  # invalid UTF-8 does not raise


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


def test_publish_params_args_and_record_decoding() -> None:
    assert publish_params_args(PARAMS_1) == [int(PARAMS_1.instruments_root), int(PARAMS_1.table_hash),
                                             1_200, 800, 1]
    assert registry_record((6, 1, 4, 3, False)) == AccountRecord(6, 1, 4, 3, False)
    assert AccountRecord(6, 1, 4, 3, False).disclosure_signal == (1 << 248) + 4
    with pytest.raises(TypeError):
        registry_record((6, 1, 4, 3, 0))


# --------------------------------------------------------------------------- pinned pyrevm (no toolchain)

def _initcode(runtime: bytes) -> bytes:
    """Creation code returning ``runtime``: PUSH1 n DUP1 PUSH1 11 PUSH1 0 CODECOPY PUSH1 0 RETURN."""
    assert len(runtime) < 256
    return bytes([0x60, len(runtime), 0x80, 0x60, 0x0B, 0x60, 0x00, 0x39, 0x60, 0x00, 0xF3]) + runtime


#: sstore(calldataload(0), calldataload(32))
STORE_RUNTIME = bytes.fromhex("6020356000355500")
#: revert with the calldata as payload: calldatacopy(0, 0, calldatasize()); revert(0, calldatasize())
ECHO_REVERT_RUNTIME = bytes.fromhex("366000600037366000fd")
#: return codesize()
CODESIZE_RUNTIME = bytes.fromhex("3860005260206000f3")
#: INVALID (0xfe): an exceptional halt
INVALID_RUNTIME = bytes.fromhex("fe")
SENDER = "0x" + "ea".rjust(40, "0")


def _function(name: str, inputs: list[str], outputs: tuple[str, ...] = (), kind: str = "function") -> dict[str, Any]:
    return {"type": kind, "name": name, "inputs": [{"name": f"x{i}", "type": t} for i, t in enumerate(inputs)],
            "outputs": [{"name": "", "type": t} for t in outputs], "stateMutability": "nonpayable"}


def test_pyrevm_is_the_pinned_version() -> None:
    compat.check_pyrevm_version()


def test_journal_storage_parser_reads_every_written_slot() -> None:
    """The parser finds exactly the slots written, with their last values, and EVM.storage agrees."""
    evm = EVM(spec_id=SPEC_ID)
    address = evm.deploy(SENDER, _initcode(STORE_RUNTIME)).lower()
    expected = {0: 9, 42: 7, 2**255: 8, 2**256 - 1: R - 1}
    for slot, value in [(42, 1), *expected.items()]:  # slot 42 is written twice: the last value counts
        evm.message_call(SENDER, address, encode(["uint256", "uint256"], [slot, value]))
    storage = compat.journal_storage(evm)
    assert storage[address] == expected
    assert {a.lower() for a in evm.journal_state} == set(storage) >= {address, SENDER}  # the coinbase too
    assert not any(slots for account, slots in storage.items() if account != address)


@pytest.mark.parametrize("payload", [b"", selector("Oops(uint256)") + encode(["uint256"], [5])], ids=["empty", "error"])
def test_revert_payload_parser(payload: bytes) -> None:
    evm = EVM(spec_id=SPEC_ID)
    address = evm.deploy(SENDER, _initcode(ECHO_REVERT_RUNTIME))
    with pytest.raises(RuntimeError) as info:
        evm.message_call(SENDER, address, payload)
    result = evm.result
    assert result is not None and result.reason == "Revert"
    assert compat.revert_output(info.value, result.gas_used) == payload


@pytest.mark.parametrize(("text", "gas"), [
    ("Revert { gas_used: 5, output: 0x2de7f6df }", 6),  # gas disagrees with the typed result
    ("Halt { reason: OutOfGas(Basic), gas_used: 5 }", 5),
    ("Revert { gas_used: 5, output: 0x2DE7F6DF }", 5),  # not pyrevm's lower-case hex
    ("Revert { gas_used: 5, output: 0x2de7f6df } trailing", 5),
])
def test_revert_payload_parser_is_strict(text: str, gas: int) -> None:
    with pytest.raises(compat.PyrevmFormatError):
        compat.revert_output(RuntimeError(text), gas)


def test_code_survives_the_state_rebuild_unpadded() -> None:
    """revm pads analysed code with 33 zero bytes; the rebuilt state must hold the real runtime code."""
    chain = Chain()
    contract = chain.deploy(chain.account(1), "CodeSize", [_function("codeSize", [], ("uint256",))],
                            _initcode(CODESIZE_RUNTIME))
    assert len(chain.evm.get_code(contract.address) or b"") == len(CODESIZE_RUNTIME) + 33  # what pyrevm returns
    for _ in range(2):  # each call after a state change runs on a rebuilt EVM
        assert chain.transact(contract, "codeSize", sender=chain.account(1)).values == (len(CODESIZE_RUNTIME),)


def test_reverts_are_decoded_from_the_payload() -> None:
    """The echo contract reverts with its calldata, so calling `f(args)` reverts with the error `f(args)`."""
    abi: AbiJson = [_function("Oops", ["uint256", "uint64"]), _function("Oops", ["uint256", "uint64"], kind="error"),
                    _function("Error", ["string"]), _function("Panic", ["uint256"]), _function("Unknown", ["bool"])]
    chain = Chain()
    echo = chain.deploy(chain.account(1), "Echo", abi, _initcode(ECHO_REVERT_RUNTIME))
    for function, args, expected in [("Oops", [7, 2**64 - 1], ("Oops", (7, 2**64 - 1))),
                                     ("Error", ["x too small"], ("Error", ("x too small",))),
                                     ("Panic", [0x12], ("Panic", (0x12,))),
                                     ("Unknown", [True], (None, ()))]:
        with pytest.raises(ContractRevertError) as info:
            chain.transact(echo, function, cast(list[AbiValue], args), sender=chain.account(1))
        assert (info.value.error, info.value.error_args) == expected, function
        assert info.value.gas_used > 21_000


def test_halt_is_reported_from_the_typed_result() -> None:
    chain = Chain()
    bomb = chain.deploy(chain.account(1), "Invalid", [_function("boom", [])], _initcode(INVALID_RUNTIME))
    with pytest.raises(ExecutionHaltedError) as info:
        chain.transact(bomb, "boom", sender=chain.account(1))
    assert info.value.reason == "InvalidFEOpcode"


# --------------------------------------------------------------------------- PoseidonT7

@pytest.fixture(scope="module")
def hasher(tmp_path_factory: pytest.TempPathFactory) -> tuple[Chain, Contract]:
    """The generated PoseidonT7, compiled alone and deployed on a fresh chain."""
    work = tmp_path_factory.mktemp("poseidon")
    compiled = compile_contracts([poseidon_t7.write_poseidon_t7(work)], work / "out")
    chain = Chain()
    return chain, chain.deploy(chain.account(1), "PoseidonT7", *compiled[poseidon_t7.CONTRACT_NAME])


def _hash_on_chain(hasher: tuple[Chain, Contract], inputs: list[int]) -> int:
    chain, contract = hasher
    (out,) = chain.call(contract, "hash", [inputs]).values
    assert isinstance(out, int)
    return out


FIELD_ELEMENT = st.integers(min_value=0, max_value=R - 1)


@pytest.mark.slow
@settings(max_examples=25, deadline=None, derandomize=True)
@given(inputs=st.lists(FIELD_ELEMENT, min_size=6, max_size=6))
def test_poseidon_t7_equals_circomlib_poseidon(hasher: tuple[Chain, Contract], inputs: list[int]) -> None:
    assert _hash_on_chain(hasher, inputs) == poseidon(inputs)


@pytest.mark.slow
@pytest.mark.parametrize("inputs", [[0] * 6, [R - 1] * 6, [1, 0, 0, 0, 0, R - 1]], ids=["zeros", "r-1", "mixed"])
def test_poseidon_t7_at_the_field_boundary(hasher: tuple[Chain, Contract], inputs: list[int]) -> None:
    assert _hash_on_chain(hasher, inputs) == poseidon(inputs)


@pytest.mark.slow
def test_poseidon_t7_computes_params_roots(hasher: tuple[Chain, Contract],
                                           record_property: Callable[[str, object], None]) -> None:
    rng = random.Random(20261123)
    for _ in range(10):
        parts = [rng.randrange(R), rng.randrange(R), rng.randrange(1, MULT_LIMIT), rng.randrange(1, MULT_LIMIT),
                 rng.randrange(1, 2**64)]
        assert _hash_on_chain(hasher, [DOMAIN_PARAMS, *parts]) == params_root(*parts)
    chain, contract = hasher
    result = chain.call(contract, "hash", [[DOMAIN_PARAMS, *parts]])
    record_property("poseidon_t7_execution_gas", result.execution_gas)
    print(f"\nPoseidonT7.hash: {result.gas_used} gas as a transaction, {result.execution_gas} excluding intrinsic")
    assert result.gas_used <= POSEIDON_GAS_BUDGET


@pytest.mark.slow
@pytest.mark.parametrize("index", range(6))
def test_poseidon_t7_refuses_inputs_outside_the_field(hasher: tuple[Chain, Contract], index: int) -> None:
    chain, contract = hasher
    inputs = [1, 2, 3, 4, 5, 6]
    inputs[index] = R + inputs[index]  # congruent mod r: only the range check tells them apart
    with pytest.raises(ContractRevertError) as info:
        chain.call(contract, "hash", [inputs])
    assert (info.value.error, info.value.error_args) == ("InputNotInField", (index, inputs[index]))


def test_poseidon_t7_source_is_generated_from_the_python_constants() -> None:
    source = poseidon_t7.poseidon_t7_source()
    assert f"uint256 internal constant FIELD = {R};" in source
    blob = re.search(r'ROUND_CONSTANTS = hex"([0-9a-f]*)"', source)
    assert blob is not None and len(blob[1]) == 64 * 7 * (8 + 63)
    assert source == poseidon_t7.poseidon_t7_source()  # deterministic: the build cache keys on it


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

    def publish(self, params: ParamsRecord, sender: str | None = None) -> int:
        """publishParams(parts) and the root the registry computed."""
        result = self.chain.transact(self.registry, "publishParams", publish_params_args(params),
                                     sender=sender or self.owner)
        (root,) = result.values
        assert isinstance(root, int)
        return root


def _deploy(fx: StatementFixture, publish_first: bool = True) -> Deployment:
    chain = Chain()
    owner, oracle, stranger = chain.account(1), chain.account(2), chain.account(3)
    verifier = chain.deploy(owner, "Groth16Verifier", *fx.contracts.verifier)
    registry = chain.deploy(owner, "MarginRegistry", *fx.contracts.registry,
                            args=[verifier.address, FRESHNESS_WINDOW, MAX_EPOCH_JUMP])
    chain.transact(registry, "setOracle", [oracle], sender=owner)
    deployment = Deployment(chain, verifier, registry, owner, oracle, stranger)
    if publish_first:
        deployment.publish(fx.witnesses[0].params, sender=oracle)
    return deployment


@pytest.fixture
def dep(fx: StatementFixture) -> Deployment:
    """Fresh chain: verifier + registry (window 2, max jump 3), oracle set, params P1 published at epoch 1."""
    return _deploy(fx)


@pytest.fixture
def bare(fx: StatementFixture) -> Deployment:
    """Like ``dep``, but nothing published yet."""
    return _deploy(fx, publish_first=False)


def _verify(dep: Deployment, calldata: ProofCalldata) -> bool:
    (ok,) = dep.chain.call(dep.verifier, "verifyProof", calldata.verify_args()).values
    assert isinstance(ok, bool)
    return ok


def _reverts(dep: Deployment, function: str, args: list[AbiValue], sender: str) -> ContractRevertError:
    with pytest.raises(ContractRevertError) as info:
        dep.chain.transact(dep.registry, function, args, sender=sender)
    return info.value


def _record(dep: Deployment, commitment: int) -> AccountRecord:
    return registry_record(dep.chain.call(dep.registry, "accountRecord", [commitment]).values)


#: ``accountRecord`` of an account that never submitted.
NO_RECORD: Final = AccountRecord(0, 0, 0, 0, False)


def _expected(witness: StatementWitness, epoch: int, *, revoked: bool = False) -> AccountRecord:
    """The record the registry should hold after ``witness``'s proof at ``epoch``."""
    statement = witness.statement
    return AccountRecord(statement.margin_commitment, statement.disclosure, statement.disclosure_value, epoch,
                         revoked)


def _dummy_params(epoch: int, im_bp: int = 1_000, mm_bp: int = 500) -> ParamsRecord:
    return fixture_params(f"dummy-{epoch}", im_bp, mm_bp, epoch)


def _publish_dummy_epochs(dep: Deployment, epochs: range) -> None:
    for epoch in epochs:
        dep.publish(_dummy_params(epoch), sender=dep.oracle)


@pytest.mark.slow
def test_each_transaction_starts_cold(dep: Deployment) -> None:
    # pyrevm keeps slots warm across calls; Chain must undo that or every gas number is low.
    reads = [dep.chain.transact(dep.registry, "latestEpoch", sender=dep.owner).execution_gas for _ in range(2)]
    assert reads[0] == reads[1] > 2_100  # one cold SLOAD (EIP-2929) each time
    publishes = [dep.chain.transact(dep.registry, "publishParams", publish_params_args(_dummy_params(epoch)),
                                    sender=dep.owner) for epoch in (2, 3)]
    assert publishes[0].execution_gas == publishes[1].execution_gas  # clean, cold slots both times (EIP-2200)
    assert dep.chain.call(dep.registry, "paramsRootEpoch", [_dummy_params(2).params_root()]).values == (2,)


# --------------------------------------------------------------------------- build products

@pytest.mark.slow
def test_fixture_statement_has_four_public_inputs(fx: StatementFixture) -> None:
    circuit = fx.keys.circuit
    assert (circuit.n_public_outputs, circuit.n_public_inputs) == (0, 4)
    assert fx.contracts.export.n_public == 4
    for witness, proof in zip(fx.witnesses, fx.proofs, strict=True):
        assert proof.calldata.public_signals == witness.public_signals


@pytest.mark.slow
def test_build_products_stay_out_of_the_repository(fx: StatementFixture) -> None:
    for path in (fx.keys.zkey, fx.contracts.export.source, fx.contracts.out_dir / poseidon_t7.SOURCE_NAME,
                 fx.proofs[0].proof_path):
        assert not path.resolve().is_relative_to(tools.REPO_ROOT) or ".cache" in path.parts


@pytest.mark.slow
def test_verifier_from_the_vkey_is_what_snarkjs_exports_from_the_zkey(fx: StatementFixture, tmp_path: Path) -> None:
    exported = tmp_path / "snarkjs.sol"
    tools.snarkjs(["zkey", "export", "solidityverifier", str(fx.keys.zkey), str(exported)])
    assert fx.contracts.export.source.read_bytes() == exported.read_bytes()


@pytest.mark.slow
def test_build_is_cached_by_the_content_of_the_key(fx: StatementFixture, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    first = build_verifier_from_vkey(fx.keys.vkey, cache_dir=cache)
    # The same key written differently (indentation, key order, no vk_alphabeta_12) is the same build.
    key = json.loads(fx.keys.vkey.read_text())
    key.pop("vk_alphabeta_12", None)
    rewritten = tmp_path / "rewritten.vkey.json"
    rewritten.write_text(json.dumps(dict(reversed(list(key.items())))))
    second = build_verifier_from_vkey(rewritten, cache_dir=cache)
    assert first.out_dir == second.out_dir and first.out_dir.parent == cache / "build"
    assert first.verifier == second.verifier and first.registry == second.registry
    assert len(list(cache.glob("solc-*.json"))) == 1


@pytest.mark.slow
def test_key_with_other_public_signals_is_refused(fx: StatementFixture, tmp_path: Path) -> None:
    key = json.loads(fx.keys.vkey.read_text())
    key["nPublic"], key["IC"] = 2, key["IC"][:3]
    path = tmp_path / "two.vkey.json"
    path.write_text(json.dumps(key))
    with pytest.raises(GeneratedVerifierError, match="2 public signals"):
        build_verifier_from_vkey(path, cache_dir=tmp_path / "cache")


@pytest.mark.slow
@pytest.mark.parametrize(("change", "message"), [
    (lambda k: k.update(protocol="plonk"), "protocol"),
    (lambda k: k["IC"][1].__setitem__(0, str(Q)), r"IC\[1\]"),
    (lambda k: k["vk_delta_2"][0].__setitem__(0, "1"), "vk_delta_2"),
])
def test_malformed_key_is_refused_before_rendering(fx: StatementFixture, tmp_path: Path,
                                                   change: Callable[[dict[str, Any]], None], message: str) -> None:
    key = json.loads(fx.keys.vkey.read_text())
    change(key)
    path = tmp_path / "bad.vkey.json"
    path.write_text(json.dumps(key))
    with pytest.raises(MalformedKeyError, match=message):
        build_verifier_from_vkey(path, cache_dir=tmp_path / "cache")
    assert not (tmp_path / "cache").exists()


@pytest.mark.slow
def test_generated_verifier_passes_the_checks(fx: StatementFixture) -> None:
    check_generated_verifier(fx.contracts.export.source.read_text(), 4)


@pytest.mark.slow
@pytest.mark.parametrize(("mutation", "n_public", "message"), [
    (lambda s: s.replace("checkField(calldataload(add(_pubSignals, 96)))", ""), 4, r"public signals \[3\]"),
    (lambda s: re.sub(r"function checkField\(v\) \{.*?\}\s*\}", "", s, count=1, flags=re.S), 4, "checkField"),
    (lambda s: s.replace("lt(v, r)", "lt(v, q)"), 4, "rejects v >= r"),
    (lambda s: s.replace("uint[4] calldata _pubSignals", "uint[3] calldata _pubSignals"), 4, "uint\\[4\\]"),
    (lambda s: s, 5, "nPublic = 5"),
    (lambda s: s.replace("495617;", "495618;", 1), 4, "not the BN254 scalar field"),
])
def test_generated_verifier_without_fixes_is_refused(fx: StatementFixture, mutation: Callable[[str], str],
                                                     n_public: int, message: str) -> None:
    mutated = mutation(fx.contracts.export.source.read_text())
    with pytest.raises(GeneratedVerifierError, match=message):
        check_generated_verifier(mutated, n_public)


@pytest.mark.slow
def test_compile_is_cached_by_content(fx: StatementFixture, tmp_path: Path) -> None:
    sources = [fx.contracts.export.source, fx.contracts.out_dir / poseidon_t7.SOURCE_NAME, REGISTRY_SOURCE]
    first = compile_contracts(sources, tmp_path / "a", cache_dir=tmp_path / "cache")
    second = compile_contracts(sources, tmp_path / "b", cache_dir=tmp_path / "cache")
    assert first == second
    assert len(list((tmp_path / "cache").glob("solc-*.json"))) == 1
    assert (tmp_path / "b" / "MarginRegistry.bin").read_text() == first["MarginRegistry"].bytecode.hex()
    manifest = json.loads((tmp_path / "b" / "solc-manifest.json").read_text())
    assert manifest["solc"].startswith("0.8.28+")
    assert manifest["settings"]["evmVersion"] == "cancun"
    # eth-abi/eth-utils signatures and keccak agree with solc's method identifiers.
    (cached,) = (tmp_path / "cache").glob("solc-*.json")
    solc_output = json.loads(cached.read_text())["output"]["contracts"]
    for unit, name in (("Groth16Verifier.sol", "Groth16Verifier"), ("MarginRegistry.sol", "MarginRegistry"),
                       ("PoseidonT7.sol", "PoseidonT7")):
        identifiers = solc_output[unit][name]["evm"]["methodIdentifiers"]
        abi = ContractAbi(first[name].abi)
        assert identifiers
        for signature, hex_selector in identifiers.items():
            assert abi.function(signature).selector.hex() == hex_selector


@pytest.mark.slow
def test_registry_code_fits_the_size_limit(dep: Deployment) -> None:
    (hasher_address,) = dep.chain.call(dep.registry, "paramsHasher").values
    assert isinstance(hasher_address, str)
    for address in (dep.registry.address, hasher_address, dep.verifier.address):
        size = len(dep.chain.evm.get_code(address) or b"") - 33  # revm's analysis padding
        assert 0 < size <= 24_576, address  # EIP-170


@pytest.mark.slow
@pytest.mark.parametrize(("args", "error"), [
    (["0x" + "00" * 19 + "42", 1, 1], "VerifierHasNoCode"),
    (None, "ZeroMaxEpochJump"),
])
def test_registry_constructor_rules(fx: StatementFixture, args: list[AbiValue] | None, error: str) -> None:
    chain = Chain()
    owner = chain.account(1)
    if args is None:
        verifier = chain.deploy(owner, "Groth16Verifier", *fx.contracts.verifier)
        args = [verifier.address, 1, 0]
    with pytest.raises(ContractRevertError) as info:
        chain.deploy(owner, "MarginRegistry", *fx.contracts.registry, args=args)
    assert info.value.error == error


# --------------------------------------------------------------------------- calldata conventions

@pytest.mark.slow
def test_calldata_matches_snarkjs_soliditycalldata(fx: StatementFixture) -> None:
    proof = fx.proofs[0]
    out = tools.snarkjs(["zkey", "export", "soliditycalldata", str(proof.public_path), str(proof.proof_path)]).stdout
    a, b, c, public = json.loads(f"[{out}]")

    def as_int(hex_values: list[str]) -> list[int]:
        return [int(x, 16) for x in hex_values]

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
    assert bn128_curve.is_on_curve((FQ2(x), FQ2(y)), bn128_curve.b2)  # snarkjs: [c0, c1]
    assert not bn128_curve.is_on_curve((FQ2(x[::-1]), FQ2(y[::-1])), bn128_curve.b2)
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


SIGNALS = ["params_root", "account_commitment", "margin_commitment", "disclosure"]
# +r keeps the value congruent mod r: only checkField stops it (ecMul reduces scalars mod r).
DELTAS = {"plus_one": 1, "plus_r": R}


@pytest.mark.slow
@pytest.mark.parametrize("delta_name", DELTAS)
@pytest.mark.parametrize("index", range(4), ids=SIGNALS)
def test_tampered_public_signal_is_rejected(fx: StatementFixture, dep: Deployment, index: int,
                                            delta_name: str) -> None:
    tampered = _tampered_signals(fx.proofs[0].calldata, index, DELTAS[delta_name])
    assert not _verify(dep, tampered)
    # A tampered root was never published, and cannot be: the registry hashes roots from their parts.
    expected = "UnknownParamsRoot" if index == 0 else "InvalidProof"
    assert _reverts(dep, "submit", tampered.submit_args(), dep.stranger).error == expected
    assert _record(dep, tampered.public_signals[1]) == NO_RECORD


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
    assert _record(dep, fx.witnesses[0].account_commitment) == NO_RECORD


# --------------------------------------------------------------------------- registry: publication

@pytest.mark.slow
def test_publish_params_computes_the_root_on_chain(fx: StatementFixture, bare: Deployment,
                                                   record_property: Callable[[str, object], None]) -> None:
    params = fx.witnesses[0].params
    result = bare.chain.transact(bare.registry, "publishParams", publish_params_args(params), sender=bare.oracle)
    assert result.values == (params.params_root(),) == (fx.witnesses[0].params_root,)
    assert [(log.event, log.args) for log in result.logs] == [("ParamsRootPublished", {
        "paramsRoot": params.params_root(), "epoch": 1, "instrumentsRoot": int(params.instruments_root),
        "tableHash": int(params.table_hash), "imBp": params.im_bp, "mmBp": params.mm_bp})]
    assert bare.chain.call(bare.registry, "paramsRootEpoch", [params.params_root()]).values == (1,)
    assert bare.chain.call(bare.registry, "latestEpoch").values == (1,)
    record_property("publishParams_tx_gas", result.gas_used)
    print(f"\npublishParams (first): {result.gas_used} gas as a transaction, {result.execution_gas} excluding "
          "intrinsic")
    assert result.gas_used <= PUBLISH_GAS_BUDGET


@pytest.mark.slow
def test_a_root_registers_only_under_its_own_epoch(fx: StatementFixture, bare: Deployment) -> None:
    witness = fx.witnesses[0]
    assert "publishParamsRoot" not in {entry["name"] for entry in fx.contracts.registry.abi if "name" in entry}
    # P1's parts published at epoch 2 instead of 1: the registry records another root, not P1's.
    moved = witness.params.model_copy(update={"epoch": 2})
    root = bare.publish(moved)
    assert root == moved.params_root() != witness.params_root
    assert bare.chain.call(bare.registry, "paramsRootEpoch", [witness.params_root]).values == (0,)
    error = _reverts(bare, "submit", fx.proofs[0].calldata.submit_args(), bare.stranger)
    assert (error.error, error.error_args) == ("UnknownParamsRoot", (witness.params_root,))


@pytest.mark.slow
@pytest.mark.parametrize(("part", "value"), [
    ("instrumentsRoot", R), ("tableHash", R), ("tableHash", 2**256 - 1),
    ("imBp", 0), ("imBp", MULT_LIMIT), ("mmBp", 0), ("mmBp", MULT_LIMIT),
])
def test_params_parts_out_of_range_are_refused(dep: Deployment, part: str, value: int) -> None:
    args = publish_params_args(_dummy_params(2))
    args[["instrumentsRoot", "tableHash", "imBp", "mmBp"].index(part)] = value
    error = _reverts(dep, "publishParams", args, dep.owner)
    assert (error.error, error.error_args) == ("ParamsPartOutOfRange", (part, value))
    assert dep.chain.call(dep.registry, "latestEpoch").values == (1,)


@pytest.mark.slow
def test_params_parts_at_their_bounds_are_accepted(dep: Deployment) -> None:
    root = dep.publish(ParamsRecord(instruments_root=str(R - 1), table_hash="0", im_bp=MULT_LIMIT - 1, mm_bp=1,
                                    epoch=2))
    assert root == params_root(R - 1, 0, MULT_LIMIT - 1, 1, 2)
    with pytest.raises(AbiError, match="64 bits"):  # an epoch >= 2^64 does not even encode
        dep.chain.transact(dep.registry, "publishParams", [1, 1, 1, 1, 2**64], sender=dep.owner)


@pytest.mark.slow
@pytest.mark.parametrize(("epoch", "error", "args"), [
    (1, "EpochNotIncreasing", (1, 1)),
    (0, "EpochNotIncreasing", (0, 1)),
    (2 + MAX_EPOCH_JUMP, "EpochJumpTooLarge", (2 + MAX_EPOCH_JUMP, 1, MAX_EPOCH_JUMP)),
    (2**64 - 1, "EpochJumpTooLarge", (2**64 - 1, 1, MAX_EPOCH_JUMP)),
])
def test_publication_epoch_rules(dep: Deployment, epoch: int, error: str, args: tuple[int, ...]) -> None:
    reverted = _reverts(dep, "publishParams", publish_params_args(_dummy_params(epoch)), dep.owner)
    assert (reverted.error, reverted.error_args) == (error, args)


@pytest.mark.slow
def test_epoch_may_jump_by_at_most_the_bound(dep: Deployment) -> None:
    dep.publish(_dummy_params(1 + MAX_EPOCH_JUMP))
    assert dep.chain.call(dep.registry, "latestEpoch").values == (1 + MAX_EPOCH_JUMP,)
    error = _reverts(dep, "publishParams", publish_params_args(_dummy_params(2 + 2 * MAX_EPOCH_JUMP)), dep.oracle)
    assert error.error == "EpochJumpTooLarge"


@pytest.mark.slow
def test_first_publication_sets_the_starting_epoch(bare: Deployment) -> None:
    # No earlier epoch to jump from: a date-like epoch is accepted; the bound applies from then on.
    bare.publish(_dummy_params(20261123))
    assert bare.chain.call(bare.registry, "latestEpoch").values == (20261123,)
    assert _reverts(bare, "publishParams", publish_params_args(_dummy_params(20261123 + MAX_EPOCH_JUMP + 1)),
                    bare.owner).error == "EpochJumpTooLarge"


@pytest.mark.slow
def test_only_owner_or_oracle_publish(dep: Deployment) -> None:
    error = _reverts(dep, "publishParams", publish_params_args(_dummy_params(2)), dep.stranger)
    assert (error.error, error.error_args) == ("Unauthorized", (dep.stranger,))
    dep.publish(_dummy_params(2), sender=dep.owner)
    dep.publish(_dummy_params(3), sender=dep.oracle)
    assert _reverts(dep, "setOracle", [dep.stranger], dep.oracle).error == "Unauthorized"
    dep.chain.transact(dep.registry, "setOracle", ["0x" + "00" * 20], sender=dep.owner)  # revoke the oracle
    assert _reverts(dep, "publishParams", publish_params_args(_dummy_params(4)), dep.oracle).error == "Unauthorized"
    assert dep.chain.call(dep.registry, "paramsRootEpoch", [_dummy_params(3).params_root()]).values == (3,)
    assert dep.chain.call(dep.registry, "latestEpoch").values == (3,)


@pytest.mark.slow
def test_ownership_transfer(dep: Deployment) -> None:
    assert _reverts(dep, "transferOwnership", [dep.stranger], dep.oracle).error == "Unauthorized"
    assert _reverts(dep, "transferOwnership", ["0x" + "00" * 20], dep.owner).error == "ZeroAddress"
    result = dep.chain.transact(dep.registry, "transferOwnership", [dep.stranger], sender=dep.owner)
    assert result.logs[0].args == {"previousOwner": dep.owner, "newOwner": dep.stranger}
    assert _reverts(dep, "publishParams", publish_params_args(_dummy_params(2)), dep.owner).error == "Unauthorized"
    dep.publish(_dummy_params(2), sender=dep.stranger)


# --------------------------------------------------------------------------- registry: revocation

@pytest.mark.slow
def test_revoked_root_rejects_new_submissions(fx: StatementFixture, dep: Deployment) -> None:
    root = fx.witnesses[0].params_root
    result = dep.chain.transact(dep.registry, "revokeParamsRoot", [root], sender=dep.owner)
    assert [(log.event, log.args) for log in result.logs] == [("ParamsRootRevoked", {"paramsRoot": root, "epoch": 1})]
    assert dep.chain.call(dep.registry, "isRevoked", [root]).values == (True,)
    for proof in fx.proofs[:2]:  # both accounts proven under the revoked root
        error = _reverts(dep, "submit", proof.calldata.submit_args(), dep.stranger)
        assert (error.error, error.error_args) == ("RevokedParamsRoot", (root, 1))
    assert dep.chain.call(dep.registry, "latestEpoch").values == (1,)  # revocation never lowers the epoch


@pytest.mark.slow
def test_records_under_a_revoked_root_are_reported_revoked(fx: StatementFixture, dep: Deployment) -> None:
    old, new = fx.witnesses[0], fx.witnesses[2]
    dep.chain.transact(dep.registry, "submit", fx.proofs[0].calldata.submit_args(), sender=dep.stranger)
    dep.chain.transact(dep.registry, "revokeParamsRoot", [old.params_root], sender=dep.owner)
    assert _record(dep, old.account_commitment) == _expected(old, 1, revoked=True)
    # Corrected parameters come under a new epoch; the account's next proof clears the flag.
    dep.publish(new.params)
    dep.chain.transact(dep.registry, "submit", fx.proofs[2].calldata.submit_args(), sender=dep.stranger)
    assert _record(dep, new.account_commitment) == _expected(new, 2)


@pytest.mark.slow
def test_revocation_rules(fx: StatementFixture, dep: Deployment) -> None:
    root = fx.witnesses[0].params_root
    for sender in (dep.oracle, dep.stranger):
        error = _reverts(dep, "revokeParamsRoot", [root], sender)
        assert (error.error, error.error_args) == ("Unauthorized", (sender,))
    unknown = fx.witnesses[2].params_root
    error = _reverts(dep, "revokeParamsRoot", [unknown], dep.owner)
    assert (error.error, error.error_args) == ("UnknownParamsRoot", (unknown,))
    assert dep.chain.call(dep.registry, "isRevoked", [unknown]).values == (False,)
    dep.chain.transact(dep.registry, "revokeParamsRoot", [root], sender=dep.owner)
    error = _reverts(dep, "revokeParamsRoot", [root], dep.owner)
    assert (error.error, error.error_args) == ("RevokedParamsRoot", (root, 1))


# --------------------------------------------------------------------------- registry: submission

@pytest.mark.slow
def test_submit_records_the_statement_and_emits(fx: StatementFixture, dep: Deployment,
                                          record_property: Callable[[str, object], None]) -> None:
    witness = fx.witnesses[0]
    result = dep.chain.transact(dep.registry, "submit", fx.proofs[0].calldata.submit_args(), sender=dep.stranger)
    assert [log.event for log in result.logs] == ["MarginAttested"]
    assert result.logs[0].address == dep.registry.address
    assert result.logs[0].args == {"accountCommitment": witness.account_commitment, "epoch": 1,
                                   "marginCommitment": witness.statement.margin_commitment,
                                   "disclosure": witness.statement.disclosure_signal}
    assert _record(dep, witness.account_commitment) == _expected(witness, 1)
    assert _record(dep, fx.witnesses[1].account_commitment) == NO_RECORD
    record_property("submit_tx_gas", result.gas_used)
    print(f"\nsubmit (new account): {result.gas_used} gas as a transaction, {result.execution_gas} excluding intrinsic")
    assert result.gas_used <= SUBMIT_GAS_BUDGET


@pytest.mark.slow
def test_two_accounts_under_one_root(fx: StatementFixture, dep: Deployment) -> None:
    for proof in fx.proofs[:2]:
        dep.chain.transact(dep.registry, "submit", proof.calldata.submit_args(), sender=dep.stranger)
    for witness in fx.witnesses[:2]:
        assert _record(dep, witness.account_commitment) == _expected(witness, 1)
    # the second discloses nothing: the registry holds its margin commitment alone
    hidden = _record(dep, fx.witnesses[1].account_commitment)
    assert (hidden.disclosure_mode, hidden.disclosure_value) == (Disclosure.NOTHING, 0)


@pytest.mark.slow
def test_largest_margins_split_exactly(fx: StatementFixture, dep: Deployment) -> None:
    witness = fx.witnesses[3]
    assert witness.initial_margin >= 2**119 and witness.maintenance_margin >= 2**119
    dep.publish(witness.params)
    dep.chain.transact(dep.registry, "submit", fx.proofs[3].calldata.submit_args(), sender=dep.stranger)
    record = _record(dep, witness.account_commitment)
    assert record == _expected(witness, 2)
    assert unpack_margins(record.disclosure_value) == (witness.initial_margin, witness.maintenance_margin)


@pytest.mark.slow
def test_unknown_root_is_rejected(fx: StatementFixture, dep: Deployment) -> None:
    # Witness 2's params (epoch-2 rates) were never published in this deployment.
    error = _reverts(dep, "submit", fx.proofs[2].calldata.submit_args(), dep.stranger)
    assert (error.error, error.error_args) == ("UnknownParamsRoot", (fx.witnesses[2].params_root,))


@pytest.mark.slow
def test_root_is_fresh_up_to_the_window(fx: StatementFixture, dep: Deployment) -> None:
    _publish_dummy_epochs(dep, range(2, 2 + FRESHNESS_WINDOW))  # latest = 1 + window: age == window
    dep.chain.transact(dep.registry, "submit", fx.proofs[0].calldata.submit_args(), sender=dep.stranger)
    assert _record(dep, fx.witnesses[0].account_commitment).epoch == 1


@pytest.mark.slow
def test_stale_root_is_rejected(fx: StatementFixture, dep: Deployment) -> None:
    _publish_dummy_epochs(dep, range(2, 3 + FRESHNESS_WINDOW))  # latest = 2 + window: age == window + 1
    error = _reverts(dep, "submit", fx.proofs[0].calldata.submit_args(), dep.stranger)
    expected = ("StaleParamsRoot", (fx.witnesses[0].params_root, 1, 2 + FRESHNESS_WINDOW))
    assert (error.error, error.error_args) == expected


@pytest.mark.slow
def test_resubmission_at_the_same_epoch_is_a_replay(fx: StatementFixture, dep: Deployment) -> None:
    calldata = fx.proofs[0].calldata
    commitment = fx.witnesses[0].account_commitment
    dep.chain.transact(dep.registry, "submit", calldata.submit_args(), sender=dep.stranger)
    error = _reverts(dep, "submit", calldata.submit_args(), dep.owner)
    assert (error.error, error.error_args) == ("EpochReplay", (commitment, 1, 1))
    # A re-randomised copy (kA, B/k, C) is a different, equally valid proof: still a replay.
    k = 0x1234567
    a = bn128_curve.multiply((FQ(calldata.a[0]), FQ(calldata.a[1])), k)
    b_point = (FQ2([calldata.b[0][1], calldata.b[0][0]]), FQ2([calldata.b[1][1], calldata.b[1][0]]))
    b = bn128_curve.multiply(b_point, pow(k, -1, bn128_curve.curve_order))
    assert a is not None and b is not None
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
    assert old.account_commitment == new.account_commitment
    assert old.statement.margin_commitment != new.statement.margin_commitment
    dep.chain.transact(dep.registry, "submit", fx.proofs[0].calldata.submit_args(), sender=dep.stranger)
    dep.publish(new.params, sender=dep.oracle)
    result = dep.chain.transact(dep.registry, "submit", fx.proofs[2].calldata.submit_args(), sender=dep.stranger)
    assert result.logs[0].args["epoch"] == 2
    assert _record(dep, new.account_commitment) == _expected(new, 2)
    record_property("submit_update_tx_gas", result.gas_used)
    print(f"\nsubmit (update): {result.gas_used} gas as a transaction, {result.execution_gas} excluding intrinsic")
    error = _reverts(dep, "submit", fx.proofs[0].calldata.submit_args(), dep.stranger)
    assert (error.error, error.error_args) == ("EpochReplay", (old.account_commitment, 1, 2))


@pytest.mark.slow
def test_views_of_an_unknown_account_and_root(dep: Deployment) -> None:
    assert _record(dep, 12345) == NO_RECORD
    assert dep.chain.call(dep.registry, "paramsRootEpoch", [12345]).values == (0,)
    assert dep.chain.call(dep.registry, "isRevoked", [12345]).values == (False,)
    assert dep.chain.call(dep.registry, "freshnessWindow").values == (FRESHNESS_WINDOW,)
    assert dep.chain.call(dep.registry, "maxEpochJump").values == (MAX_EPOCH_JUMP,)
    assert dep.chain.call(dep.registry, "verifier").values == (dep.verifier.address,)


# --------------------------------------------------------------------------- the real account circuit

BUTTERFLY = tools.REPO_ROOT / "examples" / "portfolios" / "butterfly.json"


@pytest.fixture(scope="module")
def account_proof(test_keys: SetupArtifacts, example_params_tree: ParamsTree,
                  tmp_path_factory: pytest.TempPathFactory) -> ProofResult:
    """One proof of examples/portfolios/butterfly.json with the `test` circuit's INSECURE dev keys."""
    account = encode_account(load_portfolio(BUTTERFLY), example_params_tree.table, source=str(BUTTERFLY))
    return prove_account(test_keys, check_provable(example_params_tree, account, SIZES["test"]),
                         workdir=tmp_path_factory.mktemp("account"))


@pytest.mark.slow
def test_account_proof_verifies_and_registry_accepts_it(test_keys: SetupArtifacts,
                                                         account_proof: ProofResult) -> None:
    bundle = account_proof.bundle
    params = bundle.statement.params
    check = check_on_evm(test_keys.vkey, bundle.snarkjs_proof(), bundle.public_signals, params)
    assert check.verified and check.registry_checked
    assert check.accepted, check.rejection
    assert check.params_root == int(bundle.public_signals[0]) == params.params_root()
    statement = account_proof.statement
    assert check.record == (statement.margin_commitment, Disclosure.NOTHING, 0, params.epoch, False)
    assert int(bundle.public_signals[3]) == 0  # the default statement discloses no margin figure
    assert check.publish_gas is not None and check.publish_gas <= PUBLISH_GAS_BUDGET
    assert check.submit_gas is not None and check.submit_gas <= SUBMIT_GAS_BUDGET


@pytest.mark.slow
def test_account_proof_without_params_checks_the_verifier_only(test_keys: SetupArtifacts,
                                                                account_proof: ProofResult) -> None:
    bundle = account_proof.bundle
    check = check_on_evm(test_keys.vkey, bundle.snarkjs_proof(), bundle.public_signals, None)
    assert check.verified and not check.registry_checked
    assert (check.params_root, check.publish_gas, check.accepted, check.submit_gas, check.rejection,
            check.record) == (None,) * 6


@pytest.mark.slow
def test_account_proof_under_other_params_is_not_accepted(test_keys: SetupArtifacts,
                                                           account_proof: ProofResult) -> None:
    bundle = account_proof.bundle
    moved = bundle.statement.params.model_copy(update={"epoch": bundle.statement.params.epoch + 1})
    check = check_on_evm(test_keys.vkey, bundle.snarkjs_proof(), bundle.public_signals, moved)
    assert check.verified and check.accepted is False and check.record is None
    assert check.rejection == f"submit: UnknownParamsRoot({bundle.public_signals[0]})"
    bad = bundle.statement.params.model_copy(update={"im_bp": 0})
    check = check_on_evm(test_keys.vkey, bundle.snarkjs_proof(), bundle.public_signals, bad)
    assert (check.accepted, check.params_root, check.submit_gas) == (False, None, None)
    assert check.rejection == "publishParams: ParamsPartOutOfRange(imBp, 0)"


@pytest.mark.slow
def test_account_proof_solidity_and_python_verifiers_agree(test_keys: SetupArtifacts,
                                                           account_proof: ProofResult) -> None:
    contracts = build_verifier_from_vkey(test_keys.vkey)
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
