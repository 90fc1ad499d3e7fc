"""The ``zkmargin`` console command.

Subcommands registered here: ``margin``, ``batch``, ``risk-arrays``, ``schema``.
The prover and verifier packages add theirs through :func:`register` hooks.
Exit codes: 0 success, 1 a check failed (e.g. insolvent, invalid proof), 2 bad input.
"""

from __future__ import annotations

import argparse
import csv
import importlib
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from pydantic import BaseModel
from rich.console import Console
from rich.table import Table

from engine.account import encode_account
from engine.errors import InputError
from engine.fixedpoint import BoundsError, format_money
from engine.io import load_market, load_params, load_portfolio, load_scenarios
from engine.margin import margin_batch, pack_accounts
from engine.models import MarginParams, MarketSnapshot, Portfolio, ScenarioSet
from engine.report import build_report, render, risk_array_table
from engine.risk import RiskTable, build_risk_table

EXIT_OK, EXIT_FAILED, EXIT_INPUT = 0, 1, 2
EXTENSIONS = ("prover.cli", "verifier.cli")

Handler = Callable[[argparse.Namespace, Console], int]


def add_market_args(parser: argparse.ArgumentParser, *, scenarios_default: str = "span16") -> None:
    """The ``--market``, ``--scenarios`` and ``--params`` options shared by several subcommands."""
    parser.add_argument("--market", type=Path, required=True, help="market snapshot JSON")
    parser.add_argument("--scenarios", default=scenarios_default,
                        help="span16 | crypto-grid | seed5 | scenario-set JSON file (default %(default)s)")
    parser.add_argument("--params", type=Path, default=None, help="margin parameters JSON (haircuts, multipliers)")


def load_table(args: argparse.Namespace) -> tuple[MarketSnapshot, MarginParams, RiskTable, ScenarioSet]:
    """Load market, params and scenarios named by the shared options and build the risk table."""
    market = load_market(args.market)
    params = load_params(args.params)
    scenarios = load_scenarios(args.scenarios)
    try:
        table = build_risk_table(market, scenarios, params)
    except InputError as exc:
        if exc.file is None:
            hint = "; pass --params FILE" if exc.field == "haircuts_bp" and args.params is None else ""
            src = args.market
            if exc.field == "haircuts_bp":
                src = args.params if args.params is not None else "margin parameters (defaults)"
            raise InputError(exc.reason + hint, file=str(src), field=exc.field, instrument=exc.instrument) from exc
        raise
    return market, params, table, scenarios


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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="zkmargin", description="Verifiable portfolio margin: engine, prover, "
                                     "verifiers.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

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

    for module in EXTENSIONS:
        try:
            mod = importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name != module:
                raise
            continue
        mod.register(sub)
    return parser


def make_console() -> Console:
    """A console that keeps tables readable when output is piped (at least 132 columns)."""
    probe = Console()
    return Console(width=max(probe.width, 132)) if not probe.is_terminal else probe


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``zkmargin`` command; returns the exit code."""
    args = build_parser().parse_args(argv)
    console = make_console()
    handler: Handler = args.handler
    try:
        return handler(args, console)
    except (InputError, BoundsError) as exc:
        print(f"zkmargin: error: {exc}", file=sys.stderr)
        return EXIT_INPUT


if __name__ == "__main__":
    sys.exit(main())
