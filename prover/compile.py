"""Compile Circom circuits (content-hash cached) and compute their witnesses.

* :func:`compile_circuit` runs the pinned circom with ``--r1cs --wasm --sym --O2``
  through :func:`prover.tools.circom`, caching the artifacts under
  ``.cache/circuits/<name>-<hash16>/`` keyed by a SHA-256 over every source the
  main file can include (transitively, circomlib's included), the pinned tool
  versions, the include folders and the flags;
* :func:`calculate_witness` runs circom's generated ``generate_witness.js``
  through :func:`prover.tools.node` and parses the binary ``.wtns``; a failed
  ``===`` / ``assert`` raises :class:`WitnessError`;
* :func:`read_signals`, :func:`read_array` and :func:`witness_outputs` look
  signals up by name through the ``.sym`` file;
* :func:`unsatisfied_constraints` checks a witness against the ``.r1cs``
  constraints in pure Python (independent of the witness calculator).

The binary formats are iden3's (``r1cs`` and ``wtns``, little-endian, version 1
and 2): a 4-byte magic, a ``u32`` version, a ``u32`` section count, then
sections of ``u32`` type, ``u64`` size and payload.
"""

from __future__ import annotations

import functools
import hashlib
import json
import operator
import os
import re
import shutil
import struct
import tempfile
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO, Final

from prover import tools
from prover.tools import REPO_ROOT, ToolError

CIRCUITS_DIR: Final = REPO_ROOT / "circuits"
DEFAULT_CACHE_DIR: Final = REPO_ROOT / ".cache" / "circuits"
#: Flags of every compilation (``--O2`` always: it is what the shipped circuits use).
CIRCOM_FLAGS: Final = ("--r1cs", "--wasm", "--sym", "--O2")
#: Bump when the cache layout or the manifest changes.
CACHE_FORMAT: Final = 1

_ANSI_RE: Final = re.compile(r"\x1b\[[0-9;]*m")
_INCLUDE_RE: Final = re.compile(r'\binclude\s*"([^"]+)"')
_INDEX_RE: Final = re.compile(r"\[(\d+)\]")


class CompileError(ToolError):
    """circom rejected a circuit (syntax, type or constraint-generation error)."""


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


class ArtifactError(ToolError):
    """A compiled artifact (``.r1cs``, ``.wtns``, ``.sym``) is missing or malformed."""


class SignalError(LookupError):
    """A signal name is not in the circuit, or ``--O2`` removed it from the witness."""


@dataclass(frozen=True)
class R1csHeader:
    """Header of an ``.r1cs`` file: field prime and the wire / constraint counts."""

    prime: int
    n_wires: int
    n_public_outputs: int
    n_public_inputs: int
    n_private_inputs: int
    n_labels: int
    n_constraints: int


@dataclass(frozen=True)
class CompiledCircuit:
    """A compiled circuit and its artifacts, all inside ``directory``.

    Wire 0 of the witness is the constant 1, wires ``1..n_public_outputs`` are
    the public outputs, then the public inputs, then everything private.
    """

    name: str
    main_file: Path
    directory: Path
    r1cs: Path
    wasm: Path
    sym: Path
    witness_js: Path
    source_hash: str
    header: R1csHeader
    cached: bool = field(default=False, compare=False)

    @property
    def n_constraints(self) -> int:
        """Number of R1CS constraints after ``--O2``."""
        return self.header.n_constraints

    @property
    def n_wires(self) -> int:
        """Witness length, including the constant-one wire 0."""
        return self.header.n_wires

    @property
    def n_public_outputs(self) -> int:
        """Number of public outputs (wires ``1..n_public_outputs``)."""
        return self.header.n_public_outputs

    @property
    def n_public_inputs(self) -> int:
        """Number of public inputs."""
        return self.header.n_public_inputs

    @property
    def n_private_inputs(self) -> int:
        """Number of private inputs (``--O2`` may have removed some of them from the witness)."""
        return self.header.n_private_inputs

    @property
    def n_public(self) -> int:
        """Public signals of a proof: outputs plus public inputs."""
        return self.header.n_public_outputs + self.header.n_public_inputs

    @property
    def prime(self) -> int:
        """The field order (BN254's scalar field for the default ``-p bn128``)."""
        return self.header.prime


# --------------------------------------------------------------------------- binary formats


def _read_exact(fh: BinaryIO, n: int, path: Path) -> bytes:
    data = fh.read(n)
    if len(data) != n:
        raise ArtifactError(f"{path} is truncated")
    return data


