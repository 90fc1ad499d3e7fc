"""Scan ranges calibrated from daily closes: Expected Shortfall over the margin period of risk, made less
procyclical by one of the three tools of EMIR RTS 153/2013 Art. 28.

Input: a CSV of daily closes (:func:`parse_history`), header ``date,<UND1>,<UND2>,...``::

    date,BTC,ETH
    2024-01-01,42280.17,2281.66
    2024-01-02,44940.02,2355.12

* ``date`` comes first, ISO ``YYYY-MM-DD``, strictly ascending (no duplicates); one row per observation
  (a crypto series has every calendar day; the window counts rows, not calendar days);
* every other column is an underlying (letters and digits, e.g. ``BTC``) holding closes in quote currency
  per unit: finite, positive decimal numbers, none missing;
* optional implied-volatility columns ``<UND>_iv`` (e.g. ``BTC_iv``) are accepted and ignored.

Method, per underlying, with ``h`` the margin period of risk (MPOR) in rows:

1. overlapping ``h``-day log returns ``r[t] = ln(P[t+h] / P[t])`` (``len - h`` of them);
2. Expected Shortfall at confidence ``a`` of a sample of ``n`` losses (:func:`expected_shortfall`): the
   mean of the worst ``n (1 - a)`` losses, the last one counted fractionally (Acerbi and Tasche 2002);
3. both directions, as relative price moves: the lower tail ``down = 1 - exp(-ES(-r))`` (a long loses) and
   the upper tail ``up = exp(ES(r)) - 1`` (a short loses); the *ES range* is ``max(down, up)`` over the
   look-back window, the last ``window`` returns;
4. anti-procyclicality (:class:`ApcTool`) turns the ES range into the published range;
5. ``range_scale = range / core_range`` (``core_range`` = 15%, the v2 preset's), rounded up to
   :data:`SCALE_DECIMALS` decimals so that the scenario moves are never smaller than the range.

The anti-procyclicality tools (Art. 28(1)(a), (b), (c)):

``buffer``
    A 25% buffer, released in stress and rebuilt in calm.  The file's history is replayed as one
    recalibration per row from the first full window on (:func:`buffered_ranges`), ``E[t]`` the day's ES
    range and ``c`` = :data:`BUFFER_REBUILD` (1% a day): the first published range is ``1.25 * E[0]``, each
    later one ``R[t] = max(E[t], min(1.25 * E[t], (1 + c) * R[t-1]))``.  Hence, exactly:

    * ``E[t] <= R[t] <= 1.25 * E[t]``: never below ES, never above ES plus the full buffer;
    * ``R[t] - R[t-1] <= max(c * R[t-1], E[t] - R[t-1])``: the range rises by at most 1% a day while the
      buffer lasts; a larger rise of ES is absorbed by the buffer, and only the part of ES above the
      previous range passes through, then at once (the range is ES, the buffer used up).  From a full
      buffer a one-day ES jump of up to 25% moves the range by at most 1%, where ``1.25 * ES`` would jump
      with it;
    * in calm (ES rising less than 1% a day, or falling) the buffer is rebuilt at 1% a day, so a steady ES
      is published as ``1.25 * ES`` again within 23 days; when ES falls the range falls with ``1.25 * ES``.
``stress-weight``
    25% weight on stressed observations: ``range = 0.75 * E(window) + 0.25 * E(stressed)``, where the
    stressed window is the window of the same length with the largest ES range in the whole file.
``floor``
    A floor from a 10-year look-back: ``range = max(E(window), E(10 years))``, the second an ES over every
    return ending within 10 years of the last date (the whole file if it is shorter).

Pure functions: bytes and arrays in, arrays and frozen records out; the CLI reads and writes files.
"""

from __future__ import annotations

import csv
import hashlib
import io
import math
import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

import numpy as np
import numpy.typing as npt
from numpy.lib.stride_tricks import sliding_window_view

from zkmargin.engine.errors import InputError
from zkmargin.engine.models import Provenance, ScenarioSet
from zkmargin.engine.scenarios import V2_CORE_RANGE, v2

FloatArray = npt.NDArray[np.float64]

