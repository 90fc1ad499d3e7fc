"""``zkmargin`` subcommands of the prover: ``setup``, ``params-root`` and ``prove``."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import struct
import sys
import tempfile
from fractions import Fraction
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from zkmargin.cli.common import (
    EXIT_FAILED,
    EXIT_OK,
    add_market_args,
    check_input_file,
    check_output_path,
    load_table,
)
from zkmargin.cli.progress import Steps
from zkmargin.constants import MONEY_SCALE
from zkmargin.engine.account import encode_account
from zkmargin.engine.commitments import build_params_tree, commit_account, commit_book
from zkmargin.engine.errors import InputError
from zkmargin.engine.io import load_portfolio
from zkmargin.prover.prove import (
    CircuitMismatchError,
    ProofResult,
    ProvableAccount,
    check_disclosure,
    check_provable,
    prove_account,
)
from zkmargin.prover.prove_book import BookProofResult, ProvableBook, check_provable_book, prove_book
from zkmargin.statement.commitments import new_salt
from zkmargin.statement.records import read_salt, write_private
from zkmargin.statement.signals import Disclosure, hex64
from zkmargin.statement.sizes import BOOK_SIZES, SIZES, book_circuit_of, chunk_circuit_of
from zkmargin.toolchain.keys import DEV_SEED, SetupArtifacts, SetupError, ptau_power, setup

INSECURE_BANNER = ("[bold red]INSECURE DEV SETUP[/bold red]: the keys derive from a public seed and anyone can "
                   "forge proofs. Use --ptau with a ceremony file for real keys.")


def add_size_arg(parser: argparse.ArgumentParser) -> None:
    """The ``--size`` option: an account circuit size (:data:`zkmargin.statement.sizes.SIZES`) or a book size
    (:data:`zkmargin.statement.sizes.BOOK_SIZES`), proven in chunks."""
    parser.add_argument("--size", choices=[*SIZES, *BOOK_SIZES], default="test",
                        help="circuit size (default %(default)s): " + "; ".join(
                            f"{s.name}: {s.describe()}" for s in SIZES.values()) + "; books proven in chunks of C "
                            "positions: " + "; ".join(f"{b.name}: {b.describe()}" for b in BOOK_SIZES.values()))


def salt_folder() -> Path:
    """Where salt files go by default: a private folder outside anything a venue publishes.

    ``$ZKMARGIN_SALT_DIR`` if set, else ``$XDG_DATA_HOME/zkmargin/salts`` (``~/.local/share/zkmargin/salts``).
    """
    if os.environ.get("ZKMARGIN_SALT_DIR"):
        return Path(os.environ["ZKMARGIN_SALT_DIR"])
    data = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return data / "zkmargin" / "salts"


def run_setup(console: Console, size: str, ptau: Path | None, seed: str = DEV_SEED) -> SetupArtifacts:
    """Set up (or load from the cache, quietly) the keys of ``size``, showing progress on slow steps."""
    try:
        artifacts = setup(size, ptau=ptau, seed=seed, progress=Steps(console))
    except SetupError as exc:
        raise InputError(str(exc), field="--ptau" if ptau is not None else "--size") from exc
    if artifacts.insecure:
        console.print(INSECURE_BANNER)
    return artifacts


def run_book_setup(console: Console, size: str, ptau: Path | None, seed: str = DEV_SEED
                   ) -> tuple[SetupArtifacts, SetupArtifacts]:
    """Set up (or load) the chunk and the book circuit's keys of book size ``size``; one banner if INSECURE."""
    keys = []
    for circuit in (chunk_circuit_of(size), book_circuit_of(size)):
        try:
            keys.append(setup(circuit, ptau=ptau, seed=seed, progress=Steps(console)))
        except SetupError as exc:
            raise InputError(str(exc), field="--ptau" if ptau is not None else "--size") from exc
    if keys[0].insecure or keys[1].insecure:
        console.print(INSECURE_BANNER)
    return keys[0], keys[1]


