"""`zkmargin prove`, `verify` and `audit` end to end on the `test` circuit, and their input errors."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from zkmargin.cli.common import EXIT_FAILED, EXIT_INPUT, EXIT_OK
from zkmargin.cli.main import main

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
MARKET_ARGS = ["--market", str(EXAMPLES / "market.json"), "--params", str(EXAMPLES / "params.json")]
FIXTURE_VKEY = ROOT / "tests" / "fixtures" / "groth16" / "vkey.json"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def params_root(capsys: pytest.CaptureFixture[str], market: Path | None = None) -> str:
    args = ["--market", str(market)] if market else MARKET_ARGS[:2]
    code, out, _ = run(capsys, "params-root", *args, *MARKET_ARGS[2:], "--json")
    assert code == EXIT_OK
    return str(json.loads(out)["params_root"])


@pytest.fixture(scope="module")
def proofs(tmp_path_factory: pytest.TempPathFactory, test_keys: Any) -> dict[str, Path]:
    """Two honest proofs and one made against a different market snapshot, plus the published vkey."""
    out = tmp_path_factory.mktemp("proofs")
    shutil.copyfile(test_keys.vkey, out / "vkey.json")
    moved = json.loads((EXAMPLES / "market.json").read_text())
    moved["underlyings"]["BTC"]["index"] = 98_500.0
    (out / "moved_market.json").write_text(json.dumps(moved))
    honest = out / "honest"
    honest.mkdir()
    for name in ("naked_short_call", "butterfly"):
        assert main(["prove", *MARKET_ARGS, "--portfolio", str(EXAMPLES / "portfolios" / f"{name}.json"),
                     "--out", str(honest / f"{name}.proof.json")]) == EXIT_OK
    assert main(["prove", "--market", str(out / "moved_market.json"), *MARKET_ARGS[2:], "--portfolio",
                 str(EXAMPLES / "portfolios" / "naked_short_call.json"), "--out",
                 str(out / "other_market.proof.json")]) == EXIT_OK
    return {"dir": out, "honest": honest, "vkey": out / "vkey.json", "other": out / "other_market.proof.json"}


def test_bundle_and_salt_are_separate(proofs: dict[str, Path]) -> None:
    bundle = json.loads((proofs["honest"] / "butterfly.proof.json").read_text())
    salt = json.loads((proofs["honest"] / "butterfly.proof.salt.json").read_text())
    assert salt["salt"] not in json.dumps(bundle)
    assert bundle["statement"]["account_commitment"] == salt["account_commitment"]
    assert {"proof", "publicSignals", "statement", "circuit"} <= bundle.keys()
    assert bundle["circuit"]["insecure_dev_setup"] is True


def test_verify_python_and_snarkjs(capsys: pytest.CaptureFixture[str], proofs: dict[str, Path]) -> None:
    code, out, _ = run(capsys, "verify", str(proofs["honest"] / "butterfly.proof.json"), "--vkey",
                       str(proofs["vkey"]), "--snarkjs")
    assert code == EXIT_OK
    assert "valid  Python Groth16 verifier" in out and "valid  snarkjs groth16 verify" in out
    assert "maintenance margin (MM)" in out


def test_verify_rejects_tampered_margins(capsys: pytest.CaptureFixture[str], proofs: dict[str, Path],
                                         tmp_path: Path) -> None:
    bundle = json.loads((proofs["honest"] / "butterfly.proof.json").read_text())
    bundle["publicSignals"][2] = str(int(bundle["publicSignals"][2]) - 1)  # MM one unit lower
    path = tmp_path / "tampered.json"
    path.write_text(json.dumps(bundle))
    code, out, _ = run(capsys, "verify", str(path), "--vkey", str(proofs["vkey"]), "--snarkjs")
    assert code == EXIT_FAILED and out.count("INVALID") == 2


def test_audit_passes_on_honest_proofs(capsys: pytest.CaptureFixture[str], proofs: dict[str, Path]) -> None:
    code, out, _ = run(capsys, "audit", *MARKET_ARGS, "--root", params_root(capsys), "--vkey", str(proofs["vkey"]),
                       "--proofs", str(proofs["honest"]))
    assert code == EXIT_OK, out
    assert "2 proofs, 2 valid, 0 failures" in out and "matches the published root" in out


def test_audit_fails_on_proof_from_another_market(capsys: pytest.CaptureFixture[str],
                                                   proofs: dict[str, Path]) -> None:
    code, out, _ = run(capsys, "audit", *MARKET_ARGS, "--root", params_root(capsys), "--vkey", str(proofs["vkey"]),
                       "--proofs", str(proofs["honest"]), str(proofs["other"]))
    assert code == EXIT_FAILED
    assert "3 proofs, 2 valid, 1 failures" in out and "not the root recomputed" in out.replace("\n", " ")


def test_audit_fails_when_published_root_differs(capsys: pytest.CaptureFixture[str],
                                                 proofs: dict[str, Path]) -> None:
    other_root = params_root(capsys, proofs["dir"] / "moved_market.json")
    code, out, _ = run(capsys, "audit", *MARKET_ARGS, "--root", other_root, "--vkey", str(proofs["vkey"]),
                       "--proofs", str(proofs["honest"]))
    assert code == EXIT_FAILED and "DIFFERS FROM" in out


def test_audit_fails_with_a_different_vkey(capsys: pytest.CaptureFixture[str], proofs: dict[str, Path]) -> None:
    code, out, _ = run(capsys, "audit", *MARKET_ARGS, "--root", params_root(capsys), "--vkey", str(FIXTURE_VKEY),
                       "--proofs", str(proofs["honest"]))
    assert code == EXIT_FAILED and "0 valid, 2 failures" in out


def test_audit_reports_garbage_bundles(capsys: pytest.CaptureFixture[str], proofs: dict[str, Path],
                                       tmp_path: Path) -> None:
    (tmp_path / "truncated.json").write_text('{"proof": {"pi_a": [')
    code, out, _ = run(capsys, "audit", *MARKET_ARGS, "--root", params_root(capsys), "--vkey", str(proofs["vkey"]),
                       "--proofs", str(proofs["honest"] / "butterfly.proof.json"), str(tmp_path / "truncated.json"))
    assert code == EXIT_FAILED and "malformed JSON" in out


def prove_args(portfolio: Path, tmp_path: Path, size: str = "test") -> list[str]:
    return ["prove", *MARKET_ARGS, "--portfolio", str(portfolio), "--out", str(tmp_path / "b.json"), "--size", size]


def test_prove_rejects_too_many_positions_before_any_tool(capsys: pytest.CaptureFixture[str],
                                                          tmp_path: Path) -> None:
    code, _, err = run(capsys, *prove_args(EXAMPLES / "portfolios" / "market_maker_book.json", tmp_path))
    assert code == EXIT_INPUT and "243 positions" in err and "at most 6" in err
    assert not (tmp_path / "b.json").exists()


def test_prove_rejects_insolvent_account_with_shortfall(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    book = json.loads((EXAMPLES / "portfolios" / "naked_short_call.json").read_text())
    book["collateral"] = {"USDC": "1000"}
    path = tmp_path / "poor.json"
    path.write_text(json.dumps(book))
    code, _, err = run(capsys, *prove_args(path, tmp_path))
    assert code == EXIT_INPUT
    assert "insolvent" in err and "impossible" in err and "by " in err


def test_prove_rejects_unknown_instrument(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "p.json"
    path.write_text(json.dumps({"positions": [{"instrument": "DOGE-PERPETUAL", "quantity": 1}]}))
    code, _, err = run(capsys, *prove_args(path, tmp_path))
    assert code == EXIT_INPUT and "DOGE-PERPETUAL" in err


def test_prove_rejects_scenario_set_larger_than_circuit(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    argv = [*prove_args(EXAMPLES / "portfolios" / "butterfly.json", tmp_path), "--scenarios", "crypto-grid"]
    code, _, err = run(capsys, *argv)
    assert code == EXIT_INPUT and "33 scenarios" in err
