"""Trusted setup of an account circuit: compile, powers of tau, Groth16 keys; cached by content hash.

Two paths:

* **dev** (default): an INSECURE, deterministic powers of tau written from a public seed by
  :func:`toolchain.devptau.generate_dev_ptau`, ``snarkjs groth16 setup`` and a beacon derived from the
  seed.  The same seed gives the same verification key.  Anyone who knows the seed can forge proofs:
  dev keys are for development and tests only, and every artifact and manifest says so.
* **production** (``ptau=FILE``): a public ceremony's prepared ptau.  Its power is checked against
  the circuit; then a phase-2 contribution with fresh entropy, a random beacon, and
  ``snarkjs zkey verify``.  Every hash goes into the manifest.

Artifacts live in ``.cache/setup/<size>-<key>/`` where ``key`` hashes the compiled constraint system
(itself cached by a hash of the circuit sources), the ptau identity and the tool versions;
``manifest.json`` records all of it.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import shutil
import struct
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from zkmargin.toolchain import tools
from zkmargin.toolchain.compile import CompiledCircuit, compile_circuit
from zkmargin.toolchain.devptau import generate_dev_ptau
from zkmargin.toolchain.tools import sha256_file

CACHE_DIR: Final = tools.REPO_ROOT / ".cache"
CIRCUITS_DIR: Final = tools.REPO_ROOT / "circuits"
DEV_SEED: Final = "zkmargin-insecure-dev-setup-v1"
BEACON_ITERATIONS_EXP: Final = 10
MANIFEST_VERSION: Final = 2

Progress = Callable[[str], Any]


class SetupError(RuntimeError):
    """A setup input is unusable (wrong ptau power, unknown size)."""


@dataclass(frozen=True)
class SetupArtifacts:
    """Keys and circuit files of one set-up circuit size."""

    name: str
    circuit: CompiledCircuit
    directory: Path
    zkey: Path
    vkey: Path
    manifest: dict[str, Any]

    @property
    def insecure(self) -> bool:
        return bool(self.manifest["insecure_dev_setup"])

    @property
    def vkey_id(self) -> str:
        return str(self.manifest["vkey_id"])


def main_file(name: str) -> Path:
    """The ``component main`` file of the account circuit of size ``name``; :class:`SetupError` if none."""
    path = CIRCUITS_DIR / "main" / f"account_{name}.circom"
    if not path.is_file():
        known = sorted(p.stem.removeprefix("account_") for p in (CIRCUITS_DIR / "main").glob("account_*.circom"))
        raise SetupError(f"unknown circuit size {name!r}; sizes: {', '.join(known)}")
    return path


def required_power(circuit: CompiledCircuit) -> int:
    """Smallest ptau power whose domain holds the circuit's constraints plus public inputs (snarkjs' rule)."""
    needed = circuit.n_constraints + circuit.n_public + 1
    power = 1
    while (1 << power) < needed:
        power += 1
    return power


def vkey_id(vkey: Path) -> str:
    """Identifier of a verification key: sha256 of its canonical JSON, first 16 hex digits."""
    canonical = json.dumps(json.loads(vkey.read_text()), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def ptau_power(path: Path) -> int:
    """The power recorded in a ``.ptau`` file's header section."""
    with path.open("rb") as fh:
        head = fh.read(12)
        if len(head) < 12 or head[:4] != b"ptau":
            raise SetupError(f"{path} is not a .ptau file")
        n_sections = struct.unpack("<I", head[8:12])[0]
        for _ in range(n_sections):
            sid, size = struct.unpack("<IQ", fh.read(12))
            if sid == 1:
                n8 = struct.unpack("<I", fh.read(4))[0]
                fh.seek(n8, 1)
                return int(struct.unpack("<I", fh.read(4))[0])
            fh.seek(size, 1)
    raise SetupError(f"{path} has no header section")


def dev_ptau(power: int, seed: str = DEV_SEED, progress: Progress | None = None) -> Path:
    """The cached INSECURE dev ptau of ``power`` for ``seed`` (generated on first use)."""
    tag = hashlib.sha256(seed.encode()).hexdigest()[:12]
    path = CACHE_DIR / "ptau" / f"dev-insecure-{tag}-{power}.ptau"
    if not path.exists():
        if progress:
            progress(f"writing INSECURE dev powers of tau 2^{power}")
        tmp = path.with_name(f"{path.name}.partial-{os.getpid()}")
        generate_dev_ptau(power, seed, tmp)
        tmp.replace(path)
    return path


