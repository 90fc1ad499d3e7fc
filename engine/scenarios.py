"""Scenario-set presets: ``v2`` (the default), ``span16``, ``crypto-grid`` and ``seed5``."""

from __future__ import annotations

from collections.abc import Callable

from zkmargin.engine.models import Scenario, ScenarioSet, VolMode

SPAN_PRICE_RANGE = 0.15
SPAN_VOL_RANGE = 0.10
SPAN_EXTREME_COVER = 0.35

GRID_CORE_RANGE = 0.16
GRID_CORE_STEPS = 9
GRID_VOL_UP = 0.45
GRID_VOL_DOWN = -0.30
GRID_VOL_POWER = 0.3
GRID_VOL_FLOOR_DAYS = 7.0
GRID_EXTENDED_MOVES = (0.24, 0.32, 0.48)

V2_CORE_RANGE = 0.15
V2_VOL_UP = 0.30
V2_VOL_DOWN = -0.20
V2_VOL_POWER = 0.3
V2_VOL_FLOOR_DAYS = 7.0
V2_TAIL_MOVES = (-0.66, -0.50, -0.33, 0.50, 1.00, 5.00)
V2_TAIL_VOL_UP = 0.50
V2_BASIS = 0.01
V2_TERM = 0.03


def span16(price_range: float = SPAN_PRICE_RANGE, vol_range: float = SPAN_VOL_RANGE) -> ScenarioSet:
    """The CME SPAN 16 scenarios.

    Price moves are fractions of ``price_range``; vol moves are ``±vol_range``
    absolute vol points.  Scenarios 15 and 16 move price by ±2 ranges with vol
    unchanged and count 35% of their P&L (the SPAN extreme-move cover).
    """
    rows: list[Scenario] = []
    for frac, label in ((0.0, "0"), (1 / 3, "1/3"), (-1 / 3, "-1/3"), (2 / 3, "2/3"), (-2 / 3, "-2/3"),
                        (1.0, "3/3"), (-1.0, "-3/3")):
        for vol, vlabel in ((vol_range, "up"), (-vol_range, "down")):
            sign = "+" if frac > 0 else ""
            rows.append(Scenario(name=f"price {sign}{label} vol {vlabel}", price_move=frac * price_range,
                                 vol_move=vol))
    for mult, label in ((2.0, "+2x"), (-2.0, "-2x")):
        rows.append(Scenario(name=f"extreme {label}", price_move=mult * price_range, weight=SPAN_EXTREME_COVER))
    return ScenarioSet(name="span16", scenarios=rows)


def crypto_grid(core_range: float = GRID_CORE_RANGE) -> ScenarioSet:
    """A Deribit/Paradex-style grid.

    Core: 9 equally spaced moves over ``±core_range`` × vol up / unchanged /
    down, with relative vol moves scaled by ``(30/max(DTE, 7))**0.3``.  Extended:
    moves of ±24%, ±32% and ±48% with vol unchanged, each dampened by the
    weight ``core_range / |move|``.
    """
    rows: list[Scenario] = []
    step = 2 * core_range / (GRID_CORE_STEPS - 1)
    for i in range(GRID_CORE_STEPS):
        move = -core_range + i * step
        for vol, vlabel in ((GRID_VOL_UP, "up"), (0.0, "flat"), (GRID_VOL_DOWN, "down")):
            rows.append(Scenario(name=f"price {move:+.0%} vol {vlabel}", price_move=round(move, 12), vol_move=vol,
                                 vol_mode=VolMode.RELATIVE, vol_scale_power=GRID_VOL_POWER,
                                 vol_scale_floor_days=GRID_VOL_FLOOR_DAYS))
    for ext in GRID_EXTENDED_MOVES:
        for sign in (1.0, -1.0):
            rows.append(Scenario(name=f"extended {sign * ext:+.0%}", price_move=sign * ext,
                                 weight=core_range / ext))
    return ScenarioSet(name="crypto-grid", scenarios=rows)


