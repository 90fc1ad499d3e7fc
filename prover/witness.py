"""Build the account circuit's input from the engine's integers."""

from __future__ import annotations

from typing import Any

from zkmargin.constants import to_field
from zkmargin.engine.account import AccountInts
from zkmargin.engine.commitments import ParamsTree, balances, commit_account, slots
from zkmargin.engine.results import MarginResult
from zkmargin.statement.signals import Statement


def circuit_input(params: ParamsTree, account: AccountInts, salt: int,
                  result: MarginResult) -> tuple[dict[str, Any], Statement]:
    """The circuit input (ints, signed values field-encoded) and its statement.

    Every array has the circuit size's shape: ``N`` slots (risk ``[N][S]``), ``K`` assets (``asset_risk[K][S]``),
    ``G`` groups (``tier_threshold`` and ``tier_rate`` ``[G][MAX_TIERS]``).

    ``result`` is the engine's margin of ``account`` (computed once by the caller); the statement's IM and
    MM come from it.
    """
    size = params.size
    res = result
    leaf_index, qty = slots(account, size)
    table = params.table
    statement = Statement(params.params_root, commit_account(account, size, salt), res.initial_margin,
                          res.maintenance_margin)
    inputs: dict[str, Any] = {
        "params_root": statement.params_root,
        "account_commitment": statement.account_commitment,
        "margins": statement.margins,
        "qty": [to_field(q) for q in qty],
        "leaf_index": leaf_index,
        "group": [int(table.group_index[i]) for i in leaf_index],
        "kind": [int(table.kind[i]) for i in leaf_index],
        "mark": [to_field(int(table.mark[i])) for i in leaf_index],
        "charge": [int(table.charge[i]) for i in leaf_index],
        "delta": [to_field(int(table.delta[i])) for i in leaf_index],
        "vega": [to_field(int(table.vega[i])) for i in leaf_index],
        "risk": [[to_field(int(v)) for v in params.risk[i]] for i in leaf_index],
        "siblings": [params.tree.path(i) for i in leaf_index],
        "instruments_root": params.instruments_root,
        "asset_price": params.asset_price,
        "haircut_bp": params.haircut_bp,
        "asset_group": params.asset_group,
        "asset_risk": [[to_field(int(v)) for v in row] for row in params.asset_risk],
        "tier_threshold": params.tier_threshold.tolist(),
        "tier_rate": params.tier_rate.tolist(),
        "credit_bp": params.credit_bp,
        "im_bp": params.table.im_multiplier_bp,
        "mm_bp": params.table.mm_multiplier_bp,
        "epoch": params.table.epoch,
        "balance": balances(account, size),
        "salt": salt,
    }
    return inputs, statement
