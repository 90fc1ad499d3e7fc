"""Write ``statement/poseidon_constants.py`` from the installed circomlib's Poseidon constants.

The Python Poseidon (``statement/poseidon.py``) must be bit-identical to circomlib's circuits, and the
auditor's path must run without Node or ``node_modules``.  So the constants are transcribed once, by this
script, from the pinned circomlib's own sources (``node_modules/circomlib/circuits/``):

* ``poseidon.circom`` and ``poseidon_old.circom``: the full-round count ``nRoundsF`` and the partial-round
  counts ``N_ROUNDS_P`` (the two templates must agree);
* ``poseidon_constants.circom``: ``POSEIDON_C``, ``POSEIDON_S``, ``POSEIDON_M``, ``POSEIDON_P`` of the optimised
  template, for every state width ``t``;
* ``poseidon_constants_old.circom``: ``POSEIDON_C`` and ``POSEIDON_M`` of the original (reference) permutation.

Every table is checked (each width present, lengths as the templates declare them, values below the BN254
scalar field order) before anything is written; numbers are written in hex, one per line.
``tests/test_poseidon.py`` regenerates the module and fails when it differs from the committed file.

Usage: ``python scripts/gen_poseidon_constants.py`` (write) or ``--check`` (exit 1 when the committed file is stale).
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Final

from zkmargin.constants import FIELD_ORDER
from zkmargin.toolchain import tools

REPO_ROOT: Final = Path(__file__).resolve().parent.parent
CIRCOMLIB: Final = tools.NODE_MODULES / "circomlib"
OUTPUT: Final = REPO_ROOT / "statement" / "poseidon_constants.py"

OPTIMISED_TEMPLATE: Final = "poseidon.circom"
REFERENCE_TEMPLATE: Final = "poseidon_old.circom"
OPTIMISED_FILE: Final = "poseidon_constants.circom"
REFERENCE_FILE: Final = "poseidon_constants_old.circom"

_FUNCTION_RE: Final = re.compile(r"^function\s+(POSEIDON_[A-Z])\s*\(\s*t\s*\)\s*\{(.*?)^\}", re.S | re.M)
_BRANCH_RE: Final = re.compile(r"if\s*\(\s*t\s*==\s*(\d+)\s*\)\s*\{\s*return(.*?);", re.S)
_NUMBER_RE: Final = re.compile(r"0x[0-9a-fA-F]+|\d+")
_ROUNDS_P_RE: Final = re.compile(r"var\s+N_ROUNDS_P\s*\[\s*\d+\s*\]\s*=\s*\[([^\]]*)\]\s*;")
_ROUNDS_F_RE: Final = re.compile(r"var\s+nRoundsF\s*=\s*(\d+)\s*;")

Table = dict[int, tuple[int, ...]]


class GenerationError(RuntimeError):
    """circomlib's sources are missing or do not have the expected shape."""


def _read(circuits: Path, name: str) -> str:
    path = circuits / name
    try:
        return path.read_text()
    except FileNotFoundError:
        raise GenerationError(f"{path} not found: run `make setup` (npm ci) to install the pinned circomlib") from None


def _rounds(circuits: Path, template: str) -> tuple[int, tuple[int, ...]]:
    text = _read(circuits, template)
    full, partial = _ROUNDS_F_RE.search(text), _ROUNDS_P_RE.search(text)
    if full is None or partial is None:
        raise GenerationError(f"{circuits / template}: no `var nRoundsF` or `var N_ROUNDS_P[...]` found")
    return int(full.group(1)), tuple(int(v) for v in _NUMBER_RE.findall(partial.group(1)))


def _functions(circuits: Path, name: str) -> dict[str, Table]:
    """``{function name: {t: flat tuple of numbers}}`` for every ``POSEIDON_*`` function of ``name``."""
    table: dict[str, Table] = {}
    for func, body in _FUNCTION_RE.findall(_read(circuits, name)):
        table[func] = {int(t): tuple(int(v, 0) for v in _NUMBER_RE.findall(values))
                       for t, values in _BRANCH_RE.findall(body)}
    return table


def _checked(circuits: Path, name: str, func: str, tables: dict[str, Table], lengths: dict[int, int]) -> Table:
    where = f"{func} in {circuits / name}"
    table = tables.get(func)
    if table is None or sorted(table) != sorted(lengths):
        found = sorted(table) if table is not None else "none"
        raise GenerationError(f"{where}: widths {found}, expected t = {min(lengths)}..{max(lengths)}")
    for t, length in lengths.items():
        if len(table[t]) != length:
            raise GenerationError(f"{where}: t={t} has {len(table[t])} values, expected {length}")
        if any(v >= FIELD_ORDER for v in table[t]):
            raise GenerationError(f"{where}: t={t} has a value >= the BN254 scalar field order")
    return {t: table[t] for t in sorted(table)}


def circomlib_version(circomlib: Path = CIRCOMLIB) -> str:
    """The installed circomlib's version, which must be the one ``package.json`` pins."""
    manifest = circomlib / "package.json"
    if not manifest.is_file():
        raise GenerationError(f"{manifest} not found: run `make setup` (npm ci) to install the pinned circomlib")
    match = re.search(r'"version"\s*:\s*"([^"]+)"', manifest.read_text())
    version = match.group(1) if match else "?"
    pinned = tools.pinned_versions()["circomlib"]
    if version != pinned:
        raise GenerationError(f"circomlib {version} is installed under {circomlib}, package.json pins {pinned}; "
                              "run `make setup` (npm ci)")
    return version


