"""On-chain check of a book proven as chunk proofs combined by one book proof: ``BookVerifier.sol``.

The first tests need no toolchain.  The module fixture then compiles the toy circuits
``tests/fixtures/solidity/chunk.circom`` (public ``[params_root, chunk_link]``) and
``tests/fixtures/solidity/book.circom`` (M = 3: ``[params_root, account_commitment, margin_commitment,
disclosure, chunk_link[3]]``), makes INSECURE dev keys, renders and compiles both verifiers and
``BookVerifier`` from the vkeys, and proves four chunks and two books (``tests/solidity_fixture.py``).
Every negative test changes one thing and names the verdict (and slot) ``checkBook`` gives; ``verifyBook``
is checked to agree, and where a proof is involved the Python verifier is asked too.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Final

import pytest
from solidity_fixture import BOOK_CHUNK_SLOTS, BookFixture, Groth16Proof, build_book_fixture, snarkjs_proof

from zkmargin.constants import BASE_FIELD_MODULUS, FIELD_ORDER
from zkmargin.verifier import groth16
from zkmargin.verifier.abi import AbiValue, encode, selector
from zkmargin.verifier.book_onchain import (
    CHECK_BOOK,
    VERIFY_BOOK,
    BookDeployment,
    BookVerdict,
    book_call_args,
    book_verdict,
    check_book_on_evm,
    deploy_book_verifier,
    proof_struct,
)
from zkmargin.verifier.evm import Chain, ContractRevertError, ProofCalldata
from zkmargin.verifier.solidity_build import (
    BOOK_VERIFIER_SOURCE,
    VERIFIER_CONTRACT,
    GeneratedVerifierError,
    build_book_verifier_from_vkeys,
    check_generated_verifier,
)

R = FIELD_ORDER
Q = BASE_FIELD_MODULUS
#: Four pairing checks (three chunks and the book) at ~210k gas each, plus calldata and the calls.
VERIFY_BOOK_GAS_BUDGET: Final = 950_000
#: A book rejected by a shape check costs no pairing.
SHAPE_REJECTION_GAS_BUDGET: Final = 60_000
#: Indices of the book's statement signals (the links follow).
PARAMS_ROOT, ACCOUNT_COMMITMENT, MARGIN_COMMITMENT, DISCLOSURE = range(4)
LINK_0 = 4


# --------------------------------------------------------------------------- no toolchain

def test_python_verdicts_mirror_the_solidity_enum() -> None:
    source = BOOK_VERIFIER_SOURCE.read_text()
    body = re.search(r"enum\s+Verdict\s*\{([^}]*)\}", source)
    assert body is not None
    members = [m.strip() for m in body[1].split(",") if m.strip()]
    camel = [re.sub(r"(?<!^)([A-Z])", r"_\1", name).upper() for name in members]
    assert camel == [v.name for v in BookVerdict]
    assert [v.value for v in BookVerdict] == list(range(len(members)))


def test_verify_book_arguments_layout() -> None:
    """A proof is the struct (uint256[2], uint256[2][2], uint256[2]): eight static words, b row-major."""
    book = ProofCalldata(a=(1, 2), b=((3, 4), (5, 6)), c=(7, 8), public_signals=(9, 10, 11, 12, 13, 0, 0))
    chunk = replace(book, a=(21, 22), public_signals=(9, 13))
    args = book_call_args(book, [chunk])
    assert args == [[[1, 2], [[3, 4], [5, 6]], [7, 8]], [9, 10, 11, 12, 13, 0, 0],
                    [[[21, 22], [[3, 4], [5, 6]], [7, 8]]]]
    proof_type = "(uint256[2],uint256[2][2],uint256[2])"
    data = encode([proof_type, "uint256[]", f"{proof_type}[]"], args)
    words = [int.from_bytes(data[i:i + 32], "big") for i in range(0, len(data), 32)]
    assert words[:8] == list(range(1, 9))  # the static book proof in place
    assert words[10:18] == [7, 9, 10, 11, 12, 13, 0, 0]  # length, then the signals (after two offsets)
    assert words[18:20] == [1, 21]  # one chunk proof, in place after the array's length
    assert proof_struct(chunk) == args[2][0]  # type: ignore[index]
    with pytest.raises(TypeError):
        book_verdict((True, 0))
    assert book_verdict((4, 2)) == (BookVerdict.CHUNK_PROOF_INVALID, 2)


# --------------------------------------------------------------------------- the fixture

@pytest.fixture(scope="module")
def fx(tmp_path_factory: pytest.TempPathFactory) -> BookFixture:
    return build_book_fixture(tmp_path_factory.mktemp("book"))


@dataclass(frozen=True)
class Deployed:
    """The three contracts on one chain; the tests only call it, so it is shared by the module."""

    chain: Chain
    contracts: BookDeployment


@pytest.fixture(scope="module")
def dep(fx: BookFixture) -> Deployed:
    chain = Chain()
    return Deployed(chain, deploy_book_verifier(chain, fx.contracts, chain.account(1)))


def _check(dep: Deployed, book: ProofCalldata, chunks: Sequence[ProofCalldata]) -> tuple[BookVerdict, int]:
    """``checkBook``'s verdict and slot; asserts that ``verifyBook`` says the same."""
    args = book_call_args(book, chunks)
    verdict, slot = book_verdict(dep.chain.call(dep.contracts.book_verifier, CHECK_BOOK, args).values)
    valid = dep.chain.call(dep.contracts.book_verifier, VERIFY_BOOK, args).values
    assert valid == (verdict is BookVerdict.VALID,)
    return verdict, slot


