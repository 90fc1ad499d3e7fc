"""Helpers for the Groth16 verifier tests: fixture paths, py_ecc conversions, bad G2 points."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any, Final

from py_ecc.fields import optimized_bn128_FQ as FQ
from py_ecc.fields import optimized_bn128_FQ2 as FQ2
from py_ecc.optimized_bn128 import optimized_curve

from zkmargin.constants import BASE_FIELD_MODULUS
from zkmargin.verifier.bn254_curve import (
    TWIST_B,
    Fq2,
    G1Affine,
    G2Affine,
    fq2_add,
    fq2_conj,
    fq2_mul,
    fq2_pow,
    fq2_sqr,
    g2_in_subgroup,
    g2_is_on_curve,
)

FIXTURES: Final = Path(__file__).resolve().parent / "fixtures" / "groth16"
N_FIXTURE_PROOFS: Final = 3


def fixture_json(name: str) -> Any:
    """Decoded JSON of a fixture file, e.g. ``fixture_json("proof_0.json")``."""
    return json.loads((FIXTURES / name).read_text())


def vkey_json() -> dict[str, Any]:
    return dict(fixture_json("vkey.json"))


def proof_json(index: int) -> dict[str, Any]:
    return dict(fixture_json(f"proof_{index}.json"))


def public_json(index: int) -> list[str]:
    return list(fixture_json(f"public_{index}.json"))


def deep(value: Any) -> Any:
    return copy.deepcopy(value)


# --------------------------------------------------------------------------- py_ecc conversions


def g1_to_py_ecc(point: G1Affine) -> tuple[FQ, FQ, FQ]:
    return FQ(point[0]), FQ(point[1]), FQ.one()


def g2_to_py_ecc(point: G2Affine) -> tuple[FQ2, FQ2, FQ2]:
    return FQ2(list(point[0])), FQ2(list(point[1])), FQ2.one()


def g1_from_py_ecc(point: Any) -> G1Affine | None:
    if optimized_curve.is_inf(point):
        return None
    x, y = optimized_curve.normalize(point)
    return int(x.n), int(y.n)


def g2_from_py_ecc(point: Any) -> G2Affine | None:
    if optimized_curve.is_inf(point):
        return None
    x, y = optimized_curve.normalize(point)
    return (int(x.coeffs[0]), int(x.coeffs[1])), (int(y.coeffs[0]), int(y.coeffs[1]))


def g1_multiple(k: int) -> G1Affine:
    point = g1_from_py_ecc(optimized_curve.multiply(optimized_curve.G1, k))
    assert point is not None
    return point


def g2_multiple(k: int) -> G2Affine:
    point = g2_from_py_ecc(optimized_curve.multiply(optimized_curve.G2, k))
    assert point is not None
    return point


# --------------------------------------------------------------------------- points off G2


def fq2_sqrt(a: Fq2) -> Fq2 | None:
    """A square root in Fq2 (p ≡ 3 mod 4; Adj and Rodríguez-Henríquez, Alg. 9), or None."""
    p = BASE_FIELD_MODULUS
    a1 = fq2_pow(a, (p - 3) // 4)
    alpha = fq2_mul(fq2_sqr(a1), a)
    if fq2_mul(fq2_conj(alpha), alpha) == (p - 1, 0):
        return None
    x0 = fq2_mul(a1, a)
    factor = (0, 1) if alpha == (p - 1, 0) else fq2_pow(fq2_add((1, 0), alpha), (p - 1) // 2)
    root = fq2_mul(factor, x0)
    return root if fq2_sqr(root) == a else None


def twist_point_outside_subgroup(start: int = 1) -> G2Affine:
    """The first point ``(x, y)`` with ``x = (k, 1)``, k >= start, on the G2 twist but not in G2."""
    k = start
    while True:
        x = (k, 1)
        y = fq2_sqrt(fq2_add(fq2_mul(fq2_sqr(x), x), TWIST_B))
        if y is not None and not g2_in_subgroup((x, y)):
            assert g2_is_on_curve((x, y))
            return x, y
        k += 1


def g2_to_snarkjs(point: G2Affine) -> list[list[str]]:
    return [[str(point[0][0]), str(point[0][1])], [str(point[1][0]), str(point[1][1])], ["1", "0"]]
