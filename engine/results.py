"""The margin of one account, as the engine and the reference both return it (money in micro-units)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class GroupMargin:
    """Margin items of one underlying group, money in micro-units.

    ``scan_risk`` is the group's own worst scenario loss (positions and the collateral of that underlying),
    ``worst_scenario`` its first argmax, ``short_option_minimum`` the larger of the net short call and net
    short put charges, ``net_delta`` the group's delta in index terms in 1e-8 units of the underlying
    (collateral included), ``concentration`` the size-tier charge on it.
    """

    group: str
    scan_risk: int
    worst_scenario: int
    short_option_minimum: int
    net_delta: int
    concentration: int


@dataclass(frozen=True)
class MarginResult:
    """Margin of one account; money in micro-units of quote currency.

    ``separate_scan`` is the sum of the groups' scan risks, ``joint_scan`` the worst loss with all
    underlyings moving together (scenario ``joint_worst``), ``intergroup_credit`` the credited share of
    their difference and ``scan_risk = separate_scan - intergroup_credit``.  ``requirement =
    max(scan_risk, short_option_minimum) + concentration``.  A ``liability_free`` account (no short lots, no
    perpetual or future) is never asked for more than ``option_value``, the value of its long options.
    """

    groups: tuple[GroupMargin, ...]
    separate_scan: int
    joint_scan: int
    joint_worst: int
    intergroup_credit: int
    scan_risk: int
    short_option_minimum: int
    concentration: int
    requirement: int
    liability_free: bool
    option_value: int
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

    @property
    def liquidation_buffer(self) -> int:
        """Equity above MM (negative below it): how much the account can lose before liquidation."""
        return self.equity - self.maintenance_margin

    @property
    def utilisation_bp(self) -> int | None:
        """Capital utilisation: IM as a share of equity in basis points, rounded up; None without equity."""
        if self.equity <= 0:
            return None
        return -((-self.initial_margin * 10_000) // self.equity)
