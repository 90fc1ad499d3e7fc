"""Poseidon over the BN254 scalar field, bit-identical to circomlib's ``Poseidon(n)``.

Two implementations sit behind one API, in the spirit of ``py_ecc``:

* :func:`poseidon` mirrors circomlib 2.0.5's optimised template
  (``circuits/poseidon.circom``: full rounds with ``M``, the pre-sparse matrix
  ``P``, sparse partial rounds with ``S``) and is the one the project uses;
* :func:`poseidon_reference` is the plain HADES permutation of the original
  paper with the original constants (``circuits/poseidon_old.circom``), slow
  and obviously correct, kept for the tests.

Both read their round constants from circomlib's own ``.circom`` files at
first use (the installed npm package pinned in ``package.json``), so the
Python hash can never drift from the circuit's; nothing runs Node at runtime.

:func:`hash_list` is the project's hash of a list of any length, mirrored by
``HashList(n)`` in ``circuits/lib/hash.circom``.
"""

from __future__ import annotations

import functools
import operator
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from zkmargin.constants import FIELD_ORDER

#: circomlib's circuits folder inside the repository's pinned ``node_modules``.
CIRCOMLIB_CIRCUITS: Final = Path(__file__).resolve().parent.parent / "node_modules" / "circomlib" / "circuits"
CONSTANTS_FILE: Final = "poseidon_constants.circom"
REFERENCE_CONSTANTS_FILE: Final = "poseidon_constants_old.circom"

#: Most inputs one Poseidon call takes (circomlib supports state widths t = 2..17).
MAX_INPUTS: Final = 16
#: Inputs absorbed per chained call after the first in :func:`hash_list` (one slot carries the running hash).
CHAIN_CHUNK: Final = MAX_INPUTS - 1

N_ROUNDS_F: Final = 8
#: Partial rounds per state width t = 2..17 (circomlib's ``N_ROUNDS_P``).
N_ROUNDS_P: Final = (56, 57, 56, 60, 60, 63, 64, 63, 60, 66, 60, 65, 70, 60, 64, 68)

_P: Final = FIELD_ORDER


class PoseidonConstantsError(RuntimeError):
    """circomlib's Poseidon constants are missing or do not have the expected shape."""


@dataclass(frozen=True)
class OptimisedConstants:
    """Constants of circomlib's optimised Poseidon for one state width ``t``.

    ``c`` has ``t * 8 + n_rounds_p`` entries, ``s`` has ``n_rounds_p * (2t - 1)``,
    ``m`` and ``p`` are ``t x t`` (indexed ``[j][i]`` as in the template).
    """

    t: int
    n_rounds_p: int
    c: tuple[int, ...]
    s: tuple[int, ...]
    m: tuple[tuple[int, ...], ...]
    p: tuple[tuple[int, ...], ...]


@dataclass(frozen=True)
class ReferenceConstants:
    """Original (unoptimised) Poseidon constants for one state width ``t``.

    ``c`` has ``t * (8 + n_rounds_p)`` entries; ``m`` is ``t x t`` (indexed ``[i][j]``).
    """

    t: int
    n_rounds_p: int
    c: tuple[int, ...]
    m: tuple[tuple[int, ...], ...]


_FUNCTION_RE: Final = re.compile(r"^function\s+(POSEIDON_[A-Z])\s*\(\s*t\s*\)\s*\{(.*?)^\}", re.S | re.M)
_BRANCH_RE: Final = re.compile(r"if\s*\(\s*t\s*==\s*(\d+)\s*\)\s*\{\s*return(.*?);", re.S)
_NUMBER_RE: Final = re.compile(r"0x[0-9a-fA-F]+|\d+")


def _read_constants_file(name: str) -> str:
    path = CIRCOMLIB_CIRCUITS / name
    try:
        return path.read_text()
    except FileNotFoundError:
        raise PoseidonConstantsError(
            f"{path} not found: circomlib is not installed; run `make setup` (npm ci) to install the pinned "
            "circomlib, whose Poseidon constants the Python hash reads"
        ) from None


