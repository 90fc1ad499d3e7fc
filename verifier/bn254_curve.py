"""BN254 (alt_bn128) base field, Fq2, and G1 / G2 point arithmetic on plain ints.

This is the curve snarkjs calls ``bn128`` and Ethereum's EIP-196/197 precompiles
implement.  Everything here works on Python ``int`` tuples (no objects) because
the Groth16 verifier calls it in hot loops; :mod:`py_ecc` is the slow reference
that the tests compare against.

Curves
------
* G1: ``y² = x³ + 3`` over Fq.  Its group order is the prime ``r``
  (cofactor 1), so every affine point on the curve is in the r-subgroup.
* G2: the sextic D-twist ``y² = x³ + 3/(9 + i)`` over Fq2 = Fq[i]/(i² + 1).
  Its group order is ``r·(2p − r)``, so a point on the twist is in G2 only
  when ``r·Q`` is the point at infinity (:func:`g2_in_subgroup`).

Fq2 coordinate order (pinned by golden vectors in the tests)
------------------------------------------------------------
An Fq2 element is ``c0 + c1·i`` and is held here as the tuple ``(c0, c1)``.

=======================================  ==========================
where                                    order of the two numbers
=======================================  ==========================
snarkjs JSON (``pi_b``, ``vk_*_2``)      ``[c0, c1]`` (real first)
py_ecc ``FQ2([c0, c1])``                 ``[c0, c1]`` (real first)
this module                              ``(c0, c1)`` (real first)
Solidity / EVM precompile calldata       ``(c1, c0)`` (imaginary first)
=======================================  ==========================

:func:`fq2_to_evm` and :func:`fq2_from_evm` are the only places where the
order flips.

Point encodings
---------------
Affine points are ``(x, y)`` tuples; the point at infinity is ``None``.
Jacobian points ``(X, Y, Z)`` stand for ``(X/Z², Y/Z³)``; ``Z == 0`` is infinity.
"""

from __future__ import annotations

from typing import Final

from zkmargin.constants import BASE_FIELD_MODULUS, FIELD_ORDER

#: BN parameter u (``p = 36u⁴ + 36u³ + 24u² + 6u + 1``).
BN_U: Final = 4965661367192848881

_P: Final = BASE_FIELD_MODULUS

Fq2 = tuple[int, int]
G1Affine = tuple[int, int]
G2Affine = tuple[Fq2, Fq2]
G1Jacobian = tuple[int, int, int]
G2Jacobian = tuple[Fq2, Fq2, Fq2]

FQ2_ZERO: Final[Fq2] = (0, 0)
FQ2_ONE: Final[Fq2] = (1, 0)

# --------------------------------------------------------------------------- Fq2


def fq2_add(a: Fq2, b: Fq2) -> Fq2:
    """Sum in Fq2."""
    return (a[0] + b[0]) % _P, (a[1] + b[1]) % _P


def fq2_sub(a: Fq2, b: Fq2) -> Fq2:
    """Difference in Fq2."""
    return (a[0] - b[0]) % _P, (a[1] - b[1]) % _P


def fq2_neg(a: Fq2) -> Fq2:
    """Additive inverse in Fq2."""
    return -a[0] % _P, -a[1] % _P


def fq2_mul(a: Fq2, b: Fq2) -> Fq2:
    """Product in Fq2 (``i² = −1``)."""
    a0, a1 = a
    b0, b1 = b
    return (a0 * b0 - a1 * b1) % _P, (a0 * b1 + a1 * b0) % _P


def fq2_sqr(a: Fq2) -> Fq2:
    """Square in Fq2."""
    a0, a1 = a
    return (a0 + a1) * (a0 - a1) % _P, 2 * a0 * a1 % _P


def fq2_scale(a: Fq2, k: int) -> Fq2:
    """Product of an Fq2 element with an Fq scalar ``k``."""
    return a[0] * k % _P, a[1] * k % _P


def fq2_inv(a: Fq2) -> Fq2:
    """Multiplicative inverse in Fq2; ``ZeroDivisionError`` for zero."""
    a0, a1 = a
    norm = (a0 * a0 + a1 * a1) % _P
    if norm == 0:
        raise ZeroDivisionError("inverse of zero in Fq2")
    inv = pow(norm, -1, _P)
    return a0 * inv % _P, -a1 * inv % _P


def fq2_conj(a: Fq2) -> Fq2:
    """Conjugate ``c0 − c1·i``, which is the Frobenius map ``a ↦ a^p`` on Fq2."""
    return a[0], -a[1] % _P


