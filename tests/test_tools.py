"""The one door to external tools: pins from package.json, the Node version check, error headlines, and
``snarkjs_verify``'s reading of ``snarkjs groth16 verify`` on the golden vectors in ``tests/fixtures/groth16/``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from zkmargin.constants import FIELD_ORDER
from zkmargin.toolchain import tools

FIXTURES = Path(__file__).parent / "fixtures" / "groth16"
VKEY = FIXTURES / "vkey.json"
PROOF = FIXTURES / "proof_0.json"
PUBLIC = FIXTURES / "public_0.json"
SNARKJS_CLI = str(tools.NODE_MODULES / "snarkjs" / "build" / "cli.cjs")


def fixture_public() -> list[str]:
    signals: list[str] = json.loads(PUBLIC.read_text())
    return signals


def fixture_proof() -> dict[str, Any]:
    proof: dict[str, Any] = json.loads(PROOF.read_text())
    return proof


def first_line(error: BaseException) -> str:
    return str(error).splitlines()[0]


@pytest.fixture
def fresh_probes() -> Iterator[None]:
    """Forget the cached package.json and node checks before and after a test that fakes them."""
    tools._package_manifest.cache_clear()
    tools._checked_node.cache_clear()
    yield
    tools._package_manifest.cache_clear()
    tools._checked_node.cache_clear()


# --------------------------------------------------------------------------- pins


def test_pins_are_package_json_dependencies_and_installed() -> None:
    manifest = json.loads(tools.PACKAGE_JSON.read_text())
    pins = tools.pinned_versions()
    assert pins == manifest["dependencies"]
    assert set(pins) >= {"circom2", "circomlib", "snarkjs", "solc"}
    for package, version in pins.items():
        assert tools.installed_version(package) == version, package
    assert {package: pins[package] for package in tools.PROOF_TOOLCHAIN} == tools.proof_toolchain_pins()


def test_check_versions_reports_every_tool() -> None:
    found = tools.check_versions()
    assert found == {**tools.proof_toolchain_pins(), "circom": tools.CIRCOM_VERSION, "node": tools.node_version()}


@pytest.mark.parametrize(("field", "value", "message"), [
    ("dependencies", {"snarkjs": "^0.7.6"}, r"dependencies\.snarkjs is '\^0\.7\.6', expected an exact version"),
    ("engines", {"node": ">=20 <23"}, r"engines\.node is '>=20 <23', expected \">=MAJOR\""),
    ("engines", None, r"engines\.node is None"),
])
def test_package_json_must_pin_exactly(field: str, value: object, message: str, tmp_path: Path,
                                       monkeypatch: pytest.MonkeyPatch, fresh_probes: None) -> None:
    manifest = json.loads(tools.PACKAGE_JSON.read_text())
    manifest[field] = value
    fake = tmp_path / "package.json"
    fake.write_text(json.dumps(manifest))
    monkeypatch.setattr(tools, "PACKAGE_JSON", fake)
    check = tools.pinned_versions if field == "dependencies" else tools.required_node_major
    with pytest.raises(tools.ToolError, match=message):
        check()


# --------------------------------------------------------------------------- node


def test_node_requirement_is_read_from_engines() -> None:
    assert json.loads(tools.PACKAGE_JSON.read_text())["engines"] == {"node": ">=20"}
    assert tools.required_node_major() == 20
    major = re.fullmatch(r"v(\d+)\.\d+\.\d+", tools.node_version())
    assert major is not None and int(major.group(1)) >= 20


def test_too_old_node_is_one_clear_line(monkeypatch: pytest.MonkeyPatch, fresh_probes: None) -> None:
    monkeypatch.setattr(tools, "probe_node_version", lambda node: "v18.19.1")
    with pytest.raises(tools.ToolError) as info:
        tools.node_binary()
    assert "\n" not in str(info.value)
    assert re.fullmatch(r"node v18\.19\.1 at \S+ is too old; zkmargin needs Node\.js 20\+ \(package\.json "
                        r"engines\.node\)", str(info.value)), str(info.value)
    with pytest.raises(tools.ToolError, match="too old"):
        tools.snarkjs_argv()  # every node-run tool goes through the check


def test_unreadable_node_version_is_reported(monkeypatch: pytest.MonkeyPatch, fresh_probes: None) -> None:
    monkeypatch.setattr(tools, "probe_node_version", lambda node: "nodejs-lts")
    with pytest.raises(tools.ToolError, match=r"--version printed 'nodejs-lts'"):
        tools.node_binary()


def test_missing_node_is_one_clear_line(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, fresh_probes: None) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(tools.ToolError) as info:
        tools.node_binary()
    assert str(info.value) == ("node is not installed (not on PATH); zkmargin needs Node.js 20+ "
                               "(package.json engines.node)")


# --------------------------------------------------------------------------- headlines


@pytest.mark.parametrize(("argv", "name"), [
    (["/usr/bin/node", "--max-old-space-size=8192", SNARKJS_CLI, "groth16", "prove", "/a/k.zkey", "/a/w.wtns"],
     "snarkjs groth16 prove"),
    (["node", "--max-old-space-size=8192", SNARKJS_CLI, "zkey", "export", "verificationkey", "/k.zkey", "/v.json"],
     "snarkjs zkey export verificationkey"),
    (["node", SNARKJS_CLI, "zkey", "beacon", "/in.zkey", "/out.zkey", "a1" * 32, "10"], "snarkjs zkey beacon"),
    (["node", str(tools.NODE_MODULES / "circom2" / "cli.js"), "/c/main.circom", "--r1cs"], "circom"),
    (["node", "--max-old-space-size=8192", "/repo/toolchain/js/devptau.js", "--power", "8"], "node devptau.js"),
    (["node", "--version"], "node --version"),
    (["/opt/solc", "--standard-json"], "solc"),
])
def test_command_name(argv: list[str], name: str) -> None:
    assert tools.command_name(argv) == name


def test_failing_snarkjs_is_named_with_its_subcommand(tmp_path: Path) -> None:
    with pytest.raises(tools.ToolError) as info:
        tools.snarkjs(["groth16", "prove", str(tmp_path / "absent.zkey"), str(tmp_path / "absent.wtns"),
                       str(tmp_path / "proof.json"), str(tmp_path / "public.json")], timeout=120)
    assert first_line(info.value) == "snarkjs groth16 prove failed"
    assert info.value.returncode == 1 and "absent.zkey" in str(info.value)


def test_failing_circom_is_named(tmp_path: Path) -> None:
    with pytest.raises(tools.ToolError) as info:
        tools.circom([str(tmp_path / "absent.circom")], timeout=120)
    assert first_line(info.value) == "circom failed"


def test_failing_node_script_is_named(tmp_path: Path) -> None:
    script = tmp_path / "fail.js"
    script.write_text("console.error('no such thing'); process.exit(3);\n")
    with pytest.raises(tools.ToolError) as info:
        tools.node([str(script)], timeout=60)
    assert first_line(info.value) == "node fail.js failed"
    assert info.value.returncode == 3 and "no such thing" in str(info.value)


def test_timeout_is_named(tmp_path: Path) -> None:
    script = tmp_path / "sleep.js"
    script.write_text("setTimeout(() => {}, 60000);\n")
    with pytest.raises(tools.ToolError) as info:
        tools.node([str(script)], timeout=0.5)
    assert first_line(info.value) == "node sleep.js timed out after 0.5 s"
    assert info.value.returncode is None


def test_run_refuses_a_shell_string() -> None:
    with pytest.raises(TypeError, match="argv list"):
        tools.run("node --version")


# --------------------------------------------------------------------------- snarkjs groth16 verify


def _plain(text: str) -> list[str]:
    return [line for line in re.sub(r"\x1b\[[0-9;]*m", "", text).splitlines() if line.strip()]


def test_snarkjs_prints_what_snarkjs_verify_reads(tmp_path: Path) -> None:
    """The pinned snarkjs itself: "OK!" and exit 0 for a valid proof, "Invalid proof" and exit 1 otherwise."""
    ok = tools.snarkjs(["groth16", "verify", str(VKEY), str(PUBLIC), str(PROOF)], timeout=120)
    assert _plain(ok.stdout) == [tools.SNARKJS_OK] == ["[INFO]  snarkJS: OK!"]
    tampered = tmp_path / "public.json"
    tampered.write_text(json.dumps(["1", *fixture_public()[1:]]))
    with pytest.raises(tools.ToolError) as info:
        tools.snarkjs(["groth16", "verify", str(VKEY), str(tampered), str(PROOF)], timeout=120)
    assert info.value.returncode == 1
    assert _plain(info.value.stdout) == ["[ERROR] snarkJS: Invalid proof"]


def test_valid_proof_is_true() -> None:
    assert tools.snarkjs_verify(VKEY, PROOF, PUBLIC) is True
    # in-memory proof and int signals are written to JSON files first
    assert tools.snarkjs_verify(VKEY, fixture_proof(), [int(s) for s in fixture_public()]) is True


@pytest.mark.parametrize("index", range(3))
def test_tampered_public_signal_is_false(index: int) -> None:
    public = fixture_public()
    public[index] = str(int(public[index]) + 1)
    assert tools.snarkjs_verify(VKEY, PROOF, public) is False


def test_signal_outside_the_field_is_false() -> None:
    """snarkjs's verifier refuses it itself ("Public inputs are not valid."): a verdict, not a crash."""
    public = fixture_public()
    public[0] = str(int(public[0]) + FIELD_ORDER)
    assert tools.snarkjs_verify(VKEY, PROOF, public) is False


