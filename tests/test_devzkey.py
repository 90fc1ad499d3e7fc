"""The INSECURE dev Groth16 key writer (toolchain/js/devzkey.js, toolchain/devzkey.py), with the real tools.

* its key equals, byte for byte, ``snarkjs groth16 setup`` + ``snarkjs zkey beacon`` from the same dev ptau and
  beacon: for a small compiled circuit with the ptau of exactly its domain and of one power more, and for a
  synthetic 2^15 domain, where snarkjs's circuit hash takes one point from past the end of the ptau's tauG1;
* the plain Jacobian multiplication (``--reference``), other windows, chunks and thread counts give the same bytes;
* ``snarkjs zkey verify`` accepts the key (and rejects it with two C points swapped);
* a proof made with stock ``snarkjs groth16 prove`` verifies with ``snarkjs groth16 verify`` and with the Python
  verifier, and a changed public signal is rejected by both;
* a missing file, a file that is not an r1cs and a power too small are refused in one line.
"""

from __future__ import annotations

import hashlib
import json
import struct
from pathlib import Path
from typing import Any

import pytest

from zkmargin.toolchain import devzkey, tools
from zkmargin.toolchain.devptau import generate_dev_ptau
from zkmargin.toolchain.devzkey import (
    DEV_BEACON_NAME,
    DEVZKEY_JS,
    DevZkeyInputError,
    domain_power,
    write_dev_zkey,
    write_synthetic_r1cs,
)
from zkmargin.toolchain.iden3 import read_r1cs_header
from zkmargin.verifier.groth16 import verify as python_verify

SEED = "zkmargin tests: INSECURE dev zkey"
BEACON = hashlib.sha256(f"beacon:{SEED}".encode()).hexdigest()
ITERATIONS = 10

#: ~260 constraints (Num2Bits(250) and a chain of products), public inputs a, b and the public output c.
TINY = """pragma circom 2.1.6;
include "bitify.circom";

template Tiny() {
    signal input a;
    signal input b;
    signal input x;
    signal output c;
    signal chain[8];
    chain[0] <== x * x;
    for (var i = 1; i < 8; i++) {
        chain[i] <== chain[i - 1] * a;
    }
    component bits = Num2Bits(250);
    bits.in <== chain[7] + b;
    c <== a * b;
}

component main {public [a, b]} = Tiny();
"""
TINY_INPUT = {"a": 3, "b": 5, "x": 7}

SECTION_NAMES = {1: "header", 2: "Groth16 header", 3: "IC", 4: "coefficients", 5: "A", 6: "B1", 7: "B2",
                 8: "C", 9: "H", 10: "contributions"}


def zkey_sections(data: bytes) -> list[tuple[int, bytes]]:
    """``[(section id, payload)]`` of an iden3 ``zkey`` file, in file order."""
    assert data[:4] == b"zkey", "not a zkey file"
    (n_sections,) = struct.unpack_from("<I", data, 8)
    pos, out = 12, []
    for _ in range(n_sections):
        sid, size = struct.unpack_from("<IQ", data, pos)
        out.append((sid, data[pos + 12:pos + 12 + size]))
        pos += 12 + size
    return out


def difference(ours: bytes, theirs: bytes) -> str:
    """Which sections of two zkeys differ, and where (for assertion messages)."""
    if ours == theirs:
        return "identical"
    a, b = zkey_sections(ours), zkey_sections(theirs)
    if [sid for sid, _ in a] != [sid for sid, _ in b]:
        return f"section order {[sid for sid, _ in a]} != {[sid for sid, _ in b]}"
    found = []
    for (sid, x), (_, y) in zip(a, b, strict=True):
        if x != y:
            at = next((i for i in range(min(len(x), len(y))) if x[i] != y[i]), min(len(x), len(y)))
            found.append(f"section {sid} ({SECTION_NAMES.get(sid, '?')}): {len(x)} vs {len(y)} bytes, "
                         f"first difference at byte {at}")
    return "; ".join(found) or "same sections, different file headers"


def snarkjs_key(r1cs: Path, ptau: Path, out: Path) -> Path:
    """``groth16 setup`` + the dev beacon, as the dev setup ran them before devzkey.js."""
    zkey0 = out.with_suffix(".0.zkey")
    tools.snarkjs(["groth16", "setup", str(r1cs), str(ptau), str(zkey0)])
    tools.snarkjs(["zkey", "beacon", str(zkey0), str(out), BEACON, str(ITERATIONS), f"-n={DEV_BEACON_NAME}"])
    zkey0.unlink()
    return out


