"""`zkmargin prove`, `verify` and `audit` end to end on the `test` circuit, and their input errors."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from forge_helpers import forge_proof
from groth16_helpers import g2_multiple, g2_to_snarkjs

from zkmargin.cli import prove as cli_prove
from zkmargin.cli import verify as cli_verify
from zkmargin.cli.common import EXIT_FAILED, EXIT_INPUT, EXIT_OK
from zkmargin.cli.main import main
from zkmargin.engine.commitments import build_params_tree, pad_risk
from zkmargin.engine.errors import InputError
from zkmargin.engine.io import load_market, load_params, load_scenarios
from zkmargin.engine.risk import build_risk_table
from zkmargin.engine.scenarios import PRESETS
from zkmargin.statement.records import vkey_id
from zkmargin.statement.sizes import MARKET_SCENARIOS
from zkmargin.toolchain import keys
from zkmargin.verifier import groth16

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
MARKET_ARGS = ["--market", str(EXAMPLES / "market.json"), "--params", str(EXAMPLES / "params.json")]
FIXTURE_VKEY = ROOT / "tests" / "fixtures" / "groth16" / "vkey.json"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def params_root_of(args: list[str]) -> str:
    """The params root of the market and params in ``args`` (no capture needed)."""
    table = build_risk_table(load_market(Path(args[1])), load_scenarios("v2"), load_params(Path(args[3])))
    return str(build_params_tree(table).params_root)


def params_root(capsys: pytest.CaptureFixture[str], market: Path | None = None) -> str:
    args = ["--market", str(market)] if market else MARKET_ARGS[:2]
    code, out, _ = run(capsys, "params-root", *args, *MARKET_ARGS[2:], "--json")
    assert code == EXIT_OK
    return str(json.loads(out)["params_root"])


@pytest.fixture(scope="module")
def proofs(tmp_path_factory: pytest.TempPathFactory, test_keys: Any) -> dict[str, Path]:
    """Two honest proofs (the butterfly discloses its margins, the naked short call nothing), one made against a
    different market snapshot, one disclosing MM <= 500, plus the published vkey."""
    out = tmp_path_factory.mktemp("proofs")
    shutil.copyfile(test_keys.vkey, out / "vkey.json")
    moved = json.loads((EXAMPLES / "market.json").read_text())
    moved["underlyings"]["BTC"]["index"] = 98_500.0
    (out / "moved_market.json").write_text(json.dumps(moved))
    honest = out / "honest"
    honest.mkdir()
    for name, disclose in (("naked_short_call", "nothing"), ("butterfly", "margins")):
        assert main(["prove", *MARKET_ARGS, "--portfolio", str(EXAMPLES / "portfolios" / f"{name}.json"),
                     "--out", str(honest / f"{name}.proof.json"), "--disclose", disclose]) == EXIT_OK
    assert main(["prove", *MARKET_ARGS, "--portfolio", str(EXAMPLES / "portfolios" / "butterfly.json"),
                 "--out", str(out / "threshold.proof.json"), "--disclose", "mm-at-most", "--threshold",
                 "500"]) == EXIT_OK
    assert main(["prove", "--market", str(out / "moved_market.json"), *MARKET_ARGS[2:], "--portfolio",
                 str(EXAMPLES / "portfolios" / "naked_short_call.json"), "--out",
                 str(out / "other_market.proof.json")]) == EXIT_OK
    (out / "root.json").write_text(json.dumps({"params_root": params_root_of(MARKET_ARGS)}))
    return {"dir": out, "honest": honest, "vkey": out / "vkey.json", "other": out / "other_market.proof.json",
            "threshold": out / "threshold.proof.json"}


def dev_audit(capsys: pytest.CaptureFixture[str], proofs: dict[str, Path], *paths: Path,
              extra: tuple[str, ...] = ("--allow-insecure",)) -> tuple[int, str, str]:
    """`zkmargin audit` of ``paths`` under the test keys (INSECURE dev keys, hence --allow-insecure)."""
    return run(capsys, "audit", *MARKET_ARGS, "--root", params_root(capsys), "--vkey", str(proofs["vkey"]),
               "--proofs", *(str(p) for p in paths), *extra)


def test_bundle_and_salt_are_separate(proofs: dict[str, Path], private_salt_folder: Path) -> None:
    bundle = json.loads((proofs["honest"] / "butterfly.proof.json").read_text())
    assert bundle["format"] == "zkmargin-proof-bundle" and bundle["version"] == 3
    assert bundle["circuit"]["vkey_id"] == vkey_id(json.loads(proofs["vkey"].read_text()))
    assert "salt" not in json.dumps(bundle)
    salts = list(private_salt_folder.glob("butterfly.proof.*.salt.json"))
    assert len(salts) == 1 and not list(proofs["honest"].glob("*.salt.json"))
    salt = json.loads(salts[0].read_text())
    assert bundle["statement"]["account_commitment"] == salt["account_commitment"]
    assert bundle["statement"]["margin_commitment"] == salt["margin_commitment"]
    assert (salt["initial_margin"], salt["maintenance_margin"]) == ("430.717300", "331.321000")
    assert salts[0].stat().st_mode & 0o777 == 0o600


def test_verify_python_and_snarkjs_says_insecure(capsys: pytest.CaptureFixture[str], proofs: dict[str, Path]) -> None:
    code, out, _ = run(capsys, "verify", str(proofs["honest"] / "butterfly.proof.json"), "--vkey",
                       str(proofs["vkey"]), "--snarkjs", "--root", params_root(capsys))
    assert code == EXIT_OK
    assert "valid (INSECURE key)  Python Groth16 verifier" in out
    assert "valid (INSECURE key)  snarkjs groth16 verify" in out
    assert "INSECURE KEY" in out and "public dev seed" in out and "margin_commitment" in out
    flat = " ".join(out.split())
    assert "initial margin 430.717300 and maintenance margin 331.321000" in flat
    assert re.search(r"params_root\W+0x[0-9a-f]{64}", out)


@pytest.mark.parametrize(("index", "change"), [(3, -1), (2, 1)], ids=["disclosed_mm", "margin_commitment"])
def test_verify_rejects_tampered_margins(capsys: pytest.CaptureFixture[str], proofs: dict[str, Path],
                                         tmp_path: Path, index: int, change: int) -> None:
    bundle = json.loads((proofs["honest"] / "butterfly.proof.json").read_text())
    bundle["publicSignals"][index] = str(int(bundle["publicSignals"][index]) + change)
    path = tmp_path / "tampered.json"
    path.write_text(json.dumps(bundle))
    code, out, _ = run(capsys, "verify", str(path), "--vkey", str(proofs["vkey"]), "--snarkjs")
    assert code == EXIT_FAILED and out.count("INVALID") == 2


def test_verify_opens_the_margin_commitment_with_the_salt(capsys: pytest.CaptureFixture[str],
                                                          proofs: dict[str, Path], private_salt_folder: Path,
                                                          tmp_path: Path) -> None:
    hidden = proofs["honest"] / "naked_short_call.proof.json"
    (salt,) = private_salt_folder.glob("naked_short_call.proof.*.salt.json")
    code, out, _ = run(capsys, "verify", str(hidden), "--vkey", str(proofs["vkey"]), "--open", str(salt))
    flat = " ".join(out.split())
    assert code == EXIT_OK and "no margin figure (solvency only)" in flat
    assert "margin commitment opened with" in flat and "IM 18,717.753600, MM 14,398.272000" in flat
    record = json.loads(salt.read_text())
    record["maintenance_margin"] = "1.000000"
    lying = tmp_path / "lying.salt.json"
    lying.write_text(json.dumps(record))
    code, out, _ = run(capsys, "verify", str(hidden), "--vkey", str(proofs["vkey"]), "--open", str(lying))
    flat = " ".join(out.split())
    assert code == EXIT_FAILED and "do not hash to the margin commitment" in flat
    (other,) = private_salt_folder.glob("butterfly.proof.*.salt.json")
    code, out, _ = run(capsys, "verify", str(hidden), "--vkey", str(proofs["vkey"]), "--open", str(other))
    assert code == EXIT_FAILED and "for another account commitment" in " ".join(out.split())


def test_threshold_disclosure_proves_a_bound_only(capsys: pytest.CaptureFixture[str],
                                                  proofs: dict[str, Path]) -> None:
    code, out, _ = run(capsys, "verify", str(proofs["threshold"]), "--vkey", str(proofs["vkey"]))
    flat = " ".join(out.split())
    assert code == EXIT_OK and "maintenance margin at most 500.000000" in flat
    assert "331.321" not in flat  # the exact MM stays hidden


@pytest.mark.parametrize(("disclose", "threshold", "message"), [
    ("mm-at-most", "331.3209", "the maintenance margin 331.321000 is above 331.320900"),
    ("free-collateral-at-least", "1000000", "is below 1000000.000000"),
    ("mm-at-most", None, "--disclose mm-at-most needs --threshold"),
    ("margins", "5", "--threshold goes with"),
    ("mm-at-most", "-1", "must be a non-negative amount"),
    ("mm-at-most", "0.0000001", "at most 6 decimals"),
    ("mm-at-most", "lots", "is not a decimal amount"),
])
def test_prove_refuses_a_false_or_malformed_disclosure_before_any_tool(capsys: pytest.CaptureFixture[str],
                                                                       tmp_path: Path, disclose: str,
                                                                       threshold: str | None, message: str) -> None:
    extra = ["--threshold", threshold] if threshold is not None else []
    code, _, err = run(capsys, "prove", *MARKET_ARGS, "--portfolio", str(EXAMPLES / "portfolios" / "butterfly.json"),
                       "--out", str(tmp_path / "p.json"), "--disclose", disclose, *extra)
    assert code == EXIT_INPUT and message in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "p.json").exists()


def test_verify_pins_the_published_root(capsys: pytest.CaptureFixture[str], proofs: dict[str, Path]) -> None:
    other = params_root(capsys, proofs["dir"] / "moved_market.json")
    code, out, _ = run(capsys, "verify", str(proofs["honest"] / "butterfly.proof.json"), "--vkey",
                       str(proofs["vkey"]), "--root", other)
    assert code == EXIT_FAILED
    flat = " ".join(out.split())
    assert "DIFFERS the pinned root" in flat and "other risk parameters" in flat


@pytest.fixture(scope="module")
def other_vkey(proofs: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A well-formed key of the account circuit's shape that is not the one the proofs were made with: the test
    key with delta replaced by 7·G2."""
    key = json.loads(proofs["vkey"].read_text())
    key["vk_delta_2"] = g2_to_snarkjs(g2_multiple(7))
    path = tmp_path_factory.mktemp("other_key") / "vkey.json"
    path.write_text(json.dumps(key))
    return path


