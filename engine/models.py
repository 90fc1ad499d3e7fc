"""Input models: instruments, market snapshot, scenarios, margin parameters, portfolio.

All models are frozen pydantic v2 models loaded from JSON.  Decimal amounts may
be written as JSON numbers or, to keep them exact, as decimal strings.
The JSON schema of each model is printed by ``zkmargin schema NAME``.
"""

from __future__ import annotations

import math
from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from zkmargin.constants import MAX_CREDIT_BP
from zkmargin.engine import errors

Decimal = Annotated[str | float | int, Field(union_mode="left_to_right")]


class Frozen(BaseModel):
    """Base: immutable, rejects unknown fields."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class InstrumentKind(StrEnum):
    """What an instrument is; fixes how it is priced."""

    SPOT = "spot"
    PERPETUAL = "perpetual"
    FUTURE = "future"
    OPTION = "option"


class OptionType(StrEnum):
    """European option right."""

    CALL = "call"
    PUT = "put"


class Instrument(Frozen):
    """A listed instrument.

    ``contract_size`` is in units of the underlying per contract.  Options and
    futures carry an ``expiry``; options a ``strike`` (quote currency) and
    ``option_type``, and optionally their own implied volatility ``iv``
    (annualised, e.g. ``0.55``), which overrides the per-expiry smile.
    """

    id: str = Field(min_length=1)
    kind: InstrumentKind
    underlying: str = Field(min_length=1)
    contract_size: float = Field(default=1.0, gt=0)
    expiry: datetime | None = None
    strike: float | None = Field(default=None, gt=0)
    option_type: OptionType | None = None
    iv: float | None = None

    @model_validator(mode="after")
    def _check_kind_fields(self) -> Instrument:
        needs_expiry = self.kind in (InstrumentKind.FUTURE, InstrumentKind.OPTION)
        if needs_expiry and self.expiry is None:
            raise ValueError(errors.missing_field(self.id, "expiry", self.kind))
        if self.kind is InstrumentKind.OPTION:
            if self.strike is None:
                raise ValueError(errors.missing_field(self.id, "strike", self.kind))
            if self.option_type is None:
                raise ValueError(errors.missing_field(self.id, "option_type", self.kind))
        if self.iv is not None and not (math.isfinite(self.iv) and self.iv > 0):
            raise ValueError(errors.bad_vol(self.id, self.iv))
        return self


class Smile(Frozen):
    """A per-expiry volatility smile: ``iv = atm + skew*m + curvature*m**2`` with ``m = ln(K/F)``."""

    atm: float
    skew: float = 0.0
    curvature: float = 0.0

    @field_validator("atm")
    @classmethod
    def _positive(cls, v: float) -> float:
        if not (math.isfinite(v) and v > 0):
            raise ValueError(f"atm volatility must be finite and positive, got {v}")
        return v


class Underlying(Frozen):
    """Index price (quote currency per unit), optional forwards and smiles keyed by expiry date ``YYYY-MM-DD``."""

    index: float
    forwards: dict[str, float] = Field(default_factory=dict)
    smiles: dict[str, Smile] = Field(default_factory=dict)

    @field_validator("index")
    @classmethod
    def _positive(cls, v: float) -> float:
        if not (math.isfinite(v) and v > 0):
            raise ValueError(f"index price must be finite and positive, got {v}")
        return v


class MarketSnapshot(Frozen):
    """Market data at one instant.

    ``rate`` is the annual continuously-compounded discount rate.  ``collateral``
    prices each collateral asset in quote currency per whole unit.
    """

    timestamp: datetime
    quote: str = "USD"
    rate: float = 0.0
    underlyings: dict[str, Underlying]
    collateral: dict[str, Decimal]
    instruments: list[Instrument]

    @model_validator(mode="after")
    def _check(self) -> MarketSnapshot:
        seen: set[str] = set()
        for inst in self.instruments:
            if inst.id in seen:
                raise ValueError(errors.duplicate_instrument(inst.id))
            seen.add(inst.id)
        if not math.isfinite(self.rate):
            raise ValueError(f"rate must be finite, got {self.rate}")
        return self


class VolMode(StrEnum):
    """How a scenario's volatility move applies: added (vol points) or multiplied."""

    ABSOLUTE = "absolute"
    RELATIVE = "relative"


class Scenario(Frozen):
    """One stressed market state.

    ``price_move`` is relative (``0.1`` = +10%), ``vol_move`` absolute vol
    points (``0.1`` = +10 vol) or relative, optionally scaled by
    ``(30 / max(DTE, vol_scale_floor_days)) ** vol_scale_power``.
    ``time_step_days`` advances the clock so theta is inside the array.
    ``weight`` is the cover weight applied to the scenario P&L.

    Basis and term structure: ``basis_move`` is added to the relative move of every perpetual, future and
    option forward (not spot), and ``term_move * sqrt(years to expiry)`` to that of every dated forward, so
    the perpetual's basis and the futures curve move against the index.  ``scaled`` scenarios have their
    price, basis and term moves multiplied by the set's per-underlying ``range_scale`` (calibrated scan
    ranges); tail scenarios keep their absolute moves.
    """

    name: str
    price_move: float = Field(gt=-1.0)
    basis_move: float = Field(default=0.0, gt=-1.0, lt=1.0)
    term_move: float = Field(default=0.0, gt=-1.0, lt=1.0)
    scaled: bool = True
    vol_move: float = 0.0
    vol_mode: VolMode = VolMode.ABSOLUTE
    vol_scale_power: float = 0.0
    vol_scale_floor_days: float = Field(default=1.0, gt=0)
    time_step_days: float = Field(default=1.0, ge=0)
    weight: float = Field(default=1.0, gt=0, le=1.0)