DEFAULT_WINDOW_DAYS = 250
DEFAULT_MPOR_DAYS = 2
DEFAULT_CONFIDENCE = 0.99
#: The Expected Shortfall levels accepted.
CONFIDENCES = (0.99, 0.995)
#: The ``buffer`` tool's buffer, as a share of ES (Art. 28(1)(a): at least 25%).
BUFFER_SHARE = 0.25
#: The ``buffer`` tool's published range may rise by this share of itself a day while ES stays inside it.
BUFFER_REBUILD = 0.01
#: The ``stress-weight`` tool's weight on the stressed window (Art. 28(1)(b): at least 25%).
STRESS_WEIGHT = 0.25
#: The ``floor`` tool's look-back (Art. 28(1)(c): 10 years).
FLOOR_LOOKBACK_YEARS = 10
#: ``range_scale`` is rounded up to this many decimals.
SCALE_DECIMALS = 6
#: ``range_scale`` must lie in (0, MAX_SCALE] (the scenario-set model's bound).
MAX_SCALE = 10.0
CALIBRATED_NAME = "v2-calibrated"
IV_SUFFIX = "_iv"

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_UNDERLYING = re.compile(r"^[A-Za-z0-9]+$")


class ApcTool(StrEnum):
    """The anti-procyclicality tool of EMIR RTS 153/2013 Art. 28(1) applied to the ES range."""

    BUFFER = "buffer"
    STRESS_WEIGHT = "stress-weight"
    FLOOR = "floor"


@dataclass(frozen=True)
class PriceHistory:
    """Daily closes read from a CSV.

    ``dates`` ascend strictly; ``closes[und]`` has shape ``(len(dates),)``, quote currency per unit, all
    positive.  ``ignored`` names the implied-volatility columns that were skipped.
    """

    dates: tuple[date, ...]
    closes: dict[str, FloatArray]
    ignored: tuple[str, ...] = ()


@dataclass(frozen=True)
class RangeCalibration:
    """The calibration of one underlying; every range is a relative price move (``0.12`` = 12%).

    ``es_down`` and ``es_up`` are the tails over the look-back window, ``es_range`` their maximum (before
    anti-procyclicality), ``reference`` the second figure the tool used (the 10-year ES range for
    ``floor``, the stressed window's for ``stress-weight``, the previous published range for ``buffer``),
    ``apc_range`` the published range and ``scale`` the ``range_scale`` written.  ``es_path`` is the ES
    range of every full window in the file, oldest first, shape ``(returns - window + 1,)``.
    """

    underlying: str
    es_down: float
    es_up: float
    es_range: float
    reference: float
    apc_range: float
    scale: float
    es_path: FloatArray

    @property
    def buffer_left(self) -> float:
        """The part of the 25% buffer still unused: ``apc_range / es_range - 1`` (meaningful for ``buffer``)."""
        return self.apc_range / self.es_range - 1.0


@dataclass(frozen=True)
class Calibration:
    """Ranges of every underlying of a history, and the settings that produced them."""

    ranges: tuple[RangeCalibration, ...]
    window_days: int
    mpor_days: int
    confidence: float
    apc: ApcTool
    first_date: date
    last_date: date
    core_range: float


def sha256_hex(raw: bytes) -> str:
    """The SHA-256 of ``raw`` as 64 lowercase hex digits (the provenance's ``data_sha256``)."""
    return hashlib.sha256(raw).hexdigest()


def _header_help() -> str:
    return "expected a header date,<UND1>,<UND2>,... such as date,BTC,ETH (optional <UND>_iv columns)"


