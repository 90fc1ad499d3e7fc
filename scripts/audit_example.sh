#!/usr/bin/env bash
# Copy-and-run example for auditors: check a venue's published params root and proofs.
#
# What the venue publishes:  the market snapshot (market.json), its margin parameters (params.json),
# the params root, its verification key (verification_key.json) and the proof bundles.
# What this checks, without Node:  the root recomputed from the market snapshot equals the published
# one, every proof verifies (Python Groth16 verifier, batched), and every proof is about that root.
# Exit code 0 only if everything checks out.
#
#   scripts/audit_example.sh MARKET PARAMS ROOT VKEY PROOF_DIR_OR_FILES...
#
# Without arguments it audits the bundle written by `make demo` (out/demo/).
set -euo pipefail
cd "$(dirname "$0")/.."
ZK=.venv/bin/zkmargin
if [ $# -eq 0 ]; then
  set -- examples/market.json examples/params.json \
    "$($ZK params-root --market examples/market.json --params examples/params.json --json |
       python3 -c 'import json, sys; print(json.load(sys.stdin)["params_root"])')" \
    out/demo/verification_key.json out/demo
fi
market=$1 params=$2 root=$3 vkey=$4
shift 4
exec $ZK audit --market "$market" --params "$params" --root "$root" --vkey "$vkey" --proofs "$@"
