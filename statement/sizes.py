"""The shapes of the account circuit, one per ``circuits/main/account_<name>.circom``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final


@dataclass(frozen=True)
class CircuitSize:
    """Shape of an account circuit: N positions, S scenarios, G groups, K assets, capacity 2^D leaves."""

    name: str
    positions: int
    scenarios: int
    groups: int
    assets: int
    depth: int

    def __post_init__(self) -> None:
        if self.depth < 2 or self.depth % 2:
            raise ValueError(f"circuit size {self.name}: depth must be even and >= 2 (a quaternary tree has D/2 "
                             f"levels), got {self.depth}")

    @property
    def levels(self) -> int:
        """Levels of the quaternary tree (D / 2)."""
        return self.depth // 2

    def describe(self) -> str:
        """``N=16 S=40 G=2 K=4 D=10`` for help texts and errors."""
        return (f"N={self.positions} S={self.scenarios} G={self.groups} K={self.assets} D={self.depth}")


SIZES: Final = {
    "small": CircuitSize("small", positions=3, scenarios=8, groups=2, assets=4, depth=8),
    "test": CircuitSize("test", positions=6, scenarios=24, groups=2, assets=4, depth=8),
    "standard": CircuitSize("standard", positions=16, scenarios=40, groups=2, assets=4, depth=10),
}