def _table_source(name: str, table: Table, doc: str) -> list[str]:
    lines = [f"#: {doc}", f"{name}: Final[dict[int, tuple[int, ...]]] = {{"]
    for t, values in table.items():
        lines.append(f"    {t}: (")
        lines.extend(f"        {v:#x}," for v in values)
        lines.append("    ),")
    lines.append("}")
    return lines


def render(circomlib: Path = CIRCOMLIB) -> str:
    """The text of ``statement/poseidon_constants.py`` for the circomlib installed at ``circomlib``."""
    version = circomlib_version(circomlib)
    circuits = circomlib / "circuits"
    n_full, n_partial = _rounds(circuits, OPTIMISED_TEMPLATE)
    if _rounds(circuits, REFERENCE_TEMPLATE) != (n_full, n_partial):
        raise GenerationError(f"{OPTIMISED_TEMPLATE} and {REFERENCE_TEMPLATE} disagree on the round counts")
    widths = range(2, 2 + len(n_partial))
    optimised, reference = _functions(circuits, OPTIMISED_FILE), _functions(circuits, REFERENCE_FILE)
    square = {t: t * t for t in widths}

    def opt(func: str, lengths: dict[int, int]) -> Table:
        return _checked(circuits, OPTIMISED_FILE, func, optimised, lengths)

    def ref(func: str, lengths: dict[int, int]) -> Table:
        return _checked(circuits, REFERENCE_FILE, func, reference, lengths)

    tables = [
        ("OPTIMISED_C", opt("POSEIDON_C", {t: t * n_full + n_partial[t - 2] for t in widths}),
         f"POSEIDON_C(t) of {OPTIMISED_FILE}: t * N_ROUNDS_F + N_ROUNDS_P[t - 2] round constants."),
        ("OPTIMISED_S", opt("POSEIDON_S", {t: n_partial[t - 2] * (2 * t - 1) for t in widths}),
         f"POSEIDON_S(t) of {OPTIMISED_FILE}: the sparse partial-round matrices, 2t - 1 values per round."),
        ("OPTIMISED_M", opt("POSEIDON_M", square),
         f"POSEIDON_M(t) of {OPTIMISED_FILE}: the MDS matrix, t x t, row by row (the template reads M[j][i])."),
        ("OPTIMISED_P", opt("POSEIDON_P", square),
         f"POSEIDON_P(t) of {OPTIMISED_FILE}: the pre-sparse matrix, t x t, row by row."),
        ("REFERENCE_C", ref("POSEIDON_C", {t: t * (n_full + n_partial[t - 2]) for t in widths}),
         f"POSEIDON_C(t) of {REFERENCE_FILE}: the original t * (N_ROUNDS_F + N_ROUNDS_P[t - 2]) round constants."),
        ("REFERENCE_M", ref("POSEIDON_M", square),
         f"POSEIDON_M(t) of {REFERENCE_FILE}: the original MDS matrix, t x t, row by row (read as M[i][j])."),
    ]
    header = [
        f'"""Poseidon constants of circomlib {version} for state widths t = {widths[0]}..{widths[-1]}, as Python ints.',
        "",
        "GENERATED FILE, do not edit: written by scripts/gen_poseidon_constants.py from circomlib "
        f"{version}'s",
        f"circuits/{OPTIMISED_TEMPLATE}, {REFERENCE_TEMPLATE}, {OPTIMISED_FILE} and {REFERENCE_FILE}.",
        "tests/test_poseidon.py regenerates it from the installed circomlib and fails when the two differ.",
        "Each table maps the state width t to a flat tuple, in circomlib's order.",
        '"""',
        "",
        "from typing import Final",
        "",
        f'CIRCOMLIB_VERSION: Final = "{version}"',
        "#: Full rounds (circomlib's ``nRoundsF``).",
        f"N_ROUNDS_F: Final = {n_full}",
        "#: Partial rounds per state width t = 2, 3, ... (circomlib's ``N_ROUNDS_P``).",
        f"N_ROUNDS_P: Final = ({', '.join(str(n) for n in n_partial)})",
    ]
    body: list[str] = []
    for name, table, doc in tables:
        body += ["", *_table_source(name, table, doc)]
    return "\n".join(header + body) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--check", action="store_true", help="exit 1 when the committed module is stale")
    args = parser.parse_args(argv)
    try:
        text = render()
    except (GenerationError, tools.ToolError) as exc:
        print(f"gen_poseidon_constants: {exc}", file=sys.stderr)
        return 2
    current = OUTPUT.read_text() if OUTPUT.exists() else None
    if args.check:
        if current != text:
            print(f"{OUTPUT.relative_to(REPO_ROOT)} is stale: run python scripts/gen_poseidon_constants.py",
                  file=sys.stderr)
            return 1
        return 0
    if current != text:
        OUTPUT.write_text(text)
    print(f"wrote {OUTPUT.relative_to(REPO_ROOT)} ({len(text):,} bytes) from circomlib {circomlib_version()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
