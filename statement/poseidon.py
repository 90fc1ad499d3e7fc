"""Poseidon over the BN254 scalar field, bit-identical to circomlib's ``Poseidon(n)``.

Two implementations sit behind one API, in the spirit of ``py_ecc``:

* :func:`poseidon` mirrors circomlib 2.0.5's optimised template
  (``circuits/poseidon.circom``: full rounds with ``M``, the pre-sparse matrix
  ``P``, sparse partial rounds with ``S``) and is the one the project uses;
* :func:`poseidon_reference` is the plain HADES permutation of the original
  paper with the original constants (``circuits/poseidon_old.circom``), slow
  and obviously correct, kept for the tests.

Both take their constants from :mod:`zkmargin.statement.poseidon_constants`, a
module generated from the pinned circomlib's own ``.circom`` sources by
``scripts/gen_poseidon_constants.py`` and checked against the installed
circomlib by ``tests/test_poseidon.py``; hashing needs neither Node nor
``node_modules``.

:func:`hash_list` is the project's hash of a list of any length, mirrored by
``HashList(n)`` in ``circuits/lib/hash.circom``.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from zkmargin.constants import FIELD_ORDER
from zkmargin.statement import poseidon_constants as _constants

#: circomlib's full-round count and partial rounds per state width t = 2..17 (from the generated module).
N_ROUNDS_F: Final = _constants.N_ROUNDS_F
N_ROUNDS_P: Final = _constants.N_ROUNDS_P
#: Most inputs one Poseidon call takes (circomlib supports state widths t = 2..17).
MAX_INPUTS: Final = len(N_ROUNDS_P)
#: Inputs absorbed per chained call after the first in :func:`hash_list` (one slot carries the running hash).
CHAIN_CHUNK: Final = MAX_INPUTS - 1

_P: Final = FIELD_ORDER


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


def _square(flat: tuple[int, ...], t: int) -> tuple[tuple[int, ...], ...]:
    return tuple(flat[row * t:(row + 1) * t] for row in range(t))


def _check_width(t: int) -> int:
    if not 2 <= t <= MAX_INPUTS + 1:
        raise ValueError(f"Poseidon state width t={t} is outside circomlib's supported 2..{MAX_INPUTS + 1}")
    return N_ROUNDS_P[t - 2]


@functools.cache
def optimised_constants(t: int) -> OptimisedConstants:
    """Constants of circomlib's optimised ``PoseidonEx`` for state width ``t`` (shaped once, cached)."""
    n_rounds_p = _check_width(t)
    return OptimisedConstants(t=t, n_rounds_p=n_rounds_p, c=_constants.OPTIMISED_C[t], s=_constants.OPTIMISED_S[t],
                              m=_square(_constants.OPTIMISED_M[t], t), p=_square(_constants.OPTIMISED_P[t], t))


@functools.cache
def reference_constants(t: int) -> ReferenceConstants:
    """Original Poseidon constants for state width ``t`` (shaped once, cached)."""
    n_rounds_p = _check_width(t)
    return ReferenceConstants(t=t, n_rounds_p=n_rounds_p, c=_constants.REFERENCE_C[t],
                              m=_square(_constants.REFERENCE_M[t], t))


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
