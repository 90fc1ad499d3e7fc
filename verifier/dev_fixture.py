"""INSECURE development Groth16 keys and the 3-signal statement fixture.

For tests and gas benchmarks only.  The powers of tau and the zkey contribution
come from deterministic beacons whose hash is published in this file, so
anyone can recompute the toxic waste and forge proofs: **never deploy a verifier
built from these keys.**  Real keys come from the prover's ceremony; point
:func:`verifier.solidity_build.build_verifier_contracts` at that zkey instead.

Build products go under the caller's ``work_dir``; only the phase-2-prepared
powers of tau (the slow step, identical for every circuit of a size) is cached,
under ``.cache/solidity/ptau/``.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import struct
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from prover import tools
from verifier.evm import BN254_SCALAR_FIELD, ProofCalldata, proof_to_calldata
from verifier.solidity_build import CACHE_DIR, VerifierContracts, build_verifier_contracts

STATEMENT_CIRCUIT: Final = tools.REPO_ROOT / "tests" / "fixtures" / "solidity" / "statement.circom"

#: Public beacon of the dev setups (sha256 of this label).  INSECURE by construction.
DEV_BEACON_LABEL: Final = "zkmargin INSECURE development beacon - do not deploy"
DEV_BEACON_HASH: Final = hashlib.sha256(DEV_BEACON_LABEL.encode()).hexdigest()
DEV_BEACON_ITERATIONS_EXP: Final = 10


@dataclass(frozen=True)
class R1csHeader:
    """Sizes from the header section of a ``.r1cs`` file."""

    n_wires: int
    n_public_outputs: int
    n_public_inputs: int
    n_private_inputs: int
    n_constraints: int

    @property
    def n_public(self) -> int:
        """Public signals of a proof: outputs then public inputs."""
        return self.n_public_outputs + self.n_public_inputs

    @property
    def ptau_power(self) -> int:
        """Smallest powers-of-tau size snarkjs's ``groth16 setup`` accepts for this circuit."""
        return (self.n_constraints + self.n_public).bit_length()


def read_r1cs_header(path: Path) -> R1csHeader:
    """Parse the header section (type 1) of an iden3 ``.r1cs`` file."""
    data = path.read_bytes()
    if data[:4] != b"r1cs":
        raise ValueError(f"{path} is not an r1cs file (magic {data[:4]!r})")
    (n_sections,) = struct.unpack_from("<I", data, 8)
    offset = 12
    for _ in range(n_sections):
        section_type, size = struct.unpack_from("<IQ", data, offset)
        offset += 12
        if section_type == 1:
            (field_bytes,) = struct.unpack_from("<I", data, offset)
            at = offset + 4 + field_bytes
            n_wires, n_out, n_pub, n_prv = struct.unpack_from("<IIII", data, at)
            (n_constraints,) = struct.unpack_from("<I", data, at + 16 + 8)
            return R1csHeader(n_wires, n_out, n_pub, n_prv, n_constraints)
        offset += size
    raise ValueError(f"{path} has no header section")


def dev_ptau(power: int, cache_dir: Path = CACHE_DIR) -> Path:
    """Phase-2-prepared BN254 powers of tau of size ``2^power`` (INSECURE beacon), cached."""
    if not 1 <= power <= 20:
        raise ValueError(f"dev ptau power must be in [1, 20] (larger ones are not dev-sized), got {power}")
    version = tools.PINNED["snarkjs"]
    final = cache_dir / "ptau" / f"dev_bn128_{power:02d}_{DEV_BEACON_HASH[:12]}_snarkjs{version}.ptau"
    if final.exists():
        return final
    scratch = final.parent / f".build-{power}-{os.getpid()}"
    scratch.mkdir(parents=True, exist_ok=True)
    try:
        tools.snarkjs(["powersoftau", "new", "bn128", str(power), str(scratch / "0.ptau")])
        tools.snarkjs(["powersoftau", "beacon", str(scratch / "0.ptau"), str(scratch / "1.ptau"), DEV_BEACON_HASH,
                       str(DEV_BEACON_ITERATIONS_EXP), f"-n={DEV_BEACON_LABEL}"])
        tools.snarkjs(["powersoftau", "prepare", "phase2", str(scratch / "1.ptau"), str(scratch / "final.ptau")])
        os.replace(scratch / "final.ptau", final)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return final


@dataclass(frozen=True)
class DevCircuit:
    """A compiled circuit with an INSECURE dev Groth16 key."""

    r1cs: Path
    wasm: Path
    zkey: Path
    vkey: Path
    header: R1csHeader


def setup_dev_circuit(circuit: Path, work_dir: Path, *, cache_dir: Path = CACHE_DIR) -> DevCircuit:
    """Compile ``circuit`` (``--O2``) and make an INSECURE Groth16 key for it in ``work_dir``.

    The circuit must live inside the repository: circom runs from the
    repository root so that its WebAssembly sandbox can read circomlib.
    """
    work_dir.mkdir(parents=True, exist_ok=True)
    circuit = circuit.resolve()
    rel = circuit.relative_to(tools.REPO_ROOT)
    tools.circom([str(rel), "--r1cs", "--wasm", "--O2", "-l", str(tools.circomlib_dir()), "-o", str(work_dir)],
                 cwd=tools.REPO_ROOT)
    r1cs = work_dir / f"{circuit.stem}.r1cs"
    wasm = work_dir / f"{circuit.stem}_js" / f"{circuit.stem}.wasm"
    header = read_r1cs_header(r1cs)
    ptau = dev_ptau(header.ptau_power, cache_dir)
    zkey0 = work_dir / f"{circuit.stem}_0000.zkey"
    zkey = work_dir / f"{circuit.stem}.dev.zkey"
    tools.snarkjs(["groth16", "setup", str(r1cs), str(ptau), str(zkey0)])
    tools.snarkjs(["zkey", "beacon", str(zkey0), str(zkey), DEV_BEACON_HASH, str(DEV_BEACON_ITERATIONS_EXP),
                   f"-n={DEV_BEACON_LABEL}"])
    zkey0.unlink()
    vkey = work_dir / f"{circuit.stem}.dev.vkey.json"
    tools.snarkjs(["zkey", "export", "verificationkey", str(zkey), str(vkey)])
    return DevCircuit(r1cs=r1cs, wasm=wasm, zkey=zkey, vkey=vkey, header=header)


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


