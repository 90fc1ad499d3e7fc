"""On-chain record of a venue's statements and the check of one account against them: ``VenueRegistry.sol``.

The first tests need no toolchain.  ``PoseidonT5`` (the account tree's node hash) is then compiled alone and
compared with :func:`zkmargin.statement.merkle4.hash_children`.  The module fixture proves a real venue once: the
three one-perpetual accounts of ``examples/venue_small`` (size ``small``, one batch, one of them below MM) under
the example market and params, with the INSECURE dev keys of ``venue_small`` and ``venue_batch``, published into
a temporary folder; the registry is built from the ``venue_small`` key and the statement registered.  Every
negative test changes one thing and names the verdict ``checkAccount`` gives (``verifyAccount`` is checked to
agree) or the custom error ``registerEpoch`` reverts with.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Final

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zkmargin.constants import BASE_FIELD_MODULUS, FIELD_ORDER
from zkmargin.engine.commitments import ParamsTree, build_params_tree
from zkmargin.engine.io import load_market, load_params, load_scenarios
from zkmargin.engine.risk import build_risk_table
from zkmargin.prover.venue import load_venue_accounts, plan_venue, prove_venue_in_process, publish
from zkmargin.statement.commitments import params_root
from zkmargin.statement.merkle4 import hash_children, root_from_path
from zkmargin.statement.venue import ACCOUNT_TREE_LEVELS, BATCH_CIRCUIT, MAX_ACCOUNTS, AccountTree, account_circuit
from zkmargin.statement.venue_records import (
    RECEIPT_FORMAT,
    BatchEntry,
    InclusionReceiptRecord,
    VenueBatchRecord,
    VenueStatementRecord,
    read_venue_document,
)
from zkmargin.toolchain.keys import setup
from zkmargin.verifier import groth16
from zkmargin.verifier.abi import ContractAbi, encode
from zkmargin.verifier.evm import Chain, Contract, ContractRevertError, ProofCalldata
from zkmargin.verifier.solidity import poseidon_t5
from zkmargin.verifier.solidity_build import (
    VENUE_REGISTRY_SOURCE,
    VenueContracts,
    build_venue_registry_from_vkeys,
    compile_contracts,
)
from zkmargin.verifier.venue import batch_proofs_commitment
from zkmargin.verifier.venue_onchain import (
    CHECK_ACCOUNT,
    REGISTER_EPOCH,
    VERIFY_ACCOUNT,
    AccountClaim,
    AccountVerdict,
    VenueDeployment,
    account_claim,
    check_account,
    check_account_args,
    check_account_on_evm,
    decode_epoch_record,
    deploy_venue_registry,
    epoch_record,
    register_epoch_args,
    register_statement,
    statement_record,
)

R = FIELD_ORDER
Q = BASE_FIELD_MODULUS
ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
VENUE_ACCOUNTS = EXAMPLES / "venue_small"
#: One pairing check (~210k gas) and ten Poseidon(4) hashes of the path, plus calldata and the calls.
CHECK_ACCOUNT_GAS_BUDGET: Final = 1_100_000
#: Ten storage slots written, plus calldata and the event.
REGISTER_EPOCH_GAS_BUDGET: Final = 280_000
#: A request rejected before the path is hashed costs no Poseidon and no pairing.
CHEAP_REJECTION_GAS_BUDGET: Final = 60_000
POSEIDON_T5_GAS_BUDGET: Final = 100_000


# --------------------------------------------------------------------------- no toolchain

def test_python_verdicts_mirror_the_solidity_enum() -> None:
    body = re.search(r"enum\s+Verdict\s*\{([^}]*)\}", VENUE_REGISTRY_SOURCE.read_text())
    assert body is not None
    members = [m.strip() for m in body[1].split(",") if m.strip()]
    camel = [re.sub(r"(?<!^)([A-Z])", r"_\1", name).upper() for name in members]
    assert camel == [v.name for v in AccountVerdict]
    assert [v.value for v in AccountVerdict] == list(range(len(members)))


def test_registry_constants_match_the_statement() -> None:
    source = VENUE_REGISTRY_SOURCE.read_text()
    assert f"ACCOUNT_TREE_LEVELS = {ACCOUNT_TREE_LEVELS};" in source
    assert f"uint256[3][{ACCOUNT_TREE_LEVELS}] calldata siblings" in source
    assert 4**ACCOUNT_TREE_LEVELS == MAX_ACCOUNTS


def _entry(index: int, digest: bytes) -> BatchEntry:
    return BatchEntry(index=index, file=f"batches/batch-{index:05d}.json", sha256=digest.hex())


def test_batch_proofs_commitment_is_sha256_of_the_listed_digests(tmp_path: Path) -> None:
    digests = [hashlib.sha256(bytes([b])).digest() for b in range(3)]
    statement = _statement_with_batches([_entry(i, d) for i, d in enumerate(digests)])
    assert batch_proofs_commitment(statement) == hashlib.sha256(b"".join(digests)).digest()
    swapped = _statement_with_batches([_entry(0, digests[1]), _entry(1, digests[0]), _entry(2, digests[2])])
    fewer = _statement_with_batches([_entry(i, d) for i, d in enumerate(digests[:2])])
    commitments = {batch_proofs_commitment(s) for s in (statement, swapped, fewer)}
    assert len(commitments) == 3  # the order and the number of files count


def _statement_with_batches(entries: list[BatchEntry]) -> VenueStatementRecord:
    return VenueStatementRecord.model_construct(batches=entries)


def test_check_account_arguments_layout() -> None:
    proof = ProofCalldata(a=(1, 2), b=((3, 4), (5, 6)), c=(7, 8), public_signals=(9, 10))
    siblings = tuple((100 + 3 * level, 101 + 3 * level, 102 + 3 * level) for level in range(ACCOUNT_TREE_LEVELS))
    claim = AccountClaim(epoch=20261123, size="test", leaf=11, index=2, siblings=siblings, proof=proof)
    deployment = VenueDeployment(Contract("VenueRegistry", "0x" + "00" * 20, ContractAbi([]), 0), {},
                                 ("small", "test"))
    args = check_account_args(deployment, claim)
    data = encode(["uint256", "uint256", "uint256", "uint256", "uint256[3][10]",
                   "(uint256[2],uint256[2][2],uint256[2])"], args)
    words = [int.from_bytes(data[i:i + 32], "big") for i in range(0, len(data), 32)]
    assert words[:4] == [20261123, 1, 11, 2]  # the size as its index in the registry
    assert words[4:7] == [100, 101, 102] and words[31:34] == [127, 128, 129]  # static, leaf level first
    assert words[34:] == [1, 2, 3, 4, 5, 6, 7, 8]  # the proof in place, not the proof's own signals
    assert check_account_args(deployment, replace(claim, size="standard"))[1] == 2  # no verifier: UNKNOWN_SIZE
    record = decode_epoch_record((1, 2, 3, (4, 5, 6, 7, 8, 9), b"\x0a" * 32))
    assert record.totals == (4, 5, 6, 7, 8, 9) and record.batch_proofs_commitment == b"\x0a" * 32
    with pytest.raises(TypeError):
        decode_epoch_record((1, 2, 3, (4, 5), b""))


# --------------------------------------------------------------------------- PoseidonT5

@pytest.fixture(scope="module")
def hasher(tmp_path_factory: pytest.TempPathFactory) -> tuple[Chain, Contract]:
    """The generated PoseidonT5, compiled alone and deployed on a fresh chain."""
    work = tmp_path_factory.mktemp("poseidon_t5")
    compiled = compile_contracts([poseidon_t5.write_poseidon_t5(work)], work / "out")
    chain = Chain()
    return chain, chain.deploy(chain.account(1), poseidon_t5.CONTRACT_NAME, *compiled[poseidon_t5.CONTRACT_NAME])


def _hash_on_chain(hasher: tuple[Chain, Contract], children: list[int]) -> int:
    chain, contract = hasher
    (out,) = chain.call(contract, "hash", [children]).values
    assert isinstance(out, int)
    return out


FIELD_ELEMENT = st.integers(min_value=0, max_value=R - 1)


@pytest.mark.slow
@settings(max_examples=25, deadline=None, derandomize=True)
@given(children=st.lists(FIELD_ELEMENT, min_size=4, max_size=4))
def test_poseidon_t5_equals_the_node_hash(hasher: tuple[Chain, Contract], children: list[int]) -> None:
    assert _hash_on_chain(hasher, children) == hash_children(children)


@pytest.mark.slow
@pytest.mark.parametrize("children", [[0] * 4, [R - 1] * 4, [1, 0, 0, R - 1]], ids=["zeros", "r-1", "mixed"])
def test_poseidon_t5_at_the_field_boundary(hasher: tuple[Chain, Contract], children: list[int],
                                           record_property: Callable[[str, object], None]) -> None:
    assert _hash_on_chain(hasher, children) == hash_children(children)
    chain, contract = hasher
    result = chain.call(contract, "hash", [children])
    record_property("poseidon_t5_execution_gas", result.execution_gas)
    assert result.gas_used <= POSEIDON_T5_GAS_BUDGET


@pytest.mark.slow
@pytest.mark.parametrize("index", range(4))
def test_poseidon_t5_refuses_inputs_outside_the_field(hasher: tuple[Chain, Contract], index: int) -> None:
    chain, contract = hasher
    children = [1, 2, 3, 4]
    children[index] = R + children[index]  # congruent mod r: only the range check tells them apart
    with pytest.raises(ContractRevertError) as info:
        chain.call(contract, "hash", [children])
    assert (info.value.error, info.value.error_args) == ("InputNotInField", (index, children[index]))


def test_poseidon_t5_source_is_generated_from_the_python_constants() -> None:
    source = poseidon_t5.poseidon_t5_source()
    assert "contract PoseidonT5 {" in source and "function hash(uint256[4] calldata inputs)" in source
    blob = re.search(r'ROUND_CONSTANTS = hex"([0-9a-f]*)"', source)
    assert blob is not None and len(blob[1]) == 64 * 5 * (8 + 60)
    assert source == poseidon_t5.poseidon_t5_source()  # deterministic: the build cache keys on it


# --------------------------------------------------------------------------- the venue fixture

@dataclass(frozen=True)
class VenueFixture:
    """A real venue of three `small` accounts, proven and published once, and the registry's contracts."""

    params: ParamsTree
    statement: VenueStatementRecord
    batch: VenueBatchRecord
    receipts: tuple[InclusionReceiptRecord, ...]
    vkey: Path
    contracts: VenueContracts
    published: Path

    def claim(self, index: int) -> AccountClaim:
        return account_claim(self.statement.epoch, self.receipts[index], self.batch.accounts[index].proof)


