"""Recognising forgeable verification keys from their content (verifier/trust.py).

The threat: under a key from the dev setup anyone can make a proof of *any* public signals, because the
dev ptau's alpha and beta derive from a public seed.  The first test forges such a proof and shows both
verifiers accept it; the rest show :func:`dev_key_reason` names those keys and only those: the dev key of
the ``test`` circuit and of a tiny circuit, a key with ``delta = 1``, a dev key of another seed when that
seed is given, and not a ceremony-style key, the golden-vector fixture key, or a key whose dev points were
replaced.  Nothing here depends on timing.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from py_ecc.fields import optimized_bn128_FQ as FQ
from py_ecc.fields import optimized_bn128_FQ2 as FQ2
from py_ecc.optimized_bn128.optimized_curve import G1, G2, add, multiply, normalize

from zkmargin.constants import FIELD_ORDER
from zkmargin.toolchain import tools
from zkmargin.toolchain.devptau import DEV_SEED, dev_secrets, generate_dev_ptau
from zkmargin.toolchain.keys import SetupArtifacts
from zkmargin.verifier.groth16 import verify
from zkmargin.verifier.groth16_errors import MalformedKeyError
from zkmargin.verifier.groth16_json import parse_verifying_key
from zkmargin.verifier.trust import dev_key_reason

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "groth16"
POWER = 6
OTHER_SEED = "a private seed nobody published (INSECURE)"

STATEMENT = """pragma circom 2.1.6;

template Statement() {
    signal input a;
    signal input b;
    signal input c;
    signal output d;
    signal ab;
    ab <== a * b;
    d <== ab * c + a;
}

