"""Shared pytest fixtures: the example market's risk table and the `test` circuit's keys (set up once)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from zkmargin.engine.commitments import ParamsTree, build_params_tree
from zkmargin.engine.io import load_market, load_params, load_scenarios
from zkmargin.engine.risk import RiskTable, build_risk_table

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


@pytest.fixture(autouse=True, scope="session")
def private_salt_folder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Salt files of every `zkmargin prove` in the tests go to a temporary private folder, not the user's."""
    folder = tmp_path_factory.mktemp("salts")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ZKMARGIN_SALT_DIR", str(folder))
        yield folder


@pytest.fixture(scope="session")
def example_table() -> RiskTable:
    """Risk table of examples/market.json with examples/params.json under span16."""
    return build_risk_table(load_market(EXAMPLES / "market.json"), load_scenarios("span16"),
                            load_params(EXAMPLES / "params.json"))


@pytest.fixture(scope="session")
def example_params_tree(example_table: RiskTable) -> ParamsTree:
    """The params tree of the example table for the `test` circuit size."""
    return build_params_tree(example_table)


@pytest.fixture(scope="session")
def test_keys():  # type: ignore[no-untyped-def]
    """Compiled `test` account circuit and its INSECURE dev Groth16 keys (cached by content hash)."""
    from zkmargin.toolchain.keys import setup

    return setup("test")
