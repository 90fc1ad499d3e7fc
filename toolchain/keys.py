"""Trusted setup of an account circuit: compile, powers of tau, Groth16 keys; cached by content hash.

Two paths:

* **dev** (default): an INSECURE, deterministic powers of tau written from a public seed by
  :func:`toolchain.devptau.generate_dev_ptau`, and the key that ``snarkjs groth16 setup`` followed by a beacon
  derived from the seed would give, written directly from the known toxic waste by
  :func:`toolchain.devzkey.write_dev_zkey` (the same bytes, in seconds instead of minutes; the manifest's
  ``zkey_writer`` says ``devzkey.js``).  The same seed gives the same verification key.  Anyone who knows
  the seed can forge proofs: dev keys are for development and tests only, and every artifact and manifest
  says so.
* **production** (``ptau=FILE``): a public ceremony's prepared ptau.  Before the slow setup the file is
  checked (:func:`check_ceremony_ptau`): its power against the circuit, its layout, that its tau is not
  a dev seed's, that it records contributions, and ``snarkjs powersoftau verify``.  Then a phase-2
  contribution with fresh entropy, a random beacon, and ``snarkjs zkey verify``.  Every hash goes into
  the manifest.

The manifest's ``security`` block says what was established, and :attr:`SetupArtifacts.insecure`
follows from it: ``{"label": "insecure-dev" | "ceremony", "ptau_verified": bool, "contributions": n}``.
"ceremony" means the file passed those checks, not that its contributors destroyed their secrets.

Slow steps are reported through :class:`SetupProgress` (``cli.progress.Steps`` draws them as spinners with
elapsed time and an estimate); a cache hit reports nothing.

Artifacts live in ``.cache/setup/<size>-<key>/`` where ``key`` hashes the compiled constraint system
(itself cached by a hash of the circuit sources), the ptau identity and the tool versions;
``manifest.json`` records all of it.
"""

from __future__ import annotations

import enum
import hashlib
import json
import os
import secrets
import shutil
import struct
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Protocol, runtime_checkable

from zkmargin.constants import BOOK_CIRCUIT_PREFIX, CHUNK_CIRCUIT_PREFIX, VENUE_CIRCUIT_PREFIX
from zkmargin.toolchain import tools
from zkmargin.toolchain.compile import CompiledCircuit, compile_circuit
from zkmargin.toolchain.devptau import DEV_SEED as DEV_SEED
from zkmargin.toolchain.devptau import (
    PtauFormatError,
    generate_dev_ptau,
    has_dev_tau,
    read_ptau_info,
    snarkjs_verify_ptau,
    verify_estimate_s,
)
from zkmargin.toolchain.devzkey import DEV_BEACON_NAME, dev_zkey_estimate_s, domain_power, write_dev_zkey
from zkmargin.toolchain.tools import sha256_file

CACHE_DIR: Final = tools.REPO_ROOT / ".cache"
CIRCUITS_DIR: Final = tools.REPO_ROOT / "circuits"
BEACON_ITERATIONS_EXP: Final = 10
#: Layout of ``manifest.json``; version 3 has the ``security`` block.
MANIFEST_VERSION: Final = 3
#: What the key files depend on beyond the r1cs, the ptau and the tools (the cache key's ``manifest``
#: field); bump when the way keys are made changes.
KEYS_FORMAT: Final = 2
#: A slow step that ends within this many seconds (a cache hit) is not shown at all.
QUIET_S: Final = 1.0

#: Rough run times on a two-core machine, for progress estimates only (measured cold on a quiet machine:
#: groth16 setup + dev beacon + vkey export took 110 s at 20,526 constraints and 295 s at 54,239).
GROTH16_SETUP_S_PER_CONSTRAINT: Final = 4.6e-3
BEACON_S_PER_CONSTRAINT: Final = 0.7e-3
DEV_PTAU_S_PER_POINT: Final = 0.3e-3
#: circom --O2 (wasm) on two cores: 62 s for the 77,030-constraint large chunk circuit, ~200 s for the 145,622
#: of the large book circuit, whose 16 links are long hash chains.
COMPILE_S_PER_CONSTRAINT: Final = 1.2e-3
STARTUP_S: Final = 3.0

Progress = Callable[[str], Any]


class SetupError(RuntimeError):
    """A setup input is unusable (wrong ptau power, unknown size, a ptau that is not a verified ceremony's)."""


