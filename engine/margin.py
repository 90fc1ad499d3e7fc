"""Exact portfolio margin (model v2), vectorised over many accounts.

The rules (scales and rounding R1-R10 in :mod:`zkmargin.constants`), per account, underlying group ``g``
and scenario ``s``; money in micro-units, balances in 1e-8 units:

* ``loss[g, s] = ceil((10^8 * (short_lots_g - sum_{p in g} qty_p * risk[p, s])
  - sum_{k in g} bal_k * asset_risk[k, s]) / 10^8)``: positions and the collateral of that underlying
  (R2 allowance, R7 ceiling); ``scan_g = max(0, max_s loss[g, s])``, ``worst_scenario_g`` its first argmax
* ``joint = max(0, max_s ceil(sum_g scaled loss[g, s] / 10^8))``: all underlyings moving together
* ``credit = floor((sum_g scan_g - joint) * credit_bp / 10^4)`` (R8); ``scan = sum_g scan_g - credit``
* ``som_g = max(0, sum_{calls in g} -qty * charge, sum_{puts in g} -qty * charge)``: net short calls or puts
* ``delta_g = 100 * sum_{p in g} qty_p * delta_p + sum_{k in g} bal_k`` (1e-8 units of the underlying)
* ``conc_g = ceil(sum_t max(0, |delta_g| - threshold[g, t]) * rate[g, t] / 10^8)`` (R9)
* ``requirement = max(scan, sum_g som_g) + sum_g conc_g``
* ``MM = ceil(requirement * mm_bp / 10^4)``, ``IM`` likewise (R5); an account with no short lot and no
  perpetual or future is capped at the value of its long options: ``min(MM, option_value)``
* ``collateral_value = floor(sum_k bal_k * price_k * (10^4 - h_k) / 10^12)`` (R6)
* ``position_value = sum_p qty_p * mark_p - short_lots`` (R2, R3; spot marks net of haircut, R10);
  ``equity = collateral_value + position_value``
* solvent iff ``equity >= MM``.

Positions are slots: padding slots have ``qty = 0``.  A bound on the data picks the arithmetic: float64
where every partial sum is an integer below 2^53, int64 below 2^62, and otherwise the exact pure-int
reference (:mod:`engine.reference`) for every account.  All three give identical integers.
"""

from __future__ import annotations

import functools
import math
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
from zkmargin.engine.reference import DELTA_TO_BALANCE
from zkmargin.engine.results import GroupMargin, MarginResult
from zkmargin.engine.risk import KIND_CALL, KIND_LINEAR, KIND_PUT, IntArray, RiskTable

INT64_SAFE = 1 << 62
#: Integers below 2^53 are exact in float64, and so are their sums while they stay below it.
FLOAT64_EXACT = 1 << 53
CHUNK_ACCOUNTS = 8192


