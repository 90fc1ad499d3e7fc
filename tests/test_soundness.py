"""Soundness of the account circuit: change one thing a proof claims and no witness exists, or verification fails.

Each witness case starts from an honest input for an example account (the example market under the v2 scenarios,
with size tiers and an inter-underlying credit) and changes exactly one claim.  Where the change would otherwise
trip an earlier check too, the rest of the statement is rebuilt honestly (the commitment, the margins, and, for a
value the venue publishes, the leaves, the tree, the table hash and ``params_root``: :func:`published`) so that
only the constraint under attack is violated.  Every case then asserts *which* statement of
``circuits/account.circom`` stopped witness generation (read from the witness calculator's stack), so a case
cannot pass by failing for an unrelated reason.  Each bound has an accepted twin at the edge of the number
contract (``test_edge_of_the_bound_is_accepted``), which shows that the construction is sound and only the step
past the edge is rejected.

The published-value cases are the reason every value read from ``params_root`` is range-checked: a venue (or
whoever publishes the root) could otherwise pick values that wrap the field arithmetic.  The worked example is
the 251-bit mark of :func:`tests.forge_helpers.wrapping_mark`: 8 lots of it are worth 2^100 micro-units modulo r,
which makes an insolvent account pass a solvency check that trusts the marks.

The witness calculator fills every ``<--`` hint honestly, so these cases show that the *statement* is
rejected; that no dishonest hint (a wrong maximum, quotient or one-hot code) satisfies a gadget is shown by
``tests/test_gadget_max.py``, ``tests/test_gadget_divmod.py`` and ``tests/test_gadget_select.py``.

The last tests alter the public signals of a valid Groth16 proof: ``snarkjs groth16 verify`` and the Python
verifier must both reject them.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

import pytest
from conftest import EXAMPLES, ROOT
from engine_helpers import cheap_strangle, example_v2_table
from forge_helpers import wrapping_mark

from zkmargin.constants import (
    ASSET_RISK_BITS,
    BALANCE_BITS,
    BP,
    CHARGE_BITS,
    FIELD_ORDER,
    MAX_CREDIT_BP,
    MULT_BITS,
    PRICE_BITS,
    QTY_BITS,
    RISK_BITS,
    TIER_BITS,
    BoundsError,
    to_field,
)
from zkmargin.engine import reference
from zkmargin.engine.account import AccountInts, encode_account
from zkmargin.engine.commitments import ParamsTree, build_params_tree, commit_account
from zkmargin.engine.io import load_portfolio
from zkmargin.engine.results import MarginResult
from zkmargin.engine.risk import KIND_CALL, KIND_PUT, RiskTable
from zkmargin.prover.prove import ProofResult, check_provable, prove_account
from zkmargin.prover.witness import circuit_input
from zkmargin.statement import commitments
from zkmargin.statement.commitments import MARGIN_PACK_BITS, instrument_leaf, pack_margins, table_hash
from zkmargin.statement.merkle4 import QuadMerkleTree
from zkmargin.statement.sizes import SIZES
from zkmargin.toolchain import tools
from zkmargin.toolchain.keys import SetupArtifacts
from zkmargin.toolchain.witness import WitnessError, calculate_witness
from zkmargin.verifier import groth16
from zkmargin.verifier.groth16_errors import VerificationInputError

pytestmark = pytest.mark.slow

ACCOUNT_CIRCOM = ROOT / "circuits" / "account.circom"
SALT = 0x5A17_0F_2026_1124_C0FFEE
QTY_LIMIT = 1 << (QTY_BITS - 1)  # |qty| < 2^40: the signed 41-bit range is [-2^40, 2^40)
RISK_LIMIT = 1 << (RISK_BITS - 1)  # risk, mark, delta: [-2^40, 2^40)
ASSET_RISK_LIMIT = 1 << (ASSET_RISK_BITS - 1)  # [-2^55, 2^55)
BIG_BALANCE = (1 << BALANCE_BITS) - 1  # enough BTC to cover a 2^40-lot short
BTC, USDC, USDT = "BTC", "USDC", "USDT"

# The statements of circuits/account.circom that each attack must trip (matched as substrings).
COMMITMENT = "account_commitment === commitment.out"
PARAMS_ROOT = "params_root === paramsHash.out"
MERKLE_ROOT = "path[p].root === instruments_root"
MERKLE_INDEX = "path[p].siblings <== siblings[p]"  # the path component runs (and range-checks its index) here
GROUP_SELECTOR = "sel[p].code <== group[p]"
KIND_SELECTOR = "kindSel[p].code <== kind[p]"
ASSET_GROUP_SELECTOR = "assetSel[k].code <== asset_group[k]"
MARGINS = "margins === im * (1 << MARGIN_PACK_BITS()) + mm"
SOLVENCY = "solvent.in[1] <== mm"
QTY_RANGE = "qtyBits[p].in <== qty[p] + (1 << (QTY_BITS() - 1))"
BALANCE_RANGE = "balanceRange[k].in <== balance[k]"
HAIRCUT_CAP = "haircutCap[k].in <== BP() - haircut_bp[k]"
IM_RANGE = "imRange.in <== im_bp"
RISK_RANGE = "riskRange[p][s].in <== risk[p][s]"
MARK_RANGE = "markRange[p].in <== mark[p]"
CHARGE_RANGE = "chargeRange[p].in <== charge[p]"
DELTA_RANGE = "deltaRange[p].in <== delta[p]"
PRICE_RANGE = "priceRange[k].in <== asset_price[k]"
ASSET_RISK_RANGE = "assetRiskRange[k][s].in <== asset_risk[k][s]"
THRESHOLD_RANGE = "thresholdRange[g][t].in <== tier_threshold[g][t]"
RATE_RANGE = "rateRange[g][t].in <== tier_rate[g][t]"
CREDIT_RANGE = "creditRange.in <== credit_bp"
REQUIREMENT_RANGE = "requirementRange.in <== requirement"

_FRAME = re.compile(r"Error in template (\w+?)_\d+ line: (\d+)")


def failing_statement(error: WitnessError) -> str:
    """The statement of ``AccountMargin`` at which witness generation stopped, comment stripped."""
    lines = ACCOUNT_CIRCOM.read_text().splitlines()
    for template, line in _FRAME.findall(error.tool_message):
        if template == "AccountMargin":
            return lines[int(line) - 1].split("//")[0].strip()
    raise AssertionError(f"no AccountMargin frame in the witness calculator's message {error.tool_message!r}")


# --------------------------------------------------------------------------- honest statements


@dataclass(frozen=True)
class Honest:
    """An example account, its params tree and its honest circuit input."""

    params: ParamsTree
    account: AccountInts
    result: MarginResult
    inputs: dict[str, Any]

    @property
    def table(self) -> RiskTable:
        return self.params.table

    def slot(self, instrument: str) -> int:
        """The slot holding ``instrument``."""
        return self.account.leaf_index.index(self.table.instrument_ids.index(instrument))

    def leaf(self, instrument: str) -> int:
        return self.table.instrument_ids.index(instrument)

    def asset(self, name: str) -> int:
        return self.table.assets.index(name)


def example_account(table: RiskTable, name: str) -> AccountInts:
    return encode_account(load_portfolio(EXAMPLES / "portfolios" / f"{name}.json"), table)


def margin(table: RiskTable, account: AccountInts) -> MarginResult:
    """The pure-int reference margin (it takes any integers, in or out of the number contract)."""
    return reference.margin_account(table, account.leaf_index, account.qty, account.balances)


def honest_inputs(params: ParamsTree, account: AccountInts, table: RiskTable | None = None) -> dict[str, Any]:
    """The honest circuit input of ``account``, margins by the reference under ``table`` (default the params')."""
    result = margin(table or params.table, account)
    assert result.solvent, "the construction must keep the account solvent so only the attacked check fails"
    return circuit_input(params, account, SALT, result)[0]


def with_qty(account: AccountInts, slot: int, qty: int) -> AccountInts:
    return replace(account, qty=tuple(qty if p == slot else q for p, q in enumerate(account.qty)))


def with_balance(account: AccountInts, asset: int, balance: int) -> AccountInts:
    return replace(account, balances=tuple(balance if k == asset else b for k, b in enumerate(account.balances)))


def encoded(value: Any) -> Any:
    """A circuit input value (an int or nested lists of ints) in the field encoding."""
    return [encoded(v) for v in value] if isinstance(value, list) else to_field(int(value))


def published(params: ParamsTree, inputs: Mapping[str, Any], *, leaves: Mapping[int, Mapping[str, Any]] | None = None,
              im_bp: int | None = None, **table: Any) -> dict[str, Any]:
    """``inputs`` under a params root published with other values: ``leaves`` maps a leaf index to new leaf fields
    (``group``, ``kind``, ``mark``, ``charge``, ``delta``, ``vega``, ``risk``), ``table`` gives whole new table
    fields (``asset_price``, ``haircut_bp``, ``asset_group``, ``asset_risk``, ``tier_threshold``, ``tier_rate``,
    ``credit_bp``), in or out of the number contract.  The leaves, tree, paths, table hash and ``params_root`` are
    rebuilt (the twin of the circuit's hashes), so every hash and path check passes; the margins are left as they
    are."""
    out = copy.deepcopy(dict(inputs))
    leaf_hashes = list(params.leaves)
    for i, change in (leaves or {}).items():
        leaf_hashes[i] = instrument_leaf(**{**params.leaf_fields(i), **change})
        for p, index in enumerate(out["leaf_index"]):
            if index == i:
                for name, value in change.items():
                    out[name][p] = encoded(value)
    tree = QuadMerkleTree(leaf_hashes, params.size.levels)
    out["siblings"] = [tree.path(i) for i in out["leaf_index"]]
    out["instruments_root"] = tree.root
    fields = {**params.table_fields(), **table}
    for name, value in table.items():
        out[name] = encoded(value)
    if im_bp is not None:
        out["im_bp"] = im_bp
    committed = table_hash(*(fields[name] for name in ("asset_price", "haircut_bp", "asset_group", "asset_risk",
                                                        "tier_threshold", "tier_rate", "credit_bp")))
    out["params_root"] = commitments.params_root(tree.root, committed, out["im_bp"], out["mm_bp"], out["epoch"])
    return out


def table_field(params: ParamsTree, name: str, index: tuple[int, ...], value: Any) -> Any:
    """Table field ``name`` of ``params`` with the entry (or row) at ``index`` set to ``value`` (plain Python ints)."""
    field: Any = copy.deepcopy(params.table_fields()[name])
    if not index:
        return value
    target = field
    for i in index[:-1]:
        target = target[i]
    target[index[-1]] = value
    return field


@pytest.fixture(scope="module")
def v2_params() -> ParamsTree:
    """The v2 example table (tiers on both underlyings, 30% credit) committed for the `test` size."""
    return build_params_tree(example_v2_table(), SIZES["test"])


def honest(params: ParamsTree, name: str) -> Honest:
    account = example_account(params.table, name)
    result = margin(params.table, account)
    return Honest(params, account, result, circuit_input(params, account, SALT, result)[0])


@pytest.fixture(scope="module")
def book(v2_params: ParamsTree) -> Honest:
    """two_underlying_book: five positions over both groups (put, future, call, perpetual, spot), three assets."""
    return honest(v2_params, "two_underlying_book")


@pytest.fixture(scope="module")
def short_call(v2_params: ParamsTree) -> Honest:
    """naked_short_call: solvent only thanks to its USDC balance, so the balance decides solvency."""
    return honest(v2_params, "naked_short_call")


@pytest.fixture(scope="module")
def strangle(v2_params: ParamsTree) -> Honest:
    """A long strangle of cheap options: liability-free, and the long-premium cap binds."""
    account = cheap_strangle(v2_params.table, 1_000)
    result = margin(v2_params.table, account)
    assert result.liability_free and result.maintenance_margin == result.option_value
    return Honest(v2_params, account, result, circuit_input(v2_params, account, SALT, result)[0])


# --------------------------------------------------------------------------- the attacks

BTC_PUT, ETH_CALL, BTC_SPOT = "BTC-25DEC26-100000-P", "ETH-25DEC26-3600-C", "BTC-USDC"


def qty_against_commitment(b: Honest) -> dict[str, Any]:
    """One more lot than committed; the margins are the honest ones of the changed account."""
    slot = b.slot(BTC_PUT)
    inputs = honest_inputs(b.params, with_qty(b.account, slot, b.account.qty[slot] + 1))
    inputs["account_commitment"] = b.inputs["account_commitment"]
    return inputs


def balance_against_commitment(b: Honest) -> dict[str, Any]:
    """One more 1e-8 BTC than committed."""
    asset = b.asset(BTC)
    inputs = honest_inputs(b.params, with_balance(b.account, asset, b.account.balances[asset] + 1))
    inputs["account_commitment"] = b.inputs["account_commitment"]
    return inputs


def risk_entry_against_root(b: Honest) -> dict[str, Any]:
    """The worst scenario's risk-array entry of a long put one micro-unit kinder; margins follow it honestly."""
    slot = b.slot(BTC_PUT)
    leaf = b.account.leaf_index[slot]
    group = int(b.table.group_index[leaf])
    scenario = b.result.groups[group].worst_scenario
    risk_array = b.table.risk_array.copy()
    risk_array[leaf, scenario] += 1
    kinder = replace(b.table, risk_array=risk_array)
    assert margin(kinder, b.account).maintenance_margin < b.result.maintenance_margin  # the attack pays
    inputs = honest_inputs(b.params, b.account, kinder)
    inputs["risk"][slot][scenario] = to_field(int(risk_array[leaf, scenario]))
    return inputs


def kind_against_root(b: Honest) -> dict[str, Any]:
    """The short ETH call claimed as a put: its charge would count against the puts, where nothing is short."""
    slot = b.slot(ETH_CALL)
    assert b.inputs["kind"][slot] == KIND_CALL
    leaf = b.account.leaf_index[slot]
    kinds = b.table.kind.copy()
    kinds[leaf] = KIND_PUT
    inputs = honest_inputs(b.params, b.account, replace(b.table, kind=kinds))
    inputs["kind"][slot] = KIND_PUT
    return inputs


def table_value_against_root(name: str, index: tuple[int, ...],
                             change: Callable[[int], int]) -> Callable[[Honest], dict[str, Any]]:
    """One value of the risk table changed (``change`` of the honest value) in the prover's input only;
    ``params_root`` is the published one."""
    def attack(b: Honest) -> dict[str, Any]:
        honest_value: Any = b.params.table_fields()[name]
        for i in index:
            honest_value = honest_value[i]
        inputs = copy.deepcopy(b.inputs)
        inputs[name] = encoded(table_field(b.params, name, index, change(int(honest_value))))
        assert inputs[name] != b.inputs[name]
        return inputs
    return attack


def merkle_sibling(level: int) -> Callable[[Honest], dict[str, Any]]:
    def attack(b: Honest) -> dict[str, Any]:
        inputs = copy.deepcopy(b.inputs)
        slot = b.slot(ETH_CALL)
        inputs["siblings"][slot][level][1] = (inputs["siblings"][slot][level][1] + 1) % FIELD_ORDER
        return inputs
    return attack


def leaf_index_of_another_instrument(b: Honest) -> dict[str, Any]:
    """The ETH call's row (risk, charge, path) claimed at the leaf index of the next instrument, committed so."""
    slot = b.slot(ETH_CALL)
    other = b.account.leaf_index[slot] + 1
    assert other not in b.account.leaf_index
    inputs = copy.deepcopy(b.inputs)
    inputs["leaf_index"][slot] = other
    moved = replace(b.account, leaf_index=tuple(other if p == slot else i for p, i in enumerate(b.account.leaf_index)))
    inputs["account_commitment"] = commit_account(moved, b.params.size, SALT)
    return inputs


def leaf_index_aliased(b: Honest) -> dict[str, Any]:
    """leaf_index + 4^levels: the same base-4 digits on the path, a different committed integer."""
    slot = b.slot(ETH_CALL)
    alias = b.account.leaf_index[slot] + (1 << b.params.size.depth)
    inputs = copy.deepcopy(b.inputs)
    inputs["leaf_index"][slot] = alias
    moved = replace(b.account, leaf_index=tuple(alias if p == slot else i for p, i in enumerate(b.account.leaf_index)))
    inputs["account_commitment"] = commit_account(moved, b.params.size, SALT)
    return inputs


def usdc_for_equity(b: Honest, equity: int) -> AccountInts:
    """``b``'s account with the USDC balance that makes its equity exactly ``equity`` (price 1e6, no haircut)."""
    k = b.asset(USDC)
    assert b.table.asset_price[k] == 10**6 and b.table.haircut_bp[k] == 0  # collateral = floor(balance / 100)
    others = margin(b.table, with_balance(b.account, k, 0)).equity
    account = with_balance(b.account, k, 100 * (equity - others))
    assert margin(b.table, account).equity == equity
    return account


def insolvent_by_one(b: Honest) -> dict[str, Any]:
    """USDC shrunk until equity = MM - 1, honestly committed: only solvency fails."""
    account = usdc_for_equity(b, b.result.maintenance_margin - 1)
    result = margin(b.table, account)
    assert result.maintenance_margin == b.result.maintenance_margin and not result.solvent
    return circuit_input(b.params, account, SALT, result)[0]


def qty_at(qty: int) -> Callable[[Honest], dict[str, Any]]:
    """The put's quantity set to ``qty``, with enough BTC to stay solvent; commitment and margins honest."""
    def attack(b: Honest) -> dict[str, Any]:
        rich = with_balance(b.account, b.asset(BTC), BIG_BALANCE)
        return honest_inputs(b.params, with_qty(rich, b.slot(BTC_PUT), qty))
    return attack


def balance_at(balance: int) -> Callable[[Honest], dict[str, Any]]:
    def attack(b: Honest) -> dict[str, Any]:
        return honest_inputs(b.params, with_balance(b.account, b.asset(USDC), balance))
    return attack


def im_bp_at(im_bp: int) -> Callable[[Honest], dict[str, Any]]:
    """The IM multiplier set to ``im_bp`` in a venue-published params root; IM recomputed with it."""
    def attack(b: Honest) -> dict[str, Any]:
        inputs = honest_inputs(b.params, b.account, replace(b.table, im_multiplier_bp=im_bp))
        return published(b.params, inputs, im_bp=im_bp)
    return attack


def margins_shifted(delta: int) -> Callable[[Honest], dict[str, Any]]:
    def attack(b: Honest) -> dict[str, Any]:
        inputs = copy.deepcopy(b.inputs)
        inputs["margins"] += delta
        return inputs
    return attack


def group_against_leaf(b: Honest) -> dict[str, Any]:
    """A row claims group G (no group): its loss would count nowhere.  The leaf hash has the true group."""
    inputs = copy.deepcopy(b.inputs)
    inputs["group"][b.slot(ETH_CALL)] = b.params.size.groups
    return inputs


def leaf_value_published(instrument: str, **change: Any) -> Callable[[Honest], dict[str, Any]]:
    """A leaf published with ``change`` (in or out of the number contract): tree, paths and params_root rebuilt."""
    def attack(b: Honest) -> dict[str, Any]:
        return published(b.params, b.inputs, leaves={b.leaf(instrument): change})
    return attack


def risk_entry_published(instrument: str, scenario: int, value: int) -> Callable[[Honest], dict[str, Any]]:
    def attack(b: Honest) -> dict[str, Any]:
        leaf = b.leaf(instrument)
        row = [int(v) for v in b.params.risk[leaf]]
        row[scenario] = value
        return published(b.params, b.inputs, leaves={leaf: {"risk": row}})
    return attack


def table_value_published(name: str, index: tuple[int, ...], value: int) -> Callable[[Honest], dict[str, Any]]:
    """A risk table published with one value changed (in or out of the number contract); root rebuilt."""
    def attack(b: Honest) -> dict[str, Any]:
        return published(b.params, b.inputs, **{name: table_field(b.params, name, index, value)})
    return attack


def haircut_published(haircut: int) -> Callable[[Honest], dict[str, Any]]:
    """The BTC haircut set to ``haircut`` in a venue-published params root; margins follow it."""
    def attack(b: Honest) -> dict[str, Any]:
        haircuts = list(b.params.haircut_bp)
        haircuts[b.asset(BTC)] = haircut
        inputs = honest_inputs(b.params, b.account, replace(b.table, haircut_bp=haircuts))
        return published(b.params, inputs, haircut_bp=haircuts)
    return attack


def wrapping_mark_forgery(b: Honest) -> dict[str, Any]:
    """The naked short call without its USDC (insolvent) plus 8 lots of spot BTC published at a 251-bit mark.

    8 lots at that mark are worth 2^100 (+7) micro-units modulo r, so in the field the account's equity is far
    above its MM and inside the window a solvency comparison decides on: a circuit that did not range-check the
    mark would prove this insolvent account solvent.  The mark range check stops it.
    """
    spot, lots = b.leaf(BTC_SPOT), 8
    slots = sorted([(b.account.leaf_index[0], b.account.qty[0]), (spot, lots)])
    broke = AccountInts("forged", tuple(i for i, _ in slots), tuple(q for _, q in slots),
                        tuple(0 for _ in b.account.balances))
    honest_result = margin(b.table, broke)
    assert not honest_result.solvent and not honest_result.liability_free  # the mark cannot move MM
    mark, value = wrapping_mark(lots, 1 << 100)
    assert mark.bit_length() == 251 and lots * mark % FIELD_ORDER == value
    inputs = circuit_input(b.params, broke, SALT, honest_result)[0]
    # the field equity a circuit without the range check computes: collateral 0, marks, minus the short lots
    field_equity = (sum(q * (mark if i == spot else int(b.table.mark[i])) for i, q in zip(broke.leaf_index, broke.qty,
                                                                                           strict=True))
                    - sum(-q for q in broke.qty if q < 0)) % FIELD_ORDER
    assert 0 <= field_equity - honest_result.maintenance_margin < 1 << (MARGIN_PACK_BITS + 1)  # it would pass
    return published(b.params, inputs, leaves={spot: {"mark": mark}})


def requirement_beyond_money_bits(b: Honest) -> dict[str, Any]:
    """A published table within the number contract whose tier charge pushes the requirement past 2^96: the
    reference raises BoundsError, and the circuit has no witness either (margins claimed: the honest ones)."""
    slot, leaf = b.slot(ETH_CALL), b.leaf(ETH_CALL)
    delta = b.table.delta.copy()
    delta[leaf] = RISK_LIMIT - 1
    rates = b.table.tier_rate.copy()
    rates[int(b.table.group_index[leaf])] = [(1 << PRICE_BITS) - 1, 0]
    thresholds = b.table.tier_threshold.copy()
    thresholds[int(b.table.group_index[leaf])] = [0, 0]
    huge = with_qty(b.account, slot, QTY_LIMIT - 1)
    with pytest.raises(BoundsError, match="requirement"):
        margin(replace(b.table, delta=delta, tier_rate=rates, tier_threshold=thresholds), huge)
    group = int(b.table.group_index[leaf])
    inputs = circuit_input(b.params, huge, SALT, b.result)[0]
    return published(b.params, inputs, leaves={leaf: {"delta": RISK_LIMIT - 1}},
                     tier_threshold=table_field(b.params, "tier_threshold", (group,), [0, 0]),
                     tier_rate=table_field(b.params, "tier_rate", (group,), [(1 << PRICE_BITS) - 1, 0]))


def cap_claimed_with_a_short(b: Honest) -> dict[str, Any]:
    """The strangle with one lot of its put sold: the account has a liability, yet its MM is claimed capped at the
    value of its options.  Commitment honest; only the margins are the capped ones."""
    account = with_qty(b.account, 1 if int(b.table.kind[b.account.leaf_index[1]]) == KIND_PUT else 0, -1)
    result = margin(b.table, account)
    assert not result.liability_free and result.solvent and result.maintenance_margin > result.option_value
    capped = replace(result, initial_margin=min(result.initial_margin, result.option_value),
                     maintenance_margin=min(result.maintenance_margin, result.option_value))
    return circuit_input(b.params, account, SALT, capped)[0]


def cap_not_applied(b: Honest) -> dict[str, Any]:
    """The liability-free strangle claims its uncapped MM and IM."""
    full_mm = -(-b.result.requirement * b.table.mm_multiplier_bp // BP)
    full_im = -(-b.result.requirement * b.table.im_multiplier_bp // BP)
    assert full_mm > b.result.maintenance_margin
    inputs = copy.deepcopy(b.inputs)
    inputs["margins"] = pack_margins(full_im, full_mm)
    return inputs


MM_UNIT, IM_UNIT = 1, 1 << MARGIN_PACK_BITS
G = SIZES["test"].groups
THRESHOLD_LIMIT, PRICE_LIMIT = 1 << TIER_BITS, 1 << PRICE_BITS  # tier rates are PRICE_BITS wide too

#: name -> (the account it starts from, the attack, the statement of account.circom that must stop it).
ATTACKS: dict[str, tuple[str, Callable[[Honest], dict[str, Any]], str]] = {
    "commitment binds qty: one lot more": ("book", qty_against_commitment, COMMITMENT),
    "commitment binds balance: one unit more": ("book", balance_against_commitment, COMMITMENT),
    "root binds risk arrays: worst-scenario entry +1": ("book", risk_entry_against_root, MERKLE_ROOT),
    "root binds kind: the short call claimed as a put": ("book", kind_against_root, MERKLE_ROOT),
    "root binds the path: level-0 sibling +1": ("book", merkle_sibling(0), MERKLE_ROOT),
    "root binds the path: top-level sibling +1": ("book", merkle_sibling(-1), MERKLE_ROOT),
    "root binds leaf_index: another instrument's row": ("book", leaf_index_of_another_instrument, MERKLE_ROOT),
    "leaf_index range: aliased by +4^levels": ("book", leaf_index_aliased, MERKLE_INDEX),
    "table hash binds asset_group: BTC in no group": ("book", table_value_against_root("asset_group", (0,),
                                                                                       lambda _: G), PARAMS_ROOT),
    "table hash binds asset_risk: a BTC entry +1": ("book", table_value_against_root("asset_risk", (0, 0),
                                                                                     lambda v: v + 1), PARAMS_ROOT),
    "table hash binds tiers: BTC threshold +1": ("book", table_value_against_root("tier_threshold", (0, 0),
                                                                                  lambda v: v + 1), PARAMS_ROOT),
    "table hash binds tiers: ETH rate 0": ("book", table_value_against_root("tier_rate", (1, 0), lambda _: 0),
                                           PARAMS_ROOT),
    "table hash binds credit: 8000 bp": ("book", table_value_against_root("credit_bp", (), lambda _: MAX_CREDIT_BP),
                                         PARAMS_ROOT),
    "solvency: equity = MM - 1": ("short_call", insolvent_by_one, SOLVENCY),
    "solvency: a 251-bit mark that wraps the equity": ("short_call", wrapping_mark_forgery, MARK_RANGE),
    "qty range: 2^40": ("book", qty_at(QTY_LIMIT), QTY_RANGE),
    "qty range: -2^40 - 1": ("book", qty_at(-QTY_LIMIT - 1), QTY_RANGE),
    "balance range: 2^64": ("book", balance_at(1 << BALANCE_BITS), BALANCE_RANGE),
    "published risk range: 2^40": ("book", risk_entry_published(BTC_PUT, 3, RISK_LIMIT), RISK_RANGE),
    "published risk range: -2^40 - 1": ("book", risk_entry_published(BTC_PUT, 0, -RISK_LIMIT - 1), RISK_RANGE),
    "published mark range: 2^40": ("book", leaf_value_published(BTC_PUT, mark=RISK_LIMIT), MARK_RANGE),
    "published mark range: -2^40 - 1": ("book", leaf_value_published(ETH_CALL, mark=-RISK_LIMIT - 1), MARK_RANGE),
    "published charge range: 2^40": ("book", leaf_value_published(ETH_CALL, charge=1 << CHARGE_BITS), CHARGE_RANGE),
    "published charge range: -1": ("book", leaf_value_published(ETH_CALL, charge=-1), CHARGE_RANGE),
    "published delta range: 2^40": ("book", leaf_value_published(BTC_PUT, delta=RISK_LIMIT), DELTA_RANGE),
    "published delta range: -2^40 - 1": ("book", leaf_value_published(BTC_PUT, delta=-RISK_LIMIT - 1), DELTA_RANGE),
    "published kind in {0..3}: 4": ("book", leaf_value_published(ETH_CALL, kind=4), KIND_SELECTOR),
    "published kind in {0..3}: -1": ("book", leaf_value_published(ETH_CALL, kind=-1), KIND_SELECTOR),
    "group < G: bound by the leaf hash": ("book", group_against_leaf, MERKLE_ROOT),
    "published group < G: G": ("book", leaf_value_published(ETH_CALL, group=G), GROUP_SELECTOR),
    "published asset price range: 2^48": ("book", table_value_published("asset_price", (3,), PRICE_LIMIT),
                                          PRICE_RANGE),
    "published haircut range: 10001 bp": ("book", haircut_published(BP + 1), HAIRCUT_CAP),
    "published asset_group <= G: G + 1": ("book", table_value_published("asset_group", (2,), G + 1),
                                          ASSET_GROUP_SELECTOR),
    "published asset_risk range: 2^55": ("book", table_value_published("asset_risk", (0, 5), ASSET_RISK_LIMIT),
                                         ASSET_RISK_RANGE),
    "published asset_risk range: -2^55 - 1": ("book", table_value_published("asset_risk", (1, 0),
                                                                            -ASSET_RISK_LIMIT - 1), ASSET_RISK_RANGE),
    "published tier threshold range: 2^63": ("book", table_value_published("tier_threshold", (0, 1), THRESHOLD_LIMIT),
                                             THRESHOLD_RANGE),
    "published tier threshold range: -1": ("book", table_value_published("tier_threshold", (1, 0), -1),
                                           THRESHOLD_RANGE),
    "published tier rate range: 2^48": ("book", table_value_published("tier_rate", (0, 0), PRICE_LIMIT), RATE_RANGE),
    "published credit range: 8001 bp": ("book", table_value_published("credit_bp", (), MAX_CREDIT_BP + 1),
                                        CREDIT_RANGE),
    "published credit range: -1": ("book", table_value_published("credit_bp", (), -1), CREDIT_RANGE),
    "published im_bp range: 2^20": ("book", im_bp_at(1 << MULT_BITS), IM_RANGE),
    "requirement < 2^96: a tier charge past MONEY_BITS": ("book", requirement_beyond_money_bits, REQUIREMENT_RANGE),
    "margins: MM - 1": ("book", margins_shifted(-MM_UNIT), MARGINS),
    "margins: MM + 1": ("book", margins_shifted(+MM_UNIT), MARGINS),
    "margins: IM - 1": ("book", margins_shifted(-IM_UNIT), MARGINS),
    "margins: IM + 1": ("book", margins_shifted(+IM_UNIT), MARGINS),
    "long-premium cap: claimed by an account with a short lot": ("strangle", cap_claimed_with_a_short, MARGINS),
    "long-premium cap: not applied to a liability-free account": ("strangle", cap_not_applied, MARGINS),
}


def edge_account(b: Honest) -> AccountInts:
    """``b``'s instruments at one lot each (same signs), 2^64 - 1 units of USDC and nothing else: the edge values
    below then move the margin by at most a few million USD, which the USDC covers."""
    usdc = b.asset(USDC)
    return AccountInts("edge", b.account.leaf_index, tuple(1 if q > 0 else -1 for q in b.account.qty),
                       tuple(BIG_BALANCE if k == usdc else 0 for k in range(len(b.account.balances))))


def table_at_edge(**change: Callable[[RiskTable, Honest], Any]) -> Callable[[Honest], dict[str, Any]]:
    """The honest input of :func:`edge_account` under a venue table with ``change`` (each a function of the
    table giving the field's new value), rebuilt and committed by the engine (``build_params_tree``)."""
    def build(b: Honest) -> dict[str, Any]:
        table = replace(b.table, **{name: make(b.table, b) for name, make in change.items()})
        return honest_inputs(build_params_tree(table, b.params.size), edge_account(b), table)
    return build


def entry(name: str, index: tuple[int, ...], value: int) -> Callable[[RiskTable, Honest], Any]:
    """A RiskTable field with one entry (an instrument's by its id, or an index) set to ``value``."""
    def make(table: RiskTable, b: Honest) -> Any:
        field = copy.deepcopy(getattr(table, name))
        if isinstance(field, list):
            field[index[0]] = value
        else:
            field[index] = value
        return field
    return make


def leaf_entry(name: str, instrument: str, value: int) -> Callable[[RiskTable, Honest], Any]:
    """A per-instrument RiskTable field with ``instrument``'s entry set to ``value``."""
    def make(table: RiskTable, b: Honest) -> Any:
        field = getattr(table, name).copy()
        field[b.leaf(instrument)] = value
        return field
    return make


def risk_entries(instrument: str, values: Mapping[int, int]) -> Callable[[RiskTable, Honest], Any]:
    """The risk array with ``instrument``'s entries of the given scenarios set."""
    def make(table: RiskTable, b: Honest) -> Any:
        risk = table.risk_array.copy()
        for scenario, value in values.items():
            risk[b.leaf(instrument), scenario] = value
        return risk
    return make


#: The accepted twin of each bound: at the edge of the number contract.
INSIDE: dict[str, tuple[str, Callable[[Honest], dict[str, Any]]]] = {
    "solvency: equity = MM": ("short_call", lambda b: honest_inputs(b.params, usdc_for_equity(
        b, b.result.maintenance_margin))),
    "qty range: 2^40 - 1": ("book", qty_at(QTY_LIMIT - 1)),
    "qty range: -2^40": ("book", qty_at(-QTY_LIMIT)),
    "balance range: 2^64 - 1": ("book", balance_at((1 << BALANCE_BITS) - 1)),
    "risk range: -2^40 and 2^40 - 1": ("book", table_at_edge(
        risk_array=risk_entries(BTC_PUT, {0: -RISK_LIMIT, 1: RISK_LIMIT - 1}))),
    "mark range: -2^40": ("book", table_at_edge(mark=leaf_entry("mark", BTC_PUT, -RISK_LIMIT))),
    "mark range: 2^40 - 1": ("book", table_at_edge(mark=leaf_entry("mark", ETH_CALL, RISK_LIMIT - 1))),
    "charge range: 2^40 - 1": ("book", table_at_edge(charge=leaf_entry("charge", ETH_CALL, (1 << CHARGE_BITS) - 1))),
    "delta range: -2^40": ("book", table_at_edge(delta=leaf_entry("delta", BTC_PUT, -RISK_LIMIT))),
    "delta range: 2^40 - 1": ("book", table_at_edge(delta=leaf_entry("delta", ETH_CALL, RISK_LIMIT - 1))),
    "asset price range: 2^48 - 1": ("book", table_at_edge(asset_price=entry("asset_price", (3,), PRICE_LIMIT - 1))),
    "haircut range: 10000 bp": ("book", table_at_edge(haircut_bp=entry("haircut_bp", (0,), BP))),
    "asset_group: G, no group": ("book", table_at_edge(asset_group=entry("asset_group", (0,), G))),
    "asset_risk range: -2^55": ("book", table_at_edge(asset_risk=entry("asset_risk", (0, 5), -ASSET_RISK_LIMIT))),
    "asset_risk range: 2^55 - 1": ("book", table_at_edge(asset_risk=entry("asset_risk", (1, 0),
                                                                          ASSET_RISK_LIMIT - 1))),
    "tier threshold range: 2^63 - 1": ("book", table_at_edge(tier_threshold=entry("tier_threshold", (0, 1),
                                                                                  THRESHOLD_LIMIT - 1))),
    "tier rate range: 2^48 - 1": ("book", table_at_edge(tier_rate=entry("tier_rate", (0, 0), PRICE_LIMIT - 1))),
    "credit range: 8000 bp": ("book", table_at_edge(intergroup_credit_bp=lambda t, b: MAX_CREDIT_BP)),
    "im_bp range: 2^20 - 1": ("book", im_bp_at((1 << MULT_BITS) - 1)),
}


@pytest.mark.parametrize("name", list(ATTACKS))
def test_tampered_claim_has_no_witness(name: str, request: pytest.FixtureRequest, test_keys: SetupArtifacts) -> None:
    base, attack, statement = ATTACKS[name]
    honest_case: Honest = request.getfixturevalue(base)
    inputs = attack(honest_case)
    with pytest.raises(WitnessError) as caught:
        calculate_witness(test_keys.circuit, inputs)
    assert caught.value.assert_failed, caught.value.tool_message  # a failed constraint, not a malformed input
    assert statement in failing_statement(caught.value), caught.value.tool_message


@pytest.mark.parametrize("name", list(INSIDE))
def test_edge_of_the_bound_is_accepted(name: str, request: pytest.FixtureRequest, test_keys: SetupArtifacts) -> None:
    base, build = INSIDE[name]
    calculate_witness(test_keys.circuit, build(request.getfixturevalue(base)))


def test_honest_inputs_are_accepted(book: Honest, short_call: Honest, strangle: Honest,
                                    test_keys: SetupArtifacts) -> None:
    for case in (book, short_call, strangle):
        calculate_witness(test_keys.circuit, case.inputs)


def test_published_rebuilds_the_honest_root(book: Honest) -> None:
    """:func:`published` with no change reproduces the engine's root: its hashes are the circuit's twins."""
    assert published(book.params, book.inputs)["params_root"] == book.params.params_root
    assert published(book.params, book.inputs, leaves={0: {}}, credit_bp=book.params.credit_bp) == book.inputs


# --------------------------------------------------------------------------- a valid proof, tampered


@pytest.fixture(scope="module")
def valid_proof(book: Honest, test_keys: SetupArtifacts, tmp_path_factory: pytest.TempPathFactory) -> ProofResult:
    return prove_account(test_keys, check_provable(book.params, book.account), salt=SALT,
                         workdir=tmp_path_factory.mktemp("proof"))


SIGNALS = ("params_root", "account_commitment", "margins")


def test_valid_proof_verifies(valid_proof: ProofResult, test_keys: SetupArtifacts) -> None:
    public = valid_proof.bundle.public_signals
    assert public == [str(v) for v in valid_proof.statement.public_signals()]
    assert tools.snarkjs_verify(test_keys.vkey, valid_proof.bundle.snarkjs_proof(), public) is True
    assert groth16.verify(test_keys.vkey.read_text(), valid_proof.bundle.snarkjs_proof(), public) is True


@pytest.mark.parametrize("index", range(3), ids=SIGNALS)
def test_public_signal_plus_one_is_rejected(index: int, valid_proof: ProofResult, test_keys: SetupArtifacts) -> None:
    public = list(valid_proof.bundle.public_signals)
    public[index] = str(int(public[index]) + 1)
    assert int(public[index]) < FIELD_ORDER
    assert tools.snarkjs_verify(test_keys.vkey, valid_proof.bundle.snarkjs_proof(), public) is False
    assert groth16.verify(test_keys.vkey.read_text(), valid_proof.bundle.snarkjs_proof(), public) is False


@pytest.mark.parametrize("index", range(3), ids=SIGNALS)
def test_public_signal_aliased_by_r_is_rejected(index: int, valid_proof: ProofResult,
                                                test_keys: SetupArtifacts) -> None:
    """signal + r is the same field element: accepting it would make one proof valid for two statements."""
    public = list(valid_proof.bundle.public_signals)
    public[index] = str(int(public[index]) + FIELD_ORDER)
    # snarkjs refuses it as "Public inputs are not valid."; the Python verifier calls it malformed
    assert tools.snarkjs_verify(test_keys.vkey, valid_proof.bundle.snarkjs_proof(), public) is False
    with pytest.raises(VerificationInputError, match=rf"publicSignals\[{index}\]"):
        groth16.verify(test_keys.vkey.read_text(), valid_proof.bundle.snarkjs_proof(), public)


def test_attack_table_covers_every_statement() -> None:
    """Each statement an attack expects exists in account.circom (a refactor must update this file)."""
    source = "\n".join(line.split("//")[0] for line in ACCOUNT_CIRCOM.read_text().splitlines())
    for name, (_, _, statement) in ATTACKS.items():
        assert statement in source, f"{name}: {statement!r} is no longer in {ACCOUNT_CIRCOM.name}"
