"""Check a venue's solvency statement and an account's inclusion in it, in Python (no Node).

A statement is valid when

* its batch files are the ones it lists (sha256), numbered 0 .. n-1;
* batch ``b`` covers indices ``[b * B, b * B + count)``, every batch but the last is full, and the counts add up to
  the statement's account count: every index below it lies in exactly one batch;
* each account proof's public signals are ``[params_root, leaf]`` with the statement's ``params_root``, and the
  batch proof's ``batch_root`` is the tree of its accounts' leaves, in index order;
* a book-size account's proof carries its M chunk links after the leaf: its used chunks (nonzero links) come
  first, and each has one chunk proof with public signals ``[params_root, link]``;
* the first batch starts from the empty venue's totals commitment and each next one from its predecessor's;
* the last commitment opens, with the published salt, to the published account count, last id and totals;
* the account root is the tree of the batch roots;
* every proof verifies under the auditor's keys (batch-verified per key).

Everything is decided from the proofs, the keys and the public signals, never from a label in the files.

:func:`batch_proofs_commitment` is what ``VenueRegistry`` records of the batch files (``verifier/venue_onchain.py``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from zkmargin.statement.commitments import account_commitment, book_commitment_of_slots
from zkmargin.statement.merkle4 import MerkleError, root_from_path
from zkmargin.statement.records import RecordError
from zkmargin.statement.venue import (
    BATCH_CIRCUIT,
    BATCH_SIZE,
    BatchSignals,
    LeafFigures,
    Totals,
    VenueError,
    account_circuit,
    account_signal_count,
    batch_root,
    book_size_of,
    chunk_circuit,
    genesis_chain,
    root_of_batches,
)
from zkmargin.statement.venue_records import (
    BATCH_FORMAT,
    AccountProofRecord,
    InclusionReceiptRecord,
    VenueBatchRecord,
    VenueStatementRecord,
    read_venue_document,
)
from zkmargin.verifier.groth16 import VerifyingKey, verify_batch

#: The batch circuit's key name; a venue size ``s`` has the key ``venue_<s>``, and a book size's chunks
#: ``chunk_<name>``.
BATCH_KEY = BATCH_CIRCUIT

#: The checks of an audit, in the order they are reported; each failure belongs to one.
PARAMS = "params_root recomputed from the market and params"
PROOFS = "every proof verifies (Python, batched per key)"
FILES = "batch files are the listed ones"
RANGES = "contiguous ranges, full batches, account count"
LEAVES = "batch roots bind their account proofs' leaves"
CHAIN = "the totals chain from the empty venue"
TOTALS = "published totals open the last commitment"
ROOT = "accounts_root is the tree of the batches"
CHECKS = (PARAMS, PROOFS, FILES, RANGES, LEAVES, CHAIN, TOTALS, ROOT)


@dataclass
class VenueVerdict:
    """The audit of a statement: ``failures`` says what failed, in order (empty when valid), ``by_check`` the same
    grouped by check (:data:`CHECKS`)."""

    failures: list[str] = field(default_factory=list)
    by_check: dict[str, list[str]] = field(default_factory=dict)
    batches: list[VenueBatchRecord] = field(default_factory=list)
    proofs: int = 0

    @property
    def valid(self) -> bool:
        return not self.failures

    def fail(self, check: str, message: str) -> None:
        """Record a failure of ``check`` (one of :data:`CHECKS`)."""
        self.failures.append(message)
        self.by_check.setdefault(check, []).append(message)


def statement_totals(statement: VenueStatementRecord) -> Totals:
    """The totals a statement publishes, as the last commitment holds them."""
    t = statement.totals
    return Totals(statement.accounts, statement.last_account_id, int(t.initial_margin), int(t.maintenance_margin),
                  int(t.collateral), int(t.equity), t.insolvent, int(t.shortfall))


def batch_proofs_commitment(statement: VenueStatementRecord) -> bytes:
    """The 32-byte commitment to a statement's batch files that ``VenueRegistry.registerEpoch`` records.

    ``sha256(d_0 || d_1 || ... || d_{n-1})`` where ``d_b`` is the 32-byte sha256 digest of batch file ``b``, as the
    statement lists it (``batches[b].sha256``), in the statement's order.  Each digest has a fixed length, so the
    concatenation is unambiguous; a batch file holds the batch proof and its accounts' proofs, so the commitment
    binds the on-chain record to every proof of the statement.  Anyone recomputes it from ``statement.json`` alone;
    :func:`load_batches` checks the files against the digests.
    """
    return hashlib.sha256(b"".join(bytes.fromhex(entry.sha256) for entry in statement.batches)).digest()


def load_batches(statement: VenueStatementRecord, folder: Path, verdict: VenueVerdict) -> list[VenueBatchRecord]:
    """The statement's batch files, checked against their listed sha256; failures go to ``verdict``."""
    records: list[VenueBatchRecord] = []
    for position, entry in enumerate(statement.batches):
        if entry.index != position:
            verdict.fail(FILES, f"the statement lists batch {entry.index} in place {position}: batches must be "
                                "numbered 0, 1, ... in order")
            continue
        path = folder / entry.file
        if not path.is_file():
            verdict.fail(FILES, f"batch {position}: {entry.file} is missing")
            continue
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        if digest != entry.sha256:
            verdict.fail(FILES, f"batch {position}: {entry.file} is not the file the statement lists (sha256)")
            continue
        try:
            record: VenueBatchRecord = read_venue_document(path, BATCH_FORMAT)
        except RecordError as exc:
            verdict.fail(FILES, f"batch {position}: {exc}")
            continue
        records.append(record)
    return records


