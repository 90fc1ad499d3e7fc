"""INSECURE development powers of tau: generate a prepared ``.ptau`` in seconds, and check any ``.ptau``.

.. warning::

   **A dev ptau is INSECURE.** Its toxic waste (tau, alpha, beta) is derived
   deterministically from a *public* seed, so anyone who knows the seed can
   forge Groth16 proofs for every circuit set up with the file. Use it for
   development and testing only — never for keys whose proofs anyone relies on.
   Production keys need a ptau from a real multi-party ceremony.

* :func:`generate_dev_ptau` runs ``toolchain/js/devptau.js``: it writes the same
  sections, in the same layout, as ``snarkjs powersoftau new`` followed by
  ``snarkjs powersoftau prepare phase2`` (header, tauG1, tauG2, alphaTauG1,
  betaTauG1, betaG2, zero contributions, Lagrange sections 12–15), but computes
  every point as one fixed-base multiplication of the generator by a scalar it
  knows (``L_j(tau)`` for the Lagrange bases) instead of running group FFTs.
  Power 16 takes ~20 s on an idle two-core machine, where ``prepare phase2`` of a real accumulator
  takes ~29 min.
  Same power and seed give a byte-identical file.
* :func:`check_ptau` runs ``toolchain/js/checkptau.js``: independent randomised
  pairing / multi-exponentiation checks over every section of a prepared ptau
  (see that script's header for the equations).

Both go through :func:`toolchain.tools.node` (an argv list, never a shell).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Final

from zkmargin.toolchain import tools
from zkmargin.toolchain.tools import ToolError

JS_DIR: Final = Path(__file__).resolve().parent / "js"
DEVPTAU_JS: Final = JS_DIR / "devptau.js"
CHECKPTAU_JS: Final = JS_DIR / "checkptau.js"

MIN_POWER: Final = 1
MAX_POWER: Final = 20
#: Default time limits in seconds; power 20 takes roughly 16× as long as power 16.
DEFAULT_GENERATE_TIMEOUT_S: Final = 1800.0
DEFAULT_CHECK_TIMEOUT_S: Final = 3600.0

_FAIL_RE: Final = re.compile(r"^FAIL: .*$", re.MULTILINE)


class PtauCheckError(ToolError):
    """``checkptau.js`` found the file malformed or inconsistent; the message names the section and level."""


def _validate_power(power: int) -> None:
    if isinstance(power, bool) or not isinstance(power, int):
        raise ValueError(f"power must be an int in {MIN_POWER}..{MAX_POWER}, got {power!r}")
    if not MIN_POWER <= power <= MAX_POWER:
        raise ValueError(f"power must be in {MIN_POWER}..{MAX_POWER} (2^power constraints), got {power}")


def generate_dev_ptau(power: int, seed: str, out: Path, timeout: float = DEFAULT_GENERATE_TIMEOUT_S, *,
                      prepared: bool = True) -> Path:
    """Write an **INSECURE**, deterministic bn128 ptau of ``power`` to ``out`` and return ``out``.

    INSECURE — FOR DEVELOPMENT AND TESTING ONLY: tau, alpha and beta are
    derived from ``seed`` (SHA-512 with a per-secret domain tag, reduced mod r),
    so the seed *is* the toxic waste. Anyone who knows it can forge proofs for
    every circuit whose proving key was set up with this file.

    The file is prepared for phase 2 (Lagrange sections 12–15, usable by
    ``snarkjs groth16 setup`` directly) unless ``prepared`` is false, in which
    case only sections 1–7 are written, as ``snarkjs powersoftau new`` would
    lay them out. The same ``power`` and ``seed`` give a byte-identical file.

    Raises
    ------
    ValueError
        ``power`` is not an int in 1..20, or ``seed`` is empty or contains NUL.
    ToolError
        ``node`` failed or timed out.
    """
    _validate_power(power)
    if not isinstance(seed, str) or not seed:
        raise ValueError("seed must be a non-empty string")
    if "\x00" in seed:
        raise ValueError("seed must not contain NUL characters")
    out = Path(out).resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    argv = [str(DEVPTAU_JS), "--power", str(power), "--seed", seed, "--out", str(out)]
    if not prepared:
        argv.append("--unprepared")
    tools.node(argv, timeout=timeout)
    if not out.is_file():
        raise ToolError(f"devptau.js reported success but did not write {out}", argv)
    return out


def check_ptau(path: Path, timeout: float = DEFAULT_CHECK_TIMEOUT_S, *, allow_unprepared: bool = False) -> None:
    """Check every section of the bn128 ptau at ``path``; return ``None`` when all checks pass.

    Works on any ptau (a dev one or a ceremony's): structure and sizes, every
    point canonical and on its curve, the tau/alpha/beta series by random
    linear combinations and pairings, and every level of the Lagrange sections
    against the monomial sections. Fresh randomness on every call.

    A dev ptau that passes is still INSECURE: the check proves consistency, not
    that anyone forgot the secrets.

    Raises
    ------
    FileNotFoundError
        ``path`` does not exist.
    PtauCheckError
        A check failed (the message says which section and level).
    ToolError
        ``node`` failed for another reason or timed out.
    """
    path = Path(path).resolve()
    if not path.is_file():
        raise FileNotFoundError(f"no ptau file at {path}")
    argv = [str(CHECKPTAU_JS), str(path)]
    if allow_unprepared:
        argv.append("--allow-unprepared")
    try:
        tools.node(argv, timeout=timeout)
    except ToolError as exc:
        found = _FAIL_RE.search(exc.stderr)
        if exc.returncode == 1 and found:
            raise PtauCheckError(found.group(0), exc.argv, exc.returncode, exc.stdout, exc.stderr) from exc
        raise
