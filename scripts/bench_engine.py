"""Engine benchmark: risk-array generation and exact batch margin versus a per-position Python loop.

Usage::

    python scripts/bench_engine.py [--accounts 100000] [--positions 32] [--no-write]

Writes its results into BENCHMARKS.md (section ``bench_engine``).
Targets: 100k accounts × 32 positions × 24 scenarios in < 5 s on 2 cores, ≥ 100× the loop.
"""

from __future__ import annotations

import argparse
import functools
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import machine, timed, write_section

from zkmargin.engine.margin import margin_batch
from zkmargin.engine.models import MarginParams, MarketSnapshot, Scenario, ScenarioSet
from zkmargin.engine.risk import RiskTable, build_risk_table
from zkmargin.engine.scenarios import PRESETS

TS = datetime(2026, 11, 23, 8, tzinfo=UTC)
BATCH_RUNS = 3


def synthetic_market(n_instruments: int, seed: int = 1) -> MarketSnapshot:
    """A market with two underlyings and ``n_instruments`` listed instruments, mostly options."""
    rng = np.random.default_rng(seed)
    index = {"BTC": 98_000.0, "ETH": 3_400.0}
    insts: list[dict[str, object]] = []
    for n in range(n_instruments):
        und = "BTC" if n % 2 == 0 else "ETH"
        if n < 4:
            insts.append({"id": f"{und}-PERP-{n}", "kind": "perpetual", "underlying": und})
            continue
        days = int(rng.integers(1, 365))
        insts.append({"id": f"{und}-OPT-{n}", "kind": "option", "underlying": und,
                      "expiry": (TS + timedelta(days=days)).isoformat(),
                      "strike": round(index[und] * float(rng.uniform(0.6, 1.4)), 2),
                      "option_type": "call" if n % 3 else "put", "iv": float(rng.uniform(0.3, 1.2))})
    return MarketSnapshot.model_validate({"timestamp": TS.isoformat(), "underlyings": {k: {"index": v}
                                          for k, v in index.items()}, "collateral": {"USDC": "1"},
                                          "instruments": insts})


def grid24() -> ScenarioSet:
    """24 scenarios: 8 price moves × vol up / flat / down."""
    moves = [-0.16, -0.12, -0.08, -0.04, 0.04, 0.08, 0.12, 0.16]
    return ScenarioSet(name="grid24", scenarios=[Scenario(name=f"{m:+.0%} {v:+.2f}", price_move=m, vol_move=v)
                                                 for m in moves for v in (0.1, 0.0, -0.1)])


def newcomer_loop(table: RiskTable, leaf: np.ndarray, qty: np.ndarray, balances: np.ndarray,
                  ) -> list[tuple[int, int]]:
    """Margin each account with plain Python loops, position by position, the way a first version would.

    Returns ``(MM, collateral value)`` per account, to be checked against the batch.
    """
    ra = table.risk_array.tolist()
    grp = table.group_index.tolist()
    charge = table.charge.tolist()
    n_groups, n_scenarios = len(table.groups), table.n_scenarios
    out = []
    for a in range(qty.shape[0]):
        losses = [[0] * n_scenarios for _ in range(n_groups)]
        som = [0] * n_groups
        for i, q in zip(leaf[a].tolist(), qty[a].tolist(), strict=True):
            g = grp[i]
            for s in range(n_scenarios):
                losses[g][s] -= q * ra[i][s]
            if q < 0:  # short lots: rounding allowance and short option minimum
                for s in range(n_scenarios):
                    losses[g][s] -= q
                som[g] -= q * charge[i]
        requirement = sum(max(0, max(losses[g]), som[g]) for g in range(n_groups))
        mm = -((-requirement * table.mm_multiplier_bp) // 10_000)
        collateral = sum(b * p * (10_000 - h) for b, p, h in
                         zip(balances[a].tolist(), table.asset_price, table.haircut_bp, strict=True)) // 10**12
        out.append((mm, collateral))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--positions", type=int, default=32)
    parser.add_argument("--instruments", type=int, default=1_000)
    parser.add_argument("--no-write", action="store_true", help="print only; leave BENCHMARKS.md alone")
    args = parser.parse_args()

    market = synthetic_market(args.instruments)
    params = MarginParams(haircuts_bp={"USDC": 0})
    rows = []
    for name, make in PRESETS.items():
        scenarios = make()
        build_risk_table(market, scenarios, params)  # warm-up
        _, secs = timed(functools.partial(build_risk_table, market, scenarios, params))
        rows.append(f"| risk arrays, {args.instruments:,} instruments × {name} ({len(scenarios.scenarios)} "
                    f"scenarios) | {secs * 1000:.1f} ms |")
        print(rows[-1], flush=True)

    table = build_risk_table(market, grid24(), params)
    rng = np.random.default_rng(7)
    n_acc, n_pos = args.accounts, args.positions
    leaf = rng.integers(0, args.instruments, size=(n_acc, n_pos)).astype(np.int64)
    qty = rng.integers(-2_000, 2_000, size=(n_acc, n_pos)).astype(np.int64)
    balances = rng.integers(0, 10**14, size=(n_acc, 1)).astype(np.int64)
    batch, cold_s = timed(lambda: margin_batch(table, leaf, qty, balances))
    runs = sorted(timed(lambda: margin_batch(table, leaf, qty, balances))[1] for _ in range(BATCH_RUNS))
    batch_s = runs[len(runs) // 2]
    print(f"batch: first call {cold_s:.2f} s, median of {BATCH_RUNS} {batch_s:.2f} s ({batch.arithmetic})", flush=True)
    loop, loop_s = timed(lambda: newcomer_loop(table, leaf, qty, balances))
    print(f"loop: {loop_s:.2f} s", flush=True)
    mismatches = sum(1 for a, (mm, coll) in enumerate(loop)
                     if mm != batch.maintenance_margin[a] or coll != batch.collateral_value[a])
    ratio = loop_s / batch_s
    workload = f"{n_acc:,} accounts × {n_pos} positions × {table.n_scenarios} scenarios"
    body = "\n".join([
        "## Engine (`scripts/bench_engine.py`)", "", f"Machine: {machine()}", "",
        "| workload | time |", "|---|---|", *rows,
        f"| exact batch margin, {workload}, one call: median of {BATCH_RUNS} after a warm-up "
        f"({batch.arithmetic} arithmetic) | {batch_s:.2f} s |",
        f"| the same call, first in the process (cold) | {cold_s:.2f} s |",
        f"| same workload, per-position Python loop | {loop_s:.1f} s |",
        f"| speed-up of the batch over the loop | {ratio:.0f}× |", "",
        f"Targets: batch < 5 s ({'met' if max(batch_s, cold_s) < 5 else 'MISSED'}, cold or warm), ≥ 100× the loop "
        f"({'met' if ratio >= 100 else 'MISSED'} warm; {loop_s / cold_s:.0f}× against the cold call)."
        f" The loop and the batch agree on MM and collateral for "
        f"{n_acc - mismatches:,}/{n_acc:,} accounts.",
    ])
    print(body)
    if not args.no_write:
        write_section("bench_engine", body)


if __name__ == "__main__":
    main()