class SecurityLabel(enum.StrEnum):
    """What a setup's keys can be trusted for."""

    #: Keys from the dev ptau of a public seed: anyone can forge proofs.
    INSECURE_DEV = "insecure-dev"
    #: Keys from a ptau that passed :func:`check_ceremony_ptau`, with a phase-2 contribution of fresh entropy.
    CEREMONY = "ceremony"


@runtime_checkable
class SetupProgress(Protocol):
    """Where :func:`setup` reports what it is doing.

    ``slow`` wraps a step that may take long; ``estimate_s`` is a rough estimate of its run time on a
    two-core machine (``None`` if unknown), to be shown as such.  An implementation should show nothing
    for a step that ends within :data:`QUIET_S` seconds: the compile step runs on every call and is a
    cache hit almost always.
    """

    def note(self, message: str) -> None:
        """A one-line remark between steps."""

    def slow(self, title: str, estimate_s: float | None) -> AbstractContextManager[None]:
        """A context around a step that may be slow."""


class _Silent:
    def note(self, message: str) -> None:
        pass

    def slow(self, title: str, estimate_s: float | None) -> AbstractContextManager[None]:
        return nullcontext()


class _Lines:
    """A plain ``say(line)`` callable as a :class:`SetupProgress`: one line per step that outlasts QUIET_S."""

    def __init__(self, say: Callable[[str], object]) -> None:
        self._say = say

    def note(self, message: str) -> None:
        self._say(message)

    @contextmanager
    def slow(self, title: str, estimate_s: float | None) -> Iterator[None]:
        line = title if estimate_s is None else f"{title} ({describe_estimate(estimate_s)}, estimated)"
        with unless_quick(QUIET_S, lambda: self._say(line)):
            yield


@contextmanager
def unless_quick(quiet_s: float, announce: Callable[[], object]) -> Iterator[None]:
    """Call ``announce`` (from a timer thread) if the block is still running after ``quiet_s`` seconds."""
    timer = threading.Timer(quiet_s, announce)
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        timer.cancel()


def as_setup_progress(progress: SetupProgress | Callable[[str], object] | None) -> SetupProgress:
    """``None`` → silent; a :class:`SetupProgress` as is; a ``say(line)`` callable → one line per slow step."""
    if progress is None:
        return _Silent()
    if isinstance(progress, SetupProgress):
        return progress
    return _Lines(progress)


def describe_estimate(seconds: float) -> str:
    """``"about 40 s"``, ``"about 2 min"``, ``"about 1 h 10 min"``: an estimate, rounded as one."""
    if seconds < 55:
        return f"about {max(5, round(seconds / 5) * 5)} s"
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"about {minutes} min"
    return f"about {minutes // 60} h {minutes % 60} min"


def groth16_setup_estimate_s(n_constraints: int) -> float:
    """Rough run time of ``snarkjs groth16 setup`` (two cores): ~1.5 min at 20k constraints, ~4 min at 54k."""
    return STARTUP_S + GROTH16_SETUP_S_PER_CONSTRAINT * n_constraints


def beacon_estimate_s(n_constraints: int) -> float:
    """Rough run time of one ``snarkjs zkey beacon`` or ``zkey contribute`` (two cores)."""
    return STARTUP_S + BEACON_S_PER_CONSTRAINT * n_constraints


def compile_estimate_s(name: str) -> float | None:
    """Rough run time of compiling circuit ``name`` (two cores), from its count recorded in
    ``circuits/constraints.json``: ~1 min at 77k constraints, ~3.5 min at 146k; ``None`` if none is recorded."""
    try:
        record = json.loads((CIRCUITS_DIR / "constraints.json").read_text())
    except (OSError, ValueError):
        return None
    kind, _, size = name.partition("_")
    entry = (record.get("books", {}).get(size, {}).get(kind) if name.startswith(BOOK_CIRCUIT_KINDS)
             else record.get("venue", {}).get(size) if name.startswith(VENUE_CIRCUIT_PREFIX)
             else record.get("circuits", {}).get(name))
    constraints = entry.get("constraints") if isinstance(entry, dict) else None
    if not isinstance(constraints, int):
        return None
    return STARTUP_S + COMPILE_S_PER_CONSTRAINT * constraints


def dev_ptau_estimate_s(power: int) -> float:
    """Rough run time of writing the dev ptau of ``power`` (two cores): ~20 s at power 16."""
    return STARTUP_S + DEV_PTAU_S_PER_POINT * (1 << power)


