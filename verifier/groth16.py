"""Groth16 verification over BN254 in pure Python (no Node at runtime).

Checks the same equation as ``snarkjs groth16 verify`` on snarkjs's JSON
formats, with stricter input validation (see :mod:`verifier.groth16_json`):

    e(−A, B) · e(α, β) · e(vk_x, γ) · e(C, δ) == 1,   vk_x = IC₀ + Σᵢ sᵢ·ICᵢ₊₁

as one product of Miller loops and a single final exponentiation.

Public API
----------
* :func:`verify` — one proof; ``True`` / ``False``.
* :func:`verify_bundle` — one bundle ``{"proof": …, "publicSignals": […]}``.
* :func:`verify_batch` — k proofs under one key, per-proof
  :class:`BatchResult` (random linear combination, bisection on failure).
* :func:`as_verifying_key` — parse once, reuse for many calls.

Return value versus exception
-----------------------------
Malformed input (bad JSON shape, a coordinate ``>= p``, a point off its curve
or outside the r-subgroup, a point at infinity, a public signal ``>= r``, the
wrong number of public signals, wrong ``protocol`` / ``curve``) never reaches
a pairing: :func:`verify` raises :class:`MalformedProofError` or
:class:`MalformedKeyError` (both :class:`VerificationInputError`, a
``ValueError``) with a one-line message naming the field.  A well-formed proof
that fails the pairing check returns ``False``.  :func:`verify_batch` never
raises for a bad item: it reports ``BatchResult(ok=False, reason=…)``; only a
malformed key raises.

Backends
--------
:attr:`PairingBackend.FAST` (default) uses :mod:`verifier.bn254_pairing`
(prepared lines for the key's β, γ, δ and the Miller loop of ``e(α, β)``
cached per key).  :attr:`PairingBackend.PY_ECC` uses py_ecc's unmodified
pairing (:mod:`verifier.bn254_pairing_reference`): slow, kept so the tests can
run every check against both.
"""

from __future__ import annotations

import enum
import functools
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from zkmargin.constants import FIELD_ORDER
from zkmargin.verifier import bn254_pairing, bn254_pairing_reference
from zkmargin.verifier import groth16_errors as msg
from zkmargin.verifier.bn254_curve import G1Affine, G2Affine, g1_linear_combination, g1_mul, g1_neg
from zkmargin.verifier.bn254_pairing import FQ12_ONE, Fq12, PreparedG2, prepare_g2
from zkmargin.verifier.groth16_errors import MalformedKeyError, MalformedProofError, VerificationInputError
from zkmargin.verifier.groth16_json import parse_bundle, parse_proof, parse_public_signals, parse_verifying_key
from zkmargin.verifier.groth16_types import Proof, ProofBundle, VerifyingKey

__all__ = [
    "BATCH_SCALAR_BITS",
    "BatchItem",
    "BatchResult",
    "MalformedKeyError",
    "MalformedProofError",
    "PairingBackend",
    "Proof",
    "ProofBundle",
    "VerificationInputError",
    "VerifyingKey",
    "as_verifying_key",
    "verify",
    "verify_batch",
    "verify_bundle",
]

#: Bits of the random scalars of a batch check; a batch containing an invalid
#: proof passes with probability at most about ``2**-BATCH_SCALAR_BITS``.
BATCH_SCALAR_BITS: Final = 128

VerifyingKeyInput = VerifyingKey | Mapping[str, Any] | str | bytes
ProofInput = Proof | Mapping[str, Any] | str | bytes
PublicSignalsInput = Sequence[int | str] | str | bytes
BatchItem = ProofBundle | Mapping[str, Any] | tuple[ProofInput, PublicSignalsInput]


class PairingBackend(enum.Enum):
    """Which implementation evaluates the pairing product."""

    FAST = "fast"
    PY_ECC = "py_ecc"


