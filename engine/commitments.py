"""The committed risk parameters and account slots, built from the engine's integers.

The hashes themselves (leaves, table hash, params root, account commitment) are
:mod:`zkmargin.statement.commitments`; this module lays the engine's risk table out in the market's shape
(:mod:`zkmargin.statement.sizes`: one ``params_root`` for every circuit size) and an account out in a circuit
size's slots.  Padding never changes a margin:

* scenarios: risk arrays and collateral risk rows shorter than ``MARKET_SCENARIOS`` are padded by repeating
  their last column.  Every scenario rule takes a maximum over scenarios (each group's scan risk, the joint
  scan risk over all groups), and a repeated column repeats the same per-group and joint losses, so no
  maximum moves;
* an asset that is no underlying (group ``len(table.groups)`` in the table, or any value outside the table's
  groups, which the reference counts in no group) gets ``NO_GROUP``;
* unused position slots hold ``(leaf 0, qty 0)``, unused asset slots ``(id 0, balance 0)``, unused group slots
  nothing: the circuit counts none of them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from zkmargin.engine.account import AccountInts
from zkmargin.engine.errors import InputError
from zkmargin.engine.models import MAX_TIERS
from zkmargin.engine.risk import IntArray, RiskTable
from zkmargin.statement.commitments import (
    account_commitment,
    asset_leaf,
    book_commitment,
    group_leaf,
    instrument_leaf,
    params_root,
    positions_hash,
    table_hash,
)
from zkmargin.statement.merkle4 import QuadMerkleTree
from zkmargin.statement.sizes import (
    ASSET_DEPTH,
    GROUP_DEPTH,
    INSTRUMENT_DEPTH,
    MARKET_SCENARIOS,
    NO_GROUP,
    BookSize,
    CircuitSize,
)


@dataclass(frozen=True)
class ParamsTree:
    """The committed risk parameters of one epoch, in the market's shape (signed integers).

    Attributes
    ----------
    risk : int64[I, MARKET_SCENARIOS], risk arrays padded by repeating the last column (micro-units per lot).
    leaves, tree : the instrument leaves and their tree (``INSTRUMENT_DEPTH``).
    group_leaves, group_tree : one leaf per underlying group (its size tiers), ``GROUP_DEPTH``.
    asset_leaves, asset_tree : one leaf per collateral asset, ``ASSET_DEPTH``.
    asset_price : list[int], length A, micro-units per whole asset unit.
    haircut_bp : list[int], length A.
    asset_group : list[int], length A, the group id of each asset's underlying or ``NO_GROUP``.
    asset_risk : int64[A, MARKET_SCENARIOS], collateral risk rows (micro-units per whole asset unit).
    tier_threshold, tier_rate : int64[M, MAX_TIERS], as :class:`~engine.risk.RiskTable`'s.
    credit_bp : the inter-underlying credit in basis points.
    """

    table: RiskTable
    risk: IntArray
    leaves: list[int]
    tree: QuadMerkleTree
    group_leaves: list[int]
    group_tree: QuadMerkleTree
    asset_leaves: list[int]
    asset_tree: QuadMerkleTree
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

    @property
    def groups_root(self) -> int:
        return self.group_tree.root

    @property
    def assets_root(self) -> int:
        return self.asset_tree.root

    def leaf_fields(self, i: int) -> dict[str, int | list[int]]:
        """Signed integers of leaf ``i`` (group, kind, mark, charge, delta, vega, risk)."""
        t = self.table
        return {"group": int(t.group_index[i]), "kind": int(t.kind[i]), "mark": int(t.mark[i]),
                "charge": int(t.charge[i]), "delta": int(t.delta[i]), "vega": int(t.vega[i]),
                "risk": [int(v) for v in self.risk[i]]}

    def group_fields(self, g: int) -> dict[str, list[int]]:
        """The size tiers of group ``g`` (``tier_threshold``, ``tier_rate``, ``MAX_TIERS`` each)."""
        return {"tier_threshold": [int(v) for v in self.tier_threshold[g]],
                "tier_rate": [int(v) for v in self.tier_rate[g]]}

    def asset_fields(self, k: int) -> dict[str, int | list[int]]:
        """Collateral leaf ``k``: price, haircut_bp, group, asset_risk."""
        return {"price": self.asset_price[k], "haircut_bp": self.haircut_bp[k], "group": self.asset_group[k],
                "asset_risk": [int(v) for v in self.asset_risk[k]]}


def pad_columns(values: IntArray, scenarios: int) -> IntArray:
    """``values[R, S0]`` padded to ``scenarios`` columns by repeating the last column (``S0 <= scenarios``)."""
    extra = np.repeat(values[:, -1:], scenarios - values.shape[1], axis=1)
    return np.concatenate([values, extra], axis=1).astype(np.int64)


def pad_risk(table: RiskTable, scenarios: int = MARKET_SCENARIOS) -> IntArray:
    """Risk arrays padded to ``scenarios`` columns by repeating the last column."""
    n_sc = table.n_scenarios
    if n_sc > scenarios:
        raise InputError(f"the scenario set has {n_sc} scenarios; the committed risk arrays hold at most {scenarios}",
                         field="--scenarios")
    return pad_columns(table.risk_array, scenarios)


def build_params_tree(table: RiskTable) -> ParamsTree:
    """Hash the risk table into the instrument, group and collateral trees, the table hash and ``params_root``.

    Raises
    ------
    InputError
        When the table has more instruments, groups, assets or scenarios than the market's shape holds.
    """
    capacity = 1 << INSTRUMENT_DEPTH
    if table.n_instruments > capacity:
        raise InputError(f"{table.n_instruments} instruments exceed the instrument tree's {capacity:,} leaves",
                         field="instruments")
    n_groups = len(table.groups)
    if n_groups > 1 << GROUP_DEPTH:
        raise InputError(f"{n_groups} underlyings exceed the group table's {1 << GROUP_DEPTH}", field="underlyings")
    if len(table.assets) > 1 << ASSET_DEPTH:
        raise InputError(f"{len(table.assets)} collateral assets exceed the collateral table's {1 << ASSET_DEPTH}",
                         field="collateral")
    if table.tier_threshold.shape != (n_groups, MAX_TIERS) or table.tier_rate.shape != (n_groups, MAX_TIERS):
        raise ValueError(f"tier arrays must have shape ({n_groups}, {MAX_TIERS}); got "
                         f"{table.tier_threshold.shape} and {table.tier_rate.shape}")
    risk = pad_risk(table)
    leaves = [instrument_leaf(int(table.group_index[i]), int(table.kind[i]), int(table.mark[i]),
                              int(table.charge[i]), int(table.delta[i]), int(table.vega[i]), risk[i].tolist())
              for i in range(table.n_instruments)]
    tree = QuadMerkleTree(leaves, INSTRUMENT_DEPTH // 2)

    thresholds = np.asarray(table.tier_threshold, dtype=np.int64).reshape(n_groups, MAX_TIERS)
    rates = np.asarray(table.tier_rate, dtype=np.int64).reshape(n_groups, MAX_TIERS)
    group_leaves = [group_leaf(thresholds[g].tolist(), rates[g].tolist()) for g in range(n_groups)]
    group_tree = QuadMerkleTree(group_leaves, GROUP_DEPTH // 2)

    prices = [int(p) for p in table.asset_price]
    haircuts = [int(h) for h in table.haircut_bp]
    groups = [int(g) if 0 <= int(g) < n_groups else NO_GROUP for g in table.asset_group]
    asset_risk = np.zeros((len(table.assets), MARKET_SCENARIOS), dtype=np.int64)
    if table.assets:
        asset_risk[:] = pad_columns(np.asarray(table.asset_risk, dtype=np.int64), MARKET_SCENARIOS)
    asset_leaves = [asset_leaf(prices[k], haircuts[k], groups[k], asset_risk[k].tolist())
                    for k in range(len(table.assets))]
    asset_tree = QuadMerkleTree(asset_leaves, ASSET_DEPTH // 2)

    credit = int(table.intergroup_credit_bp)
    committed = table_hash(group_tree.root, asset_tree.root, credit)
    root = params_root(tree.root, committed, table.im_multiplier_bp, table.mm_multiplier_bp, table.epoch)
    return ParamsTree(table, risk, leaves, tree, group_leaves, group_tree, asset_leaves, asset_tree, prices,
                      haircuts, groups, asset_risk, thresholds, rates, credit, committed, root)


@dataclass(frozen=True)
class AccountSlots:
    """An account laid out in a circuit size's slots (every list has the size's length).

    ``position_slot[p]`` and ``asset_slot[k]`` are the group slot a position or asset counts in, ``G`` for none
    (an unused position slot, or an asset that is no underlying or has no balance).
    """

    size: CircuitSize
    leaf_index: list[int]
    qty: list[int]
    position_slot: list[int]
    group_id: list[int]
    group_used: list[int]
    asset_id: list[int]
    asset_used: list[int]
    balance: list[int]
    asset_slot: list[int]

    @property
    def used_groups(self) -> list[int]:
        """The group ids of the used group slots, in slot order."""
        return [g for g, used in zip(self.group_id, self.group_used, strict=True) if used]


def slots(account: AccountInts, size: CircuitSize) -> tuple[list[int], list[int]]:
    """The canonical position slots: used slots sorted by leaf index, then ``(0, 0)`` padding."""
    if len(account.qty) > size.positions:
        raise InputError(f"the account has {len(account.qty)} positions; the {size.name} circuit takes at most "
                         f"{size.positions}", field="positions")
    pad = size.positions - len(account.qty)
    return list(account.leaf_index) + [0] * pad, list(account.qty) + [0] * pad


def asset_slots(account: AccountInts, size: CircuitSize) -> tuple[list[int], list[int]]:
    """The canonical collateral slots: the assets with a balance, by id, then ``(0, 0)`` padding."""
    posted = [(k, int(b)) for k, b in enumerate(account.balances) if b != 0]
    if len(posted) > size.assets:
        raise InputError(f"the account posts {len(posted)} collateral assets; the {size.name} circuit takes at most "
                         f"{size.assets}", field="collateral")
    pad = size.assets - len(posted)
    return [k for k, _ in posted] + [0] * pad, [b for _, b in posted] + [0] * pad


def account_groups(params: ParamsTree, account: AccountInts) -> list[int]:
    """The group ids an account trades: its positions' underlyings and the underlyings it posts, ascending."""
    groups = {int(params.table.group_index[i]) for i, q in zip(account.leaf_index, account.qty, strict=True) if q}
    groups |= {params.asset_group[k] for k, b in enumerate(account.balances) if b and params.asset_group[k] != NO_GROUP}
    return sorted(groups)


