"""Test support: INSECURE Groth16 keys and proofs of the toy 4-signal statement circuit and of a toy chunked book.

``tests/fixtures/solidity/statement.circom`` has exactly the public interface of the
account statement, ``[params_root, account_commitment, margin_commitment, disclosure]``,
and the account
statement's ``params_root`` (Poseidon of its parts, which ``MarginRegistry`` recomputes
on chain), with a one-multiplication margin model, so the Solidity verifier and the
registry can be tested on many cheap proofs whose public signals Python computes with
``zkmargin.statement``.

The keys are **INSECURE**: the powers of tau is :func:`toolchain.keys.dev_ptau`'s
(public seed) and the zkey contribution is a deterministic beacon published in
this file, so anyone can forge proofs.  Never deploy a verifier built from them.

The circuit is compiled by :func:`toolchain.compile.compile_circuit` and the ptau
made by :func:`toolchain.keys.dev_ptau`, both cached under ``.cache/``; the zkey,
the contracts and the proofs go under the caller's ``work_dir``.

The book fixture (:func:`build_book_fixture`) does the same for ``tests/fixtures/solidity/chunk.circom``
(public ``[params_root, chunk_link]``) and ``tests/fixtures/solidity/book.circom`` (public
``[params_root, account_commitment, margin_commitment, disclosure, chunk_link[3]]``), the public interface of
a large book proven as chunk proofs combined by one book proof, with a toy params root
``Poseidon(rate, epoch)`` and a one-multiplication margin per chunk.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from zkmargin.constants import FIELD_ORDER, MULT_BITS
from zkmargin.statement.commitments import margin_commitment
from zkmargin.statement.poseidon import poseidon
from zkmargin.statement.records import ParamsRecord
from zkmargin.statement.signals import Disclosure, Statement
from zkmargin.toolchain import tools
from zkmargin.toolchain.compile import CompiledCircuit, compile_circuit
from zkmargin.toolchain.keys import BEACON_ITERATIONS_EXP, dev_ptau, required_power
from zkmargin.verifier.book_onchain import SnarkjsProof
from zkmargin.verifier.evm import ProofCalldata, proof_to_calldata
from zkmargin.verifier.solidity_build import (
    BookContracts,
    VerifierContracts,
    build_book_verifier_from_vkeys,
    build_verifier_from_vkey,
)

STATEMENT_CIRCUIT: Final = tools.REPO_ROOT / "tests" / "fixtures" / "solidity" / "statement.circom"

#: Public beacon of the fixture's zkey (sha256 of this label).  INSECURE by construction.
DEV_BEACON_LABEL: Final = "zkmargin INSECURE development beacon - do not deploy"
DEV_BEACON_HASH: Final = hashlib.sha256(DEV_BEACON_LABEL.encode()).hexdigest()


@dataclass(frozen=True)
class DevKeys:
    """A compiled circuit and its INSECURE dev Groth16 proving and verification keys."""

    circuit: CompiledCircuit
    zkey: Path
    vkey: Path


def setup_dev_keys(circuit_file: Path, work_dir: Path) -> DevKeys:
    """Compile ``circuit_file`` and make an INSECURE Groth16 key for it in ``work_dir``."""
    work_dir.mkdir(parents=True, exist_ok=True)
    circuit = compile_circuit(circuit_file)
    ptau = dev_ptau(required_power(circuit))
    zkey0 = work_dir / f"{circuit.name}_0000.zkey"
    zkey = work_dir / f"{circuit.name}.dev.zkey"
    tools.snarkjs(["groth16", "setup", str(circuit.r1cs), str(ptau), str(zkey0)])
    tools.snarkjs(["zkey", "beacon", str(zkey0), str(zkey), DEV_BEACON_HASH, str(BEACON_ITERATIONS_EXP),
                   f"-n={DEV_BEACON_LABEL}"])
    zkey0.unlink()
    vkey = work_dir / f"{circuit.name}.dev.vkey.json"
    tools.snarkjs(["zkey", "export", "verificationkey", str(zkey), str(vkey)])
    return DevKeys(circuit=circuit, zkey=zkey, vkey=vkey)


@dataclass(frozen=True)
class Groth16Proof:
    """A snarkjs proof, its public signals, and the same in EVM argument order."""

    proof_json: dict[str, Any]
    public_signals: tuple[str, ...]
    proof_path: Path
    public_path: Path

    @property
    def calldata(self) -> ProofCalldata:
        return proof_to_calldata(self.proof_json, self.public_signals)


def fullprove(keys: DevKeys, inputs: Mapping[str, int | str], out_dir: Path, name: str) -> Groth16Proof:
    """``snarkjs groth16 fullprove``: witness and proof for ``inputs``, files named ``name``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    input_path = out_dir / f"{name}.input.json"
    proof_path = out_dir / f"{name}.proof.json"
    public_path = out_dir / f"{name}.public.json"
    input_path.write_text(json.dumps({k: str(v) for k, v in inputs.items()}))
    tools.snarkjs(["groth16", "fullprove", str(input_path), str(keys.circuit.wasm), str(keys.zkey),
                   str(proof_path), str(public_path)])
    public = tuple(str(s) for s in json.loads(public_path.read_text()))
    return Groth16Proof(json.loads(proof_path.read_text()), public, proof_path, public_path)


