"""INSECURE dev Groth16 proving keys written directly, in seconds: ``toolchain/js/devzkey.js``.

.. warning::

   **A dev zkey is INSECURE.**  Its tau, alpha and beta derive from a *public* seed (the dev ptau's, see
   :mod:`toolchain.devptau`) and its delta from a public beacon, so anyone can forge proofs under it.
   Development and testing only.

:func:`write_dev_zkey` writes, byte for byte, the zkey that

.. code-block:: text

    snarkjs groth16 setup  r1cs devptau(power, seed) zkey0
    snarkjs zkey beacon    zkey0 out beacon iterations -n="zkmargin INSECURE dev beacon"

would produce (snarkjs 0.7.6), without running either and without reading the ptau: the writer knows
the toxic waste, so every point is one fixed-base multiplication of the generator by a scalar computed in
Fr (``devzkey.js``'s header gives every section's scalar and the two snarkjs quirks it reproduces).  The
63,123-constraint ``test`` circuit (domain 2^16) takes ~10 s on two cores where setup + beacon took
~5 min, and a full 2^20 domain ~3 min (BENCHMARKS.md).  The key verifies against the dev ptau with
``snarkjs zkey verify``.

:func:`dev_zkey_estimate_s` is a rough run time for progress messages; :func:`domain_power` is the domain
snarkjs picks; :func:`write_synthetic_r1cs` writes a constraint system of any size for benchmarks and tests.
The script runs through :func:`toolchain.tools.node` (an argv list, never a shell).
"""

from __future__ import annotations

import re
import struct
from collections.abc import Callable
from pathlib import Path
from typing import Final

from zkmargin.constants import FIELD_ORDER
from zkmargin.toolchain import tools
from zkmargin.toolchain.devptau import JS_DIR, MAX_POWER, MIN_POWER
from zkmargin.toolchain.tools import ToolError

DEVZKEY_JS: Final = JS_DIR / "devzkey.js"
#: The contribution name of the dev beacon (``zkey beacon -n=…``); it marks every dev key as INSECURE.
DEV_BEACON_NAME: Final = "zkmargin INSECURE dev beacon"
#: ``snarkjs zkey beacon`` accepts 2^10 .. 2^63 sha256 iterations.
MIN_ITERATIONS: Final = 10
MAX_ITERATIONS: Final = 63
DEFAULT_TIMEOUT_S: Final = 3600.0
#: Wall-clock seconds per point on an idle two-core machine (two worker threads), for estimates only:
#: G1 points cost ``S_PER_G1_POINT``, G2 points about three times as much.  A key of domain n with w wires
#: has ~2n + 4w G1 points (H twice, C twice, A, B1) and w G2 points (B2).
S_PER_G1_POINT: Final = 12e-6
S_PER_G2_POINT: Final = 36e-6
#: Node, the curve, the r1cs passes and the workers' fixed-base tables.
STARTUP_S: Final = 5.0

_REFUSAL_RE: Final = re.compile(r"^devzkey: (?:error: )?(?P<message>.+)$")
_BEACON_RE: Final = re.compile(r"(?:[0-9a-fA-F]{2}){1,255}")


class DevZkeyInputError(ToolError):
    """``devzkey.js`` refused its input (the r1cs is missing or malformed, the power is too small, an argument
    is out of range); ``str()`` is the one line it printed, the command and its output are attributes."""

    def __init__(self, message: str, argv: list[str], returncode: int | None, stdout: str, stderr: str) -> None:
        super().__init__(message)
        self.argv = list(argv)
        self.returncode = returncode
        self.stdout = stdout
        self.stderr = stderr


def domain_power(n_constraints: int, n_public: int) -> int:
    """log2 of the domain ``snarkjs groth16 setup`` picks: the bit length of ``n_constraints + n_public``.

    The domain holds the constraints, one extra row per public signal and one for the constant wire:
    ``2^p >= n_constraints + n_public + 1`` (``n_public`` counts outputs and public inputs).
    """
    return max(1, (n_constraints + n_public).bit_length())