def _cache_key(circuit: CompiledCircuit, ptau_identity: str) -> str:
    """Keys depend on the constraint system, not on the sources: an edit that leaves the r1cs unchanged
    (a comment, a renamed variable) keeps the keys."""
    versions = tools.check_versions()
    blob = json.dumps({"r1cs": sha256_file(circuit.r1cs), "ptau": ptau_identity, "tools": versions,
                       "manifest": MANIFEST_VERSION}, sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def setup(size_name: str = "test", *, ptau: Path | None = None, seed: str = DEV_SEED,
          progress: Progress | None = None, timings: dict[str, float] | None = None) -> SetupArtifacts:
    """Compile and set up the account circuit of ``size_name``; reuse the cache when nothing changed.

    Parameters
    ----------
    size_name : ``"test"`` or ``"standard"``.
    ptau : a ceremony's prepared ptau for a production setup; ``None`` for the INSECURE dev setup.
    seed : the dev setup's public seed (ignored with ``ptau``).
    progress : called with a line before each slow step.
    timings : filled with seconds per step (``compile``, ``ptau``, ``setup``).
    """
    main = main_file(size_name)
    times = timings if timings is not None else {}
    say = progress or (lambda _msg: None)
    start = time.perf_counter()
    say(f"compiling the {size_name} circuit (circom --O2)")
    circuit = compile_circuit(main)
    times["compile"] = time.perf_counter() - start
    power = required_power(circuit)
    if ptau is None:
        identity = f"dev:{seed}:{power}"
    else:
        ptau = Path(ptau)
        if not ptau.is_file():
            raise SetupError(f"ptau file {ptau} does not exist")
        have = ptau_power(ptau)
        if have < power:
            raise SetupError(f"{ptau} has power {have}; the {size_name} circuit ({circuit.n_constraints:,} "
                             f"constraints) needs power {power} or more")
        identity = f"file:{sha256_file(ptau)}"
    directory = CACHE_DIR / "setup" / f"{size_name}-{_cache_key(circuit, identity)}"
    manifest_path = directory / "manifest.json"
    if manifest_path.exists():
        manifest = json.loads(manifest_path.read_text())
        times.setdefault("ptau", 0.0)
        times.setdefault("setup", 0.0)
        return SetupArtifacts(size_name, circuit, directory, directory / "circuit_final.zkey",
                              directory / "verification_key.json", manifest)

    # each process works in its own folder and publishes it with one rename, so concurrent setups of the
    # same circuit cannot clobber each other; the first to finish wins and the others use its keys
    work = directory.with_name(f"{directory.name}.partial-{os.getpid()}")
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    start = time.perf_counter()
    ptau_file = dev_ptau(power, seed, say) if ptau is None else ptau
    times["ptau"] = time.perf_counter() - start

    start = time.perf_counter()
    say(f"groth16 setup ({circuit.n_constraints:,} constraints, ptau 2^{ptau_power(ptau_file)})")
    zkey0 = work / "circuit_0000.zkey"
    tools.snarkjs(["groth16", "setup", str(circuit.r1cs), str(ptau_file), str(zkey0)], timeout=3600)
    final = work / "circuit_final.zkey"
    if ptau is None:
        beacon = hashlib.sha256(f"beacon:{seed}".encode()).hexdigest()
        say("deterministic dev beacon")
        tools.snarkjs(["zkey", "beacon", str(zkey0), str(final), beacon, str(BEACON_ITERATIONS_EXP),
                       "-n=zkmargin INSECURE dev beacon"], timeout=3600)
    else:
        zkey1 = work / "circuit_0001.zkey"
        say("phase-2 contribution with fresh entropy")
        tools.snarkjs(["zkey", "contribute", str(zkey0), str(zkey1), "--name=zkmargin phase-2 contribution",
                       f"-e={secrets.token_hex(32)}"], timeout=3600)
        beacon = secrets.token_hex(32)
        say("random beacon")
        tools.snarkjs(["zkey", "beacon", str(zkey1), str(final), beacon, str(BEACON_ITERATIONS_EXP),
                       "-n=zkmargin final beacon"], timeout=3600)
        say("snarkjs zkey verify")
        tools.snarkjs(["zkey", "verify", str(circuit.r1cs), str(ptau_file), str(final)], timeout=3600)
        zkey1.unlink()
    zkey0.unlink()
    vkey = work / "verification_key.json"
    tools.snarkjs(["zkey", "export", "verificationkey", str(final), str(vkey)], timeout=600)
    times["setup"] = time.perf_counter() - start

    manifest = {
        "manifest_version": MANIFEST_VERSION,
        "insecure_dev_setup": ptau is None,
        "warning": ("INSECURE development keys: the powers of tau and the beacon derive from a public seed; "
                    "anyone can forge proofs") if ptau is None else None,
        "size": size_name,
        "circuit": {"main": str(main.relative_to(tools.REPO_ROOT)), "source_hash": circuit.source_hash,
                    "constraints": circuit.n_constraints, "public_signals": circuit.n_public,
                    "r1cs_sha256": sha256_file(circuit.r1cs)},
        "ptau": {"dev_seed": seed if ptau is None else None, "power": ptau_power(ptau_file),
                 "file": str(ptau) if ptau is not None else None, "sha256": sha256_file(ptau_file)},
        "beacon": beacon,
        "zkey_sha256": sha256_file(final),
        "vkey_sha256": sha256_file(vkey),
        "vkey_id": vkey_id(vkey),
        "tools": tools.check_versions(),
        "seconds": {k: round(v, 2) for k, v in times.items()},
    }
    (work / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    try:
        work.rename(directory)
    except OSError:
        shutil.rmtree(work, ignore_errors=True)
        if not manifest_path.exists():
            raise
        manifest = json.loads(manifest_path.read_text())
    return SetupArtifacts(size_name, circuit, directory, directory / "circuit_final.zkey",
                          directory / "verification_key.json", manifest)