def _signals(proof: ProofCalldata, changes: dict[int, int]) -> ProofCalldata:
    signals = list(proof.public_signals)
    for index, value in changes.items():
        signals[index] = value
    return replace(proof, public_signals=tuple(signals))


def _negated_a(proof: ProofCalldata) -> ProofCalldata:
    """The proof with A replaced by -A: still a curve point (the precompiles accept it), not a valid proof."""
    return replace(proof, a=(proof.a[0], Q - proof.a[1]))


def _negated_a_json(proof: dict[str, Any]) -> dict[str, Any]:
    x, y, z = proof["pi_a"]
    return {**proof, "pi_a": [x, str(Q - int(y)), z]}


def _py_verify(vkey: Path, proof: dict[str, Any], signals: Sequence[int | str]) -> bool:
    return groth16.verify(json.loads(vkey.read_text()), proof, [str(s) for s in signals])


def _calldata(proofs: Sequence[Groth16Proof]) -> list[ProofCalldata]:
    return [p.calldata for p in proofs]


# --------------------------------------------------------------------------- valid books

@pytest.mark.slow
def test_book_with_three_used_chunks_verifies(fx: BookFixture, dep: Deployed,
                                              record_property: Callable[[str, object], None]) -> None:
    book, witness = fx.book_proofs[0], fx.book_witnesses[0]
    assert all(link != 0 for link in witness.chunk_links)
    chunks = fx.chunk_proofs[:3]
    assert _check(dep, book.calldata, _calldata(chunks)) == (BookVerdict.VALID, 0)
    # The Python verifier agrees on every proof, each checked with the signals the contract uses.
    assert _py_verify(fx.book_keys.vkey, book.proof_json, book.public_signals)
    for slot, chunk in enumerate(chunks):
        assert _py_verify(fx.chunk_keys.vkey, chunk.proof_json,
                          [witness.params.params_root, witness.chunk_links[slot]])
    result = dep.chain.transact(dep.contracts.book_verifier, VERIFY_BOOK,
                                book_call_args(book.calldata, _calldata(chunks)), sender=dep.chain.account(2))
    assert result.values == (True,)
    record_property("verify_book_3_chunks_tx_gas", result.gas_used)
    print(f"\nverifyBook (3 chunks): {result.gas_used} gas as a transaction, "
          f"{result.execution_gas} excluding intrinsic")
    assert result.gas_used <= VERIFY_BOOK_GAS_BUDGET


