"""``zkmargin what-if`` (pre-trade check of orders) and ``zkmargin liquidation-plan`` (reductions back to IM).

Both read a market, parameters, a scenario set and a portfolio as ``margin`` does; ``what-if`` also reads an
orders file, a JSON array of ``{"instrument": ID, "quantity": CONTRACTS}``.  The rules are in
:mod:`zkmargin.engine.whatif`: orders and reductions fill at mark, premium settled in the cash asset.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, field_validator
from rich.console import Console
from rich.table import Table

from zkmargin.cli.common import EXIT_OK, add_market_args, check_input_file, load_table
from zkmargin.constants import BALANCE_SCALE, QTY_SCALE, BoundsError, format_money, format_units, to_lots
from zkmargin.engine import errors
from zkmargin.engine.account import AccountInts, encode_account
from zkmargin.engine.errors import InputError
from zkmargin.engine.io import load_portfolio
from zkmargin.engine.models import Decimal
from zkmargin.engine.risk import RiskTable
from zkmargin.engine.whatif import (
    DEFAULT_CASH_ASSET,
    Impact,
    MarginFigures,
    Plan,
    WhatIf,
    liquidation_plan,
    notional_per_lot,
)
from zkmargin.statement.records import RecordError, json_kind, read_json_document

#: ``--cash-asset`` value that settles no premium (orders move positions only).
NO_CASH = "none"


class OrderIn(BaseModel):
    """One order: a signed quantity of contracts (positive buys, negative sells) in one instrument; the
    quantity follows the positions' rules (a whole number of lots of 0.001 contract, not zero)."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    instrument: str = Field(min_length=1)
    quantity: Decimal

    @field_validator("quantity", mode="before")
    @classmethod
    def _not_boolean(cls, v: object) -> object:
        if isinstance(v, bool):
            raise ValueError(f"quantity must be a number of contracts, got {str(v).lower()}")
        return v


ORDERS = TypeAdapter(list[OrderIn])


class FiguresOut(BaseModel):
    """Account-level margin; money as decimal strings in quote currency."""

    model_config = ConfigDict(frozen=True)
    initial_margin: str
    maintenance_margin: str
    equity: str
    free_collateral: str
    solvent: bool


class OrderCheckOut(BaseModel):
    """One order checked against the portfolio (``instrument`` and ``quantity`` are null on the row of all
    orders together).  ``quantity`` is in contracts, ``cash_change`` in units of the cash asset, money as
    decimal strings; ``accepted`` is ``equity_after >= initial_margin_after``."""

    model_config = ConfigDict(frozen=True)
    instrument: str | None
    quantity: str | None
    initial_margin_before: str
    initial_margin_after: str
    im_change: str
    maintenance_margin_after: str
    equity_after: str
    free_collateral_after: str
    cash_change: str
    accepted: bool


class WhatIfOut(BaseModel):
    """The ``zkmargin what-if --json`` object: each order alone, then all of them together."""

    model_config = ConfigDict(frozen=True)
    account: str
    scenarios: str
    cash_asset: str | None
    before: FiguresOut
    orders: list[OrderCheckOut]
    together: OrderCheckOut


class StepOut(BaseModel):
    """One reduction: ``trade`` in contracts (positive buys back a short), positions before and after it in
    contracts, ``cash_change`` in units of the cash asset, and the margin after it."""

    model_config = ConfigDict(frozen=True)
    step: int
    instrument: str
    trade: str
    position_before: str
    position_after: str
    cash_change: str
    after: FiguresOut


class PlanOut(BaseModel):
    """The ``zkmargin liquidation-plan --json`` object."""

    model_config = ConfigDict(frozen=True)
    account: str
    scenarios: str
    cash_asset: str | None
    below_maintenance: bool
    restored: bool
    message: str
    before: FiguresOut
    steps: list[StepOut]
    final: FiguresOut


def _contracts(lots: int) -> str:
    return format_units(lots, QTY_SCALE).replace(",", "")


