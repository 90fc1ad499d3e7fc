"""The pure-Python Groth16 verifier against golden vectors and against snarkjs.

Golden vectors: ``tests/fixtures/groth16/`` (made by
``scripts/make_groth16_fixtures.py`` from ``statement.circom``; INSECURE dev
keys).  Every soundness-relevant change of one input (a public signal, one
proof coordinate, the Fq2 order, a point off the curve or outside G2, a value
>= r, the signal count, the JSON itself) must be rejected, and the tamper set
is also run through ``snarkjs groth16 verify``: both must agree.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from groth16_helpers import (
    FIXTURES,
    N_FIXTURE_PROOFS,
    deep,
    g2_to_snarkjs,
    proof_json,
    public_json,
    twist_point_outside_subgroup,
    vkey_json,
)

from zkmargin.constants import BASE_FIELD_MODULUS, FIELD_ORDER
from zkmargin.toolchain import tools
from zkmargin.verifier import groth16
from zkmargin.verifier.bn254_curve import g1_mul, g2_in_subgroup, g2_is_on_curve, g2_mul
from zkmargin.verifier.groth16 import BatchItem, BatchResult, PairingBackend, verify, verify_batch, verify_bundle
from zkmargin.verifier.groth16_errors import MalformedKeyError, MalformedProofError, VerificationInputError
from zkmargin.verifier.groth16_json import (
    load_bundle,
    load_proof,
    load_public_signals,
    load_verifying_key,
    parse_proof,
    parse_verifying_key,
    proof_to_snarkjs,
    public_signals_to_snarkjs,
    verifying_key_to_snarkjs,
)
from zkmargin.verifier.groth16_types import G1Point, G2Point, Proof, ProofBundle, VerifyingKey

BACKENDS = [PairingBackend.FAST, PairingBackend.PY_ECC]

#: BN254 G2 generator (EIP-197): x = X0 + X1·i, y = Y0 + Y1·i.  snarkjs writes it as
#: [[X0, X1], [Y0, Y1]] (vk_gamma_2 of every snarkjs key); EVM calldata is (X1, X0, Y1, Y0).
G2_GEN_X0 = 10857046999023057135944570762232829481370756359578518086990519993285655852781
G2_GEN_X1 = 11559732032986387107991004021392285783925812861821192530917403151452391805634
G2_GEN_Y0 = 8495653923123431417604973247489272438418190587263600148770280649306958101930
G2_GEN_Y1 = 4082367875863433681332203403145435568316851327593401208105741076214120093531


@pytest.fixture(scope="module")
def vkey() -> VerifyingKey:
    return load_verifying_key(groth16_fixture("vkey.json"))


def groth16_fixture(name: str) -> Path:
    return FIXTURES / name


def bundle(index: int) -> ProofBundle:
    return ProofBundle(proof=load_proof(groth16_fixture(f"proof_{index}.json")),
                       public_signals=load_public_signals(groth16_fixture(f"public_{index}.json")))


# --------------------------------------------------------------------------- golden vectors


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("index", range(N_FIXTURE_PROOFS))
def test_golden_vectors_verify(index: int, backend: PairingBackend) -> None:
    assert verify(vkey_json(), proof_json(index), public_json(index), backend=backend) is True


@pytest.mark.parametrize("backend", BACKENDS)
def test_public_signal_changed_fails_on_both_backends(backend: PairingBackend) -> None:
    signals = public_json(0)
    signals[2] = str(int(signals[2]) + 1)
    assert verify(vkey_json(), proof_json(0), signals, backend=backend) is False


def test_inputs_as_objects_text_and_bundle(vkey: VerifyingKey) -> None:
    text = groth16_fixture("proof_1.json").read_text()
    public_text = groth16_fixture("public_1.json").read_text()
    assert verify(groth16_fixture("vkey.json").read_bytes(), text, public_text)
    assert verify(vkey, bundle(1).proof, bundle(1).public_signals)
    assert verify(vkey, proof_json(1), [int(s) for s in public_json(1)])
    assert verify_bundle(vkey, {"proof": proof_json(1), "publicSignals": public_json(1), "extra": 1})
    assert verify_bundle(vkey, bundle(1))
    assert not verify_bundle(vkey, {"proof": proof_json(1), "publicSignals": public_json(0)})


def test_bundle_file_and_snarkjs_round_trip(vkey: VerifyingKey, tmp_path: Path) -> None:
    path = tmp_path / "bundle.json"
    path.write_text(json.dumps({"proof": proof_json(2), "publicSignals": public_json(2)}))
    loaded = load_bundle(path)
    assert loaded == bundle(2)
    assert proof_to_snarkjs(loaded.proof) == proof_json(2)
    assert public_signals_to_snarkjs(loaded.public_signals) == public_json(2)
    exported = verifying_key_to_snarkjs(vkey)
    assert exported == {k: v for k, v in vkey_json().items() if k != "vk_alphabeta_12"}
    assert parse_verifying_key(exported) == vkey


# --------------------------------------------------------------------------- Fq2 order


def test_g2_order_golden_vector(vkey: VerifyingKey) -> None:
    """snarkjs JSON and py_ecc are [c0, c1]; EVM calldata is (c1, c0)."""
    assert vkey_json()["vk_gamma_2"][:2] == [[str(G2_GEN_X0), str(G2_GEN_X1)], [str(G2_GEN_Y0), str(G2_GEN_Y1)]]
    assert vkey.gamma == G2Point(x=(G2_GEN_X0, G2_GEN_X1), y=(G2_GEN_Y0, G2_GEN_Y1))
    assert vkey.gamma.to_evm() == ((G2_GEN_X1, G2_GEN_X0), (G2_GEN_Y1, G2_GEN_Y0))
    pi_b = proof_json(0)["pi_b"]
    b = parse_proof(proof_json(0)).b
    assert b.to_evm() == ((int(pi_b[0][1]), int(pi_b[0][0])), (int(pi_b[1][1]), int(pi_b[1][0])))
    with pytest.raises(VerificationInputError, match="not on the BN254 G2 twist"):
        G2Point(x=(G2_GEN_X1, G2_GEN_X0), y=(G2_GEN_Y1, G2_GEN_Y0))


def _swap_fq2(point: list[list[str]]) -> list[list[str]]:
    return [[c1, c0] for c0, c1 in point[:2]] + point[2:]


def test_swapped_g2_order_in_pi_b_is_rejected() -> None:
    proof = proof_json(0)
    proof["pi_b"] = _swap_fq2(proof["pi_b"])
    with pytest.raises(MalformedProofError, match=r"^proof\.pi_b: point is not on the BN254 G2 twist"):
        verify(vkey_json(), proof, public_json(0))


@pytest.mark.parametrize("key", ["vk_beta_2", "vk_gamma_2", "vk_delta_2"])
def test_swapped_g2_order_in_vkey_is_rejected(key: str) -> None:
    data = vkey_json()
    data[key] = _swap_fq2(data[key])
    with pytest.raises(MalformedKeyError, match=rf"^verification_key\.{key}: point is not on the BN254 G2 twist"):
        verify(data, proof_json(0), public_json(0))


# --------------------------------------------------------------------------- the tamper set, against snarkjs


@dataclass(frozen=True)
class Files:
    vkey: str
    proof: str
    public: str


def _dump(value: Any) -> str:
    return json.dumps(value, indent=1)


def _base() -> tuple[dict[str, Any], dict[str, Any], list[str]]:
    return vkey_json(), proof_json(0), public_json(0)


def _case(vkey: Any = None, proof: Any = None, public: Any = None, *, raw_proof: str | None = None,
          raw_public: str | None = None) -> Files:
    base_vkey, base_proof, base_public = _base()
    return Files(
        vkey=_dump(base_vkey if vkey is None else vkey),
        proof=raw_proof if raw_proof is not None else _dump(base_proof if proof is None else proof),
        public=raw_public if raw_public is not None else _dump(base_public if public is None else public),
    )


def _bump_signal(index: int) -> Files:
    public = public_json(0)
    public[index] = str(int(public[index]) + 1)
    return _case(public=public)


#: Paths of proof coordinates: (key, indices...).
PROOF_COORDINATES: dict[str, tuple[str | int, ...]] = {
    "A.x": ("pi_a", 0), "A.y": ("pi_a", 1),
    "B.x.c0": ("pi_b", 0, 0), "B.x.c1": ("pi_b", 0, 1), "B.y.c0": ("pi_b", 1, 0), "B.y.c1": ("pi_b", 1, 1),
    "C.x": ("pi_c", 0), "C.y": ("pi_c", 1),
}


def _bump_coordinate(name: str, delta: int = 1) -> Files:
    proof = proof_json(0)
    key, *indices = PROOF_COORDINATES[name]
    container: Any = proof[str(key)]
    for i in indices[:-1]:
        container = container[i]
    container[indices[-1]] = str(int(container[indices[-1]]) + delta)
    return _case(proof=proof)


def test_constructed_twist_point_is_on_curve_but_outside_g2() -> None:
    point = twist_point_outside_subgroup()
    assert g2_is_on_curve(point)
    assert not g2_in_subgroup(point)
    assert g2_mul(point, FIELD_ORDER) is not None  # r·Q != O


def _non_subgroup_pi_b() -> Files:
    proof = proof_json(0)
    proof["pi_b"] = g2_to_snarkjs(twist_point_outside_subgroup())
    return _case(proof=proof)


def _swapped(part: str) -> Files:
    if part == "pi_b":
        proof = proof_json(0)
        proof["pi_b"] = _swap_fq2(proof["pi_b"])
        return _case(proof=proof)
    key = vkey_json()
    key[part] = _swap_fq2(key[part])
    return _case(vkey=key)


def _signal_plus_r() -> Files:
    public = public_json(0)
    public[2] = str(int(public[2]) + FIELD_ORDER)  # same value mod r: must still be rejected
    return _case(public=public)


def _pi_a_infinity() -> Files:
    proof = proof_json(0)
    proof["pi_a"] = ["0", "1", "0"]
    return _case(proof=proof)


#: name -> (build the files, what Python must answer: "valid" | "invalid" (False) | "malformed" (raises)).
TAMPER_SET: dict[str, tuple[Callable[[], Files], str]] = {
    "untouched": (lambda: _case(), "valid"),
    **{f"signal[{i}]+1": (functools.partial(_bump_signal, i), "invalid") for i in range(3)},
    **{f"{name}+1": (functools.partial(_bump_coordinate, name), "malformed") for name in PROOF_COORDINATES},
    "pi_b outside G2": (_non_subgroup_pi_b, "malformed"),
    "pi_b Fq2 swapped": (lambda: _swapped("pi_b"), "malformed"),
    "vk_delta_2 Fq2 swapped": (lambda: _swapped("vk_delta_2"), "malformed"),
    "signal[2]+r": (_signal_plus_r, "malformed"),
    "pi_a at infinity": (_pi_a_infinity, "malformed"),
    "one signal too few": (lambda: _case(public=public_json(0)[:2]), "malformed"),
    "one signal too many": (lambda: _case(public=[*public_json(0), "1"]), "malformed"),
    "truncated proof JSON": (lambda: _case(raw_proof=_dump(proof_json(0))[:200]), "malformed"),
    "garbage public JSON": (lambda: _case(raw_public="[1, 2, oops"), "malformed"),
}


def python_verdict(files: Files) -> tuple[str, str | None]:
    try:
        ok = verify(files.vkey, files.proof, files.public)
    except VerificationInputError as exc:
        return "malformed", str(exc)
    return ("valid" if ok else "invalid"), None


def snarkjs_verdict(files: Files, folder: Path) -> str:
    """``tools.snarkjs_verify`` on the files: "valid", "invalid", or "unreadable" (snarkjs threw, exit code 1)."""
    paths = {name: folder / f"{name}.json" for name in ("vkey", "proof", "public")}
    for name, path in paths.items():
        path.write_text(getattr(files, name))
    try:
        return "valid" if tools.snarkjs_verify(paths["vkey"], paths["proof"], paths["public"]) else "invalid"
    except tools.ToolError as exc:
        assert exc.returncode == 1, str(exc)  # snarkjs ran and could not read its input; not a broken toolchain
        return "unreadable"


@pytest.mark.slow
@pytest.mark.parametrize("name", list(TAMPER_SET))
def test_tamper_set_agrees_with_snarkjs(name: str, tmp_path: Path) -> None:
    build, expected = TAMPER_SET[name]
    files = build()
    verdict, message = python_verdict(files)
    assert verdict == expected, message
    if message is not None:
        assert "\n" not in message and ":" in message  # one line, names the field
    # snarkjs rejects every input Python calls malformed, by its verdict or by failing to read it
    snarkjs = snarkjs_verdict(files, tmp_path)
    assert snarkjs in (("invalid", "unreadable") if verdict == "malformed" else (verdict,)), snarkjs


@pytest.mark.parametrize("name", [n for n, (_, expected) in TAMPER_SET.items() if expected == "malformed"])
def test_tampered_messages_name_the_field(name: str) -> None:
    verdict, message = python_verdict(TAMPER_SET[name][0]())
    assert verdict == "malformed"
    assert message is not None
    expected_field = {
        "pi_b outside G2": "proof.pi_b: point is on the G2 twist but not in the order-r subgroup",
        "pi_a at infinity": "proof.pi_a: is the point at infinity",
        "signal[2]+r": "publicSignals[2]: value",
        "one signal too few": "publicSignals: has 2 public signals but the verifying key expects nPublic = 3",
        "truncated proof JSON": "proof: not valid JSON",
        "garbage public JSON": "publicSignals: not valid JSON",
        "A.x+1": "proof.pi_a: point is not on the BN254 G1 curve",
        "B.y.c1+1": "proof.pi_b: point is not on the BN254 G2 twist",
    }.get(name)
    if expected_field is not None:
        assert message.startswith(expected_field), message


# --------------------------------------------------------------------------- stricter than snarkjs


@pytest.mark.parametrize("name", ["A.x", "B.x.c1", "C.y"])
def test_coordinate_plus_p_is_rejected(name: str) -> None:
    """A coordinate >= p is a non-canonical encoding of a valid point; it is refused, not reduced."""
    files = _bump_coordinate(name, BASE_FIELD_MODULUS)
    verdict, message = python_verdict(files)
    assert verdict == "malformed"
    assert message is not None and "is not in [0, p)" in message


@pytest.mark.slow
def test_snarkjs_accepts_coordinate_plus_p(tmp_path: Path) -> None:
    """Known divergence: snarkjs 0.7.6 reduces coordinates mod p, so a proof stays valid with
    A.x + p (a second encoding of the same proof).  This verifier refuses it."""
    files = _bump_coordinate("A.x", BASE_FIELD_MODULUS)
    assert python_verdict(files)[0] == "malformed"
    assert snarkjs_verdict(files, tmp_path) == "valid"


def test_vkey_g2_outside_subgroup_is_rejected() -> None:
    data = vkey_json()
    data["vk_delta_2"] = g2_to_snarkjs(twist_point_outside_subgroup())
    with pytest.raises(MalformedKeyError, match=r"vk_delta_2: point is on the G2 twist but not in the order-r"):
        verify(data, proof_json(0), public_json(0))


def _set(data: dict[str, Any], path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    target: Any = data
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    return data


KEY_DEFECTS: dict[str, tuple[tuple[Any, ...], Any, str]] = {
    "protocol": (("protocol",), "plonk", "verification_key.protocol: expected 'groth16'"),
    "curve": (("curve",), "bls12381", "verification_key.curve: expected 'bn128'"),
    "nPublic": (("nPublic",), 2, "verification_key.IC: nPublic = 2 but IC has 4 points"),
    "nPublic type": (("nPublic",), "3", "verification_key.nPublic: expected a non-negative JSON integer"),
    "IC infinity": (("IC", 2), ["0", "1", "0"], "verification_key.IC[2]: is the point at infinity"),
    "alpha infinity": (("vk_alpha_1",), ["0", "1", "0"], "verification_key.vk_alpha_1: is the point at infinity"),
    "delta infinity": (("vk_delta_2",), [["0", "0"], ["1", "0"], ["0", "0"]],
                       "verification_key.vk_delta_2: is the point at infinity"),
    "alpha off curve": (("vk_alpha_1", 1), "5", "verification_key.vk_alpha_1: point is not on the BN254 G1 curve"),
    "projective z": (("vk_alpha_1", 2), "2", "verification_key.vk_alpha_1: expected an affine point with z = 1"),
    "hex number": (("IC", 0, 0), "0x1", "verification_key.IC[0][0]: expected a non-negative decimal integer"),
    "negative": (("IC", 1, 1), "-3", "verification_key.IC[1][1]: expected a non-negative decimal integer"),
    "float": (("IC", 1, 1), 1.5, "verification_key.IC[1][1]: expected a non-negative decimal integer"),
    "bool": (("IC", 1, 1), True, "verification_key.IC[1][1]: expected a non-negative decimal integer"),
    "short point": (("vk_beta_2",), [["1", "2"]], "verification_key.vk_beta_2: expected 2 or 3 entries, got 1"),
    "IC not list": (("IC",), {"0": 1}, "verification_key.IC: expected a JSON array, got dict"),
}


@pytest.mark.parametrize("name", list(KEY_DEFECTS))
def test_key_defects_are_named(name: str) -> None:
    path, value, message = KEY_DEFECTS[name]
    data = _set(vkey_json(), path, value)
    with pytest.raises(MalformedKeyError) as info:
        parse_verifying_key(data)
    assert str(info.value).startswith(message), str(info.value)
    assert "\n" not in str(info.value)


def test_missing_key_field_and_wrong_top_level() -> None:
    data = vkey_json()
    del data["vk_gamma_2"]
    with pytest.raises(MalformedKeyError, match=r"^verification_key: missing key 'vk_gamma_2'$"):
        parse_verifying_key(data)
    with pytest.raises(MalformedKeyError, match=r"^verification_key: expected a JSON object, got list$"):
        parse_verifying_key([])
    with pytest.raises(MalformedKeyError, match=r"^verification_key: not valid JSON"):
        parse_verifying_key(b"\xff\xfe")


def test_proof_protocol_and_curve_checked_when_present() -> None:
    proof = proof_json(0)
    proof["curve"] = "bls12381"
    with pytest.raises(MalformedProofError, match=r"^proof\.curve: expected 'bn128'"):
        parse_proof(proof)
    del proof["curve"], proof["protocol"]
    assert parse_proof(proof) == parse_proof(proof_json(0))


def _leaf_paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in _leaf_paths(v, (*prefix, k))]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in _leaf_paths(v, (*prefix, i))]
    return [prefix]


GARBAGE: list[Any] = [None, "", "x", -1, 2**300, 1.0, [], {}, "9" * 200, str(BASE_FIELD_MODULUS)]


def test_no_raw_exception_from_any_garbage_leaf() -> None:
    """Replacing any leaf of the key, the proof or the signals by garbage is a clean error or False."""
    base_key, base_proof, base_public = _base()
    parsed_key = parse_verifying_key(base_key)  # parse the untouched key once: G2 subgroup checks cost ms
    checked = 0
    for target, base in (("vkey", base_key), ("proof", base_proof), ("public", base_public)):
        for path in _leaf_paths(base):
            if path[0] == "vk_alphabeta_12":
                continue  # not read: the verifier computes e(alpha, beta) itself
            for junk in GARBAGE:
                data = _set(deep(base), path, junk) if isinstance(base, dict) else deep(base)
                if isinstance(base, list):
                    data[path[0]] = junk
                args: dict[str, Any] = {"vkey": parsed_key, "proof": base_proof, "public": base_public, target: data}
                try:
                    result = verify(args["vkey"], args["proof"], args["public"])
                except VerificationInputError as exc:
                    assert "\n" not in str(exc)
                else:
                    assert result is False, (target, path, junk)
                checked += 1
    assert checked > 300


# --------------------------------------------------------------------------- batch


def _mismatched(index: int) -> ProofBundle:
    """Well formed but invalid: proof ``index`` with the next fixture's signals."""
    return ProofBundle(proof=bundle(index).proof, public_signals=bundle((index + 1) % N_FIXTURE_PROOFS).public_signals)


