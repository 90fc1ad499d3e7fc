"""The margin of one account, as the engine and the reference both return it (money in micro-units)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class GroupMargin:
    """Margin of one underlying group, all money in micro-units."""

    group: str
    scan_risk: int
    worst_scenario: int
    short_option_minimum: int
    group_risk: int


@dataclass(frozen=True)
class MarginResult:
    """Margin of one account; money in micro-units of quote currency."""

    groups: tuple[GroupMargin, ...]
    requirement: int
    initial_margin: int
    maintenance_margin: int
    collateral_value: int
    position_value: int
    equity: int

    @property
    def solvent(self) -> bool:
        return self.equity >= self.maintenance_margin

    @property
    def free_collateral(self) -> int:
        return self.equity - self.initial_margin

    @property
    def shortfall(self) -> int:
        """How far equity falls short of MM (0 when solvent)."""
        return max(0, self.maintenance_margin - self.equity)
