"""The account statement and its public signals, in the circuit's order.

``[params_root, account_commitment, margins]`` where ``margins = IM * 2^128 + MM``.  A verifier decodes what a
valid proof means from these signals alone, never from the bundle's prose.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from zkmargin.constants import FIELD_ORDER, format_money
from zkmargin.statement.commitments import pack_margins, unpack_margins

#: The public signals of the account circuit, in order.
PUBLIC_SIGNAL_NAMES: Final = ("params_root", "account_commitment", "margins")
N_PUBLIC: Final = len(PUBLIC_SIGNAL_NAMES)


class StatementError(ValueError):
    """Public signals that do not decode to an account statement."""


@dataclass(frozen=True)
class Statement:
    """What an account proof claims: field elements ``params_root`` and ``account_commitment``, and the
    account's initial and maintenance margin in micro-units of quote currency."""

    params_root: int
    account_commitment: int
    initial_margin: int
    maintenance_margin: int

    @property
    def margins(self) -> int:
        """The packed ``margins`` signal."""
        return pack_margins(self.initial_margin, self.maintenance_margin)

    def public_signals(self) -> list[int]:
        """In the circuit's order: params_root, account_commitment, margins."""
        return [self.params_root, self.account_commitment, self.margins]

    @classmethod
    def from_public_signals(cls, public_signals: list[int] | tuple[int, ...]) -> Statement:
        """Decode ``[params_root, account_commitment, IM * 2^128 + MM]``.

        Raises
        ------
        StatementError
            Wrong count, or a value outside the field.
        """
        if len(public_signals) != N_PUBLIC:
            raise StatementError(f"an account proof has {N_PUBLIC} public signals, got {len(public_signals)}")
        for name, value in zip(PUBLIC_SIGNAL_NAMES, public_signals, strict=True):
            if not 0 <= int(value) < FIELD_ORDER:
                raise StatementError(f"public signal {name} is not a field element")
        im, mm = unpack_margins(int(public_signals[2]))
        return cls(int(public_signals[0]), int(public_signals[1]), im, mm)

    def lines(self) -> list[tuple[str, str]]:
        """(label, value) rows for display: hashes as 0x plus 64 hex digits, money with thousands separators."""
        return [("params_root", hex64(self.params_root)),
                ("account_commitment", hex64(self.account_commitment)),
                ("initial margin (IM)", format_money(self.initial_margin, grouped=True)),
                ("maintenance margin (MM)", format_money(self.maintenance_margin, grouped=True))]


def hex64(value: int) -> str:
    """A field element as ``0x`` plus 64 hex digits, the one way every command prints a hash."""
    return f"{value:#066x}"