def test_verify_refuses_a_key_of_another_statement(capsys: pytest.CaptureFixture[str],
                                                   proofs: dict[str, Path]) -> None:
    code, _, err = run(capsys, "verify", str(proofs["honest"] / "butterfly.proof.json"), "--vkey", str(FIXTURE_VKEY))
    assert code == EXIT_INPUT and "this key has 3 public signals; an account proof has 4" in err


def test_verify_explains_a_key_mismatch(capsys: pytest.CaptureFixture[str], proofs: dict[str, Path],
                                        other_vkey: Path) -> None:
    code, out, _ = run(capsys, "verify", str(proofs["honest"] / "butterfly.proof.json"), "--vkey", str(other_vkey))
    assert code == EXIT_FAILED and "INVALID  Python Groth16 verifier" in out
    assert "the bundle says it was proven with key" in out and "but the key in use is" in out


def test_verify_without_vkey_uses_local_keys_and_never_sets_up(capsys: pytest.CaptureFixture[str],
                                                               proofs: dict[str, Path],
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    code, out, _ = run(capsys, "verify", str(proofs["honest"] / "butterfly.proof.json"))
    assert code == EXIT_OK and "INSECURE KEY" in out
    monkeypatch.setattr(cli_verify, "find_setup", lambda *_a, **_k: None)
    for module in (keys, cli_prove):
        monkeypatch.setattr(module, "setup", lambda *_a, **_k: pytest.fail("verify must not start a setup"))
    code, _, err = run(capsys, "verify", str(proofs["honest"] / "butterfly.proof.json"))
    assert code == EXIT_INPUT and "no local dev keys" in err and "zkmargin setup --size test" in err


def test_forged_proof_is_insecure_in_verify_and_refused_by_audit(capsys: pytest.CaptureFixture[str],
                                                                 proofs: dict[str, Path], tmp_path: Path) -> None:
    """Under the dev key anyone can prove anything: here an account with IM = MM = 0 against the real root."""
    honest = json.loads((proofs["honest"] / "butterfly.proof.json").read_text())
    public = [int(honest["publicSignals"][0]), 12345, 0, 0]
    vkey = json.loads(proofs["vkey"].read_text())
    forged = {**honest, "proof": forge_proof(vkey, public), "publicSignals": [str(v) for v in public]}
    assert groth16.verify(vkey, forged["proof"], forged["publicSignals"]) is True  # the forgery is real
    folder = tmp_path / "forged"
    folder.mkdir()
    (folder / "forged.proof.json").write_text(json.dumps(forged))
    code, out, _ = run(capsys, "verify", str(folder / "forged.proof.json"), "--vkey", str(proofs["vkey"]))
    assert "INSECURE KEY" in out and "valid (INSECURE key)" in out and "anyone could have made it" in out
    code, _, err = run(capsys, "audit", *MARKET_ARGS, "--root", params_root(capsys), "--vkey", str(proofs["vkey"]),
                       "--proofs", str(folder))
    assert code == EXIT_INPUT and "refused" in err and "--allow-insecure" in err and len(err.splitlines()) == 1


def test_audit_passes_on_honest_proofs(capsys: pytest.CaptureFixture[str], proofs: dict[str, Path]) -> None:
    code, out, _ = dev_audit(capsys, proofs, proofs["honest"])
    assert code == EXIT_OK, out
    assert "2 bundles: 2 valid, 0 failed, 0 duplicates dropped" in out and "matches the published root" in out
    assert "INSECURE" in out
    flat = " ".join(out.split())
    assert "2 solvent accounts; attested total IM 430.717300, total MM 331.321000 over the 1 that disclose" in flat
    hashes = re.findall(r"0x[0-9a-f]+", out)
    assert hashes and all(len(h) == 66 for h in hashes)


def test_audit_counts_each_statement_once(capsys: pytest.CaptureFixture[str], proofs: dict[str, Path],
                                          tmp_path: Path) -> None:
    folder = tmp_path / "copies"
    folder.mkdir()
    for n in range(5):
        shutil.copyfile(proofs["honest"] / "butterfly.proof.json", folder / f"copy{n}.proof.json")
    shutil.copyfile(proofs["honest"] / "naked_short_call.proof.json", folder / "other.proof.json")
    code, out, _ = dev_audit(capsys, proofs, folder)
    assert code == EXIT_OK, out
    assert "6 bundles: 2 valid, 0 failed, 4 duplicates dropped" in out and "2 solvent accounts" in out


def test_audit_fails_on_proof_from_another_market(capsys: pytest.CaptureFixture[str],
                                                   proofs: dict[str, Path]) -> None:
    code, out, _ = dev_audit(capsys, proofs, proofs["honest"], proofs["other"])
    assert code == EXIT_FAILED
    assert "3 bundles: 2 valid, 1 failed" in out and "not the root recomputed" in out.replace("\n", " ")


def test_audit_fails_when_published_root_differs(capsys: pytest.CaptureFixture[str],
                                                 proofs: dict[str, Path]) -> None:
    other_root = params_root(capsys, proofs["dir"] / "moved_market.json")
    code, out, _ = run(capsys, "audit", *MARKET_ARGS, "--root", other_root, "--vkey", str(proofs["vkey"]),
                       "--proofs", str(proofs["honest"]), "--allow-insecure")
    assert code == EXIT_FAILED and "DIFFERS FROM" in out


def test_audit_explains_a_different_vkey(capsys: pytest.CaptureFixture[str], proofs: dict[str, Path],
                                        other_vkey: Path) -> None:
    code, out, _ = run(capsys, "audit", *MARKET_ARGS, "--root", params_root(capsys), "--vkey", str(other_vkey),
                       "--proofs", str(proofs["honest"]), "--allow-insecure")
    assert code == EXIT_FAILED and "2 bundles: 0 valid, 2 failed" in out
    assert "the bundle says it was proven with key" in out.replace("\n", " ")


def test_audit_names_bad_files_and_goes_on(capsys: pytest.CaptureFixture[str], proofs: dict[str, Path],
                                           tmp_path: Path) -> None:
    (tmp_path / "truncated.json").write_text('{"proof": {"pi_a": [')
    (tmp_path / "binary.json").write_bytes(bytes(range(256)))
    code, out, _ = dev_audit(capsys, proofs, proofs["honest"] / "butterfly.proof.json", tmp_path / "truncated.json",
                             tmp_path / "binary.json", tmp_path / "missing.json")
    flat = " ".join(out.split())
    assert code == EXIT_FAILED
    assert "4 bundles: 1 valid, 3 failed" in flat
    for text in ("truncated.json", "malformed JSON", "binary.json", "binary content", "missing.json"):
        assert text in flat


def test_audit_warns_about_salt_files_among_proofs(capsys: pytest.CaptureFixture[str], proofs: dict[str, Path],
                                                   private_salt_folder: Path, tmp_path: Path) -> None:
    folder = tmp_path / "published"
    shutil.copytree(proofs["honest"], folder)
    salt = next(private_salt_folder.glob("butterfly.proof.*.salt.json"))
    shutil.copyfile(salt, folder / "butterfly.json")  # a salt under an innocent name
    code, out, _ = dev_audit(capsys, proofs, folder)
    assert code == EXIT_FAILED and "WARNING" in out and "salt file among the proofs" in " ".join(out.split())


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


def test_every_shipped_preset_fits_the_committed_risk_arrays() -> None:
    """The market's 40 scenario columns hold every preset (crypto-grid's 33 included); a 41st is refused."""
    market, params = load_market(EXAMPLES / "market.json"), load_params(EXAMPLES / "params.json")
    for name in PRESETS:
        tree = build_params_tree(build_risk_table(market, load_scenarios(name), params))
        assert tree.risk.shape[1] == MARKET_SCENARIOS
    wide = build_risk_table(market, load_scenarios("crypto-grid"), params)
    too_many = replace(wide, risk_array=np.concatenate([wide.risk_array, wide.risk_array[:, :8]], axis=1),
                       scenario_names=[*wide.scenario_names, *wide.scenario_names[:8]])
    with pytest.raises(InputError, match="41 scenarios"):
        pad_risk(too_many)


NO_NODE = """
import sys
def refuse(event, args):
    if event == "open" and args and "node_modules" in str(args[0]):
        raise RuntimeError(f"read {args[0]}")
    if event in ("subprocess.Popen", "os.exec", "os.posix_spawn", "os.spawn", "os.system", "os.fork"):
        raise RuntimeError(f"started a process: {event} {args!r:.200}")
sys.addaudithook(refuse)
from zkmargin.cli.main import main
sys.exit(main(sys.argv[1:]))
"""


@pytest.mark.parametrize("command", ["verify", "audit"])
def test_verify_and_audit_run_without_node(command: str, proofs: dict[str, Path], tmp_path: Path) -> None:
    """No `node` on PATH, any read under node_modules and any process start abort: Python alone must do."""
    root_args = ["--root", json.loads((proofs["dir"] / "root.json").read_text())["params_root"]]
    argv = (["verify", str(proofs["honest"] / "butterfly.proof.json"), "--vkey", str(proofs["vkey"]), *root_args]
            if command == "verify" else
            ["audit", *MARKET_ARGS, *root_args, "--vkey", str(proofs["vkey"]), "--proofs", str(proofs["honest"]),
             "--allow-insecure"])
    env = {"PATH": str(tmp_path / "empty-bin"), "HOME": str(tmp_path), "PYTHONDONTWRITEBYTECODE": "1"}
    assert shutil.which("node", path=env["PATH"]) is None
    proc = subprocess.run([sys.executable, "-c", NO_NODE, *argv], capture_output=True, text=True, env=env,
                          timeout=600, check=False)
    assert proc.returncode == EXIT_OK, proc.stdout + proc.stderr
    assert "valid (INSECURE key)" in proc.stdout


def test_verify_on_the_evm_registers_only_a_root_the_user_vouches_for(capsys: pytest.CaptureFixture[str],
                                                                      proofs: dict[str, Path]) -> None:
    bundle = str(proofs["honest"] / "butterfly.proof.json")
    code, out, _ = run(capsys, "verify", bundle, "--vkey", str(proofs["vkey"]), "--evm")
    flat = " ".join(out.split())
    assert code == EXIT_OK and "EVM Groth16Verifier.verifyProof (generated from this key)" in flat
    assert "skipped EVM MarginRegistry.publishParams + submit: pass --root" in flat and "registered" not in flat
    code, out, _ = run(capsys, "verify", bundle, "--vkey", str(proofs["vkey"]), "--evm", "--root", params_root(capsys))
    flat = " ".join(out.split())
    assert code == EXIT_OK and "registered the pinned root" in flat
    assert "records initial margin 430.717300 and maintenance margin 331.321000" in flat
    code, out, _ = run(capsys, "verify", bundle, "--vkey", str(proofs["vkey"]), "--evm", "--publish-root")
    flat = " ".join(out.split())
    assert code == EXIT_OK and "registered the bundle's own root" in flat and "tests the contracts" in flat


