"""Ethereum ABI for the zkmargin contracts, on eth-abi, eth-hash (pycryptodome backend) and eth-utils.

Public names: ``AbiValue``, ``AbiJson``, ``AbiError``, ``keccak256``, ``selector``, ``encode``,
``decode``, ``decode_error_string``, ``AbiEntry``, ``ContractAbi``.

* Every ABI type eth-abi knows is accepted (``bytes``, ``string``, ``T[]``, tuples).
* :func:`decode` returns eth-abi's values: arrays are *tuples*, addresses lower-case ``0x`` hex.
* eth-abi's exceptions are re-raised as :class:`AbiError` (a ``ValueError``) naming the types and values.
* Pitfall kept from eth-abi: a ``bytesN`` value shorter than ``N`` is right-padded, not rejected.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeAlias, cast

from eth_abi.abi import decode as _abi_decode
from eth_abi.abi import encode as _abi_encode
from eth_abi.exceptions import ABITypeError, DecodingError, EncodingError, ParseError
from eth_hash.backends import pycryptodome
from eth_hash.main import Keccak256
from eth_typing import ABIElement
from eth_utils.abi import abi_to_signature, get_abi_input_types, get_abi_output_types

AbiValue: TypeAlias = "int | bool | str | bytes | Sequence[AbiValue]"
"""A Python value of an ABI type: ints for ``uintN``/``intN``, ``bool``, a ``0x`` hex string for
``address``, ``bytes`` for ``bytes``/``bytesN``, ``str`` for ``string``, sequences for arrays and tuples."""

AbiJson: TypeAlias = list[dict[str, Any]]
"""A contract ABI as solc emits it (a list of JSON objects)."""

#: Keccak-256 from pycryptodome, named explicitly rather than picked by ``eth_hash.auto``.
_keccak = Keccak256(pycryptodome.backend)


class AbiError(ValueError):
    """A value does not fit its ABI type, the type is malformed, or the data does not decode."""


@contextmanager
def _as_abi_error(what: str) -> Iterator[None]:
    try:
        yield
    except (EncodingError, DecodingError, ABITypeError, ParseError, UnicodeDecodeError) as exc:
        raise AbiError(f"{what}: {exc}") from exc


def keccak256(data: bytes) -> bytes:
    """Keccak-256 as used by Ethereum (original Keccak padding, not NIST SHA3-256)."""
    return _keccak(data)


def selector(signature: str) -> bytes:
    """First 4 bytes of keccak-256 of a canonical signature, e.g. ``"owner()"``."""
    return keccak256(signature.encode())[:4]


def encode(types: Sequence[str], values: Sequence[AbiValue]) -> bytes:
    """Standard ABI encoding of ``values`` as the tuple ``(types...)`` (head + tail)."""
    if len(types) != len(values):
        raise AbiError(f"{len(types)} ABI types but {len(values)} values")
    with _as_abi_error(f"cannot ABI-encode {list(values)!r} as {list(types)}"):
        return _abi_encode(list(types), list(values))


def decode(types: Sequence[str], data: bytes) -> tuple[Any, ...]:
    """Decode ABI ``data`` (strict: padding and bool words are checked; trailing bytes are ignored)."""
    with _as_abi_error(f"cannot ABI-decode 0x{bytes(data).hex()} as {list(types)}"):
        return tuple(_abi_decode(list(types), bytes(data)))


def decode_error_string(data: bytes) -> str:
    """The argument of the standard ``Error(string)`` revert (payload without the selector).

    Decoded as ``bytes`` so invalid UTF-8 from a hostile contract is replaced, not raised.
    """
    (raw,) = decode(["bytes"], data)
    return bytes(raw).decode("utf-8", errors="replace")


@dataclass(frozen=True)
class AbiEntry:
    """One function, event, error or constructor of a contract ABI."""

    kind: str
    name: str
    input_names: tuple[str, ...]
    input_types: tuple[str, ...]
    output_types: tuple[str, ...]
    indexed: tuple[bool, ...]
    signature: str

    @property
    def selector(self) -> bytes:
        """4-byte selector (functions, errors)."""
        return selector(self.signature)

    @property
    def topic0(self) -> bytes:
        """32-byte event topic."""
        return keccak256(self.signature.encode())

    @classmethod
    def from_json(cls, item: Mapping[str, Any]) -> AbiEntry:
        kind = str(item["type"])
        inputs = item.get("inputs", [])
        element = cast(ABIElement, dict(item))
        with _as_abi_error(f"bad ABI entry {item.get('name')!r}"):
            return cls(
                kind=kind,
                name=str(item.get("name", "")),
                input_names=tuple(str(p.get("name", "")) for p in inputs),
                input_types=tuple(get_abi_input_types(element)),
                output_types=tuple(get_abi_output_types(element)) if kind == "function" else (),
                indexed=tuple(bool(p.get("indexed", False)) for p in inputs),
                signature=abi_to_signature(element),
            )


class ContractAbi:
    """Lookup of a contract's functions by name, errors by selector, events by topic."""

    def __init__(self, abi: AbiJson) -> None:
        self.json = abi
        entries = [AbiEntry.from_json(item) for item in abi
                   if item.get("type") in ("function", "event", "error", "constructor")]
        self.constructor = next((e for e in entries if e.kind == "constructor"), None)
        self._functions: dict[str, list[AbiEntry]] = {}
        for entry in entries:
            if entry.kind == "function":
                self._functions.setdefault(entry.name, []).append(entry)
        self.errors = {e.selector: e for e in entries if e.kind == "error"}
        self.events = {e.topic0: e for e in entries if e.kind == "event"}

    def function(self, name: str) -> AbiEntry:
        """The function ``name``, or ``name(types)`` when it is overloaded."""
        key = name.split("(", 1)[0]
        candidates = [e for e in self._functions.get(key, []) if "(" not in name or e.signature == name]
        if len(candidates) != 1:
            known = sorted(e.signature for group in self._functions.values() for e in group)
            problem = "is overloaded; pass the full signature" if candidates else "does not exist"
            raise AbiError(f"function {name!r} {problem}; the ABI has {known}")
        return candidates[0]

    def encode_call(self, name: str, args: Sequence[AbiValue]) -> bytes:
        entry = self.function(name)
        return entry.selector + encode(entry.input_types, args)

    def encode_constructor(self, args: Sequence[AbiValue]) -> bytes:
        return encode(self.constructor.input_types if self.constructor else (), args)
