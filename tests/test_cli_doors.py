"""Every subcommand on bad input: exit code 2, exactly one line on stderr, never a traceback.

The corpus (`CASES`) is built from a handful of broken files (missing, unreadable, a folder, empty,
truncated, not JSON, binary, a JSON array) tried in every file argument of every subcommand, plus
argument errors (`--size`, `--vkey`, `--root`), a salt file of the wrong shape, bundles with a missing or an
extra field, and output paths in folders that do not exist.  None of these cases reaches a slow step: every
check runs before any work, which is itself part of the contract (a finished proof is never lost).
"""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from zkmargin.cli.common import EXIT_INPUT
from zkmargin.cli.main import build_parser, main
from zkmargin.constants import FIELD_ORDER

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
MARKET = str(EXAMPLES / "market.json")
PARAMS = str(EXAMPLES / "params.json")
PORTFOLIO = str(EXAMPLES / "portfolios" / "butterfly.json")
PRICES = str(EXAMPLES / "history" / "synthetic_btc_eth_daily.csv")
ORDERS = str(EXAMPLES / "orders" / "two_underlying_book.json")
VENUE_ACCOUNTS = str(EXAMPLES / "venue_small")
FIXTURE_VKEY = ROOT / "tests" / "fixtures" / "groth16" / "vkey.json"
ROOT_HEX = "0x" + "1" * 64


def _bundle() -> dict[str, object]:
    """A well-formed bundle (its proof is the fixture's, so it does not verify; shape is what is tested)."""
    fixture = ROOT / "tests" / "fixtures" / "groth16"
    return {
        "format": "zkmargin-proof-bundle", "version": 2,
        "circuit": {"size": "test", "vkey_id": "0" * 16, "constraints": 1},
        "statement": {"params_root": "1", "params": {"instruments_root": "1", "table_hash": "2", "im_bp": 13000,
                                                     "mm_bp": 10000, "epoch": 1},
                      "account_commitment": "2", "initial_margin": "1.000000", "maintenance_margin": "1.000000",
                      "epoch": 1, "market_timestamp": "", "scenarios": "span16", "text": ""},
        "proof": json.loads((fixture / "proof_0.json").read_text()),
        "publicSignals": json.loads((fixture / "public_0.json").read_text()),
    }


@dataclass(frozen=True)
class Broken:
    """Files and folders that no command may accept, made once per test in ``tmp``."""

    tmp: Path

    def path(self, kind: str) -> Path:
        """A broken file of ``kind`` (see :data:`FILE_KINDS`)."""
        p = self.tmp / f"{kind}.json"
        if kind == "missing":
            return p
        if kind == "folder":
            p.mkdir(exist_ok=True)
            return p
        if kind == "unreadable":
            p.write_text("{}")
            p.chmod(0)
            return p
        content: dict[str, bytes] = {
            "empty": b"", "truncated": b'{"timestamp": "2026-11-23T08:00:00Z", "underlyings": {',
            "not-json": b"market: BTC\n", "binary": bytes(range(256)) * 4, "array": b"[1, 2, 3]"}
        p.write_bytes(content[kind])
        return p


FILE_KINDS = ("missing", "unreadable", "folder", "empty", "truncated", "not-json", "binary", "array")