@pytest.fixture(scope="module")
def fx(tmp_path_factory: pytest.TempPathFactory) -> VenueFixture:
    work = tmp_path_factory.mktemp("venue")
    table = build_risk_table(load_market(EXAMPLES / "market.json"), load_scenarios("v2"),
                             load_params(EXAMPLES / "params.json"))
    params = build_params_tree(table)
    name, accounts = load_venue_accounts(VENUE_ACCOUNTS, params)
    plan = plan_venue(name, params, accounts)
    assert plan.sizes() == ["small"] and len(plan.batches) == 1
    keys = {circuit: setup(circuit) for circuit in (BATCH_CIRCUIT, account_circuit("small"))}
    records = prove_venue_in_process(keys, params, plan, work / "scratch")
    statement = publish(plan, params, records, work / "out", work / "private")
    receipts = tuple(read_venue_document(path, RECEIPT_FORMAT)
                     for path in sorted((work / "private" / "receipts").glob("*.json")))
    vkey = keys[account_circuit("small")].vkey
    contracts = build_venue_registry_from_vkeys({"small": vkey})
    return VenueFixture(params, statement, records[0], receipts, vkey, contracts, work / "out")


@dataclass(frozen=True)
class Deployed:
    """The registry with the fixture's statement registered; tests that change state make their own."""

    chain: Chain
    deployment: VenueDeployment
    owner: str