# --------------------------------------------------------------------------- the statement fixture

#: The circuit range-checks the notional to this many bits (and the multipliers to MULT_BITS).
NOTIONAL_BITS: Final = 100


@dataclass(frozen=True)
class StatementWitness:
    """Private inputs of the fixture statement; the public signals follow from them.

    ``params`` are the parts of the params root (multipliers < 2^20, the circuit checks them);
    the notional is < 2^100, so IM and MM are < 2^120.
    """

    params: ParamsRecord
    notional: int
    salt: int
    disclosure: Disclosure = Disclosure.MARGINS

    @property
    def params_root(self) -> int:
        return self.params.params_root()

    @property
    def account_commitment(self) -> int:
        return poseidon([self.notional, self.salt])

    @property
    def initial_margin(self) -> int:
        return self.notional * self.params.im_bp

    @property
    def maintenance_margin(self) -> int:
        return self.notional * self.params.mm_bp

    @property
    def statement(self) -> Statement:
        """The account statement these signals decode to: margins disclosed or nothing disclosed."""
        shown = self.disclosure is Disclosure.MARGINS
        return Statement(self.params_root, self.account_commitment,
                         margin_commitment(self.initial_margin, self.maintenance_margin, self.salt), self.disclosure,
                         initial_margin=self.initial_margin if shown else None,
                         maintenance_margin=self.maintenance_margin if shown else None)

    @property
    def public_signals(self) -> tuple[int, ...]:
        return tuple(self.statement.public_signals())

    def circuit_input(self) -> dict[str, int]:
        statement = self.statement
        return {
            "params_root": self.params_root, "account_commitment": self.account_commitment,
            "margin_commitment": statement.margin_commitment, "disclosure": statement.disclosure_signal,
            "disclose": int(self.disclosure is Disclosure.MARGINS),
            "instruments_root": int(self.params.instruments_root),
            "table_hash": int(self.params.table_hash), "im_bp": self.params.im_bp,
            "mm_bp": self.params.mm_bp, "epoch": self.params.epoch, "notional": self.notional, "salt": self.salt,
        }


def _field(label: str) -> int:
    return int.from_bytes(hashlib.sha256(label.encode()).digest(), "big") % FIELD_ORDER


def fixture_params(label: str, im_bp: int, mm_bp: int, epoch: int) -> ParamsRecord:
    """Params parts with stand-in instruments root and table hash derived from ``label``."""
    return ParamsRecord(instruments_root=str(_field(f"{label}/instruments")),
                        table_hash=str(_field(f"{label}/table")), im_bp=im_bp, mm_bp=mm_bp, epoch=epoch)


#: Params P1 (epoch 1), P2 (epoch 2, higher multipliers) and P3 (epoch 2, the largest multipliers).
PARAMS_1: Final = fixture_params("P1", 1_200, 800, 1)
PARAMS_2: Final = fixture_params("P2", 1_350, 900, 2)
PARAMS_3: Final = fixture_params("P3", 2**MULT_BITS - 1, 2**MULT_BITS - 2, 2)

#: The fixture's proofs: two accounts under P1 (the second disclosing nothing), account 1 again under P2
#: (a later epoch), and a third account at the top of the ranges under P3.
DEFAULT_WITNESSES: Final = (
    StatementWitness(PARAMS_1, notional=25_000_000_000, salt=_field("account-1")),
    StatementWitness(PARAMS_1, notional=7_250_000, salt=_field("account-2"), disclosure=Disclosure.NOTHING),
    StatementWitness(PARAMS_2, notional=25_000_000_000, salt=_field("account-1")),
    StatementWitness(PARAMS_3, notional=2**NOTIONAL_BITS - 1, salt=_field("account-3")),
)


@dataclass(frozen=True)
class StatementFixture:
    """The fixture circuit's INSECURE keys, its contracts, and one proof per witness."""

    keys: DevKeys
    contracts: VerifierContracts
    witnesses: tuple[StatementWitness, ...]
    proofs: tuple[Groth16Proof, ...]


