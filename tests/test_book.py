"""A book proven in chunks, end to end at the smallest book size: `zkmargin setup`, `prove`, `verify` (Python,
snarkjs, the EVM), and the Python verifier's rejections of a bundle whose chunks do not match its book proof."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from zkmargin.cli.common import EXIT_INPUT, EXIT_OK
from zkmargin.cli.main import main
from zkmargin.engine.account import encode_account
from zkmargin.engine.commitments import build_params_tree
from zkmargin.engine.io import load_market, load_params, load_portfolio, load_scenarios
from zkmargin.engine.risk import build_risk_table
from zkmargin.prover import prove_book as prove_book_module
from zkmargin.prover.prove import CircuitMismatchError, prove_circuit
from zkmargin.prover.prove_book import check_provable_book, prove_book
from zkmargin.statement.records import BookBundleRecord, read_json_document
from zkmargin.statement.sizes import BOOK_SIZES, book_circuit_of, chunk_circuit_of
from zkmargin.toolchain import keys
from zkmargin.verifier.book import verify_book

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
MARKET_ARGS = ["--market", str(EXAMPLES / "market.json"), "--params", str(EXAMPLES / "params.json")]
SIZE = "mini"
#: Ten positions of the market maker's book (BTC and ETH options and futures) with three of its four collateral
#: assets: three chunks of the `mini` size.
POSITIONS = 10


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A ten-position book proven with the `mini` book circuits (INSECURE dev keys), and its keys and salt."""
    out = tmp_path_factory.mktemp("book")
    whole = json.loads((EXAMPLES / "portfolios" / "market_maker_book.json").read_text())
    collateral = {asset: amount for asset, amount in whole["collateral"].items() if asset != "USDT"}  # K = 3
    portfolio = {"account": "mm-ten", "positions": whole["positions"][:POSITIONS], "collateral": collateral}
    (out / "ten.json").write_text(json.dumps(portfolio))
    assert main(["setup", "--size", SIZE, "--vkey-out", str(out / "book_vkey.json"), "--chunk-vkey-out",
                 str(out / "chunk_vkey.json")]) == EXIT_OK
    assert main(["prove", *MARKET_ARGS, "--size", SIZE, "--portfolio", str(out / "ten.json"), "--out",
                 str(out / "ten.book.json"), "--salt-out", str(out / "private.salt.json"),
                 "--disclose", "margins"]) == EXIT_OK
    return {"dir": out, "bundle": out / "ten.book.json", "book_vkey": out / "book_vkey.json",
            "chunk_vkey": out / "chunk_vkey.json", "salt": out / "private.salt.json"}


def load(path: Path) -> BookBundleRecord:
    return BookBundleRecord.model_validate(read_json_document(path, "book bundle"))


def test_the_book_verifies_three_ways(capsys: pytest.CaptureFixture[str], book: dict[str, Path]) -> None:
    code, out, _ = run(capsys, "verify", str(book["bundle"]), "--vkey", str(book["book_vkey"]), "--chunk-vkey",
                       str(book["chunk_vkey"]), "--snarkjs", "--evm", "--open", str(book["salt"]))
    flat = " ".join(out.split())
    assert code == EXIT_OK, out
    assert "a book of 3 chunk proofs" in flat
    assert "valid (INSECURE key) Python Groth16 verifier: the book proof and 3 chunk proofs, linked" in flat
    assert "valid (INSECURE key) snarkjs groth16 verify of all 4 proofs" in flat
    assert "valid (INSECURE key) EVM BookVerifier.verifyBook" in flat
    assert "valid (INSECURE key) margin commitment opened with" in flat and "INSECURE KEY" in flat
    bundle = load(book["bundle"])
    assert len(bundle.chunks) == 3 and len(bundle.book.public_signals) == 4 + BOOK_SIZES[SIZE].chunks


def test_local_keys_verify_a_book_without_flags(capsys: pytest.CaptureFixture[str], book: dict[str, Path]) -> None:
    code, out, _ = run(capsys, "verify", str(book["bundle"]))
    assert code == EXIT_OK and "book proof and 3 chunk proofs, linked" in " ".join(out.split())


def _tampered(bundle: BookBundleRecord, change: Callable[[dict[str, Any]], None]) -> BookBundleRecord:
    data = bundle.model_dump(by_alias=True)
    change(data)
    return BookBundleRecord.model_validate(data)


def _swap(data: dict[str, Any]) -> None:
    data["chunks"][0], data["chunks"][1] = data["chunks"][1], data["chunks"][0]


def _drop(data: dict[str, Any]) -> None:
    data["chunks"].pop()


def _duplicate(data: dict[str, Any]) -> None:
    data["chunks"][1] = data["chunks"][0]


