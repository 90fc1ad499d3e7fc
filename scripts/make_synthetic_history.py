"""Write ``examples/history/synthetic_btc_eth_daily.csv``: ten years of SYNTHETIC daily BTC and ETH closes.

The series is generated, not observed: no package on the registries this project installs from ships real
BTC/ETH daily closes under a licence that allows a derived file to be committed.  It exists so that
``zkmargin calibrate`` has a realistic input with a calm stretch and stress stretches; every figure
calibrated from it is labelled synthetic.

Model (one draw per calendar day, crypto trades every day), seeded so that a run with the same numpy
reproduces the file:

* a regime schedule (:data:`REGIMES`) sets the long-run annualised volatility and log drift of BTC:
  normal 2015-16, a bull market 2017, a bear market 2018, a crash in March-April 2020, a 2022 deleveraging
  and a calm stretch from mid-December 2022 to the end;
* daily variance follows GARCH(1,1) towards the regime's variance,
  ``var[t] = (1 - a - b) * v_regime + a * eps[t-1]**2 + b * var[t-1]`` with ``a = 0.08``, ``b = 0.88``;
* shocks are bivariate Student t (5 degrees of freedom, unit variance, correlation 0.8), so BTC and ETH
  fall together and have fat tails; ETH's volatility is 1.3 times BTC's.

Closes are rounded to cents.  Usage::

    python scripts/make_synthetic_history.py [--out examples/history/synthetic_btc_eth_daily.csv]
"""

from __future__ import annotations

import argparse
import csv
import math
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import numpy.typing as npt

SEED = 20_150_101
START, END = date(2015, 1, 1), date(2024, 12, 31)
START_CLOSE = {"BTC": 320.0, "ETH": 12.0}
#: Regimes by first day: (annualised BTC volatility, annualised BTC log drift).
REGIMES: tuple[tuple[date, float, float], ...] = (
    (date(2015, 1, 1), 0.60, 0.30),
    (date(2017, 1, 1), 0.75, 1.20),
    (date(2018, 1, 10), 1.10, -1.00),
    (date(2018, 12, 31), 0.60, 0.40),
    (date(2020, 3, 5), 1.60, -2.50),
    (date(2020, 4, 20), 0.80, 1.00),
    (date(2022, 5, 1), 1.10, -1.00),
    (date(2022, 12, 15), 0.40, 0.45),
)
ETH_VOL_RATIO = 1.3
ETH_EXTRA_DRIFT = 0.10
CORRELATION = 0.8
DEGREES_OF_FREEDOM = 5
GARCH_A, GARCH_B = 0.08, 0.88
DAYS_PER_YEAR = 365


def regime_on(day: date) -> tuple[float, float]:
    """The (annualised volatility, annualised log drift) of BTC in force on ``day``."""
    current = REGIMES[0]
    for regime in REGIMES:
        if regime[0] <= day:
            current = regime
    return current[1], current[2]


def simulate(seed: int = SEED) -> tuple[list[date], dict[str, npt.NDArray[np.float64]]]:
    """Dates from :data:`START` to :data:`END` and the closes of BTC and ETH (quote per unit, shape (days,))."""
    rng = np.random.default_rng(seed)
    days = [START + timedelta(days=i) for i in range((END - START).days + 1)]
    n = len(days)
    normal = rng.standard_normal((n, 2))
    normal[:, 1] = CORRELATION * normal[:, 0] + math.sqrt(1 - CORRELATION**2) * normal[:, 1]
    mixing = np.sqrt(rng.chisquare(DEGREES_OF_FREEDOM, n) / (DEGREES_OF_FREEDOM - 2))
    shocks = normal / mixing[:, None]  # Student t with unit variance, one mixing variable: tails come together

    log_close = np.log(np.array([START_CLOSE["BTC"], START_CLOSE["ETH"]]))
    closes = np.empty((n, 2))
    closes[0] = np.exp(log_close)
    vol0, _ = regime_on(days[0])
    variance = vol0**2 / DAYS_PER_YEAR
    last_eps = 0.0
    for t in range(1, n):
        vol, drift = regime_on(days[t])
        target = vol**2 / DAYS_PER_YEAR
        variance = (1 - GARCH_A - GARCH_B) * target + GARCH_A * last_eps**2 + GARCH_B * variance
        sigma = math.sqrt(variance)
        eps = sigma * shocks[t]
        last_eps = float(eps[0])
        step_drift = np.array([drift, drift + ETH_EXTRA_DRIFT]) / DAYS_PER_YEAR
        step_sigma = np.array([1.0, ETH_VOL_RATIO])
        log_close = log_close + step_drift + step_sigma * eps
        closes[t] = np.exp(log_close)
    return days, {"BTC": closes[:, 0], "ETH": closes[:, 1]}


def write_csv(path: Path, days: list[date], closes: dict[str, npt.NDArray[np.float64]]) -> None:
    """``date,BTC,ETH`` with closes in cents; every close must stay positive after rounding."""
    names = list(closes)
    with path.open("w", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["date", *names])
        for i, day in enumerate(days):
            row = [f"{closes[name][i]:.2f}" for name in names]
            if any(float(v) <= 0 for v in row):
                raise SystemExit(f"a close rounds to zero on {day}; change the seed or the start closes")
            writer.writerow([day.isoformat(), *row])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    default = Path(__file__).resolve().parent.parent / "examples" / "history" / "synthetic_btc_eth_daily.csv"
    parser.add_argument("--out", type=Path, default=default)
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    days, closes = simulate(args.seed)
    write_csv(args.out, days, closes)
    print(f"wrote {len(days):,} SYNTHETIC daily closes of {', '.join(closes)} "
          f"({days[0]} to {days[-1]}) to {args.out}")


if __name__ == "__main__":
    main()
