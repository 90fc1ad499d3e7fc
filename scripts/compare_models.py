"""Margin model v1 against v2, one row per example portfolio, with the v2 rules that made the difference.

Usage::

    python scripts/compare_models.py [PORTFOLIO.json ...]   # default: the eight v2 rule examples

v1 is :mod:`engine.legacy` on the ``span16`` scenarios; v2 is the engine on the ``v2`` scenarios.  Both use
``examples/market.json`` and ``examples/params.json``.  The rules column is derived from the v2 result (which
scenario was worst, which charges are non-zero, whether the cap applied), not written by hand.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from rich.console import Console
from rich.table import Table

from zkmargin.constants import format_money
from zkmargin.engine.account import AccountInts, encode_account
from zkmargin.engine.io import load_market, load_params, load_portfolio
from zkmargin.engine.legacy import margin_v1
from zkmargin.engine.margin import margin_account
from zkmargin.engine.results import MarginResult
from zkmargin.engine.risk import KIND_SPOT, RiskTable, build_risk_table
from zkmargin.engine.scenarios import preset

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
RULE_EXAMPLES = ("basis_trade", "futures_calendar", "far_otm_short_call", "butterfly_no_cash", "paid_long_call",
                 "btc_collateral_hedge", "btc_eth_hedge", "concentrated_short")


def v1_short_option_minimum(table: RiskTable, account: AccountInts) -> int:
    """The v1 charge: every short option lot pays its charge, whatever protection the account holds."""
    return sum(-q * int(table.charge[leaf]) for leaf, q in zip(account.leaf_index, account.qty, strict=True)
               if q < 0)


def rules_applied(table: RiskTable, account: AccountInts, res: MarginResult, v1_som: int) -> list[str]:
    """The v2 rules that shaped this account's margin, read off the result."""
    rules: list[str] = []
    scenario_names = table.scenario_names
    for g, gm in enumerate(res.groups):
        if gm.scan_risk and gm.scan_risk >= res.short_option_minimum:
            worst = scenario_names[gm.worst_scenario]
            options = any(int(table.group_index[leaf]) == g and bool(table.is_option[leaf])
                          for leaf in account.leaf_index)
            if worst.startswith(("basis", "term")):
                rules.append(f"basis/term scenario ({worst})")
            elif worst.startswith("tail") and options:  # a linear book's dampened tail loss equals its core loss
                rules.append(f"tail scenario ({worst})")
    if v1_som > res.short_option_minimum:
        rules.append("short option minimum net of long protection")
    if res.liability_free and res.initial_margin == res.option_value and res.requirement > 0:
        rules.append("liability-free cap at long option value")
    held_underlying = [table.assets[k] for k, g in enumerate(table.asset_group)
                       if g < len(table.groups) and account.balances[k] > 0]
    if held_underlying and not res.liability_free:
        rules.append(f"collateral {', '.join(held_underlying)} moves in the scenarios")
    if res.intergroup_credit:
        rules.append(f"inter-underlying credit {format_money(res.intergroup_credit, grouped=True)}")
    if res.concentration:
        rules.append(f"size tiers {format_money(res.concentration, grouped=True)}")
    if any(int(table.kind[leaf]) == KIND_SPOT for leaf in account.leaf_index):
        rules.append("spot valued net of its haircut")
    return rules


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("portfolios", nargs="*", type=Path,
                        default=[EXAMPLES / "portfolios" / f"{name}.json" for name in RULE_EXAMPLES])
    args = parser.parse_args(argv)
    market = load_market(EXAMPLES / "market.json")
    params = load_params(EXAMPLES / "params.json")
    v1_table = build_risk_table(market, preset("span16"), params)
    v2_table = build_risk_table(market, preset("v2"), params)
    view = Table(title="Margin model v1 (span16) against v2, USD", title_justify="left")
    for col in ("portfolio", "v1 IM", "v1 MM", "v1 solvent", "v2 IM", "v2 MM", "v2 solvent", "what v2 changed"):
        view.add_column(col, justify="right" if col[:2] in ("v1", "v2") and "solvent" not in col else "left")
    for path in args.portfolios:
        portfolio = load_portfolio(path)
        old = margin_v1(v1_table, encode_account(portfolio, v1_table))
        account = encode_account(portfolio, v2_table)
        new = margin_account(v2_table, account)
        rules = rules_applied(v2_table, account, new, v1_short_option_minimum(v2_table, account))
        view.add_row(portfolio.account, format_money(old.initial_margin, grouped=True),
                     format_money(old.maintenance_margin, grouped=True), "yes" if old.solvent else "NO",
                     format_money(new.initial_margin, grouped=True), format_money(new.maintenance_margin, grouped=True),
                     "yes" if new.solvent else "NO", "; ".join(rules) or "-")
    Console(width=200).print(view)
    return 0


if __name__ == "__main__":
    sys.exit(main())
