"""A book proven in chunks on the `test` book size (C = 4 positions per chunk, M = 3 chunks, G = 2, K = 3).

* A book of ten positions of the market maker's book (perpetual, calls and puts on BTC and ETH) over three chunks:
  every chunk's witness exists with its link as public signal, and the combine's margin, collateral, equity and
  per-group values equal the pure-int reference of the whole account, bit for bit; its public signals are the
  account statement's four and the three links.  A book of six positions leaves its third chunk unused.
* Seeded property tests: the sums of a book's chunks are the sums of all its rows in one chunk (Python, many
  books), and the chunk and combine witnesses of random books equal the reference margin of the whole account
  (few books: each takes four witnesses); an insolvent book has no witness.
* Soundness negatives, as in tests/test_soundness.py: one thing changed, and witness generation stops at the
  named statement of circuits/book.circom or circuits/account.circom: a tampered link (in the book and in the
  chunk), chunks swapped, one chunk used twice, a chunk's sums or positions hash changed, a chunk proven with
  other group slots, an unused chunk with a link, a sum or positions, a used chunk after an unused one, a
  position outside the params (a forged risk entry, another venue's instrument tree), a book commitment to
  other positions, and an insolvent book.
* The market maker's book (244 positions) fits the `large` book size.

Only witnesses are computed (no keys): the chunk and combine circuits of the `test` size compile in about a
minute each and are cached by content hash.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import pytest
from conftest import EXAMPLES
from engine_helpers import example_v2_table
from hypothesis import HealthCheck, event, given, seed, settings
from hypothesis import strategies as st
from test_soundness import failing_statement

from zkmargin.constants import FIELD_ORDER, QTY_BITS, to_field
from zkmargin.engine import reference
from zkmargin.engine.account import AccountInts, encode_account
from zkmargin.engine.commitments import ParamsTree, account_slots, build_params_tree, chunk_positions_hashes
from zkmargin.engine.io import load_portfolio
from zkmargin.engine.margin import margin_account
from zkmargin.engine.results import MarginResult
from zkmargin.prover.book import (
    BookInputs,
    book_inputs,
    book_main_file,
    chunk_aggregates,
    chunk_main_file,
    chunk_rows,
)
from zkmargin.prover.prove import ACCOUNT_FIGURES, KEY_FIGURES, read_figures
from zkmargin.statement import commitments
from zkmargin.statement.commitments import ChunkAggregates, group_keys
from zkmargin.statement.signals import Disclosure
from zkmargin.statement.sizes import BOOK_SIZES
from zkmargin.toolchain.compile import CompiledCircuit, compile_circuit
from zkmargin.toolchain.witness import WitnessError, calculate_witness, read_signals

pytestmark = pytest.mark.slow

SIZE = BOOK_SIZES["mini"]
SALT = 0xB00C_2026_C4A7_5EED
QTY_LIMIT = 1 << (QTY_BITS - 1)
COMPILE_TIMEOUT_S = 1800.0

# The statements each attack must trip (substrings of failing_statement's frames).
BOOK_LINK = "chunk_link[i] === chunk_used[i] * link[i].out"
CHUNK_LINK = "chunk_link === link.out"
CHUNK_PREFIX = "chunk_used[i] * (1 - chunk_used[i - 1]) === 0"
UNUSED_PNL = "chunk_pnl[i][g][s] * (1 - chunk_used[i]) === 0"
UNUSED_POSITION_VALUE = "chunk_position_value[i] * (1 - chunk_used[i]) === 0"
UNUSED_POSITIONS = "positions_hash[i] * (1 - chunk_used[i]) === 0"
COMMITMENT = "account_commitment === core.account_commitment"
PARAMS_ROOT = "params_root === paramsHash.out"
MERKLE_ROOT = "path[p].root === instruments_root"
SOLVENCY = "solvent.in[1] <== mm"


@pytest.fixture(scope="module")
def circuits() -> tuple[CompiledCircuit, CompiledCircuit]:
    """The `test` size's chunk and combine circuits."""
    return (compile_circuit(chunk_main_file(SIZE), timeout=COMPILE_TIMEOUT_S),
            compile_circuit(book_main_file(SIZE), timeout=COMPILE_TIMEOUT_S))


