"""Hand-worked margin cases, one per example portfolio kind, plus the rounding rules."""

from __future__ import annotations

import functools
import math
from pathlib import Path

import numpy as np
import pytest
from engine_helpers import account, make_table
from hypothesis import given, seed, settings
from hypothesis import strategies as st

from zkmargin.constants import (
    MONEY_BITS,
    BoundsError,
    ceil_div,
    check_signed,
    format_money,
    to_balance_units,
    to_lots,
    to_micro,
)
from zkmargin.engine.io import load_market, load_params
from zkmargin.engine.margin import isolated_margins, margin_account
from zkmargin.engine.models import MarginParams, MarketSnapshot, Scenario, ScenarioSet
from zkmargin.engine.pricing import black76
from zkmargin.engine.risk import KIND_CALL, KIND_LINEAR, KIND_PUT, KIND_SPOT, RiskTable, build_risk_table
from zkmargin.engine.scenarios import preset

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
ONE_USDC = 10**8  # balance units of one whole collateral unit


def test_naked_short_call() -> None:
    table = make_table([[-500, 200, -1000]], mark=[400], charge=[30])
    res = margin_account(table, account({0: -2}, [ONE_USDC]))
    # loss_s = -(-2) * ra_s + 2 short lots (allowance) = [-998, 402, -1998]
    g = res.groups[0]
    assert (g.scan_risk, g.worst_scenario, g.short_option_minimum) == (402, 1, 60)
    assert res.requirement == 402
    assert res.maintenance_margin == 402
    assert res.initial_margin == 523  # ceil(402 * 1.3 = 522.6)
    assert res.collateral_value == 1_000_000
    assert res.position_value == -2 * 400 - 2
    assert res.equity == 1_000_000 - 802
    assert res.solvent and res.free_collateral == res.equity - 523


def test_short_option_minimum_dominates_small_scan_risk() -> None:
    table = make_table([[-1, -2, -3]], charge=[1000])
    res = margin_account(table, account({0: -5}))
    assert res.groups[0].scan_risk == 0  # the short lots gain in every scenario: loss = 5*ra + 5 <= 0
    assert res.groups[0].short_option_minimum == 5000
    assert res.requirement == 5000


def test_covered_call_offsets_against_isolated() -> None:
    perp, call = [-1000, 1000, 0], [-10, 600, -5]
    table = make_table([perp, call], charge=[0, 50])
    acc = account({0: 1, 1: -1})
    res = margin_account(table, acc)
    # loss = -perp + call + 1 = [991, -399, -4]
    assert res.groups[0].scan_risk == 991 and res.groups[0].worst_scenario == 0
    iso = isolated_margins(table, acc)
    assert [r.requirement for r in iso] == [1000, 601]
    assert sum(r.initial_margin for r in iso) > res.initial_margin


def test_long_straddle_risk_is_the_worst_decay() -> None:
    table = make_table([[-300, 900, -100], [700, -300, -100]])
    res = margin_account(table, account({0: 1, 1: 1}))
    assert res.groups[0].scan_risk == 200 and res.groups[0].worst_scenario == 2
    assert res.groups[0].short_option_minimum == 0


def test_butterfly_wings_cap_the_loss() -> None:
    k1, k2, k3 = [-900, 1500, -50], [-500, 1000, -40], [-200, 600, -30]
    table = make_table([k1, k2, k3], charge=[10, 10, 10])
    res = margin_account(table, account({0: 1, 1: -2, 2: 1}))
    # loss = -k1 + 2 k2 - k3 + 2 = [900-1000+200+2, -1500+2000-600+2, 50-80+30+2] = [102, -98, 2]
    assert res.groups[0].scan_risk == 102
    assert res.groups[0].short_option_minimum == 0  # net short calls: 2 short against 2 long
    iso = isolated_margins(table, account({0: 1, 1: -2, 2: 1}))
    assert sum(r.requirement for r in iso) == 900 + 2002 + 200