def check_structure(statement: VenueStatementRecord, batches: list[VenueBatchRecord], verdict: VenueVerdict) -> None:
    """Ranges, leaves, batch roots, the totals chain, the account count and root (no pairing)."""
    params_root = int(statement.params_root)
    if statement.batch_size != BATCH_SIZE:
        verdict.fail(RANGES, f"the statement's batch size is {statement.batch_size}; the batch circuit's is "
                             f"{BATCH_SIZE}")
        return
    chain = genesis_chain()
    roots: list[int] = []
    counted = 0
    for b, record in enumerate(batches):
        try:
            signals = BatchSignals.from_values([int(s) for s in record.batch.public_signals])
        except VenueError as exc:
            verdict.fail(RANGES, f"batch {b}: {exc}")
            return
        if record.index != b:
            verdict.fail(FILES, f"batch file {b} holds batch {record.index}")
        if signals.first_index != b * BATCH_SIZE:
            verdict.fail(RANGES, f"batch {b} starts at index {signals.first_index}, not {b * BATCH_SIZE}: the "
                                 "ranges are not contiguous")
        if signals.count != len(record.accounts):
            verdict.fail(RANGES, f"batch {b} proves {signals.count} accounts, its file holds "
                                 f"{len(record.accounts)} account proofs")
        last = b == len(batches) - 1
        if not last and signals.count != BATCH_SIZE:
            verdict.fail(RANGES, f"batch {b} holds {signals.count} accounts; every batch but the last holds "
                                 f"{BATCH_SIZE}")
        if signals.chain_before != chain:
            verdict.fail(CHAIN, f"batch {b}'s totals do not chain: it starts from a commitment that is not "
                                + ("the empty venue's" if b == 0 else f"batch {b - 1}'s result"))
        leaves: list[int] = []
        for offset, account in enumerate(record.accounts):
            where = f"batch {b}, account index {signals.first_index + offset}"
            values = [int(s) for s in account.proof.public_signals]
            if account.index != signals.first_index + offset:
                verdict.fail(RANGES, f"{where}: the file says index {account.index}")
            if len(values) != account_signal_count(account.size) or values[0] != params_root:
                verdict.fail(LEAVES, f"{where}: the proof's public signals are not [params_root, leaf] (and a "
                                     "book's chunk links) with the statement's params_root")
                continue
            for problem in chunk_problems(account, values[2:], params_root):
                verdict.fail(LEAVES, f"{where}: {problem}")
            leaves.append(values[1])
        try:
            if batch_root(leaves) != signals.batch_root:
                verdict.fail(LEAVES, f"batch {b}: its root is not the tree of its account proofs' leaves")
        except VenueError as exc:
            verdict.fail(RANGES, f"batch {b}: {exc}")
        chain = signals.chain_after
        roots.append(signals.batch_root)
        counted += signals.count
    if counted != statement.accounts:
        verdict.fail(RANGES, f"the batches prove {counted} accounts; the statement says {statement.accounts}")
    if statement_totals(statement).commitment(int(statement.final_salt)) != chain:
        verdict.fail(TOTALS, "the published totals are not the ones the proofs committed to (the last batch's "
                             "totals commitment does not open to them)")
    if roots and root_of_batches(roots) != int(statement.accounts_root):
        verdict.fail(ROOT, "accounts_root is not the tree of the batch roots")


def chunk_problems(account: AccountProofRecord, links: list[int], params_root: int) -> list[str]:
    """What is wrong with an account proof's chunks: a book size's used chunks (nonzero links) must come first and
    each have one chunk proof ``[params_root, link]``, in order; an account size has no links and no chunks."""
    if book_size_of(account.size) is None:
        return ["an account size has no chunk proofs"] if account.chunks else []
    used = next((i for i, link in enumerate(links) if link == 0), len(links))
    problems = []
    if any(links[used:]):
        problems.append("its chunk links do not put the used chunks first")
    if len(account.chunks) != used:
        problems.append(f"it links {used} chunks and carries {len(account.chunks)} chunk proofs")
    for i, (chunk, link) in enumerate(zip(account.chunks, links, strict=False)):
        if [int(s) for s in chunk.public_signals] != [params_root, link]:
            problems.append(f"chunk {i}'s proof is not for [params_root, chunk_link[{i}]]")
    return problems


