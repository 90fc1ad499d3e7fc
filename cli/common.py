"""What every subcommand shares: exit codes, the parser class, the market options, the risk-table loader,
output-path checks and the console."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import NoReturn

from rich.console import Console

from zkmargin.constants import FIELD_ORDER
from zkmargin.engine.errors import InputError
from zkmargin.engine.io import load_market, load_params, load_scenarios
from zkmargin.engine.models import MarginParams, MarketSnapshot, ScenarioSet
from zkmargin.engine.risk import RiskTable, build_risk_table
from zkmargin.statement.sizes import SIZES

EXIT_OK, EXIT_FAILED, EXIT_INPUT = 0, 1, 2

Handler = Callable[[argparse.Namespace, Console], int]


class Parser(argparse.ArgumentParser):
    """An argument parser whose usage errors are one line on stderr and exit code 2."""

    def error(self, message: str) -> NoReturn:
        where = self.prog.removeprefix("zkmargin").strip()
        print(f"zkmargin: error: {where + ': ' if where else ''}{message} (see `{self.prog} --help`)",
              file=sys.stderr)
        sys.exit(EXIT_INPUT)


def add_market_args(parser: argparse.ArgumentParser, *, params_required: bool = True) -> None:
    """The ``--market``, ``--scenarios`` and ``--params`` options shared by several subcommands.

    ``--params`` is required wherever collateral is valued (its haircuts); ``risk-arrays`` needs none.
    """
    parser.add_argument("--market", type=Path, required=True, help="market snapshot JSON")
    parser.add_argument("--scenarios", default="v2",
                        help="v2 | span16 | crypto-grid | seed5 | scenario-set JSON file (default %(default)s)")
    parser.add_argument("--params", type=Path, required=params_required, default=None,
                        help="margin parameters JSON (multipliers, haircuts, epoch)"
                        + ("" if params_required else "; default: the built-in multipliers"))


def load_table(args: argparse.Namespace, *, haircuts_required: bool = True,
               ) -> tuple[MarketSnapshot, MarginParams, RiskTable, ScenarioSet]:
    """Load market, params and scenarios named by the shared options and build the risk table."""
    check_input_file(args.market, "--market")
    if args.params is not None:
        check_input_file(args.params, "--params")
    market = load_market(args.market)
    params = load_params(args.params)
    scenarios = load_scenarios(args.scenarios)
    provable = max(size.scenarios for size in SIZES.values())
    if len(scenarios.scenarios) > provable:
        raise InputError(f"the scenario set has {len(scenarios.scenarios)} scenarios; the largest circuit proves "
                         f"at most {provable}", file=args.scenarios, field="scenarios")
    try:
        table = build_risk_table(market, scenarios, params, haircuts_required=haircuts_required)
    except InputError as exc:
        if exc.file is None:
            src = args.market
            if exc.field in ("haircuts_bp", "concentration"):
                src = args.params if args.params is not None else "margin parameters (defaults)"
            elif exc.field == "range_scale":
                src = args.scenarios
            raise InputError(exc.reason, file=str(src), field=exc.field, instrument=exc.instrument) from exc
        raise
    return market, params, table, scenarios


def check_input_file(path: Path, flag: str) -> None:
    """A file to read must exist, be a regular file and be readable; one-line :class:`InputError` otherwise."""
    if not path.exists():
        raise InputError("no such file", file=str(path), field=flag)
    if path.is_dir():
        raise InputError("is a folder; expected a file", file=str(path), field=flag)
    if not os.access(path, os.R_OK):
        raise InputError("cannot read file: permission denied", file=str(path), field=flag)


def check_output_path(path: Path, flag: str) -> None:
    """A file about to be written: its folder must exist and be writable, and it must not be a folder.

    Called before any work starts, so that a finished proof is never lost to a bad path.
    """
    if path.is_dir():
        raise InputError("is a folder; give a file name", file=str(path), field=flag)
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise InputError(f"the folder {folder} does not exist", file=str(path), field=flag)
    if not os.access(folder, os.W_OK):
        raise InputError(f"the folder {folder} is not writable", file=str(path), field=flag)
    if path.exists() and not os.access(path, os.W_OK):
        raise InputError("the file exists and is not writable", file=str(path), field=flag)


def parse_root(text: str, flag: str = "--root") -> int:
    """A field element given in decimal or ``0x`` hex; one-line :class:`InputError` otherwise."""
    try:
        value = int(text, 0)
    except ValueError:
        raise InputError(f"{text!r} is not a number; give the root in decimal or as 0x plus hex digits",
                         field=flag) from None
    if not 0 <= value < FIELD_ORDER:
        raise InputError(f"{text!r} is not a BN254 field element (0 <= root < r)", field=flag)
    return value


def make_console() -> Console:
    """A console that keeps tables readable when output is piped (at least 132 columns)."""
    probe = Console()
    return Console(width=max(probe.width, 132)) if not probe.is_terminal else probe
