"""Compute a compiled circuit's witness and read its signals by name.

* :func:`calculate_witness` runs circom's generated ``generate_witness.js`` through
  :func:`zkmargin.toolchain.tools.node` and parses the binary ``.wtns``; a failed ``===`` / ``assert``
  raises :class:`WitnessError`;
* :func:`read_signals`, :func:`read_array` and :func:`witness_outputs` look signals up by name through
  the ``.sym`` file.
"""

from __future__ import annotations

import functools
import json
import operator
import re
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Final

from zkmargin.toolchain import tools
from zkmargin.toolchain.compile import CompiledCircuit
from zkmargin.toolchain.iden3 import ArtifactError, read_symbols, read_wtns
from zkmargin.toolchain.prover_process import ProverProcess
from zkmargin.toolchain.tools import ToolError

_ANSI_RE: Final = re.compile(r"\x1b\[[0-9;]*m")
_INDEX_RE: Final = re.compile(r"\[(\d+)\]")


class WitnessError(ToolError):
    """Witness generation failed: a constraint or ``assert`` does not hold, or an input is wrong.

    ``tool_message`` holds the witness calculator's own message, for example
    ``"Assert Failed.\\nError in template Num2Bits_0 line: 38"``.
    """

    def __init__(self, message: str, tool_message: str, argv: Sequence[str] = (), returncode: int | None = None,
                 stdout: str = "", stderr: str = "") -> None:
        self.tool_message = tool_message
        super().__init__(f"{message}: {tool_message}", argv, returncode, stdout, stderr)

    @property
    def assert_failed(self) -> bool:
        """True when a constraint (``===``) or an ``assert`` failed, as opposed to a malformed input."""
        return "Assert Failed" in self.tool_message


class SignalError(LookupError):
    """A signal name is not in the circuit, or ``--O2`` removed it from the witness."""


def _encode_input(value: Any, where: str, prime: int) -> Any:
    """JSON form of one input: decimal strings, nested lists kept; negatives encoded as ``r + x``."""
    wrong_type = f"input {where} is {type(value).__name__}; pass ints (or nested sequences of ints)"
    if isinstance(value, (str, bytes, bool)):
        raise TypeError(wrong_type)
    try:
        number = operator.index(value)
    except TypeError:
        if not isinstance(value, Iterable):
            raise TypeError(wrong_type) from None
        return [_encode_input(v, f"{where}[{i}]", prime) for i, v in enumerate(value)]
    if not -prime < number < prime:
        raise ValueError(f"input {where}={number} is not in (-r, r): field elements are never reduced silently")
    return str(number % prime)


_ERROR_LINE_RE: Final = re.compile(r"^(?:Error:\s*)+(.*)$")


def _witness_message(stderr: str, stdout: str) -> str:
    """The witness calculator's message, e.g. ``Assert Failed.\\nError in template T_1 line: 3``."""
    lines = _ANSI_RE.sub("", stderr or stdout).splitlines()
    for i, line in enumerate(lines):
        match = _ERROR_LINE_RE.match(line.strip())
        if match:
            message = [match.group(1).strip()]
            for follow in lines[i + 1:]:
                if not follow.strip() or follow.lstrip().startswith("at "):
                    break
                message.append(follow.strip())
            return "\n".join(m for m in message if m)
    tail = [line for line in lines if line.strip()]
    return "\n".join(tail[-5:]) or "no output"


def calculate_witness(circuit: CompiledCircuit, inputs: Mapping[str, Any], workdir: Path | None = None,
                      *, timeout: float = tools.DEFAULT_TIMEOUT_S, process: ProverProcess | None = None) -> list[int]:
    """Compute the full witness of ``circuit`` for ``inputs``.

    Parameters
    ----------
    circuit : CompiledCircuit
        From :func:`compile_circuit`.
    inputs : mapping of str to int or nested sequences of int
        Input signals of ``main`` by name.  Values must lie in ``(-r, r)``;
        negative ones are encoded as ``r + x`` (the project's signed encoding).
    workdir : Path, optional
        Folder for ``input.json`` and ``witness.wtns`` (kept); a temporary folder otherwise.
    timeout : float
        Seconds allowed for node.
    process : ProverProcess, optional
        A long-lived prover process to compute it in (no ``timeout`` then); a fresh ``node`` otherwise.

    Returns
    -------
    list of int
        ``circuit.n_wires`` field elements; index 0 is the constant 1.

    Raises
    ------
    WitnessError
        When a constraint or ``assert`` fails, or an input signal is missing or mis-sized.
    SignalError
        When an input name is not a signal of ``main`` (checked before node runs).
    """
    known = _main_signal_names(circuit.sym)
    unknown = sorted(set(inputs) - known)
    if unknown:
        raise SignalError(f"{circuit.name} has no main signal named {', '.join(map(repr, unknown))}; "
                          f"its main signals are {', '.join(sorted(known))}")
    payload = {name: _encode_input(value, name, circuit.prime) for name, value in inputs.items()}
    if workdir is None:
        with tempfile.TemporaryDirectory(prefix="zkmargin-wtns-") as tmp:
            return _run_witness(circuit, payload, Path(tmp), timeout, process)
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    return _run_witness(circuit, payload, workdir, timeout, process)


