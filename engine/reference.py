"""Slow, obviously-correct pure-``int`` margin: the oracle for the vectorised engine and the circuit.

Same rules as :mod:`engine.margin` (see there and rules R1-R10 of :mod:`zkmargin.constants`), written as
plain loops over Python ints, which never overflow.  Kept for tests and for data too large for int64.
"""

from __future__ import annotations

from collections.abc import Sequence

from zkmargin.constants import BALANCE_SCALE, BP, MONEY_BITS, ceil_div, check_signed
from zkmargin.engine.results import GroupMargin, MarginResult
from zkmargin.engine.risk import KIND_CALL, KIND_LINEAR, KIND_PUT, RiskTable

#: Delta per lot is in micro-units of the underlying; net delta is in 1e-8 units (balances' scale).
DELTA_TO_BALANCE = BALANCE_SCALE // 10**6


def margin_account(table: RiskTable, leaf_index: Sequence[int], qty: Sequence[int],
                   balances: Sequence[int]) -> MarginResult:
    """Margin one account given as slots (``leaf_index[p]``, signed ``qty[p]`` lots) and balances (1e-8 units)."""
    n_sc = len(table.scenario_names)
    groups: list[GroupMargin] = []
    joint_scaled = [0] * n_sc
    total_short = 0
    liabilities = 0
    option_value = 0
    for g, name in enumerate(table.groups):
        # scenario loss scaled by 10^8: positions (micro-units) times 10^8, minus collateral P&L (1e-8 units
        # times micro-units per unit)
        scaled = [0] * n_sc
        short_lots = 0
        call_charge = 0
        put_charge = 0
        delta = 0
        for leaf, q in zip(leaf_index, qty, strict=True):
            if int(table.group_index[leaf]) != g:
                continue
            kind = int(table.kind[leaf])
            for s in range(n_sc):
                scaled[s] -= q * int(table.risk_array[leaf][s]) * BALANCE_SCALE
            if q < 0:
                short_lots += -q
            if kind == KIND_CALL:
                call_charge += -q * int(table.charge[leaf])
            elif kind == KIND_PUT:
                put_charge += -q * int(table.charge[leaf])
            delta += q * int(table.delta[leaf]) * DELTA_TO_BALANCE
        for k, bal in enumerate(balances):
            if table.asset_group[k] == g:
                delta += bal
                for s in range(n_sc):
                    scaled[s] -= bal * int(table.asset_risk[k][s])
        scaled = [v + short_lots * BALANCE_SCALE for v in scaled]
        losses = [ceil_div(v, BALANCE_SCALE) for v in scaled]
        worst = max(range(n_sc), key=lambda s: (losses[s], -s))
        scan = max(0, losses[worst])
        som = max(0, call_charge, put_charge)
        excess = 0
        for t in range(table.tier_rate.shape[1]):
            excess += max(0, abs(delta) - int(table.tier_threshold[g][t])) * int(table.tier_rate[g][t])
        concentration = ceil_div(excess, BALANCE_SCALE)
        groups.append(GroupMargin(name, scan, worst, som, delta, concentration))
        for s in range(n_sc):
            joint_scaled[s] += scaled[s]
        total_short += short_lots
    for leaf, q in zip(leaf_index, qty, strict=True):
        kind = int(table.kind[leaf])
        if kind == KIND_LINEAR:
            liabilities += abs(q)
        if kind in (KIND_CALL, KIND_PUT):
            option_value += q * int(table.mark[leaf])
    liabilities += total_short
    joint_losses = [ceil_div(v, BALANCE_SCALE) for v in joint_scaled]
    joint_worst = max(range(n_sc), key=lambda s: (joint_losses[s], -s))
    joint = max(0, joint_losses[joint_worst])
    separate = sum(gm.scan_risk for gm in groups)
    credit = (separate - joint) * table.intergroup_credit_bp // BP
    scan_risk = separate - credit
    som_total = sum(gm.short_option_minimum for gm in groups)
    concentration_total = sum(gm.concentration for gm in groups)
    requirement = max(scan_risk, som_total) + concentration_total
    mm = ceil_div(requirement * table.mm_multiplier_bp, BP)
    im = ceil_div(requirement * table.im_multiplier_bp, BP)
    liability_free = liabilities == 0
    if liability_free:
        mm = min(mm, option_value)
        im = min(im, option_value)
    collateral = 0
    for bal, price, haircut in zip(balances, table.asset_price, table.haircut_bp, strict=True):
        collateral += bal * price * (BP - haircut)
    collateral //= BALANCE_SCALE * BP
    position_value = sum(q * int(table.mark[leaf]) for leaf, q in zip(leaf_index, qty, strict=True)) - total_short
    equity = collateral + position_value
    for field, value in (("requirement", requirement), ("initial_margin", im), ("equity", equity),
                         ("collateral_value", collateral), ("position_value", position_value)):
        check_signed(field, value, MONEY_BITS)
    return MarginResult(tuple(groups), separate, joint, joint_worst, credit, scan_risk, som_total,
                        concentration_total, requirement, liability_free, option_value, im, mm, collateral,
                        position_value, equity)
