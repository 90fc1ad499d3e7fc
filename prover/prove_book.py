"""Prove a book in chunks: one Groth16 proof per used chunk and one combining proof, written as a book bundle.

The circuits' inputs come from :func:`zkmargin.prover.book.book_inputs`; this module runs the witness calculator
and ``snarkjs groth16 prove`` on each, checks every public signal against the engine's, reports progress with an
estimate of the time left, and assembles :class:`~zkmargin.statement.records.BookBundleRecord`.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from zkmargin.constants import format_money
from zkmargin.engine.account import AccountInts
from zkmargin.engine.commitments import ParamsTree, account_slots
from zkmargin.engine.errors import InputError
from zkmargin.engine.margin import margin_account
from zkmargin.engine.results import MarginResult
from zkmargin.prover.book import book_inputs
from zkmargin.prover.prove import (
    ACCOUNT_FIGURES,
    InsolventError,
    Progress,
    check_disclosure,
    compare_margin,
    params_record,
    prove_circuit,
    smallest_fitting,
    statement_text,
)
from zkmargin.statement.commitments import new_salt
from zkmargin.statement.records import (
    BookBundleRecord,
    BookCircuitRecord,
    ProofRecord,
    SaltRecord,
    StatementRecord,
)
from zkmargin.statement.signals import CHUNK_PUBLIC_SIGNAL_NAMES, Disclosure, Statement, book_signal_names
from zkmargin.statement.sizes import BookSize
from zkmargin.toolchain.keys import SetupArtifacts

#: Chunk proofs run at once: ``snarkjs groth16 prove`` keeps about 1.6 of two cores busy, so two overlapping
#: proofs (each a witness and a prove) fill the gaps.
CHUNK_WORKERS: Final = 2


@dataclass(frozen=True)
class BookProofResult:
    """A book bundle, its private salt record and statement, the engine's margin; ``seconds`` per step
    (``witness`` and ``prove`` summed over all proofs, ``chunks`` and ``book`` wall time)."""

    bundle: BookBundleRecord
    salt_record: SaltRecord
    statement: Statement
    margin: MarginResult
    seconds: dict[str, float]


@dataclass(frozen=True)
class ProvableBook:
    """A book that :func:`check_provable_book` accepted, with its engine margin (computed once)."""

    params: ParamsTree
    account: AccountInts
    result: MarginResult
    size: BookSize


def check_provable_book(params: ParamsTree, account: AccountInts, size: BookSize) -> ProvableBook:
    """Reject, before any tool runs, a book the circuits of ``size`` cannot prove.

    Raises
    ------
    InputError
        More positions, underlyings or posted assets than ``size`` holds.
    InsolventError
        Equity below MM, with the shortfall in the message.
    """
    try:
        account_slots(params, account, size.account)
    except InputError as exc:
        fits = smallest_fitting(params, account)
        hint = f" (use --size {fits})" if fits is not None else " (no circuit size holds it)"
        raise InputError(f"{exc.reason}{hint}", field=exc.field) from exc
    result = margin_account(params.table, account)
    if not result.solvent:
        raise InsolventError(
            f"the account is insolvent, so a solvency proof is impossible: equity {format_money(result.equity)} "
            f"is below the maintenance margin {format_money(result.maintenance_margin)} by "
            f"{format_money(result.shortfall)}", field="collateral")
    return ProvableBook(params, account, result, size)


def prove_book(chunk_keys: SetupArtifacts, book_keys: SetupArtifacts, provable: ProvableBook, *,
               salt: int | None = None, workdir: Path, market_timestamp: str = "", scenarios: str = "",
               progress: Progress | None = None, disclosure: Disclosure = Disclosure.NOTHING,
               threshold: int | None = None, workers: int = CHUNK_WORKERS) -> BookProofResult:
    """Prove a book :func:`check_provable_book` accepted: the used chunks, ``workers`` at a time, then the
    combining proof.

    ``progress`` gets a line per chunk proven with the time left, estimated from the chunks proven so far.
    ``seconds["witness"]`` and ``seconds["prove"]`` add up every proof's steps (more than the wall time when
    chunks overlap); ``seconds["chunks"]`` and ``seconds["book"]`` are wall time.
    """
    say = progress or (lambda _msg: None)
    params, account, result, size = provable.params, provable.account, provable.result, provable.size
    if (chunk_keys.name, book_keys.name) != (size.chunk_circuit, size.book_circuit):
        raise InputError(f"the book was checked for size {size.name}, the keys are for {chunk_keys.name} and "
                         f"{book_keys.name}")
    check_disclosure(result, disclosure, threshold)
    salt = new_salt() if salt is None else salt
    inputs = book_inputs(params, account, salt, result, size, disclosure, threshold)
    book_statement = inputs.statement
    seconds: dict[str, float] = {}

    n_chunks = len(inputs.chunks)
    per_chunk: list[dict[str, float]] = [{} for _ in range(n_chunks)]

    def prove_chunk(index: int) -> ProofRecord:
        return prove_circuit(chunk_keys, inputs.chunks[index], book_statement.chunk_public_signals(index),
                             workdir / f"chunk{index}", per_chunk[index], names=CHUNK_PUBLIC_SIGNAL_NAMES)

    start = time.perf_counter()
    say(f"proving {n_chunks} chunks, {min(workers, n_chunks)} at a time")
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        futures = [pool.submit(prove_chunk, index) for index in range(n_chunks)]
        try:
            for done, future in enumerate(as_completed(futures), start=1):
                future.result()  # a chunk that failed stops the book here
                elapsed = time.perf_counter() - start
                left = f", about {elapsed / done * (n_chunks - done):.0f} s left" if done < n_chunks else ""
                say(f"chunk {done}/{n_chunks} proven in {elapsed:.0f} s{left}")
        except BaseException:
            pool.shutdown(cancel_futures=True)  # chunks not yet started never start
            raise
        chunks = [future.result() for future in futures]
    seconds["chunks"] = time.perf_counter() - start
    for step in ("witness", "prove"):
        seconds[step] = sum(times.get(step, 0.0) for times in per_chunk)
    say(f"combining {len(chunks)} chunks: witness and proof")
    start = time.perf_counter()
    groups = inputs.layout.used_groups
    book = prove_circuit(book_keys, inputs.book, book_statement.public_signals(), workdir / "book", seconds,
                         names=book_signal_names(size.chunks),
                         check=lambda witness: compare_margin(book_keys, witness, result, groups, ACCOUNT_FIGURES))
    seconds["book"] = time.perf_counter() - start

    statement = book_statement.statement
    bundle = BookBundleRecord(
        circuit=BookCircuitRecord(size=size.name, chunk_vkey_id=chunk_keys.vkey_id, book_vkey_id=book_keys.vkey_id,
                                  chunk_constraints=chunk_keys.circuit.n_constraints,
                                  book_constraints=book_keys.circuit.n_constraints),
        statement=StatementRecord(
            params_root=str(statement.params_root), params=params_record(params),
            account_commitment=str(statement.account_commitment),
            margin_commitment=str(statement.margin_commitment), discloses=statement.claim(), epoch=params.table.epoch,
            market_timestamp=market_timestamp, scenarios=scenarios, text=statement_text(statement, params)),
        book=book, chunks=chunks)
    salt_record = SaltRecord(account=account.name, salt=str(salt), account_commitment=str(statement.account_commitment),
                             margin_commitment=str(statement.margin_commitment),
                             initial_margin=format_money(result.initial_margin),
                             maintenance_margin=format_money(result.maintenance_margin), circuit_size=size.name)
    return BookProofResult(bundle, salt_record, statement, result, seconds)