@pytest.fixture(scope="module")
def v2_params() -> ParamsTree:
    return build_params_tree(example_v2_table())


def reference_margin(params: ParamsTree, account: AccountInts) -> MarginResult:
    return reference.margin_account(params.table, account.leaf_index, account.qty, account.balances)


def market_maker_book(params: ParamsTree) -> AccountInts:
    return encode_account(load_portfolio(EXAMPLES / "portfolios" / "market_maker_book.json"), params.table)


def excerpt(params: ParamsTree, step: int) -> AccountInts:
    """Every ``step``-th position of the market maker's book, with its BTC, ETH and USDC (no USDT: K = 3)."""
    book = market_maker_book(params)
    picked = range(0, len(book.qty), step)
    balances = tuple(b if params.table.assets[k] != "USDT" else 0 for k, b in enumerate(book.balances))
    return AccountInts(f"every {step}th", tuple(book.leaf_index[i] for i in picked),
                       tuple(book.qty[i] for i in picked), balances)


@dataclass(frozen=True)
class HonestBook:
    """An account, its reference margin and its honest book inputs."""

    params: ParamsTree
    account: AccountInts
    result: MarginResult
    inputs: BookInputs


def honest_book(params: ParamsTree, account: AccountInts, disclosure: Disclosure = Disclosure.NOTHING) -> HonestBook:
    result = reference_margin(params, account)
    return HonestBook(params, account, result, book_inputs(params, account, SALT, result, SIZE, disclosure))


@pytest.fixture(scope="module")
def ten(v2_params: ParamsTree) -> HonestBook:
    """Ten positions (every 25th of the market maker's book): all three chunks used, the last one half full."""
    book = honest_book(v2_params, excerpt(v2_params, 25))
    assert len(book.account.qty) == 10 and book.result.solvent
    return book


@pytest.fixture(scope="module")
def six(v2_params: ParamsTree) -> HonestBook:
    """Six positions (every 41st): two chunks used, the third unused."""
    book = honest_book(v2_params, excerpt(v2_params, 41))
    assert len(book.account.qty) == 6 and book.result.solvent
    return book


def book_witness(circuits: tuple[CompiledCircuit, CompiledCircuit], inputs: BookInputs) -> list[int]:
    """Every used chunk's witness (each must exist), then the combine's witness."""
    chunk, book = circuits
    for chunk_input in inputs.chunks:
        calculate_witness(chunk, chunk_input)
    return calculate_witness(book, inputs.book)


def assert_book_equals_reference(circuits: tuple[CompiledCircuit, CompiledCircuit], book: HonestBook) -> None:
    """The combine's public signals are the statement's and the chunk links; its kept margin values are the
    reference's for the whole account; each chunk's public signals are [params_root, its link]."""
    chunk_circuit, book_circuit = circuits
    statement, result = book.inputs.statement, book.result
    for i, chunk_input in enumerate(book.inputs.chunks):
        witness = calculate_witness(chunk_circuit, chunk_input)
        public = read_signals(chunk_circuit, witness, ["main.params_root", "main.chunk_link"])
        assert list(public.values()) == statement.chunk_public_signals(i)
    witness = calculate_witness(book_circuit, book.inputs.book)
    names = ["main.params_root", "main.account_commitment", "main.margin_commitment", "main.disclosure",
             *(f"main.chunk_link[{i}]" for i in range(SIZE.chunks))]
    assert list(read_signals(book_circuit, witness, names).values()) == statement.public_signals()
    groups = account_slots(book.params, book.account, SIZE.account).used_groups
    expected = {"mm": result.maintenance_margin, "im": result.initial_margin, "collateral": result.collateral_value,
                "equity": result.equity, "scanRisk": result.scan_risk, "separate": result.separate_scan,
                "joint": result.joint_scan, "requirement": result.requirement}
    for g, market_group in enumerate(groups):
        expected[f"som[{g}]"] = result.groups[market_group].short_option_minimum
        expected[f"concentration[{g}]"] = result.groups[market_group].concentration
        expected[f"scan[{g}]"] = result.groups[market_group].scan_risk
        expected[f"netDelta[{g}]"] = result.groups[market_group].net_delta
    found = read_figures(book_circuit, witness, expected, ACCOUNT_FIGURES)  # --O2 may fold some away
    assert found == {name: expected[name] % FIELD_ORDER for name in found}
    assert set(KEY_FIGURES) <= set(found)
    kept = len(found)
    assert kept >= 6  # mm, collateral, equity, scanRisk, som and concentration at least


