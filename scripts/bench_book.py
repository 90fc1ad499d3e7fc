"""Book benchmark: a book proven in chunks at 16, 64 and 244 positions, against one monolithic account proof.

Usage::

    python scripts/bench_book.py [--size large] [--no-write]

In a fresh temporary cache (every setup number is cold) it compiles the chunk and the book circuit of the book
size, writes their INSECURE dev keys (``devzkey.js``), and proves three books of the example market under the
v2 scenarios: the first 16 and 64 positions of ``examples/portfolios/market_maker_book.json`` and the whole
book (244 positions), each with the book's collateral.  For each it times the chunk proofs and the combining
proof (witness and ``snarkjs groth16 prove``), checks the bundle with the Python verifier, and measures the
peak resident memory of one chunk proof and of the combining proof (``/usr/bin/time``).  The baseline, in the
same run, is the monolithic ``standard`` account circuit (16 positions) compiled, keyed and proving the
16-position book.  ``snarkjs groth16 setup`` is not run at these sizes: its time is extrapolated from the
``test`` circuit's measured 319 s at 62,186 constraints (``bench_prover``), in proportion to the constraints,
and marked so.

Writes its results into BENCHMARKS.md (section ``bench_book``).
Targets: the 244-position book proven in ≤ 5 min on 2 cores; ≤ 1,500 constraints per position.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Final

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_prover import COMPILE_TIMEOUT_S, TARGET_PER_POSITION, cold_cache, log
from benchlib import ROOT, machine, measured, timed, write_section

from zkmargin.engine.account import AccountInts, encode_account
from zkmargin.engine.commitments import ParamsTree, build_params_tree
from zkmargin.engine.io import load_market, load_params, load_portfolio, load_scenarios
from zkmargin.engine.margin import margin_account
from zkmargin.engine.risk import build_risk_table
from zkmargin.prover.prove import check_provable, prove_account
from zkmargin.prover.prove_book import ProvableBook, check_provable_book, prove_book
from zkmargin.statement.sizes import BOOK_SIZES, SIZES, book_circuit_of, chunk_circuit_of
from zkmargin.toolchain import compile as toolchain_compile
from zkmargin.toolchain import keys as toolchain_keys
from zkmargin.toolchain import tools
from zkmargin.verifier.book import verify_book

EXAMPLES: Final = ROOT / "examples"
BOOK: Final = EXAMPLES / "portfolios" / "market_maker_book.json"
SCENARIOS: Final = "v2"
#: Books proven: the first n positions of the market maker's book (None: all of it).
BOOK_POSITIONS: Final = (16, 64, None)
TARGET_BOOK_S: Final = 300.0
#: snarkjs groth16 setup + zkey beacon of the ``test`` circuit, measured by bench_prover (BENCHMARKS.md).
SNARKJS_SETUP_REFERENCE: Final = (319.0, 62_186)


@dataclass(frozen=True)
class CircuitCost:
    """One circuit, cold: constraints, ptau power, compile and dev key seconds, key size in bytes."""

    name: str
    constraints: int
    ptau_power: int
    compile_s: float
    keys_s: float
    zkey_bytes: int

    @property
    def snarkjs_setup_s(self) -> float:
        """snarkjs groth16 setup + beacon, extrapolated from :data:`SNARKJS_SETUP_REFERENCE` by constraints."""
        seconds, constraints = SNARKJS_SETUP_REFERENCE
        return seconds * self.constraints / constraints


@dataclass(frozen=True)
class BookRun:
    """One book proven: positions, chunk proofs, seconds per step, peak memory in MiB."""

    positions: int
    chunks: int
    witness_s: float
    prove_s: float
    total_s: float
    verify_s: float
    chunk_rss_mib: float
    book_rss_mib: float


def cold_circuit(name: str, cache: Path) -> tuple[toolchain_keys.SetupArtifacts, CircuitCost]:
    """Compile (cold) and key circuit ``name`` in ``cache``."""
    log(f"{name}: compiling (cold, circom --O2)")
    circuit, compile_s = timed(lambda: toolchain_compile.compile_circuit(
        toolchain_keys.main_file(name), cache_dir=cache / "circuits", timeout=COMPILE_TIMEOUT_S))
    log(f"{name}: {circuit.n_constraints:,} constraints, compiled in {compile_s:.1f} s")
    timings: dict[str, float] = {}
    artifacts = toolchain_keys.setup(name, progress=lambda msg: log(f"{name}: {msg}"), timings=timings)
    log(f"{name}: dev ptau {timings['ptau']:.1f} s, dev keys {timings['setup']:.1f} s")
    return artifacts, CircuitCost(name, circuit.n_constraints, int(artifacts.manifest["ptau"]["power"]), compile_s,
                                  timings["ptau"] + timings["setup"], artifacts.zkey.stat().st_size)


def first_positions(account: AccountInts, n: int | None) -> AccountInts:
    """The account with its first ``n`` positions (all for ``None``) and all its collateral."""
    if n is None:
        return account
    return replace(account, name=f"{account.name}-{n}", leaf_index=account.leaf_index[:n], qty=account.qty[:n])


def peak_rss(artifacts: toolchain_keys.SetupArtifacts, workdir: Path) -> float:
    """Peak resident memory (MiB) of ``snarkjs groth16 prove`` on the witness already in ``workdir``."""
    _, rss = measured([*tools.snarkjs_argv(), "groth16", "prove", str(artifacts.zkey), str(workdir / "witness.wtns"),
                       str(workdir / "rss_proof.json"), str(workdir / "rss_public.json")], timeout=3600)
    return rss


def prove_one(chunk_keys: toolchain_keys.SetupArtifacts, book_keys: toolchain_keys.SetupArtifacts,
              provable: ProvableBook, work: Path) -> BookRun:
    """Prove one book, verify it with the Python verifier, and measure one chunk's and the book's proof memory."""
    n = len(provable.account.qty)
    proof, total_s = timed(lambda: prove_book(chunk_keys, book_keys, provable, workdir=work, scenarios=SCENARIOS,
                                              progress=lambda msg: log(f"{n} positions: {msg}")))
    verdict, verify_s = timed(lambda: verify_book(chunk_keys.vkey.read_text(), book_keys.vkey.read_text(),
                                                  proof.bundle))
    if not verdict.valid:
        raise SystemExit(f"the {n}-position book does not verify: {verdict.reason}")
    log(f"{n} positions: {len(proof.bundle.chunks)} chunks proven in {total_s:.1f} s, verified in {verify_s:.1f} s")
    return BookRun(n, len(proof.bundle.chunks), proof.seconds["witness"], proof.seconds["prove"], total_s, verify_s,
                   peak_rss(chunk_keys, work / "chunk0"), peak_rss(book_keys, work / "book"))


def bench(size_name: str) -> tuple[list[CircuitCost], CircuitCost, list[BookRun], float]:
    """Cold circuits, the three books, and the monolithic baseline's 16-position proof time (s)."""
    size = BOOK_SIZES[size_name]
    table = build_risk_table(load_market(EXAMPLES / "market.json"), load_scenarios(SCENARIOS),
                             load_params(EXAMPLES / "params.json"))
    params: ParamsTree = build_params_tree(table)
    whole = encode_account(load_portfolio(BOOK), table, source=str(BOOK))
    with tempfile.TemporaryDirectory(prefix="bench_book_") as tmp, cold_cache(Path(tmp)):
        cache = Path(tmp)
        chunk_keys, chunk_cost = cold_circuit(chunk_circuit_of(size_name), cache)
        book_keys, book_cost = cold_circuit(book_circuit_of(size_name), cache)
        runs = [prove_one(chunk_keys, book_keys, check_provable_book(params, first_positions(whole, n), size),
                          cache / f"book{n or 'all'}") for n in BOOK_POSITIONS]
        standard, standard_cost = cold_circuit("standard", cache)
        account = first_positions(whole, SIZES["standard"].positions)
        if not margin_account(table, account).solvent:
            raise SystemExit("the 16-position book is insolvent: no baseline proof")
        baseline, baseline_s = timed(lambda: prove_account(standard, check_provable(params, account, SIZES["standard"]),
                                                           workdir=cache / "standard", scenarios=SCENARIOS))
        log(f"standard: 16 positions proven in {baseline_s:.1f} s (witness {baseline.seconds['witness']:.1f} s)")
    return [chunk_cost, book_cost], standard_cost, runs, baseline_s


