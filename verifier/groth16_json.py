"""Read snarkjs Groth16 JSON (``verification_key.json``, ``proof.json``, ``public.json``).

Also reads a generic *bundle*: a JSON object with keys ``proof`` (a snarkjs
proof object) and ``publicSignals`` (a snarkjs public-signal list); other keys
are ignored, so a zkmargin bundle can carry more.

What is accepted
----------------
* Numbers: non-negative decimal integer strings (``"123"``, what snarkjs
  writes) or JSON integers; base-field coordinates must be ``< p``, public
  signals ``< r``.  Values are never reduced: ``p`` itself is rejected.
* G1 points: ``[x, y, "1"]`` or ``[x, y]``.  G2 points:
  ``[[x.c0, x.c1], [y.c0, y.c1], ["1", "0"]]`` or without the third entry;
  Fq2 elements are ``[c0, c1]`` (real first, as snarkjs writes them; EVM
  calldata is the other way round, see :mod:`verifier.bn254_curve`).
  ``z = 0`` (snarkjs's point at infinity ``[0, 1, 0]``) is rejected, and so is
  any other ``z != 1``: snarkjs always writes affine points.
* ``protocol`` must be ``"groth16"`` and ``curve`` ``"bn128"`` (required in the
  key; checked in a proof when present).  Unknown keys (e.g.
  ``vk_alphabeta_12``) are ignored.
* A ``str`` / ``bytes`` argument to a ``parse_*`` function is JSON text and is
  decoded first; truncated or garbage text is a malformed-input error.

Every failure raises :class:`~verifier.groth16_errors.MalformedKeyError` or
:class:`~verifier.groth16_errors.MalformedProofError` naming the field, e.g.
``proof.pi_b[1]: point is not on the BN254 G2 twist ...``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

from zkmargin.constants import BASE_FIELD_MODULUS, FIELD_ORDER
from zkmargin.verifier import groth16_errors as msg
from zkmargin.verifier.bn254_curve import Fq2
from zkmargin.verifier.groth16_errors import MalformedKeyError, MalformedProofError, VerificationInputError
from zkmargin.verifier.groth16_types import G1Point, G2Point, Proof, ProofBundle, VerifyingKey

PROTOCOL: Final = "groth16"
CURVE: Final = "bn128"

_DECIMAL: Final = re.compile(r"[0-9]{1,100}")
_ErrorType = type[VerificationInputError]


def _decode(data: object, error: _ErrorType, where: str) -> object:
    if isinstance(data, bytes | bytearray):
        try:
            data = bytes(data).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise error(msg.not_json(str(exc)), field=where) from None
    if isinstance(data, str):
        try:
            return json.loads(data)
        except (ValueError, RecursionError) as exc:  # JSONDecodeError, int-digit limit, nesting
            raise error(msg.not_json(str(exc)), field=where) from None
    return data


def _mapping(data: object, error: _ErrorType, where: str) -> Mapping[str, Any]:
    if not isinstance(data, Mapping):
        raise error(msg.wrong_type("a JSON object", data), field=where)
    return data


def _get(data: Mapping[str, Any], key: str, error: _ErrorType, where: str) -> Any:
    if key not in data:
        raise error(msg.missing_key(key), field=where)
    return data[key]


def _list(data: object, lengths: tuple[int, ...], error: _ErrorType, where: str) -> list[Any]:
    if not isinstance(data, list | tuple):
        raise error(msg.wrong_type("a JSON array", data), field=where)
    if len(data) not in lengths:
        expected = " or ".join(str(n) for n in lengths) + " entries"
        raise error(msg.wrong_length(expected, len(data)), field=where)
    return list(data)


def _integer(value: object, bound: int, bound_name: str, error: _ErrorType, where: str) -> int:
    if isinstance(value, str) and _DECIMAL.fullmatch(value):
        number = int(value)
    elif type(value) is int and value >= 0:
        number = value
    elif type(value) is int:
        raise error(msg.out_of_range(bound_name, value), field=where)
    else:
        raise error(msg.not_integer_string(value), field=where)
    if number >= bound:
        raise error(msg.out_of_range(bound_name, number), field=where)
    return number


def _coordinate(value: object, error: _ErrorType, where: str) -> int:
    return _integer(value, BASE_FIELD_MODULUS, "p", error, where)


def _check_z(z_value: object, one: object, is_zero: bool, why: str, error: _ErrorType, where: str) -> None:
    if is_zero:
        raise error(msg.point_at_infinity(why), field=where)
    if z_value != one:
        raise error(msg.not_affine(z_value), field=where)


def _g1(data: object, why_not_infinity: str, error: _ErrorType, where: str) -> G1Point:
    coords = _list(data, (2, 3), error, where)
    x = _coordinate(coords[0], error, f"{where}[0]")
    y = _coordinate(coords[1], error, f"{where}[1]")
    if len(coords) == 3:
        z = _coordinate(coords[2], error, f"{where}[2]")
        _check_z(z, 1, z == 0, why_not_infinity, error, where)
    try:
        return G1Point(x, y)
    except VerificationInputError as exc:
        raise error(exc.reason, field=where) from None


def _fq2(data: object, error: _ErrorType, where: str) -> Fq2:
    pair = _list(data, (2,), error, where)
    return _coordinate(pair[0], error, f"{where}[0]"), _coordinate(pair[1], error, f"{where}[1]")


def _g2(data: object, why_not_infinity: str, error: _ErrorType, where: str) -> G2Point:
    coords = _list(data, (2, 3), error, where)
    x = _fq2(coords[0], error, f"{where}[0]")
    y = _fq2(coords[1], error, f"{where}[1]")
    if len(coords) == 3:
        z = _fq2(coords[2], error, f"{where}[2]")
        _check_z(list(z), [1, 0], z == (0, 0), why_not_infinity, error, where)
    try:
        return G2Point(x, y)
    except VerificationInputError as exc:
        raise error(exc.reason, field=where) from None


def _check_constant(data: Mapping[str, Any], key: str, expected: str, required: bool, error: _ErrorType,
                    where: str) -> None:
    if key not in data and not required:
        return
    value = _get(data, key, error, where)
    if value != expected:
        raise error(msg.wrong_constant(expected, value), field=f"{where}.{key}")


_KEY_POINT = "a verifying key containing it is degenerate"


def _ic_role(index: int) -> str:
    if index == 0:
        return "the constant term IC[0] of a sound key is never infinity"
    return f"public signal {index - 1} would not be bound by the proof"
_PROOF_POINT = "an honest prover produces it with negligible probability"


def parse_verifying_key(data: object) -> VerifyingKey:
    """Parse and validate a snarkjs ``verification_key.json`` value.

    Parameters
    ----------
    data
        The decoded JSON object, or its JSON text (``str`` / ``bytes``).

    Raises
    ------
    MalformedKeyError
        On any shape, range, curve or subgroup violation, naming the field.
    """
    where = "verification_key"
    error: _ErrorType = MalformedKeyError
    key = _mapping(_decode(data, error, where), error, where)
    _check_constant(key, "protocol", PROTOCOL, True, error, where)
    _check_constant(key, "curve", CURVE, True, error, where)
    n_public = _get(key, "nPublic", error, where)
    if type(n_public) is not int or n_public < 0:
        raise error(msg.wrong_type("a non-negative JSON integer", n_public), field=f"{where}.nPublic")
    # G1 points first: their checks are cheap; each G2 point costs a subgroup check (~4 ms).
    alpha = _g1(_get(key, "vk_alpha_1", error, where), _KEY_POINT, error, f"{where}.vk_alpha_1")
    ic_data = _get(key, "IC", error, where)
    if not isinstance(ic_data, list):
        raise error(msg.wrong_type("a JSON array", ic_data), field=f"{where}.IC")
    if len(ic_data) != n_public + 1:
        raise error(msg.n_public_mismatch(n_public, len(ic_data)), field=f"{where}.IC")
    ic = tuple(_g1(point, _ic_role(i), error, f"{where}.IC[{i}]") for i, point in enumerate(ic_data))
    beta = _g2(_get(key, "vk_beta_2", error, where), _KEY_POINT, error, f"{where}.vk_beta_2")
    gamma = _g2(_get(key, "vk_gamma_2", error, where), _KEY_POINT, error, f"{where}.vk_gamma_2")
    delta = _g2(_get(key, "vk_delta_2", error, where), _KEY_POINT, error, f"{where}.vk_delta_2")
    return VerifyingKey(alpha=alpha, beta=beta, gamma=gamma, delta=delta, ic=ic)


def parse_proof(data: object, *, where: str = "proof") -> Proof:
    """Parse and validate a snarkjs ``proof.json`` value.

    Parameters
    ----------
    data
        The decoded JSON object, or its JSON text (``str`` / ``bytes``).
    where
        Name of the proof in error messages.

    Raises
    ------
    MalformedProofError
        On any shape, range, curve or subgroup violation, naming the field.
    """
    error: _ErrorType = MalformedProofError
    proof = _mapping(_decode(data, error, where), error, where)
    _check_constant(proof, "protocol", PROTOCOL, False, error, where)
    _check_constant(proof, "curve", CURVE, False, error, where)
    a = _g1(_get(proof, "pi_a", error, where), _PROOF_POINT, error, f"{where}.pi_a")
    c = _g1(_get(proof, "pi_c", error, where), _PROOF_POINT, error, f"{where}.pi_c")
    b = _g2(_get(proof, "pi_b", error, where), _PROOF_POINT, error, f"{where}.pi_b")  # last: subgroup check
    return Proof(a=a, b=b, c=c)


def parse_public_signals(data: object, *, where: str = "publicSignals") -> tuple[int, ...]:
    """Parse and validate a snarkjs ``public.json`` value: integers in ``[0, r)``.

    The count is checked against the key by the verifier, not here.

    Raises
    ------
    MalformedProofError
        If it is not a list of decimal integer strings / integers in ``[0, r)``.
    """
    error: _ErrorType = MalformedProofError
    signals = _decode(data, error, where)
    if not isinstance(signals, list | tuple):
        raise error(msg.wrong_type("a JSON array of public signals", signals), field=where)
    return tuple(
        _integer(value, FIELD_ORDER, "r", error, f"{where}[{i}]")
        for i, value in enumerate(signals)
    )


def parse_bundle(data: object, *, where: str = "bundle") -> ProofBundle:
    """Parse a bundle: a JSON object with keys ``proof`` and ``publicSignals``.

    Raises
    ------
    MalformedProofError
        If either part is missing or malformed.
    """
    error: _ErrorType = MalformedProofError
    bundle = _mapping(_decode(data, error, where), error, where)
    proof = parse_proof(_get(bundle, "proof", error, where), where=f"{where}.proof")
    signals = parse_public_signals(_get(bundle, "publicSignals", error, where), where=f"{where}.publicSignals")
    return ProofBundle(proof=proof, public_signals=signals)


def load_verifying_key(path: str | Path) -> VerifyingKey:
    """Read and parse ``verification_key.json``; ``OSError`` if unreadable."""
    return parse_verifying_key(Path(path).read_bytes())


def load_proof(path: str | Path) -> Proof:
    """Read and parse ``proof.json``; ``OSError`` if unreadable."""
    return parse_proof(Path(path).read_bytes(), where=Path(path).name)


def load_public_signals(path: str | Path) -> tuple[int, ...]:
    """Read and parse ``public.json``; ``OSError`` if unreadable."""
    return parse_public_signals(Path(path).read_bytes(), where=Path(path).name)


def load_bundle(path: str | Path) -> ProofBundle:
    """Read and parse a bundle JSON file; ``OSError`` if unreadable."""
    return parse_bundle(Path(path).read_bytes(), where=Path(path).name)


def verifying_key_to_snarkjs(vkey: VerifyingKey) -> dict[str, Any]:
    """snarkjs ``verification_key.json`` object (without ``vk_alphabeta_12``)."""
    return {
        "protocol": PROTOCOL,
        "curve": CURVE,
        "nPublic": vkey.n_public,
        "vk_alpha_1": vkey.alpha.to_snarkjs(),
        "vk_beta_2": vkey.beta.to_snarkjs(),
        "vk_gamma_2": vkey.gamma.to_snarkjs(),
        "vk_delta_2": vkey.delta.to_snarkjs(),
        "IC": [point.to_snarkjs() for point in vkey.ic],
    }


def proof_to_snarkjs(proof: Proof) -> dict[str, Any]:
    """snarkjs ``proof.json`` object."""
    return {
        "pi_a": proof.a.to_snarkjs(),
        "pi_b": proof.b.to_snarkjs(),
        "pi_c": proof.c.to_snarkjs(),
        "protocol": PROTOCOL,
        "curve": CURVE,
    }


def public_signals_to_snarkjs(signals: tuple[int, ...]) -> list[str]:
    """snarkjs ``public.json`` list."""
    return [str(value) for value in signals]
