"""toolchain.compile: content-hash cache, r1cs/wtns/sym parsing, witness errors, the R1CS checker."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from zkmargin.constants import FIELD_ORDER as R
from zkmargin.toolchain import tools
from zkmargin.toolchain.compile import CompiledCircuit, CompileError, compile_circuit
from zkmargin.toolchain.iden3 import ArtifactError, read_r1cs_header, read_wtns
from zkmargin.toolchain.r1cs_check import unsatisfied_constraints
from zkmargin.toolchain.tools import ToolError
from zkmargin.toolchain.witness import (
    SignalError,
    WitnessError,
    calculate_witness,
    read_array,
    read_signals,
    signal_index,
    witness_outputs,
)

pytestmark = pytest.mark.slow

MAIN = Path(__file__).parent / "circuits" / "harness_test.circom"
GOOD = {"a": 3, "b": [4, 5], "pub": 6}


@pytest.fixture(scope="module")
def circuit() -> CompiledCircuit:
    return compile_circuit(MAIN)


def write_main(folder: Path, body: str, name: str = "tiny") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.circom"
    path.write_text(f"pragma circom 2.1.0;\n{body}\n")
    return path


def test_header_counts(circuit: CompiledCircuit) -> None:
    assert circuit.prime == R
    assert circuit.n_public_outputs == 3
    assert circuit.n_public_inputs == 1
    assert circuit.n_public == 4
    assert circuit.n_private_inputs == 3
    assert circuit.n_constraints == read_r1cs_header(circuit.r1cs).n_constraints > 0


def test_header_agrees_with_snarkjs(circuit: CompiledCircuit) -> None:
    info = re.sub(r"\x1b\[[0-9;]*m", "", tools.snarkjs(["r1cs", "info", str(circuit.r1cs)], timeout=120).stdout)
    assert f"# of Wires: {circuit.n_wires}" in info
    assert f"# of Constraints: {circuit.n_constraints}" in info
    assert f"# of Public Inputs: {circuit.n_public_inputs}" in info
    assert f"# of Outputs: {circuit.n_public_outputs}" in info


def test_witness_and_signals(circuit: CompiledCircuit, tmp_path: Path) -> None:
    witness = calculate_witness(circuit, GOOD, workdir=tmp_path)
    assert witness[0] == 1 and len(witness) == circuit.n_wires
    assert json.loads((tmp_path / "input.json").read_text()) == {"a": "3", "b": ["4", "5"], "pub": "6"}
    assert read_wtns(tmp_path / "witness.wtns") == (R, witness)
    assert witness_outputs(circuit, witness) == {"main.sum": 18, "main.prod[0]": 60, "main.prod[1]": 9}
    assert read_signals(circuit, witness, ["sum", "main.prod[1]", "pub"]) == {"sum": 18, "main.prod[1]": 9, "pub": 6}
    assert read_array(circuit, witness, "prod") == [60, 9]
    assert signal_index(circuit, "sum") == 1  # outputs come first, after the constant wire


def test_negative_inputs_use_the_signed_field_encoding(circuit: CompiledCircuit) -> None:
    witness = calculate_witness(circuit, {"a": 2, "b": [-1, 0], "pub": -5})
    assert read_signals(circuit, witness, ["sum"])["sum"] == (2 - 1 - 5) % R


def test_honest_witness_satisfies_the_r1cs_and_tampering_does_not(circuit: CompiledCircuit) -> None:
    witness = calculate_witness(circuit, GOOD)
    assert unsatisfied_constraints(circuit, witness) == []
    tampered = list(witness)
    tampered[signal_index(circuit, "prod[1]")] += 1
    assert unsatisfied_constraints(circuit, tampered) != []


def test_failed_constraint_raises_witness_error(circuit: CompiledCircuit) -> None:
    with pytest.raises(WitnessError) as info:
        calculate_witness(circuit, {**GOOD, "a": 256})
    error = info.value
    assert isinstance(error, ToolError)
    assert error.assert_failed
    assert error.tool_message.startswith("Assert Failed.")
    assert "Error in template Num2Bits" in error.tool_message
    assert "Error in template HarnessTest" in error.tool_message
    assert error.returncode not in (0, None)


def test_failed_witness_assert_raises_witness_error(circuit: CompiledCircuit) -> None:
    with pytest.raises(WitnessError, match=r"Assert Failed\.\nError in template HarnessTest_\d+ line: 18"):
        calculate_witness(circuit, {**GOOD, "a": 7})


@pytest.mark.parametrize(("inputs", "message"), [
    ({"a": 1, "b": [1, 2]}, "Not all inputs have been set"),
    ({**GOOD, "b": [1]}, "Not enough values for input signal b"),
    ({**GOOD, "b": [1, 2, 3]}, "Too many values for input signal b"),
])
def test_malformed_inputs_raise_witness_error(circuit: CompiledCircuit, inputs: dict[str, object],
                                              message: str) -> None:
    with pytest.raises(WitnessError, match=message) as info:
        calculate_witness(circuit, inputs)
    assert not info.value.assert_failed


@pytest.mark.parametrize(("value", "error"), [(R, ValueError), (-R, ValueError), ("3", TypeError),
                                              (True, TypeError), (1.5, TypeError)])
def test_inputs_are_validated_before_node_runs(circuit: CompiledCircuit, value: object,
                                               error: type[Exception]) -> None:
    with pytest.raises(error, match="input a"):
        calculate_witness(circuit, {**GOOD, "a": value})


def test_signal_errors(circuit: CompiledCircuit) -> None:
    witness = calculate_witness(circuit, GOOD)
    with pytest.raises(SignalError, match="no signal"):
        read_signals(circuit, witness, ["missing"])
    with pytest.raises(SignalError, match="no array signal"):
        read_array(circuit, witness, "missing")
    with pytest.raises(SignalError, match="--O2"):
        read_signals(circuit, witness, ["b[1]"])  # --O2 writes it as sum - a - b[0] - pub
    with pytest.raises(SignalError, match="--O2"):
        read_array(circuit, witness, "b")


def test_unknown_input_name_is_reported_before_node_runs(circuit: CompiledCircuit) -> None:
    with pytest.raises(SignalError, match="no main signal named 'nope'; its main signals are a, b, mid, prod, pub"):
        calculate_witness(circuit, {**GOOD, "nope": 1})


def test_cache_reuse_manifest_and_invalidation(tmp_path: Path) -> None:
    lib = tmp_path / "lib"
    (lib / "inner").mkdir(parents=True)
    (lib / "inner" / "double.circom").write_text(
        "pragma circom 2.1.0;\ntemplate Double() { signal input in; signal output out; out <== 2 * in; }\n")
    main = write_main(tmp_path / "src", 'include "inner/double.circom";\ncomponent main = Double();')
    cache = tmp_path / "cache"

    first = compile_circuit(main, include_paths=[lib], cache_dir=cache)
    again = compile_circuit(main, include_paths=[lib], cache_dir=cache)
    assert not first.cached and again.cached
    assert first == again and first.directory.parent == cache
    assert first.directory.name == f"tiny-{first.source_hash[:16]}"
    manifest = json.loads((first.directory / "manifest.json").read_text())
    assert manifest["source_hash"] == first.source_hash
    assert manifest["r1cs"]["constraints"] == first.n_constraints
    assert manifest["tool_versions"]["circom"] == tools.CIRCOM_VERSION
    assert "--O2" in manifest["flags"]
    assert any(i["path"].endswith("inner/double.circom") for i in manifest["inputs"])
    assert read_signals(first, calculate_witness(first, {"in": 21}), ["out"]) == {"out": 42}

    # an edit to an included file is a new build; an unrelated file is not
    (lib / "unrelated.circom").write_text("pragma circom 2.1.0;\n")
    assert compile_circuit(main, include_paths=[lib], cache_dir=cache).cached
    (lib / "inner" / "double.circom").write_text(
        "pragma circom 2.1.0;\ntemplate Double() { signal input in; signal output out; out <== 3 * in; }\n")
    edited = compile_circuit(main, include_paths=[lib], cache_dir=cache)
    assert not edited.cached and edited.source_hash != first.source_hash
    assert read_signals(edited, calculate_witness(edited, {"in": 21}), ["out"]) == {"out": 63}
    assert sorted(p.name for p in cache.iterdir()) == sorted([first.directory.name, edited.directory.name])


def test_damaged_cache_entry_is_rebuilt(tmp_path: Path) -> None:
    main = write_main(tmp_path, "template T() { signal input in; signal output out; out <== in * in; }\n"
                                "component main = T();")
    first = compile_circuit(main, cache_dir=tmp_path / "cache")
    first.wasm.unlink()
    rebuilt = compile_circuit(main, cache_dir=tmp_path / "cache")
    assert not rebuilt.cached and rebuilt.wasm.is_file()


def test_compile_error_carries_circom_diagnostics(tmp_path: Path) -> None:
    main = write_main(tmp_path, "template T() { signal input in; signal output out; out <== in * in * in; }\n"
                                "component main = T();")
    with pytest.raises(CompileError, match="Non quadratic constraints") as info:
        compile_circuit(main, cache_dir=tmp_path / "cache")
    assert isinstance(info.value, ToolError)
    assert "\x1b[" not in str(info.value)
    assert not any(p.name.startswith(".build-") for p in (tmp_path / "cache").iterdir())


def test_missing_main_file(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        compile_circuit(tmp_path / "absent.circom", cache_dir=tmp_path)


def test_malformed_artifacts_raise_artifact_error(tmp_path: Path) -> None:
    bogus = tmp_path / "bogus.r1cs"
    bogus.write_bytes(b"nope" + bytes(8))
    with pytest.raises(ArtifactError, match="not a r1cs file"):
        read_r1cs_header(bogus)
    truncated = tmp_path / "short.wtns"
    truncated.write_bytes(b"wtns")
    with pytest.raises(ArtifactError, match="truncated"):
        read_wtns(truncated)
