#!/usr/bin/env bash
# The zkmargin demo, end to end: margin every example portfolio, set up the account circuit, prove one
# account's margin and solvency, verify the proof three ways (snarkjs, Python, EVM contract, with gas),
# and audit it as an outsider would.  Run through `make demo`, which installs everything first.
set -euo pipefail
cd "$(dirname "$0")/.."
ZK=.venv/bin/zkmargin
EX=examples
MARKET=(--market $EX/market.json --params $EX/params.json)
OUT=out/demo
mkdir -p "$OUT"

step() { printf '\n\033[1m== %s ==\033[0m\n' "$*"; }

step "1. Margin of every example portfolio (span16 scenarios), one vectorised call"
$ZK batch "${MARKET[@]}" $EX/portfolios

step "2. Full report: a two-underlying book"
$ZK margin "${MARKET[@]}" --portfolio $EX/portfolios/two_underlying_book.json

step "3. The venue publishes its params root (and the leaf table behind it)"
$ZK params-root "${MARKET[@]}" --leaves "$OUT/leaves.json"
ROOT=$($ZK params-root "${MARKET[@]}" --json | python3 -c 'import json, sys; print(json.load(sys.stdin)["params_root"])')

step "4. Trusted setup of the test-size circuit (INSECURE dev keys; cached after the first run)"
$ZK setup --size test --vkey-out "$OUT/verification_key.json"

step "5. Prove the two-underlying book's margin and solvency"
$ZK prove "${MARKET[@]}" --portfolio $EX/portfolios/two_underlying_book.json --out "$OUT/two_underlying_book.proof.json"

step "6. Verify the proof three ways: snarkjs, the Python verifier, and the Solidity verifier + registry on an EVM"
$ZK verify "$OUT/two_underlying_book.proof.json" --vkey "$OUT/verification_key.json" --snarkjs --evm

step "7. Audit: recompute the root from the market snapshot and check every proof (Python only)"
$ZK audit "${MARKET[@]}" --root "$ROOT" --vkey "$OUT/verification_key.json" --proofs "$OUT/two_underlying_book.proof.json"
