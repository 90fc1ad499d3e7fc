"""Build the on-chain verifier: export the snarkjs Groth16 verifier, check it, compile.

* :func:`export_verifier` runs ``snarkjs zkey export solidityverifier`` and refuses
  a generated file that lacks the upstream fixes the registry relies on.
* :func:`compile_contracts` compiles with the pinned solc-js through
  ``verifier/solidity/compile.js`` (standard JSON), cached by content hash.
* :func:`build_verifier_contracts` does both for one zkey: the generated
  ``Groth16Verifier`` plus ``MarginRegistry``.

The generated verifier is a build product: it is written under ``.cache/`` (or a
caller's directory), never into the repository, and never edited by hand.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, NamedTuple

from zkmargin.constants import FIELD_ORDER
from zkmargin.toolchain import tools
from zkmargin.verifier.abi import AbiJson

SOLIDITY_DIR: Final = Path(__file__).resolve().parent / "solidity"
COMPILE_SCRIPT: Final = SOLIDITY_DIR / "compile.js"
REGISTRY_SOURCE: Final = SOLIDITY_DIR / "MarginRegistry.sol"
CACHE_DIR: Final = tools.REPO_ROOT / ".cache" / "solidity"

#: solc-js version the project pins (``package.json``); checked on every compile.
SOLC_VERSION: Final = "0.8.28"
#: EVM version compiled for; pyrevm runs it with ``spec_id="CANCUN"``.
EVM_VERSION: Final = "cancun"
OPTIMIZER_RUNS: Final = 200

#: Public signals of the account statement: params_root, account_commitment, margins.
STATEMENT_PUBLIC_SIGNALS: Final = 3
VERIFIER_CONTRACT: Final = "Groth16Verifier"
REGISTRY_CONTRACT: Final = "MarginRegistry"


class GeneratedVerifierError(RuntimeError):
    """The snarkjs-generated verifier lacks a check the registry relies on."""


class CompiledContract(NamedTuple):
    """ABI and creation bytecode of one compiled contract (unpacks as ``(abi, bytecode)``)."""

    abi: AbiJson
    bytecode: bytes


@dataclass(frozen=True)
class VerifierExport:
    """A generated Solidity verifier and the verification key it was checked against."""

    source: Path
    vkey: Path
    n_public: int


@dataclass(frozen=True)
class VerifierContracts:
    """Everything needed to deploy the verifier and the registry for one zkey."""

    verifier: CompiledContract
    registry: CompiledContract
    export: VerifierExport
    out_dir: Path


# --------------------------------------------------------------------------- export + checks

def check_generated_verifier(source: str, n_public: int) -> None:
    """Check a snarkjs Groth16 verifier for the fixes the registry relies on.

    Parameters
    ----------
    source
        Text of the generated ``.sol`` file.
    n_public
        ``nPublic`` of the verification key it was generated from.

    Raises
    ------
    GeneratedVerifierError
        If the scalar-field constant ``r`` is missing or wrong, if any public
        signal is not passed through ``checkField`` (so a signal ``s + r`` would
        verify like ``s``), or if ``verifyProof`` does not take exactly
        ``uint[n_public] calldata _pubSignals``.
    """
    problems: list[str] = []
    if f"contract {VERIFIER_CONTRACT}" not in source:
        problems.append(f"no `contract {VERIFIER_CONTRACT}`")
    r_match = re.search(r"uint256\s+constant\s+r\s*=\s*(\d+)\s*;", source)
    if r_match is None:
        problems.append("no scalar-field constant `uint256 constant r = ...;`")
    elif int(r_match[1]) != FIELD_ORDER:
        problems.append(f"constant r is {r_match[1]}, not the BN254 scalar field order {FIELD_ORDER}")
    if not re.search(r"function\s+checkField\s*\(\s*v\s*\)\s*\{\s*if\s+iszero\s*\(\s*lt\s*\(\s*v\s*,\s*r\s*\)\s*\)",
                     source):
        problems.append("no `checkField(v)` that rejects v >= r")
    checked = {int(off) for off in re.findall(r"checkField\s*\(\s*calldataload\s*\(\s*add\s*\(\s*_pubSignals\s*,"
                                               r"\s*(\d+)\s*\)\s*\)\s*\)", source)}
    missing = [i for i in range(n_public) if 32 * i not in checked]
    if missing:
        problems.append(f"public signals {missing} are not range-checked with checkField")
    counts = re.findall(r"uint(?:256)?\s*\[\s*(\d+)\s*\]\s+calldata\s+_pubSignals", source)
    if counts != [str(n_public)]:
        problems.append(f"verifyProof takes {['uint[' + c + '] _pubSignals' for c in counts] or 'no _pubSignals'}, "
                        f"expected exactly `uint[{n_public}] calldata _pubSignals` (vkey nPublic = {n_public})")
    ic_count = len(set(re.findall(r"uint256\s+constant\s+IC(\d+)x\s*=", source)))
    if ic_count != n_public + 1:
        problems.append(f"{ic_count} IC points, expected nPublic + 1 = {n_public + 1}")
    if problems:
        raise GeneratedVerifierError("generated Groth16 verifier failed its checks:\n  - " + "\n  - ".join(problems)
                                     + "\n  Regenerate it with the pinned snarkjs "
                                     f"{tools.PINNED['snarkjs']}; never hand-edit the generated file.")


def export_verifier(zkey: Path, out: Path) -> VerifierExport:
    """Export and check the Solidity Groth16 verifier of ``zkey``.

    Writes ``out`` (the ``.sol`` file) and ``out.with_suffix(".vkey.json")``.

    Raises
    ------
    GeneratedVerifierError
        See :func:`check_generated_verifier`.
    toolchain.tools.ToolError
        If snarkjs fails.
    """
    if not zkey.is_file():
        raise FileNotFoundError(f"zkey not found: {zkey}")
    out.parent.mkdir(parents=True, exist_ok=True)
    vkey = out.with_suffix(".vkey.json")
    tools.snarkjs(["zkey", "export", "verificationkey", str(zkey), str(vkey)])
    vkey_json = json.loads(vkey.read_text())
    if vkey_json.get("protocol") != "groth16" or vkey_json.get("curve") != "bn128":
        raise GeneratedVerifierError(f"{zkey}: expected a groth16/bn128 key, got "
                                     f"{vkey_json.get('protocol')}/{vkey_json.get('curve')}")
    n_public = int(vkey_json["nPublic"])
    tools.snarkjs(["zkey", "export", "solidityverifier", str(zkey), str(out)])
    check_generated_verifier(out.read_text(), n_public)
    return VerifierExport(source=out, vkey=vkey, n_public=n_public)


# --------------------------------------------------------------------------- compile

def _installed_solc_version() -> str:
    manifest = tools.NODE_MODULES / "solc" / "package.json"
    if not manifest.exists():
        raise tools.ToolError(f"solc is not installed under {tools.NODE_MODULES}; run `make setup` (npm ci)")
    version = str(json.loads(manifest.read_text())["version"])
    if version != SOLC_VERSION:
        raise tools.ToolError(f"solc-js {version} is installed, the project pins {SOLC_VERSION}; run `make setup`")
    return version


def standard_json_input(sources: Sequence[Path]) -> dict[str, Any]:
    """The solc standard-JSON input for ``sources`` (unit names are file names)."""
    names = [p.name for p in sources]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ValueError(f"source file names must be unique (they are solc unit names): {duplicates}")
    return {
        "language": "Solidity",
        "sources": {p.name: {"content": p.read_text()} for p in sources},
        "settings": {
            "optimizer": {"enabled": True, "runs": OPTIMIZER_RUNS},
            "evmVersion": EVM_VERSION,
            "outputSelection": {"*": {"*": ["abi", "evm.bytecode.object", "evm.methodIdentifiers"]}},
        },
    }


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


def _solc_output(sources: Sequence[Path], cache_dir: Path) -> dict[str, Any]:
    """solc's standard-JSON output for ``sources``, from the cache when the inputs match."""
    version = _installed_solc_version()
    input_text = json.dumps(standard_json_input(sources), sort_keys=True)
    key = hashlib.sha256(b"\0".join([version.encode(), COMPILE_SCRIPT.read_bytes(), input_text.encode()]))
    cache_dir.mkdir(parents=True, exist_ok=True)
    cached = cache_dir / f"solc-{key.hexdigest()[:32]}.json"
    if cached.exists():
        result: dict[str, Any] = json.loads(cached.read_text())
        return result
    input_file = cache_dir / f".input-{key.hexdigest()[:32]}.{os.getpid()}.json"
    input_file.write_text(input_text)
    try:
        run = tools.node([str(COMPILE_SCRIPT), str(input_file)], timeout=300)
    finally:
        input_file.unlink(missing_ok=True)
    payload = json.loads(run.stdout)
    if not str(payload["solcVersion"]).startswith(SOLC_VERSION + "+"):
        raise tools.ToolError(f"solc-js reports {payload['solcVersion']}, expected {SOLC_VERSION}")
    output: dict[str, Any] = payload["output"]
    errors = [e for e in output.get("errors", []) if e.get("severity") == "error"]
    if errors:
        raise tools.ToolError("solc rejected the sources:\n" + "\n".join(
            str(e.get("formattedMessage", e.get("message"))) for e in errors), [str(COMPILE_SCRIPT)])
    manifest = {
        "solc": payload["solcVersion"],
        "settings": json.loads(input_text)["settings"],
        "sources": {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sources},
    }
    result = {"manifest": manifest, "output": output}
    _write_atomic(cached, json.dumps(result))
    return result