def _deploy(fx: VenueFixture, register: bool = True) -> Deployed:
    chain = Chain()
    owner = chain.account(1)
    deployment = deploy_venue_registry(chain, fx.contracts, owner)
    if register:
        register_statement(chain, deployment, fx.statement, owner)
    return Deployed(chain, deployment, owner)


@pytest.fixture(scope="module")
def dep(fx: VenueFixture) -> Deployed:
    return _deploy(fx)


def _check(dep: Deployed, claim: AccountClaim) -> AccountVerdict:
    """``checkAccount``'s verdict; asserts that ``verifyAccount`` says the same."""
    verdict = check_account(dep.chain, dep.deployment, claim)
    valid = dep.chain.call(dep.deployment.registry, VERIFY_ACCOUNT, check_account_args(dep.deployment, claim)).values
    assert valid == (verdict is AccountVerdict.VALID,)
    return verdict


def _with_sibling(claim: AccountClaim, level: int, slot: int, value: int) -> AccountClaim:
    siblings = [list(row) for row in claim.siblings]
    siblings[level][slot] = value
    return replace(claim, siblings=tuple(tuple(row) for row in siblings))


# --------------------------------------------------------------------------- honest

@pytest.mark.slow
def test_the_fixture_is_a_real_venue(fx: VenueFixture) -> None:
    assert fx.statement.accounts == 3 and fx.statement.totals.insolvent == 1
    assert [int(r.leaf) for r in fx.receipts] == [int(a.proof.public_signals[1]) for a in fx.batch.accounts]
    assert AccountTree([int(r.leaf) for r in fx.receipts]).root == int(fx.statement.accounts_root)


