"""Margin reports: a pydantic output model (for ``--json``) and its rich rendering."""

from __future__ import annotations

import numpy as np
from pydantic import BaseModel, ConfigDict
from rich.console import Console
from rich.table import Table

from zkmargin.constants import BALANCE_SCALE, QTY_SCALE, format_money, format_units, to_micro
from zkmargin.engine.account import AccountInts
from zkmargin.engine.margin import isolated_margins
from zkmargin.engine.models import MarginParams
from zkmargin.engine.results import MarginResult
from zkmargin.engine.risk import RiskTable


class GroupReport(BaseModel):
    """One underlying group; money as decimal strings in quote currency, ``net_delta`` in units of the
    underlying (index terms, collateral included) as an exact decimal string."""

    model_config = ConfigDict(frozen=True)
    group: str
    scan_risk: str
    worst_scenario: str
    worst_scenario_index: int
    short_option_minimum: str
    net_delta: str
    concentration: str


class GreeksReport(BaseModel):
    """Net Greeks of one underlying: delta in underlying units in index terms (positions and collateral of the
    underlying), gamma per unit, vega per vol point, theta per day (positions)."""

    model_config = ConfigDict(frozen=True)
    underlying: str
    delta: float
    gamma: float
    vega: float
    theta: float
    breaches: list[str]


class MarginReport(BaseModel):
    """The ``zkmargin margin --json`` object. Money values are decimal strings in quote currency."""

    model_config = ConfigDict(frozen=True)
    account: str
    scenarios: str
    positions: int
    groups: list[GroupReport]
    separate_scan: str
    joint_scan: str
    joint_worst_scenario: str
    intergroup_credit: str
    scan_risk: str
    short_option_minimum: str
    concentration: str
    requirement: str
    liability_free: bool
    option_value: str
    initial_margin: str
    maintenance_margin: str
    collateral_value: str
    position_value: str
    equity: str
    free_collateral: str
    liquidation_buffer: str
    utilisation_pct: float | None
    margin_ratio: float | None
    solvent: bool
    isolated_margin: str
    isolated_maintenance_margin: str
    portfolio_saving: str
    portfolio_saving_pct: float | None
    greeks: list[GreeksReport]


def held_groups(table: RiskTable, account: AccountInts) -> list[int]:
    """Groups the account holds a position in, or collateral that is the underlying, in table order."""
    held = {int(table.group_index[leaf]) for leaf in account.leaf_index}
    held |= {g for g, bal in zip(table.asset_group, account.balances, strict=False) if bal and g < len(table.groups)}
    return sorted(held)


def net_greeks(table: RiskTable, account: AccountInts, params: MarginParams, res: MarginResult) -> list[GreeksReport]:
    """Net Greeks per underlying held, with limit breaches named.

    Delta is the exact index-terms net delta of the margin result (positions and collateral); gamma, vega and
    theta are summed over positions in float64.
    """
    out = []
    for g in held_groups(table, account):
        und = table.groups[g]
        held = [(leaf, q) for leaf, q in zip(account.leaf_index, account.qty, strict=True)
                if int(table.group_index[leaf]) == g]
        tot = {k: sum(q / QTY_SCALE * float(table.contract_size[leaf]) * float(table.greeks[k][leaf])
                      for leaf, q in held) for k in ("gamma", "vega", "theta")}
        tot["delta"] = res.groups[g].net_delta / BALANCE_SCALE
        breaches = []
        limit = params.limits.get(und)
        if limit and limit.max_abs_delta is not None and abs(tot["delta"]) > limit.max_abs_delta:
            breaches.append(f"|delta| {abs(tot['delta']):.4g} > {limit.max_abs_delta:g}")
        if limit and limit.max_abs_vega is not None and abs(tot["vega"]) > limit.max_abs_vega:
            breaches.append(f"|vega| {abs(tot['vega']):.4g} > {limit.max_abs_vega:g}")
        out.append(GreeksReport(underlying=und, breaches=breaches, **{k: round(v, 6) for k, v in tot.items()}))
    return out


def build_report(table: RiskTable, account: AccountInts, params: MarginParams, scenario_set: str,
                 res: MarginResult) -> MarginReport:
    """Assemble the full report of ``account`` from its margin ``res`` (computed once by the caller)."""
    held = held_groups(table, account)
    isolated = isolated_margins(table, account)
    iso_im = sum(r.initial_margin for r in isolated)
    iso_mm = sum(r.maintenance_margin for r in isolated)
    saving = iso_im - res.initial_margin
    return MarginReport(
        account=account.name, scenarios=scenario_set, positions=len(account.qty),
        groups=[GroupReport(group=gm.group, scan_risk=format_money(gm.scan_risk),
                            worst_scenario=table.scenario_names[gm.worst_scenario],
                            worst_scenario_index=gm.worst_scenario,
                            short_option_minimum=format_money(gm.short_option_minimum),
                            net_delta=format_units(gm.net_delta, BALANCE_SCALE).replace(",", ""),
                            concentration=format_money(gm.concentration))
                for g, gm in enumerate(res.groups) if g in held],
        separate_scan=format_money(res.separate_scan), joint_scan=format_money(res.joint_scan),
        joint_worst_scenario=table.scenario_names[res.joint_worst],
        intergroup_credit=format_money(res.intergroup_credit), scan_risk=format_money(res.scan_risk),
        short_option_minimum=format_money(res.short_option_minimum),
        concentration=format_money(res.concentration), liability_free=res.liability_free,
        option_value=format_money(res.option_value),
        requirement=format_money(res.requirement), initial_margin=format_money(res.initial_margin),
        maintenance_margin=format_money(res.maintenance_margin),
        collateral_value=format_money(res.collateral_value), position_value=format_money(res.position_value),
        equity=format_money(res.equity), free_collateral=format_money(res.free_collateral),
        liquidation_buffer=format_money(res.liquidation_buffer),
        utilisation_pct=round(res.utilisation_bp / 100, 2) if res.utilisation_bp is not None else None,
        margin_ratio=round(res.maintenance_margin / res.equity, 6) if res.equity > 0 else None,
        solvent=res.solvent, isolated_margin=format_money(iso_im), isolated_maintenance_margin=format_money(iso_mm),
        portfolio_saving=format_money(saving),
        portfolio_saving_pct=round(100.0 * saving / iso_im, 2) if iso_im > 0 else None,
        greeks=net_greeks(table, account, params, res),
    )