#: Each subcommand's file arguments, as (argv before, argv after) around the broken file.
FILE_ARGS: dict[str, list[tuple[list[str], list[str]]]] = {
    "margin --market": [(["margin", "--market"], ["--params", PARAMS, "--portfolio", PORTFOLIO])],
    "margin --params": [(["margin", "--market", MARKET, "--params"], ["--portfolio", PORTFOLIO])],
    "margin --portfolio": [(["margin", "--market", MARKET, "--params", PARAMS, "--portfolio"], [])],
    "margin --scenarios": [(["margin", "--market", MARKET, "--params", PARAMS, "--portfolio", PORTFOLIO,
                             "--scenarios"], [])],
    "batch --market": [(["batch", "--params", PARAMS, "--market"], [PORTFOLIO])],
    "batch --params": [(["batch", "--market", MARKET, "--params"], [PORTFOLIO])],
    "batch PORTFOLIO": [(["batch", "--market", MARKET, "--params", PARAMS, PORTFOLIO], [])],
    "risk-arrays --market": [(["risk-arrays", "--market"], [])],
    "instruments --market": [(["instruments", "--market"], [])],
    "calibrate --prices": [(["calibrate", "--prices"], [])],
    "params-root --market": [(["params-root", "--params", PARAMS, "--market"], [])],
    "params-root --params": [(["params-root", "--market", MARKET, "--params"], [])],
    "prove --market": [(["prove", "--params", PARAMS, "--portfolio", PORTFOLIO, "--out", "{tmp}/b.json",
                         "--market"], [])],
    "prove --params": [(["prove", "--market", MARKET, "--portfolio", PORTFOLIO, "--out", "{tmp}/b.json",
                         "--params"], [])],
    "prove --ptau": [(["prove", "--market", MARKET, "--params", PARAMS, "--portfolio", PORTFOLIO, "--out",
                       "{tmp}/b.json", "--ptau"], [])],
    "prove --portfolio": [(["prove", "--market", MARKET, "--params", PARAMS, "--out", "{tmp}/b.json",
                            "--portfolio"], [])],
    "prove --salt": [(["prove", "--market", MARKET, "--params", PARAMS, "--portfolio", PORTFOLIO, "--out",
                       "{tmp}/b.json", "--salt"], [])],
    "setup --ptau": [(["setup", "--ptau"], [])],
    "verify BUNDLE": [(["verify", "--vkey", str(FIXTURE_VKEY)], [])],
    "verify --vkey": [(["verify", "{tmp}/bundle.json", "--vkey"], [])],
    "audit --vkey": [(["audit", "--market", MARKET, "--params", PARAMS, "--root", ROOT_HEX, "--proofs", "{tmp}",
                       "--vkey"], [])],
    "audit --params": [(["audit", "--market", MARKET, "--root", ROOT_HEX, "--vkey", str(FIXTURE_VKEY), "--proofs",
                         "{tmp}", "--params"], [])],
    "audit --market": [(["audit", "--params", PARAMS, "--root", ROOT_HEX, "--vkey", str(FIXTURE_VKEY), "--proofs",
                         "{tmp}", "--market"], [])],
    "what-if --market": [(["what-if", "--params", PARAMS, "--portfolio", PORTFOLIO, "--orders", ORDERS, "--market"],
                          [])],
    "what-if --params": [(["what-if", "--market", MARKET, "--portfolio", PORTFOLIO, "--orders", ORDERS, "--params"],
                          [])],
    "what-if --portfolio": [(["what-if", "--market", MARKET, "--params", PARAMS, "--orders", ORDERS, "--portfolio"],
                             [])],
    "what-if --orders": [(["what-if", "--market", MARKET, "--params", PARAMS, "--portfolio", PORTFOLIO, "--orders"],
                          [])],
    "what-if --scenarios": [(["what-if", "--market", MARKET, "--params", PARAMS, "--portfolio", PORTFOLIO,
                              "--orders", ORDERS, "--scenarios"], [])],
    "liquidation-plan --market": [(["liquidation-plan", "--params", PARAMS, "--portfolio", PORTFOLIO, "--market"],
                                   [])],
    "liquidation-plan --params": [(["liquidation-plan", "--market", MARKET, "--portfolio", PORTFOLIO, "--params"],
                                   [])],
    "liquidation-plan --portfolio": [(["liquidation-plan", "--market", MARKET, "--params", PARAMS, "--portfolio"],
                                      [])],
    "venue prove --accounts": [(["venue", "prove", "--market", MARKET, "--params", PARAMS, "--out", "{tmp}/vo",
                                 "--private", "{tmp}/vp", "--accounts"], [])],
    "venue prove --market": [(["venue", "prove", "--accounts", VENUE_ACCOUNTS, "--params", PARAMS, "--out",
                               "{tmp}/vo", "--private", "{tmp}/vp", "--market"], [])],
    "venue audit --statement": [(["venue", "audit", "--market", MARKET, "--params", PARAMS, "--statement"], [])],
    "venue check-inclusion --receipt": [(["venue", "check-inclusion", "--statement", "{tmp}/s.json", "--receipt"],
                                         [])],
}