@pytest.mark.slow
def test_book_with_two_used_chunks_verifies(fx: BookFixture, dep: Deployed) -> None:
    book, witness = fx.book_proofs[1], fx.book_witnesses[1]
    assert witness.chunk_links[2] == 0 and int(book.public_signals[LINK_0 + 2]) == 0
    assert _check(dep, book.calldata, _calldata(fx.chunk_proofs[:2])) == (BookVerdict.VALID, 0)
    assert _py_verify(fx.book_keys.vkey, book.proof_json, book.public_signals)
    for slot, chunk in enumerate(fx.chunk_proofs[:2]):
        assert _py_verify(fx.chunk_keys.vkey, chunk.proof_json,
                          [witness.params.params_root, witness.chunk_links[slot]])


@pytest.mark.slow
def test_check_book_on_evm(fx: BookFixture) -> None:
    chunks = [snarkjs_proof(p) for p in fx.chunk_proofs[:3]]
    check = check_book_on_evm(fx.chunk_keys.vkey, fx.book_keys.vkey, chunks, snarkjs_proof(fx.book_proofs[0]))
    assert (check.verified, check.verdict, check.slot, check.chunk_slots, check.chunk_signals_match) == (
        True, BookVerdict.VALID, 0, BOOK_CHUNK_SLOTS, True)
    assert 0 < check.verify_gas <= VERIFY_BOOK_GAS_BUDGET and check.deploy_gas > 0
    swapped = [chunks[1], chunks[0], chunks[2]]
    check = check_book_on_evm(fx.chunk_keys.vkey, fx.book_keys.vkey, swapped, snarkjs_proof(fx.book_proofs[0]))
    assert (check.verified, check.verdict, check.slot, check.chunk_signals_match) == (
        False, BookVerdict.CHUNK_PROOF_INVALID, 0, False)
    check = check_book_on_evm(fx.chunk_keys.vkey, fx.book_keys.vkey, chunks, snarkjs_proof(fx.book_proofs[1]))
    assert (check.verified, check.verdict, check.slot, check.chunk_signals_match) == (
        False, BookVerdict.CHUNK_COUNT_MISMATCH, 2, False)


# --------------------------------------------------------------------------- rejected: chunk proofs

@pytest.mark.slow
def test_tampered_chunk_proof_is_rejected(fx: BookFixture, dep: Deployed) -> None:
    book, witness = fx.book_proofs[0], fx.book_witnesses[0]
    for slot in range(3):
        chunks = _calldata(fx.chunk_proofs[:3])
        chunks[slot] = _negated_a(chunks[slot])
        assert _check(dep, book.calldata, chunks) == (BookVerdict.CHUNK_PROOF_INVALID, slot)
        assert not _py_verify(fx.chunk_keys.vkey, _negated_a_json(fx.chunk_proofs[slot].proof_json),
                              [witness.params.params_root, witness.chunk_links[slot]])


@pytest.mark.slow
def test_chunk_proof_off_the_curve_is_a_rejection_not_a_revert(fx: BookFixture, dep: Deployed) -> None:
    chunks = _calldata(fx.chunk_proofs[:3])
    chunks[1] = replace(chunks[1], a=(1, 1))  # not on the curve: the ecMul precompile fails
    assert _check(dep, fx.book_proofs[0].calldata, chunks) == (BookVerdict.CHUNK_PROOF_INVALID, 1)
    chunks[1] = replace(chunks[1], a=(Q, 2))  # a coordinate >= q
    assert _check(dep, fx.book_proofs[0].calldata, chunks) == (BookVerdict.CHUNK_PROOF_INVALID, 1)


