"""``zkmargin`` subcommands of the verifier: ``verify`` and ``audit``.

Both decide from what they verify: the public signals, the key's content (a dev key is recognised by
recomputing it from the public seed) and the roots recomputed or pinned by the user; never from a label the
prover wrote in the bundle.  With ``--vkey`` they run with Python alone (no Node, no ``node_modules``).
"""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from zkmargin.cli.common import (
    EXIT_FAILED,
    EXIT_OK,
    add_market_args,
    check_input_file,
    load_table,
    parse_root,
)
from zkmargin.constants import format_money, to_micro
from zkmargin.engine.commitments import build_params_tree
from zkmargin.engine.errors import InputError
from zkmargin.statement.commitments import margin_commitment
from zkmargin.statement.records import (
    BookBundleRecord,
    BundleRecord,
    RecordError,
    book_from_document,
    bundle_from_document,
    is_book_document,
    is_salt_document,
    read_json_document,
    read_salt,
    vkey_id,
)
from zkmargin.statement.signals import CHUNK_PUBLIC_SIGNAL_NAMES, N_PUBLIC, Statement, StatementError, hex64
from zkmargin.statement.sizes import BOOK_SIZES, SIZES, book_circuit_of, chunk_circuit_of
from zkmargin.toolchain.keys import find_setup
from zkmargin.toolchain.tools import ToolError, snarkjs_verify
from zkmargin.verifier.groth16 import verify_batch, verify_bundle
from zkmargin.verifier.groth16_errors import VerificationInputError
from zkmargin.verifier.groth16_json import parse_verifying_key
from zkmargin.verifier.groth16_types import VerifyingKey
from zkmargin.verifier.trust import dev_key_reason

AUDIT_CHUNK = 32  # proofs per combined pairing check (the progress bar advances per chunk)
CHUNK_PUBLIC = len(CHUNK_PUBLIC_SIGNAL_NAMES)


@dataclass(frozen=True)
class KeyInUse:
    """The verification key a command checks against, and what its content says about it."""

    path: Path
    key: VerifyingKey
    vkey_id: str
    insecure_reason: str | None

    def describe(self) -> str:
        return f"{self.path} (vkey id {self.vkey_id})"


def load_key(path: Path, flag: str = "--vkey", n_public: int = N_PUBLIC, circuit: str = "the account circuit"
             ) -> KeyInUse:
    """Read a verification key of ``circuit`` (``n_public`` public signals) and recognise a dev key from its
    content; one-line errors for a bad file."""
    check_input_file(path, flag)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise InputError("not a verification key (binary content, not JSON)", file=str(path), field=flag) from None
    except json.JSONDecodeError as exc:
        raise InputError(f"not a verification key: malformed JSON at line {exc.lineno}: {exc.msg}", file=str(path),
                         field=flag) from None
    try:
        key = parse_verifying_key(data)
    except VerificationInputError as exc:
        raise InputError(f"not a Groth16 verification key: {exc}", file=str(path), field=flag) from None
    if len(key.ic) - 1 != n_public:
        proof = "an account proof" if circuit == "the account circuit" else f"a proof of {circuit}"
        raise InputError(f"this key has {len(key.ic) - 1} public signals; {proof} has {n_public}, so it is not a key "
                         f"of {circuit}", file=str(path), field=flag)
    return KeyInUse(path, key, vkey_id(data), dev_key_reason(data))


def _local_key(size: str, circuit: str | None = None, n_public: int = N_PUBLIC) -> KeyInUse:
    """The keys ``zkmargin setup --size`` made on this machine (of ``circuit``, default the account circuit of
    ``size``); never starts a setup."""
    try:
        artifacts = find_setup(circuit or size)
    except ToolError as exc:
        raise InputError(f"cannot look for local keys without the toolchain ({str(exc).splitlines()[0]}); pass the "
                         "venue's key with --vkey", field="--vkey") from None
    if artifacts is None:
        raise InputError(f"no local dev keys of the {size} circuit; pass the venue's key with --vkey, or run "
                         f"`zkmargin setup --size {size}` first (a dev setup takes minutes)", field="--vkey")
    return load_key(artifacts.vkey, "local keys", n_public, f"the {circuit or size} circuit")


