"""Risk parameters: per-instrument risk arrays, marks and charges, quantised to the number contract.

:func:`build_risk_table` turns a market snapshot, a scenario set and margin
parameters into a :class:`RiskTable`, the integer data that both the margin
engine and the circuit consume (and that the params root commits to).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import numpy as np
import numpy.typing as npt

from zkmargin.constants import (
    ASSET_RISK_BITS,
    BP,
    CHARGE_BITS,
    MAX_HAIRCUT_BP,
    MONEY_SCALE,
    PRICE_BITS,
    QTY_SCALE,
    RISK_BITS,
    TIER_BITS,
    BoundsError,
    check_unsigned,
    signed_limit,
    to_balance_units,
    to_micro,
)
from zkmargin.engine import errors
from zkmargin.engine.errors import InputError
from zkmargin.engine.models import (
    MAX_TIERS,
    Instrument,
    InstrumentKind,
    MarginParams,
    MarketSnapshot,
    OptionType,
    ScenarioSet,
    VolMode,
)
from zkmargin.engine.pricing import DAYS_PER_YEAR, FloatArray, black76, black76_greeks

IntArray = npt.NDArray[np.int64]

#: micro-units per lot for one unit of quote currency per contract.
MICRO_PER_LOT = MONEY_SCALE / QTY_SCALE

#: Instrument kind codes in the risk table and the circuit leaf.
KIND_SPOT, KIND_LINEAR, KIND_CALL, KIND_PUT = 0, 1, 2, 3


@dataclass(frozen=True)
class RiskTable:
    """The day's integer risk parameters (I instruments, S scenarios, G groups, K assets).

    Attributes
    ----------
    instrument_ids : list[str], length I, in market order (leaf order).
    groups : list[str], length G, sorted underlying names; ``group_index[i]`` indexes it.
    group_index : int64[I].
    is_option : bool[I].
    kind : int64[I], ``KIND_SPOT`` 0, ``KIND_LINEAR`` 1 (perpetual or future), ``KIND_CALL`` 2, ``KIND_PUT`` 3.
    risk_array : int64[I, S], micro-units per lot, cover weight applied, floored (rule R1).
    mark : int64[I], value of one lot in micro-units, floored (R3); 0 for perpetuals and futures,
        whose variation margin is settled into collateral; a spot lot is valued net of its asset's haircut,
        as the same amount held as collateral is.
    gross_mark : int64[I], ``mark`` before the spot haircut (the v1 mark).
    charge : int64[I], short-option-minimum charge per lot, micro-units, rounded up (R4); 0 for non-options.
    delta : int64[I], delta of one lot in index terms (d value / d index), micro-units of the underlying,
        rounded to nearest: Black-76 delta times F/S for options, F/S for futures, 1 per unit otherwise.
    vega : int64[I], vega of one lot in micro-units of quote per vol point (rounded to nearest).
    greeks : dict of float64[I] per contract: ``delta``, ``gamma``, ``vega``, ``theta`` (for reports).
    scenario_names : list[str], length S.
    assets : list[str], length K, sorted collateral asset names.
    asset_price : list[int], micro-units per whole asset unit, floored.
    haircut_bp : list[int], basis points.
    asset_group : list[int], length K: the group of the underlying an asset is, or G for an asset that is no
        underlying (it then has a zero risk row).
    asset_risk : int64[K, S], P&L of one whole unit of the asset in micro-units, cover weight applied,
        floored (R1): collateral moves with its underlying's spot price.
    tier_threshold : int64[G, MAX_TIERS], size-tier thresholds of net delta in 1e-8 units of the underlying.
    tier_rate : int64[G, MAX_TIERS], micro-units per whole unit of net delta beyond the threshold, rounded up;
        0 for unused tiers.
    intergroup_credit_bp, im_multiplier_bp, mm_multiplier_bp, epoch : from the margin parameters.
    """

    instrument_ids: list[str]
    groups: list[str]
    group_index: IntArray
    is_option: npt.NDArray[np.bool_]
    kind: IntArray
    risk_array: IntArray
    mark: IntArray
    gross_mark: IntArray
    charge: IntArray
    delta: IntArray
    vega: IntArray
    greeks: dict[str, FloatArray]
    contract_size: FloatArray
    scenario_names: list[str]
    assets: list[str]
    asset_price: list[int]
    haircut_bp: list[int]
    asset_group: list[int]
    asset_risk: IntArray
    tier_threshold: IntArray
    tier_rate: IntArray
    intergroup_credit_bp: int
    im_multiplier_bp: int
    mm_multiplier_bp: int
    epoch: int

    @property
    def n_instruments(self) -> int:
        return len(self.instrument_ids)

    @property
    def n_scenarios(self) -> int:
        return len(self.scenario_names)

    def index_of(self) -> dict[str, int]:
        """Map instrument id -> leaf index."""
        return {iid: i for i, iid in enumerate(self.instrument_ids)}


def _years(inst: Instrument, market: MarketSnapshot) -> float:
    if inst.expiry is None:
        return 0.0
    seconds = (inst.expiry - market.timestamp).total_seconds()
    if seconds <= 0:
        raise InputError(errors.expired(inst.id, inst.expiry, market.timestamp), field="expiry", instrument=inst.id)
    return seconds / (DAYS_PER_YEAR * 86400.0)


def _forward(inst: Instrument, market: MarketSnapshot, t: float) -> float:
    und = market.underlyings[inst.underlying]
    if inst.kind in (InstrumentKind.SPOT, InstrumentKind.PERPETUAL) or inst.expiry is None:
        return und.index
    key = inst.expiry.date().isoformat()
    if key in und.forwards:
        return und.forwards[key]
    return float(und.index * np.exp(market.rate * t))


def _vol(inst: Instrument, market: MarketSnapshot, fwd: float) -> float:
    if inst.iv is not None:
        return inst.iv
    assert inst.expiry is not None and inst.strike is not None
    smile = market.underlyings[inst.underlying].smiles.get(inst.expiry.date().isoformat())
    if smile is None:
        raise InputError(errors.no_vol(inst.id), field="iv", instrument=inst.id)
    m = float(np.log(inst.strike / fwd))
    vol = smile.atm + smile.skew * m + smile.curvature * m * m
    if not (np.isfinite(vol) and vol > 0):
        raise InputError(errors.bad_vol(inst.id, vol), field="smiles", instrument=inst.id)
    return vol


def _quantise(values: FloatArray, rounding: str, name: str, ids: list[str], bits: int) -> IntArray:
    """Round float micro-unit values to int64 (floor or ceil) and check them against ``bits`` (signed)."""
    if not np.all(np.isfinite(values)):
        bad = int(np.argwhere(~np.isfinite(values))[0][0])
        raise BoundsError(f"{name} of instrument {ids[bad]} is not finite")
    rounded = np.floor(values) if rounding == "floor" else np.ceil(values)
    lim = signed_limit(bits)
    out_of_range = np.abs(rounded) >= lim
    if out_of_range.any():
        bad = int(np.argwhere(out_of_range)[0][0])
        raise BoundsError(f"{name} of instrument {ids[bad]} exceeds the number contract (|x| < 2^{bits - 1} micro)")
    return rounded.astype(np.int64)


def build_risk_table(market: MarketSnapshot, scenarios: ScenarioSet, params: MarginParams, *,
                     haircuts_required: bool = True) -> RiskTable:
    """Price every listed instrument under every scenario and quantise the result.

    Scenario P&L of one contract is ``contract_size * (V' - V)`` where ``V`` is the
    Black-76 value (options) or the forward (linear instruments) and ``V'`` the value
    with the forward moved by ``price_move``, the vol moved and the clock advanced by
    ``time_step_days``.  It is converted to micro-units per lot, multiplied by the
    cover weight and floored (rule R1).

    ``haircuts_required`` (default) makes a collateral asset without a haircut an error; without it such
    an asset gets the full haircut of 10,000 bp (worth nothing), for uses that value no collateral, such as
    listing risk arrays.

    Raises
    ------
    InputError
        An expired instrument, an underlying with no price, an option with no volatility.
    BoundsError
        A quantised value outside the number contract.
    """
    insts = market.instruments
    ids = [i.id for i in insts]
    for inst in insts:
        if inst.underlying not in market.underlyings:
            raise InputError(errors.no_underlying_price(inst.id, inst.underlying), field="underlying",
                             instrument=inst.id)
    n = len(insts)
    t = np.array([_years(i, market) for i in insts])
    fwd = np.array([_forward(i, market, ti) for i, ti in zip(insts, t, strict=True)])
    is_option = np.array([i.kind is InstrumentKind.OPTION for i in insts], dtype=bool)
    is_spot = np.array([i.kind is InstrumentKind.SPOT for i in insts], dtype=bool)
    is_call = np.array([i.option_type is OptionType.CALL for i in insts], dtype=bool)
    strike = np.array([i.strike if i.strike is not None else 1.0 for i in insts])
    vol = np.array([_vol(i, market, f) if i.kind is InstrumentKind.OPTION else 0.0
                    for i, f in zip(insts, fwd, strict=True)])
    size = np.array([i.contract_size for i in insts])
    index = np.array([market.underlyings[i.underlying].index for i in insts])

    sc = scenarios.scenarios
    for und in scenarios.range_scale:
        if und not in market.underlyings:
            raise InputError(f"range_scale names {und}, which the market does not price", field="range_scale")
    scale = np.array([scenarios.range_scale.get(i.underlying, 1.0) for i in insts])[:, None]
    scaled = np.array([s.scaled for s in sc])[None, :]
    factor = np.where(scaled, scale, 1.0)
    dated = np.array([i.expiry is not None for i in insts])
    move = factor * (np.array([s.price_move for s in sc])[None, :]
                     + np.where(is_spot, 0.0, 1.0)[:, None] * np.array([s.basis_move for s in sc])[None, :]
                     + (np.sqrt(t) * dated)[:, None] * np.array([s.term_move for s in sc])[None, :])
    if np.any(move <= -1.0):
        raise InputError(f"a scenario moves a price by -100% or more (range_scale {scenarios.range_scale})",
                         field="range_scale")
    weight = np.array([s.weight for s in sc])[None, :]
    dte = (t * DAYS_PER_YEAR)[:, None]
    floor_days = np.array([s.vol_scale_floor_days for s in sc])[None, :]
    power = np.array([s.vol_scale_power for s in sc])[None, :]
    vol_scale = (30.0 / np.maximum(dte, floor_days)) ** power
    dvol = np.array([s.vol_move for s in sc])[None, :] * vol_scale
    relative = np.array([s.vol_mode is VolMode.RELATIVE for s in sc])[None, :]
    vol_s = np.where(relative, vol[:, None] * (1.0 + dvol), vol[:, None] + dvol)
    t_s = np.maximum(t[:, None] - np.array([s.time_step_days for s in sc])[None, :] / DAYS_PER_YEAR, 0.0)
    fwd_s = fwd[:, None] * (1.0 + move)

    opt_now = black76(fwd, strike, vol, t, market.rate, is_call)
    opt_s = black76(fwd_s, strike[:, None], vol_s, t_s, market.rate, is_call[:, None])
    value_now = np.where(is_option, opt_now, fwd)
    value_s = np.where(is_option[:, None], opt_s, fwd_s)
    pnl = (value_s - value_now[:, None]) * size[:, None] * MICRO_PER_LOT * weight
    risk_array = _quantise(pnl, "floor", "risk array", ids, RISK_BITS)

    spot_haircut = np.array([params.haircuts_bp.get(i.underlying, 0) if i.kind is InstrumentKind.SPOT else 0
                             for i in insts], dtype=np.int64)
    gross_value = np.where(is_option, opt_now, np.where(is_spot, fwd, 0.0)) * size * MICRO_PER_LOT
    gross_mark = _quantise(gross_value, "floor", "mark", ids, RISK_BITS)
    mark = gross_mark * (BP - spot_haircut) // BP  # rule R10, exact in int64 (|gross_mark| < 2^40)

    fixed = float(Fraction(str(params.som_fixed_per_contract)))
    som_contract = np.maximum(params.som_rate_bp / BP * index * size, fixed)
    charge = _quantise(np.where(is_option, som_contract * MICRO_PER_LOT, 0.0), "ceil", "short option minimum",
                       ids, CHARGE_BITS + 1)

    greeks = black76_greeks(fwd, strike, np.maximum(vol, 1e-4), np.maximum(t, 1e-9), market.rate, is_call)
    linear = {"delta": np.ones(n), "gamma": np.zeros(n), "vega": np.zeros(n), "theta": np.zeros(n)}
    greeks = {k: np.where(is_option, greeks[k], linear[k]) for k in greeks}
    # index terms: a dated forward moves F/S per unit of index (F = S * exp(r T)), a perpetual and spot 1:1
    per_index = np.where(dated, fwd / index, 1.0)
    greeks["delta"] = greeks["delta"] * per_index
    delta = np.rint(greeks["delta"] * size * MICRO_PER_LOT).astype(np.int64)
    vega = np.rint(greeks["vega"] * size * MICRO_PER_LOT).astype(np.int64)

    groups = sorted({i.underlying for i in insts})
    gmap = {g: k for k, g in enumerate(groups)}
    group_index = np.array([gmap[i.underlying] for i in insts], dtype=np.int64)

    assets = sorted(market.collateral)
    asset_price = [check_unsigned(f"price of collateral {a}", to_micro(market.collateral[a]), PRICE_BITS)
                   for a in assets]
    if haircuts_required:
        for a in assets:
            if a not in params.haircuts_bp:
                raise InputError(errors.no_haircut(a), field="haircuts_bp")
    haircut = [params.haircuts_bp.get(a, MAX_HAIRCUT_BP) for a in assets]
    asset_group, asset_risk = _asset_risk(scenarios, groups, assets, asset_price)
    tier_threshold, tier_rate = _tiers(params, market, groups)
    kind = np.where(is_option, np.where(is_call, KIND_CALL, KIND_PUT), np.where(is_spot, KIND_SPOT, KIND_LINEAR))

    return RiskTable(
        instrument_ids=ids, groups=groups, group_index=group_index, is_option=is_option,
        kind=kind.astype(np.int64), risk_array=risk_array, mark=mark, gross_mark=gross_mark, charge=charge,
        delta=delta, vega=vega, greeks=greeks, contract_size=size, scenario_names=[s.name for s in sc],
        assets=assets, asset_price=asset_price, haircut_bp=haircut, asset_group=asset_group,
        asset_risk=asset_risk, tier_threshold=tier_threshold, tier_rate=tier_rate,
        intergroup_credit_bp=params.intergroup_credit_bp, im_multiplier_bp=params.im_multiplier_bp,
        mm_multiplier_bp=params.mm_multiplier_bp, epoch=params.epoch,
    )


def _asset_risk(scenarios: ScenarioSet, groups: list[str], assets: list[str],
                asset_price: list[int]) -> tuple[list[int], IntArray]:
    """Group and risk row of each collateral asset: an asset named like an underlying moves with its spot
    price (the scenario's price move, range-scaled, weighted, floored); any other asset has a zero row."""
    sc = scenarios.scenarios
    group_of = [groups.index(a) if a in groups else len(groups) for a in assets]
    rows = np.zeros((len(assets), len(sc)), dtype=np.int64)
    for k, (a, g) in enumerate(zip(assets, group_of, strict=True)):
        if g == len(groups):
            continue
        k_scale = scenarios.range_scale.get(a, 1.0)
        pnl = np.array([asset_price[k] * s.price_move * (k_scale if s.scaled else 1.0) * s.weight for s in sc])
        rows[k] = _quantise(pnl, "floor", "collateral risk array", [a] * len(sc), ASSET_RISK_BITS)
    return group_of, rows


def _tiers(params: MarginParams, market: MarketSnapshot, groups: list[str]) -> tuple[IntArray, IntArray]:
    """Size tiers per group: thresholds in 1e-8 units of the underlying, rates in micro-units per whole unit
    (``ceil(rate_bp * index / 10^4)``); unused tiers have rate 0."""
    threshold = np.zeros((len(groups), MAX_TIERS), dtype=np.int64)
    rate = np.zeros((len(groups), MAX_TIERS), dtype=np.int64)
    for und in params.concentration:
        if und not in groups:
            raise InputError(f"concentration names {und}, which no listed instrument has as its underlying",
                             field="concentration")
    for g, und in enumerate(groups):
        index_micro = to_micro(market.underlyings[und].index)
        for t, tier in enumerate(params.concentration.get(und, [])):
            try:
                threshold[g, t] = check_unsigned(f"{und} tier threshold", to_balance_units(tier.threshold),
                                                 TIER_BITS)
            except BoundsError as exc:
                raise InputError(str(exc), field="concentration") from exc
            rate[g, t] = check_unsigned(f"{und} tier rate", -((-tier.rate_bp * index_micro) // BP), PRICE_BITS)
    return threshold, rate