def account_slots(params: ParamsTree, account: AccountInts, size: CircuitSize) -> AccountSlots:
    """Lay ``account`` out in the slots of ``size``.

    Raises
    ------
    InputError
        More positions, underlyings or posted assets than the size has slots for.
    """
    leaf_index, qty = slots(account, size)
    asset_id, balance = asset_slots(account, size)
    groups = account_groups(params, account)
    if len(groups) > size.groups:
        raise InputError(f"the account trades {len(groups)} underlyings; the {size.name} circuit takes at most "
                         f"{size.groups}", field="positions")
    slot_of = {g: n for n, g in enumerate(groups)}
    n_used = len(account.qty)
    position_slot = [slot_of[int(params.table.group_index[leaf_index[p]])] if p < n_used else size.groups
                     for p in range(size.positions)]
    asset_slot = [slot_of.get(params.asset_group[k], size.groups) if b else size.groups
                  for k, b in zip(asset_id, balance, strict=True)]
    pad = size.groups - len(groups)
    return AccountSlots(size, leaf_index, qty, position_slot, groups + [0] * pad, [1] * len(groups) + [0] * pad,
                        asset_id, [1 if b else 0 for b in balance], balance, asset_slot)


def commit_account(account: AccountInts, size: CircuitSize, salt: int) -> int:
    """The hiding commitment to an account's positions and balances in the slot layout of ``size``."""
    leaf_index, qty = slots(account, size)
    asset_id, balance = asset_slots(account, size)
    return account_commitment(leaf_index, qty, asset_id, balance, salt)