@pytest.mark.slow
def test_registered_record_is_the_statement(fx: VenueFixture, dep: Deployed) -> None:
    record = epoch_record(dep.chain, dep.deployment, fx.statement.epoch)
    assert record == statement_record(fx.statement)
    published = (fx.published / fx.statement.batches[0].file).read_bytes()
    assert record.batch_proofs_commitment == hashlib.sha256(hashlib.sha256(published).digest()).digest()
    assert epoch_record(dep.chain, dep.deployment, fx.statement.epoch + 1).accounts == 0


@pytest.mark.slow
def test_register_emits_the_record(fx: VenueFixture) -> None:
    d = _deploy(fx, register=False)
    result = register_statement(d.chain, d.deployment, fx.statement, d.owner)
    (log,) = result.logs
    expected = statement_record(fx.statement)
    assert log.event == "EpochRegistered"
    assert log.args == {"epoch": fx.statement.epoch, "paramsRoot": expected.params_root,
                        "accountsRoot": expected.accounts_root, "accounts": expected.accounts,
                        "totals": expected.totals, "batchProofsCommitment": expected.batch_proofs_commitment}
    assert result.gas_used <= REGISTER_EPOCH_GAS_BUDGET


@pytest.mark.slow
@pytest.mark.parametrize("index", range(3))
def test_every_honest_account_passes(fx: VenueFixture, dep: Deployed, index: int,
                                     record_property: Callable[[str, object], None]) -> None:
    claim = fx.claim(index)
    assert _check(dep, claim) is AccountVerdict.VALID
    result = dep.chain.transact(dep.deployment.registry, CHECK_ACCOUNT, check_account_args(dep.deployment, claim),
                                sender=dep.chain.account(2))
    record_property("check_account_gas", result.gas_used)
    assert result.gas_used <= CHECK_ACCOUNT_GAS_BUDGET


