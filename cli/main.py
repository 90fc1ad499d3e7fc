"""The ``zkmargin`` console command: one parser, the subcommands of each area registered statically.

Exit codes: 0 success, 1 a check failed (e.g. insolvent, invalid proof), 2 bad input.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from zkmargin.cli import margin, prove, verify
from zkmargin.cli.common import EXIT_INPUT, Handler, make_console
from zkmargin.constants import BoundsError
from zkmargin.engine.errors import InputError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="zkmargin", description="Verifiable portfolio margin: engine, prover, "
                                     "verifiers.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    for area in (margin, prove, verify):
        area.register(sub)
    return parser


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
