"""Generate a simulated venue of A accounts as a ``zkmargin-venue-accounts`` file for ``zkmargin venue prove``.

The mix, drawn from one seeded generator (same seed, same file):

* 50% one perpetual or future, long or short, against USDC (the venue account size ``small``);
* 20% a v2 example portfolio (``examples/portfolios``, those of at most 6 positions), scaled by 1, 2 or 5;
* 25% a random book of 2 to 6 positions over one or two underlyings, options included, with USDC and some BTC
  or ETH collateral (size ``test``);
* 4.7% a random book of 7 to 16 positions over both underlyings (size ``standard``);
* 0.3% a market maker's book of 17 to 64 positions over both underlyings, proven in chunks (size
  ``book_large``).

About 2% of the accounts are posted too little collateral and end up below maintenance margin; with the example
portfolios that hold no cash, about 4% of a venue is below it.  Quantities have
at most 3 decimals (whole lots); collateral amounts are whole units.

Usage: ``python scripts/make_venue.py --accounts 1000 --out venue.json [--seed 7] [--market examples/market.json]
[--no-desks]``; ``--no-desks`` leaves out the books of more than 6 positions.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
#: Example portfolios with at most this many positions join the mix (the ``test`` size holds 6).
EXAMPLE_POSITIONS = 6


def instruments_by(market: dict[str, Any]) -> dict[tuple[str, str], list[str]]:
    """Instrument ids by (underlying, kind): kinds spot, perpetual, future, call, put."""
    found: dict[tuple[str, str], list[str]] = {}
    for item in market["instruments"]:
        kind = item.get("option_type", item["kind"]) if item["kind"] == "option" else item["kind"]
        found.setdefault((item["underlying"], kind), []).append(item["id"])
    return found


def quantity(rng: random.Random, low: float, high: float) -> str:
    """A signed quantity with magnitude in [low, high], at most 3 decimals, never 0."""
    value = round(rng.uniform(low, high), 3) or 0.001
    return str(value if rng.random() < 0.5 else -value)


def collateral_for(rng: random.Random, notional: float, underlyings: list[str], thin: bool) -> dict[str, str]:
    """USDC worth 15% to 60% of ``notional`` (3% when ``thin``), sometimes with some of an underlying."""
    share = 0.03 if thin else rng.uniform(0.15, 0.6)
    usdc = max(1, int(notional * share))
    out = {"USDC": str(usdc)}
    if not thin and underlyings and rng.random() < 0.3:
        coin = rng.choice(underlyings)
        out[coin] = str(rng.randint(1, 3) if coin == "BTC" else rng.randint(5, 40))
    return out


def random_book(rng: random.Random, by: dict[tuple[str, str], list[str]], index: dict[str, float], positions: int,
                underlyings: list[str], thin: bool, name: str) -> dict[str, Any]:
    """A random book of ``positions`` distinct instruments over ``underlyings``."""
    chosen: dict[str, str] = {}
    notional = 0.0
    while len(chosen) < positions:
        under = rng.choice(underlyings)
        kind = rng.choice(["perpetual", "future", "call", "put", "call", "put"])
        ids = by.get((under, kind))
        if not ids:
            continue
        instrument = rng.choice(ids)
        if instrument in chosen:
            continue
        size = (0.05, 2.0) if under == "BTC" else (1.0, 30.0)
        chosen[instrument] = quantity(rng, *size)
        notional += abs(float(chosen[instrument])) * index[under]
    return {"account": name, "positions": [{"instrument": i, "quantity": q} for i, q in chosen.items()],
            "collateral": collateral_for(rng, notional, underlyings, thin)}


def make_venue(accounts: int, seed: int, market_path: Path, desks: bool = True) -> dict[str, Any]:
    """The venue accounts document; without ``desks``, the 5% share of books of more than 6 positions becomes
    2-to-6-position books (a venue whose accounts all fit the ``test`` size)."""
    rng = random.Random(seed)
    market = json.loads(market_path.read_text())
    by = instruments_by(market)
    index = {name: float(u["index"]) for name, u in market["underlyings"].items()}
    examples = []
    for path in sorted((EXAMPLES / "portfolios").glob("*.json")):
        data = json.loads(path.read_text())
        if len(data.get("positions", [])) <= EXAMPLE_POSITIONS:
            examples.append(data)
    entries = []
    for n in range(accounts):
        account_id = n + 1
        thin = rng.random() < 0.02
        draw = rng.random()
        if draw < 0.5:
            under = rng.choice(sorted(index))
            kind = rng.choice(["perpetual", "future"])
            instrument = rng.choice(by[(under, kind)])
            qty = quantity(rng, *((0.01, 3.0) if under == "BTC" else (0.5, 60.0)))
            notional = abs(float(qty)) * index[under]
            usdc = max(1, int(notional * (0.03 if thin else rng.uniform(0.12, 0.8))))
            portfolio = {"account": f"trader-{account_id}", "positions": [{"instrument": instrument, "quantity": qty}],
                         "collateral": {"USDC": str(usdc)}}
        elif draw < 0.7:
            base = rng.choice(examples)
            scale = rng.choice([1, 2, 5])
            portfolio = {"account": f"{base.get('account', 'example')}-{account_id}",
                         "positions": [{"instrument": p["instrument"],
                                        "quantity": str(round(float(p["quantity"]) * scale, 3))}
                                       for p in base["positions"]],
                         "collateral": {k: str(round(float(v) * (0.02 if thin else scale), 8))
                                        for k, v in base.get("collateral", {}).items()}}
        elif draw < 0.95 or not desks:
            unders = rng.sample(sorted(index), rng.choice([1, 1, 2]))
            portfolio = random_book(rng, by, index, rng.randint(2, 6), unders, thin, f"book-{account_id}")
        elif draw < 0.997:
            portfolio = random_book(rng, by, index, rng.randint(7, 16), sorted(index), thin, f"desk-{account_id}")
        else:
            portfolio = random_book(rng, by, index, rng.randint(17, 64), sorted(index), thin, f"maker-{account_id}")
        entries.append({"id": account_id, "portfolio": portfolio})
    return {"format": "zkmargin-venue-accounts", "version": 1, "venue": f"simulated-{accounts}", "accounts": entries}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, required=True, help="how many accounts (A)")
    parser.add_argument("--out", type=Path, required=True, help="where to write the accounts file")
    parser.add_argument("--seed", type=int, default=7, help="generator seed (default %(default)s)")
    parser.add_argument("--market", type=Path, default=EXAMPLES / "market.json", help="market snapshot")
    parser.add_argument("--no-desks", action="store_true", help="no books of more than 6 positions")
    args = parser.parse_args(argv)
    if args.accounts < 1:
        print("make_venue: error: --accounts must be at least 1", file=sys.stderr)
        return 2
    if not args.market.is_file():
        print(f"make_venue: error: {args.market}: no such file", file=sys.stderr)
        return 2
    if not args.out.parent.is_dir():
        print(f"make_venue: error: the folder {args.out.parent} does not exist", file=sys.stderr)
        return 2
    document = make_venue(args.accounts, args.seed, args.market, desks=not args.no_desks)
    args.out.write_text(json.dumps(document, indent=1) + "\n")
    print(f"wrote {args.accounts:,} accounts to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