def parse_history(raw: bytes, source: str) -> PriceHistory:
    """Parse a daily-close CSV (format in the module docstring).

    Parameters
    ----------
    raw
        The file's bytes, UTF-8 (a byte-order mark is allowed).
    source
        The file name used in error messages.

    Raises
    ------
    InputError
        One line naming the file, the column and the line: not UTF-8 text, a bad header, a bad date or
        close, dates not strictly ascending, a row of the wrong length, no data rows.
    """
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(f"not UTF-8 text; {_header_help()}", file=source) from None
    if "\x00" in text:
        raise InputError(f"holds NUL bytes, not CSV text; {_header_help()}", file=source)
    rows = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(rows)
    except StopIteration:
        raise InputError(f"empty file; {_header_help()}", file=source) from None
    except csv.Error as exc:
        raise InputError(f"line 1: not CSV ({exc}); {_header_help()}", file=source) from None
    header = [name.strip() for name in header]
    if not header or header[0] != "date":
        first = header[0] if header else ""
        raise InputError(f"line 1: the first column is {first!r}, not 'date'; {_header_help()}", file=source)
    seen: set[str] = set()
    prices: list[tuple[int, str]] = []
    ignored: list[str] = []
    for col, name in enumerate(header[1:], start=1):
        if name in seen or name == "date":
            raise InputError(f"line 1: column {name!r} appears twice", file=source)
        seen.add(name)
        if name.endswith(IV_SUFFIX) and _UNDERLYING.match(name.removesuffix(IV_SUFFIX)):
            ignored.append(name)
        elif _UNDERLYING.match(name):
            prices.append((col, name))
        else:
            raise InputError(f"line 1: column {name!r} is neither an underlying (letters and digits) nor an "
                             f"implied-volatility column <UND>{IV_SUFFIX}; {_header_help()}", file=source)
    if not prices:
        raise InputError(f"line 1: no price column; {_header_help()}", file=source)

    dates: list[date] = []
    closes: dict[str, list[float]] = {name: [] for _, name in prices}
    try:
        for row in rows:
            line = rows.line_num
            if not any(cell.strip() for cell in row):
                continue  # blank line
            if len(row) != len(header):
                raise InputError(f"line {line}: {len(row)} values, but the header has {len(header)} columns",
                                 file=source)
            day = _parse_date(row[0].strip(), line, source)
            if dates and day <= dates[-1]:
                order = "repeats" if day == dates[-1] else f"comes after {dates[-1].isoformat()}"
                raise InputError(f"line {line}: date {day.isoformat()} {order}; dates must ascend strictly, "
                                 "one row per day", file=source, field="date")
            dates.append(day)
            for col, name in prices:
                closes[name].append(_parse_close(row[col].strip(), line, day, name, source))
    except csv.Error as exc:
        raise InputError(f"line {rows.line_num}: not CSV ({exc})", file=source) from None
    if not dates:
        raise InputError("no data rows after the header; give one row of closes per day", file=source)
    return PriceHistory(dates=tuple(dates), closes={name: np.array(v, dtype=np.float64) for name, v in closes.items()},
                        ignored=tuple(ignored))


def _parse_date(text: str, line: int, source: str) -> date:
    if _DATE.match(text):
        try:
            return date.fromisoformat(text)
        except ValueError:
            pass
    raise InputError(f"line {line}: {text!r} is not a date; give an ISO date YYYY-MM-DD", file=source, field="date")


def _parse_close(text: str, line: int, day: date, name: str, source: str) -> float:
    where = f"line {line} ({day.isoformat()})"
    if not text:
        raise InputError(f"{where}: the close is missing; every row needs a positive close for every underlying",
                         file=source, field=name)
    try:
        value = float(text)
    except ValueError:
        raise InputError(f"{where}: close {text!r} is not a number; give a positive decimal such as 42280.17",
                         file=source, field=name) from None
    if not (math.isfinite(value) and value > 0):
        raise InputError(f"{where}: close {text} is not a finite positive price", file=source, field=name)
    return value


def mpor_log_returns(closes: FloatArray, mpor_days: int) -> FloatArray:
    """Overlapping log returns over the margin period of risk.

    ``closes`` has shape ``(n,)`` (positive prices); the result has shape ``(n - mpor_days,)`` with
    ``r[t] = ln(closes[t + mpor_days] / closes[t])``.
    """
    logs = np.log(closes)
    return np.asarray(logs[mpor_days:] - logs[:-mpor_days], dtype=np.float64)


def tail_mass(n: int, confidence: float) -> float:
    """How many of ``n`` observations the tail holds, ``n (1 - confidence)``, rounded to 9 decimals so that
    ``250 * (1 - 0.99)`` is exactly 2.5."""
    return round(n * (1.0 - confidence), 9)