def test_delta_hedged_short_strangle() -> None:
    call, put, perp = [-100, -900, 20], [-800, -50, 20], [-1000, 1000, 0]
    table = make_table([call, put, perp], charge=[40, 40, 0], kind=[KIND_CALL, KIND_PUT, KIND_LINEAR])
    hedged = margin_account(table, account({0: -1, 1: -1, 2: 0}))
    res = margin_account(table, account({0: -1, 1: -1}))
    # unhedged loss = call + put + 2 = [-898, -948, 42]: both price moves make the short strangle gain here
    assert res.groups[0].scan_risk == 42
    assert res.groups[0].short_option_minimum == 40  # the larger of net short calls and net short puts
    assert hedged == res
    with_perp = margin_account(table, account({0: -1, 1: -1, 2: 1}))
    # loss = call + put + 2 - perp = [102, -1948, 42]
    assert with_perp.groups[0].scan_risk == 102


def test_calendar_spread_same_group() -> None:
    near, far = [-400, 600, -80], [-450, 700, -20]
    table = make_table([near, far], charge=[25, 25])
    res = margin_account(table, account({0: -1, 1: 1}))
    # loss = near - far + 1 = [51, -99, -59]
    assert res.groups[0].scan_risk == 51
    assert res.groups[0].short_option_minimum == 0  # the long far call covers the short near call
    assert res.requirement == 51


def test_two_underlyings_do_not_offset() -> None:
    table = make_table([[-1000, 1000], [-1000, 1000]], groups=[0, 1])
    res = margin_account(table, account({0: 1, 1: -1}))
    assert [g.scan_risk for g in res.groups] == [1000, 1001]
    assert res.requirement == 2001


def test_intergroup_credit_is_partial() -> None:
    table = make_table([[-1000, 1000], [-1000, 1000]], groups=[0, 1], credit_bp=4_000)
    res = margin_account(table, account({0: 1, 1: -1}))
    # joint loss = [1000 - 999, -1000 + 1001] = [1, 1]; credit = floor((2001 - 1) * 0.4) = 800
    assert (res.separate_scan, res.joint_scan, res.intergroup_credit) == (2001, 1, 800)
    assert res.scan_risk == res.requirement == 1201 > res.joint_scan


def test_liability_free_account_is_capped_at_its_option_value() -> None:
    table = make_table([[-900, 300]], mark=[800], charge=[10], kind=[KIND_CALL])
    res = margin_account(table, account({0: 1}))
    assert res.liability_free and res.requirement == 900 and res.option_value == 800
    assert res.maintenance_margin == res.initial_margin == 800 == res.equity
    short = margin_account(table, account({0: -1}))
    assert not short.liability_free and short.initial_margin == ceil_div(301 * 13_000, 10_000)


def test_collateral_moves_with_its_underlying_like_a_spot_position() -> None:
    spot, perp = [-1_000, 1_000], [-1_000, 1_000]
    table = make_table([spot, perp], mark=[10_000, 0], kind=[KIND_SPOT, KIND_LINEAR], delta=[1_000, 1_000],
                       asset_price=[10_000_000],
                       asset_group=[0], asset_risk=[[-1_000_000, 1_000_000]])
    as_spot = margin_account(table, account({0: 1_000, 1: -1_000}, [0]))
    as_collateral = margin_account(table, account({1: -1_000}, [ONE_USDC]))
    assert as_spot.groups[0].scan_risk == 1_000  # the 1-micro short allowance per lot
    assert as_collateral.groups[0].scan_risk == 1_000
    assert as_spot.groups[0].net_delta == as_collateral.groups[0].net_delta == 0
    naked = margin_account(table, account({1: -1_000}, [0]))
    assert naked.groups[0].scan_risk == 1_001_000


def test_concentration_tiers_are_marginal_and_exact() -> None:
    table = make_table([[-1, 1]], delta=[1_000], tier_threshold=[[10 * ONE_USDC, 20 * ONE_USDC]],
                       tier_rate=[[1_000_000, 3_000_000]])
    # a lot has delta 1,000 micro-units = 1e-3 units; 30,000 lots short = 30 units
    res = margin_account(table, account({0: -30_000}))
    assert res.groups[0].net_delta == -30 * ONE_USDC
    assert res.groups[0].concentration == 20 * 1_000_000 + 10 * 3_000_000
    half = margin_account(table, account({0: -15_000}))
    assert half.groups[0].concentration == 5 * 1_000_000
    assert res.concentration > 2 * half.concentration  # faster than linear in size


