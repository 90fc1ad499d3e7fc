"""Prove a book in chunks: the inputs of each chunk circuit and of the combine, from the engine's integers.

A book of ``size`` (:class:`~zkmargin.statement.sizes.BookSize`) lays the account out in ``M * C`` position slots
(the account's order: sorted by leaf index), ``C`` per chunk; chunk ``i`` is used when it holds a position.  Each
used chunk is proven by ``AccountChunk(C, G)`` (``circuits/main/chunk_<size>.circom``) and the book by
``BookMargin(M, C, G, K)`` (``circuits/main/book_<size>.circom``), whose public signals are the account
statement's four and the M chunk links (0 for an unused chunk).

:func:`chunk_aggregates` computes, in exact integers, the sums a chunk circuit computes of its rows; the book's
margin is then the account's (:func:`zkmargin.engine.reference.margin_account` of the whole account), which the
tests check against the circuits' witnesses.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from zkmargin.constants import to_field
from zkmargin.engine.account import AccountInts
from zkmargin.engine.commitments import (
    AccountSlots,
    ParamsTree,
    account_slots,
    chunk_positions_hashes,
    commit_book,
    used_chunks,
)
from zkmargin.engine.results import MarginResult
from zkmargin.engine.risk import KIND_CALL, KIND_LINEAR, KIND_PUT
from zkmargin.prover.witness import (
    account_statement,
    asset_slot_inputs,
    disclosure_inputs,
    group_slot_inputs,
    params_inputs,
    position_inputs,
    public_inputs,
)
from zkmargin.statement.commitments import ChunkAggregates, chunk_link, group_keys
from zkmargin.statement.signals import Disclosure, Statement
from zkmargin.statement.sizes import BookSize
from zkmargin.toolchain.compile import CIRCUITS_DIR


def chunk_main_file(size: BookSize) -> Path:
    """The ``component main`` file of the chunk circuit of ``size``."""
    return CIRCUITS_DIR / "main" / f"{size.chunk_circuit}.circom"


def book_main_file(size: BookSize) -> Path:
    """The ``component main`` file of the combine circuit of ``size``."""
    return CIRCUITS_DIR / "main" / f"{size.book_circuit}.circom"


@dataclass(frozen=True)
class BookStatement:
    """What a book proof claims: the account ``statement`` (its four public signals) and the ``chunk_links``
    (M field elements, 0 for an unused chunk) that the chunk proofs must carry."""

    statement: Statement
    chunk_links: tuple[int, ...]

    def public_signals(self) -> list[int]:
        """The combine circuit's public signals: the statement's four, then the M chunk links."""
        return [*self.statement.public_signals(), *self.chunk_links]

    def chunk_public_signals(self, index: int) -> list[int]:
        """The public signals of chunk ``index``'s proof: ``[params_root, chunk_link]``."""
        return [self.statement.params_root, self.chunk_links[index]]


@dataclass(frozen=True)
class BookInputs:
    """The circuit inputs of a book: ``chunks[i]`` for each used chunk ``i`` (``AccountChunk``), ``book`` for the
    combine (``BookMargin``); ``aggregates[i]`` are chunk ``i``'s sums (zero for an unused chunk); ``layout``
    is the whole book's slot layout."""

    statement: BookStatement
    chunks: list[dict[str, Any]]
    book: dict[str, Any]
    aggregates: list[ChunkAggregates]
    layout: AccountSlots


def chunk_aggregates(params: ParamsTree, leaf_index: Sequence[int], qty: Sequence[int],
                     position_slot: Sequence[int], groups: int) -> ChunkAggregates:
    """The sums ``PositionRows`` computes of position rows ``(leaf_index[p], qty[p])`` (signed lots) counted in
    group slot ``position_slot[p]`` (``groups`` for none: such a row must have qty 0), exactly.

    Per slot: short lots, ``qty * charge`` over calls and over puts, ``qty * delta`` and ``qty * risk[s]`` over the
    market's scenarios (the padded risk arrays of ``params``); over all rows: short lots plus the lots of
    perpetuals and futures, ``qty * mark`` over options, ``qty * mark`` over all rows.
    """
    table = params.table
    scenarios = params.risk.shape[1]
    short_lots, calls, puts, delta = [0] * groups, [0] * groups, [0] * groups, [0] * groups
    pnl = [[0] * scenarios for _ in range(groups)]
    liabilities = option_value = position_value = 0
    for leaf, q, slot in zip(leaf_index, qty, position_slot, strict=True):
        if slot == groups:
            if q != 0:
                raise ValueError(f"position row of leaf {leaf} has {q} lots but no group slot")
            continue
        kind, mark, charge = int(table.kind[leaf]), int(table.mark[leaf]), int(table.charge[leaf])
        short = max(-q, 0)
        short_lots[slot] += short
        if kind == KIND_CALL:
            calls[slot] += q * charge
        elif kind == KIND_PUT:
            puts[slot] += q * charge
        delta[slot] += q * int(table.delta[leaf])
        for s, risk in enumerate(params.risk[leaf]):
            pnl[slot][s] += q * int(risk)
        liabilities += short + (abs(q) if kind == KIND_LINEAR else 0)
        option_value += q * mark if kind in (KIND_CALL, KIND_PUT) else 0
        position_value += q * mark
    return ChunkAggregates(tuple(short_lots), tuple(calls), tuple(puts), tuple(delta),
                           tuple(tuple(row) for row in pnl), liabilities, option_value, position_value)


