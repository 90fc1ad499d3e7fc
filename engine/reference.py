"""Slow, obviously-correct pure-``int`` margin: the oracle for the vectorised engine and the circuit.

Same rules as :mod:`engine.margin`, written as plain loops over Python ints
(which never overflow).  Kept for tests and for data too large for int64.
"""

from __future__ import annotations

from collections.abc import Sequence

from zkmargin.constants import BALANCE_SCALE, BP, MONEY_BITS, ceil_div, check_signed
from zkmargin.engine.results import GroupMargin, MarginResult
from zkmargin.engine.risk import RiskTable


def margin_account(table: RiskTable, leaf_index: Sequence[int], qty: Sequence[int],
                   balances: Sequence[int]) -> MarginResult:
    """Margin one account given as slots (``leaf_index[p]``, signed ``qty[p]`` lots) and balances."""
    n_sc = len(table.scenario_names)
    groups: list[GroupMargin] = []
    requirement = 0
    total_short = 0
    for g, name in enumerate(table.groups):
        losses = [0] * n_sc
        short_lots = 0
        som = 0
        for leaf, q in zip(leaf_index, qty, strict=True):
            if int(table.group_index[leaf]) != g:
                continue
            for s in range(n_sc):
                losses[s] -= q * int(table.risk_array[leaf][s])
            if q < 0:
                short_lots += -q
                som += -q * int(table.charge[leaf])
        losses = [loss + short_lots for loss in losses]
        worst = max(range(n_sc), key=lambda s: (losses[s], -s))
        scan = max(0, losses[worst])
        group_risk = max(scan, som)
        groups.append(GroupMargin(name, scan, worst, som, group_risk))
        requirement += group_risk
        total_short += short_lots
    mm = ceil_div(requirement * table.mm_multiplier_bp, BP)
    im = ceil_div(requirement * table.im_multiplier_bp, BP)
    collateral = 0
    for bal, price, haircut in zip(balances, table.asset_price, table.haircut_bp, strict=True):
        collateral += bal * price * (BP - haircut)
    collateral //= BALANCE_SCALE * BP
    position_value = sum(q * int(table.mark[leaf]) for leaf, q in zip(leaf_index, qty, strict=True)) - total_short
    equity = collateral + position_value
    for field, value in (("requirement", requirement), ("initial_margin", im), ("equity", equity),
                         ("collateral_value", collateral), ("position_value", position_value)):
        check_signed(field, value, MONEY_BITS)
    return MarginResult(tuple(groups), requirement, im, mm, collateral, position_value, equity)
