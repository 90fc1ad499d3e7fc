#!/usr/bin/env bash
# The zkmargin demo: margin every example portfolio, show one full report and the isolated-vs-portfolio saving.
# Run through `make demo`, which installs everything first.
set -euo pipefail
cd "$(dirname "$0")/.."
ZK=.venv/bin/zkmargin
EX=examples

step() { printf '\n\033[1m== %s ==\033[0m\n' "$*"; }

step "Margin of every example portfolio (span16 scenarios), one vectorised call"
$ZK batch --market $EX/market.json --params $EX/params.json $EX/portfolios

step "Full report: a two-underlying book"
$ZK margin --market $EX/market.json --params $EX/params.json --portfolio $EX/portfolios/two_underlying_book.json

step "The market-maker book under the crypto-grid scenarios"
$ZK margin --market $EX/market.json --params $EX/params.json --portfolio $EX/portfolios/market_maker_book.json \
  --scenarios crypto-grid
