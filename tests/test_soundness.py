"""Soundness of the account circuit: change one thing a proof claims and no witness exists, or verification fails.

Each witness case starts from an honest input for an example account (the example market under the v2 scenarios,
with size tiers and an inter-underlying credit) and changes exactly one claim.  Where the change would otherwise
trip an earlier check too, the rest of the statement is rebuilt honestly (the account commitment, the margin
commitment, and, for a value the venue publishes, the leaves, the tree, the table hash and ``params_root``:
:func:`published`) so that only the constraint under attack is violated.  Every case then asserts *which* statement of
``circuits/account.circom`` stopped witness generation (read from the witness calculator's stack), so a case
cannot pass by failing for an unrelated reason.  Each bound has an accepted twin at the edge of the number
contract (``test_edge_of_the_bound_is_accepted``), which shows that the construction is sound and only the step
past the edge is rejected.

The published-value cases are the reason every value read from ``params_root`` is range-checked: a venue (or
whoever publishes the root) could otherwise pick values that wrap the field arithmetic.  The worked example is
the 251-bit mark of :func:`tests.forge_helpers.wrapping_mark`: 8 lots of it are worth 2^100 micro-units modulo r,
which makes an insolvent account pass a solvency check that trusts the marks.

The hiding statement has its own cases: the margin commitment binds IM, MM and the salt; the public
``disclosure = mode * 2^248 + value`` has one mode in {0..3} and one value below 2^248 (so no field element reads
as two claims), NOTHING carries no value, MARGINS exactly IM * 2^128 + MM, and a threshold X below 2^128 holds
(MM <= X, equity - IM >= X), each accepted exactly at its boundary.

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
from zkmargin.engine.commitments import ParamsTree, account_slots, build_params_tree, commit_account
from zkmargin.engine.io import load_portfolio
from zkmargin.engine.results import MarginResult
from zkmargin.engine.risk import KIND_CALL, KIND_PUT, RiskTable
from zkmargin.prover.prove import ProofResult, check_provable, prove_account
from zkmargin.prover.witness import circuit_input
from zkmargin.statement import commitments
from zkmargin.statement.commitments import (
    MARGIN_PACK_BITS,
    asset_leaf,
    group_leaf,
    instrument_leaf,
    table_hash,
)
from zkmargin.statement.merkle4 import QuadMerkleTree
from zkmargin.statement.signals import DISCLOSURE_SHIFT, PUBLIC_SIGNAL_NAMES, THRESHOLD_BITS, Disclosure
from zkmargin.statement.sizes import ASSET_DEPTH, GROUP_BITS, GROUP_DEPTH, INSTRUMENT_DEPTH, NO_GROUP, SIZES
from zkmargin.toolchain import tools
from zkmargin.toolchain.keys import SetupArtifacts
from zkmargin.toolchain.witness import WitnessError, calculate_witness
from zkmargin.verifier import groth16
from zkmargin.verifier.groth16_errors import VerificationInputError

pytestmark = pytest.mark.slow

SIZE = SIZES["test"]

ACCOUNT_CIRCOM = ROOT / "circuits" / "account.circom"
BOOK_CIRCOM = ROOT / "circuits" / "book.circom"
SALT = 0x5A17_0F_2026_1124_C0FFEE
QTY_LIMIT = 1 << (QTY_BITS - 1)  # |qty| < 2^40: the signed 41-bit range is [-2^40, 2^40)
RISK_LIMIT = 1 << (RISK_BITS - 1)  # risk, mark, delta: [-2^40, 2^40)
ASSET_RISK_LIMIT = 1 << (ASSET_RISK_BITS - 1)  # [-2^55, 2^55)
BIG_BALANCE = (1 << BALANCE_BITS) - 1  # enough BTC to cover a 2^40-lot short
BTC, USDC, USDT = "BTC", "USDC", "USDT"

# The statements that each attack must trip (matched as substrings of the failing frames: the statement of
# AccountMargin, then of each template below it, " / "-joined by failing_statement).
COMMITMENT = "account_commitment === core.account_commitment"
PARAMS_ROOT = "params_root === core.params_root"
MERKLE_ROOT = "path[p].root === instruments_root"
MERKLE_INDEX = "path[p].siblings <== siblings[p]"  # the path component runs (and range-checks its index) here
GROUP_ROOT = "groupRootGap[g] * group_used[g] === 0"
ASSET_ROOT = "assetRootGap[k] * asset_used[k] === 0"
ASSET_INDEX = "assetPath[k].siblings <== asset_siblings[k]"
GROUP_ORDER = "groupOrder[g].in <== groupGap[g]"
GROUP_PREFIX = "group_used[g] * (1 - group_used[g - 1]) === 0"
UNUSED_GROUP_RATE = "tier_rate[g][t] * (1 - group_used[g]) === 0"
ASSET_ORDER = "assetOrder[k].in <== assetGap[k]"
UNUSED_ASSET_BALANCE = "balance[k] * (1 - asset_used[k]) === 0"
ASSET_SLOT = "assetSel[k].out === asset_group[k] - assetNoGroup[k]"
ASSET_UNDERLYING = "assetNotUnderlying[k] * balance[k] === 0"
POSITION_SLOT = "sel[p].out === group[p] - noSlotGroup[p]"
POSITION_NO_SLOT = "qty[p] * sel[p].sel[G] === 0"
GROUP_RANGE = "groupRange[p].in <== group[p]"
KIND_SELECTOR = "kindSel[p].code <== kind[p]"
MARGIN_COMMITMENT = "margin_commitment === marginHash.out"
DISCLOSURE_MODE = "mode.code <== disclosure_mode"
DISCLOSURE_VALUE_RANGE = "valueRange.in <== disclosure_value"
DISCLOSED_NOTHING = "mode.sel[DISCLOSE_NOTHING()] * disclosure_value === 0"
DISCLOSED_MARGINS = "mode.sel[DISCLOSE_MARGINS()] * (disclosure_value - margins) === 0"
DISCLOSED_THRESHOLD_RANGE = "thresholdRange.in <== threshold"
DISCLOSED_MM_AT_MOST = "mmAtMost.in <== mmRoom"
DISCLOSED_FREE_AT_LEAST = "freeAtLeast.in <== freeRoom"
SOLVENCY = "solvent.in[1] <== mm"
QTY_RANGE = "qtyBits[p].in <== qty[p] + (1 << (QTY_BITS() - 1))"
BALANCE_RANGE = "balanceRange[k].in <== balance[k]"
IM_RANGE = "imRange.in <== im_bp"
CREDIT_RANGE = "creditRange.in <== credit_bp"
REQUIREMENT_RANGE = "requirementRange.in <== requirement"
# the packed leaf values: InstrumentLeaf runs its PackSigned (range check of every value) once the row is in
PACKED = "b[i].in <== in[i] + (1 << (bits - 1))"
LEAF_ROW_RANGE = f"leaf[p].risk <== risk[p] / pack.in[3 + s] <== risk[s] / {PACKED}"
CHARGE_SIGN = "pack.nonneg[1] === 1"
ASSET_LEAF = "assetLeaf[k].asset_risk <== asset_risk[k]"
PRICE_RANGE = f"{ASSET_LEAF} / priceRange.in <== price"
HAIRCUT_CAP = f"{ASSET_LEAF} / haircutCap.in <== BP() - haircut_bp"
ASSET_GROUP_RANGE = f"{ASSET_LEAF} / groupRange.in <== group"
ASSET_RISK_RANGE = f"{ASSET_LEAF} / pack.in <== asset_risk / {PACKED}"
THRESHOLD_RANGE = "groupLeaf[g].tier_rate <== tier_rate[g] / thresholdRange[t].in <== tier_threshold[t]"
RATE_RANGE = "groupLeaf[g].tier_rate <== tier_rate[g] / rateRange[t].in <== tier_rate[t]"

#: Templates whose frames failing_statement reads, and the file each is in (the book's too, for
#: tests/test_book_circuit.py).
TEMPLATE_FILES = {**{name: ACCOUNT_CIRCOM for name in ("AccountMargin", "AccountCore", "GroupSlots", "GroupKeys",
                                                       "PositionRows", "AccountFigures", "MarginClaim",
                                                       "ParamsRoot", "TableHash", "InstrumentLeaf", "GroupLeaf",
                                                       "AssetLeaf", "SlotKey")},
                  **{name: BOOK_CIRCOM for name in ("AccountChunk", "BookCore", "BookMargin", "ChunkLink",
                                                    "PositionsHash")},
                  "PackSigned": ROOT / "circuits" / "lib" / "pack.circom"}
_FRAME = re.compile(r"Error in template (\w+?)_\d+ line: (\d+)")


def failing_statement(error: WitnessError) -> str:
    """The statements at which witness generation stopped: the main template's (AccountMargin, AccountChunk or
    BookMargin) first, then each template of :data:`TEMPLATE_FILES` below it, comments stripped and joined by
    `` / ``."""
    frames = []
    for template, line in _FRAME.findall(error.tool_message):
        if template in TEMPLATE_FILES:
            lines = TEMPLATE_FILES[template].read_text().splitlines()
            frames.append(lines[int(line) - 1].split("//")[0].strip().removesuffix(";"))
    if not frames:
        raise AssertionError(f"no frame of a zkmargin template in the witness calculator's message "
                             f"{error.tool_message!r}")
    return " / ".join(reversed(frames))


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
        """The market index (collateral id) of asset ``name``."""
        return self.table.assets.index(name)

    def asset_slot(self, name: str) -> int:
        """The collateral slot holding asset ``name``."""
        return account_slots(self.params, self.account, SIZE).asset_id.index(self.asset(name))

    def group_slot(self, underlying: str) -> int:
        """The group slot holding ``underlying``."""
        lay = account_slots(self.params, self.account, SIZE)
        return lay.group_id.index(self.table.groups.index(underlying))


def example_account(table: RiskTable, name: str) -> AccountInts:
    return encode_account(load_portfolio(EXAMPLES / "portfolios" / f"{name}.json"), table)


def margin(table: RiskTable, account: AccountInts) -> MarginResult:
    """The pure-int reference margin (it takes any integers, in or out of the number contract)."""
    return reference.margin_account(table, account.leaf_index, account.qty, account.balances)


def honest_inputs(params: ParamsTree, account: AccountInts, table: RiskTable | None = None) -> dict[str, Any]:
    """The honest circuit input of ``account``, margins by the reference under ``table`` (default the params')."""
    result = margin(table or params.table, account)
    assert result.solvent, "the construction must keep the account solvent so only the attacked check fails"
    return circuit_input(params, account, SALT, result, SIZE)[0]


def with_qty(account: AccountInts, slot: int, qty: int) -> AccountInts:
    return replace(account, qty=tuple(qty if p == slot else q for p, q in enumerate(account.qty)))


def with_balance(account: AccountInts, asset: int, balance: int) -> AccountInts:
    return replace(account, balances=tuple(balance if k == asset else b for k, b in enumerate(account.balances)))


def encoded(value: Any) -> Any:
    """A circuit input value (an int or nested lists of ints) in the field encoding."""
    return [encoded(v) for v in value] if isinstance(value, list) else to_field(int(value))


def published(params: ParamsTree, inputs: Mapping[str, Any], *, leaves: Mapping[int, Mapping[str, Any]] | None = None,
              groups: Mapping[int, Mapping[str, Any]] | None = None,
              assets: Mapping[int, Mapping[str, Any]] | None = None, credit_bp: int | None = None,
              im_bp: int | None = None) -> dict[str, Any]:
    """``inputs`` under a params root published with other values, in or out of the number contract: ``leaves``
    maps an instrument id to new leaf fields (``group``, ``kind``, ``mark``, ``charge``, ``delta``, ``vega``,
    ``risk``), ``groups`` a group id to new tiers (``tier_threshold``, ``tier_rate``), ``assets`` an asset id to
    new collateral fields (``price``, ``haircut_bp``, ``group``, ``asset_risk``).  The leaves (packed without the
    range check, as a malicious venue could), trees, paths, table hash and ``params_root`` are rebuilt (the twin
    of the circuit's hashes), so every hash and path check passes; the margins are left as they are."""
    out = copy.deepcopy(dict(inputs))
    leaf_hashes = list(params.leaves)
    for i, change in (leaves or {}).items():
        leaf_hashes[i] = instrument_leaf(**{**params.leaf_fields(i), **change}, checked=False)
        for p, index in enumerate(out["leaf_index"]):
            if index == i:
                for name, value in change.items():
                    out[name][p] = encoded(value)
    tree = QuadMerkleTree(leaf_hashes, INSTRUMENT_DEPTH // 2)
    out["siblings"] = [tree.path(i) for i in out["leaf_index"]]
    out["instruments_root"] = tree.root

    group_hashes = list(params.group_leaves)
    for g, change in (groups or {}).items():
        group_hashes[g] = group_leaf(**{**params.group_fields(g), **change})
        for slot, gid in enumerate(out["group_id"]):
            if gid == g and out["group_used"][slot]:
                for name, value in change.items():
                    out[name][slot] = encoded(value)
    group_tree = QuadMerkleTree(group_hashes, GROUP_DEPTH // 2)
    out["group_siblings"] = [group_tree.path(g) for g in out["group_id"]]
    out["groups_root"] = group_tree.root

    asset_hashes = list(params.asset_leaves)
    names = {"price": "asset_price", "haircut_bp": "haircut_bp", "group": "asset_group", "asset_risk": "asset_risk"}
    for k, change in (assets or {}).items():
        asset_hashes[k] = asset_leaf(**{**params.asset_fields(k), **change}, checked=False)
        for slot, aid in enumerate(out["asset_id"]):
            if aid == k:
                for name, value in change.items():
                    out[names[name]][slot] = encoded(value)
    asset_tree = QuadMerkleTree(asset_hashes, ASSET_DEPTH // 2)
    out["asset_siblings"] = [asset_tree.path(k) for k in out["asset_id"]]
    out["assets_root"] = asset_tree.root

    if credit_bp is not None:
        out["credit_bp"] = encoded(credit_bp)
    if im_bp is not None:
        out["im_bp"] = im_bp
    committed = table_hash(group_tree.root, asset_tree.root, credit_bp if credit_bp is not None else params.credit_bp)
    out["params_root"] = commitments.params_root(tree.root, committed, out["im_bp"], out["mm_bp"], out["epoch"])
    return out


@pytest.fixture(scope="module")
def v2_params() -> ParamsTree:
    """The v2 example table (tiers on both underlyings, 30% credit), committed."""
    return build_params_tree(example_v2_table())


def honest(params: ParamsTree, name: str) -> Honest:
    account = example_account(params.table, name)
    result = margin(params.table, account)
    return Honest(params, account, result, circuit_input(params, account, SALT, result, SIZE)[0])


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
    return Honest(v2_params, account, result, circuit_input(v2_params, account, SALT, result, SIZE)[0])


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


def slot_value_against_root(name: str, slot: Callable[[Honest], int], change: Callable[[Any], Any],
                            column: int | None = None) -> Callable[[Honest], dict[str, Any]]:
    """Input ``name`` of a group or collateral slot (entry ``column`` of it, if given) changed in the prover's
    input only (``change`` of the honest value); the published roots stay."""
    def attack(b: Honest) -> dict[str, Any]:
        inputs = copy.deepcopy(b.inputs)
        row = inputs[name]
        i = slot(b)
        if column is None:
            row[i] = encoded(change(row[i]))
        else:
            row[i][column] = encoded(change(row[i][column]))
        assert inputs[name] != b.inputs[name]
        return inputs
    return attack


def credit_claimed(credit_bp: int) -> Callable[[Honest], dict[str, Any]]:
    """The prover's credit changed; the published table hash stays."""
    def attack(b: Honest) -> dict[str, Any]:
        return {**copy.deepcopy(b.inputs), "credit_bp": credit_bp}
    return attack


def btc_asset(b: Honest) -> int:
    return b.asset_slot(BTC)


def btc_group(b: Honest) -> int:
    return b.group_slot(BTC)


def eth_group(b: Honest) -> int:
    return b.group_slot("ETH")


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
    inputs["account_commitment"] = commit_account(moved, SIZE, SALT)
    return inputs


def leaf_index_aliased(b: Honest) -> dict[str, Any]:
    """leaf_index + 4^levels: the same base-4 digits on the path, a different committed integer."""
    slot = b.slot(ETH_CALL)
    alias = b.account.leaf_index[slot] + (1 << INSTRUMENT_DEPTH)
    inputs = copy.deepcopy(b.inputs)
    inputs["leaf_index"][slot] = alias
    moved = replace(b.account, leaf_index=tuple(alias if p == slot else i for p, i in enumerate(b.account.leaf_index)))
    inputs["account_commitment"] = commit_account(moved, SIZE, SALT)
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
    return circuit_input(b.params, account, SALT, result, SIZE)[0]


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


def margin_commitment_to(*, im: int = 0, mm: int = 0, salt: int = 0) -> Callable[[Honest], dict[str, Any]]:
    """The margin commitment made to IM + ``im`` and MM + ``mm`` with the salt + ``salt``; the rest honest."""
    def attack(b: Honest) -> dict[str, Any]:
        inputs = copy.deepcopy(b.inputs)
        inputs["margin_commitment"] = commitments.margin_commitment(b.result.initial_margin + im,
                                                                    b.result.maintenance_margin + mm, SALT + salt)
        assert inputs["margin_commitment"] != b.inputs["margin_commitment"]
        return inputs
    return attack


def disclosing(b: Honest, disclosure: Disclosure, threshold: int | None = None) -> dict[str, Any]:
    """``b``'s honest input under ``disclosure`` (``threshold`` need not hold: the circuit decides)."""
    return circuit_input(b.params, b.account, SALT, b.result, SIZE, disclosure, threshold)[0]


def disclosure_decoded(mode: int, value: int, public: int | None = None) -> Callable[[Honest], dict[str, Any]]:
    """The private ``(disclosure_mode, disclosure_value)`` set to ``(mode, value)`` (any integers, reduced mod r),
    the public ``disclosure`` to ``public``, by default ``mode * 2^248 + value`` (so the split itself holds)."""
    def attack(b: Honest) -> dict[str, Any]:
        inputs = copy.deepcopy(b.inputs)
        inputs["disclosure_mode"] = mode % FIELD_ORDER
        inputs["disclosure_value"] = value % FIELD_ORDER
        whole = (mode << DISCLOSURE_SHIFT) + value if public is None else public
        inputs["disclosure"] = whole % FIELD_ORDER
        return inputs
    return attack


def margins_disclosed_shifted(delta: int) -> Callable[[Honest], dict[str, Any]]:
    """Disclosure MARGINS with the disclosed ``IM * 2^128 + MM`` moved by ``delta`` (the signal and its value)."""
    def attack(b: Honest) -> dict[str, Any]:
        inputs = disclosing(b, Disclosure.MARGINS)
        inputs["disclosure_value"] += delta
        inputs["disclosure"] += delta
        return inputs
    return attack


def mm_at_most(threshold: Callable[[Honest], int]) -> Callable[[Honest], dict[str, Any]]:
    """Disclosure MM_AT_MOST X with X = ``threshold(b)``."""
    def build(b: Honest) -> dict[str, Any]:
        return disclosing(b, Disclosure.MM_AT_MOST, threshold(b))
    return build


def free_at_least(threshold: Callable[[Honest], int]) -> Callable[[Honest], dict[str, Any]]:
    """Disclosure FREE_COLLATERAL_AT_LEAST X with X = ``threshold(b)``."""
    def build(b: Honest) -> dict[str, Any]:
        return disclosing(b, Disclosure.FREE_COLLATERAL_AT_LEAST, threshold(b))
    return build


def free_collateral(b: Honest) -> int:
    """Equity - IM of ``b`` (micro-units)."""
    return b.result.equity - b.result.initial_margin


def free_claim_aliased_as_mm_bound(b: Honest) -> dict[str, Any]:
    """The public disclosure claims FREE_COLLATERAL_AT_LEAST X with X one unit more than the account has, and the
    prover splits it as mode MM_AT_MOST with value 2^248 + X (the same field element): MM <= 2^248 + X holds, so
    only the value's 248-bit range check keeps one public signal to one meaning."""
    x = free_collateral(b) + 1
    public = (int(Disclosure.FREE_COLLATERAL_AT_LEAST) << DISCLOSURE_SHIFT) + x
    return disclosure_decoded(int(Disclosure.MM_AT_MOST), (1 << DISCLOSURE_SHIFT) + x, public)(b)


def group_against_leaf(b: Honest) -> dict[str, Any]:
    """The ETH call claimed in BTC's group (its loss would offset the BTC positions); the leaf hash has ETH."""
    inputs = copy.deepcopy(b.inputs)
    slot = b.slot(ETH_CALL)
    inputs["group"][slot] = b.table.groups.index(BTC)
    inputs["position_slot"][slot] = b.group_slot(BTC)
    return inputs


def position_in_another_slot(b: Honest) -> dict[str, Any]:
    """The ETH call counted in the BTC group slot while its leaf says ETH."""
    inputs = copy.deepcopy(b.inputs)
    inputs["position_slot"][b.slot(ETH_CALL)] = b.group_slot(BTC)
    return inputs


def position_in_no_slot(b: Honest) -> dict[str, Any]:
    """The ETH call given code G (no group slot): its loss would count nowhere."""
    inputs = copy.deepcopy(b.inputs)
    inputs["position_slot"][b.slot(ETH_CALL)] = SIZE.groups
    return inputs


def group_twice(b: Honest) -> dict[str, Any]:
    """A BTC-only account with BTC in both group slots: its positions could be split and their size tiers and
    scan risks taken apart."""
    inputs = copy.deepcopy(b.inputs)
    assert inputs["group_used"] == [1, 0]
    inputs["group_used"][1] = 1
    for name in ("group_id", "tier_threshold", "tier_rate", "group_siblings"):
        inputs[name][1] = copy.deepcopy(inputs[name][0])
    return inputs


def used_after_unused(b: Honest) -> dict[str, Any]:
    """The BTC group moved to the second slot, behind an unused one."""
    inputs = copy.deepcopy(b.inputs)
    for name in ("group_used", "group_id", "tier_threshold", "tier_rate", "group_siblings"):
        inputs[name] = inputs[name][::-1]
    inputs["position_slot"] = [1 if code == 0 else code for code in inputs["position_slot"]]
    inputs["asset_slot"] = [1 if code == 0 else code for code in inputs["asset_slot"]]
    return inputs


def unused_group_rate(b: Honest) -> dict[str, Any]:
    """An unused group slot with a size-tier rate (nothing opens it, so it could carry anything)."""
    inputs = copy.deepcopy(b.inputs)
    inputs["tier_rate"][1][0] = 1
    return inputs


def asset_twice(b: Honest) -> dict[str, Any]:
    """USDC in the unused collateral slot too: its balance would count twice."""
    inputs = copy.deepcopy(b.inputs)
    src = b.asset_slot(USDC)
    dst = inputs["asset_used"].index(0)
    for name in ("asset_id", "asset_used", "asset_price", "haircut_bp", "asset_group", "asset_risk", "asset_slot",
                 "asset_siblings", "balance"):
        inputs[name][dst] = copy.deepcopy(inputs[name][src])
    return inputs


def balance_in_unused_slot(b: Honest) -> dict[str, Any]:
    """A balance in an unused collateral slot (its leaf is not opened)."""
    inputs = copy.deepcopy(b.inputs)
    inputs["balance"][inputs["asset_used"].index(0)] = 1
    return inputs


def asset_in_no_group(b: Honest) -> dict[str, Any]:
    """The posted BTC counted in no group: its fall in the down scenarios would count nowhere."""
    inputs = copy.deepcopy(b.inputs)
    inputs["asset_slot"][b.asset_slot(BTC)] = SIZE.groups
    return inputs


def asset_in_another_slot(b: Honest) -> dict[str, Any]:
    """The posted BTC counted in the ETH group slot."""
    inputs = copy.deepcopy(b.inputs)
    inputs["asset_slot"][b.asset_slot(BTC)] = b.group_slot("ETH")
    return inputs


def asset_id_of_another_asset(b: Honest) -> dict[str, Any]:
    """The USDC balance claimed as another asset's (with that asset's own valid leaf and path); the commitment
    names USDC."""
    inputs = copy.deepcopy(b.inputs)
    slot = b.asset_slot(USDC)
    other = next(k for k in range(len(b.table.assets)) if k not in b.inputs["asset_id"])
    fields = b.params.asset_fields(other)
    inputs["asset_id"][slot] = other
    inputs["asset_price"][slot] = fields["price"]
    inputs["haircut_bp"][slot] = fields["haircut_bp"]
    inputs["asset_group"][slot] = fields["group"]
    inputs["asset_risk"][slot] = encoded(fields["asset_risk"])
    inputs["asset_siblings"][slot] = b.params.asset_tree.path(other)
    inputs["asset_slot"][slot] = SIZE.groups
    return inputs


def asset_id_aliased(b: Honest) -> dict[str, Any]:
    """An asset id + 2^ASSET_DEPTH: the same path digits, a different committed integer."""
    inputs = copy.deepcopy(b.inputs)
    inputs["asset_id"][b.asset_slot(USDC)] += 1 << ASSET_DEPTH
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


def group_published(underlying: str, **change: Any) -> Callable[[Honest], dict[str, Any]]:
    """A group leaf published with ``change`` (tiers in or out of the number contract); root rebuilt."""
    def attack(b: Honest) -> dict[str, Any]:
        return published(b.params, b.inputs, groups={b.table.groups.index(underlying): change})
    return attack


def asset_published(asset: str, **change: Any) -> Callable[[Honest], dict[str, Any]]:
    """A collateral leaf published with ``change`` (in or out of the number contract); root rebuilt."""
    def attack(b: Honest) -> dict[str, Any]:
        return published(b.params, b.inputs, assets={b.asset(asset): change})
    return attack


def asset_risk_published(asset: str, scenario: int, value: int) -> Callable[[Honest], dict[str, Any]]:
    def attack(b: Honest) -> dict[str, Any]:
        row = [int(v) for v in b.params.asset_risk[b.asset(asset)]]
        row[scenario] = value
        return published(b.params, b.inputs, assets={b.asset(asset): {"asset_risk": row}})
    return attack


def credit_published(credit_bp: int) -> Callable[[Honest], dict[str, Any]]:
    def attack(b: Honest) -> dict[str, Any]:
        return published(b.params, b.inputs, credit_bp=credit_bp)
    return attack


def haircut_published(haircut: int) -> Callable[[Honest], dict[str, Any]]:
    """The BTC haircut set to ``haircut`` in a venue-published params root; margins follow it."""
    def attack(b: Honest) -> dict[str, Any]:
        haircuts = list(b.params.haircut_bp)
        haircuts[b.asset(BTC)] = haircut
        inputs = honest_inputs(b.params, b.account, replace(b.table, haircut_bp=haircuts))
        return published(b.params, inputs, assets={b.asset(BTC): {"haircut_bp": haircut}})
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
    inputs = circuit_input(b.params, broke, SALT, honest_result, SIZE)[0]
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
    inputs = circuit_input(b.params, huge, SALT, b.result, SIZE)[0]
    return published(b.params, inputs, leaves={leaf: {"delta": RISK_LIMIT - 1}},
                     groups={group: {"tier_threshold": [0, 0], "tier_rate": [(1 << PRICE_BITS) - 1, 0]}})


def cap_claimed_with_a_short(b: Honest) -> dict[str, Any]:
    """The strangle with one lot of its put sold: the account has a liability, yet its margin commitment is made to
    the MM and IM capped at the value of its options.  Account commitment honest."""
    account = with_qty(b.account, 1 if int(b.table.kind[b.account.leaf_index[1]]) == KIND_PUT else 0, -1)
    result = margin(b.table, account)
    assert not result.liability_free and result.solvent and result.maintenance_margin > result.option_value
    capped = replace(result, initial_margin=min(result.initial_margin, result.option_value),
                     maintenance_margin=min(result.maintenance_margin, result.option_value))
    return circuit_input(b.params, account, SALT, capped, SIZE)[0]


def cap_not_applied(b: Honest) -> dict[str, Any]:
    """The liability-free strangle commits to its uncapped MM and IM."""
    full_mm = -(-b.result.requirement * b.table.mm_multiplier_bp // BP)
    full_im = -(-b.result.requirement * b.table.im_multiplier_bp // BP)
    assert full_mm > b.result.maintenance_margin
    inputs = copy.deepcopy(b.inputs)
    inputs["margin_commitment"] = commitments.margin_commitment(full_im, full_mm, SALT)
    return inputs


MM_UNIT, IM_UNIT = 1, 1 << MARGIN_PACK_BITS
THRESHOLD_LIMIT, PRICE_LIMIT = 1 << TIER_BITS, 1 << PRICE_BITS  # tier rates are PRICE_BITS wide too
DISCLOSED_LIMIT = 1 << THRESHOLD_BITS  # a disclosed threshold X lies in [0, 2^128)

#: name -> (the account it starts from, the attack, the statement of account.circom that must stop it).
ATTACKS: dict[str, tuple[str, Callable[[Honest], dict[str, Any]], str]] = {
    "commitment binds qty: one lot more": ("book", qty_against_commitment, COMMITMENT),
    "commitment binds balance: one unit more": ("book", balance_against_commitment, COMMITMENT),
    "commitment binds asset ids: USDC claimed as another asset": ("book", asset_id_of_another_asset, COMMITMENT),
    "root binds risk arrays: worst-scenario entry +1": ("book", risk_entry_against_root, MERKLE_ROOT),
    "root binds kind: the short call claimed as a put": ("book", kind_against_root, MERKLE_ROOT),
    "root binds the path: level-0 sibling +1": ("book", merkle_sibling(0), MERKLE_ROOT),
    "root binds the path: top-level sibling +1": ("book", merkle_sibling(-1), MERKLE_ROOT),
    "root binds leaf_index: another instrument's row": ("book", leaf_index_of_another_instrument, MERKLE_ROOT),
    "leaf_index range: aliased by +4^levels": ("book", leaf_index_aliased, MERKLE_INDEX),
    "root binds the group: the ETH call claimed in BTC": ("book", group_against_leaf, MERKLE_ROOT),
    "asset root binds asset_group: BTC in no group": ("book", slot_value_against_root(
        "asset_group", btc_asset, lambda _: NO_GROUP), ASSET_ROOT),
    "asset root binds asset_risk: a BTC entry +1": ("book", slot_value_against_root(
        "asset_risk", btc_asset, lambda v: v + 1, 0), ASSET_ROOT),
    "asset root binds price: BTC + 1": ("book", slot_value_against_root("asset_price", btc_asset, lambda v: v + 1),
                                        ASSET_ROOT),
    "asset id range: aliased by +2^6": ("book", asset_id_aliased, ASSET_INDEX),
    "group root binds tiers: BTC threshold +1": ("book", slot_value_against_root(
        "tier_threshold", btc_group, lambda v: v + 1, 0), GROUP_ROOT),
    "group root binds tiers: ETH rate 0": ("book", slot_value_against_root("tier_rate", eth_group, lambda _: 0, 0),
                                           GROUP_ROOT),
    "table hash binds credit: 8000 bp": ("book", credit_claimed(MAX_CREDIT_BP), PARAMS_ROOT),
    "position slot: the ETH call in BTC's slot": ("book", position_in_another_slot, POSITION_SLOT),
    "position slot: the ETH call in no slot": ("book", position_in_no_slot, POSITION_NO_SLOT),
    "group slots: BTC twice": ("short_call", group_twice, GROUP_ORDER),
    "group slots: used after unused": ("short_call", used_after_unused, GROUP_PREFIX),
    "group slots: a tier rate in an unused slot": ("short_call", unused_group_rate, UNUSED_GROUP_RATE),
    "collateral slots: USDC twice": ("short_call", asset_twice, ASSET_ORDER),
    "collateral slots: a balance in an unused slot": ("short_call", balance_in_unused_slot, UNUSED_ASSET_BALANCE),
    "collateral slots: BTC in no group": ("book", asset_in_no_group, ASSET_UNDERLYING),
    "collateral slots: BTC in ETH's slot": ("book", asset_in_another_slot, ASSET_SLOT),
    "solvency: equity = MM - 1": ("short_call", insolvent_by_one, SOLVENCY),
    "solvency: a 251-bit mark that wraps the equity": ("short_call", wrapping_mark_forgery, LEAF_ROW_RANGE),
    "qty range: 2^40": ("book", qty_at(QTY_LIMIT), QTY_RANGE),
    "qty range: -2^40 - 1": ("book", qty_at(-QTY_LIMIT - 1), QTY_RANGE),
    "balance range: 2^64": ("book", balance_at(1 << BALANCE_BITS), BALANCE_RANGE),
    "published risk range: 2^40": ("book", risk_entry_published(BTC_PUT, 3, RISK_LIMIT), LEAF_ROW_RANGE),
    "published risk range: -2^40 - 1": ("book", risk_entry_published(BTC_PUT, 0, -RISK_LIMIT - 1), LEAF_ROW_RANGE),
    "published mark range: 2^40": ("book", leaf_value_published(BTC_PUT, mark=RISK_LIMIT), LEAF_ROW_RANGE),
    "published mark range: -2^40 - 1": ("book", leaf_value_published(ETH_CALL, mark=-RISK_LIMIT - 1),
                                        LEAF_ROW_RANGE),
    "published charge range: 2^40": ("book", leaf_value_published(ETH_CALL, charge=1 << CHARGE_BITS),
                                     LEAF_ROW_RANGE),
    "published charge range: -1": ("book", leaf_value_published(ETH_CALL, charge=-1), CHARGE_SIGN),
    "published delta range: 2^40": ("book", leaf_value_published(BTC_PUT, delta=RISK_LIMIT), LEAF_ROW_RANGE),
    "published delta range: -2^40 - 1": ("book", leaf_value_published(BTC_PUT, delta=-RISK_LIMIT - 1),
                                         LEAF_ROW_RANGE),
    "published kind in {0..3}: 4": ("book", leaf_value_published(ETH_CALL, kind=4), KIND_SELECTOR),
    "published kind in {0..3}: -1": ("book", leaf_value_published(ETH_CALL, kind=-1), KIND_SELECTOR),
    "published group range: 2^16": ("book", leaf_value_published(ETH_CALL, group=1 << GROUP_BITS), GROUP_RANGE),
    "published group: one the account has no slot for": ("book", leaf_value_published(ETH_CALL, group=2),
                                                         POSITION_SLOT),
    "published asset price range: 2^48": ("book", asset_published(BTC, price=PRICE_LIMIT), PRICE_RANGE),
    "published haircut range: 10001 bp": ("book", haircut_published(BP + 1), HAIRCUT_CAP),
    "published asset group range: 2^16": ("book", asset_published(USDC, group=1 << GROUP_BITS), ASSET_GROUP_RANGE),
    "published asset_risk range: 2^55": ("book", asset_risk_published(BTC, 5, ASSET_RISK_LIMIT), ASSET_RISK_RANGE),
    "published asset_risk range: -2^55 - 1": ("book", asset_risk_published(BTC, 0, -ASSET_RISK_LIMIT - 1),
                                              ASSET_RISK_RANGE),
    "published tier threshold range: 2^63": ("book", group_published(BTC, tier_threshold=[0, THRESHOLD_LIMIT]),
                                             THRESHOLD_RANGE),
    "published tier threshold range: -1": ("book", group_published("ETH", tier_threshold=[-1, 0]), THRESHOLD_RANGE),
    "published tier rate range: 2^48": ("book", group_published(BTC, tier_rate=[PRICE_LIMIT, 0]), RATE_RANGE),
    "published credit range: 8001 bp": ("book", credit_published(MAX_CREDIT_BP + 1), CREDIT_RANGE),
    "published credit range: -1": ("book", credit_published(-1), CREDIT_RANGE),
    "published im_bp range: 2^20": ("book", im_bp_at(1 << MULT_BITS), IM_RANGE),
    "requirement < 2^96: a tier charge past MONEY_BITS": ("book", requirement_beyond_money_bits, REQUIREMENT_RANGE),
    "margin commitment: IM + 1": ("book", margin_commitment_to(im=+1), MARGIN_COMMITMENT),
    "margin commitment: MM - 1": ("book", margin_commitment_to(mm=-1), MARGIN_COMMITMENT),
    "margin commitment: another salt": ("book", margin_commitment_to(salt=+1), MARGIN_COMMITMENT),
    "long-premium cap: claimed by an account with a short lot": ("strangle", cap_claimed_with_a_short,
                                                                 MARGIN_COMMITMENT),
    "long-premium cap: not applied to a liability-free account": ("strangle", cap_not_applied, MARGIN_COMMITMENT),
    "disclosure mode in {0..3}: 4": ("book", disclosure_decoded(4, 0), DISCLOSURE_MODE),
    "disclosure mode in {0..3}: r - 1": ("book", disclosure_decoded(-1, 0), DISCLOSURE_MODE),
    "disclosure NOTHING: value 1": ("book", disclosure_decoded(int(Disclosure.NOTHING), 1), DISCLOSED_NOTHING),
    "disclosure MARGINS: MM - 1": ("book", margins_disclosed_shifted(-MM_UNIT), DISCLOSED_MARGINS),
    "disclosure MARGINS: MM + 1": ("book", margins_disclosed_shifted(+MM_UNIT), DISCLOSED_MARGINS),
    "disclosure MARGINS: IM - 1": ("book", margins_disclosed_shifted(-IM_UNIT), DISCLOSED_MARGINS),
    "disclosure MARGINS: IM + 1": ("book", margins_disclosed_shifted(+IM_UNIT), DISCLOSED_MARGINS),
    "disclosure MM_AT_MOST: X = MM - 1": ("book", mm_at_most(lambda b: b.result.maintenance_margin - 1),
                                          DISCLOSED_MM_AT_MOST),
    "disclosure FREE_COLLATERAL_AT_LEAST: X = equity - IM + 1": ("book", free_at_least(
        lambda b: free_collateral(b) + 1), DISCLOSED_FREE_AT_LEAST),
    "disclosure MM_AT_MOST: X = 2^128": ("book", disclosure_decoded(int(Disclosure.MM_AT_MOST), DISCLOSED_LIMIT),
                                         DISCLOSED_THRESHOLD_RANGE),
    "disclosure FREE_COLLATERAL_AT_LEAST: X = 2^128": ("book", disclosure_decoded(
        int(Disclosure.FREE_COLLATERAL_AT_LEAST), DISCLOSED_LIMIT), DISCLOSED_THRESHOLD_RANGE),
    "disclosure value < 2^248: FREE_COLLATERAL_AT_LEAST X split as MM_AT_MOST 2^248 + X": (
        "book", free_claim_aliased_as_mm_bound, DISCLOSURE_VALUE_RANGE),
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
        return honest_inputs(build_params_tree(table), edge_account(b), table)
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
    "asset_group: no group": ("book", table_at_edge(asset_group=lambda t, b: [len(t.groups)] * len(t.assets))),
    "asset_risk range: -2^55": ("book", table_at_edge(asset_risk=entry("asset_risk", (0, 5), -ASSET_RISK_LIMIT))),
    "asset_risk range: 2^55 - 1": ("book", table_at_edge(asset_risk=entry("asset_risk", (1, 0),
                                                                          ASSET_RISK_LIMIT - 1))),
    "tier threshold range: 2^63 - 1": ("book", table_at_edge(tier_threshold=entry("tier_threshold", (0, 1),
                                                                                  THRESHOLD_LIMIT - 1))),
    "tier rate range: 2^48 - 1": ("book", table_at_edge(tier_rate=entry("tier_rate", (0, 0), PRICE_LIMIT - 1))),
    "credit range: 8000 bp": ("book", table_at_edge(intergroup_credit_bp=lambda t, b: MAX_CREDIT_BP)),
    "im_bp range: 2^20 - 1": ("book", im_bp_at((1 << MULT_BITS) - 1)),
    "disclosure MARGINS: the honest IM and MM": ("book", lambda b: disclosing(b, Disclosure.MARGINS)),
    "disclosure MM_AT_MOST: X = MM": ("book", mm_at_most(lambda b: b.result.maintenance_margin)),
    "disclosure MM_AT_MOST: X = 2^128 - 1": ("book", mm_at_most(lambda _: DISCLOSED_LIMIT - 1)),
    "disclosure FREE_COLLATERAL_AT_LEAST: X = equity - IM": ("book", free_at_least(free_collateral)),
    "disclosure FREE_COLLATERAL_AT_LEAST: X = 0": ("book", free_at_least(lambda _: 0)),
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
    assert published(book.params, book.inputs, leaves={0: {}}, groups={0: {}}, assets={0: {}},
                     credit_bp=book.params.credit_bp) == book.inputs


# --------------------------------------------------------------------------- a valid proof, tampered


@pytest.fixture(scope="module")
def valid_proof(book: Honest, test_keys: SetupArtifacts, tmp_path_factory: pytest.TempPathFactory) -> ProofResult:
    return prove_account(test_keys, check_provable(book.params, book.account, SIZE), salt=SALT,
                         workdir=tmp_path_factory.mktemp("proof"))


SIGNALS = PUBLIC_SIGNAL_NAMES


def test_valid_proof_verifies(valid_proof: ProofResult, test_keys: SetupArtifacts) -> None:
    public = valid_proof.bundle.public_signals
    assert public == [str(v) for v in valid_proof.statement.public_signals()]
    assert tools.snarkjs_verify(test_keys.vkey, valid_proof.bundle.snarkjs_proof(), public) is True
    assert groth16.verify(test_keys.vkey.read_text(), valid_proof.bundle.snarkjs_proof(), public) is True


@pytest.mark.parametrize("index", range(len(SIGNALS)), ids=SIGNALS)
def test_public_signal_plus_one_is_rejected(index: int, valid_proof: ProofResult, test_keys: SetupArtifacts) -> None:
    public = list(valid_proof.bundle.public_signals)
    public[index] = str(int(public[index]) + 1)
    assert int(public[index]) < FIELD_ORDER
    assert tools.snarkjs_verify(test_keys.vkey, valid_proof.bundle.snarkjs_proof(), public) is False
    assert groth16.verify(test_keys.vkey.read_text(), valid_proof.bundle.snarkjs_proof(), public) is False


@pytest.mark.parametrize("index", range(len(SIGNALS)), ids=SIGNALS)
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
    """Each statement an attack expects exists in account.circom or pack.circom (a refactor must update this
    file)."""
    source = "\n".join(line.split("//")[0] for path in set(TEMPLATE_FILES.values())
                       for line in path.read_text().splitlines())
    for name, (_, _, statement) in ATTACKS.items():
        for part in statement.split(" / "):
            assert part in source, f"{name}: {part!r} is no longer in the circuit sources"
