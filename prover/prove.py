"""Prove one account's margin: engine -> witness -> Groth16 proof -> bundle.

Every check on the input runs before any external tool: the account must fit the circuit size,
its instruments must be leaves of the params tree, and it must be solvent (a proof of solvency
cannot exist otherwise).  After witness generation the circuit's values are compared with the
engine's; any difference is a hard error naming the field.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from zkmargin.constants import FIELD_ORDER, format_money
from zkmargin.engine.account import AccountInts
from zkmargin.engine.commitments import ParamsTree, account_slots
from zkmargin.engine.errors import InputError
from zkmargin.engine.margin import margin_account
from zkmargin.engine.results import MarginResult
from zkmargin.prover.witness import circuit_input
from zkmargin.statement.commitments import new_salt
from zkmargin.statement.records import (
    BundleRecord,
    CircuitRecord,
    Groth16ProofJson,
    ParamsRecord,
    ProofRecord,
    SaltRecord,
    StatementRecord,
)
from zkmargin.statement.signals import PUBLIC_SIGNAL_NAMES, THRESHOLD_BITS, Disclosure, Statement, hex64
from zkmargin.statement.sizes import BOOK_SIZES, SIZES, CircuitSize
from zkmargin.toolchain import tools
from zkmargin.toolchain.compile import CompiledCircuit
from zkmargin.toolchain.keys import SetupArtifacts
from zkmargin.toolchain.prover_process import ProverProcess
from zkmargin.toolchain.witness import SignalError, calculate_witness, read_signals

Progress = Callable[[str], Any]
#: Where the margin figures (an ``AccountFigures``, circuits/account.circom) sit in the witness, most specific
#: first: --O2 keeps each figure under one of these names, the ``AccountFigures`` signal itself or the input of
#: the component that reads it.  The account and book circuits hold them in ``core`` (read by ``claim``), the
#: venue's account and book circuits in ``core`` (read by ``leafHash``).
ACCOUNT_FIGURES: Final = ("main.core.figures.", "main.core.", "main.claim.")
VENUE_FIGURES: Final = ("main.core.figures.", "main.core.", "main.leafHash.")
#: The figures a witness check must find under one of its prefixes (equity, a linear combination of collateral
#: and position sums, may be folded away entirely, as it is in the book circuit).
KEY_FIGURES: Final = ("mm", "im", "collateral")


class InsolventError(InputError):
    """The account's equity is below its maintenance margin, so no proof exists."""


class CircuitMismatchError(RuntimeError):
    """The circuit computed a value different from the engine's."""


@dataclass(frozen=True)
class ProofResult:
    """A proof, its statement and its private salt record; ``seconds`` per step."""

    bundle: BundleRecord
    salt_record: SaltRecord
    statement: Statement
    margin: MarginResult
    seconds: dict[str, float]


@dataclass(frozen=True)
class ProvableAccount:
    """An account that :func:`check_provable` accepted, with its engine margin (computed once)."""

    params: ParamsTree
    account: AccountInts
    result: MarginResult
    size: CircuitSize


def smallest_fitting(params: ParamsTree, account: AccountInts) -> str | None:
    """The name of the smallest account circuit size whose slots hold ``account``, else of the smallest book
    size (proven in chunks), or ``None``."""
    candidates = [*sorted(SIZES.items(), key=lambda item: item[1].positions),
                  *((name, book.account) for name, book in sorted(BOOK_SIZES.items(), key=lambda i: i[1].positions))]
    for name, size in candidates:
        try:
            account_slots(params, account, size)
        except InputError:
            continue
        return name
    return None


def check_provable(params: ParamsTree, account: AccountInts, size: CircuitSize,
                   result: MarginResult | None = None) -> ProvableAccount:
    """Reject, before any tool runs, an account the circuit of ``size`` cannot prove.

    ``result`` is the engine's margin of ``account`` when the caller has it; it is computed here otherwise,
    and the returned :class:`ProvableAccount` carries it on to :func:`prove_account`.

    Raises
    ------
    InputError
        More positions, underlyings or posted assets than the size has slots (the message names the smallest
        size that fits, if any), or an instrument outside the tree.
    InsolventError
        Equity below MM, with the shortfall in the message.
    """
    result = result if result is not None else margin_account(params.table, account)
    try:
        account_slots(params, account, size)
    except InputError as exc:
        fits = smallest_fitting(params, account)
        hint = f" (use --size {fits})" if fits is not None else " (no circuit size holds it)"
        raise InputError(f"{exc.reason}{hint}", field=exc.field) from exc
    for leaf in account.leaf_index:
        if not 0 <= leaf < len(params.leaves):
            raise InputError(f"leaf {leaf} is not in the params tree", field="positions")
    if not result.solvent:
        raise InsolventError(
            f"the account is insolvent, so a solvency proof is impossible: equity {format_money(result.equity)} "
            f"is below the maintenance margin {format_money(result.maintenance_margin)} by "
            f"{format_money(result.shortfall)}", field="collateral")
    return ProvableAccount(params, account, result, size)