def build_statement_fixture(work_dir: Path,
                            witnesses: Sequence[StatementWitness] = DEFAULT_WITNESSES) -> StatementFixture:
    """Compile the fixture circuit, make INSECURE dev keys, build the contracts from the vkey, prove ``witnesses``.

    Raises
    ------
    ValueError
        If snarkjs's public signals differ from the ones computed in Python
        (a change to the circuit's signal order would show up here).
    """
    keys = setup_dev_keys(STATEMENT_CIRCUIT, work_dir / "keys")
    contracts = build_verifier_from_vkey(keys.vkey, work_dir / "contracts")
    proofs = []
    for index, witness in enumerate(witnesses):
        proof = fullprove(keys, witness.circuit_input(), work_dir / "proofs", f"proof{index}")
        expected = tuple(str(s) for s in witness.public_signals)
        if proof.public_signals != expected:
            raise ValueError(f"proof {index}: snarkjs public signals {proof.public_signals} != expected {expected}")
        proofs.append(proof)
    return StatementFixture(keys, contracts, tuple(witnesses), tuple(proofs))


# --------------------------------------------------------------------------- the chunked book fixture

CHUNK_CIRCUIT: Final = tools.REPO_ROOT / "tests" / "fixtures" / "solidity" / "chunk.circom"
BOOK_CIRCUIT: Final = tools.REPO_ROOT / "tests" / "fixtures" / "solidity" / "book.circom"
#: M, the chunk slots of the fixture book circuit (``BookFixture(3)``).
BOOK_CHUNK_SLOTS: Final = 3
#: The chunk circuit range-checks the quantity to this many bits and the rate to MULT_BITS.
QUANTITY_BITS: Final = 64


@dataclass(frozen=True)
class ToyParams:
    """The fixture's params: a margin rate (< 2^20) and an epoch; ``params_root = Poseidon(rate, epoch)``."""

    rate: int
    epoch: int

    @property
    def params_root(self) -> int:
        return poseidon([self.rate, self.epoch])


@dataclass(frozen=True)
class ChunkWitness:
    """Private inputs of a fixture chunk (quantity < 2^64); its link is ``Poseidon(quantity, margin, salt)``."""

    params: ToyParams
    quantity: int
    salt: int

    @property
    def margin(self) -> int:
        return self.quantity * self.params.rate

    @property
    def chunk_link(self) -> int:
        return poseidon([self.quantity, self.margin, self.salt])

    @property
    def public_signals(self) -> tuple[int, int]:
        return (self.params.params_root, self.chunk_link)

    def circuit_input(self) -> dict[str, int]:
        return {"params_root": self.params.params_root, "chunk_link": self.chunk_link, "rate": self.params.rate,
                "epoch": self.params.epoch, "quantity": self.quantity, "salt": self.salt}


@dataclass(frozen=True)
class BookWitness:
    """Private inputs of a fixture book: its used chunks (slots 0 .. len - 1, at most M) and the account salt."""

    params: ToyParams
    chunks: tuple[ChunkWitness, ...]
    account_salt: int

    def __post_init__(self) -> None:
        if len(self.chunks) > BOOK_CHUNK_SLOTS:
            raise ValueError(f"{len(self.chunks)} chunks, the fixture book has {BOOK_CHUNK_SLOTS} slots")
        if any(chunk.params != self.params for chunk in self.chunks):
            raise ValueError("every chunk of a book is proven under the book's params")

    def _slots(self) -> list[ChunkWitness | None]:
        return [*self.chunks, *[None] * (BOOK_CHUNK_SLOTS - len(self.chunks))]

    @property
    def chunk_links(self) -> tuple[int, ...]:
        """One link per slot; 0 for an unused slot."""
        return tuple(chunk.chunk_link if chunk else 0 for chunk in self._slots())

    @property
    def total_margin(self) -> int:
        return sum(chunk.margin for chunk in self.chunks)

    @property
    def account_commitment(self) -> int:
        return poseidon([*(chunk.quantity if chunk else 0 for chunk in self._slots()), self.account_salt])

    @property
    def margin_commitment(self) -> int:
        return poseidon([self.total_margin, self.account_salt])

    @property
    def public_signals(self) -> tuple[int, ...]:
        return (self.params.params_root, self.account_commitment, self.margin_commitment, self.total_margin,
                *self.chunk_links)

    def circuit_input(self) -> dict[str, int | Sequence[int]]:
        slots = self._slots()
        return {
            "params_root": self.params.params_root, "account_commitment": self.account_commitment,
            "margin_commitment": self.margin_commitment, "disclosure": self.total_margin,
            "chunk_link": list(self.chunk_links), "rate": self.params.rate, "epoch": self.params.epoch,
            "used": [int(chunk is not None) for chunk in slots],
            "quantity": [chunk.quantity if chunk else 0 for chunk in slots],
            "margin": [chunk.margin if chunk else 0 for chunk in slots],
            "salt": [chunk.salt if chunk else 0 for chunk in slots],
            "account_salt": self.account_salt,
        }