def _argument_cases() -> dict[str, list[str]]:
    prove = ["prove", "--market", MARKET, "--params", PARAMS, "--portfolio", PORTFOLIO]
    what_if = ["what-if", "--market", MARKET, "--params", PARAMS, "--portfolio", PORTFOLIO, "--orders"]
    return {
        "wrong --size (prove)": [*prove, "--out", "{tmp}/b.json", "--size", "huge"],
        "wrong --size (setup)": ["setup", "--size", "huge"],
        "wrong --size (verify)": ["verify", "{tmp}/bundle.json", "--size", "huge"],
        "--size is no option of params-root (the root is the same for every size)": ["params-root", "--market",
                                                                                    MARKET, "--params", PARAMS,
                                                                                    "--size", "test"],
        "wrong --vkey: not a key (verify)": ["verify", "{tmp}/bundle.json", "--vkey", MARKET],
        "wrong --vkey: 2 public signals (verify)": ["verify", "{tmp}/bundle.json", "--vkey", "{tmp}/vkey2.json"],
        "wrong --vkey: 2 public signals (audit)": ["audit", "--market", MARKET, "--params", PARAMS, "--root",
                                                   ROOT_HEX, "--vkey", "{tmp}/vkey2.json", "--proofs", "{tmp}"],
        "--root nothex (verify)": ["verify", "{tmp}/bundle.json", "--vkey", str(FIXTURE_VKEY), "--root", "nothex"],
        "--root nothex (audit)": ["audit", "--market", MARKET, "--params", PARAMS, "--root", "nothex", "--vkey",
                                  str(FIXTURE_VKEY), "--proofs", "{tmp}"],
        "--root above the field (audit)": ["audit", "--market", MARKET, "--params", PARAMS, "--root", "0x" + "f" * 64,
                                           "--vkey", str(FIXTURE_VKEY), "--proofs", "{tmp}"],
        "salt file of the wrong shape": [*prove, "--out", "{tmp}/b.json", "--salt", "{tmp}/salt_shape.json"],
        "salt file of another format": [*prove, "--out", "{tmp}/b.json", "--salt", PARAMS],
        "salt above the field order": [*prove, "--out", "{tmp}/b.json", "--salt", "{tmp}/salt_big.json"],
        "salt file and bundle at one path": [*prove, "--out", "{tmp}/b.json", "--salt-out", "{tmp}/b.json"],
        "bundle with a public signal above r": ["verify", "{tmp}/bundle_big.json", "--vkey", str(FIXTURE_VKEY)],
        "verify --publish-root without --evm": ["verify", "{tmp}/bundle.json", "--vkey", str(FIXTURE_VKEY),
                                                "--publish-root"],
        "verify with both --vkey and --size": ["verify", "{tmp}/bundle.json", "--vkey", str(FIXTURE_VKEY),
                                               "--size", "test"],
        "audit of a folder without bundles": ["audit", "--market", MARKET, "--params", PARAMS, "--root", ROOT_HEX,
                                              "--vkey", str(FIXTURE_VKEY), "--proofs", "{tmp}/empty"],
        "instruments of an unknown underlying": ["instruments", "--market", MARKET, "--underlying", "DOGE"],
        "bundle with a missing field": ["verify", "{tmp}/bundle_missing.json", "--vkey", str(FIXTURE_VKEY)],
        "bundle with an extra field": ["verify", "{tmp}/bundle_extra.json", "--vkey", str(FIXTURE_VKEY)],
        "bundle of an old version": ["verify", "{tmp}/bundle_v1.json", "--vkey", str(FIXTURE_VKEY)],
        "bundle that is a market file": ["verify", MARKET, "--vkey", str(FIXTURE_VKEY)],
        "prove --out in a missing folder": [*prove, "--out", "{tmp}/nowhere/b.json"],
        "prove --out is a folder": [*prove, "--out", "{tmp}"],
        "prove --salt-out in a missing folder": [*prove, "--out", "{tmp}/b.json", "--salt-out",
                                                 "{tmp}/nowhere/s.json"],
        "risk-arrays --out in a missing folder": ["risk-arrays", "--market", MARKET, "--out", "{tmp}/nowhere/r.csv"],
        "params-root --leaves in a missing folder": ["params-root", "--market", MARKET, "--params", PARAMS,
                                                     "--leaves", "{tmp}/nowhere/l.json"],
        "setup --vkey-out in a missing folder": ["setup", "--vkey-out", "{tmp}/nowhere/vkey.json"],
        "margin without --params": ["margin", "--market", MARKET, "--portfolio", PORTFOLIO],
        "unknown subcommand": ["frobnicate"],
        "unknown option": ["margin", "--market", MARKET, "--params", PARAMS, "--portfolio", PORTFOLIO, "--bogus"],
        "risk-arrays --limit 0": ["risk-arrays", "--market", MARKET, "--limit", "0"],
        "unknown scenario preset": ["risk-arrays", "--market", MARKET, "--scenarios", "span99"],
        "instruments of a portfolio file": ["instruments", "--market", PORTFOLIO],
        "calibrate --window 0": ["calibrate", "--prices", PRICES, "--window", "0"],
        "calibrate --confidence 0.95": ["calibrate", "--prices", PRICES, "--confidence", "0.95"],
        "calibrate: too few rows for the window": ["calibrate", "--prices", PRICES, "--window", "100000"],
        "calibrate of a market file": ["calibrate", "--prices", MARKET],
        "calibrate --out in a missing folder": ["calibrate", "--prices", PRICES, "--out", "{tmp}/nowhere/s.json"],
        "what-if: orders file is an object": [*what_if, "{tmp}/orders_object.json"],
        "what-if: no orders": [*what_if, "{tmp}/orders_empty.json"],
        "what-if: unknown instrument in the orders": [*what_if, "{tmp}/orders_unknown.json"],
        "what-if: an order of zero contracts": [*what_if, "{tmp}/orders_zero.json"],
        "what-if: an order of 0.0001 contract": [*what_if, "{tmp}/orders_decimals.json"],
        "what-if without --orders": ["what-if", "--market", MARKET, "--params", PARAMS, "--portfolio", PORTFOLIO],
        "what-if --cash-asset with a haircut": [*what_if, ORDERS, "--cash-asset", "USDT"],
        "liquidation-plan --cash-asset not in the market": ["liquidation-plan", "--market", MARKET, "--params", PARAMS,
                                                             "--portfolio", PORTFOLIO, "--cash-asset", "EUR"],
    }


