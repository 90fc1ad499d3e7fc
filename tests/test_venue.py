"""A venue proven end to end on a local Ray instance (2 CPUs), with one worker killed mid-batch; the audit, the
owners' inclusion checks, a resumed run, and the statement's negative tests: each tampering must be caught.

The venue (``scripts/make_venue.py``'s accounts, no book above the ``test`` size, and one market maker's book of
ten positions: :data:`VENUE_ACCOUNTS` in all) is proven once per session under the size ladder :data:`LADDER`, so
the book is proven in chunks with the ``mini`` book circuits; the tampering tests copy its published folder and
change one thing each.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import ray

from zkmargin.cli.common import EXIT_FAILED, EXIT_INPUT, EXIT_OK
from zkmargin.cli.main import main
from zkmargin.constants import FIELD_ORDER
from zkmargin.engine.commitments import ParamsTree, build_params_tree
from zkmargin.engine.errors import InputError
from zkmargin.engine.io import load_market, load_params, load_scenarios
from zkmargin.engine.margin import margin_account
from zkmargin.engine.risk import build_risk_table
from zkmargin.prover.venue import VenuePlan, batch_input, load_venue_accounts, plan_venue, publish
from zkmargin.prover.venue_ray import RunReport, batch_file, run_batches, status_folder
from zkmargin.statement.venue import (
    BATCH_CIRCUIT,
    BATCH_SIZE,
    LeafFigures,
    Totals,
    plan_batches,
    root_of_batches,
)
from zkmargin.statement.venue_records import (
    BATCH_FORMAT,
    RECEIPT_FORMAT,
    STATEMENT_FORMAT,
    InclusionReceiptRecord,
    VenueBatchRecord,
    VenueStatementRecord,
    read_venue_document,
    to_json,
)
from zkmargin.toolchain.keys import setup
from zkmargin.toolchain.witness import WitnessError, calculate_witness
from zkmargin.verifier.groth16 import VerifyingKey, as_verifying_key
from zkmargin.verifier.venue import check_receipt, verify_venue

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"

#: Accounts in the CI venue: 17 generated ones and the book; two batches, the second holding two accounts.
VENUE_ACCOUNTS = 18
#: The book's id: the last account.
BOOK_ID = VENUE_ACCOUNTS
#: The CI venue's sizes: an account of more than 6 positions is proven in chunks (the ``mini`` book holds 12).
LADDER = ("small", "test", "book_mini")

pytestmark = pytest.mark.slow


@dataclass(frozen=True)
class ProvenVenue:
    params: ParamsTree
    plan: VenuePlan
    accounts_file: Path
    out: Path
    private: Path
    statement: VenueStatementRecord
    report: RunReport
    killed_pid: int
    keys: dict[str, VerifyingKey]


@pytest.fixture(scope="session")
def ray_local() -> Iterator[None]:
    """One local Ray instance with 2 CPUs for every test that needs it."""
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, logging_level=logging.ERROR)
    yield
    ray.shutdown()


@pytest.fixture(scope="session")
def params() -> ParamsTree:
    table = build_risk_table(load_market(EXAMPLES / "market.json"), load_scenarios("v2"),
                             load_params(EXAMPLES / "params.json"))
    return build_params_tree(table)


def maker_book() -> dict[str, Any]:
    """A market maker's book of ten positions over two underlyings, three assets posted (the ``mini`` book's
    slots)."""
    whole = json.loads((EXAMPLES / "portfolios" / "market_maker_book.json").read_text())
    collateral = {asset: amount for asset, amount in whole["collateral"].items() if asset != "USDT"}
    return {"account": "maker-ten", "positions": whole["positions"][:10], "collateral": collateral}


def kill_first_worker(private: Path, done: threading.Event) -> int:
    """SIGKILL the first worker seen proving a batch, once its batch has run a few seconds; its pid."""
    folder = status_folder(private)
    while not done.is_set():
        for status in sorted(folder.glob("worker-*.json")) if folder.is_dir() else []:
            try:
                note = json.loads(status.read_text())
            except (OSError, ValueError):
                continue
            if time.time() - note["started"] > 3:
                os.kill(note["pid"], signal.SIGKILL)
                return int(note["pid"])
        time.sleep(0.2)
    return 0


@pytest.fixture(scope="session")
def venue(ray_local: None, params: ParamsTree, tmp_path_factory: pytest.TempPathFactory) -> ProvenVenue:
    """The CI venue proven on Ray with one worker killed mid-batch, then published."""
    base = tmp_path_factory.mktemp("venue")
    accounts_file = base / "accounts.json"
    subprocess.run([sys.executable, str(ROOT / "scripts" / "make_venue.py"), "--accounts", str(VENUE_ACCOUNTS - 1),
                    "--seed", "11", "--no-desks", "--out", str(accounts_file)], check=True, capture_output=True)
    document = json.loads(accounts_file.read_text())
    document["accounts"].append({"id": BOOK_ID, "portfolio": maker_book()})
    accounts_file.write_text(json.dumps(document))
    name, accounts = load_venue_accounts(accounts_file, params)
    plan = plan_venue(name, params, accounts, ladder=LADDER)
    keys = {c: setup(c) for c in plan.circuits()}
    out, private = base / "published", base / "private"
    done = threading.Event()
    killed: list[int] = []
    killer = threading.Thread(target=lambda: killed.append(kill_first_worker(private, done)))
    killer.start()
    try:
        records, report = run_batches(plan, params, private, workers=2)
    finally:
        done.set()
        killer.join()
    statement = publish(plan, params, records, out, private)
    for circuit, artifacts in keys.items():
        (out / "keys").mkdir(exist_ok=True)
        (out / "keys" / f"{circuit}.vkey.json").write_text(artifacts.vkey.read_text())
    vkeys = {c: as_verifying_key(json.loads(a.vkey.read_text())) for c, a in keys.items()}
    return ProvenVenue(params, plan, accounts_file, out, private, statement, report, killed[0], vkeys)


def copy_published(venue: ProvenVenue, tmp_path: Path) -> Path:
    folder = tmp_path / "published"
    shutil.copytree(venue.out, folder)
    return folder


def rewrite_batch(folder: Path, index: int, change: Any) -> None:
    """Change batch file ``index`` with ``change(data)`` and update its sha256 in the statement, as a venue that
    publishes a forged batch would."""
    path = folder / "batches" / f"batch-{index:05d}.json"
    data = json.loads(path.read_text())
    change(data)
    text = json.dumps(data, indent=2) + "\n"
    path.write_text(text)
    statement = json.loads((folder / "statement.json").read_text())
    statement["batches"][index]["sha256"] = hashlib.sha256(text.encode()).hexdigest()
    (folder / "statement.json").write_text(json.dumps(statement, indent=2) + "\n")


def audit(folder: Path, venue: ProvenVenue) -> list[str]:
    statement: VenueStatementRecord = read_venue_document(folder / "statement.json", STATEMENT_FORMAT)
    return verify_venue(statement, folder, venue.keys, params_root=venue.params.params_root).failures


# ---------------------------------------------------------------------------------------------- the honest venue


def test_the_venue_is_proven_despite_a_killed_worker(venue: ProvenVenue) -> None:
    assert venue.killed_pid > 0, "no worker was seen proving a batch"
    assert venue.report.proven == len(venue.plan.batches) == -(-VENUE_ACCOUNTS // BATCH_SIZE)
    with pytest.raises(ProcessLookupError):
        os.kill(venue.killed_pid, 0)


def test_totals_are_the_engines_sums(venue: ProvenVenue) -> None:
    """The published totals equal the engine's per-account figures summed here, independently of the plan."""
    _, accounts = load_venue_accounts(venue.accounts_file, venue.params)
    results = [margin_account(venue.params.table, account) for _, account in accounts]
    t = venue.statement.totals
    assert venue.statement.accounts == VENUE_ACCOUNTS
    assert int(t.initial_margin) == sum(r.initial_margin for r in results)
    assert int(t.maintenance_margin) == sum(r.maintenance_margin for r in results)
    assert int(t.collateral) == sum(r.collateral_value for r in results)
    assert int(t.equity) == sum(max(r.equity, 0) for r in results)
    assert t.insolvent == sum(not r.solvent for r in results)
    assert int(t.shortfall) == sum(r.maintenance_margin - r.equity for r in results if not r.solvent)


