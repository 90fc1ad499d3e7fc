"""The account statement and its public signals, in the circuit's order.

``[params_root, account_commitment, margin_commitment, disclosure]``.  ``margin_commitment`` hides IM and MM
(``hash_list([7, IM, MM, salt])``, opened with the account's salt); ``disclosure = mode * 2^248 + value`` says
what else the proof shows besides solvency (:class:`Disclosure`).  A verifier decodes what a valid proof means
from these signals alone, never from the bundle's prose.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Final

from zkmargin.constants import FIELD_ORDER, format_money
from zkmargin.statement.commitments import pack_margins, unpack_margins

#: The public signals of the account circuit, in order.
PUBLIC_SIGNAL_NAMES: Final = ("params_root", "account_commitment", "margin_commitment", "disclosure")
N_PUBLIC: Final = len(PUBLIC_SIGNAL_NAMES)
#: The public signals of a book's chunk proof (``circuits/book.circom``), in order.
CHUNK_PUBLIC_SIGNAL_NAMES: Final = ("params_root", "chunk_link")


def book_signal_names(chunks: int) -> tuple[str, ...]:
    """The public signals of a book's combining proof: the account statement's, then ``chunks`` links."""
    return (*PUBLIC_SIGNAL_NAMES, *(f"chunk_link[{i}]" for i in range(chunks)))
#: ``disclosure = mode << DISCLOSURE_SHIFT | value``.
DISCLOSURE_SHIFT: Final = 248
#: A disclosed threshold is below 2^128 (micro-units of quote currency).
THRESHOLD_BITS: Final = 128


class StatementError(ValueError):
    """Public signals that do not decode to an account statement."""


class Disclosure(enum.IntEnum):
    """What a statement shows besides solvency."""

    NOTHING = 0
    MARGINS = 1
    MM_AT_MOST = 2
    FREE_COLLATERAL_AT_LEAST = 3

    @property
    def flag(self) -> str:
        """The mode's name on the command line: ``nothing``, ``margins``, ``mm-at-most``,
        ``free-collateral-at-least``."""
        return self.name.lower().replace("_", "-")

    @classmethod
    def from_flag(cls, flag: str) -> Disclosure:
        """The mode named ``flag`` (see :attr:`flag`)."""
        for mode in cls:
            if mode.flag == flag:
                return mode
        raise ValueError(f"unknown disclosure {flag!r}; choose one of {', '.join(m.flag for m in cls)}")


@dataclass(frozen=True)
class Statement:
    """What an account proof claims.

    ``params_root``, ``account_commitment`` and ``margin_commitment`` are field elements; ``disclosure`` says
    what else is public: with ``MARGINS``, ``initial_margin`` and ``maintenance_margin``; with ``MM_AT_MOST``
    and ``FREE_COLLATERAL_AT_LEAST``, ``threshold`` (all in micro-units of quote currency); otherwise they are
    ``None``.
    """

    params_root: int
    account_commitment: int
    margin_commitment: int
    disclosure: Disclosure = Disclosure.NOTHING
    initial_margin: int | None = None
    maintenance_margin: int | None = None
    threshold: int | None = None

    def __post_init__(self) -> None:
        margins = self.initial_margin is not None and self.maintenance_margin is not None
        if (self.disclosure is Disclosure.MARGINS) != margins:
            raise StatementError("IM and MM are given exactly when the statement discloses the margins")
        thresholds = (Disclosure.MM_AT_MOST, Disclosure.FREE_COLLATERAL_AT_LEAST)
        if (self.disclosure in thresholds) != (self.threshold is not None):
            raise StatementError("a threshold is given exactly when the statement discloses one")
        if self.threshold is not None and not 0 <= self.threshold < 1 << THRESHOLD_BITS:
            raise StatementError(f"a disclosed threshold must lie in [0, 2^{THRESHOLD_BITS})")

    @property
    def disclosure_value(self) -> int:
        """The ``value`` half of the ``disclosure`` signal."""
        if self.disclosure is Disclosure.MARGINS:
            assert self.initial_margin is not None and self.maintenance_margin is not None
            return pack_margins(self.initial_margin, self.maintenance_margin)
        return self.threshold or 0

    @property
    def disclosure_signal(self) -> int:
        """The public ``disclosure`` signal: ``mode * 2^248 + value``."""
        return (int(self.disclosure) << DISCLOSURE_SHIFT) + self.disclosure_value

    def public_signals(self) -> list[int]:
        """In the circuit's order: params_root, account_commitment, margin_commitment, disclosure."""
        return [self.params_root, self.account_commitment, self.margin_commitment, self.disclosure_signal]

    @classmethod
    def from_public_signals(cls, public_signals: list[int] | tuple[int, ...]) -> Statement:
        """Decode the four public signals.

        Raises
        ------
        StatementError
            Wrong count, a value outside the field, or a ``disclosure`` that decodes to no mode.
        """
        if len(public_signals) != N_PUBLIC:
            raise StatementError(f"an account proof has {N_PUBLIC} public signals, got {len(public_signals)}")
        for name, value in zip(PUBLIC_SIGNAL_NAMES, public_signals, strict=True):
            if not 0 <= int(value) < FIELD_ORDER:
                raise StatementError(f"public signal {name} is not a field element")
        signal = int(public_signals[3])
        code, value = signal >> DISCLOSURE_SHIFT, signal & ((1 << DISCLOSURE_SHIFT) - 1)
        if code not in Disclosure._value2member_map_:
            raise StatementError(f"public signal disclosure has mode {code}; modes are 0..{len(Disclosure) - 1}")
        mode = Disclosure(code)
        roots = int(public_signals[0]), int(public_signals[1]), int(public_signals[2])
        if mode is Disclosure.MARGINS:
            im, mm = unpack_margins(value)
            return cls(*roots, mode, initial_margin=im, maintenance_margin=mm)
        if mode is Disclosure.NOTHING:
            if value:
                raise StatementError("public signal disclosure discloses nothing but carries a value")
            return cls(*roots, mode)
        if value >= 1 << THRESHOLD_BITS:
            raise StatementError(f"public signal disclosure has a threshold of 2^{THRESHOLD_BITS} or more")
        return cls(*roots, mode, threshold=value)

    def claim(self) -> str:
        """What the proof shows beyond solvency, in words."""
        if self.disclosure is Disclosure.MARGINS:
            assert self.initial_margin is not None and self.maintenance_margin is not None
            return (f"initial margin {format_money(self.initial_margin, grouped=True)} and maintenance margin "
                    f"{format_money(self.maintenance_margin, grouped=True)}")
        if self.disclosure is Disclosure.MM_AT_MOST:
            assert self.threshold is not None
            return f"maintenance margin at most {format_money(self.threshold, grouped=True)}"
        if self.disclosure is Disclosure.FREE_COLLATERAL_AT_LEAST:
            assert self.threshold is not None
            return f"free collateral (equity - IM) at least {format_money(self.threshold, grouped=True)}"
        return "no margin figure (solvency only)"

    def lines(self) -> list[tuple[str, str]]:
        """(label, value) rows for display: hashes as 0x plus 64 hex digits, money with thousands separators."""
        return [("params_root", hex64(self.params_root)),
                ("account_commitment", hex64(self.account_commitment)),
                ("margin_commitment", hex64(self.margin_commitment)),
                ("discloses", self.claim())]


def hex64(value: int) -> str:
    """A field element as ``0x`` plus 64 hex digits, the one way every command prints a hash."""
    return f"{value:#066x}"
