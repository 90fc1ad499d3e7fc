"""The ``zkmargin`` console command: one parser, the subcommands of each area registered statically.

Exit codes: 0 success, 1 a check failed (an invalid proof, a failed audit, a tool failure), 2 bad input (one
line on stderr naming the file, the field and what would be accepted; an insolvent account given to
``prove`` is bad input, since no solvency proof of it can exist).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

from zkmargin import __version__
from zkmargin.cli import calibrate, margin, prove, venue, verify, whatif
from zkmargin.cli.common import EXIT_FAILED, EXIT_INPUT, Handler, Parser, make_console
from zkmargin.constants import BoundsError
from zkmargin.engine.errors import InputError
from zkmargin.statement.records import RecordError
from zkmargin.statement.signals import StatementError
from zkmargin.toolchain.tools import ToolError

#: Errors that mean the user's input is wrong: one line, exit code 2.
INPUT_ERRORS = (InputError, BoundsError, RecordError, StatementError)


def build_parser() -> Parser:
    """The ``zkmargin`` parser with every subcommand."""
    parser = Parser(prog="zkmargin", description="Verifiable portfolio margin: engine, prover, verifiers.")
    parser.add_argument("--version", action="version", version=f"zkmargin {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND", parser_class=Parser)
    for area in (margin, calibrate, prove, verify, venue, whatif):
        area.register(sub)
    return parser


def _one_line(text: str) -> str:
    return " ".join(text.split())


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``zkmargin`` command; returns the exit code.

    Bad input is one line on stderr and exit code 2; a failed tool prints its command and output and
    returns 1.  Set ``ZKMARGIN_DEBUG=1`` to see a traceback for an unexpected error.
    """
    args = build_parser().parse_args(argv)
    console = make_console()
    handler: Handler = args.handler
    try:
        code = handler(args, console)
        sys.stdout.flush()  # a closed pipe shows up here rather than at exit
        return code
    except INPUT_ERRORS as exc:
        print(f"zkmargin: error: {_one_line(str(exc))}", file=sys.stderr)
        return EXIT_INPUT
    except ToolError as exc:
        print(f"zkmargin: tool failure: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except BrokenPipeError:
        # the reader went away (`zkmargin schema market | head -1`): stop quietly, as other commands do
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_FAILED
    except KeyboardInterrupt:
        print("zkmargin: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:
        if os.environ.get("ZKMARGIN_DEBUG"):
            raise
        print(f"zkmargin: internal error: {type(exc).__name__}: {_one_line(str(exc))} "
              "(set ZKMARGIN_DEBUG=1 for a traceback)", file=sys.stderr)
        return EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main())