def check_proofs(batches: list[VenueBatchRecord], keys: Mapping[str, VerifyingKey], verdict: VenueVerdict) -> None:
    """Verify every batch, account and chunk proof under ``keys`` (``venue_batch``, ``venue_<size>``,
    ``chunk_<name>``)."""
    groups: dict[str, list[tuple[str, tuple[dict[str, object], list[int]]]]] = {}
    for record in batches:
        groups.setdefault(BATCH_KEY, []).append(
            (f"batch {record.index}'s proof", (record.batch.snarkjs_proof(),
                                               [int(s) for s in record.batch.public_signals])))
        for account in record.accounts:
            groups.setdefault(account_circuit(account.size), []).append(
                (f"the proof of account index {account.index}",
                 (account.proof.snarkjs_proof(), [int(s) for s in account.proof.public_signals])))
            chunk_key = chunk_circuit(account.size)
            if chunk_key is None:
                continue  # chunk proofs beside an account size are a structure failure (chunk_problems)
            for i, chunk in enumerate(account.chunks):
                groups.setdefault(chunk_key, []).append(
                    (f"chunk {i}'s proof of account index {account.index}",
                     (chunk.snarkjs_proof(), [int(s) for s in chunk.public_signals])))
    for name, items in groups.items():
        if name not in keys:
            verdict.fail(PROOFS, f"no verification key for circuit {name} ({len(items)} proofs)")
            continue
        results = verify_batch(keys[name], [item for _, item in items])
        verdict.proofs += len(items)
        for (what, _), result in zip(items, results, strict=True):
            if not result.ok:
                verdict.fail(PROOFS, f"{what} does not verify under the {name} key")


def verify_venue(statement: VenueStatementRecord, folder: Path, keys: Mapping[str, VerifyingKey], *,
                 params_root: int | None = None) -> VenueVerdict:
    """Audit a statement whose batch files lie in ``folder`` (see the module docstring); ``params_root`` is the
    root the auditor computed from the published parameters, when given."""
    verdict = VenueVerdict()
    if params_root is not None and params_root != int(statement.params_root):
        verdict.fail(PARAMS, "params_root is not the root of the given market and params")
    batches = load_batches(statement, folder, verdict)
    verdict.batches = batches
    if len(batches) == len(statement.batches):
        check_structure(statement, batches, verdict)
    check_proofs(batches, keys, verdict)
    return verdict


def check_receipt(receipt: InclusionReceiptRecord, statement: VenueStatementRecord,
                  batches: list[VenueBatchRecord]) -> list[str]:
    """What is wrong with an account's inclusion (empty when it is included as the receipt says): the leaf opens
    to the receipt's positions, collateral and figures; its path leads to ``accounts_root``; its index lies in a
    proven batch's range, where that batch's account proof has this leaf."""
    failures: list[str] = []
    if receipt.epoch != statement.epoch or receipt.venue != statement.venue:
        failures.append("the receipt is for another venue or epoch")
    if int(receipt.accounts_root) != int(statement.accounts_root):
        failures.append("the receipt's accounts_root is not the statement's")
    opening = ([p.leaf_index for p in receipt.positions], [p.qty for p in receipt.positions],
               [a.asset_id for a in receipt.assets], [a.balance for a in receipt.assets], int(receipt.salt))
    book = book_size_of(receipt.size)
    commitment = (account_commitment(*opening) if book is None
                  else book_commitment_of_slots(*opening, chunk_positions=book.chunk_positions))
    if commitment != int(receipt.account_commitment):
        failures.append("the account commitment does not open to the receipt's positions and collateral")
    figures = LeafFigures(receipt.account_id, commitment, int(receipt.initial_margin),
                          int(receipt.maintenance_margin), int(receipt.collateral), int(receipt.equity))
    leaf = figures.leaf()
    if leaf != int(receipt.leaf):
        failures.append("the leaf does not open to the receipt's id, commitment and figures")
    try:
        if root_from_path(leaf, receipt.index, [[int(x) for x in level] for level in receipt.siblings]) != int(
                statement.accounts_root):
            failures.append(f"the leaf at index {receipt.index} with the receipt's path is not under accounts_root")
    except MerkleError as exc:
        failures.append(f"the receipt's Merkle path is malformed: {exc}")
    if not 0 <= receipt.index < statement.accounts:
        failures.append(f"index {receipt.index} lies outside every proven batch (the venue proves indices 0 to "
                        f"{statement.accounts - 1})")
        return failures
    b = receipt.index // BATCH_SIZE
    if receipt.batch != b:
        failures.append(f"the receipt names batch {receipt.batch}; index {receipt.index} lies in batch {b}")
    if b >= len(batches):
        failures.append(f"batch {b} is not in the statement")
        return failures
    accounts = batches[b].accounts
    offset = receipt.index - b * BATCH_SIZE
    if offset >= len(accounts) or int(accounts[offset].proof.public_signals[1]) != leaf:
        failures.append(f"batch {b}'s proof for index {receipt.index} is not for this leaf")
    return failures
