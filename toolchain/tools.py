"""The one door to external tools: circom, snarkjs, node and solc.

Every call takes an argv list (never a shell), carries a timeout, and raises
:class:`ToolError` with the command, exit code, stdout and stderr on failure;
its first line names the tool and subcommand ("snarkjs groth16 prove failed").

``package.json`` is the one record of the versions: its ``dependencies`` are the
pins (:func:`pinned_versions`) and its ``engines.node`` the Node.js versions the
project supports (:func:`required_node_major`).  Node's version is probed once
per process before the first call that needs it; the installed npm packages are
checked against the pins by :func:`check_versions`.

:func:`snarkjs_verify` is the one reading of ``snarkjs groth16 verify``'s
verdict.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

REPO_ROOT: Final = Path(__file__).resolve().parent.parent
NODE_MODULES: Final = REPO_ROOT / "node_modules"
PACKAGE_JSON: Final = REPO_ROOT / "package.json"

#: npm packages of the proving toolchain, checked by :func:`check_versions` (solc is checked by its builder).
PROOF_TOOLCHAIN: Final = ("circom2", "circomlib", "snarkjs")
#: The circom compiler version inside the pinned ``circom2`` package.
CIRCOM_VERSION: Final = "2.2.3"

DEFAULT_TIMEOUT_S: Final = 600.0
#: ``snarkjs groth16 verify`` takes about a second (Node start-up and curve set-up); this is generous.
VERIFY_TIMEOUT_S: Final = 120.0
NODE_PROBE_TIMEOUT_S: Final = 30.0


class ToolError(RuntimeError):
    """An external tool failed, timed out, or is missing / at the wrong version."""

    def __init__(self, message: str, argv: Sequence[str] = (), returncode: int | None = None,
                 stdout: str = "", stderr: str = "") -> None:
        self.headline = message
        self.argv = list(argv)
        self.returncode = returncode
        self.stdout = stdout
        self.stderr = stderr
        detail = message
        if argv:
            detail += f"\n  command: {' '.join(self.argv)}"
        if returncode is not None:
            detail += f"\n  exit code: {returncode}"
        tail = (stderr or stdout).strip()
        if tail:
            detail += "\n  output (last lines):\n    " + "\n    ".join(tail.splitlines()[-15:])
        super().__init__(detail)


@dataclass(frozen=True)
class ToolResult:
    """Outcome of a successful tool call; ``seconds`` is wall-clock time."""

    argv: list[str]
    stdout: str
    stderr: str
    seconds: float


# --------------------------------------------------------------------------- package.json: pins and engines


@functools.cache
def _package_manifest() -> dict[str, Any]:
    try:
        manifest = json.loads(PACKAGE_JSON.read_text())
    except FileNotFoundError:
        raise ToolError(f"{PACKAGE_JSON} not found: it pins the Node toolchain") from None
    except json.JSONDecodeError as exc:
        raise ToolError(f"{PACKAGE_JSON}: not valid JSON ({exc})") from None
    if not isinstance(manifest, dict):
        raise ToolError(f"{PACKAGE_JSON}: expected a JSON object")
    return manifest


def pinned_versions() -> dict[str, str]:
    """The pinned npm packages and their exact versions, read from ``package.json``'s ``dependencies``.

    Returns
    -------
    dict of str to str
        ``{package: version}``, e.g. ``{"circom2": "0.2.23", ..., "solc": "0.8.28"}``.

    Raises
    ------
    ToolError
        When ``package.json`` is missing or a dependency is not an exact ``MAJOR.MINOR.PATCH`` pin.
    """
    dependencies = _package_manifest().get("dependencies")
    if not isinstance(dependencies, dict) or not dependencies:
        raise ToolError(f"{PACKAGE_JSON}: no \"dependencies\" object")
    pins: dict[str, str] = {}
    for package, version in dependencies.items():
        if not isinstance(version, str) or re.fullmatch(r"\d+\.\d+\.\d+", version) is None:
            raise ToolError(f"{PACKAGE_JSON}: dependencies.{package} is {version!r}, expected an exact "
                            "version such as \"1.2.3\" (the toolchain is pinned)")
        pins[str(package)] = version
    return pins


@functools.cache
def proof_toolchain_pins() -> dict[str, str]:
    """Pins of :data:`PROOF_TOOLCHAIN` (read from ``package.json`` once, when first needed; part of the
    compile cache key).  Nothing reads ``package.json`` at import, so the Python-only paths never need it."""
    pins = pinned_versions()
    return {package: pins[package] for package in PROOF_TOOLCHAIN}


def required_node_major() -> int:
    """The oldest Node.js major version the project supports, from ``package.json``'s ``engines.node``.

    Only the form ``">=MAJOR"`` is accepted (today ``">=20"``).
    """
    engines = _package_manifest().get("engines")
    spec = engines.get("node") if isinstance(engines, dict) else None
    match = re.fullmatch(r"\s*>=\s*(\d+)\s*", spec) if isinstance(spec, str) else None
    if match is None:
        raise ToolError(f"{PACKAGE_JSON}: engines.node is {spec!r}, expected \">=MAJOR\" such as \">=20\"")
    return int(match.group(1))


def installed_version(package: str) -> str:
    """Version of ``package`` installed under ``node_modules`` (from its ``package.json``)."""
    manifest = NODE_MODULES / package / "package.json"
    if not manifest.exists():
        raise ToolError(f"{package} is not installed under {NODE_MODULES}; run `make setup` (npm ci)")
    return str(json.loads(manifest.read_text())["version"])


# --------------------------------------------------------------------------- node


def probe_node_version(node: str) -> str:
    """``node --version`` of the executable ``node``, e.g. ``"v20.20.2"`` (the one version probe)."""
    argv = [node, "--version"]
    try:
        proc = subprocess.run(argv, capture_output=True, text=True, timeout=NODE_PROBE_TIMEOUT_S,
                              env={**os.environ, "NODE_OPTIONS": ""})
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise ToolError(f"node at {node} does not run: {exc}") from None
    if proc.returncode != 0:
        raise ToolError(f"node --version failed at {node}", argv, proc.returncode, proc.stdout, proc.stderr)
    return proc.stdout.strip()


@functools.cache
def _checked_node() -> tuple[str, str]:
    required = required_node_major()
    node = shutil.which("node")
    if node is None:
        raise ToolError(f"node is not installed (not on PATH); zkmargin needs Node.js {required}+ "
                        "(package.json engines.node)")
    version = probe_node_version(node)
    match = re.fullmatch(r"v?(\d+)(\.\d+)*", version)
    if match is None:
        raise ToolError(f"{node} --version printed {version!r}, expected a version such as v{required}.0.0")
    if int(match.group(1)) < required:
        raise ToolError(f"node {version} at {node} is too old; zkmargin needs Node.js {required}+ "
                        "(package.json engines.node)")
    return node, version


def node_binary() -> str:
    """Path of the ``node`` executable, once its version is checked.

    Raises
    ------
    ToolError
        One line, when node is not on ``PATH`` or older than ``package.json``'s ``engines.node``.
    """
    return _checked_node()[0]


def node_version() -> str:
    """The checked Node.js version, e.g. ``"v20.20.2"``."""
    return _checked_node()[1]


# --------------------------------------------------------------------------- argv prefixes


def _bin(package: str, script: str) -> Path:
    path = NODE_MODULES / package / script
    if not path.exists():
        raise ToolError(f"{package} is not installed under {NODE_MODULES}; run `make setup` (npm ci)")
    return path


def circom_argv() -> list[str]:
    """argv prefix that runs the pinned circom (WebAssembly build)."""
    return [node_binary(), str(_bin("circom2", "cli.js"))]


def snarkjs_argv() -> list[str]:
    """argv prefix that runs the pinned snarkjs CLI."""
    return [node_binary(), "--max-old-space-size=8192", str(_bin("snarkjs", "build/cli.cjs"))]


def circomlib_dir() -> Path:
    """Folder holding circomlib's ``circuits/`` (for ``-l`` include paths)."""
    path = NODE_MODULES / "circomlib" / "circuits"
    if not path.is_dir():
        raise ToolError(f"circomlib is not installed under {NODE_MODULES}; run `make setup` (npm ci)")
    return path