def compile_contracts(sources: Sequence[Path], out_dir: Path, *,
                      cache_dir: Path = CACHE_DIR) -> dict[str, CompiledContract]:
    """Compile Solidity ``sources`` with the pinned solc-js (optimizer on, EVM cancun).

    Every source the files import must be among ``sources`` (unit names are the
    file names, so ``import "./X.sol"`` works between them).  The solc output is
    cached under ``cache_dir`` by the hash of solc's version, ``compile.js`` and
    the full standard-JSON input.  ``out_dir`` receives ``<Name>.abi.json`` and
    ``<Name>.bin`` (hex creation code) for every deployable contract, plus
    ``solc-manifest.json`` (solc version, settings, source hashes).

    Returns
    -------
    dict[str, CompiledContract]
        Contract name -> ``(abi, bytecode)``; interfaces and abstract contracts
        (empty bytecode) are left out.

    Raises
    ------
    toolchain.tools.ToolError
        On a compile error (the message lists solc's diagnostics), a solc version
        other than :data:`SOLC_VERSION`, or a failing node.
    ValueError
        If two contracts share a name or two sources share a file name.
    """
    result = _solc_output(sources, cache_dir)
    compiled: dict[str, CompiledContract] = {}
    for unit, contracts in sorted(result["output"].get("contracts", {}).items()):
        for name, artifact in sorted(contracts.items()):
            code = str(artifact["evm"]["bytecode"]["object"])
            if not code:
                continue
            if name in compiled:
                raise ValueError(f"contract name {name!r} is defined twice (second time in {unit})")
            compiled[name] = CompiledContract(abi=list(artifact["abi"]), bytecode=bytes.fromhex(code))
    out_dir.mkdir(parents=True, exist_ok=True)
    for name, contract in compiled.items():
        (out_dir / f"{name}.abi.json").write_text(json.dumps(contract.abi, indent=1))
        (out_dir / f"{name}.bin").write_text(contract.bytecode.hex())
    (out_dir / "solc-manifest.json").write_text(json.dumps(result["manifest"], indent=1))
    return compiled


