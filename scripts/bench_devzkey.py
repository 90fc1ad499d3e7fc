"""Benchmark: the INSECURE dev key writer (``devzkey.js``) against ``snarkjs groth16 setup`` + ``zkey beacon``.

Usage::

    python scripts/bench_devzkey.py [--powers 14 16 18 20] [--baseline-max-power 16] [--r1cs FILE [--label NAME]]
                                    [--write]

For each domain power ``p`` it writes a synthetic constraint system that fills the domain
(:func:`toolchain.devzkey.write_synthetic_r1cs`: ``2^p − 4`` constraints, a chain of products with two public
inputs and one public output, ~4 terms per constraint, ``2^p − 1`` wires; iden3 r1cs binary format) and times

* ``devzkey.js`` writing the dev key (wall-clock seconds and peak resident memory of the process, its worker
  threads included), and
* for ``p <= --baseline-max-power``, the path it replaces: ``snarkjs groth16 setup`` with the dev ptau of power
  ``p`` (the dev setup's case: the ptau is exactly as large as the domain), then ``snarkjs zkey beacon`` with
  2^10 iterations; the script checks the two keys are byte-identical.  Above that power the baseline is
  extrapolated from the largest measured one in proportion to 2^p and marked "extrapolated".

The synthetic columns hold one to three terms, which is snarkjs's good case; ``--r1cs FILE`` adds a row for a
real constraint system (e.g. a compiled account circuit under ``.cache/circuits/``), always with the measured
baseline, since a circuit's long linear combinations make ``groth16 setup`` far slower per constraint.

Writing the dev ptau (which the baseline reads and devzkey.js does not) is counted in neither column.
Peak memory comes from ``/usr/bin/time -f %M``.  ``--write`` replaces the ``bench_devzkey`` section of
BENCHMARKS.md.  Files go to a temporary folder that is removed.  Target: a 2^20 key in ≤ 5 min on 2 cores.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Final

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import BENCHMARKS, TIME_BIN, machine, measured, write_section

from zkmargin.toolchain import devptau, tools
from zkmargin.toolchain.devzkey import DEV_BEACON_NAME, DEVZKEY_JS, domain_power, write_synthetic_r1cs
from zkmargin.toolchain.iden3 import read_r1cs_header

SEED: Final = "bench_devzkey (INSECURE)"
BEACON: Final = hashlib.sha256(f"beacon:{SEED}".encode()).hexdigest()
ITERATIONS: Final = 10
N_PUBLIC: Final = 3  # the synthetic system's two public inputs and one public output
TARGET_POWER: Final = 20
TARGET_S: Final = 300.0
TIMEOUT_S: Final = 6 * 3600.0

HEADER = ("| constraint system | domain | constraints | wires | devzkey.js (s) | peak RSS (MiB) | snarkjs setup (s) "
          "| zkey beacon (s) | setup + beacon (s) | speed-up | same bytes |\n"
          "|:---|---:|---:|---:|---:|---:|---:|---:|---:|---:|:---|")


@dataclass(frozen=True)
class Baseline:
    """Seconds of ``groth16 setup`` and ``zkey beacon`` at one power, measured or extrapolated."""

    setup_s: float
    beacon_s: float
    extrapolated: bool
    same_bytes: bool | None  # None when not measured

    @property
    def total_s(self) -> float:
        return self.setup_s + self.beacon_s


@dataclass(frozen=True)
class Row:
    """One constraint system: its name and size, devzkey.js's seconds and peak MiB, the baseline."""

    label: str
    power: int
    constraints: int
    wires: int
    dev_s: float
    dev_rss_mib: float
    baseline: Baseline

    def markdown(self) -> str:
        b = self.baseline
        mark = " (extrapolated)" if b.extrapolated else ""
        same = "–" if b.same_bytes is None else ("yes" if b.same_bytes else "**NO**")
        return (f"| {self.label} | 2^{self.power} | {self.constraints:,} | {self.wires:,} | {self.dev_s:.1f} "
                f"| {self.dev_rss_mib:,.0f} | {b.setup_s:.1f}{mark} | {b.beacon_s:.1f}{mark} | {b.total_s:.1f}{mark} "
                f"| {b.total_s / self.dev_s:.0f}×{mark} | {same} |")


