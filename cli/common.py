"""What every subcommand shares: exit codes, the market options, the risk-table loader, the console."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

from rich.console import Console

from zkmargin.engine.errors import InputError
from zkmargin.engine.io import load_market, load_params, load_scenarios
from zkmargin.engine.models import MarginParams, MarketSnapshot, ScenarioSet
from zkmargin.engine.risk import RiskTable, build_risk_table

EXIT_OK, EXIT_FAILED, EXIT_INPUT = 0, 1, 2

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


def make_console() -> Console:
    """A console that keeps tables readable when output is piped (at least 132 columns)."""
    probe = Console()
    return Console(width=max(probe.width, 132)) if not probe.is_terminal else probe


