"""Prove a venue: every account's figures into one account tree, batch by batch, with the running totals.

The venue's accounts are margined by the engine, each laid out in the first venue size of the ladder that holds
it (:data:`VENUE_SIZES`: the account sizes, then ``book_large`` for an account proven in chunks), given a fresh
salt, and grouped in id order into batches of :data:`BATCH_SIZE`.  One batch job proves each of its accounts
(``circuits/main/venue_<size>.circom``: public ``[params_root, leaf]``; a book size's used chunks first, with
``circuits/main/chunk_<name>.circom``, and its combine's public signals end with the M chunk links) and then the
batch (``circuits/main/venue_batch.circom``).  :mod:`zkmargin.prover.venue_ray` runs the jobs on Ray.
"""

from __future__ import annotations

import functools
import hashlib
import json
import shutil
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from zkmargin.constants import FIELD_ORDER
from zkmargin.engine.account import AccountInts, encode_account
from zkmargin.engine.commitments import ParamsTree, account_slots, asset_slots, commit_account, commit_book, slots
from zkmargin.engine.errors import InputError
from zkmargin.engine.io import validate
from zkmargin.engine.margin import margin_account
from zkmargin.engine.models import Portfolio
from zkmargin.engine.results import MarginResult
from zkmargin.prover.book import book_inputs
from zkmargin.prover.prove import VENUE_FIGURES, compare_margin, params_record, prove_circuit
from zkmargin.prover.witness import asset_slot_inputs, group_slot_inputs, params_inputs, position_inputs
from zkmargin.statement.commitments import new_salt
from zkmargin.statement.records import ProofRecord, RecordError, read_json_document, write_private
from zkmargin.statement.signals import CHUNK_PUBLIC_SIGNAL_NAMES
from zkmargin.statement.sizes import BOOK_SIZES, SIZES, BookSize, CircuitSize
from zkmargin.statement.venue import (
    BATCH_CIRCUIT,
    BATCH_SIZE,
    BOOK_PREFIX,
    MAX_ACCOUNTS,
    VENUE_ACCOUNT_SIGNALS,
    VENUE_BATCH_SIGNALS,
    AccountTree,
    BatchPlan,
    LeafFigures,
    VenueError,
    account_circuit,
    book_size_of,
    chunk_circuit,
    plan_batches,
)
from zkmargin.statement.venue_records import (
    ACCOUNTS_FORMAT,
    PLAN_FORMAT,
    AccountProofRecord,
    AssetOpening,
    BatchEntry,
    InclusionReceiptRecord,
    PlanAccount,
    PositionOpening,
    TotalsRecord,
    VenueBatchRecord,
    VenuePlanRecord,
    VenueStatementRecord,
    read_venue_document,
    to_json,
)
from zkmargin.toolchain.keys import SetupArtifacts
from zkmargin.toolchain.prover_process import ProverProcess

#: The venue sizes a venue proves with, smallest first: each account takes the first that holds it.  An account
#: with more positions than the largest account size holds is proven as a book in chunks (``book_large``: up to
#: 256 positions); ``book_mini`` (12) is held by ``standard`` and serves a venue with a shorter ladder.
VENUE_SIZES: Final = ("small", "test", "standard", f"{BOOK_PREFIX}large")

Progress = Callable[[str], Any]


@dataclass(frozen=True)
class VenueAccount:
    """One account of a venue: its id, integers, engine margin, circuit size (an account size, or a book size for
    an account proven in chunks) and salt."""

    account_id: int
    account: AccountInts
    result: MarginResult
    size: CircuitSize | BookSize
    salt: int

    @property
    def size_name(self) -> str:
        """Its venue size: the account size's name, or ``book_<name>`` for a book size."""
        return f"{BOOK_PREFIX}{self.size.name}" if isinstance(self.size, BookSize) else self.size.name

    @functools.cached_property
    def figures(self) -> LeafFigures:
        """What its leaf binds (the commitment hashed once, at first use)."""
        commitment = (commit_book(self.account, self.size, self.salt) if isinstance(self.size, BookSize)
                      else commit_account(self.account, self.size, self.salt))
        return LeafFigures(self.account_id, commitment, self.result.initial_margin, self.result.maintenance_margin,
                           self.result.collateral_value, self.result.equity).check()

    @property
    def slot_size(self) -> CircuitSize:
        """The slot layout of its commitment and receipt: the account size, or the whole book's M * C slots."""
        return self.size.account if isinstance(self.size, BookSize) else self.size


