"""Build the on-chain verifier of a verification key: render snarkjs's Groth16 verifier, check it, compile.

* :func:`render_verifier` renders snarkjs's own Solidity template
  (``node_modules/snarkjs/templates/verifier_groth16.sol.ejs``) from a ``verification_key.json`` with the
  ``ejs`` that snarkjs ships, through ``verifier/solidity/render_verifier.js``: byte for byte what
  ``snarkjs zkey export solidityverifier`` writes, without needing the zkey.
* :func:`check_generated_verifier` refuses a generated file that lacks the upstream fixes the registry
  relies on.
* :func:`compile_contracts` compiles with the pinned solc-js through ``verifier/solidity/compile.js``
  (standard JSON), cached by content hash.
* :func:`build_verifier_from_vkey` does all of it for one key: the generated ``Groth16Verifier``, the
  generated ``PoseidonT7`` (``verifier/solidity/poseidon_t7.py``) and ``MarginRegistry``.
* :func:`build_book_verifier_from_vkeys` does it for a book proven in chunks: the generated verifiers of
  the chunk key and of the book key, and ``BookVerifier``.
* :func:`build_venue_registry_from_vkeys` does it for a venue's statements: the generated verifier of each
  venue account size's key, the generated ``PoseidonT5`` (``verifier/solidity/poseidon_t5.py``) and
  ``VenueRegistry``.

Generated Solidity is a build product: it is written under ``.cache/solidity`` (or a caller's directory),
never into the repository, and never edited by hand.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, NamedTuple

from zkmargin.constants import FIELD_ORDER
from zkmargin.statement.signals import CHUNK_PUBLIC_SIGNAL_NAMES, N_PUBLIC
from zkmargin.statement.sizes import SIZES
from zkmargin.statement.venue import VENUE_ACCOUNT_SIGNALS, account_circuit
from zkmargin.toolchain import tools
from zkmargin.verifier.abi import AbiJson
from zkmargin.verifier.groth16_json import parse_verifying_key, verifying_key_to_snarkjs
from zkmargin.verifier.solidity import poseidon_t5, poseidon_t7

SOLIDITY_DIR: Final = Path(__file__).resolve().parent / "solidity"
COMPILE_SCRIPT: Final = SOLIDITY_DIR / "compile.js"
RENDER_SCRIPT: Final = SOLIDITY_DIR / "render_verifier.js"
REGISTRY_SOURCE: Final = SOLIDITY_DIR / "MarginRegistry.sol"
BOOK_VERIFIER_SOURCE: Final = SOLIDITY_DIR / "BookVerifier.sol"
VENUE_REGISTRY_SOURCE: Final = SOLIDITY_DIR / "VenueRegistry.sol"
#: snarkjs's Groth16 Solidity template (the one ``zkey export solidityverifier`` renders).
VERIFIER_TEMPLATE: Final = tools.NODE_MODULES / "snarkjs" / "templates" / "verifier_groth16.sol.ejs"
CACHE_DIR: Final = tools.REPO_ROOT / ".cache" / "solidity"

def solc_version() -> str:
    """The solc-js version the project pins (``package.json``); checked on every compile."""
    return tools.pinned_versions()["solc"]
#: EVM version compiled for; pyrevm runs it with ``spec_id="CANCUN"``.
EVM_VERSION: Final = "cancun"
OPTIMIZER_RUNS: Final = 200

#: Public signals of the account statement: params_root, account_commitment, margin_commitment, disclosure.
STATEMENT_PUBLIC_SIGNALS: Final = N_PUBLIC
VERIFIER_CONTRACT: Final = "Groth16Verifier"
REGISTRY_CONTRACT: Final = "MarginRegistry"
#: Public signals of a chunk proof of a book: params_root, chunk_link.
CHUNK_PUBLIC_SIGNALS: Final = len(CHUNK_PUBLIC_SIGNAL_NAMES)
BOOK_VERIFIER_CONTRACT: Final = "BookVerifier"
PARAMS_HASHER_CONTRACT: Final = poseidon_t7.CONTRACT_NAME
#: Public signals of a venue account proof: params_root, leaf.
VENUE_ACCOUNT_PUBLIC_SIGNALS: Final = len(VENUE_ACCOUNT_SIGNALS)
VENUE_REGISTRY_CONTRACT: Final = "VenueRegistry"
NODE_HASHER_CONTRACT: Final = poseidon_t5.CONTRACT_NAME


class GeneratedVerifierError(RuntimeError):
    """The snarkjs-generated verifier lacks a check the registry relies on."""


class CompiledContract(NamedTuple):
    """ABI and creation bytecode of one compiled contract (unpacks as ``(abi, bytecode)``)."""

    abi: AbiJson
    bytecode: bytes


@dataclass(frozen=True)
class VerifierExport:
    """A generated Solidity verifier and the verification key (canonical snarkjs JSON) it was rendered from."""

    source: Path
    vkey: Path
    n_public: int


@dataclass(frozen=True)
class VerifierContracts:
    """Everything needed to deploy the verifier and the registry for one verification key.

    ``params_hasher`` is the generated ``PoseidonT7``; the registry's constructor deploys its own copy
    (``MarginRegistry.paramsHasher()``), so callers need its ABI only, to call it directly.
    """

    verifier: CompiledContract
    registry: CompiledContract
    params_hasher: CompiledContract
    export: VerifierExport
    out_dir: Path


@dataclass(frozen=True)
class BookContracts:
    """Everything needed to deploy the on-chain check of a book proven as chunk proofs and one book proof.

    ``chunk_proof_verifier`` and ``book_proof_verifier`` are both snarkjs's ``Groth16Verifier``, rendered
    from the chunk key and from the book key (public signals ``[params_root, chunk_link]`` and
    ``[params_root, account_commitment, margin_commitment, disclosure, chunk_link_0 … chunk_link_{M-1}]``);
    ``book_verifier`` is ``BookVerifier``, deployed with their addresses and ``chunk_slots`` (M).
    """

    chunk_proof_verifier: CompiledContract
    book_proof_verifier: CompiledContract
    book_verifier: CompiledContract
    chunk_export: VerifierExport
    book_export: VerifierExport
    chunk_slots: int
    out_dir: Path


@dataclass(frozen=True)
class VenueContracts:
    """Everything needed to deploy ``VenueRegistry`` for a venue's account sizes.

    ``sizes`` are the venue account sizes the registry checks, in its size-index order (the order of
    :data:`zkmargin.statement.sizes.SIZES`); ``account_verifiers[size]`` is snarkjs's ``Groth16Verifier``
    rendered from that size's key (public signals ``[params_root, leaf]``).  ``node_hasher`` is the generated
    ``PoseidonT5``; the registry's constructor deploys its own copy (``VenueRegistry.nodeHasher()``), so
    callers need its ABI only, to call it directly.
    """

    sizes: tuple[str, ...]
    account_verifiers: dict[str, CompiledContract]
    registry: CompiledContract
    node_hasher: CompiledContract
    exports: dict[str, VerifierExport]
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
                                     f"{tools.proof_toolchain_pins()['snarkjs']}; never hand-edit the generated file.")


def canonical_vkey(vkey: Path) -> dict[str, Any]:
    """The Groth16 key in ``vkey``, validated and rewritten as canonical snarkjs JSON.

    Every point is checked (on the curve, in the subgroup, not infinity) by
    :func:`zkmargin.verifier.groth16_json.parse_verifying_key`; numbers come back as plain decimal strings,
    so nothing unusual in the file (JSON integers, leading zeros) reaches the Solidity source.

    Raises
    ------
    zkmargin.verifier.groth16_errors.MalformedKeyError
        If the file is not a valid groth16/bn128 verification key (the message names the field).
    """
    return verifying_key_to_snarkjs(parse_verifying_key(vkey.read_bytes()))


def render_verifier(vkey: Mapping[str, Any], out: Path) -> VerifierExport:
    """Render and check the Solidity Groth16 verifier of ``vkey`` (canonical snarkjs JSON, see :func:`canonical_vkey`).

    Writes ``out`` (the ``.sol`` file) and ``out.with_suffix(".vkey.json")``, each atomically.

    Raises
    ------
    GeneratedVerifierError
        See :func:`check_generated_verifier`.
    toolchain.tools.ToolError
        If snarkjs's template or ejs is missing, or node fails.
    """
    snarkjs_version, pinned = tools.installed_version("snarkjs"), tools.proof_toolchain_pins()["snarkjs"]
    if snarkjs_version != pinned:
        raise tools.ToolError(f"snarkjs {snarkjs_version} is installed, the project pins {pinned}; "
                              "its template is the verifier: run `make setup` (npm ci)")
    if not VERIFIER_TEMPLATE.is_file():
        raise tools.ToolError(f"snarkjs's Groth16 template {VERIFIER_TEMPLATE} is missing; run `make setup` (npm ci)")
    out.parent.mkdir(parents=True, exist_ok=True)
    vkey_file = out.with_suffix(".vkey.json")
    _write_atomic(vkey_file, json.dumps(vkey, indent=1))
    rendered = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    try:
        tools.node([str(RENDER_SCRIPT), str(VERIFIER_TEMPLATE), str(vkey_file), str(rendered)], timeout=120)
        check_generated_verifier(rendered.read_text(), int(vkey["nPublic"]))
        os.replace(rendered, out)
    finally:
        rendered.unlink(missing_ok=True)
    return VerifierExport(source=out, vkey=vkey_file, n_public=int(vkey["nPublic"]))


# --------------------------------------------------------------------------- compile

def _installed_solc_version() -> str:
    version = tools.installed_version("solc")
    if version != solc_version():
        raise tools.ToolError(f"solc-js {version} is installed, the project pins {solc_version()}; run `make setup`")
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
    if not str(payload["solcVersion"]).startswith(solc_version() + "+"):
        raise tools.ToolError(f"solc-js reports {payload['solcVersion']}, expected {solc_version()}")
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
        other than :func:`solc_version`, or a failing node.
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


# --------------------------------------------------------------------------- all of it

def _renderer_inputs() -> list[bytes]:
    """What a rendered verifier depends on besides its key: snarkjs and ejs versions, template, render script."""
    return [tools.installed_version("snarkjs").encode(), tools.installed_version("ejs").encode(),
            VERIFIER_TEMPLATE.read_bytes(), RENDER_SCRIPT.read_bytes()]


def build_verifier_from_vkey(vkey: Path, out_dir: Path | None = None, *,
                             cache_dir: Path = CACHE_DIR) -> VerifierContracts:
    """Render, check and compile the verifier of ``vkey`` together with ``PoseidonT7`` and ``MarginRegistry``.

    No zkey is needed: the verifier is snarkjs's template rendered from the key itself.

    Parameters
    ----------
    vkey
        snarkjs ``verification_key.json`` of a circuit whose public signals are exactly
        ``[params_root, account_commitment, margin_commitment, disclosure]``.
    out_dir
        Where ``Groth16Verifier.sol``, its canonical vkey, ``PoseidonT7.sol`` and the compiled artifacts go;
        default ``.cache/solidity/build/<sha256 of the canonical key, template, scripts and tool versions>/``.

    Raises
    ------
    zkmargin.verifier.groth16_errors.MalformedKeyError
        If ``vkey`` is not a valid groth16/bn128 key.
    GeneratedVerifierError
        If the key does not have :data:`STATEMENT_PUBLIC_SIGNALS` public signals, or the rendered verifier
        fails :func:`check_generated_verifier`.
    toolchain.tools.ToolError
        If node, ejs, snarkjs's template or solc fail or are missing.
    """
    key = canonical_vkey(vkey)
    if key["nPublic"] != STATEMENT_PUBLIC_SIGNALS:
        raise GeneratedVerifierError(
            f"{vkey} has {key['nPublic']} public signals; MarginRegistry verifies statements with exactly "
            f"{STATEMENT_PUBLIC_SIGNALS}: [params_root, account_commitment, margin_commitment, disclosure]")
    if out_dir is None:
        inputs = [json.dumps(key, sort_keys=True).encode(), *_renderer_inputs(),
                  poseidon_t7.poseidon_t7_source().encode(), REGISTRY_SOURCE.read_bytes()]
        out_dir = cache_dir / "build" / hashlib.sha256(b"\0".join(inputs)).hexdigest()[:32]
    export = render_verifier(key, out_dir / f"{VERIFIER_CONTRACT}.sol")
    hasher_source = poseidon_t7.write_poseidon_t7(out_dir)
    compiled = compile_contracts([export.source, hasher_source, REGISTRY_SOURCE], out_dir, cache_dir=cache_dir)
    return VerifierContracts(verifier=compiled[VERIFIER_CONTRACT], registry=compiled[REGISTRY_CONTRACT],
                             params_hasher=compiled[PARAMS_HASHER_CONTRACT], export=export, out_dir=out_dir)


def build_book_verifier_from_vkeys(chunk_vkey: Path, book_vkey: Path, out_dir: Path | None = None, *,
                                   chunk_slots: int | None = None,
                                   cache_dir: Path = CACHE_DIR) -> BookContracts:
    """Render, check and compile the verifiers of a chunk key and a book key, and ``BookVerifier``.

    The two generated verifiers are both named ``Groth16Verifier`` by snarkjs's template; each is rendered
    into its own folder and compiled as its own solc input (``BookVerifier`` calls them by address and
    needs neither source), so the generated files stay byte for byte what snarkjs writes.

    Parameters
    ----------
    chunk_vkey
        snarkjs ``verification_key.json`` of the chunk circuit: exactly :data:`CHUNK_PUBLIC_SIGNALS` public
        signals, ``[params_root, chunk_link]``.
    book_vkey
        snarkjs ``verification_key.json`` of the book circuit: ``4 + M`` public signals (M >= 1),
        ``[params_root, account_commitment, margin_commitment, disclosure, chunk_link_0 … chunk_link_{M-1}]``.
    out_dir
        Where the generated sources, their canonical keys and the compiled artifacts go: ``chunk_proof/``
        and ``book_proof/`` (one ``Groth16Verifier`` each) and ``BookVerifier``'s artifacts in ``out_dir``
        itself; default ``.cache/solidity/build/book-<sha256 of both canonical keys, template, scripts,
        BookVerifier.sol and tool versions>/``.
    chunk_slots
        M, when the caller knows it (a circuit size): the book key must then have exactly ``4 + M`` public
        signals.  ``None`` takes M from the book key.
    cache_dir
        solc output cache and the default build folder's parent.

    Raises
    ------
    zkmargin.verifier.groth16_errors.MalformedKeyError
        If a key is not a valid groth16/bn128 key.
    GeneratedVerifierError
        If a key has the wrong number of public signals, or a rendered verifier fails
        :func:`check_generated_verifier`.
    toolchain.tools.ToolError
        If node, ejs, snarkjs's template or solc fail or are missing.
    """
    chunk_key, book_key = canonical_vkey(chunk_vkey), canonical_vkey(book_vkey)
    if chunk_key["nPublic"] != CHUNK_PUBLIC_SIGNALS:
        raise GeneratedVerifierError(
            f"{chunk_vkey} has {chunk_key['nPublic']} public signals; a chunk proof has exactly "
            f"{CHUNK_PUBLIC_SIGNALS}: [params_root, chunk_link]")
    slots = int(book_key["nPublic"]) - STATEMENT_PUBLIC_SIGNALS
    if slots < 1 or (chunk_slots is not None and slots != chunk_slots):
        expected = "4 + M with M >= 1" if chunk_slots is None else f"4 + M = {STATEMENT_PUBLIC_SIGNALS + chunk_slots}"
        raise GeneratedVerifierError(
            f"{book_vkey} has {book_key['nPublic']} public signals; a book proof has {expected}: "
            "[params_root, account_commitment, margin_commitment, disclosure, chunk_link_0 … chunk_link_{M-1}]")
    if out_dir is None:
        inputs = [b"book", json.dumps(chunk_key, sort_keys=True).encode(),
                  json.dumps(book_key, sort_keys=True).encode(), *_renderer_inputs(),
                  BOOK_VERIFIER_SOURCE.read_bytes()]
        digest = hashlib.sha256(b"\0".join(inputs)).hexdigest()
        out_dir = cache_dir / "build" / f"book-{digest[:32]}"
    chunk_export, chunk_verifier = _render_and_compile(chunk_key, out_dir / "chunk_proof", cache_dir)
    book_export, book_proof_verifier = _render_and_compile(book_key, out_dir / "book_proof", cache_dir)
    book = compile_contracts([BOOK_VERIFIER_SOURCE], out_dir, cache_dir=cache_dir)[BOOK_VERIFIER_CONTRACT]
    return BookContracts(chunk_proof_verifier=chunk_verifier, book_proof_verifier=book_proof_verifier,
                         book_verifier=book, chunk_export=chunk_export, book_export=book_export,
                         chunk_slots=slots, out_dir=out_dir)


def build_venue_registry_from_vkeys(vkeys: Mapping[str, Path], out_dir: Path | None = None, *,
                                    cache_dir: Path = CACHE_DIR) -> VenueContracts:
    """Render, check and compile the verifier of each venue account size's key, ``PoseidonT5`` and ``VenueRegistry``.

    Each generated verifier (all named ``Groth16Verifier`` by snarkjs's template) is rendered into its own
    folder and compiled on its own, as for a book; ``VenueRegistry`` calls them by address.

    Parameters
    ----------
    vkeys
        Venue account size name (``"small"``, ``"test"``, ``"standard"``) -> snarkjs ``verification_key.json``
        of ``venue_<size>``: exactly :data:`VENUE_ACCOUNT_PUBLIC_SIGNALS` public signals, ``[params_root, leaf]``.
        At least one size.
    out_dir
        Where the generated sources, their canonical keys and the compiled artifacts go: ``venue_<size>/``
        (one ``Groth16Verifier`` each), and ``PoseidonT5.sol`` with ``VenueRegistry``'s artifacts in
        ``out_dir`` itself; default ``.cache/solidity/build/venue-<sha256 of the sizes, their canonical keys,
        template, scripts, PoseidonT5.sol, VenueRegistry.sol and tool versions>/``.
    cache_dir
        solc output cache and the default build folder's parent.

    Raises
    ------
    ValueError
        If ``vkeys`` is empty or names a size that is not in :data:`zkmargin.statement.sizes.SIZES`.
    zkmargin.verifier.groth16_errors.MalformedKeyError
        If a key is not a valid groth16/bn128 key.
    GeneratedVerifierError
        If a key does not have two public signals, or a rendered verifier fails
        :func:`check_generated_verifier`.
    toolchain.tools.ToolError
        If node, ejs, snarkjs's template or solc fail or are missing.
    """
    unknown = sorted(set(vkeys) - set(SIZES))
    if not vkeys or unknown:
        raise ValueError(f"venue account sizes must be among {list(SIZES)} (at least one); got {sorted(vkeys)}")
    sizes = tuple(size for size in SIZES if size in vkeys)
    keys = {size: canonical_vkey(vkeys[size]) for size in sizes}
    for size, key in keys.items():
        if key["nPublic"] != VENUE_ACCOUNT_PUBLIC_SIGNALS:
            raise GeneratedVerifierError(
                f"{vkeys[size]} has {key['nPublic']} public signals; a venue account proof (size {size}) has "
                f"exactly {VENUE_ACCOUNT_PUBLIC_SIGNALS}: [params_root, leaf]")
    if out_dir is None:
        inputs = [b"venue", *(part for size in sizes for part in (size.encode(),
                                                                 json.dumps(keys[size], sort_keys=True).encode())),
                  *_renderer_inputs(), poseidon_t5.poseidon_t5_source().encode(), VENUE_REGISTRY_SOURCE.read_bytes()]
        digest = hashlib.sha256(b"\0".join(inputs)).hexdigest()
        out_dir = cache_dir / "build" / f"venue-{digest[:32]}"
    exports: dict[str, VerifierExport] = {}
    verifiers: dict[str, CompiledContract] = {}
    for size in sizes:
        exports[size], verifiers[size] = _render_and_compile(keys[size], out_dir / account_circuit(size), cache_dir)
    hasher_source = poseidon_t5.write_poseidon_t5(out_dir)
    compiled = compile_contracts([hasher_source, VENUE_REGISTRY_SOURCE], out_dir, cache_dir=cache_dir)
    return VenueContracts(sizes=sizes, account_verifiers=verifiers, registry=compiled[VENUE_REGISTRY_CONTRACT],
                          node_hasher=compiled[NODE_HASHER_CONTRACT], exports=exports, out_dir=out_dir)


def _render_and_compile(key: Mapping[str, Any], folder: Path,
                        cache_dir: Path) -> tuple[VerifierExport, CompiledContract]:
    """Render and check the verifier of ``key`` into ``folder`` and compile it there, on its own."""
    export = render_verifier(key, folder / f"{VERIFIER_CONTRACT}.sol")
    return export, compile_contracts([export.source], folder, cache_dir=cache_dir)[VERIFIER_CONTRACT]
