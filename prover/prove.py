"""Prove one account's margin: engine -> witness -> Groth16 proof -> bundle.

Every check on the input runs before any external tool: the account must fit the circuit size,
its instruments must be leaves of the params tree, and it must be solvent (a proof of solvency
cannot exist otherwise).  After witness generation the circuit's values are compared with the
engine's; any difference is a hard error naming the field.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from engine.account import AccountInts
from engine.commitments import ParamsTree, new_salt, unpack_margins
from engine.errors import InputError
from engine.fixedpoint import FIELD_ORDER, format_money
from engine.margin import MarginResult, margin_account
from prover import tools
from prover.compile import SignalError, calculate_witness, read_signals
from prover.setup import SetupArtifacts
from prover.witness import Statement, circuit_input

BUNDLE_FORMAT: Final = "zkmargin-proof-bundle/1"
SALT_FORMAT: Final = "zkmargin-account-salt/1"

Progress = Callable[[str], Any]


class InsolventError(InputError):
    """The account's equity is below its maintenance margin, so no proof exists."""


class CircuitMismatchError(RuntimeError):
    """The circuit computed a value different from the engine's."""


@dataclass(frozen=True)
class ProofResult:
    """A proof, its statement and where it was written; ``seconds`` per step."""

    bundle: dict[str, Any]
    salt_record: dict[str, Any]
    statement: Statement
    margin: MarginResult
    seconds: dict[str, float]


def check_provable(params: ParamsTree, account: AccountInts, result: MarginResult) -> None:
    """Reject, before any tool runs, an account the circuit cannot prove.

    Raises
    ------
    InputError
        Too many positions for the circuit size or an instrument outside the tree.
    InsolventError
        Equity below MM, with the shortfall in the message.
    """
    size = params.size
    if len(account.qty) > size.positions:
        raise InputError(f"the account has {len(account.qty)} positions; the {size.name} circuit takes at most "
                         f"{size.positions} (use --size standard or a larger circuit)", field="positions")
    for leaf in account.leaf_index:
        if not 0 <= leaf < len(params.leaves):
            raise InputError(f"leaf {leaf} is not in the params tree", field="positions")
    if not result.solvent:
        raise InsolventError(
            f"the account is insolvent, so a solvency proof is impossible: equity {format_money(result.equity)} "
            f"is below the maintenance margin {format_money(result.maintenance_margin)} by "
            f"{format_money(result.shortfall)}", field="collateral")


def _compare(artifacts: SetupArtifacts, witness: list[int], params: ParamsTree, result: MarginResult) -> None:
    """The circuit's intermediate values must equal the engine's (signals the compiler kept)."""
    expected: dict[str, int] = {"main.mm": result.maintenance_margin, "main.collateral": result.collateral_value}
    for g, gm in enumerate(result.groups):
        expected[f"main.scan[{g}]"] = gm.scan_risk
        expected[f"main.groupRisk[{g}]"] = gm.group_risk
    for name, want in expected.items():
        try:
            got = read_signals(artifacts.circuit, witness, [name])[name]
        except SignalError:
            continue  # removed by the optimiser as a linear combination of other signals
        if got != want % FIELD_ORDER:
            raise CircuitMismatchError(f"circuit and engine disagree on {name.removeprefix('main.')}: "
                                       f"circuit {got}, engine {want}")


def statement_text(statement: Statement, params: ParamsTree) -> str:
    """The statement of a proof in words."""
    return (f"The account with commitment {statement.account_commitment:#066x} has initial margin "
            f"{format_money(statement.initial_margin)} and maintenance margin "
            f"{format_money(statement.maintenance_margin)} (quote currency), computed by the zkmargin rules from "
            f"the risk parameters with root {statement.params_root:#066x} (epoch {params.table.epoch}), "
            f"and its equity covers the maintenance margin.")


def prove_account(artifacts: SetupArtifacts, params: ParamsTree, account: AccountInts, *,
                  salt: int | None = None, workdir: Path, market_timestamp: str = "", scenarios: str = "",
                  progress: Progress | None = None, result: MarginResult | None = None) -> ProofResult:
    """Prove ``account``'s margin under ``params`` with the keys in ``artifacts``.

    ``workdir`` receives input.json, witness.wtns, proof.json and public.json.  ``result`` is the engine's
    margin of ``account`` when the caller already has it (computed here otherwise).
    """
    say = progress or (lambda _msg: None)
    if params.size != artifacts.size:
        raise InputError(f"params were built for size {params.size.name}, keys for {artifacts.size.name}")
    result = result if result is not None else margin_account(params.table, account)
    check_provable(params, account, result)
    salt = new_salt() if salt is None else salt
    inputs, statement = circuit_input(params, account, salt, result)
    seconds: dict[str, float] = {}

    workdir.mkdir(parents=True, exist_ok=True)
    say("computing the witness")
    start = time.perf_counter()
    witness = calculate_witness(artifacts.circuit, inputs, workdir)
    seconds["witness"] = time.perf_counter() - start
    _compare(artifacts, witness, params, result)

    say("generating the Groth16 proof")
    start = time.perf_counter()
    proof_path, public_path = workdir / "proof.json", workdir / "public.json"
    tools.snarkjs(["groth16", "prove", str(artifacts.zkey), str(workdir / "witness.wtns"), str(proof_path),
                   str(public_path)], timeout=1800)
    seconds["prove"] = time.perf_counter() - start

    public = [int(v) for v in json.loads(public_path.read_text())]
    names = ("params_root", "account_commitment", "margins")
    for name, got, want in zip(names, public, statement.public_signals(), strict=True):
        if got != want:
            raise CircuitMismatchError(f"circuit and engine disagree on public signal {name}: {got} != {want}")
    im, mm = unpack_margins(public[2])
    bundle = {
        "format": BUNDLE_FORMAT,
        "circuit": {"size": artifacts.size.name, "vkey_id": artifacts.vkey_id,
                    "constraints": artifacts.circuit.n_constraints,
                    "insecure_dev_setup": artifacts.insecure},
        "statement": {
            "params_root": str(statement.params_root),
            "account_commitment": str(statement.account_commitment),
            "initial_margin": format_money(im),
            "maintenance_margin": format_money(mm),
            "epoch": params.table.epoch,
            "market_timestamp": market_timestamp,
            "scenarios": scenarios,
            "text": statement_text(statement, params),
        },
        "proof": json.loads(proof_path.read_text()),
        "publicSignals": [str(v) for v in public],
    }
    salt_record = {"format": SALT_FORMAT, "account": account.name, "salt": str(salt),
                   "account_commitment": str(statement.account_commitment), "circuit_size": artifacts.size.name,
                   "note": "Keep this file private: with the positions it opens the account commitment."}
    return ProofResult(bundle, salt_record, statement, result, seconds)
