"""BN254 arithmetic of the verifier against py_ecc, the plain reference.

``verifier.bn254_curve`` and ``verifier.bn254_pairing`` reimplement on plain
ints what py_ecc does with objects; every function is compared with py_ecc on
seeded random inputs, and the Miller loop must match py_ecc's value exactly
(before the final exponentiation), not only up to the final exponentiation.
"""

from __future__ import annotations

import random

import pytest
from groth16_helpers import (
    g1_from_py_ecc,
    g1_multiple,
    g1_to_py_ecc,
    g2_from_py_ecc,
    g2_multiple,
    g2_to_py_ecc,
    twist_point_outside_subgroup,
)
from py_ecc.fields import optimized_bn128_FQ2 as FQ2
from py_ecc.fields import optimized_bn128_FQ12 as FQ12
from py_ecc.optimized_bn128 import optimized_curve, optimized_pairing

from zkmargin.constants import BASE_FIELD_MODULUS, FIELD_ORDER
from zkmargin.verifier import bn254_pairing, bn254_pairing_reference
from zkmargin.verifier.bn254_curve import (
    TWIST_B,
    fq2_from_evm,
    fq2_inv,
    fq2_mul,
    fq2_sqr,
    fq2_to_evm,
    g1_is_on_curve,
    g1_linear_combination,
    g1_mul,
    g1_neg,
    g2_in_subgroup,
    g2_is_on_curve,
    g2_mul,
)
from zkmargin.verifier.bn254_pairing import (
    FQ12_ONE,
    final_exponentiation,
    fq12_conj6,
    fq12_frobenius,
    fq12_inv,
    fq12_mul,
    fq12_pow,
    fq12_sqr,
    multi_miller_loop,
    prepare_g2,
    twist_frobenius,
    twist_frobenius2,
)

_twist = optimized_pairing.twist  # type: ignore[attr-defined]  # not re-exported by py_ecc
P = BASE_FIELD_MODULUS
R = FIELD_ORDER


@pytest.fixture
def rng() -> random.Random:
    return random.Random(20240601)


def _fq12(values: tuple[int, ...]) -> FQ12:
    return FQ12(list(values))


def _ints(element: FQ12 | FQ2) -> tuple[int, ...]:
    return tuple(int(c) for c in element.coeffs)


# --------------------------------------------------------------------------- constants and Fq2


def test_constants_match_py_ecc() -> None:
    assert optimized_curve.field_modulus == P
    assert optimized_curve.curve_order == R
    assert _ints(optimized_curve.b2) == TWIST_B


def test_fq2_matches_py_ecc(rng: random.Random) -> None:
    for _ in range(20):
        a = (rng.randrange(P), rng.randrange(P))
        b = (rng.randrange(P), rng.randrange(P))
        assert fq2_mul(a, b) == _ints(FQ2(list(a)) * FQ2(list(b)))
        assert fq2_sqr(a) == _ints(FQ2(list(a)) * FQ2(list(a)))
        assert fq2_inv(a) == _ints(FQ2.one() / FQ2(list(a)))


def test_evm_order_flips_and_restores() -> None:
    assert fq2_to_evm((1, 2)) == (2, 1)
    assert fq2_from_evm(fq2_to_evm((1, 2))) == (1, 2)


# --------------------------------------------------------------------------- G1 and G2


def test_g1_arithmetic_matches_py_ecc(rng: random.Random) -> None:
    base = g1_multiple(rng.randrange(1, R))
    for _ in range(5):
        k = rng.randrange(R)
        assert g1_mul(base, k) == g1_from_py_ecc(optimized_curve.multiply(g1_to_py_ecc(base), k))
    k1, k2 = rng.randrange(R), rng.randrange(R)
    other = g1_multiple(7)
    expected = optimized_curve.add(optimized_curve.multiply(g1_to_py_ecc(base), k1),
                                   optimized_curve.multiply(g1_to_py_ecc(other), k2))
    assert g1_linear_combination([(base, k1), (other, k2), (None, 5)]) == g1_from_py_ecc(expected)


def test_g1_infinity_cases() -> None:
    g = g1_multiple(1)
    assert g1_mul(g, 0) is None
    assert g1_mul(g, R) is None
    assert g1_mul(None, 3) is None
    assert g1_linear_combination([(g, 5), (g1_neg(g), 5)]) is None
    assert g1_linear_combination([(g, 2), (g, R - 1)]) == g
    assert g1_is_on_curve(g) and not g1_is_on_curve((1, 3))


