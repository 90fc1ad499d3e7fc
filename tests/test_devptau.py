"""The INSECURE dev powers-of-tau generator (toolchain/js/devptau.js) and the ptau checker (toolchain/js/checkptau.js).

* the checker accepts generated files and rejects a flipped byte or a swapped/replaced valid point in any section;
* the Lagrange sections equal, byte for byte, what ``snarkjs powersoftau prepare phase2`` computes from the same
  powers (in fact the whole prepared file does);
* a tiny circuit goes through ``groth16 setup`` / ``fullprove`` / ``verify`` with a dev ptau;
* same seed ⇒ same bytes and verification key; another seed ⇒ different ones;
* ``--contribution`` writes a stand-in ceremony file that ``snarkjs powersoftau verify`` accepts;
* the Python derivation of the secrets (used to recognise dev keys and dev ptau files) matches the generator.
"""

from __future__ import annotations

import json
import struct
from pathlib import Path
from typing import Any

import pytest
from py_ecc.optimized_bn128.optimized_curve import G1, multiply, normalize

from zkmargin.constants import BASE_FIELD_MODULUS
from zkmargin.toolchain import devptau, tools
from zkmargin.toolchain.devptau import (
    DEV_SEED,
    PtauCheckError,
    PtauFormatError,
    PtauInfo,
    check_ptau,
    dev_secrets,
    generate_dev_ptau,
    has_dev_tau,
    ptau_tau_g1,
    read_ptau_info,
    snarkjs_verify_ptau,
)

POWER = 6
SEED = "zkmargin tests: INSECURE dev ptau"

MULTIPLIER = """pragma circom 2.1.6;
include "bitify.circom";

template Multiplier() {
    signal input a;
    signal input b;
    signal output c;
    c <== a * b;
    component bits = Num2Bits(32);
    bits.in <== c;
}

component main {public [a]} = Multiplier();
"""

G2_SECTIONS = {3, 6, 13}
NAMES = {2: "tauG1", 3: "tauG2", 4: "alphaTauG1", 5: "betaTauG1", 6: "betaG2",
         12: "lagrange tauG1", 13: "lagrange tauG2", 14: "lagrange alphaTauG1", 15: "lagrange betaTauG1"}


def read_sections(data: bytes) -> dict[int, tuple[int, int]]:
    """``{section id: (payload offset, payload size)}`` of an iden3 binary file."""
    assert data[:4] == b"ptau"
    (n_sections,) = struct.unpack_from("<I", data, 8)
    pos = 12
    out: dict[int, tuple[int, int]] = {}
    for _ in range(n_sections):
        sid, size = struct.unpack_from("<IQ", data, pos)
        out[sid] = (pos + 12, size)
        pos += 12 + size
    assert pos == len(data)
    return out


def section_bytes(data: bytes, sid: int) -> bytes:
    pos, size = read_sections(data)[sid]
    return data[pos:pos + size]