# --------------------------------------------------------------------------- honest books


def test_ten_positions_in_three_chunks_equal_the_reference(ten: HonestBook,
                                                           circuits: tuple[CompiledCircuit, CompiledCircuit]) -> None:
    assert len(ten.inputs.chunks) == SIZE.chunks and all(ten.inputs.statement.chunk_links)
    assert margin_account(ten.params.table, ten.account) == ten.result
    assert_book_equals_reference(circuits, ten)


def test_an_unused_chunk_has_link_zero(six: HonestBook, circuits: tuple[CompiledCircuit, CompiledCircuit]) -> None:
    assert len(six.inputs.chunks) == 2 and six.inputs.statement.chunk_links[2] == 0
    assert six.inputs.book["positions_hash"][2] == 0
    assert_book_equals_reference(circuits, six)


def test_a_book_discloses_its_margins(ten: HonestBook, circuits: tuple[CompiledCircuit, CompiledCircuit]) -> None:
    book = honest_book(ten.params, ten.account, Disclosure.MARGINS)
    statement = book.inputs.statement.statement
    assert (statement.initial_margin, statement.maintenance_margin) == (ten.result.initial_margin,
                                                                        ten.result.maintenance_margin)
    assert_book_equals_reference(circuits, book)


def test_the_market_maker_book_fits_the_large_size(v2_params: ParamsTree) -> None:
    """244 positions (243 instruments once netted), two underlyings and four assets: 16 chunks of 16 (the last one
    with 3 positions); the chunks' sums add up to the sums of all rows."""
    size = BOOK_SIZES["large"]
    account = market_maker_book(v2_params)
    result = reference_margin(v2_params, account)
    book = book_inputs(v2_params, account, SALT, result, size)
    assert len(book.chunks) == size.chunks and all(book.statement.chunk_links)
    layout = account_slots(v2_params, account, size.account)
    whole = chunk_aggregates(v2_params, layout.leaf_index, layout.qty, layout.position_slot, size.groups)
    assert sum(book.aggregates, ChunkAggregates.zero(size.groups, size.scenarios)) == whole
    last = book.chunks[-1]
    assert sum(1 for q in last["qty"] if q) == len(account.qty) - 15 * size.chunk_positions == 3
    assert book.book["positions_hash"] == chunk_positions_hashes(account, size) and all(book.book["positions_hash"])


# --------------------------------------------------------------------------- property tests