@dataclass(frozen=True)
class BatchResult:
    """Verdict on one item of :func:`verify_batch`.

    Attributes
    ----------
    ok
        ``True`` iff the item is well formed and its proof verifies.
    reason
        ``None`` when ``ok``; otherwise ``"malformed: <field>: <why>"`` or
        the pairing-check failure message.

    ``bool(result)`` is ``result.ok``, so ``all(verify_batch(...))`` works.
    """

    ok: bool
    reason: str | None = None

    def __bool__(self) -> bool:
        return self.ok


# --------------------------------------------------------------------------- input coercion


def as_verifying_key(vkey: VerifyingKeyInput) -> VerifyingKey:
    """A :class:`VerifyingKey` from itself, a decoded ``verification_key.json`` or its text.

    Raises
    ------
    MalformedKeyError
        If the key is malformed.
    """
    return vkey if isinstance(vkey, VerifyingKey) else parse_verifying_key(vkey)


def _as_proof(proof: ProofInput, where: str = "proof") -> Proof:
    return proof if isinstance(proof, Proof) else parse_proof(proof, where=where)


def _as_signals(signals: PublicSignalsInput, where: str = "publicSignals") -> tuple[int, ...]:
    return parse_public_signals(signals, where=where)


def _as_bundle(item: object, where: str) -> ProofBundle:
    if isinstance(item, ProofBundle):
        return item
    if isinstance(item, Mapping):
        return parse_bundle(item, where=where)
    if isinstance(item, tuple) and len(item) == 2:
        proof = _as_proof(item[0], where=f"{where}.proof")
        return ProofBundle(proof=proof, public_signals=_as_signals(item[1], where=f"{where}.publicSignals"))
    raise MalformedProofError(msg.proof_item_type(item), field=where)


def _check_signal_count(vkey: VerifyingKey, signals: tuple[int, ...], where: str) -> None:
    if len(signals) != vkey.n_public:
        raise MalformedProofError(msg.signal_count_mismatch(len(signals), vkey.n_public), field=where)


# --------------------------------------------------------------------------- the pairing equation


@dataclass(frozen=True)
class _PreparedKey:
    """Per-key precomputation for the fast backend."""

    beta: PreparedG2
    gamma: PreparedG2
    delta: PreparedG2
    alpha_beta: Fq12  # Miller loop of e(α, β), folded into every single-proof check


@functools.lru_cache(maxsize=16)
def _prepare_key(vkey: VerifyingKey) -> _PreparedKey:
    beta = prepare_g2(vkey.beta.affine)
    return _PreparedKey(
        beta=beta,
        gamma=prepare_g2(vkey.gamma.affine),
        delta=prepare_g2(vkey.delta.affine),
        alpha_beta=bn254_pairing.multi_miller_loop([(vkey.alpha.affine, beta)]),
    )


@dataclass(frozen=True)
class _Equation:
    """``Π e(Pⱼ, Qⱼ) · e(alpha_scale·α, β) · e(x, γ) · e(c, δ) == 1``."""

    pairs: list[tuple[G1Affine | None, G2Affine]]
    alpha_scale: int
    x: G1Affine | None
    c: G1Affine | None


def _holds(vkey: VerifyingKey, equation: _Equation, backend: PairingBackend,
           line_cache: dict[G2Affine, PreparedG2] | None = None) -> bool:
    alpha = g1_mul(vkey.alpha.affine, equation.alpha_scale)
    if backend is PairingBackend.PY_ECC:
        return bn254_pairing_reference.pairing_product_is_one([
            *equation.pairs,
            (alpha, vkey.beta.affine),
            (equation.x, vkey.gamma.affine),
            (equation.c, vkey.delta.affine),
        ])
    key = _prepare_key(vkey)
    cache = {} if line_cache is None else line_cache
    pairs: list[tuple[G1Affine | None, PreparedG2]] = []
    for p, q in equation.pairs:
        if q not in cache:
            cache[q] = prepare_g2(q)
        pairs.append((p, cache[q]))
    pairs += [(equation.x, key.gamma), (equation.c, key.delta)]
    extra = FQ12_ONE
    if equation.alpha_scale % FIELD_ORDER == 1:
        extra = key.alpha_beta
    else:
        pairs.append((alpha, key.beta))
    return bn254_pairing.pairing_product_is_one(pairs, extra)