@pytest.mark.slow
def test_swapped_chunk_proofs_are_rejected(fx: BookFixture, dep: Deployed) -> None:
    c0, c1, c2 = _calldata(fx.chunk_proofs[:3])
    book = fx.book_proofs[0].calldata
    assert _check(dep, book, [c1, c0, c2]) == (BookVerdict.CHUNK_PROOF_INVALID, 0)
    assert _check(dep, book, [c0, c2, c1]) == (BookVerdict.CHUNK_PROOF_INVALID, 1)
    assert _check(dep, book, [c0, c1, c1]) == (BookVerdict.CHUNK_PROOF_INVALID, 2)  # one proof twice
    assert _check(dep, fx.book_proofs[1].calldata, [c1, c0]) == (BookVerdict.CHUNK_PROOF_INVALID, 0)


@pytest.mark.slow
def test_missing_chunk_proof_is_rejected(fx: BookFixture, dep: Deployed) -> None:
    c0, c1, _ = _calldata(fx.chunk_proofs[:3])
    book = fx.book_proofs[0].calldata
    assert _check(dep, book, [c0, c1]) == (BookVerdict.CHUNK_COUNT_MISMATCH, 3)
    assert _check(dep, book, []) == (BookVerdict.CHUNK_COUNT_MISMATCH, 3)
    assert _check(dep, fx.book_proofs[1].calldata, [c0]) == (BookVerdict.CHUNK_COUNT_MISMATCH, 2)


@pytest.mark.slow
def test_extra_chunk_proof_for_an_unused_slot_is_rejected(fx: BookFixture, dep: Deployed) -> None:
    c0, c1, c2 = _calldata(fx.chunk_proofs[:3])
    book = fx.book_proofs[1].calldata  # slot 2 unused
    assert _check(dep, book, [c0, c1, c2]) == (BookVerdict.CHUNK_COUNT_MISMATCH, 2)
    assert _check(dep, book, [c0, c1, c1]) == (BookVerdict.CHUNK_COUNT_MISMATCH, 2)
    assert _check(dep, fx.book_proofs[0].calldata, [c0, c1, c2, c2]) == (BookVerdict.CHUNK_COUNT_MISMATCH, 3)


@pytest.mark.slow
def test_chunk_proof_under_another_params_root_is_rejected(fx: BookFixture, dep: Deployed) -> None:
    # Chunk 3 is chunk 0 proven under epoch 2 with the same rate: the same link, another root.
    moved, original = fx.chunk_witnesses[3], fx.chunk_witnesses[0]
    assert moved.chunk_link == original.chunk_link and moved.params.params_root != original.params.params_root
    assert _py_verify(fx.chunk_keys.vkey, fx.chunk_proofs[3].proof_json, moved.public_signals)
    assert not _py_verify(fx.chunk_keys.vkey, fx.chunk_proofs[3].proof_json, original.public_signals)
    _, c1, c2, c0_moved = _calldata(fx.chunk_proofs)
    book = fx.book_proofs[0].calldata
    assert _check(dep, book, [c0_moved, c1, c2]) == (BookVerdict.CHUNK_PROOF_INVALID, 0)
    # Moving the book's root to epoch 2 makes slot 0 pass and slot 1 (still under epoch 1) fail.
    rerooted = _signals(book, {PARAMS_ROOT: moved.params.params_root})
    assert _check(dep, rerooted, [c0_moved, c1, c2]) == (BookVerdict.CHUNK_PROOF_INVALID, 1)


# --------------------------------------------------------------------------- rejected: the book's signals

