"""Compile Circom circuits, cached by content hash.

* :func:`compile_circuit` runs the pinned circom with ``--r1cs --wasm --sym --O2``
  through :func:`toolchain.tools.circom`, caching the artifacts under
  ``.cache/circuits/<name>-<hash16>/`` keyed by a SHA-256 over every source the
  main file can include (transitively, circomlib's included), the pinned tool
  versions, the include folders and the flags;
* the witness, signal lookup and the R1CS checker live in :mod:`zkmargin.toolchain.witness` and
  :mod:`zkmargin.toolchain.r1cs_check`; the binary formats in :mod:`zkmargin.toolchain.iden3`.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Final

from zkmargin.toolchain import tools
from zkmargin.toolchain.iden3 import ArtifactError, R1csHeader, read_r1cs_header
from zkmargin.toolchain.tools import REPO_ROOT, ToolError

CIRCUITS_DIR: Final = REPO_ROOT / "circuits"
DEFAULT_CACHE_DIR: Final = REPO_ROOT / ".cache" / "circuits"
#: Flags of every compilation (``--O2`` always: it is what the shipped circuits use).
CIRCOM_FLAGS: Final = ("--r1cs", "--wasm", "--sym", "--O2")
#: Bump when the cache layout or the manifest changes.
CACHE_FORMAT: Final = 1

_ANSI_RE: Final = re.compile(r"\x1b\[[0-9;]*m")
_INCLUDE_RE: Final = re.compile(r'\binclude\s*"([^"]+)"')


class CompileError(ToolError):
    """circom rejected a circuit (syntax, type or constraint-generation error)."""


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
        "pins": tools.proof_toolchain_pins(),
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