@dataclass(frozen=True)
class VenuePlan:
    """A venue run: the accounts in id order, their batches, and the plan record that a resumed run reuses."""

    name: str
    accounts: tuple[VenueAccount, ...]
    batches: tuple[BatchPlan, ...]
    record: VenuePlanRecord

    def batch_accounts(self, index: int) -> tuple[VenueAccount, ...]:
        return self.accounts[index * BATCH_SIZE:(index + 1) * BATCH_SIZE]

    def sizes(self) -> list[str]:
        """The venue sizes the run uses, smallest first."""
        used = {a.size_name for a in self.accounts}
        return [s for s in SIZE_ORDER if s in used]

    def circuits(self) -> list[str]:
        """Every circuit the run proves with: the batch circuit, then per venue size its account circuit and, for a
        book size, its chunk circuit."""
        names = [BATCH_CIRCUIT]
        for size in self.sizes():
            names.append(account_circuit(size))
            chunks = chunk_circuit(size)
            if chunks is not None:
                names.append(chunks)
        return names


def load_venue_accounts(path: Path, params: ParamsTree) -> tuple[str, list[tuple[int, AccountInts]]]:
    """Read a venue's accounts: a ``zkmargin-venue-accounts`` file (ids as given), or a folder of portfolio files
    (ids 1, 2, ... in file-name order).  Returns the venue's name and ``(id, account)`` in id order.

    Raises
    ------
    InputError, RecordError
        A missing path, an empty folder, a malformed file or portfolio (naming it), or an id given twice.
    """
    entries: list[tuple[int, dict[str, Any], str]] = []
    if path.is_dir():
        files = sorted(path.glob("*.json"))
        if not files:
            raise InputError(f"{path}: the folder holds no *.json portfolio", field="--accounts")
        for number, file in enumerate(files, start=1):
            data = read_json_document(file, "portfolio")
            if not isinstance(data, dict):
                raise InputError(f"{file}: not a portfolio (expected a JSON object)", field="--accounts")
            entries.append((number, data, str(file)))
        name = path.name
    else:
        record = read_venue_document(path, ACCOUNTS_FORMAT)
        entries = [(e.id, e.portfolio, f"{path}: accounts[{n}]") for n, e in enumerate(record.accounts)]
        name = record.venue
    seen: dict[int, str] = {}
    accounts: list[tuple[int, AccountInts]] = []
    for account_id, data, source in sorted(entries, key=lambda e: e[0]):
        if account_id in seen:
            raise InputError(f"{source}: account id {account_id} is also {seen[account_id]}", field="id")
        seen[account_id] = source
        portfolio = validate(Portfolio, data, source)
        accounts.append((account_id, encode_account(portfolio, params.table, source=source)))
    if not accounts:
        raise InputError(f"{path}: no accounts", field="--accounts")
    if len(accounts) > MAX_ACCOUNTS:
        raise InputError(f"{path}: {len(accounts):,} accounts exceed the account tree's {MAX_ACCOUNTS:,}",
                         field="--accounts")
    return name, accounts


#: Every venue size, smallest first (for reports).
SIZE_ORDER: Final = (*SIZES, *(f"{BOOK_PREFIX}{name}" for name in BOOK_SIZES))


def venue_size(params: ParamsTree, account: AccountInts, ladder: Sequence[str] = VENUE_SIZES
               ) -> CircuitSize | BookSize:
    """The first venue size of ``ladder`` that holds ``account``; :class:`InputError` if none does."""
    for name in ladder:
        book = book_size_of(name)
        size = book if book is not None else SIZES[name]
        try:
            account_slots(params, account, size.account if isinstance(size, BookSize) else size)
        except InputError:
            continue
        return size
    raise InputError(f"account {account.name!r} ({len(account.qty)} positions) fits no venue size (the largest is "
                     f"{ladder[-1]})", field="--accounts")


def inputs_digest(params: ParamsTree, accounts: Sequence[tuple[int, AccountInts]]) -> str:
    """sha256 of the params root and every account's id, positions and balances: names one venue run."""
    h = hashlib.sha256(str(params.params_root).encode())
    for account_id, account in accounts:
        h.update(json.dumps([account_id, account.leaf_index, account.qty, account.balances]).encode())
    return h.hexdigest()