def _units(balance: int) -> str:
    return format_units(balance, BALANCE_SCALE).replace(",", "")


def _figures_out(f: MarginFigures) -> FiguresOut:
    return FiguresOut(initial_margin=format_money(f.initial_margin),
                      maintenance_margin=format_money(f.maintenance_margin), equity=format_money(f.equity),
                      free_collateral=format_money(f.free_collateral), solvent=f.solvent)


def load_orders(path: Path, table: RiskTable) -> list[tuple[int, int]]:
    """Read and validate an orders file: (leaf index, signed lots) per order, in file order.

    Raises
    ------
    InputError
        Not a JSON array, no orders, a missing or extra field, an unknown instrument, a quantity that is zero,
        not a whole number of lots or out of range; one line naming the file, the order and the field.
    """
    check_input_file(path, "--orders")
    try:
        raw = read_json_document(path, "orders")
    except RecordError as exc:
        raise InputError(str(exc).removeprefix(f"{path}: "), file=str(path)) from exc
    if not isinstance(raw, list):
        raise InputError(f'expected a JSON array of orders [{{"instrument": ..., "quantity": ...}}], got a JSON '
                         f"{json_kind(raw)}", file=str(path))
    if not raw:
        raise InputError('no orders: give at least one {"instrument": ..., "quantity": ...}', file=str(path))
    try:
        orders = ORDERS.validate_python(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = tuple(first["loc"])
        field = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc)
        item = raw[loc[0]] if loc and isinstance(loc[0], int) else None
        instrument = item.get("instrument") if isinstance(item, dict) else None
        extra = f" (and {exc.error_count() - 1} more problems)" if exc.error_count() > 1 else ""
        raise InputError(str(first["msg"]).removeprefix("Value error, ") + extra, file=str(path), field=field,
                         instrument=instrument if isinstance(instrument, str) else None) from exc
    index = table.index_of()
    out = []
    for n, order in enumerate(orders):
        if order.instrument not in index:
            raise InputError(errors.unknown_instrument(order.instrument), file=str(path), field=f"[{n}].instrument",
                             instrument=order.instrument)
        try:
            lots = to_lots(order.quantity)
        except BoundsError as exc:
            raise InputError(str(exc), file=str(path), field=f"[{n}].quantity", instrument=order.instrument) from exc
        except (ValueError, ArithmeticError) as exc:
            raise InputError(f"{order.quantity!r} is not a finite decimal number of contracts", file=str(path),
                             field=f"[{n}].quantity", instrument=order.instrument) from exc
        if lots == 0:
            raise InputError("the quantity is 0 contracts; an order buys (positive) or sells (negative) at least "
                             f"{1 / QTY_SCALE:g} contract", file=str(path), field=f"[{n}].quantity",
                             instrument=order.instrument)
        out.append((index[order.instrument], lots))
    return out


def _load_account(args: argparse.Namespace) -> tuple[RiskTable, AccountInts, str, str | None,
                                                    tuple[int, ...]]:
    """Risk table, account, scenario-set name, cash asset and notional per lot named by the options."""
    check_input_file(args.portfolio, "--portfolio")
    market, _, table, scenarios = load_table(args)
    account = encode_account(load_portfolio(args.portfolio), table, source=str(args.portfolio))
    cash = None if args.cash_asset.lower() == NO_CASH else args.cash_asset
    return table, account, scenarios.name, cash, notional_per_lot(table, market)


def _check_row(table: RiskTable, impact: Impact, instrument: str | None, quantity: str | None) -> OrderCheckOut:
    return OrderCheckOut(
        instrument=instrument, quantity=quantity,
        initial_margin_before=format_money(impact.before.initial_margin),
        initial_margin_after=format_money(impact.after.initial_margin), im_change=format_money(impact.im_change),
        maintenance_margin_after=format_money(impact.after.maintenance_margin),
        equity_after=format_money(impact.after.equity),
        free_collateral_after=format_money(impact.after.free_collateral),
        cash_change=_units(impact.cash_change), accepted=impact.accepted)