def _mismatch(vkey_id: str, circuit: str, key: KeyInUse) -> str | None:
    """Why a bundle may not verify under ``key``, from the bundle's own (unverified) record of its key
    (``vkey_id`` of ``circuit``)."""
    if vkey_id == key.vkey_id:
        return None
    return (f"the bundle says it was proven with key {vkey_id} of the {circuit} circuit, but the key in use is "
            f"{key.vkey_id}")


def _verdict(ok: bool, insecure: bool) -> str:
    if not ok:
        return "[red]INVALID[/red]"
    return "[yellow]valid (INSECURE key)[/yellow]" if insecure else "[green]valid[/green]"


def _insecure_banner(console: Console, key: KeyInUse) -> None:
    console.print(f"[bold red]INSECURE KEY[/bold red]: {key.insecure_reason}. A proof that verifies under this key "
                  "proves nothing.")


def cmd_verify(args: argparse.Namespace, console: Console) -> int:
    if args.publish_root and not args.evm:
        raise InputError("--publish-root only means something with --evm", field="--publish-root")
    if args.size is not None and args.vkey is not None:
        raise InputError("give either --vkey (the venue's key) or --size (this machine's dev keys), not both",
                         field="--size")
    document = read_json_document(args.bundle, "proof bundle")
    if is_book_document(document):
        return _verify_book(args, console, book_from_document(args.bundle, document))
    if args.chunk_vkey is not None:
        raise InputError("--chunk-vkey goes with a book bundle; this is an account proof bundle",
                         field="--chunk-vkey")
    if args.size in BOOK_SIZES:
        raise InputError(f"{args.size} is a book size; this is an account proof bundle", field="--size")
    bundle = bundle_from_document(args.bundle, document)
    key = load_key(args.vkey) if args.vkey is not None else _local_key(args.size or "test")
    pinned = parse_root(args.root) if args.root is not None else None
    statement = Statement.from_public_signals([int(s) for s in bundle.public_signals])
    try:
        ok = verify_bundle(key.key, bundle.model_dump(by_alias=True))
    except VerificationInputError as exc:
        raise RecordError(f"{args.bundle}: bad proof bundle: {exc}") from None

    _statement_table(console, f"Statement of {args.bundle}", statement, [key])
    checks: list[tuple[str, bool | None, str]] = [("Python Groth16 verifier", ok, "")]
    if args.open is not None:
        checks.append(_open_margins(args.open, statement))
    if args.snarkjs:
        checks.append(("snarkjs groth16 verify", snarkjs_verify(key.path, bundle.snarkjs_proof(),
                                                                 bundle.public_signals), ""))
    if args.evm:
        checks.extend(_evm_checks(args, bundle, key, statement, pinned))

    why = None if ok else _mismatch(bundle.circuit.vkey_id, bundle.circuit.size, key)
    return _report(console, checks, statement, pinned, key.insecure_reason is not None, why)


def _report(console: Console, checks: list[tuple[str, bool | None, str]], statement: Statement, pinned: int | None,
            insecure: bool, why: str | None) -> int:
    """Print each check's verdict, the pinned root's, why a proof failed, and what a valid proof means."""
    for name, verdict, note in checks:
        detail = f": {note}" if note else ""
        label = "[dim]skipped[/dim]" if verdict is None else _verdict(verdict, insecure)
        console.print(f"{label}  {name}{detail}")
    if pinned is not None:
        same = statement.params_root == pinned
        console.print(f"{'[green]matches[/green]' if same else '[red]DIFFERS[/red]'}  the pinned root "
                      f"{hex64(pinned)}" + ("" if same else ": the proof is about other risk parameters"))
    if why:
        console.print(f"[red]why:[/red] {why}")
    if all(v is not False for _, v, _ in checks) and (pinned is None or statement.params_root == pinned):
        meaning = ("The proof shows: the committed account's margins, computed by the zkmargin rules from the "
                   "parameters with this root, are the ones behind the margin commitment and its equity covers "
                   f"MM; it discloses {statement.claim()}.")
        if pinned is None:
            meaning += " Pin the venue's published root with --root to know these are its parameters."
        console.print(meaning if not insecure else
                      "The proof verifies, but under an INSECURE key anyone could have made it.")
        return EXIT_OK
    return EXIT_FAILED


