"""Record a venue's statements on an in-process EVM and check one account against them: ``VenueRegistry``.

``verifier/solidity/VenueRegistry.sol`` holds the rules; this module deploys it with one generated verifier per
venue account size (:func:`deploy_venue_registry`), registers a published statement
(:func:`register_statement`, the arguments from :func:`register_epoch_args`), reads a record back
(:func:`epoch_record`, compared with :func:`statement_record`), checks one account (:func:`check_account`, the
arguments from :func:`account_claim`) and packages all of it on a fresh chain (:func:`check_account_on_evm`,
:class:`VenueOnchainCheck`).

An account is checked with what its owner holds: the inclusion receipt (leaf, index, Merkle path, size) and the
account's proof from the statement's published batch file.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import IntEnum
from pathlib import Path
from typing import Final, NamedTuple

from zkmargin.statement.records import ProofRecord
from zkmargin.statement.venue import ACCOUNT_TREE_LEVELS
from zkmargin.statement.venue_records import InclusionReceiptRecord, VenueStatementRecord
from zkmargin.verifier.abi import AbiValue
from zkmargin.verifier.evm import CallResult, Chain, Contract, ProofCalldata, proof_to_calldata
from zkmargin.verifier.solidity_build import VENUE_REGISTRY_CONTRACT, VenueContracts, build_venue_registry_from_vkeys
from zkmargin.verifier.venue import batch_proofs_commitment

#: ``VenueRegistry`` functions.
REGISTER_EPOCH: Final = "registerEpoch"
EPOCH_RECORD: Final = "epochRecord"
CHECK_ACCOUNT: Final = "checkAccount"
VERIFY_ACCOUNT: Final = "verifyAccount"
#: Siblings per level of an account path (a quaternary tree: the three other children).
PATH_WIDTH: Final = 3


class AccountVerdict(IntEnum):
    """``VenueRegistry.Verdict``, member for member (the tests compare the two)."""

    VALID = 0
    #: No statement is registered for the epoch.
    UNKNOWN_EPOCH = 1
    #: No verifier has the size index (a size the deployment does not support).
    UNKNOWN_SIZE = 2
    #: The index is not below the epoch's account count.
    INDEX_OUT_OF_RANGE = 3
    #: The leaf or a sibling is not a field element (>= r).
    NOT_A_FIELD_ELEMENT = 4
    #: The path does not lead from the leaf at the index to the epoch's ``accounts_root``.
    PATH_MISMATCH = 5
    #: The account proof does not verify with ``[params_root of the epoch, leaf]``.
    PROOF_INVALID = 6


class EpochRecord(NamedTuple):
    """``VenueRegistry.epochRecord``: the roots, the account count, the six totals (IM, MM, collateral, equity in
    micro-units, insolvent accounts, their shortfall in micro-units) and the 32-byte batch-proofs commitment."""

    params_root: int
    accounts_root: int
    accounts: int
    totals: tuple[int, int, int, int, int, int]
    batch_proofs_commitment: bytes


@dataclass(frozen=True)
class VenueDeployment:
    """``VenueRegistry`` and its account verifiers on one chain; ``sizes`` in the registry's size-index order."""

    registry: Contract
    account_verifiers: dict[str, Contract]
    sizes: tuple[str, ...]

    @property
    def deploy_gas(self) -> int:
        """Gas of every deployment (whole transactions; the registry's includes its ``PoseidonT5``)."""
        return self.registry.deploy_gas + sum(c.deploy_gas for c in self.account_verifiers.values())

    def size_index(self, size: str) -> int:
        """The registry's index of venue account size ``size``; ``len(sizes)`` (an index no verifier has, which
        the registry answers with :attr:`AccountVerdict.UNKNOWN_SIZE`) for a size it does not support."""
        return self.sizes.index(size) if size in self.sizes else len(self.sizes)


@dataclass(frozen=True)
class AccountClaim:
    """What ``checkAccount`` is asked: that ``leaf`` at ``index`` of the statement of ``epoch`` is proven by
    ``proof`` (venue account size ``size``) and lies under its ``accounts_root`` by ``siblings``.

    ``siblings`` has :data:`ACCOUNT_TREE_LEVELS` levels of three field elements, leaf level first.  The proof's
    own public signals are not sent: the registry checks the proof with ``[params_root of the epoch, leaf]``.
    """

    epoch: int
    size: str
    leaf: int
    index: int
    siblings: tuple[tuple[int, ...], ...]
    proof: ProofCalldata


