"""The account circuit end to end on the `test` size: circuit == engine == pure-int reference, and real proofs.

* Seeded property test: random portfolios of 1..6 positions over the example market's instruments (signed lot
  quantities up to the 2^40 bound, balances up to 2^64) give the same scan risk, group risk, MM, collateral
  value and packed margins in the circuit's witness, the vectorised engine and the reference; a draw the
  engine calls insolvent has no witness at all.
* Every example portfolio that fits the `test` size is proven with the dev keys and the proof passes
  ``snarkjs groth16 verify``; the market maker's book is refused before any tool runs.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import EXAMPLES, ROOT
from hypothesis import HealthCheck, event, given, seed, settings
from hypothesis import strategies as st

from zkmargin.constants import BALANCE_BITS, FIELD_ORDER, QTY_BITS
from zkmargin.engine import reference
from zkmargin.engine.account import AccountInts, encode_account
from zkmargin.engine.commitments import ParamsTree
from zkmargin.engine.errors import InputError
from zkmargin.engine.io import load_portfolio
from zkmargin.engine.margin import margin_account
from zkmargin.engine.results import MarginResult
from zkmargin.prover.prove import InsolventError, check_provable, prove_account
from zkmargin.prover.witness import circuit_input
from zkmargin.statement.commitments import unpack_margins
from zkmargin.toolchain import tools
from zkmargin.toolchain.keys import SetupArtifacts
from zkmargin.toolchain.witness import SignalError, WitnessError, calculate_witness, read_signals

pytestmark = pytest.mark.slow

QTY_LIMIT = 1 << (QTY_BITS - 1)  # signed lots lie in [-2^40, 2^40)
SALT_BITS = 248
PORTFOLIOS = sorted((EXAMPLES / "portfolios").glob("*.json"))


# --------------------------------------------------------------------------- circuit == engine == reference


def quantities() -> st.SearchStrategy[int]:
    """Non-zero signed lots: everyday sizes, sizes near the bound, and both ends of the signed range."""
    magnitude = st.one_of(st.integers(1, 10_000), st.integers(1, QTY_LIMIT - 1),
                          st.integers(QTY_LIMIT - (1 << 20), QTY_LIMIT - 1))
    return st.one_of(magnitude, magnitude.map(lambda q: -q), st.sampled_from([QTY_LIMIT - 1, -QTY_LIMIT]))


def balances() -> st.SearchStrategy[int]:
    """1e-8 units of an asset: nothing, everyday amounts, and (most often) amounts up to the 2^64 bound.

    Large balances are drawn more often so that most accounts with 2^40-lot positions stay solvent.
    """
    large = st.integers(1 << 56, (1 << BALANCE_BITS) - 1)
    return st.one_of(st.just(0), st.integers(0, 10**13), large, large, st.just((1 << BALANCE_BITS) - 1))


@st.composite
def accounts(draw: st.DrawFn, n_instruments: int, n_assets: int, max_positions: int) -> AccountInts:
    leaves = sorted(draw(st.lists(st.integers(0, n_instruments - 1), min_size=1, max_size=max_positions,
                                  unique=True)))
    qty = [draw(quantities()) for _ in leaves]
    held = [draw(balances()) for _ in range(n_assets)]
    return AccountInts("random", tuple(leaves), tuple(qty), tuple(held))


def expected_signals(result: MarginResult) -> tuple[dict[str, int], dict[str, int]]:
    """(signals the optimiser must keep, signals it may fold away) -> the engine's values as field elements."""
    required = {"main.mm": result.maintenance_margin, "main.collateral": result.collateral_value}
    optional = {}
    for g, group in enumerate(result.groups):
        required[f"main.scan[{g}]"] = group.scan_risk
        optional[f"main.groupRisk[{g}]"] = group.group_risk
    return ({k: v % FIELD_ORDER for k, v in required.items()}, {k: v % FIELD_ORDER for k, v in optional.items()})


SOLVENCY_LINE = next(n for n, line in enumerate((ROOT / "circuits" / "account.circom").read_text().splitlines(), 1)
                     if "solvent.in[1] <== mm" in line)


def assert_fails_solvency(error: WitnessError) -> None:
    """The witness calculator stopped at the solvency check of AccountMargin, and nowhere else."""
    assert error.assert_failed, error.tool_message
    frames = re.findall(r"Error in template AccountMargin_\d+ line: (\d+)", error.tool_message)
    assert frames == [str(SOLVENCY_LINE)], error.tool_message


