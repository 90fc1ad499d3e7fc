"""Minimal Ethereum ABI: keccak-256, selectors, and static-type encoding.

Covers exactly what the zkmargin contracts use: ``uintN``, ``intN``,
``address``, ``bool``, ``bytesN`` and fixed-size arrays of them (``uint256[2][2]``),
plus the dynamic ``string`` of the standard ``Error(string)`` revert.  Other
dynamic types (``bytes``, ``T[]``, tuples) raise :class:`AbiError` instead of
being half-supported.  No third-party hashing backend is installed in the
venv (``eth_hash`` has none), so keccak-256 is implemented here and tested
against known vectors and solc's method identifiers.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, TypeAlias

AbiValue: TypeAlias = "int | bool | str | bytes | Sequence[AbiValue]"
"""A Python value of an ABI type: ints for ``uintN``/``intN``, ``bool``, a ``0x``
hex string for ``address``, ``bytes`` for ``bytesN``, nested sequences for arrays."""

AbiJson: TypeAlias = list[dict[str, Any]]
"""A contract ABI as solc emits it (a list of JSON objects)."""

WORD: Final = 32


class AbiError(ValueError):
    """A value does not fit its ABI type, or the type is not supported."""


# --------------------------------------------------------------------------- keccak-256

_MASK64: Final = (1 << 64) - 1
_ROUND_CONSTANTS: Final = (
    0x0000000000000001, 0x0000000000008082, 0x800000000000808A, 0x8000000080008000,
    0x000000000000808B, 0x0000000080000001, 0x8000000080008081, 0x8000000000008009,
    0x000000000000008A, 0x0000000000000088, 0x0000000080008009, 0x000000008000000A,
    0x000000008000808B, 0x800000000000008B, 0x8000000000008089, 0x8000000000008003,
    0x8000000000008002, 0x8000000000000080, 0x000000000000800A, 0x800000008000000A,
    0x8000000080008081, 0x8000000000008080, 0x0000000080000001, 0x8000000080008008,
)
_ROTATIONS: Final = (1, 3, 6, 10, 15, 21, 28, 36, 45, 55, 2, 14, 27, 41, 56, 8, 25, 43, 62, 18, 39, 61, 20, 44)
_PI_LANES: Final = (10, 7, 11, 17, 18, 3, 5, 16, 8, 21, 24, 4, 15, 23, 19, 13, 12, 2, 20, 14, 22, 9, 6, 1)
_RATE_BYTES: Final = 136  # 1600-bit state minus 2 x 256-bit capacity


def _rotl64(lane: int, shift: int) -> int:
    return ((lane << shift) | (lane >> (64 - shift))) & _MASK64


def _keccak_f1600(state: list[int]) -> None:
    """The Keccak-f[1600] permutation on 25 little-endian 64-bit lanes, in place."""
    for round_constant in _ROUND_CONSTANTS:
        # theta
        parity = [state[x] ^ state[x + 5] ^ state[x + 10] ^ state[x + 15] ^ state[x + 20] for x in range(5)]
        for x in range(5):
            d = parity[(x + 4) % 5] ^ _rotl64(parity[(x + 1) % 5], 1)
            for y in range(0, 25, 5):
                state[y + x] ^= d
        # rho and pi
        carried = state[1]
        for lane, shift in zip(_PI_LANES, _ROTATIONS, strict=True):
            carried, state[lane] = state[lane], _rotl64(carried, shift)
        # chi
        for y in range(0, 25, 5):
            row = state[y:y + 5]
            for x in range(5):
                state[y + x] = row[x] ^ (~row[(x + 1) % 5] & _MASK64 & row[(x + 2) % 5])
        # iota
        state[0] ^= round_constant


def keccak256(data: bytes) -> bytes:
    """Keccak-256 as used by Ethereum (original Keccak padding, not NIST SHA3-256)."""
    padded = bytearray(data)
    padded.append(0x01)
    padded.extend(b"\x00" * (-len(padded) % _RATE_BYTES))
    padded[-1] |= 0x80
    state = [0] * 25
    for start in range(0, len(padded), _RATE_BYTES):
        block = padded[start:start + _RATE_BYTES]
        for i in range(_RATE_BYTES // 8):
            state[i] ^= int.from_bytes(block[8 * i:8 * i + 8], "little")
        _keccak_f1600(state)
    return b"".join(lane.to_bytes(8, "little") for lane in state[:4])


def selector(signature: str) -> bytes:
    """First 4 bytes of keccak-256 of a canonical signature, e.g. ``"owner()"``."""
    return keccak256(signature.encode())[:4]


# --------------------------------------------------------------------------- types

_TYPE_RE: Final = re.compile(r"^(?P<base>[a-z]+\d*)(?P<dims>(\[\d+\])*)$")


@dataclass(frozen=True)
class AbiType:
    """A parsed static ABI type: ``base`` plus fixed array lengths, innermost first.

    ``uint256[2][3]`` is three ``uint256[2]``: ``dims == (2, 3)``; its Python
    value is a length-3 sequence of length-2 sequences.
    """

    base: str
    dims: tuple[int, ...] = ()

    @classmethod
    def parse(cls, text: str) -> AbiType:
        match = _TYPE_RE.match(text)
        if match is None or text.endswith("[]") or match["base"] in ("bytes", "string", "tuple"):
            raise AbiError(f"ABI type {text!r} is not supported (only static elementary types and fixed arrays)")
        dims = tuple(int(d) for d in re.findall(r"\[(\d+)\]", match["dims"]))
        base = match["base"]
        if base in ("uint", "int"):
            base += "256"
        parsed = cls(base, dims)
        parsed._check_base()
        return parsed

    def _check_base(self) -> None:
        base = self.base
        if base in ("address", "bool"):
            return
        for prefix, lo, hi, step in (("uint", 8, 256, 8), ("int", 8, 256, 8), ("bytes", 1, 32, 1)):
            if base.startswith(prefix) and base[len(prefix):].isdigit():
                size = int(base[len(prefix):])
                if lo <= size <= hi and size % step == 0:
                    return
        raise AbiError(f"unknown ABI elementary type {base!r}")

    @property
    def words(self) -> int:
        """Number of 32-byte words the encoded value occupies."""
        count = 1
        for d in self.dims:
            count *= d
        return count

    def __str__(self) -> str:
        return self.base + "".join(f"[{d}]" for d in self.dims)


def _encode_elementary(base: str, value: AbiValue) -> bytes:
    if base == "bool":
        if not isinstance(value, bool):
            raise AbiError(f"bool expects True/False, got {value!r}")
        return int(value).to_bytes(WORD, "big")
    if base == "address":
        if not (isinstance(value, str) and re.fullmatch(r"0x[0-9a-fA-F]{40}", value)):
            raise AbiError(f"address expects a 0x-prefixed 20-byte hex string, got {value!r}")
        return int(value, 16).to_bytes(WORD, "big")
    if base.startswith("bytes"):
        size = int(base[5:])
        if not (isinstance(value, bytes) and len(value) == size):
            raise AbiError(f"{base} expects exactly {size} bytes, got {value!r}")
        return value.ljust(WORD, b"\x00")
    if isinstance(value, bool) or not isinstance(value, int):
        raise AbiError(f"{base} expects an int, got {value!r}")
    bits = int(base[4:]) if base.startswith("uint") else int(base[3:])
    if base.startswith("uint"):
        if not 0 <= value < 1 << bits:
            raise AbiError(f"{base} value {value} is outside [0, 2^{bits})")
        return value.to_bytes(WORD, "big")
    if not -(1 << (bits - 1)) <= value < 1 << (bits - 1):
        raise AbiError(f"{base} value {value} is outside [-2^{bits - 1}, 2^{bits - 1})")
    return (value % (1 << 256)).to_bytes(WORD, "big")


def _encode_value(abi_type: AbiType, value: AbiValue) -> bytes:
    if not abi_type.dims:
        return _encode_elementary(abi_type.base, value)
    length = abi_type.dims[-1]
    if isinstance(value, str | bytes) or not isinstance(value, Sequence) or len(value) != length:
        raise AbiError(f"{abi_type} expects a sequence of {length} elements, got {value!r}")
    inner = AbiType(abi_type.base, abi_type.dims[:-1])
    return b"".join(_encode_value(inner, item) for item in value)


def encode(types: Sequence[str], values: Sequence[AbiValue]) -> bytes:
    """ABI-encode ``values`` (static types only) as a head with no tail."""
    if len(types) != len(values):
        raise AbiError(f"{len(types)} ABI types but {len(values)} values")
    return b"".join(_encode_value(AbiType.parse(t), v) for t, v in zip(types, values, strict=True))


def _decode_elementary(base: str, word: bytes) -> AbiValue:
    number = int.from_bytes(word, "big")
    if base == "bool":
        if number > 1:
            raise AbiError(f"bool word is {number}, expected 0 or 1")
        return number == 1
    if base == "address":
        if number >> 160:
            raise AbiError(f"address word has non-zero high bytes: 0x{word.hex()}")
        return "0x" + word[12:].hex()
    if base.startswith("bytes"):
        return word[:int(base[5:])]
    if base.startswith("uint"):
        bits = int(base[4:])
        if number >> bits:
            raise AbiError(f"{base} word 0x{word.hex()} has bits above {bits}")
        return number
    bits = int(base[3:])
    signed = number - (1 << 256) if number >> 255 else number
    if not -(1 << (bits - 1)) <= signed < 1 << (bits - 1):
        raise AbiError(f"{base} word 0x{word.hex()} is not a sign-extended {bits}-bit value")
    return signed


def _decode_value(abi_type: AbiType, data: bytes, offset: int) -> AbiValue:
    if not abi_type.dims:
        return _decode_elementary(abi_type.base, data[offset:offset + WORD])
    inner = AbiType(abi_type.base, abi_type.dims[:-1])
    return [_decode_value(inner, data, offset + i * inner.words * WORD) for i in range(abi_type.dims[-1])]


def decode(types: Sequence[str], data: bytes) -> tuple[AbiValue, ...]:
    """Decode static ABI ``data`` into Python values, one per type."""
    parsed = [AbiType.parse(t) for t in types]
    needed = sum(t.words for t in parsed) * WORD
    if len(data) < needed:
        raise AbiError(f"ABI data is {len(data)} bytes, types {list(types)} need {needed}")
    values: list[AbiValue] = []
    offset = 0
    for abi_type in parsed:
        values.append(_decode_value(abi_type, data, offset))
        offset += abi_type.words * WORD
    return tuple(values)


def decode_error_string(data: bytes) -> str:
    """Decode the argument of the standard ``Error(string)`` revert (without the selector)."""
    if len(data) < 2 * WORD:
        raise AbiError("Error(string) payload is shorter than its head")
    offset = int.from_bytes(data[:WORD], "big")
    length = int.from_bytes(data[offset:offset + WORD], "big")
    return data[offset + WORD:offset + WORD + length].decode("utf-8", errors="replace")


# --------------------------------------------------------------------------- contract ABI

@dataclass(frozen=True)
class AbiEntry:
    """One function, event or error of a contract ABI, with its canonical signature."""

    kind: str
    name: str
    input_names: tuple[str, ...]
    input_types: tuple[str, ...]
    output_types: tuple[str, ...]
    indexed: tuple[bool, ...]

    @property
    def signature(self) -> str:
        return f"{self.name}({','.join(self.input_types)})"

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
        inputs = item.get("inputs", [])
        outputs = item.get("outputs", [])
        for param in [*inputs, *outputs]:
            if str(param["type"]).startswith("tuple"):
                raise AbiError(f"{item.get('name')}: tuple ABI parameters are not supported")
        return cls(
            kind=str(item["type"]),
            name=str(item.get("name", "")),
            input_names=tuple(str(p.get("name", "")) for p in inputs),
            input_types=tuple(str(p["type"]) for p in inputs),
            output_types=tuple(str(p["type"]) for p in outputs),
            indexed=tuple(bool(p.get("indexed", False)) for p in inputs),
        )


class ContractAbi:
    """Lookup of a contract's functions by name, errors by selector, events by topic."""

    def __init__(self, abi: AbiJson) -> None:
        self.json = abi
        entries = [AbiEntry.from_json(item) for item in abi if item.get("type") in ("function", "event", "error",
                                                                                  "constructor")]
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
        """Calldata: selector of ``name`` followed by its ABI-encoded ``args``."""
        entry = self.function(name)
        return entry.selector + encode(entry.input_types, args)

    def encode_constructor(self, args: Sequence[AbiValue]) -> bytes:
        """ABI-encoded constructor arguments (appended to the creation bytecode)."""
        types = self.constructor.input_types if self.constructor else ()
        return encode(types, args)