@dataclass(frozen=True)
class VenueOnchainCheck:
    """What the EVM said about one account of a statement.

    ``verified`` is ``VenueRegistry.verifyAccount``'s answer and ``verdict`` what ``checkAccount`` gives for the
    same arguments; ``record`` is what the registry holds for the epoch after ``registerEpoch`` and
    ``record_matches`` whether it is :func:`statement_record` of the statement.  Gas is the whole transaction's
    (21,000 base and calldata included): ``register_gas`` of ``registerEpoch``, ``check_gas`` of
    ``verifyAccount``, ``deploy_gas`` of every deployment.
    """

    verified: bool
    verdict: AccountVerdict
    record: EpochRecord
    record_matches: bool
    register_gas: int
    check_gas: int
    deploy_gas: int


def deploy_venue_registry(chain: Chain, contracts: VenueContracts, deployer: str) -> VenueDeployment:
    """Deploy each size's account verifier, then ``VenueRegistry`` with their addresses; ``deployer`` owns it.

    Raises
    ------
    zkmargin.verifier.evm.ContractRevertError
        ``VerifierProbeFailed`` if a verifier does not take two public signals.
    """
    verifiers = {size: chain.deploy(deployer, f"Venue{size.capitalize()}Groth16Verifier",
                                    *contracts.account_verifiers[size])
                 for size in contracts.sizes}
    registry = chain.deploy(deployer, VENUE_REGISTRY_CONTRACT, *contracts.registry,
                            args=[[verifiers[size].address for size in contracts.sizes]])
    return VenueDeployment(registry, verifiers, contracts.sizes)


def statement_record(statement: VenueStatementRecord) -> EpochRecord:
    """The record ``registerEpoch`` makes of ``statement``: its roots, account count, totals and
    :func:`zkmargin.verifier.venue.batch_proofs_commitment`."""
    t = statement.totals
    totals = (int(t.initial_margin), int(t.maintenance_margin), int(t.collateral), int(t.equity), t.insolvent,
              int(t.shortfall))
    return EpochRecord(int(statement.params_root), int(statement.accounts_root), statement.accounts, totals,
                       batch_proofs_commitment(statement))


def register_epoch_args(statement: VenueStatementRecord) -> list[AbiValue]:
    """Arguments of ``registerEpoch(epoch, paramsRoot, accountsRoot, accounts, totals, batchProofsCommitment)``.

    Raises
    ------
    zkmargin.verifier.abi.AbiError
        When the encoder is given a value outside ``uint256`` (a negative total).
    """
    record = statement_record(statement)
    return [statement.epoch, record.params_root, record.accounts_root, record.accounts, list(record.totals),
            record.batch_proofs_commitment]


def register_statement(chain: Chain, deployment: VenueDeployment, statement: VenueStatementRecord,
                       sender: str) -> CallResult:
    """Send ``registerEpoch`` for ``statement`` from ``sender`` (the owner, for it to succeed).

    Raises
    ------
    zkmargin.verifier.evm.ContractRevertError
        ``Unauthorized`` for another sender, ``EpochAlreadyRegistered`` for an epoch already recorded, and the
        range errors of ``registerEpoch``.
    """
    return chain.transact(deployment.registry, REGISTER_EPOCH, register_epoch_args(statement), sender=sender)


def epoch_record(chain: Chain, deployment: VenueDeployment, epoch: int) -> EpochRecord:
    """What the registry holds for ``epoch`` (all zero when nothing is registered)."""
    return decode_epoch_record(chain.call(deployment.registry, EPOCH_RECORD, [epoch]).values)


def decode_epoch_record(values: Sequence[AbiValue]) -> EpochRecord:
    """The decoded outputs of ``epochRecord`` as an :class:`EpochRecord`."""
    params_root, accounts_root, accounts, totals, commitment = values
    if not isinstance(totals, tuple) or len(totals) != 6 or not isinstance(commitment, bytes):
        raise TypeError(f"expected (uint256, uint256, uint256, uint256[6], bytes32) from epochRecord, got {values!r}")
    t0, t1, t2, t3, t4, t5 = (_uint(v) for v in totals)
    return EpochRecord(_uint(params_root), _uint(accounts_root), _uint(accounts), (t0, t1, t2, t3, t4, t5),
                       commitment)


