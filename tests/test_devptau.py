"""The INSECURE dev powers-of-tau generator (toolchain/js/devptau.js) and the ptau checker (toolchain/js/checkptau.js).

* the checker accepts generated files and rejects a flipped byte or a swapped/replaced valid point in any section;
* the Lagrange sections equal, byte for byte, what ``snarkjs powersoftau prepare phase2`` computes from the same
  powers (in fact the whole prepared file does);
* a tiny circuit goes through ``groth16 setup`` / ``fullprove`` / ``verify`` with a dev ptau;
* same seed ⇒ same bytes and verification key; another seed ⇒ different ones.
"""

from __future__ import annotations

import json
import struct
from pathlib import Path
from typing import Any

import pytest

from zkmargin.toolchain import devptau, tools
from zkmargin.toolchain.devptau import PtauCheckError, check_ptau, generate_dev_ptau

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