def _statement_table(console: Console, title: str, statement: Statement, keys: list[KeyInUse]) -> None:
    view = Table(title=title, title_justify="left", show_header=False)
    view.add_column("item")
    view.add_column("value")
    for label, value in statement.lines():
        view.add_row(label, value)
    for key in keys:
        view.add_row("verification key", key.describe())
    console.print(view)
    for key in keys:
        if key.insecure_reason:
            _insecure_banner(console, key)


def _verify_book(args: argparse.Namespace, console: Console, bundle: BookBundleRecord) -> int:
    """``zkmargin verify`` of a book bundle: the book proof, its chunk proofs and their links."""
    from zkmargin.verifier.book import verify_book

    if args.vkey is not None:
        # the venue's book key must take as many public signals as the bundle's book proof carries
        n_links = len(bundle.book.public_signals) - N_PUBLIC
        if args.chunk_vkey is None:
            raise InputError("a book bundle needs the venue's chunk key too: pass --chunk-vkey", field="--chunk-vkey")
        book_key = load_key(args.vkey, "--vkey", N_PUBLIC + n_links, "the book circuit")
        chunk_key = load_key(args.chunk_vkey, "--chunk-vkey", CHUNK_PUBLIC, "the chunk circuit")
    else:
        name = args.size or bundle.circuit.size
        if name not in BOOK_SIZES:
            raise InputError(f"{name} is not a book size; book sizes: {', '.join(sorted(BOOK_SIZES))}",
                             field="--size")
        size = BOOK_SIZES[name]
        book_key = _local_key(name, size.book_circuit, N_PUBLIC + size.chunks)
        chunk_key = _local_key(name, size.chunk_circuit, CHUNK_PUBLIC)
    pinned = parse_root(args.root) if args.root is not None else None
    verdict = verify_book(chunk_key.key, book_key.key, bundle)
    if verdict.statement is None:
        raise RecordError(f"{args.bundle}: bad book bundle: {verdict.reason}")
    statement = verdict.statement
    _statement_table(console, f"Statement of {args.bundle} (a book of {len(bundle.chunks)} chunk proofs)",
                     statement, [book_key, chunk_key])
    checks: list[tuple[str, bool | None, str]] = [
        (f"Python Groth16 verifier: the book proof and {len(bundle.chunks)} chunk proofs, linked", verdict.valid,
         verdict.reason or "")]
    if args.open is not None:
        checks.append(_open_margins(args.open, statement))
    if args.snarkjs:
        snark = all(snarkjs_verify(chunk_key.path, c.snarkjs_proof(), c.public_signals) for c in bundle.chunks)
        snark = snark and snarkjs_verify(book_key.path, bundle.book.snarkjs_proof(), bundle.book.public_signals)
        checks.append((f"snarkjs groth16 verify of all {len(bundle.chunks) + 1} proofs", snark, ""))
    if args.evm:
        from zkmargin.verifier.book_onchain import SnarkjsProof, check_book_on_evm

        check = check_book_on_evm(chunk_key.path, book_key.path,
                                  [SnarkjsProof(c.snarkjs_proof(), c.public_signals) for c in bundle.chunks],
                                  SnarkjsProof(bundle.book.snarkjs_proof(), bundle.book.public_signals))
        note = f"gas {check.verify_gas:,}" + ("" if check.verified else f"; {check.verdict.name} at slot {check.slot}")
        checks.append(("EVM BookVerifier.verifyBook (verifiers generated from both keys)", check.verified, note))
    insecure = book_key.insecure_reason is not None or chunk_key.insecure_reason is not None
    why = None
    if not verdict.valid:
        why = (_mismatch(bundle.circuit.book_vkey_id, book_circuit_of(bundle.circuit.size), book_key)
               or _mismatch(bundle.circuit.chunk_vkey_id, chunk_circuit_of(bundle.circuit.size), chunk_key))
    return _report(console, checks, statement, pinned, insecure, why)