@dataclass(frozen=True)
class SetupArtifacts:
    """Keys and circuit files of one set-up circuit size."""

    name: str
    circuit: CompiledCircuit
    directory: Path
    zkey: Path
    vkey: Path
    manifest: dict[str, Any]

    @property
    def security(self) -> SecurityLabel:
        """The manifest's security label (what the setup verified about its ptau)."""
        return SecurityLabel(self.manifest["security"]["label"])

    @property
    def insecure(self) -> bool:
        """True unless the keys come from a verified ceremony ptau."""
        return self.security is not SecurityLabel.CEREMONY

    @property
    def vkey_id(self) -> str:
        return str(self.manifest["vkey_id"])


@dataclass(frozen=True)
class CeremonyCheck:
    """What :func:`check_ceremony_ptau` established about a ptau."""

    power: int
    contributions: int
    names: tuple[str, ...]
    seconds: float


#: Prefixes of the book circuits' names (``chunk_<size>``, ``book_<size>``).
BOOK_CIRCUIT_KINDS: Final = (CHUNK_CIRCUIT_PREFIX, BOOK_CIRCUIT_PREFIX)
#: Prefixes of the circuits named as their main file (book and venue circuits); other names are account sizes.
NAMED_CIRCUIT_KINDS: Final = (*BOOK_CIRCUIT_KINDS, VENUE_CIRCUIT_PREFIX)


def main_file(name: str) -> Path:
    """The ``component main`` file of circuit ``name``: an account circuit size (``test`` means
    ``circuits/main/account_test.circom``), or a book or venue circuit named with its kind (``chunk_large``,
    ``book_large``, ``venue_test``, ``venue_batch``); :class:`SetupError` if none."""
    main = CIRCUITS_DIR / "main"
    path = main / f"{name}.circom" if name.startswith(NAMED_CIRCUIT_KINDS) else main / f"account_{name}.circom"
    if not path.is_file():
        known = sorted([p.stem.removeprefix("account_") for p in main.glob("account_*.circom")]
                       + [p.stem for kind in NAMED_CIRCUIT_KINDS for p in main.glob(f"{kind}*.circom")])
        raise SetupError(f"unknown circuit size {name!r}; sizes: {', '.join(known)}")
    return path


def required_power(circuit: CompiledCircuit) -> int:
    """Smallest ptau power whose domain holds the circuit's constraints plus public inputs (snarkjs' rule)."""
    needed = circuit.n_constraints + circuit.n_public + 1
    power = 1
    while (1 << power) < needed:
        power += 1
    return power


