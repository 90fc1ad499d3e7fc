#!/usr/bin/env bash
# The zkmargin demo, end to end: margin every example portfolio, publish the venue's params root and key,
# prove one account's margin and solvency, verify the proof three ways (Python, snarkjs, the Solidity
# verifier and MarginRegistry on an in-process EVM, with gas), audit it as an outsider would, prove a
# market maker's book of 244 positions in chunks and verify it three ways, and finally prove a whole venue of
# 20 accounts on Ray, check one owner's inclusion and audit the venue.
# Run through `make demo`, which installs everything first.
#
# out/demo/published/ is what a venue publishes (root, leaf table, key, proofs); out/demo/private/ holds the
# salt, which is never published.
set -euo pipefail
cd "$(dirname "$0")/.."
ZK=.venv/bin/zkmargin
EX=examples
MARKET=(--market $EX/market.json --params $EX/params.json)
OUT=out/demo
PUB=$OUT/published
mkdir -p "$PUB/proofs" "$PUB/books" "$OUT/private"
chmod 700 "$OUT/private"

step() { printf '\n\033[1m== %s ==\033[0m\n' "$*"; }

step "1. Margin of every example portfolio (v2 scenarios), one vectorised call"
$ZK batch "${MARKET[@]}" $EX/portfolios

step "1b. Margin model v1 against v2 on the eight rule examples"
.venv/bin/python scripts/compare_models.py

step "2. Full report: a two-underlying book"
$ZK margin "${MARKET[@]}" --portfolio $EX/portfolios/two_underlying_book.json

step "2b. Pre-trade check: six orders against that book, each alone and all together"
$ZK what-if "${MARKET[@]}" --portfolio $EX/portfolios/two_underlying_book.json --orders $EX/orders/two_underlying_book.json

step "3. The venue publishes its params root (and the leaf table behind it)"
$ZK params-root "${MARKET[@]}" --leaves "$PUB/leaves.json"
$ZK params-root "${MARKET[@]}" --json | python3 -c 'import json, sys; print(json.load(sys.stdin)["params_root_hex"])' \
  > "$PUB/params_root.txt"

step "4. Trusted setup of the test-size circuit (INSECURE dev keys; cached after the first run)"
$ZK setup --size test --vkey-out "$PUB/verification_key.json"

step "5. Prove the two-underlying book's margin and solvency"
$ZK prove "${MARKET[@]}" --portfolio $EX/portfolios/two_underlying_book.json \
  --out "$PUB/proofs/two_underlying_book.proof.json" --salt-out "$OUT/private/two_underlying_book.salt.json"

step "6. Verify against the published root and key (Python, snarkjs, Solidity + registry on an EVM); the owner opens the margins"
$ZK verify "$PUB/proofs/two_underlying_book.proof.json" --vkey "$PUB/verification_key.json" \
  --root "$(cat "$PUB/params_root.txt")" --snarkjs --evm --open "$OUT/private/two_underlying_book.salt.json"

step "7. Audit: recompute the root from the market snapshot and check every proof (Python only)"
bash scripts/audit_example.sh

step "8. A market maker's book of 244 positions: proven in chunks (size large), verified three ways"
$ZK setup --size large --vkey-out "$PUB/book_verification_key.json" \
  --chunk-vkey-out "$PUB/chunk_verification_key.json"
$ZK prove "${MARKET[@]}" --size large --portfolio $EX/portfolios/market_maker_book.json \
  --out "$PUB/books/market_maker_book.book.json" --salt-out "$OUT/private/market_maker_book.salt.json"
$ZK verify "$PUB/books/market_maker_book.book.json" --vkey "$PUB/book_verification_key.json" \
  --chunk-vkey "$PUB/chunk_verification_key.json" --root "$(cat "$PUB/params_root.txt")" --snarkjs --evm \
  --open "$OUT/private/market_maker_book.salt.json"

step "9. Venue-wide solvency: 20 accounts proven into one account tree on Ray; one owner checks inclusion; the venue is audited"
.venv/bin/python scripts/make_venue.py --accounts 20 --no-desks --out "$OUT/private/venue_accounts.json"
$ZK venue prove --accounts "$OUT/private/venue_accounts.json" "${MARKET[@]}" --out "$PUB/venue" \
  --private "$OUT/private/venue"
.venv/bin/python -c 'import json, sys; print(json.dumps(json.load(open(sys.argv[1]))["accounts"][2]["portfolio"]))' \
  "$OUT/private/venue_accounts.json" > "$OUT/private/venue_account_3.json"
$ZK venue check-inclusion --receipt "$(ls "$OUT"/private/venue/receipts/3-*.json)" \
  --statement "$PUB/venue/statement.json" --account "$OUT/private/venue_account_3.json" "${MARKET[@]}" \
  --allow-insecure
$ZK venue audit --statement "$PUB/venue/statement.json" "${MARKET[@]}" --allow-insecure
