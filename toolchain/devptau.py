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
  With ``contribution=NAME`` it writes a *stand-in ceremony* file instead: the same points plus one
  contribution record (public key, proof of knowledge, response and challenge hashes), as
  ``powersoftau new`` + one ``contribute`` + ``prepare phase2`` would leave it, so that
  ``snarkjs powersoftau verify`` accepts it.  Its secrets still derive from the seed: it is for testing
  the production setup path and is exactly as INSECURE as a dev file.
* :func:`check_ptau` runs ``toolchain/js/checkptau.js``: independent randomised
  pairing / multi-exponentiation checks over every section of a prepared ptau
  (see that script's header for the equations).
* :func:`snarkjs_verify_ptau` runs ``snarkjs powersoftau verify`` and reads its verdict.

Both scripts go through :func:`toolchain.tools.node` (an argv list, never a shell).

Pure Python, no Node: :func:`dev_secrets` derives tau, alpha and beta from a seed exactly as
``devptau.js`` does (the verifier uses it to recognise dev keys), :func:`read_ptau_info` reads a ptau's
header, contribution count and section layout, and :func:`has_dev_tau` tells whether a ptau's tau is a
seed's dev tau.
"""

from __future__ import annotations

import functools
import hashlib
import re
import struct
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Final

from py_ecc.optimized_bn128.optimized_curve import G1, multiply, normalize

from zkmargin.constants import BASE_FIELD_MODULUS, FIELD_ORDER
from zkmargin.toolchain import tools
from zkmargin.toolchain.tools import ToolError

JS_DIR: Final = Path(__file__).resolve().parent / "js"
DEVPTAU_JS: Final = JS_DIR / "devptau.js"
CHECKPTAU_JS: Final = JS_DIR / "checkptau.js"

#: The public seed of the INSECURE dev setup: its tau, alpha and beta (and so every dev key) derive from it.
DEV_SEED: Final = "zkmargin-insecure-dev-setup-v1"
#: Domain tag of the secret derivation; must equal ``DOMAIN`` in ``devptau.js``.
DERIVATION_DOMAIN: Final = "zkmargin/devptau/v1 INSECURE"

MIN_POWER: Final = 1
MAX_POWER: Final = 20
#: ``snarkjs powersoftau verify`` run time on a two-core machine: about this much per point of 2^power
#: (52 s at power 15, 10 s at 12, both measured under load), plus start-up.
VERIFY_S_PER_POINT: Final = 1.5e-3
VERIFY_STARTUP_S: Final = 3.0
#: Default time limits in seconds; power 20 takes roughly 16× as long as power 16.
DEFAULT_GENERATE_TIMEOUT_S: Final = 1800.0
DEFAULT_CHECK_TIMEOUT_S: Final = 3600.0

_FAIL_RE: Final = re.compile(r"^FAIL: .*$", re.MULTILINE)


class PtauCheckError(ToolError):
    """``checkptau.js`` found the file malformed or inconsistent; the message names the section and level."""


class PtauFormatError(ValueError):
    """A file is not a well-formed bn128 ``.ptau`` (the message says which part)."""


def _validate_power(power: int) -> None:
    if isinstance(power, bool) or not isinstance(power, int):
        raise ValueError(f"power must be an int in {MIN_POWER}..{MAX_POWER}, got {power!r}")
    if not MIN_POWER <= power <= MAX_POWER:
        raise ValueError(f"power must be in {MIN_POWER}..{MAX_POWER} (2^power constraints), got {power}")


def generate_dev_ptau(power: int, seed: str, out: Path, timeout: float = DEFAULT_GENERATE_TIMEOUT_S, *,
                      prepared: bool = True, contribution: str | None = None) -> Path:
    """Write an **INSECURE**, deterministic bn128 ptau of ``power`` to ``out`` and return ``out``.

    INSECURE — FOR DEVELOPMENT AND TESTING ONLY: tau, alpha and beta are
    derived from ``seed`` (SHA-512 with a per-secret domain tag, reduced mod r),
    so the seed *is* the toxic waste. Anyone who knows it can forge proofs for
    every circuit whose proving key was set up with this file.

    The file is prepared for phase 2 (Lagrange sections 12–15, usable by
    ``snarkjs groth16 setup`` directly) unless ``prepared`` is false, in which
    case only sections 1–7 are written, as ``snarkjs powersoftau new`` would
    lay them out. The same ``power`` and ``seed`` give a byte-identical file.

    With ``contribution`` (a name of 1..64 UTF-8 bytes), section 7 holds one contribution
    record instead of none, as if the seed's secrets had been one contributor's random ones:
    a *stand-in ceremony* file that ``snarkjs powersoftau verify`` accepts, for tests of the
    production setup path.  Still INSECURE: the seed is the toxic waste.

    Raises
    ------
    ValueError
        ``power`` is not an int in 1..20, ``seed`` is empty or contains NUL, or ``contribution``
        is empty or longer than 64 bytes.
    ToolError
        ``node`` failed or timed out.
    """
    _validate_power(power)
    if not isinstance(seed, str) or not seed:
        raise ValueError("seed must be a non-empty string")
    if "\x00" in seed:
        raise ValueError("seed must not contain NUL characters")
    if contribution is not None and not 1 <= len(contribution.encode()) <= 64:
        raise ValueError(f"contribution name must be 1..64 bytes of UTF-8, got {contribution!r}")
    out = Path(out).resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    argv = [str(DEVPTAU_JS), "--power", str(power), "--seed", seed, "--out", str(out)]
    if not prepared:
        argv.append("--unprepared")
    if contribution is not None:
        argv += ["--contribution", contribution]
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


# ----------------------------------------------------------------------------------------------------------
# The dev secrets, in Python (mirror of deriveSecrets in devptau.js)
# ----------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DevSecrets:
    """The toxic waste of a dev ptau: scalars in ``[1, r)``."""

    tau: int
    alpha: int
    beta: int


def _secret_candidate(label: str, seed: str, counter: int) -> int:
    """SHA-512(domain NUL label NUL counter NUL seed), big-endian, mod r (devptau.js ``bigFromHash``)."""
    digest = hashlib.sha512(f"{DERIVATION_DOMAIN}\0{label}\0{counter}\0".encode() + seed.encode()).digest()
    return int.from_bytes(digest, "big") % FIELD_ORDER


def _pick(label: str, seed: str, acceptable: Callable[[int], bool]) -> int:
    counter = 0
    while True:
        candidate = _secret_candidate(label, seed, counter)
        if candidate != 0 and acceptable(candidate):
            return candidate
        counter += 1


@functools.lru_cache(maxsize=32)
def dev_secrets(seed: str, power: int = MAX_POWER) -> DevSecrets:
    """tau, alpha and beta of the dev ptau of ``power`` written from ``seed`` (what ``devptau.js`` derives).

    alpha and beta do not depend on ``power``.  tau does only if a candidate is a 2^(power+1)-th root of
    unity (devptau.js then takes the next counter), which happens with probability about 2^-230; pass
    the file's power to be exact.
    """
    domain = 1 << (power + 1)
    tau = _pick("tau", seed, lambda x: pow(x, domain, FIELD_ORDER) != 1)
    return DevSecrets(tau=tau, alpha=_pick("alpha", seed, lambda _x: True), beta=_pick("beta", seed, lambda _x: True))


# ----------------------------------------------------------------------------------------------------------
# Reading a .ptau without Node
# ----------------------------------------------------------------------------------------------------------

_MONTGOMERY_INV: Final = pow(1 << 256, -1, BASE_FIELD_MODULUS)  # ptau points are stored as x·2^256 mod p
_G1_BYTES: Final = 64
_G2_BYTES: Final = 128


@dataclass(frozen=True)
class PtauInfo:
    """What a ``.ptau`` file says about itself (nothing here is verified cryptographically).

    Attributes
    ----------
    power
        ``2^power`` is the largest constraint domain the file serves.
    ceremony_power
        Power of the ceremony the file came from (larger than ``power`` for a truncated file).
    contributions
        Number of contribution records in section 7 (0 for ``powersoftau new`` and for dev files).
    beacons
        How many of them are beacons (type 1: secrets derived from public beacon parameters).
    prepared
        Whether the Lagrange sections 12–15 (``prepare phase2``) are present with their full sizes.
    """

    power: int
    ceremony_power: int
    contributions: int
    beacons: int
    prepared: bool


def _sections(fh: BinaryIO, path: Path) -> dict[int, list[tuple[int, int]]]:
    """``{section id: [(payload offset, size), ...]}`` from the iden3 binary header (magic ``ptau``, version 1)."""
    size = fh.seek(0, 2)
    fh.seek(0)
    head = fh.read(12)
    if len(head) < 12 or head[:4] != b"ptau":
        raise PtauFormatError(f"{path} is not a .ptau file")
    version, n_sections = struct.unpack("<II", head[4:])
    if version != 1:
        raise PtauFormatError(f"{path}: unsupported .ptau version {version}")
    sections: dict[int, list[tuple[int, int]]] = {}
    pos = 12
    for _ in range(n_sections):
        fh.seek(pos)
        raw = fh.read(12)
        if len(raw) < 12:
            raise PtauFormatError(f"{path} is truncated in its section table")
        sid, length = struct.unpack("<IQ", raw)
        if pos + 12 + length > size:
            raise PtauFormatError(f"{path} is truncated: section {sid} runs past the end of the file")
        sections.setdefault(sid, []).append((pos + 12, length))
        pos += 12 + length
    return sections


def _section(sections: dict[int, list[tuple[int, int]]], sid: int, path: Path) -> tuple[int, int]:
    found = sections.get(sid, [])
    if len(found) != 1:
        raise PtauFormatError(f"{path} has {len(found)} copies of section {sid}, expected 1")
    return found[0]


def _expected_sizes(power: int) -> dict[int, int]:
    n = 1 << power
    return {2: (2 * n - 1) * _G1_BYTES, 3: n * _G2_BYTES, 4: n * _G1_BYTES, 5: n * _G1_BYTES, 6: _G2_BYTES}


def _expected_lagrange_sizes(power: int) -> dict[int, int]:
    n = 1 << power
    return {12: (4 * n - 1) * _G1_BYTES, 13: (2 * n - 1) * _G2_BYTES, 14: (2 * n - 1) * _G1_BYTES,
            15: (2 * n - 1) * _G1_BYTES}


# one record: tauG1, tauG2, alphaG1, betaG1, betaG2, the public key (6 G1 + 3 G2), the partial response hash
# (216 bytes) and the next challenge (64), then u32 type, u32 parameter length and the parameters
_CONTRIBUTION_FIXED: Final = 3 * _G1_BYTES + 2 * _G2_BYTES + 6 * _G1_BYTES + 3 * _G2_BYTES + 216 + 64


def _contribution_types(section: bytes, path: Path) -> tuple[int, int]:
    """``(contributions, beacons)`` from the bytes of section 7, walked record by record."""
    if len(section) < 4:
        raise PtauFormatError(f"{path}: the contributions section is shorter than 4 bytes")
    (count,) = struct.unpack_from("<I", section)
    pos, beacons = 4, 0
    for index in range(count):
        pos += _CONTRIBUTION_FIXED
        if pos + 8 > len(section):
            raise PtauFormatError(f"{path}: contribution {index + 1} of {count} is cut off")
        kind, params = struct.unpack_from("<II", section, pos)
        if kind not in (0, 1):
            raise PtauFormatError(f"{path}: contribution {index + 1} has unknown type {kind}")
        beacons += kind
        pos += 8 + params
    if pos != len(section):
        raise PtauFormatError(f"{path}: the contributions section has {len(section)} bytes, its records {pos}")
    return count, beacons


def read_ptau_info(path: Path) -> PtauInfo:
    """Header, contribution count and layout of a bn128 ``.ptau`` (reads a few bytes; any size is instant).

    Raises
    ------
    PtauFormatError
        Not a ptau, not bn128, a section missing, repeated or of the wrong size, or the file truncated.
    OSError
        The file cannot be read.
    """
    path = Path(path)
    with path.open("rb") as fh:
        sections = _sections(fh, path)
        offset, length = _section(sections, 1, path)
        fh.seek(offset)
        header = fh.read(length)
        (n8,) = struct.unpack_from("<I", header)
        if n8 != 32 or int.from_bytes(header[4:36], "little") != BASE_FIELD_MODULUS or length != 44:
            raise PtauFormatError(f"{path} is not a bn128 ptau")
        power, ceremony_power = struct.unpack_from("<II", header, 36)
        if not MIN_POWER <= power <= 28:
            raise PtauFormatError(f"{path} has power {power}, outside 1..28")
        for sid, size in _expected_sizes(power).items():
            if _section(sections, sid, path)[1] != size:
                raise PtauFormatError(f"{path}: section {sid} has {_section(sections, sid, path)[1]} bytes, "
                                      f"expected {size} for power {power}")
        offset, length = _section(sections, 7, path)
        fh.seek(offset)
        contributions, beacons = _contribution_types(fh.read(length), path)
    lagrange = _expected_lagrange_sizes(power)
    prepared = all(sid in sections for sid in lagrange)
    if prepared:
        for sid, size in lagrange.items():
            if _section(sections, sid, path)[1] != size:
                raise PtauFormatError(f"{path}: section {sid} has {_section(sections, sid, path)[1]} bytes, "
                                      f"expected {size} for power {power}")
    return PtauInfo(power=power, ceremony_power=ceremony_power, contributions=contributions, beacons=beacons,
                    prepared=prepared)


def _g1_from_file(raw: bytes, where: str) -> tuple[int, int] | None:
    """An affine G1 point as ptau files store it (x, y little-endian in Montgomery form); ``None`` is infinity."""
    xm, ym = int.from_bytes(raw[:32], "little"), int.from_bytes(raw[32:64], "little")
    if xm == 0 and ym == 0:
        return None
    if xm >= BASE_FIELD_MODULUS or ym >= BASE_FIELD_MODULUS:
        raise PtauFormatError(f"{where}: coordinate out of range")
    x, y = xm * _MONTGOMERY_INV % BASE_FIELD_MODULUS, ym * _MONTGOMERY_INV % BASE_FIELD_MODULUS
    if (y * y - x * x * x - 3) % BASE_FIELD_MODULUS:
        raise PtauFormatError(f"{where}: point not on the bn128 curve")
    return x, y


def ptau_tau_g1(path: Path, index: int) -> tuple[int, int] | None:
    """``tauG1[index]`` = tau^index·G1 from section 2, affine; ``None`` for the point at infinity."""
    path = Path(path)
    with path.open("rb") as fh:
        offset, length = _section(_sections(fh, path), 2, path)
        if length < _G1_BYTES * (index + 1):
            raise PtauFormatError(f"{path}: section 2 holds fewer than {index + 1} points")
        fh.seek(offset + _G1_BYTES * index)
        return _g1_from_file(fh.read(_G1_BYTES), f"{path}: tauG1[{index}]")


@functools.lru_cache(maxsize=32)
def _dev_tau_g1(seed: str, power: int) -> tuple[int, int]:
    x, y = normalize(multiply(G1, dev_secrets(seed, power).tau))
    return int(x), int(y)


def has_dev_tau(path: Path, seed: str = DEV_SEED) -> bool:
    """Whether the ptau's tau is the dev tau of ``seed``: ``tauG1[1] == tau_dev·G1`` (a few ms).

    A dev file of ``seed`` has it, and so has any file built on one, whatever its contribution records say.
    """
    info = read_ptau_info(path)
    return ptau_tau_g1(path, 1) == _dev_tau_g1(seed, info.power)


# ----------------------------------------------------------------------------------------------------------
# snarkjs powersoftau verify
# ----------------------------------------------------------------------------------------------------------

_ANSI_RE: Final = re.compile(r"\x1b\[[0-9;]*m")
_VERDICT_OK: Final = "snarkJS: Powers of Tau Ok!"
_PREFIX_RE: Final = re.compile(r"^\[(ERROR|WARN)\]\s*snarkJS:\s*")


@dataclass(frozen=True)
class PtauVerification:
    """What ``snarkjs powersoftau verify`` said about a file.

    Attributes
    ----------
    ok
        True only if snarkjs exited 0, its last line is ``Powers of Tau Ok!`` and it logged no error and
        no warning.
    problems
        snarkjs' error and warning lines as ``"ERROR: …"`` / ``"WARN: …"``, or the exit status and last
        line when it logged neither yet did not say ``Powers of Tau Ok!``.
    contributions
        The ``Contribution #i: name`` lines.
    seconds
        Wall-clock time of the run.
    """

    ok: bool
    problems: tuple[str, ...]
    contributions: tuple[str, ...]
    seconds: float


def verify_estimate_s(power: int) -> float:
    """Rough run time of ``snarkjs powersoftau verify`` on a ptau of ``power`` (two cores), in seconds."""
    return VERIFY_STARTUP_S + VERIFY_S_PER_POINT * (1 << power)


def snarkjs_verify_ptau(path: Path, timeout: float = DEFAULT_CHECK_TIMEOUT_S) -> PtauVerification:
    """Run ``snarkjs powersoftau verify`` on ``path`` and interpret its log.

    snarkjs 0.7.6 logs to stdout, with colour codes even when not on a terminal.  The early line
    ``Powers Of tau file OK!`` is not a verdict (it comes before the powers and the Lagrange sections are
    checked); only the final ``Powers of Tau Ok!`` is.  A warning also fails: the only one snarkjs emits
    says the phase-2 sections are missing, and it exits 0 then, even for a file cut off inside them.

    Raises
    ------
    ToolError
        snarkjs could not be run or timed out (a failed verification is a result, not an error).
    """
    path = Path(path).resolve()
    start = time.perf_counter()
    try:
        result = tools.snarkjs(["powersoftau", "verify", str(path)], timeout=timeout)
        output, status = result.stdout + "\n" + result.stderr, 0
    except ToolError as exc:
        if exc.returncode is None:
            raise
        output, status = exc.stdout + "\n" + exc.stderr, exc.returncode
    seconds = time.perf_counter() - start
    lines = [line.strip() for line in _ANSI_RE.sub("", output).splitlines() if line.strip()]
    problems = tuple(_PREFIX_RE.sub(r"\1: ", line) for line in lines if _PREFIX_RE.match(line))
    if not problems and (status != 0 or not lines or not lines[-1].endswith(_VERDICT_OK)):
        problems = (f"exit status {status}, last line {lines[-1] if lines else '(none)'!r}",)
    contributions = tuple(line.split("snarkJS: ", 1)[1] for line in lines if "snarkJS: Contribution #" in line)
    return PtauVerification(ok=not problems, problems=problems, contributions=contributions, seconds=seconds)