def check_disclosure(result: MarginResult, disclosure: Disclosure, threshold: int | None) -> None:
    """Reject, before any tool runs, a disclosure the account's margin makes false or that is malformed.

    ``threshold`` is in micro-units of quote currency, given exactly for ``MM_AT_MOST`` (the claim MM <= X)
    and ``FREE_COLLATERAL_AT_LEAST`` (equity - IM >= X), and below 2^128.

    Raises
    ------
    InputError
        A threshold missing or given where the mode takes none, out of range, or a claim that is false.
    """
    takes_threshold = disclosure in (Disclosure.MM_AT_MOST, Disclosure.FREE_COLLATERAL_AT_LEAST)
    if takes_threshold and threshold is None:
        raise InputError(f"--disclose {disclosure.flag} needs --threshold", field="--threshold")
    if not takes_threshold and threshold is not None:
        raise InputError(f"--threshold goes with --disclose {Disclosure.MM_AT_MOST.flag} or "
                         f"{Disclosure.FREE_COLLATERAL_AT_LEAST.flag}, not {disclosure.flag}", field="--threshold")
    if threshold is None:
        return
    if not 0 <= threshold < 1 << THRESHOLD_BITS:
        raise InputError(f"the threshold must lie in [0, 2^{THRESHOLD_BITS}) micro-units, got {threshold}",
                         field="--threshold")
    if disclosure is Disclosure.MM_AT_MOST and result.maintenance_margin > threshold:
        raise InputError(f"the maintenance margin {format_money(result.maintenance_margin)} is above "
                         f"{format_money(threshold)}, so MM <= {format_money(threshold)} cannot be proven",
                         field="--threshold")
    if disclosure is Disclosure.FREE_COLLATERAL_AT_LEAST and result.free_collateral < threshold:
        raise InputError(f"the free collateral (equity - IM) {format_money(result.free_collateral)} is below "
                         f"{format_money(threshold)}, so it cannot be proven to be at least that",
                         field="--threshold")


def prove_circuit(artifacts: SetupArtifacts, inputs: dict[str, Any], expected: list[int], workdir: Path,
                  seconds: dict[str, float], *, names: Sequence[str] = PUBLIC_SIGNAL_NAMES,
                  progress: Progress | None = None,
                  check: Callable[[list[int]], None] | None = None,
                  process: ProverProcess | None = None) -> ProofRecord:
    """Witness and Groth16 proof of ``inputs`` with ``artifacts``; the public signals, ``names`` in order, must
    be ``expected``.

    ``workdir`` receives witness.wtns, proof.json and public.json; ``seconds["witness"]`` and
    ``seconds["prove"]`` grow by each step's time.  ``check`` sees the witness before the proof is made.
    ``process`` is a long-lived prover process to compute both in; a fresh Node per step otherwise.

    Raises
    ------
    CircuitMismatchError
        A public signal (or what ``check`` compares) differs from the engine's.
    """
    say = progress or (lambda _msg: None)
    workdir.mkdir(parents=True, exist_ok=True)
    say("computing the witness")
    start = time.perf_counter()
    witness = calculate_witness(artifacts.circuit, inputs, workdir, process=process)
    seconds["witness"] = seconds.get("witness", 0.0) + time.perf_counter() - start
    if check is not None:
        check(witness)
    say("generating the Groth16 proof")
    start = time.perf_counter()
    proof_path, public_path = workdir / "proof.json", workdir / "public.json"
    if process is not None:
        process.prove(artifacts.zkey, workdir / "witness.wtns", proof_path, public_path)
    else:
        tools.snarkjs(["groth16", "prove", str(artifacts.zkey), str(workdir / "witness.wtns"), str(proof_path),
                       str(public_path)], timeout=1800)
    seconds["prove"] = seconds.get("prove", 0.0) + time.perf_counter() - start
    public = [int(v) for v in json.loads(public_path.read_text())]
    if len(public) != len(expected):
        raise CircuitMismatchError(f"the {artifacts.name} circuit has {len(public)} public signals, not "
                                   f"{len(expected)}")
    for name, got, want in zip(names, public, expected, strict=True):
        if got != want:
            raise CircuitMismatchError(f"circuit and engine disagree on public signal {name}: {got} != {want}")
    return ProofRecord(proof=Groth16ProofJson.model_validate(json.loads(proof_path.read_text())),
                       public_signals=[str(v) for v in public])


def read_figures(circuit: CompiledCircuit, witness: list[int], names: Iterable[str],
                 prefixes: Sequence[str]) -> dict[str, int]:
    """``{name: value}`` of each figure in ``names`` found in the witness under the first of ``prefixes`` that has
    it; a figure --O2 folded away under every prefix is left out."""
    found: dict[str, int] = {}
    for name in names:
        for prefix in prefixes:
            try:
                found[name] = read_signals(circuit, witness, [prefix + name])[prefix + name]
                break
            except SignalError:
                continue
    return found


