"""Soundness of the account circuit: change one thing a proof claims and no witness exists, or verification fails.

Each witness case starts from an honest input for an example account and changes exactly one claim.  Where
the change would otherwise trip an earlier check too, the rest of the statement is rebuilt honestly (the
commitment, ``params_root``, the margins) so that only the constraint under attack is violated.  Every case
then asserts *which* statement of ``circuits/account.circom`` stopped witness generation (read from the
witness calculator's stack), so a case cannot pass by failing for an unrelated reason.  Each bound has an
accepted twin one unit inside it (``test_one_unit_inside_the_bound_is_accepted``), which shows that the
construction is sound and only the unit step is rejected.

The witness calculator fills every ``<--`` hint honestly, so these cases show that the *statement* is
rejected; that no dishonest hint (a wrong maximum or quotient) satisfies a gadget is shown by
``tests/test_gadget_max.py`` and ``tests/test_gadget_divmod.py``.

The last tests alter the public signals of a valid Groth16 proof: ``snarkjs groth16 verify`` and the Python
verifier must both reject them.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import pytest
from conftest import EXAMPLES, ROOT

from zkmargin.constants import BALANCE_BITS, BP, FIELD_ORDER, MULT_BITS, QTY_BITS, to_field
from zkmargin.engine import reference
from zkmargin.engine.account import AccountInts, encode_account
from zkmargin.engine.commitments import ParamsTree, commit_account
from zkmargin.engine.io import load_portfolio
from zkmargin.engine.results import MarginResult
from zkmargin.engine.risk import RiskTable
from zkmargin.prover.prove import ProofResult, check_provable, prove_account
from zkmargin.prover.witness import circuit_input
from zkmargin.statement import commitments
from zkmargin.statement.commitments import MARGIN_PACK_BITS, collateral_hash, instrument_leaf
from zkmargin.statement.merkle4 import QuadMerkleTree
from zkmargin.toolchain import tools
from zkmargin.toolchain.keys import SetupArtifacts
from zkmargin.toolchain.witness import WitnessError, calculate_witness
from zkmargin.verifier import groth16
from zkmargin.verifier.groth16_errors import VerificationInputError

pytestmark = pytest.mark.slow

ACCOUNT_CIRCOM = ROOT / "circuits" / "account.circom"
SALT = 0x5A17_0F_2026_1124_C0FFEE
QTY_LIMIT = 1 << (QTY_BITS - 1)  # |qty| < 2^40: the signed 41-bit range is [-2^40, 2^40)
BIG_BALANCE = (1 << BALANCE_BITS) - 1  # enough BTC to cover a 2^40-lot short
BTC, USDC = "BTC", "USDC"

# The statements of circuits/account.circom that each attack must trip (matched as substrings).
COMMITMENT = "account_commitment === commitment.out"
MERKLE_ROOT = "path[p].root === instruments_root"
MERKLE_INDEX = "path[p].siblings <== siblings[p]"  # the path component runs (and range-checks its index) here
GROUP_SELECTOR = "sel[p].group <== group[p]"
MARGINS = "margins === im * (1 << MARGIN_PACK_BITS()) + mm"
SOLVENCY = "solvent.in[1] <== mm"
QTY_RANGE = "qtyBits[p].in <== qty[p] + (1 << (QTY_BITS() - 1))"
BALANCE_RANGE = "balanceRange[k].in <== balance[k]"
HAIRCUT_CAP = "haircutCap[k].in <== BP() - haircut_bp[k]"
IM_RANGE = "imRange.in <== im_bp"

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


def params_root(params: ParamsTree, *, instruments_root: int | None = None, haircut_bp: list[int] | None = None,
                im_bp: int | None = None) -> int:
    """``params_root`` with some committed values replaced (the twin of the circuit's paramsHash)."""
    table = params.table
    collateral = collateral_hash(params.asset_price, haircut_bp if haircut_bp is not None else params.haircut_bp)
    return commitments.params_root(params.instruments_root if instruments_root is None else instruments_root,
                                   collateral, table.im_multiplier_bp if im_bp is None else im_bp,
                                   table.mm_multiplier_bp, table.epoch)


@pytest.fixture(scope="module")
def book(example_params_tree: ParamsTree) -> Honest:
    """two_underlying_book: five positions over both groups, three collateral assets."""
    account = example_account(example_params_tree.table, "two_underlying_book")
    result = margin(example_params_tree.table, account)
    return Honest(example_params_tree, account, result, circuit_input(example_params_tree, account, SALT, result)[0])


@pytest.fixture(scope="module")
def short_call(example_params_tree: ParamsTree) -> Honest:
    """naked_short_call: solvent only thanks to its USDC balance, so the balance decides solvency."""
    account = example_account(example_params_tree.table, "naked_short_call")
    result = margin(example_params_tree.table, account)
    return Honest(example_params_tree, account, result, circuit_input(example_params_tree, account, SALT, result)[0])


# --------------------------------------------------------------------------- the attacks

BTC_PUT, ETH_CALL = "BTC-25DEC26-100000-P", "ETH-25DEC26-3600-C"


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
        return honest_inputs(b.params, with_balance(b.account, b.asset(BTC), balance))
    return attack


def haircut_at(haircut: int) -> Callable[[Honest], dict[str, Any]]:
    """The BTC haircut set to ``haircut`` in a venue-published params root."""
    def attack(b: Honest) -> dict[str, Any]:
        haircuts = list(b.params.haircut_bp)
        haircuts[b.asset(BTC)] = haircut
        inputs = honest_inputs(b.params, b.account, replace(b.table, haircut_bp=haircuts))
        inputs["haircut_bp"] = haircuts
        inputs["params_root"] = params_root(b.params, haircut_bp=haircuts)
        return inputs
    return attack


def im_bp_at(im_bp: int) -> Callable[[Honest], dict[str, Any]]:
    """The IM multiplier set to ``im_bp`` in a venue-published params root; IM recomputed with it."""
    def attack(b: Honest) -> dict[str, Any]:
        inputs = honest_inputs(b.params, b.account, replace(b.table, im_multiplier_bp=im_bp))
        inputs["im_bp"] = im_bp
        inputs["params_root"] = params_root(b.params, im_bp=im_bp)
        return inputs
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


def group_in_published_leaf(b: Honest) -> dict[str, Any]:
    """The venue publishes a leaf with group G; tree, paths and params_root rebuilt so the leaf is genuine."""
    slot = b.slot(ETH_CALL)
    leaf = b.account.leaf_index[slot]
    t = b.table
    leaves = list(b.params.leaves)
    leaves[leaf] = instrument_leaf(b.params.size.groups, int(t.mark[leaf]), int(t.charge[leaf]), int(t.delta[leaf]),
                                   int(t.vega[leaf]), b.params.risk[leaf].tolist())
    tree = QuadMerkleTree(leaves, b.params.size.levels)
    inputs = copy.deepcopy(b.inputs)
    inputs["group"][slot] = b.params.size.groups
    inputs["siblings"] = [tree.path(i) for i in inputs["leaf_index"]]
    inputs["instruments_root"] = tree.root
    inputs["params_root"] = params_root(b.params, instruments_root=tree.root)
    return inputs


MM_UNIT, IM_UNIT = 1, 1 << MARGIN_PACK_BITS

#: name -> (the account it starts from, the attack, the statement of account.circom that must stop it).
ATTACKS: dict[str, tuple[str, Callable[[Honest], dict[str, Any]], str]] = {
    "commitment binds qty: one lot more": ("book", qty_against_commitment, COMMITMENT),
    "commitment binds balance: one unit more": ("book", balance_against_commitment, COMMITMENT),
    "root binds risk arrays: worst-scenario entry +1": ("book", risk_entry_against_root, MERKLE_ROOT),
    "root binds the path: level-0 sibling +1": ("book", merkle_sibling(0), MERKLE_ROOT),
    "root binds the path: top-level sibling +1": ("book", merkle_sibling(-1), MERKLE_ROOT),
    "root binds leaf_index: another instrument's row": ("book", leaf_index_of_another_instrument, MERKLE_ROOT),
    "leaf_index range: aliased by +4^levels": ("book", leaf_index_aliased, MERKLE_INDEX),
    "solvency: equity = MM - 1": ("short_call", insolvent_by_one, SOLVENCY),
    "qty range: 2^40": ("book", qty_at(QTY_LIMIT), QTY_RANGE),
    "qty range: -2^40 - 1": ("book", qty_at(-QTY_LIMIT - 1), QTY_RANGE),
    "balance range: 2^64": ("book", balance_at(1 << BALANCE_BITS), BALANCE_RANGE),
    "haircut range: 10001 bp": ("book", haircut_at(BP + 1), HAIRCUT_CAP),
    "im_bp range: 2^20": ("book", im_bp_at(1 << MULT_BITS), IM_RANGE),
    "margins: MM - 1": ("book", margins_shifted(-MM_UNIT), MARGINS),
    "margins: MM + 1": ("book", margins_shifted(+MM_UNIT), MARGINS),
    "margins: IM - 1": ("book", margins_shifted(-IM_UNIT), MARGINS),
    "margins: IM + 1": ("book", margins_shifted(+IM_UNIT), MARGINS),
    "group < G: bound by the leaf hash": ("book", group_against_leaf, MERKLE_ROOT),
    "group < G: checked even in a published leaf": ("book", group_in_published_leaf, GROUP_SELECTOR),
}

#: The accepted twin of each bound: one unit inside it.
INSIDE: dict[str, tuple[str, Callable[[Honest], dict[str, Any]]]] = {
    "solvency: equity = MM": ("short_call", lambda b: honest_inputs(b.params, usdc_for_equity(
        b, b.result.maintenance_margin))),
    "qty range: 2^40 - 1": ("book", qty_at(QTY_LIMIT - 1)),
    "qty range: -2^40": ("book", qty_at(-QTY_LIMIT)),
    "balance range: 2^64 - 1": ("book", balance_at((1 << BALANCE_BITS) - 1)),
    "haircut range: 10000 bp": ("book", haircut_at(BP)),
    "im_bp range: 2^20 - 1": ("book", im_bp_at((1 << MULT_BITS) - 1)),
}


@pytest.mark.parametrize("name", list(ATTACKS))
def test_tampered_claim_has_no_witness(name: str, request: pytest.FixtureRequest, test_keys: SetupArtifacts) -> None:
    base, attack, statement = ATTACKS[name]
    honest: Honest = request.getfixturevalue(base)
    inputs = attack(honest)
    with pytest.raises(WitnessError) as caught:
        calculate_witness(test_keys.circuit, inputs)
    assert caught.value.assert_failed, caught.value.tool_message  # a failed constraint, not a malformed input
    assert statement in failing_statement(caught.value), caught.value.tool_message


@pytest.mark.parametrize("name", list(INSIDE))
def test_one_unit_inside_the_bound_is_accepted(name: str, request: pytest.FixtureRequest,
                                               test_keys: SetupArtifacts) -> None:
    base, build = INSIDE[name]
    calculate_witness(test_keys.circuit, build(request.getfixturevalue(base)))


def test_honest_inputs_are_accepted(book: Honest, short_call: Honest, test_keys: SetupArtifacts) -> None:
    for honest in (book, short_call):
        calculate_witness(test_keys.circuit, honest.inputs)


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
