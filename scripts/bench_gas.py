"""Gas benchmark: Groth16Verifier.verifyProof, MarginRegistry.publishParams (with PoseidonT7) and submit; VenueRegistry.

Usage::

    python scripts/bench_gas.py [--no-write] [--only account|venue]

It measures the real zkmargin account proof of the ``test`` circuit size: the Solidity verifier
rendered from the verification key of ``toolchain.keys.setup("test")`` (INSECURE dev keys, cached), the
registry (which hashes ``params_root`` from its parts on chain with the generated ``PoseidonT7``), and two
proofs made in this run with ``prover.prove.prove_account`` of ``examples/portfolios/two_underlying_book.json`` against
``examples/market.json`` + ``examples/params.json`` under v2 (the README demo's account): the first
under the example params, the second of the same account (same salt, so the same commitment) under the next
epoch's params, with both margin multipliers raised by 100 bp so that the stored margin commitment changes.

What is counted, on pyrevm (Cancun), every transaction cold
-----------------------------------------------------------
* transaction gas: everything the sender pays: 21,000 base + calldata (4 gas per zero byte, 16 per
  non-zero byte) + execution.  Calldata gas varies by a few dozen gas from proof to proof (zero bytes).
* execution gas: transaction gas minus the 21,000 and the calldata, i.e. what the contract code spends.

The baseline is the usual estimate for the stock snarkjs verifier, 207,000 + 7,200 per public signal
(transaction gas).  The 656,673 gas of a stock verifier with 66 public signals is a given figure, not
measured here.

The venue part (section ``bench_gas_venue``) proves the three one-perpetual accounts of ``examples/venue_small``
(venue account size ``small``, one batch, INSECURE dev keys of ``venue_small`` and ``venue_batch``) in this process,
publishes the statement into a temporary folder, and measures ``VenueRegistry.registerEpoch`` of it and
``checkAccount`` of each account (the path's ten ``PoseidonT5`` hashes and one pairing check), with the
``PoseidonT5`` hash alone and a request rejected before any hash.

Writes its results into BENCHMARKS.md (sections ``bench_gas`` and ``bench_gas_venue``; ``--only`` runs one).
Targets: verifyProof ≤ 230,000 gas; submit ≤ 300,000 gas (transaction gas), set for the statement with
three public signals.  The hiding statement has four (the margin commitment and the disclosure replace the
packed margins), and a record three storage slots instead of two; the report says by how much that misses.
publishParams runs once per epoch; it is reported, with the Poseidon hash inside it measured on its own.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Final

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_verifier import PORTFOLIO, SIZE, example_description, log, prove_example
from benchlib import ROOT, machine, write_section

from zkmargin.engine.commitments import build_params_tree
from zkmargin.engine.io import load_market, load_params, load_scenarios
from zkmargin.engine.risk import build_risk_table
from zkmargin.prover.venue import load_venue_accounts, plan_venue, prove_venue_in_process, publish
from zkmargin.statement.commitments import DOMAIN_PARAMS, new_salt
from zkmargin.statement.records import ParamsRecord
from zkmargin.statement.venue import BATCH_CIRCUIT, account_circuit
from zkmargin.statement.venue_records import RECEIPT_FORMAT, VenueStatementRecord, read_venue_document
from zkmargin.toolchain import tools
from zkmargin.toolchain.keys import setup
from zkmargin.verifier.abi import ContractAbi
from zkmargin.verifier.evm import CallResult, Chain, Contract, ProofCalldata, proof_to_calldata
from zkmargin.verifier.onchain import (
    FRESHNESS_WINDOW_EPOCHS,
    MAX_EPOCH_JUMP,
    publish_params_args,
    registry_record,
)
from zkmargin.verifier.solidity_build import (
    OPTIMIZER_RUNS,
    VenueContracts,
    VerifierContracts,
    build_venue_registry_from_vkeys,
    build_verifier_from_vkey,
    solc_version,
)
from zkmargin.verifier.venue_onchain import (
    CHECK_ACCOUNT,
    AccountClaim,
    AccountVerdict,
    account_claim,
    check_account,
    check_account_args,
    deploy_venue_registry,
    epoch_record,
    register_statement,
    statement_record,
)

TARGET_VERIFY_GAS: Final = 230_000
TARGET_SUBMIT_GAS: Final = 300_000
#: Transaction gas of a stock snarkjs verifier with 66 public signals: given, not measured by this script.
STOCK_66_SIGNALS_GAS: Final = 656_673
STOCK_66_SIGNALS: Final = 66
#: The statement before the margin commitment: params_root, account_commitment, margins = IM·2^128 + MM.
PUBLIC_MARGINS_SIGNALS: Final = 3
#: The second proof's params: next epoch, both multipliers this many bp higher (so IM and MM change).
MULTIPLIER_STEP_BP: Final = 100


def baseline(n_public: int) -> int:
    """Stock snarkjs Groth16 verifier estimate: 207k + 7.2k per public signal (transaction gas)."""
    return 207_000 + 7_200 * n_public


@dataclass(frozen=True)
class GasSubject:
    """The contracts of one verification key and two proofs of the same account at two epochs."""

    description: str
    contracts: VerifierContracts
    first: ProofCalldata
    first_params: ParamsRecord
    update: ProofCalldata
    update_params: ParamsRecord


def example_subject(workdir: Path) -> GasSubject:
    """The README demo's account proved twice: example params, then the next epoch's (multipliers +100 bp)."""
    artifacts = setup(SIZE)
    contracts = build_verifier_from_vkey(artifacts.vkey)
    params = load_params(ROOT / "examples" / "params.json")
    salt = new_salt()
    log(f"proving {PORTFOLIO.name} with the {SIZE} circuit (epoch {params.epoch})")
    first = prove_example(artifacts, workdir / "first", salt=salt)
    log(f"proving {PORTFOLIO.name} again at epoch {params.epoch + 1}")
    update = prove_example(artifacts, workdir / "next", salt=salt, params_update={
        "epoch": params.epoch + 1, "im_multiplier_bp": params.im_multiplier_bp + MULTIPLIER_STEP_BP,
        "mm_multiplier_bp": params.mm_multiplier_bp + MULTIPLIER_STEP_BP})
    first_call = proof_to_calldata(first.bundle.snarkjs_proof(), first.bundle.public_signals)
    update_call = proof_to_calldata(update.bundle.snarkjs_proof(), update.bundle.public_signals)
    if first_call.public_signals[1] != update_call.public_signals[1]:
        raise SystemExit("the two proofs have different account commitments; the update would be a new account")
    return GasSubject(f"{example_description(artifacts, first)}, and a second proof of it at the next epoch",
                      contracts, first_call, first.bundle.statement.params, update_call, update.bundle.statement.params)


@dataclass(frozen=True)
class GasRun:
    """Gas of every call of one run; deployments as transaction gas."""

    verify: CallResult
    submit_new: CallResult
    submit_update: CallResult
    publish: CallResult
    publish_next: CallResult
    poseidon: CallResult
    revoke: CallResult
    deploy_verifier: int
    deploy_registry: int


def measure(subject: GasSubject) -> GasRun:
    """Deploy, publish params, verify, submit a new account, publish the next params, submit its update, revoke."""
    chain = Chain()
    owner, submitter = chain.account(1), chain.account(2)
    verifier = chain.deploy(owner, "Groth16Verifier", *subject.contracts.verifier)
    registry = chain.deploy(owner, "MarginRegistry", *subject.contracts.registry,
                            args=[verifier.address, FRESHNESS_WINDOW_EPOCHS, MAX_EPOCH_JUMP])
    (hasher_address,) = chain.call(registry, "paramsHasher").values
    hasher = Contract("PoseidonT7", str(hasher_address), ContractAbi(subject.contracts.params_hasher.abi), 0)
    first, update = subject.first, subject.update
    publish = chain.transact(registry, "publishParams", publish_params_args(subject.first_params), sender=owner)
    if publish.values != (first.public_signals[0],):
        raise SystemExit(f"publishParams computed root {publish.values}, the proof's is {first.public_signals[0]}")
    poseidon = chain.call(hasher, "hash", [[DOMAIN_PARAMS, *publish_params_args(subject.first_params)]])
    verify = chain.transact(verifier, "verifyProof", first.verify_args(), sender=submitter)
    if verify.values != (True,):
        raise SystemExit("verifyProof returned false for the benchmark proof")
    submit_new = chain.transact(registry, "submit", first.submit_args(), sender=submitter)
    publish_next = chain.transact(registry, "publishParams", publish_params_args(subject.update_params), sender=owner)
    submit_update = chain.transact(registry, "submit", update.submit_args(), sender=submitter)
    record = registry_record(chain.call(registry, "accountRecord", [update.public_signals[1]]).values)
    expected = (update.public_signals[2], update.public_signals[3] >> 248,
                update.public_signals[3] & ((1 << 248) - 1), subject.update_params.epoch, False)
    if record != expected:
        raise SystemExit(f"the registry recorded {record} after the update, expected its commitment, disclosure "
                         "and epoch")
    revoke = chain.transact(registry, "revokeParamsRoot", [update.public_signals[0]], sender=owner)
    return GasRun(verify, submit_new, submit_update, publish, publish_next, poseidon, revoke, verifier.deploy_gas,
                  registry.deploy_gas)


def report(subject: GasSubject, run: GasRun) -> str:
    """The BENCHMARKS.md section."""
    n_public = len(subject.first.public_signals)
    base = baseline(n_public)
    versions = tools.check_versions()

    def measured(what: str, result: CallResult, compare: bool = True) -> str:
        versus = f"{result.gas_used - base:+,}" if compare else ""
        return f"| {what} | {result.gas_used:,} | {result.execution_gas:,} | {versus} |"

    def formula(what: str, gas: int) -> str:
        return f"| {what} | {gas:,} | | {gas - base:+,} |"

    rows = [
        measured(f"`Groth16Verifier.verifyProof` ({n_public} public signals)", run.verify),
        measured("`MarginRegistry.submit`, new account (3 storage slots, the disclosure 0)", run.submit_new),
        measured("`MarginRegistry.submit`, same account at the next epoch (slots rewritten)", run.submit_update),
        measured("`MarginRegistry.publishParams`, first epoch (root hashed on chain)", run.publish, compare=False),
        measured("`MarginRegistry.publishParams`, next epoch", run.publish_next, compare=False),
        measured("`PoseidonT7.hash` alone (the hash inside publishParams, as a call)", run.poseidon, compare=False),
        measured("`MarginRegistry.revokeParamsRoot`", run.revoke, compare=False),
        f"| deploy `Groth16Verifier` | {run.deploy_verifier:,} | | |",
        f"| deploy `MarginRegistry` (deploys its `PoseidonT7`) | {run.deploy_registry:,} | | |",
        formula(f"baseline: stock snarkjs verifier, {n_public} public signals, 207k + 7.2k·{n_public} (formula)", base),
        formula(f"stock verifier of the statement with public margins, {PUBLIC_MARGINS_SIGNALS} public signals, "
                f"207k + 7.2k·{PUBLIC_MARGINS_SIGNALS} (formula)", baseline(PUBLIC_MARGINS_SIGNALS)),
        formula(f"stock verifier, {STOCK_66_SIGNALS} public signals (given, not measured here; the formula says "
                f"{baseline(STOCK_66_SIGNALS):,})", STOCK_66_SIGNALS_GAS),
    ]
    verify_gas, submit_gas = run.verify.gas_used, run.submit_new.gas_used
    public_margins = baseline(PUBLIC_MARGINS_SIGNALS)
    return "\n".join([
        "## Gas (`scripts/bench_gas.py`)", "", f"Machine: {machine()}", "",
        f"Gas of {subject.description}: the snarkjs {versions['snarkjs']} Solidity verifier rendered from that "
        "key, and `MarginRegistry`, which computes `params_root` from its parts with the generated `PoseidonT7` "
        f"(circomlib's Poseidon(6)), solc {solc_version()} with the optimizer at {OPTIMIZER_RUNS} runs, on pyrevm "
        "(Cancun). "
        "Every transaction starts cold, as on a real chain. Transaction gas is what the sender pays: 21,000 + "
        "calldata (4 gas per zero byte, 16 per non-zero byte) + execution; execution gas leaves out the 21,000 "
        "and the calldata. Calldata gas varies by a few dozen gas from proof to proof (zero bytes). The last "
        "column compares transaction gas with the usual estimate for the stock snarkjs verifier, "
        f"207,000 + 7,200 per public signal. The {STOCK_66_SIGNALS}-signal figure is given, not measured by this "
        "script.", "",
        "| call | transaction gas (incl. 21,000 + calldata) | execution gas | transaction − baseline "
        f"{base:,} |", "|---|--:|--:|--:|", *rows, "",
        f"Targets: verifyProof ≤ {TARGET_VERIFY_GAS:,} gas: {'met' if verify_gas <= TARGET_VERIFY_GAS else 'MISSED'} "
        f"({verify_gas:,}). submit ≤ {TARGET_SUBMIT_GAS:,} gas: "
        f"{'met' if submit_gas <= TARGET_SUBMIT_GAS else 'MISSED'} ({submit_gas:,} for a new account, the "
        f"dearest case; {run.submit_update.gas_used:,} for an update). The targets were set for the statement "
        f"with public margins ({PUBLIC_MARGINS_SIGNALS} signals, {public_margins:,} by the formula); hiding the "
        f"margins adds a public signal (one more ecMul and ecAdd, {base - public_margins:,} by the formula) and "
        f"a storage slot per record, which is what a miss above costs. The {n_public}-signal statement's "
        f"verifyProof costs {verify_gas / STOCK_66_SIGNALS_GAS:.0%} of the given {STOCK_66_SIGNALS}-signal "
        f"verifier's {STOCK_66_SIGNALS_GAS:,}.",
    ])


# --------------------------------------------------------------------------- VenueRegistry

#: The venue of the venue part: three one-perpetual accounts against USDC (size ``small``), one below MM.
VENUE_ACCOUNTS: Final = ROOT / "examples" / "venue_small"
VENUE_SIZE: Final = "small"


@dataclass(frozen=True)
class VenueSubject:
    """A published venue statement, its accounts' claims and the registry's contracts."""

    description: str
    contracts: VenueContracts
    statement: VenueStatementRecord
    claims: tuple[AccountClaim, ...]


def venue_subject(workdir: Path) -> VenueSubject:
    """Prove and publish ``examples/venue_small`` under the example market and params (v2)."""
    table = build_risk_table(load_market(ROOT / "examples" / "market.json"), load_scenarios("v2"),
                             load_params(ROOT / "examples" / "params.json"))
    params = build_params_tree(table)
    name, accounts = load_venue_accounts(VENUE_ACCOUNTS, params)
    plan = plan_venue(name, params, accounts)
    if plan.sizes() != [VENUE_SIZE]:
        raise SystemExit(f"{VENUE_ACCOUNTS} should hold only {VENUE_SIZE} accounts, it uses {plan.sizes()}")
    keys = {circuit: setup(circuit) for circuit in (BATCH_CIRCUIT, account_circuit(VENUE_SIZE))}
    log(f"proving the {len(plan.accounts)} accounts of {VENUE_ACCOUNTS.name} and their batch")
    records = prove_venue_in_process(keys, params, plan, workdir / "scratch")
    statement = publish(plan, params, records, workdir / "out", workdir / "private")
    receipts = [read_venue_document(path, RECEIPT_FORMAT)
                for path in sorted((workdir / "private" / "receipts").glob("*.json"))]
    claims = tuple(account_claim(statement.epoch, receipt, records[0].accounts[n].proof)
                   for n, receipt in enumerate(receipts))
    artifacts = keys[account_circuit(VENUE_SIZE)]
    contracts = build_venue_registry_from_vkeys({VENUE_SIZE: artifacts.vkey})
    keys_label = "INSECURE dev keys" if artifacts.insecure else "ceremony keys"
    description = (f"the venue statement of `examples/venue_small` ({statement.accounts} accounts of venue size "
                   f"`{VENUE_SIZE}`: {artifacts.circuit.n_constraints:,} constraints, {keys_label}, vkey "
                   f"{artifacts.vkey_id}; one batch, {statement.totals.insolvent} account below MM) under the example "
                   "market and params (v2)")
    return VenueSubject(description, contracts, statement, claims)


@dataclass(frozen=True)
class VenueGasRun:
    """Gas of every venue call; deployments as transaction gas."""

    register: CallResult
    checks: tuple[CallResult, ...]
    rejected: CallResult
    poseidon: CallResult
    deploy_verifier: int
    deploy_registry: int


def measure_venue(subject: VenueSubject) -> VenueGasRun:
    """Deploy, register the statement, check every account, a rejection before any hash, PoseidonT5 alone."""
    chain = Chain()
    owner, checker = chain.account(1), chain.account(2)
    deployment = deploy_venue_registry(chain, subject.contracts, owner)
    register = register_statement(chain, deployment, subject.statement, owner)
    if epoch_record(chain, deployment, subject.statement.epoch) != statement_record(subject.statement):
        raise SystemExit("the registry's record of the epoch is not the statement")
    checks = []
    for claim in subject.claims:
        if check_account(chain, deployment, claim) is not AccountVerdict.VALID:
            raise SystemExit(f"checkAccount rejected the honest account at index {claim.index}")
        checks.append(chain.transact(deployment.registry, CHECK_ACCOUNT, check_account_args(deployment, claim),
                                     sender=checker))
    beyond = replace(subject.claims[0], index=subject.statement.accounts)
    if check_account(chain, deployment, beyond) is not AccountVerdict.INDEX_OUT_OF_RANGE:
        raise SystemExit("checkAccount did not reject an index at the account count")
    rejected = chain.transact(deployment.registry, CHECK_ACCOUNT, check_account_args(deployment, beyond),
                              sender=checker)
    (hasher_address,) = chain.call(deployment.registry, "nodeHasher").values
    hasher = Contract("PoseidonT5", str(hasher_address), ContractAbi(subject.contracts.node_hasher.abi), 0)
    first = subject.claims[0]
    poseidon = chain.call(hasher, "hash", [[first.leaf, *first.siblings[0]]])
    return VenueGasRun(register, tuple(checks), rejected, poseidon,
                       deployment.account_verifiers[VENUE_SIZE].deploy_gas, deployment.registry.deploy_gas)


def report_venue(subject: VenueSubject, run: VenueGasRun) -> str:
    """The BENCHMARKS.md section of the venue part."""
    def measured(what: str, result: CallResult) -> str:
        return f"| {what} | {result.gas_used:,} | {result.execution_gas:,} |"

    dearest = max(run.checks, key=lambda c: c.gas_used)
    cheapest = min(run.checks, key=lambda c: c.gas_used)
    rows = [
        measured("`VenueRegistry.registerEpoch` (10 storage slots and the event)", run.register),
        measured(f"`VenueRegistry.checkAccount`, honest account, dearest of {len(run.checks)} (10 `PoseidonT5` "
                 "hashes + 1 pairing check)", dearest),
        measured(f"`VenueRegistry.checkAccount`, honest account, cheapest of {len(run.checks)}", cheapest),
        measured("`VenueRegistry.checkAccount`, index at the account count (rejected before any hash)", run.rejected),
        measured("`PoseidonT5.hash` alone (one node of the path, as a call)", run.poseidon),
        f"| deploy `Groth16Verifier` of `venue_{VENUE_SIZE}` (2 public signals) | {run.deploy_verifier:,} | |",
        f"| deploy `VenueRegistry` (deploys its `PoseidonT5`) | {run.deploy_registry:,} | |",
    ]
    return "\n".join([
        "## Gas of `VenueRegistry` (`scripts/bench_gas.py --only venue`)", "", f"Machine: {machine()}", "",
        f"Gas of {subject.description}: `VenueRegistry` records the statement (roots, account count, totals, "
        "batch-proofs commitment) and checks one account's proof under the epoch's `params_root` and its Merkle path "
        "to the epoch's `accounts_root`, hashed on chain with the generated `PoseidonT5` (circomlib's Poseidon(4)); "
        f"the snarkjs Solidity verifier rendered from the `venue_{VENUE_SIZE}` key; solc {solc_version()} with the "
        f"optimizer at {OPTIMIZER_RUNS} runs, on pyrevm (Cancun), every transaction cold. Transaction gas is what "
        "the sender pays (21,000 + calldata + execution); `checkAccount` is a view, measured as a transaction.", "",
        "| call | transaction gas (incl. 21,000 + calldata) | execution gas |", "|---|--:|--:|", *rows,
    ])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-write", action="store_true", help="print only; leave BENCHMARKS.md alone")
    parser.add_argument("--only", choices=("account", "venue"), default=None,
                        help="run one part: the account statement and MarginRegistry, or VenueRegistry")
    args = parser.parse_args()

    tools.check_versions()
    if args.only in (None, "account"):
        with tempfile.TemporaryDirectory(prefix="bench_gas_") as tmp:
            subject = example_subject(Path(tmp))
        body = report(subject, measure(subject))
        print(body)
        if not args.no_write:
            write_section("bench_gas", body)
    if args.only in (None, "venue"):
        with tempfile.TemporaryDirectory(prefix="bench_gas_venue_") as tmp:
            venue = venue_subject(Path(tmp))
        venue_body = report_venue(venue, measure_venue(venue))
        print(venue_body)
        if not args.no_write:
            write_section("bench_gas_venue", venue_body)


if __name__ == "__main__":
    main()
