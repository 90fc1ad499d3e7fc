"""Gas of on-chain verification: Groth16Verifier.verifyProof and MarginRegistry.submit.

Prints a markdown table.  By default it builds the test fixture statement
(``tests/fixtures/solidity/statement.circom``, INSECURE dev keys) under
``.cache/solidity/bench/``; pass ``--zkey`` with ``--proof``/``--public`` to
measure a real circuit's verifier and proof instead.

What is counted
---------------
* "transaction": everything the sender pays: 21,000 base + calldata
  (4 gas per zero byte, 16 per non-zero byte) + execution.  Calldata gas
  varies by a few dozen gas from proof to proof (random zero bytes).
* "execution": transaction gas minus the 21,000 base and the calldata gas,
  i.e. what the contract code spends (an eth_call's gas minus the intrinsic part).

The baseline is the usual estimate for the stock snarkjs verifier,
207,000 + 7,200 per public signal (transaction gas).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

from prover import tools
from verifier.dev_fixture import build_statement_fixture
from verifier.evm import CallResult, Chain, ProofCalldata, proof_to_calldata
from verifier.solidity_build import CACHE_DIR, VerifierContracts, build_verifier_contracts

FRESHNESS_WINDOW = 2


def baseline(n_public: int) -> int:
    """Stock snarkjs Groth16 verifier estimate: 207k + 7.2k per public signal (transaction gas)."""
    return 207_000 + 7_200 * n_public


def measure(contracts: VerifierContracts, first: ProofCalldata, update: ProofCalldata | None) -> list[list[str]]:
    """Deploy, publish, verify and submit; return table rows."""
    chain = Chain()
    owner, submitter = chain.account(1), chain.account(2)
    verifier = chain.deploy(owner, "Groth16Verifier", *contracts.verifier)
    registry = chain.deploy(owner, "MarginRegistry", *contracts.registry, args=[verifier.address, FRESHNESS_WINDOW])
    n_public = len(first.public_signals)
    base = baseline(n_public)

    verify = chain.call(verifier, "verifyProof", first.verify_args())
    if verify.values != (True,):
        raise SystemExit("verifyProof returned false for the benchmark proof")
    publish = chain.transact(registry, "publishParamsRoot", [first.public_signals[0], 1], sender=owner)
    submit_new = chain.transact(registry, "submit", first.submit_args(), sender=submitter)
    submit_update: CallResult | None = None
    if update is not None:
        chain.transact(registry, "publishParamsRoot", [update.public_signals[0], 2], sender=owner)
        submit_update = chain.transact(registry, "submit", update.submit_args(), sender=submitter)

    def row(what: str, result: CallResult, compare: bool = True) -> list[str]:
        versus = f"{result.gas_used - base:+,}" if compare else ""
        return [what, f"{result.gas_used:,}", f"{result.execution_gas:,}", versus]

    rows = [
        row("verifyProof (eth_call)", verify),
        row("submit, new account (2 fresh slots)", submit_new),
    ]
    if submit_update is not None:
        rows.append(row("submit, newer epoch (2 slots rewritten)", submit_update))
    rows += [
        row("publishParamsRoot (first root)", publish, compare=False),
        [f"deploy {verifier.name}", f"{verifier.deploy_gas:,}", "", ""],
        [f"deploy {registry.name}", f"{registry.deploy_gas:,}", "", ""],
    ]
    return rows


def markdown(rows: list[list[str]], n_public: int) -> str:
    header = ["call", "transaction gas (incl. 21,000 + calldata)", "execution gas (excl. intrinsic)",
              f"transaction − baseline {baseline(n_public):,} (207k + 7.2k·{n_public})"]
    lines = ["| " + " | ".join(header) + " |", "|---|--:|--:|--:|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--zkey", type=Path, help="final zkey of a 3-public-signal circuit (default: fixture)")
    parser.add_argument("--proof", type=Path, help="snarkjs proof.json (with --zkey)")
    parser.add_argument("--public", type=Path, help="snarkjs public.json (with --zkey)")
    args = parser.parse_args(argv)

    if args.zkey is not None:
        if args.proof is None or args.public is None:
            parser.error("--zkey needs --proof and --public")
        contracts = build_verifier_contracts(args.zkey)
        first = proof_to_calldata(json.loads(args.proof.read_text()), json.loads(args.public.read_text()))
        update = None
        source = f"zkey {args.zkey}"
    else:
        work_dir = CACHE_DIR / "bench"
        shutil.rmtree(work_dir, ignore_errors=True)
        fixture = build_statement_fixture(work_dir)
        contracts = fixture.contracts
        first, update = fixture.proofs[0].calldata, fixture.proofs[2].calldata
        source = "fixture statement (INSECURE dev keys)"

    rows = measure(contracts, first, update)
    versions = tools.check_versions()
    print(f"Gas on pyrevm (Cancun), solc 0.8.28 optimizer 200 runs, snarkjs {versions['snarkjs']}; {source}; "
          f"{len(first.public_signals)} public signals.\n")
    print(markdown(rows, len(first.public_signals)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