def compare_margin(artifacts: SetupArtifacts, witness: list[int], result: MarginResult, groups: list[int],
                   prefixes: Sequence[str] = ACCOUNT_FIGURES) -> None:
    """The circuit's intermediate margin values (its ``AccountFigures``, found under ``prefixes``) must equal the
    engine's (those the compiler kept); group slot ``g`` holds market group ``groups[g]``.

    Raises
    ------
    CircuitMismatchError
        A value differs, or one of :data:`KEY_FIGURES` is in the witness under none of ``prefixes``.
    """
    expected: dict[str, int] = {
        "mm": result.maintenance_margin, "im": result.initial_margin, "collateral": result.collateral_value,
        "equity": result.equity, "requirement": result.requirement, "separate": result.separate_scan,
        "joint": result.joint_scan, "scanRisk": result.scan_risk}
    for g, market_group in enumerate(groups):
        gm = result.groups[market_group]
        expected[f"scan[{g}]"] = gm.scan_risk
        expected[f"som[{g}]"] = gm.short_option_minimum
        expected[f"netDelta[{g}]"] = gm.net_delta
        expected[f"concentration[{g}]"] = gm.concentration
    found = read_figures(artifacts.circuit, witness, expected, prefixes)
    missing = [name for name in KEY_FIGURES if name not in found]
    if missing:
        raise CircuitMismatchError(f"the {artifacts.name} circuit's witness has no {', '.join(missing)} under "
                                   f"{', '.join(prefixes)}")
    for name, got in found.items():
        if got != expected[name] % FIELD_ORDER:
            raise CircuitMismatchError(f"circuit and engine disagree on {name}: circuit {got}, engine "
                                       f"{expected[name]}")


def params_record(params: ParamsTree) -> ParamsRecord:
    """The parts of ``params``'s root, as a bundle records them."""
    return ParamsRecord(instruments_root=str(params.instruments_root), table_hash=str(params.table_hash),
                        im_bp=params.table.im_multiplier_bp, mm_bp=params.table.mm_multiplier_bp,
                        epoch=params.table.epoch)


def statement_text(statement: Statement, params: ParamsTree) -> str:
    """The statement of a proof in words."""
    return (f"The account with commitment {hex64(statement.account_commitment)} has the initial and maintenance "
            f"margin committed to by {hex64(statement.margin_commitment)}, computed by the zkmargin rules from the "
            f"risk parameters with root {hex64(statement.params_root)} (epoch {params.table.epoch}); its equity "
            f"covers the maintenance margin, and it discloses {statement.claim()}.")


def prove_account(artifacts: SetupArtifacts, provable: ProvableAccount, *, salt: int | None = None, workdir: Path,
                  market_timestamp: str = "", scenarios: str = "", progress: Progress | None = None,
                  disclosure: Disclosure = Disclosure.NOTHING, threshold: int | None = None) -> ProofResult:
    """Prove the margin of an account :func:`check_provable` accepted, with the keys in ``artifacts``.

    ``workdir`` receives input.json, witness.wtns, proof.json and public.json.
    """
    say = progress or (lambda _msg: None)
    params, account, result, size = provable.params, provable.account, provable.result, provable.size
    if size.name != artifacts.name:
        raise InputError(f"the account was checked for size {size.name}, the keys are for {artifacts.name}")
    check_disclosure(result, disclosure, threshold)
    salt = new_salt() if salt is None else salt
    inputs, statement = circuit_input(params, account, salt, result, size, disclosure, threshold)
    seconds: dict[str, float] = {}

    layout = account_slots(params, account, size)
    record = prove_circuit(artifacts, inputs, statement.public_signals(), workdir, seconds, progress=say,
                           check=lambda witness: compare_margin(artifacts, witness, result, layout.used_groups))

    bundle = BundleRecord(
        circuit=CircuitRecord(size=artifacts.name, vkey_id=artifacts.vkey_id,
                              constraints=artifacts.circuit.n_constraints),
        statement=StatementRecord(
            params_root=str(statement.params_root),
            params=params_record(params),
            account_commitment=str(statement.account_commitment),
            margin_commitment=str(statement.margin_commitment), discloses=statement.claim(), epoch=params.table.epoch,
            market_timestamp=market_timestamp, scenarios=scenarios, text=statement_text(statement, params)),
        proof=record.proof, public_signals=record.public_signals)
    salt_record = SaltRecord(account=account.name, salt=str(salt), account_commitment=str(statement.account_commitment),
                             margin_commitment=str(statement.margin_commitment),
                             initial_margin=format_money(result.initial_margin),
                             maintenance_margin=format_money(result.maintenance_margin), circuit_size=artifacts.name)
    return ProofResult(bundle, salt_record, statement, result, seconds)