def fq2_pow(a: Fq2, exponent: int) -> Fq2:
    """``a ** exponent`` in Fq2 for ``exponent >= 0`` (square and multiply)."""
    result = FQ2_ONE
    base = a
    while exponent:
        if exponent & 1:
            result = fq2_mul(result, base)
        base = fq2_sqr(base)
        exponent >>= 1
    return result


def fq2_to_evm(a: Fq2) -> tuple[int, int]:
    """Fq2 element in EVM precompile / Solidity calldata order ``(c1, c0)``."""
    return a[1], a[0]


def fq2_from_evm(evm_pair: tuple[int, int]) -> Fq2:
    """Fq2 element from EVM calldata order ``(c1, c0)`` back to ``(c0, c1)``."""
    return evm_pair[1], evm_pair[0]


#: ``ξ = 9 + i``, the non-residue that defines the sextic twist and Fq12.
XI: Final[Fq2] = (9, 1)
#: ``b' = 3 / ξ``, the constant of the twist curve ``y² = x³ + b'``.
TWIST_B: Final[Fq2] = fq2_mul((3, 0), fq2_inv(XI))

# --------------------------------------------------------------------------- G1


def g1_is_on_curve(point: G1Affine) -> bool:
    """Whether the affine point satisfies ``y² = x³ + 3`` (coordinates already < p)."""
    x, y = point
    return (y * y - x * x * x - 3) % _P == 0


def g1_neg(point: G1Affine) -> G1Affine:
    """``−P`` for an affine G1 point."""
    return point[0], -point[1] % _P


def _g1_double_jac(pt: G1Jacobian) -> G1Jacobian:
    x, y, z = pt
    if z == 0 or y == 0:
        return 1, 1, 0
    a = x * x % _P
    b = y * y % _P
    c = b * b % _P
    d = 2 * ((x + b) * (x + b) - a - c) % _P
    e = 3 * a % _P
    x3 = (e * e - 2 * d) % _P
    y3 = (e * (d - x3) - 8 * c) % _P
    z3 = 2 * y * z % _P
    return x3, y3, z3


def _g1_add_jac(p1: G1Jacobian, p2: G1Jacobian) -> G1Jacobian:
    x1, y1, z1 = p1
    x2, y2, z2 = p2
    if z1 == 0:
        return p2
    if z2 == 0:
        return p1
    z1z1 = z1 * z1 % _P
    z2z2 = z2 * z2 % _P
    u1 = x1 * z2z2 % _P
    u2 = x2 * z1z1 % _P
    s1 = y1 * z2 * z2z2 % _P
    s2 = y2 * z1 * z1z1 % _P
    if u1 == u2:
        return _g1_double_jac(p1) if s1 == s2 else (1, 1, 0)
    h = (u2 - u1) % _P
    i = 4 * h * h % _P
    j = h * i % _P
    rr = 2 * (s2 - s1) % _P
    v = u1 * i % _P
    x3 = (rr * rr - j - 2 * v) % _P
    y3 = (rr * (v - x3) - 2 * s1 * j) % _P
    z3 = ((z1 + z2) * (z1 + z2) - z1z1 - z2z2) * h % _P
    return x3, y3, z3


def _g1_to_affine(pt: G1Jacobian) -> G1Affine | None:
    x, y, z = pt
    if z == 0:
        return None
    zinv = pow(z, -1, _P)
    zinv2 = zinv * zinv % _P
    return x * zinv2 % _P, y * zinv2 * zinv % _P


def _g1_mul_jac(point: G1Affine, scalar: int) -> G1Jacobian:
    acc: G1Jacobian = (1, 1, 0)
    base: G1Jacobian = (point[0], point[1], 1)
    for bit in bin(scalar)[2:]:
        acc = _g1_double_jac(acc)
        if bit == "1":
            acc = _g1_add_jac(acc, base)
    return acc


def g1_mul(point: G1Affine | None, scalar: int) -> G1Affine | None:
    """``scalar · P`` for ``scalar >= 0``; ``None`` is the point at infinity."""
    if point is None or scalar % FIELD_ORDER == 0:
        return None
    return _g1_to_affine(_g1_mul_jac(point, scalar % FIELD_ORDER))


def g1_linear_combination(terms: list[tuple[G1Affine | None, int]]) -> G1Affine | None:
    """``Σ kᵢ · Pᵢ`` over ``(Pᵢ, kᵢ)`` pairs; ``None`` is the point at infinity."""
    acc: G1Jacobian = (1, 1, 0)
    for point, scalar in terms:
        k = scalar % FIELD_ORDER
        if point is None or k == 0:
            continue
        acc = _g1_add_jac(acc, _g1_mul_jac(point, k))
    return _g1_to_affine(acc)


