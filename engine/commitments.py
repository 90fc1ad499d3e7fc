"""The hashed encodings the circuit checks: instrument leaves, params root and account commitment.

Twin of ``circuits/account.circom``; the tests check both give the same values.

* instrument leaf = ``hash_list([1, group, mark, charge, delta, vega, risk[0..S-1]])``
* collateral hash = ``hash_list([2, price_0, haircut_0, ..., price_{K-1}, haircut_{K-1}])``
* ``params_root = poseidon([3, instruments_root, collateral_hash, im_bp, mm_bp, epoch])``, where
  ``instruments_root`` is the root of a quaternary Poseidon tree over the leaves (empty leaves 0)
* ``account_commitment = hash_list([4, N, K, (leaf_index_p, qty_p) for p < N, balance_k for k < K, salt])``
  with the used slots first, sorted by leaf index, and unused slots ``(0, 0)``.

Signed values enter hashes in the field encoding (``x mod r``).  Risk arrays shorter than the
circuit's scenario count are padded by repeating their last column, which changes no maximum;
missing collateral assets are padded with price 0 and haircut 10^4 (worth nothing).
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np

from engine.account import AccountInts
from engine.errors import InputError
from engine.fixedpoint import BP, to_field
from engine.merkle4 import QuadMerkleTree
from engine.poseidon import hash_list, poseidon
from engine.risk import RiskTable

DOMAIN_INSTRUMENT: Final = 1
DOMAIN_COLLATERAL: Final = 2
DOMAIN_PARAMS: Final = 3
DOMAIN_ACCOUNT: Final = 4
MARGIN_PACK_BITS: Final = 128
SALT_BITS: Final = 248


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


SIZES: Final = {
    "test": CircuitSize("test", positions=6, scenarios=16, groups=2, assets=4, depth=8),
    "standard": CircuitSize("standard", positions=16, scenarios=24, groups=2, assets=4, depth=10),
}


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


def instrument_leaf(group: int, mark: int, charge: int, delta: int, vega: int, risk: Sequence[int]) -> int:
    """Hash of one instrument leaf (signed inputs in the field encoding)."""
    return hash_list([DOMAIN_INSTRUMENT, group, to_field(mark), charge, to_field(delta), to_field(vega),
                      *(to_field(int(v)) for v in risk)])


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


def collateral_hash(prices: Sequence[int], haircuts_bp: Sequence[int]) -> int:
    """Hash of the collateral table: ``hash_list([2, price_0, haircut_0, ...])``."""
    return hash_list([DOMAIN_COLLATERAL, *(v for pair in zip(prices, haircuts_bp, strict=True) for v in pair)])


def params_root(instruments_root: int, collateral: int, im_bp: int, mm_bp: int, epoch: int) -> int:
    """``poseidon([3, instruments_root, collateral_hash, im_bp, mm_bp, epoch])``."""
    return poseidon([DOMAIN_PARAMS, instruments_root, collateral, im_bp, mm_bp, epoch])


def new_salt() -> int:
    """A uniformly random 248-bit salt (below the field order)."""
    return secrets.randbits(SALT_BITS)


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


def account_commitment(account: AccountInts, size: CircuitSize, salt: int) -> int:
    """The hiding commitment to an account's positions and balances."""
    leaf_index, qty = slots(account, size)
    body = [v for pair in zip(leaf_index, qty, strict=True) for v in (pair[0], to_field(pair[1]))]
    return hash_list([DOMAIN_ACCOUNT, size.positions, size.assets, *body, *balances(account, size), salt])


def pack_margins(initial_margin: int, maintenance_margin: int) -> int:
    """The public ``margins`` signal: ``IM * 2^128 + MM``."""
    for name, v in (("initial_margin", initial_margin), ("maintenance_margin", maintenance_margin)):
        if not 0 <= v < 1 << MARGIN_PACK_BITS:
            raise ValueError(f"{name} does not fit {MARGIN_PACK_BITS} bits")
    return (initial_margin << MARGIN_PACK_BITS) | maintenance_margin


def unpack_margins(margins: int) -> tuple[int, int]:
    """Inverse of :func:`pack_margins`: ``(IM, MM)``."""
    return margins >> MARGIN_PACK_BITS, margins & ((1 << MARGIN_PACK_BITS) - 1)
