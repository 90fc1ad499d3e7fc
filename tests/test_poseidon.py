"""statement.poseidon against circomlib's Poseidon circuit, and the optimised version against the reference.

The circuit vectors come from ``tests/circuits/poseidon_test.circom``
(widths 1, 2, 3, 4, 5, 8, 12; ``test_gadget_hash.py`` adds 10 and 16); the
textbook reference (original constants, a separate file of circomlib's)
checks the optimised Python hash at every width 1..16.  The constants module
is regenerated from the installed circomlib and compared with the committed
one byte for byte, and hashing is shown to need no ``node_modules``.
"""

from __future__ import annotations

import importlib.util
import random
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Callable, Sequence
from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zkmargin.constants import FIELD_ORDER as R
from zkmargin.statement import poseidon_constants
from zkmargin.statement.poseidon import (
    MAX_INPUTS,
    N_ROUNDS_P,
    hash_list,
    poseidon,
    poseidon_reference,
)
from zkmargin.toolchain import tools
from zkmargin.toolchain.compile import CompiledCircuit, compile_circuit
from zkmargin.toolchain.witness import calculate_witness, read_array

ROOT = Path(__file__).resolve().parent.parent
MAIN = Path(__file__).parent / "circuits" / "poseidon_test.circom"
GENERATOR = ROOT / "scripts" / "gen_poseidon_constants.py"
WIDTHS = (1, 2, 3, 4, 5, 8, 12)

IMPLEMENTATIONS: dict[str, Callable[[Sequence[int]], int]] = {
    "optimised": poseidon,
    "reference": poseidon_reference,
}