def _sections(fh: BinaryIO, path: Path, magic: bytes) -> dict[int, tuple[int, int]]:
    """Map section type -> (offset, size) of an iden3 binary file, checking the magic."""
    head = _read_exact(fh, 12, path)
    if head[:4] != magic:
        raise ArtifactError(f"{path} is not a {magic.decode()} file (magic {head[:4]!r})")
    (n_sections,) = struct.unpack_from("<I", head, 8)
    sections: dict[int, tuple[int, int]] = {}
    for _ in range(n_sections):
        stype, size = struct.unpack("<IQ", _read_exact(fh, 12, path))
        sections.setdefault(stype, (fh.tell(), size))
        fh.seek(size, os.SEEK_CUR)
    return sections


def read_r1cs_header(path: Path) -> R1csHeader:
    """Parse the header section of an ``.r1cs`` file (reads only the header bytes)."""
    with path.open("rb") as fh:
        sections = _sections(fh, path, b"r1cs")
        if 1 not in sections:
            raise ArtifactError(f"{path} has no header section")
        fh.seek(sections[1][0])
        (n8,) = struct.unpack("<I", _read_exact(fh, 4, path))
        prime = int.from_bytes(_read_exact(fh, n8, path), "little")
        n_wires, n_out, n_pub_in, n_prv_in, n_labels, n_constraints = struct.unpack(
            "<IIIIQI", _read_exact(fh, 28, path))
    return R1csHeader(prime, n_wires, n_out, n_pub_in, n_prv_in, n_labels, n_constraints)


LinearCombination = dict[int, int]
Constraint = tuple[LinearCombination, LinearCombination, LinearCombination]


def read_r1cs_constraints(path: Path) -> list[Constraint]:
    """Parse all constraints ``A * B = C`` of an ``.r1cs`` file as ``{wire: coefficient}`` maps."""
    header = read_r1cs_header(path)
    with path.open("rb") as fh:
        sections = _sections(fh, path, b"r1cs")
        if 2 not in sections:
            raise ArtifactError(f"{path} has no constraints section")
        offset, size = sections[2]
        fh.seek(offset)
        data = _read_exact(fh, size, path)
    n8 = (header.prime.bit_length() + 63) // 64 * 8
    pos = 0

    def read_lc() -> LinearCombination:
        nonlocal pos
        (n_terms,) = struct.unpack_from("<I", data, pos)
        pos += 4
        lc: LinearCombination = {}
        for _ in range(n_terms):
            (wire,) = struct.unpack_from("<I", data, pos)
            lc[wire] = int.from_bytes(data[pos + 4:pos + 4 + n8], "little")
            pos += 4 + n8
        return lc

    constraints: list[Constraint] = []
    for _ in range(header.n_constraints):
        a = read_lc()
        b = read_lc()
        c = read_lc()
        constraints.append((a, b, c))
    return constraints


def read_wtns(path: Path) -> tuple[int, list[int]]:
    """Parse a binary ``.wtns`` file; return ``(prime, witness values)``."""
    with path.open("rb") as fh:
        sections = _sections(fh, path, b"wtns")
        if 1 not in sections or 2 not in sections:
            raise ArtifactError(f"{path} lacks the header or the witness section")
        fh.seek(sections[1][0])
        (n8,) = struct.unpack("<I", _read_exact(fh, 4, path))
        prime = int.from_bytes(_read_exact(fh, n8, path), "little")
        (n_witness,) = struct.unpack("<I", _read_exact(fh, 4, path))
        offset, size = sections[2]
        if size != n_witness * n8:
            raise ArtifactError(f"{path}: witness section holds {size} bytes, expected {n_witness} x {n8}")
        fh.seek(offset)
        data = _read_exact(fh, size, path)
    values = [int.from_bytes(data[i:i + n8], "little") for i in range(0, size, n8)]
    return prime, values


# --------------------------------------------------------------------------- compilation


def _label(path: Path) -> str:
    """Path as recorded in hashes and manifests: relative to the repository when inside it."""
    try:
        return path.relative_to(REPO_ROOT).as_posix()
    except ValueError:
        return path.as_posix()


def _source_files(main_file: Path, include_dirs: Sequence[Path]) -> list[Path]:
    """Every ``.circom`` file the compilation can read: the transitive closure of ``include`` (sorted).

    Each ``include "x"`` is resolved against the including file's folder and
    every ``-l`` folder, and *all* existing candidates are kept (circom picks
    one of them), as are includes inside comments: a superset of what circom
    reads, never less.  Unrelated files under ``circuits/`` do not enter the
    hash, so parallel work on other circuits does not invalidate a cache entry.
    """
    found: set[Path] = {main_file}
    queue = [main_file]
    while queue:
        current = queue.pop()
        for target in _INCLUDE_RE.findall(current.read_text(errors="replace")):
            for base in (current.parent, *include_dirs):
                candidate = (base / target).resolve()
                if candidate not in found and candidate.is_file():
                    found.add(candidate)
                    queue.append(candidate)
    return sorted(found)