CASES: dict[str, list[str]] = {}
for _name, _variants in FILE_ARGS.items():
    for _kind in FILE_KINDS:
        for _before, _after in _variants:
            CASES[f"{_name}: {_kind} file"] = [*_before, f"{{broken:{_kind}}}", *_after]
CASES.update(_argument_cases())


@pytest.fixture
def corpus_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The files the argument cases refer to."""
    bundle = _bundle()
    (tmp_path / "bundle.json").write_text(json.dumps(bundle))
    missing = copy.deepcopy(bundle)
    del missing["circuit"]
    (tmp_path / "bundle_missing.json").write_text(json.dumps(missing))
    (tmp_path / "bundle_extra.json").write_text(json.dumps({**bundle, "insecure_dev_setup": False}))
    (tmp_path / "bundle_v1.json").write_text(json.dumps({**bundle, "format": "zkmargin-proof-bundle", "version": 1}))
    salt = {"format": "zkmargin-account-salt", "version": 2, "account": "a", "salt": str(FIELD_ORDER),
            "account_commitment": "1", "circuit_size": "test"}
    (tmp_path / "salt_big.json").write_text(json.dumps(salt))
    (tmp_path / "bundle_big.json").write_text(json.dumps({**bundle, "publicSignals": ["1", "2", str(FIELD_ORDER)]}))
    (tmp_path / "empty").mkdir()
    (tmp_path / "salt_shape.json").write_text(json.dumps({"format": "zkmargin-account-salt", "version": 2,
                                                          "salt": [1, 2]}))
    vkey = json.loads(FIXTURE_VKEY.read_text())
    vkey["IC"], vkey["nPublic"] = vkey["IC"][:3], 2
    (tmp_path / "vkey2.json").write_text(json.dumps(vkey))
    (tmp_path / "orders_object.json").write_text(json.dumps({"instrument": "BTC-PERPETUAL", "quantity": 1}))
    (tmp_path / "orders_empty.json").write_text("[]")
    (tmp_path / "orders_unknown.json").write_text(json.dumps([{"instrument": "DOGE-PERPETUAL", "quantity": 1}]))
    (tmp_path / "orders_zero.json").write_text(json.dumps([{"instrument": "BTC-PERPETUAL", "quantity": "0"}]))
    (tmp_path / "orders_decimals.json").write_text(json.dumps([{"instrument": "BTC-PERPETUAL", "quantity": "1e-4"}]))
    monkeypatch.setenv("ZKMARGIN_SALT_DIR", str(tmp_path / "salts"))
    yield tmp_path


def _expand(argv: list[str], tmp: Path) -> list[str]:
    broken = Broken(tmp / "broken")
    broken.tmp.mkdir(exist_ok=True)
    out = []
    for arg in argv:
        if arg.startswith("{broken:"):
            out.append(str(broken.path(arg.removeprefix("{broken:").removesuffix("}"))))
        else:
            out.append(arg.replace("{tmp}", str(tmp)))
    return out


@pytest.fixture
def deny_reading(monkeypatch: pytest.MonkeyPatch) -> Callable[[], None]:
    """As root a mode-0 file is still readable; make `os.access` and reads refuse files named unreadable.json."""

    def install() -> None:
        if os.geteuid() != 0:
            return
        real_access, real_read = os.access, Path.read_text

        def access(path: object, mode: int, *args: object, **kwargs: object) -> bool:
            if str(path).endswith("unreadable.json"):
                return False
            return real_access(path, mode)  # type: ignore[arg-type]

        def read_text(self: Path, *args: object, **kwargs: object) -> str:
            if self.name == "unreadable.json":
                raise PermissionError(13, "Permission denied", str(self))
            return real_read(self, *args, **kwargs)  # type: ignore[arg-type]

        monkeypatch.setattr(os, "access", access)
        monkeypatch.setattr(Path, "read_text", read_text)

    return install


@pytest.mark.parametrize("name", list(CASES))
def test_bad_input_is_one_line_and_exit_2(name: str, corpus_dir: Path, deny_reading: Callable[[], None],
                                          capsys: pytest.CaptureFixture[str]) -> None:
    argv = _expand(CASES[name], corpus_dir)
    if "unreadable" in name:
        deny_reading()
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse's own errors
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    lines = [line for line in err.splitlines() if line.strip()]
    assert code == EXIT_INPUT, (name, code, out, err)
    assert len(lines) == 1, (name, err)
    assert lines[0].startswith("zkmargin: error: "), (name, err)
    assert "Traceback" not in err + out
    assert not (corpus_dir / "b.json").exists(), "no proof may be written on bad input"


def test_every_subcommand_is_in_the_corpus() -> None:
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    commands = set(sub.choices)  # type: ignore[arg-type]
    covered = {argv[0] for argv in CASES.values()}
    assert commands - covered <= {"schema"}, commands - covered  # schema takes a choice only (see below)


def test_schema_with_a_wrong_name(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["schema", "accounts"])
    _, err = capsys.readouterr()
    assert exc.value.code == EXIT_INPUT and len(err.strip().splitlines()) == 1


def test_schema_into_a_closed_pipe_prints_no_traceback() -> None:
    """`zkmargin schema scenarios | head -1`: the reader leaves early; the command stops quietly."""
    zkmargin = Path(sys.executable).with_name("zkmargin")
    proc = subprocess.run(f"'{zkmargin}' schema scenarios | head -1", shell=True, capture_output=True, text=True,
                          timeout=120, check=False)
    assert proc.returncode == 0 and proc.stdout.strip() == "{"
    assert proc.stderr == "", proc.stderr


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0 and capsys.readouterr().out.startswith("zkmargin ")