@pytest.mark.slow
def test_links_not_used_first_are_rejected(fx: BookFixture, dep: Deployed) -> None:
    c0, c1, c2 = _calldata(fx.chunk_proofs[:3])
    full, two = fx.book_proofs[0], fx.book_proofs[1]
    links = fx.book_witnesses[0].chunk_links
    cases = [
        (full, {LINK_0 + 1: 0}, [c0, c2], 2),  # a gap in the middle
        (full, {LINK_0: 0}, [c1, c2], 1),  # the first slot unused
        (two, {LINK_0 + 1: 0, LINK_0 + 2: links[1]}, [c0, c1], 2),  # slots 0 and 2 used
    ]
    for proof, changes, chunks, slot in cases:
        signals = _signals(proof.calldata, changes)
        result = dep.chain.call(dep.contracts.book_verifier, CHECK_BOOK, book_call_args(signals, chunks))
        assert book_verdict(result.values) == (BookVerdict.LINKS_NOT_USED_FIRST, slot)
        assert result.gas_used <= SHAPE_REJECTION_GAS_BUDGET  # rejected before any pairing
        assert _check(dep, signals, chunks) == (BookVerdict.LINKS_NOT_USED_FIRST, slot)
        assert not _py_verify(fx.book_keys.vkey, proof.proof_json, signals.public_signals)


@pytest.mark.slow
def test_tampered_book_signal_is_rejected(fx: BookFixture, dep: Deployed) -> None:
    book = fx.book_proofs[0]
    chunks = _calldata(fx.chunk_proofs[:3])
    signals = [int(s) for s in book.public_signals]
    for index in (ACCOUNT_COMMITMENT, MARGIN_COMMITMENT, DISCLOSURE):
        tampered = _signals(book.calldata, {index: (signals[index] + 1) % R})
        assert _check(dep, tampered, chunks) == (BookVerdict.BOOK_PROOF_INVALID, 0), index
        assert not _py_verify(fx.book_keys.vkey, book.proof_json, tampered.public_signals)
        # s + r is not s: the generated verifier range-checks every signal.
        assert _check(dep, _signals(book.calldata, {index: signals[index] + R}), chunks) == (
            BookVerdict.BOOK_PROOF_INVALID, 0), index
    # The root and the links are also the chunks' signals: the first chunk checked with them fails.
    assert _check(dep, _signals(book.calldata, {PARAMS_ROOT: signals[PARAMS_ROOT] + 1}), chunks) == (
        BookVerdict.CHUNK_PROOF_INVALID, 0)
    for slot in range(3):
        for value in (signals[LINK_0 + slot] + 1, signals[LINK_0 + slot] + R):
            assert _check(dep, _signals(book.calldata, {LINK_0 + slot: value}), chunks) == (
                BookVerdict.CHUNK_PROOF_INVALID, slot)


@pytest.mark.slow
def test_tampered_book_proof_is_rejected(fx: BookFixture, dep: Deployed) -> None:
    book = fx.book_proofs[0]
    assert _check(dep, _negated_a(book.calldata), _calldata(fx.chunk_proofs[:3])) == (
        BookVerdict.BOOK_PROOF_INVALID, 0)
    assert not _py_verify(fx.book_keys.vkey, _negated_a_json(book.proof_json), book.public_signals)


@pytest.mark.slow
def test_wrong_signal_count_is_rejected(fx: BookFixture, dep: Deployed) -> None:
    book = fx.book_proofs[0].calldata
    chunks = _calldata(fx.chunk_proofs[:3])
    signals = book.public_signals
    for wrong in (signals[:-1], (*signals, 0), (*signals, 1), signals[:4], ()):
        candidate = replace(book, public_signals=wrong)
        result = dep.chain.call(dep.contracts.book_verifier, CHECK_BOOK, book_call_args(candidate, chunks))
        assert book_verdict(result.values) == (BookVerdict.WRONG_SIGNAL_COUNT, 0)
        assert result.gas_used <= SHAPE_REJECTION_GAS_BUDGET
        assert _check(dep, candidate, chunks) == (BookVerdict.WRONG_SIGNAL_COUNT, 0)


# --------------------------------------------------------------------------- deployment and build