def chunk_rows(layout: AccountSlots, size: BookSize, index: int) -> tuple[list[int], list[int], list[int]]:
    """``(leaf_index, qty, position_slot)`` of chunk ``index``: its C slots of the book's layout."""
    start, stop = index * size.chunk_positions, (index + 1) * size.chunk_positions
    return layout.leaf_index[start:stop], layout.qty[start:stop], layout.position_slot[start:stop]


def book_inputs(params: ParamsTree, account: AccountInts, salt: int, result: MarginResult, size: BookSize,
                disclosure: Disclosure = Disclosure.NOTHING, threshold: int | None = None) -> BookInputs:
    """The inputs of every used chunk circuit and of the combine circuit of ``size`` for ``account``.

    ``result`` is the engine's margin of the whole account (the combine proves it); ``salt`` hides the account
    commitment, the margin commitment and the chunk links; ``disclosure`` and ``threshold`` as for
    :func:`~zkmargin.prover.witness.circuit_input`.  Signed values are field-encoded.

    Raises
    ------
    InputError
        More positions than ``M * C``, more underlyings than ``G`` or more posted assets than ``K``.
    """
    layout = account_slots(params, account, size.account)
    keys = group_keys(layout.group_id, layout.group_used)
    used = used_chunks(account, size)
    hashes = chunk_positions_hashes(account, size)
    aggregates = [chunk_aggregates(params, *chunk_rows(layout, size, i), size.groups) if i < used
                  else ChunkAggregates.zero(size.groups, size.scenarios) for i in range(size.chunks)]
    links = tuple(chunk_link(i, keys, aggregates[i], hashes[i], salt) if i < used else 0
                  for i in range(size.chunks))
    statement = BookStatement(account_statement(params, commit_book(account, size, salt), result, salt, disclosure,
                                                threshold), links)
    parameters = params_inputs(params)

    chunks = []
    for i in range(used):
        chunks.append({
            "params_root": params.params_root,
            "chunk_link": links[i],
            "chunk_index": i,
            **position_inputs(params, *chunk_rows(layout, size, i)),
            "group_id": layout.group_id,
            "group_used": layout.group_used,
            "instruments_root": parameters["instruments_root"],
            "table_hash": params.table_hash,
            "im_bp": parameters["im_bp"],
            "mm_bp": parameters["mm_bp"],
            "epoch": parameters["epoch"],
            "salt": salt,
        })

    def field_rows(rows: Sequence[Sequence[int]]) -> list[list[int]]:
        return [[to_field(v) for v in row] for row in rows]

    book = {
        **public_inputs(statement.statement),
        "chunk_link": list(links),
        "chunk_used": [1 if i < used else 0 for i in range(size.chunks)],
        "chunk_short": field_rows([a.short_lots for a in aggregates]),
        "chunk_calls": field_rows([a.calls for a in aggregates]),
        "chunk_puts": field_rows([a.puts for a in aggregates]),
        "chunk_delta": field_rows([a.delta for a in aggregates]),
        "chunk_pnl": [field_rows(a.pnl) for a in aggregates],
        "chunk_liabilities": [to_field(a.liabilities) for a in aggregates],
        "chunk_option_value": [to_field(a.option_value) for a in aggregates],
        "chunk_position_value": [to_field(a.position_value) for a in aggregates],
        "positions_hash": hashes,
        **group_slot_inputs(params, layout),
        **asset_slot_inputs(params, layout),
        **parameters,
        "balance": layout.balance,
        "salt": salt,
        **disclosure_inputs(statement.statement),
    }
    return BookInputs(statement, chunks, book, aggregates, layout)
