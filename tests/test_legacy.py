"""Margin model v1 (engine.legacy) keeps its old numbers, and the v1/v2 comparison names the rule behind each
difference."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from engine_helpers import account, make_table

from zkmargin.engine.legacy import margin_v1

ROOT = Path(__file__).resolve().parent.parent


def test_v1_naked_short_call_and_gross_short_option_minimum() -> None:
    table = make_table([[-500, 200, -1000]], mark=[400], charge=[30])
    res = margin_v1(table, account({0: -2}, [10**8]))
    assert (res.maintenance_margin, res.initial_margin) == (402, 523)
    butterfly = make_table([[-900, 1500, -50], [-500, 1000, -40], [-200, 600, -30]], charge=[100, 100, 100])
    # v1 charges both short lots (2 * 100) even though the wings cover them; scan is 102
    assert margin_v1(butterfly, account({0: 1, 1: -2, 2: 1})).maintenance_margin == 200


def test_comparison_names_each_rule() -> None:
    out = subprocess.run([sys.executable, str(ROOT / "scripts" / "compare_models.py")], capture_output=True,
                         text=True, check=True, env={"COLUMNS": "250", "PATH": ""}).stdout
    for phrase in ("basis +1%", "term +3%", "tail +500%", "net of long protection", "cap at long option value",
                   "collateral BTC moves", "inter-underlying credit", "size tiers"):
        assert phrase in out, phrase
    rows = {line.split("│")[1].strip(): line for line in out.splitlines() if line.startswith("│ ")}
    assert "NO" in rows["butterfly-no-cash"].split("│")[4]  # v1 called the butterfly insolvent
    assert "yes" in rows["butterfly-no-cash"].split("│")[7]
