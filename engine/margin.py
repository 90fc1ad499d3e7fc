"""Exact portfolio margin, vectorised over many accounts.

The rules (see :mod:`zkmargin.constants` for scales and rounding R1–R6), per
account and underlying group ``g``:

* ``loss[g, s] = sum_{p in g} -qty_p * risk_array[p, s] + short_lots_g`` (R2 allowance)
* ``scan_risk_g = max(0, max_s loss[g, s])``; ``worst_scenario_g`` is the first argmax
* ``short_option_minimum_g = sum_{p in g, qty_p < 0} |qty_p| * charge_p``
* ``group_risk_g = max(scan_risk_g, short_option_minimum_g)``; ``requirement = sum_g group_risk_g``
* ``MM = ceil(requirement * mm_bp / 10^4)``, ``IM = ceil(requirement * im_bp / 10^4)`` (R5)
* ``collateral_value = floor(sum_k bal_k * price_k * (10^4 - h_k) / 10^12)`` (R6)
* ``position_value = sum_p qty_p * mark_p - short_lots`` (R2, R3); ``equity = collateral_value + position_value``
* solvent iff ``equity >= MM``.

Positions are slots: padding slots have ``qty = 0``.  A bound on the data,
``max|qty| * max(|risk|, charge, |mark|) * slots``, picks the arithmetic: float64 below
2^53 (every partial sum is an exactly represented integer), int64 below 2^62, and
otherwise the exact pure-int reference (:mod:`engine.reference`) for every account.
All three give identical integers.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import sparse

from zkmargin.constants import BALANCE_SCALE, BP, MONEY_BITS, BoundsError, ceil_div, check_signed
from zkmargin.engine import reference
from zkmargin.engine.account import AccountInts
from zkmargin.engine.results import GroupMargin, MarginResult
from zkmargin.engine.risk import IntArray, RiskTable

INT64_SAFE = 1 << 62
#: Integers below 2^53 are exact in float64, and so are their sums while they stay below it.
FLOAT64_EXACT = 1 << 53
CHUNK_ACCOUNTS = 8192


@dataclass(frozen=True)
class BatchMargin:
    """Margin of A accounts against one risk table (G groups).

    Arrays: ``scan_risk``, ``worst_scenario``, ``short_option_minimum``: int64[A, G];
    ``requirement``, ``initial_margin``, ``maintenance_margin``, ``collateral_value``,
    ``position_value``, ``equity``: int[A], int64 where the values provably fit and Python ints
    (object dtype) otherwise; ``solvent``: bool[A]; ``arithmetic``: ``"float64"``, ``"int64"`` or
    ``"reference"``, the exact arithmetic the data's bound selected.
    """

    groups: list[str]
    scan_risk: IntArray
    worst_scenario: IntArray
    short_option_minimum: IntArray
    requirement: npt.NDArray[Any]
    initial_margin: npt.NDArray[Any]
    maintenance_margin: npt.NDArray[Any]
    collateral_value: npt.NDArray[Any]
    position_value: npt.NDArray[Any]
    equity: npt.NDArray[Any]
    solvent: npt.NDArray[np.bool_]
    arithmetic: str

    @property
    def fast_path(self) -> bool:
        """True when the vectorised path ran (``arithmetic`` float64 or int64, not the reference)."""
        return self.arithmetic != "reference"

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


def _check_money(name: str, values: npt.NDArray[Any]) -> None:
    """Every value must lie in the signed MONEY_BITS range (int64 arrays always do)."""
    if values.dtype == object:
        lim = 1 << (MONEY_BITS - 1)
        bad = (values >= lim) | (values < -lim)
        if bad.any():
            check_signed(name, int(values[np.argmax(bad)]), MONEY_BITS)


def _sum_rows(values: IntArray) -> npt.NDArray[Any]:
    """Row sums of a non-negative int64[A, G], exactly (object ints if int64 could overflow)."""
    if values.size and int(values.max()) >= INT64_SAFE // max(values.shape[1], 1):
        exact: npt.NDArray[Any] = values.astype(object).sum(axis=1)
        return exact
    sums: npt.NDArray[Any] = values.sum(axis=1)
    return sums


def _ceil_bp(requirement: npt.NDArray[Any], multiplier_bp: int) -> npt.NDArray[Any]:
    """Rule R5: ``ceil(requirement * multiplier_bp / 10^4)``, exactly."""
    if requirement.dtype != object and (not requirement.size or int(requirement.max()) < INT64_SAFE // multiplier_bp):
        fast: npt.NDArray[Any] = (requirement * multiplier_bp + (BP - 1)) // BP
        return fast
    return np.array([ceil_div(int(r) * multiplier_bp, BP) for r in requirement], dtype=object)


def _add(a: npt.NDArray[Any], b: npt.NDArray[Any]) -> npt.NDArray[Any]:
    """Exact elementwise sum of two integer arrays (object ints when int64 could overflow)."""
    if a.dtype != object and b.dtype != object and a.size:
        lim = INT64_SAFE
        if int(np.abs(a).max()) < lim and int(np.abs(b).max()) < lim:
            fast: npt.NDArray[Any] = a + b
            return fast
    exact: npt.NDArray[Any] = a.astype(object) + b.astype(object)
    return exact


def collateral_values(table: RiskTable, balances: npt.ArrayLike) -> npt.NDArray[Any]:
    """Rule R6 for each account: floor of the haircut-weighted sum, in micro-units.

    ``balances`` is int[A, K] (1e-8 units), a list of lists or an array.  Exact: int64 when the products
    provably fit, else Python ints.
    """
    weights = [p * (BP - h) for p, h in zip(table.asset_price, table.haircut_bp, strict=True)]
    den = BALANCE_SCALE * BP
    bal = np.asarray(balances, dtype=object if _has_huge(balances) else np.int64)
    if bal.ndim != 2 or bal.shape[1] != len(weights):
        raise BoundsError(f"balances must have shape (accounts, {len(weights)}), got {bal.shape}")
    if not bal.size:
        return np.zeros(bal.shape[0], dtype=np.int64)
    if bal.dtype != object and int(bal.max()) * max(weights, default=0) * len(weights) < INT64_SAFE:
        out: npt.NDArray[Any] = (bal * np.array(weights, dtype=np.int64)).sum(axis=1) // den
        return out
    total = np.zeros(bal.shape[0], dtype=object)
    for k, w in enumerate(weights):
        total = total + bal[:, k].astype(object) * w
    result: npt.NDArray[Any] = total // den
    return result


def _has_huge(values: npt.ArrayLike) -> bool:
    """True if a nested list of ints holds a value that does not fit int64."""
    if isinstance(values, np.ndarray):
        return bool(values.dtype == object)
    rows: Any = values
    return any(abs(int(v)) >= 1 << 63 for row in rows for v in row)


def margin_batch(table: RiskTable, leaf_index: IntArray, qty: IntArray,
                 balances: npt.ArrayLike) -> BatchMargin:
    """Margin A accounts in one vectorised call.

    Parameters
    ----------
    table : the day's risk table (I instruments, S scenarios, G groups, K assets).
    leaf_index : int64[A, P], instrument leaf index per slot (any valid index for padding).
    qty : int64[A, P], signed lots per slot (0 for padding).
    balances : int[A, K] (array or lists), collateral in 1e-8 units.

    Returns
    -------
    BatchMargin, bit-identical to :func:`engine.reference.margin_account` per account.
    """
    n_acc, n_pos = qty.shape
    n_inst = table.n_instruments
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
    ops = _operands(table, exact_in_float=q_max * v_max * max(n_pos, 1) < FLOAT64_EXACT)

    scan = np.zeros((n_acc, n_grp), dtype=np.int64)
    worst = np.zeros((n_acc, n_grp), dtype=np.int64)
    som = np.zeros((n_acc, n_grp), dtype=np.int64)
    position_value = np.zeros(n_acc, dtype=np.int64)
    # blocks of accounts keep the temporaries small and reused (fresh large arrays are page-fault bound);
    # numpy and scipy release the GIL in their loops, so blocks run on all cores
    blocks = [slice(a0, a0 + CHUNK_ACCOUNTS) for a0 in range(0, n_acc, CHUNK_ACCOUNTS)]

    def run(blk: slice) -> None:
        _margin_block(table, ops, leaf_index[blk], qty[blk], scan[blk], worst[blk], som[blk], position_value[blk])

    if len(blocks) > 1:
        with ThreadPoolExecutor(max_workers=min(len(blocks), os.cpu_count() or 1)) as pool:
            list(pool.map(run, blocks))
    elif blocks:
        run(blocks[0])
    group_risk = np.maximum(scan, som)

    requirement = _sum_rows(group_risk)
    mm = _ceil_bp(requirement, table.mm_multiplier_bp)
    im = _ceil_bp(requirement, table.im_multiplier_bp)
    collateral = collateral_values(table, balances)
    equity = _add(collateral, position_value)
    for name, vals in (("requirement", requirement), ("initial_margin", im), ("equity", equity),
                       ("collateral_value", collateral), ("position_value", position_value)):
        _check_money(name, vals)
    solvent = np.asarray(equity >= mm, dtype=bool)
    return BatchMargin(table.groups, scan.astype(np.int64), worst.astype(np.int64), som.astype(np.int64),
                       requirement, im, mm, collateral, position_value, equity, solvent,
                       arithmetic="float64" if ops.dtype is np.float64 else "int64")


@dataclass(frozen=True)
class _BlockOperands:
    """Per-table operands of the fast path, laid out for one sparse product per block.

    ``risk_by_group`` is [I, G*S]: column ``g*S + s`` holds ``risk_array[:, s]`` for instruments of group g
    and 0 elsewhere; ``per_short_lot`` is [I, 2G]: a 1 and the charge in the instrument's group columns.
    ``dtype`` is float64 when every partial sum is provably below 2^53 (then float arithmetic is exact and
    vectorises) and int64 otherwise.
    """

    risk_by_group: npt.NDArray[Any]
    per_short_lot: IntArray
    mark: npt.NDArray[Any]
    dtype: type


def _operands(table: RiskTable, exact_in_float: bool) -> _BlockOperands:
    n_inst, n_grp = table.n_instruments, len(table.groups)
    onehot = np.zeros((n_inst, n_grp), dtype=np.int64)
    onehot[np.arange(n_inst), table.group_index] = 1
    by_group = (onehot[:, :, None] * table.risk_array[:, None, :]).reshape(n_inst, -1)
    dtype: type = np.float64 if exact_in_float else np.int64
    return _BlockOperands(by_group.astype(dtype), np.concatenate([onehot, onehot * table.charge[:, None]], axis=1),
                          table.mark.astype(dtype), dtype)


def _margin_block(table: RiskTable, ops: _BlockOperands, leaf_index: IntArray, qty: IntArray, scan: IntArray,
                  worst: IntArray, som: IntArray, position_value: IntArray) -> None:
    """Fast path for one block of accounts; fills the output slices in place.

    Each account is one row of a sparse matrix over instruments holding its slots' quantities, so one
    product with ``ops.risk_by_group`` gives every group's scenario P&L.  The caller's bound check
    guarantees no int64 overflow, and exactness in float64 when ``ops.dtype`` is float64.
    """
    n_blk, n_pos = qty.shape
    n_grp = len(table.groups)
    indptr = np.arange(0, n_blk * n_pos + 1, n_pos)
    shape = (n_blk, table.n_instruments)
    leaves = leaf_index.ravel()
    q = sparse.csr_matrix((qty.ravel().astype(ops.dtype), leaves, indptr), shape=shape)
    short = np.maximum(-qty, 0)
    per_group = np.asarray(sparse.csr_matrix((short.ravel(), leaves, indptr), shape=shape) @ ops.per_short_lot)
    short_lots, charges = per_group[:, :n_grp], per_group[:, n_grp:]
    loss = np.asarray(q @ ops.risk_by_group).reshape(n_blk, n_grp, -1)
    np.subtract(short_lots[:, :, None].astype(ops.dtype), loss, out=loss)  # loss = short lots - P&L
    worst[:] = loss.argmax(axis=2)
    scan[:] = np.maximum(np.take_along_axis(loss, worst[:, :, None], axis=2)[:, :, 0], 0).astype(np.int64)
    som[:] = charges
    position_value[:] = np.asarray(q @ ops.mark).astype(np.int64) - short_lots.sum(axis=1)


def _batch_by_reference(table: RiskTable, leaf_index: IntArray, qty: IntArray,
                        balances: npt.ArrayLike) -> BatchMargin:
    bal = np.asarray(balances, dtype=object)
    results = [reference.margin_account(table, [int(x) for x in leaf_index[a]], [int(x) for x in qty[a]],
                                        [int(b) for b in bal[a]]) for a in range(qty.shape[0])]
    n_grp = len(table.groups)

    def grid(attr: str) -> IntArray:
        return np.array([[getattr(r.groups[g], attr) for g in range(n_grp)] for r in results], dtype=object)

    def col(attr: str) -> npt.NDArray[Any]:
        return np.array([getattr(r, attr) for r in results], dtype=object)

    return BatchMargin(table.groups, grid("scan_risk"), grid("worst_scenario"), grid("short_option_minimum"),
                       col("requirement"), col("initial_margin"), col("maintenance_margin"),
                       col("collateral_value"), col("position_value"), col("equity"),
                       np.array([r.solvent for r in results], dtype=bool), arithmetic="reference")


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
