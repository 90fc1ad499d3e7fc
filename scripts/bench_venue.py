"""Venue benchmark: a simulated venue proven on Ray with 1 and with 2 workers, audited, and projected to 100,000
accounts.

Usage::

    python scripts/bench_venue.py [--accounts 1000] [--compare 64] [--no-write]

``scripts/make_venue.py`` generates the venue (seed 7).  In one run:

1. the first ``--compare`` accounts (whole batches) are proven twice, each time from an empty private folder in a
   fresh local Ray instance: with 1 worker, then with 2 workers; the ratio of the two wall times is the scaling;
2. the whole venue of ``--accounts`` accounts is proven with ``zkmargin venue prove --workers 2`` and audited
   with ``zkmargin venue audit`` (every batch and account proof verified in Python, the totals chain, the
   ranges, the count and the roots), each command run as a user runs it and timed from outside;
3. the per-account cost is the whole venue's wall time on 2 workers, in CPU-seconds per account, and the
   constraint counts give the cost per position;
4. 100,000 accounts on W workers are projected from the measured whole-venue rate, with the arithmetic shown.

Keys are the INSECURE dev keys (set up once, cached by content hash; their time is not counted).  Writes its
results into BENCHMARKS.md (section ``bench_venue``).  Targets: ≥ 1.7× from 1 to 2 workers; ≤ 500 constraints per
position inside a batch.
"""

from __future__ import annotations

import argparse
import logging
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Final

import ray

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import ROOT, machine, timed, write_section

from zkmargin.engine.commitments import ParamsTree, build_params_tree, used_chunks
from zkmargin.engine.io import load_market, load_params, load_scenarios
from zkmargin.engine.risk import build_risk_table
from zkmargin.prover.venue import SIZE_ORDER, VenuePlan, load_venue_accounts, plan_venue
from zkmargin.prover.venue_ray import plural, run_batches
from zkmargin.statement.sizes import SIZES, BookSize
from zkmargin.statement.venue import BATCH_CIRCUIT, BATCH_SIZE, account_circuit, book_size_of
from zkmargin.statement.venue_records import VenueBatchRecord, VenueStatementRecord
from zkmargin.toolchain.keys import setup

EXAMPLES: Final = ROOT / "examples"
TARGET_SCALING: Final = 1.7
TARGET_PER_POSITION: Final = 500
PROJECTED: Final = 100_000


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def table() -> ParamsTree:
    return build_params_tree(build_risk_table(load_market(EXAMPLES / "market.json"), load_scenarios("v2"),
                                              load_params(EXAMPLES / "params.json")))


def prove_on(plan: VenuePlan, params: ParamsTree, workers: int, work: Path) -> tuple[list[VenueBatchRecord], float]:
    """Every batch of ``plan`` proven with ``workers`` in a fresh local Ray instance, and the wall seconds."""
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    ray.init(num_cpus=workers, include_dashboard=False, log_to_driver=False, logging_level=logging.ERROR)
    try:
        (records, _), seconds = timed(lambda: run_batches(plan, params, work, workers=workers, progress=log))
    finally:
        ray.shutdown()
    return records, seconds


