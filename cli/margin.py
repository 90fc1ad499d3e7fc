"""``zkmargin`` subcommands of the engine: ``margin``, ``batch``, ``risk-arrays``, ``instruments``, ``schema``."""

from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path

from pydantic import BaseModel
from rich.console import Console
from rich.table import Table

from zkmargin.cli.common import (
    EXIT_INPUT,
    EXIT_OK,
    add_market_args,
    check_input_file,
    check_output_path,
    load_table,
)
from zkmargin.constants import BoundsError, format_money
from zkmargin.engine.account import AccountInts, encode_account
from zkmargin.engine.errors import InputError
from zkmargin.engine.io import load_market, load_portfolio
from zkmargin.engine.margin import margin_account, margin_batch, pack_accounts
from zkmargin.engine.models import MarginParams, MarketSnapshot, Portfolio, ScenarioSet
from zkmargin.engine.report import build_report, grouped, render, risk_array_table


def cmd_margin(args: argparse.Namespace, console: Console) -> int:
    check_input_file(args.portfolio, "--portfolio")
    _, params, table, scenarios = load_table(args)
    account = encode_account(load_portfolio(args.portfolio), table, source=str(args.portfolio))
    report = build_report(table, account, params, scenarios.name, margin_account(table, account))
    if args.json:
        print(report.model_dump_json(indent=2))
    else:
        render(report, console)
    return EXIT_OK


def _portfolio_files(paths: list[Path]) -> tuple[list[Path], list[tuple[Path, str]]]:
    """Files named directly, and the ``*.json`` files of folders; missing ones are reported, not dropped."""
    files: list[Path] = []
    bad: list[tuple[Path, str]] = []
    for p in paths:
        if p.is_dir():
            found = sorted(p.glob("*.json"))
            if not found:
                bad.append((p, "folder holds no .json portfolio"))
            files.extend(found)
        elif p.exists():
            files.append(p)
        else:
            bad.append((p, "no such file or folder"))
    return files, bad


def cmd_batch(args: argparse.Namespace, console: Console) -> int:
    _, params, table, scenarios = load_table(args)
    files, bad = _portfolio_files(args.portfolios)
    accounts: list[AccountInts] = []
    for path in files:
        try:
            accounts.append(encode_account(load_portfolio(path), table, source=str(path)))
        except (InputError, BoundsError) as exc:
            bad.append((path, str(exc).removeprefix(f"{path}: ")))
    reports = []
    if accounts:
        leaf, qty, balances = pack_accounts(accounts, len(table.assets))
        batch = margin_batch(table, leaf, qty, balances)
        reports = [build_report(table, acc, params, scenarios.name, batch.account(a))
                   for a, acc in enumerate(accounts)]
    if args.json:
        print(json.dumps({"accounts": [r.model_dump() for r in reports],
                          "rejected": [{"file": str(p), "reason": why} for p, why in bad]}, indent=2))
    else:
        view = Table(title=f"Portfolio margin, {len(accounts)} accounts, scenarios {scenarios.name}",
                     title_justify="left")
        for col in ("account", "positions", "IM", "MM", "equity", "solvent", "isolated IM", "saving"):
            view.add_column(col, justify="left" if col == "account" else "right",
                            no_wrap=col == "account", overflow="fold")
        for r in reports:
            pct = f" ({r.portfolio_saving_pct:.0f}%)" if r.portfolio_saving_pct is not None else ""
            view.add_row(r.account, str(r.positions), grouped(r.initial_margin), grouped(r.maintenance_margin),
                         grouped(r.equity), "yes" if r.solvent else "[red]NO[/red]", grouped(r.isolated_margin),
                         grouped(r.portfolio_saving) + pct)
        if reports:
            console.print(view)
            total = sum(int(v) for v in batch.initial_margin)
            console.print(f"Total IM {format_money(total, grouped=True)}; "
                          f"{int(batch.solvent.sum())}/{len(accounts)} accounts solvent.")
    for path, why in bad:
        print(f"zkmargin: error: {path}: {why}", file=sys.stderr)
    if bad:
        if not args.json:
            console.print(f"[red]{len(bad)} input(s) rejected[/red] (one line each on stderr); the others are "
                          "reported above")
        return EXIT_INPUT
    return EXIT_OK


def cmd_risk_arrays(args: argparse.Namespace, console: Console) -> int:
    if args.out is not None:
        check_output_path(args.out, "--out")
    if args.limit is not None and args.limit < 1:
        raise InputError(f"must be at least 1, got {args.limit}", field="--limit")
    _, _, table, _ = load_table(args, haircuts_required=False)
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
    console.print(f"wrote {len(rows):,} risk arrays × {table.n_scenarios} scenarios to {args.out}")
    return EXIT_OK


def cmd_instruments(args: argparse.Namespace, console: Console) -> int:
    check_input_file(args.market, "--market")
    market = load_market(args.market)
    underlyings = sorted({i.underlying for i in market.instruments})
    if args.underlying is not None and args.underlying not in underlyings:
        raise InputError(f"no instrument of {args.underlying!r} is listed; underlyings: {', '.join(underlyings)}",
                         file=str(args.market), field="--underlying")
    listed = [i for i in market.instruments if args.underlying is None or i.underlying == args.underlying]
    if args.json:
        print(json.dumps([i.model_dump(mode="json", exclude_none=True) for i in listed], indent=2))
        return EXIT_OK
    view = Table(title=f"{len(listed):,} instruments listed in {args.market}", title_justify="left")
    for col in ("id", "underlying", "kind", "expiry", "strike", "type", "contract size"):
        view.add_column(col, justify="right" if col in ("strike", "contract size") else "left", no_wrap=col == "id")
    for i in listed:
        view.add_row(i.id, i.underlying, i.kind.value, i.expiry.date().isoformat() if i.expiry else "",
                     f"{i.strike:,g}" if i.strike is not None else "", i.option_type.value if i.option_type else "",
                     f"{i.contract_size:g}")
    console.print(view)
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
    p.add_argument("--json", action="store_true",
                   help='print {"accounts": [reports], "rejected": [{"file", "reason"}]}')
    p.set_defaults(handler=cmd_batch)

    p = sub.add_parser("risk-arrays", help="print or write the risk-array table (no haircuts needed)")
    add_market_args(p, params_required=False)
    p.add_argument("--out", type=Path, default=None, help="write CSV (or JSON if the name ends in .json)")
    p.add_argument("--limit", type=int, default=None, help="print only the first N instruments")
    p.set_defaults(handler=cmd_risk_arrays)

    p = sub.add_parser("instruments", help="list the instrument ids of a market snapshot")
    p.add_argument("--market", type=Path, required=True, help="market snapshot JSON")
    p.add_argument("--underlying", default=None, help="only this underlying (e.g. BTC)")
    p.add_argument("--json", action="store_true", help="print the instruments as JSON")
    p.set_defaults(handler=cmd_instruments)

    p = sub.add_parser("schema", help="print the JSON schema of an input file")
    p.add_argument("name", choices=sorted(SCHEMAS))
    p.set_defaults(handler=cmd_schema)