def _relink(data: dict[str, Any]) -> None:
    data["book"]["publicSignals"][5] = str(int(data["book"]["publicSignals"][5]) + 1)
    data["chunks"][1]["publicSignals"][1] = data["book"]["publicSignals"][5]


def _hole(data: dict[str, Any]) -> None:
    signals = data["book"]["publicSignals"]
    signals[5], signals[6] = "0", signals[5]


def _chunk_proof(data: dict[str, Any]) -> None:
    data["chunks"][2]["proof"] = data["chunks"][0]["proof"]


def _book_statement(data: dict[str, Any]) -> None:
    data["book"]["publicSignals"][3] = str(int(data["book"]["publicSignals"][3]) + 1)  # MM one unit higher


@pytest.mark.parametrize(("change", "reason"), [
    (_swap, "chunk 0 is not the one the book proof links in slot 0"),
    (_drop, "the book proof links 3 chunks, the bundle holds 2 chunk proofs"),
    (_duplicate, "chunk 1 is not the one the book proof links in slot 1"),
    (_relink, "the book proof does not verify"),
    (_hole, "not used slots first"),
    (_chunk_proof, "chunk proof 2 do not verify"),
    (_book_statement, "the book proof does not verify"),
], ids=["swapped", "dropped", "duplicated", "relinked", "hole", "chunk_proof", "book_statement"])
def test_a_book_whose_chunks_do_not_match_is_rejected(book: dict[str, Path], change: Callable[[dict[str, Any]], None],
                                                      reason: str) -> None:
    bundle = load(book["bundle"])
    chunk_key, book_key = book["chunk_vkey"].read_text(), book["book_vkey"].read_text()
    assert verify_book(chunk_key, book_key, bundle).valid
    verdict = verify_book(chunk_key, book_key, _tampered(bundle, change))
    assert not verdict.valid and verdict.reason is not None and reason in verdict.reason, verdict.reason


def test_keys_of_the_wrong_circuit_are_refused(capsys: pytest.CaptureFixture[str], book: dict[str, Path]) -> None:
    code, _, err = run(capsys, "verify", str(book["bundle"]), "--vkey", str(book["chunk_vkey"]), "--chunk-vkey",
                       str(book["chunk_vkey"]))
    assert code == EXIT_INPUT and "so it is not a key of the book circuit" in err
    code, _, err = run(capsys, "verify", str(book["bundle"]), "--vkey", str(book["book_vkey"]))
    assert code == EXIT_INPUT and "pass --chunk-vkey" in err
    code, _, err = run(capsys, "verify", str(book["bundle"]), "--size", "test")
    assert code == EXIT_INPUT and "test is not a book size" in err


def test_a_book_too_big_for_an_account_circuit_names_the_book_size(capsys: pytest.CaptureFixture[str],
                                                                   tmp_path: Path) -> None:
    code, _, err = run(capsys, "prove", *MARKET_ARGS, "--size", "standard", "--portfolio",
                       str(EXAMPLES / "portfolios" / "market_maker_book.json"), "--out", str(tmp_path / "p.json"))
    assert code == EXIT_INPUT and "--size large" in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "p.json").exists()


def test_a_chunk_that_fails_stops_the_book(book: dict[str, Path], monkeypatch: pytest.MonkeyPatch,
                                           tmp_path: Path) -> None:
    """The second chunk's proof fails (its public signals are checked against a wrong link): the book stops
    with that error, no later chunk is reported proven, and the combining proof is never made."""
    table = build_risk_table(load_market(EXAMPLES / "market.json"), load_scenarios("v2"),
                             load_params(EXAMPLES / "params.json"))
    params = build_params_tree(table)
    account = encode_account(load_portfolio(book["dir"] / "ten.json"), table)
    provable = check_provable_book(params, account, BOOK_SIZES[SIZE])
    chunk_keys, book_keys = keys.find_setup(chunk_circuit_of(SIZE)), keys.find_setup(book_circuit_of(SIZE))
    assert chunk_keys is not None and book_keys is not None
    real = prove_circuit

    def second_chunk_wrong(artifacts: keys.SetupArtifacts, inputs: dict[str, Any], expected: list[int],
                           workdir: Path, seconds: dict[str, float], **kwargs: Any) -> Any:
        if workdir.name == "chunk1":
            expected = [expected[0], expected[1] + 1]
        return real(artifacts, inputs, expected, workdir, seconds, **kwargs)

    monkeypatch.setattr(prove_book_module, "prove_circuit", second_chunk_wrong)
    lines: list[str] = []
    with pytest.raises(CircuitMismatchError, match="public signal chunk_link"):
        prove_book(chunk_keys, book_keys, provable, workdir=tmp_path, progress=lines.append, workers=1)
    assert lines == ["proving 3 chunks, 1 at a time", "chunk 1/3 proven in " + lines[1].split(" in ")[1]]
    assert not (tmp_path / "book").exists()