def vkey_id(vkey: Path) -> str:
    """Identifier of a verification key: sha256 of its canonical JSON, first 16 hex digits."""
    canonical = json.dumps(json.loads(vkey.read_text()), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def ptau_power(path: Path) -> int:
    """The power recorded in a ``.ptau`` file's header section."""
    with path.open("rb") as fh:
        head = fh.read(12)
        if len(head) < 12 or head[:4] != b"ptau":
            raise SetupError(f"{path} is not a .ptau file")
        n_sections = struct.unpack("<I", head[8:12])[0]
        for _ in range(n_sections):
            raw = fh.read(12)
            if len(raw) < 12:
                break
            sid, size = struct.unpack("<IQ", raw)
            if sid == 1:
                n8 = struct.unpack("<I", fh.read(4))[0]
                fh.seek(n8, 1)
                return int(struct.unpack("<I", fh.read(4))[0])
            fh.seek(size, 1)
    raise SetupError(f"{path} has no header section")


def dev_ptau(power: int, seed: str = DEV_SEED, progress: SetupProgress | Progress | None = None) -> Path:
    """The cached INSECURE dev ptau of ``power`` for ``seed`` (generated on first use)."""
    tag = hashlib.sha256(seed.encode()).hexdigest()[:12]
    path = CACHE_DIR / "ptau" / f"dev-insecure-{tag}-{power}.ptau"
    if not path.exists():
        with as_setup_progress(progress).slow(f"writing the INSECURE dev powers of tau 2^{power}",
                                              dev_ptau_estimate_s(power)):
            tmp = path.with_name(f"{path.name}.partial-{os.getpid()}")
            generate_dev_ptau(power, seed, tmp)
            tmp.replace(path)
    return path


def check_ceremony_ptau(path: Path, *, seeds: tuple[str, ...] = (DEV_SEED,), min_power: int = 1,
                        progress: SetupProgress | Progress | None = None,
                        timeout: float = 6 * 3600.0) -> CeremonyCheck:
    """Check that ``path`` is a usable ceremony ptau, cheap checks first; raise :class:`SetupError` if not.

    In order: the file reads as a bn128 ptau with every section of its power's size (instant); its power
    is at least ``min_power``; it is prepared for phase 2; its tau is not the dev tau of any of ``seeds``
    (``tauG1[1] == tau_dev·G1``, a few ms); it records at least one contribution that is not a public
    beacon; and ``snarkjs powersoftau verify`` accepts it: the contribution chain, every power and the
    Lagrange sections (about a minute at power 15; :func:`~toolchain.devptau.verify_estimate_s`), shown as
    a slow step.

    Passing says the file is a consistent accumulator with contributions, not that a contributor forgot
    their secrets: trust in a ceremony comes from who took part.
    """
    path = Path(path)
    say = as_setup_progress(progress)
    try:
        info = read_ptau_info(path)
    except PtauFormatError as exc:
        raise SetupError(str(exc)) from None
    except OSError as exc:
        raise SetupError(f"cannot read {path}: {exc.strerror or exc}") from None
    if info.power < min_power:
        raise SetupError(f"{path} has power {info.power}; power {min_power} or more is needed")
    if not info.prepared:
        raise SetupError(f"{path} is not prepared for phase 2 (sections 12-15 missing): run "
                         "`snarkjs powersoftau prepare phase2` on it, or use the ceremony's prepared file")
    for seed in dict.fromkeys(seeds):
        if has_dev_tau(path, seed):
            whose = "the public seed" if seed == DEV_SEED else "the dev seed"
            raise SetupError(f"{path} is an INSECURE dev ptau: its tau derives from {whose} {seed!r}, so anyone "
                             "who knows the seed can forge proofs; use a ceremony's file")
    if info.contributions == 0:
        raise SetupError(f"{path} has no contributions (a fresh `powersoftau new` accumulator or a dev ptau): "
                         "its secrets are known; use a ceremony's final file")
    if info.beacons == info.contributions:
        raise SetupError(f"{path} has only public beacons as contributions: its secrets follow from the beacon "
                         "parameters, so anyone can forge proofs; use a ceremony's final file")
    plural = "s" if info.contributions != 1 else ""
    with say.slow(f"checking the ceremony ptau: snarkjs powersoftau verify (2^{info.power}, "
                  f"{info.contributions} contribution{plural})", verify_estimate_s(info.power)):
        verdict = snarkjs_verify_ptau(path, timeout=timeout)
    if not verdict.ok:
        raise SetupError(f"snarkjs powersoftau verify rejects {path}: {verdict.problems[0]}")
    return CeremonyCheck(power=info.power, contributions=info.contributions, names=verdict.contributions,
                         seconds=verdict.seconds)


def _cache_key(circuit: CompiledCircuit, ptau_identity: str) -> str:
    """Keys depend on the constraint system, not on the sources: an edit that leaves the r1cs unchanged
    (a comment, a renamed variable) keeps the keys."""
    versions = tools.check_versions()
    blob = json.dumps({"r1cs": sha256_file(circuit.r1cs), "ptau": ptau_identity, "tools": versions,
                       "manifest": KEYS_FORMAT}, sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


_DEV_SECURITY: Final = {"label": SecurityLabel.INSECURE_DEV.value, "ptau_verified": False, "contributions": 0}


def _read_manifest(path: Path) -> dict[str, Any] | None:
    """The manifest at ``path`` (``None`` if absent); :class:`SetupError` for another manifest version."""
    if not path.exists():
        return None
    manifest: dict[str, Any] = json.loads(path.read_text())
    version = manifest.get("manifest_version")
    if version == MANIFEST_VERSION:
        return manifest
    raise SetupError(f"{path} has manifest version {version!r}, which this version cannot read; "
                     f"delete {path.parent} to set up again")


def _artifacts(size_name: str, circuit: CompiledCircuit, directory: Path, manifest: dict[str, Any]) -> SetupArtifacts:
    return SetupArtifacts(size_name, circuit, directory, directory / "circuit_final.zkey",
                          directory / "verification_key.json", manifest)


def _locate(size_name: str, ptau: Path | None, seed: str, say: SetupProgress
            ) -> tuple[Path, CompiledCircuit, int, Path | None, float]:
    """Compile (a cache hit, usually) and find the keys' cache folder; cheap checks of ``ptau``'s header."""
    main = main_file(size_name)
    start = time.perf_counter()
    with say.slow(f"compiling the {size_name} circuit (circom --O2)", compile_estimate_s(size_name)):
        circuit = compile_circuit(main)
    compile_s = time.perf_counter() - start
    power = required_power(circuit)
    if ptau is None:
        # ":devzkey" — dev keys written by devzkey.js (same bytes as before; the manifest names the writer)
        identity = f"dev:{seed}:{power}:devzkey"
    else:
        ptau = Path(ptau)
        if not ptau.is_file():
            raise SetupError(f"ptau file {ptau} does not exist")
        have = ptau_power(ptau)
        if have < power:
            raise SetupError(f"{ptau} has power {have}; the {size_name} circuit ({circuit.n_constraints:,} "
                             f"constraints) needs power {power} or more")
        # "ceremony:" (was "file:") — keys from a ptau that passed check_ceremony_ptau
        identity = f"ceremony:{sha256_file(ptau)}"
    directory = CACHE_DIR / "setup" / f"{size_name}-{_cache_key(circuit, identity)}"
    return directory, circuit, power, ptau, compile_s


def find_setup(size_name: str = "test", *, ptau: Path | None = None, seed: str = DEV_SEED) -> SetupArtifacts | None:
    """The cached keys :func:`setup` would return, or ``None``; never runs the trusted setup.

    It compiles the circuit if its sources changed since the last compile (circom; the cache is keyed by
    the constraint system), and writes nothing else.
    """
    directory, circuit, _power, _ptau, _s = _locate(size_name, ptau, seed, _Silent())
    manifest = _read_manifest(directory / "manifest.json")
    return None if manifest is None else _artifacts(size_name, circuit, directory, manifest)


def setup(size_name: str = "test", *, ptau: Path | None = None, seed: str = DEV_SEED,
          progress: SetupProgress | Progress | None = None, timings: dict[str, float] | None = None
          ) -> SetupArtifacts:
    """Compile and set up the account circuit of ``size_name``; reuse the cache when nothing changed.

    Parameters
    ----------
    size_name : an account circuit size (``"test"``, ``"standard"``, ...) or a book circuit (``"chunk_large"``,
        ``"book_large"``): see :func:`main_file`.
    ptau : a ceremony's prepared ptau for a production setup; ``None`` for the INSECURE dev setup.  It is
        checked by :func:`check_ceremony_ptau` before the slow setup (not again on a cache hit: the cache is
        keyed by the file's hash).
    seed : the dev setup's public seed; with ``ptau``, a ptau whose tau derives from it (or from
        :data:`DEV_SEED`) is refused.
    progress : a :class:`SetupProgress` for the slow steps, or a ``say(line)`` callable (one line per slow
        step), or ``None`` for silence.  A cache hit reports nothing.
    timings : filled with seconds per step (``compile``, ``ptau`` (writing the dev ptau or checking the
        ceremony's), ``setup``).

    Raises
    ------
    SetupError
        An unknown size, or a ptau that is too small, malformed, not prepared, a dev file, without
        contributions, or rejected by ``snarkjs powersoftau verify`` (one line naming the file).
    """
    say = as_setup_progress(progress)
    times = timings if timings is not None else {}
    directory, circuit, power, ptau, compile_s = _locate(size_name, ptau, seed, say)
    times["compile"] = compile_s
    main = main_file(size_name)
    manifest_path = directory / "manifest.json"
    cached = _read_manifest(manifest_path)
    if cached is not None:
        times.setdefault("ptau", 0.0)
        times.setdefault("setup", 0.0)
        return _artifacts(size_name, circuit, directory, cached)

    start = time.perf_counter()
    if ptau is None:
        ptau_file = dev_ptau(power, seed, say)
        security: dict[str, Any] = dict(_DEV_SECURITY)
    else:
        check = check_ceremony_ptau(ptau, seeds=(DEV_SEED, seed), min_power=power, progress=say)
        ptau_file = ptau
        security = {"label": SecurityLabel.CEREMONY.value, "ptau_verified": True,
                    "contributions": check.contributions, "contribution_names": list(check.names)}
    times["ptau"] = time.perf_counter() - start

    # each process works in its own folder and publishes it with one rename, so concurrent setups of the
    # same circuit cannot clobber each other; the first to finish wins and the others use its keys
    work = directory.with_name(f"{directory.name}.partial-{os.getpid()}")
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    try:
        start = time.perf_counter()
        beacon, final, vkey = _make_keys(circuit, ptau_file, ptau is None, seed, work, say)
        times["setup"] = time.perf_counter() - start
        insecure = security["label"] != SecurityLabel.CEREMONY.value
        manifest = {
            "manifest_version": MANIFEST_VERSION,
            "security": security,
            "insecure_dev_setup": insecure,
            "warning": ("INSECURE development keys: the powers of tau and the beacon derive from a public seed; "
                        "anyone can forge proofs") if insecure else None,
            "size": size_name,
            "circuit": {"main": str(main.relative_to(tools.REPO_ROOT)), "source_hash": circuit.source_hash,
                        "constraints": circuit.n_constraints, "public_signals": circuit.n_public,
                        "r1cs_sha256": sha256_file(circuit.r1cs)},
            "ptau": {"dev_seed": seed if ptau is None else None, "power": ptau_power(ptau_file),
                     "file": str(ptau) if ptau is not None else None, "sha256": sha256_file(ptau_file)},
            "beacon": beacon,
            "zkey_writer": "devzkey.js" if ptau is None else "snarkjs",
            "zkey_sha256": sha256_file(final),
            "vkey_sha256": sha256_file(vkey),
            "vkey_id": vkey_id(vkey),
            "tools": tools.check_versions(),
            "seconds": {k: round(v, 2) for k, v in times.items()},
        }
        (work / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    try:
        work.rename(directory)
    except OSError:
        shutil.rmtree(work, ignore_errors=True)
        published = _read_manifest(manifest_path)
        if published is None:
            raise
        manifest = published
    return _artifacts(size_name, circuit, directory, manifest)


def _make_keys(circuit: CompiledCircuit, ptau_file: Path, dev: bool, seed: str, work: Path,
               say: SetupProgress) -> tuple[str, Path, Path]:
    """The dev key written directly, or groth16 setup + a contribution + random beacon + zkey verify; the vkey
    export.

    The dev key is what ``groth16 setup`` with the dev ptau followed by the dev beacon (derived from the
    public seed, ``-n="zkmargin INSECURE dev beacon"``) would write, byte for byte, written by
    :func:`~toolchain.devzkey.write_dev_zkey` from the known toxic waste in seconds instead of minutes.

    Returns the beacon (hex), the final zkey and the verification key, all in ``work``.
    """
    n = circuit.n_constraints
    power = ptau_power(ptau_file)
    final = work / "circuit_final.zkey"
    if dev:
        beacon = hashlib.sha256(f"beacon:{seed}".encode()).hexdigest()
        estimate = dev_zkey_estimate_s(circuit.header.n_wires, domain_power(n, circuit.n_public))
        with say.slow(f"INSECURE dev Groth16 keys, written directly ({n:,} constraints, ptau 2^{power}; toxic waste "
                      "from the public seed and beacon)", estimate):
            write_dev_zkey(circuit.r1cs, seed, power, beacon, BEACON_ITERATIONS_EXP, final, name=DEV_BEACON_NAME,
                           timeout=6 * 3600)
    else:
        zkey0 = work / "circuit_0000.zkey"
        with say.slow(f"groth16 setup ({n:,} constraints, ptau 2^{power})", groth16_setup_estimate_s(n)):
            tools.snarkjs(["groth16", "setup", str(circuit.r1cs), str(ptau_file), str(zkey0)], timeout=6 * 3600)
        zkey1 = work / "circuit_0001.zkey"
        with say.slow("phase-2 contribution with fresh entropy", beacon_estimate_s(n)):
            tools.snarkjs(["zkey", "contribute", str(zkey0), str(zkey1), "--name=zkmargin phase-2 contribution",
                           f"-e={secrets.token_hex(32)}"], timeout=3600)
        beacon = secrets.token_hex(32)
        with say.slow("random beacon", beacon_estimate_s(n)):
            tools.snarkjs(["zkey", "beacon", str(zkey1), str(final), beacon, str(BEACON_ITERATIONS_EXP),
                           "-n=zkmargin final beacon"], timeout=3600)
        with say.slow("snarkjs zkey verify", groth16_setup_estimate_s(n)):
            tools.snarkjs(["zkey", "verify", str(circuit.r1cs), str(ptau_file), str(final)], timeout=6 * 3600)
        zkey1.unlink()
        zkey0.unlink()
    vkey = work / "verification_key.json"
    tools.snarkjs(["zkey", "export", "verificationkey", str(final), str(vkey)], timeout=600)
    return beacon, final, vkey