def run_devzkey(r1cs: Path, power: int, out: Path) -> tuple[float, float]:
    """devzkey.js on ``r1cs`` with the dev ptau power ``power``: (seconds, peak MiB)."""
    argv = [tools.node_binary(), "--max-old-space-size=8192", str(DEVZKEY_JS), "--r1cs", str(r1cs), "--seed", SEED,
            "--power", str(power), "--beacon", BEACON, "--iterations", str(ITERATIONS), "--out", str(out)]
    return measured(argv, TIMEOUT_S)


def run_baseline(r1cs: Path, power: int, work: Path, dev_key: Path) -> Baseline:
    """groth16 setup + zkey beacon with the dev ptau of ``power``; checks the result equals ``dev_key``."""
    ptau = devptau.generate_dev_ptau(power, SEED, work / f"dev{power}.ptau", timeout=TIMEOUT_S)
    zkey0, final = work / "setup.zkey", work / "snarkjs.zkey"
    tools.check_versions()
    setup_s, _ = measured([*tools.snarkjs_argv(), "groth16", "setup", str(r1cs), str(ptau), str(zkey0)], TIMEOUT_S)
    beacon_s, _ = measured([*tools.snarkjs_argv(), "zkey", "beacon", str(zkey0), str(final), BEACON, str(ITERATIONS),
                            f"-n={DEV_BEACON_NAME}"], TIMEOUT_S)
    same = final.read_bytes() == dev_key.read_bytes()
    for path in (ptau, zkey0, final):
        path.unlink()
    return Baseline(setup_s, beacon_s, extrapolated=False, same_bytes=same)


def bench(powers: list[int], baseline_max_power: int) -> list[Row]:
    """Measure every power in increasing order; the baseline above ``baseline_max_power`` is extrapolated."""
    rows: list[Row] = []
    last: tuple[int, Baseline] | None = None
    with tempfile.TemporaryDirectory(prefix="bench_devzkey_") as tmp:
        work = Path(tmp)
        for power in sorted(powers):
            constraints = 2**power - N_PUBLIC - 1
            r1cs = write_synthetic_r1cs(work / f"chain{power}.r1cs", constraints)
            assert domain_power(constraints, N_PUBLIC) == power
            key = work / "dev.zkey"
            dev_s, rss = run_devzkey(r1cs, power, key)
            print(f"2^{power}: devzkey.js {dev_s:.1f} s, peak {rss:.0f} MiB", file=sys.stderr)
            if power <= baseline_max_power:
                baseline = run_baseline(r1cs, power, work, key)
                last = (power, baseline)
                print(f"2^{power}: setup {baseline.setup_s:.1f} s + beacon {baseline.beacon_s:.1f} s; same bytes: "
                      f"{baseline.same_bytes}", file=sys.stderr)
                if not baseline.same_bytes:
                    raise SystemExit(f"2^{power}: devzkey.js and snarkjs wrote different keys")
            elif last is not None:
                scale = 2.0 ** (power - last[0])
                baseline = Baseline(last[1].setup_s * scale, last[1].beacon_s * scale, extrapolated=True,
                                    same_bytes=None)
            else:
                raise SystemExit("the baseline must be measured at a power below the extrapolated ones")
            rows.append(Row("synthetic chain", power, constraints, constraints + N_PUBLIC, dev_s, rss, baseline))
            key.unlink()
            r1cs.unlink()
    return rows


