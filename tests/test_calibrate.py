"""``zkmargin calibrate``: Expected Shortfall by hand, the anti-procyclicality tools at work, provenance, and
one-line errors on bad price files.

The engine's vectorised ES is checked against :func:`reference_es`, a slow sort-and-sum written from the
definition; the CLI runs through the same entry point as the other CLI tests.
"""

from __future__ import annotations

import hashlib
import json
import math
import subprocess
import sys
from datetime import date, timedelta
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest

from zkmargin.cli.common import EXIT_INPUT
from zkmargin.cli.main import main
from zkmargin.engine.calibrate import (
    BUFFER_REBUILD,
    BUFFER_SHARE,
    ApcTool,
    buffered_ranges,
    calibrate,
    es_range_path,
    expected_shortfall,
    mpor_log_returns,
    parse_history,
    rolling_expected_shortfall,
)
from zkmargin.engine.io import load_market, load_params, load_scenarios
from zkmargin.engine.risk import build_risk_table

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
HISTORY = EXAMPLES / "history" / "synthetic_btc_eth_daily.csv"
MARKET = EXAMPLES / "market.json"
PARAMS = EXAMPLES / "params.json"
FloatArray = npt.NDArray[np.float64]


def reference_es(losses: list[float], confidence: float) -> float:
    """ES from the definition: the mean of the worst ``n (1 - confidence)`` losses, the last one counted by
    its fraction; the tail size is computed exactly from the decimal confidence."""
    worst_first = sorted(losses, reverse=True)
    tail = len(losses) * (1 - Fraction(str(confidence)))
    whole = math.floor(tail)
    total = sum(worst_first[:whole]) + float(tail - whole) * (worst_first[whole] if whole < len(losses) else 0.0)
    return total / float(tail)


def reference_range(closes: list[float], mpor: int, confidence: float) -> float:
    """The ES range of a whole sample of closes: max(1 - exp(-ES(losses)), exp(ES(gains)) - 1)."""
    returns = [math.log(closes[t + mpor] / closes[t]) for t in range(len(closes) - mpor)]
    down = 1 - math.exp(-reference_es([-r for r in returns], confidence))
    up = math.exp(reference_es(returns, confidence)) - 1
    return max(down, up)


def write_prices(path: Path, closes: dict[str, list[float]], start: date = date(2020, 1, 1),
                 extra: dict[str, list[str]] | None = None) -> Path:
    """A price CSV with one row per calendar day from ``start``."""
    columns = {**{k: [repr(v) for v in vs] for k, vs in closes.items()}, **(extra or {})}
    n = len(next(iter(closes.values())))
    lines = ["date," + ",".join(columns)]
    for i in range(n):
        lines.append(",".join([(start + timedelta(days=i)).isoformat(), *(columns[c][i] for c in columns)]))
    path.write_text("\n".join(lines) + "\n")
    return path


def regime_closes(regimes: list[tuple[int, float]], seed: int, start: float = 100.0) -> list[float]:
    """Closes of a Gaussian log random walk: ``(days, daily volatility)`` per regime, in order."""
    rng = np.random.default_rng(seed)
    vols = np.concatenate([np.full(days, vol) for days, vol in regimes])
    steps = rng.standard_normal(len(vols)) * vols
    return [float(x) for x in start * np.exp(np.concatenate([[0.0], np.cumsum(steps)]))]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def calibrate_json(capsys: pytest.CaptureFixture[str], prices: Path, *extra: str) -> dict[str, Any]:
    code, out, err = run(capsys, "calibrate", "--prices", str(prices), "--json", *extra)
    assert code == 0, err
    document: dict[str, Any] = json.loads(out)
    return document


# --- Expected Shortfall by hand ------------------------------------------------------------------------------

def test_es_of_a_tiny_sample_by_hand() -> None:
    """Ten losses at 75%: the tail holds 2.5 observations, so ES = (0.10 + 0.05 + 0.5 * 0.03) / 2.5."""
    losses = np.array([0.05, -0.02, 0.10, 0.01, 0.03, -0.04, 0.0, 0.02, -0.01, 0.015])
    assert expected_shortfall(losses, 0.75) == pytest.approx((0.10 + 0.05 + 0.5 * 0.03) / 2.5, abs=1e-15)
    # a tail below one observation is the largest loss
    assert expected_shortfall(losses, 0.99) == pytest.approx(0.10, abs=1e-15)