def used_chunks(account: AccountInts, size: BookSize) -> int:
    """How many of the book's chunks hold positions: ceil(positions / C); the rest are unused."""
    return -(-len(account.qty) // size.chunk_positions)


def chunk_slots(account: AccountInts, size: BookSize) -> list[tuple[list[int], list[int]]]:
    """``(leaf_index[C], qty[C])`` of each of the book's M chunks: the account's position slots in order (sorted by
    leaf index), C per chunk, padded with ``(0, 0)``; an unused chunk is all padding.

    Raises
    ------
    InputError
        More positions than the book's M * C slots.
    """
    leaf_index, qty = slots(account, size.account)
    c = size.chunk_positions
    return [(leaf_index[i * c:(i + 1) * c], qty[i * c:(i + 1) * c]) for i in range(size.chunks)]


def chunk_positions_hashes(account: AccountInts, size: BookSize) -> list[int]:
    """The book's ``positions_hash`` per chunk: of the chunk's slots when it is used, 0 when it is not."""
    used = used_chunks(account, size)
    return [positions_hash(leaf_index, qty) if i < used else 0
            for i, (leaf_index, qty) in enumerate(chunk_slots(account, size))]


def commit_book(account: AccountInts, size: BookSize, salt: int) -> int:
    """The hiding commitment to an account proven as a book of ``size``: its chunks' positions hashes and its
    collateral slots (``circuits/book.circom`` BookMargin)."""
    asset_id, balance = asset_slots(account, size.account)
    return book_commitment(chunk_positions_hashes(account, size), asset_id, balance, salt)