def rolling_expected_shortfall(losses: FloatArray, window: int, confidence: float) -> FloatArray:
    """Expected Shortfall of every window of ``window`` consecutive losses.

    ``losses`` has shape ``(n,)`` (positive = a loss); the result has shape ``(n - window + 1,)``, the ES of
    ``losses[t : t + window]`` at index ``t``.  With ``m = window (1 - confidence)`` and ``k = floor(m)``,
    ``ES = (sum of the k largest + (m - k) * the (k+1)-th largest) / m``: the mean of the worst ``m``
    observations, the last counted fractionally (Acerbi and Tasche 2002).  When ``m < 1`` this is the
    largest loss.
    """
    if not 1 <= window <= len(losses):
        raise ValueError(f"window {window} must be between 1 and the number of losses {len(losses)}")
    m = tail_mass(window, confidence)
    if m <= 0:
        raise ValueError(f"confidence {confidence} leaves no tail in a window of {window}")
    k = min(math.floor(m), window - 1)
    worst_first = -np.sort(-sliding_window_view(losses, window), axis=1)
    es = (worst_first[:, :k].sum(axis=1) + (m - k) * worst_first[:, k]) / m
    return np.asarray(es, dtype=np.float64)


def expected_shortfall(losses: FloatArray, confidence: float) -> float:
    """Expected Shortfall of the whole sample ``losses`` (shape ``(n,)``); see :func:`rolling_expected_shortfall`."""
    return float(rolling_expected_shortfall(losses, len(losses), confidence)[0])


def es_range_path(log_returns: FloatArray, window: int, confidence: float) -> tuple[FloatArray, FloatArray]:
    """The down and up ES moves of every window of ``log_returns`` (shape ``(n,)``).

    Returns ``(down, up)``, relative moves of shape ``(n - window + 1,)``: ``down = 1 - exp(-ES(-r))`` (the
    fall a long position suffers), ``up = exp(ES(r)) - 1`` (the rise a short suffers).
    """
    down = -np.expm1(-rolling_expected_shortfall(-log_returns, window, confidence))  # 1 - exp(-ES of log losses)
    up = np.expm1(rolling_expected_shortfall(log_returns, window, confidence))  # exp(ES of log gains) - 1
    return down, up


def buffered_ranges(es_path: FloatArray, buffer_share: float = BUFFER_SHARE,
                    rebuild: float = BUFFER_REBUILD) -> FloatArray:
    """The ``buffer`` tool's published range after each recalibration.

    ``es_path`` (shape ``(n,)``, relative moves) is the ES range of each day in order.  The result ``R``
    has the same shape: ``R[0] = (1 + buffer_share) * E[0]`` and
    ``R[t] = max(E[t], min((1 + buffer_share) * E[t], (1 + rebuild) * R[t-1]))``.
    """
    out = np.empty_like(es_path)
    previous = math.inf
    for t, e in enumerate(es_path.tolist()):
        previous = max(e, min((1.0 + buffer_share) * e, (1.0 + rebuild) * previous))
        out[t] = previous
    return out


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def calibrate(history: PriceHistory, *, window: int = DEFAULT_WINDOW_DAYS, mpor_days: int = DEFAULT_MPOR_DAYS,
              confidence: float = DEFAULT_CONFIDENCE, apc: ApcTool = ApcTool.FLOOR,
              core_range: float = V2_CORE_RANGE, source: str = "price history") -> Calibration:
    """Calibrate the scan range of every underlying of ``history`` (method in the module docstring).

    Parameters
    ----------
    history
        Daily closes, see :func:`parse_history`.
    window
        Look-back window, in rows (trading days) of ``mpor_days``-day returns: the last ``window`` returns.
    mpor_days
        Margin period of risk, in rows.
    confidence
        Expected Shortfall level, one of :data:`CONFIDENCES`.
    apc
        The anti-procyclicality tool.
    core_range
        The scan range that ``range_scale = 1`` stands for (the v2 preset's 15%).
    source
        The file name used in error messages.

    Raises
    ------
    InputError
        Bad settings, too few rows for the window, or a range that no scenario set can carry (zero, or a
        fall of 100% or more).
    """
    if window < 1:
        raise InputError(f"must be at least 1 day, got {window}", field="--window")
    if mpor_days < 1:
        raise InputError(f"must be at least 1 day, got {mpor_days}", field="--mpor")
    if confidence not in CONFIDENCES:
        raise InputError(f"must be one of {', '.join(map(str, CONFIDENCES))}, got {confidence}", field="--confidence")
    n_rows = len(history.dates)
    if n_rows < window + mpor_days:
        raise InputError(f"{n_rows} rows give {max(n_rows - mpor_days, 0)} returns over {mpor_days} days; a "
                         f"{window}-day window needs at least {window + mpor_days} rows (lower --window or give "
                         "more history)", file=source)
    return_end = np.array([d.toordinal() for d in history.dates[mpor_days:]])
    floor_start = _years_before(history.dates[-1], FLOOR_LOOKBACK_YEARS).toordinal()
    floor_count = max(window, int(np.count_nonzero(return_end > floor_start)))

    results: list[RangeCalibration] = []
    for und, closes in history.closes.items():
        returns = mpor_log_returns(closes, mpor_days)
        down_path, up_path = es_range_path(returns, window, confidence)
        es_path = np.maximum(down_path, up_path)
        es_now = float(es_path[-1])
        if apc is ApcTool.FLOOR:
            floor_down, floor_up = es_range_path(returns[-floor_count:], floor_count, confidence)
            reference = max(float(floor_down[0]), float(floor_up[0]))
            published = max(es_now, reference)
        elif apc is ApcTool.STRESS_WEIGHT:
            reference = float(es_path.max())
            published = (1.0 - STRESS_WEIGHT) * es_now + STRESS_WEIGHT * reference
        else:
            path = buffered_ranges(es_path)
            reference = float(path[-2]) if len(path) > 1 else float(path[-1])
            published = float(path[-1])
        results.append(RangeCalibration(underlying=und, es_down=float(down_path[-1]), es_up=float(up_path[-1]),
                                        es_range=es_now, reference=reference, apc_range=published,
                                        scale=_scale(published, core_range, und, source), es_path=es_path))
    return Calibration(ranges=tuple(results), window_days=window, mpor_days=mpor_days, confidence=confidence,
                       apc=apc, first_date=history.dates[0], last_date=history.dates[-1], core_range=core_range)


