"""Verifier benchmark: the pure-Python Groth16 verifier against ``snarkjs groth16 verify`` on an account proof.

Usage::

    python scripts/bench_verifier.py [--repeat 5] [--fixture] [--no-write]

By default it measures the real zkmargin account proof of the ``test`` circuit size: keys from
``toolchain.keys.setup("test")`` (INSECURE dev keys, cached), and a proof made in this run with
``prover.prove.prove_account`` of ``examples/portfolios/two_underlying_book.json`` against
``examples/market.json`` + ``examples/params.json`` under the v2 scenarios (the README demo's account).
``--fixture`` measures the golden vectors in ``tests/fixtures/groth16/`` instead and only prints.

Measured, on the same proof in the same run:

* single proof: ``snarkjs groth16 verify`` (CLI, Node start-up included; wall time and the child's CPU time);
  the Python verifier end to end (key, proof and signals parsed from the same JSON text, cold per-key cache)
  with each pairing backend (``FAST``, ``PY_ECC``), and ``FAST`` with a parsed key and a warm cache;
* batches of 1, 10 and 100 distinct valid proofs (the one proof re-randomised, ``(ρ·A, ρ⁻¹·B, C)``),
  parsed from JSON inside the timed call, per proof.

Writes its results into BENCHMARKS.md (section ``bench_verifier``).
Targets: single verify ≤ 1.0 s; batch verify ≤ 0.3 s per proof at 100 proofs.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import ROOT, machine, write_section

from zkmargin.constants import FIELD_ORDER
from zkmargin.engine.account import encode_account
from zkmargin.engine.commitments import build_params_tree
from zkmargin.engine.io import load_market, load_params, load_portfolio, load_scenarios
from zkmargin.engine.risk import build_risk_table
from zkmargin.prover.prove import ProofResult, check_provable, prove_account
from zkmargin.statement.sizes import SIZES
from zkmargin.toolchain import tools
from zkmargin.toolchain.keys import SetupArtifacts, setup
from zkmargin.verifier import groth16
from zkmargin.verifier.bn254_curve import g1_mul, g2_mul
from zkmargin.verifier.groth16 import PairingBackend
from zkmargin.verifier.groth16_json import parse_proof, parse_verifying_key, proof_to_snarkjs
from zkmargin.verifier.groth16_types import G1Point, G2Point, Proof

EXAMPLES: Final = ROOT / "examples"
PORTFOLIO: Final = EXAMPLES / "portfolios" / "two_underlying_book.json"
SCENARIOS: Final = "v2"
SIZE: Final = "test"
FIXTURES: Final = ROOT / "tests" / "fixtures" / "groth16"
BATCH_SIZES: Final = (1, 10, 100)
#: Runs of the batches below 100 proofs (median); the batch of 100 runs once.
BATCH_REPEAT: Final = 3
TARGET_SINGLE_S: Final = 1.0
TARGET_BATCH_PER_PROOF_S: Final = 0.3
SNARKJS_TIMEOUT_S: Final = 600.0


def log(message: str) -> None:
    """A timestamped progress line on stderr."""
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- the example account proof
# Also used by bench_gas.py.

def prove_example(artifacts: SetupArtifacts, workdir: Path, *, salt: int | None = None,
                  params_update: Mapping[str, int] | None = None) -> ProofResult:
    """Prove the README demo's account (two_underlying_book, example market and params, v2).

    ``workdir`` receives snarkjs's ``proof.json`` and ``public.json``.  ``params_update`` overrides fields of
    ``examples/params.json`` (bench_gas proves the same account, same ``salt``, at a later epoch).
    """
    market = load_market(EXAMPLES / "market.json")
    params = load_params(EXAMPLES / "params.json")
    if params_update:
        params = params.model_copy(update=dict(params_update))
    table = build_risk_table(market, load_scenarios(SCENARIOS), params)
    account = encode_account(load_portfolio(PORTFOLIO), table, source=str(PORTFOLIO))
    return prove_account(artifacts, check_provable(build_params_tree(table), account, SIZES[artifacts.name]), salt=salt,
                         workdir=workdir, market_timestamp=market.timestamp.isoformat(), scenarios=SCENARIOS)


def example_description(artifacts: SetupArtifacts, proof: ProofResult) -> str:
    """One sentence naming the circuit, its keys and the proved statement."""
    statement = proof.bundle.statement
    keys = "INSECURE dev keys" if artifacts.insecure else "ceremony keys"
    return (f"the zkmargin account proof of the `{artifacts.name}` circuit "
            f"({artifacts.circuit.n_constraints:,} constraints, {artifacts.circuit.n_public} public signals, "
            f"{keys}, vkey {artifacts.vkey_id}) for `{PORTFOLIO.relative_to(ROOT)}` against the example market "
            f"and params under {SCENARIOS} (discloses {statement.discloses}), "
            "the account the README demo proves")


# --------------------------------------------------------------------------- what is verified

@dataclass(frozen=True)
class Subject:
    """A verification key, one proof and its public signals, as snarkjs JSON files."""

    description: str
    vkey: Path
    proof: Path
    public: Path


@contextmanager
def example_subject() -> Iterator[Subject]:
    """The README demo's account proof, made in a temporary directory that lives as long as the context."""
    artifacts = setup(SIZE)
    with tempfile.TemporaryDirectory(prefix="bench_verifier_") as tmp:
        log(f"proving {PORTFOLIO.name} with the {SIZE} circuit")
        proof = prove_example(artifacts, Path(tmp))
        yield Subject(example_description(artifacts, proof), artifacts.vkey, Path(tmp) / "proof.json",
                      Path(tmp) / "public.json")


