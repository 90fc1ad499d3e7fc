"""``zkmargin`` subcommands of the verifiers: ``verify`` (snarkjs, Python, EVM) and ``audit``."""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from zkmargin.cli.common import EXIT_FAILED, EXIT_OK, add_market_args, load_table
from zkmargin.constants import format_money
from zkmargin.engine.commitments import build_params_tree
from zkmargin.engine.errors import InputError
from zkmargin.statement.records import BundleRecord, RecordError, read_bundle
from zkmargin.statement.signals import Statement
from zkmargin.statement.sizes import SIZES
from zkmargin.verifier.groth16 import verify_batch, verify_bundle
from zkmargin.verifier.groth16_errors import VerificationInputError
from zkmargin.verifier.groth16_json import load_verifying_key

if TYPE_CHECKING:
    from zkmargin.toolchain.keys import SetupArtifacts

AUDIT_CHUNK = 32  # proofs per combined pairing check (the progress bar advances per chunk)


def _local_keys(args: argparse.Namespace, console: Console) -> SetupArtifacts:
    """The local keys of ``--size`` (set up with progress shown if they are not cached yet)."""
    from zkmargin.cli.prove import run_setup

    return run_setup(console, args.size, None)


def _vkey(args: argparse.Namespace, console: Console) -> Path:
    """The verification key: ``--vkey``, or the local set-up keys of ``--size``."""
    return Path(args.vkey) if args.vkey is not None else _local_keys(args, console).vkey


def _statement_table(title: str, statement: Statement) -> Table:
    view = Table(title=title, title_justify="left", show_header=False)
    view.add_column("item")
    view.add_column("value")
    for label, value in statement.lines():
        view.add_row(label, value)
    return view


def cmd_verify(args: argparse.Namespace, console: Console) -> int:
    bundle = read_bundle(args.bundle)
    vkey_path = _vkey(args, console)
    try:
        vkey = load_verifying_key(vkey_path)
        ok = verify_bundle(vkey, bundle.model_dump(by_alias=True))
        statement = Statement.from_public_signals([int(s) for s in bundle.public_signals])
    except VerificationInputError as exc:
        console.print(f"[red]rejected:[/red] {exc}")
        return EXIT_FAILED
    results = {"Python Groth16 verifier": ok}
    if args.snarkjs:
        results["snarkjs groth16 verify"] = _snarkjs_verify(vkey_path, bundle)
    gas_note = ""
    if args.evm:
        from zkmargin.verifier.onchain import check_on_evm

        keys = _local_keys(args, console)
        epoch = bundle.statement.epoch or 1
        check = check_on_evm(keys.zkey, bundle.snarkjs_proof(), bundle.public_signals, epoch)
        results["EVM Groth16Verifier.verifyProof"] = check.verified
        results["EVM MarginRegistry.submit"] = check.accepted
        gas_note = (f"gas: verifyProof {check.verify_gas:,}, registry submit {check.submit_gas:,} "
                    "(whole transactions, 21,000 base included)")
        if check.record is not None:
            gas_note += f"; registry records IM {format_money(check.record[0])}, MM {format_money(check.record[1])}"
    console.print(_statement_table(f"Statement of {args.bundle}", statement))
    for verifier, verdict in results.items():
        console.print(f"{'[green]valid[/green]' if verdict else '[red]INVALID[/red]'}  {verifier}")
    if gas_note:
        console.print(gas_note)
    if all(results.values()):
        console.print("The proof shows: the committed account's margins are IM and MM above, computed by the "
                      "zkmargin rules from the parameters with this root, and its equity covers MM.")
        return EXIT_OK
    return EXIT_FAILED


def _snarkjs_verify(vkey: Path, bundle: BundleRecord) -> bool:
    from zkmargin.toolchain import tools

    with tempfile.TemporaryDirectory(prefix="zkmargin-verify-") as tmp:
        proof, public = Path(tmp) / "proof.json", Path(tmp) / "public.json"
        proof.write_text(json.dumps(bundle.snarkjs_proof()))
        public.write_text(json.dumps(bundle.public_signals))
        try:
            out = tools.snarkjs(["groth16", "verify", str(vkey), str(public), str(proof)], timeout=300)
        except tools.ToolError:
            return False
        return "OK" in out.stdout


def _proof_files(paths: list[Path]) -> tuple[list[Path], list[Path]]:
    """Proof files named directly or found in folders, and the folders' other JSON files (skipped, and said so).

    In a folder, a JSON file is a proof when it has ``proof`` and ``publicSignals`` keys; salt files and
    other JSON (leaf tables, keys) are skipped.  A file named directly is always treated as a proof.
    """
    files: list[Path] = []
    skipped: list[Path] = []
    for path in paths:
        if path.is_dir():
            for candidate in sorted(path.glob("*.json")):
                (files if _looks_like_bundle(candidate) else skipped).append(candidate)
        elif path.exists():
            files.append(path)
        else:
            raise InputError("no such file or folder", file=str(path), field="--proofs")
    if not files:
        raise InputError("no proof bundles found", field="--proofs")
    return files, skipped


