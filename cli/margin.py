"""``zkmargin`` subcommands of the engine: ``margin``, ``batch``, ``risk-arrays``, ``schema``."""

from __future__ import annotations

import argparse
import csv
import json
from pathlib import Path

from pydantic import BaseModel
from rich.console import Console
from rich.table import Table

from zkmargin.cli.common import EXIT_OK, add_market_args, load_table
from zkmargin.constants import format_money
from zkmargin.engine.account import encode_account
from zkmargin.engine.errors import InputError
from zkmargin.engine.io import load_portfolio
from zkmargin.engine.margin import margin_batch, pack_accounts
from zkmargin.engine.models import MarginParams, MarketSnapshot, Portfolio, ScenarioSet
from zkmargin.engine.report import build_report, render, risk_array_table


def cmd_margin(args: argparse.Namespace, console: Console) -> int:
    _, params, table, scenarios = load_table(args)
    account = encode_account(load_portfolio(args.portfolio), table, source=str(args.portfolio))
    report = build_report(table, account, params, scenarios.name)
    if args.json:
        print(report.model_dump_json(indent=2))
    else:
        render(report, console)
    return EXIT_OK


def cmd_batch(args: argparse.Namespace, console: Console) -> int:
    _, params, table, scenarios = load_table(args)
    paths: list[Path] = []
    for p in args.portfolios:
        paths.extend(sorted(p.glob("*.json")) if p.is_dir() else [p])
    if not paths:
        raise InputError("no portfolio files given", field="portfolios")
    accounts = [encode_account(load_portfolio(p), table, source=str(p)) for p in paths]
    leaf, qty, balances = pack_accounts(accounts, len(table.assets))
    batch = margin_batch(table, leaf, qty, balances)
    reports = [build_report(table, acc, params, scenarios.name, batch.account(a)) for a, acc in enumerate(accounts)]
    if args.json:
        print(json.dumps([r.model_dump() for r in reports], indent=2))
        return EXIT_OK
    view = Table(title=f"Portfolio margin, {len(accounts)} accounts, scenarios {scenarios.name}", title_justify="left")
    for col in ("account", "positions", "IM", "MM", "equity", "solvent", "isolated IM", "saving"):
        view.add_column(col, justify="left" if col == "account" else "right")
    for r in reports:
        pct = f" ({r.portfolio_saving_pct:.0f}%)" if r.portfolio_saving_pct is not None else ""
        view.add_row(r.account, str(r.positions), r.initial_margin, r.maintenance_margin, r.equity,
                     "yes" if r.solvent else "[red]NO[/red]", r.isolated_margin, r.portfolio_saving + pct)
    console.print(view)
    total = sum(int(v) for v in batch.initial_margin)
    console.print(f"Total IM {format_money(total)}; {int(batch.solvent.sum())}/{len(accounts)} accounts solvent.")
    return EXIT_OK


def cmd_risk_arrays(args: argparse.Namespace, console: Console) -> int:
    _, _, table, _ = load_table(args)
    if args.out is None:
        risk_array_table(table, console, limit=args.limit)
        return EXIT_OK
    header = ["instrument", "group", "mark_micro_per_lot", "charge_micro_per_lot",
              *[f"s{s}_micro_per_lot" for s in range(table.n_scenarios)]]
    rows = [[iid, table.groups[int(table.group_index[i])], int(table.mark[i]), int(table.charge[i]),
             *(int(v) for v in table.risk_array[i])] for i, iid in enumerate(table.instrument_ids)]
    if args.out.suffix == ".json":
        args.out.write_text(json.dumps({"scenarios": table.scenario_names, "columns": header, "rows": rows}, indent=1))
    else:
        with args.out.open("w", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(header)
            writer.writerows(rows)
    console.print(f"wrote {len(rows)} risk arrays × {table.n_scenarios} scenarios to {args.out}")
    return EXIT_OK


SCHEMAS: dict[str, type[BaseModel]] = {
    "market": MarketSnapshot, "params": MarginParams, "portfolio": Portfolio, "scenarios": ScenarioSet}


def cmd_schema(args: argparse.Namespace, console: Console) -> int:
    print(json.dumps(SCHEMAS[args.name].model_json_schema(), indent=2))
    return EXIT_OK


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the engine subcommands to the ``zkmargin`` parser."""
    p = sub.add_parser("margin", help="margin one portfolio and print a report")
    add_market_args(p)
    p.add_argument("--portfolio", type=Path, required=True, help="portfolio JSON")
    p.add_argument("--json", action="store_true", help="print one JSON object instead of tables")
    p.set_defaults(handler=cmd_margin)

    p = sub.add_parser("batch", help="margin many portfolios in one vectorised call")
    add_market_args(p)
    p.add_argument("portfolios", type=Path, nargs="+", help="portfolio JSON files or folders of them")
    p.add_argument("--json", action="store_true", help="print a JSON list of reports")
    p.set_defaults(handler=cmd_batch)

    p = sub.add_parser("risk-arrays", help="print or write the risk-array table")
    add_market_args(p)
    p.add_argument("--out", type=Path, default=None, help="write CSV (or JSON if the name ends in .json)")
    p.add_argument("--limit", type=int, default=None, help="print only the first N instruments")
    p.set_defaults(handler=cmd_risk_arrays)

    p = sub.add_parser("schema", help="print the JSON schema of an input file")
    p.add_argument("name", choices=sorted(SCHEMAS))
    p.set_defaults(handler=cmd_schema)

