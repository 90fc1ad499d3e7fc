"""Is a verification key one that anyone can forge proofs for?  Decided from the key's points alone.

A Groth16 proof is only as good as the secrets of the setup behind its key.  zkmargin's dev setup derives
tau, alpha and beta from a *public* seed (:data:`~toolchain.devptau.DEV_SEED`), and snarkjs keys have
``gamma = G2``, so with ``L = IC[0] + Σ xᵢ·IC[i+1]`` anyone can answer any public signals ``x``:
``A = (alpha·beta)·G1 + L``, ``B = G2 + delta_2``, ``C = A`` satisfies the verification equation.  An
auditor must learn that from the key itself: a flag in a bundle or manifest says what its writer chose to
say, so :func:`dev_key_reason` never reads one.  It recomputes the dev points and compares:

* ``vk_alpha_1 == alpha·G1`` or ``vk_beta_2 == beta·G2`` for a dev seed: the key comes from the dev ptau
  (knowing beta alone forges: ``A = beta·alpha_1 + L``; knowing alpha does with the proving key's
  ``beta_1``);
* ``vk_delta_2`` is the G2 generator: ``delta = 1``, no phase-2 contribution was made
  (``A = alpha_1``, ``B = beta_2``, ``C = −L`` verifies);
* ``vk_alpha_1`` / ``vk_beta_2`` is the generator: phase 1 had no contribution (alpha or beta = 1).

**What it cannot see.**  A dev setup made with another seed is not recognisable: its points are
pseudorandom functions of that seed, indistinguishable from a ceremony's without it.  That is acceptable
for the threat this guards against: forgery by *anyone* needs the seed to be public.  A private seed makes
the key as trustworthy as its holder, like a one-party ceremony; a seed that is published somewhere (a
manifest's ``ptau.dev_seed``, a README) can be passed in ``seeds`` and is then checked against the points,
not believed.  Nor can a key show whether a ceremony's contributors destroyed their secrets: a key that
passes is "not recognisably forgeable", not "sound".

Pure Python (py_ecc), no Node; the dev points are computed once per seed (~0.1 s) and cached.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from typing import Any, Final

from py_ecc.optimized_bn128.optimized_curve import G1, G2, multiply, normalize

from zkmargin.toolchain.devptau import DEV_SEED, dev_secrets
from zkmargin.verifier.groth16_json import parse_verifying_key
from zkmargin.verifier.groth16_types import G1Point, G2Point, VerifyingKey

_G1Tuple = tuple[int, int]
_G2Tuple = tuple[tuple[int, int], tuple[int, int]]

FORGEABLE: Final = "anyone can forge proofs"


def _g1(point: Any) -> _G1Tuple:
    x, y = normalize(point)
    return int(x), int(y)


def _g2(point: Any) -> _G2Tuple:
    x, y = normalize(point)
    return (int(x.coeffs[0]), int(x.coeffs[1])), (int(y.coeffs[0]), int(y.coeffs[1]))


G1_GENERATOR: Final = _g1(G1)
G2_GENERATOR: Final = _g2(G2)


@functools.lru_cache(maxsize=16)
def dev_points(seed: str) -> tuple[_G1Tuple, _G2Tuple]:
    """``(alpha·G1, beta·G2)`` of the dev ptau written from ``seed`` (affine; cached per seed)."""
    secrets = dev_secrets(seed)
    return _g1(multiply(G1, secrets.alpha)), _g2(multiply(G2, secrets.beta))


def _as_g1(point: G1Point) -> _G1Tuple:
    return point.x, point.y


def _as_g2(point: G2Point) -> _G2Tuple:
    return (point.x[0], point.x[1]), (point.y[0], point.y[1])


def dev_key_reason(vkey: VerifyingKey | Mapping[str, Any], *, seeds: Iterable[str] = (DEV_SEED,)) -> str | None:
    """Why anyone can forge proofs under ``vkey``, in one line; ``None`` when the key shows no such sign.

    Parameters
    ----------
    vkey
        A parsed key, or a snarkjs ``verification_key.json`` object (parsed and validated here).
    seeds
        Dev seeds to test the key against; the public default seed is always tested too.  Pass a seed
        found in a manifest or bundle to have it *checked*: only the key's points decide.

    Returns
    -------
    str or None
        E.g. ``"vk_alpha_1 is alpha·G1 for the public dev seed 'zkmargin-insecure-dev-setup-v1': anyone can
        forge proofs"``.  ``None`` means "not recognisably forgeable", not "sound" (see the module notes).

    Raises
    ------
    MalformedKeyError
        ``vkey`` is a mapping that is not a valid snarkjs Groth16 BN254 key (e.g. a point was tampered with
        and left the curve).
    """
    key = vkey if isinstance(vkey, VerifyingKey) else parse_verifying_key(vkey)
    alpha, beta, delta = _as_g1(key.alpha), _as_g2(key.beta), _as_g2(key.delta)
    for seed in dict.fromkeys((DEV_SEED, *seeds)):
        dev_alpha, dev_beta = dev_points(seed)
        which = "the public dev seed" if seed == DEV_SEED else "the dev seed"
        if alpha == dev_alpha:
            return f"vk_alpha_1 is alpha·G1 for {which} {seed!r}: {FORGEABLE}"
        if beta == dev_beta:
            return f"vk_beta_2 is beta·G2 for {which} {seed!r}: {FORGEABLE}"
    if delta == G2_GENERATOR:
        return f"vk_delta_2 is the G2 generator (delta = 1, no phase-2 contribution): {FORGEABLE}"
    if beta == G2_GENERATOR:
        return f"vk_beta_2 is the G2 generator (beta = 1, powers of tau without contributions): {FORGEABLE}"
    if alpha == G1_GENERATOR:
        return ("vk_alpha_1 is the G1 generator (alpha = 1, powers of tau without contributions): "
                f"{FORGEABLE} with the proving key")
    return None
