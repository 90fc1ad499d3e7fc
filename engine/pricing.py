"""Black-76 pricing on the forward, vectorised over instruments and scenarios.

All functions take float64 arrays that broadcast together and return float64
arrays of the broadcast shape.  Prices are per unit of underlying in quote
currency; times are in years; volatilities are annualised fractions.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from scipy.special import ndtr

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

DAYS_PER_YEAR = 365.0
MIN_VOL = 1e-4


def _d1_d2(fwd: FloatArray, strike: FloatArray, vol: FloatArray, t: FloatArray) -> tuple[FloatArray, FloatArray]:
    sqrt_t = np.sqrt(np.maximum(t, 1e-300))
    sig = vol * sqrt_t
    with np.errstate(divide="ignore", invalid="ignore"):
        d1 = (np.log(fwd / strike) + 0.5 * vol * vol * t) / sig
    return d1, d1 - sig


def black76(fwd: FloatArray, strike: FloatArray, vol: FloatArray, t: FloatArray, rate: float,
            is_call: BoolArray) -> FloatArray:
    """Black-76 value of a European option; at ``t <= 0`` the intrinsic value.

    Volatility is floored at ``MIN_VOL`` so that a stressed vol never goes negative.
    """
    vol = np.maximum(vol, MIN_VOL)
    live = t > 0
    d1, d2 = _d1_d2(fwd, strike, vol, t)
    disc = np.exp(-rate * np.maximum(t, 0.0))
    call = disc * (fwd * ndtr(d1) - strike * ndtr(d2))
    put = disc * (strike * ndtr(-d2) - fwd * ndtr(-d1))
    value = np.where(is_call, call, put)
    intrinsic = np.where(is_call, np.maximum(fwd - strike, 0.0), np.maximum(strike - fwd, 0.0))
    result: FloatArray = np.where(live, value, intrinsic)
    return result


def black76_greeks(fwd: FloatArray, strike: FloatArray, vol: FloatArray, t: FloatArray, rate: float,
                   is_call: BoolArray) -> dict[str, FloatArray]:
    """Delta (per unit forward), gamma, vega (per vol point = 0.01) and theta (per day) of Black-76."""
    vol = np.maximum(vol, MIN_VOL)
    d1, _ = _d1_d2(fwd, strike, vol, t)
    disc = np.exp(-rate * t)
    pdf = np.exp(-0.5 * d1 * d1) / np.sqrt(2 * np.pi)
    delta = np.where(is_call, disc * ndtr(d1), disc * (ndtr(d1) - 1.0))
    gamma = disc * pdf / (fwd * vol * np.sqrt(t))
    vega = disc * fwd * pdf * np.sqrt(t) / 100.0
    one_day = 1.0 / DAYS_PER_YEAR
    theta = black76(fwd, strike, vol, np.maximum(t - one_day, 0.0), rate, is_call) - black76(
        fwd, strike, vol, t, rate, is_call)
    return {"delta": delta, "gamma": gamma, "vega": vega, "theta": theta}
