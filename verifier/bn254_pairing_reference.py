"""Plain reference for pairing-product checks: py_ecc's own pairing, unmodified.

Slow (~0.2 s per Miller loop, ~0.2 s per final exponentiation) and obviously
correct; the tests run the Groth16 verifier against it and against the fast
:mod:`verifier.bn254_pairing`, which must agree.
"""

from __future__ import annotations

from collections.abc import Sequence

from py_ecc.fields import optimized_bn128_FQ as _FQ
from py_ecc.fields import optimized_bn128_FQ2 as _FQ2
from py_ecc.fields import optimized_bn128_FQ12 as _FQ12
from py_ecc.optimized_bn128.optimized_pairing import final_exponentiate as _final_exponentiate
from py_ecc.optimized_bn128.optimized_pairing import pairing as _pairing

from zkmargin.verifier.bn254_curve import G1Affine, G2Affine


def pairing_product_is_one(pairs: Sequence[tuple[G1Affine | None, G2Affine]]) -> bool:
    """Whether ``Π e(Pⱼ, Qⱼ) == 1``, with one final exponentiation of the Miller-loop product.

    Parameters
    ----------
    pairs
        ``(P, Q)`` with P an affine G1 point or ``None`` (infinity, factor 1)
        and Q an affine G2 point as ``((x.c0, x.c1), (y.c0, y.c1))``.
    """
    product = _FQ12.one()
    for p, q in pairs:
        if p is None:
            continue
        q_jac = (_FQ2(list(q[0])), _FQ2(list(q[1])), _FQ2.one())
        p_jac = (_FQ(p[0]), _FQ(p[1]), _FQ.one())
        product = product * _pairing(q_jac, p_jac, final_exponentiate=False)
    return bool(_final_exponentiate(product) == _FQ12.one())