def bench_file(r1cs: Path, label: str) -> Row:
    """devzkey.js and the measured baseline on an existing r1cs, with the dev ptau of exactly its domain."""
    header = read_r1cs_header(r1cs)
    n_public = header.n_public_outputs + header.n_public_inputs
    power = domain_power(header.n_constraints, n_public)
    with tempfile.TemporaryDirectory(prefix="bench_devzkey_") as tmp:
        work = Path(tmp)
        key = work / "dev.zkey"
        dev_s, rss = run_devzkey(r1cs, power, key)
        print(f"{label}: devzkey.js {dev_s:.1f} s, peak {rss:.0f} MiB", file=sys.stderr)
        baseline = run_baseline(r1cs, power, work, key)
        print(f"{label}: setup {baseline.setup_s:.1f} s + beacon {baseline.beacon_s:.1f} s; same bytes: "
              f"{baseline.same_bytes}", file=sys.stderr)
        if not baseline.same_bytes:
            raise SystemExit(f"{label}: devzkey.js and snarkjs wrote different keys")
    return Row(label, power, header.n_constraints, header.n_wires, dev_s, rss, baseline)


COLUMNS = " ".join((
    "The synthetic rows fill their domain (`write_synthetic_r1cs` in `toolchain/devzkey.py`: 2^p − 4 constraints,",
    "a chain `z_i = z_(i−1)·(z_(i−1) + 3x)` after `z_0 = x·y`, two public inputs and one public output, ~4 terms",
    "per constraint, one to three per column: snarkjs's good case); a named row is a real compiled circuit, whose",
    "long linear combinations make `groth16 setup` far slower per constraint. `devzkey.js` writes the INSECURE dev",
    "key directly; peak RSS is its process (worker threads included, `/usr/bin/time`). The baseline is the path it",
    "replaces in the dev setup: `snarkjs groth16 setup` with the dev ptau of the same power, then `snarkjs zkey",
    "beacon` (2^10 iterations); where measured, the script checks both keys are byte-identical. Extrapolated",
    "baselines scale the largest measured one by 2^p. Writing the dev ptau is in neither column.",
    "Speed-up = baseline / devzkey.js.",
))


def _load() -> str:
    one, five, _fifteen = os.getloadavg()
    return f"{one:.1f} (1 min), {five:.1f} (5 min)"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--powers", type=int, nargs="+", default=[14, 16, 18, 20], help="domain powers (2..20)")
    parser.add_argument("--baseline-max-power", type=int, default=16,
                        help="run snarkjs up to this power, extrapolate above it (default 16)")
    parser.add_argument("--r1cs", type=Path, help="also measure this r1cs, with the snarkjs baseline")
    parser.add_argument("--label", help="its name in the table (default: the file name)")
    parser.add_argument("--write", action="store_true", help=f"replace the bench_devzkey section of {BENCHMARKS.name}")
    args = parser.parse_args(argv)
    if any(not 2 <= p <= devptau.MAX_POWER for p in args.powers):
        parser.error(f"--powers must lie in 2..{devptau.MAX_POWER}")
    if not TIME_BIN.exists():
        parser.error(f"{TIME_BIN} is needed for the peak memory")
    load_before = _load()
    rows = bench(args.powers, args.baseline_max_power)
    if args.r1cs is not None:
        rows.append(bench_file(args.r1cs, args.label or args.r1cs.name))
    load_after = _load()
    table = HEADER + "\n" + "\n".join(row.markdown() for row in rows)
    print(table)
    if args.write:
        target = next((r for r in rows if r.power == TARGET_POWER and r.label == "synthetic chain"), None)
        verdict = ("2^20 not measured in this run" if target is None else
                   f"{'met' if target.dev_s <= TARGET_S else 'MISSED'}: {target.dev_s:.0f} s, "
                   f"peak {target.dev_rss_mib:,.0f} MiB")
        body = (f"## Dev Groth16 keys written directly (`scripts/bench_devzkey.py`)\n\nMachine: {machine()}; load "
                f"average {load_before} before the run, {load_after} after (the machine is shared: times are "
                f"wall-clock under that load)\n\n{COLUMNS}\n\n{table}\n\n"
                f"Target: dev keys for a 2^20 domain in ≤ 5 min on 2 cores ({verdict}).")
        write_section("bench_devzkey", body)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
