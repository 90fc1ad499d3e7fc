"""The account circuit end to end on the `test` size: circuit == engine == pure-int reference (model v2), and proofs.

* Seeded property test over a market wider than the account's slots (:func:`engine_helpers.wide_v2_table`: three
  underlyings and six collateral assets, the `test` size holding two and three of them) under the v2 scenarios
  (24, padded to the market's 40), with size tiers on every underlying and a 30% inter-underlying credit: random
  accounts of 1..6 slots on one or two underlyings drawn kind by kind (spot, perpetual or future, call, put), long
  and short, signed lots up to the 2^40 bound, balances in up to three assets up to 2^64 (a quarter of the accounts
  hold little), and books of long options only (liability-free, so the long-premium cap applies).  The
  ``margin_commitment`` (to IM and MM) and every intermediate value the compiler keeps equal the reference's, bit
  for bit, and the reference equals the vectorised engine; an account the reference calls insolvent has no witness.
* The long-premium cap: a liability-free book is charged its option value when that is below MM, and one short
  lot or one perpetual lot takes the cap away.
* Every example portfolio that fits the `test` size is proven with the dev keys under the v2 table and the proof
  passes ``snarkjs groth16 verify``; the market maker's book is refused before any tool runs.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import EXAMPLES, ROOT
from engine_helpers import cheap_strangle, example_v2_table, wide_v2_table
from hypothesis import HealthCheck, event, given, seed, settings
from hypothesis import strategies as st

from zkmargin.constants import BALANCE_BITS, BP, FIELD_ORDER, QTY_BITS, ceil_div
from zkmargin.engine import reference
from zkmargin.engine.account import AccountInts, encode_account
from zkmargin.engine.commitments import ParamsTree, account_slots, build_params_tree
from zkmargin.engine.errors import InputError
from zkmargin.engine.io import load_portfolio
from zkmargin.engine.margin import margin_account
from zkmargin.engine.results import MarginResult
from zkmargin.engine.risk import KIND_CALL, KIND_LINEAR, KIND_PUT, KIND_SPOT, RiskTable
from zkmargin.prover.prove import ACCOUNT_FIGURES, InsolventError, check_provable, prove_account, read_figures
from zkmargin.prover.witness import circuit_input
from zkmargin.statement.commitments import margin_commitment
from zkmargin.statement.signals import PUBLIC_SIGNAL_NAMES, Disclosure, Statement
from zkmargin.statement.sizes import SIZES
from zkmargin.toolchain import tools
from zkmargin.toolchain.keys import SetupArtifacts
from zkmargin.toolchain.witness import WitnessError, calculate_witness, read_signals

pytestmark = pytest.mark.slow

QTY_LIMIT = 1 << (QTY_BITS - 1)  # signed lots lie in [-2^40, 2^40)
SALT_BITS = 248
PORTFOLIOS = sorted((EXAMPLES / "portfolios").glob("*.json"))
KINDS = (KIND_SPOT, KIND_LINEAR, KIND_CALL, KIND_PUT)


@pytest.fixture(scope="module")
def v2_table() -> RiskTable:
    return example_v2_table()


@pytest.fixture(scope="module")
def v2_params(v2_table: RiskTable) -> ParamsTree:
    """The v2 example table (tiers, credit, collateral risk rows), committed."""
    return build_params_tree(v2_table)


@pytest.fixture(scope="module")
def wide_params() -> ParamsTree:
    """The wide market (3 underlyings, 6 assets) under v2, committed."""
    return build_params_tree(wide_v2_table())


SIZE = SIZES["test"]


def reference_margin(table: RiskTable, account: AccountInts) -> MarginResult:
    return reference.margin_account(table, account.leaf_index, account.qty, account.balances)


def disclosed_margins(public_signals: list[str]) -> tuple[int | None, int | None]:
    """(IM, MM) as a proof that discloses them states them in its public signals."""
    statement = Statement.from_public_signals([int(v) for v in public_signals])
    return statement.initial_margin, statement.maintenance_margin


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
def accounts(draw: st.DrawFn, table: RiskTable, max_positions: int, max_groups: int,
             max_assets: int) -> AccountInts:
    """Slots on at most ``max_groups`` underlyings drawn kind by kind (the market is mostly options), or a
    liability-free book of long options; balances in at most ``max_assets`` assets, and only in the underlyings
    traded among the assets that are underlyings (so the account fits the group slots)."""
    groups = draw(st.lists(st.sampled_from(range(len(table.groups))), min_size=1, max_size=max_groups, unique=True))
    by_kind = {kind: [i for i in range(table.n_instruments)
                      if int(table.kind[i]) == kind and int(table.group_index[i]) in groups] for kind in KINDS}
    long_options = draw(st.integers(0, 3)) == 0  # a quarter are liability-free books
    kinds = [k for k in ((KIND_CALL, KIND_PUT) if long_options else KINDS) if by_kind[k]]
    n = draw(st.integers(1, max_positions))
    leaves = sorted({draw(st.sampled_from(by_kind[draw(st.sampled_from(kinds))])) for _ in range(n)})
    if long_options:
        qty = [draw(st.one_of(st.integers(1, 10_000), st.integers(1, QTY_LIMIT - 1))) for _ in leaves]
    else:
        qty = [draw(quantities()) for _ in leaves]
    postable = [k for k in range(len(table.assets))
                if not 0 <= int(table.asset_group[k]) < len(table.groups) or int(table.asset_group[k]) in groups]
    posted = draw(st.lists(st.sampled_from(postable), max_size=max_assets, unique=True))
    modest = draw(st.integers(0, 3)) == 0  # a quarter of the accounts hold little, so insolvency is drawn too
    held = [draw(st.integers(0, 10**12) if modest else balances()) if k in posted else 0
            for k in range(len(table.assets))]
    return AccountInts("random", tuple(leaves), tuple(qty), tuple(held))


def expected_signals(result: MarginResult, groups: list[int]) -> tuple[dict[str, int], dict[str, int]]:
    """(figures the optimiser keeps, figures it may fold away) -> the reference's values as field elements; group
    slot ``g`` holds market group ``groups[g]``.  Names are AccountFigures' (read with ``read_figures``)."""
    required = {"mm": result.maintenance_margin, "collateral": result.collateral_value, "equity": result.equity,
                "scanRisk": result.scan_risk, "requirementMax.out": max(result.scan_risk, result.short_option_minimum)}
    optional = {"im": result.initial_margin, "separate": result.separate_scan, "requirement": result.requirement,
                "joint": result.joint_scan}
    for g, market_group in enumerate(groups):
        group = result.groups[market_group]
        required[f"som[{g}]"] = group.short_option_minimum
        required[f"concentration[{g}]"] = group.concentration
        optional[f"scan[{g}]"] = group.scan_risk
        optional[f"netDelta[{g}]"] = group.net_delta
    return ({k: v % FIELD_ORDER for k, v in required.items()}, {k: v % FIELD_ORDER for k, v in optional.items()})