field_elements = st.one_of(
    st.integers(0, R - 1),
    st.sampled_from([0, 1, 2, R - 1, R - 2, (R - 1) // 2, 2**252, 2**253]),
)


@pytest.fixture(scope="module")
def circuit() -> CompiledCircuit:
    return compile_circuit(MAIN)


def circuit_hashes(circuit: CompiledCircuit, rows: list[list[int]]) -> list[int]:
    """Poseidon(WIDTHS[k]) of rows[k] (padded to 16 with zeros) in one witness call."""
    padded = [row + [0] * (16 - len(row)) for row in rows]
    witness = calculate_witness(circuit, {"in": padded})
    return read_array(circuit, witness, "out")


@pytest.mark.slow
def test_circuit_matches_python_on_boundary_inputs(circuit: CompiledCircuit) -> None:
    for fill in (0, R - 1):
        rows = [[fill] * width for width in WIDTHS]
        expected = [poseidon(row) for row in rows]
        assert circuit_hashes(circuit, rows) == expected


@pytest.mark.slow
@settings(derandomize=True, max_examples=6, deadline=None)
@given(data=st.data())
def test_circuit_matches_python_on_random_inputs(circuit: CompiledCircuit, data: st.DataObject) -> None:
    rows = [data.draw(st.lists(field_elements, min_size=w, max_size=w)) for w in WIDTHS]
    assert circuit_hashes(circuit, rows) == [poseidon(row) for row in rows]


@pytest.mark.parametrize("name", sorted(IMPLEMENTATIONS))
def test_known_vectors(name: str) -> None:
    # published circomlibjs vectors
    impl = IMPLEMENTATIONS[name]
    assert impl([1]) == 18586133768512220936620570745912940619677854269274689475585506675881198879027
    assert impl([1, 2]) == 7853200120776062878684798364095072458815029376092732009249414926327459813530


@pytest.mark.parametrize("width", range(1, MAX_INPUTS + 1))
def test_optimised_matches_reference_at_every_width(width: int) -> None:
    rng = random.Random(width)
    for values in ([0] * width, [R - 1] * width, [rng.randrange(R) for _ in range(width)]):
        assert poseidon(values) == poseidon_reference(values)


@pytest.mark.parametrize("name", sorted(IMPLEMENTATIONS))
@pytest.mark.parametrize("bad", [[], list(range(17)), [R], [-1], [0, R + 5]])
def test_rejects_bad_inputs(name: str, bad: list[int]) -> None:
    with pytest.raises(ValueError):
        IMPLEMENTATIONS[name](bad)


def test_rejects_non_integers() -> None:
    with pytest.raises(TypeError):
        poseidon([True])
    with pytest.raises(TypeError):
        poseidon([1.0])  # type: ignore[list-item]


def test_hash_list_is_the_documented_chain() -> None:
    values = list(range(1, 41))
    assert hash_list(values[:1]) == poseidon(values[:1])
    assert hash_list(values[:16]) == poseidon(values[:16])
    h = poseidon(values[:16])
    assert hash_list(values[:17]) == poseidon([h, 17])
    h31 = poseidon([h, *values[16:31]])
    assert hash_list(values[:31]) == h31
    assert hash_list(values[:32]) == poseidon([h31, 32])
    assert hash_list(values) == poseidon([h31, *values[31:40]])


@pytest.mark.parametrize("bad", [[], [R], [-1], [*range(20), R]])
def test_hash_list_rejects_bad_values(bad: list[int]) -> None:
    with pytest.raises(ValueError):
        hash_list(bad)


# --------------------------------------------------------------------------- the generated constants module


@pytest.fixture(scope="module")
def generator() -> ModuleType:
    """``scripts/gen_poseidon_constants.py``, imported from its path."""
    spec = importlib.util.spec_from_file_location("gen_poseidon_constants", GENERATOR)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_committed_constants_are_regenerated_byte_for_byte(generator: ModuleType) -> None:
    """A stale module (circomlib upgraded, or the file edited by hand) fails here: rerun the generator."""
    committed = Path(poseidon_constants.__file__).read_bytes()
    assert generator.render(tools.NODE_MODULES / "circomlib").encode() == committed, (
        "statement/poseidon_constants.py is stale: run `python scripts/gen_poseidon_constants.py`")
    assert tools.pinned_versions()["circomlib"] == poseidon_constants.CIRCOMLIB_VERSION


def _circomlib_copy(tmp_path: Path) -> Path:
    """The generator's inputs from the installed circomlib, copied to be edited."""
    installed, copy = tools.NODE_MODULES / "circomlib", tmp_path / "circomlib"
    (copy / "circuits").mkdir(parents=True)
    shutil.copy(installed / "package.json", copy / "package.json")
    for name in ("poseidon.circom", "poseidon_old.circom", "poseidon_constants.circom",
                 "poseidon_constants_old.circom"):
        shutil.copy(installed / "circuits" / name, copy / "circuits" / name)
    return copy


def test_a_changed_circomlib_constant_changes_the_module(generator: ModuleType, tmp_path: Path) -> None:
    circomlib = _circomlib_copy(tmp_path)
    source = circomlib / "circuits" / "poseidon_constants.circom"
    first = poseidon_constants.OPTIMISED_C[2][0]  # POSEIDON_C(2)[0], the file's first number
    source.write_text(source.read_text().replace(f"{first:#x},", f"{first + 1:#x},", 1))
    changed = f"        {first + 1:#x},\n"
    assert changed not in Path(poseidon_constants.__file__).read_text()
    assert changed in generator.render(circomlib)


@pytest.mark.parametrize("edit", ["drop a value", "value >= r", "missing width"])
def test_generator_refuses_a_misshapen_circomlib(generator: ModuleType, tmp_path: Path, edit: str) -> None:
    circomlib = _circomlib_copy(tmp_path)
    source = circomlib / "circuits" / "poseidon_constants.circom"
    text = source.read_text()
    first = f"{poseidon_constants.OPTIMISED_C[2][0]:#x}"
    text = {
        "drop a value": text.replace(f"{first},", "", 1),
        "value >= r": text.replace(first, hex(R), 1),
        "missing width": text.replace("if (t==17)", "if (t==99)"),
    }[edit]
    source.write_text(text)
    with pytest.raises(generator.GenerationError, match=r"POSEIDON_[CSMP] in .*poseidon_constants\.circom"):
        generator.render(circomlib)


def test_hashing_needs_no_node_modules_and_no_node() -> None:
    """A fresh interpreter hashes at every width while any open under node_modules or any process spawn aborts."""
    program = textwrap.dedent("""
        import os, sys

        def guard(event, args):
            if event == "open" and "node_modules" in str(args[0]):
                print("opened", args[0]); os._exit(3)
            if event in ("subprocess.Popen", "os.posix_spawn", "os.exec", "os.fork"):
                print("spawned", event); os._exit(4)

        sys.addaudithook(guard)
        from zkmargin.statement.poseidon import hash_list, poseidon, poseidon_reference
        for width in range(1, 17):
            assert poseidon(list(range(width))) == poseidon_reference(list(range(width)))
        print(hash_list(list(range(40))))
    """)
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert done.returncode == 0, done.stdout + done.stderr
    assert int(done.stdout) == hash_list(list(range(40)))


@pytest.mark.slow
def test_constraint_cost(circuit: CompiledCircuit) -> None:
    """Poseidon(m) = 3 * (8 * (m + 1) + N_ROUNDS_P[m - 1]) - 3: the first S-box of the zero capacity is constant."""
    assert circuit.n_constraints == sum(3 * (8 * (m + 1) + N_ROUNDS_P[m - 1]) - 3 for m in WIDTHS)
