"""iden3's binary formats (``.r1cs`` and ``.wtns``) and circom's ``.sym`` signal table.

``r1cs`` and ``wtns`` are little-endian, version 1 and 2: a 4-byte magic, a ``u32`` version, a ``u32``
section count, then sections of ``u32`` type, ``u64`` size and payload.  ``.sym`` is one CSV line per
signal: ``label, witness index, component, name`` (index -1: removed by the optimiser).
"""

from __future__ import annotations

import functools
import os
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from zkmargin.toolchain.tools import ToolError


class ArtifactError(ToolError):
    """A compiled artifact (``.r1cs``, ``.wtns``, ``.sym``) is missing or malformed."""


@dataclass(frozen=True)
class R1csHeader:
    """Header of an ``.r1cs`` file: field prime and the wire / constraint counts."""

    prime: int
    n_wires: int
    n_public_outputs: int
    n_public_inputs: int
    n_private_inputs: int
    n_labels: int
    n_constraints: int


def _read_exact(fh: BinaryIO, n: int, path: Path) -> bytes:
    data = fh.read(n)
    if len(data) != n:
        raise ArtifactError(f"{path} is truncated")
    return data


def _sections(fh: BinaryIO, path: Path, magic: bytes) -> dict[int, tuple[int, int]]:
    """Map section type -> (offset, size) of an iden3 binary file, checking the magic."""
    head = _read_exact(fh, 12, path)
    if head[:4] != magic:
        raise ArtifactError(f"{path} is not a {magic.decode()} file (magic {head[:4]!r})")
    (n_sections,) = struct.unpack_from("<I", head, 8)
    sections: dict[int, tuple[int, int]] = {}
    for _ in range(n_sections):
        stype, size = struct.unpack("<IQ", _read_exact(fh, 12, path))
        sections.setdefault(stype, (fh.tell(), size))
        fh.seek(size, os.SEEK_CUR)
    return sections


def read_r1cs_header(path: Path) -> R1csHeader:
    """Parse the header section of an ``.r1cs`` file (reads only the header bytes)."""
    with path.open("rb") as fh:
        sections = _sections(fh, path, b"r1cs")
        if 1 not in sections:
            raise ArtifactError(f"{path} has no header section")
        fh.seek(sections[1][0])
        (n8,) = struct.unpack("<I", _read_exact(fh, 4, path))
        prime = int.from_bytes(_read_exact(fh, n8, path), "little")
        n_wires, n_out, n_pub_in, n_prv_in, n_labels, n_constraints = struct.unpack(
            "<IIIIQI", _read_exact(fh, 28, path))
    return R1csHeader(prime, n_wires, n_out, n_pub_in, n_prv_in, n_labels, n_constraints)


LinearCombination = dict[int, int]
Constraint = tuple[LinearCombination, LinearCombination, LinearCombination]


def read_r1cs_constraints(path: Path) -> list[Constraint]:
    """Parse all constraints ``A * B = C`` of an ``.r1cs`` file as ``{wire: coefficient}`` maps."""
    header = read_r1cs_header(path)
    with path.open("rb") as fh:
        sections = _sections(fh, path, b"r1cs")
        if 2 not in sections:
            raise ArtifactError(f"{path} has no constraints section")
        offset, size = sections[2]
        fh.seek(offset)
        data = _read_exact(fh, size, path)
    n8 = (header.prime.bit_length() + 63) // 64 * 8
    pos = 0

    def read_lc() -> LinearCombination:
        nonlocal pos
        (n_terms,) = struct.unpack_from("<I", data, pos)
        pos += 4
        lc: LinearCombination = {}
        for _ in range(n_terms):
            (wire,) = struct.unpack_from("<I", data, pos)
            lc[wire] = int.from_bytes(data[pos + 4:pos + 4 + n8], "little")
            pos += 4 + n8
        return lc

    constraints: list[Constraint] = []
    for _ in range(header.n_constraints):
        a = read_lc()
        b = read_lc()
        c = read_lc()
        constraints.append((a, b, c))
    return constraints


def read_wtns(path: Path) -> tuple[int, list[int]]:
    """Parse a binary ``.wtns`` file; return ``(prime, witness values)``."""
    with path.open("rb") as fh:
        sections = _sections(fh, path, b"wtns")
        if 1 not in sections or 2 not in sections:
            raise ArtifactError(f"{path} lacks the header or the witness section")
        fh.seek(sections[1][0])
        (n8,) = struct.unpack("<I", _read_exact(fh, 4, path))
        prime = int.from_bytes(_read_exact(fh, n8, path), "little")
        (n_witness,) = struct.unpack("<I", _read_exact(fh, 4, path))
        offset, size = sections[2]
        if size != n_witness * n8:
            raise ArtifactError(f"{path}: witness section holds {size} bytes, expected {n_witness} x {n8}")
        fh.seek(offset)
        data = _read_exact(fh, size, path)
    values = [int.from_bytes(data[i:i + n8], "little") for i in range(0, size, n8)]
    return prime, values


@functools.cache
def read_symbols(sym: Path) -> dict[str, int]:
    """``{signal name: witness index}`` from a ``.sym`` file (index -1: removed by the optimiser)."""
    table: dict[str, int] = {}
    for line in sym.read_text().splitlines():
        if not line:
            continue
        parts = line.split(",", 3)
        if len(parts) != 4:
            raise ArtifactError(f"{sym}: malformed line {line!r}")
        table[parts[3]] = int(parts[1])
    return table
