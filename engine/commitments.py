"""The committed risk parameters and account slots, built from the engine's integers.

The hashes themselves (leaf, table hash, params root, account commitment) are
:mod:`zkmargin.statement.commitments`; this module lays the engine's risk table and accounts out for a
circuit size.  Padding never changes a margin:

* scenarios: risk arrays and collateral risk rows shorter than the circuit's scenario count are padded by
  repeating their last column.  Every scenario rule takes a maximum over scenarios (each group's scan risk,
  the joint scan risk over all groups), and a repeated column repeats the same per-group and joint losses,
  so no maximum moves;
* assets: missing collateral assets get price 0, haircut 10^4 (worth nothing), group ``G`` (no group) and a
  zero risk row; an asset that is no underlying (group ``len(table.groups)`` in the table, or any value
  outside the table's groups, which the reference counts in no group) is given the circuit's ``G``, so it
  joins no group however many groups the circuit has;
* groups: missing groups have zero tier thresholds and rates; no position or asset is in them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from zkmargin.constants import BP
from zkmargin.engine.account import AccountInts
from zkmargin.engine.errors import InputError
from zkmargin.engine.models import MAX_TIERS
from zkmargin.engine.risk import IntArray, RiskTable
from zkmargin.statement.commitments import account_commitment, instrument_leaf, params_root, table_hash
from zkmargin.statement.merkle4 import QuadMerkleTree
from zkmargin.statement.sizes import CircuitSize


@dataclass(frozen=True)
class ParamsTree:
    """The committed risk parameters of one epoch for one circuit size (signed integers; K, G, S of the size).

    Attributes
    ----------
    risk : int64[I, S], risk arrays padded to the circuit's scenario count (micro-units per lot).
    asset_price : list[int], length K, micro-units per whole asset unit.
    haircut_bp : list[int], length K.
    asset_group : list[int], length K, the group of each asset's underlying or ``G`` for none.
    asset_risk : int64[K, S], collateral risk rows (micro-units per whole asset unit).
    tier_threshold, tier_rate : int64[G, MAX_TIERS], as :class:`~engine.risk.RiskTable`'s, zero for padding.
    credit_bp : the inter-underlying credit in basis points.
    """

    size: CircuitSize
    table: RiskTable
    risk: IntArray
    leaves: list[int]
    tree: QuadMerkleTree
    asset_price: list[int]
    haircut_bp: list[int]
    asset_group: list[int]
    asset_risk: IntArray
    tier_threshold: IntArray
    tier_rate: IntArray
    credit_bp: int
    table_hash: int
    params_root: int

    @property
    def instruments_root(self) -> int:
        return self.tree.root

    def leaf_fields(self, i: int) -> dict[str, int | list[int]]:
        """Signed integers of leaf ``i`` (group, kind, mark, charge, delta, vega, risk)."""
        t = self.table
        return {"group": int(t.group_index[i]), "kind": int(t.kind[i]), "mark": int(t.mark[i]),
                "charge": int(t.charge[i]), "delta": int(t.delta[i]), "vega": int(t.vega[i]),
                "risk": [int(v) for v in self.risk[i]]}

    def table_fields(self) -> dict[str, object]:
        """The values the table hash commits to, in hashing order (the published risk table)."""
        return {"asset_price": self.asset_price, "haircut_bp": self.haircut_bp, "asset_group": self.asset_group,
                "asset_risk": self.asset_risk.tolist(), "tier_threshold": self.tier_threshold.tolist(),
                "tier_rate": self.tier_rate.tolist(), "credit_bp": self.credit_bp}


def pad_columns(values: IntArray, scenarios: int) -> IntArray:
    """``values[R, S0]`` padded to ``scenarios`` columns by repeating the last column (``S0 <= scenarios``)."""
    extra = np.repeat(values[:, -1:], scenarios - values.shape[1], axis=1)
    return np.concatenate([values, extra], axis=1).astype(np.int64)


def pad_risk(table: RiskTable, scenarios: int) -> IntArray:
    """Risk arrays padded to ``scenarios`` columns by repeating the last column."""
    n_sc = table.n_scenarios
    if n_sc > scenarios:
        raise InputError(f"the scenario set has {n_sc} scenarios; this circuit size takes at most {scenarios}",
                         field="--scenarios")
    return pad_columns(table.risk_array, scenarios)


def build_params_tree(table: RiskTable, size: CircuitSize) -> ParamsTree:
    """Hash the risk table into leaves, the tree, the table hash and ``params_root`` for ``size``.

    Raises
    ------
    InputError
        When the table has more instruments, groups, assets or scenarios than the circuit size holds.
    """
    capacity = 1 << size.depth
    if table.n_instruments > capacity:
        raise InputError(f"{table.n_instruments} instruments do not fit the {size.name} circuit's tree "
                         f"({capacity} leaves)", field="instruments")
    n_groups = len(table.groups)
    if n_groups > size.groups:
        raise InputError(f"{n_groups} underlyings exceed the {size.name} circuit's {size.groups} groups",
                         field="underlyings")
    if len(table.assets) > size.assets:
        raise InputError(f"{len(table.assets)} collateral assets exceed the {size.name} circuit's {size.assets}",
                         field="collateral")
    if table.tier_threshold.shape != (n_groups, MAX_TIERS) or table.tier_rate.shape != (n_groups, MAX_TIERS):
        raise ValueError(f"tier arrays must have shape ({n_groups}, {MAX_TIERS}); got "
                         f"{table.tier_threshold.shape} and {table.tier_rate.shape}")
    risk = pad_risk(table, size.scenarios)
    leaves = [instrument_leaf(int(table.group_index[i]), int(table.kind[i]), int(table.mark[i]),
                              int(table.charge[i]), int(table.delta[i]), int(table.vega[i]), risk[i].tolist())
              for i in range(table.n_instruments)]
    tree = QuadMerkleTree(leaves, size.levels)

    pad = size.assets - len(table.assets)
    prices = list(table.asset_price) + [0] * pad
    haircuts = list(table.haircut_bp) + [BP] * pad
    groups = [int(g) if 0 <= int(g) < n_groups else size.groups for g in table.asset_group] + [size.groups] * pad
    asset_risk = np.zeros((size.assets, size.scenarios), dtype=np.int64)
    if table.assets:
        asset_risk[:len(table.assets)] = pad_columns(np.asarray(table.asset_risk, dtype=np.int64), size.scenarios)
    thresholds = np.zeros((size.groups, MAX_TIERS), dtype=np.int64)
    rates = np.zeros((size.groups, MAX_TIERS), dtype=np.int64)
    thresholds[:n_groups] = table.tier_threshold
    rates[:n_groups] = table.tier_rate
    credit = int(table.intergroup_credit_bp)
    committed = table_hash(prices, haircuts, groups, asset_risk.tolist(), thresholds.tolist(), rates.tolist(),
                           credit)
    root = params_root(tree.root, committed, table.im_multiplier_bp, table.mm_multiplier_bp, table.epoch)
    return ParamsTree(size, table, risk, leaves, tree, prices, haircuts, groups, asset_risk, thresholds, rates,
                      credit, committed, root)


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
