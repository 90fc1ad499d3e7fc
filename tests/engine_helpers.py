"""Builders for small, hand-checkable risk tables used by the engine tests."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Final

import numpy as np

from zkmargin.engine.account import AccountInts
from zkmargin.engine.io import load_market, load_params, load_scenarios
from zkmargin.engine.models import MAX_TIERS, MarginParams, MarketSnapshot
from zkmargin.engine.risk import KIND_CALL, KIND_LINEAR, KIND_PUT, RiskTable, build_risk_table

EXAMPLES: Final = Path(__file__).resolve().parent.parent / "examples"
#: Size tiers and credit added to examples/params.json for the v2 example table: thresholds in underlying
#: units, rates in basis points of the index per unit beyond the threshold.
V2_CONCENTRATION: Final = {"BTC": [{"threshold": "10", "rate_bp": 50}, {"threshold": "40", "rate_bp": 150}],
                           "ETH": [{"threshold": "200", "rate_bp": 80}]}
V2_CREDIT_BP: Final = 3_000


def make_table(risk_array: Sequence[Sequence[int]], *, groups: Sequence[int] | None = None,
               mark: Sequence[int] | None = None, charge: Sequence[int] | None = None,
               group_names: Sequence[str] = ("BTC", "ETH"), asset_price: Sequence[int] = (1_000_000,),
               haircut_bp: Sequence[int] = (0,), im_bp: int = 13_000, mm_bp: int = 10_000,
               kind: Sequence[int] | None = None, delta: Sequence[int] | None = None,
               asset_group: Sequence[int] | None = None, asset_risk: Sequence[Sequence[int]] | None = None,
               tier_threshold: Sequence[Sequence[int]] | None = None,
               tier_rate: Sequence[Sequence[int]] | None = None, credit_bp: int = 0, epoch: int = 0) -> RiskTable:
    """A RiskTable from explicit integers (micro-units per lot).

    Defaults: ``kind`` is a call (2) where ``charge > 0`` and a perpetual or future (1) elsewhere; ``delta``
    zero; every asset in no group (``asset_group`` = G) with a zero risk row; no size tiers; no credit.
    """
    ra = np.array(risk_array, dtype=np.int64)
    n, s = ra.shape
    gi = np.array(groups if groups is not None else [0] * n, dtype=np.int64)
    used = sorted(set(gi.tolist()))
    n_groups = max(used) + 1
    charges = np.array(charge if charge is not None else [0] * n, dtype=np.int64)
    kinds = np.array(kind if kind is not None else np.where(charges > 0, KIND_CALL, KIND_LINEAR), dtype=np.int64)
    marks = np.array(mark if mark is not None else [0] * n, dtype=np.int64)
    n_assets = len(asset_price)
    return RiskTable(
        instrument_ids=[f"I{i}" for i in range(n)], groups=list(group_names[:n_groups]), group_index=gi,
        is_option=np.isin(kinds, (KIND_CALL, KIND_PUT)), kind=kinds, risk_array=ra, mark=marks,
        gross_mark=marks.copy(), charge=charges,
        delta=np.array(delta if delta is not None else [0] * n, dtype=np.int64), vega=np.zeros(n, dtype=np.int64),
        greeks={k: np.zeros(n) for k in ("delta", "gamma", "vega", "theta")}, contract_size=np.ones(n),
        scenario_names=[f"s{j}" for j in range(s)], assets=[f"A{k}" for k in range(n_assets)],
        asset_price=list(asset_price), haircut_bp=list(haircut_bp),
        asset_group=list(asset_group) if asset_group is not None else [n_groups] * n_assets,
        asset_risk=(np.array(asset_risk, dtype=np.int64).reshape(n_assets, s) if asset_risk is not None
                    else np.zeros((n_assets, s), dtype=np.int64)),
        tier_threshold=(np.array(tier_threshold, dtype=np.int64).reshape(n_groups, MAX_TIERS)
                        if tier_threshold is not None else np.zeros((n_groups, MAX_TIERS), dtype=np.int64)),
        tier_rate=(np.array(tier_rate, dtype=np.int64).reshape(n_groups, MAX_TIERS) if tier_rate is not None
                   else np.zeros((n_groups, MAX_TIERS), dtype=np.int64)),
        intergroup_credit_bp=credit_bp, im_multiplier_bp=im_bp, mm_multiplier_bp=mm_bp, epoch=epoch)


def account(positions: dict[int, int], balances: Sequence[int] = (0,), name: str = "t") -> AccountInts:
    items = sorted(positions.items())
    return AccountInts(name, tuple(i for i, _ in items), tuple(q for _, q in items), tuple(balances))


def example_v2_params() -> MarginParams:
    """examples/params.json with size tiers on BTC (two) and ETH (one) and a 30% inter-underlying credit."""
    base = load_params(EXAMPLES / "params.json")
    return MarginParams.model_validate({**base.model_dump(), "concentration": V2_CONCENTRATION,
                                        "intergroup_credit_bp": V2_CREDIT_BP})


def example_v2_table() -> RiskTable:
    """Risk table of examples/market.json under the v2 scenarios (24) with :func:`example_v2_params`."""
    return build_risk_table(load_market(EXAMPLES / "market.json"), load_scenarios("v2"), example_v2_params())


def cheap_strangle(table: RiskTable, lots: int, usdc: int = 10**14) -> AccountInts:
    """Long ``lots`` of the cheapest call and of the cheapest put of non-zero value, ``usdc`` 1e-8 USDC and no other
    collateral: a liability-free book whose scenario margin exceeds its value, so the long-premium cap binds."""
    cheapest = sorted(min((i for i in range(table.n_instruments) if int(table.kind[i]) == kind and table.mark[i] > 0),
                          key=lambda i: int(table.mark[i])) for kind in (KIND_CALL, KIND_PUT))
    balances = [usdc if asset == "USDC" else 0 for asset in table.assets]
    return AccountInts("strangle", tuple(cheapest), (lots, lots), tuple(balances))


def wide_market() -> MarketSnapshot:
    """examples/market.json with a third underlying, SOL, and six collateral assets (the example's four, EURC
    and SOL).  The engine orders both by name, so group ids are BTC 0, ETH 1, SOL 2 (an account trading BTC
    and SOL has ids 0 and 2) and asset ids BTC, ETH, EURC, SOL, USDC, USDT.  SOL lists spot, a perpetual, and
    calls and puts at 160/180/200 on the example's first two expiries."""
    doc = json.loads((EXAMPLES / "market.json").read_text())
    btc = doc["underlyings"]["BTC"]
    sol = {"index": 180.0,
           "forwards": {date: round(180.0 * fwd / btc["index"], 4) for date, fwd in btc["forwards"].items()},
           "smiles": {date: {**smile, "atm": round(smile["atm"] + 0.2, 4)} for date, smile in btc["smiles"].items()}}
    doc["underlyings"] = {"BTC": btc, "SOL": sol, "ETH": doc["underlyings"]["ETH"]}
    expiries = sorted(btc["forwards"])[:2]
    doc["instruments"] += [{"id": "SOL-USDC", "kind": "spot", "underlying": "SOL"},
                           {"id": "SOL-PERPETUAL", "kind": "perpetual", "underlying": "SOL"}]
    doc["instruments"] += [{"id": f"SOL-{date}-{strike}-{letter}", "kind": "option", "underlying": "SOL",
                            "expiry": f"{date}T08:00:00Z", "strike": strike, "option_type": right}
                           for date in expiries for strike in (160, 180, 200)
                           for right, letter in (("call", "C"), ("put", "P"))]
    doc["collateral"] = {"EURC": "1.08", **doc["collateral"], "SOL": "180"}
    return MarketSnapshot.model_validate(doc)


def wide_v2_table() -> RiskTable:
    """:func:`wide_market` under the v2 scenarios with :func:`example_v2_params` plus SOL and EURC haircuts and
    a SOL size tier: 3 underlyings and 6 collateral assets."""
    base = example_v2_params().model_dump()
    params = MarginParams.model_validate({
        **base, "haircuts_bp": {**base["haircuts_bp"], "EURC": 300, "SOL": 2_500},
        "concentration": {**base["concentration"], "SOL": [{"threshold": "5000", "rate_bp": 100}]}})
    return build_risk_table(wide_market(), load_scenarios("v2"), params)