@pytest.mark.slow
def test_check_account_on_evm(fx: VenueFixture) -> None:
    check = check_account_on_evm({"small": fx.vkey}, fx.statement, fx.receipts[2], fx.batch.accounts[2].proof)
    assert check.verified and check.verdict is AccountVerdict.VALID and check.record_matches
    assert check.register_gas <= REGISTER_EPOCH_GAS_BUDGET and check.check_gas <= CHECK_ACCOUNT_GAS_BUDGET


@pytest.mark.slow
def test_root_from_path_on_chain_equals_the_python_twin(fx: VenueFixture, dep: Deployed) -> None:
    rng = random.Random(20261123)
    registry = dep.deployment.registry
    cases = [(int(r.leaf), r.index, [[int(x) for x in level] for level in r.siblings]) for r in fx.receipts]
    cases += [(rng.randrange(R), rng.randrange(MAX_ACCOUNTS),
               [[rng.randrange(R) for _ in range(3)] for _ in range(ACCOUNT_TREE_LEVELS)]) for _ in range(3)]
    cases.append((R - 1, MAX_ACCOUNTS - 1, [[R - 1] * 3] * ACCOUNT_TREE_LEVELS))
    for leaf, index, siblings in cases:
        (root,) = dep.chain.call(registry, "rootFromPath", [leaf, index, siblings]).values
        assert root == root_from_path(leaf, index, siblings)
    with pytest.raises(ContractRevertError) as info:
        dep.chain.call(registry, "rootFromPath", [0, MAX_ACCOUNTS, [[0] * 3] * ACCOUNT_TREE_LEVELS])
    assert (info.value.error, info.value.error_args) == ("IndexOutsideTree", (MAX_ACCOUNTS,))


# --------------------------------------------------------------------------- checkAccount: negative

def _negated_a(proof: ProofCalldata) -> ProofCalldata:
    """The proof with A replaced by -A: still a curve point (the precompiles accept it), not a valid proof."""
    return replace(proof, a=(proof.a[0], Q - proof.a[1]))


@pytest.mark.slow
def test_wrong_leaf_is_rejected(fx: VenueFixture, dep: Deployed) -> None:
    claim = fx.claim(1)
    assert _check(dep, replace(claim, leaf=(claim.leaf + 1) % R)) is AccountVerdict.PATH_MISMATCH
    other = fx.claim(0).leaf  # a proven leaf of the venue, at another account's index
    assert _check(dep, replace(claim, leaf=other)) is AccountVerdict.PATH_MISMATCH


@pytest.mark.slow
def test_wrong_index_is_rejected(fx: VenueFixture, dep: Deployed) -> None:
    claim = fx.claim(1)
    for index in (0, 2):
        assert _check(dep, replace(claim, index=index)) is AccountVerdict.PATH_MISMATCH


@pytest.mark.slow
@pytest.mark.parametrize(("level", "slot"), [(0, 0), (0, 2), (4, 1), (ACCOUNT_TREE_LEVELS - 1, 2)])
def test_tampered_sibling_is_rejected(fx: VenueFixture, dep: Deployed, level: int, slot: int) -> None:
    claim = fx.claim(1)
    value = (claim.siblings[level][slot] + 1) % R
    assert _check(dep, _with_sibling(claim, level, slot, value)) is AccountVerdict.PATH_MISMATCH


@pytest.mark.slow
def test_sibling_or_leaf_outside_the_field_is_rejected(fx: VenueFixture, dep: Deployed) -> None:
    claim = fx.claim(1)
    shifted = _with_sibling(claim, 3, 0, claim.siblings[3][0] + R)  # congruent mod r: the range check decides
    assert _check(dep, shifted) is AccountVerdict.NOT_A_FIELD_ELEMENT
    assert _check(dep, replace(claim, leaf=claim.leaf + R)) is AccountVerdict.NOT_A_FIELD_ELEMENT


