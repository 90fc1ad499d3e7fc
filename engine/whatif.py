"""Pre-trade check and liquidation plan: the exact margin of an account after orders, found incrementally.

Margin model v2 (:mod:`engine.reference`, rules R1-R10 of :mod:`zkmargin.constants`) is additive in the
positions up to a few maxima and roundings.  The reference's group loss ``ceil((10^8 * (short_lots_g - sum
qty * risk) - sum bal * asset_risk) / 10^8)`` equals ``short_lots_g - sum qty * risk + ceil(-sum bal *
asset_risk / 10^8)``, since the position part is a whole number of micro-units; likewise the joint loss, with
the collateral terms of all groups summed before their one ceiling.  :class:`WhatIf` keeps, once per account,
these losses per group ``g`` and scenario ``s`` and jointly per scenario (micro-units, Python ints), per group
the short lots, net short call and put charges and net delta, and per account the lots of perpetuals and
futures, the value of the options, the marks and the collateral sum.  An order moves O(S) of those numbers;
the scan maxima, the inter-underlying credit, the short option minimum, the size-tier charge, the
long-premium cap, IM and MM are then derived again exactly as the reference derives them.  Nothing is rounded
that the reference does not round, so every figure equals :func:`engine.reference.margin_account` on the
account after the order, bit for bit (``tests/test_whatif.py``).

Execution model: an order fills at mark, with no slippage.  With a cash asset (``cash_asset``, by default
``USDC``) the premium of options and spot, at the gross mark (before a spot haircut), is paid from or
received into that asset's balance: ``floor(-lots * gross_mark * 10^8 / price)`` units of 1e-8 (exact for a
price of 1.000000), which may go negative (a debt, counted in full since the cash asset must have a zero
haircut).  Perpetuals and futures have mark 0 and move no cash.  Without a cash asset (``None``) orders move
positions only.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from operator import add
from typing import NamedTuple, NoReturn

from zkmargin.constants import (
    BALANCE_SCALE,
    BP,
    MONEY_BITS,
    QTY_BITS,
    QTY_SCALE,
    BoundsError,
    check_signed,
    format_units,
    qty_range,
    signed_limit,
)
from zkmargin.engine import errors
from zkmargin.engine.account import AccountInts
from zkmargin.engine.errors import InputError
from zkmargin.engine.models import MarketSnapshot
from zkmargin.engine.reference import DELTA_TO_BALANCE
from zkmargin.engine.results import GroupMargin, MarginResult
from zkmargin.engine.risk import KIND_CALL, KIND_LINEAR, KIND_PUT, RiskTable

#: An order: (instrument leaf index or id, signed lots); positive buys, negative sells.
Order = tuple[int | str, int]

#: The default cash asset: premium is paid and received in it.
DEFAULT_CASH_ASSET = "USDC"

#: Checks of an instrument after a fill that take the scan maxima directly (O(S) each) before its envelopes are
#: built and read (O(log S)): an instrument checked once pays no envelope; on the example market an envelope
#: pays for itself within a few checks (scripts/bench_whatif.py).
DIRECT_CHECKS = 1

_MONEY_LIMIT = signed_limit(MONEY_BITS)
_QTY_LIMIT = signed_limit(QTY_BITS)


class MarginFigures(NamedTuple):
    """The account-level margin numbers, micro-units of quote currency (exact ints, the reference's).

    ``requirement = max(scan risk, short option minimum) + concentration``; ``initial_margin`` and
    ``maintenance_margin`` are it times the multipliers, rounded up (R5), capped at the long options' value for
    a liability-free account; ``equity = collateral_value + position_value``.
    """

    requirement: int
    initial_margin: int
    maintenance_margin: int
    collateral_value: int
    position_value: int
    equity: int

    @property
    def free_collateral(self) -> int:
        """``equity - initial_margin``: what is left for new risk (negative below IM)."""
        return self.equity - self.initial_margin

    @property
    def solvent(self) -> bool:
        """``equity >= maintenance_margin``."""
        return self.equity >= self.maintenance_margin


def figures_of(result: MarginResult) -> MarginFigures:
    """The :class:`MarginFigures` of a full :class:`MarginResult`."""
    return MarginFigures(result.requirement, result.initial_margin, result.maintenance_margin,
                         result.collateral_value, result.position_value, result.equity)


class Impact(NamedTuple):
    """The margin of an account before and after orders.

    ``orders`` are the fills, netted per instrument: (leaf index, signed lots), in the order given.
    ``cash_change`` is the change of the cash asset's balance in 1e-8 units (0 without a cash asset).
    """

    orders: tuple[tuple[int, int], ...]
    before: MarginFigures
    after: MarginFigures
    cash_change: int

    @property
    def im_change(self) -> int:
        """``IM after - IM before``, micro-units."""
        return self.after.initial_margin - self.before.initial_margin

    @property
    def accepted(self) -> bool:
        """The venue's check on every order: ``equity after >= IM after``, i.e. free collateral after >= 0.

        Both sides are exact integers in micro-units: the collateral value after haircuts plus the positions
        at mark (one micro-unit less per short lot, R2), the order filled at mark and its premium settled in
        the cash asset, against the initial margin of the whole account with the order.  Equality passes.  A
        risk-reducing order of an account already below IM is refused too unless it brings the account back.
        """
        return self.after.equity >= self.after.initial_margin


@dataclass(frozen=True, slots=True)
class _Row:
    """One instrument's integers: ``loss`` is ``-risk_array`` per scenario and ``by_loss`` the scenarios in
    increasing order of it; ``delta`` is 1e-8 units of the underlying per lot; ``mark``, ``gross_mark`` and
    ``charge`` micro-units per lot."""

    group: int
    kind: int
    loss: tuple[int, ...]
    by_loss: tuple[int, ...]
    charge: int
    delta: int
    mark: int
    gross_mark: int


@dataclass(slots=True)
class _Candidate:
    """The state of an account after a set of fills, for the groups they touch (the rest is unchanged)."""

    qty: dict[int, int]
    rows: dict[int, list[int]]
    joint_change: list[int] | None
    short: dict[int, int]
    calls: dict[int, int]
    puts: dict[int, int]
    delta: dict[int, int]
    scan: dict[int, int]
    som: dict[int, int]
    conc: dict[int, int]
    separate: int
    joint_scan: int
    som_total: int
    conc_total: int
    linear_lots: int
    total_short: int
    option_value: int
    mark_value: int
    cash_change: int
    collateral_sum: int
    figures: MarginFigures


class WhatIf:
    """An account's margin state, ready to price orders against it in O(S) each.

    Parameters
    ----------
    table : the day's risk table (I instruments, S scenarios, G groups, K assets).
    account : the account (positions netted, balances in 1e-8 units).
    cash_asset : the collateral asset premium is settled in (see the module docstring), or ``None`` for
        positions-only orders.  It must have a zero haircut and be no underlying.

    Building the state costs one pass over the positions (O(P * S) Python ints).  :meth:`check` costs
    O(S + tiers) the first two times an instrument is checked after a fill and O(log S + tiers) from the third;
    :meth:`check_together`, :meth:`apply` and :meth:`margin` cost O(orders * S).  :meth:`apply` fills orders
    into the state.
    """

    def __init__(self, table: RiskTable, account: AccountInts, *,
                 cash_asset: str | None = DEFAULT_CASH_ASSET) -> None:
        self.table = table
        self._index = table.index_of()
        self._rows: dict[int, _Row] = {}
        self._n_sc = table.n_scenarios
        n_grp = len(table.groups)
        self._credit_bp = int(table.intergroup_credit_bp)
        self._im_bp = int(table.im_multiplier_bp)
        self._mm_bp = int(table.mm_multiplier_bp)
        self._tiers = [[(int(table.tier_threshold[g][t]), int(table.tier_rate[g][t]))
                        for t in range(table.tier_rate.shape[1]) if int(table.tier_rate[g][t])]
                       for g in range(n_grp)]
        self._n_inst = table.n_instruments
        self._cash, self._cash_price = _cash_asset(table, cash_asset)
        self.cash_asset = cash_asset if self._cash is not None else None
        self.name = account.name
        balances = [int(b) for b in account.balances] if account.balances else [0] * len(table.assets)
        if len(balances) != len(table.assets):
            raise BoundsError(f"the account has {len(balances)} balances; the table has {len(table.assets)} assets")
        self._balances = balances
        self._collateral_den = BALANCE_SCALE * BP
        self._weights = [int(p) * (BP - int(h)) for p, h in zip(table.asset_price, table.haircut_bp, strict=True)]
        self._collateral_sum = sum(b * w for b, w in zip(balances, self._weights, strict=True))
        self._cash_weight = self._weights[self._cash] if self._cash is not None else 0
        # collateral of an underlying moves with it: fixed terms of its group's losses (rounded up once per
        # group, and once for the sum of the groups in the joint loss) and of its net delta
        scaled = [[0] * self._n_sc for _ in range(n_grp)]
        self._delta = [0] * n_grp
        for k, bal in enumerate(balances):
            g = int(table.asset_group[k])
            if g < n_grp and bal:
                self._delta[g] += bal
                scaled[g] = [v - bal * int(r) for v, r in zip(scaled[g], table.asset_risk[k], strict=True)]
        self._loss = [[-(-v // BALANCE_SCALE) for v in row] for row in scaled]
        joint = [sum(col) for col in zip(*scaled, strict=True)] if n_grp else [0] * self._n_sc
        self._joint = [-(-v // BALANCE_SCALE) for v in joint]
        # upper envelopes of the scenario losses per instrument (see check), valid until a fill changes them
        self._group_hulls: list[dict[int, int | _Envelope]] = [{} for _ in range(n_grp)]
        self._joint_hulls: dict[int, int | _Envelope] = {}
        self._qty: dict[int, int] = {}
        self._short = [0] * n_grp
        self._calls = [0] * n_grp
        self._puts = [0] * n_grp
        self._scan = [max(0, max(row, default=0)) for row in self._loss]
        self._som = [0] * n_grp
        self._conc = [self._concentration(g, self._delta[g]) for g in range(n_grp)]
        self._separate = sum(self._scan)
        self._joint_scan = max(0, max(self._joint, default=0))
        self._som_total = 0
        self._conc_total = sum(self._conc)
        self._linear_lots = 0
        self._total_short = 0
        self._option_value = 0
        self._mark_value = 0
        self.figures: MarginFigures
        fills = [(int(leaf), int(q)) for leaf, q in zip(account.leaf_index, account.qty, strict=True)]
        # the account's own positions come in as fills that move no cash
        self._commit(self._evaluate(_net(fills), settle=False))

    # ------------------------------------------------------------------ the public checks

    def check(self, order: Order) -> Impact:
        """The margin before and after one order (not filled into the state).

        The same rules as :meth:`_evaluate` for one fill, written out so that only the figures are built.  The
        group's and the joint scan after ``lots`` of instrument ``i`` are ``max_s (loss[s] + lots *
        -risk[i, s])`` plus the order's short allowance (R2, the same in every scenario): the upper envelope
        of S lines in ``lots``.  The first check of an instrument after a fill takes the maximum directly
        (O(S), :data:`DIRECT_CHECKS`); the next builds the envelope (O(S), exact integer breakpoints), which
        later checks read in O(log S).  A fill into the state drops the envelopes it changes.  The rest is
        O(tiers).
        """
        instrument, lots = order
        if instrument.__class__ is int and lots.__class__ is int and 0 <= instrument < self._n_inst:
            leaf = instrument
        else:
            leaf, lots = self.resolve(order)
        if not lots:
            return Impact((), self.figures, self.figures, 0)
        row = self._rows.get(leaf) or self._row(leaf)
        g = row.group
        old = self._qty.get(leaf, 0)
        new = old + lots
        if not -_QTY_LIMIT <= new < _QTY_LIMIT:
            self._qty_error(leaf, new)
        more_short = (-new if new < 0 else 0) - (-old if old < 0 else 0)
        scan_g = _max_after(self._group_hulls[g], leaf, self._loss[g], row, lots) + more_short
        scan_g = scan_g if scan_g > 0 else 0
        joint = _max_after(self._joint_hulls, leaf, self._joint, row, lots) + more_short
        joint = joint if joint > 0 else 0
        separate = self._separate + scan_g - self._scan[g]
        kind = row.kind
        som_total = self._som_total
        option_value = self._option_value
        linear_lots = self._linear_lots
        if kind == KIND_CALL:
            som_total += max(0, self._calls[g] - lots * row.charge, self._puts[g]) - self._som[g]
            option_value += lots * row.mark
        elif kind == KIND_PUT:
            som_total += max(0, self._calls[g], self._puts[g] - lots * row.charge) - self._som[g]
            option_value += lots * row.mark
        elif kind == KIND_LINEAR:
            linear_lots += abs(new) - abs(old)
        conc_total = self._conc_total
        if row.delta and self._tiers[g]:
            conc_total += self._concentration(g, self._delta[g] + lots * row.delta) - self._conc[g]
        total_short = self._total_short + more_short
        collateral_sum = self._collateral_sum
        cash_change = 0
        if self._cash is not None and row.gross_mark:
            cash_change = (-lots * row.gross_mark * BALANCE_SCALE) // self._cash_price
            collateral_sum += cash_change * self._cash_weight
        after = self._figures(separate, joint, som_total, conc_total, linear_lots + total_short, option_value,
                              collateral_sum, self._mark_value + lots * row.mark - total_short)
        return Impact(((leaf, lots),), self.figures, after, cash_change)

    def check_many(self, orders: Iterable[Order]) -> list[Impact]:
        """Each order checked on its own against the current state (orders do not see each other)."""
        return [self.check(order) for order in orders]

    def check_together(self, orders: Iterable[Order]) -> Impact:
        """All orders filled at once (netted per instrument) against the current state."""
        fills = _net(self.resolve(order) for order in orders)
        after = self._evaluate(fills)
        return Impact(tuple(fills), self.figures, after.figures, after.cash_change)

    def apply(self, orders: Iterable[Order]) -> Impact:
        """Fill ``orders`` (netted per instrument) into the state; returns their impact."""
        fills = _net(self.resolve(order) for order in orders)
        before = self.figures
        after = self._evaluate(fills)
        self._commit(after)
        return Impact(tuple(fills), before, after.figures, after.cash_change)

    def margin(self, orders: Iterable[Order] = ()) -> MarginResult:
        """The full :class:`MarginResult` of the current state, or after ``orders`` (not filled), with every
        group's scan risk and worst scenario: equal to :func:`engine.reference.margin_account`."""
        fills = _net(self.resolve(order) for order in orders)
        return self._result(self._evaluate(fills))

    def account(self) -> AccountInts:
        """The current state as an account: positions sorted by leaf index, zero positions dropped."""
        items = sorted((leaf, q) for leaf, q in self._qty.items() if q)
        return AccountInts(self.name, tuple(leaf for leaf, _ in items), tuple(q for _, q in items),
                           tuple(self._balances))

    def positions(self) -> dict[int, int]:
        """Open positions: leaf index -> signed lots."""
        return {leaf: q for leaf, q in self._qty.items() if q}

    def resolve(self, order: Order) -> tuple[int, int]:
        """An order as (leaf index, signed lots); :class:`InputError` for an unknown instrument."""
        instrument, lots = order
        if isinstance(instrument, str):
            leaf = self._index.get(instrument)
            if leaf is None:
                raise InputError(errors.unknown_instrument(instrument), field="instrument", instrument=instrument)
            return leaf, int(lots)
        if isinstance(instrument, bool) or not 0 <= instrument < self.table.n_instruments:
            raise InputError(f"leaf index {instrument!r} is not one of 0..{self.table.n_instruments - 1}",
                             field="instrument")
        return int(instrument), int(lots)

    # ------------------------------------------------------------------ the incremental rules

    def _row(self, leaf: int) -> _Row:
        row = self._rows.get(leaf)
        if row is None:
            t = self.table
            loss = tuple(-int(r) for r in t.risk_array[leaf])
            row = _Row(int(t.group_index[leaf]), int(t.kind[leaf]), loss,
                       tuple(sorted(range(len(loss)), key=loss.__getitem__)), int(t.charge[leaf]),
                       int(t.delta[leaf]) * DELTA_TO_BALANCE, int(t.mark[leaf]), int(t.gross_mark[leaf]))
            self._rows[leaf] = row
        return row

    def _qty_error(self, leaf: int, net: int) -> NoReturn:
        raise InputError(f"the net quantity {format_units(net, QTY_SCALE)} contracts is outside the accepted range "
                         f"{qty_range()}", field="quantity", instrument=self.table.instrument_ids[leaf])

    def _cash_change(self, fills: Sequence[tuple[int, int]]) -> int:
        """Balance change of the cash asset (1e-8 units) for fills at the gross mark, floored per fill."""
        if self._cash is None:
            return 0
        price = self._cash_price
        return sum((-lots * self._row(leaf).gross_mark * BALANCE_SCALE) // price for leaf, lots in fills)

    def _concentration(self, g: int, net_delta: int) -> int:
        """R9: ``ceil(sum_t max(0, |delta| - threshold_t) * rate_t / 10^8)``, micro-units."""
        size = abs(net_delta)
        excess = 0
        for threshold, rate in self._tiers[g]:
            if size > threshold:
                excess += (size - threshold) * rate
        return -(-excess // BALANCE_SCALE)

    def _evaluate(self, fills: Sequence[tuple[int, int]], *, settle: bool = True) -> _Candidate:
        """The state after ``fills`` (distinct leaves, signed lots), computed from the current one in
        O(fills * S + groups touched * S).  ``settle`` moves the premium into the cash asset."""
        vectors: dict[int, list[int]] = {}
        qty: dict[int, int] = {}
        short: dict[int, int] = {}
        calls: dict[int, int] = {}
        puts: dict[int, int] = {}
        delta: dict[int, int] = {}
        linear_lots, total_short = self._linear_lots, self._total_short
        option_value, mark_value = self._option_value, self._mark_value
        for leaf, lots in fills:
            row = self._row(leaf)
            g = row.group
            old = self._qty.get(leaf, 0)
            new = old + lots
            if not -_QTY_LIMIT <= new < _QTY_LIMIT:
                self._qty_error(leaf, new)
            qty[leaf] = new
            more_short = (-new if new < 0 else 0) - (-old if old < 0 else 0)
            vec = vectors.get(g)
            if vec is None:
                vectors[g] = [lots * x + more_short for x in row.loss]
            else:
                vectors[g] = [v + lots * x + more_short for v, x in zip(vec, row.loss, strict=True)]
            if more_short:
                short[g] = short.get(g, self._short[g]) + more_short
                total_short += more_short
            kind = row.kind
            if kind == KIND_CALL:
                calls[g] = calls.get(g, self._calls[g]) - lots * row.charge
            elif kind == KIND_PUT:
                puts[g] = puts.get(g, self._puts[g]) - lots * row.charge
            if kind == KIND_LINEAR:
                linear_lots += abs(new) - abs(old)
            elif kind in (KIND_CALL, KIND_PUT):
                option_value += lots * row.mark
            if row.delta:
                delta[g] = delta.get(g, self._delta[g]) + lots * row.delta
            mark_value += lots * row.mark

        separate, som_total, conc_total = self._separate, self._som_total, self._conc_total
        rows: dict[int, list[int]] = {}
        scan: dict[int, int] = {}
        joint_change: list[int] | None = None
        for g, vec in vectors.items():
            new_row = list(map(add, self._loss[g], vec))
            rows[g] = new_row
            scan_g = max(0, max(new_row))
            scan[g] = scan_g
            separate += scan_g - self._scan[g]
            joint_change = vec if joint_change is None else list(map(add, joint_change, vec))
        joint_scan = self._joint_scan if joint_change is None else max(0, *map(add, self._joint, joint_change))
        som: dict[int, int] = {}
        for g in calls.keys() | puts.keys():
            som_g = max(0, calls.get(g, self._calls[g]), puts.get(g, self._puts[g]))
            som[g] = som_g
            som_total += som_g - self._som[g]
        conc: dict[int, int] = {}
        for g, net_delta in delta.items():
            if self._tiers[g]:
                conc_g = self._concentration(g, net_delta)
                conc[g] = conc_g
                conc_total += conc_g - self._conc[g]
        cash_change = 0
        collateral_sum = self._collateral_sum
        if settle and self._cash is not None:
            cash_change = self._cash_change(fills)
            collateral_sum += cash_change * self._cash_weight
        figures = self._figures(separate, joint_scan, som_total, conc_total, linear_lots + total_short,
                                option_value, collateral_sum, mark_value - total_short)
        return _Candidate(qty, rows, joint_change, short, calls, puts, delta, scan, som, conc, separate, joint_scan,
                          som_total, conc_total, linear_lots, total_short, option_value, mark_value, cash_change,
                          collateral_sum, figures)

    def _figures(self, separate: int, joint: int, som_total: int, conc_total: int, liabilities: int,
                 option_value: int, collateral_sum: int, position_value: int) -> MarginFigures:
        """R8, R5, the long-premium cap and R6 on the account totals, as the reference applies them."""
        credit = (separate - joint) * self._credit_bp // BP
        scan = separate - credit
        requirement = (scan if scan > som_total else som_total) + conc_total
        mm = -(-requirement * self._mm_bp // BP)
        im = -(-requirement * self._im_bp // BP)
        if liabilities == 0:
            mm = min(mm, option_value)
            im = min(im, option_value)
        collateral = collateral_sum // self._collateral_den
        equity = collateral + position_value
        lim = _MONEY_LIMIT
        if not (-lim <= requirement < lim and -lim <= im < lim and -lim <= equity < lim
                and -lim <= collateral < lim and -lim <= position_value < lim):
            for field, value in (("requirement", requirement), ("initial_margin", im), ("equity", equity),
                                 ("collateral_value", collateral), ("position_value", position_value)):
                check_signed(field, value, MONEY_BITS)
        return MarginFigures(requirement, im, mm, collateral, position_value, equity)

    def _commit(self, c: _Candidate) -> None:
        """Make a candidate the current state."""
        self._qty.update(c.qty)
        for leaf in [leaf for leaf, q in c.qty.items() if q == 0]:
            del self._qty[leaf]
        for g, row in c.rows.items():
            self._loss[g] = row
            self._group_hulls[g] = {}
        if c.joint_change is not None:
            self._joint = list(map(add, self._joint, c.joint_change))
            self._joint_hulls = {}
        for target, changes in ((self._short, c.short), (self._calls, c.calls), (self._puts, c.puts),
                                (self._delta, c.delta), (self._scan, c.scan), (self._som, c.som),
                                (self._conc, c.conc)):
            for g, value in changes.items():
                target[g] = value
        self._separate, self._joint_scan = c.separate, c.joint_scan
        self._som_total, self._conc_total = c.som_total, c.conc_total
        self._linear_lots, self._total_short = c.linear_lots, c.total_short
        self._option_value, self._mark_value = c.option_value, c.mark_value
        if c.cash_change and self._cash is not None:
            self._balances[self._cash] += c.cash_change
        self._collateral_sum = c.collateral_sum
        self.figures = c.figures

    def _result(self, c: _Candidate) -> MarginResult:
        """The full result of a candidate: every group's items and first worst scenarios, as the reference."""
        groups = []
        for g, name in enumerate(self.table.groups):
            losses = c.rows.get(g, self._loss[g])
            worst = losses.index(max(losses))
            calls, puts = c.calls.get(g, self._calls[g]), c.puts.get(g, self._puts[g])
            net_delta = c.delta.get(g, self._delta[g])
            groups.append(GroupMargin(name, max(0, losses[worst]), worst, max(0, calls, puts), net_delta,
                                      self._concentration(g, net_delta)))
        joint_losses = self._joint if c.joint_change is None else list(map(add, self._joint, c.joint_change))
        joint_worst = joint_losses.index(max(joint_losses))
        f = c.figures
        credit = (c.separate - c.joint_scan) * self._credit_bp // BP
        return MarginResult(tuple(groups), c.separate, c.joint_scan, joint_worst, credit, c.separate - credit,
                            c.som_total, c.conc_total, f.requirement, c.linear_lots + c.total_short == 0,
                            c.option_value, f.initial_margin, f.maintenance_margin, f.collateral_value,
                            f.position_value, f.equity)


#: An upper envelope of lines ``base[k] + slope[k] * x`` over integers: line ``k`` is a maximum of all lines
#: for ``starts[k] <= x < starts[k + 1]``.
_Envelope = tuple[list[int], list[int], list[int]]
_MINUS_INFINITY = -(1 << 256)


def _max_after(hulls: dict[int, int | _Envelope], leaf: int, losses: list[int], row: _Row, lots: int) -> int:
    """``max_s(losses[s] + lots * row.loss[s])``: directly for the first ``DIRECT_CHECKS`` checks of ``leaf``
    since ``hulls`` was emptied (by a fill), then from its envelope, built on the next check."""
    entry = hulls.get(leaf, 0)
    if isinstance(entry, int):
        if entry < DIRECT_CHECKS:
            hulls[leaf] = entry + 1
            direct: int = max(map(add, losses, map(lots.__mul__, row.loss)))
            return direct
        entry = hulls[leaf] = _envelope(losses, row.loss, row.by_loss)
    starts, bases, slopes = entry
    k = bisect_right(starts, lots) - 1
    return bases[k] + slopes[k] * lots


def _envelope(base: Sequence[int], slope: Sequence[int], by_slope: Sequence[int]) -> _Envelope:
    """The upper envelope of the lines ``base[s] + slope[s] * x`` on the integers, exactly.

    ``by_slope`` lists the lines in increasing order of slope.  Of equal slopes the highest line is kept; a
    line overtakes the last one kept from ``ceil((base_last - base) / (slope - slope_last))`` on, and a kept
    line whose integer range becomes empty is dropped.  So ``max_s(base[s] + slope[s] * x) = base[k] +
    slope[k] * x`` with ``k = bisect_right(starts, x) - 1`` for every integer ``x`` above ``-2^256``.  O(S).
    """
    starts: list[int] = []
    bases: list[int] = []
    slopes: list[int] = []
    for s in by_slope:
        a, b = base[s], slope[s]
        if slopes and slopes[-1] == b:
            if a <= bases[-1]:  # same slope, not higher: never above the last line
                continue
            starts.pop()
            bases.pop()
            slopes.pop()
        start = _MINUS_INFINITY
        while slopes:
            start = -((a - bases[-1]) // (b - slopes[-1]))  # ceil((base_last - a) / (b - slope_last))
            if start > starts[-1]:
                break
            starts.pop()
            bases.pop()
            slopes.pop()
            start = _MINUS_INFINITY
        starts.append(start)
        bases.append(a)
        slopes.append(b)
    return starts, bases, slopes


def _net(fills: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Fills netted per leaf, in first-seen order, zero ones dropped."""
    netted: dict[int, int] = {}
    for leaf, lots in fills:
        netted[leaf] = netted.get(leaf, 0) + lots
    return [(leaf, lots) for leaf, lots in netted.items() if lots]


def _cash_asset(table: RiskTable, name: str | None) -> tuple[int | None, int]:
    """Index and price (micro-units per whole unit) of the cash asset; :class:`InputError` if unusable."""
    if name is None:
        return None, 1
    if name not in table.assets:
        raise InputError(f"cash asset {name!r} is no collateral asset of the market; assets: "
                         f"{', '.join(table.assets)}", field="--cash-asset")
    k = table.assets.index(name)
    if int(table.asset_group[k]) < len(table.groups):
        raise InputError(f"cash asset {name!r} is an underlying; premium is settled in an asset whose value does "
                         "not move with the scenarios", field="--cash-asset")
    if int(table.haircut_bp[k]) != 0:
        raise InputError(f"cash asset {name!r} has a haircut of {int(table.haircut_bp[k])} bp; premium is settled "
                         "in an asset with a zero haircut, so that a debt in it counts in full", field="--cash-asset")
    price = int(table.asset_price[k])
    if price <= 0:
        raise InputError(f"cash asset {name!r} has no positive price", field="--cash-asset")
    return k, price


def margin_impact(table: RiskTable, account: AccountInts, orders: Iterable[Order], *,
                  cash_asset: str | None = DEFAULT_CASH_ASSET) -> Impact:
    """The margin of ``account`` before and after all ``orders`` filled together (netted per instrument).

    ``orders`` are (leaf index or instrument id, signed lots) changes of the account's positions; a position
    that reaches zero is closed.  See :class:`Impact` for ``accepted`` and the module docstring for how
    premium is settled.  For many checks on one account, build a :class:`WhatIf` once.
    """
    return WhatIf(table, account, cash_asset=cash_asset).check_together(orders)


# ---------------------------------------------------------------------------------------- liquidation plan


class LiquidationStep(NamedTuple):
    """One reduction: ``lots`` (signed, the trade: positive buys back a short) in instrument ``leaf``, the
    position before and after it (signed lots), the cash change (1e-8 units of the cash asset) and the
    figures after it."""

    leaf: int
    lots: int
    position_before: int
    position_after: int
    cash_change: int
    after: MarginFigures


@dataclass(frozen=True)
class Plan:
    """A liquidation plan: ``steps`` in order from ``before``.

    ``needed`` is False when the account was not below MM (then there are no steps); ``restored`` is True
    when the last state has ``equity >= IM`` (an account between MM and IM needs no plan and is not restored).
    """

    before: MarginFigures
    steps: tuple[LiquidationStep, ...]
    needed: bool
    restored: bool

    @property
    def final(self) -> MarginFigures:
        """The figures after the last step (``before`` without steps)."""
        return self.steps[-1].after if self.steps else self.before


def notional_per_lot(table: RiskTable, market: MarketSnapshot) -> tuple[int, ...]:
    """Underlying notional of one lot of each instrument, micro-units of quote currency (int[I]):
    ``ceil(contract_size * index / 1000 * 10^6)``, at least 1, from the decimal forms of the floats."""
    out = []
    for leaf in range(table.n_instruments):
        index = market.underlyings[table.groups[int(table.group_index[leaf])]].index
        value = Fraction(repr(float(table.contract_size[leaf]))) * Fraction(repr(index)) * 1000
        out.append(max(1, -(-value.numerator // value.denominator)))
    return tuple(out)


def liquidation_plan(table: RiskTable, account: AccountInts, *, notional: Sequence[int] | None = None,
                     cash_asset: str | None = DEFAULT_CASH_ASSET) -> Plan:
    """Position reductions, in order, that bring an account below MM back to ``equity >= IM``.

    Greedy, one reduction per step; every reduction fills at mark (no slippage) with its premium settled in
    the cash asset (module docstring).  At each step every open position is a candidate, reduced toward zero
    in whole lots:

    * if closing it in full would restore ``equity >= IM``, the candidate is the smallest reduction that does,
      found by binary search on lots (the smallest on the search path: free collateral is not always monotone
      in the lots of a hedge);
    * otherwise the candidate is the full close, if it raises free collateral (``equity - IM``) at all.

    The step taken: among candidates that restore IM, the one removing the least notional (``lots *
    notional[leaf]``), ties to the larger free collateral after, then the lower leaf index; if none restores,
    the largest rise of free collateral per unit of notional removed (exact fractions; ties to the larger
    rise, then the lower leaf).  Free collateral rises as IM falls: at mark, equity moves only by the short
    allowance (R2) and a spot lot's haircut.  ``notional`` is micro-units per lot (:func:`notional_per_lot`);
    ``None`` counts every lot as 1, i.e. the rise per lot removed.  The plan stops when ``equity >= IM``, or
    when no reduction raises free collateral (then ``restored`` is False and the steps show the best reached).
    Each full close removes a position, so there are at most as many steps as positions.
    """
    state = WhatIf(table, account, cash_asset=cash_asset)
    before = state.figures
    if before.solvent:
        return Plan(before, (), needed=False, restored=before.free_collateral >= 0)
    if notional is not None and len(notional) != table.n_instruments:
        raise BoundsError(f"notional has {len(notional)} entries; the table has {table.n_instruments} instruments")
    steps: list[LiquidationStep] = []
    while state.figures.free_collateral < 0:
        choice = _best_reduction(state, notional)
        if choice is None:
            break
        leaf, lots = choice
        held = state.positions()[leaf]
        impact = state.apply([(leaf, lots)])
        steps.append(LiquidationStep(leaf, lots, held, held + lots, impact.cash_change, impact.after))
    return Plan(before, tuple(steps), needed=True, restored=state.figures.free_collateral >= 0)


def _best_reduction(state: WhatIf, notional: Sequence[int] | None) -> tuple[int, int] | None:
    """The next step of :func:`liquidation_plan`: (leaf, signed lots), or None when nothing helps."""
    free_now = state.figures.free_collateral
    restoring: list[tuple[int, int, int, int]] = []  # (notional removed, -free after, leaf, lots)
    partial: list[tuple[Fraction, int, int, int]] = []  # (-rise per notional, -rise, leaf, lots)
    for leaf, held in sorted(state.positions().items()):
        per_lot = 1 if notional is None else int(notional[leaf])
        sign = -1 if held > 0 else 1
        full = state.check((leaf, -held)).after.free_collateral
        if full >= 0:
            lo, hi, best = 0, abs(held), full
            while hi - lo > 1:
                mid = (lo + hi) // 2
                free = state.check((leaf, sign * mid)).after.free_collateral
                if free >= 0:
                    hi, best = mid, free
                else:
                    lo = mid
            restoring.append((hi * per_lot, -best, leaf, sign * hi))
        elif full > free_now:
            rise = full - free_now
            partial.append((-Fraction(rise, abs(held) * per_lot), -rise, leaf, -held))
    if restoring:
        _, _, leaf, lots = min(restoring)
        return leaf, lots
    if partial:
        _, _, leaf, lots = min(partial)
        return leaf, lots
    return None