@functools.cache
def _parse_constants_file(name: str) -> dict[str, dict[int, tuple[int, ...]]]:
    """Map ``{function name: {t: flat tuple of numbers}}`` for every ``POSEIDON_*`` function in ``name``."""
    text = _read_constants_file(name)
    table: dict[str, dict[int, tuple[int, ...]]] = {}
    for func, body in _FUNCTION_RE.findall(text):
        branches: dict[int, tuple[int, ...]] = {}
        for t_text, values in _BRANCH_RE.findall(body):
            branches[int(t_text)] = tuple(int(v, 0) for v in _NUMBER_RE.findall(values))
        table[func] = branches
    if not table:
        raise PoseidonConstantsError(f"no POSEIDON_* functions found in {CIRCOMLIB_CIRCUITS / name}")
    return table


def _lookup(name: str, func: str, t: int, length: int) -> tuple[int, ...]:
    try:
        values = _parse_constants_file(name)[func][t]
    except KeyError:
        raise PoseidonConstantsError(f"{func}({t}) is missing from {CIRCOMLIB_CIRCUITS / name}") from None
    if len(values) != length:
        raise PoseidonConstantsError(
            f"{func}({t}) in {CIRCOMLIB_CIRCUITS / name} has {len(values)} values, expected {length}"
        )
    if any(v >= _P for v in values):
        raise PoseidonConstantsError(f"{func}({t}) in {CIRCOMLIB_CIRCUITS / name} has a value >= the field order")
    return values


def _square(flat: tuple[int, ...], t: int) -> tuple[tuple[int, ...], ...]:
    return tuple(flat[row * t:(row + 1) * t] for row in range(t))


def _check_width(t: int) -> int:
    if not 2 <= t <= MAX_INPUTS + 1:
        raise ValueError(f"Poseidon state width t={t} is outside circomlib's supported 2..{MAX_INPUTS + 1}")
    return N_ROUNDS_P[t - 2]


@functools.cache
def optimised_constants(t: int) -> OptimisedConstants:
    """Constants of circomlib's optimised ``PoseidonEx`` for state width ``t`` (parsed once, cached)."""
    n_rounds_p = _check_width(t)
    c = _lookup(CONSTANTS_FILE, "POSEIDON_C", t, t * N_ROUNDS_F + n_rounds_p)
    s = _lookup(CONSTANTS_FILE, "POSEIDON_S", t, n_rounds_p * (2 * t - 1))
    m = _square(_lookup(CONSTANTS_FILE, "POSEIDON_M", t, t * t), t)
    p = _square(_lookup(CONSTANTS_FILE, "POSEIDON_P", t, t * t), t)
    return OptimisedConstants(t=t, n_rounds_p=n_rounds_p, c=c, s=s, m=m, p=p)


@functools.cache
def reference_constants(t: int) -> ReferenceConstants:
    """Original Poseidon constants for state width ``t`` (parsed once, cached)."""
    n_rounds_p = _check_width(t)
    c = _lookup(REFERENCE_CONSTANTS_FILE, "POSEIDON_C", t, t * (N_ROUNDS_F + n_rounds_p))
    m = _square(_lookup(REFERENCE_CONSTANTS_FILE, "POSEIDON_M", t, t * t), t)
    return ReferenceConstants(t=t, n_rounds_p=n_rounds_p, c=c, m=m)


def _check_inputs(inputs: Sequence[int], what: str, max_len: int | None = MAX_INPUTS) -> list[int]:
    if len(inputs) == 0 or (max_len is not None and len(inputs) > max_len):
        limit = f"1..{max_len}" if max_len is not None else "at least 1"
        raise ValueError(f"{what} takes {limit} inputs, got {len(inputs)}")
    values = []
    for i, item in enumerate(inputs):
        if isinstance(item, bool):
            raise TypeError(f"{what} input [{i}] is bool, expected an integer")
        try:
            v = operator.index(item)  # int and numpy integers; never floats
        except TypeError:
            raise TypeError(f"{what} input [{i}] is {type(item).__name__}, expected an integer") from None
        values.append(v)
        if not 0 <= v < _P:
            raise ValueError(
                f"{what} input [{i}]={v} is not a field element: expected 0 <= x < r (the BN254 scalar field "
                "order); encode negative numbers with zkmargin.constants.to_field"
            )
    return values