def test_many_positions_linear_in_slots() -> None:
    rng = np.random.default_rng(5)
    ra = rng.integers(-10**6, 10**6, size=(200, 6)).tolist()
    table = make_table(ra, mark=[1] * 200)
    qty = {i: int(q) for i, q in enumerate(rng.integers(1, 50, size=200))}
    res = margin_account(table, account(qty))
    expected = max(0, max(-sum(q * ra[i][s] for i, q in qty.items()) for s in range(6)))
    assert res.groups[0].scan_risk == expected
    assert res.position_value == sum(qty.values())


def test_margin_rounding_is_exact_ceiling() -> None:
    table = make_table([[-10_000]], im_bp=12_345, mm_bp=10_001)
    res = margin_account(table, account({0: 1}))
    assert res.maintenance_margin == ceil_div(10_000 * 10_001, 10_000) == 10_001
    assert res.initial_margin == 12_345


def test_collateral_floor_with_haircuts() -> None:
    table = make_table([[0]], asset_price=[98_000_000_000, 999_500], haircut_bp=[1_000, 200])
    res = margin_account(table, account({}, [33_333_333, 7 * ONE_USDC + 3]))
    btc = 33_333_333 * 98_000_000_000 * 9_000
    usdt = (7 * ONE_USDC + 3) * 999_500 * 9_800
    assert res.collateral_value == (btc + usdt) // 10**12
    assert res.equity == res.collateral_value and res.maintenance_margin == 0 and res.solvent