def dev_zkey_estimate_s(n_wires: int, power: int) -> float:
    """Rough wall-clock seconds of :func:`write_dev_zkey` on two cores for ``n_wires`` wires and a domain of
    ``2^power`` (e.g. ~11 s for the ``test`` circuit's 47,884 wires at 2^16, ~2 min for 2^20 wires at 2^20;
    a busy machine takes longer)."""
    n = 1 << power
    return STARTUP_S + S_PER_G1_POINT * (2 * n + 4 * n_wires) + S_PER_G2_POINT * n_wires


def _refusal(exc: ToolError) -> str | None:
    """The message of a one-line refusal by devzkey.js (exit 1 or 2, no stack trace), else ``None``."""
    if exc.returncode not in (1, 2):
        return None
    lines = [line for line in exc.stderr.splitlines() if line.strip() and not line.startswith("devzkey [")]
    if len(lines) != 1:
        return None
    found = _REFUSAL_RE.match(lines[0])
    return found.group("message") if found else None


def _validate(seed: str, power: int, beacon: str, iterations: int, name: str) -> None:
    if not isinstance(seed, str) or not seed or "\x00" in seed:
        raise ValueError(f"seed must be a non-empty string without NUL characters, got {seed!r}")
    if isinstance(power, bool) or not isinstance(power, int) or not MIN_POWER <= power <= MAX_POWER:
        raise ValueError(f"power must be an int in {MIN_POWER}..{MAX_POWER} (the dev ptau's), got {power!r}")
    if not isinstance(beacon, str) or _BEACON_RE.fullmatch(beacon) is None:
        raise ValueError(f"beacon must be 1..255 bytes as hexadecimal digits (no 0x), got {beacon!r}")
    if isinstance(iterations, bool) or not isinstance(iterations, int) \
            or not MIN_ITERATIONS <= iterations <= MAX_ITERATIONS:
        raise ValueError(f"iterations must be an int in {MIN_ITERATIONS}..{MAX_ITERATIONS} "
                         f"(2^iterations sha256 rounds, as snarkjs zkey beacon takes it), got {iterations!r}")
    if not isinstance(name, str) or not 1 <= len(name.encode()) <= 64:
        raise ValueError(f"name must be 1..64 bytes of UTF-8, got {name!r}")


def write_dev_zkey(r1cs: Path, seed: str, power: int, beacon: str, iterations: int, out: Path,
                   progress: Callable[[str], object] | None = None, *, name: str = DEV_BEACON_NAME,
                   threads: int | None = None, timeout: float = DEFAULT_TIMEOUT_S) -> None:
    """Write the **INSECURE** dev Groth16 proving key of ``r1cs`` to ``out``.

    INSECURE — FOR DEVELOPMENT AND TESTING ONLY: the key's tau, alpha and beta are those of the dev ptau of
    ``seed`` and its delta follows from the public ``beacon``; anyone can forge proofs under it.

    The bytes are exactly those of ``snarkjs groth16 setup r1cs devptau(power, seed)`` followed by
    ``snarkjs zkey beacon … beacon iterations -n=name``, so the key verifies against that dev ptau
    (``snarkjs zkey verify``) and its verification key is the one snarkjs would export.

    Parameters
    ----------
    r1cs
        A bn128 ``.r1cs`` file (iden3 binary format, version 1).
    seed
        The dev ptau's public seed (see :func:`toolchain.devptau.generate_dev_ptau`).
    power
        The dev ptau's power, 1..20: at least :func:`domain_power` of the circuit.  The bytes depend on it
        (the H points of a circuit whose domain is exactly ``2^power`` come from the ptau's top level).
    beacon
        The beacon, 1..255 bytes as hexadecimal digits.
    iterations
        ``2^iterations`` sha256 rounds of the beacon, 10..63.
    out
        The zkey to write (its folder is created); written to a temporary name and renamed when complete.
    progress
        Called with one line before the run (with the estimated time) and one after (what was written).
    name
        The beacon contribution's name, 1..64 bytes.
    threads
        Worker threads (default: one per CPU); the bytes do not depend on it.
    timeout
        Seconds before the run is abandoned.

    Raises
    ------
    ValueError
        An argument is out of range (checked before Node starts).
    DevZkeyInputError
        ``devzkey.js`` refused the input in one line: ``r1cs`` is missing, not an r1cs, not bn128, or
        malformed, or ``power`` is smaller than the circuit's domain needs.
    ToolError
        ``node`` failed otherwise or timed out.
    """
    _validate(seed, power, beacon, iterations, name)
    out = Path(out).resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    argv = [str(DEVZKEY_JS), "--r1cs", str(Path(r1cs).resolve()), "--seed", seed, "--power", str(power),
            "--beacon", beacon, "--iterations", str(iterations), "--out", str(out), "--name", name]
    if threads is not None:
        argv += ["--threads", str(threads)]
    if progress is not None:
        progress(f"writing the INSECURE dev zkey of {Path(r1cs).name} directly (devzkey.js, dev ptau power {power})")
    try:
        result = tools.node(argv, timeout=timeout)
    except ToolError as exc:
        message = _refusal(exc)
        if message is None:
            raise
        raise DevZkeyInputError(message, exc.argv, exc.returncode, exc.stdout, exc.stderr) from None
    if not out.is_file():
        raise ToolError(f"devzkey.js reported success but did not write {out}", argv)
    if progress is not None:
        lines = [line for line in result.stderr.splitlines() if " wrote " in line]
        progress(lines[-1] if lines else f"wrote {out}")