def check_ptau_file(path: Path) -> None:
    """A ``--ptau`` file must exist and start like a ``.ptau`` file (checked before the slow compile)."""
    check_input_file(path, "--ptau")
    try:
        ptau_power(path)
    except (SetupError, OSError, struct.error) as exc:
        raise InputError(f"not a powers-of-tau file: {exc}", file=str(path), field="--ptau") from None


def _keys_table(console: Console, art: SetupArtifacts, positions: int) -> None:
    view = Table(title=f"{art.name} circuit", title_justify="left", show_header=False)
    view.add_column("item")
    view.add_column("value")
    m = art.manifest
    for item, value in (("constraints", f"{art.circuit.n_constraints:,}"),
                        ("constraints per position", f"{art.circuit.n_constraints / positions:,.0f}"),
                        ("ptau power", str(m["ptau"]["power"])), ("vkey id", art.vkey_id),
                        ("zkey", str(art.zkey)), ("verification key", str(art.vkey)),
                        ("manifest", str(art.directory / "manifest.json")),
                        ("security", "INSECURE dev keys" if art.insecure else "ceremony ptau + phase-2 contribution")):
        view.add_row(item, value)
    console.print(view)


def cmd_setup(args: argparse.Namespace, console: Console) -> int:
    if args.vkey_out is not None:
        check_output_path(args.vkey_out, "--vkey-out")
    if args.chunk_vkey_out is not None:
        check_output_path(args.chunk_vkey_out, "--chunk-vkey-out")
        if args.size not in BOOK_SIZES:
            raise InputError(f"--chunk-vkey-out goes with a book size ({', '.join(BOOK_SIZES)})",
                             field="--chunk-vkey-out")
    if args.ptau is not None:
        check_ptau_file(args.ptau)
    if args.size in BOOK_SIZES:
        book = BOOK_SIZES[args.size]
        chunk_keys, book_keys = run_book_setup(console, args.size, args.ptau, args.seed)
        _keys_table(console, chunk_keys, book.chunk_positions)
        _keys_table(console, book_keys, book.positions)
        console.print(f"a book of up to {book.positions} positions is proven as up to {book.chunks} chunk proofs "
                      "and one combining proof")
        art = book_keys
        if args.chunk_vkey_out:
            shutil.copyfile(chunk_keys.vkey, args.chunk_vkey_out)
            console.print(f"wrote the chunk verification key to {args.chunk_vkey_out}")
    else:
        art = run_setup(console, args.size, args.ptau, args.seed)
        _keys_table(console, art, SIZES[art.name].positions)
    if args.vkey_out:
        shutil.copyfile(art.vkey, args.vkey_out)
        console.print(f"wrote the verification key to {args.vkey_out}")
    return EXIT_OK


def cmd_params_root(args: argparse.Namespace, console: Console) -> int:
    if args.leaves is not None:
        check_output_path(args.leaves, "--leaves")
    market, _, table, scenarios = load_table(args)
    params = build_params_tree(table)
    if args.json:
        print(json.dumps({"params_root": str(params.params_root), "params_root_hex": hex64(params.params_root),
                          "instruments_root": str(params.instruments_root),
                          "table_hash": str(params.table_hash), "epoch": table.epoch,
                          "scenarios": scenarios.name}))
    else:
        console.print(f"params_root {hex64(params.params_root)}")
        console.print(f"  epoch {table.epoch}, {table.n_instruments:,} instruments, {len(table.groups)} underlyings, "
                      f"{len(table.assets)} collateral assets, scenarios {scenarios.name}")
    if args.leaves:
        rows: list[dict[str, Any]] = []
        for i, iid in enumerate(table.instrument_ids):
            fields = params.leaf_fields(i)
            rows.append({"index": i, "instrument": iid, "underlying": table.groups[int(table.group_index[i])],
                         **fields, "leaf": str(params.leaves[i])})
        groups = [{"id": g, "underlying": name, **params.group_fields(g), "leaf": str(params.group_leaves[g])}
                  for g, name in enumerate(table.groups)]
        assets = [{"id": k, "asset": name, **params.asset_fields(k), "leaf": str(params.asset_leaves[k])}
                  for k, name in enumerate(table.assets)]
        table_doc = {"params_root": str(params.params_root), "instruments_root": str(params.instruments_root),
                     "table_hash": str(params.table_hash), "groups_root": str(params.groups_root),
                     "assets_root": str(params.assets_root), "intergroup_credit_bp": params.credit_bp,
                     "epoch": table.epoch, "market_timestamp": market.timestamp.isoformat(),
                     "scenarios": table.scenario_names, "im_multiplier_bp": table.im_multiplier_bp,
                     "mm_multiplier_bp": table.mm_multiplier_bp,
                     "units": "risk, mark, charge: micro-units per lot; delta: micro-underlying per lot; "
                              "vega: micro-units per vol point per lot; price: micro-units per whole asset unit; "
                              "asset_risk: micro-units per whole asset unit; tier_threshold: 1e-8 units of the "
                              "underlying; tier_rate: micro-units per whole unit; group 65535: no underlying",
                     "groups": groups, "collateral": assets, "leaves": rows}
        args.leaves.write_text(json.dumps(table_doc, indent=1) + "\n")
        console.print(f"wrote {len(rows):,} instrument, {len(groups)} group and {len(assets)} collateral leaves to "
                      f"{args.leaves}")
    return EXIT_OK