def plan_venue(name: str, params: ParamsTree, accounts: Sequence[tuple[int, AccountInts]],
               previous: VenuePlanRecord | None = None, ladder: Sequence[str] = VENUE_SIZES) -> VenuePlan:
    """Margin every account, choose its size (the first of ``ladder`` that holds it) and salts, and split the
    venue into batches.

    ``previous`` is the plan of an earlier run of the same inputs: its salts are reused so that finished batches
    stay valid; a plan of other inputs is refused.

    Raises
    ------
    InputError
        An account that fits no venue size or names an instrument outside the tree; a ``previous`` plan of
        other inputs.
    """
    digest = inputs_digest(params, accounts)
    if previous is not None and previous.digest != digest:
        raise InputError("the private folder holds the plan of another venue run (other accounts or parameters); "
                         "use an empty folder", field="--private")
    members: list[VenueAccount] = []
    for n, (account_id, account) in enumerate(accounts):
        for leaf in account.leaf_index:
            if not 0 <= leaf < len(params.leaves):
                raise InputError(f"account {account_id}: leaf {leaf} is not in the params tree", field="--accounts")
        size = venue_size(params, account, ladder)
        salt = int(previous.accounts[n].salt) if previous is not None else new_salt()
        members.append(VenueAccount(account_id, account, margin_account(params.table, account), size, salt))
    count = -(-len(members) // BATCH_SIZE)
    batch_salts = [int(s) for s in previous.batch_salts] if previous is not None else [new_salt() for _ in range(count)]
    try:
        batches = plan_batches([m.figures for m in members], batch_salts)
    except VenueError as exc:
        raise InputError(str(exc), field="--accounts") from exc
    record = VenuePlanRecord(digest=digest, accounts=[
        PlanAccount(account_id=m.account_id, name=m.account.name, size=m.size_name, salt=str(m.salt))
        for m in members], batch_salts=[str(s) for s in batch_salts])
    return VenuePlan(name, tuple(members), tuple(batches), record)


def account_input(params: ParamsTree, member: VenueAccount) -> tuple[dict[str, Any], list[int]]:
    """The input of ``venue_<size>`` for one account of an account size and its expected public signals
    ``[params_root, leaf]``."""
    if isinstance(member.size, BookSize):
        raise ValueError(f"account {member.account_id} is proven as a book: see book_account_inputs")
    layout = account_slots(params, member.account, member.size)
    leaf = member.figures.leaf()
    inputs: dict[str, Any] = {
        "params_root": params.params_root,
        "leaf": leaf,
        "account_id": member.account_id,
        **position_inputs(params, layout.leaf_index, layout.qty, layout.position_slot),
        **group_slot_inputs(params, layout),
        **asset_slot_inputs(params, layout),
        **params_inputs(params),
        "balance": layout.balance,
        "salt": member.salt,
    }
    return inputs, [params.params_root, leaf]


@dataclass(frozen=True)
class BookAccountInputs:
    """The inputs of a book-size account: each used chunk's (``chunk_<name>``) with its expected public signals
    ``[params_root, chunk_link]``, and the combining ``venue_book_<name>``'s with ``[params_root, leaf, links]``."""

    chunks: list[tuple[dict[str, Any], list[int]]]
    book: dict[str, Any]
    expected: list[int]


def book_account_inputs(params: ParamsTree, member: VenueAccount) -> BookAccountInputs:
    """The inputs of an account of a book size: the book path's chunk inputs, and its combine's inputs without
    the margin commitment and the disclosure (the venue's combine binds the leaf instead)."""
    if not isinstance(member.size, BookSize):
        raise ValueError(f"account {member.account_id} is not proven as a book: see account_input")
    inputs = book_inputs(params, member.account, member.salt, member.result, member.size)
    links = list(inputs.statement.chunk_links)
    leaf = member.figures.leaf()
    claim_only = ("account_commitment", "margin_commitment", "disclosure", "disclosure_mode", "disclosure_value")
    book = {name: value for name, value in inputs.book.items() if name not in claim_only}
    book.update({"leaf": leaf, "account_id": member.account_id})
    chunks = [(chunk, inputs.statement.chunk_public_signals(i)) for i, chunk in enumerate(inputs.chunks)]
    return BookAccountInputs(chunks, book, [params.params_root, leaf, *links])


def batch_input(plan: BatchPlan) -> dict[str, Any]:
    """The input of ``venue_batch`` for one batch (unused slots all zero)."""
    pad = BATCH_SIZE - len(plan.figures)
    figures = list(plan.figures)
    signals = plan.signals()

    def column(get: Callable[[LeafFigures], int]) -> list[int]:
        return [get(f) % FIELD_ORDER for f in figures] + [0] * pad  # a negative equity as r + equity

    return {
        **dict(zip(VENUE_BATCH_SIGNALS, signals.values(), strict=True)),
        "used": [1] * len(figures) + [0] * pad,
        "account_id": column(lambda f: f.account_id),
        "account_commitment": column(lambda f: f.account_commitment),
        "im": column(lambda f: f.initial_margin),
        "mm": column(lambda f: f.maintenance_margin),
        "collateral": column(lambda f: f.collateral),
        "equity": column(lambda f: f.equity),
        "before": plan.before.values(),
        "salt_before": plan.salt_before,
        "salt_after": plan.salt_after,
    }


def prove_batch(keys: dict[str, SetupArtifacts], params: ParamsTree, members: Sequence[VenueAccount],
                plan: BatchPlan, workdir: Path, progress: Progress | None = None,
                process: ProverProcess | None = None) -> VenueBatchRecord:
    """Prove one batch: each account with the keys of its venue size, then the batch.

    ``keys`` maps circuit names (:meth:`VenuePlan.circuits`) to their set-up artifacts; ``workdir`` holds a scratch
    folder, removed afterwards; ``process`` is the worker's long-lived prover process, if it has one.  A book-size
    account is proven as its used chunks, then the combining proof.

    Raises
    ------
    zkmargin.prover.prove.CircuitMismatchError
        A circuit value differs from the engine's.
    """
    say = progress or (lambda _msg: None)
    proofs: list[AccountProofRecord] = []
    seconds: dict[str, float] = {}
    workdir.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=f"batch-{plan.index}-", dir=workdir))
    try:
        for offset, member in enumerate(members):
            artifacts = keys[account_circuit(member.size_name)]
            groups = account_slots(params, member.account, member.slot_size).used_groups
            check = margin_check(artifacts, member.result, groups)
            work = scratch / f"account-{offset}"
            chunks: list[ProofRecord] = []
            if isinstance(member.size, BookSize):
                book = book_account_inputs(params, member)
                chunk_keys = keys[member.size.chunk_circuit]
                for i, (chunk, chunk_expected) in enumerate(book.chunks):
                    say(f"batch {plan.index}: account {member.account_id}, chunk {i + 1} of {len(book.chunks)}")
                    chunks.append(prove_circuit(chunk_keys, chunk, chunk_expected, work / f"chunk-{i}", seconds,
                                                names=CHUNK_PUBLIC_SIGNAL_NAMES, process=process))
                inputs, expected = book.book, book.expected
                names: Sequence[str] = (*VENUE_ACCOUNT_SIGNALS,
                                        *(f"chunk_link[{i}]" for i in range(member.size.chunks)))
            else:
                inputs, expected = account_input(params, member)
                names = VENUE_ACCOUNT_SIGNALS
            say(f"batch {plan.index}: account {member.account_id}")
            record = prove_circuit(artifacts, inputs, expected, work, seconds, names=names, process=process,
                                   check=check)
            proofs.append(AccountProofRecord(index=plan.first_index + offset, size=member.size_name, proof=record,
                                             chunks=chunks))
        say(f"batch {plan.index}: the batch proof")
        batch = prove_circuit(keys[BATCH_CIRCUIT], batch_input(plan), plan.signals().values(), scratch / "batch",
                              seconds, names=VENUE_BATCH_SIGNALS, process=process)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return VenueBatchRecord(index=plan.index, batch=batch, accounts=proofs)