def test_the_audit_passes(venue: ProvenVenue, capsys: pytest.CaptureFixture[str]) -> None:
    assert audit(venue.out, venue) == []
    code = main(["venue", "audit", "--statement", str(venue.out / "statement.json"), "--market",
                 str(EXAMPLES / "market.json"), "--params", str(EXAMPLES / "params.json"), "--allow-insecure"])
    out = capsys.readouterr().out
    assert code == EXIT_OK, out
    assert "AUDIT PASSED" in out and "INSECURE KEYS" in out


def test_the_audit_refuses_dev_keys_without_allow_insecure(venue: ProvenVenue,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["venue", "audit", "--statement", str(venue.out / "statement.json"), "--market",
                 str(EXAMPLES / "market.json"), "--params", str(EXAMPLES / "params.json")])
    assert code == EXIT_INPUT
    assert "refused" in capsys.readouterr().err


def test_every_owner_finds_its_account(venue: ProvenVenue) -> None:
    receipts = sorted((venue.private / "receipts").glob("*.json"))
    assert len(receipts) == VENUE_ACCOUNTS
    verdict = verify_venue(venue.statement, venue.out, venue.keys)
    for path in receipts:
        receipt: InclusionReceiptRecord = read_venue_document(path, RECEIPT_FORMAT)
        assert check_receipt(receipt, venue.statement, verdict.batches) == [], path
    assert not any(venue.out.rglob("*receipt*")) and not (venue.out / "plan.json").exists()
    assert oct(receipts[0].stat().st_mode & 0o777) == "0o600"