#: Params of the book fixture: epoch 1, and epoch 2 with the same rate (so a chunk has the same link under both).
TOY_PARAMS_1: Final = ToyParams(rate=1_200, epoch=1)
TOY_PARAMS_2: Final = ToyParams(rate=1_200, epoch=2)
#: Three chunks under epoch 1 (the last at the top of the quantity range), and the first again under epoch 2.
CHUNK_WITNESSES: Final = (
    ChunkWitness(TOY_PARAMS_1, quantity=25_000_000, salt=_field("chunk-0")),
    ChunkWitness(TOY_PARAMS_1, quantity=7_250_000, salt=_field("chunk-1")),
    ChunkWitness(TOY_PARAMS_1, quantity=2**QUANTITY_BITS - 1, salt=_field("chunk-2")),
    ChunkWitness(TOY_PARAMS_2, quantity=25_000_000, salt=_field("chunk-0")),
)
#: A book with all three slots used, and one with the first two used.
BOOK_WITNESSES: Final = (
    BookWitness(TOY_PARAMS_1, CHUNK_WITNESSES[:3], account_salt=_field("book-full")),
    BookWitness(TOY_PARAMS_1, CHUNK_WITNESSES[:2], account_salt=_field("book-two")),
)


@dataclass(frozen=True)
class BookFixture:
    """The chunk and book circuits' INSECURE keys, the book's contracts, and one proof per witness."""

    chunk_keys: DevKeys
    book_keys: DevKeys
    contracts: BookContracts
    chunk_witnesses: tuple[ChunkWitness, ...]
    chunk_proofs: tuple[Groth16Proof, ...]
    book_witnesses: tuple[BookWitness, ...]
    book_proofs: tuple[Groth16Proof, ...]


def fullprove_with_arrays(keys: DevKeys, inputs: Mapping[str, int | Sequence[int]], out_dir: Path,
                          name: str) -> Groth16Proof:
    """:func:`fullprove` for inputs that include signal arrays (written as lists of decimal strings)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    input_path = out_dir / f"{name}.input.json"
    proof_path = out_dir / f"{name}.proof.json"
    public_path = out_dir / f"{name}.public.json"
    input_path.write_text(json.dumps({k: str(v) if isinstance(v, int) else [str(x) for x in v]
                                      for k, v in inputs.items()}))
    tools.snarkjs(["groth16", "fullprove", str(input_path), str(keys.circuit.wasm), str(keys.zkey),
                   str(proof_path), str(public_path)])
    public = tuple(str(s) for s in json.loads(public_path.read_text()))
    return Groth16Proof(json.loads(proof_path.read_text()), public, proof_path, public_path)


def snarkjs_proof(proof: Groth16Proof) -> SnarkjsProof:
    """The proof JSON and public signals, as :func:`zkmargin.verifier.book_onchain.check_book_on_evm` takes them."""
    return SnarkjsProof(proof.proof_json, proof.public_signals)


def _checked_proof(keys: DevKeys, inputs: Mapping[str, int | Sequence[int]], expected: Sequence[int], out_dir: Path,
                   name: str) -> Groth16Proof:
    proof = fullprove_with_arrays(keys, inputs, out_dir, name)
    if proof.public_signals != tuple(str(s) for s in expected):
        raise ValueError(f"{name}: snarkjs public signals {proof.public_signals} != expected {tuple(expected)}")
    return proof


def build_book_fixture(work_dir: Path, chunks: Sequence[ChunkWitness] = CHUNK_WITNESSES,
                       books: Sequence[BookWitness] = BOOK_WITNESSES) -> BookFixture:
    """Compile the chunk and book fixture circuits, make INSECURE dev keys, build the contracts, prove.

    Raises
    ------
    ValueError
        If snarkjs's public signals differ from the ones computed in Python.
    """
    chunk_keys = setup_dev_keys(CHUNK_CIRCUIT, work_dir / "keys")
    book_keys = setup_dev_keys(BOOK_CIRCUIT, work_dir / "keys")
    contracts = build_book_verifier_from_vkeys(chunk_keys.vkey, book_keys.vkey, work_dir / "contracts",
                                               chunk_slots=BOOK_CHUNK_SLOTS)
    proofs_dir = work_dir / "proofs"
    chunk_proofs = tuple(_checked_proof(chunk_keys, chunk.circuit_input(), chunk.public_signals, proofs_dir,
                                        f"chunk{index}") for index, chunk in enumerate(chunks))
    book_proofs = tuple(_checked_proof(book_keys, book.circuit_input(), book.public_signals, proofs_dir,
                                       f"book{index}") for index, book in enumerate(books))
    return BookFixture(chunk_keys, book_keys, contracts, tuple(chunks), chunk_proofs, tuple(books), book_proofs)