def test_proof_point_off_the_curve_is_false() -> None:
    """snarkjs's verifier refuses it itself ("Proof commitments are not valid.")."""
    proof = fixture_proof()
    proof["pi_a"][0] = str(int(proof["pi_a"][0]) + 1)
    assert tools.snarkjs_verify(VKEY, proof, fixture_public()) is False


def test_malformed_vkey_file_raises(tmp_path: Path) -> None:
    vkey = tmp_path / "vkey.json"
    vkey.write_text(VKEY.read_text()[:200])
    with pytest.raises(tools.ToolError) as info:
        tools.snarkjs_verify(vkey, PROOF, PUBLIC)
    assert first_line(info.value).startswith("snarkjs groth16 verify failed: SyntaxError: ")
    assert info.value.returncode == 1


def test_vkey_snarkjs_cannot_read_raises(tmp_path: Path) -> None:
    vkey = tmp_path / "vkey.json"
    vkey.write_text(json.dumps({"protocol": "groth16"}))  # valid JSON, no curve: snarkjs throws
    with pytest.raises(tools.ToolError, match="snarkjs groth16 verify failed: TypeError"):
        tools.snarkjs_verify(vkey, PROOF, PUBLIC)


def test_missing_file_raises(tmp_path: Path) -> None:
    with pytest.raises(tools.ToolError, match=r"^snarkjs groth16 verify: verifying key file not found: "):
        tools.snarkjs_verify(tmp_path / "absent.json", PROOF, PUBLIC)


def test_public_as_a_string_is_refused() -> None:
    with pytest.raises(TypeError, match="not a str"):
        tools.snarkjs_verify(VKEY, PROOF, str(PUBLIC))