@contextmanager
def fixture_subject() -> Iterator[Subject]:
    """The golden vectors of ``tests/fixtures/groth16`` (toy statement, 3 public signals, INSECURE keys)."""
    yield Subject("the golden test vector `tests/fixtures/groth16/proof_0.json` (toy statement circuit, "
                  "3 public signals, INSECURE keys)", FIXTURES / "vkey.json", FIXTURES / "proof_0.json",
                  FIXTURES / "public_0.json")


# --------------------------------------------------------------------------- measurements

@dataclass(frozen=True)
class Timing:
    """Median wall-clock and CPU seconds of one measurement (per proof for batches)."""

    label: str
    wall_s: float
    cpu_s: float


def time_python(label: str, action: Callable[[], object], repeat: int) -> Timing:
    """Median wall and process CPU seconds of ``action`` over ``repeat`` runs."""
    walls, cpus = [], []
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        action()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return Timing(label, statistics.median(walls), statistics.median(cpus))


def time_snarkjs(subject: Subject, repeat: int) -> Timing:
    """Median wall seconds of ``snarkjs groth16 verify`` and CPU seconds (user + system) of its process."""
    walls, cpus = [], []
    for _ in range(repeat):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        wall = time.perf_counter()
        accepted = tools.snarkjs_verify(subject.vkey, subject.proof, subject.public, timeout=SNARKJS_TIMEOUT_S)
        walls.append(time.perf_counter() - wall)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if not accepted:
            raise SystemExit(f"snarkjs rejected the benchmark proof {subject.proof}")
        cpus.append((after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime))
    return Timing("`snarkjs groth16 verify` (CLI, Node start-up included)", statistics.median(walls),
                  statistics.median(cpus))


def rerandomised(proof: Proof, rho: int) -> Proof:
    """``(ρ·A, ρ⁻¹·B, C)``: another valid proof of the same statement (Groth16 proofs are malleable)."""
    a = g1_mul(proof.a.affine, rho)
    b = g2_mul(proof.b.affine, pow(rho, -1, FIELD_ORDER))
    if a is None or b is None:
        raise ValueError("re-randomising gave the point at infinity (ρ must be a non-zero scalar)")
    return Proof(a=G1Point(*a), b=G2Point(*b), c=proof.c)


def distinct_items(proof: Proof, public: list[str], count: int, seed: int = 7) -> list[dict[str, Any]]:
    """``count`` distinct valid bundles of the same statement, as snarkjs JSON objects."""
    rng = random.Random(seed)
    return [{"proof": proof_to_snarkjs(rerandomised(proof, rng.randrange(2, FIELD_ORDER))), "publicSignals": public}
            for _ in range(count)]