SOLVENCY_LINE = next(n for n, line in enumerate((ROOT / "circuits" / "account.circom").read_text().splitlines(), 1)
                     if "solvent.in[1] <== mm" in line)


def assert_fails_solvency(error: WitnessError) -> None:
    """The witness calculator stopped at the solvency check of AccountMargin's MarginClaim, and nowhere else."""
    assert error.assert_failed, error.tool_message
    frames = re.findall(r"Error in template MarginClaim_\d+ line: (\d+)", error.tool_message)
    assert frames == [str(SOLVENCY_LINE)], error.tool_message


def assert_witness_equals(params: ParamsTree, account: AccountInts, result: MarginResult, salt: int,
                          keys: SetupArtifacts) -> None:
    """The circuit's public signals and kept intermediate values are the reference's ``result``."""
    inputs, statement = circuit_input(params, account, salt, result, SIZE)
    witness = calculate_witness(keys.circuit, inputs)
    required, optional = expected_signals(result, [g for g, used in zip(inputs["group_id"], inputs["group_used"],
                                                                        strict=True) if used])
    assert read_figures(keys.circuit, witness, required, ACCOUNT_FIGURES) == required
    kept = read_figures(keys.circuit, witness, optional, ACCOUNT_FIGURES)  # --O2 may fold some away
    assert kept == {name: optional[name] for name in kept}
    public = read_signals(keys.circuit, witness, [f"main.{name}" for name in PUBLIC_SIGNAL_NAMES])
    assert list(public.values()) == statement.public_signals()
    assert public["main.margin_commitment"] == margin_commitment(result.initial_margin, result.maintenance_margin, salt)


