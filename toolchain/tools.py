"""The one door to external tools: circom, snarkjs, node and solc.

Every call takes an argv list (never a shell), carries a timeout, and raises
:class:`ToolError` with the command, exit code, stdout and stderr on failure.
Pinned versions are probed once per process and checked against
``package.json``.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import shutil
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

REPO_ROOT: Final = Path(__file__).resolve().parent.parent
NODE_MODULES: Final = REPO_ROOT / "node_modules"

#: Versions the project is pinned to (see ``package.json``).
PINNED: Final = {"circom2": "0.2.23", "snarkjs": "0.7.6", "circomlib": "2.0.5"}
CIRCOM_VERSION: Final = "2.2.3"

DEFAULT_TIMEOUT_S: Final = 600.0


class ToolError(RuntimeError):
    """An external tool failed, timed out, or is missing / at the wrong version."""

    def __init__(self, message: str, argv: Sequence[str] = (), returncode: int | None = None,
                 stdout: str = "", stderr: str = "") -> None:
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


def node_binary() -> str:
    """Path of the ``node`` executable; :class:`ToolError` when absent."""
    node = shutil.which("node")
    if node is None:
        raise ToolError("node is not installed; install Node.js 20+ (the Makefile's `setup` needs it too)")
    return node


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


def run(argv: Sequence[str], *, timeout: float = DEFAULT_TIMEOUT_S, cwd: Path | None = None,
        input_text: str | None = None) -> ToolResult:
    """Run ``argv`` without a shell and return its output.

    Raises
    ------
    ToolError
        On a non-zero exit, a timeout, or a missing executable.
    """
    argv = [str(a) for a in argv]
    start = time.perf_counter()
    try:
        proc = subprocess.run(
            argv, cwd=cwd, input=input_text, capture_output=True, text=True, timeout=timeout,
            env={**os.environ, "NODE_OPTIONS": ""},
        )
    except FileNotFoundError as exc:
        raise ToolError(f"executable not found: {argv[0]}", argv) from exc
    except subprocess.TimeoutExpired as exc:
        out = exc.stdout.decode() if isinstance(exc.stdout, bytes) else (exc.stdout or "")
        err = exc.stderr.decode() if isinstance(exc.stderr, bytes) else (exc.stderr or "")
        raise ToolError(f"timed out after {timeout:.0f} s", argv, None, out, err) from exc
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        raise ToolError(f"{Path(argv[1]).name if len(argv) > 1 else argv[0]} failed", argv,
                        proc.returncode, proc.stdout, proc.stderr)
    return ToolResult(argv, proc.stdout, proc.stderr, seconds)


def sha256_file(path: Path) -> str:
    """Hex sha256 of a file's bytes, read in 1 MiB chunks (for caches and manifests)."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _installed_version(package: str) -> str:
    manifest = NODE_MODULES / package / "package.json"
    if not manifest.exists():
        raise ToolError(f"{package} is not installed under {NODE_MODULES}; run `make setup` (npm ci)")
    return str(json.loads(manifest.read_text())["version"])


@functools.cache
def check_versions() -> dict[str, str]:
    """Check the pinned tool versions once per process and return them.

    The installed npm packages must match :data:`PINNED`, and the circom
    binary must report :data:`CIRCOM_VERSION`.
    """
    found = {pkg: _installed_version(pkg) for pkg in PINNED}
    wrong = {pkg: v for pkg, v in found.items() if v != PINNED[pkg]}
    if wrong:
        raise ToolError(f"tool versions differ from the pins {PINNED}: {wrong}; run `make setup` (npm ci)")
    out = run([*circom_argv(), "--version"], timeout=60).stdout
    if CIRCOM_VERSION not in out:
        raise ToolError(f"circom reports {out.strip()!r}, expected {CIRCOM_VERSION}")
    found["circom"] = CIRCOM_VERSION
    found["node"] = run([node_binary(), "--version"], timeout=30).stdout.strip()
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
