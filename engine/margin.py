"""Exact portfolio margin, vectorised over many accounts.

The rules (see :mod:`engine.fixedpoint` for scales and rounding R1–R6), per
account and underlying group ``g``:

* ``loss[g, s] = sum_{p in g} -qty_p * risk_array[p, s] + short_lots_g`` (R2 allowance)
* ``scan_risk_g = max(0, max_s loss[g, s])``; ``worst_scenario_g`` is the first argmax
* ``short_option_minimum_g = sum_{p in g, qty_p < 0} |qty_p| * charge_p``
* ``group_risk_g = max(scan_risk_g, short_option_minimum_g)``; ``requirement = sum_g group_risk_g``
* ``MM = ceil(requirement * mm_bp / 10^4)``, ``IM = ceil(requirement * im_bp / 10^4)`` (R5)
* ``collateral_value = floor(sum_k bal_k * price_k * (10^4 - h_k) / 10^12)`` (R6)
* ``position_value = sum_p qty_p * mark_p - short_lots`` (R2, R3); ``equity = collateral_value + position_value``
* solvent iff ``equity >= MM``.

Positions are slots: padding slots have ``qty = 0``.  The int64 fast path is
used when a bound on the data proves that no int64 sum can overflow; otherwise
every account goes through the exact pure-int reference (:mod:`engine.reference`).
Both give identical integers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import sparse

from engine import reference
from engine.account import AccountInts
from engine.fixedpoint import BALANCE_SCALE, BP, MONEY_BITS, BoundsError, ceil_div, check_signed
from engine.risk import IntArray, RiskTable

INT64_SAFE = 1 << 62


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


@dataclass(frozen=True)
class BatchMargin:
    """Margin of A accounts against one risk table (G groups).

    Arrays: ``scan_risk``, ``worst_scenario``, ``short_option_minimum``: int64[A, G];
    ``requirement``, ``initial_margin``, ``maintenance_margin``, ``collateral_value``,
    ``position_value``, ``equity``: object[A] of Python ints; ``solvent``: bool[A].
    """

    groups: list[str]
    scan_risk: IntArray
    worst_scenario: IntArray
    short_option_minimum: IntArray
    requirement: npt.NDArray[np.object_]
    initial_margin: npt.NDArray[np.object_]
    maintenance_margin: npt.NDArray[np.object_]
    collateral_value: npt.NDArray[np.object_]
    position_value: npt.NDArray[np.object_]
    equity: npt.NDArray[np.object_]
    solvent: npt.NDArray[np.bool_]
    fast_path: bool

    def account(self, a: int) -> MarginResult:
        """The result of account ``a`` as a :class:`MarginResult` (groups the account holds or all groups)."""
        groups = tuple(
            GroupMargin(g, int(self.scan_risk[a, k]), int(self.worst_scenario[a, k]),
                        int(self.short_option_minimum[a, k]),
                        max(int(self.scan_risk[a, k]), int(self.short_option_minimum[a, k])))
            for k, g in enumerate(self.groups))
        return MarginResult(groups, int(self.requirement[a]), int(self.initial_margin[a]),
                            int(self.maintenance_margin[a]), int(self.collateral_value[a]),
                            int(self.position_value[a]), int(self.equity[a]))


def pack_accounts(accounts: list[AccountInts], n_assets: int) -> tuple[IntArray, IntArray, list[list[int]]]:
    """Stack accounts into padded slot arrays ``leaf_index[A, P]``, ``qty[A, P]`` and balances."""
    width = max((len(a.qty) for a in accounts), default=0)
    leaf = np.zeros((len(accounts), max(width, 1)), dtype=np.int64)
    qty = np.zeros_like(leaf)
    for a, acc in enumerate(accounts):
        leaf[a, : len(acc.leaf_index)] = acc.leaf_index
        qty[a, : len(acc.qty)] = acc.qty
    balances = [list(acc.balances) if acc.balances else [0] * n_assets for acc in accounts]
    return leaf, qty, balances


def _check_money(name: str, values: npt.NDArray[np.object_]) -> None:
    for v in values:
        check_signed(name, int(v), MONEY_BITS)


def collateral_values(table: RiskTable, balances: list[list[int]]) -> npt.NDArray[np.object_]:
    """Rule R6 for each account: floor of the haircut-weighted sum, in micro-units."""
    weights = [p * (BP - h) for p, h in zip(table.asset_price, table.haircut_bp, strict=True)]
    den = BALANCE_SCALE * BP
    out = np.empty(len(balances), dtype=object)
    for a, bal in enumerate(balances):
        if len(bal) != len(weights):
            raise BoundsError(f"account {a} has {len(bal)} balances, the table has {len(weights)} assets")
        out[a] = sum(b * w for b, w in zip(bal, weights, strict=True)) // den
    return out


def margin_batch(table: RiskTable, leaf_index: IntArray, qty: IntArray,
                 balances: list[list[int]]) -> BatchMargin:
    """Margin A accounts in one vectorised call.

    Parameters
    ----------
    table : the day's risk table (I instruments, S scenarios, G groups, K assets).
    leaf_index : int64[A, P], instrument leaf index per slot (any valid index for padding).
    qty : int64[A, P], signed lots per slot (0 for padding).
    balances : A lists of K ints, collateral in 1e-8 units.

    Returns
    -------
    BatchMargin, bit-identical to :func:`engine.reference.margin_account` per account.
    """
    n_acc, n_pos = qty.shape
    n_inst, n_sc = table.risk_array.shape
    n_grp = len(table.groups)
    if leaf_index.shape != qty.shape:
        raise ValueError(f"leaf_index shape {leaf_index.shape} != qty shape {qty.shape}")
    if n_acc and (leaf_index.min() < 0 or leaf_index.max() >= n_inst):
        raise BoundsError(f"leaf index out of range 0..{n_inst - 1}")

    q_max = int(np.abs(qty).max()) if qty.size else 0
    v_max = max(int(np.abs(table.risk_array).max(initial=0)), int(table.charge.max(initial=0)),
                int(np.abs(table.mark).max(initial=0))) + 1
    if q_max * v_max * max(n_pos, 1) >= INT64_SAFE:
        return _batch_by_reference(table, leaf_index, qty, balances)

    rows = np.repeat(np.arange(n_acc), n_pos)
    cols = leaf_index.ravel()
    q_all = sparse.csr_matrix((qty.ravel(), (rows, cols)), shape=(n_acc, n_inst), dtype=np.int64)
    short = np.maximum(-qty, 0).ravel()
    q_short = sparse.csr_matrix((short, (rows, cols)), shape=(n_acc, n_inst), dtype=np.int64)

    onehot = np.zeros((n_inst, n_grp), dtype=np.int64)
    onehot[np.arange(n_inst), table.group_index] = 1
    # risk arrays laid out per group: column g*S + s holds risk_array[:, s] for instruments of group g
    ra_by_group = (onehot[:, :, None] * table.risk_array[:, None, :]).reshape(n_inst, n_grp * n_sc)

    pnl = np.asarray(q_all @ ra_by_group).reshape(n_acc, n_grp, n_sc)
    short_lots = np.asarray(q_short @ onehot)
    loss = short_lots[:, :, None] - pnl
    worst = loss.argmax(axis=2)
    scan = np.maximum(loss.max(axis=2), 0)
    som = np.asarray(q_short @ (onehot * table.charge[:, None]))
    group_risk = np.maximum(scan, som)

    requirement = group_risk.astype(object).sum(axis=1)
    mm = np.array([ceil_div(int(r) * table.mm_multiplier_bp, BP) for r in requirement], dtype=object)
    im = np.array([ceil_div(int(r) * table.im_multiplier_bp, BP) for r in requirement], dtype=object)
    position_value = (np.asarray(q_all @ table.mark).astype(object) - short_lots.sum(axis=1).astype(object))
    collateral = collateral_values(table, balances)
    equity = collateral + position_value
    for name, vals in (("requirement", requirement), ("initial_margin", im), ("equity", equity),
                       ("collateral_value", collateral), ("position_value", position_value)):
        _check_money(name, vals)
    solvent = np.array([e >= m for e, m in zip(equity, mm, strict=True)], dtype=bool)
    return BatchMargin(table.groups, scan.astype(np.int64), worst.astype(np.int64), som.astype(np.int64),
                       requirement, im, mm, collateral, position_value, equity, solvent, fast_path=True)


def _batch_by_reference(table: RiskTable, leaf_index: IntArray, qty: IntArray,
                        balances: list[list[int]]) -> BatchMargin:
    results = [reference.margin_account(table, [int(x) for x in leaf_index[a]], [int(x) for x in qty[a]],
                                        balances[a]) for a in range(qty.shape[0])]
    n_grp = len(table.groups)

    def grid(attr: str) -> IntArray:
        return np.array([[getattr(r.groups[g], attr) for g in range(n_grp)] for r in results], dtype=object)

    def col(attr: str) -> npt.NDArray[np.object_]:
        return np.array([getattr(r, attr) for r in results], dtype=object)

    return BatchMargin(table.groups, grid("scan_risk"), grid("worst_scenario"), grid("short_option_minimum"),
                       col("requirement"), col("initial_margin"), col("maintenance_margin"),
                       col("collateral_value"), col("position_value"), col("equity"),
                       np.array([r.solvent for r in results], dtype=bool), fast_path=False)


def margin_account(table: RiskTable, account: AccountInts) -> MarginResult:
    """Margin one account (the batch path with A = 1)."""
    leaf, qty, balances = pack_accounts([account], len(table.assets))
    return margin_batch(table, leaf, qty, balances).account(0)


def isolated_margins(table: RiskTable, account: AccountInts) -> list[MarginResult]:
    """Each position margined alone (no collateral): the baseline the portfolio method improves on."""
    if not account.qty:
        return []
    n = len(account.qty)
    leaf = np.array(account.leaf_index, dtype=np.int64).reshape(n, 1)
    qty = np.array(account.qty, dtype=np.int64).reshape(n, 1)
    batch = margin_batch(table, leaf, qty, [[0] * len(table.assets) for _ in range(n)])
    return [batch.account(a) for a in range(n)]
