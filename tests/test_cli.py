"""The zkmargin CLI: reports, JSON output and one-line errors with a non-zero exit."""

from __future__ import annotations

import json
import re
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
    assert code == 0 and f"{len(PORTFOLIOS)}/{len(PORTFOLIOS)} accounts solvent" in out
    code, out, _ = run(capsys, "risk-arrays", "--market", str(MARKET), "--scenarios", "seed5", "--limit", "3")
    assert code == 0 and "BTC-USDC" in out  # no --params: risk arrays need no haircuts
    csv_path = tmp_path / "ra.csv"
    code, _, _ = run(capsys, "risk-arrays", "--market", str(MARKET), "--params", str(PARAMS), "--out", str(csv_path))
    lines = csv_path.read_text().splitlines()
    assert code == 0 and len(lines) == 1 + len(json.loads(MARKET.read_text())["instruments"])
    assert lines[0].count("_micro_per_lot") == 2 + 24  # mark, charge and the v2 scenarios


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
    expect_error(capsys, margin_args(pf), "p.json", "positions[0].quantity", "BTC-PERPETUAL",
                 "1e12 contracts is outside the accepted range -1,099,511,627.776 to 1,099,511,627.775")
    pf = write(tmp_path, "q.json", {"positions": [{"instrument": "BTC-PERPETUAL", "quantity": "0.0005"}]})
    expect_error(capsys, margin_args(pf), "0.0005 contracts has more than 3 decimals", "0.001 contract")


def test_errors_speak_contracts_and_asset_units(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    half = 2**39 / 1000
    pf = write(tmp_path, "p.json", {"positions": [{"instrument": "BTC-PERPETUAL", "quantity": f"{half:.3f}"},
                                                  {"instrument": "BTC-PERPETUAL", "quantity": f"{half:.3f}"}]})
    expect_error(capsys, margin_args(pf), "net quantity 1,099,511,627.776 contracts", "BTC-PERPETUAL")
    pf = write(tmp_path, "b.json", {"positions": [], "collateral": {"BTC": "1e12"}})
    expect_error(capsys, margin_args(pf), "collateral.BTC", "balance 1e12 is outside the accepted range of 0 to "
                 "184,467,440,737.09551615 BTC")
    for text in ("lots", "1e-8", "2^"):
        assert text not in capsys.readouterr().err


def test_batch_reports_bad_accounts_and_goes_on(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    bad = write(tmp_path, "bad.json", {"account": "bad", "positions": [{"instrument": "NOPE", "quantity": 1}]})
    long_name: dict[str, Any] = {"account": "a-very-long-account-name-of-a-market-maker-desk-in-singapore-0001",
                 "positions": [], "collateral": {"USDC": "100000"}}
    good = write(tmp_path, "good.json", long_name)
    code, out, err = run(capsys, "batch", "--market", str(MARKET), "--params", str(PARAMS), str(good), str(bad),
                         str(tmp_path / "missing.json"))
    assert code == EXIT_INPUT
    assert long_name["account"] in out and "1/1 accounts solvent" in out
    assert err.count("zkmargin: error:") == 2 and "NOPE" in err and "missing.json" in err


def test_money_in_tables_has_thousands_separators(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, *margin_args(EXAMPLES / "portfolios" / "two_underlying_book.json"))
    assert code == 0 and re.search(r"\d,\d{3}\.\d{6}", out)
    code, out, _ = run(capsys, "batch", "--market", str(MARKET), "--params", str(PARAMS), str(EXAMPLES / "portfolios"))
    assert code == 0 and re.search(r"Total IM \d{1,3}(,\d{3})+\.\d{6}", out)


def test_instruments_lists_ids(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "instruments", "--market", str(MARKET), "--underlying", "ETH", "--json")
    listed = json.loads(out)
    assert code == 0 and listed and all(i["underlying"] == "ETH" for i in listed)
    ids = {i["id"] for i in json.loads(MARKET.read_text())["instruments"] if i["underlying"] == "ETH"}
    assert {i["id"] for i in listed} == ids
    code, out, _ = run(capsys, "instruments", "--market", str(MARKET))
    assert code == 0 and "BTC-PERPETUAL" in out


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


def test_error_missing_haircut_names_params(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    params = json.loads(PARAMS.read_text())
    params["haircuts_bp"].pop("BTC")
    argv = ["margin", "--market", str(MARKET), "--params", str(write(tmp_path, "params.json", params)),
            "--portfolio", str(PORTFOLIOS[0])]
    expect_error(capsys, argv, "params.json", "haircuts_bp", "'BTC' has no haircut")


def test_error_unknown_scenarios(capsys: pytest.CaptureFixture[str]) -> None:
    expect_error(capsys, [*margin_args(PORTFOLIOS[0]), "--scenarios", "span17"], "span16", "crypto-grid")


def test_console_script_entry_point(tmp_path: Path) -> None:
    exe = shutil.which("zkmargin") or str(ROOT / ".venv" / "bin" / "zkmargin")
    proc = subprocess.run([exe, *margin_args(PORTFOLIOS[0], "--json")], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["solvent"] in (True, False)
