"""Pre-trade check and liquidation plan (``engine/whatif.py``, ``zkmargin what-if``, ``zkmargin liquidation-plan``).

The incremental state must give, bit for bit, what :func:`engine.reference.margin_account` gives on the account
after the orders: seeded property tests over random accounts and orders on the example market (v2 scenarios,
params with size tiers and an inter-underlying credit, BTC and ETH collateral) and over random integer tables
with values far beyond int64.  The liquidation plan is replayed step by step against the reference.
"""

from __future__ import annotations

import json
from bisect import bisect_right
from pathlib import Path
from typing import Any

import pytest
from engine_helpers import account, make_table
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from zkmargin.cli.common import EXIT_INPUT
from zkmargin.cli.main import main
from zkmargin.engine import reference
from zkmargin.engine.account import AccountInts, encode_account
from zkmargin.engine.errors import InputError
from zkmargin.engine.io import load_market, load_params, load_portfolio
from zkmargin.engine.models import MarginParams, Portfolio
from zkmargin.engine.risk import RiskTable, build_risk_table
from zkmargin.engine.scenarios import preset
from zkmargin.engine.whatif import (
    Plan,
    WhatIf,
    _envelope,
    figures_of,
    liquidation_plan,
    margin_impact,
    notional_per_lot,
)

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
MARKET = EXAMPLES / "market.json"
PARAMS = EXAMPLES / "params.json"
ORDERS = EXAMPLES / "orders" / "two_underlying_book.json"
BOOK = EXAMPLES / "portfolios" / "two_underlying_book.json"