def prove_venue_in_process(keys: dict[str, SetupArtifacts], params: ParamsTree, plan: VenuePlan, workdir: Path,
                           progress: Progress | None = None) -> list[VenueBatchRecord]:
    """Prove every batch of ``plan`` here, one after the other, without Ray: for a venue of a few batches (tests,
    benchmarks).  ``keys`` as for :func:`prove_batch`, for every circuit the plan uses; the batch records in order.

    Raises
    ------
    zkmargin.prover.prove.CircuitMismatchError
        A circuit value differs from the engine's.
    """
    return [prove_batch(keys, params, plan.batch_accounts(batch.index), batch, workdir, progress)
            for batch in plan.batches]


def margin_check(artifacts: SetupArtifacts, result: MarginResult, groups: list[int]) -> Callable[[list[int]], None]:
    """The witness check of one account: its circuit's figures must be the engine's."""

    def check(witness: list[int]) -> None:
        compare_margin(artifacts, witness, result, groups, VENUE_FIGURES)

    return check


def check_batch_record(record: VenueBatchRecord, plan: VenuePlan, index: int, params_root: int) -> bool:
    """True when a finished batch kept from an earlier run is this plan's batch ``index``: the same public
    signals for the batch and for every account (the proofs themselves are verified by the audit)."""
    batch = plan.batches[index]
    members = plan.batch_accounts(index)
    if record.index != index or [int(s) for s in record.batch.public_signals] != batch.signals().values():
        return False
    if len(record.accounts) != len(members):
        return False
    for offset, (proof, member) in enumerate(zip(record.accounts, members, strict=True)):
        if proof.index != batch.first_index + offset or proof.size != member.size_name:
            return False
        if [int(s) for s in proof.proof.public_signals[:2]] != [params_root, member.figures.leaf()]:
            return False
    return True