# --------------------------------------------------------------------------- G2


def g2_is_on_curve(point: G2Affine) -> bool:
    """Whether the affine point satisfies the twist equation ``y² = x³ + 3/(9+i)``."""
    x, y = point
    lhs = fq2_sqr(y)
    rhs = fq2_add(fq2_mul(fq2_sqr(x), x), TWIST_B)
    return lhs == rhs


_G2_INF: Final[G2Jacobian] = (FQ2_ONE, FQ2_ONE, FQ2_ZERO)


def _g2_double_jac(pt: G2Jacobian) -> G2Jacobian:
    x, y, z = pt
    if z == FQ2_ZERO or y == FQ2_ZERO:
        return _G2_INF
    a = fq2_sqr(x)
    b = fq2_sqr(y)
    c = fq2_sqr(b)
    xb = fq2_add(x, b)
    d = fq2_scale(fq2_sub(fq2_sub(fq2_sqr(xb), a), c), 2)
    e = fq2_scale(a, 3)
    x3 = fq2_sub(fq2_sqr(e), fq2_scale(d, 2))
    y3 = fq2_sub(fq2_mul(e, fq2_sub(d, x3)), fq2_scale(c, 8))
    z3 = fq2_scale(fq2_mul(y, z), 2)
    return x3, y3, z3


def _g2_add_jac(p1: G2Jacobian, p2: G2Jacobian) -> G2Jacobian:
    x1, y1, z1 = p1
    x2, y2, z2 = p2
    if z1 == FQ2_ZERO:
        return p2
    if z2 == FQ2_ZERO:
        return p1
    z1z1 = fq2_sqr(z1)
    z2z2 = fq2_sqr(z2)
    u1 = fq2_mul(x1, z2z2)
    u2 = fq2_mul(x2, z1z1)
    s1 = fq2_mul(fq2_mul(y1, z2), z2z2)
    s2 = fq2_mul(fq2_mul(y2, z1), z1z1)
    if u1 == u2:
        return _g2_double_jac(p1) if s1 == s2 else _G2_INF
    h = fq2_sub(u2, u1)
    i = fq2_scale(fq2_sqr(h), 4)
    j = fq2_mul(h, i)
    rr = fq2_scale(fq2_sub(s2, s1), 2)
    v = fq2_mul(u1, i)
    x3 = fq2_sub(fq2_sub(fq2_sqr(rr), j), fq2_scale(v, 2))
    y3 = fq2_sub(fq2_mul(rr, fq2_sub(v, x3)), fq2_scale(fq2_mul(s1, j), 2))
    z12 = fq2_add(z1, z2)
    z3 = fq2_mul(fq2_sub(fq2_sub(fq2_sqr(z12), z1z1), z2z2), h)
    return x3, y3, z3


def _g2_mul_jac(point: G2Affine, scalar: int) -> G2Jacobian:
    acc = _G2_INF
    base: G2Jacobian = (point[0], point[1], FQ2_ONE)
    for bit in bin(scalar)[2:]:
        acc = _g2_double_jac(acc)
        if bit == "1":
            acc = _g2_add_jac(acc, base)
    return acc


def g2_mul(point: G2Affine, scalar: int) -> G2Affine | None:
    """``scalar · Q`` for ``scalar >= 0`` (no reduction mod r: Q may lie outside G2)."""
    x, y, z = _g2_mul_jac(point, scalar)
    if z == FQ2_ZERO:
        return None
    zinv = fq2_inv(z)
    zinv2 = fq2_sqr(zinv)
    return fq2_mul(x, zinv2), fq2_mul(fq2_mul(y, zinv2), zinv)


def g2_in_subgroup(point: G2Affine) -> bool:
    """Whether an on-twist point lies in the order-r subgroup G2, i.e. ``r·Q == O``.

    This is the plain definition (one 254-bit scalar multiplication, a few ms),
    not an endomorphism shortcut.  The twist has order ``r·(2p − r)`` and the
    cofactor ``2p − r`` has the small prime factor 10069, so an on-curve point
    may carry a small-order component, while the soundness arguments of the
    Groth16 pairing check and of random-linear-combination batching assume
    inputs of prime order r.
    """
    return _g2_mul_jac(point, FIELD_ORDER)[2] == FQ2_ZERO
