"""The zkmargin number contract and the BN254 constants: scales, bounds, rounding rules, field moduli.

Every integer the engine produces is exactly the integer the circuit computes.
This module is the single place where the scales, the signed bounds and the
rounding rules are defined; ``circuits/lib/contract.circom`` mirrors the bit
widths and ``tests/test_contract.py`` checks that the two agree.

Scales
------
======================  ==========================================  =========
quantity                unit                                        scale
======================  ==========================================  =========
money                   micro-units of the quote currency (USD)     10**6
position quantity       lots; one lot is 1/1000 of a contract       10**3
collateral balance      1e-8 units of the collateral asset          10**8
rates and multipliers   basis points                                10**4
======================  ==========================================  =========

Bounds (all inclusive-exclusive, signed values in two's-complement style
``[-2**(b-1), 2**(b-1))`` and unsigned values in ``[0, 2**b)``):

* ``qty`` (signed lots): ``QTY_BITS`` = 41, so ``|qty| < 2**40``.
* risk-array entry (signed micro-units per lot): ``RISK_BITS`` = 41.
* mark value (signed micro-units per lot): ``RISK_BITS``.
* short-option-minimum charge (unsigned micro-units per lot): ``CHARGE_BITS`` = 40.
* collateral balance (unsigned, 1e-8 asset units): ``BALANCE_BITS`` = 64.
* collateral price (unsigned micro-units per whole asset unit): ``PRICE_BITS`` = 48.
* collateral risk-array entry (signed micro-units per whole asset unit): ``ASSET_RISK_BITS`` = 56.
* size-tier threshold (unsigned 1e-8 units of the underlying): ``TIER_BITS`` = 63; tier rate (unsigned
  micro-units per whole unit of the underlying): ``PRICE_BITS``.
* inter-underlying credit (basis points): ``0 <= c <= MAX_CREDIT_BP`` = 8,000.
* haircut (basis points): ``0 <= h <= 10_000``.
* margin multiplier (basis points): ``1 <= m < 2**MULT_BITS`` with ``MULT_BITS`` = 20.
* every aggregate money value (losses, scan risk, requirement, IM, MM,
  collateral value, equity): signed ``MONEY_BITS`` = 97, i.e. ``|x| < 2**96``; scenario losses at scale
  10**8 (rule R7) are below 2**126.
* positions per account: at most ``MAX_POSITIONS`` = 256; collateral assets at
  most ``MAX_ASSETS`` = 64.

Why these fit the BN254 scalar field (``r ~ 2**253.6``): a product
``qty * risk`` is below ``2**80``; a sum of 256 of them is below ``2**88``;
``balance * price * (10_000 - h)`` is below ``2**126`` and a sum over 64 assets
is below ``2**132``; ``requirement * multiplier`` is below ``2**116``; a scenario
loss at scale 10**8 with collateral (R7) is below ``2**126``; a size-tier
product (R9) is below ``2**144``.  Every intermediate is far below ``r / 2``, so
field arithmetic never wraps and the circuit's comparisons (at most 127 bits,
each width derived in ``circuits/account.circom``) are sound.

Rounding rules
--------------
R1. Risk arrays: the scenario P&L of one lot, times the cover weight, in
    micro-units, is rounded toward negative infinity (``floor``).  The loss of a
    long lot therefore never rounds smaller.
R2. Short rounding allowance: because R1 rounds a short lot's loss down by
    less than one micro-unit, every short lot adds one micro-unit to each
    scenario loss of its group, and one micro-unit is subtracted from equity
    per short lot (marks are floored too).  A portfolio loss never rounds
    smaller, for long and short positions alike.
R3. Marks: the value of one lot is floored to micro-units.
R4. Short-option-minimum charge per lot is rounded up (``ceil``).
R5. Margin: ``MM = ceil(requirement * mm_bp / 10_000)`` and
    ``IM = ceil(requirement * im_bp / 10_000)``.
R6. Collateral value: ``floor(sum_k balance_k * price_k * (10_000 - h_k) /
    (10**8 * 10_000))``; the sum is taken before the single division.
R7. Scenario losses with collateral: ``10**8 * (position loss) - sum_k balance_k * asset_risk_k``, with the
    collateral risk entries floored like R1, is rounded up once: ``ceil(scaled / 10**8)``.
R8. Inter-underlying credit: ``floor((separate - joint) * credit_bp / 10_000)``.
R9. Size tiers: ``ceil(sum_t max(0, |delta| - threshold_t) * rate_t / 10**8)`` with delta and thresholds in
    1e-8 units of the underlying; a tier rate per unit is ``ceil(rate_bp * index / 10_000)``.
R10. Spot marks: the floored value of one lot times ``(10_000 - h) / 10_000``, floored, ``h`` the haircut of
    the spot's asset, as collateral is valued in R6.

Out-of-range values raise :class:`BoundsError`; nothing is wrapped or clamped.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Final

MONEY_SCALE: Final = 10**6
QTY_SCALE: Final = 10**3
BALANCE_SCALE: Final = 10**8
BP: Final = 10**4

QTY_BITS: Final = 41
RISK_BITS: Final = 41
CHARGE_BITS: Final = 40
BALANCE_BITS: Final = 64
PRICE_BITS: Final = 48
MULT_BITS: Final = 20
ASSET_RISK_BITS: Final = 56
TIER_BITS: Final = 63
MONEY_BITS: Final = 97
MAX_POSITIONS: Final = 256
MAX_ASSETS: Final = 64
MAX_HAIRCUT_BP: Final = BP
#: Largest inter-underlying credit: 80% of the offset (EMIR RTS 153/2013 Art. 27).
MAX_CREDIT_BP: Final = 8_000

#: Circuit names: a book size's chunk and combine circuits are ``chunk_<size>`` and ``book_<size>``, a venue
#: account size's circuit ``venue_<size>``; each names its ``circuits/main/`` file and its keys.
CHUNK_CIRCUIT_PREFIX: Final = "chunk_"
BOOK_CIRCUIT_PREFIX: Final = "book_"
VENUE_CIRCUIT_PREFIX: Final = "venue_"

#: The BN254 scalar field order r: the modulus of every circuit signal and the order of the curve groups.
FIELD_ORDER: Final = 21888242871839275222246405745257275088548364400416034343698204186575808495617
#: The BN254 base field modulus p: curve point coordinates are integers mod p.
BASE_FIELD_MODULUS: Final = 21888242871839275222246405745257275088696311157297823662689037894645226208583


class BoundsError(ValueError):
    """A value lies outside the number contract."""


def signed_limit(bits: int) -> int:
    """Return ``2**(bits-1)``: signed values must satisfy ``|x| < limit``."""
    return 1 << (bits - 1)


def check_signed(name: str, value: int, bits: int) -> int:
    """Return ``value`` if it lies in ``[-2**(bits-1), 2**(bits-1))``.

    Raises
    ------
    BoundsError
        Naming ``name`` and the accepted range.
    """
    lim = signed_limit(bits)
    if not -lim <= value < lim:
        raise BoundsError(f"{name}={value} is outside the signed {bits}-bit range [-2^{bits - 1}, 2^{bits - 1})")
    return value


def check_unsigned(name: str, value: int, bits: int) -> int:
    """Return ``value`` if it lies in ``[0, 2**bits)``; raise :class:`BoundsError` otherwise."""
    if not 0 <= value < (1 << bits):
        raise BoundsError(f"{name}={value} is outside the unsigned {bits}-bit range [0, 2^{bits})")
    return value


def ceil_div(num: int, den: int) -> int:
    """Ceiling of ``num / den`` for ``den > 0``."""
    if den <= 0:
        raise ValueError("divisor must be positive")
    return -((-num) // den)


def to_micro(value: float | Fraction | int | str, *, rounding: str = "floor") -> int:
    """Convert a decimal amount of quote currency to micro-units.

    ``rounding`` is ``"floor"`` or ``"ceil"``; strings are parsed exactly.
    """
    frac = Fraction(str(value)) if isinstance(value, (str, float)) else Fraction(value)
    scaled = frac * MONEY_SCALE
    if rounding == "floor":
        return scaled.numerator // scaled.denominator
    if rounding == "ceil":
        return -((-scaled.numerator) // scaled.denominator)
    raise ValueError(f"unknown rounding {rounding!r}")


def to_lots(contracts: float | str | int) -> int:
    """Convert a number of contracts to lots; it must be a whole number of lots."""
    frac = Fraction(str(contracts)) * QTY_SCALE
    if frac.denominator != 1:
        raise BoundsError(f"quantity {contracts} contracts has more than 3 decimals: the smallest step is "
                          f"{1 / QTY_SCALE:g} contract")
    if not -signed_limit(QTY_BITS) <= frac.numerator < signed_limit(QTY_BITS):
        raise BoundsError(f"quantity {contracts} contracts is outside the accepted range {qty_range()}")
    return frac.numerator


def qty_range() -> str:
    """The accepted quantities in contracts, for error messages: ``-1,099,511,627.776 to 1,099,511,627.775``."""
    lim = signed_limit(QTY_BITS)
    return f"{format_units(-lim, QTY_SCALE)} to {format_units(lim - 1, QTY_SCALE)} contracts"


def to_balance_units(amount: float | str | int) -> int:
    """Convert an amount of a collateral asset to 1e-8 units; it must be exact."""
    frac = Fraction(str(amount)) * BALANCE_SCALE
    if frac.denominator != 1:
        raise BoundsError(f"balance {amount} has more than 8 decimals: the smallest step is 0.00000001")
    if not 0 <= frac.numerator < 1 << BALANCE_BITS:
        raise BoundsError(f"balance {amount} is outside the accepted range of 0 to "
                          f"{format_units((1 << BALANCE_BITS) - 1, BALANCE_SCALE)}")
    return frac.numerator


def format_units(scaled: int, scale: int) -> str:
    """An integer in units of ``1/scale`` as an exact decimal with thousands separators (``1,234.5``)."""
    sign = "-" if scaled < 0 else ""
    whole, frac = divmod(abs(scaled), scale)
    digits = len(str(scale)) - 1
    tail = f"{frac:0{digits}d}".rstrip("0")
    return f"{sign}{whole:,}" + (f".{tail}" if tail else "")


def format_money(micro: int, *, grouped: bool = False) -> str:
    """Format micro-units as an exact decimal string in quote currency, e.g. ``"-12.500000"``.

    ``grouped`` adds thousands separators (``"1,234,567.500000"``) for tables; machine-readable output
    leaves them out.
    """
    sign = "-" if micro < 0 else ""
    whole, frac = divmod(abs(int(micro)), MONEY_SCALE)
    return f"{sign}{whole:,}.{frac:06d}" if grouped else f"{sign}{whole}.{frac:06d}"


def to_field(value: int) -> int:
    """Encode a signed integer as a BN254 field element (negative values wrap to ``r + value``)."""
    if not -(FIELD_ORDER // 2) < value < FIELD_ORDER // 2:
        raise BoundsError(f"{value} does not fit the signed field encoding")
    return value % FIELD_ORDER


def from_field(element: int) -> int:
    """Decode a field element produced by :func:`to_field` back to a signed integer."""
    element %= FIELD_ORDER
    return element - FIELD_ORDER if element > FIELD_ORDER // 2 else element