@pytest.mark.slow
def test_views(fx: BookFixture, dep: Deployed) -> None:
    book_verifier = dep.contracts.book_verifier

    def view(name: str) -> object:
        (value,) = dep.chain.call(book_verifier, name).values
        return value

    assert view("chunkSlots") == BOOK_CHUNK_SLOTS
    assert view("bookSignalCount") == 4 + BOOK_CHUNK_SLOTS
    assert view("bookVerifySelector") == selector("verifyProof(uint256[2],uint256[2][2],uint256[2],uint256[7])")
    assert view("CHUNK_VERIFY_SELECTOR") == selector("verifyProof(uint256[2],uint256[2][2],uint256[2],uint256[2])")
    assert view("chunkVerifier") == dep.contracts.chunk_proof_verifier.address
    assert view("bookProofVerifier") == dep.contracts.book_proof_verifier.address


@pytest.mark.slow
def test_deployment_refuses_mismatched_verifiers(fx: BookFixture) -> None:
    chain = Chain()
    owner = chain.account(1)
    good = deploy_book_verifier(chain, fx.contracts, owner)
    chunk, book = good.chunk_proof_verifier.address, good.book_proof_verifier.address
    abi, code = fx.contracts.book_verifier

    def deploy_error(args: list[AbiValue]) -> ContractRevertError:
        with pytest.raises(ContractRevertError) as caught:
            chain.deploy(owner, "BookVerifier", abi, code, args=args)
        return caught.value

    for slots in (BOOK_CHUNK_SLOTS - 1, BOOK_CHUNK_SLOTS + 1):  # the book verifier takes 4 + 3 signals
        wanted = selector(f"verifyProof(uint256[2],uint256[2][2],uint256[2],uint256[{4 + slots}])")
        error = deploy_error([chunk, book, slots])
        assert (error.error, error.error_args) == ("VerifierProbeFailed", (book, wanted))
    error = deploy_error([book, chunk, BOOK_CHUNK_SLOTS])  # the verifiers swapped
    assert (error.error, error.error_args[0]) == ("VerifierProbeFailed", book)
    assert deploy_error([chunk, book, 0]).error == "ZeroChunkSlots"
    eoa = chain.account(7)
    error = deploy_error([chunk, eoa, BOOK_CHUNK_SLOTS])
    assert (error.error, error.error_args) == ("VerifierHasNoCode", (eoa,))


@pytest.mark.slow
def test_build_renders_two_checked_verifiers(fx: BookFixture) -> None:
    contracts = fx.contracts
    assert contracts.chunk_slots == BOOK_CHUNK_SLOTS
    for export, n_public in ((contracts.chunk_export, 2), (contracts.book_export, 4 + BOOK_CHUNK_SLOTS)):
        assert export.n_public == n_public
        assert export.source.name == f"{VERIFIER_CONTRACT}.sol"
        check_generated_verifier(export.source.read_text(), n_public)
    assert contracts.chunk_export.source.parent != contracts.book_export.source.parent
    assert contracts.chunk_proof_verifier.bytecode != contracts.book_proof_verifier.bytecode


@pytest.mark.slow
def test_build_refuses_keys_of_the_wrong_shape(fx: BookFixture, tmp_path: Path) -> None:
    chunk_vkey, book_vkey = fx.chunk_keys.vkey, fx.book_keys.vkey
    with pytest.raises(GeneratedVerifierError, match="a chunk proof has exactly 2"):
        build_book_verifier_from_vkeys(book_vkey, book_vkey, tmp_path / "a")
    with pytest.raises(GeneratedVerifierError, match=r"4 \+ M with M >= 1"):
        build_book_verifier_from_vkeys(chunk_vkey, chunk_vkey, tmp_path / "b")
    with pytest.raises(GeneratedVerifierError, match=r"4 \+ M = 20"):
        build_book_verifier_from_vkeys(chunk_vkey, book_vkey, tmp_path / "c", chunk_slots=16)
