"""The shape of the committed market and of the account circuits, one per ``circuits/main/account_<name>.circom``,
and of the book circuits (an account proven in chunks), one pair ``circuits/main/chunk_<name>.circom`` and
``circuits/main/book_<name>.circom`` per :data:`BOOK_SIZES` entry.

The market's shape is fixed for every circuit, so one ``params_root`` serves every size: the instrument tree
holds ``4^(INSTRUMENT_DEPTH / 2)`` leaves, every risk array has ``MARKET_SCENARIOS`` columns, and the group and
collateral tables are trees of ``4^(GROUP_DEPTH / 2)`` and ``4^(ASSET_DEPTH / 2)`` leaves.  A circuit size only
sets the account's slots: positions, the underlyings (groups) it trades and the collateral assets it posts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from zkmargin.constants import BOOK_CIRCUIT_PREFIX, CHUNK_CIRCUIT_PREFIX, MAX_POSITIONS

#: Scenario columns of every committed risk array: the largest shipped preset (crypto-grid, 33) fits.
MARKET_SCENARIOS: Final = 40
#: Instrument tree capacity 2^12 = 4,096 leaves (a quaternary tree of 6 levels).
INSTRUMENT_DEPTH: Final = 12
#: Group table capacity 2^8 = 256 underlyings (4 levels); the group id is the leaf index.
GROUP_DEPTH: Final = 8
#: Collateral table capacity 2^6 = 64 assets (3 levels); the asset id is the leaf index.
ASSET_DEPTH: Final = 6
#: Width of the group fields of instrument and asset leaves; ``NO_GROUP`` marks an asset that is no underlying.
GROUP_BITS: Final = 16
NO_GROUP: Final = (1 << GROUP_BITS) - 1


@dataclass(frozen=True)
class CircuitSize:
    """Slots of an account circuit: N positions, G groups (underlyings traded), K collateral assets posted."""

    name: str
    positions: int
    groups: int
    assets: int

    def __post_init__(self) -> None:
        if self.positions < 1 or self.groups < 2 or self.assets < 1:
            raise ValueError(f"circuit size {self.name}: needs N >= 1, G >= 2 and K >= 1")

    @property
    def scenarios(self) -> int:
        """Scenario columns (the market's, the same for every size)."""
        return MARKET_SCENARIOS

    @property
    def depth(self) -> int:
        """Instrument tree depth D (the market's): capacity 2^D leaves."""
        return INSTRUMENT_DEPTH

    @property
    def levels(self) -> int:
        """Levels of the quaternary instrument tree (D / 2)."""
        return INSTRUMENT_DEPTH // 2

    def describe(self) -> str:
        """``N=16 G=3 K=4`` for help texts and errors."""
        return f"N={self.positions} G={self.groups} K={self.assets}"


SIZES: Final = {
    "small": CircuitSize("small", positions=1, groups=2, assets=1),
    "test": CircuitSize("test", positions=6, groups=2, assets=3),
    "standard": CircuitSize("standard", positions=16, groups=3, assets=4),
}


def chunk_circuit_of(book_size: str) -> str:
    """The chunk circuit of the book size named ``book_size``: ``chunk_<name>``, the name of its ``circuits/main/``
    file, its keys and its bundles' key ids."""
    return f"{CHUNK_CIRCUIT_PREFIX}{book_size}"


def book_circuit_of(book_size: str) -> str:
    """The combine circuit of the book size named ``book_size``: ``book_<name>``."""
    return f"{BOOK_CIRCUIT_PREFIX}{book_size}"


@dataclass(frozen=True)
class BookSize:
    """Slots of a book proven in chunks: ``chunks`` (M) chunks of ``chunk_positions`` (C) positions, each proven by
    ``AccountChunk(C, G)``, combined by ``BookMargin(M, C, G, K)`` with G group and K collateral slots.

    The book holds up to ``M * C <= MAX_POSITIONS`` positions: the combine's bit widths assume sums over at most
    that many position rows.
    """

    name: str
    chunk_positions: int
    chunks: int
    groups: int
    assets: int

    def __post_init__(self) -> None:
        if self.chunk_positions < 1 or self.chunks < 1 or self.groups < 2 or self.assets < 1:
            raise ValueError(f"book size {self.name}: needs C >= 1, M >= 1, G >= 2 and K >= 1")
        if self.chunks * self.chunk_positions > MAX_POSITIONS:
            raise ValueError(f"book size {self.name}: M * C = {self.chunks * self.chunk_positions} positions exceed "
                             f"MAX_POSITIONS = {MAX_POSITIONS}")

    @property
    def positions(self) -> int:
        """Position slots of the whole book: M * C."""
        return self.chunks * self.chunk_positions

    @property
    def scenarios(self) -> int:
        """Scenario columns (the market's, the same for every size)."""
        return MARKET_SCENARIOS

    @property
    def chunk_circuit(self) -> str:
        """The name of this size's chunk circuit (:func:`chunk_circuit_of`)."""
        return chunk_circuit_of(self.name)

    @property
    def book_circuit(self) -> str:
        """The name of this size's combine circuit (:func:`book_circuit_of`)."""
        return book_circuit_of(self.name)

    @property
    def account(self) -> CircuitSize:
        """The whole book's slots as one account (M * C positions, G groups, K assets): its slot layout."""
        return CircuitSize(f"{self.name} book", self.positions, self.groups, self.assets)

    def describe(self) -> str:
        """``C=16 M=16 G=3 K=4`` for help texts and errors."""
        return f"C={self.chunk_positions} M={self.chunks} G={self.groups} K={self.assets}"


BOOK_SIZES: Final = {
    "mini": BookSize("mini", chunk_positions=4, chunks=3, groups=2, assets=3),
    "large": BookSize("large", chunk_positions=16, chunks=16, groups=3, assets=4),
}
