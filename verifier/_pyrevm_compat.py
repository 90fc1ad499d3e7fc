"""What pyrevm 0.3.7 has no API for, read from its Rust ``Debug`` output (pinned version only).

pyrevm's typed API gives accounts (``EVM.journal_state``: nonce, balance, code hash),
single storage reads (``EVM.storage(address, slot)``), and results (``EVM.result``:
success/halt, reason, gas, logs).  It has no API for:

1. the *set* of storage slots a transaction wrote (needed to move state into a fresh,
   cold EVM, since pyrevm 0.3.x never finalises its journal): read from ``EVM.journal_str``;
2. the revert payload: ``ExecutionResult`` drops ``output``; it is only in the text of the
   ``RuntimeError`` raised by ``message_call``/``deploy``.

Both parsers are strict (anything unrecognised raises :class:`PyrevmFormatError`) and the
storage parser is cross-checked slot by slot with the typed ``EVM.storage``.  Keep pyrevm
pinned to :data:`PYREVM_VERSION` (``pyproject.toml``) and run the ``pyrevm`` tests of
``tests/test_solidity.py`` after any bump.
"""

from __future__ import annotations

import importlib.metadata
import re
from collections.abc import Callable
from typing import Final

from pyrevm import EVM

PYREVM_VERSION: Final = "0.3.7"
#: revm 8 pads analysed bytecode with 33 zero bytes; ``get_code`` returns the padded bytes.
_ANALYSIS_PADDING: Final = 33

_REVERT_RE: Final = re.compile(r"Revert \{ gas_used: (\d+), output: 0x([0-9a-f]*) \}")
_ACCOUNT_HEAD_RE: Final = re.compile(r"(0x[0-9a-f]{40}): Account \{ info: AccountInfo \{")
_SLOT_RE: Final = re.compile(r"(\d+): StorageSlot \{ previous_or_original_value: \d+, present_value: (\d+) \}")


class PyrevmFormatError(RuntimeError):
    """pyrevm's debug text is not in the format this module was written against."""


def check_pyrevm_version() -> None:
    """Raise :class:`PyrevmFormatError` unless the installed pyrevm is :data:`PYREVM_VERSION`."""
    installed = importlib.metadata.version("pyrevm")
    if installed != PYREVM_VERSION:
        raise PyrevmFormatError(f"pyrevm {installed} is installed; zkmargin.verifier.evm parses pyrevm "
                                f"{PYREVM_VERSION}'s debug output: pin pyrevm=={PYREVM_VERSION} or re-validate "
                                "zkmargin.verifier._pyrevm_compat")


def revert_output(exc: RuntimeError, gas_used: int) -> bytes:
    """Revert payload from pyrevm's ``RuntimeError('Revert { gas_used: N, output: 0x.. }')``."""
    match = _REVERT_RE.fullmatch(str(exc))
    if match is None or int(match[1]) != gas_used:
        raise PyrevmFormatError(f"unrecognised pyrevm revert message {str(exc)[:200]!r} (result gas {gas_used})")
    return bytes.fromhex(match[2])


def _closing_brace(text: str, start: int) -> int:
    depth = 0
    for index in range(start, len(text)):
        if text[index] == "{":
            depth += 1
        elif text[index] == "}":
            depth -= 1
            if depth == 0:
                return index
    raise PyrevmFormatError("unbalanced braces in pyrevm's journal_str")


def journal_storage(evm: EVM) -> dict[str, dict[int, int]]:
    """Storage slots held in the journal: lower-case address -> {slot: present value}.

    Every parsed slot is re-read with the typed ``EVM.storage`` (which warms it, so call this
    only on an EVM that is about to be discarded).
    """
    text = evm.journal_str
    addresses = {a.lower() for a in evm.journal_state}
    result: dict[str, dict[int, int]] = {}
    for head in _ACCOUNT_HEAD_RE.finditer(text):
        address = head[1]
        marker = text.find("}, storage: {", head.end())
        if marker < 0:
            raise PyrevmFormatError(f"no storage map after account {address} in journal_str")
        open_at = marker + len("}, storage: ")
        body = text[open_at + 1:_closing_brace(text, open_at)]
        slots = list(_SLOT_RE.finditer(body))
        if ", ".join(m[0] for m in slots) != body:
            raise PyrevmFormatError(f"unrecognised storage map of {address}: {body[:200]!r}")
        result[address] = {int(m[1]): int(m[2]) for m in slots}
    if set(result) != addresses:
        raise PyrevmFormatError(f"journal_str accounts {sorted(result)} != journal_state {sorted(addresses)}")
    for address, storage in result.items():
        for slot, value in storage.items():
            if evm.storage(address, slot) != value:
                raise PyrevmFormatError(f"journal_str says {address}[{slot}] = {value}, EVM.storage disagrees")
    return result


def runtime_code(evm: EVM, address: str, code_hash: bytes, keccak256: Callable[[bytes], bytes]) -> bytes:
    """The deployed code of ``address`` without revm's analysis padding, checked against ``code_hash``."""
    code = evm.get_code(address) or b""
    if keccak256(code) == code_hash:
        return code
    core = code[:-_ANALYSIS_PADDING]
    if code[-_ANALYSIS_PADDING:] == bytes(_ANALYSIS_PADDING) and keccak256(core) == code_hash:
        return core
    raise PyrevmFormatError(f"code of {address} does not hash to its code_hash with or without revm's padding")