@seed(20261124)
@settings(max_examples=20, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_circuit_equals_engine_and_reference(data: st.DataObject, example_params_tree: ParamsTree,
                                             test_keys: SetupArtifacts) -> None:
    params = example_params_tree
    table = params.table
    account = data.draw(accounts(table.n_instruments, len(table.assets), params.size.positions), label="account")
    salt = data.draw(st.integers(0, (1 << SALT_BITS) - 1), label="salt")
    result = margin_account(table, account)
    assert result == reference.margin_account(table, account.leaf_index, account.qty, account.balances)
    inputs, statement = circuit_input(params, account, salt, result)

    if not result.solvent:
        event("insolvent: no witness")
        with pytest.raises(WitnessError) as caught:
            calculate_witness(test_keys.circuit, inputs)
        assert_fails_solvency(caught.value)
        return
    event("solvent: witness == engine")
    witness = calculate_witness(test_keys.circuit, inputs)
    required, optional = expected_signals(result)
    assert read_signals(test_keys.circuit, witness, required) == required
    for name, want in optional.items():
        try:
            assert read_signals(test_keys.circuit, witness, [name])[name] == want
        except SignalError:
            continue  # --O2 folded it into a linear combination of other signals
    public = read_signals(test_keys.circuit, witness, ["main.params_root", "main.account_commitment", "main.margins"])
    assert list(public.values()) == statement.public_signals()
    assert unpack_margins(public["main.margins"]) == (result.initial_margin, result.maintenance_margin)


def test_insolvent_account_has_no_witness(example_params_tree: ParamsTree, test_keys: SetupArtifacts) -> None:
    """The naked short call without its USDC: equity below MM; no input makes the solvency constraint hold."""
    table = example_params_tree.table
    account = encode_account(load_portfolio(EXAMPLES / "portfolios" / "naked_short_call.json"), table)
    broke = replace(account, balances=tuple(0 for _ in account.balances))
    result = margin_account(table, broke)
    assert result.equity < result.maintenance_margin
    with pytest.raises(InsolventError, match="insolvent"):
        check_provable(example_params_tree, broke, result)
    with pytest.raises(WitnessError) as caught:
        calculate_witness(test_keys.circuit, circuit_input(example_params_tree, broke, 1, result)[0])
    assert_fails_solvency(caught.value)


# --------------------------------------------------------------------------- example portfolios, proven


def fits_test_size(path: Path) -> bool:
    """At most 6 distinct instruments (the example market has 2 underlyings, the `test` circuit's groups)."""
    return len({p.instrument for p in load_portfolio(path).positions}) <= 6


FITTING = [p for p in PORTFOLIOS if fits_test_size(p)]


def test_every_example_but_the_market_maker_fits() -> None:
    assert [p.stem for p in PORTFOLIOS if p not in FITTING] == ["market_maker_book"]


@pytest.mark.parametrize("portfolio", FITTING, ids=[p.stem for p in FITTING])
def test_example_portfolio_is_proven_and_verified(portfolio: Path, example_params_tree: ParamsTree,
                                                  test_keys: SetupArtifacts, tmp_path: Path) -> None:
    account = encode_account(load_portfolio(portfolio), example_params_tree.table)
    proof = prove_account(test_keys, check_provable(example_params_tree, account), workdir=tmp_path)
    engine = margin_account(example_params_tree.table, account)
    assert proof.bundle.public_signals == [str(v) for v in proof.statement.public_signals()]
    assert unpack_margins(int(proof.bundle.public_signals[2])) == (engine.initial_margin,
                                                                     engine.maintenance_margin)
    assert tools.snarkjs_verify(test_keys.vkey, proof.bundle.snarkjs_proof(), proof.bundle.public_signals) is True


def test_market_maker_book_is_refused_before_any_tool_runs(example_params_tree: ParamsTree,
                                                           test_keys: SetupArtifacts, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    account = encode_account(load_portfolio(EXAMPLES / "portfolios" / "market_maker_book.json"),
                             example_params_tree.table)
    limit = example_params_tree.size.positions
    assert len(account.qty) > limit

    def no_tools(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"an external tool ran for an account the circuit cannot hold: {args}")

    monkeypatch.setattr(tools, "run", no_tools)
    expected = rf"{len(account.qty)} positions; the test circuit takes at most {limit}"
    with pytest.raises(InputError, match=expected) as caught:
        check_provable(example_params_tree, account, margin_account(example_params_tree.table, account))
    assert caught.value.field == "positions"
    with pytest.raises(InputError, match=expected):
        prove_account(test_keys, check_provable(example_params_tree, account), workdir=tmp_path)
    assert not any(tmp_path.iterdir())  # not even an input.json was written
