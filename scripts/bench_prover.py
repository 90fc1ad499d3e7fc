"""Prover benchmark: per circuit size, constraints, cold compile, dev keys against snarkjs, witness, proof and
peak memory.

Usage::

    python scripts/bench_prover.py [--sizes test,standard] [--baseline test] [--ptau-power 12]
                                   [--no-real-prepare] [--no-write]

For each size the circuit is compiled, its dev ptau written and its INSECURE dev keys written (``devzkey.js``)
in a fresh temporary cache (``toolchain.keys.CACHE_DIR`` and ``toolchain.compile.DEFAULT_CACHE_DIR`` are
pointed at it for the run), so every setup number is cold; then ``examples/portfolios/two_underlying_book.json``
is proved with the example market and params under the v2 scenarios, timing the witness and the proof
separately, and the proof is checked with ``snarkjs groth16 verify``.  The proof is made a second time under
``/usr/bin/time`` for its peak resident memory.

Dev keys against snarkjs: for the sizes in ``--baseline``, the run also times the path the dev writer replaces,
``snarkjs groth16 setup`` with the same dev ptau and ``snarkjs zkey beacon`` with the dev beacon, and checks
that the two keys are byte-identical; for the other sizes that time is extrapolated from the largest measured
one in proportion to the constraint count, and marked so.
The same run also times the dev ptau generator against ``snarkjs powersoftau new`` + ``prepare phase2`` at
``--ptau-power`` and the dev generator alone at power 16, through :func:`bench_devptau.bench`.
Writes its results into BENCHMARKS.md (section ``bench_prover``).
Targets: ≤ 1,500 constraints per position; the dev ptau at power 16 takes ≤ 3 min on 2 cores.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Final

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_devptau import HEADER as DEVPTAU_HEADER
from bench_devptau import bench as bench_devptau
from benchlib import ROOT, machine, measured, timed, write_section

from zkmargin.engine.account import encode_account
from zkmargin.engine.commitments import build_params_tree
from zkmargin.engine.io import load_market, load_params, load_portfolio, load_scenarios
from zkmargin.engine.risk import RiskTable, build_risk_table
from zkmargin.prover.prove import check_provable, prove_account
from zkmargin.statement.sizes import SIZES
from zkmargin.toolchain import compile as toolchain_compile
from zkmargin.toolchain import devptau, tools
from zkmargin.toolchain import keys as toolchain_keys
from zkmargin.toolchain.devzkey import DEV_BEACON_NAME

EXAMPLES: Final = ROOT / "examples"
#: Constraint counts recorded by tests/test_constraints.py (marginal cost per position included).
RECORDED: Final = json.loads((ROOT / "circuits" / "constraints.json").read_text())["circuits"]
PORTFOLIO: Final = EXAMPLES / "portfolios" / "two_underlying_book.json"
SCENARIOS: Final = "v2"
DEVPTAU_SEED: Final = "bench_devptau (INSECURE)"
#: The dev ptau target is stated at this power.
TARGET_POWER: Final = 16
TARGET_DEVPTAU_S: Final = 180.0
#: Marginal constraints per position slot.
TARGET_PER_POSITION: Final = 1_500
#: Generous: a cold ``standard`` compile takes several minutes on a loaded 2-core machine.
COMPILE_TIMEOUT_S: Final = 3600.0
#: Groth16 proof on bn128: 2 G1 points (64 B uncompressed, 32 B compressed) and 1 G2 point (128 B / 64 B).
PROOF_BYTES_UNCOMPRESSED: Final = 2 * 64 + 128
PROOF_BYTES_COMPRESSED: Final = 2 * 32 + 64


@dataclass(frozen=True)
class SizeResult:
    """Cold setup and one proof of one circuit size; times in wall-clock seconds, sizes in bytes."""

    name: str
    positions: int
    groups: int
    assets: int
    constraints: int
    ptau_power: int
    compile_s: float
    ptau_s: float
    setup_s: float
    snarkjs_setup_s: float | None
    snarkjs_same_bytes: bool | None
    witness_s: float
    prove_s: float
    prove_rss_mib: float
    verify_s: float
    proof_json_bytes: int
    vkey_bytes: int
    zkey_bytes: int


def log(message: str) -> None:
    """A timestamped progress line on stderr."""
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


@contextmanager
def cold_cache(root: Path) -> Iterator[None]:
    """Point the setup and compile caches at ``root`` (empty) for the duration, then restore them.

    ``setup()`` reads ``toolchain_keys.CACHE_DIR`` (ptau and keys) and calls ``compile_circuit`` without a
    ``cache_dir``, which then reads ``toolchain_compile.DEFAULT_CACHE_DIR``; both are looked up at call time.
    """
    saved = toolchain_keys.CACHE_DIR, toolchain_compile.DEFAULT_CACHE_DIR
    setattr(toolchain_keys, "CACHE_DIR", root)  # noqa: B010 - the names are Final for everyone but this benchmark
    setattr(toolchain_compile, "DEFAULT_CACHE_DIR", root / "circuits")  # noqa: B010
    try:
        yield
    finally:
        setattr(toolchain_keys, "CACHE_DIR", saved[0])  # noqa: B010
        setattr(toolchain_compile, "DEFAULT_CACHE_DIR", saved[1])  # noqa: B010


def snarkjs_baseline(artifacts: toolchain_keys.SetupArtifacts, work: Path) -> tuple[float, bool]:
    """``groth16 setup`` with the size's dev ptau + ``zkey beacon`` with the dev beacon: (seconds, whether the key
    equals the dev writer's byte for byte)."""
    ptau = toolchain_keys.dev_ptau(int(artifacts.manifest["ptau"]["power"]))
    zkey0, final = work / "snarkjs_0.zkey", work / "snarkjs_final.zkey"
    beacon = hashlib.sha256(f"beacon:{devptau.DEV_SEED}".encode()).hexdigest()
    setup_s, _ = measured([*tools.snarkjs_argv(), "groth16", "setup", str(artifacts.circuit.r1cs), str(ptau),
                           str(zkey0)], timeout=6 * 3600)
    beacon_s, _ = measured([*tools.snarkjs_argv(), "zkey", "beacon", str(zkey0), str(final), beacon,
                            str(toolchain_keys.BEACON_ITERATIONS_EXP), f"-n={DEV_BEACON_NAME}"], timeout=6 * 3600)
    same = final.read_bytes() == artifacts.zkey.read_bytes()
    zkey0.unlink()
    final.unlink()
    return setup_s + beacon_s, same