# --------------------------------------------------------------------------- running


_SUBCOMMAND_RE: Final = re.compile(r"[a-z][a-z0-9]{0,23}")


def command_name(argv: Sequence[str]) -> str:
    """What ``argv`` runs, for error headlines: ``"snarkjs groth16 prove"``, ``"circom"``, ``"node devptau.js"``.

    A node argv is named by its script (snarkjs with up to three subcommand
    words, circom2's ``cli.js`` as circom); any other argv by its executable.
    """
    if not argv:
        return "(empty command)"
    executable = Path(argv[0]).name
    if executable not in ("node", "node.exe"):
        return executable
    rest = list(argv[1:])
    while rest and rest[0].startswith("-"):
        if len(rest) == 1 or rest[0] in ("-e", "--eval", "-p", "--print"):
            return f"node {rest[0]}"
        rest.pop(0)
    if not rest:
        return "node"
    script, args = Path(rest[0]), rest[1:]
    if "snarkjs" in script.parts:
        words: list[str] = []
        for arg in args[:3]:
            if _SUBCOMMAND_RE.fullmatch(arg) is None:
                break
            words.append(arg)
        return " ".join(["snarkjs", *words])
    if "circom2" in script.parts:
        return "circom"
    return f"node {script.name}"


def run(argv: Sequence[str], *, timeout: float = DEFAULT_TIMEOUT_S, cwd: Path | None = None,
        input_text: str | None = None) -> ToolResult:
    """Run ``argv`` without a shell and return its output.

    Raises
    ------
    ToolError
        On a non-zero exit, a timeout, or a missing executable; the headline
        names the tool (:func:`command_name`).
    """
    if isinstance(argv, str | bytes):
        raise TypeError("run() takes an argv list, never a shell string")
    argv = [str(a) for a in argv]
    name = command_name(argv)
    start = time.perf_counter()
    try:
        proc = subprocess.run(
            argv, cwd=cwd, input=input_text, capture_output=True, text=True, timeout=timeout,
            env={**os.environ, "NODE_OPTIONS": ""},
        )
    except FileNotFoundError as exc:
        raise ToolError(f"{name}: executable not found: {argv[0]}", argv) from exc
    except subprocess.TimeoutExpired as exc:
        out = exc.stdout.decode() if isinstance(exc.stdout, bytes) else (exc.stdout or "")
        err = exc.stderr.decode() if isinstance(exc.stderr, bytes) else (exc.stderr or "")
        raise ToolError(f"{name} timed out after {timeout:g} s", argv, None, out, err) from exc
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        raise ToolError(f"{name} failed", argv, proc.returncode, proc.stdout, proc.stderr)
    return ToolResult(argv, proc.stdout, proc.stderr, seconds)