@pytest.fixture(scope="module")
def dev_ptau(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate_dev_ptau(POWER, SEED, tmp_path_factory.mktemp("ptau") / "dev.ptau")


@pytest.fixture(scope="module")
def circuit(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Compiled multiplier: the folder holding ``multiplier.r1cs`` and ``multiplier_js/multiplier.wasm``."""
    out = tmp_path_factory.mktemp("circuit")
    src = out / "multiplier.circom"
    src.write_text(MULTIPLIER)
    tools.circom([str(src), "--r1cs", "--wasm", "--O2", "-l", str(tools.circomlib_dir()), "-o", str(out)],
                 cwd=Path("/"))
    assert (out / "multiplier.r1cs").is_file()
    assert (out / "multiplier_js" / "multiplier.wasm").is_file()
    return out


def setup_vkey(circuit: Path, ptau: Path, work: Path) -> tuple[Path, dict[str, Any]]:
    """``groth16 setup`` with ``ptau``; returns the zkey and its verification key."""
    work.mkdir(parents=True, exist_ok=True)
    zkey = work / "multiplier.zkey"
    vkey = work / "vkey.json"
    tools.snarkjs(["groth16", "setup", str(circuit / "multiplier.r1cs"), str(ptau), str(zkey)])
    tools.snarkjs(["zkey", "export", "verificationkey", str(zkey), str(vkey)])
    return zkey, dict(json.loads(vkey.read_text()))


# --------------------------------------------------------------------------- argument validation


@pytest.mark.parametrize("power", [0, -1, 21, 64])
def test_power_out_of_range(power: int, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"1\.\.20"):
        generate_dev_ptau(power, SEED, tmp_path / "x.ptau")
    assert not (tmp_path / "x.ptau").exists()


@pytest.mark.parametrize("power", [6.0, "6", True, None])
def test_power_wrong_type(power: Any, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="power"):
        generate_dev_ptau(power, SEED, tmp_path / "x.ptau")


@pytest.mark.parametrize("seed", ["", "a\x00b"])
def test_bad_seed(seed: str, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="seed"):
        generate_dev_ptau(POWER, seed, tmp_path / "x.ptau")


def test_check_missing_file(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        check_ptau(tmp_path / "nope.ptau")


def test_docstrings_say_insecure() -> None:
    for obj in (devptau, devptau.generate_dev_ptau, devptau.check_ptau):
        assert obj.__doc__ is not None and "INSECURE" in obj.__doc__


# --------------------------------------------------------------------------- checker


def test_layout(dev_ptau: Path) -> None:
    data = dev_ptau.read_bytes()
    sections = read_sections(data)
    n = 2**POWER
    assert sorted(sections) == [1, 2, 3, 4, 5, 6, 7, 12, 13, 14, 15]
    sizes = {sid: size for sid, (_, size) in sections.items()}
    assert sizes == {1: 44, 2: (2 * n - 1) * 64, 3: n * 128, 4: n * 64, 5: n * 64, 6: 128, 7: 4,
                     12: (4 * n - 1) * 64, 13: (2 * n - 1) * 128, 14: (2 * n - 1) * 64, 15: (2 * n - 1) * 64}
    header = section_bytes(data, 1)
    assert struct.unpack_from("<I", header, 0)[0] == 32
    assert struct.unpack_from("<II", header, 36) == (POWER, POWER)
    assert section_bytes(data, 7) == b"\x00\x00\x00\x00"  # zero contributions


def test_check_passes(dev_ptau: Path) -> None:
    check_ptau(dev_ptau)


def test_check_rejects_unprepared_unless_allowed(tmp_path: Path) -> None:
    plain = generate_dev_ptau(POWER, SEED, tmp_path / "plain.ptau", prepared=False)
    with pytest.raises(PtauCheckError, match="not prepared"):
        check_ptau(plain)
    check_ptau(plain, allow_unprepared=True)


def _corrupt_and_check(dst: Path, data: bytearray) -> PtauCheckError:
    dst.write_bytes(bytes(data))
    with pytest.raises(PtauCheckError) as info:
        check_ptau(dst)
    assert info.value.returncode == 1
    return info.value


@pytest.mark.parametrize("sid", [12, 13, 14, 15, 3])
def test_check_detects_flipped_byte(sid: int, dev_ptau: Path, tmp_path: Path) -> None:
    data = bytearray(dev_ptau.read_bytes())
    pos, size = read_sections(bytes(data))[sid]
    data[pos + size // 2 + 3] ^= 0x04
    err = _corrupt_and_check(tmp_path / "bad.ptau", data)
    assert f"section {sid} ({NAMES[sid]})" in str(err)


@pytest.mark.parametrize(("sid", "how"), [(12, "swap"), (13, "replace"), (14, "replace"), (15, "swap")])
def test_check_detects_valid_but_wrong_lagrange_point(sid: int, how: str, dev_ptau: Path, tmp_path: Path) -> None:
    """Every point stays a valid curve point; only the Lagrange basis is wrong."""
    data = bytearray(dev_ptau.read_bytes())
    pos, _ = read_sections(bytes(data))[sid]
    sp = 128 if sid in G2_SECTIONS else 64
    # level 2^3 holds points 7..14 of each Lagrange section
    a, b = pos + 9 * sp, pos + 12 * sp
    if how == "swap":
        data[a:a + sp], data[b:b + sp] = data[b:b + sp], data[a:a + sp]
    else:
        data[a:a + sp] = data[pos:pos + sp]  # level 2^0's point, a valid point of the same group
    err = _corrupt_and_check(tmp_path / "bad.ptau", data)
    assert f"section {sid} ({NAMES[sid]}) level 2^3" in str(err)


@pytest.mark.parametrize("sid", [2, 3, 4, 5])
def test_check_detects_valid_but_wrong_monomial_point(sid: int, dev_ptau: Path, tmp_path: Path) -> None:
    data = bytearray(dev_ptau.read_bytes())
    pos, _ = read_sections(bytes(data))[sid]
    sp = 128 if sid in G2_SECTIONS else 64
    a, b = pos + 5 * sp, pos + 6 * sp
    data[a:a + sp], data[b:b + sp] = data[b:b + sp], data[a:a + sp]
    err = _corrupt_and_check(tmp_path / "bad.ptau", data)
    assert f"section {sid} ({NAMES[sid]})" in str(err)


def test_check_detects_truncation(dev_ptau: Path, tmp_path: Path) -> None:
    data = bytearray(dev_ptau.read_bytes()[:-64])
    err = _corrupt_and_check(tmp_path / "bad.ptau", data)
    assert "overruns" in str(err)


# --------------------------------------------------------------------------- agreement with snarkjs


def test_lagrange_sections_match_snarkjs_prepare_phase2(dev_ptau: Path, tmp_path: Path) -> None:
    """snarkjs's group-FFT preparation of the same powers gives the very same bytes."""
    plain = generate_dev_ptau(POWER, SEED, tmp_path / "plain.ptau", prepared=False)
    prepared = tmp_path / "snarkjs_prepared.ptau"
    tools.snarkjs(["powersoftau", "prepare", "phase2", str(plain), str(prepared)])
    ours, theirs = dev_ptau.read_bytes(), prepared.read_bytes()
    for sid in (12, 13, 14, 15):
        assert section_bytes(ours, sid) == section_bytes(theirs, sid), f"section {sid} differs"
    for sid in (1, 2, 3, 4, 5, 6, 7):
        assert section_bytes(ours, sid) == section_bytes(plain.read_bytes(), sid)
    assert ours == theirs
    check_ptau(prepared)  # the checker agrees with snarkjs's conventions too


# --------------------------------------------------------------------------- Groth16 end to end


@pytest.mark.slow
def test_groth16_prove_and_verify(circuit: Path, dev_ptau: Path, tmp_path: Path) -> None:
    zkey, vkey = setup_vkey(circuit, dev_ptau, tmp_path)
    assert vkey["protocol"] == "groth16" and vkey["nPublic"] == 2
    (tmp_path / "input.json").write_text(json.dumps({"a": "3", "b": "11"}))
    proof, public = tmp_path / "proof.json", tmp_path / "public.json"
    tools.snarkjs(["groth16", "fullprove", str(tmp_path / "input.json"),
                   str(circuit / "multiplier_js" / "multiplier.wasm"), str(zkey), str(proof), str(public)])
    assert json.loads(public.read_text()) == ["33", "3"]
    vkey_path = tmp_path / "vkey.json"
    result = tools.snarkjs(["groth16", "verify", str(vkey_path), str(public), str(proof)])
    assert "OK" in result.stdout
    # the verifier really checks: a wrong public signal is rejected
    (tmp_path / "public_bad.json").write_text(json.dumps(["34", "3"]))
    with pytest.raises(tools.ToolError) as info:
        tools.snarkjs(["groth16", "verify", str(vkey_path), str(tmp_path / "public_bad.json"), str(proof)])
    assert info.value.returncode == 1


# --------------------------------------------------------------------------- determinism


def test_bytes_do_not_depend_on_chunking_window_or_threads(dev_ptau: Path, tmp_path: Path) -> None:
    """Tiny chunks (many chunk boundaries per level), a small window and one thread: same file."""
    out = tmp_path / "odd.ptau"
    tools.node([str(devptau.DEVPTAU_JS), "--power", str(POWER), "--seed", SEED, "--out", str(out),
                "--chunk", "5", "--window", "3", "--threads", "1"])
    assert out.read_bytes() == dev_ptau.read_bytes()


@pytest.mark.slow
def test_same_seed_same_bytes_and_vkey(circuit: Path, dev_ptau: Path, tmp_path: Path) -> None:
    again = generate_dev_ptau(POWER, SEED, tmp_path / "again.ptau")
    assert again.read_bytes() == dev_ptau.read_bytes()
    _, vkey1 = setup_vkey(circuit, dev_ptau, tmp_path / "one")
    _, vkey2 = setup_vkey(circuit, again, tmp_path / "two")
    assert vkey1 == vkey2

    other = generate_dev_ptau(POWER, SEED + "!", tmp_path / "other.ptau")
    other_bytes = other.read_bytes()
    assert other_bytes != dev_ptau.read_bytes()
    # only the header and the contributions section coincide
    for sid in (2, 3, 4, 5, 6, 12, 13, 14, 15):
        assert section_bytes(other_bytes, sid) != section_bytes(dev_ptau.read_bytes(), sid)
    _, vkey3 = setup_vkey(circuit, other, tmp_path / "three")
    assert vkey3 != vkey1
    assert vkey3["vk_alpha_1"] != vkey1["vk_alpha_1"] and vkey3["vk_beta_2"] != vkey1["vk_beta_2"]


def test_power_changes_file_not_prefix(dev_ptau: Path, tmp_path: Path) -> None:
    """A different power is a different file, but the tau series of the same seed agree on the common prefix."""
    small = generate_dev_ptau(POWER - 1, SEED, tmp_path / "small.ptau")
    big, little = dev_ptau.read_bytes(), small.read_bytes()
    n_small = 2 ** (POWER - 1)
    # same secrets (tau is derived independently of the power unless degenerate): tauG1 prefix agrees
    assert section_bytes(big, 2)[: (2 * n_small - 1) * 64] == section_bytes(little, 2)
    assert section_bytes(big, 4)[: n_small * 64] == section_bytes(little, 4)
    check_ptau(small)


# --------------------------------------------------------------------------- stand-in ceremony (--contribution)


@pytest.fixture(scope="module")
def stand_in(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate_dev_ptau(POWER, SEED, tmp_path_factory.mktemp("ptau") / "stand_in.ptau",
                             contribution="stand-in contributor")


def test_stand_in_has_the_dev_points_and_one_contribution(dev_ptau: Path, stand_in: Path) -> None:
    ours, plain = stand_in.read_bytes(), dev_ptau.read_bytes()
    for sid in (1, 2, 3, 4, 5, 6, 12, 13, 14, 15):  # only the contributions section differs
        assert section_bytes(ours, sid) == section_bytes(plain, sid)
    assert read_ptau_info(stand_in) == PtauInfo(power=POWER, ceremony_power=POWER, contributions=1, beacons=0,
                                                prepared=True)
    assert read_ptau_info(dev_ptau).contributions == 0


def test_snarkjs_accepts_the_stand_in_and_rejects_the_dev_file(dev_ptau: Path, stand_in: Path) -> None:
    accepted = snarkjs_verify_ptau(stand_in)
    assert accepted.ok and accepted.problems == ()
    assert accepted.contributions == ("Contribution #1: stand-in contributor",)
    rejected = snarkjs_verify_ptau(dev_ptau)
    assert not rejected.ok
    assert rejected.problems == ("ERROR: This file has no contribution! It cannot be used in production",)


def test_snarkjs_warning_on_an_unprepared_file_is_a_failure(tmp_path: Path) -> None:
    # snarkjs exits 0 and only warns that the phase-2 sections are missing
    plain = generate_dev_ptau(POWER, SEED, tmp_path / "plain.ptau", prepared=False, contribution="someone")
    verdict = snarkjs_verify_ptau(plain)
    assert not verdict.ok and verdict.problems[0].startswith("WARN: this file does not contain phase2")
    assert not read_ptau_info(plain).prepared


def test_stand_in_is_deterministic_and_its_name_checked(stand_in: Path, tmp_path: Path) -> None:
    again = generate_dev_ptau(POWER, SEED, tmp_path / "again.ptau", contribution="stand-in contributor")
    assert again.read_bytes() == stand_in.read_bytes()
    for name in ("", "x" * 65):
        with pytest.raises(ValueError, match="contribution name"):
            generate_dev_ptau(POWER, SEED, tmp_path / "bad.ptau", contribution=name)


# --------------------------------------------------------------------------- the secrets in Python


def test_python_derives_the_same_tau_as_the_generator(dev_ptau: Path, stand_in: Path) -> None:
    assert has_dev_tau(dev_ptau, SEED) and has_dev_tau(stand_in, SEED)
    assert not has_dev_tau(dev_ptau, SEED + "!") and not has_dev_tau(dev_ptau, DEV_SEED)
    x, y = normalize(multiply(G1, dev_secrets(SEED, POWER).tau))
    assert ptau_tau_g1(dev_ptau, 1) == (int(x), int(y))
    assert ptau_tau_g1(dev_ptau, 0) == (1, 2)  # the generator


def test_python_derives_the_same_alpha_and_beta_as_the_generator(dev_ptau: Path) -> None:
    data = dev_ptau.read_bytes()
    secrets = dev_secrets(SEED)
    montgomery = (1 << 256) % BASE_FIELD_MODULUS
    alpha_g1 = section_bytes(data, 4)[:64]  # alpha·tau^0·G1
    x, y = normalize(multiply(G1, secrets.alpha))
    assert alpha_g1 == (int(x) * montgomery % BASE_FIELD_MODULUS).to_bytes(32, "little") + \
        (int(y) * montgomery % BASE_FIELD_MODULUS).to_bytes(32, "little")
    beta_g1 = section_bytes(data, 5)[:64]
    x, y = normalize(multiply(G1, secrets.beta))
    assert beta_g1[:32] == (int(x) * montgomery % BASE_FIELD_MODULUS).to_bytes(32, "little")
    assert dev_secrets(SEED, 1) == dev_secrets(SEED, 20)  # the power only matters for a degenerate tau


@pytest.mark.parametrize("cut", [1, 64, 3000])
def test_read_ptau_info_rejects_a_truncated_file(dev_ptau: Path, tmp_path: Path, cut: int) -> None:
    short = tmp_path / "short.ptau"
    short.write_bytes(dev_ptau.read_bytes()[:-cut])
    with pytest.raises(PtauFormatError, match="truncated"):
        read_ptau_info(short)


def test_read_ptau_info_rejects_a_non_ptau(tmp_path: Path) -> None:
    junk = tmp_path / "junk.ptau"
    junk.write_bytes(b"ptax" + bytes(20))
    with pytest.raises(PtauFormatError, match=r"not a \.ptau file"):
        read_ptau_info(junk)
