"""Benchmark the pure-Python Groth16 verifier against ``snarkjs groth16 verify``.

Uses the golden vectors in ``tests/fixtures/groth16/`` (3 public signals).
Prints a markdown table:

* single proof: snarkjs CLI (wall time, and CPU time of the child process),
  the Python verifier end to end (parse key, proof and signals from the same
  JSON text, cold per-key cache), with a warm key, and py_ecc's reference
  pairing;
* batches of 1, 10 and 100 distinct valid proofs (re-randomised fixtures,
  ``(ρ·A, ρ⁻¹·B, C)``), parsed from JSON inside the timed call.

Usage: ``python scripts/bench_verifier.py [--repeat N]``.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Final

from prover import tools
from verifier import groth16
from verifier.bn254_curve import CURVE_ORDER, g1_mul, g2_mul
from verifier.groth16 import PairingBackend
from verifier.groth16_json import parse_proof, parse_verifying_key, proof_to_snarkjs
from verifier.groth16_types import G1Point, G2Point, Proof

REPO_ROOT: Final = Path(__file__).resolve().parent.parent
FIXTURES: Final = REPO_ROOT / "tests" / "fixtures" / "groth16"
N_FIXTURES: Final = 3


def _timed(action: Callable[[], object], repeat: int) -> tuple[float, float]:
    """Median wall and process (CPU) seconds of ``action`` over ``repeat`` runs."""
    walls, cpus = [], []
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        action()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus)


def _snarkjs_verify(repeat: int) -> tuple[float, float]:
    argv = ["groth16", "verify", str(FIXTURES / "vkey.json"), str(FIXTURES / "public_0.json"),
            str(FIXTURES / "proof_0.json")]
    tools.check_versions()
    walls, cpus = [], []
    for _ in range(repeat):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        result = tools.snarkjs(argv)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if "OK!" not in result.stdout:
            raise RuntimeError(f"snarkjs did not accept the golden vector:\n{result.stdout}")
        walls.append(result.seconds)
        cpus.append((after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime))
    return statistics.median(walls), statistics.median(cpus)


def _rerandomised(proof: Proof, rho: int) -> Proof:
    """``(ρ·A, ρ⁻¹·B, C)``: another valid proof of the same statement (Groth16 is malleable)."""
    a = g1_mul(proof.a.affine, rho)
    b = g2_mul(proof.b.affine, pow(rho, -1, CURVE_ORDER))
    assert a is not None and b is not None
    return Proof(a=G1Point(*a), b=G2Point(*b), c=proof.c)


def _distinct_items(count: int) -> list[dict[str, Any]]:
    rng = random.Random(7)
    items = []
    for i in range(count):
        index = i % N_FIXTURES
        proof = parse_proof((FIXTURES / f"proof_{index}.json").read_text())
        proof = _rerandomised(proof, rng.randrange(2, CURVE_ORDER))
        public = json.loads((FIXTURES / f"public_{index}.json").read_text())
        items.append({"proof": proof_to_snarkjs(proof), "publicSignals": public})
    return items


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="runs per single-proof measurement (median)")
    args = parser.parse_args()

    vkey_text = (FIXTURES / "vkey.json").read_text()
    proof_text = (FIXTURES / "proof_0.json").read_text()
    public_text = (FIXTURES / "public_0.json").read_text()
    rows: list[tuple[str, float, float]] = []

    wall, cpu = _snarkjs_verify(args.repeat)
    rows.append(("single: `snarkjs groth16 verify` (CLI, incl. Node start-up)", wall, cpu))

    def end_to_end() -> None:
        groth16._prepare_key.cache_clear()
        assert groth16.verify(vkey_text, proof_text, public_text)

    wall, cpu = _timed(end_to_end, args.repeat)
    rows.append(("single: Python, parse + verify, cold key cache", wall, cpu))

    vkey = parse_verifying_key(vkey_text)
    proof = parse_proof(proof_text)
    signals = json.loads(public_text)
    groth16.verify(vkey, proof, signals)  # warm the per-key cache
    wall, cpu = _timed(lambda: groth16.verify(vkey, proof, signals), args.repeat)
    rows.append(("single: Python, parsed key, warm key cache", wall, cpu))

    wall, cpu = _timed(lambda: groth16.verify(vkey, proof, signals, backend=PairingBackend.PY_ECC), 1)
    rows.append(("single: Python, py_ecc reference pairing", wall, cpu))

    for count in (1, 10, 100):
        items = _distinct_items(count)

        def batch(items: list[dict[str, Any]] = items) -> None:
            assert all(groth16.verify_batch(vkey, items))

        wall, cpu = _timed(batch, 1 if count == 100 else 3)
        rows.append((f"batch of {count}: Python, per proof (incl. JSON parse + G2 subgroup check)",
                     wall / count, cpu / count))

    print("| measurement | wall s | CPU s |")
    print("|---|---:|---:|")
    for name, wall, cpu in rows:
        print(f"| {name} | {wall:.4f} | {cpu:.4f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