def test_g2_arithmetic_matches_py_ecc(rng: random.Random) -> None:
    base = g2_multiple(rng.randrange(1, R))
    for _ in range(3):
        k = rng.randrange(R)
        assert g2_mul(base, k) == g2_from_py_ecc(optimized_curve.multiply(g2_to_py_ecc(base), k))
    assert g2_mul(base, R) is None


def test_g2_subgroup_check_matches_py_ecc() -> None:
    inside = g2_multiple(123456789)
    outside = twist_point_outside_subgroup()
    for point, expected in ((inside, True), (outside, False)):
        assert g2_is_on_curve(point)
        assert optimized_curve.is_on_curve(g2_to_py_ecc(point), optimized_curve.b2)
        in_subgroup = optimized_curve.is_inf(optimized_curve.multiply(g2_to_py_ecc(point), R))
        assert in_subgroup is expected
        assert g2_in_subgroup(point) is expected


# --------------------------------------------------------------------------- Fq12


def test_fq12_matches_py_ecc(rng: random.Random) -> None:
    a = tuple(rng.randrange(P) for _ in range(12))
    b = tuple(rng.randrange(P) for _ in range(12))
    assert fq12_mul(a, b) == _ints(_fq12(a) * _fq12(b))
    assert fq12_sqr(a) == _ints(_fq12(a) * _fq12(a))
    assert fq12_mul(fq12_inv(a), a) == FQ12_ONE
    assert fq12_conj6(a) == _ints(_fq12(a) ** (P**6))
    for power in (1, 2):
        assert fq12_frobenius(a, power) == _ints(_fq12(a) ** (P**power))
    exponent = rng.getrandbits(300)
    assert fq12_pow(a, exponent) == _ints(_fq12(a) ** exponent)
    assert fq12_pow(a, 0) == FQ12_ONE


def test_twist_frobenius_matches_py_ecc() -> None:
    q = g2_multiple(99)
    twisted = _twist(g2_to_py_ecc(q))
    frob1 = tuple(c ** P for c in twisted)
    frob2 = tuple(c ** (P * P) for c in twisted)
    assert _twist(g2_to_py_ecc(twist_frobenius(q))) == frob1
    assert _twist(g2_to_py_ecc(twist_frobenius2(q))) == frob2


# --------------------------------------------------------------------------- pairing


def test_miller_loop_equals_py_ecc_exactly(rng: random.Random) -> None:
    for _ in range(2):
        p = g1_multiple(rng.randrange(1, R))
        q = g2_multiple(rng.randrange(1, R))
        ours = multi_miller_loop([(p, prepare_g2(q))])
        theirs = optimized_pairing.pairing(g2_to_py_ecc(q), g1_to_py_ecc(p), final_exponentiate=False)
        assert ours == _ints(theirs)
        assert final_exponentiation(ours) == _ints(optimized_pairing.final_exponentiate(theirs))


def test_multi_miller_loop_is_product_and_skips_infinity() -> None:
    p1, p2 = g1_multiple(5), g1_multiple(11)
    q1, q2 = g2_multiple(3), g2_multiple(17)
    product = multi_miller_loop([(p1, prepare_g2(q1)), (None, prepare_g2(q1)), (p2, prepare_g2(q2))])
    separate = fq12_mul(multi_miller_loop([(p1, prepare_g2(q1))]), multi_miller_loop([(p2, prepare_g2(q2))]))
    assert product == separate
    assert multi_miller_loop([]) == FQ12_ONE


@pytest.mark.parametrize("backend", ["fast", "py_ecc"])
def test_pairing_product_bilinearity_on_both_backends(backend: str) -> None:
    a, b = 1234567, 7654321
    lhs_p, lhs_q = g1_neg(g1_multiple(a)), g2_multiple(b)
    good = [(lhs_p, lhs_q), (g1_multiple(a * b % R), g2_multiple(1))]
    bad = [(lhs_p, lhs_q), (g1_multiple(a * b % R + 1), g2_multiple(1))]
    if backend == "fast":
        def check(pairs: list[tuple[tuple[int, int], tuple[tuple[int, int], tuple[int, int]]]]) -> bool:
            return bn254_pairing.pairing_product_is_one([(p, prepare_g2(q)) for p, q in pairs])
    else:
        check = bn254_pairing_reference.pairing_product_is_one
    assert check(good) is True
    assert check(bad) is False