@seed(20261129)
@settings(max_examples=30, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_circuit_equals_engine_and_reference(data: st.DataObject, wide_params: ParamsTree,
                                             test_keys: SetupArtifacts) -> None:
    table = wide_params.table
    account = data.draw(accounts(table, SIZE.positions, SIZE.groups, SIZE.assets), label="account")
    salt = data.draw(st.integers(0, (1 << SALT_BITS) - 1), label="salt")
    result = reference_margin(table, account)
    assert margin_account(table, account) == result
    if result.liability_free:
        event("liability-free" + (": the cap binds" if result.maintenance_margin == result.option_value else ""))
    if result.intergroup_credit:
        event("inter-underlying credit")
    if result.concentration:
        event("size-tier charge")

    if not result.solvent:
        event("insolvent: no witness")
        with pytest.raises(WitnessError) as caught:
            calculate_witness(test_keys.circuit, circuit_input(wide_params, account, salt, result, SIZE)[0])
        assert_fails_solvency(caught.value)
        return
    event("solvent: witness == reference")
    assert_witness_equals(wide_params, account, result, salt, test_keys)


def test_insolvent_account_has_no_witness(v2_params: ParamsTree, test_keys: SetupArtifacts) -> None:
    """The naked short call without its USDC: equity below MM; no input makes the solvency constraint hold."""
    table = v2_params.table
    account = encode_account(load_portfolio(EXAMPLES / "portfolios" / "naked_short_call.json"), table)
    broke = replace(account, balances=tuple(0 for _ in account.balances))
    result = reference_margin(table, broke)
    assert result.equity < result.maintenance_margin
    with pytest.raises(InsolventError, match="insolvent"):
        check_provable(v2_params, broke, SIZE, result)
    with pytest.raises(WitnessError) as caught:
        calculate_witness(test_keys.circuit, circuit_input(v2_params, broke, 1, result, SIZE)[0])
    assert_fails_solvency(caught.value)


# --------------------------------------------------------------------------- the long-premium cap


def test_long_options_are_capped_at_their_value(v2_params: ParamsTree, test_keys: SetupArtifacts) -> None:
    table = v2_params.table
    account = cheap_strangle(table, 1_000)
    result = reference_margin(table, account)
    uncapped = ceil_div(result.requirement * table.mm_multiplier_bp, BP)
    assert result.liability_free and result.maintenance_margin == result.option_value < uncapped
    assert_witness_equals(v2_params, account, result, 7, test_keys)


@pytest.mark.parametrize("liability", ["a short lot", "a perpetual"])
def test_a_liability_takes_the_cap_away(liability: str, v2_params: ParamsTree, test_keys: SetupArtifacts) -> None:
    table = v2_params.table
    account = cheap_strangle(table, 1_000)
    if liability == "a short lot":
        account = replace(account, qty=(account.qty[0], -1))
    else:
        perp = table.instrument_ids.index("BTC-PERPETUAL")
        assert int(table.kind[perp]) == KIND_LINEAR
        account = AccountInts("strangle", tuple(sorted((*account.leaf_index, perp))), (1, 1_000, 1_000),
                              account.balances)
    result = reference_margin(table, account)
    assert not result.liability_free
    assert result.maintenance_margin == ceil_div(result.requirement * table.mm_multiplier_bp, BP)
    assert_witness_equals(v2_params, account, result, 7, test_keys)


# --------------------------------------------------------------------------- example portfolios, proven


def fits_test_size(path: Path) -> bool:
    """The portfolio's positions, underlyings and posted assets fit the `test` circuit's slots."""
    table = example_v2_table()
    try:
        account_slots(build_params_tree(table), encode_account(load_portfolio(path), table), SIZE)
    except InputError:
        return False
    return True


FITTING = [p for p in PORTFOLIOS if fits_test_size(p)]


def test_every_example_but_the_market_maker_fits() -> None:
    assert [p.stem for p in PORTFOLIOS if p not in FITTING] == ["market_maker_book"]


@pytest.mark.parametrize("portfolio", FITTING, ids=[p.stem for p in FITTING])
def test_example_portfolio_is_proven_and_verified(portfolio: Path, v2_params: ParamsTree,
                                                  test_keys: SetupArtifacts, tmp_path: Path) -> None:
    account = encode_account(load_portfolio(portfolio), v2_params.table)
    proof = prove_account(test_keys, check_provable(v2_params, account, SIZE), workdir=tmp_path,
                          disclosure=Disclosure.MARGINS)
    want = reference_margin(v2_params.table, account)
    assert proof.bundle.public_signals == [str(v) for v in proof.statement.public_signals()]
    assert disclosed_margins(proof.bundle.public_signals) == (want.initial_margin, want.maintenance_margin)
    assert proof.bundle.statement.params.table_hash == str(v2_params.table_hash)
    assert tools.snarkjs_verify(test_keys.vkey, proof.bundle.snarkjs_proof(), proof.bundle.public_signals) is True


def test_wide_market_account_on_two_of_three_underlyings_is_proven(wide_params: ParamsTree, test_keys: SetupArtifacts,
                                                                    tmp_path: Path) -> None:
    """A market of three underlyings and six collateral assets; the account trades BTC and SOL (group ids 0 and
    2) and posts SOL, EURC and USDC: it fits the `test` size's two group and three collateral slots."""
    table = wide_params.table
    ids = table.instrument_ids
    leaves = sorted(ids.index(i) for i in ("BTC-PERPETUAL", "SOL-PERPETUAL", "SOL-USDC"))
    qty = {ids.index("BTC-PERPETUAL"): -2_000, ids.index("SOL-PERPETUAL"): 500_000, ids.index("SOL-USDC"): -100_000}
    held = {"SOL": 50 * 10**8, "EURC": 20_000 * 10**8, "USDC": 150_000 * 10**8}
    account = AccountInts("wide", tuple(leaves), tuple(qty[i] for i in leaves),
                          tuple(held.get(asset, 0) for asset in table.assets))
    layout = account_slots(wide_params, account, SIZE)
    assert [table.groups[g] for g, used in zip(layout.group_id, layout.group_used, strict=True) if used] == ["BTC",
                                                                                                           "SOL"]
    assert [table.assets[k] for k in layout.asset_id] == ["EURC", "SOL", "USDC"]
    want = reference_margin(table, account)
    assert want.solvent and want.groups[table.groups.index("SOL")].scan_risk > 0
    proof = prove_account(test_keys, check_provable(wide_params, account, SIZE), workdir=tmp_path,
                          disclosure=Disclosure.MARGINS)
    assert disclosed_margins(proof.bundle.public_signals) == (want.initial_margin, want.maintenance_margin)
    assert tools.snarkjs_verify(test_keys.vkey, proof.bundle.snarkjs_proof(), proof.bundle.public_signals) is True


def test_market_maker_book_is_refused_before_any_tool_runs(v2_params: ParamsTree, test_keys: SetupArtifacts,
                                                           tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    account = encode_account(load_portfolio(EXAMPLES / "portfolios" / "market_maker_book.json"), v2_params.table)
    limit = SIZE.positions
    assert len(account.qty) > limit

    def no_tools(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"an external tool ran for an account the circuit cannot hold: {args}")

    monkeypatch.setattr(tools, "run", no_tools)
    expected = rf"{len(account.qty)} positions; the test circuit takes at most {limit}"
    with pytest.raises(InputError, match=expected) as caught:
        check_provable(v2_params, account, SIZE, reference_margin(v2_params.table, account))
    assert caught.value.field == "positions"
    with pytest.raises(InputError, match=expected):
        prove_account(test_keys, check_provable(v2_params, account, SIZE), workdir=tmp_path)
    assert not any(tmp_path.iterdir())  # not even an input.json was written
