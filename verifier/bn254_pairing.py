"""Optimal-ate pairing products on BN254, on plain ints, with one final exponentiation.

This is the fast path of the Groth16 verifier.  It computes exactly what
:func:`py_ecc.optimized_bn128.pairing` computes (same Fq12 basis, same loop,
same line values) but

* keeps the G2 point on the twist over Fq2 (affine) instead of mapping it into
  Fq12, so a Miller-loop step costs one Fq2 inversion plus one sparse Fq12
  product instead of ~30 dense Fq12 products;
* precomputes the line coefficients of a fixed G2 point once
  (:func:`prepare_g2`), so the verifying key's β, γ, δ cost nothing per proof;
* shares the squarings of the accumulator across all pairs of a product
  (:func:`multi_miller_loop`);
* does the easy part of the final exponentiation with Frobenius maps.

The tests check every function here against py_ecc's plain implementation.

Fq12 representation
-------------------
As in py_ecc: ``Fq12 = Fq[w] / (w¹² − 18·w⁶ + 82)``, an element is a tuple of 12
ints ``(c0, …, c11)`` meaning ``Σ cₖ·wᵏ``.  Fq2 embeds as ``a + b·i ↦ (a − 9b)
+ b·w⁶`` (``w⁶ = 9 + i``), and the twist point ``(X, Y)`` maps to the curve
point ``(X·w², Y·w³)`` over Fq12.

Line values
-----------
For ``T = (X·w², Y·w³)`` with slope ``λ = λ'·w`` (``λ' ∈ Fq2``), the line
through T evaluated at ``P = (xP, yP)`` is::

    ℓ(P) = λ(xP − xT) − (yP − yT) = −yP + (λ'·xP)·w + (Y − λ'·X)·w³

which is sparse: nonzero only at ``w⁰, w¹, w³, w⁷, w⁹``.  A prepared line
stores ``(λ'₀ − 9λ'₁, λ'₁, c₀ − 9c₁, c₁)`` with ``c = Y − λ'X``, so evaluating
it at P costs two Fq products.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Final

from py_ecc.fields import optimized_bn128_FQ12 as _PyEccFQ12
from py_ecc.optimized_bn128 import optimized_pairing as _py_ecc_pairing

from zkmargin.constants import BASE_FIELD_MODULUS, FIELD_ORDER
from zkmargin.verifier.bn254_curve import (
    BN_U,
    XI,
    Fq2,
    G1Affine,
    G2Affine,
    fq2_conj,
    fq2_inv,
    fq2_mul,
    fq2_neg,
    fq2_pow,
    fq2_scale,
    fq2_sqr,
    fq2_sub,
)

_P: Final = BASE_FIELD_MODULUS

Fq12 = tuple[int, ...]
#: One prepared line: ``(λ'₀ − 9λ'₁, λ'₁, c₀ − 9c₁, c₁)``, see the module docstring.
PreparedLine = tuple[int, int, int, int]
#: All lines of one G2 point's Miller loop, in loop order.
PreparedG2 = tuple[PreparedLine, ...]

FQ12_ONE: Final[Fq12] = (1,) + (0,) * 11

#: Optimal-ate loop count ``6u + 2`` and its signed-binary digits (least significant first).
ATE_LOOP_COUNT: Final = 6 * BN_U + 2
LOOP_DIGITS: Final[tuple[int, ...]] = tuple(_py_ecc_pairing.pseudo_binary_encoding)
if sum(d << i for i, d in enumerate(LOOP_DIGITS)) != ATE_LOOP_COUNT or _py_ecc_pairing.ate_loop_count != ATE_LOOP_COUNT:
    raise ImportError("BN254 optimal-ate loop digits do not encode 6u + 2")
#: Digits the Miller loop walks, most significant first, after the leading 1.
_LOOP_WALK: Final[tuple[int, ...]] = LOOP_DIGITS[-2::-1]
#: Number of lines per G2 point: one doubling per digit, one addition per nonzero digit, two Frobenius lines.
LINES_PER_POINT: Final = len(_LOOP_WALK) + sum(1 for d in _LOOP_WALK if d) + 2

#: Exponent of the hard part of the final exponentiation, ``(p⁴ − p² + 1) / r``.
HARD_EXPONENT: Final = (_P**4 - _P**2 + 1) // FIELD_ORDER
if HARD_EXPONENT * FIELD_ORDER != _P**4 - _P**2 + 1:
    raise ImportError("r does not divide p^4 - p^2 + 1: not the BN254 constants")

# Frobenius on the twist: (X, Y) ↦ (conj(X)·ξ^((p−1)/3), conj(Y)·ξ^((p−1)/2)) is
# the image of (x^p, y^p) on the curve over Fq12; applying it twice gives the p² map.
_FROB_X: Final[Fq2] = fq2_pow(XI, (_P - 1) // 3)
_FROB_Y: Final[Fq2] = fq2_pow(XI, (_P - 1) // 2)
_FROB2_X: Final[Fq2] = fq2_pow(XI, (_P**2 - 1) // 3)
_FROB2_Y: Final[Fq2] = fq2_pow(XI, (_P**2 - 1) // 2)


def twist_frobenius(point: G2Affine) -> G2Affine:
    """The p-power Frobenius ``π(Q)`` of a twist point, expressed on the twist."""
    x, y = point
    return fq2_mul(fq2_conj(x), _FROB_X), fq2_mul(fq2_conj(y), _FROB_Y)


def twist_frobenius2(point: G2Affine) -> G2Affine:
    """The p²-power Frobenius ``π²(Q)`` of a twist point, expressed on the twist."""
    x, y = point
    return fq2_mul(x, _FROB2_X), fq2_mul(y, _FROB2_Y)


# --------------------------------------------------------------------------- Fq12


def _reduce(r: list[int]) -> Fq12:
    """Reduce a degree-22 product modulo ``w¹² − 18w⁶ + 82`` and p."""
    for k in range(22, 11, -1):
        top = r[k]
        r[k - 6] += 18 * top
        r[k - 12] -= 82 * top
    return tuple(c % _P for c in r[:12])


def fq12_mul(a: Fq12, b: Fq12) -> Fq12:
    """Product in Fq12 (schoolbook, then one reduction)."""
    r = [0] * 23
    for i, ai in enumerate(a):
        if ai:
            for j, bj in enumerate(b):
                r[i + j] += ai * bj
    return _reduce(r)


def fq12_sqr(a: Fq12) -> Fq12:
    """Square in Fq12 (78 products instead of 144)."""
    r = [0] * 23
    for i in range(12):
        ai = a[i]
        if ai:
            r[2 * i] += ai * ai
            twice = 2 * ai
            for j in range(i + 1, 12):
                r[i + j] += twice * a[j]
    return _reduce(r)


def _fq12_mul_line(f: Fq12, l0: int, l1: int, l3: int, l7: int, l9: int) -> Fq12:
    """``f · ℓ`` for a line with coefficients only at ``w⁰, w¹, w³, w⁷, w⁹``."""
    r = [l0 * c for c in f]
    r.extend([0] * 11)
    for offset, coeff in ((1, l1), (3, l3), (7, l7), (9, l9)):
        if coeff:
            for j, c in enumerate(f):
                r[offset + j] += coeff * c
    return _reduce(r)


def fq12_inv(a: Fq12) -> Fq12:
    """Multiplicative inverse in Fq12 (py_ecc's extended Euclid; ~2 ms, once per check)."""
    return tuple(int(c) for c in _PyEccFQ12(list(a)).inv().coeffs)


def fq12_conj6(a: Fq12) -> Fq12:
    """``a^(p⁶)``: since ``w^(p⁶) = −w``, negate the odd coefficients."""
    return tuple(c if k % 2 == 0 else -c % _P for k, c in enumerate(a))


@functools.cache
def _frobenius_map(power: int) -> tuple[tuple[tuple[int, int], ...], ...]:
    """Sparse images ``(wᵏ)^(p^power)`` for k = 0..11, as ``((position, coeff), …)``.

    Coefficients of an Fq12 element are in Fq, which Frobenius fixes, so
    ``a^(p^power) = Σ cₖ·(wᵏ)^(p^power)``: a fixed linear map.
    """
    w = [0] * 12
    w[1] = 1
    w_image = tuple(int(c) for c in (_PyEccFQ12(w) ** (_P**power)).coeffs)
    images: list[tuple[tuple[int, int], ...]] = []
    current: Fq12 = FQ12_ONE
    for _ in range(12):
        images.append(tuple((pos, c) for pos, c in enumerate(current) if c))
        current = fq12_mul(current, w_image)
    return tuple(images)


def fq12_frobenius(a: Fq12, power: int) -> Fq12:
    """``a^(p^power)`` via the precomputed linear map."""
    r = [0] * 12
    for c, image in zip(a, _frobenius_map(power), strict=True):
        if c:
            for pos, coeff in image:
                r[pos] += c * coeff
    return tuple(x % _P for x in r)


def fq12_pow(a: Fq12, exponent: int) -> Fq12:
    """``a ** exponent`` for ``exponent >= 0`` (fixed 4-bit windows)."""
    if exponent == 0:
        return FQ12_ONE
    table = [FQ12_ONE, a]
    for _ in range(14):
        table.append(fq12_mul(table[-1], a))
    digits = []  # base-16 digits, least significant first; the last one is nonzero
    while exponent:
        digits.append(exponent & 15)
        exponent >>= 4
    result = table[digits[-1]]
    for digit in reversed(digits[:-1]):
        for _ in range(4):
            result = fq12_sqr(result)
        if digit:
            result = fq12_mul(result, table[digit])
    return result


def final_exponentiation(f: Fq12) -> Fq12:
    """``f^((p¹² − 1)/r)``, split as ``(p⁶ − 1)·(p² + 1)·(p⁴ − p² + 1)/r``."""
    t = fq12_mul(fq12_conj6(f), fq12_inv(f))  # f^(p^6 - 1)
    t = fq12_mul(fq12_frobenius(t, 2), t)  # ^(p^2 + 1)
    return fq12_pow(t, HARD_EXPONENT)


# --------------------------------------------------------------------------- Miller loop


def _line(slope: Fq2, point: G2Affine) -> PreparedLine:
    x, y = point
    c = fq2_sub(y, fq2_mul(slope, x))
    return (slope[0] - 9 * slope[1]) % _P, slope[1], (c[0] - 9 * c[1]) % _P, c[1]


def _double_step(t: G2Affine) -> tuple[PreparedLine, G2Affine]:
    x, y = t
    slope = fq2_mul(fq2_scale(fq2_sqr(x), 3), fq2_inv(fq2_scale(y, 2)))
    x3 = fq2_sub(fq2_sqr(slope), fq2_scale(x, 2))
    y3 = fq2_sub(fq2_mul(slope, fq2_sub(x, x3)), y)
    return _line(slope, t), (x3, y3)


def _add_step(t: G2Affine, q: G2Affine) -> tuple[PreparedLine, G2Affine]:
    (x1, y1), (x2, y2) = t, q
    dx = fq2_sub(x2, x1)
    if dx == (0, 0):
        # T = ±Q happens only if Q's order divides a partial loop count, never for Q in G2.
        raise ArithmeticError("degenerate Miller-loop addition: the G2 point is not in the r-subgroup")
    slope = fq2_mul(fq2_sub(y2, y1), fq2_inv(dx))
    x3 = fq2_sub(fq2_sub(fq2_sqr(slope), x1), x2)
    y3 = fq2_sub(fq2_mul(slope, fq2_sub(x1, x3)), y1)
    return _line(slope, t), (x3, y3)


def prepare_g2(q: G2Affine) -> PreparedG2:
    """All Miller-loop line coefficients of a G2 point (``LINES_PER_POINT`` lines).

    ``q`` must be an affine point of G2 (on the twist and in the r-subgroup).
    """
    lines: list[PreparedLine] = []
    neg_q = (q[0], fq2_neg(q[1]))
    t = q
    for digit in _LOOP_WALK:
        line, t = _double_step(t)
        lines.append(line)
        if digit:
            line, t = _add_step(t, q if digit == 1 else neg_q)
            lines.append(line)
    q1 = twist_frobenius(q)
    q2 = twist_frobenius2(q)
    neg_q2 = (q2[0], fq2_neg(q2[1]))
    line, t = _add_step(t, q1)
    lines.append(line)
    line, _ = _add_step(t, neg_q2)
    lines.append(line)
    return tuple(lines)


def multi_miller_loop(pairs: Sequence[tuple[G1Affine | None, PreparedG2]]) -> Fq12:
    """``Π f_{6u+2,Qⱼ}(Pⱼ)·(Frobenius lines)`` without final exponentiation.

    Parameters
    ----------
    pairs
        ``(P, prepare_g2(Q))`` pairs; ``P is None`` (the point at infinity)
        contributes the factor 1 and is skipped.

    Returns
    -------
    Fq12
        The product of the Miller-loop values, equal to the product of py_ecc's
        ``pairing(Q, P, final_exponentiate=False)`` over the pairs.
    """
    live = [(p[0], -p[1] % _P, lines) for p, lines in pairs if p is not None]
    f: Fq12 = FQ12_ONE
    index = 0
    first = True
    for digit in _LOOP_WALK:
        if not first:
            f = fq12_sqr(f)
        first = False
        for xp, neg_yp, lines in live:
            a, b, c, d = lines[index]
            f = _fq12_mul_line(f, neg_yp, a * xp % _P, c, b * xp % _P, d)
        index += 1
        if digit:
            for xp, neg_yp, lines in live:
                a, b, c, d = lines[index]
                f = _fq12_mul_line(f, neg_yp, a * xp % _P, c, b * xp % _P, d)
            index += 1
    for _ in range(2):
        for xp, neg_yp, lines in live:
            a, b, c, d = lines[index]
            f = _fq12_mul_line(f, neg_yp, a * xp % _P, c, b * xp % _P, d)
        index += 1
    return f


def pairing_product_is_one(pairs: Sequence[tuple[G1Affine | None, PreparedG2]], extra: Fq12 = FQ12_ONE) -> bool:
    """Whether ``final_exponentiation(extra · multi_miller_loop(pairs)) == 1``.

    ``extra`` is a precomputed Miller-loop value (e.g. of ``e(α, β)``) folded
    into the same single final exponentiation.
    """
    f = multi_miller_loop(pairs)
    if extra != FQ12_ONE:
        f = fq12_mul(f, extra)
    return final_exponentiation(f) == FQ12_ONE