@pytest.mark.parametrize("confidence", [0.99, 0.995])
def test_rolling_es_matches_the_reference(confidence: float) -> None:
    rng = np.random.default_rng(7)
    losses = rng.standard_t(3, 420) * 0.03
    window = 250
    rolling = rolling_expected_shortfall(losses, window, confidence)
    assert rolling.shape == (len(losses) - window + 1,)
    for t in (0, 1, 57, len(rolling) - 1):
        assert rolling[t] == pytest.approx(reference_es(losses[t:t + window].tolist(), confidence), rel=1e-12)


def test_calibrate_cli_by_hand(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """Closes 100, 125, 100, 100, 110.

    MPOR 1, window 4: returns ln 1.25, ln 0.8, 0, ln 1.1; at 99% the tail is 0.04 of an observation, so ES is
    the worst one: down 1 - 0.8 = 20%, up 1.25 - 1 = 25%; range 25%, scale 25% / 15% rounded up = 1.666667.
    MPOR 2, window 3: returns 0, ln 0.8, ln 1.1: down 20%, up 10%; range 20%, scale 1.333334.
    """
    prices = write_prices(tmp_path / "prices.csv", {"BTC": [100.0, 125.0, 100.0, 100.0, 110.0]})
    doc = calibrate_json(capsys, prices, "--mpor", "1", "--window", "4")
    assert doc["provenance"]["unfloored_ranges"]["BTC"] == pytest.approx(0.25, abs=1e-12)
    assert doc["provenance"]["ranges"]["BTC"] == pytest.approx(0.25, abs=1e-12)  # floor: the same 4 returns
    assert doc["range_scale"] == {"BTC": 1.666667}
    doc = calibrate_json(capsys, prices, "--mpor", "2", "--window", "3")
    assert doc["provenance"]["ranges"]["BTC"] == pytest.approx(0.20, abs=1e-12)
    assert doc["range_scale"] == {"BTC": 1.333334}


def test_mpor_returns_overlap() -> None:
    closes = np.array([100.0, 110.0, 121.0, 133.1])
    assert mpor_log_returns(closes, 2) == pytest.approx([math.log(1.21)] * 2)


# --- anti-procyclicality -------------------------------------------------------------------------------------

def test_floor_holds_after_a_calm_stretch(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """200 stressed days then 500 calm ones: as the stress leaves the window the ES range falls, the published
    range does not fall below the ES range of the whole (under 10-year) history."""
    closes = regime_closes([(200, 0.06), (500, 0.01)], seed=3)
    ranges, unfloored = [], []
    for end in (460, 520, 600, 701):  # the window covers only calm days from day 451 on
        prices = write_prices(tmp_path / f"p{end}.csv", {"BTC": closes[:end]})
        prov = calibrate_json(capsys, prices, "--apc", "floor")["provenance"]
        floor = reference_range(closes[:end], 2, 0.99)
        window_es = reference_range(closes[end - 252:end], 2, 0.99)
        assert prov["unfloored_ranges"]["BTC"] == pytest.approx(window_es, rel=1e-9)
        assert prov["ranges"]["BTC"] == pytest.approx(max(floor, window_es), rel=1e-9)
        assert prov["ranges"]["BTC"] >= floor * (1 - 1e-12)
        ranges.append(prov["ranges"]["BTC"])
        unfloored.append(prov["unfloored_ranges"]["BTC"])
    assert max(unfloored) < 0.1 < min(ranges)  # calm window ES ~ 5%; the floor keeps the stressed days in
    assert all(r > 2 * u for r, u in zip(ranges, unfloored, strict=True))


def test_floor_looks_back_ten_years_at_most(tmp_path: Path) -> None:
    """Twelve years, stressed only in the first: the floor is the ES of the returns ending in the last ten
    years, which leave the stress out."""
    start = date(2010, 1, 1)
    closes = regime_closes([(365, 0.06), (4017, 0.01)], seed=9)
    history = parse_history(write_prices(tmp_path / "p.csv", {"BTC": closes}, start=start).read_bytes(), "p.csv")
    cutoff = history.dates[-1].replace(year=history.dates[-1].year - 10)
    first_end = next(i for i, d in enumerate(history.dates) if d > cutoff)  # first return ends here
    (r,) = calibrate(history, apc=ApcTool.FLOOR).ranges
    assert r.reference == pytest.approx(reference_range(closes[first_end - 2:], 2, 0.99), rel=1e-9)
    assert r.reference < 0.5 * reference_range(closes, 2, 0.99)


def test_floor_binds_on_the_example_history() -> None:
    """The synthetic example ends with two calm years: the 10-year floor is above the 250-day ES."""
    history = parse_history(HISTORY.read_bytes(), HISTORY.name)
    calibration = calibrate(history, apc=ApcTool.FLOOR)
    for r in calibration.ranges:
        closes = history.closes[r.underlying].tolist()
        assert r.reference == pytest.approx(reference_range(closes, 2, 0.99), rel=1e-9)
        assert r.apc_range == r.reference > r.es_range


def test_buffer_path_by_hand() -> None:
    es = np.array([0.10, 0.10, 0.12, 0.20, 0.20, 0.10])
    expected = [0.125,  # full buffer
                0.125,  # steady ES: unchanged
                0.12625,  # ES +20%: absorbed, the range rises 1%
                0.20,  # ES +67%: the buffer is used up, the range is ES
                0.202,  # steady: rebuilt by 1%
                0.125]  # ES halves: full buffer again
    assert buffered_ranges(es).tolist() == pytest.approx(expected, abs=1e-15)


def _check_buffer_rule(es: list[float], published: list[float]) -> None:
    """The exact property of the buffer tool: E <= R <= 1.25 E, and a rise is at most
    max(1% of the previous range, the part of ES above the previous range)."""
    for t, (e, r) in enumerate(zip(es, published, strict=True)):
        assert e * (1 - 1e-12) <= r <= (1 + BUFFER_SHARE) * e * (1 + 1e-12), t
        if t:
            allowed = max(BUFFER_REBUILD * published[t - 1], e - published[t - 1])
            assert r - published[t - 1] <= allowed + 1e-12, t


def test_buffer_absorbs_a_stress_stretch(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """A calm year then a stress stretch, calibrated day by day from the CLI: the published range never rises
    by more than the buffer allows, while 1.25 x ES (no release) would jump with ES."""
    closes = regime_closes([(400, 0.01), (60, 0.05)], seed=11)
    es, published = [], []
    for end in range(395, 430):
        prices = write_prices(tmp_path / f"p{end}.csv", {"BTC": closes[:end]})
        prov = calibrate_json(capsys, prices, "--apc", "buffer")["provenance"]
        assert prov["apc"] == "buffer"
        es.append(prov["unfloored_ranges"]["BTC"])
        published.append(prov["ranges"]["BTC"])
    _check_buffer_rule(es, published)
    jumps = [t for t in range(1, len(es)) if es[t] > 1.05 * es[t - 1]]
    assert jumps, "the stress stretch must raise ES"
    # on a day ES jumps from a full buffer, the published range rises less than 1.25 x ES does
    absorbed = [t for t in jumps if published[t] - published[t - 1] < (1 + BUFFER_SHARE) * (es[t] - es[t - 1])]
    assert absorbed == jumps
    assert any(published[t] <= published[t - 1] * (1 + BUFFER_REBUILD) + 1e-15 for t in jumps)
    # the whole-history replay agrees with the day-by-day runs
    returns = mpor_log_returns(np.array(closes[:429]), 2)
    down, up = es_range_path(returns, 250, 0.99)
    replay = buffered_ranges(np.maximum(down, up))
    assert replay[-1] == pytest.approx(published[-1], rel=1e-12)


def test_buffer_rule_over_the_example_history() -> None:
    history = parse_history(HISTORY.read_bytes(), HISTORY.name)
    for r in calibrate(history, apc=ApcTool.BUFFER).ranges:
        path = buffered_ranges(r.es_path)
        _check_buffer_rule(r.es_path.tolist(), path.tolist())
        assert r.apc_range == path[-1]
        left = path / r.es_path - 1
        assert np.mean(left > BUFFER_SHARE - 1e-9) > 0.5, "in calm the buffer is held"
        assert np.min(left) < 1e-9, "the stress stretches use it up"


def test_stress_weight(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """range = 0.75 x ES(last window) + 0.25 x ES(the worst window in the file)."""
    closes = regime_closes([(300, 0.01), (60, 0.06), (300, 0.012)], seed=5)
    prices = write_prices(tmp_path / "p.csv", {"ETH": closes})
    prov = calibrate_json(capsys, prices, "--apc", "stress-weight", "--window", "100")["provenance"]
    windows = [reference_range(closes[s:s + 102], 2, 0.99) for s in range(len(closes) - 101)]
    expected = 0.75 * windows[-1] + 0.25 * max(windows)
    assert prov["unfloored_ranges"]["ETH"] == pytest.approx(windows[-1], rel=1e-9)
    assert prov["ranges"]["ETH"] == pytest.approx(expected, rel=1e-9)
    assert max(windows) > 3 * windows[-1]


# --- output: the scenario set and its provenance -------------------------------------------------------------

def test_provenance_and_the_written_set(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    out = tmp_path / "v2cal.json"
    code, stdout, err = run(capsys, "calibrate", "--prices", str(HISTORY), "--out", str(out), "--confidence",
                            "0.995", "--apc", "stress-weight")
    assert code == 0, err
    assert "SYNTHETIC" in stdout and "BTC" in stdout and "ETH" in stdout and "range_scale" in stdout
    scenarios = load_scenarios(str(out))
    prov = scenarios.provenance
    assert prov is not None
    assert prov.data_sha256 == hashlib.sha256(HISTORY.read_bytes()).hexdigest()
    assert prov.data_file == HISTORY.name and prov.synthetic
    assert (prov.first_date, prov.last_date) == ("2015-01-01", "2024-12-31")
    assert (prov.window_days, prov.mpor_days, prov.confidence, prov.apc) == (250, 2, 0.995, "stress-weight")
    assert scenarios.name == "v2-calibrated-synthetic" and len(scenarios.scenarios) == 24
    assert set(scenarios.range_scale) == {"BTC", "ETH"}
    for und, scale in scenarios.range_scale.items():
        assert prov.ranges[und] >= prov.unfloored_ranges[und]
        assert scale * 0.15 >= prov.ranges[und] > (scale - 1e-6) * 0.15  # rounded up to 6 decimals


def test_synthetic_flag_follows_the_name(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    prices = write_prices(tmp_path / "prices.csv", {"BTC": [100.0, 125.0, 100.0, 100.0, 110.0]})
    args = ("--mpor", "1", "--window", "4")
    doc = calibrate_json(capsys, prices, *args)
    assert doc["name"] == "v2-calibrated" and doc["provenance"]["synthetic"] is False
    assert doc["provenance"]["data_sha256"] == hashlib.sha256(prices.read_bytes()).hexdigest()
    doc = calibrate_json(capsys, prices, *args, "--synthetic")
    assert doc["name"] == "v2-calibrated-synthetic" and doc["provenance"]["synthetic"] is True


def test_the_set_scales_the_risk_arrays(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    out = tmp_path / "v2cal.json"
    assert run(capsys, "calibrate", "--prices", str(HISTORY), "--out", str(out))[0] == 0
    market, params = load_market(MARKET), load_params(PARAMS)
    calibrated = build_risk_table(market, load_scenarios(str(out)), params)
    plain = build_risk_table(market, load_scenarios("v2"), params)
    assert calibrated.scenario_names == plain.scenario_names
    i = calibrated.instrument_ids.index("BTC-PERPETUAL")
    s = calibrated.scenario_names.index("price -3/3 vol up")
    scale = load_scenarios(str(out)).range_scale["BTC"]
    assert int(calibrated.risk_array[i][s]) == pytest.approx(int(plain.risk_array[i][s]) * scale, rel=1e-4)


def test_margin_takes_the_calibrated_set(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    out = tmp_path / "v2cal.json"
    assert run(capsys, "calibrate", "--prices", str(HISTORY), "--out", str(out))[0] == 0
    code, stdout, err = run(capsys, "margin", "--market", str(MARKET), "--params", str(PARAMS), "--portfolio",
                            str(EXAMPLES / "portfolios" / "two_underlying_book.json"), "--scenarios", str(out),
                            "--json")
    assert code == 0, err
    assert json.loads(stdout)["scenarios"] == "v2-calibrated-synthetic"


def test_iv_columns_are_ignored(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    closes = [100.0, 125.0, 100.0, 100.0, 110.0]
    plain = calibrate_json(capsys, write_prices(tmp_path / "a.csv", {"BTC": closes}), "--mpor", "1", "--window", "4")
    with_iv = calibrate_json(capsys, write_prices(tmp_path / "b.csv", {"BTC": closes},
                                                  extra={"BTC_iv": ["0.5", "", "0.6", "x", "0.7"]}),
                             "--mpor", "1", "--window", "4")
    assert with_iv["range_scale"] == plain["range_scale"]
    code, out, _ = run(capsys, "calibrate", "--prices", str(tmp_path / "b.csv"), "--mpor", "1", "--window", "4")
    assert code == 0 and "implied-volatility columns not used: BTC_iv" in out  # said, not silently dropped


def test_the_installed_command(tmp_path: Path) -> None:
    zkmargin = Path(sys.executable).with_name("zkmargin")
    proc = subprocess.run([str(zkmargin), "calibrate", "--prices", str(HISTORY), "--apc", "buffer"],
                          capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    assert "SYNTHETIC" in proc.stdout and "buffer left" in proc.stdout


# --- bad input: one line, exit 2 -----------------------------------------------------------------------------

GOOD_ROWS = "2024-01-01,100,10\n2024-01-02,101,11\n2024-01-03,102,12\n2024-01-04,103,13\n"

BAD_FILES: dict[str, tuple[bytes | None, str]] = {
    "missing file": (None, "no such file"),
    "empty": (b"", "empty file"),
    "binary": (bytes(range(256)), "not UTF-8"),
    "NUL bytes": (b"date,BTC\x00\n", "NUL"),
    "first column not date": (b"day,BTC,ETH\n" + GOOD_ROWS.encode(), "not 'date'"),
    "no price column": (b"date\n2024-01-01\n", "no price column"),
    "bad column name": (b"date,BTC price,ETH\n" + GOOD_ROWS.encode(), "neither an underlying"),
    "duplicate column": (b"date,BTC,BTC\n" + GOOD_ROWS.encode(), "appears twice"),
    "header only": (b"date,BTC,ETH\n", "no data rows"),
    "non-numeric price": (b"date,BTC,ETH\n2024-01-01,abc,10\n", "'abc' is not a number"),
    "zero price": (b"date,BTC,ETH\n2024-01-01,0,10\n", "not a finite positive price"),
    "negative price": (b"date,BTC,ETH\n2024-01-01,100,-3\n", "not a finite positive price"),
    "nan price": (b"date,BTC,ETH\n2024-01-01,nan,10\n", "not a finite positive price"),
    "missing price": (b"date,BTC,ETH\n2024-01-01,,10\n", "missing"),
    "bad date": (b"date,BTC,ETH\n2024/01/01,100,10\n", "not a date"),
    "impossible date": (b"date,BTC,ETH\n2024-02-30,100,10\n", "not a date"),
    "unsorted dates": (b"date,BTC,ETH\n2024-01-02,100,10\n2024-01-01,100,10\n", "comes after 2024-01-02"),
    "duplicate date": (b"date,BTC,ETH\n2024-01-01,100,10\n2024-01-01,100,10\n", "repeats"),
    "short row": (b"date,BTC,ETH\n2024-01-01,100\n", "2 values"),
    "too few rows": (b"date,BTC,ETH\n" + GOOD_ROWS.encode(), "needs at least 252 rows"),
}


def _one_line_error(code: int, out: str, err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert code == EXIT_INPUT, (code, out, err)
    assert len(lines) == 1 and lines[0].startswith("zkmargin: error: "), err
    assert "Traceback" not in out + err
    return lines[0]


@pytest.mark.parametrize("name", list(BAD_FILES))
def test_bad_price_file(name: str, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    content, fragment = BAD_FILES[name]
    path = tmp_path / "prices.csv"
    if content is not None:
        path.write_bytes(content)
    out_file = tmp_path / "out.json"
    line = _one_line_error(*run(capsys, "calibrate", "--prices", str(path), "--out", str(out_file)))
    assert fragment in line and str(path) in line, line
    assert not out_file.exists()


@pytest.mark.parametrize(("closes", "extra", "fragment"), [
    ([100.0] * 6, (), "zero scan range"),
    ([100.0, 300.0, 100.0, 300.0, 100.0, 300.0], ("--mpor", "1"), "100% or more"),
])
def test_ranges_no_scenario_set_can_carry(closes: list[float], extra: tuple[str, ...], fragment: str,
                                          capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    prices = write_prices(tmp_path / "p.csv", {"BTC": closes})
    line = _one_line_error(*run(capsys, "calibrate", "--prices", str(prices), "--window", "4", *extra))
    assert fragment in line and "BTC" in line, line


@pytest.mark.parametrize("argv", [
    ["--window", "0"], ["--window", "ten"], ["--mpor", "0"], ["--confidence", "0.95"], ["--apc", "none"],
    ["--out", "{tmp}/nowhere/set.json"], ["--out", "{tmp}"],
])
def test_bad_arguments(argv: list[str], capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    args = [a.replace("{tmp}", str(tmp_path)) for a in argv]
    try:
        code = main(["calibrate", "--prices", str(HISTORY), *args])
    except SystemExit as exc:  # argparse's own errors
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    _one_line_error(code, out, err)