def _scale(published: float, core_range: float, underlying: str, source: str) -> float:
    """``published / core_range`` rounded up to :data:`SCALE_DECIMALS` decimals, checked to lie in (0, 10] and
    to keep the largest v2 fall above -100%."""
    if not (math.isfinite(published) and published > 0):
        raise InputError("the closes do not move over the window: a zero scan range cannot be calibrated",
                         file=source, field=underlying)
    if published >= 1.0:
        raise InputError(f"the calibrated scan range is {published:.1%}; a fall of 100% or more is not a price "
                         "(shorten --mpor or lower --confidence)", file=source, field=underlying)
    step = int(10**SCALE_DECIMALS)
    scale = math.ceil(published / core_range * step) / step
    if not 0 < scale <= MAX_SCALE:
        raise InputError(f"range_scale {scale:g} = {published:.2%} / {core_range:.0%} is outside (0, {MAX_SCALE:g}]",
                         file=source, field=underlying)
    return scale


def calibrated_set(calibration: Calibration, *, tool: str, data_file: str, data_sha256: str,
                   synthetic: bool) -> ScenarioSet:
    """The v2 preset with the calibrated ``range_scale`` and the :class:`Provenance` of the calibration.

    Named ``v2-calibrated``, or ``v2-calibrated-synthetic`` when the data are synthetic.  ``ranges`` holds
    the published ranges (after anti-procyclicality), ``unfloored_ranges`` the ES ranges before it.
    """
    scales = {r.underlying: r.scale for r in calibration.ranges}
    preset = v2(core_range=calibration.core_range, range_scale=scales)
    provenance = Provenance(
        tool=tool, data_file=data_file, data_sha256=data_sha256, synthetic=synthetic,
        first_date=calibration.first_date.isoformat(), last_date=calibration.last_date.isoformat(),
        window_days=calibration.window_days, mpor_days=calibration.mpor_days, confidence=calibration.confidence,
        apc=calibration.apc.value, ranges={r.underlying: r.apc_range for r in calibration.ranges},
        unfloored_ranges={r.underlying: r.es_range for r in calibration.ranges})
    name = CALIBRATED_NAME + ("-synthetic" if synthetic else "")
    return ScenarioSet.model_validate({**preset.model_dump(), "name": name, "provenance": provenance.model_dump()})
