"""Errors of the Groth16 verifier and every message they carry, in one place.

Malformed input never reaches a pairing: it is rejected with a
:class:`VerificationInputError` whose ``str`` is one line naming the field
(e.g. ``proof.pi_b[0][1]``) and what would be accepted.  A well-formed proof
that fails the pairing check is not an error: ``verify`` returns ``False``.
"""

from __future__ import annotations


class VerificationInputError(ValueError):
    """Input to the verifier is malformed; ``field`` names where, ``reason`` says why."""

    def __init__(self, reason: str, *, field: str | None = None) -> None:
        self.field = field
        self.reason = reason
        super().__init__(f"{field}: {reason}" if field else reason)


class MalformedKeyError(VerificationInputError):
    """The verifying key (``verification_key.json``) is malformed."""


class MalformedProofError(VerificationInputError):
    """The proof (``proof.json``) or its public signals (``public.json``) are malformed."""


# --------------------------------------------------------------------------- messages


def not_json(detail: str) -> str:
    return f"not valid JSON ({detail})"


def wrong_type(expected: str, got: object) -> str:
    return f"expected {expected}, got {type(got).__name__}"


def missing_key(key: str) -> str:
    return f"missing key {key!r}"


def wrong_length(expected: str, got: int) -> str:
    return f"expected {expected}, got {got} entries"


def not_integer_string(value: object) -> str:
    shown = repr(value) if len(repr(value)) <= 40 else repr(value)[:37] + "..."
    return f"expected a non-negative decimal integer string, got {shown}"


def out_of_range(bound: str, value: int) -> str:
    shown = str(value) if len(str(value)) <= 90 else str(value)[:87] + "..."
    names = {"p": "the BN254 base field modulus", "r": "the BN254 scalar field order"}
    return f"value {shown} is not in [0, {bound}), {bound} = {names.get(bound, bound)}"


def wrong_constant(expected: str, got: object) -> str:
    return f"expected {expected!r}, got {got!r}"


def not_affine(z: object) -> str:
    return f"expected an affine point with z = 1 (snarkjs writes affine coordinates), got z = {z}"


def point_at_infinity(why: str) -> str:
    return f"is the point at infinity (snarkjs encodes it with z = 0), which is not accepted here: {why}"


def g1_off_curve() -> str:
    return "point is not on the BN254 G1 curve y^2 = x^3 + 3"


def g2_off_curve() -> str:
    return ("point is not on the BN254 G2 twist y^2 = x^3 + 3/(9+i) "
            "(check the Fq2 order: snarkjs JSON is [c0, c1], EVM calldata is (c1, c0))")


def g2_not_in_subgroup() -> str:
    return "point is on the G2 twist but not in the order-r subgroup (r*Q != O)"


def n_public_mismatch(n_public: int, ic_len: int) -> str:
    return f"nPublic = {n_public} but IC has {ic_len} points; IC must have nPublic + 1"


def signal_count_mismatch(got: int, n_public: int) -> str:
    return f"has {got} public signals but the verifying key expects nPublic = {n_public}"


def proof_item_type(got: object) -> str:
    return ("expected a ProofBundle, a bundle mapping with keys 'proof' and 'publicSignals', "
            f"or a (proof, public_signals) pair; got {type(got).__name__}")


PAIRING_CHECK_FAILED = "pairing check failed: the proof does not verify for these public signals"
