"""Benchmark: the INSECURE dev ptau generator versus ``snarkjs powersoftau new`` + ``prepare phase2``.

Usage::

    python scripts/bench_devptau.py [--power 12] [--dev-only] [--no-real-prepare] [--check] [--header] [--write]

Prints one markdown table row: power, dev generator seconds, then snarkjs seconds and the ratio to the dev
generator, twice: ``powersoftau new`` + ``prepare phase2`` (the fresh accumulator has tau = 1, which makes
its Lagrange points mostly the point at infinity and the preparation unrealistically fast), and
``prepare phase2`` of the dev generator's own unprepared file of the same seed (random powers, what a
ceremony file costs; its output must equal the dev file byte for byte).
``--dev-only`` skips snarkjs (power 16 takes it ~30 min on 2 cores); ``--no-real-prepare`` skips the second
snarkjs timing; ``--check`` also times ``checkptau.js`` on the dev file; ``--header`` prints the table
header first; ``--write`` puts the row into the ``bench_devptau`` section of BENCHMARKS.md.
Files go to a temporary folder that is removed. Target: power 16 in ≤ 3 min on 2 cores.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import BENCHMARKS, machine, timed, write_section

from zkmargin.toolchain import devptau, tools

HEADER = ("| power | dev generator (s) | snarkjs new + prepare phase2, tau = 1 (s) | ratio "
          "| snarkjs prepare phase2, same random powers (s) | ratio | checkptau (s) |\n"
          "|---:|---:|---:|---:|---:|---:|---:|")


def _col(value: float | None, fmt: str = "{:.1f}") -> str:
    return fmt.format(value) if value is not None else "–"


@dataclass(frozen=True)
class DevPtauTimes:
    """Seconds at one power: the dev generator, snarkjs new + prepare (tau = 1), snarkjs prepare of the
    same random powers, and checkptau (``None`` where not measured)."""

    power: int
    dev_s: float
    new_prepare_s: float | None
    real_prepare_s: float | None
    check_s: float | None

    def row(self) -> str:
        """One markdown table row."""
        ratio_new = self.new_prepare_s / self.dev_s if self.new_prepare_s is not None else None
        ratio_real = self.real_prepare_s / self.dev_s if self.real_prepare_s is not None else None
        return (f"| {self.power} | {self.dev_s:.1f} | {_col(self.new_prepare_s)} | {_col(ratio_new, '{:.1f}×')} "
                f"| {_col(self.real_prepare_s)} | {_col(ratio_real, '{:.1f}×')} | {_col(self.check_s)} |")


def bench(power: int, *, dev_only: bool, check: bool, real_prepare: bool, seed: str) -> DevPtauTimes:
    """Time the generators at ``power``.

    ``snarkjs powersoftau new`` writes tau = alpha = beta = 1, so most Lagrange points of its
    preparation are the point at infinity and the group FFTs run far faster than on a real
    accumulator; the "same random powers" column prepares the dev generator's own unprepared
    file instead (what a real ceremony's file costs), and checks snarkjs's output equals ours.
    """
    with tempfile.TemporaryDirectory(prefix="bench_devptau_") as tmp:
        work = Path(tmp)
        dev = work / "dev.ptau"
        _, dev_s = timed(lambda: devptau.generate_dev_ptau(power, seed, dev, timeout=4 * 3600))
        print(f"dev generator, power {power}: {dev_s:.1f} s", file=sys.stderr)
        check_s = None
        if check:
            _, check_s = timed(lambda: devptau.check_ptau(dev, timeout=4 * 3600))
            print(f"checkptau, power {power}: {check_s:.1f} s", file=sys.stderr)
        new_prep_s = real_s = None
        if not dev_only:
            new, new_prepared = work / "new.ptau", work / "new_prepared.ptau"
            _, new_s = timed(lambda: tools.snarkjs(["powersoftau", "new", "bn128", str(power), str(new)],
                                                   timeout=4 * 3600))
            _, prep_s = timed(lambda: tools.snarkjs(
                ["powersoftau", "prepare", "phase2", str(new), str(new_prepared)], timeout=8 * 3600))
            new_prep_s = new_s + prep_s
            print(f"snarkjs new {new_s:.1f} s + prepare phase2 {prep_s:.1f} s (tau = 1)", file=sys.stderr)
            if real_prepare:
                plain, prepared = work / "plain.ptau", work / "snarkjs_prepared.ptau"
                devptau.generate_dev_ptau(power, seed, plain, timeout=4 * 3600, prepared=False)
                _, real_s = timed(lambda: tools.snarkjs(
                    ["powersoftau", "prepare", "phase2", str(plain), str(prepared)], timeout=8 * 3600))
                same = prepared.read_bytes() == dev.read_bytes()
                print(f"snarkjs prepare phase2 of the same random powers: {real_s:.1f} s; "
                      f"output {'identical to' if same else 'DIFFERS FROM'} the dev generator's", file=sys.stderr)
                if not same:
                    raise SystemExit("snarkjs prepare phase2 output differs from the dev generator's file")
    return DevPtauTimes(power, dev_s, new_prep_s, real_s, check_s)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--power", type=int, default=12, help="ptau power (default 12)")
    parser.add_argument("--dev-only", action="store_true", help="time only the dev generator")
    parser.add_argument("--check", action="store_true", help="also time checkptau.js on the dev file")
    parser.add_argument("--no-real-prepare", action="store_true",
                        help="skip snarkjs prepare phase2 of the same random powers (slow: ~80 s at power 12)")
    parser.add_argument("--seed", default="bench_devptau (INSECURE)", help="dev ptau seed")
    parser.add_argument("--header", action="store_true", help="print the markdown table header first")
    parser.add_argument("--write", action="store_true", help=f"append the row to {BENCHMARKS.name}")
    args = parser.parse_args(argv)
    if not devptau.MIN_POWER <= args.power <= devptau.MAX_POWER:
        parser.error(f"--power must be in {devptau.MIN_POWER}..{devptau.MAX_POWER}")
    row = bench(args.power, dev_only=args.dev_only, check=args.check, real_prepare=not args.no_real_prepare,
                seed=args.seed).row()
    if args.header:
        print(HEADER)
    print(row)
    if args.write:
        rows = [r for r in _written_rows() if not r.startswith(f"| {args.power} |")] + [row]
        rows.sort(key=lambda r: int(r.split("|")[1]))
        body = (f"## Dev powers of tau (`scripts/bench_devptau.py`)\n\nMachine: {machine()}\n\n{COLUMNS}\n\n{HEADER}\n"
                + "\n".join(rows) + f"\n\nTarget: a 2^16 dev ptau in ≤ 3 min on 2 cores ({_target_verdict(rows)}).")
        write_section("bench_devptau", body)
    return 0


COLUMNS = (
    "Columns: the dev generator (`toolchain/js/devptau.js`) writing a prepared ptau from a seed; `snarkjs powersoftau "
    "new` + `prepare phase2`, where `new` sets tau = alpha = beta = 1 so most Lagrange points are the point at "
    "infinity and the group FFTs run unrealistically fast; `prepare phase2` of the same random powers the dev "
    "generator uses (what a real accumulator costs), whose output the script checks is byte-identical to the dev "
    "file; and `checkptau.js`, the independent pairing check of every section. Ratios are snarkjs / dev generator."
)


def _target_verdict(rows: list[str]) -> str:
    """Met/missed for the power-16 row, or a note that it was not measured."""
    row = next((r for r in rows if r.startswith("| 16 |")), None)
    if row is None:
        return "power 16 not measured in this section"
    seconds = float(row.split("|")[2])
    return f"{'met' if seconds <= 180 else 'MISSED'}: {seconds:.1f} s"


def _written_rows() -> list[str]:
    """Data rows already in the ``bench_devptau`` section of BENCHMARKS.md (one per power)."""
    start, end = "<!-- bench_devptau:start -->", "<!-- bench_devptau:end -->"
    text = BENCHMARKS.read_text() if BENCHMARKS.exists() else ""
    if start not in text or end not in text:
        return []
    section = text[text.index(start):text.index(end)]
    return [line for line in section.splitlines() if line.startswith("| ") and line[2:3].isdigit()]


if __name__ == "__main__":
    raise SystemExit(main())