def zkmargin(*args: str) -> float:
    """Run ``zkmargin ARGS`` with its output passed through to stderr; its wall seconds.  A failure ends the run."""
    command = [sys.executable, "-m", "zkmargin.cli.main", *args]
    _, seconds = timed(lambda: subprocess.run(command, check=True, stdout=sys.stderr, cwd=ROOT))
    return seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=1000, help="accounts of the whole venue (default 1000)")
    parser.add_argument("--compare", type=int, default=4 * BATCH_SIZE,
                        help="accounts proven with 1 and with 2 workers (default %(default)s: four batches, two "
                             "per worker)")
    parser.add_argument("--no-write", action="store_true", help="print the section instead of writing BENCHMARKS.md")
    args = parser.parse_args(argv)
    params = table()
    with tempfile.TemporaryDirectory(prefix="zkmargin-bench-venue-") as tmp:
        work = Path(tmp)
        accounts_file = work / "venue.json"
        subprocess.run([sys.executable, str(ROOT / "scripts" / "make_venue.py"), "--accounts", str(args.accounts),
                        "--out", str(accounts_file)], check=True, capture_output=True)
        name, accounts = load_venue_accounts(accounts_file, params)
        plan = plan_venue(name, params, accounts)
        compare = plan_venue(name, params, accounts[:args.compare])
        keys = {c: setup(c, progress=log) for c in plan.circuits()}

        log(f"1 worker, {len(compare.accounts)} accounts")
        _, one = prove_on(compare, params, 1, work / "one")
        log(f"2 workers, {len(compare.accounts)} accounts")
        _, two = prove_on(compare, params, 2, work / "two")
        scaling = one / two

        log(f"zkmargin venue prove --workers 2: the whole venue of {len(plan.accounts)} accounts")
        market = ["--market", str(EXAMPLES / "market.json"), "--params", str(EXAMPLES / "params.json")]
        published = work / "published"
        whole = zkmargin("venue", "prove", "--accounts", str(accounts_file), *market, "--out", str(published),
                         "--private", str(work / "private"), "--workers", "2")
        log("zkmargin venue audit")
        audit_s = zkmargin("venue", "audit", "--statement", str(published / "statement.json"), *market,
                           "--allow-insecure")
        statement = VenueStatementRecord.model_validate_json((published / "statement.json").read_text())
        chunk_proofs = sum(used_chunks(a.account, a.size) for a in plan.accounts if isinstance(a.size, BookSize))
        proofs = len(statement.batches) + len(plan.accounts) + chunk_proofs
        receipts = len(list((work / "private" / "receipts").iterdir()))
        if receipts != len(plan.accounts):
            raise SystemExit(f"{receipts} receipts for {len(plan.accounts)} accounts")

    sizes = Counter(a.size_name for a in plan.accounts)
    compare_sizes = Counter(a.size_name for a in compare.accounts)
    per_account_one = one / len(compare.accounts)
    per_account_two = two / len(compare.accounts)
    per_account_whole = whole / len(plan.accounts)
    cpu_per_account = 2 * per_account_whole  # 2 workers of one CPU each, contention included
    batch_constraints = keys[BATCH_CIRCUIT].circuit.n_constraints
    counts: dict[str, int] = {}
    slots: dict[str, int] = {}
    for name in sizes:
        book = book_size_of(name)
        counts[name] = keys[account_circuit(name)].circuit.n_constraints
        slots[name] = SIZES[name].positions if book is None else book.positions
        if book is not None:  # every chunk used: M chunk proofs and the combine
            counts[name] += book.chunks * keys[book.chunk_circuit].circuit.n_constraints
    per_position = {name: (counts[name] + batch_constraints / BATCH_SIZE) / slots[name] for name in counts}
    marginal = None
    if "small" in counts and "test" in counts:
        marginal = (counts["test"] - counts["small"]) / (SIZES["test"].positions - SIZES["small"].positions)
    mixed_positions = sum(len(a.account.qty) for a in plan.accounts) / len(plan.accounts)
    audit_per_proof = audit_s / proofs
    batches_100k = -(-PROJECTED // BATCH_SIZE)

    lines = [
        "## Venue (`scripts/bench_venue.py`)",
        "",
        f"Machine: {machine()}",
        "",
        f"A simulated venue from `scripts/make_venue.py` (seed 7): {len(plan.accounts):,} accounts, "
        + ", ".join(f"{sizes[s]:,} of venue size `{s}`" for s in SIZE_ORDER if s in sizes)
        + f", {mixed_positions:.1f} positions per account on average, {statement.totals.insolvent} below MM; "
        f"{plural(len(plan.batches), 'batch', 'batches')} of {BATCH_SIZE}. INSECURE dev keys (set up beforehand, "
        "not timed). Each worker "
        "is a Ray actor on one CPU with its own long-lived prover process (single-threaded `groth16 prove`).",
        "",
        "| measurement | value |",
        "|---|--:|",
        f"| 1 worker, first {len(compare.accounts)} accounts ({', '.join(f'{n} {s}' for s, n in compare_sizes.items())}"
        f"), wall | {one:.1f} s ({per_account_one:.2f} s per account) |",
        f"| 2 workers, the same accounts, wall | {two:.1f} s ({per_account_two:.2f} s per account) |",
        f"| **scaling 1 → 2 workers** (target ≥ {TARGET_SCALING}×) | **{scaling:.2f}×** |",
        f"| `zkmargin venue prove --workers 2`, all {len(plan.accounts):,} accounts (plan, proofs, statement, "
        f"{receipts:,} receipts) | {whole:.1f} s ({per_account_whole:.2f} s per account, "
        f"{cpu_per_account:.2f} CPU-s per account) |",
        f"| `zkmargin venue audit`: {proofs:,} proofs (Python, batched), chain, ranges, count and roots | "
        f"{audit_s:.1f} s ({audit_per_proof * 1000:.1f} ms per proof) |",
        "",
        "Constraints per position inside a batch (target ≤ "
        f"{TARGET_PER_POSITION}): an account of size N costs its venue account circuit (a book size: its combine and "
        f"M chunk circuits) plus 1/{BATCH_SIZE} of the batch circuit ({batch_constraints:,}), divided by its N "
        "position slots: "
        + ", ".join(f"`{s}` ({counts[s]:,}) {per_position[s]:,.0f}" for s in SIZE_ORDER if s in counts)
        + (f"; the marginal cost of one more position slot is {marginal:,.0f}" if marginal is not None else "")
        + ". The target is missed: each account proves its own risk-table rows (a leaf and a Merkle path per "
        "position) and its own scenario maxima; a batch that opens the table once and looks positions up in it "
        "is not built.",
        "",
        f"Projection for {PROJECTED:,} accounts with this mix, W workers of one CPU each (two to a 2-core machine, "
        f"as measured): proving takes {PROJECTED:,} × {cpu_per_account:.2f} CPU-s per account (the whole venue's "
        f"rate on 2 workers, batch proofs included) = {PROJECTED * cpu_per_account / 3600:,.0f} CPU-hours, "
        "÷ W: "
        + ", ".join(f"W = {w}: {PROJECTED * cpu_per_account / w / 3600:,.1f} h" for w in (2, 16, 64, 256))
        + ". It assumes that workers scale linearly across machines (from 1 to 2 here: "
        f"{scaling:.2f}×); the plan and the publishing are not parallel and grow linearly. The audit verifies "
        f"{PROJECTED:,} + {batches_100k:,} "
        f"proofs at {audit_per_proof * 1000:.1f} ms each: "
        f"{(PROJECTED + batches_100k) * audit_per_proof / 60:.1f} min on one core.",
    ]
    body = "\n".join(lines) + "\n"
    if args.no_write:
        print(body)
    else:
        write_section("bench_venue", body)
        log("wrote the bench_venue section of BENCHMARKS.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