@st.composite
def accounts(draw: st.DrawFn, params: ParamsTree, max_positions: int, *, huge: bool = True) -> AccountInts:
    """1..max_positions distinct instruments of the v2 market (any kind, both underlyings), long and short (with
    ``huge``, up to the 2^40 bound); balances in up to three of its four assets, up to 2^64."""
    table = params.table
    n = draw(st.integers(1, max_positions))
    leaves = sorted(draw(st.lists(st.integers(0, table.n_instruments - 1), min_size=n, max_size=n, unique=True)))
    magnitude = st.one_of(st.integers(1, 10_000), st.integers(1, QTY_LIMIT - 1 if huge else 10**6))
    qty = [draw(st.one_of(magnitude, magnitude.map(lambda q: -q))) for _ in leaves]
    posted = draw(st.lists(st.sampled_from(range(len(table.assets))), min_size=1 if not huge else 0,
                           max_size=SIZE.assets, unique=True))
    held = [draw(st.integers(1 << 56, (1 << 64) - 1) if not huge else st.integers(0, (1 << 64) - 1))
            if k in posted else 0 for k in range(len(table.assets))]
    return AccountInts("random", tuple(leaves), tuple(qty), tuple(held))


@seed(20261130)
@settings(max_examples=60, deadline=None, derandomize=True)
@given(data=st.data())
def test_chunk_sums_add_up_to_the_sums_of_all_rows(data: st.DataObject, v2_params: ParamsTree) -> None:
    """Chunking moves no row: the sums of the book's chunks are those of its M * C rows taken as one chunk."""
    account = data.draw(accounts(v2_params, SIZE.positions), label="account")
    book = book_inputs(v2_params, account, SALT, reference_margin(v2_params, account), SIZE)
    layout = account_slots(v2_params, account, SIZE.account)
    whole = chunk_aggregates(v2_params, layout.leaf_index, layout.qty, layout.position_slot, SIZE.groups)
    assert sum(book.aggregates, ChunkAggregates.zero(SIZE.groups, SIZE.scenarios)) == whole
    assert len(book.chunks) == -(-len(account.qty) // SIZE.chunk_positions)


@seed(20261201)
@settings(max_examples=6, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_chunked_circuits_equal_the_monolithic_reference(data: st.DataObject, v2_params: ParamsTree,
                                                         circuits: tuple[CompiledCircuit, CompiledCircuit]) -> None:
    """Everyday sizes and rich balances, so most books are solvent and fill one to three chunks."""
    account = data.draw(accounts(v2_params, SIZE.positions, huge=False), label="account")
    book = honest_book(v2_params, account)
    assert margin_account(v2_params.table, account) == book.result
    if not book.result.solvent:
        event("insolvent: no witness")
        with pytest.raises(WitnessError) as caught:
            book_witness(circuits, book.inputs)
        assert SOLVENCY in failing_statement(caught.value), caught.value.tool_message
        return
    event(f"{len(book.inputs.chunks)} chunks used")
    assert_book_equals_reference(circuits, book)


def test_an_insolvent_book_has_no_witness(ten: HonestBook, circuits: tuple[CompiledCircuit, CompiledCircuit]) -> None:
    broke = replace(ten.account, balances=tuple(0 for _ in ten.account.balances))
    book = honest_book(ten.params, broke)
    assert not book.result.solvent
    for chunk_input in book.inputs.chunks:
        calculate_witness(circuits[0], chunk_input)  # the chunks are fine: only the book is insolvent
    with pytest.raises(WitnessError) as caught:
        calculate_witness(circuits[1], book.inputs.book)
    assert caught.value.assert_failed and SOLVENCY in failing_statement(caught.value), caught.value.tool_message


# --------------------------------------------------------------------------- the attacks

@dataclass(frozen=True)
class Tampered:
    """An attack's input to the ``circuit`` ("chunk" or "book"); ``provable_chunk``, if given, is a chunk input the
    attack rests on that has a witness (so a chunk proof of it exists)."""

    circuit: str
    inputs: dict[str, Any]
    provable_chunk: dict[str, Any] | None = None


#: The per-chunk entries of the combine's input.
CHUNK_ENTRIES = ("chunk_link", "chunk_used", "chunk_short", "chunk_calls", "chunk_puts", "chunk_delta", "chunk_pnl",
                 "chunk_liabilities", "chunk_option_value", "chunk_position_value", "positions_hash")


def recommitted(b: HonestBook, inputs: dict[str, Any]) -> dict[str, Any]:
    """``inputs`` with the account commitment made honestly to its (changed) positions hashes."""
    asset_id, balance = inputs["asset_id"], inputs["balance"]
    inputs["account_commitment"] = commitments.book_commitment(inputs["positions_hash"], asset_id, balance, SALT)
    return inputs


def book_link_plus_one(b: HonestBook) -> Tampered:
    """The combine's public link of chunk 0 + 1: no chunk proof stands behind it."""
    inputs = copy.deepcopy(b.inputs.book)
    inputs["chunk_link"][0] = (inputs["chunk_link"][0] + 1) % FIELD_ORDER
    return Tampered("book", inputs)


def chunk_link_plus_one(b: HonestBook) -> Tampered:
    """A chunk proof claiming another link than its own."""
    inputs = copy.deepcopy(b.inputs.chunks[0])
    inputs["chunk_link"] = (inputs["chunk_link"] + 1) % FIELD_ORDER
    return Tampered("chunk", inputs)


def chunks_swapped(b: HonestBook) -> Tampered:
    """Chunks 0 and 1 trade places, links, sums, positions and all (commitment remade): each link names its
    chunk's index."""
    inputs = copy.deepcopy(b.inputs.book)
    for name in CHUNK_ENTRIES:
        inputs[name][0], inputs[name][1] = inputs[name][1], inputs[name][0]
    return Tampered("book", recommitted(b, inputs))


def chunk_used_twice(b: HonestBook) -> Tampered:
    """Chunk 0's proof presented as chunk 1 too (its link, sums and positions; commitment remade): its rows
    would count twice, or stand in for chunk 1's."""
    inputs = copy.deepcopy(b.inputs.book)
    for name in CHUNK_ENTRIES:
        inputs[name][1] = copy.deepcopy(inputs[name][0])
    return Tampered("book", recommitted(b, inputs))


def chunk_sum_changed(b: HonestBook) -> Tampered:
    """Chunk 0's P&L in scenario 0 of group slot 0 one micro-unit kinder in the combine: the link binds the sums."""
    inputs = copy.deepcopy(b.inputs.book)
    inputs["chunk_pnl"][0][0][0] = (inputs["chunk_pnl"][0][0][0] + 1) % FIELD_ORDER
    return Tampered("book", inputs)


def chunk_positions_changed(b: HonestBook) -> Tampered:
    """Chunk 0's positions hash in the combine replaced by that of one lot more (commitment made to it)."""
    inputs = copy.deepcopy(b.inputs.book)
    leaf_index, qty, _ = chunk_rows(account_slots(b.params, b.account, SIZE.account), SIZE, 0)
    inputs["positions_hash"][0] = commitments.positions_hash(leaf_index, [qty[0] + 1, *qty[1:]])
    return Tampered("book", recommitted(b, inputs))


def commitment_to_other_positions(b: HonestBook) -> Tampered:
    """Everything honest but the book commitment, made to chunk 0 with one more lot: the commitment binds the
    positions the chunks proved."""
    inputs = copy.deepcopy(b.inputs.book)
    leaf_index, qty, _ = chunk_rows(account_slots(b.params, b.account, SIZE.account), SIZE, 0)
    hashes = list(inputs["positions_hash"])
    hashes[0] = commitments.positions_hash(leaf_index, [qty[0] + 1, *qty[1:]])
    inputs["account_commitment"] = commitments.book_commitment(hashes, inputs["asset_id"], inputs["balance"], SALT)
    return Tampered("book", inputs)


def chunk_with_other_group_slots(b: HonestBook) -> Tampered:
    """The last chunk (ETH positions only) proven with ETH in group slot 0 and slot 1 unused: a valid chunk proof
    whose sums sit in the BTC slot of the book.  Its link and sums in the combine: the book's keys differ."""
    layout = account_slots(b.params, b.account, SIZE.account)
    last = len(b.inputs.chunks) - 1
    leaf_index, qty, slots = chunk_rows(layout, SIZE, last)
    eth = b.params.table.groups.index("ETH")
    assert layout.group_id[:2] == [0, eth] and all(s in (1, SIZE.groups) for s in slots)  # ETH rows or unused
    other_id, other_used = [eth, 0], [1, 0]
    other_slots = [0 if s == 1 else s for s in slots]
    sums = chunk_aggregates(b.params, leaf_index, qty, other_slots, SIZE.groups)
    link = commitments.chunk_link(last, group_keys(other_id, other_used), sums,
                                  b.inputs.book["positions_hash"][last], SALT)
    chunk = {**copy.deepcopy(b.inputs.chunks[last]), "group_id": other_id, "group_used": other_used,
             "position_slot": other_slots, "chunk_link": link}
    inputs = copy.deepcopy(b.inputs.book)
    inputs["chunk_link"][last] = link
    inputs["chunk_short"][last] = [to_field(v) for v in sums.short_lots]
    inputs["chunk_calls"][last] = [to_field(v) for v in sums.calls]
    inputs["chunk_puts"][last] = [to_field(v) for v in sums.puts]
    inputs["chunk_delta"][last] = [to_field(v) for v in sums.delta]
    inputs["chunk_pnl"][last] = [[to_field(v) for v in row] for row in sums.pnl]
    return Tampered("book", inputs, provable_chunk=chunk)


def unused_chunk_linked(b: HonestBook) -> Tampered:
    """The unused third chunk given the link its (empty) sums would have: an unused chunk has no proof, so its
    link must be 0."""
    inputs = copy.deepcopy(b.inputs.book)
    keys = group_keys(inputs["group_id"], inputs["group_used"])
    inputs["chunk_link"][2] = commitments.chunk_link(2, keys, ChunkAggregates.zero(SIZE.groups, SIZE.scenarios), 0,
                                                     SALT)
    return Tampered("book", inputs)


def unused_chunk_with(name: str, value: int, *index: int) -> Callable[[HonestBook], Tampered]:
    """The unused third chunk's entry ``name`` (at ``index`` within it) set to ``value``."""
    def attack(b: HonestBook) -> Tampered:
        inputs = copy.deepcopy(b.inputs.book)
        if index:
            entry = inputs[name][2]
            for i in index[:-1]:
                entry = entry[i]
            entry[index[-1]] = to_field(value)
        else:
            inputs[name][2] = to_field(value)
        return Tampered("book", inputs)
    return attack


def used_after_unused(b: HonestBook) -> Tampered:
    """Chunk 1 moved to the third place, behind an unused second chunk (its link remade at index 2)."""
    inputs = copy.deepcopy(b.inputs.book)
    for name in CHUNK_ENTRIES:
        inputs[name][2] = copy.deepcopy(inputs[name][1])
        inputs[name][1] = copy.deepcopy(b.inputs.book[name][2])
    sums = b.inputs.aggregates[1]
    keys = group_keys(inputs["group_id"], inputs["group_used"])
    inputs["chunk_link"][2] = commitments.chunk_link(2, keys, sums, inputs["positions_hash"][2], SALT)
    return Tampered("book", recommitted(b, inputs))


def chunk_risk_entry_forged(b: HonestBook) -> Tampered:
    """A chunk whose first position's scenario-0 risk entry is one micro-unit off the published one: the leaf no
    longer opens to the instrument tree."""
    inputs = copy.deepcopy(b.inputs.chunks[0])
    inputs["risk"][0][0] = (inputs["risk"][0][0] + 1) % FIELD_ORDER
    return Tampered("chunk", inputs)


def chunk_of_another_venue(b: HonestBook) -> Tampered:
    """Chunk 0 proven against another venue's instrument tree (one mark changed), its leaves and paths opening to
    that tree, with the book's params_root: the root binds the tree."""
    table = b.params.table
    marks = table.mark.copy()
    marks[b.account.leaf_index[0]] += 1
    other = build_params_tree(replace(table, mark=marks))
    result = reference_margin(other, b.account)
    chunk = copy.deepcopy(book_inputs(other, b.account, SALT, result, SIZE).chunks[0])
    assert chunk["instruments_root"] != b.params.instruments_root
    chunk["params_root"] = b.params.params_root
    return Tampered("chunk", chunk)


#: name -> (the book it starts from, the attack giving the circuit ("chunk" or "book") and its input, the
#: statement that must stop it).
ATTACKS: dict[str, tuple[str, Callable[[HonestBook], Tampered], str]] = {
    "book: a chunk link + 1": ("ten", book_link_plus_one, BOOK_LINK),
    "chunk: its link + 1": ("ten", chunk_link_plus_one, CHUNK_LINK),
    "book: chunks 0 and 1 swapped": ("ten", chunks_swapped, BOOK_LINK),
    "book: chunk 0 used twice": ("ten", chunk_used_twice, BOOK_LINK),
    "book: a chunk's P&L one unit kinder": ("ten", chunk_sum_changed, BOOK_LINK),
    "book: a chunk's positions hash of one lot more": ("ten", chunk_positions_changed, BOOK_LINK),
    "book: a chunk proven with other group slots": ("ten", chunk_with_other_group_slots, BOOK_LINK),
    "book: an unused chunk with a link": ("six", unused_chunk_linked, BOOK_LINK),
    "book: an unused chunk with a P&L": ("six", unused_chunk_with("chunk_pnl", 10**15, 0, 0), UNUSED_PNL),
    "book: an unused chunk with a position value": ("six", unused_chunk_with("chunk_position_value", 10**15),
                                                    UNUSED_POSITION_VALUE),
    "book: an unused chunk with positions": ("six", unused_chunk_with("positions_hash", 1), UNUSED_POSITIONS),
    "book: a used chunk after an unused one": ("six", used_after_unused, CHUNK_PREFIX),
    "chunk: a position outside the params (forged risk entry)": ("ten", chunk_risk_entry_forged, MERKLE_ROOT),
    "chunk: a position outside the params (another venue's tree)": ("ten", chunk_of_another_venue, PARAMS_ROOT),
    "book: commitment to other positions": ("ten", commitment_to_other_positions, COMMITMENT),
}


@pytest.mark.parametrize("name", list(ATTACKS))
def test_tampered_book_has_no_witness(name: str, request: pytest.FixtureRequest,
                                      circuits: tuple[CompiledCircuit, CompiledCircuit]) -> None:
    base, attack, statement = ATTACKS[name]
    tampered = attack(request.getfixturevalue(base))
    if tampered.provable_chunk is not None:
        calculate_witness(circuits[0], tampered.provable_chunk)  # the chunk the attack rests on is provable
    with pytest.raises(WitnessError) as caught:
        calculate_witness(circuits[0] if tampered.circuit == "chunk" else circuits[1], tampered.inputs)
    assert caught.value.assert_failed, caught.value.tool_message
    assert statement in failing_statement(caught.value), caught.value.tool_message


def test_attack_table_names_statements_of_the_sources() -> None:
    """Every statement an attack expects exists in the circuit sources (a refactor must update this file)."""
    from test_soundness import TEMPLATE_FILES

    source = "\n".join(line.split("//")[0] for path in set(TEMPLATE_FILES.values())
                       for line in path.read_text().splitlines())
    for name, (_, _, statement) in ATTACKS.items():
        assert statement in source, f"{name}: {statement!r} is no longer in the circuit sources"


def test_the_mains_have_the_sizes_public_signals(circuits: tuple[CompiledCircuit, CompiledCircuit]) -> None:
    """The compiled mains have the size's public signals: 2 for a chunk, 4 + M for the book."""
    chunk, book = circuits
    assert chunk.n_public_inputs == 2 and book.n_public_inputs == 4 + SIZE.chunks