def bench_size(name: str, table: RiskTable, market_timestamp: str, baseline: bool) -> SizeResult:
    """Compile, set up (dev) and prove the example account for circuit size ``name``, all cold; with
    ``baseline``, also time snarkjs's setup of the same keys."""
    size = SIZES[name]
    with tempfile.TemporaryDirectory(prefix=f"bench_prover_{name}_") as tmp, cold_cache(Path(tmp)):
        cache = Path(tmp)
        log(f"{name}: compiling (cold, circom --O2)")
        # compiled here, with a longer time limit than setup() grants circom; setup() then reuses this build
        circuit, compile_s = timed(lambda: toolchain_compile.compile_circuit(
            toolchain_keys.main_file(size.name), cache_dir=cache / "circuits", timeout=COMPILE_TIMEOUT_S))
        if circuit.cached:
            raise SystemExit(f"{name}: the compile cache in {cache} was not cold")
        log(f"{name}: {circuit.n_constraints:,} constraints, compiled in {compile_s:.1f} s")
        timings: dict[str, float] = {}
        artifacts = toolchain_keys.setup(name, progress=lambda msg: log(f"{name}: {msg}"), timings=timings)
        if timings["ptau"] == 0.0 or timings["setup"] == 0.0:
            raise SystemExit(f"{name}: setup reused a cached ptau or key in {cache}")
        log(f"{name}: dev ptau {timings['ptau']:.1f} s, dev keys written in {timings['setup']:.1f} s")
        snarkjs_s: float | None = None
        same: bool | None = None
        if baseline:
            log(f"{name}: snarkjs groth16 setup + zkey beacon of the same keys (the path the dev writer replaces)")
            snarkjs_s, same = snarkjs_baseline(artifacts, cache)
            log(f"{name}: snarkjs {snarkjs_s:.1f} s, same bytes: {same}")

        params = build_params_tree(table)
        account = encode_account(load_portfolio(PORTFOLIO), table, source=str(PORTFOLIO))
        work = cache / "prove"
        proof = prove_account(artifacts, check_provable(params, account, size), workdir=work,
                              market_timestamp=market_timestamp, scenarios=SCENARIOS,
                              progress=lambda msg: log(f"{name}: {msg}"))
        log(f"{name}: witness {proof.seconds['witness']:.1f} s, proof {proof.seconds['prove']:.1f} s")
        accepted, verify_s = timed(lambda: tools.snarkjs_verify(artifacts.vkey, work / "proof.json",
                                                                work / "public.json", timeout=600))
        if not accepted:
            raise SystemExit(f"{name}: snarkjs rejected the proof in {work}")
        _, prove_rss = measured([*tools.snarkjs_argv(), "groth16", "prove", str(artifacts.zkey),
                                 str(work / "witness.wtns"), str(work / "proof2.json"), str(work / "public2.json")],
                                timeout=3600)
        return SizeResult(
            name=name, positions=size.positions, groups=size.groups, assets=size.assets,
            constraints=circuit.n_constraints, ptau_power=int(artifacts.manifest["ptau"]["power"]),
            compile_s=compile_s, ptau_s=timings["ptau"], setup_s=timings["setup"], snarkjs_setup_s=snarkjs_s,
            snarkjs_same_bytes=same, witness_s=proof.seconds["witness"], prove_s=proof.seconds["prove"],
            prove_rss_mib=prove_rss, verify_s=verify_s, proof_json_bytes=(work / "proof.json").stat().st_size,
            vkey_bytes=artifacts.vkey.stat().st_size, zkey_bytes=artifacts.zkey.stat().st_size)


