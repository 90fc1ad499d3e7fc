"""A long-lived Node process that computes witnesses and Groth16 proofs (``toolchain/js/proveserver.js``).

A prover worker starts one and sends it every witness and proof of its batches: each circuit's witness calculator
and each proving key are loaded once, and proofs run single-threaded, so W workers on W cores scale.  The files it
writes are the ones ``generate_witness.js`` and ``snarkjs groth16 prove`` write.
"""

from __future__ import annotations

import json
import subprocess
import threading
from pathlib import Path
from types import TracebackType
from typing import IO, Any, Final

from zkmargin.toolchain import tools
from zkmargin.toolchain.compile import CompiledCircuit
from zkmargin.toolchain.tools import ToolError

SERVER_JS: Final = Path(__file__).resolve().parent / "js" / "proveserver.js"


class ProverProcess:
    """The Node prover process; use as a context manager or call :meth:`close`.  Not thread-safe: one request at a
    time (a lock serialises callers)."""

    def __init__(self) -> None:
        tools.check_versions()
        self._argv = [tools.node_binary(), "--max-old-space-size=8192", str(SERVER_JS)]
        self._proc = subprocess.Popen(self._argv, cwd=tools.REPO_ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                      stderr=subprocess.PIPE, text=True, bufsize=1)
        self._lock = threading.Lock()

    def _pipes(self) -> tuple[IO[str], IO[str]]:
        if self._proc.stdin is None or self._proc.stdout is None:
            raise ToolError("the prover process has no pipes", self._argv)
        return self._proc.stdin, self._proc.stdout

    def request(self, **fields: Any) -> int:
        """Send one request; its run time in milliseconds.  :class:`ToolError` with the process's message if it
        fails or the process has died."""
        stdin, stdout = self._pipes()
        with self._lock:
            try:
                stdin.write(json.dumps(fields) + "\n")
                stdin.flush()
                line = stdout.readline()
            except (BrokenPipeError, OSError) as exc:
                raise ToolError(f"the prover process stopped: {exc}", self._argv) from exc
        if not line:
            stderr = self._proc.stderr.read() if self._proc.stderr is not None else ""
            raise ToolError("the prover process stopped", self._argv, self._proc.poll(), "", stderr)
        answer = json.loads(line)
        if not answer.get("ok"):
            raise ToolError(f"{fields.get('cmd')} failed: {answer.get('error')}", self._argv)
        return int(answer["ms"])

    def witness(self, circuit: CompiledCircuit, input_json: Path, wtns: Path) -> int:
        """Write ``wtns`` for the inputs in ``input_json`` (as ``generate_witness.js`` does)."""
        return self.request(cmd="witness", js_dir=str(circuit.witness_js.parent), wasm=str(circuit.wasm),
                            input=str(input_json), wtns=str(wtns))

    def prove(self, zkey: Path, wtns: Path, proof: Path, public: Path) -> int:
        """Write ``proof`` and ``public`` (as ``snarkjs groth16 prove`` does)."""
        return self.request(cmd="prove", zkey=str(zkey), wtns=str(wtns), proof=str(proof), public=str(public))

    def close(self) -> None:
        """End the process (it finishes the request in hand)."""
        if self._proc.stdin is not None and not self._proc.stdin.closed:
            self._proc.stdin.close()
        try:
            self._proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()
        for pipe in (self._proc.stdout, self._proc.stderr):
            if pipe is not None:
                pipe.close()

    def __enter__(self) -> ProverProcess:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.close()