def check_inclusion_argv(venue: ProvenVenue, account_id: int, own: Path) -> list[str]:
    """``zkmargin venue check-inclusion`` of account ``account_id``'s receipt against the owner's portfolio file."""
    receipt = next((venue.private / "receipts").glob(f"{account_id}-*.json"))
    return ["venue", "check-inclusion", "--receipt", str(receipt), "--statement", str(venue.out / "statement.json"),
            "--account", str(own), "--market", str(EXAMPLES / "market.json"), "--params",
            str(EXAMPLES / "params.json"), "--allow-insecure"]


def test_check_inclusion_with_the_owners_portfolio(venue: ProvenVenue, tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    entry = json.loads(venue.accounts_file.read_text())["accounts"][3]
    own = tmp_path / "mine.json"
    own.write_text(json.dumps(entry["portfolio"]))
    argv = check_inclusion_argv(venue, entry["id"], own)
    assert main(argv) == EXIT_OK, capsys.readouterr().out
    assert "INCLUDED" in capsys.readouterr().out
    other = json.loads(venue.accounts_file.read_text())["accounts"][4]["portfolio"]
    own.write_text(json.dumps(other))
    assert main(argv) == EXIT_FAILED
    assert "not your positions" in capsys.readouterr().out


def test_the_book_is_proven_in_chunks_and_its_owner_finds_it(venue: ProvenVenue, tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    verdict = verify_venue(venue.statement, venue.out, venue.keys)
    book = verdict.batches[-1].accounts[-1]
    assert (book.index, book.size, len(book.chunks)) == (BOOK_ID - 1, "book_mini", 3)  # 10 positions, 4 a chunk
    assert len(book.proof.public_signals) == 2 + 3 and int(book.proof.public_signals[-1]) != 0
    assert all(len(a.chunks) == 0 for batch in verdict.batches for a in batch.accounts if a is not book)
    own = tmp_path / "mine.json"
    own.write_text(json.dumps(maker_book()))
    assert main(check_inclusion_argv(venue, BOOK_ID, own)) == EXIT_OK, capsys.readouterr().out
    assert "INCLUDED" in capsys.readouterr().out


def book_entry(data: dict[str, Any]) -> dict[str, Any]:
    """The book's entry in the last batch file's JSON."""
    entry: dict[str, Any] = data["accounts"][-1]
    assert entry["size"] == "book_mini"
    return entry


def test_a_book_without_one_of_its_chunk_proofs_is_caught(venue: ProvenVenue, tmp_path: Path) -> None:
    folder = copy_published(venue, tmp_path)
    rewrite_batch(folder, len(venue.plan.batches) - 1, lambda data: book_entry(data)["chunks"].pop(1))
    failures = audit(folder, venue)
    assert any("it links 3 chunks and carries 2 chunk proofs" in f for f in failures), failures


def test_a_chunk_proof_of_another_link_is_caught(venue: ProvenVenue, tmp_path: Path) -> None:
    folder = copy_published(venue, tmp_path)

    def swap(data: dict[str, Any]) -> None:
        chunks = book_entry(data)["chunks"]
        chunks[0], chunks[1] = chunks[1], chunks[0]

    rewrite_batch(folder, len(venue.plan.batches) - 1, swap)
    failures = audit(folder, venue)
    assert any("chunk 0's proof is not for [params_root, chunk_link[0]]" in f for f in failures), failures


def test_a_book_whose_chunk_link_is_changed_does_not_verify(venue: ProvenVenue, tmp_path: Path) -> None:
    folder = copy_published(venue, tmp_path)

    def relink(data: dict[str, Any]) -> None:
        entry = book_entry(data)
        entry["proof"]["publicSignals"][2] = str(int(entry["proof"]["publicSignals"][2]) + 1)
        entry["chunks"][0]["publicSignals"][1] = entry["proof"]["publicSignals"][2]

    rewrite_batch(folder, len(venue.plan.batches) - 1, relink)
    failures = audit(folder, venue)
    assert any(f"the proof of account index {BOOK_ID - 1} does not verify" in f for f in failures), failures
    assert any(f"chunk 0's proof of account index {BOOK_ID - 1} does not verify" in f for f in failures), failures


def test_a_resumed_run_proves_only_the_missing_batch(venue: ProvenVenue, tmp_path: Path) -> None:
    private = tmp_path / "private"
    shutil.copytree(venue.private, private)
    last = len(venue.plan.batches) - 1
    batch_file(private, last).unlink()
    plan = plan_venue(venue.plan.name, venue.params, load_venue_accounts(venue.accounts_file, venue.params)[1],
                      venue.plan.record, ladder=LADDER)
    records, report = run_batches(plan, venue.params, private, workers=2)
    assert (report.proven, report.resumed) == (1, last)
    statement = publish(plan, venue.params, records, tmp_path / "out", private)
    assert statement.accounts_root == venue.statement.accounts_root and statement.totals == venue.statement.totals


# ---------------------------------------------------------------------------------------------- tampering


def test_an_account_left_out_is_caught(venue: ProvenVenue, tmp_path: Path) -> None:
    folder = copy_published(venue, tmp_path)
    rewrite_batch(folder, 0, lambda data: data["accounts"].pop(5))
    failures = audit(folder, venue)
    assert any("its root is not the tree" in f for f in failures), failures
    assert any("proves 16 accounts, its file holds 15" in f for f in failures), failures


def test_an_owner_left_out_of_the_tree_sees_it(venue: ProvenVenue, tmp_path: Path) -> None:
    """A statement of the venue without one account: that account's receipt no longer checks."""
    receipt: InclusionReceiptRecord = read_venue_document(
        next((venue.private / "receipts").glob("1-*.json")), RECEIPT_FORMAT)
    figures = [m.figures for m in venue.plan.accounts[1:]]
    plans = plan_batches(figures, [7] * -(-len(figures) // BATCH_SIZE))
    other_root = root_of_batches([p.signals().batch_root for p in plans])
    statement = venue.statement.model_copy(update={"accounts_root": str(other_root)})
    failures = check_receipt(receipt, statement, verify_venue(venue.statement, venue.out, venue.keys).batches)
    assert any("not under accounts_root" in f for f in failures), failures


def test_a_duplicated_account_is_refused(venue: ProvenVenue, tmp_path: Path) -> None:
    """The same account under its id twice: the input is refused, and the batch circuit has no witness for a
    repeated id; a batch file that repeats an account proof fails the audit."""
    data = json.loads(venue.accounts_file.read_text())
    data["accounts"].append(data["accounts"][0])
    doubled = tmp_path / "doubled.json"
    doubled.write_text(json.dumps(data))
    with pytest.raises(InputError, match="account id 1 is also"):
        load_venue_accounts(doubled, venue.params)

    batch = venue.plan.batches[0]
    inputs = batch_input(batch)
    inputs["account_id"][1] = inputs["account_id"][0]
    with pytest.raises(WitnessError, match="Assert Failed"):
        calculate_witness(setup(BATCH_CIRCUIT).circuit, inputs)

    folder = copy_published(venue, tmp_path)
    rewrite_batch(folder, 0, lambda d: d["accounts"].__setitem__(2, dict(d["accounts"][1], index=2)))
    assert any("its root is not the tree" in f for f in audit(folder, venue))


def test_a_leaf_outside_every_batch_range_is_caught(venue: ProvenVenue) -> None:
    path = next((venue.private / "receipts").glob(f"{VENUE_ACCOUNTS}-*.json"))
    receipt: InclusionReceiptRecord = read_venue_document(path, RECEIPT_FORMAT)
    moved = receipt.model_copy(update={"index": VENUE_ACCOUNTS + 1})
    failures = check_receipt(moved, venue.statement, verify_venue(venue.statement, venue.out, venue.keys).batches)
    assert any("outside every proven batch" in f for f in failures), failures


def test_batches_whose_totals_do_not_chain_are_caught(venue: ProvenVenue, tmp_path: Path) -> None:
    folder = copy_published(venue, tmp_path)
    genesis = Totals().commitment(0)

    def restart(data: dict[str, Any]) -> None:
        data["batch"]["publicSignals"][3] = str(genesis)  # batch 1 claims to start from the empty venue

    rewrite_batch(folder, 1, restart)
    failures = audit(folder, venue)
    assert any("batch 1's totals do not chain" in f for f in failures), failures
    assert any("batch 1's proof does not verify" in f for f in failures), failures


def test_a_fake_account_with_negative_equity_offsets_nothing(venue: ProvenVenue) -> None:
    """A fake account in debt adds to the insolvent count and shortfall, never lowers the equity total; and a batch
    that would subtract its debt from the equity total has no witness."""
    honest = [m.figures for m in venue.plan.accounts[:4]]
    fake = LeafFigures(99, 12345, 10**9, 8 * 10**8, 0, -(5 * 10**12))
    with_fake = plan_batches([*honest, fake], [3])[0]
    without = plan_batches(honest, [3])[0]
    assert with_fake.after.equity == without.after.equity
    assert with_fake.after.insolvent == without.after.insolvent + 1
    assert with_fake.after.shortfall == without.after.shortfall + fake.maintenance_margin - fake.equity

    inputs = batch_input(with_fake)
    offset = dataclasses.replace(with_fake.after, equity=with_fake.after.equity + fake.equity)
    inputs["chain_after"] = offset.commitment(with_fake.salt_after)
    with pytest.raises(WitnessError, match="Assert Failed"):
        calculate_witness(setup(BATCH_CIRCUIT).circuit, inputs)


def test_an_insolvent_account_marked_solvent_has_no_witness(venue: ProvenVenue) -> None:
    honest = [m.figures for m in venue.plan.accounts[:3]]
    broke = LeafFigures(50, 777, 4 * 10**9, 3 * 10**9, 10**9, 10**9)  # equity 1,000 < MM 3,000
    plan = plan_batches([*honest, broke], [5])[0]
    assert plan.after.insolvent == plan.before.insolvent + sum(f.insolvent for f in honest) + 1
    hidden = dataclasses.replace(plan.after, insolvent=plan.after.insolvent - 1,
                                 shortfall=plan.after.shortfall - broke.shortfall)
    inputs = batch_input(plan)
    inputs["chain_after"] = hidden.commitment(plan.salt_after)
    with pytest.raises(WitnessError, match="Assert Failed"):
        calculate_witness(setup(BATCH_CIRCUIT).circuit, inputs)
    assert calculate_witness(setup(BATCH_CIRCUIT).circuit, batch_input(plan))  # the honest one has a witness


@pytest.mark.parametrize("field, value", [("im", 1 << 96), ("collateral", 1 << 96), ("mm", 1 << 128),
                                          ("equity", FIELD_ORDER - (1 << 100)), ("account_id", 1 << 64)])
def test_out_of_range_leaf_values_have_no_witness(venue: ProvenVenue, field: str, value: int) -> None:
    """A leaf whose hashed figure lies outside its range (the packed-field forgery of Binance's audit finding) is
    rejected by the batch that reads it, even with every hash consistent."""
    base = venue.plan.accounts[0].figures
    names = {"im": "initial_margin", "mm": "maintenance_margin", "collateral": "collateral", "equity": "equity",
             "account_id": "account_id"}
    raw = value if field != "equity" else value - FIELD_ORDER
    figures = dataclasses.replace(base, **{names[field]: raw})
    plan = plan_batches([figures], [9])[0]
    with pytest.raises(WitnessError, match="Assert Failed"):
        calculate_witness(setup(BATCH_CIRCUIT).circuit, batch_input(plan))


def test_a_batch_root_that_does_not_bind_its_leaves_is_caught(venue: ProvenVenue, tmp_path: Path) -> None:
    folder = copy_published(venue, tmp_path)
    stranger = str(venue.plan.accounts[-1].figures.leaf())
    rewrite_batch(folder, 0, lambda d: d["accounts"][0]["proof"]["publicSignals"].__setitem__(1, stranger))
    failures = audit(folder, venue)
    assert any("its root is not the tree" in f for f in failures), failures
    assert any("account index 0 does not verify" in f for f in failures), failures


@pytest.mark.parametrize("change, message", [
    (lambda r: {"initial_margin": str(int(r.initial_margin) - 1)}, "leaf does not open"),
    (lambda r: {"salt": str(int(r.salt) + 1)}, "commitment does not open"),
    (lambda r: {"siblings": [[r.siblings[0][1], r.siblings[0][0], r.siblings[0][2]], *r.siblings[1:]]},
     "not under accounts_root"),
    (lambda r: {"batch": r.batch + 1}, "names batch"),
])
def test_a_tampered_receipt_is_caught(venue: ProvenVenue, change: Any, message: str) -> None:
    receipt: InclusionReceiptRecord = read_venue_document(
        next((venue.private / "receipts").glob("2-*.json")), RECEIPT_FORMAT)
    tampered = receipt.model_copy(update=change(receipt))
    failures = check_receipt(tampered, venue.statement, verify_venue(venue.statement, venue.out, venue.keys).batches)
    assert any(message in f for f in failures), failures


@pytest.mark.parametrize("change, message", [
    (lambda s: {"totals": s.totals.model_copy(update={"equity": str(int(s.totals.equity) + 1)})}, "published totals"),
    (lambda s: {"totals": s.totals.model_copy(update={"insolvent": s.totals.insolvent + 1})}, "published totals"),
    (lambda s: {"accounts": s.accounts + 1}, "the statement says"),
    (lambda s: {"accounts_root": str(int(s.accounts_root) + 1)}, "accounts_root is not"),
    (lambda s: {"params_root": str(int(s.params_root) + 1)}, "params_root"),
])
def test_a_statement_that_differs_from_its_proofs_is_caught(venue: ProvenVenue, tmp_path: Path, change: Any,
                                                            message: str) -> None:
    folder = copy_published(venue, tmp_path)
    tampered = venue.statement.model_copy(update=change(venue.statement))
    (folder / "statement.json").write_text(to_json(tampered))
    failures = audit(folder, venue)
    assert any(message in f for f in failures), failures


def test_a_tampered_batch_file_is_caught(venue: ProvenVenue, tmp_path: Path) -> None:
    folder = copy_published(venue, tmp_path)
    path = folder / "batches" / "batch-00000.json"
    record: VenueBatchRecord = read_venue_document(path, BATCH_FORMAT)
    path.write_text(path.read_text().replace(record.batch.proof.pi_a[0], str(int(record.batch.proof.pi_a[0]) + 1)))
    assert any("is not the file the statement lists" in f for f in audit(folder, venue))


# ---------------------------------------------------------------------------------------------- doors


@pytest.mark.parametrize("argv, message", [
    (["venue", "prove", "--accounts", "missing.json", "--market", "M", "--params", "P", "--out", "o", "--private",
      "p"], "no such file or folder"),
    (["venue", "audit", "--statement", "missing.json", "--market", "M", "--params", "P"], "no such file"),
    (["venue", "check-inclusion", "--receipt", "missing.json", "--statement", "s.json"], "no such file"),
    (["venue", "prove", "--accounts", ".", "--market", "M", "--params", "P", "--out", "o", "--private", "p",
      "--workers", "0"], "--workers must be at least 1"),
])
def test_bad_input_is_one_line(argv: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == EXIT_INPUT
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1 and "Traceback" not in err


def test_a_statement_file_of_another_kind_is_one_line(venue: ProvenVenue, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["venue", "audit", "--statement", str(venue.accounts_file), "--market", str(EXAMPLES / "market.json"),
                 "--params", str(EXAMPLES / "params.json")])
    assert code == EXIT_INPUT
    assert "not a venue statement" in capsys.readouterr().err


def test_an_account_too_large_for_every_venue_size_is_named(params: ParamsTree, tmp_path: Path) -> None:
    folder = tmp_path / "accounts"
    folder.mkdir()
    shutil.copy(EXAMPLES / "portfolios" / "market_maker_book.json", folder / "a.json")
    _, accounts = load_venue_accounts(folder, params)
    assert plan_venue("v", params, accounts).accounts[0].size_name == "book_large"  # 244 positions in chunks
    with pytest.raises(InputError, match=r"fits no venue size \(the largest is book_mini\)"):
        plan_venue("v", params, accounts, ladder=LADDER)
