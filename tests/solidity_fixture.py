"""Test support: INSECURE Groth16 keys and proofs of the toy 4-signal statement circuit.

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
from zkmargin.verifier.evm import ProofCalldata, proof_to_calldata
from zkmargin.verifier.solidity_build import VerifierContracts, build_verifier_from_vkey

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