def sha256_file(path: Path) -> str:
    """Hex sha256 of a file's bytes, read in 1 MiB chunks (for caches and manifests)."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


@functools.cache
def check_versions() -> dict[str, str]:
    """Check the pinned tool versions once per process and return them.

    The installed :data:`PROOF_TOOLCHAIN` packages must match the pins in
    ``package.json``, circom must report :data:`CIRCOM_VERSION`, and node must
    satisfy ``engines.node``.  The result (packages, ``circom``, ``node``) goes
    into the build manifests and the key cache key.
    """
    pins = proof_toolchain_pins()
    found = {package: installed_version(package) for package in pins}
    wrong = {package: v for package, v in found.items() if v != pins[package]}
    if wrong:
        raise ToolError(f"tool versions differ from the pins {pins}: {wrong}; run `make setup` (npm ci)")
    out = run([*circom_argv(), "--version"], timeout=60).stdout
    if CIRCOM_VERSION not in out:
        raise ToolError(f"circom reports {out.strip()!r}, expected {CIRCOM_VERSION}")
    found["circom"] = CIRCOM_VERSION
    found["node"] = node_version()
    return found


def circom(args: Sequence[str], *, timeout: float = DEFAULT_TIMEOUT_S, cwd: Path | None = None) -> ToolResult:
    """Run the pinned circom with ``args``."""
    check_versions()
    return run([*circom_argv(), *args], timeout=timeout, cwd=cwd)


def snarkjs(args: Sequence[str], *, timeout: float = DEFAULT_TIMEOUT_S, cwd: Path | None = None) -> ToolResult:
    """Run the pinned snarkjs CLI with ``args``."""
    check_versions()
    return run([*snarkjs_argv(), *args], timeout=timeout, cwd=cwd)


def node(args: Sequence[str], *, timeout: float = DEFAULT_TIMEOUT_S, cwd: Path | None = None) -> ToolResult:
    """Run a Node.js script (``args[0]``) with the project's ``node_modules`` resolvable."""
    return run([node_binary(), "--max-old-space-size=8192", *args], timeout=timeout, cwd=cwd or REPO_ROOT)