def _run_witness(circuit: CompiledCircuit, payload: dict[str, Any], workdir: Path, timeout: float,
                 process: ProverProcess | None) -> list[int]:
    input_json = workdir / "input.json"
    wtns = workdir / "witness.wtns"
    input_json.write_text(json.dumps(payload))
    wtns.unlink(missing_ok=True)
    try:
        if process is not None:
            process.witness(circuit, input_json, wtns)
        else:
            tools.node([str(circuit.witness_js), str(circuit.wasm), str(input_json), str(wtns)], timeout=timeout)
    except ToolError as exc:
        if process is not None:
            raise WitnessError(f"witness generation for {circuit.name} failed", _witness_message(str(exc), ""),
                               exc.argv) from None
        if exc.returncode is None:
            raise
        raise WitnessError(f"witness generation for {circuit.name} failed", _witness_message(exc.stderr, exc.stdout),
                           exc.argv, exc.returncode, exc.stdout, exc.stderr) from None
    if not wtns.is_file():
        raise ArtifactError(f"generate_witness.js for {circuit.name} exited cleanly but wrote no {wtns}")
    prime, witness = read_wtns(wtns)
    if prime != circuit.prime or len(witness) != circuit.n_wires:
        raise ArtifactError(f"{wtns}: {len(witness)} values over prime {prime}, expected {circuit.n_wires} "
                            f"over {circuit.prime}")
    return witness


@functools.cache
def _main_signal_names(sym: Path) -> frozenset[str]:
    """Base names (no ``main.`` prefix, no indices) of the signals declared in ``main`` itself."""
    return frozenset(name[5:].split("[", 1)[0] for name in read_symbols(sym) if name.startswith("main.")
                     and "." not in name[5:].split("[", 1)[0])


def _qualified(name: str) -> str:
    return name if name.startswith("main.") or name == "main" else f"main.{name}"


def signal_index(circuit: CompiledCircuit, name: str) -> int:
    """Witness index of signal ``name`` (``"out"`` and ``"main.out"`` are the same).

    Raises
    ------
    SignalError
        If the signal does not exist or ``--O2`` folded it into other signals.
    """
    full = _qualified(name)
    table = read_symbols(circuit.sym)
    if full not in table:
        raise SignalError(f"{circuit.name} has no signal {full!r}")
    index = table[full]
    if index < 0:
        raise SignalError(f"signal {full!r} of {circuit.name} is not in the witness: --O2 replaced it by a linear "
                          "combination of other signals (make it an output to read it)")
    return index


def read_signals(circuit: CompiledCircuit, witness: Sequence[int], names: Iterable[str]) -> dict[str, int]:
    """Values of the named signals, keyed by the names as given."""
    return {name: witness[signal_index(circuit, name)] for name in names}


def _array_key(suffix: str) -> tuple[int, ...] | None:
    indices = _INDEX_RE.findall(suffix)
    if "".join(f"[{i}]" for i in indices) != suffix:
        return None
    return tuple(int(i) for i in indices)


def read_array(circuit: CompiledCircuit, witness: Sequence[int], name: str) -> list[int]:
    """All elements of array signal ``name`` (any dimension), flattened in row-major order."""
    full = _qualified(name)
    keyed = []
    for signal in read_symbols(circuit.sym):
        if signal.startswith(full + "["):
            key = _array_key(signal[len(full):])
            if key is not None:
                keyed.append((key, signal))
    if not keyed:
        raise SignalError(f"{circuit.name} has no array signal {full!r}")
    return [witness[signal_index(circuit, signal)] for _, signal in sorted(keyed)]


def witness_outputs(circuit: CompiledCircuit, witness: Sequence[int]) -> dict[str, int]:
    """The public outputs of ``main`` (``{"main.out": value, "main.out[1]": ...}``) in wire order."""
    outputs = [
        (index, name) for name, index in read_symbols(circuit.sym).items()
        if 1 <= index <= circuit.n_public_outputs and name.count(".") == 1 and name.startswith("main.")
    ]
    return {name: witness[index] for index, name in sorted(outputs)}