def _vk_x(vkey: VerifyingKey, signals: Sequence[int]) -> G1Affine | None:
    terms: list[tuple[G1Affine | None, int]] = [(vkey.ic[0].affine, 1)]
    terms += [(point.affine, s) for point, s in zip(vkey.ic[1:], signals, strict=True)]
    return g1_linear_combination(terms)


def _single_equation(vkey: VerifyingKey, bundle: ProofBundle) -> _Equation:
    proof = bundle.proof
    return _Equation(
        pairs=[(g1_neg(proof.a.affine), proof.b.affine)],
        alpha_scale=1,
        x=_vk_x(vkey, bundle.public_signals),
        c=proof.c.affine,
    )


def _batch_equation(vkey: VerifyingKey, bundles: Sequence[ProofBundle]) -> _Equation:
    """The r-weighted sum of the bundles' equations, with fresh random rⱼ in ``[1, 2^128)``.

    From ``e(Aⱼ, Bⱼ) = e(α, β)·e(vk_xⱼ, γ)·e(Cⱼ, δ)`` raised to rⱼ and multiplied:
    ``Π e(−rⱼAⱼ, Bⱼ) · e((Σrⱼ)α, β) · e(Σrⱼ·vk_xⱼ, γ) · e(ΣrⱼCⱼ, δ) == 1``, where
    ``Σrⱼ·vk_xⱼ = (Σrⱼ)·IC₀ + Σᵢ (Σⱼ rⱼ·sⱼᵢ)·ICᵢ₊₁`` costs ``nPublic + 1`` scalar
    multiplications in all.
    """
    weights = [secrets.randbelow((1 << BATCH_SCALAR_BITS) - 1) + 1 for _ in bundles]
    weight_sum = sum(weights) % FIELD_ORDER
    ic_scalars = [weight_sum] + [
        sum(w * b.public_signals[i] for w, b in zip(weights, bundles, strict=True)) % FIELD_ORDER
        for i in range(vkey.n_public)
    ]
    return _Equation(
        pairs=[(_g1_neg_or_none(g1_mul(b.proof.a.affine, w)), b.proof.b.affine)
               for w, b in zip(weights, bundles, strict=True)],
        alpha_scale=weight_sum,
        x=g1_linear_combination([(p.affine, k) for p, k in zip(vkey.ic, ic_scalars, strict=True)]),
        c=g1_linear_combination([(b.proof.c.affine, w) for w, b in zip(weights, bundles, strict=True)]),
    )


def _g1_neg_or_none(point: G1Affine | None) -> G1Affine | None:
    """``−P``, keeping ``None`` (infinity) as is."""
    return None if point is None else g1_neg(point)


# --------------------------------------------------------------------------- public API


def verify(vkey: VerifyingKeyInput, proof: ProofInput, public_signals: PublicSignalsInput, *,
           backend: PairingBackend = PairingBackend.FAST) -> bool:
    """Verify one Groth16 proof.

    Parameters
    ----------
    vkey
        A :class:`VerifyingKey`, or a decoded snarkjs ``verification_key.json``
        object, or its JSON text.  Parse once with :func:`as_verifying_key`
        when verifying many proofs.
    proof
        A :class:`Proof`, or a decoded snarkjs ``proof.json`` object, or its text.
    public_signals
        ``nPublic`` integers (or decimal strings, as in ``public.json``) in
        ``[0, r)``, in the circuit's order; or the JSON text of that list.
    backend
        Pairing implementation; the default is the fast one.

    Returns
    -------
    bool
        ``True`` iff the pairing equation holds.

    Raises
    ------
    MalformedKeyError
        The key is malformed.
    MalformedProofError
        The proof or the public signals are malformed, or their count is not
        ``nPublic``.
    """
    key = as_verifying_key(vkey)
    bundle = ProofBundle(proof=_as_proof(proof), public_signals=_as_signals(public_signals))
    _check_signal_count(key, bundle.public_signals, "publicSignals")
    return _holds(key, _single_equation(key, bundle), backend)