def cmd_what_if(args: argparse.Namespace, console: Console) -> int:
    check_input_file(args.orders, "--orders")
    table, account, scenario_set, cash, _ = _load_account(args)
    orders = load_orders(args.orders, table)
    state = WhatIf(table, account, cash_asset=cash)
    rows = []
    for n, (leaf, lots) in enumerate(orders):
        try:
            impact = state.check((leaf, lots))
        except InputError as exc:
            raise InputError(exc.reason, file=str(args.orders), field=f"[{n}].quantity",
                             instrument=table.instrument_ids[leaf]) from exc
        rows.append(_check_row(table, impact, table.instrument_ids[leaf], _contracts(lots)))
    try:
        together = _check_row(table, state.check_together(orders), None, None)
    except InputError as exc:
        raise InputError(f"all orders together: {exc.reason}", file=str(args.orders),
                         instrument=exc.instrument) from exc
    out = WhatIfOut(account=account.name, scenarios=scenario_set, cash_asset=state.cash_asset,
                    before=_figures_out(state.figures), orders=rows, together=together)
    if args.json:
        print(out.model_dump_json(indent=2))
    else:
        _render_what_if(out, console)
    return EXIT_OK


def _money(text: str) -> str:
    """A money string with thousands separators, negative in red."""
    sign = text.startswith("-")
    whole, _, frac = text.lstrip("-").partition(".")
    grouped = f"{'-' if sign else ''}{int(whole):,}.{frac}"
    return f"[red]{grouped}[/red]" if sign else grouped


def _settlement(cash: str | None) -> str:
    return (f"orders fill at mark, premium settled in {cash}" if cash is not None
            else "orders fill at mark, no premium settled (positions only)")


def _render_before(account: str, scenarios: str, b: FiguresOut, console: Console) -> None:
    console.print(f"[bold]Account[/bold] {account}  ·  scenarios {scenarios}")
    console.print(f"now: IM {_money(b.initial_margin)}  ·  MM {_money(b.maintenance_margin)}  ·  equity "
                  f"{_money(b.equity)}  ·  free collateral {_money(b.free_collateral)}  ·  solvent "
                  f"{'yes' if b.solvent else '[red]NO[/red]'}")


def _render_what_if(out: WhatIfOut, console: Console) -> None:
    _render_before(out.account, out.scenarios, out.before, console)
    count = f"{len(out.orders)} order{'s' if len(out.orders) != 1 else ''}"
    view = Table(title=f"Pre-trade check of {count}, each alone against the portfolio, then all together",
                 title_justify="left")
    for col in ("#", "instrument", "quantity", "IM before", "IM after", "MM after", "free collateral after",
                "accepted"):
        view.add_column(col, justify="left" if col in ("instrument", "accepted") else "right",
                        no_wrap=col == "instrument")
    for n, row in enumerate(out.orders):
        view.add_row(str(n), row.instrument, row.quantity, _money(row.initial_margin_before),
                     _money(row.initial_margin_after), _money(row.maintenance_margin_after),
                     _money(row.free_collateral_after), "yes" if row.accepted else "[red]NO[/red]",
                     end_section=n == len(out.orders) - 1)
    t = out.together
    view.add_row("", "[bold]all orders together[/bold]", "", _money(t.initial_margin_before),
                 _money(t.initial_margin_after), _money(t.maintenance_margin_after), _money(t.free_collateral_after),
                 "yes" if t.accepted else "[red]NO[/red]")
    console.print(view)
    console.print(f"[dim]accepted: equity after >= IM after (free collateral after >= 0); {_settlement(out.cash_asset)}"
                  "[/dim]")


def cmd_liquidation_plan(args: argparse.Namespace, console: Console) -> int:
    table, account, scenario_set, cash, notional = _load_account(args)
    plan = liquidation_plan(table, account, notional=notional, cash_asset=cash)
    out = _plan_out(table, account, scenario_set, cash, plan)
    if args.json:
        print(out.model_dump_json(indent=2))
    else:
        _render_plan(out, console)
    return EXIT_OK


