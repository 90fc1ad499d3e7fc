"""The review's attack on the account statement, repeated: from the published leaf table and one proof's public
signals, single out the account's position.

The attacker margins every one-position book the leaf table allows (each instrument, each quantity from -5 to
+5 contracts in steps of 0.1, cash collateral, which does not move the margin) and keeps the candidates the
public signals do not refute.  A Groth16 proof is zero-knowledge, so the public signals are all it has.  With
the margins disclosed, the naked short call is one of a handful of exact matches, as the review found; with the
default statement nothing refutes any candidate, and the commitments cannot be tabulated without the salt.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import numpy.typing as npt
import pytest

from zkmargin.engine.account import AccountInts, encode_account
from zkmargin.engine.commitments import ParamsTree
from zkmargin.engine.io import load_portfolio
from zkmargin.engine.margin import BatchMargin, margin_account, margin_batch
from zkmargin.prover.witness import circuit_input
from zkmargin.statement.commitments import margin_commitment, new_salt
from zkmargin.statement.signals import Disclosure, Statement
from zkmargin.statement.sizes import SIZES
from zkmargin.toolchain import tools

NAKED_SHORT_CALL = tools.REPO_ROOT / "examples" / "portfolios" / "naked_short_call.json"
#: Candidate quantities in lots (1,000 per contract): -5 to +5 contracts in steps of 0.1, zero excluded.
CANDIDATE_LOTS = np.array([q for q in range(-5_000, 5_001, 100) if q], dtype=np.int64)


def candidates(table_size: int) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Every (instrument, quantity) one-position book: leaf_index and qty as int64[A, 1]."""
    leaf = np.repeat(np.arange(table_size, dtype=np.int64), len(CANDIDATE_LOTS))
    qty = np.tile(CANDIDATE_LOTS, table_size)
    return leaf[:, None], qty[:, None]


def not_refuted(statement: Statement, margins: BatchMargin) -> npt.NDArray[np.bool_]:
    """The candidates whose margins agree with everything ``statement`` discloses (the attacker's filter)."""
    im = np.asarray(margins.initial_margin, dtype=object)
    mm = np.asarray(margins.maintenance_margin, dtype=object)
    if statement.disclosure is Disclosure.MARGINS:
        return np.asarray((im == statement.initial_margin) & (mm == statement.maintenance_margin), dtype=bool)
    if statement.disclosure is Disclosure.MM_AT_MOST:
        return np.asarray(mm <= statement.threshold, dtype=bool)
    # solvency and free collateral depend on the collateral, which the attacker does not know either
    return np.ones(len(im), dtype=bool)


@pytest.fixture(scope="module")
def attack(example_params_tree: ParamsTree) -> Iterator[tuple[AccountInts, int, BatchMargin]]:
    """The true account, its candidate index, and the margins of every candidate."""
    table = example_params_tree.table
    account = encode_account(load_portfolio(NAKED_SHORT_CALL), table, source=str(NAKED_SHORT_CALL))
    leaf, qty = candidates(table.n_instruments)
    truth = int(np.flatnonzero((leaf[:, 0] == account.leaf_index[0]) & (qty[:, 0] == account.qty[0]))[0])
    margins = margin_batch(table, leaf, qty, np.zeros((len(qty), len(table.assets)), dtype=np.int64))
    yield account, truth, margins


def statement_of(params: ParamsTree, account: AccountInts, disclosure: Disclosure, threshold: int | None = None,
                 salt: int | None = None) -> Statement:
    """The public statement a proof of ``account`` would carry (the proof itself adds nothing: zero-knowledge)."""
    result = margin_account(params.table, account)
    _, statement = circuit_input(params, account, new_salt() if salt is None else salt, result, SIZES["small"],
                                 disclosure, threshold)
    return statement


def test_disclosed_margins_single_out_the_naked_short_call(example_params_tree: ParamsTree,
                                                           attack: tuple[AccountInts, int, BatchMargin]) -> None:
    account, truth, margins = attack
    kept = not_refuted(statement_of(example_params_tree, account, Disclosure.MARGINS), margins)
    assert kept[truth] and 1 <= kept.sum() <= 5, kept.sum()  # the review's finding: a handful of exact matches


def test_the_default_statement_refutes_no_candidate(example_params_tree: ParamsTree,
                                                    attack: tuple[AccountInts, int, BatchMargin]) -> None:
    account, truth, margins = attack
    statement = statement_of(example_params_tree, account, Disclosure.NOTHING)
    assert statement.disclosure_signal == 0 and statement.initial_margin is None
    kept = not_refuted(statement, margins)
    assert kept.all() and len(kept) == example_params_tree.table.n_instruments * len(CANDIDATE_LOTS)
    # a threshold leaves the true position among hundreds
    mm = int(margins.maintenance_margin[truth])
    assert not_refuted(statement_of(example_params_tree, account, Disclosure.MM_AT_MOST, mm), margins).sum() > 100


def test_the_commitments_cannot_be_tabulated_without_the_salt(example_params_tree: ParamsTree) -> None:
    """The same account proven twice gives unrelated signals; only the salt opens the margin commitment."""
    account = encode_account(load_portfolio(NAKED_SHORT_CALL), example_params_tree.table)
    result = margin_account(example_params_tree.table, account)
    salts = [new_salt(), new_salt()]
    first, second = (statement_of(example_params_tree, account, Disclosure.NOTHING, salt=s) for s in salts)
    assert first.params_root == second.params_root
    assert first.account_commitment != second.account_commitment
    assert first.margin_commitment != second.margin_commitment
    assert first.margin_commitment == margin_commitment(result.initial_margin, result.maintenance_margin, salts[0])
    assert second.margin_commitment == margin_commitment(result.initial_margin, result.maintenance_margin, salts[1])