def verify_bundle(vkey: VerifyingKeyInput, bundle: ProofBundle | Mapping[str, Any] | str | bytes, *,
                  backend: PairingBackend = PairingBackend.FAST) -> bool:
    """Verify a bundle ``{"proof": <proof.json>, "publicSignals": <public.json>, …}``.

    Same return value and exceptions as :func:`verify`.
    """
    key = as_verifying_key(vkey)
    parsed = bundle if isinstance(bundle, ProofBundle) else parse_bundle(bundle)
    _check_signal_count(key, parsed.public_signals, "bundle.publicSignals")
    return _holds(key, _single_equation(key, parsed), backend)


def verify_batch(vkey: VerifyingKeyInput, items: Sequence[BatchItem], *,
                 backend: PairingBackend = PairingBackend.FAST) -> list[BatchResult]:
    """Verify k proofs under one key with one combined pairing check.

    All well-formed items are checked together as a random linear combination
    (fresh 128-bit scalars from :mod:`secrets`): k + 3 Miller loops and one
    final exponentiation.  If that check fails, the group is split in halves
    and each half is re-checked with new randomness, down to single items,
    which are checked exactly with the same equation as :func:`verify`.  A
    proof is therefore only ever reported invalid by an exact check; a valid
    batch is reported valid except with probability about ``2**-128`` per
    combined check.

    Parameters
    ----------
    vkey
        As in :func:`verify`; a malformed key raises :class:`MalformedKeyError`.
    items
        Each item is a :class:`ProofBundle`, a bundle mapping with keys
        ``"proof"`` and ``"publicSignals"``, or a ``(proof, public_signals)``
        pair of anything :func:`verify` accepts.

    Returns
    -------
    list[BatchResult]
        One result per item, in order.  Malformed items get
        ``BatchResult(False, "malformed: …")`` and do not affect the others.
    """
    key = as_verifying_key(vkey)
    results: list[BatchResult] = [BatchResult(ok=True)] * len(items)
    well_formed: list[tuple[int, ProofBundle]] = []
    for index, item in enumerate(items):
        where = f"items[{index}]"
        try:
            bundle = _as_bundle(item, where)
            _check_signal_count(key, bundle.public_signals, f"{where}.publicSignals")
        except VerificationInputError as exc:
            results[index] = BatchResult(ok=False, reason=f"malformed: {exc}")
        else:
            well_formed.append((index, bundle))
    line_cache: dict[G2Affine, PreparedG2] = {}
    for index in _invalid_indices(key, well_formed, backend, line_cache, known_invalid=False):
        results[index] = BatchResult(ok=False, reason=msg.PAIRING_CHECK_FAILED)
    return results


def _invalid_indices(vkey: VerifyingKey, group: Sequence[tuple[int, ProofBundle]], backend: PairingBackend,
                     line_cache: dict[G2Affine, PreparedG2], *, known_invalid: bool) -> list[int]:
    """Indices of the group's proofs that fail the exact single-proof check.

    ``known_invalid`` means the caller already knows the group fails as a
    whole, so its combined check is skipped and it is split at once.
    """
    if not group:
        return []
    if len(group) == 1:
        index, bundle = group[0]
        return [] if _holds(vkey, _single_equation(vkey, bundle), backend, line_cache) else [index]
    if not known_invalid and _holds(vkey, _batch_equation(vkey, [b for _, b in group]), backend, line_cache):
        return []
    middle = len(group) // 2
    left = _invalid_indices(vkey, group[:middle], backend, line_cache, known_invalid=False)
    # The whole group failed for certain (a combined check of valid proofs always
    # passes); if the left half holds, the right half must contain a bad proof.
    right = _invalid_indices(vkey, group[middle:], backend, line_cache, known_invalid=not left)
    return left + right