# --------------------------------------------------------------------------- snarkjs groth16 verify

_ANSI_RE: Final = re.compile(r"\x1b\[[0-9;]*m")
#: The line snarkjs prints, exit code 0, when the pairing check passes.
SNARKJS_OK: Final = "[INFO]  snarkJS: OK!"
#: The lines snarkjs prints, exit code 1, when its verifier returns false (the inputs parsed, the proof is
#: rejected): the pairing check fails; a public signal is outside [0, r); a proof point is off the curve or
#: outside the subgroup.
SNARKJS_REJECTED: Final = (
    "[ERROR] snarkJS: Invalid proof",
    "[ERROR] snarkJS: Public inputs are not valid.",
    "[ERROR] snarkJS: Proof commitments are not valid.",
)


def _verdict_lines(text: str) -> list[str]:
    return [line.rstrip() for line in _ANSI_RE.sub("", text).splitlines() if line.strip()]


def snarkjs_verify(vkey: Path, proof: Mapping[str, Any] | Path, public: Sequence[str | int] | Path, *,
                   timeout: float = VERIFY_TIMEOUT_S) -> bool:
    """``snarkjs groth16 verify`` with the pinned snarkjs, read strictly.

    Parameters
    ----------
    vkey : Path
        snarkjs verifying-key JSON.
    proof : mapping or Path
        The proof object (``pi_a``, ``pi_b``, ``pi_c``, ...) or a JSON file holding it.
    public : sequence of str or int, or Path
        Public signals in decimal (ints are written as decimal strings), or a JSON file holding them.
    timeout : float
        Seconds before the call is abandoned.

    Returns
    -------
    bool
        ``True`` when snarkjs exits 0 and prints exactly :data:`SNARKJS_OK`;
        ``False`` when it exits 1 and prints exactly one of
        :data:`SNARKJS_REJECTED` (its verifier ran and rejected the proof).

    Raises
    ------
    ToolError
        For anything else: a file that is missing or not valid JSON, a key or
        proof snarkjs cannot read (it throws: exit 1 with a stack trace),
        another exit code or output, a timeout, or a missing or wrong toolchain.

    Notes
    -----
    snarkjs 0.7.6 reduces proof coordinates modulo p (``A.x + p`` verifies) and
    does not compare the number of public signals with the key's ``nPublic``
    (missing trailing signals count as 0, an extra one makes it throw); the
    Python verifier (``zkmargin.verifier.groth16``) refuses both.
    """
    if isinstance(public, str | bytes):
        raise TypeError("public must be a sequence of signals or a Path, not a str")
    with tempfile.TemporaryDirectory(prefix="zkmargin-snarkjs-verify-") as tmp:
        if not isinstance(proof, Path):
            proof_path = Path(tmp) / "proof.json"
            proof_path.write_text(json.dumps(dict(proof)))
            proof = proof_path
        if not isinstance(public, Path):
            public_path = Path(tmp) / "public.json"
            public_path.write_text(json.dumps([str(signal) for signal in public]))
            public = public_path
        for label, path in (("verifying key", vkey), ("proof", proof), ("public signals", public)):
            if not path.is_file():
                raise ToolError(f"snarkjs groth16 verify: {label} file not found: {path}")
        try:
            result = snarkjs(["groth16", "verify", str(vkey), str(public), str(proof)], timeout=timeout)
        except ToolError as exc:
            lines = _verdict_lines(exc.stdout)
            if exc.returncode == 1 and len(lines) == 1 and lines[0] in SNARKJS_REJECTED:
                return False
            reason = next((line for line in lines if line.startswith("[ERROR]")), "")
            if reason:
                raise ToolError(f"{exc.headline}: {reason.removeprefix('[ERROR] snarkJS: ')}", exc.argv,
                                exc.returncode, exc.stdout, exc.stderr) from None
            raise
    if _verdict_lines(result.stdout) != [SNARKJS_OK]:
        raise ToolError("snarkjs groth16 verify exited 0 without its \"OK!\" line", result.argv, 0,
                        result.stdout, result.stderr)
    return True
