"""Build the account circuit's input from the engine's integers; the parts (position rows, slots, parameters,
statement) serve the book's chunk and combine circuits too (:mod:`zkmargin.prover.book`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from zkmargin.constants import to_field
from zkmargin.engine.account import AccountInts
from zkmargin.engine.commitments import AccountSlots, ParamsTree, account_slots, commit_account
from zkmargin.engine.results import MarginResult
from zkmargin.statement.commitments import margin_commitment
from zkmargin.statement.signals import PUBLIC_SIGNAL_NAMES, Disclosure, Statement
from zkmargin.statement.sizes import CircuitSize


def circuit_input(params: ParamsTree, account: AccountInts, salt: int, result: MarginResult,
                  size: CircuitSize, disclosure: Disclosure = Disclosure.NOTHING,
                  threshold: int | None = None) -> tuple[dict[str, Any], Statement]:
    """The circuit input of ``size`` (ints, signed values field-encoded) and its statement.

    Every array has the size's shape: ``N`` position slots (risk ``[N][S]``), ``G`` group slots
    (``tier_threshold`` and ``tier_rate`` ``[G][MAX_TIERS]``), ``K`` collateral slots (``asset_risk[K][S]``),
    with ``S`` the market's scenario count.

    ``result`` is the engine's margin of ``account`` (computed once by the caller); the statement's margin
    commitment, and its IM and MM when it discloses them, come from it.  ``threshold`` (micro-units) goes with
    ``Disclosure.MM_AT_MOST`` and ``Disclosure.FREE_COLLATERAL_AT_LEAST``.
    """
    layout = account_slots(params, account, size)
    statement = account_statement(params, commit_account(account, size, salt), result, salt, disclosure, threshold)
    inputs: dict[str, Any] = {
        **public_inputs(statement),
        **position_inputs(params, layout.leaf_index, layout.qty, layout.position_slot),
        **group_slot_inputs(params, layout),
        **asset_slot_inputs(params, layout),
        **params_inputs(params),
        "balance": layout.balance,
        "salt": salt,
        **disclosure_inputs(statement),
    }
    return inputs, statement


def account_statement(params: ParamsTree, commitment: int, result: MarginResult, salt: int,
                      disclosure: Disclosure = Disclosure.NOTHING, threshold: int | None = None) -> Statement:
    """The statement of an account with account commitment ``commitment`` and engine margin ``result``: its
    margin commitment (with ``salt``) and what it discloses (``threshold`` in micro-units, for the threshold
    modes)."""
    shown = disclosure is Disclosure.MARGINS
    return Statement(params.params_root, commitment,
                     margin_commitment(result.initial_margin, result.maintenance_margin, salt), disclosure,
                     initial_margin=result.initial_margin if shown else None,
                     maintenance_margin=result.maintenance_margin if shown else None, threshold=threshold)


def public_inputs(statement: Statement) -> dict[str, int]:
    """The statement's four public signals by name (``params_root``, ``account_commitment``,
    ``margin_commitment``, ``disclosure``)."""
    return dict(zip(PUBLIC_SIGNAL_NAMES, statement.public_signals(), strict=True))


def disclosure_inputs(statement: Statement) -> dict[str, int]:
    """``disclosure_mode`` and ``disclosure_value``: the private split of the public ``disclosure``."""
    return {"disclosure_mode": int(statement.disclosure), "disclosure_value": statement.disclosure_value}


def params_inputs(params: ParamsTree) -> dict[str, int]:
    """What opens ``params_root`` besides the trees' paths: the three roots, the credit, the multipliers (bp) and
    the epoch."""
    table = params.table
    return {"instruments_root": params.instruments_root, "groups_root": params.groups_root,
            "assets_root": params.assets_root, "credit_bp": params.credit_bp, "im_bp": table.im_multiplier_bp,
            "mm_bp": table.mm_multiplier_bp, "epoch": table.epoch}


def position_inputs(params: ParamsTree, leaf_index: Sequence[int], qty: Sequence[int],
                    position_slot: Sequence[int]) -> dict[str, Any]:
    """The position rows (``PositionRows`` of the circuit): ``qty``, ``leaf_index`` and ``position_slot``
    (the group slot of each row, ``G`` for an unused one) as given, and each row's leaf values (``risk[N][S]``
    padded to the market's scenarios) and Merkle path (``siblings[N][levels][3]``)."""
    table = params.table
    return {
        "qty": [to_field(q) for q in qty],
        "leaf_index": list(leaf_index),
        "position_slot": list(position_slot),
        "group": [int(table.group_index[i]) for i in leaf_index],
        "kind": [int(table.kind[i]) for i in leaf_index],
        "mark": [to_field(int(table.mark[i])) for i in leaf_index],
        "charge": [int(table.charge[i]) for i in leaf_index],
        "delta": [to_field(int(table.delta[i])) for i in leaf_index],
        "vega": [to_field(int(table.vega[i])) for i in leaf_index],
        "risk": [[to_field(int(v)) for v in params.risk[i]] for i in leaf_index],
        "siblings": [params.tree.path(i) for i in leaf_index],
    }


def group_slot_inputs(params: ParamsTree, layout: AccountSlots) -> dict[str, Any]:
    """``group_id``, ``group_used``, tiers and paths of the group slots; an unused slot holds zeros and the
    path of group 0 (or of the empty table)."""
    tiers = [params.group_fields(g) if used else {"tier_threshold": [0, 0], "tier_rate": [0, 0]}
             for g, used in zip(layout.group_id, layout.group_used, strict=True)]
    return {"group_id": layout.group_id, "group_used": layout.group_used,
            "tier_threshold": [t["tier_threshold"] for t in tiers], "tier_rate": [t["tier_rate"] for t in tiers],
            "group_siblings": [params.group_tree.path(g) for g in layout.group_id]}


def asset_slot_inputs(params: ParamsTree, layout: AccountSlots) -> dict[str, Any]:
    """The collateral slots' leaf values and paths; an unused slot (balance 0) repeats asset 0's leaf values
    (zeros in a market without assets), which the circuit neither opens nor counts."""
    known = [k < len(params.asset_price) for k in layout.asset_id]
    zero_row = [0] * layout.size.scenarios
    return {"asset_id": layout.asset_id, "asset_used": layout.asset_used,
            "asset_price": [params.asset_price[k] if ok else 0 for k, ok in zip(layout.asset_id, known, strict=True)],
            "haircut_bp": [params.haircut_bp[k] if ok else 0 for k, ok in zip(layout.asset_id, known, strict=True)],
            "asset_group": [params.asset_group[k] if ok else 0 for k, ok in zip(layout.asset_id, known, strict=True)],
            "asset_risk": [[to_field(int(v)) for v in (params.asset_risk[k] if ok else zero_row)]
                           for k, ok in zip(layout.asset_id, known, strict=True)],
            "asset_slot": layout.asset_slot,
            "asset_siblings": [params.asset_tree.path(k) for k in layout.asset_id]}
