"""What-if benchmark: the incremental pre-trade check per order against recomputing the whole account.

Usage::

    python scripts/bench_whatif.py [--orders 10000] [--baseline-orders 2000] [--no-write]

Accounts: every instrument of the example market (examples/market.json lists 248, so 248 positions; params
examples/params.json, v2 scenarios, USDC/USDT/BTC/ETH collateral), and 250 positions on a synthetic
1,000-instrument market (``bench_engine.synthetic_market``) for the full 250.  Orders are random (instrument,
signed lots) pairs; each is checked alone against the account (``WhatIf.check``) and timed one by one with
``perf_counter_ns``.  The baseline builds the account after each order and margins it with
``engine.margin.margin_account``; the two must agree on every figure.
Writes its results into BENCHMARKS.md (section ``whatif``).
Target: <= 20 µs per order (median) for a 250-position account.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_engine import synthetic_market
from benchlib import ROOT, machine, timed, write_section

from zkmargin.engine.account import AccountInts
from zkmargin.engine.io import load_market, load_params
from zkmargin.engine.margin import margin_account
from zkmargin.engine.models import ConcentrationTier, MarginParams
from zkmargin.engine.risk import RiskTable, build_risk_table
from zkmargin.engine.scenarios import preset
from zkmargin.engine.whatif import Impact, WhatIf, figures_of

T = TypeVar("T")
TARGET_US = 20.0
EXAMPLES = ROOT / "examples"


def random_account(table: RiskTable, n_positions: int, rng: random.Random) -> AccountInts:
    """``n_positions`` distinct instruments with random signed lots (up to 20 contracts), and collateral."""
    leaves = sorted(rng.sample(range(table.n_instruments), n_positions))
    qty = [rng.choice((-1, 1)) * rng.randint(1, 20_000) for _ in leaves]
    top = {"USDC": 5 * 10**14, "USDT": 10**14, "BTC": 2 * 10**9, "ETH": 5 * 10**10}
    balances = [rng.randint(0, top.get(asset, 0)) for asset in table.assets]
    return AccountInts("bench", tuple(leaves), tuple(qty), tuple(balances))


def random_orders(table: RiskTable, n: int, rng: random.Random) -> list[tuple[int | str, int]]:
    return [(rng.randrange(table.n_instruments), rng.choice((-1, 1)) * rng.randint(1, 20_000)) for _ in range(n)]


def per_call_us(fn: Callable[[T], object], items: list[T], warm_up: Callable[[T], object] | None = None) -> list[float]:
    """Wall-clock microseconds of ``fn(item)`` for each item, after ``warm_up`` (default ``fn``) ran on the
    first 1,000."""
    for item in items[:1000]:
        (warm_up or fn)(item)
    clock = time.perf_counter_ns
    out = []
    for item in items:
        start = clock()
        fn(item)
        out.append((clock() - start) / 1000)
    return out


def first_checks(table: RiskTable, account: AccountInts, rng: random.Random) -> tuple[list[float], list[float]]:
    """Microseconds of the first and of the second check of each instrument on a fresh state (the first takes
    the maxima directly, the second builds the two envelopes)."""
    state = WhatIf(table, account)
    WhatIf(table, account).check_many(random_orders(table, 1000, rng))  # warm the interpreter, not the state
    clock = time.perf_counter_ns
    rounds: list[list[float]] = [[], []]
    for times in rounds:
        for leaf in range(table.n_instruments):
            order = (leaf, rng.choice((-1, 1)) * rng.randint(1, 20_000))
            start = clock()
            state.check(order)
            times.append((clock() - start) / 1000)
    return rounds[0], rounds[1]


def after(table: RiskTable, account: AccountInts, impact: Impact, cash: int) -> AccountInts:
    """The account after one checked order, built as a caller without the incremental state would."""
    held = dict(zip(account.leaf_index, account.qty, strict=True))
    for leaf, lots in impact.orders:
        held[leaf] = held.get(leaf, 0) + lots
    items = sorted((leaf, q) for leaf, q in held.items() if q)
    balances = list(account.balances)
    balances[cash] += impact.cash_change
    return AccountInts(account.name, tuple(x for x, _ in items), tuple(q for _, q in items), tuple(balances))


def stats(times: list[float]) -> tuple[float, float, float]:
    """Median, 99th percentile and mean, microseconds."""
    ordered = sorted(times)
    p99 = ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))]
    return statistics.median(ordered), p99, statistics.fmean(ordered)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=10_000)
    parser.add_argument("--baseline-orders", type=int, default=2_000)
    parser.add_argument("--no-write", action="store_true", help="print only; leave BENCHMARKS.md alone")
    args = parser.parse_args()
    load_start = os.getloadavg()
    rng = random.Random(20261123)

    table = build_risk_table(load_market(EXAMPLES / "market.json"), preset("v2"), load_params(EXAMPLES / "params.json"))
    cash = table.assets.index("USDC")
    account = random_account(table, table.n_instruments, rng)
    state, build_s = timed(lambda: WhatIf(table, account))
    orders = random_orders(table, args.orders, rng)
    # the warm-up runs on another state, so that the timed one builds every envelope it reads
    check_us = per_call_us(state.check, orders, WhatIf(table, account).check)
    first_us, second_us = first_checks(table, account, rng)
    print(f"what-if, example market: median {stats(check_us)[0]:.1f} µs", flush=True)

    # the baseline is given each order's fills and cash change (the premium rule), then rebuilds and margins
    base_impacts = [state.check(order) for order in orders[: args.baseline_orders]]
    base_us = per_call_us(lambda impact: margin_account(table, after(table, account, impact, cash)), base_impacts)
    agree = sum(figures_of(margin_account(table, after(table, account, impact, cash))) == impact.after
                for impact in base_impacts)
    print(f"baseline: median {stats(base_us)[0]:.0f} µs; {agree}/{len(base_impacts)} agree", flush=True)

    synthetic = synthetic_market(1_000)
    params = MarginParams(haircuts_bp={"USDC": 0}, intergroup_credit_bp=5_000,
                          concentration={"BTC": [ConcentrationTier(threshold="100", rate_bp=100),
                                                 ConcentrationTier(threshold="500", rate_bp=200)]})
    big_table = build_risk_table(synthetic, preset("v2"), params)
    big_account = random_account(big_table, 250, rng)
    big_state, big_build_s = timed(lambda: WhatIf(big_table, big_account))
    big_orders = random_orders(big_table, args.orders, rng)
    big_us = per_call_us(big_state.check, big_orders, WhatIf(big_table, big_account).check)
    print(f"what-if, synthetic market: median {stats(big_us)[0]:.1f} µs", flush=True)
    load_end = os.getloadavg()

    m, p99, mean = stats(check_us)
    bm, bp99, bmean = stats(base_us)
    sm, sp99, smean = stats(big_us)
    fm, fp99, fmean = stats(first_us)
    bm2, bp2, bmean2 = stats(second_us)
    worst = max(m, sm)
    body = "\n".join([
        "## What-if (`scripts/bench_whatif.py`)", "", f"Machine: {machine()}", "",
        f"Load average {load_start[0]:.1f} at the start and {load_end[0]:.1f} at the end (the machine is shared). "
        "Each order is checked alone against the account and timed one by one; v2 scenarios (24), premium "
        "settled in USDC. The first check of an instrument after a fill takes the scan maxima directly, the "
        "second builds two upper envelopes of the scenario losses, which later checks read by bisection: the "
        "timed runs start from a fresh state (the interpreter warmed up on another one), so their times "
        "include every first check and envelope built; the last two rows show those alone.",
        "",
        "| workload | median (µs/order) | p99 (µs/order) | mean (µs/order) |", "|---|---:|---:|---:|",
        f"| `WhatIf.check`, example market, {len(account.qty)} positions (every listed instrument), "
        f"{len(orders):,} random orders | {m:.1f} | {p99:.1f} | {mean:.1f} |",
        f"| baseline: the account after the order margined by `engine.margin.margin_account`, same account, first "
        f"{len(base_impacts):,} orders | {bm:,.0f} | {bp99:,.0f} | {bmean:,.0f} |",
        f"| `WhatIf.check`, synthetic 1,000-instrument market, {len(big_account.qty)} positions, {len(big_us):,} "
        f"random orders | {sm:.1f} | {sp99:.1f} | {smean:.1f} |",
        f"| the first check of each instrument on a fresh state (direct maxima), example market, "
        f"{len(first_us)} instruments | {fm:.1f} | {fp99:.1f} | {fmean:.1f} |",
        f"| the second check of each instrument (builds its two envelopes), example market, "
        f"{len(second_us)} instruments | {bm2:.1f} | {bp2:.1f} | {bmean2:.1f} |",
        "",
        f"Building the state once per account: {build_s * 1000:.1f} ms ({len(account.qty)} positions), "
        f"{big_build_s * 1000:.1f} ms ({len(big_account.qty)} positions). Speed-up of the check over the "
        f"baseline: {bm / m:,.0f}× (medians). The check's figures (IM, MM, equity, collateral, position value, "
        f"requirement) equal the baseline's on {agree:,}/{len(base_impacts):,} orders.",
        "",
        f"Target: <= {TARGET_US:.0f} µs per order (median) for a 250-position account: "
        f"{'met' if worst <= TARGET_US else 'MISSED'} ({worst:.1f} µs, the slower of the two accounts). The means "
        f"({mean:.1f} and {smean:.1f} µs) carry the first checks and envelope builds: about "
        f"{len(orders) / table.n_instruments:.0f} orders per instrument on the example market, "
        f"{len(big_orders) / big_table.n_instruments:.0f} on the synthetic one.",
    ])
    print(body)
    if not args.no_write:
        write_section("whatif", body)


if __name__ == "__main__":
    main()