def account_claim(epoch: int, receipt: InclusionReceiptRecord, proof: ProofRecord) -> AccountClaim:
    """The claim of an account's owner: its receipt's size, leaf, index and path, with its proof from the batch
    file (``batches[receipt.batch].accounts[receipt.index - first index]``), for the statement of ``epoch``.

    Raises
    ------
    ValueError
        If the path does not have :data:`ACCOUNT_TREE_LEVELS` levels of three siblings, or a proof coordinate is
        not a canonical field element.
    """
    siblings = tuple(tuple(int(x) for x in level) for level in receipt.siblings)
    if len(siblings) != ACCOUNT_TREE_LEVELS or any(len(level) != PATH_WIDTH for level in siblings):
        raise ValueError(f"the receipt's path has {len(siblings)} levels; an account path has {ACCOUNT_TREE_LEVELS} "
                         f"levels of {PATH_WIDTH} siblings")
    calldata = proof_to_calldata(proof.snarkjs_proof(), proof.public_signals)
    return AccountClaim(epoch, receipt.size, int(receipt.leaf), receipt.index, siblings, calldata)


def check_account_args(deployment: VenueDeployment, claim: AccountClaim) -> list[AbiValue]:
    """Arguments of ``checkAccount`` / ``verifyAccount``: epoch, size index, leaf, index, siblings, the proof
    ``{a, b, c}``."""
    proof = claim.proof
    return [claim.epoch, deployment.size_index(claim.size), claim.leaf, claim.index,
            [list(level) for level in claim.siblings],
            [list(proof.a), [list(proof.b[0]), list(proof.b[1])], list(proof.c)]]


def check_account(chain: Chain, deployment: VenueDeployment, claim: AccountClaim) -> AccountVerdict:
    """``checkAccount``'s verdict on ``claim`` (a call: no state changes)."""
    (verdict,) = chain.call(deployment.registry, CHECK_ACCOUNT, check_account_args(deployment, claim)).values
    return AccountVerdict(_uint(verdict))


def check_account_on_evm(vkeys: Mapping[str, Path], statement: VenueStatementRecord,
                         receipt: InclusionReceiptRecord, proof: ProofRecord) -> VenueOnchainCheck:
    """Register ``statement`` in a fresh ``VenueRegistry`` and check one account against it.

    Deploys the verifiers rendered from ``vkeys`` and the registry on a fresh
    :class:`~zkmargin.verifier.evm.Chain`, sends ``registerEpoch`` from the owner, then ``verifyAccount`` as a
    transaction from another account (for its gas) and asks ``checkAccount`` for the reason of a rejection.

    Parameters
    ----------
    vkeys
        Venue account size -> ``verification_key.json`` of ``venue_<size>``, for the sizes the registry supports.
    statement
        The venue's published statement (``statement.json``).
    receipt, proof
        The account's inclusion receipt and its proof from the statement's batch file.

    Raises
    ------
    ValueError
        See :func:`account_claim`.
    zkmargin.verifier.evm.ContractRevertError
        If ``registerEpoch`` rejects the statement (a count or root out of range).
    zkmargin.verifier.groth16_errors.MalformedKeyError, GeneratedVerifierError, toolchain.tools.ToolError
        From :func:`zkmargin.verifier.solidity_build.build_venue_registry_from_vkeys`.
    """
    contracts = build_venue_registry_from_vkeys(vkeys)
    claim = account_claim(statement.epoch, receipt, proof)
    chain = Chain()
    owner, checker = chain.account(1), chain.account(2)
    deployment = deploy_venue_registry(chain, contracts, owner)
    register = register_statement(chain, deployment, statement, owner)
    record = epoch_record(chain, deployment, statement.epoch)
    args = check_account_args(deployment, claim)
    verify = chain.transact(deployment.registry, VERIFY_ACCOUNT, args, sender=checker)
    return VenueOnchainCheck(verified=verify.values == (True,), verdict=check_account(chain, deployment, claim),
                             record=record, record_matches=record == statement_record(statement),
                             register_gas=register.gas_used, check_gas=verify.gas_used,
                             deploy_gas=deployment.deploy_gas)


def _uint(value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"expected an integer from the contract, got {value!r}")
    return value