def _source_hash(sources: Sequence[Path], include_dirs: Sequence[Path]) -> tuple[str, list[dict[str, str]]]:
    digest = hashlib.sha256()
    settings = {
        "cache_format": CACHE_FORMAT,
        "flags": list(CIRCOM_FLAGS),
        "circom": tools.CIRCOM_VERSION,
        "pins": tools.PINNED,
        "include_dirs": [_label(d) for d in include_dirs],
    }
    digest.update(json.dumps(settings, sort_keys=True).encode())
    inputs = []
    for path in sources:
        content = path.read_bytes()
        file_hash = hashlib.sha256(content).hexdigest()
        inputs.append({"path": _label(path), "sha256": file_hash})
        digest.update(f"\0{_label(path)}\0{file_hash}".encode())
    return digest.hexdigest(), inputs


def _artifacts(name: str, main_file: Path, directory: Path, source_hash: str, cached: bool) -> CompiledCircuit:
    r1cs = directory / f"{name}.r1cs"
    wasm = directory / f"{name}_js" / f"{name}.wasm"
    sym = directory / f"{name}.sym"
    witness_js = directory / f"{name}_js" / "generate_witness.js"
    for path in (r1cs, wasm, sym, witness_js):
        if not path.is_file():
            raise ArtifactError(f"circom did not produce {path}")
    return CompiledCircuit(name=name, main_file=main_file, directory=directory, r1cs=r1cs, wasm=wasm, sym=sym,
                           witness_js=witness_js, source_hash=source_hash, header=read_r1cs_header(r1cs),
                           cached=cached)


def compile_circuit(main_file: Path, *, include_paths: Sequence[Path] = (), cache_dir: Path | None = None,
                    timeout: float = tools.DEFAULT_TIMEOUT_S) -> CompiledCircuit:
    """Compile ``main_file`` with ``circom --r1cs --wasm --sym --O2``, reusing a cached build.

    Parameters
    ----------
    main_file : Path
        A ``.circom`` file declaring ``component main``.
    include_paths : sequence of Path
        Extra ``-l`` folders, after circomlib's ``circuits/`` and the repository's ``circuits/``.
    cache_dir : Path, optional
        Cache root; default ``<repo>/.cache/circuits``.  The build lands in
        ``<cache_dir>/<stem>-<hash16>/`` with a ``manifest.json``.
    timeout : float
        Seconds allowed for circom.

    Returns
    -------
    CompiledCircuit
        Paths of the artifacts and the R1CS counts; ``cached`` says whether the build was reused.

    Raises
    ------
    CompileError
        When circom rejects the circuit (the message carries circom's diagnostics).
    ToolError
        When the toolchain is missing or not at the pinned versions.
    """
    main_file = Path(main_file).resolve()
    if not main_file.is_file():
        raise FileNotFoundError(f"circuit main file {main_file} does not exist")
    name = main_file.stem
    include_dirs = [tools.circomlib_dir().resolve(), CIRCUITS_DIR.resolve()]
    include_dirs += [Path(p).resolve() for p in include_paths]
    sources = _source_files(main_file, include_dirs)
    source_hash, inputs = _source_hash(sources, include_dirs)
    root = Path(cache_dir).resolve() if cache_dir is not None else DEFAULT_CACHE_DIR
    out_dir = root / f"{name}-{source_hash[:16]}"

    if (out_dir / "manifest.json").is_file():
        try:
            return _artifacts(name, main_file, out_dir, source_hash, cached=True)
        except ArtifactError:
            shutil.rmtree(out_dir, ignore_errors=True)  # a damaged cache entry: rebuild it

    root.mkdir(parents=True, exist_ok=True)
    build_dir = Path(tempfile.mkdtemp(prefix=f".build-{name}-", dir=root))
    try:
        args = [str(main_file), *CIRCOM_FLAGS]
        for folder in include_dirs:
            args += ["-l", str(folder)]
        args += ["-o", str(build_dir)]
        start = time.perf_counter()
        try:
            # circom2's CLI rewrites paths relative to its cwd and preopens only the cwd's ancestors;
            # running from "/" keeps every absolute path reachable.
            result = tools.circom(args, timeout=timeout, cwd=Path("/"))
        except ToolError as exc:
            if exc.returncode is None:
                raise
            raise CompileError(f"circom failed to compile {_label(main_file)}", exc.argv, exc.returncode,
                               _ANSI_RE.sub("", exc.stdout), _ANSI_RE.sub("", exc.stderr)) from None
        seconds = time.perf_counter() - start
        compiled = _artifacts(name, main_file, build_dir, source_hash, cached=False)
        manifest = {
            "name": name,
            "main_file": _label(main_file),
            "source_hash": source_hash,
            "cache_format": CACHE_FORMAT,
            "flags": list(CIRCOM_FLAGS),
            "include_paths": [_label(d) for d in include_dirs],
            "tool_versions": tools.check_versions(),
            "inputs": inputs,
            "r1cs": {
                "constraints": compiled.n_constraints,
                "wires": compiled.n_wires,
                "public_outputs": compiled.n_public_outputs,
                "public_inputs": compiled.n_public_inputs,
                "private_inputs": compiled.n_private_inputs,
                "labels": compiled.header.n_labels,
            },
            "compile_seconds": round(seconds, 3),
            "created_utc": datetime.now(UTC).isoformat(timespec="seconds"),
            "circom_output": _ANSI_RE.sub("", result.stdout).strip().splitlines(),
        }
        (build_dir / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
        try:
            build_dir.rename(out_dir)
        except OSError:
            if not (out_dir / "manifest.json").is_file():
                raise
            # another process finished the same build first; use theirs
    finally:
        if build_dir.exists():
            shutil.rmtree(build_dir, ignore_errors=True)
    return _artifacts(name, main_file, out_dir, source_hash, cached=False)


# --------------------------------------------------------------------------- witness


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
                      *, timeout: float = tools.DEFAULT_TIMEOUT_S) -> list[int]:
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
            return _run_witness(circuit, payload, Path(tmp), timeout)
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    return _run_witness(circuit, payload, workdir, timeout)