@pytest.mark.slow
def test_index_at_or_above_the_account_count_is_rejected(fx: VenueFixture, dep: Deployed) -> None:
    """Index 3 holds the padding leaf 0, and its true path does reach accounts_root: only the count stops it."""
    leaves = [int(r.leaf) for r in fx.receipts]
    padding = len(leaves)
    path = AccountTree(leaves).path(padding)
    assert root_from_path(0, padding, path) == int(fx.statement.accounts_root)
    claim = replace(fx.claim(0), leaf=0, index=padding, siblings=tuple(tuple(level) for level in path))
    verdict = _check(dep, claim)
    assert verdict is AccountVerdict.INDEX_OUT_OF_RANGE
    result = dep.chain.transact(dep.deployment.registry, CHECK_ACCOUNT, check_account_args(dep.deployment, claim),
                                sender=dep.chain.account(2))
    assert result.gas_used <= CHEAP_REJECTION_GAS_BUDGET
    assert _check(dep, replace(fx.claim(0), index=MAX_ACCOUNTS)) is AccountVerdict.INDEX_OUT_OF_RANGE


@pytest.mark.slow
def test_tampered_proof_is_rejected(fx: VenueFixture, dep: Deployed) -> None:
    claim = fx.claim(1)
    assert _check(dep, replace(claim, proof=_negated_a(claim.proof))) is AccountVerdict.PROOF_INVALID
    # another account's valid proof, with this account's leaf and path
    assert _check(dep, replace(claim, proof=fx.claim(0).proof)) is AccountVerdict.PROOF_INVALID
    negated = fx.batch.accounts[1].proof.snarkjs_proof()
    x, y, z = negated["pi_a"]
    negated["pi_a"] = [x, str(Q - int(y)), z]
    signals = [str(s) for s in fx.batch.accounts[1].proof.public_signals]
    vkey = json.loads(fx.vkey.read_text())
    assert groth16.verify(vkey, fx.batch.accounts[1].proof.snarkjs_proof(), signals)
    assert not groth16.verify(vkey, negated, signals)  # the Python verifier agrees


@pytest.mark.slow
def test_proof_under_another_epochs_params_root_is_rejected(fx: VenueFixture) -> None:
    """The next epoch records the same accounts_root under the next epoch's params_root: the leaf is in the tree,
    but its proof was made under the first epoch's root, so it does not hold under the second's."""
    d = _deploy(fx)
    p = fx.statement.params
    epoch = fx.statement.epoch + 1
    next_root = params_root(int(p.instruments_root), int(p.table_hash), p.im_bp, p.mm_bp, epoch)
    assert next_root != int(fx.statement.params_root)
    next_statement = fx.statement.model_copy(update={"epoch": epoch, "params_root": str(next_root)})
    register_statement(d.chain, d.deployment, next_statement, d.owner)
    claim = fx.claim(1)
    assert _check(d, replace(claim, epoch=epoch)) is AccountVerdict.PROOF_INVALID
    assert _check(d, claim) is AccountVerdict.VALID


@pytest.mark.slow
def test_unknown_epoch_and_size_are_rejected(fx: VenueFixture, dep: Deployed) -> None:
    claim = fx.claim(1)
    assert _check(dep, replace(claim, epoch=claim.epoch - 1)) is AccountVerdict.UNKNOWN_EPOCH
    assert _check(dep, replace(claim, size="test")) is AccountVerdict.UNKNOWN_SIZE


# --------------------------------------------------------------------------- registerEpoch: negative

def _revert(call: Callable[[], object]) -> tuple[str | None, tuple[object, ...]]:
    with pytest.raises(ContractRevertError) as info:
        call()
    return info.value.error, info.value.error_args


