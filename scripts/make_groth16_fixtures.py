"""Regenerate the Groth16 golden vectors in ``tests/fixtures/groth16/``.

Compiles ``tests/fixtures/groth16/statement.circom`` (3 public signals:
params_root, account_commitment, margins), runs a deterministic, INSECURE dev
setup (powers of tau and zkey finished with public beacons, no secret
contribution), exports the verifying key and proves a few inputs.  Build
products (r1cs, wasm, ptau, zkey, witnesses) stay in a temporary folder; only
small JSON files are written into the repository:

* ``vkey.json`` — the verifying key (``snarkjs zkey export verificationkey``);
* ``proof_<i>.json`` / ``public_<i>.json`` — proofs and public signals.

Proofs are randomised by snarkjs, so rerunning changes them (and only the
vkey is reproducible).  Usage: ``python scripts/make_groth16_fixtures.py``.
"""

from __future__ import annotations

import json
import math
import re
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Final

from zkmargin.constants import FIELD_ORDER
from zkmargin.toolchain import tools

REPO_ROOT: Final = Path(__file__).resolve().parent.parent
FIXTURES: Final = REPO_ROOT / "tests" / "fixtures" / "groth16"
CIRCUIT: Final = FIXTURES / "statement.circom"

#: Public beacons that finish both setup phases: deterministic and INSECURE (dev keys only).
PTAU_BEACON: Final = "0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20"
ZKEY_BEACON: Final = "2122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f40"
BEACON_ITERATIONS_EXP: Final = "10"


#: Private inputs of the proofs; the last one uses field elements near r.
INPUTS: Final = (
    {"params": ["3", "5"], "positions": ["7", "11"], "salt": "12345"},
    {"params": ["1000003", "77"], "positions": ["42", "0"], "salt": "987654321987654321"},
    {"params": [str(FIELD_ORDER - 1), "2"], "positions": [str(FIELD_ORDER - 5), "9"], "salt": str(FIELD_ORDER - 2)},
)


def _constraint_count(r1cs: Path) -> int:
    info = tools.snarkjs(["r1cs", "info", str(r1cs)]).stdout
    match = re.search(r"# of Constraints:\s*(\d+)", info)
    if match is None:
        raise RuntimeError(f"cannot read the constraint count from snarkjs r1cs info:\n{info}")
    return int(match.group(1))


def build(out: Path) -> None:
    """Run the whole pipeline in the temporary folder ``out`` and copy the JSON fixtures."""
    tools.circom([str(CIRCUIT), "--r1cs", "--wasm", "--O2", "-l", str(tools.circomlib_dir()), "-o", str(out)])
    r1cs = out / "statement.r1cs"
    wasm = out / "statement_js" / "statement.wasm"
    n_constraints = _constraint_count(r1cs)
    power = max(8, math.ceil(math.log2(n_constraints + 4)) + 1)
    print(f"statement: {n_constraints} constraints, powers of tau 2^{power}")

    ptau0, ptau1, ptau = out / "pot_0.ptau", out / "pot_1.ptau", out / "pot_final.ptau"
    tools.snarkjs(["powersoftau", "new", "bn128", str(power), str(ptau0)])
    tools.snarkjs(["powersoftau", "beacon", str(ptau0), str(ptau1), PTAU_BEACON, BEACON_ITERATIONS_EXP,
                   "-n=zkmargin INSECURE test beacon"])
    tools.snarkjs(["powersoftau", "prepare", "phase2", str(ptau1), str(ptau)])
    zkey0, zkey = out / "statement_0.zkey", out / "statement_final.zkey"
    tools.snarkjs(["groth16", "setup", str(r1cs), str(ptau), str(zkey0)])
    tools.snarkjs(["zkey", "beacon", str(zkey0), str(zkey), ZKEY_BEACON, BEACON_ITERATIONS_EXP,
                   "-n=zkmargin INSECURE test beacon"])
    vkey = out / "vkey.json"
    tools.snarkjs(["zkey", "export", "verificationkey", str(zkey), str(vkey)])
    shutil.copyfile(vkey, FIXTURES / "vkey.json")

    for index, private_inputs in enumerate(INPUTS):
        input_file = out / f"input_{index}.json"
        input_file.write_text(json.dumps(private_inputs))
        proof, public = out / f"proof_{index}.json", out / f"public_{index}.json"
        tools.snarkjs(["groth16", "fullprove", str(input_file), str(wasm), str(zkey), str(proof), str(public)])
        if not tools.snarkjs_verify(vkey, proof, public):
            raise RuntimeError(f"snarkjs rejected its own proof {proof}")
        shutil.copyfile(proof, FIXTURES / f"proof_{index}.json")
        shutil.copyfile(public, FIXTURES / f"public_{index}.json")
        print(f"proof_{index}: public signals {json.loads(public.read_text())}")


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="zkmargin-groth16-fixtures-") as tmp:
        build(Path(tmp))
    print(f"wrote {FIXTURES.relative_to(REPO_ROOT)}/{{vkey,proof_*,public_*}}.json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
