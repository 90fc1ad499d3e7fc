"""The shape of the committed market and of the account circuits, one per ``circuits/main/account_<name>.circom``.

The market's shape is fixed for every circuit, so one ``params_root`` serves every size: the instrument tree
holds ``4^(INSTRUMENT_DEPTH / 2)`` leaves, every risk array has ``MARKET_SCENARIOS`` columns, and the group and
collateral tables are trees of ``4^(GROUP_DEPTH / 2)`` and ``4^(ASSET_DEPTH / 2)`` leaves.  A circuit size only
sets the account's slots: positions, the underlyings (groups) it trades and the collateral assets it posts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

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