def _plan_out(table: RiskTable, account: AccountInts, scenario_set: str, cash: str | None, plan: Plan) -> PlanOut:
    b, f = plan.before, plan.final
    if not plan.needed:
        message = (f"equity {format_money(b.equity, grouped=True)} >= MM "
                   f"{format_money(b.maintenance_margin, grouped=True)}: the account is not below maintenance "
                   "margin; nothing to do")
    elif plan.restored:
        several = len(plan.steps) != 1
        message = (f"{len(plan.steps)} reduction{'s bring' if several else ' brings'} equity back to >= IM "
                   f"(free collateral {format_money(f.free_collateral, grouped=True)})")
    else:
        message = (f"no further reduction raises free collateral: the plan cannot restore IM; best reached after "
                   f"{len(plan.steps)} reductions: equity {format_money(f.equity, grouped=True)}, IM "
                   f"{format_money(f.initial_margin, grouped=True)}")
    steps = [StepOut(step=n + 1, instrument=table.instrument_ids[s.leaf], trade=_contracts(s.lots),
                     position_before=_contracts(s.position_before), position_after=_contracts(s.position_after),
                     cash_change=_units(s.cash_change), after=_figures_out(s.after))
             for n, s in enumerate(plan.steps)]
    return PlanOut(account=account.name, scenarios=scenario_set, cash_asset=cash, below_maintenance=plan.needed,
                   restored=plan.restored, message=message, before=_figures_out(b), steps=steps,
                   final=_figures_out(f))


def _render_plan(out: PlanOut, console: Console) -> None:
    _render_before(out.account, out.scenarios, out.before, console)
    if out.steps:
        view = Table(title="Liquidation plan: reductions in order", title_justify="left")
        for col in ("step", "instrument", "trade", "position after", "IM after", "MM after", "equity after",
                    "free collateral after"):
            view.add_column(col, justify="left" if col == "instrument" else "right", no_wrap=col == "instrument")
        for s in out.steps:
            view.add_row(str(s.step), s.instrument, s.trade, s.position_after, _money(s.after.initial_margin),
                         _money(s.after.maintenance_margin), _money(s.after.equity), _money(s.after.free_collateral))
        console.print(view)
        console.print(f"[dim]{_settlement(out.cash_asset).replace('orders', 'reductions')}[/dim]")
        console.print("[dim]each step: the smallest reduction that restores IM, else the largest rise of free "
                      "collateral per unit of notional[/dim]")
    style = "green" if out.restored else "red"
    console.print(f"[{style}]{out.message}[/{style}]")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``what-if`` and ``liquidation-plan`` to the ``zkmargin`` parser."""
    cash_help = (f"collateral asset premium is paid from and received into (default %(default)s; '{NO_CASH}': "
                 "positions only)")
    p = sub.add_parser("what-if", help="pre-trade check: margin before and after each order, and all together")
    add_market_args(p)
    p.add_argument("--portfolio", type=Path, required=True, help="portfolio JSON")
    p.add_argument("--orders", type=Path, required=True,
                   help='orders JSON: [{"instrument": ID, "quantity": signed contracts}, ...]')
    p.add_argument("--cash-asset", default=DEFAULT_CASH_ASSET, help=cash_help)
    p.add_argument("--json", action="store_true", help="print one JSON object instead of the table")
    p.set_defaults(handler=cmd_what_if)

    p = sub.add_parser("liquidation-plan", help="position reductions that bring an account below MM back to IM")
    add_market_args(p)
    p.add_argument("--portfolio", type=Path, required=True, help="portfolio JSON")
    p.add_argument("--cash-asset", default=DEFAULT_CASH_ASSET, help=cash_help)
    p.add_argument("--json", action="store_true", help="print one JSON object instead of the table")
    p.set_defaults(handler=cmd_liquidation_plan)
