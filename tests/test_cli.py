"""The zkmargin CLI: reports, JSON output and one-line errors with a non-zero exit."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from zkmargin.cli.common import EXIT_INPUT
from zkmargin.cli.main import main

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
MARKET = EXAMPLES / "market.json"
PARAMS = EXAMPLES / "params.json"
PORTFOLIOS = sorted((EXAMPLES / "portfolios").glob("*.json"))


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def margin_args(portfolio: Path, *extra: str, market: Path = MARKET) -> list[str]:
    return ["margin", "--market", str(market), "--params", str(PARAMS), "--portfolio", str(portfolio), *extra]


@pytest.mark.parametrize("portfolio", PORTFOLIOS, ids=lambda p: p.stem)
def test_margin_json_for_every_example(capsys: pytest.CaptureFixture[str], portfolio: Path) -> None:
    code, out, _ = run(capsys, *margin_args(portfolio, "--json"))
    assert code == 0
    report = json.loads(out)
    for key in ("initial_margin", "maintenance_margin", "equity", "collateral_value", "solvent", "groups",
                "isolated_margin"):
        assert key in report
    for group in report["groups"]:
        assert {"scan_risk", "worst_scenario", "short_option_minimum"} <= group.keys()
    assert "." in report["initial_margin"] and isinstance(report["solvent"], bool)
    assert float(report["portfolio_saving"]) >= 0


def test_margin_table_report(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, *margin_args(EXAMPLES / "portfolios" / "two_underlying_book.json"))
    assert code == 0
    for text in ("scan risk", "worst scenario", "short option min", "initial margin (IM)", "maintenance margin",
                 "collateral after haircuts", "equity", "solvent", "Net Greeks", "saving"):
        assert text in out


def test_market_maker_book_has_200_plus_positions(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, *margin_args(EXAMPLES / "portfolios" / "market_maker_book.json", "--json"))
    assert code == 0 and json.loads(out)["positions"] >= 200


def test_batch_and_risk_arrays(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, _ = run(capsys, "batch", "--market", str(MARKET), "--params", str(PARAMS), str(EXAMPLES / "portfolios"))
    assert code == 0 and "8/8 accounts solvent" in out
    code, out, _ = run(capsys, "risk-arrays", "--market", str(MARKET), "--params", str(PARAMS), "--scenarios",
                       "seed5", "--limit", "3")
    assert code == 0 and "BTC-USDC" in out
    csv_path = tmp_path / "ra.csv"
    code, _, _ = run(capsys, "risk-arrays", "--market", str(MARKET), "--params", str(PARAMS), "--out", str(csv_path))
    lines = csv_path.read_text().splitlines()
    assert code == 0 and len(lines) == 1 + len(json.loads(MARKET.read_text())["instruments"])
    assert lines[0].count("_micro_per_lot") == 2 + 16


def write(tmp_path: Path, name: str, data: Any) -> Path:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data))
    return path


def market_with(**changes: Any) -> dict[str, Any]:
    market: dict[str, Any] = json.loads(MARKET.read_text())
    market.update(changes)
    return market


def expect_error(capsys: pytest.CaptureFixture[str], argv: list[str], *fragments: str) -> None:
    code, out, err = run(capsys, *argv)
    assert code == EXIT_INPUT, out
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


def test_error_malformed_json(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    bad = write(tmp_path, "bad.json", '{"positions": [')
    expect_error(capsys, margin_args(bad), "bad.json", "malformed JSON", "line 1")


def test_error_unknown_instrument(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    pf = write(tmp_path, "p.json", {"positions": [{"instrument": "BTC-1JAN27-1-C", "quantity": 1}]})
    expect_error(capsys, margin_args(pf), "p.json", "positions[0].instrument", "BTC-1JAN27-1-C", "unknown")


def test_error_negative_balance(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    pf = write(tmp_path, "p.json", {"positions": [], "collateral": {"USDC": "-5"}})
    expect_error(capsys, margin_args(pf), "p.json", "collateral.USDC", "negative")


def test_error_quantity_out_of_bounds(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    pf = write(tmp_path, "p.json", {"positions": [{"instrument": "BTC-PERPETUAL", "quantity": "1e12"}]})
    expect_error(capsys, margin_args(pf), "p.json", "positions[0].quantity", "BTC-PERPETUAL", "qty")
    pf = write(tmp_path, "q.json", {"positions": [{"instrument": "BTC-PERPETUAL", "quantity": "0.0005"}]})
    expect_error(capsys, margin_args(pf), "whole number of lots")


def test_error_expired_option(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    market = market_with(timestamp="2026-11-28T08:00:00Z")
    m = write(tmp_path, "m.json", market)
    expect_error(capsys, margin_args(PORTFOLIOS[0], market=m), "m.json", "BTC-27NOV26", "expired")


@pytest.mark.parametrize("vol", ["NaN", "Infinity", -0.2])
def test_error_bad_volatility(capsys: pytest.CaptureFixture[str], tmp_path: Path, vol: Any) -> None:
    market = json.loads(MARKET.read_text())
    market["instruments"][10]["iv"] = float(vol) if isinstance(vol, str) else vol
    bad_id = market["instruments"][10]["id"]
    m = write(tmp_path, "m.json", json.dumps(market))
    expect_error(capsys, margin_args(PORTFOLIOS[0], market=m), "m.json", "instruments[10]", bad_id, "volatility")


def test_error_underlying_without_price(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    market = json.loads(MARKET.read_text())
    market["instruments"].append({"id": "SOL-PERPETUAL", "kind": "perpetual", "underlying": "SOL"})
    m = write(tmp_path, "m.json", market)
    expect_error(capsys, margin_args(PORTFOLIOS[0], market=m), "m.json", "SOL-PERPETUAL", "no price")


def test_error_missing_haircut_names_params(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["margin", "--market", str(MARKET), "--portfolio", str(PORTFOLIOS[0])]
    expect_error(capsys, argv, "haircut", "--params")


def test_error_unknown_scenarios(capsys: pytest.CaptureFixture[str]) -> None:
    expect_error(capsys, [*margin_args(PORTFOLIOS[0]), "--scenarios", "span17"], "span16", "crypto-grid")


def test_console_script_entry_point(tmp_path: Path) -> None:
    exe = shutil.which("zkmargin") or str(ROOT / ".venv" / "bin" / "zkmargin")
    proc = subprocess.run([exe, *margin_args(PORTFOLIOS[0], "--json")], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["solvent"] in (True, False)
