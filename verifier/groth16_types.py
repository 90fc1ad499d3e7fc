"""Typed, frozen, validated Groth16 objects: points, verifying key, proof, bundle.

Every object checks its own invariants when built, so a value of these types
is always usable in a pairing:

* :class:`G1Point` — affine, coordinates in ``[0, p)``, on ``y² = x³ + 3``.
  G1 has cofactor 1, so on-curve already means in the r-subgroup.
* :class:`G2Point` — affine, coordinates ``(c0, c1)`` in ``[0, p)``, on the
  twist ``y² = x³ + 3/(9 + i)`` and in the order-r subgroup (``r·Q == O``).
* Neither can be the point at infinity.  Honest Groth16 proofs and keys never
  contain it (it occurs with negligible probability), while accepting it
  opens degenerate cases: an ``IC`` point at infinity leaves its public signal
  unbound by the proof, ``δ = O`` lets anyone forge, ``A = O`` or ``B = O``
  makes one pairing trivial.  So it is rejected everywhere.
* :class:`ProofBundle` — public signals are integers in ``[0, r)``.

Violations raise :class:`~verifier.groth16_errors.VerificationInputError`;
the JSON parsers in :mod:`verifier.groth16_json` re-raise them as
``MalformedKeyError`` / ``MalformedProofError`` with the field path.

Fq2 order: see :mod:`verifier.bn254_curve` (snarkjs and py_ecc ``[c0, c1]``,
EVM calldata ``(c1, c0)``); :meth:`G2Point.to_evm` is the only flip.
"""

from __future__ import annotations

from dataclasses import dataclass

from zkmargin.constants import BASE_FIELD_MODULUS, FIELD_ORDER
from zkmargin.verifier import groth16_errors as msg
from zkmargin.verifier.bn254_curve import (
    Fq2,
    G1Affine,
    G2Affine,
    fq2_to_evm,
    g1_is_on_curve,
    g2_in_subgroup,
    g2_is_on_curve,
)
from zkmargin.verifier.groth16_errors import VerificationInputError


def _check_coordinate(value: int, name: str) -> None:
    if type(value) is not int:
        raise VerificationInputError(msg.wrong_type("int", value), field=name)
    if not 0 <= value < BASE_FIELD_MODULUS:
        raise VerificationInputError(msg.out_of_range("p", value), field=name)


def _check_type(value: object, expected: type, name: str) -> None:
    if not isinstance(value, expected):
        raise VerificationInputError(msg.wrong_type(expected.__name__, value), field=name)


@dataclass(frozen=True)
class G1Point:
    """An affine point of G1 (never the point at infinity).

    Attributes
    ----------
    x, y
        Coordinates in ``[0, p)``.
    """

    x: int
    y: int

    def __post_init__(self) -> None:
        _check_coordinate(self.x, "x")
        _check_coordinate(self.y, "y")
        if not g1_is_on_curve((self.x, self.y)):
            raise VerificationInputError(msg.g1_off_curve())

    @property
    def affine(self) -> G1Affine:
        """``(x, y)`` as plain ints."""
        return self.x, self.y

    def to_snarkjs(self) -> list[str]:
        """snarkjs JSON encoding ``[x, y, "1"]``."""
        return [str(self.x), str(self.y), "1"]

    def to_evm(self) -> tuple[int, int]:
        """EVM precompile calldata order ``(x, y)``."""
        return self.x, self.y


