"""``zkmargin venue`` subcommands: ``prove`` (the venue), ``audit`` (anyone) and ``check-inclusion`` (an account's
owner)."""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

from zkmargin.cli.common import EXIT_FAILED, EXIT_OK, add_market_args, check_input_file, load_table
from zkmargin.cli.progress import Steps
from zkmargin.cli.verify import KeyInUse, load_key
from zkmargin.constants import VENUE_CIRCUIT_PREFIX, format_money
from zkmargin.engine.account import encode_account
from zkmargin.engine.commitments import asset_slots, build_params_tree, slots
from zkmargin.engine.errors import InputError
from zkmargin.engine.io import load_portfolio
from zkmargin.engine.margin import margin_account
from zkmargin.prover.venue import check_apart, load_venue_accounts, plan_venue, publish, read_plan
from zkmargin.prover.venue_ray import VenueRunError, plural, run_batches
from zkmargin.statement.records import write_private
from zkmargin.statement.signals import CHUNK_PUBLIC_SIGNAL_NAMES, hex64
from zkmargin.statement.sizes import BOOK_SIZES, SIZES
from zkmargin.statement.venue import (
    BATCH_CIRCUIT,
    VENUE_BATCH_SIGNALS,
    account_circuit,
    account_signal_count,
    book_size_of,
    is_venue_size,
)
from zkmargin.statement.venue_records import (
    RECEIPT_FORMAT,
    STATEMENT_FORMAT,
    InclusionReceiptRecord,
    VenueStatementRecord,
    read_venue_document,
    to_json,
)
from zkmargin.toolchain.keys import SetupError, setup
from zkmargin.verifier.groth16 import VerifyingKey
from zkmargin.verifier.venue import CHECKS, PROOFS, check_receipt, verify_venue

INSECURE_KEYS = ("[bold red]INSECURE KEYS[/bold red]: {reason}. Proofs that verify under them prove nothing.")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``zkmargin venue prove|audit|check-inclusion``."""
    venue = sub.add_parser("venue", help="venue-wide solvency: prove every account, audit, check inclusion")
    inner = venue.add_subparsers(dest="venue_command", required=True, metavar="STEP", parser_class=type(venue))

    p = inner.add_parser("prove", help="prove every account of a venue into one account tree, on Ray")
    p.add_argument("--accounts", type=Path, required=True,
                   help="a zkmargin-venue-accounts file, or a folder of portfolio files (ids 1, 2, ... by file name)")
    add_market_args(p)
    p.add_argument("--out", type=Path, required=True, help="the folder to publish: statement.json, batches/, keys/")
    p.add_argument("--private", type=Path, required=True,
                   help="the venue's private folder: the plan with every salt, finished batches (a rerun resumes), "
                        "and receipts/ with one inclusion receipt per account, for its owner only")
    where = p.add_mutually_exclusive_group()
    where.add_argument("--workers", type=int, default=None,
                       help="Ray workers, one CPU each (default: this machine's CPUs, or the cluster's)")
    where.add_argument("--ray", default=None, metavar="ADDRESS", help="run on the Ray cluster at ADDRESS")
    p.set_defaults(handler=cmd_prove)

    p = inner.add_parser("audit", help="check a venue's statement and every proof in it (Python, no Node)")
    p.add_argument("--statement", type=Path, required=True, help="the venue's statement.json")
    add_market_args(p)
    add_key_args(p)
    p.set_defaults(handler=cmd_audit)

    p = inner.add_parser("check-inclusion", help="an account owner's check of its receipt against the statement")
    p.add_argument("--receipt", type=Path, required=True, help="the inclusion receipt the venue gave the owner")
    p.add_argument("--statement", type=Path, required=True, help="the venue's published statement.json")
    p.add_argument("--account", type=Path, default=None,
                   help="the owner's own portfolio file: the leaf must open to exactly these positions and this "
                        "collateral, and its IM and MM must be the engine's (needs --market and --params)")
    p.add_argument("--market", type=Path, default=None, help="with --account: the market snapshot")
    p.add_argument("--params", type=Path, default=None, help="with --account: the margin parameters")
    p.add_argument("--scenarios", default="v2", help="with --account: the scenario set (default %(default)s)")
    add_key_args(p)
    p.set_defaults(handler=cmd_check_inclusion)


def add_key_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--keys", type=Path, default=None,
                        help="folder of the venue's verification keys (<circuit>.vkey.json; default: the keys/ "
                             "folder beside the statement)")
    parser.add_argument("--allow-insecure", action="store_true",
                        help="check even under recognised INSECURE dev keys (the verdicts then prove nothing)")


def cmd_prove(args: argparse.Namespace, console: Console) -> int:
    if args.workers is not None and args.workers < 1:
        raise InputError("--workers must be at least 1", field="--workers")
    if not args.accounts.exists():
        raise InputError("no such file or folder", file=str(args.accounts), field="--accounts")
    for flag, folder in (("--out", args.out), ("--private", args.private)):
        if folder.exists() and not folder.is_dir():
            raise InputError("is a file; expected a folder", file=str(folder), field=flag)
    out, private = check_apart(args.out, args.private)
    steps = Steps(console)
    _, _, table, _ = load_table(args)
    params = build_params_tree(table)
    name, accounts = load_venue_accounts(args.accounts, params)
    private.mkdir(parents=True, exist_ok=True)
    plan_path = private / "plan.json"
    plan = plan_venue(name, params, accounts, read_plan(plan_path))
    write_private(plan_path, to_json(plan.record))
    sizes = ", ".join(f"{sum(a.size_name == s for a in plan.accounts)} {s}" for s in plan.sizes())
    console.print(f"venue {name!r}: {len(plan.accounts):,} accounts ({sizes}) in "
                  f"{plural(len(plan.batches), 'batch', 'batches')}, "
                  f"params_root {hex64(params.params_root)} (epoch {table.epoch})")
    circuits = plan.circuits()
    try:
        keys = {c: setup(c, progress=steps) for c in circuits}
    except SetupError as exc:
        raise InputError(str(exc), field="--accounts") from exc
    if any(k.insecure for k in keys.values()):
        console.print(INSECURE_KEYS.format(reason="the keys come from the dev setup (public seed)"))
    workers = args.workers or (os.cpu_count() or 1)
    try:
        records, report = run_batches(plan, params, private, workers=workers, address=args.ray,
                                      progress=console.print)
    except VenueRunError as exc:
        console.print(f"[red]venue run failed[/red]: {exc}. Finished batches are kept in {private}; run the same "
                      "command again to resume.")
        return EXIT_FAILED
    statement = publish(plan, params, records, out, private)
    (out / "keys").mkdir(exist_ok=True)
    for circuit, artifacts in keys.items():
        (out / "keys" / f"{circuit}.vkey.json").write_text(artifacts.vkey.read_text())
    show_totals(console, statement)
    console.print(f"proved {plural(report.proven, 'batch', 'batches')} on "
                  f"{plural(report.workers, 'worker', 'workers')} in {report.seconds:.1f} s"
                  + (f" ({report.resumed} kept from an earlier run)" if report.resumed else ""))
    console.print(f"published {out / 'statement.json'}; {len(plan.accounts):,} receipts in {private / 'receipts'} "
                  "(give each to its account's owner only)")
    return EXIT_OK


def show_totals(console: Console, statement: VenueStatementRecord) -> None:
    """The statement's totals as a table."""
    t = statement.totals
    table = Table(title=f"venue {statement.venue!r}, epoch {statement.epoch}: {statement.accounts:,} accounts")
    table.add_column("total")
    table.add_column("value", justify="right")
    table.add_row("initial margin", format_money(int(t.initial_margin)))
    table.add_row("maintenance margin", format_money(int(t.maintenance_margin)))
    table.add_row("collateral after haircuts", format_money(int(t.collateral)))
    table.add_row("equity (each account's floored at 0)", format_money(int(t.equity)))
    table.add_row("accounts below MM", f"{t.insolvent:,}")
    table.add_row("their shortfall", format_money(int(t.shortfall)))
    console.print(table)
    console.print(f"accounts_root {hex64(int(statement.accounts_root))}")


