"""Check a book proven in chunks on an in-process EVM: the two generated verifiers and ``BookVerifier``.

A large book is proven as chunk proofs (public signals ``[params_root, chunk_link]``) combined by one book
proof (``[params_root, account_commitment, margin_commitment, disclosure, chunk_link_0 … chunk_link_{M-1}]``,
unused slots last with link 0).  ``verifier/solidity/BookVerifier.sol`` holds the rule; this module
deploys it (:func:`deploy_book_verifier`), encodes its arguments (:func:`book_call_args`) and packages one
check (:func:`check_book_on_evm`, :class:`BookOnchainCheck`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import IntEnum
from pathlib import Path
from typing import Any, Final, NamedTuple

from zkmargin.verifier.abi import AbiValue
from zkmargin.verifier.evm import Chain, Contract, ProofCalldata, proof_to_calldata
from zkmargin.verifier.solidity_build import (
    BOOK_VERIFIER_CONTRACT,
    STATEMENT_PUBLIC_SIGNALS,
    BookContracts,
    build_book_verifier_from_vkeys,
)

#: ``BookVerifier.verifyBook`` and ``checkBook`` take (book proof, book public signals, chunk proofs).
VERIFY_BOOK: Final = "verifyBook"
CHECK_BOOK: Final = "checkBook"


class BookVerdict(IntEnum):
    """``BookVerifier.Verdict``, member for member (the tests compare the two)."""

    VALID = 0
    #: The book's public signals are not 4 + M.
    WRONG_SIGNAL_COUNT = 1
    #: A nonzero link follows a zero one (slots must be used first).
    LINKS_NOT_USED_FIRST = 2
    #: The number of chunk proofs is not the number of used slots.
    CHUNK_COUNT_MISMATCH = 3
    #: A used slot's chunk proof does not verify with the book's ``[params_root, chunk_link]``.
    CHUNK_PROOF_INVALID = 4
    #: The book proof does not verify with the book's public signals.
    BOOK_PROOF_INVALID = 5


class SnarkjsProof(NamedTuple):
    """A snarkjs ``proof.json`` and its ``public.json`` (decimal strings, in circuit order)."""

    proof: Mapping[str, Any]
    public_signals: Sequence[str]


@dataclass(frozen=True)
class BookDeployment:
    """The three contracts of a book check on one chain."""

    chunk_proof_verifier: Contract
    book_proof_verifier: Contract
    book_verifier: Contract

    @property
    def deploy_gas(self) -> int:
        """Gas of the three deployments (whole transactions)."""
        return sum(c.deploy_gas for c in (self.chunk_proof_verifier, self.book_proof_verifier, self.book_verifier))


@dataclass(frozen=True)
class BookOnchainCheck:
    """What the EVM said about a book.

    ``verified`` is the verdict of ``BookVerifier.verifyBook``; ``verdict`` and ``slot`` are what
    ``checkBook`` gives for the same arguments (``slot`` as documented there: the offending slot, or for
    :attr:`BookVerdict.CHUNK_COUNT_MISMATCH` the number of used slots).  ``chunk_signals_match`` says
    whether every chunk's own public signals are the ``[params_root, chunk_link_i]`` of the book for its
    slot (the contract never reads them: it checks each chunk proof with the book's).  Gas is the whole
    transaction's (21,000 base and calldata included): ``verify_gas`` of ``verifyBook``, ``deploy_gas`` of
    the three deployments together.
    """

    verified: bool
    verdict: BookVerdict
    slot: int
    chunk_slots: int
    chunk_signals_match: bool
    verify_gas: int
    deploy_gas: int


def proof_struct(calldata: ProofCalldata) -> list[AbiValue]:
    """A proof as ``BookVerifier.Proof`` ``{a, b, c}`` (EVM argument order)."""
    return [list(calldata.a), [list(calldata.b[0]), list(calldata.b[1])], list(calldata.c)]


def book_call_args(book: ProofCalldata, chunks: Sequence[ProofCalldata]) -> list[AbiValue]:
    """Arguments of ``verifyBook`` / ``checkBook``: the book proof, its public signals, the chunk proofs.

    The chunk proofs' own public signals are not passed: the contract checks each with the book's.
    """
    return [proof_struct(book), list(book.public_signals), [proof_struct(chunk) for chunk in chunks]]


def deploy_book_verifier(chain: Chain, contracts: BookContracts, deployer: str) -> BookDeployment:
    """Deploy the chunk and book proof verifiers, then ``BookVerifier`` with their addresses and M.

    Raises
    ------
    zkmargin.verifier.evm.ContractRevertError
        ``VerifierProbeFailed`` if the book verifier does not take ``4 + contracts.chunk_slots`` signals.
    """
    chunk = chain.deploy(deployer, "ChunkGroth16Verifier", *contracts.chunk_proof_verifier)
    book = chain.deploy(deployer, "BookGroth16Verifier", *contracts.book_proof_verifier)
    book_verifier = chain.deploy(deployer, BOOK_VERIFIER_CONTRACT, *contracts.book_verifier,
                                 args=[chunk.address, book.address, contracts.chunk_slots])
    return BookDeployment(chunk, book, book_verifier)


def book_verdict(values: Sequence[AbiValue]) -> tuple[BookVerdict, int]:
    """The decoded outputs of ``checkBook`` as ``(verdict, slot)``."""
    verdict, slot = values
    if not isinstance(verdict, int) or not isinstance(slot, int) or isinstance(verdict, bool):
        raise TypeError(f"expected (uint8, uint256) from checkBook, got {values!r}")
    return BookVerdict(verdict), slot


def check_book_on_evm(chunk_vkey: Path, book_vkey: Path, chunk_proofs: Sequence[SnarkjsProof],
                      book_proof: SnarkjsProof) -> BookOnchainCheck:
    """Check a book with ``BookVerifier`` and the verifiers rendered from ``chunk_vkey`` and ``book_vkey``.

    Deploys the three contracts on a fresh :class:`~zkmargin.verifier.evm.Chain`, sends ``verifyBook``
    as a transaction (for its gas) and asks ``checkBook`` for the reason of a rejection.

    Parameters
    ----------
    chunk_vkey, book_vkey
        snarkjs ``verification_key.json`` of the chunk circuit (2 public signals) and of the book circuit
        (4 + M); M is taken from the book key.
    chunk_proofs
        One chunk proof per used slot, in slot order, each with its own public signals.
    book_proof
        The book proof and its public signals, passed to the contract as they are (a wrong count is the
        contract's to reject).

    Raises
    ------
    ValueError
        If a proof coordinate or public signal is not a canonical field element.
    zkmargin.verifier.groth16_errors.MalformedKeyError, GeneratedVerifierError, toolchain.tools.ToolError
        From :func:`zkmargin.verifier.solidity_build.build_book_verifier_from_vkeys`.
    """
    contracts = build_book_verifier_from_vkeys(chunk_vkey, book_vkey)
    book = proof_to_calldata(book_proof.proof, book_proof.public_signals)
    chunks = [proof_to_calldata(chunk.proof, chunk.public_signals) for chunk in chunk_proofs]
    chain = Chain()
    deployment = deploy_book_verifier(chain, contracts, chain.account(1))
    args = book_call_args(book, chunks)
    result = chain.transact(deployment.book_verifier, VERIFY_BOOK, args, sender=chain.account(2))
    verdict, slot = book_verdict(chain.call(deployment.book_verifier, CHECK_BOOK, args).values)
    return BookOnchainCheck(verified=result.values == (True,), verdict=verdict, slot=slot,
                            chunk_slots=contracts.chunk_slots,
                            chunk_signals_match=_chunk_signals_match(book, chunks),
                            verify_gas=result.gas_used, deploy_gas=deployment.deploy_gas)


def _chunk_signals_match(book: ProofCalldata, chunks: Sequence[ProofCalldata]) -> bool:
    """Whether chunk ``i``'s public signals are ``[book params_root, book chunk_link_i]`` for every ``i``."""
    signals = book.public_signals
    links = signals[STATEMENT_PUBLIC_SIGNALS:]
    if not signals or len(chunks) > len(links):
        return False
    return all(chunk.public_signals == (signals[0], link) for chunk, link in zip(chunks, links, strict=False))