def _pow5(x: int) -> int:
    return pow(x, 5, _P)


def _mix(state: list[int], matrix: tuple[tuple[int, ...], ...]) -> list[int]:
    """``out[i] = sum_j matrix[j][i] * state[j]`` (circomlib's ``Mix`` with its ``M[j][i]`` indexing)."""
    t = len(state)
    return [sum(matrix[j][i] * state[j] for j in range(t)) % _P for i in range(t)]


def poseidon(inputs: Sequence[int]) -> int:
    """Hash 1..16 field elements exactly like circomlib's ``Poseidon(len(inputs))``.

    Parameters
    ----------
    inputs : sequence of int
        Field elements, each ``0 <= x < r``.

    Returns
    -------
    int
        The field element ``Poseidon(n).out``.

    Raises
    ------
    ValueError
        For 0 or more than 16 inputs, or an input outside ``[0, r)``.
    """
    values = _check_inputs(inputs, "poseidon")
    t = len(values) + 1
    k = optimised_constants(t)
    c, s, half = k.c, k.s, N_ROUNDS_F // 2

    state = [(x + c[i]) % _P for i, x in enumerate([0, *values])]
    for r in range(half - 1):
        state = [(_pow5(x) + c[(r + 1) * t + i]) % _P for i, x in enumerate(state)]
        state = _mix(state, k.m)
    state = [(_pow5(x) + c[half * t + i]) % _P for i, x in enumerate(state)]
    state = _mix(state, k.p)

    base = (half + 1) * t
    for r in range(k.n_rounds_p):
        x0 = (_pow5(state[0]) + c[base + r]) % _P
        row = (2 * t - 1) * r
        new0 = (s[row] * x0 + sum(s[row + j] * state[j] for j in range(1, t))) % _P
        for j in range(1, t):
            state[j] = (state[j] + x0 * s[row + t + j - 1]) % _P
        state[0] = new0

    for r in range(half - 1):
        state = [(_pow5(x) + c[base + k.n_rounds_p + r * t + i]) % _P for i, x in enumerate(state)]
        state = _mix(state, k.m)
    state = [_pow5(x) for x in state]
    return sum(k.m[j][0] * state[j] for j in range(t)) % _P


def poseidon_reference(inputs: Sequence[int]) -> int:
    """Slow textbook Poseidon (HADES: full, partial, full rounds) with the original constants.

    Same contract as :func:`poseidon`; kept so the tests can check the
    optimised version against an obviously correct one.
    """
    values = _check_inputs(inputs, "poseidon_reference")
    t = len(values) + 1
    k = reference_constants(t)
    state = [0, *values]
    half = N_ROUNDS_F // 2
    for rnd in range(N_ROUNDS_F + k.n_rounds_p):
        state = [(x + k.c[rnd * t + i]) % _P for i, x in enumerate(state)]
        if rnd < half or rnd >= half + k.n_rounds_p:
            state = [_pow5(x) for x in state]
        else:
            state[0] = _pow5(state[0])
        state = [sum(k.m[i][j] * state[j] for j in range(t)) % _P for i in range(t)]
    return state[0]


def hash_list(values: Sequence[int]) -> int:
    """The project's hash of a list of field elements of any length >= 1.

    ``poseidon(values)`` for up to 16 values; otherwise the first 16 values
    are hashed and each following chunk ``c`` of up to 15 values is absorbed
    as ``h = poseidon([h, *c])``.  Mirrored by ``HashList(n)`` in
    ``circuits/lib/hash.circom``.

    Raises
    ------
    ValueError
        For an empty list or a value outside ``[0, r)`` (values are never reduced).
    """
    items = _check_inputs(values, "hash_list", max_len=None)
    h = poseidon(items[:MAX_INPUTS])
    for start in range(MAX_INPUTS, len(items), CHAIN_CHUNK):
        h = poseidon([h, *items[start:start + CHAIN_CHUNK]])
    return h