def _rerandomised(index: int, rho: int) -> ProofBundle:
    """``(ρ·A, ρ⁻¹·B, C)``: another valid proof of fixture ``index``'s statement."""
    proof = bundle(index).proof
    a = g1_mul(proof.a.affine, rho)
    b = g2_mul(proof.b.affine, pow(rho, -1, FIELD_ORDER))
    assert a is not None and b is not None
    return ProofBundle(proof=Proof(a=G1Point(*a), b=G2Point(*b), c=proof.c),
                       public_signals=bundle(index).public_signals)


def _six_valid() -> list[ProofBundle]:
    """Six distinct valid proofs: the three fixtures and a re-randomisation of each."""
    return [bundle(i) for i in range(N_FIXTURE_PROOFS)] + [_rerandomised(i, 1000 + i) for i in range(N_FIXTURE_PROOFS)]


def test_rerandomised_proof_also_verifies(vkey: VerifyingKey) -> None:
    """Groth16 proofs are malleable: a proof's bytes are not unique to its statement."""
    other = _rerandomised(0, 42)
    assert other.proof != bundle(0).proof
    assert verify(vkey, other.proof, other.public_signals)


def test_batch_of_valid_proofs_uses_one_combined_check(vkey: VerifyingKey,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    original = groth16._holds

    def counting(*args: Any, **kwargs: Any) -> bool:
        calls.append(len(args[1].pairs))
        return original(*args, **kwargs)

    monkeypatch.setattr(groth16, "_holds", counting)
    results = verify_batch(vkey, _six_valid())
    assert results == [BatchResult(ok=True)] * 6
    assert all(results)
    assert calls == [6]  # one pairing product over all six proofs


@pytest.mark.parametrize("bad_position", [0, 2, 5])
def test_batch_names_the_one_bad_proof(vkey: VerifyingKey, bad_position: int) -> None:
    items: list[BatchItem] = list(_six_valid())
    items[bad_position] = _mismatched(bad_position % N_FIXTURE_PROOFS)
    results = verify_batch(vkey, items)
    assert [r.ok for r in results] == [i != bad_position for i in range(6)]
    assert "pairing check failed" in (results[bad_position].reason or "")


def test_batch_names_both_bad_proofs(vkey: VerifyingKey) -> None:
    items: list[BatchItem] = list(_six_valid())
    items[1] = _mismatched(1)
    items[4] = _mismatched(1)
    assert [r.ok for r in verify_batch(vkey, items)] == [True, False, True, True, False, True]


def test_batch_reports_malformed_items_without_breaking_the_rest(vkey: VerifyingKey) -> None:
    off_curve = proof_json(0)
    off_curve["pi_a"][0] = str(int(off_curve["pi_a"][0]) + 1)
    items: list[Any] = [
        {"proof": proof_json(0), "publicSignals": public_json(0)},
        (off_curve, public_json(0)),
        (proof_json(1), public_json(1)),
        (proof_json(2), public_json(2)[:2]),
        "not a bundle",
        {"proof": proof_json(2)},
        bundle(2),
        _mismatched(0),
    ]
    results = verify_batch(vkey, items)
    assert [r.ok for r in results] == [True, False, True, False, False, False, True, False]
    reasons = [r.reason or "" for r in results]
    assert reasons[1].startswith("malformed: items[1].proof.pi_a: point is not on the BN254 G1 curve")
    assert reasons[3].startswith("malformed: items[3].publicSignals: has 2 public signals")
    assert reasons[4].startswith("malformed: items[4]: expected a ProofBundle")
    assert reasons[5] == "malformed: items[5]: missing key 'publicSignals'"
    assert "pairing check failed" in reasons[7]


def test_batch_edge_sizes(vkey: VerifyingKey) -> None:
    assert verify_batch(vkey, []) == []
    assert verify_batch(vkey, [bundle(0)]) == [BatchResult(ok=True)]
    assert [r.ok for r in verify_batch(vkey, [_mismatched(0)])] == [False]
    assert [r.ok for r in verify_batch(vkey, [_mismatched(0), _mismatched(1)])] == [False, False]


def test_batch_on_reference_backend(vkey: VerifyingKey) -> None:
    results = verify_batch(vkey, [bundle(0), _mismatched(1)], backend=PairingBackend.PY_ECC)
    assert [r.ok for r in results] == [True, False]


def test_batch_with_malformed_key_raises() -> None:
    data = vkey_json()
    data["curve"] = "bls12381"
    with pytest.raises(MalformedKeyError):
        verify_batch(data, [bundle(0)])