def write_synthetic_r1cs(path: Path, n_constraints: int, n_public_inputs: int = 2, n_public_outputs: int = 1) -> Path:
    """Write a bn128 ``.r1cs`` of ``n_constraints`` constraints (iden3 binary format, version 1) and return ``path``.

    The shape, for benchmarks and tests of the key writers (not a circuit anyone proves): wire 0 is the
    constant 1, then the public outputs ``o``, the public inputs ``x, y, …``, then a chain of private wires
    ``z_0 … z_{N-2}``:

    * ``x · y = z_0``;
    * ``z_{i-1} · (z_{i-1} + 3·x) = z_i`` for ``1 <= i <= N-2`` (a two-term B, so B columns are sums);
    * ``z_{N-2} · 1 = o_0`` (later outputs and inputs appear only in the extra rows snarkjs adds).

    So ``n_wires = 1 + n_public + N - 1`` and every wire has nonzero A, B or C columns, about 4 terms per
    constraint.  Sections: header (1), constraints (2), wire-to-label map (3, the identity).

    Raises
    ------
    ValueError
        ``n_constraints < 2``, ``n_public_inputs < 2`` or ``n_public_outputs < 1`` (the chain needs them).
    """
    if n_constraints < 2 or n_public_inputs < 2 or n_public_outputs < 1:
        raise ValueError("write_synthetic_r1cs needs n_constraints >= 2, n_public_inputs >= 2, n_public_outputs >= 1")
    n_public = n_public_inputs + n_public_outputs
    n_wires = 1 + n_public + n_constraints - 1
    one = (1).to_bytes(32, "little")
    three = (3).to_bytes(32, "little")
    out_wire, x, y = 1, 1 + n_public_outputs, 2 + n_public_outputs

    def z(i: int) -> int:
        return 1 + n_public + i

    def term(wire: int, coef: bytes = one) -> bytes:
        return struct.pack("<I", wire) + coef

    single = struct.pack("<I", 1)
    double = struct.pack("<I", 2)
    body = bytearray(single + term(x) + single + term(y) + single + term(z(0)))
    for i in range(1, n_constraints - 1):
        body += single + term(z(i - 1)) + double + term(z(i - 1)) + term(x, three) + single + term(z(i))
    body += single + term(z(n_constraints - 2)) + single + term(0) + single + term(out_wire)
    header = (struct.pack("<I", 32) + FIELD_ORDER.to_bytes(32, "little")
              + struct.pack("<IIIIQI", n_wires, n_public_outputs, n_public_inputs, 0, n_wires, n_constraints))
    labels = struct.pack(f"<{n_wires}Q", *range(n_wires))
    path = Path(path)
    with path.open("wb") as fh:
        fh.write(b"r1cs" + struct.pack("<II", 1, 3))
        for sid, data in ((1, header), (2, bytes(body)), (3, labels)):
            fh.write(struct.pack("<IQ", sid, len(data)))
            fh.write(data)
    return path
