"""What a valid account proof means, decoded from its public signals alone (never from the bundle's prose)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from engine.commitments import unpack_margins
from engine.fixedpoint import format_money
from verifier.groth16_errors import MalformedProofError

N_PUBLIC: Final = 3


@dataclass(frozen=True)
class DecodedStatement:
    """``params_root`` and ``account_commitment`` as field elements; margins in micro-units."""

    params_root: int
    account_commitment: int
    initial_margin: int
    maintenance_margin: int

    def lines(self) -> list[tuple[str, str]]:
        """(label, value) rows for display; money as decimal quote currency."""
        return [("params_root", f"{self.params_root:#066x}"),
                ("account_commitment", f"{self.account_commitment:#066x}"),
                ("initial margin (IM)", format_money(self.initial_margin)),
                ("maintenance margin (MM)", format_money(self.maintenance_margin))]


def decode(public_signals: list[int] | tuple[int, ...]) -> DecodedStatement:
    """Decode ``[params_root, account_commitment, IM * 2^128 + MM]``."""
    if len(public_signals) != N_PUBLIC:
        raise MalformedProofError(f"an account proof has {N_PUBLIC} public signals, got {len(public_signals)}")
    im, mm = unpack_margins(int(public_signals[2]))
    return DecodedStatement(int(public_signals[0]), int(public_signals[1]), im, mm)


def read_bundle(path: Path) -> dict[str, Any]:
    """Read a zkmargin proof bundle (or a bare ``{"proof", "publicSignals"}`` object) as JSON."""
    try:
        data = json.loads(path.read_text())
    except OSError as exc:
        raise MalformedProofError(f"{path}: cannot read: {exc.strerror}") from exc
    except json.JSONDecodeError as exc:
        raise MalformedProofError(f"{path}: malformed JSON at line {exc.lineno}: {exc.msg}") from exc
    if not isinstance(data, dict) or "proof" not in data or "publicSignals" not in data:
        raise MalformedProofError(f"{path}: not a proof bundle (needs 'proof' and 'publicSignals')")
    return data