class Provenance(Frozen):
    """Where a calibrated scenario set comes from (written by ``zkmargin calibrate``).

    ``data_sha256`` hashes the price-history file as read; ``synthetic`` marks a generated series.
    ``window_days`` is the look-back in trading days, ``mpor_days`` the margin period of risk,
    ``confidence`` the Expected Shortfall level (``0.99`` or ``0.995``), ``apc`` the anti-procyclicality
    tool of EMIR RTS 153/2013 Art. 28 (``buffer``, ``stress-weight`` or ``floor``).
    """

    tool: str
    data_file: str
    data_sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    synthetic: bool
    first_date: str
    last_date: str
    window_days: int = Field(gt=0)
    mpor_days: int = Field(gt=0)
    confidence: float = Field(gt=0.5, lt=1.0)
    apc: str
    ranges: dict[str, float] = Field(default_factory=dict)
    unfloored_ranges: dict[str, float] = Field(default_factory=dict)


class ScenarioSet(Frozen):
    """A named, ordered list of scenarios.

    ``range_scale`` multiplies the moves of ``scaled`` scenarios per underlying (default 1); a calibrated
    set carries its ``provenance``.
    """

    name: str
    scenarios: list[Scenario] = Field(min_length=1)
    range_scale: dict[str, float] = Field(default_factory=dict)
    provenance: Provenance | None = None

    @field_validator("range_scale")
    @classmethod
    def _scales(cls, v: dict[str, float]) -> dict[str, float]:
        for und, k in v.items():
            if not (math.isfinite(k) and 0 < k <= 10):
                raise ValueError(f"range_scale of {und} must be in (0, 10], got {k}")
        return v


class DeltaVegaLimit(Frozen):
    """Optional limits on the absolute net delta (underlying units) and net vega (quote per vol point)."""

    max_abs_delta: float | None = Field(default=None, ge=0)
    max_abs_vega: float | None = Field(default=None, ge=0)


class ConcentrationTier(Frozen):
    """One size tier: above ``threshold`` units of net delta in an underlying, each further unit costs
    ``rate_bp`` basis points of the index price (marginal, so the charge is convex in size)."""

    threshold: Decimal
    rate_bp: int = Field(ge=0, le=10_000)

    @field_validator("threshold")
    @classmethod
    def _nonnegative(cls, v: str | float | int) -> str | float | int:
        if not (math.isfinite(float(v)) and float(v) >= 0):
            raise ValueError(f"tier threshold must be finite and >= 0, got {v}")
        return v


#: Size tiers per underlying that the circuit takes.
MAX_TIERS = 2


class MarginParams(Frozen):
    """Margin parameters.

    Multipliers and rates are in basis points.  The short-option-minimum charge
    per short option contract is ``max(som_rate_bp/10_000 * index * contract_size,
    som_fixed_per_contract)``, applied to the larger of net short calls and net short puts per underlying.
    ``haircuts_bp`` must cover every collateral asset an account holds.  ``intergroup_credit_bp`` is the
    share of the offset between underlyings that is credited, at most 80% (EMIR RTS 153/2013 Art. 27).
    ``concentration`` gives up to ``MAX_TIERS`` size tiers per underlying, thresholds increasing.  ``epoch``
    labels the day's parameters in the params root.
    """

    im_multiplier_bp: int = Field(default=13_000, ge=1, lt=2**20)
    mm_multiplier_bp: int = Field(default=10_000, ge=1, lt=2**20)
    som_rate_bp: int = Field(default=100, ge=0, le=10_000)
    som_fixed_per_contract: Decimal = 0
    haircuts_bp: dict[str, int] = Field(default_factory=dict)
    limits: dict[str, DeltaVegaLimit] = Field(default_factory=dict)
    intergroup_credit_bp: int = Field(default=0, ge=0, le=MAX_CREDIT_BP)
    concentration: dict[str, list[ConcentrationTier]] = Field(default_factory=dict)
    epoch: int = Field(default=0, ge=0, lt=2**32)

    @field_validator("concentration")
    @classmethod
    def _tiers(cls, v: dict[str, list[ConcentrationTier]]) -> dict[str, list[ConcentrationTier]]:
        for und, tiers in v.items():
            if len(tiers) > MAX_TIERS:
                raise ValueError(f"{und} has {len(tiers)} concentration tiers; at most {MAX_TIERS}")
            thresholds = [float(t.threshold) for t in tiers]
            if thresholds != sorted(thresholds):
                raise ValueError(f"{und}: concentration thresholds must increase")
        return v

    @field_validator("haircuts_bp")
    @classmethod
    def _haircuts(cls, v: dict[str, int]) -> dict[str, int]:
        for asset, h in v.items():
            if not 0 <= h <= 10_000:
                raise ValueError(f"haircut for {asset} must be 0..10000 bp, got {h}")
        return v

    @model_validator(mode="after")
    def _im_ge_mm(self) -> MarginParams:
        if self.im_multiplier_bp < self.mm_multiplier_bp:
            raise ValueError("im_multiplier_bp must be >= mm_multiplier_bp")
        return self


class Position(Frozen):
    """A signed quantity of contracts (negative = short) in one instrument."""

    instrument: str = Field(min_length=1)
    quantity: Decimal


class Portfolio(Frozen):
    """An account: positions and collateral balances (asset -> amount in whole units)."""

    account: str = "account"
    positions: list[Position] = Field(default_factory=list)
    collateral: dict[str, Decimal] = Field(default_factory=dict)