@dataclass(frozen=True)
class G2Point:
    """An affine point of G2 (on the twist, in the r-subgroup, never infinity).

    Attributes
    ----------
    x, y
        Fq2 coordinates as ``(c0, c1)`` = ``c0 + c1·i``, the order snarkjs JSON
        and py_ecc use.  EVM calldata uses ``(c1, c0)``: see :meth:`to_evm`.
    """

    x: Fq2
    y: Fq2

    def __post_init__(self) -> None:
        for name, pair in (("x", self.x), ("y", self.y)):
            if type(pair) is not tuple or len(pair) != 2:
                raise VerificationInputError(msg.wrong_type("a (c0, c1) tuple", pair), field=name)
            _check_coordinate(pair[0], f"{name}.c0")
            _check_coordinate(pair[1], f"{name}.c1")
        if not g2_is_on_curve((self.x, self.y)):
            raise VerificationInputError(msg.g2_off_curve())
        if not g2_in_subgroup((self.x, self.y)):
            raise VerificationInputError(msg.g2_not_in_subgroup())

    @property
    def affine(self) -> G2Affine:
        """``((x.c0, x.c1), (y.c0, y.c1))`` as plain ints."""
        return self.x, self.y

    def to_snarkjs(self) -> list[list[str]]:
        """snarkjs JSON encoding ``[[x.c0, x.c1], [y.c0, y.c1], ["1", "0"]]``."""
        return [[str(self.x[0]), str(self.x[1])], [str(self.y[0]), str(self.y[1])], ["1", "0"]]

    def to_evm(self) -> tuple[tuple[int, int], tuple[int, int]]:
        """EVM precompile / Solidity calldata order ``((x.c1, x.c0), (y.c1, y.c0))``."""
        return fq2_to_evm(self.x), fq2_to_evm(self.y)


@dataclass(frozen=True)
class VerifyingKey:
    """A Groth16 verifying key over BN254 (snarkjs ``verification_key.json``).

    Attributes
    ----------
    alpha, beta, gamma, delta
        ``vk_alpha_1`` (G1) and ``vk_beta_2``, ``vk_gamma_2``, ``vk_delta_2`` (G2).
    ic
        ``IC``: ``n_public + 1`` G1 points; ``IC[0]`` is the constant term.
    """

    alpha: G1Point
    beta: G2Point
    gamma: G2Point
    delta: G2Point
    ic: tuple[G1Point, ...]

    def __post_init__(self) -> None:
        _check_type(self.alpha, G1Point, "alpha")
        for name in ("beta", "gamma", "delta"):
            _check_type(getattr(self, name), G2Point, name)
        if type(self.ic) is not tuple or not self.ic:
            raise VerificationInputError(msg.wrong_type("a non-empty tuple of G1Point", self.ic), field="IC")
        for index, point in enumerate(self.ic):
            _check_type(point, G1Point, f"IC[{index}]")

    @property
    def n_public(self) -> int:
        """Number of public signals the key expects (``len(IC) − 1``)."""
        return len(self.ic) - 1


@dataclass(frozen=True)
class Proof:
    """A Groth16 proof over BN254 (snarkjs ``proof.json``): ``pi_a``, ``pi_b``, ``pi_c``."""

    a: G1Point
    b: G2Point
    c: G1Point

    def __post_init__(self) -> None:
        _check_type(self.a, G1Point, "pi_a")
        _check_type(self.b, G2Point, "pi_b")
        _check_type(self.c, G1Point, "pi_c")


@dataclass(frozen=True)
class ProofBundle:
    """A proof with its public signals (snarkjs ``proof.json`` + ``public.json``).

    Attributes
    ----------
    proof
        The proof.
    public_signals
        Integers in ``[0, r)``, in the circuit's public-signal order.
    """

    proof: Proof
    public_signals: tuple[int, ...]

    def __post_init__(self) -> None:
        _check_type(self.proof, Proof, "proof")
        if type(self.public_signals) is not tuple:
            raise VerificationInputError(msg.wrong_type("a tuple of int", self.public_signals), field="publicSignals")
        for index, value in enumerate(self.public_signals):
            name = f"publicSignals[{index}]"
            if type(value) is not int:
                raise VerificationInputError(msg.wrong_type("int", value), field=name)
            if not 0 <= value < FIELD_ORDER:
                raise VerificationInputError(msg.out_of_range("r", value), field=name)
