"""The committed risk parameters and account slots, built from the engine's integers.

The hashes themselves (leaf, collateral hash, params root, account commitment) are
:mod:`zkmargin.statement.commitments`; this module lays the engine's risk table and accounts out for a
circuit size.  Risk arrays shorter than the circuit's scenario count are padded by repeating their last
column, which changes no maximum; missing collateral assets are padded with price 0 and haircut 10^4
(worth nothing).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from zkmargin.constants import BP
from zkmargin.engine.account import AccountInts
from zkmargin.engine.errors import InputError
from zkmargin.engine.risk import RiskTable
from zkmargin.statement.commitments import account_commitment, collateral_hash, instrument_leaf, params_root
from zkmargin.statement.merkle4 import QuadMerkleTree
from zkmargin.statement.sizes import CircuitSize


@dataclass(frozen=True)
class ParamsTree:
    """The committed risk parameters of one epoch for one circuit size (all values field elements)."""

    size: CircuitSize
    table: RiskTable
    risk: np.ndarray  # int64[I, S], padded to the circuit's scenario count
    leaves: list[int]
    tree: QuadMerkleTree
    asset_price: list[int]
    haircut_bp: list[int]
    collateral_hash: int
    params_root: int

    @property
    def instruments_root(self) -> int:
        return self.tree.root

    def leaf_fields(self, i: int) -> dict[str, int | list[int]]:
        """Signed integers of leaf ``i`` (group, mark, charge, delta, vega, risk)."""
        t = self.table
        return {"group": int(t.group_index[i]), "mark": int(t.mark[i]), "charge": int(t.charge[i]),
                "delta": int(t.delta[i]), "vega": int(t.vega[i]), "risk": [int(v) for v in self.risk[i]]}


def pad_risk(table: RiskTable, scenarios: int) -> np.ndarray:
    """Risk arrays padded to ``scenarios`` columns by repeating the last column."""
    n_sc = table.n_scenarios
    if n_sc > scenarios:
        raise InputError(f"the scenario set has {n_sc} scenarios; this circuit size takes at most {scenarios}",
                         field="--scenarios")
    extra = np.repeat(table.risk_array[:, -1:], scenarios - n_sc, axis=1)
    return np.concatenate([table.risk_array, extra], axis=1)


def build_params_tree(table: RiskTable, size: CircuitSize) -> ParamsTree:
    """Hash the risk table into leaves, the tree and ``params_root`` for ``size``.

    Raises
    ------
    InputError
        When the table has more instruments, groups, assets or scenarios than the circuit size holds.
    """
    capacity = 1 << size.depth
    if table.n_instruments > capacity:
        raise InputError(f"{table.n_instruments} instruments do not fit the {size.name} circuit's tree "
                         f"({capacity} leaves)", field="instruments")
    if len(table.groups) > size.groups:
        raise InputError(f"{len(table.groups)} underlyings exceed the {size.name} circuit's {size.groups} groups",
                         field="underlyings")
    if len(table.assets) > size.assets:
        raise InputError(f"{len(table.assets)} collateral assets exceed the {size.name} circuit's {size.assets}",
                         field="collateral")
    risk = pad_risk(table, size.scenarios)
    leaves = [instrument_leaf(int(table.group_index[i]), int(table.mark[i]), int(table.charge[i]),
                              int(table.delta[i]), int(table.vega[i]), risk[i].tolist())
              for i in range(table.n_instruments)]
    tree = QuadMerkleTree(leaves, size.levels)
    pad = size.assets - len(table.assets)
    prices = list(table.asset_price) + [0] * pad
    haircuts = list(table.haircut_bp) + [BP] * pad
    collateral = collateral_hash(prices, haircuts)
    root = params_root(tree.root, collateral, table.im_multiplier_bp, table.mm_multiplier_bp, table.epoch)
    return ParamsTree(size, table, risk, leaves, tree, prices, haircuts, collateral, root)


def slots(account: AccountInts, size: CircuitSize) -> tuple[list[int], list[int]]:
    """The canonical slot layout: used slots sorted by leaf index, then ``(0, 0)`` padding."""
    if len(account.qty) > size.positions:
        raise InputError(f"the account has {len(account.qty)} positions; the {size.name} circuit takes at most "
                         f"{size.positions}", field="positions")
    pad = size.positions - len(account.qty)
    return list(account.leaf_index) + [0] * pad, list(account.qty) + [0] * pad


def balances(account: AccountInts, size: CircuitSize) -> list[int]:
    """Balances padded to the circuit's asset count."""
    return list(account.balances) + [0] * (size.assets - len(account.balances))


def commit_account(account: AccountInts, size: CircuitSize, salt: int) -> int:
    """The hiding commitment to an account's positions and balances in the slot layout of ``size``."""
    leaf_index, qty = slots(account, size)
    return account_commitment(leaf_index, qty, balances(account, size), salt)