SETTINGS = settings(max_examples=60, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

#: Size tiers low enough to bind on random accounts, and a credit between underlyings.
TIERED = {"intergroup_credit_bp": 4_000,
          "concentration": {"BTC": [{"threshold": "0.5", "rate_bp": 150}, {"threshold": "3", "rate_bp": 400}],
                            "ETH": [{"threshold": "20", "rate_bp": 100}]}}

#: A thin-cash book of short calls: below MM on the example market (built here, not in examples/portfolios,
#: whose accounts are all solvent).
SHORT_CALLS = {"account": "short-calls-thin-cash",
               "positions": [{"instrument": "BTC-25DEC26-105000-C", "quantity": "-3"},
                             {"instrument": "BTC-25DEC26-110000-C", "quantity": "-2"},
                             {"instrument": "BTC-25DEC26-120000-C", "quantity": "2"},
                             {"instrument": "ETH-25DEC26-3600-C", "quantity": "-20"},
                             {"instrument": "ETH-PERPETUAL", "quantity": "5"}],
               "collateral": {"USDC": "30000", "ETH": "1.5"}}


def _example_table() -> RiskTable:
    params = load_params(PARAMS).model_dump(mode="json")
    params.update(TIERED)
    return build_risk_table(load_market(MARKET), preset("v2"), MarginParams.model_validate(params))


TABLE = _example_table()
CASH = TABLE.assets.index("USDC")


def after_account(table: RiskTable, acc: AccountInts, fills: list[tuple[int, int]], cash: int | None,
                  cash_change: int) -> AccountInts:
    """The account with ``fills`` netted in (zero positions dropped) and the cash change booked, built
    independently of the incremental state."""
    held = dict(zip(acc.leaf_index, acc.qty, strict=True))
    for leaf, lots in fills:
        held[leaf] = held.get(leaf, 0) + lots
    items = sorted((leaf, q) for leaf, q in held.items() if q)
    balances = list(acc.balances)
    if cash is not None:
        balances[cash] += cash_change
    return AccountInts(acc.name, tuple(x for x, _ in items), tuple(q for _, q in items), tuple(balances))


def premium(table: RiskTable, fills: list[tuple[int, int]], cash: int) -> int:
    """The module's settlement rule written out: floor(-lots * gross_mark * 10^8 / price) per fill."""
    price = int(table.asset_price[cash])
    return sum((-lots * int(table.gross_mark[leaf]) * 10**8) // price for leaf, lots in fills)


def ref(table: RiskTable, acc: AccountInts) -> Any:
    return reference.margin_account(table, list(acc.leaf_index), list(acc.qty), list(acc.balances))


# --------------------------------------------------------------------------- the example market


@st.composite
def example_cases(draw: st.DrawFn) -> tuple[AccountInts, list[tuple[int | str, int]], bool]:
    n_inst = TABLE.n_instruments
    leaves = sorted(draw(st.lists(st.integers(0, n_inst - 1), min_size=0, max_size=30, unique=True)))
    lots = st.integers(1, 60_000).flatmap(lambda q: st.sampled_from([q, -q]))
    qty = [draw(lots) for _ in leaves]
    balances = [0] * len(TABLE.assets)
    for asset, top in (("USDC", 10**15), ("USDT", 10**14), ("BTC", 5 * 10**9), ("ETH", 10**11)):
        balances[TABLE.assets.index(asset)] = draw(st.integers(0, top))
    acc = AccountInts("random", tuple(leaves), tuple(qty), tuple(balances))
    orders: list[tuple[int | str, int]] = []
    for _ in range(draw(st.integers(1, 6))):
        kind = draw(st.sampled_from(["new", "close", "flip", "add"])) if leaves else "new"
        if kind == "new":
            leaf = draw(st.integers(0, n_inst - 1))
            size = draw(lots)
        else:
            p = draw(st.integers(0, len(leaves) - 1))
            leaf, held = leaves[p], qty[p]
            size = {"close": -held, "flip": -2 * held, "add": draw(lots)}[kind]
        orders.append((TABLE.instrument_ids[leaf] if draw(st.booleans()) else leaf, size))
    return acc, orders, draw(st.booleans())


@seed(20261123)
@SETTINGS
@given(example_cases())
def test_orders_on_the_example_market_equal_the_reference(case: tuple[AccountInts, list[tuple[int | str, int]],
                                                                       bool]) -> None:
    acc, orders, settle = case
    cash = CASH if settle else None
    state = WhatIf(TABLE, acc, cash_asset="USDC" if settle else None)
    assert state.margin() == ref(TABLE, acc)
    assert state.figures == figures_of(ref(TABLE, acc))
    for order in orders:
        impact = state.check(order)
        fills = [state.resolve(order)]
        assert impact.cash_change == (premium(TABLE, fills, CASH) if settle else 0)
        after = after_account(TABLE, acc, fills, cash, impact.cash_change)
        expected = ref(TABLE, after)
        assert impact.after == figures_of(expected)
        assert state.margin([order]) == expected
        assert impact.accepted == (expected.equity >= expected.initial_margin)
        assert impact.im_change == expected.initial_margin - impact.before.initial_margin
    together = state.check_together(orders)
    fills = [state.resolve(o) for o in orders]
    netted: dict[int, int] = {}
    for leaf, lots in fills:
        netted[leaf] = netted.get(leaf, 0) + lots
    net_fills = [(leaf, lots) for leaf, lots in netted.items() if lots]
    assert together.cash_change == (premium(TABLE, net_fills, CASH) if settle else 0)
    assert together.after == figures_of(ref(TABLE, after_account(TABLE, acc, fills, cash, together.cash_change)))
    assert margin_impact(TABLE, acc, orders, cash_asset="USDC" if settle else None) == together
    # orders filled one after another: the state is the account the reference sees, and checks made on it
    # (with the envelopes built before the fills dropped) see it too
    current = acc
    for order in orders:
        impact = state.apply([order])
        current = after_account(TABLE, current, [state.resolve(order)], cash, impact.cash_change)
        assert state.account() == current
        assert state.margin() == ref(TABLE, current)
        assert state.figures == impact.after
        for probe in orders:
            checked = state.check(probe)
            expected = ref(TABLE, after_account(TABLE, current, [state.resolve(probe)], cash, checked.cash_change))
            assert checked.after == figures_of(expected)


def test_the_example_params_bind_tiers_and_credit() -> None:
    """The property test's params do exercise the size tiers and the credit."""
    book = encode_account(load_portfolio(EXAMPLES / "portfolios" / "market_maker_book.json"), TABLE)
    result = WhatIf(TABLE, book).margin()
    assert result.concentration > 0 and result.intergroup_credit > 0
    assert result == ref(TABLE, book)
    assert {"BTC", "ETH"} <= {TABLE.assets[k] for k, b in enumerate(book.balances) if b}


# --------------------------------------------------------------------------- random integer tables


@st.composite
def table_cases(draw: st.DrawFn) -> tuple[RiskTable, AccountInts, list[tuple[int | str, int]]]:
    """Tables with entries up to 2^40, positions up to 2^39 lots and balances up to 2^63: far past int64."""
    n_inst, n_sc, n_grp = draw(st.integers(1, 8)), draw(st.integers(1, 6)), draw(st.integers(1, 3))
    vals = st.integers(-(2**40), 2**40)
    groups = [draw(st.integers(0, n_grp - 1)) for _ in range(n_inst)]
    groups[0] = n_grp - 1
    asset_group = [n_grp, *(draw(st.integers(0, n_grp)) for _ in range(2))]
    table = make_table(
        [[draw(vals) for _ in range(n_sc)] for _ in range(n_inst)], groups=groups,
        mark=[draw(vals) for _ in range(n_inst)], charge=[draw(st.integers(0, 2**39)) for _ in range(n_inst)],
        group_names=("A", "B", "C"), asset_price=[10**6, draw(st.integers(1, 2**47)), draw(st.integers(1, 2**47))],
        haircut_bp=[0, draw(st.integers(0, 10_000)), draw(st.integers(0, 10_000))],
        mm_bp=(mm := draw(st.integers(1, 20_000))), im_bp=draw(st.integers(mm, 2**20 - 1)),
        kind=[draw(st.integers(0, 3)) for _ in range(n_inst)], delta=[draw(vals) for _ in range(n_inst)],
        asset_group=asset_group,
        asset_risk=[[draw(st.integers(-(2**50), 2**50)) if g < n_grp else 0 for _ in range(n_sc)]
                    for g in asset_group],
        tier_threshold=[sorted(draw(st.integers(0, 2**62)) for _ in range(2)) for _ in range(n_grp)],
        tier_rate=[[draw(st.integers(0, 2**47)) for _ in range(2)] for _ in range(n_grp)],
        credit_bp=draw(st.integers(0, 9_999)))
    held = {draw(st.integers(0, n_inst - 1)): draw(st.integers(-(2**39), 2**39 - 1))
            for _ in range(draw(st.integers(0, 5)))}
    acc = account({k: v for k, v in held.items() if v}, balances=[draw(st.integers(0, 2**63)) for _ in range(3)])
    # held plus four orders stays inside the signed 41-bit range
    orders: list[tuple[int | str, int]] = [(draw(st.integers(0, n_inst - 1)), draw(st.integers(-(2**37), 2**37 - 1)))
                                           for _ in range(draw(st.integers(1, 4)))]
    return table, acc, orders


@seed(7)
@SETTINGS
@given(table_cases())
def test_orders_on_random_tables_equal_the_reference(case: tuple[RiskTable, AccountInts,
                                                                 list[tuple[int | str, int]]]) -> None:
    table, acc, orders = case
    state = WhatIf(table, acc, cash_asset="A0")
    assert state.margin() == ref(table, acc)
    for order in orders:
        # the first check takes the maxima directly, the second builds the envelopes, the third reads them
        impacts = [state.check(order) for _ in range(3)]
        expected = ref(table, after_account(table, acc, [state.resolve(order)], 0, impacts[0].cash_change))
        assert [impact.after for impact in impacts] == [figures_of(expected)] * 3
        assert state.margin([order]) == expected
    together = state.check_together(orders)
    fills = [state.resolve(o) for o in orders]
    assert together.after == figures_of(ref(table, after_account(table, acc, fills, 0, together.cash_change)))


# --------------------------------------------------------------------------- the check itself


@seed(5)
@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.lists(st.tuples(st.integers(-(2**60), 2**60), st.sampled_from([-5, -1, 0, 1, 2, 7, 2**40, -(2**40)])
                          | st.integers(-(2**41), 2**41)), min_size=1, max_size=30),
       st.lists(st.integers(-(2**41), 2**41), max_size=10))
def test_the_envelope_is_the_maximum_at_every_integer(lines: list[tuple[int, int]], xs: list[int]) -> None:
    """The check's upper envelope against the plain maximum: at its breakpoints, next to them, and anywhere;
    equal slopes, ties and lines that are never the maximum included."""
    base = [a for a, _ in lines]
    slope = [b for _, b in lines]
    starts, bases, slopes = _envelope(base, slope, sorted(range(len(slope)), key=slope.__getitem__))
    assert starts == sorted(set(starts)), "breakpoints strictly increase"
    points = {x + d for x in [*starts[1:], *xs, 0] for d in (-1, 0, 1)}
    for x in points:
        k = bisect_right(starts, x) - 1
        assert bases[k] + slopes[k] * x == max(a + b * x for a, b in lines), x


def boundary_table() -> RiskTable:
    """One perpetual losing 1,000 micro-units per lot; IM = MM = the loss; cash A0 at 1.000000, no haircut."""
    return make_table([[-1_000]], im_bp=10_000, mm_bp=10_000)


def test_accepted_means_equity_at_least_im_and_equality_passes() -> None:
    # 100,000 units of 1e-8 at 1.000000 are worth 1,000 micro-units
    state = WhatIf(boundary_table(), account({}, balances=[100_000]), cash_asset="A0")
    exact = state.check((0, 1))
    assert exact.after.initial_margin == exact.after.equity == 1_000 and exact.accepted
    over = state.check((0, 2))
    assert over.after.initial_margin == 2_000 and not over.accepted
    assert over.after.free_collateral == -1_000 and over.im_change == 2_000


def test_a_zero_order_changes_nothing_and_closing_removes_the_position() -> None:
    state = WhatIf(TABLE, encode_account(load_portfolio(BOOK), TABLE))
    assert state.check(("ETH-PERPETUAL", 0)).after == state.figures
    leaf = TABLE.index_of()["ETH-PERPETUAL"]
    state.apply([("ETH-PERPETUAL", -state.positions()[leaf])])
    assert leaf not in state.positions() and leaf not in state.account().leaf_index


def test_premium_moves_equity_only_by_the_short_allowance() -> None:
    """Selling one option lot at mark: cash rises by the mark, position value falls by it and by 1 (R2)."""
    state = WhatIf(TABLE, encode_account(load_portfolio(BOOK), TABLE))
    leaf = TABLE.index_of()["BTC-25DEC26-105000-C"]
    impact = state.check((leaf, -1))
    assert impact.cash_change == int(TABLE.gross_mark[leaf]) * 100
    assert impact.after.equity == impact.before.equity - 1
    positions_only = WhatIf(TABLE, encode_account(load_portfolio(BOOK), TABLE), cash_asset=None).check((leaf, -1))
    assert positions_only.cash_change == 0
    assert positions_only.after.equity == impact.before.equity - int(TABLE.mark[leaf]) - 1


@pytest.mark.parametrize(("order", "words"), [
    (("DOGE-PERPETUAL", 1), ["DOGE-PERPETUAL", "not listed"]),
    ((10_000, 1), ["leaf index 10000"]),
    ((0, 2**40), ["outside the accepted range"]),
])
def test_bad_orders_are_input_errors(order: tuple[int | str, int], words: list[str]) -> None:
    state = WhatIf(TABLE, encode_account(load_portfolio(BOOK), TABLE))
    with pytest.raises(InputError) as exc:
        state.check(order)
    assert all(w in str(exc.value) for w in words), str(exc.value)


@pytest.mark.parametrize(("asset", "words"), [
    ("EUR", ["no collateral asset", "USDC"]), ("USDT", ["haircut of 200 bp"]), ("BTC", ["is an underlying"])])
def test_unusable_cash_assets_are_refused(asset: str, words: list[str]) -> None:
    with pytest.raises(InputError) as exc:
        WhatIf(TABLE, account({}, balances=[0] * len(TABLE.assets)), cash_asset=asset)
    assert all(w in str(exc.value) for w in words), str(exc.value)


# --------------------------------------------------------------------------- liquidation plan


def replay(table: RiskTable, acc: AccountInts, plan: Plan, cash: int | None) -> None:
    """Every step's figures equal the reference on the account reduced so far."""
    current = acc
    assert plan.before == figures_of(ref(table, acc))
    for step in plan.steps:
        held = dict(zip(current.leaf_index, current.qty, strict=True))[step.leaf]
        assert step.position_before == held and step.position_after == held + step.lots
        assert abs(step.position_after) < abs(held) and step.position_after * held >= 0, "a reduction toward zero"
        if cash is not None:
            assert step.cash_change == premium(table, [(step.leaf, step.lots)], cash)
        current = after_account(table, current, [(step.leaf, step.lots)], cash, step.cash_change)
        assert step.after == figures_of(ref(table, current))


def short_calls() -> AccountInts:
    return encode_account(Portfolio.model_validate(SHORT_CALLS), TABLE)


@pytest.mark.parametrize("by_notional", [True, False])
def test_an_insolvent_book_gets_a_plan_back_to_im(by_notional: bool) -> None:
    acc = short_calls()
    notional = notional_per_lot(TABLE, load_market(MARKET)) if by_notional else None
    plan = liquidation_plan(TABLE, acc, notional=notional)
    assert plan.needed and not plan.before.solvent
    assert plan.restored and plan.steps
    assert plan.final.equity >= plan.final.initial_margin
    assert all(s.after.free_collateral < 0 for s in plan.steps[:-1]), "the plan stops once IM is restored"
    replay(TABLE, acc, plan, CASH)


def test_the_last_step_is_the_smallest_that_restores() -> None:
    """One lot less in the last step would leave free collateral negative (the binary search's bound)."""
    acc = short_calls()
    plan = liquidation_plan(TABLE, acc, notional=notional_per_lot(TABLE, load_market(MARKET)))
    state = WhatIf(TABLE, acc)
    state.apply([(s.leaf, s.lots) for s in plan.steps[:-1]])
    last = plan.steps[-1]
    if abs(last.lots) > 1:
        one_less = last.lots + (1 if last.lots < 0 else -1)
        assert state.check((last.leaf, one_less)).after.free_collateral < 0


def test_a_solvent_account_needs_no_plan() -> None:
    acc = encode_account(load_portfolio(BOOK), TABLE)
    plan = liquidation_plan(TABLE, acc)
    assert not plan.needed and plan.restored and plan.steps == () and plan.final == plan.before


def test_a_book_that_cannot_be_restored_shows_the_best_reached() -> None:
    """Equity below zero: closing everything leaves IM 0 and equity still negative."""
    book = {**SHORT_CALLS, "collateral": {"USDC": "100"}}
    acc = encode_account(Portfolio.model_validate(book), TABLE)
    plan = liquidation_plan(TABLE, acc)
    assert plan.needed and not plan.restored and plan.final.equity < 0
    replay(TABLE, acc, plan, CASH)
    state = WhatIf(TABLE, acc)
    state.apply([(s.leaf, s.lots) for s in plan.steps])
    free = state.figures.free_collateral
    assert all(state.check((leaf, -q)).after.free_collateral <= free for leaf, q in state.positions().items())


@st.composite
def insolvent_cases(draw: st.DrawFn) -> AccountInts:
    n_inst = TABLE.n_instruments
    leaves = sorted(draw(st.lists(st.integers(0, n_inst - 1), min_size=1, max_size=12, unique=True)))
    qty = [draw(st.integers(-20_000, 5_000).filter(bool)) for _ in leaves]
    balances = [0] * len(TABLE.assets)
    balances[CASH] = draw(st.integers(0, 10**12))
    balances[TABLE.assets.index("ETH")] = draw(st.integers(0, 10**9))
    return AccountInts("random", tuple(leaves), tuple(qty), tuple(balances))


@seed(3)
@settings(max_examples=25, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(insolvent_cases())
def test_random_plans_replay_on_the_reference(acc: AccountInts) -> None:
    plan = liquidation_plan(TABLE, acc, notional=notional_per_lot(TABLE, load_market(MARKET)))
    assert plan.needed == (not figures_of(ref(TABLE, acc)).solvent)
    replay(TABLE, acc, plan, CASH)
    assert plan.restored == (plan.final.free_collateral >= 0)
    if plan.needed and not plan.restored:  # a plan that stops short: no single close would raise free collateral
        state = WhatIf(TABLE, acc)
        state.apply([(s.leaf, s.lots) for s in plan.steps])
        free = state.figures.free_collateral
        assert all(state.check((leaf, -q)).after.free_collateral <= free for leaf, q in state.positions().items())


# --------------------------------------------------------------------------- the commands


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def market_args(portfolio: Path) -> list[str]:
    return ["--market", str(MARKET), "--params", str(PARAMS), "--portfolio", str(portfolio)]


def test_what_if_table_and_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "what-if", *market_args(BOOK), "--orders", str(ORDERS))
    assert code == 0
    for text in ("Pre-trade check", "BTC-25DEC26-105000-C", "all orders together", "accepted", "IM before",
                 "free collateral after", "premium settled in USDC"):
        assert text in out
    code, out, _ = run(capsys, "what-if", *market_args(BOOK), "--orders", str(ORDERS), "--json")
    report = json.loads(out)
    assert code == 0 and len(report["orders"]) == len(json.loads(ORDERS.read_text()))
    assert report["together"]["instrument"] is None
    assert {r["accepted"] for r in report["orders"]} == {True, False}, "the example shows both verdicts"
    table = build_risk_table(load_market(MARKET), preset("v2"), load_params(PARAMS))
    acc = encode_account(load_portfolio(BOOK), table)
    state = WhatIf(table, acc)
    for row, order in zip(report["orders"], json.loads(ORDERS.read_text()), strict=True):
        impact = state.check((order["instrument"], round(float(order["quantity"]) * 1000)))
        assert row["accepted"] == impact.accepted
        assert row["initial_margin_after"] == f"{impact.after.initial_margin / 10**6:.6f}"


def test_liquidation_plan_commands(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    book = tmp_path / "short_calls.json"
    book.write_text(json.dumps(SHORT_CALLS))
    code, out, _ = run(capsys, "liquidation-plan", *market_args(book), "--json")
    report = json.loads(out)
    assert code == 0 and report["below_maintenance"] and report["restored"] and report["steps"]
    final = report["final"]
    assert float(final["equity"]) >= float(final["initial_margin"]) and final["solvent"]
    code, out, _ = run(capsys, "liquidation-plan", *market_args(book))
    assert code == 0 and "Liquidation plan" in out and "equity back to >= IM" in out
    code, out, _ = run(capsys, "liquidation-plan", *market_args(BOOK))
    assert code == 0 and "nothing to do" in out
    broke = tmp_path / "broke.json"
    broke.write_text(json.dumps({**SHORT_CALLS, "collateral": {"USDC": "100"}}))
    code, out, _ = run(capsys, "liquidation-plan", *market_args(broke))
    assert code == 0 and "cannot restore IM" in out


BAD_ORDERS: dict[str, tuple[Any, list[str]]] = {
    "an object": ({"instrument": "BTC-PERPETUAL", "quantity": 1}, ["JSON array", "object"]),
    "no orders": ([], ["no orders"]),
    "unknown instrument": ([{"instrument": "DOGE-PERPETUAL", "quantity": 1}], ["[0].instrument", "not listed"]),
    "zero": ([{"instrument": "BTC-PERPETUAL", "quantity": "0"}], ["[0].quantity", "0 contracts"]),
    "four decimals": ([{"instrument": "BTC-PERPETUAL", "quantity": "0.0001"}], ["[0].quantity", "3 decimals"]),
    "missing quantity": ([{"instrument": "BTC-PERPETUAL"}], ["[0].quantity", "Field required"]),
    "extra field": ([{"instrument": "BTC-PERPETUAL", "quantity": 1, "price": 5}], ["[0].price"]),
    "not a number": ([{"instrument": "BTC-PERPETUAL", "quantity": "lots"}], ["[0].quantity", "not a finite"]),
    "a boolean": ([{"instrument": "BTC-PERPETUAL", "quantity": True}], ["[0].quantity", "got true"]),
    "net beyond the range": ([{"instrument": "ETH-PERPETUAL", "quantity": "1099511627.775"}],
                             ["[0].quantity", "outside the accepted range"]),
}


@pytest.mark.parametrize("name", list(BAD_ORDERS))
def test_bad_orders_files_are_one_line(name: str, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    content, words = BAD_ORDERS[name]
    path = tmp_path / "orders.json"
    path.write_text(json.dumps(content))
    code, out, err = run(capsys, "what-if", *market_args(BOOK), "--orders", str(path))
    lines = err.strip().splitlines()
    assert code == EXIT_INPUT and len(lines) == 1 and lines[0].startswith("zkmargin: error: "), err
    assert str(path) in err and all(w in err for w in words), err
    assert "Traceback" not in out + err


@pytest.mark.parametrize("command", ["what-if", "liquidation-plan"])
def test_a_cash_asset_with_a_haircut_is_one_line(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    extra = ["--orders", str(ORDERS)] if command == "what-if" else []
    code, _, err = run(capsys, command, *market_args(BOOK), *extra, "--cash-asset", "USDT")
    assert code == EXIT_INPUT and len(err.strip().splitlines()) == 1 and "haircut of 200 bp" in err