def baseline_cells(results: list[SizeResult]) -> list[str]:
    """snarkjs's setup time per size: measured, or extrapolated from the largest measured size by constraints."""
    measured_runs = [r for r in results if r.snarkjs_setup_s is not None]
    if not measured_runs:
        return ["not run"] * len(results)
    ref = max(measured_runs, key=lambda r: r.constraints)
    cells = []
    for r in results:
        if r.snarkjs_setup_s is not None:
            same = "same bytes" if r.snarkjs_same_bytes else "**DIFFERENT bytes**"
            cells.append(f"{r.snarkjs_setup_s:.1f} ({r.snarkjs_setup_s / r.setup_s:.0f}×, {same})")
        else:
            assert ref.snarkjs_setup_s is not None
            guess = ref.snarkjs_setup_s * r.constraints / ref.constraints
            cells.append(f"{guess:.0f} extrapolated ({guess / r.setup_s:.0f}×)")
    return cells


def per_position(r: SizeResult) -> str:
    value = RECORDED[r.name]["constraints_per_position"]
    return "– (one slot)" if value is None else f"{value:,}"


def size_table(results: list[SizeResult]) -> list[str]:
    """Markdown table, one column per circuit size."""
    rows: list[tuple[str, list[str]]] = [
        ("slots: positions N / groups G / assets K", [f"{r.positions} / {r.groups} / {r.assets}" for r in results]),
        ("constraints", [f"{r.constraints:,}" for r in results]),
        ("marginal constraints per position (circuits/constraints.json)", [per_position(r) for r in results]),
        ("ptau power", [str(r.ptau_power) for r in results]),
        ("compile, circom --O2 (s, cold)", [f"{r.compile_s:.1f}" for r in results]),
        ("INSECURE dev ptau generation (s, cold)", [f"{r.ptau_s:.1f}" for r in results]),
        ("INSECURE dev keys, devzkey.js + vkey export (s, cold)", [f"{r.setup_s:.1f}" for r in results]),
        ("the same keys by snarkjs groth16 setup + zkey beacon (s)", baseline_cells(results)),
        ("setup total: compile + ptau + keys (s)", [f"{r.compile_s + r.ptau_s + r.setup_s:.1f}" for r in results]),
        ("witness, two_underlying_book (s)", [f"{r.witness_s:.1f}" for r in results]),
        ("proof, snarkjs groth16 prove (s)", [f"{r.prove_s:.1f}" for r in results]),
        ("proof, peak resident memory (MiB)", [f"{r.prove_rss_mib:,.0f}" for r in results]),
        ("verification, snarkjs groth16 verify (s)", [f"{r.verify_s:.1f}" for r in results]),
        ("proof.json (bytes)", [f"{r.proof_json_bytes:,}" for r in results]),
        ("Groth16 proof, 2 G1 + 1 G2 (bytes)",
         [f"{PROOF_BYTES_UNCOMPRESSED} uncompressed / {PROOF_BYTES_COMPRESSED} compressed"] * len(results)),
        ("verification_key.json (bytes)", [f"{r.vkey_bytes:,}" for r in results]),
        ("circuit_final.zkey (MB)", [f"{r.zkey_bytes / 2**20:.1f}" for r in results]),
    ]
    return [f"| | {' | '.join(f'`{r.name}`' for r in results)} |", "|---|" + "---:|" * len(results),
            *(f"| {label} | {' | '.join(cells)} |" for label, cells in rows)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="test,standard", help="comma-separated circuit sizes (default %(default)s)")
    parser.add_argument("--baseline", default="test",
                        help="comma-separated sizes whose keys snarkjs also sets up, timed (default %(default)s)")
    parser.add_argument("--ptau-power", type=int, default=12,
                        help="power of the dev-vs-snarkjs ptau comparison (default %(default)s)")
    parser.add_argument("--no-real-prepare", action="store_true",
                        help="skip snarkjs prepare phase2 of the dev generator's random powers (~3 min at power 12)")
    parser.add_argument("--no-write", action="store_true", help="print only; leave BENCHMARKS.md alone")
    args = parser.parse_args()
    sizes = [s.strip() for s in args.sizes.split(",") if s.strip()]
    unknown = [s for s in sizes if s not in SIZES]
    if unknown or not sizes:
        parser.error(f"--sizes: unknown {', '.join(unknown) or '(none given)'}; sizes: {', '.join(SIZES)}")
    if not devptau.MIN_POWER <= args.ptau_power <= devptau.MAX_POWER:
        parser.error(f"--ptau-power must be in {devptau.MIN_POWER}..{devptau.MAX_POWER}")

    run_start, load_start = time.perf_counter(), os.getloadavg()
    market = load_market(EXAMPLES / "market.json")
    table = build_risk_table(market, load_scenarios(SCENARIOS), load_params(EXAMPLES / "params.json"))
    baseline = {s.strip() for s in args.baseline.split(",") if s.strip()}
    results = [bench_size(name, table, market.timestamp.isoformat(), name in baseline) for name in sizes]

    log(f"dev ptau vs snarkjs at power {args.ptau_power}")
    compare = bench_devptau(args.ptau_power, dev_only=False, check=False, real_prepare=not args.no_real_prepare,
                            seed=DEVPTAU_SEED)
    devptau_times = [compare]
    target = compare
    if args.ptau_power != TARGET_POWER:
        log(f"dev ptau alone at power {TARGET_POWER}")
        target = bench_devptau(TARGET_POWER, dev_only=True, check=False, real_prepare=False, seed=DEVPTAU_SEED)
        devptau_times.append(target)
    devptau_rows = [t.row() for t in devptau_times]
    dev_target_s = target.dev_s
    run_s, load_end = time.perf_counter() - run_start, os.getloadavg()

    notes = []
    for r in results:
        value = RECORDED[r.name]["constraints_per_position"]
        if value is not None:
            notes.append(f"`{r.name}` ≤ {TARGET_PER_POSITION:,} constraints per position: "
                         f"{'met' if value <= TARGET_PER_POSITION else 'MISSED'} ({value:,}, "
                         f"{value / TARGET_PER_POSITION:.1f}× the target).")
    notes.append(f"Dev ptau at power {TARGET_POWER} ≤ {TARGET_DEVPTAU_S / 60:.0f} min: "
                 f"{'met' if dev_target_s <= TARGET_DEVPTAU_S else 'MISSED'} ({dev_target_s:.1f} s).")
    body = "\n".join([
        "## Prover (`scripts/bench_prover.py`)", "", f"Machine: {machine()}", "",
        f"One run of {run_s / 60:.1f} min; load average {load_start[0]:.1f} at the start and {load_end[0]:.1f} "
        "at the end (the machine is shared, so the times include contention).", "",
        "### Circuit sizes: cold setup and one proof", "",
        "Every setup number is cold: each size is compiled, gets its INSECURE dev ptau and its Groth16 keys in "
        "a fresh, empty cache directory; the keys are written by `devzkey.js`, and for the sizes named snarkjs "
        "also sets up the same keys (groth16 setup + the dev beacon) for comparison. The proof is of "
        f"`examples/portfolios/two_underlying_book.json` (example market and params, {SCENARIOS} scenarios "
        "padded to the market's 40); witness and proof are timed separately (each includes node start-up), the "
        "proof is checked with `snarkjs groth16 verify`, and a second proof runs under `/usr/bin/time` for its "
        "peak memory. "
        "The Groth16 proof size is the fixed size of the three curve points, not measured: 256 bytes "
        "uncompressed (what the Solidity verifier takes as calldata), 128 bytes compressed; `proof.json` is "
        "snarkjs's text form.", "",
        *size_table(results), "",
        "### INSECURE dev ptau versus snarkjs", "",
        "`bench_devptau.bench` (see the `bench_devptau` section for what each column means). The dev generator's "
        f"power-{TARGET_POWER} time here is a second measurement besides the `standard` setup's ptau step above.",
        "", DEVPTAU_HEADER, *devptau_rows, "",
        "Targets: " + " ".join(notes),
    ])
    print(body)
    if not args.no_write:
        write_section("bench_prover", body)


if __name__ == "__main__":
    main()
