"""Every user-facing error message of the engine, in one place.

:class:`InputError` is raised for bad input; its ``str`` is one line naming the
file, the field and the instrument where known, and what would be accepted.
"""

from __future__ import annotations

from typing import Any


class InputError(ValueError):
    """Bad user input: one line naming where (file, field, instrument) and why."""

    def __init__(self, message: str, *, file: str | None = None, field: str | None = None,
                 instrument: str | None = None) -> None:
        self.file = file
        self.field = field
        self.instrument = instrument
        self.reason = message
        where = []
        if file:
            where.append(file)
        if field:
            where.append(f"field {field}")
        if instrument:
            where.append(f"instrument {instrument}")
        super().__init__(f"{': '.join(where)}: {message}" if where else message)


def missing_field(instrument_id: str, field: str, kind: Any) -> str:
    return f"{kind} instrument {instrument_id} needs '{field}'"


def bad_vol(instrument_id: str, value: float) -> str:
    return f"implied volatility must be finite and positive, got {value}"


def duplicate_instrument(instrument_id: str) -> str:
    return f"instrument id {instrument_id} is listed twice"


def unknown_instrument(instrument_id: str) -> str:
    return f"unknown instrument {instrument_id!r}: it is not listed in the market snapshot"


def expired(instrument_id: str, expiry: Any, timestamp: Any) -> str:
    return f"instrument {instrument_id} expired at {expiry}, before the market timestamp {timestamp}"


def no_underlying_price(instrument_id: str, underlying: str) -> str:
    return f"instrument {instrument_id}: the market has no price for underlying {underlying!r}"


def no_vol(instrument_id: str) -> str:
    return f"option {instrument_id} has no implied volatility: give 'iv' or a smile for its expiry"


def negative_balance(asset: str, amount: Any) -> str:
    return f"collateral balance of {asset} is negative ({amount}); balances must be >= 0"


def unpriced_asset(asset: str) -> str:
    return f"collateral asset {asset!r} has no price in the market snapshot"


def no_haircut(asset: str) -> str:
    return f"collateral asset {asset!r} has no haircut in the margin parameters (haircuts_bp)"


def unknown_preset(name: str, presets: list[str]) -> str:
    return f"unknown scenario preset or file {name!r}; presets: {', '.join(presets)}"
