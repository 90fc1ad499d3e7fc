"""``zkmargin calibrate``: scan ranges of the v2 scenario set from a CSV of daily closes.

Reads the price history, computes the Expected Shortfall range of each underlying with the chosen
anti-procyclicality tool (method in :mod:`zkmargin.engine.calibrate`), prints one table row per underlying
and writes the calibrated scenario set, with its provenance, for ``zkmargin margin --scenarios FILE``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.console import Console
from rich.table import Table

from zkmargin import __version__
from zkmargin.cli.common import EXIT_OK, check_input_file, check_output_path
from zkmargin.cli.progress import Steps
from zkmargin.engine.calibrate import (
    BUFFER_SHARE,
    CONFIDENCES,
    DEFAULT_CONFIDENCE,
    DEFAULT_MPOR_DAYS,
    DEFAULT_WINDOW_DAYS,
    FLOOR_LOOKBACK_YEARS,
    STRESS_WEIGHT,
    ApcTool,
    Calibration,
    RangeCalibration,
    calibrate,
    calibrated_set,
    parse_history,
    sha256_hex,
)
from zkmargin.engine.errors import InputError

#: A file whose name contains this word is taken to hold synthetic data.
SYNTHETIC_MARK = "synthetic"

#: The tool-specific column: its heading and the figure shown.
APC_COLUMN: dict[ApcTool, str] = {
    ApcTool.FLOOR: f"{FLOOR_LOOKBACK_YEARS}y ES range (floor)",
    ApcTool.STRESS_WEIGHT: "stressed ES range",
    ApcTool.BUFFER: "buffer left (of ES)",
}


def _apc_figure(r: RangeCalibration, tool: ApcTool) -> str:
    if tool is ApcTool.BUFFER:
        left = r.buffer_left
        state = "full" if left >= BUFFER_SHARE - 1e-9 else "used up" if left <= 1e-9 else "partly used"
        return f"{left:.1%} ({state})"
    return f"{r.reference:.2%}"


def _apc_rule(tool: ApcTool) -> str:
    if tool is ApcTool.FLOOR:
        return f"range = max(ES range, {FLOOR_LOOKBACK_YEARS}-year ES range)"
    if tool is ApcTool.STRESS_WEIGHT:
        return (f"range = {1 - STRESS_WEIGHT:g} × ES range + {STRESS_WEIGHT:g} × the stressed window's "
                "(the worst in the file)")
    return (f"range between ES and {1 + BUFFER_SHARE:g} × ES; the buffer absorbs rises and is rebuilt at 1% a "
            "day")


def render(calibration: Calibration, data_file: str, synthetic: bool, console: Console,
           ignored: tuple[str, ...] = ()) -> None:
    """One row per underlying: the ES tails, the ES range, the tool's figure, the published range and scale;
    then the settings, and the implied-volatility columns that were skipped."""
    label = "SYNTHETIC data in " if synthetic else ""
    view = Table(title=f"Scan ranges calibrated from {label}{data_file}", title_justify="left")
    for col in ("underlying", "ES down", "ES up", "ES range", APC_COLUMN[calibration.apc], "range after APC",
                "range_scale"):
        view.add_column(col, justify="left" if col == "underlying" else "right", no_wrap=col == "underlying")
    for r in calibration.ranges:
        view.add_row(r.underlying, f"{r.es_down:.2%}", f"{r.es_up:.2%}", f"{r.es_range:.2%}",
                     _apc_figure(r, calibration.apc), f"{r.apc_range:.2%}", f"{r.scale:.6f}")
    console.print(view)
    console.print(f"[dim]{calibration.first_date} to {calibration.last_date} · ES {calibration.confidence:.1%} of "
                  f"{calibration.mpor_days}-day moves over the last {calibration.window_days} days, both tails[/dim]")
    console.print(f"[dim]anti-procyclicality {calibration.apc.value}: {_apc_rule(calibration.apc)}[/dim]")
    console.print(f"[dim]range_scale = range after APC / {calibration.core_range:.0%} (the v2 core range), rounded "
                  "up to 6 decimals[/dim]")
    if ignored:
        console.print(f"[dim]implied-volatility columns not used: {', '.join(ignored)}[/dim]")
    if synthetic:
        console.print("[yellow]The price history is SYNTHETIC: these ranges illustrate the method, they are not "
                      "market estimates.[/yellow]")


def cmd_calibrate(args: argparse.Namespace, console: Console) -> int:
    check_input_file(args.prices, "--prices")
    if args.out is not None:
        check_output_path(args.out, "--out")
    try:
        raw = args.prices.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read file: {exc.strerror}", file=str(args.prices), field="--prices") from None
    synthetic = args.synthetic or SYNTHETIC_MARK in args.prices.name.lower()
    progress = Steps(Console(stderr=True) if args.json else console)
    with progress.slow(f"calibrating scan ranges from {args.prices.name}", None):
        history = parse_history(raw, str(args.prices))
        calibration = calibrate(history, window=args.window, mpor_days=args.mpor, confidence=args.confidence,
                                apc=ApcTool(args.apc), source=str(args.prices))
    scenario_set = calibrated_set(calibration, tool=f"zkmargin {__version__} calibrate", data_file=args.prices.name,
                                  data_sha256=sha256_hex(raw), synthetic=synthetic)
    document = scenario_set.model_dump_json(indent=2) + "\n"
    if args.out is not None:
        args.out.write_text(document)
    if args.json:
        print(document, end="")
        return EXIT_OK
    render(calibration, args.prices.name, synthetic, console, history.ignored)
    if args.out is not None:
        console.print(f"wrote {scenario_set.name} ({len(scenario_set.scenarios)} scenarios) to {args.out} "
                      f"(zkmargin margin --scenarios {args.out} ...)")
    return EXIT_OK


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of days") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1 day, got {value}")
    return value


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``calibrate`` to the ``zkmargin`` parser."""
    p = sub.add_parser("calibrate", help="calibrate the v2 scan ranges from daily closes (Expected Shortfall)",
                       description="Calibrate the per-underlying range_scale of the v2 scenario set from a CSV "
                       "of daily closes: Expected Shortfall of MPOR-day moves, both tails, with an EMIR "
                       "anti-procyclicality tool.")
    p.add_argument("--prices", type=Path, required=True,
                   help="CSV of daily closes: date,<UND1>,<UND2>,... (ISO dates ascending; optional <UND>_iv "
                   "columns are ignored)")
    p.add_argument("--window", type=_positive_int, default=DEFAULT_WINDOW_DAYS,
                   help="look-back window in trading days (rows) (default %(default)s)")
    p.add_argument("--mpor", type=_positive_int, default=DEFAULT_MPOR_DAYS,
                   help="margin period of risk in trading days (default %(default)s)")
    p.add_argument("--confidence", type=float, choices=CONFIDENCES, default=DEFAULT_CONFIDENCE,
                   help="Expected Shortfall level (default %(default)s)")
    p.add_argument("--apc", choices=[t.value for t in ApcTool], default=ApcTool.FLOOR.value,
                   help="anti-procyclicality tool, EMIR RTS 153/2013 Art. 28: a 25%% buffer, 25%% weight on the "
                   "stressed window, or a 10-year floor (default %(default)s)")
    p.add_argument("--out", type=Path, default=None, help="write the calibrated scenario-set JSON here")
    p.add_argument("--synthetic", action="store_true",
                   help=f"mark the data synthetic (implied when the file name contains '{SYNTHETIC_MARK}')")
    p.add_argument("--json", action="store_true", help="print the scenario-set JSON instead of the table")
    p.set_defaults(handler=cmd_calibrate)