def _open_margins(salt_path: Path, statement: Statement) -> tuple[str, bool, str]:
    """Open the statement's margin commitment with the owner's salt file, which records IM and MM."""
    record = read_salt(salt_path)
    name = f"margin commitment opened with {salt_path.name}"
    if int(record.account_commitment) != statement.account_commitment:
        return name, False, "the salt file is for another account commitment"
    im, mm = to_micro(record.initial_margin), to_micro(record.maintenance_margin)
    if margin_commitment(im, mm, int(record.salt)) != statement.margin_commitment:
        return name, False, "the salt file's IM, MM and salt do not hash to the margin commitment"
    return name, True, f"IM {format_money(im, grouped=True)}, MM {format_money(mm, grouped=True)}"


def _evm_checks(args: argparse.Namespace, bundle: BundleRecord, key: KeyInUse, statement: Statement,
                pinned: int | None) -> list[tuple[str, bool | None, str]]:
    """Verify on an in-process EVM with the verifier generated from the key in use; register the params and
    submit to ``MarginRegistry`` only for a root the user vouched for (``--root``) or asked for
    (``--publish-root``)."""
    from zkmargin.verifier.onchain import check_on_evm  # pyrevm and solc are loaded only when --evm asks

    parts = bundle.statement.params
    publish = None
    registry_note = "pass --root (the venue's published root) or --publish-root to register and submit"
    if parts.params_root() != statement.params_root:
        registry_note = "the bundle's params parts do not hash to the proof's params_root"
    elif pinned is not None and pinned != statement.params_root and not args.publish_root:
        registry_note = "the proof's params_root is not the pinned root, so it is not registered"
    elif pinned is not None and pinned == statement.params_root:
        publish, registry_note = parts, f"registered the pinned root at epoch {parts.epoch}"
    elif args.publish_root:
        publish = parts
        registry_note = (f"registered the bundle's own root at epoch {parts.epoch} (--publish-root: this tests the "
                         "contracts, not that the root is the venue's)")
    check = check_on_evm(key.path, bundle.snarkjs_proof(), bundle.public_signals, publish)
    out: list[tuple[str, bool | None, str]] = [
        ("EVM Groth16Verifier.verifyProof (generated from this key)", check.verified, f"gas {check.verify_gas:,}")]
    if check.accepted is None:
        out.append(("EVM MarginRegistry.publishParams + submit", None, registry_note))
        return out
    note = f"{registry_note}; gas {check.submit_gas:,}" if check.submit_gas else registry_note
    if check.record is not None:
        recorded = Statement.from_public_signals([statement.params_root, statement.account_commitment,
                                                  check.record.margin_commitment, check.record.disclosure_signal])
        note += f"; records {recorded.claim()}"
    if check.rejection:
        note += f"; rejected: {check.rejection}"
    out.append(("EVM MarginRegistry.publishParams + submit", bool(check.accepted), note))
    return out


@dataclass
class AuditTally:
    """Each bundle file ends in exactly one of: valid, duplicate, failed (``skipped`` files are not bundles)."""

    valid: list[tuple[Path, Statement]]
    duplicates: list[tuple[Path, Path]]
    failed: list[tuple[str, str]]
    skipped: list[Path]
    salts: list[Path]


Readable = tuple[Path, BundleRecord, Statement]


def _read_proofs(paths: list[Path], tally: AuditTally) -> list[Readable]:
    """The bundles named directly or found in folders, each file read once, with their statements.

    In a folder, a ``*.json`` file is taken as a bundle unless it is a salt record (warned about) or clearly
    another JSON document (a leaf table, a key); those and files of other types are skipped and named.  A
    file named directly is taken as a bundle unless it is a salt record.  A missing, unreadable or malformed
    file is a failure, and the audit goes on.  A file reached twice (named and inside a named folder) is taken
    once.
    """
    readable: list[Readable] = []
    seen: set[Path] = set()

    def take(path: Path, named: bool) -> None:
        if path.resolve() in seen:
            return
        seen.add(path.resolve())
        if path.name.endswith(".salt.json"):
            tally.salts.append(path)
            return
        if not named and path.suffix != ".json":
            tally.skipped.append(path)
            return
        try:
            data = read_json_document(path, "proof bundle")
            if is_salt_document(data):
                tally.salts.append(path)
            elif not named and _other_document(data):
                tally.skipped.append(path)
            else:
                bundle = bundle_from_document(path, data)
                readable.append((path, bundle, Statement.from_public_signals([int(s) for s in bundle.public_signals])))
        except (RecordError, StatementError) as exc:
            tally.failed.append((str(path), str(exc).removeprefix(f"{path}: ")))

    for path in paths:
        if path.is_dir():
            for candidate in sorted(p for p in path.iterdir() if p.is_file()):
                take(candidate, named=False)
        elif path.exists():
            take(path, named=True)
        else:
            tally.failed.append((str(path), "no such file or folder"))
    return readable


