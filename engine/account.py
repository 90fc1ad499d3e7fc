"""Turn a :class:`~engine.models.Portfolio` into the integers the engine and circuit use."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from zkmargin.constants import (
    MAX_POSITIONS,
    QTY_BITS,
    QTY_SCALE,
    BoundsError,
    check_signed,
    format_units,
    qty_range,
    to_balance_units,
    to_lots,
)
from zkmargin.engine import errors
from zkmargin.engine.errors import InputError
from zkmargin.engine.models import Portfolio
from zkmargin.engine.risk import RiskTable


@dataclass(frozen=True)
class AccountInts:
    """An account in integers.

    ``leaf_index[p]`` indexes ``RiskTable.instrument_ids``; ``qty[p]`` is signed lots;
    positions in the same instrument are netted and zero positions removed, sorted by
    leaf index.  ``balances[k]`` is in 1e-8 units of ``RiskTable.assets[k]``.
    """

    name: str
    leaf_index: tuple[int, ...]
    qty: tuple[int, ...]
    balances: tuple[int, ...]


def encode_account(portfolio: Portfolio, table: RiskTable, *, source: str | None = None) -> AccountInts:
    """Validate a portfolio against the risk table and convert it to integers.

    Raises
    ------
    InputError
        Unknown instrument, quantity not a whole number of lots or out of bounds,
        negative balance, collateral asset the market does not price.
    """
    index = table.index_of()
    netted: dict[int, int] = {}
    for n, pos in enumerate(portfolio.positions):
        field = f"positions[{n}].quantity"
        if pos.instrument not in index:
            raise InputError(errors.unknown_instrument(pos.instrument), file=source,
                             field=f"positions[{n}].instrument", instrument=pos.instrument)
        try:
            lots = to_lots(pos.quantity)
        except (BoundsError, ValueError, ArithmeticError) as exc:
            raise InputError(str(exc), file=source, field=field, instrument=pos.instrument) from exc
        leaf = index[pos.instrument]
        netted[leaf] = netted.get(leaf, 0) + lots
    items = sorted((leaf, q) for leaf, q in netted.items() if q != 0)
    for leaf, q in items:
        try:
            check_signed("net qty", q, QTY_BITS)
        except BoundsError as exc:
            raise InputError(f"the net quantity {format_units(q, QTY_SCALE)} contracts is outside the accepted range "
                             f"{qty_range()}", file=source, field="positions",
                             instrument=table.instrument_ids[leaf]) from exc
    if len(items) > MAX_POSITIONS:
        raise InputError(f"{len(items)} positions exceed the maximum of {MAX_POSITIONS}", file=source,
                         field="positions")
    balances = [0] * len(table.assets)
    for asset, amount in portfolio.collateral.items():
        field = f"collateral.{asset}"
        if asset not in table.assets:
            raise InputError(errors.unpriced_asset(asset), file=source, field=field)
        try:
            if Fraction(str(amount)) < 0:
                raise InputError(errors.negative_balance(asset, amount), file=source, field=field)
            balances[table.assets.index(asset)] = to_balance_units(amount)
        except (BoundsError, ValueError, ArithmeticError) as exc:
            if isinstance(exc, InputError):
                raise
            raise InputError(f"{exc} {asset}", file=source, field=field) from exc
    return AccountInts(
        name=portfolio.account,
        leaf_index=tuple(leaf for leaf, _ in items),
        qty=tuple(q for _, q in items),
        balances=tuple(balances),
    )
