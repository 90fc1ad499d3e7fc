"""Builders for small, hand-checkable risk tables used by the engine tests."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from zkmargin.engine.account import AccountInts
from zkmargin.engine.risk import RiskTable


def make_table(risk_array: Sequence[Sequence[int]], *, groups: Sequence[int] | None = None,
               mark: Sequence[int] | None = None, charge: Sequence[int] | None = None,
               group_names: Sequence[str] = ("BTC", "ETH"), asset_price: Sequence[int] = (1_000_000,),
               haircut_bp: Sequence[int] = (0,), im_bp: int = 13_000, mm_bp: int = 10_000) -> RiskTable:
    """A RiskTable from explicit integers (micro-units per lot)."""
    ra = np.array(risk_array, dtype=np.int64)
    n, s = ra.shape
    gi = np.array(groups if groups is not None else [0] * n, dtype=np.int64)
    used = sorted(set(gi.tolist()))
    n_groups = max(used) + 1
    return RiskTable(
        instrument_ids=[f"I{i}" for i in range(n)], groups=list(group_names[:n_groups]), group_index=gi,
        is_option=np.array([c > 0 for c in (charge or [0] * n)]), risk_array=ra,
        mark=np.array(mark if mark is not None else [0] * n, dtype=np.int64),
        charge=np.array(charge if charge is not None else [0] * n, dtype=np.int64),
        delta=np.zeros(n, dtype=np.int64), vega=np.zeros(n, dtype=np.int64),
        greeks={k: np.zeros(n) for k in ("delta", "gamma", "vega", "theta")}, contract_size=np.ones(n),
        scenario_names=[f"s{j}" for j in range(s)], assets=[f"A{k}" for k in range(len(asset_price))],
        asset_price=list(asset_price), haircut_bp=list(haircut_bp), im_multiplier_bp=im_bp,
        mm_multiplier_bp=mm_bp, epoch=0)


def account(positions: dict[int, int], balances: Sequence[int] = (0,), name: str = "t") -> AccountInts:
    items = sorted(positions.items())
    return AccountInts(name, tuple(i for i, _ in items), tuple(q for _, q in items), tuple(balances))
