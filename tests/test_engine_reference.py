"""The vectorised engine and the pure-int reference agree bit for bit (seeded property tests)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import pytest
from engine_helpers import make_table
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from zkmargin.constants import BoundsError
from zkmargin.engine import reference
from zkmargin.engine.account import encode_account
from zkmargin.engine.margin import margin_batch, pack_accounts
from zkmargin.engine.models import MAX_TIERS, ConcentrationTier, MarginParams, MarketSnapshot, Portfolio, Position
from zkmargin.engine.risk import build_risk_table
from zkmargin.engine.scenarios import preset

SETTINGS = settings(max_examples=100, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@st.composite
def tables_and_accounts(draw: st.DrawFn, value_bits: int = 36, qty_bits: int = 20,  # type: ignore[no-untyped-def]
                        balance_bits: int = 60):
    """A random v2 risk table (kinds, deltas, collateral risk rows, tiers, credit) and accounts."""
    n_inst = draw(st.integers(1, 10))
    n_sc = draw(st.integers(1, 8))
    n_grp = draw(st.integers(1, 3))
    n_assets = draw(st.integers(1, 4))
    vals = st.integers(-(2**value_bits), 2**value_bits)
    ra = [[draw(vals) for _ in range(n_sc)] for _ in range(n_inst)]
    groups = [draw(st.integers(0, n_grp - 1)) for _ in range(n_inst)]
    groups[0] = n_grp - 1
    mark = [draw(vals) for _ in range(n_inst)]
    charge = [draw(st.integers(0, 2**value_bits)) for _ in range(n_inst)]
    prices = [draw(st.integers(0, 2**48 - 1)) for _ in range(n_assets)]
    haircuts = [draw(st.integers(0, 10_000)) for _ in range(n_assets)]
    mm = draw(st.integers(1, 20_000))
    im = draw(st.integers(mm, 2**20 - 1))
    kind = [draw(st.integers(0, 3)) for _ in range(n_inst)]
    delta = [draw(vals) for _ in range(n_inst)]
    asset_group = [draw(st.integers(0, n_grp)) for _ in range(n_assets)]
    risk_bits = min(value_bits + 10, 55)
    asset_risk = [[draw(st.integers(-(2**risk_bits), 2**risk_bits)) if asset_group[k] < n_grp else 0
                   for _ in range(n_sc)] for k in range(n_assets)]
    thresholds = [sorted(draw(st.integers(0, 2**62)) for _ in range(MAX_TIERS)) for _ in range(n_grp)]
    rates = [[draw(st.sampled_from([0, draw(st.integers(0, 2**47))])) for _ in range(MAX_TIERS)] for _ in range(n_grp)]
    table = make_table(ra, groups=groups, mark=mark, charge=charge, group_names=("A", "B", "C"),
                       asset_price=prices, haircut_bp=haircuts, im_bp=im, mm_bp=mm, kind=kind, delta=delta,
                       asset_group=asset_group, asset_risk=asset_risk, tier_threshold=thresholds, tier_rate=rates,
                       credit_bp=draw(st.integers(0, 9_999)))
    n_acc = draw(st.integers(1, 5))
    n_pos = draw(st.integers(1, 8))
    leaf = np.array([[draw(st.integers(0, n_inst - 1)) for _ in range(n_pos)] for _ in range(n_acc)], dtype=np.int64)
    qty = np.array([[draw(st.integers(-(2**qty_bits), 2**qty_bits)) for _ in range(n_pos)] for _ in range(n_acc)],
                   dtype=np.int64)
    if draw(st.booleans()):  # a liability-free account: long options only
        qty = np.abs(qty) * np.isin(np.array(kind)[leaf], (2, 3))
    balances = [[draw(st.integers(0, 2**balance_bits - 1)) for _ in range(n_assets)] for _ in range(n_acc)]
    return table, leaf, qty, balances


def check_against_reference(case, arithmetic: str) -> None:  # type: ignore[no-untyped-def]
    """The batch takes the expected arithmetic and equals the pure-int reference for every account."""
    table, leaf, qty, balances = case
    batch = margin_batch(table, leaf, qty, balances)
    assert batch.arithmetic == arithmetic
    for a in range(qty.shape[0]):
        assert batch.account(a) == reference.margin_account(table, leaf[a].tolist(), qty[a].tolist(), balances[a])


def beyond_float64(case) -> bool:  # type: ignore[no-untyped-def]
    table, _, qty, _ = case
    values = max(int(np.abs(table.risk_array).max()), int(table.charge.max()), int(np.abs(table.mark).max()),
                 int(np.abs(table.delta).max())) + 1
    return bool(int(np.abs(qty).max()) * values * qty.shape[1] * 100 >= 2**53)


@seed(20261123)
@SETTINGS
@given(tables_and_accounts(value_bits=20, qty_bits=20, balance_bits=40))
def test_float64_path_equals_reference(case) -> None:  # type: ignore[no-untyped-def]
    check_against_reference(case, "float64")


@seed(20261124)
@SETTINGS
@given(tables_and_accounts(value_bits=34, qty_bits=17, balance_bits=36).filter(beyond_float64))
def test_int64_path_equals_reference(case) -> None:  # type: ignore[no-untyped-def]
    check_against_reference(case, "int64")


@seed(7)
@settings(max_examples=40, deadline=None, derandomize=True)
@given(tables_and_accounts(value_bits=40, qty_bits=40, balance_bits=64))
def test_values_beyond_int64_take_the_exact_path(case) -> None:  # type: ignore[no-untyped-def]
    table, leaf, qty, balances = case
    try:
        batch = margin_batch(table, leaf, qty, balances)
    except BoundsError:
        with pytest.raises(BoundsError):
            for a in range(qty.shape[0]):
                reference.margin_account(table, leaf[a].tolist(), qty[a].tolist(), balances[a])
        return
    for a in range(qty.shape[0]):
        assert batch.account(a) == reference.margin_account(table, leaf[a].tolist(), qty[a].tolist(), balances[a])


def test_large_values_force_the_exact_path() -> None:
    table = make_table([[-(2**39), 2**39]], charge=[2**39])
    leaf = np.zeros((1, 1), dtype=np.int64)
    qty = np.array([[-(2**39)]], dtype=np.int64)
    batch = margin_batch(table, leaf, qty, [[0]])
    assert batch.arithmetic == "reference" and not batch.fast_path
    expected_loss = 2**39 * 2**39 + 2**39
    assert batch.account(0).groups[0].scan_risk == expected_loss
    assert batch.account(0).groups[0].short_option_minimum == 2**78


@st.composite
def markets_and_portfolios(draw: st.DrawFn) -> tuple[MarketSnapshot, MarginParams, Portfolio, str]:
    ts = datetime(2026, 11, 23, 8, tzinfo=UTC)
    index = draw(st.floats(10.0, 200_000.0))
    instruments: list[dict[str, Any]] = [{"id": "X-PERP", "kind": "perpetual", "underlying": "X"},
                   {"id": "Y-PERP", "kind": "perpetual", "underlying": "Y", "contract_size": 10}]
    for n in range(draw(st.integers(1, 8))):
        days = draw(st.integers(1, 400))
        instruments.append({
            "id": f"X-OPT{n}", "kind": "option", "underlying": draw(st.sampled_from(["X", "Y"])),
            "expiry": (ts + timedelta(days=days, hours=draw(st.integers(0, 23)))).isoformat(),
            "strike": index * draw(st.floats(0.5, 1.5)), "option_type": draw(st.sampled_from(["call", "put"])),
            "iv": draw(st.floats(0.05, 2.0)), "contract_size": draw(st.sampled_from([0.1, 1.0, 5.0]))})
    market = MarketSnapshot.model_validate({
        "timestamp": ts.isoformat(), "rate": draw(st.floats(-0.01, 0.1)),
        "underlyings": {"X": {"index": index}, "Y": {"index": index / 30}},
        "collateral": {"USDC": "1", "X": str(round(index, 2))}, "instruments": instruments})
    tiers = [ConcentrationTier(threshold=str(draw(st.integers(0, 50))), rate_bp=draw(st.integers(0, 500)))]
    params = MarginParams(haircuts_bp={"USDC": 0, "X": draw(st.integers(0, 5000))},
                          som_rate_bp=draw(st.integers(0, 500)), intergroup_credit_bp=draw(st.integers(0, 8_000)),
                          concentration={"X": tiers})
    positions = [Position(instrument=draw(st.sampled_from([str(i["id"]) for i in instruments])),
                          quantity=f"{draw(st.integers(-5000, 5000)) / 1000:.3f}")
                 for _ in range(draw(st.integers(0, 6)))]
    portfolio = Portfolio(positions=positions, collateral={"USDC": str(draw(st.integers(0, 10**6))),
                                                           "X": f"{draw(st.integers(0, 10**8)) / 1e8:.8f}"})
    return market, params, portfolio, draw(st.sampled_from(["v2", "span16", "crypto-grid", "seed5"]))


@seed(11)
@settings(max_examples=60, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(markets_and_portfolios())
def test_random_markets_engine_equals_reference(case) -> None:  # type: ignore[no-untyped-def]
    market, params, portfolio, scenarios = case
    table = build_risk_table(market, preset(scenarios), params)
    acc = encode_account(portfolio, table)
    leaf, qty, balances = pack_accounts([acc], len(table.assets))
    got = margin_batch(table, leaf, qty, balances).account(0)
    assert got == reference.margin_account(table, list(acc.leaf_index), list(acc.qty), list(acc.balances))