def parse_threshold(text: str) -> int:
    """``--threshold``: a non-negative decimal amount of quote currency, in micro-units (exact, else an error)."""
    try:
        amount = Fraction(text)
    except (ValueError, ZeroDivisionError):
        raise InputError(f"--threshold {text!r} is not a decimal amount", field="--threshold") from None
    micro = amount * MONEY_SCALE
    if micro < 0 or micro.denominator != 1:
        raise InputError(f"--threshold {text!r} must be a non-negative amount with at most 6 decimals",
                         field="--threshold")
    return int(micro)


def cmd_prove(args: argparse.Namespace, console: Console) -> int:
    # every check on paths and inputs runs before any work, so a finished proof is never lost
    check_input_file(args.portfolio, "--portfolio")
    check_output_path(args.out, "--out")
    if args.salt_out is not None:
        check_output_path(args.salt_out, "--salt-out")
        if args.salt_out.resolve() == args.out.resolve():
            raise InputError("the salt and the bundle cannot be the same file", file=str(args.salt_out),
                             field="--salt-out")
        if args.salt_out.resolve().parent == args.out.resolve().parent:
            console.print(f"[bold yellow]warning:[/bold yellow] the salt goes next to the bundle in "
                          f"{args.out.resolve().parent}; never publish it with the proof")
    if args.ptau is not None:
        check_ptau_file(args.ptau)
    salt = None
    if args.salt is not None:
        record = read_salt(args.salt)
        if record.circuit_size != args.size:
            raise InputError(f"the salt was made for the {record.circuit_size} circuit, not {args.size}",
                             file=str(args.salt), field="--salt")
        salt = int(record.salt)
    market, _, table, scenarios = load_table(args)
    params = build_params_tree(table)
    account = encode_account(load_portfolio(args.portfolio), table, source=str(args.portfolio))
    book = BOOK_SIZES.get(args.size)
    # slots, tree and solvency, before any tool runs
    provable: ProvableAccount | ProvableBook = (check_provable_book(params, account, book) if book is not None
                                                else check_provable(params, account, SIZES[args.size]))
    disclosure = Disclosure.from_flag(args.disclose)
    threshold = parse_threshold(args.threshold) if args.threshold is not None else None
    check_disclosure(provable.result, disclosure, threshold)
    salt = new_salt() if salt is None else salt
    salt_out = args.salt_out
    if salt_out is None:
        folder = salt_folder()
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        commitment = (commit_book(account, book, salt) if book is not None
                      else commit_account(account, SIZES[args.size], salt))
        # one file per salt: the commitment's first 16 hex digits keep earlier salts from being overwritten
        tag = f"{commitment:064x}"[:16]
        salt_out = folder / f"{args.out.name.removesuffix('.json')}.{tag}.salt.json"
        check_output_path(salt_out, "salt folder")

    proof: ProofResult | BookProofResult
    steps = Steps(console)
    if isinstance(provable, ProvableBook):
        chunk_keys, book_keys = run_book_setup(console, args.size, args.ptau)
        what = f"proving the book in chunks of {provable.size.chunk_positions} positions"
    else:
        artifacts = run_setup(console, args.size, args.ptau)
        what = "proving the account"
    with tempfile.TemporaryDirectory(prefix="zkmargin-prove-") as tmp, steps.step(what):
        try:
            if isinstance(provable, ProvableBook):
                proof = prove_book(chunk_keys, book_keys, provable, salt=salt, workdir=Path(tmp),
                                   market_timestamp=market.timestamp.isoformat(), scenarios=scenarios.name,
                                   progress=steps.note, disclosure=disclosure, threshold=threshold)
            else:
                proof = prove_account(artifacts, provable, salt=salt, workdir=Path(tmp),
                                      market_timestamp=market.timestamp.isoformat(), scenarios=scenarios.name,
                                      progress=steps.note, disclosure=disclosure, threshold=threshold)
        except CircuitMismatchError as exc:
            print(f"zkmargin: error: {exc}", file=sys.stderr)
            return EXIT_FAILED
    write_private(salt_out, proof.salt_record.to_json())
    args.out.write_text(proof.bundle.to_json())
    console.print(proof.bundle.statement.text)
    kind = (f"book bundle ({len(proof.bundle.chunks)} chunk proofs and one combining proof)"
            if isinstance(proof, BookProofResult) else "proof bundle")
    console.print(f"wrote the {kind} to {args.out}")
    console.print(f"wrote the salt to {salt_out} (mode 0600; keep it private: with the positions it opens the "
                  "account commitment)")
    console.print(f"witness {proof.seconds['witness']:.1f} s, proof {proof.seconds['prove']:.1f} s")
    return EXIT_OK


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the prover subcommands to the ``zkmargin`` parser."""
    p = sub.add_parser("setup", help="compile the account circuit and make its Groth16 keys (cached)")
    add_size_arg(p)
    p.add_argument("--ptau", type=Path, default=None,
                   help="a ceremony's prepared .ptau for a production setup (default: INSECURE dev setup)")
    p.add_argument("--seed", default=DEV_SEED, help="public seed of the INSECURE dev setup")
    p.add_argument("--vkey-out", type=Path, default=None,
                   help="also copy the verification key (of a book size: the book circuit's) here")
    p.add_argument("--chunk-vkey-out", type=Path, default=None,
                   help="of a book size: also copy the chunk circuit's verification key here")
    p.set_defaults(handler=cmd_setup)

    p = sub.add_parser("params-root", help="compute the params root a venue publishes (and its leaf table)")
    add_market_args(p)
    p.add_argument("--leaves", type=Path, default=None, help="write the published leaf table (JSON) here")
    p.add_argument("--json", action="store_true", help="print the roots as JSON")
    p.set_defaults(handler=cmd_params_root)

    p = sub.add_parser("prove", help="prove one account's margin and solvency")
    add_market_args(p)
    add_size_arg(p)
    p.add_argument("--portfolio", type=Path, required=True, help="portfolio JSON")
    p.add_argument("--out", type=Path, required=True, help="proof bundle to write (JSON; publishable)")
    p.add_argument("--salt-out", type=Path, default=None,
                   help="private salt file to write (default: a new file in $ZKMARGIN_SALT_DIR, else "
                        "~/.local/share/zkmargin/salts/)")
    p.add_argument("--salt", type=Path, default=None, help="reuse the salt of an earlier salt file")
    p.add_argument("--ptau", type=Path, default=None, help="ceremony .ptau (default: INSECURE dev setup)")
    p.add_argument("--disclose", choices=[m.flag for m in Disclosure], default=Disclosure.NOTHING.flag,
                   help="what the public statement shows besides solvency (default %(default)s: no margin figure; "
                        "margins: the exact IM and MM; mm-at-most / free-collateral-at-least: MM <= --threshold or "
                        "equity - IM >= --threshold)")
    p.add_argument("--threshold", default=None, metavar="AMOUNT",
                   help="the bound of --disclose mm-at-most or free-collateral-at-least, in quote currency")
    p.set_defaults(handler=cmd_prove)