@dataclass(frozen=True)
class BatchMargin:
    """Margin of A accounts against one risk table (G groups).

    Per group, int64[A, G] (object ints where int64 could overflow): ``scan_risk``, ``worst_scenario``,
    ``short_option_minimum``, ``net_delta`` (1e-8 units of the underlying), ``concentration``.  Per account,
    int[A]: ``separate_scan``, ``joint_scan``, ``joint_worst``, ``intergroup_credit``, ``scan``,
    ``short_option_minimum_total``, ``concentration_total``, ``requirement``, ``option_value``,
    ``initial_margin``, ``maintenance_margin``, ``collateral_value``, ``position_value``, ``equity``;
    bool[A]: ``liability_free``, ``solvent``.  ``arithmetic`` is ``"float64"``, ``"int64"`` or
    ``"reference"``, the exact arithmetic the data's bound selected.
    """

    groups: list[str]
    scan_risk: npt.NDArray[Any]
    worst_scenario: npt.NDArray[Any]
    short_option_minimum: npt.NDArray[Any]
    net_delta: npt.NDArray[Any]
    concentration: npt.NDArray[Any]
    separate_scan: npt.NDArray[Any]
    joint_scan: npt.NDArray[Any]
    joint_worst: npt.NDArray[Any]
    intergroup_credit: npt.NDArray[Any]
    scan: npt.NDArray[Any]
    short_option_minimum_total: npt.NDArray[Any]
    concentration_total: npt.NDArray[Any]
    requirement: npt.NDArray[Any]
    liability_free: npt.NDArray[np.bool_]
    option_value: npt.NDArray[Any]
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
        """The result of account ``a`` as a :class:`MarginResult` (every group of the table)."""
        groups = tuple(
            GroupMargin(g, int(self.scan_risk[a, k]), int(self.worst_scenario[a, k]),
                        int(self.short_option_minimum[a, k]), int(self.net_delta[a, k]),
                        int(self.concentration[a, k]))
            for k, g in enumerate(self.groups))
        return MarginResult(groups, int(self.separate_scan[a]), int(self.joint_scan[a]), int(self.joint_worst[a]),
                            int(self.intergroup_credit[a]), int(self.scan[a]),
                            int(self.short_option_minimum_total[a]), int(self.concentration_total[a]),
                            int(self.requirement[a]), bool(self.liability_free[a]), int(self.option_value[a]),
                            int(self.initial_margin[a]), int(self.maintenance_margin[a]),
                            int(self.collateral_value[a]), int(self.position_value[a]), int(self.equity[a]))


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
    provably fit; otherwise a float64 estimate whose floor is kept where a rigorous error bound shows it is
    exact, and Python ints for the remaining rows (those within the bound of an integer, and values beyond
    float64's range of certainty).
    """
    weights = [p * (BP - h) for p, h in zip(table.asset_price, table.haircut_bp, strict=True)]
    # the same quotient with the weights and the divisor reduced by their common factor (USDC at price 1 and no
    # haircut: a balance // 100), so the exact int64 path holds for larger balances
    common = functools.reduce(math.gcd, weights, BALANCE_SCALE * BP)
    weights = [w // common for w in weights]
    den = BALANCE_SCALE * BP // common
    bal = np.asarray(balances, dtype=object if _has_huge(balances) else np.int64)
    if bal.ndim != 2 or bal.shape[1] != len(weights):
        raise BoundsError(f"balances must have shape (accounts, {len(weights)}), got {bal.shape}")
    if not bal.size:
        return np.zeros(bal.shape[0], dtype=np.int64)
    if bal.dtype != object and int(bal.max()) * max(weights, default=0) * len(weights) < INT64_SAFE:
        out: npt.NDArray[Any] = (bal * np.array(weights, dtype=np.int64)).sum(axis=1) // den
        return out
    result: npt.NDArray[Any] = np.zeros(bal.shape[0], dtype=object)
    exact_rows = np.arange(bal.shape[0])
    if bal.dtype != object and int(bal.min()) >= 0:
        # each of the K products and the sum and division round once (relative error 2^-53 each), and the
        # int-to-float conversions of both factors once more: the estimate is off by at most err below
        approx = (bal.astype(np.float64) * np.array(weights, dtype=np.float64)).sum(axis=1) / den
        err = approx * (4 * (len(weights) + 4) * 2.0**-53) + 2.0**-40
        floor = np.floor(approx)
        certain = (approx - floor > err) & (floor + 1 - approx > err) & (approx < 2.0**52)
        result[certain] = floor[certain].astype(np.int64)
        exact_rows = np.flatnonzero(~certain)
    for a in exact_rows:
        result[a] = sum(int(b) * w for b, w in zip(bal[a], weights, strict=True)) // den
    if not len(result) or max(abs(int(result.max())), abs(int(result.min()))) < INT64_SAFE:
        return result.astype(np.int64)
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
    if leaf_index.shape != qty.shape:
        raise ValueError(f"leaf_index shape {leaf_index.shape} != qty shape {qty.shape}")
    if n_acc and (leaf_index.min() < 0 or leaf_index.max() >= n_inst):
        raise BoundsError(f"leaf index out of range 0..{n_inst - 1}")
    bal = np.asarray(balances, dtype=object if _has_huge(balances) else np.int64)
    n_assets = len(table.assets)
    if bal.ndim != 2 or bal.shape != (n_acc, n_assets):
        raise BoundsError(f"balances must have shape ({n_acc}, {n_assets}), got {bal.shape}")

    q_max = max(int(qty.max()), -int(qty.min())) if qty.size else 0
    v_max = max(int(np.abs(table.risk_array).max(initial=0)), int(table.charge.max(initial=0)),
                int(np.abs(table.mark).max(initial=0)), int(np.abs(table.delta).max(initial=0))) + 1
    bound = q_max * v_max * max(n_pos, 1) * DELTA_TO_BALANCE
    underlying_assets = [k for k, g in enumerate(table.asset_group) if g < len(table.groups)]
    held = bal[:, underlying_assets]
    if bound >= INT64_SAFE or not _collateral_fits(table, held):
        return _batch_by_reference(table, leaf_index, qty, bal)
    ops = _operands(table, underlying_assets, exact_in_float=bound < FLOAT64_EXACT)
    held = held.astype(np.int64)

    n_grp = len(table.groups)
    out = _Outputs.empty(n_acc, n_grp)
    # blocks of accounts keep the temporaries small and reused (fresh large arrays are page-fault bound);
    # numpy and scipy release the GIL in their loops, so blocks run on all cores
    blocks = [slice(a0, a0 + CHUNK_ACCOUNTS) for a0 in range(0, n_acc, CHUNK_ACCOUNTS)]

    def run(blk: slice) -> None:
        _margin_block(table, ops, leaf_index[blk], qty[blk], held[blk], out, blk)

    if len(blocks) > 1:
        with ThreadPoolExecutor(max_workers=min(len(blocks), os.cpu_count() or 1)) as pool:
            list(pool.map(run, blocks))
    elif blocks:
        run(blocks[0])

    concentration = _concentration(table, out.net_delta)
    separate = _sum_rows(out.scan)
    credit = _scale_floor(_add(separate, -out.joint), table.intergroup_credit_bp)
    scan = _add(separate, -credit)
    som_total = _sum_rows(out.som)
    conc_total = _sum_rows(concentration)
    requirement = _add(np.maximum(scan, som_total), conc_total)
    mm = _ceil_bp(requirement, table.mm_multiplier_bp)
    im = _ceil_bp(requirement, table.im_multiplier_bp)
    free = out.liabilities == 0
    mm = np.where(free, np.minimum(mm, out.option_value), mm)
    im = np.where(free, np.minimum(im, out.option_value), im)
    collateral = collateral_values(table, bal)
    equity = _add(collateral, out.position_value)
    for name, vals in (("requirement", requirement), ("initial_margin", im), ("equity", equity),
                       ("collateral_value", collateral), ("position_value", out.position_value)):
        _check_money(name, vals)
    solvent = np.asarray(equity >= mm, dtype=bool)
    return BatchMargin(table.groups, out.scan, out.worst, out.som, out.net_delta, concentration, separate,
                       out.joint, out.joint_worst, credit, scan, som_total, conc_total, requirement, free,
                       out.option_value, im, mm, collateral, out.position_value, equity, solvent,
                       arithmetic="float64" if ops.dtype is np.float64 else "int64")


def _collateral_fits(table: RiskTable, held: npt.NDArray[Any]) -> bool:
    """Whether the collateral terms fit int64: ``held`` (balances of the assets that are underlyings) below
    2^61, and whole units times the largest collateral risk entry, summed over assets, below 2^61."""
    if not held.size:
        return True
    top = int(held.max())
    if top >= 1 << 61:
        return False
    r_max = int(np.abs(table.asset_risk).max(initial=0))
    return bool((top // BALANCE_SCALE + 1) * (r_max + 1) * max(held.shape[1], 1) < 1 << 61)


@dataclass
class _Outputs:
    """Per-account results the blocks fill in place (int64)."""

    scan: IntArray
    worst: IntArray
    som: IntArray
    net_delta: IntArray
    joint: IntArray
    joint_worst: IntArray
    liabilities: IntArray
    option_value: IntArray
    position_value: IntArray

    @classmethod
    def empty(cls, n_acc: int, n_grp: int) -> _Outputs:
        def grid() -> IntArray:
            return np.zeros((n_acc, n_grp), dtype=np.int64)

        def col() -> IntArray:
            return np.zeros(n_acc, dtype=np.int64)

        return cls(grid(), grid(), grid(), grid(), col(), col(), col(), col(), col())


@dataclass(frozen=True)
class _BlockOperands:
    """Per-table operands of the fast path, laid out for one sparse product per block.

    ``by_qty`` is [I, G*S + 4G + 2]: column ``g*S + s`` holds ``risk_array[:, s]`` for instruments of group
    g (0 elsewhere), then per group the delta, minus the call charge and minus the put charge, then the
    mark, the mark of options, and the one-hot group (net lots).  ``per_size`` is [I, G + 1]: the one-hot
    group and 1 for perpetuals and futures, multiplied by lot counts ``|qty|`` (short lots per group are
    ``(|qty| - qty) / 2`` summed).
    ``dtype`` is float64 when every partial sum is provably below 2^53 (then float arithmetic is exact and
    vectorises) and int64 otherwise.  For the U collateral assets that are underlyings: ``asset_in_group``
    [U, G] (one-hot), ``risk_hi``/``risk_lo`` [U, G*S] (risk rows by group) and ``any_hi``/``any_lo`` [U, S],
    each entry split as ``hi * 10^8 + lo`` with ``0 <= lo < 10^8`` for exact int64 products;
    ``risky_assets`` [U] marks nonzero rows.
    """

    by_qty: npt.NDArray[Any]
    per_size: IntArray
    dtype: type
    asset_in_group: IntArray
    risk_hi: IntArray
    risk_lo: IntArray
    any_hi: IntArray
    any_lo: IntArray
    risky_assets: npt.NDArray[np.bool_]


def _operands(table: RiskTable, underlying_assets: list[int], exact_in_float: bool) -> _BlockOperands:
    n_inst, n_grp = table.n_instruments, len(table.groups)
    onehot = np.zeros((n_inst, n_grp), dtype=np.int64)
    onehot[np.arange(n_inst), table.group_index] = 1
    by_group = (onehot[:, :, None] * table.risk_array[:, None, :]).reshape(n_inst, -1)
    is_call = (table.kind == KIND_CALL).astype(np.int64)[:, None]
    is_put = (table.kind == KIND_PUT).astype(np.int64)[:, None]
    is_opt = (is_call + is_put)[:, 0]
    by_qty = np.concatenate([by_group, onehot * table.delta[:, None], -onehot * table.charge[:, None] * is_call,
                             -onehot * table.charge[:, None] * is_put, table.mark[:, None],
                             (table.mark * is_opt)[:, None], onehot], axis=1)
    dtype: type = np.float64 if exact_in_float else np.int64

    n_assets = len(underlying_assets)
    in_group = np.zeros((n_assets, n_grp), dtype=np.int64)
    for u, k in enumerate(underlying_assets):
        in_group[u, table.asset_group[k]] = 1
    risk = table.asset_risk[underlying_assets].astype(np.int64).reshape(n_assets, table.n_scenarios)
    by_group_assets = (in_group[:, :, None] * risk[:, None, :]).reshape(n_assets, n_grp * table.n_scenarios)
    per_size = np.concatenate([onehot, (table.kind == KIND_LINEAR).astype(np.int64)[:, None]], axis=1)
    return _BlockOperands(by_qty.astype(dtype), per_size, dtype, in_group, by_group_assets // BALANCE_SCALE,
                          by_group_assets % BALANCE_SCALE,
                          risk // BALANCE_SCALE, risk % BALANCE_SCALE, np.any(risk != 0, axis=1))


def _floor_scaled(whole: IntArray, frac: IntArray, hi: IntArray, lo: IntArray) -> IntArray:
    """``floor(sum_k bal_k * r_k / 10^8)`` per column, exactly in int64.

    With ``bal = whole * 10^8 + frac`` and ``r = hi * 10^8 + lo`` the quotient is ``whole @ r + frac @ hi +
    floor(frac @ lo / 10^8)``; ``frac * lo < 10^16`` so the last sum fits for up to 64 assets, and the
    caller's bound keeps ``whole @ r`` below 2^61.
    """
    r = hi * BALANCE_SCALE + lo
    result: IntArray = whole @ r + frac @ hi + (frac @ lo) // BALANCE_SCALE
    return result


def _margin_block(table: RiskTable, ops: _BlockOperands, leaf_index: IntArray, qty: IntArray, bal: IntArray,
                  out: _Outputs, blk: slice) -> None:
    """Fast path for one block of accounts; fills ``out[blk]`` in place.  ``bal`` holds the balances of the
    collateral assets that are underlyings, int64[B, U].

    Each account is one row of a sparse matrix over instruments holding its slots' quantities, so one
    product with ``ops.by_qty`` gives every group's scenario P&L, delta and charges.  The caller's bound
    check guarantees no int64 overflow, and exactness in float64 when ``ops.dtype`` is float64.
    """
    n_blk, n_pos = qty.shape
    n_grp = len(table.groups)
    n_sc = table.n_scenarios
    indptr = np.arange(0, n_blk * n_pos + 1, n_pos)
    shape = (n_blk, table.n_instruments)
    leaves = leaf_index.ravel()
    q = sparse.csr_matrix((qty.ravel().astype(ops.dtype), leaves, indptr), shape=shape)
    size = sparse.csr_matrix((np.abs(qty).ravel(), leaves, indptr), shape=shape)
    by_size = np.asarray(size @ ops.per_size)  # [B, G + 1]: lots per group, lots of perpetuals and futures
    prod = np.asarray(q @ ops.by_qty)
    gs = n_grp * n_sc
    # the products are exact integers (float64 below 2^53, or int64), so converting them is exact; the scenario
    # losses stay in the product's dtype (their sums over groups are below the same bound) unless collateral
    # terms, which are int64, join them
    rest = prod[:, gs:].astype(np.int64)
    net_lots = rest[:, 3 * n_grp + 2:4 * n_grp + 2]
    short_lots = (by_size[:, :n_grp] - net_lots) // 2
    loss = prod[:, :gs].reshape(n_blk, n_grp, n_sc)
    np.subtract(short_lots[:, :, None].astype(loss.dtype), loss, out=loss)  # loss = short lots - P&L
    delta = rest[:, :n_grp] * DELTA_TO_BALANCE
    calls, puts = rest[:, n_grp:2 * n_grp], rest[:, 2 * n_grp:3 * n_grp]
    mark_value, option_value = rest[:, 3 * n_grp], rest[:, 3 * n_grp + 1]
    risky: IntArray = np.flatnonzero((bal[:, ops.risky_assets] != 0).any(axis=1))
    if len(risky):
        loss = loss.astype(np.int64)
    joint = loss.sum(axis=1)
    if len(risky):
        held = bal[risky]
        whole, frac = held // BALANCE_SCALE, held % BALANCE_SCALE
        loss[risky] -= _floor_scaled(whole, frac, ops.risk_hi, ops.risk_lo).reshape(len(risky), n_grp, n_sc)
        joint[risky] -= _floor_scaled(whole, frac, ops.any_hi, ops.any_lo)
    delta += bal @ ops.asset_in_group
    worst = loss.argmax(axis=2)
    out.worst[blk] = worst
    out.scan[blk] = np.maximum(np.take_along_axis(loss, worst[:, :, None], axis=2)[:, :, 0], 0).astype(np.int64)
    joint_worst = joint.argmax(axis=1)
    out.joint_worst[blk] = joint_worst
    out.joint[blk] = np.maximum(joint[np.arange(n_blk), joint_worst], 0).astype(np.int64)
    out.som[blk] = np.maximum(np.maximum(calls, puts), 0)
    out.net_delta[blk] = delta
    out.liabilities[blk] = short_lots.sum(axis=1) + by_size[:, n_grp]
    out.option_value[blk] = option_value
    out.position_value[blk] = mark_value - short_lots.sum(axis=1)


def _concentration(table: RiskTable, net_delta: IntArray) -> npt.NDArray[Any]:
    """Rule R9 per account and group: ``ceil(sum_t max(0, |delta| - threshold_t) * rate_t / 10^8)``.

    Exact: the excess is found in int64 and only (account, group) cells above a threshold with a nonzero
    rate are multiplied out, in Python ints (the products exceed int64).
    """
    n_acc, n_grp = net_delta.shape
    result = np.zeros((n_acc, n_grp), dtype=np.int64)
    rates = table.tier_rate
    if not rates.any():
        return result
    size = np.abs(net_delta)
    charged = np.zeros((n_acc, n_grp), dtype=bool)
    for t in range(rates.shape[1]):
        charged |= (size > table.tier_threshold[None, :, t]) & (rates[None, :, t] > 0)
    cells = np.argwhere(charged)
    if not len(cells):
        return result
    values = [ceil_div(sum(max(0, int(size[a, g]) - int(table.tier_threshold[g, t])) * int(rates[g, t])
                           for t in range(rates.shape[1])), BALANCE_SCALE) for a, g in cells]
    if max(values) >= INT64_SAFE:
        exact = result.astype(object)
        exact[cells[:, 0], cells[:, 1]] = values
        return exact
    result[cells[:, 0], cells[:, 1]] = values
    return result


def _scale_floor(values: npt.NDArray[Any], multiplier_bp: int) -> npt.NDArray[Any]:
    """Rule R8: ``floor(values * multiplier_bp / 10^4)`` for non-negative values, exactly."""
    if values.dtype != object and (not values.size or int(values.max()) < INT64_SAFE // max(multiplier_bp, 1)):
        fast: npt.NDArray[Any] = values * multiplier_bp // BP
        return fast
    return np.array([int(v) * multiplier_bp // BP for v in values], dtype=object)


def _batch_by_reference(table: RiskTable, leaf_index: IntArray, qty: IntArray,
                        balances: npt.NDArray[Any]) -> BatchMargin:
    results = [reference.margin_account(table, [int(x) for x in leaf_index[a]], [int(x) for x in qty[a]],
                                        [int(b) for b in balances[a]]) for a in range(qty.shape[0])]
    n_grp = len(table.groups)

    def grid(attr: str) -> npt.NDArray[Any]:
        return np.array([[getattr(r.groups[g], attr) for g in range(n_grp)] for r in results],
                        dtype=object).reshape(len(results), n_grp)

    def col(attr: str) -> npt.NDArray[Any]:
        return np.array([getattr(r, attr) for r in results], dtype=object)

    return BatchMargin(table.groups, grid("scan_risk"), grid("worst_scenario"), grid("short_option_minimum"),
                       grid("net_delta"), grid("concentration"), col("separate_scan"), col("joint_scan"),
                       col("joint_worst"), col("intergroup_credit"), col("scan_risk"),
                       col("short_option_minimum"), col("concentration"), col("requirement"),
                       np.array([r.liability_free for r in results], dtype=bool), col("option_value"),
                       col("initial_margin"), col("maintenance_margin"), col("collateral_value"),
                       col("position_value"), col("equity"), np.array([r.solvent for r in results], dtype=bool),
                       arithmetic="reference")


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