def read_plan(path: Path) -> VenuePlanRecord | None:
    """The plan kept by an earlier run in the private folder, or ``None``."""
    if not path.exists():
        return None
    try:
        plan: VenuePlanRecord = read_venue_document(path, PLAN_FORMAT)
    except RecordError as exc:
        raise InputError(f"the private folder's plan is unreadable: {exc}", field="--private") from exc
    return plan



def publish(plan: VenuePlan, params: ParamsTree, records: Sequence[VenueBatchRecord], out: Path,
            private: Path) -> VenueStatementRecord:
    """Write the published folder (``statement.json`` and ``batches/``) and one inclusion receipt per account in
    ``private/receipts`` (mode 0600); the statement.

    Raises
    ------
    InputError
        ``private`` inside ``out`` or the other way round: receipts never go where the venue publishes.
    """
    out, private = check_apart(out, private)
    (out / "batches").mkdir(parents=True, exist_ok=True)
    entries: list[BatchEntry] = []
    for record in records:
        name = f"batches/batch-{record.index:05d}.json"
        text = to_json(record)
        (out / name).write_text(text)
        entries.append(BatchEntry(index=record.index, file=name, sha256=hashlib.sha256(text.encode()).hexdigest()))
    leaves = [m.figures.leaf() for m in plan.accounts]
    tree = AccountTree(leaves)
    last = plan.batches[-1]
    totals = last.after
    statement = VenueStatementRecord(
        venue=plan.name, epoch=params.table.epoch, params_root=str(params.params_root), params=params_record(params),
        accounts_root=str(tree.root), accounts=len(plan.accounts), batch_size=BATCH_SIZE,
        totals=TotalsRecord(initial_margin=str(totals.initial_margin),
                            maintenance_margin=str(totals.maintenance_margin), collateral=str(totals.collateral),
                            equity=str(totals.equity), insolvent=totals.insolvent, shortfall=str(totals.shortfall)),
        last_account_id=totals.last_id, final_salt=str(last.salt_after), batches=entries)
    (out / "statement.json").write_text(to_json(statement))
    receipts = private / "receipts"
    receipts.mkdir(parents=True, exist_ok=True)
    for index, member in enumerate(plan.accounts):
        figures = member.figures
        leaf_index, qty = slots(member.account, member.slot_size)
        asset_id, balance = asset_slots(member.account, member.slot_size)
        receipt = InclusionReceiptRecord(
            venue=plan.name, epoch=params.table.epoch, account=member.account.name, account_id=member.account_id,
            index=index, batch=index // BATCH_SIZE, size=member.size_name,
            positions=[PositionOpening(leaf_index=i, qty=q) for i, q in zip(leaf_index, qty, strict=True)],
            assets=[AssetOpening(asset_id=k, balance=b) for k, b in zip(asset_id, balance, strict=True)],
            salt=str(member.salt), account_commitment=str(figures.account_commitment),
            initial_margin=str(figures.initial_margin), maintenance_margin=str(figures.maintenance_margin),
            collateral=str(figures.collateral), equity=str(figures.equity), leaf=str(leaves[index]),
            siblings=[[str(x) for x in level] for level in tree.path(index)], accounts_root=str(tree.root))
        write_private(receipts / receipt_name(member), to_json(receipt))
    return statement


def check_apart(out: Path, private: Path) -> tuple[Path, Path]:
    """Both folders resolved; :class:`InputError` when one lies inside the other: receipts and salts never go into
    the published folder."""
    out, private = out.resolve(), private.resolve()
    if out == private or out in private.parents or private in out.parents:
        raise InputError(f"the private folder {private} and the published folder {out} must be apart: receipts and "
                         "salts never go into the published folder", field="--private")
    return out, private


def receipt_name(member: VenueAccount) -> str:
    """The receipt's file name: ``<id>-<account name>.json`` (the name made file-safe)."""
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in member.account.name)[:60]
    return f"{member.account_id}-{safe}.json"