def load_keys(args: argparse.Namespace, folder: Path, console: Console) -> dict[str, VerifyingKey]:
    """The venue's verification keys from ``--keys`` (or ``keys/`` beside the statement): one per circuit the
    statement's batch files use; dev keys refused unless ``--allow-insecure``."""
    key_dir: Path = args.keys if args.keys is not None else folder / "keys"
    if not key_dir.is_dir():
        raise InputError("no such folder of verification keys", file=str(key_dir), field="--keys")
    keys: dict[str, VerifyingKey] = {}
    insecure: list[KeyInUse] = []
    chunk_circuits = {book.chunk_circuit for book in BOOK_SIZES.values()}
    for path in sorted(key_dir.glob("*.vkey.json")):
        circuit = path.name.removesuffix(".vkey.json")
        size = circuit.removeprefix(VENUE_CIRCUIT_PREFIX)
        if circuit == BATCH_CIRCUIT:
            key = load_key(path, "--keys", len(VENUE_BATCH_SIGNALS), "the venue batch circuit")
        elif circuit == account_circuit(size) and is_venue_size(size):
            key = load_key(path, "--keys", account_signal_count(size), f"the venue account circuit {size}")
        elif circuit in chunk_circuits:
            key = load_key(path, "--keys", len(CHUNK_PUBLIC_SIGNAL_NAMES), f"the chunk circuit {circuit}")
        else:
            continue
        keys[circuit] = key.key
        if key.insecure_reason:
            insecure.append(key)
    if insecure:
        if not args.allow_insecure:
            raise InputError(f"refused: {insecure[0].insecure_reason}; pass --allow-insecure to check proofs under "
                             "dev keys anyway", file=str(insecure[0].path), field="--keys")
        console.print(INSECURE_KEYS.format(reason=insecure[0].insecure_reason))
    return keys