def test_insolvent_account() -> None:
    table = make_table([[-5_000_000]])
    res = margin_account(table, account({0: 1}, [ONE_USDC // 100]))
    assert not res.solvent and res.shortfall == 5_000_000 - 10_000


def test_inputs_out_of_bounds_are_rejected_not_wrapped() -> None:
    with pytest.raises(BoundsError, match="contracts is outside the accepted range"):
        to_lots(2**40 // 1000 + 1)
    assert to_lots("-1099511627.776") == -(2**40)  # the range is [-2^40, 2^40) lots
    with pytest.raises(BoundsError, match="has more than 3 decimals"):
        to_lots("0.0001")
    with pytest.raises(BoundsError, match="balance"):
        to_balance_units(2**64)
    with pytest.raises(BoundsError, match="signed 97-bit"):
        check_signed("equity", -(2**96) - 1, MONEY_BITS)
    table = make_table([[-(2**39)]] * 2)
    assert margin_account(table, account({0: 1, 1: 1})).requirement == 2**40


def test_format_money_exact() -> None:
    assert format_money(-12_500_000) == "-12.500000"
    assert format_money(1) == "0.000001"
    assert to_micro("0.0000015") == 1 and to_micro("0.0000015", rounding="ceil") == 2


def test_black76_known_value() -> None:
    value = black76(np.array(100.0), np.array(100.0), np.array(0.2), np.array(1.0), 0.0, np.array(True))
    expected = 100 * (math.erf(0.1 / math.sqrt(2)) - math.erf(-0.1 / math.sqrt(2))) / 2
    assert float(value) == pytest.approx(expected, rel=1e-12)


def _market() -> MarketSnapshot:
    return MarketSnapshot.model_validate({
        "timestamp": "2026-11-23T08:00:00Z", "underlyings": {"BTC": {"index": 98_000}},
        "collateral": {"USDC": "1"},
        "instruments": [
            {"id": "BTC-PERPETUAL", "kind": "perpetual", "underlying": "BTC"},
            {"id": "BTC-USDC", "kind": "spot", "underlying": "BTC", "contract_size": 0.5},
            {"id": "BTC-25DEC26-100000-C", "kind": "option", "underlying": "BTC", "strike": 100_000,
             "option_type": "call", "expiry": "2026-12-25T08:00:00Z", "iv": 0.55}]})


def test_linear_risk_arrays_are_exact() -> None:
    table = build_risk_table(_market(), preset("span16"), MarginParams(haircuts_bp={"USDC": 0}))
    # one lot of the perpetual = 0.001 BTC; +1/3 of the 15% range = +4,900 USD per BTC = 4,900,000 micro per lot
    s = table.scenario_names.index("price +1/3 vol up")
    assert table.risk_array[0, s] == 4_900_000
    extreme = table.scenario_names.index("extreme -2x")
    assert table.risk_array[0, extreme] == math.floor(-98_000 * 0.30 * 1000 * 0.35)
    assert table.mark[0] == 0 and table.mark[1] == 49_000_000  # spot lot: 0.0005 BTC at 98,000
    assert table.charge[2] == 980_000 and table.charge[0] == 0  # 1% of index per contract = 980 USD / 1000 lots


def test_option_risk_array_signs_and_weights() -> None:
    table = build_risk_table(_market(), preset("span16"), MarginParams(haircuts_bp={"USDC": 0}))
    names = table.scenario_names
    up, down = names.index("price +3/3 vol up"), names.index("price -3/3 vol up")
    assert table.risk_array[2, up] > 0 > table.risk_array[2, down]
    vol_up, vol_down = names.index("price 0 vol up"), names.index("price 0 vol down")
    assert table.risk_array[2, vol_up] > table.risk_array[2, vol_down]


def test_crypto_grid_and_seed5_shapes() -> None:
    grid = preset("crypto-grid").scenarios
    assert len(grid) == 33
    assert [round(s.price_move, 2) for s in grid[:27:3]] == [-0.16, -0.12, -0.08, -0.04, 0.0, 0.04, 0.08, 0.12, 0.16]
    ext = [s for s in grid if s.name.startswith("extended")]
    assert all(s.weight == pytest.approx(0.16 / abs(s.price_move)) for s in ext)
    span = preset("span16").scenarios
    assert len(span) == 16 and [s.weight for s in span].count(0.35) == 2
    assert len(preset("seed5").scenarios) == 5


def test_time_step_puts_theta_in_the_array() -> None:
    table = build_risk_table(_market(), preset("span16"), MarginParams(haircuts_bp={"USDC": 0}))
    assert table.greeks["theta"][2] < 0
    flat = table.scenario_names.index("price 0 vol up")
    no_step = build_risk_table(_market(), ScenarioSet(name="x", scenarios=[Scenario(name="flat", price_move=0.0,
                               vol_move=0.1, time_step_days=0.0)]), MarginParams(haircuts_bp={"USDC": 0}))
    assert table.risk_array[2, flat] < no_step.risk_array[2, 0]


@seed(20261129)
@settings(max_examples=60, deadline=None, derandomize=True)
@given(st.lists(st.tuples(st.integers(0, 10**6), st.integers(1, 5_000)), min_size=1, max_size=8),
       st.lists(st.integers(0, 10**12), min_size=4, max_size=4))
def test_long_options_and_collateral_never_need_more_than_the_options_value(
        picks: list[tuple[int, int]], balances: list[int]) -> None:
    """No position set posts more than it can lose: long options plus any collateral need IM <= option value."""
    table = example_v2_table()
    options = np.flatnonzero(table.is_option)
    lots: dict[int, int] = {}
    for pick, q in picks:
        leaf = int(options[pick % len(options)])
        lots[leaf] = lots.get(leaf, 0) + q
    res = margin_account(table, account(lots, balances))
    value = sum(q * int(table.mark[leaf]) for leaf, q in lots.items())
    assert res.liability_free and res.option_value == value
    assert res.maintenance_margin <= res.initial_margin <= value
    assert res.free_collateral >= res.collateral_value >= 0


@functools.cache
def example_v2_table() -> RiskTable:
    market = load_market(EXAMPLES / "market.json")
    return build_risk_table(market, preset("v2"), load_params(EXAMPLES / "params.json"))