def v2(core_range: float = V2_CORE_RANGE, range_scale: dict[str, float] | None = None) -> ScenarioSet:
    """The margin-model-v2 set: 24 scenarios in four blocks.

    * Core (14): price ``0, ±1/3, ±2/3, ±1`` of ``core_range`` with relative vol up ``+30%`` and down
      ``-20%``, scaled by ``(30/max(DTE, 7))**0.3`` (the Deribit risk matrix shape).
    * Tails (6): ``-66%, -50%, -33%, +50%, +100%, +500%`` with vol up ``+50%`` (same scaling), each dampened
      by the weight ``core_range / |move|`` so a linear position's tail loss equals its core loss while an
      option's convex loss shows (the Deribit/Paradex extended table and dampener).  Not range-scaled.
    * Basis (2): perpetuals, futures and option forwards move ``±1%`` against an unchanged index
      (a roll shock on the perpetual's basis).
    * Term (2): dated forwards move ``±3% * sqrt(years to expiry)``, tilting the curve so calendar spreads
      and perpetual/future pairs carry risk.

    ``range_scale`` (per underlying) multiplies the core, basis and term moves; ``zkmargin calibrate``
    sets it from market data.
    """
    def stressed(name: str, move: float, dvol: float, weight: float = 1.0, scaled: bool = True) -> Scenario:
        return Scenario(name=name, price_move=move, vol_move=dvol, vol_mode=VolMode.RELATIVE,
                        vol_scale_power=V2_VOL_POWER, vol_scale_floor_days=V2_VOL_FLOOR_DAYS, weight=weight,
                        scaled=scaled)

    rows: list[Scenario] = []
    for frac, label in ((0.0, "0"), (1 / 3, "+1/3"), (-1 / 3, "-1/3"), (2 / 3, "+2/3"), (-2 / 3, "-2/3"),
                        (1.0, "+3/3"), (-1.0, "-3/3")):
        for dvol, vlabel in ((V2_VOL_UP, "up"), (V2_VOL_DOWN, "down")):
            rows.append(stressed(f"price {label} vol {vlabel}", round(frac * core_range, 12), dvol))
    for move in V2_TAIL_MOVES:
        rows.append(stressed(f"tail {move:+.0%} vol up", move, V2_TAIL_VOL_UP, min(1.0, core_range / abs(move)),
                             scaled=False))
    for sign, label in ((1.0, "+"), (-1.0, "-")):
        rows.append(Scenario(name=f"basis {label}{V2_BASIS:.0%}", price_move=0.0, basis_move=sign * V2_BASIS))
    for sign, label in ((1.0, "+"), (-1.0, "-")):
        rows.append(Scenario(name=f"term {label}{V2_TERM:.0%}*sqrt(T)", price_move=0.0, term_move=sign * V2_TERM))
    return ScenarioSet(name="v2", scenarios=rows, range_scale=dict(range_scale or {}))


def seed5() -> ScenarioSet:
    """The five-row table: ±10% price with +10 vol; ±5% with −5 vol; 0% with +20 vol (absolute vol points)."""
    rows = [
        Scenario(name="price +10% vol +10", price_move=0.10, vol_move=0.10),
        Scenario(name="price -10% vol +10", price_move=-0.10, vol_move=0.10),
        Scenario(name="price +5% vol -5", price_move=0.05, vol_move=-0.05),
        Scenario(name="price -5% vol -5", price_move=-0.05, vol_move=-0.05),
        Scenario(name="price 0% vol +20", price_move=0.0, vol_move=0.20),
    ]
    return ScenarioSet(name="seed5", scenarios=rows)


PRESETS: dict[str, Callable[[], ScenarioSet]] = {"v2": v2, "span16": span16, "crypto-grid": crypto_grid, "seed5": seed5}


def preset(name: str) -> ScenarioSet:
    """Return the preset called ``name``; ``KeyError`` if there is none."""
    return PRESETS[name]()