def _run_witness(circuit: CompiledCircuit, payload: dict[str, Any], workdir: Path, timeout: float) -> list[int]:
    input_json = workdir / "input.json"
    wtns = workdir / "witness.wtns"
    input_json.write_text(json.dumps(payload))
    wtns.unlink(missing_ok=True)
    try:
        tools.node([str(circuit.witness_js), str(circuit.wasm), str(input_json), str(wtns)], timeout=timeout)
    except ToolError as exc:
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


def unsatisfied_constraints(circuit: CompiledCircuit, witness: Sequence[int]) -> list[int]:
    """Indices of the R1CS constraints ``<A,w> * <B,w> = <C,w>`` that ``witness`` violates.

    A pure-Python check, independent of the witness calculator: use it to
    show that a tampered witness is rejected by the constraint system itself.
    """
    if len(witness) != circuit.n_wires:
        raise ValueError(f"witness has {len(witness)} values, the circuit {circuit.n_wires} wires")
    p = circuit.prime

    def dot(lc: LinearCombination) -> int:
        return sum(coeff * witness[wire] for wire, coeff in lc.items()) % p

    return [i for i, (a, b, c) in enumerate(_constraints(circuit.r1cs)) if dot(a) * dot(b) % p != dot(c)]


@functools.cache
def _constraints(r1cs: Path) -> list[Constraint]:
    return read_r1cs_constraints(r1cs)


# --------------------------------------------------------------------------- signals


@functools.cache
def _symbols(sym: Path) -> dict[str, int]:
    """``{signal name: witness index}`` from a ``.sym`` file (index -1: removed by the optimiser)."""
    table: dict[str, int] = {}
    for line in sym.read_text().splitlines():
        if not line:
            continue
        parts = line.split(",", 3)
        if len(parts) != 4:
            raise ArtifactError(f"{sym}: malformed line {line!r}")
        table[parts[3]] = int(parts[1])
    return table


@functools.cache
def _main_signal_names(sym: Path) -> frozenset[str]:
    """Base names (no ``main.`` prefix, no indices) of the signals declared in ``main`` itself."""
    return frozenset(name[5:].split("[", 1)[0] for name in _symbols(sym) if name.startswith("main.")
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
    table = _symbols(circuit.sym)
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
    for signal in _symbols(circuit.sym):
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
        (index, name) for name, index in _symbols(circuit.sym).items()
        if 1 <= index <= circuit.n_public_outputs and name.count(".") == 1 and name.startswith("main.")
    ]
    return {name: witness[index] for index, name in sorted(outputs)}