def fullprove(circuit: DevCircuit, inputs: Mapping[str, int | str], out_dir: Path, name: str) -> Groth16Proof:
    """``snarkjs groth16 fullprove``: witness and proof for ``inputs``, files named ``name``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    input_path = out_dir / f"{name}.input.json"
    proof_path = out_dir / f"{name}.proof.json"
    public_path = out_dir / f"{name}.public.json"
    input_path.write_text(json.dumps({k: str(v) for k, v in inputs.items()}))
    tools.snarkjs(["groth16", "fullprove", str(input_path), str(circuit.wasm), str(circuit.zkey),
                   str(proof_path), str(public_path)])
    public = tuple(str(s) for s in json.loads(public_path.read_text()))
    return Groth16Proof(json.loads(proof_path.read_text()), public, proof_path, public_path)


# --------------------------------------------------------------------------- the statement fixture

def toy_hash(x: int, y: int) -> int:
    """``(x + 2^64 y)^5 mod r``: the fixture's stand-in for Poseidon (not a hash; see the circuit)."""
    return pow((x + (y << 64)) % BN254_SCALAR_FIELD, 5, BN254_SCALAR_FIELD)


@dataclass(frozen=True)
class StatementWitness:
    """Private inputs of the fixture statement; the public signals follow from them.

    Rates are < 2^64 and the notional < 2^61 (the circuit range-checks both).
    """

    im_rate_bp: int
    mm_rate_bp: int
    notional: int
    salt: int

    @property
    def params_root(self) -> int:
        return toy_hash(self.im_rate_bp, self.mm_rate_bp)

    @property
    def account_commitment(self) -> int:
        return toy_hash(self.notional, self.salt)

    @property
    def initial_margin(self) -> int:
        return self.notional * self.im_rate_bp

    @property
    def maintenance_margin(self) -> int:
        return self.notional * self.mm_rate_bp

    @property
    def margins(self) -> int:
        return (self.initial_margin << 128) | self.maintenance_margin

    @property
    def public_signals(self) -> tuple[int, int, int]:
        return (self.params_root, self.account_commitment, self.margins)

    def circuit_input(self) -> dict[str, int]:
        return {
            "params_root": self.params_root, "account_commitment": self.account_commitment, "margins": self.margins,
            "im_rate_bp": self.im_rate_bp, "mm_rate_bp": self.mm_rate_bp, "notional": self.notional,
            "salt": self.salt,
        }


def _salt(label: str) -> int:
    return int.from_bytes(hashlib.sha256(label.encode()).digest(), "big") % BN254_SCALAR_FIELD


#: The fixture's proofs: two accounts under params P1, account 1 again under
#: params P2 (a later epoch), and a third account at the top of the ranges.
DEFAULT_WITNESSES: Final = (
    StatementWitness(im_rate_bp=1_200, mm_rate_bp=800, notional=25_000_000_000, salt=_salt("account-1")),
    StatementWitness(im_rate_bp=1_200, mm_rate_bp=800, notional=7_250_000, salt=_salt("account-2")),
    StatementWitness(im_rate_bp=1_350, mm_rate_bp=900, notional=25_000_000_000, salt=_salt("account-1")),
    StatementWitness(im_rate_bp=2**64 - 1, mm_rate_bp=2**64 - 2, notional=2**61 - 1, salt=_salt("account-3")),
)


@dataclass(frozen=True)
class StatementFixture:
    """The compiled fixture circuit, its contracts, and one proof per witness."""

    circuit: DevCircuit
    contracts: VerifierContracts
    witnesses: tuple[StatementWitness, ...]
    proofs: tuple[Groth16Proof, ...]


def build_statement_fixture(work_dir: Path, witnesses: Sequence[StatementWitness] = DEFAULT_WITNESSES, *,
                            cache_dir: Path = CACHE_DIR) -> StatementFixture:
    """Compile the fixture circuit, make INSECURE dev keys, build the contracts, prove ``witnesses``.

    Raises
    ------
    ValueError
        If snarkjs's public signals differ from the ones computed in Python
        (a change to the circuit's signal order would show up here).
    """
    circuit = setup_dev_circuit(STATEMENT_CIRCUIT, work_dir / "circuit", cache_dir=cache_dir)
    contracts = build_verifier_contracts(circuit.zkey, work_dir / "contracts", cache_dir=cache_dir)
    proofs = []
    for index, witness in enumerate(witnesses):
        proof = fullprove(circuit, witness.circuit_input(), work_dir / "proofs", f"proof{index}")
        expected = tuple(str(s) for s in witness.public_signals)
        if proof.public_signals != expected:
            raise ValueError(f"proof {index}: snarkjs public signals {proof.public_signals} != expected {expected}")
        proofs.append(proof)
    return StatementFixture(circuit, contracts, tuple(witnesses), tuple(proofs))