def assert_same_key(ours: Path, theirs: Path) -> None:
    a, b = ours.read_bytes(), theirs.read_bytes()
    assert hashlib.sha256(a).hexdigest() == hashlib.sha256(b).hexdigest(), difference(a, b)


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The compiled tiny circuit: a folder with ``tiny.r1cs`` and ``tiny_js/tiny.wasm``."""
    out = tmp_path_factory.mktemp("tiny")
    src = out / "tiny.circom"
    src.write_text(TINY)
    tools.circom([str(src), "--r1cs", "--wasm", "--O2", "-l", str(tools.circomlib_dir()), "-o", str(out)],
                 cwd=Path("/"))
    return out


@pytest.fixture(scope="module")
def tiny_power(tiny: Path) -> int:
    header = read_r1cs_header(tiny / "tiny.r1cs")
    power = domain_power(header.n_constraints, header.n_public_outputs + header.n_public_inputs)
    assert 8 <= power <= 10, "the tiny circuit should stay a few hundred constraints"
    return power


@pytest.fixture(scope="module")
def ptaus(tmp_path_factory: pytest.TempPathFactory, tiny_power: int) -> dict[int, Path]:
    """Dev ptau files of the tiny circuit's power and of one power more."""
    folder = tmp_path_factory.mktemp("ptau")
    return {p: generate_dev_ptau(p, SEED, folder / f"dev{p}.ptau") for p in (tiny_power, tiny_power + 1)}


@pytest.fixture(scope="module")
def tiny_key(tmp_path_factory: pytest.TempPathFactory, tiny: Path, tiny_power: int) -> Path:
    """The written key of the tiny circuit, for the ptau of exactly its domain."""
    out = tmp_path_factory.mktemp("key") / "tiny.zkey"
    write_dev_zkey(tiny / "tiny.r1cs", SEED, tiny_power, BEACON, ITERATIONS, out)
    return out


# --------------------------------------------------------------------------- same bytes as snarkjs


@pytest.mark.parametrize("extra_power", [0, 1])
def test_the_key_is_snarkjs_setup_and_beacon_byte_for_byte(extra_power: int, tiny: Path, tiny_power: int,
                                                            ptaus: dict[int, Path], tiny_key: Path,
                                                            tmp_path: Path) -> None:
    # with a larger ptau the H points come from a full level of section 12, not the truncated top one
    power = tiny_power + extra_power
    ours = tiny_key if extra_power == 0 else tmp_path / "ours.zkey"
    if extra_power:
        write_dev_zkey(tiny / "tiny.r1cs", SEED, power, BEACON, ITERATIONS, ours)
    theirs = snarkjs_key(tiny / "tiny.r1cs", ptaus[power], tmp_path / "snarkjs.zkey")
    assert_same_key(ours, theirs)


@pytest.mark.slow
def test_byte_for_byte_where_snarkjs_hashes_past_the_end_of_tau_g1(tmp_path: Path) -> None:
    # At a domain of 2^15 or more snarkjs hashes n H points (not n-1); the last is tauG1[2n-1] - tauG1[n-1], and
    # with a ptau of exactly that power tauG1 ends at 2n-2: the keys.py dev setup is always in this case.
    r1cs = write_synthetic_r1cs(tmp_path / "chain.r1cs", 2**14)
    assert domain_power(2**14, 3) == 15
    ptau = generate_dev_ptau(15, SEED, tmp_path / "dev15.ptau")
    ours = tmp_path / "ours.zkey"
    write_dev_zkey(r1cs, SEED, 15, BEACON, ITERATIONS, ours)
    assert_same_key(ours, snarkjs_key(r1cs, ptau, tmp_path / "snarkjs.zkey"))


def test_reference_multiplication_window_chunk_and_threads_do_not_change_the_bytes(tiny: Path, tiny_power: int,
                                                                                    tiny_key: Path,
                                                                                    tmp_path: Path) -> None:
    out = tmp_path / "reference.zkey"
    tools.node([str(DEVZKEY_JS), "--r1cs", str(tiny / "tiny.r1cs"), "--seed", SEED, "--power", str(tiny_power),
                "--beacon", BEACON, "--iterations", str(ITERATIONS), "--out", str(out), "--reference",
                "--threads", "1", "--window", "3", "--chunk", "37"])
    assert_same_key(out, tiny_key)
    write_dev_zkey(tiny / "tiny.r1cs", SEED, tiny_power, BEACON, ITERATIONS, tmp_path / "three.zkey", threads=3)
    assert_same_key(tmp_path / "three.zkey", tiny_key)


def test_the_key_is_labelled_insecure(tiny_key: Path) -> None:
    contributions = dict(zkey_sections(tiny_key.read_bytes()))[10]
    assert b"zkmargin INSECURE dev beacon" in contributions
    assert bytes.fromhex(BEACON) in contributions
    for doc in (devzkey.__doc__, write_dev_zkey.__doc__):
        assert doc is not None and "INSECURE" in doc


# --------------------------------------------------------------------------- snarkjs accepts it


def _zkey_verify(r1cs: Path, ptau: Path, zkey: Path) -> tuple[bool, str]:
    try:
        result = tools.snarkjs(["zkey", "verify", str(r1cs), str(ptau), str(zkey)])
    except tools.ToolError as exc:
        return False, exc.stdout + exc.stderr
    return "ZKey Ok!" in result.stdout, result.stdout


