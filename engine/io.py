"""Load engine inputs from JSON files, turning every failure into a one-line :class:`InputError`."""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from zkmargin.engine import errors
from zkmargin.engine.errors import InputError
from zkmargin.engine.models import MarginParams, MarketSnapshot, Portfolio, ScenarioSet
from zkmargin.engine.scenarios import PRESETS, preset
from zkmargin.statement.records import RecordError, json_kind, read_json_document

M = TypeVar("M", bound=BaseModel)


def _read_json(path: Path, what: str) -> Any:
    try:
        return read_json_document(path, what)
    except RecordError as exc:
        raise InputError(str(exc).removeprefix(f"{path}: "), file=str(path)) from exc


def _instrument_at(raw: Any, loc: tuple[int | str, ...]) -> str | None:
    """The instrument a validation error points into, if any (``instruments[i]`` or ``positions[i]``)."""
    if len(loc) >= 2 and loc[0] in ("instruments", "positions") and isinstance(loc[1], int):
        try:
            item = raw[loc[0]][loc[1]]
            return str(item.get("id") or item.get("instrument"))
        except (KeyError, IndexError, TypeError, AttributeError):
            return None
    return None


def validate(model: type[M], raw: Any, source: str) -> M:
    """Validate ``raw`` against ``model``; the first problem becomes a one-line :class:`InputError`."""
    if not isinstance(raw, dict):
        raise InputError(f"expected a JSON object, got a JSON {json_kind(raw)}", file=source)
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = tuple(first["loc"])
        field = ".".join(f"[{p}]" if isinstance(p, int) else str(p) for p in loc).replace(".[", "[")
        msg = str(first["msg"]).removeprefix("Value error, ")
        extra = f" (and {exc.error_count() - 1} more problems)" if exc.error_count() > 1 else ""
        raise InputError(msg + extra, file=source, field=field or None, instrument=_instrument_at(raw, loc)) from exc


#: How each input model is named in messages.
WHAT: dict[str, str] = {"MarketSnapshot": "market snapshot", "MarginParams": "margin parameters",
                        "Portfolio": "portfolio", "ScenarioSet": "scenario set"}


def load_model(model: type[M], path: Path) -> M:
    """Read and validate one JSON file."""
    return validate(model, _read_json(path, WHAT.get(model.__name__, "JSON")), str(path))


def load_market(path: Path) -> MarketSnapshot:
    return load_model(MarketSnapshot, path)


def load_params(path: Path | None) -> MarginParams:
    """Margin parameters from ``path``, or the defaults (which carry no haircuts) when ``None``."""
    return MarginParams() if path is None else load_model(MarginParams, path)


def load_portfolio(path: Path) -> Portfolio:
    return load_model(Portfolio, path)


def load_scenarios(name_or_path: str) -> ScenarioSet:
    """A preset by name (``v2``, ``span16``, ``crypto-grid``, ``seed5``) or a scenario-set JSON file."""
    if name_or_path in PRESETS:
        return preset(name_or_path)
    path = Path(name_or_path)
    if not path.exists():
        raise InputError(errors.unknown_preset(name_or_path, sorted(PRESETS)), field="--scenarios")
    return load_model(ScenarioSet, path)