component main {public [a, b, c]} = Statement();
"""

Point1 = tuple[FQ, FQ, FQ]
Point2 = tuple[FQ2, FQ2, FQ2]


def g1(point: list[str]) -> Point1:
    return FQ(int(point[0])), FQ(int(point[1])), FQ(int(point[2]))


def g2(point: list[list[str]]) -> Point2:
    return (FQ2([int(point[0][0]), int(point[0][1])]), FQ2([int(point[1][0]), int(point[1][1])]),
            FQ2([int(point[2][0]), int(point[2][1])]))


def g1_json(point: Point1) -> list[str]:
    x, y = normalize(point)
    return [str(x), str(y), "1"]


def g2_json(point: Point2) -> list[list[str]]:
    x, y = normalize(point)
    return [[str(x.coeffs[0]), str(x.coeffs[1])], [str(y.coeffs[0]), str(y.coeffs[1])], ["1", "0"]]


def forge(vkey: dict[str, Any], public: list[int], seed: str = DEV_SEED) -> dict[str, Any]:
    """A proof of ``public`` from alpha·beta of the dev seed and the key alone (snarkjs keys: gamma = G2).

    With L = IC[0] + Σ xᵢ·IC[i+1]: A = (alpha·beta)·G1 + L, B = G2 + delta, C = A gives
    e(A, B) = e(alpha, beta)·e(L, gamma)·e(C, delta).
    """
    secrets = dev_secrets(seed)
    lin = g1(vkey["IC"][0])
    for value, point in zip(public, vkey["IC"][1:], strict=True):
        lin = add(lin, multiply(g1(point), value))
    a = add(multiply(G1, secrets.alpha * secrets.beta % FIELD_ORDER), lin)
    b = add(G2, g2(vkey["vk_delta_2"]))
    return {"pi_a": g1_json(a), "pi_b": g2_json(b), "pi_c": g1_json(a), "protocol": "groth16", "curve": "bn128"}


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    """Verification keys of a tiny circuit: dev, other-seed dev, stand-in ceremony, and delta = 1."""
    work = tmp_path_factory.mktemp("trust")
    (work / "statement.circom").write_text(STATEMENT)
    tools.circom([str(work / "statement.circom"), "--r1cs", "--O2", "-o", str(work)], cwd=Path("/"))
    r1cs = work / "statement.r1cs"

    def vkey_of(zkey: Path) -> dict[str, Any]:
        out = zkey.with_suffix(".json")
        tools.snarkjs(["zkey", "export", "verificationkey", str(zkey), str(out)])
        return dict(json.loads(out.read_text()))

    def zkey0(ptau: Path, name: str) -> Path:
        zkey = work / f"{name}_0.zkey"
        tools.snarkjs(["groth16", "setup", str(r1cs), str(ptau), str(zkey)])
        return zkey

    def finished(zkey: Path, name: str) -> Path:
        final = work / f"{name}_final.zkey"
        tools.snarkjs(["zkey", "contribute", str(zkey), str(final), "--name=test", "-e=test entropy"])
        return final

    dev = generate_dev_ptau(POWER, DEV_SEED, work / "dev.ptau")
    other = generate_dev_ptau(POWER, OTHER_SEED, work / "other.ptau")
    ceremony = generate_dev_ptau(POWER, "stand-in ceremony (INSECURE)", work / "ceremony.ptau",
                                 contribution="stand-in ceremony contributor")
    ceremony0 = zkey0(ceremony, "ceremony")
    return {
        "dev": vkey_of(finished(zkey0(dev, "dev"), "dev")),
        "other_seed": vkey_of(finished(zkey0(other, "other"), "other")),
        "ceremony": vkey_of(finished(ceremony0, "ceremony")),
        "no_phase2": vkey_of(ceremony0),
    }


@pytest.mark.slow
def test_anyone_can_forge_under_the_test_dev_key_and_it_is_recognised(test_keys: SetupArtifacts) -> None:
    vkey = json.loads(test_keys.vkey.read_text())
    # no account has these: a params root of 1, commitments 2 and 3, and IM = MM = 0 disclosed
    public = [1, 2, 3, 1 << 248]
    proof = forge(vkey, public)
    assert verify(vkey, proof, public)
    assert tools.snarkjs_verify(test_keys.vkey, proof, [str(x) for x in public])
    reason = dev_key_reason(vkey)
    assert reason == (f"vk_alpha_1 is alpha·G1 for the public dev seed {DEV_SEED!r}: anyone can forge proofs")


def test_the_dev_key_of_any_circuit_is_recognised(keys: dict[str, dict[str, Any]]) -> None:
    assert verify(keys["dev"], forge(keys["dev"], [5, 6, 7, 8]), [5, 6, 7, 8])
    reason = dev_key_reason(keys["dev"])
    assert reason is not None and DEV_SEED in reason and "anyone can forge proofs" in reason
    assert dev_key_reason(parse_verifying_key(keys["dev"])) == reason  # a parsed key works the same


def test_a_ceremony_style_key_is_not_recognised_and_resists_the_forgery(keys: dict[str, dict[str, Any]]) -> None:
    assert dev_key_reason(keys["ceremony"]) is None
    assert not verify(keys["ceremony"], forge(keys["ceremony"], [5, 6, 7, 8]), [5, 6, 7, 8])


def test_a_flag_in_the_key_file_changes_nothing(keys: dict[str, dict[str, Any]]) -> None:
    assert dev_key_reason({**keys["dev"], "insecure_dev_setup": False, "security": "ceremony"}) is not None
    assert dev_key_reason({**keys["ceremony"], "insecure_dev_setup": True}) is None


def test_the_fixture_key_is_not_recognised() -> None:
    # scripts/make_groth16_fixtures.py finishes both phases with public beacons and no dev seed: forgeable by
    # whoever computes the beacons' secrets, but nothing in the key shows it (a limitation, documented)
    assert dev_key_reason(json.loads((FIXTURES / "vkey.json").read_text())) is None


def test_a_key_without_a_phase2_contribution_is_recognised(keys: dict[str, dict[str, Any]]) -> None:
    vkey = keys["no_phase2"]
    assert dev_key_reason(vkey) == ("vk_delta_2 is the G2 generator (delta = 1, no phase-2 contribution): "
                                    "anyone can forge proofs")
    # delta = 1 forges with public points only: A = alpha_1, B = beta_2, C = -L
    public = [5, 6, 7, 8]
    lin = g1(vkey["IC"][0])
    for value, point in zip(public, vkey["IC"][1:], strict=True):
        lin = add(lin, multiply(g1(point), value))
    proof = {"pi_a": vkey["vk_alpha_1"], "pi_b": vkey["vk_beta_2"], "pi_c": g1_json(multiply(lin, FIELD_ORDER - 1))}
    assert verify(vkey, proof, public)


def test_another_seed_is_recognised_only_when_given(keys: dict[str, dict[str, Any]]) -> None:
    assert dev_key_reason(keys["other_seed"]) is None
    reason = dev_key_reason(keys["other_seed"], seeds=[OTHER_SEED])
    assert reason == f"vk_alpha_1 is alpha·G1 for the dev seed {OTHER_SEED!r}: anyone can forge proofs"
    assert dev_key_reason(keys["ceremony"], seeds=[OTHER_SEED]) is None


def test_a_tampered_dev_key_is_still_recognised_by_its_other_point(keys: dict[str, dict[str, Any]]) -> None:
    tampered = {**keys["dev"], "vk_alpha_1": g1_json(multiply(G1, 2))}
    reason = dev_key_reason(tampered)
    assert reason is not None and reason.startswith("vk_beta_2 is beta·G2 for the public dev seed")


def test_a_key_with_both_dev_points_replaced_is_not_recognised(keys: dict[str, dict[str, Any]]) -> None:
    replaced = {**keys["dev"], "vk_alpha_1": g1_json(multiply(G1, 2)), "vk_beta_2": g2_json(multiply(G2, 3))}
    assert dev_key_reason(replaced) is None


def test_a_point_off_the_curve_is_a_malformed_key(keys: dict[str, dict[str, Any]]) -> None:
    x, y, z = keys["dev"]["vk_alpha_1"]
    with pytest.raises(MalformedKeyError, match="vk_alpha_1"):
        dev_key_reason({**keys["dev"], "vk_alpha_1": [str(int(x) + 1), y, z]})