def _other_document(data: Any) -> bool:
    """Parsed JSON that is plainly not a bundle: an object with no ``proof``, ``publicSignals`` or ``format``."""
    return isinstance(data, dict) and not ({"proof", "publicSignals", "format"} & data.keys())


def cmd_audit(args: argparse.Namespace, console: Console) -> int:
    published = parse_root(args.root)
    key = load_key(args.vkey)
    if key.insecure_reason and not args.allow_insecure:
        raise InputError(f"refused: {key.insecure_reason}; pass --allow-insecure to audit proofs under a dev key "
                         "anyway", file=str(args.vkey), field="--vkey")
    # 1. recompute the risk parameters and the root from the published market snapshot
    _, _, table, scenarios = load_table(args)
    params = build_params_tree(table)
    root_ok = params.params_root == published
    console.print(f"recomputed params_root {hex64(params.params_root)} from {args.market} "
                  f"({table.n_instruments:,} instruments, {scenarios.name}, epoch {table.epoch})")
    console.print(f"{'[green]matches[/green]' if root_ok else '[red]DIFFERS FROM[/red]'} the published root "
                  f"{hex64(published)}")
    console.print(f"verification key {key.describe()}")
    if key.insecure_reason:
        _insecure_banner(console, key)

    # 2. read and verify every bundle with the Python verifier, in batches (no Node)
    tally = AuditTally([], [], [], [], [])
    readable = _read_proofs(args.proofs, tally)
    for path in tally.skipped:
        console.print(f"[dim]skipped {path}: not a proof bundle[/dim]")
    for path in tally.salts:
        console.print(f"[bold red]WARNING[/bold red]: {path} is a salt file among the proofs. Salts open account "
                      "commitments: never publish them. It is not counted.")
    if not readable and not tally.failed:
        raise InputError(f"no proof bundles found in {', '.join(str(p) for p in args.proofs)}", field="--proofs")
    seen: dict[tuple[int, int], Path] = {}
    columns = (TextColumn("verifying proofs"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task("verify", total=len(readable))
        for start in range(0, len(readable), AUDIT_CHUNK):
            chunk = readable[start:start + AUDIT_CHUNK]
            verdicts = verify_batch(key.key, [b.model_dump(by_alias=True) for _, b, _ in chunk])
            for (path, bundle, statement), verdict in zip(chunk, verdicts, strict=True):
                if not verdict.ok:
                    why = (_mismatch(bundle.circuit.vkey_id, bundle.circuit.size, key) or verdict.reason
                           or "invalid proof")
                    tally.failed.append((str(path), why))
                elif statement.params_root != params.params_root:
                    why = (f"proves against params_root {hex64(statement.params_root)}, not the root recomputed "
                           "from the market snapshot")
                    tally.failed.append((str(path), why))
                elif (statement.account_commitment, statement.params_root) in seen:
                    tally.duplicates.append((path, seen[(statement.account_commitment, statement.params_root)]))
                else:
                    seen[(statement.account_commitment, statement.params_root)] = path
                    tally.valid.append((path, statement))
            bar.advance(task, len(chunk))
    return _audit_report(console, tally, root_ok, key, table.epoch)


def _plural(n: int, noun: str) -> str:
    return noun if n == 1 else noun + "s"


def _audit_report(console: Console, tally: AuditTally, root_ok: bool, key: KeyInUse, epoch: int) -> int:
    view = Table(title="Audit: valid proofs", title_justify="left")
    for col in ("proof", "account commitment", "discloses", "verdict"):
        view.add_column(col, no_wrap=col in ("account commitment", "verdict"), overflow="fold")
    label = _verdict(True, key.insecure_reason is not None)
    names = [path.name for path, _ in tally.valid]
    for path, st in tally.valid:
        shown = path.name if names.count(path.name) == 1 else str(path)
        view.add_row(shown, hex64(st.account_commitment), st.claim(), label)
    if tally.valid:
        console.print(view)
    for path, first in tally.duplicates:
        console.print(f"[yellow]duplicate[/yellow] {path}: the same statement as {first}; not counted")
    for name, reason in tally.failed:
        console.print(f"[red]failed[/red] {name}: {reason}", soft_wrap=True)
    disclosed = [st for _, st in tally.valid if st.initial_margin is not None and st.maintenance_margin is not None]
    total_im = sum(st.initial_margin or 0 for st in disclosed)
    total_mm = sum(st.maintenance_margin or 0 for st in disclosed)
    n = len(tally.valid) + len(tally.duplicates) + len(tally.failed)
    if not root_ok:
        console.print("[bold red]The published root is not the one the market snapshot gives: nothing below is "
                      "attested for the published parameters.[/bold red]")
    console.print(f"{n} {_plural(n, 'bundle')}: {len(tally.valid)} valid, {len(tally.failed)} failed, "
                  f"{len(tally.duplicates)} {_plural(len(tally.duplicates), 'duplicate')} dropped (each statement, "
                  f"account commitment and epoch {epoch}, counted once); {len(tally.skipped)} other "
                  f"{_plural(len(tally.skipped), 'file')} skipped")
    console.print(f"{len(tally.valid)} solvent {_plural(len(tally.valid), 'account')}; attested total IM "
                  f"{format_money(total_im, grouped=True)}, total MM {format_money(total_mm, grouped=True)} over the "
                  f"{len(disclosed)} that disclose their margins")
    if key.insecure_reason:
        console.print("[bold red]These totals rest on an INSECURE key: anyone could have made these proofs.[/bold red]")
    return EXIT_OK if root_ok and not tally.failed and not tally.salts else EXIT_FAILED


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the verifier subcommands to the ``zkmargin`` parser."""
    p = sub.add_parser("verify", help="verify one proof bundle (Python; optionally snarkjs and an EVM)")
    p.add_argument("bundle", type=Path, help="proof bundle JSON written by `zkmargin prove`")
    p.add_argument("--vkey", type=Path, default=None,
                   help="the venue's verification_key.json (default: this machine's keys of --size, if set up)")
    p.add_argument("--size", choices=sorted({*SIZES, *BOOK_SIZES}), default=None,
                   help="without --vkey: the circuit size of this machine's dev keys (default test, or a book "
                        "bundle's own size)")
    p.add_argument("--root", default=None, help="the params root the venue published (decimal or 0x hex): the proof "
                   "must be about it")
    p.add_argument("--chunk-vkey", type=Path, default=None,
                   help="with --vkey, for a book bundle: the venue's chunk verification key")
    p.add_argument("--open", type=Path, default=None, metavar="SALT_FILE",
                   help="the account's private salt file: open the margin commitment and show IM and MM")
    p.add_argument("--snarkjs", action="store_true", help="also run `snarkjs groth16 verify` (needs Node)")
    p.add_argument("--evm", action="store_true",
                   help="also verify with the Solidity verifier generated from the key, on an in-process EVM; with "
                        "--root or --publish-root also register the params and submit to MarginRegistry (needs Node)")
    p.add_argument("--publish-root", action="store_true",
                   help="with --evm: register the bundle's own params root (tests the contracts only)")
    p.set_defaults(handler=cmd_verify)

    p = sub.add_parser("audit", help="recompute the params root and check every proof (Python only, no Node)")
    add_market_args(p)
    p.add_argument("--root", required=True, help="the params root the venue published (decimal or 0x hex)")
    p.add_argument("--vkey", type=Path, required=True, help="the venue's published verification_key.json")
    p.add_argument("--proofs", type=Path, nargs="+", required=True, help="proof bundles or folders of them")
    p.add_argument("--allow-insecure", action="store_true",
                   help="audit even under a recognised INSECURE dev key (the verdicts then prove nothing)")
    p.set_defaults(handler=cmd_audit)