def read_statement(path: Path) -> VenueStatementRecord:
    check_input_file(path, "--statement")
    statement: VenueStatementRecord = read_venue_document(path, STATEMENT_FORMAT)
    return statement


def cmd_audit(args: argparse.Namespace, console: Console) -> int:
    statement = read_statement(args.statement)
    _, _, table, scenarios = load_table(args)
    params = build_params_tree(table)
    folder = args.statement.parent
    keys = load_keys(args, folder, console)
    root_ok = params.params_root == int(statement.params_root)
    console.print(f"recomputed params_root {hex64(params.params_root)} from {args.market} ({scenarios.name}, epoch "
                  f"{table.epoch}): {'[green]matches[/green]' if root_ok else '[red]DIFFERS FROM[/red]'} the "
                  "statement's")
    start = time.perf_counter()
    with Steps(console).step(f"checking {len(statement.batches):,} batches and their account proofs"):
        verdict = verify_venue(statement, folder, keys, params_root=params.params_root)
    checks = Table(title="venue audit")
    checks.add_column("check")
    checks.add_column("result")
    for check in CHECKS:
        bad = verdict.by_check.get(check, [])
        label = f"{check} ({verdict.proofs:,} proofs)" if check == PROOFS else check
        checks.add_row(label, "[red]FAILED[/red]: " + "; ".join(bad) if bad else "[green]ok[/green]")
    console.print(checks)
    show_totals(console, statement)
    console.print(f"[dim]{time.perf_counter() - start:.1f} s[/dim]")
    if not verdict.valid:
        console.print(f"[red]AUDIT FAILED[/red]: {len(verdict.failures)} failure(s):\n" + "\n".join(verdict.failures))
        return EXIT_FAILED
    console.print(f"[green]AUDIT PASSED[/green]: {statement.accounts:,} accounts, {statement.totals.insolvent:,} below "
                  "maintenance margin")
    return EXIT_OK


def cmd_check_inclusion(args: argparse.Namespace, console: Console) -> int:
    check_input_file(args.receipt, "--receipt")
    receipt: InclusionReceiptRecord = read_venue_document(args.receipt, RECEIPT_FORMAT)
    statement = read_statement(args.statement)
    if args.account is not None and (args.market is None or args.params is None):
        raise InputError("--account needs --market and --params (to recompute IM and MM)", field="--account")
    folder = args.statement.parent
    keys = load_keys(args, folder, console)
    failures: list[str] = []
    if args.account is not None:
        failures += own_account_failures(args, receipt)
    verdict = verify_venue(statement, folder, keys)
    failures += check_receipt(receipt, statement, verdict.batches)
    failures += [f"the statement: {f}" for f in verdict.failures]
    console.print(f"account {receipt.account!r} (id {receipt.account_id}) at index {receipt.index}, batch "
                  f"{receipt.batch}: IM {format_money(int(receipt.initial_margin))}, MM "
                  f"{format_money(int(receipt.maintenance_margin))}, equity {format_money(int(receipt.equity))}")
    if failures:
        console.print("[red]INCLUSION NOT SHOWN[/red]:\n" + "\n".join(failures))
        return EXIT_FAILED
    console.print(f"[green]INCLUDED[/green]: the leaf opens to the receipt's positions and collateral, lies under "
                  f"accounts_root inside batch {receipt.batch}'s proven range, and the statement's "
                  f"{verdict.proofs:,} proofs verify" + ("; the positions and margins are your own" if args.account
                                                         else ""))
    return EXIT_OK


def own_account_failures(args: argparse.Namespace, receipt: InclusionReceiptRecord) -> list[str]:
    """The owner's portfolio against the receipt: same positions and collateral, the engine's IM and MM."""
    check_input_file(args.account, "--account")
    _, _, table, _ = load_table(args)
    account = encode_account(load_portfolio(args.account), table, source=str(args.account))
    book = book_size_of(receipt.size)
    size = book.account if book is not None else SIZES.get(receipt.size)
    if size is None:
        return [f"the receipt names an unknown venue size {receipt.size!r}"]
    failures: list[str] = []
    try:
        leaf_index, qty = slots(account, size)
        asset_id, balance = asset_slots(account, size)
    except InputError as exc:
        return [f"your account does not fit the receipt's size {receipt.size}: {exc.reason}"]
    if ([p.leaf_index for p in receipt.positions], [p.qty for p in receipt.positions]) != (leaf_index, qty):
        failures.append("the receipt's positions are not your positions")
    if ([a.asset_id for a in receipt.assets], [a.balance for a in receipt.assets]) != (asset_id, balance):
        failures.append("the receipt's collateral is not your collateral")
    result = margin_account(table, account)
    if (result.initial_margin, result.maintenance_margin) != (int(receipt.initial_margin),
                                                              int(receipt.maintenance_margin)):
        failures.append(f"the receipt's IM and MM are not the engine's for your account (IM "
                        f"{format_money(result.initial_margin)}, MM {format_money(result.maintenance_margin)})")
    return failures

