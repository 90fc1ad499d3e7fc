"""Regenerate ``examples/``: a BTC/ETH market snapshot, margin parameters and example portfolios.

Deterministic: running it twice writes identical files.  Usage::

    python scripts/make_examples.py [--out examples]
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path
from typing import Any

TIMESTAMP = "2026-11-23T08:00:00Z"
EXPIRIES = {"27NOV26": "2026-11-27", "04DEC26": "2026-12-04", "25DEC26": "2026-12-25", "26MAR27": "2027-03-26",
            "25JUN27": "2027-06-25"}
INDEX = {"BTC": 98_000.0, "ETH": 3_400.0}
BASIS = {"27NOV26": 1.0004, "04DEC26": 1.0012, "25DEC26": 1.004, "26MAR27": 1.016, "25JUN27": 1.028}
STRIKES = {
    "BTC": list(range(70_000, 130_001, 5_000)),
    "ETH": list(range(2_400, 4_401, 200)),
}
SMILE = {"27NOV26": (0.52, -0.10, 0.60), "04DEC26": (0.53, -0.09, 0.55), "25DEC26": (0.55, -0.08, 0.45),
         "26MAR27": (0.58, -0.06, 0.30), "25JUN27": (0.60, -0.05, 0.25)}
ETH_VOL_BUMP = 0.12


def market() -> dict[str, Any]:
    underlyings: dict[str, Any] = {}
    instruments: list[dict[str, Any]] = []
    for und, index in INDEX.items():
        bump = ETH_VOL_BUMP if und == "ETH" else 0.0
        underlyings[und] = {
            "index": index,
            "forwards": {date: round(index * BASIS[code], 2) for code, date in EXPIRIES.items()},
            "smiles": {date: {"atm": round(SMILE[code][0] + bump, 4), "skew": SMILE[code][1],
                              "curvature": SMILE[code][2]} for code, date in EXPIRIES.items()},
        }
        instruments.append({"id": f"{und}-USDC", "kind": "spot", "underlying": und})
        instruments.append({"id": f"{und}-PERPETUAL", "kind": "perpetual", "underlying": und})
        for code in ("25DEC26", "26MAR27"):
            instruments.append({"id": f"{und}-{code}", "kind": "future", "underlying": und,
                                "expiry": f"{EXPIRIES[code]}T08:00:00Z"})
        for code, date in EXPIRIES.items():
            for strike in STRIKES[und]:
                for right, letter in (("call", "C"), ("put", "P")):
                    instruments.append({"id": f"{und}-{code}-{strike}-{letter}", "kind": "option",
                                        "underlying": und, "expiry": f"{date}T08:00:00Z", "strike": strike,
                                        "option_type": right})
    return {"timestamp": TIMESTAMP, "quote": "USD", "rate": 0.04, "underlyings": underlyings,
            "collateral": {"USDC": "1", "USDT": "0.9995", "BTC": "98000", "ETH": "3400"},
            "instruments": instruments}


def params() -> dict[str, Any]:
    return {"im_multiplier_bp": 13_000, "mm_multiplier_bp": 10_000, "som_rate_bp": 100,
            "som_fixed_per_contract": "0", "epoch": 20261123,
            "haircuts_bp": {"USDC": 0, "USDT": 200, "BTC": 1_000, "ETH": 1_500},
            "limits": {"BTC": {"max_abs_delta": 25, "max_abs_vega": 250_000},
                       "ETH": {"max_abs_delta": 400, "max_abs_vega": 150_000}}}


def pos(instrument: str, quantity: str) -> dict[str, str]:
    return {"instrument": instrument, "quantity": quantity}


def portfolios() -> dict[str, dict[str, Any]]:
    books: dict[str, dict[str, Any]] = {
        "naked_short_call": {"positions": [pos("BTC-25DEC26-105000-C", "-1")],
                             "collateral": {"USDC": "20000"}},
        "covered_call": {"positions": [pos("BTC-PERPETUAL", "1"), pos("BTC-25DEC26-105000-C", "-1")],
                         "collateral": {"USDC": "20000"}},
        "long_straddle": {"positions": [pos("BTC-25DEC26-100000-C", "1"), pos("BTC-25DEC26-100000-P", "1")],
                          "collateral": {"USDC": "2000"}},
        "butterfly": {"positions": [pos("BTC-25DEC26-95000-C", "1"), pos("BTC-25DEC26-100000-C", "-2"),
                                    pos("BTC-25DEC26-105000-C", "1")],
                      "collateral": {"USDC": "3000"}},
        "delta_hedged_short_strangle": {
            "positions": [pos("BTC-25DEC26-110000-C", "-10"), pos("BTC-25DEC26-85000-P", "-10"),
                          pos("BTC-PERPETUAL", "1.4")],
            "collateral": {"USDC": "150000", "BTC": "1"}},
        "calendar_spread": {"positions": [pos("BTC-27NOV26-100000-C", "-1"), pos("BTC-26MAR27-100000-C", "1")],
                            "collateral": {"USDC": "6000"}},
        "two_underlying_book": {
            "positions": [pos("BTC-25DEC26-100000-P", "2"), pos("BTC-25DEC26", "-0.5"),
                          pos("ETH-25DEC26-3600-C", "-20"), pos("ETH-PERPETUAL", "8"), pos("ETH-USDC", "5")],
            "collateral": {"USDC": "60000", "BTC": "0.25", "ETH": "4"}},
    }
    rng = random.Random(20261123)
    positions = []
    for und, lots in (("BTC", "0.1"), ("ETH", "1")):
        for code in EXPIRIES:
            for strike in STRIKES[und]:
                for letter in ("C", "P"):
                    qty = rng.choice([-5, -4, -3, -2, -1, 1, 2, 3, 4, 5]) * float(lots)
                    positions.append(pos(f"{und}-{code}-{strike}-{letter}", f"{qty:g}"))
        positions.append(pos(f"{und}-PERPETUAL", f"{rng.randint(-20, 20) * float(lots):g}"))
        positions.append(pos(f"{und}-25DEC26", f"{rng.randint(-20, 20) * float(lots):g}"))
    books["market_maker_book"] = {"positions": positions,
                                  "collateral": {"USDC": "2500000", "USDT": "500000", "BTC": "10", "ETH": "150"}}
    return {name: {"account": name.replace("_", "-"), **book} for name, book in books.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent.parent / "examples")
    args = parser.parse_args()
    out: Path = args.out
    (out / "portfolios").mkdir(parents=True, exist_ok=True)
    (out / "market.json").write_text(json.dumps(market(), indent=2) + "\n")
    (out / "params.json").write_text(json.dumps(params(), indent=2) + "\n")
    for name, book in portfolios().items():
        (out / "portfolios" / f"{name}.json").write_text(json.dumps(book, indent=2) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
