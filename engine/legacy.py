"""Margin model v1, kept to show what v2 changes (``scripts/compare_models.py`` and the demo).

v1 margins each underlying group alone: ``group_risk = max(scan_risk, short_option_minimum)`` with the
scan over the group's positions only (collateral does not move), the short option minimum charged on every
short option lot whatever protection the group holds, ``requirement = sum_g group_risk`` with no credit
between underlyings, no size charge and no cap, and spot positions valued at their full mark.  It is meant to
be run on a risk table built with the ``span16`` scenarios, the v1 default.
"""

from __future__ import annotations

from dataclasses import dataclass

from zkmargin.constants import BALANCE_SCALE, BP, ceil_div
from zkmargin.engine.account import AccountInts
from zkmargin.engine.risk import RiskTable


@dataclass(frozen=True)
class LegacyMargin:
    """v1 IM, MM and equity of one account, micro-units."""

    initial_margin: int
    maintenance_margin: int
    equity: int

    @property
    def solvent(self) -> bool:
        return self.equity >= self.maintenance_margin


def margin_v1(table: RiskTable, account: AccountInts) -> LegacyMargin:
    """The v1 rules, in pure ints (R1-R6 of the number contract as they stood in v1)."""
    requirement = 0
    total_short = 0
    for g in range(len(table.groups)):
        losses = [0] * table.n_scenarios
        short_lots = 0
        som = 0
        for leaf, q in zip(account.leaf_index, account.qty, strict=True):
            if int(table.group_index[leaf]) != g:
                continue
            for s in range(table.n_scenarios):
                losses[s] -= q * int(table.risk_array[leaf][s])
            if q < 0:
                short_lots += -q
                som += -q * int(table.charge[leaf])
        scan = max(0, *(loss + short_lots for loss in losses))
        requirement += max(scan, som)
        total_short += short_lots
    collateral = sum(b * p * (BP - h) for b, p, h in zip(account.balances, table.asset_price, table.haircut_bp,
                                                         strict=True)) // (BALANCE_SCALE * BP)
    position_value = sum(q * int(table.gross_mark[leaf]) for leaf, q in zip(account.leaf_index, account.qty,
                                                                             strict=True)) - total_short
    return LegacyMargin(ceil_div(requirement * table.im_multiplier_bp, BP),
                        ceil_div(requirement * table.mm_multiplier_bp, BP), collateral + position_value)
