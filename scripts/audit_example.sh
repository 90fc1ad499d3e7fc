#!/usr/bin/env bash
# Copy-and-run example for auditors: check a venue's published params root and proofs.
#
# What the venue publishes:  the market snapshot (market.json), its margin parameters (params.json),
# the params root, its verification key (verification_key.json) and the proof bundles.
# What this checks, without Node:  the root recomputed from the market snapshot equals the published
# one, the key is not a recognisable dev key, every proof verifies (Python Groth16 verifier, batched),
# and every proof is about that root.  Exit code 0 only if everything checks out.
#
#   scripts/audit_example.sh MARKET PARAMS ROOT VKEY PROOF_DIR_OR_FILES...
#
# Without arguments it audits what `make demo` published in out/demo/published/: the root the demo's venue
# step wrote there, recomputed here independently from the market snapshot.  The demo's keys are INSECURE
# dev keys, so that run passes --allow-insecure and every verdict says so.
set -euo pipefail
cd "$(dirname "$0")/.."
ZK=.venv/bin/zkmargin
if [ $# -eq 0 ]; then
  PUB=out/demo/published
  if [ ! -f "$PUB/params_root.txt" ]; then
    echo "audit_example.sh: nothing published yet in $PUB; run \`make demo\`, or give MARKET PARAMS ROOT VKEY PROOFS..." >&2
    exit 2
  fi
  exec $ZK audit --market examples/market.json --params examples/params.json --root "$(cat "$PUB/params_root.txt")" \
    --vkey "$PUB/verification_key.json" --proofs "$PUB/proofs" --allow-insecure
fi
if [ $# -lt 5 ]; then
  echo "usage: scripts/audit_example.sh MARKET PARAMS ROOT VKEY PROOF_DIR_OR_FILES..." >&2
  exit 2
fi
market=$1 params=$2 root=$3 vkey=$4
shift 4
exec $ZK audit --market "$market" --params "$params" --root "$root" --vkey "$vkey" --proofs "$@"