def measure(subject: Subject, repeat: int) -> tuple[list[Timing], list[Timing]]:
    """Single-proof timings and per-proof batch timings (index i is ``BATCH_SIZES[i]``)."""
    vkey_text, proof_text = subject.vkey.read_text(), subject.proof.read_text()
    public_text = subject.public.read_text()

    log("snarkjs groth16 verify")
    single = [time_snarkjs(subject, repeat)]
    for backend in PairingBackend:
        def end_to_end(backend: PairingBackend = backend) -> None:
            groth16._prepare_key.cache_clear()
            if not groth16.verify(vkey_text, proof_text, public_text, backend=backend):
                raise SystemExit(f"the Python verifier ({backend.name}) rejected the benchmark proof")

        log(f"Python verify, {backend.name}")
        single.append(time_python(f"Python `verify`, {backend.name} pairing: parse key + proof + signals, "
                                  "cold key cache", end_to_end, repeat))

    vkey = parse_verifying_key(vkey_text)
    proof = parse_proof(proof_text)
    public = [str(s) for s in json.loads(public_text)]
    groth16.verify(vkey, proof, public)  # warms the per-key cache
    single.append(time_python("Python `verify`, FAST pairing: parsed key and proof, warm key cache",
                              lambda: groth16.verify(vkey, proof, public), repeat))

    batches = []
    for count in BATCH_SIZES:
        items = distinct_items(proof, public, count)

        def batch(items: list[dict[str, Any]] = items) -> None:
            if not all(groth16.verify_batch(vkey, items)):
                raise SystemExit("verify_batch rejected a re-randomised proof")

        log(f"Python verify_batch of {count}")
        total = time_python("", batch, 1 if count >= 100 else BATCH_REPEAT)
        proofs = "1 proof" if count == 1 else f"{count} distinct proofs"
        batches.append(Timing(f"Python `verify_batch` of {proofs}, FAST pairing, per proof", total.wall_s / count,
                              total.cpu_s / count))
    return single, batches


def verdict(timing: Timing, target_s: float) -> str:
    """``met`` / ``MISSED`` for a time target, on wall time, with the CPU time beside it."""
    shown = f"{timing.wall_s:.3f} s wall, {timing.cpu_s:.3f} s CPU"
    if timing.wall_s <= target_s:
        return f"met ({shown})"
    if timing.cpu_s <= target_s:
        return f"MISSED on wall time though met on CPU time ({shown}; the machine is shared)"
    return f"MISSED ({shown})"


def report(subject: Subject, single: list[Timing], batches: list[Timing], loads: tuple[float, float]) -> str:
    """The BENCHMARKS.md section."""
    snarkjs, fast_cold, py_ecc_cold = single[0], single[1], single[2]
    per_100 = batches[BATCH_SIZES.index(100)]
    versions = tools.check_versions()
    rows = [f"| {t.label} | {t.wall_s:.3f} | {t.cpu_s:.3f} |" for t in [*single, *batches]]
    return "\n".join([
        "## Verifier (`scripts/bench_verifier.py`)", "", f"Machine: {machine()}", "",
        f"Verifies {subject.description}. snarkjs {versions['snarkjs']} on Node {versions['node']} "
        "and the Python verifier check the same `proof.json` and `public.json` in the same run. Single-proof "
        "rows are medians of the runs; CPU time is the process's user + system time (for snarkjs, the child "
        "process's, from `getrusage`). The batch rows verify distinct valid proofs made by re-randomising the "
        "one proof, `(ρ·A, ρ⁻¹·B, C)`, passed as snarkjs JSON objects, so parsing and the subgroup checks are "
        f"timed too; the batch of 100 is timed once, the others are medians of {BATCH_REPEAT} runs. Load average "
        f"{loads[0]:.1f} at the start and {loads[1]:.1f} at the end (the machine is shared), so wall "
        "times include contention.", "",
        "| measurement | wall s | CPU s |", "|---|---:|---:|", *rows, "",
        f"Targets: single verify ≤ {TARGET_SINGLE_S:.1f} s (Python, FAST pairing, end to end with a cold key "
        f"cache): {verdict(fast_cold, TARGET_SINGLE_S)}. Batch verify ≤ {TARGET_BATCH_PER_PROOF_S} s per proof at "
        f"100 proofs: {verdict(per_100, TARGET_BATCH_PER_PROOF_S)}. Not targets: the snarkjs CLI (Node start-up and "
        f"module loading included) takes {snarkjs.wall_s / fast_cold.wall_s:.1f}× the wall time and "
        f"{snarkjs.cpu_s / fast_cold.cpu_s:.1f}× the CPU time of the end-to-end FAST verify; the py_ecc "
        f"reference pairing, kept so the tests can check both backends, takes {py_ecc_cold.wall_s:.2f} s wall.",
    ])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="runs per single-proof measurement (median)")
    parser.add_argument("--fixture", action="store_true",
                        help="measure the golden test vectors instead of the account proof (print only)")
    parser.add_argument("--no-write", action="store_true", help="print only; leave BENCHMARKS.md alone")
    args = parser.parse_args()
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")

    tools.check_versions()
    load_start = os.getloadavg()[0]
    with fixture_subject() if args.fixture else example_subject() as subject:
        single, batches = measure(subject, args.repeat)
    body = report(subject, single, batches, (load_start, os.getloadavg()[0]))
    print(body)
    if not args.no_write and not args.fixture:
        write_section("bench_verifier", body)


if __name__ == "__main__":
    main()