def test_snarkjs_zkey_verify_accepts_the_key(tiny: Path, tiny_power: int, ptaus: dict[int, Path], tiny_key: Path,
                                             tmp_path: Path) -> None:
    ok, output = _zkey_verify(tiny / "tiny.r1cs", ptaus[tiny_power], tiny_key)
    assert ok, output
    # and the check has teeth: two valid C points swapped
    data = bytearray(tiny_key.read_bytes())
    pos = 12
    for _ in range(struct.unpack_from("<I", data, 8)[0]):
        sid, size = struct.unpack_from("<IQ", data, pos)
        if sid == 8:
            start = pos + 12
            data[start:start + 128] = data[start + 64:start + 128] + data[start:start + 64]
        pos += 12 + size
    bad = tmp_path / "swapped.zkey"
    bad.write_bytes(bytes(data))
    ok, output = _zkey_verify(tiny / "tiny.r1cs", ptaus[tiny_power], bad)
    assert not ok and "L section does not match" in output


def test_a_proof_from_the_key_verifies_with_snarkjs_and_python(tiny: Path, tiny_key: Path, tmp_path: Path) -> None:
    (tmp_path / "input.json").write_text(json.dumps(TINY_INPUT))
    wtns, proof_path, public_path, vkey_path = (tmp_path / n for n in ("w.wtns", "proof.json", "public.json",
                                                                      "vkey.json"))
    tools.snarkjs(["wtns", "calculate", str(tiny / "tiny_js" / "tiny.wasm"), str(tmp_path / "input.json"),
                   str(wtns)])
    tools.snarkjs(["groth16", "prove", str(tiny_key), str(wtns), str(proof_path), str(public_path)])
    tools.snarkjs(["zkey", "export", "verificationkey", str(tiny_key), str(vkey_path)])
    vkey: dict[str, Any] = json.loads(vkey_path.read_text())
    proof: dict[str, Any] = json.loads(proof_path.read_text())
    public: list[str] = json.loads(public_path.read_text())
    assert public == ["15", "3", "5"]  # c = a·b, then a and b
    assert tools.snarkjs_verify(vkey_path, proof, public)
    assert python_verify(vkey, proof, public)
    wrong = ["16", "3", "5"]
    assert not tools.snarkjs_verify(vkey_path, proof, wrong)
    assert not python_verify(vkey, proof, wrong)


# --------------------------------------------------------------------------- refusals


def _one_line(exc: BaseException) -> str:
    text = str(exc)
    assert "\n" not in text, text
    return text


def test_a_power_too_small_is_refused_in_one_line(tiny: Path, tiny_power: int, tmp_path: Path) -> None:
    out = tmp_path / "small.zkey"
    with pytest.raises(DevZkeyInputError) as caught:
        write_dev_zkey(tiny / "tiny.r1cs", SEED, tiny_power - 1, BEACON, ITERATIONS, out)
    message = _one_line(caught.value)
    assert f"power {tiny_power} or more" in message and f"--power {tiny_power - 1} is too small" in message
    assert not out.exists() and not list(tmp_path.iterdir())


@pytest.mark.parametrize("kind", ["missing", "text", "ptau"])
def test_a_missing_or_foreign_file_is_refused_in_one_line(kind: str, ptaus: dict[int, Path], tmp_path: Path) -> None:
    path = {"missing": tmp_path / "nope.r1cs", "text": tmp_path / "notes.r1cs", "ptau": min(ptaus.values())}[kind]
    if kind == "text":
        path.write_text("not a constraint system\n")
    with pytest.raises(DevZkeyInputError) as caught:
        write_dev_zkey(path, SEED, 10, BEACON, ITERATIONS, tmp_path / "out.zkey")
    message = _one_line(caught.value)
    assert str(path) in message
    assert ("no such file" in message) if kind == "missing" else ("is not an r1cs file" in message)
    # the script itself prints exactly that one line (no stack trace)
    assert [line for line in caught.value.stderr.splitlines() if line.strip()] == [f"devzkey: error: {message}"]
    assert not (tmp_path / "out.zkey").exists()


@pytest.mark.parametrize(("field", "value"), [("seed", ""), ("power", 0), ("power", 21), ("power", True),
                                              ("beacon", "abc"), ("beacon", "0x00"), ("iterations", 9),
                                              ("iterations", 64)])
def test_bad_arguments_are_refused_before_node_starts(field: str, value: Any, tmp_path: Path) -> None:
    args: dict[str, Any] = {"seed": SEED, "power": 10, "beacon": BEACON, "iterations": ITERATIONS}
    args[field] = value
    with pytest.raises(ValueError, match=field):
        write_dev_zkey(tmp_path / "any.r1cs", args["seed"], args["power"], args["beacon"], args["iterations"],
                       tmp_path / "out.zkey")


def test_domain_power_is_snarkjs_rule() -> None:
    # 2^p must hold the constraints, one row per public signal and one for the constant wire
    assert domain_power(252, 3) == 8 and domain_power(253, 3) == 9
    assert domain_power(2**14, 3) == 15 and domain_power(2**14 - 4, 3) == 14