def grouped(money: str) -> str:
    """A decimal money string with thousands separators: ``"-12345.500000"`` -> ``"-12,345.500000"``."""
    return format_money(to_micro(money), grouped=True)


def render(report: MarginReport, console: Console) -> None:
    """Print a readable margin report (money with thousands separators)."""
    console.print(f"[bold]Account[/bold] {report.account}  ·  scenarios {report.scenarios}  ·  "
                  f"{report.positions} positions")
    groups = Table(title="Risk by underlying", title_justify="left")
    for col in ("group", "scan risk", "worst scenario", "short option min", "net delta", "concentration"):
        groups.add_column(col, justify="left" if col in ("group", "worst scenario") else "right")
    for g in report.groups:
        groups.add_row(g.group, grouped(g.scan_risk), g.worst_scenario, grouped(g.short_option_minimum),
                       g.net_delta, grouped(g.concentration))
    console.print(groups)
    summary = Table(title="Margin", title_justify="left", show_header=False)
    summary.add_column("item")
    summary.add_column("value", justify="right")
    ratio = f"{report.margin_ratio:.2%}" if report.margin_ratio is not None else "n/a (equity <= 0)"
    utilisation = f"{report.utilisation_pct:.2f}%" if report.utilisation_pct is not None else "n/a (equity <= 0)"
    cap = " (capped at long option value)" if report.liability_free else ""
    for item, value in (("scan risk, underlyings separately", grouped(report.separate_scan)),
                        (f"scan risk, jointly ({report.joint_worst_scenario})", grouped(report.joint_scan)),
                        ("inter-underlying credit", grouped(report.intergroup_credit)),
                        ("short option minimum (net)", grouped(report.short_option_minimum)),
                        ("concentration charge", grouped(report.concentration)),
                        ("requirement", grouped(report.requirement)),
                        (f"initial margin (IM){cap}", grouped(report.initial_margin)),
                        ("maintenance margin (MM)", grouped(report.maintenance_margin)),
                        ("collateral after haircuts", grouped(report.collateral_value)),
                        ("position value (marks)", grouped(report.position_value)),
                        ("equity", grouped(report.equity)),
                        ("free collateral (equity - IM)", grouped(report.free_collateral)),
                        ("liquidation buffer (equity - MM)", grouped(report.liquidation_buffer)),
                        ("capital utilisation (IM / equity)", utilisation),
                        ("margin ratio (MM / equity)", ratio),
                        ("solvent (equity >= MM)", "[green]yes[/green]" if report.solvent else "[red]NO[/red]")):
        summary.add_row(item, value)
    console.print(summary)
    if report.greeks:
        greeks = Table(title="Net Greeks", title_justify="left")
        for col in ("underlying", "delta", "gamma", "vega /vol pt", "theta /day", "limit breaches"):
            greeks.add_column(col, justify="left" if col in ("underlying", "limit breaches") else "right")
        for gr in report.greeks:
            greeks.add_row(gr.underlying, f"{gr.delta:,.4f}", f"{gr.gamma:,.6f}", f"{gr.vega:,.2f}",
                           f"{gr.theta:,.2f}", "; ".join(gr.breaches) or "none")
        console.print(greeks)
    pct = f" ({report.portfolio_saving_pct:.1f}%)" if report.portfolio_saving_pct is not None else ""
    console.print(f"Capital efficiency: isolated IM {grouped(report.isolated_margin)} vs portfolio IM "
                  f"{grouped(report.initial_margin)}: saving [bold]{grouped(report.portfolio_saving)}[/bold]{pct}")


def risk_array_table(table: RiskTable, console: Console, limit: int | None = None) -> None:
    """Print the risk arrays in quote currency per contract (from micro-units per lot)."""
    view = Table(title="Risk arrays (P&L per contract, quote currency, cover weight applied)", title_justify="left")
    view.add_column("instrument")
    for s, name in enumerate(table.scenario_names):
        view.add_column(f"{s}: {name}", justify="right")
    rows = range(table.n_instruments) if limit is None else range(min(limit, table.n_instruments))
    per_contract = table.risk_array.astype(np.float64) * QTY_SCALE / 1e6
    for i in rows:
        view.add_row(table.instrument_ids[i], *(f"{v:,.2f}" for v in per_contract[i]))
    console.print(view)