# --------------------------------------------------------------------------- both

def build_verifier_contracts(zkey: Path, out_dir: Path | None = None, *,
                             cache_dir: Path = CACHE_DIR) -> VerifierContracts:
    """Export, check and compile the verifier of ``zkey`` together with ``MarginRegistry``.

    Parameters
    ----------
    zkey
        Final Groth16 zkey of a circuit whose public signals are exactly
        ``[params_root, account_commitment, margins]``.
    out_dir
        Where ``Groth16Verifier.sol``, its vkey and the compiled artifacts go;
        default ``.cache/solidity/build/<sha256 of the zkey>/``.

    Raises
    ------
    GeneratedVerifierError
        If the generated verifier fails :func:`check_generated_verifier`, or the
        key does not have :data:`STATEMENT_PUBLIC_SIGNALS` public signals.
    """
    if out_dir is None:
        out_dir = cache_dir / "build" / tools.sha256_file(zkey)[:32]
    export = export_verifier(zkey, out_dir / f"{VERIFIER_CONTRACT}.sol")
    if export.n_public != STATEMENT_PUBLIC_SIGNALS:
        raise GeneratedVerifierError(
            f"{zkey} has {export.n_public} public signals; MarginRegistry verifies statements with exactly "
            f"{STATEMENT_PUBLIC_SIGNALS}: [params_root, account_commitment, margins]")
    compiled = compile_contracts([export.source, REGISTRY_SOURCE], out_dir, cache_dir=cache_dir)
    return VerifierContracts(verifier=compiled[VERIFIER_CONTRACT], registry=compiled[REGISTRY_CONTRACT],
                             export=export, out_dir=out_dir)