def _looks_like_bundle(path: Path) -> bool:
    if path.name.endswith(".salt.json"):
        return False
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return True  # unreadable: let the audit report it as a failure rather than skip it
    return isinstance(data, dict) and "proof" in data and "publicSignals" in data


def cmd_audit(args: argparse.Namespace, console: Console) -> int:
    failures: list[tuple[str, str]] = []
    # 1. recompute the risk parameters and the root from the published market snapshot
    _, _, table, scenarios = load_table(args)
    params = build_params_tree(table, SIZES[args.size])
    published = int(args.root, 0)
    root_ok = params.params_root == published
    console.print(f"recomputed params_root {params.params_root:#066x} from {args.market} "
                  f"({table.n_instruments} instruments, {scenarios.name}, epoch {table.epoch})")
    console.print(f"{'[green]matches[/green]' if root_ok else '[red]DIFFERS FROM[/red]'} the published root "
                  f"{published:#066x}")
    if not root_ok:
        failures.append(("params_root", "the published root is not the one the market snapshot gives"))

    # 2. verify every proof with the Python verifier, in batches (no Node)
    try:
        vkey = load_verifying_key(args.vkey)
    except (VerificationInputError, OSError) as exc:
        raise InputError(str(exc), file=str(args.vkey), field="--vkey") from exc
    files, skipped = _proof_files(args.proofs)
    for path in skipped:
        console.print(f"[dim]skipped {path}: not a proof bundle[/dim]")
    bundles: list[BundleRecord | None] = []
    for path in files:
        try:
            bundles.append(read_bundle(path))
        except RecordError as exc:
            bundles.append(None)
            failures.append((path.name, str(exc)))
    valid: list[tuple[Path, Statement]] = []
    columns = (TextColumn("verifying proofs"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task("verify", total=len(files))
        for start in range(0, len(files), AUDIT_CHUNK):
            chunk = [(f, b) for f, b in zip(files[start:start + AUDIT_CHUNK], bundles[start:start + AUDIT_CHUNK],
                                            strict=True) if b is not None]
            verdicts = verify_batch(vkey, [b.model_dump(by_alias=True) for _, b in chunk]) if chunk else []
            for (path, bundle), verdict in zip(chunk, verdicts, strict=True):
                if not verdict.ok:
                    failures.append((path.name, verdict.reason or "invalid proof"))
                    continue
                statement = Statement.from_public_signals([int(s) for s in bundle.public_signals])
                # 3. each proof must be about the recomputed parameters
                if statement.params_root != params.params_root:
                    failures.append((path.name, f"proves against params_root {statement.params_root:#x}, not the "
                                                "root recomputed from the market snapshot"))
                    continue
                valid.append((path, statement))
            bar.advance(task, len(files[start:start + AUDIT_CHUNK]))

    # 4. the report
    view = Table(title="Audit", title_justify="left")
    for col in ("proof", "account commitment", "IM", "MM", "verdict"):
        view.add_column(col, justify="right" if col in ("IM", "MM") else "left")
    for path, st in valid:
        view.add_row(path.name, f"{st.account_commitment:#018x}"[:18] + "…", format_money(st.initial_margin),
                     format_money(st.maintenance_margin), "[green]valid[/green]")
    for name, reason in failures:
        view.add_row(name, "", "", "", f"[red]{reason}[/red]")
    console.print(view)
    total_im = sum(st.initial_margin for _, st in valid)
    total_mm = sum(st.maintenance_margin for _, st in valid)
    console.print(f"{len(files)} proofs, {len(valid)} valid, {len(failures)} failures; attested total IM "
                  f"{format_money(total_im)}, total MM {format_money(total_mm)}")
    return EXIT_OK if not failures else EXIT_FAILED


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the verifier subcommands to the ``zkmargin`` parser."""
    p = sub.add_parser("verify", help="verify one proof bundle (Python; optionally snarkjs and an EVM)")
    p.add_argument("bundle", type=Path, help="proof bundle JSON written by `zkmargin prove`")
    p.add_argument("--vkey", type=Path, default=None, help="verification_key.json (default: local keys of --size)")
    p.add_argument("--size", choices=sorted(SIZES), default="test", help="circuit size (default %(default)s)")
    p.add_argument("--snarkjs", action="store_true", help="also run `snarkjs groth16 verify`")
    p.add_argument("--evm", action="store_true",
                   help="also verify on an in-process EVM and submit to MarginRegistry (needs the local zkey)")
    p.set_defaults(handler=cmd_verify)

    p = sub.add_parser("audit", help="recompute the params root and check every proof (Python only, no Node)")
    add_market_args(p)
    p.add_argument("--size", choices=sorted(SIZES), default="test", help="circuit size (default %(default)s)")
    p.add_argument("--root", required=True, help="the params root the venue published (decimal or 0x-hex)")
    p.add_argument("--vkey", type=Path, required=True, help="the venue's published verification_key.json")
    p.add_argument("--proofs", type=Path, nargs="+", required=True, help="proof bundles or folders of them")
    p.set_defaults(handler=cmd_audit)