def report(size_name: str, costs: list[CircuitCost], standard: CircuitCost, runs: list[BookRun],
           baseline_s: float) -> str:
    """The BENCHMARKS.md section."""
    size = BOOK_SIZES[size_name]
    chunk, book = costs
    per_position = chunk.constraints / size.chunk_positions
    circuit_rows = [
        f"| `{c.name}` | {c.constraints:,} | {c.ptau_power} | {c.compile_s:.1f} | {c.keys_s:.1f} | "
        f"{c.snarkjs_setup_s:.0f} extrapolated | {c.zkey_bytes / 2**20:.1f} |" for c in (*costs, standard)]
    run_rows = [
        f"| {r.positions} | {r.chunks} | {r.witness_s:.1f} | {r.prove_s:.1f} | {r.total_s:.1f} | {r.verify_s:.1f} | "
        f"{r.chunk_rss_mib:,.0f} / {r.book_rss_mib:,.0f} |" for r in runs]
    largest = runs[-1]
    return "\n".join([
        "## Books in chunks (`scripts/bench_book.py`)", "", f"Machine: {machine()}", "",
        f"Book size `{size_name}` ({size.describe()}): up to {size.positions} positions as up to {size.chunks} "
        f"chunk proofs of {size.chunk_positions} positions and one combining proof. Every number is cold (a fresh "
        "cache); dev keys are INSECURE, written by `devzkey.js`. The baseline is the monolithic `standard` account "
        "circuit in the same run.", "",
        "| circuit | constraints | ptau power | compile (s) | dev ptau + keys (s) | snarkjs setup + beacon (s) "
        "| zkey (MiB) |", "|---|--:|--:|--:|--:|--:|--:|", *circuit_rows, "",
        "| positions | chunk proofs | witness (s) | prove (s) | total wall (s) | Python verify (s) "
        "| peak memory, chunk / book proof (MiB) |", "|--:|--:|--:|--:|--:|--:|--:|", *run_rows, "",
        f"Baseline: the `standard` circuit proves the 16-position book in {baseline_s:.1f} s as one proof; the book "
        f"circuits take {runs[0].total_s:.1f} s for the same 16 positions (one chunk and the combining proof).", "",
        f"Targets: the {largest.positions}-position book proven in ≤ {TARGET_BOOK_S:.0f} s: "
        f"{'met' if largest.total_s <= TARGET_BOOK_S else 'MISSED'} ({largest.total_s:.0f} s). Constraints per "
        f"position ≤ {TARGET_PER_POSITION:,}: {'met' if per_position <= TARGET_PER_POSITION else 'MISSED'} "
        f"({per_position:,.0f} per position in a chunk, the chunk's fixed part included; the combining proof adds "
        f"{book.constraints / largest.positions:,.0f} per position at {largest.positions}).",
    ])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=sorted(BOOK_SIZES), default="large", help="book size (default large)")
    parser.add_argument("--no-write", action="store_true", help="print only; leave BENCHMARKS.md alone")
    args = parser.parse_args()
    costs, standard, runs, baseline_s = bench(args.size)
    body = report(args.size, costs, standard, runs, baseline_s)
    print(body)
    if not args.no_write:
        write_section("bench_book", body)


if __name__ == "__main__":
    main()