@pytest.mark.slow
def test_only_the_owner_registers(fx: VenueFixture) -> None:
    d = _deploy(fx, register=False)
    stranger = d.chain.account(7)
    assert _revert(lambda: register_statement(d.chain, d.deployment, fx.statement, stranger)) == (
        "Unauthorized", (stranger,))
    assert epoch_record(d.chain, d.deployment, fx.statement.epoch).accounts == 0
    d.chain.transact(d.deployment.registry, "transferOwnership", [stranger], sender=d.owner)
    assert _revert(lambda: register_statement(d.chain, d.deployment, fx.statement, d.owner)) == (
        "Unauthorized", (d.owner,))
    register_statement(d.chain, d.deployment, fx.statement, stranger)
    assert epoch_record(d.chain, d.deployment, fx.statement.epoch) == statement_record(fx.statement)


@pytest.mark.slow
def test_an_epoch_is_registered_once(fx: VenueFixture) -> None:
    d = _deploy(fx)
    changed = fx.statement.model_copy(update={"accounts_root": "1"})
    assert _revert(lambda: register_statement(d.chain, d.deployment, changed, d.owner)) == (
        "EpochAlreadyRegistered", (fx.statement.epoch,))
    assert _revert(lambda: register_statement(d.chain, d.deployment, fx.statement, d.owner)) == (
        "EpochAlreadyRegistered", (fx.statement.epoch,))
    assert epoch_record(d.chain, d.deployment, fx.statement.epoch) == statement_record(fx.statement)


@pytest.mark.slow
@pytest.mark.parametrize(("change", "expected"), [
    ({"accounts": 0}, ("AccountCountOutOfRange", (0,))),
    ({"accounts": MAX_ACCOUNTS + 1}, ("AccountCountOutOfRange", (MAX_ACCOUNTS + 1,))),
    ({"params_root": R}, ("RootNotInField", ("paramsRoot", R))),
    ({"accounts_root": R + 5}, ("RootNotInField", ("accountsRoot", R + 5))),
    ({"insolvent": 4}, ("InsolventCountOutOfRange", (4, 3))),
], ids=["no-accounts", "too-many-accounts", "params-root-r", "accounts-root-above-r", "insolvent-above-count"])
def test_register_refuses_values_out_of_range(fx: VenueFixture, change: dict[str, int],
                                              expected: tuple[str, tuple[object, ...]]) -> None:
    d = _deploy(fx, register=False)
    args = register_epoch_args(fx.statement)
    position = {"params_root": 1, "accounts_root": 2, "accounts": 3}
    for field, value in change.items():
        if field == "insolvent":
            totals = list(args[4])  # type: ignore[arg-type]
            totals[4] = value
            args[4] = totals
        else:
            args[position[field]] = value
    assert _revert(lambda: d.chain.transact(d.deployment.registry, REGISTER_EPOCH, args, sender=d.owner)) == expected


# --------------------------------------------------------------------------- deployment

@pytest.mark.slow
def test_deployment_refuses_bad_verifiers(fx: VenueFixture) -> None:
    chain = Chain()
    owner = chain.account(1)
    abi, bytecode = fx.contracts.registry
    assert _revert(lambda: chain.deploy(owner, "VenueRegistry", abi, bytecode, args=[[]])) == ("NoVerifiers", ())
    nowhere = "0x" + "42" * 20
    assert _revert(lambda: chain.deploy(owner, "VenueRegistry", abi, bytecode, args=[[nowhere]])) == (
        "VerifierHasNoCode", (nowhere,))
    hasher = chain.deploy(owner, poseidon_t5.CONTRACT_NAME, *fx.contracts.node_hasher)
    assert _revert(lambda: chain.deploy(owner, "VenueRegistry", abi, bytecode, args=[[hasher.address]])) == (
        "VerifierProbeFailed", (hasher.address,))
    d = _deploy(fx, register=False)
    (count,) = d.chain.call(d.deployment.registry, "accountSizes").values
    (first,) = d.chain.call(d.deployment.registry, "accountVerifiers", [0]).values
    assert count == 1 and first == d.deployment.account_verifiers["small"].address
