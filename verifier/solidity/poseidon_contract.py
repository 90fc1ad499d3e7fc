"""Generate a Solidity contract computing circomlib's ``Poseidon(n)``, from the Python constants.

One generator for every width the contracts need; each width has its own small module naming it
(``poseidon_t7.py``: ``PoseidonT7``, the params-root hash of ``MarginRegistry``; ``poseidon_t5.py``:
``PoseidonT5``, the account-tree node hash of ``VenueRegistry``).

The contract is the plain HADES permutation (8 full rounds and circomlib's partial-round count for the width,
x^5 S-box) with circomlib's *original* round constants and MDS matrix,
:func:`zkmargin.statement.poseidon.reference_constants` ``(n + 1)``; it gives the same output as circomlib's
optimised template (the tests compare each width with the Python hash it stands for).

Design of the generated code: the round constants are one ``bytes constant`` copied to memory once per call;
the state lives in ``t`` stack variables; each round's ``t x t`` matrix product is unrolled with the matrix
entries as literals.  Reductions are lazy where no word can overflow: a state word plus a round constant is
below ``2r < 2^255`` and feeds ``mulmod`` directly, and four products below ``r`` sum below ``2^256`` before
one ``addmod``.

The ``.sol`` files are build products: :func:`write_poseidon` writes one into the build directory; they are
never committed or edited by hand.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from zkmargin.constants import FIELD_ORDER
from zkmargin.statement.poseidon import N_ROUNDS_F, reference_constants

_WORD: Final = 32
#: The lazy sum of a matrix row adds at most eight products below r (two groups of four): t <= 8.
MAX_WIDTH: Final = 8


@dataclass(frozen=True)
class PoseidonContract:
    """One generated ``Poseidon(n_inputs)`` contract.

    ``generator`` is the module that names it (written into the header of the source); ``design_note`` the
    ``@dev`` lines that say why the contract has the form it has, for this width.
    """

    n_inputs: int
    generator: str
    design_note: Sequence[str]

    def __post_init__(self) -> None:
        if not 1 <= self.n_inputs < MAX_WIDTH:
            raise ValueError(f"a generated Poseidon takes 1 to {MAX_WIDTH - 1} inputs (state width <= {MAX_WIDTH}: "
                             f"the lazy matrix sum adds at most {MAX_WIDTH} terms), got {self.n_inputs}")

    @property
    def width(self) -> int:
        """State width t: one more than the inputs."""
        return self.n_inputs + 1

    @property
    def name(self) -> str:
        """Contract name, ``PoseidonT<t>``."""
        return f"PoseidonT{self.width}"

    @property
    def source_name(self) -> str:
        """File (and solc unit) name, ``PoseidonT<t>.sol``."""
        return f"{self.name}.sol"


def _hex(value: int) -> str:
    return f"0x{value:064x}"


def _sum_mod(terms: list[str]) -> str:
    """``sum(terms) mod r`` with one ``addmod``: each term is below r, and at most four are added with ``add``."""
    def add_all(parts: list[str]) -> str:
        expr = parts[0]
        for part in parts[1:]:
            expr = f"add({expr}, {part})"
        return expr

    if len(terms) > 8:
        raise ValueError("the lazy sum handles at most 8 terms below r (two groups of four)")
    return f"addmod({add_all(terms[:4])}, {add_all(terms[4:])}, q)" if len(terms) > 4 else \
        f"mod({add_all(terms)}, q)"


def poseidon_source(contract: PoseidonContract) -> str:
    """The Solidity source of ``contract`` (one contract, ``hash(uint256[n]) -> uint256``)."""
    n_inputs, name = contract.n_inputs, contract.name
    k = reference_constants(contract.width)
    t, n_rounds = contract.width, N_ROUNDS_F + k.n_rounds_p
    half = N_ROUNDS_F // 2
    if len(k.c) != t * n_rounds or len(k.m) != t:
        raise ValueError(f"unexpected Poseidon constants for t={t}: {len(k.c)} round constants, {len(k.m)} rows")
    constants_hex = "".join(f"{value:064x}" for value in k.c)
    state = [f"s{i}" for i in range(t)]

    def add_constants(indent: str) -> list[str]:
        lines = [f"{indent}{s} := add({s}, mload(add(c, {_WORD * i:#x})))" for i, s in enumerate(state)]
        return [*lines, f"{indent}c := add(c, {_WORD * t:#x})"]

    def row(i: int) -> str:
        return _sum_mod([f"mulmod({s}, {_hex(k.m[i][j])}, q)" for j, s in enumerate(state)])

    round_body = [
        *add_constants("                "),
        "                s0 := pow5(s0, q)",
        f"                if or(lt(r, {half}), gt(r, {half + k.n_rounds_p - 1})) {{",
        *[f"                    {s} := pow5({s}, q)" for s in state[1:]],
        "                }",
        "                // the matrix product goes over the round constants just consumed (memory we own)",
        *[f"                mstore(sub(c, {_WORD * (t - i):#x}), {row(i)})" for i in range(t)],
        *[f"                {s} := mload(sub(c, {_WORD * (t - i):#x}))" for i, s in enumerate(state)],
    ]
    last_round = [
        *add_constants("            "),
        *[f"            {s} := pow5({s}, q)" for s in state],
        f"            out := {row(0)}",
    ]
    inputs = [f"            let s{i + 1} := calldataload(add(inputs, {_WORD * i:#x}))" for i in range(n_inputs)]
    return "\n".join([
        "// SPDX-License-Identifier: MIT",
        f"// GENERATED by verifier/solidity/{contract.generator} from "
        f"zkmargin.statement.poseidon.reference_constants({t})",
        "// (circomlib's original Poseidon constants). A build product: never committed, never edited by hand.",
        "pragma solidity ^0.8.20;",
        "",
        f"/// @title {name}",
        f"/// @notice circomlib's `Poseidon({n_inputs})` over the BN254 scalar field: state width {t}, "
        f"{N_ROUNDS_F} full and {k.n_rounds_p} partial rounds,",
        "///         x^5 S-box.  Inputs must be field elements (< r); they are never reduced.",
        *[f"/// {'@dev' if i == 0 else '    '} {line}" for i, line in enumerate(contract.design_note)],
        f"contract {name} {{",
        f"    uint256 internal constant FIELD = {FIELD_ORDER};",
        f"    /// @dev {n_rounds} rounds x {t} round constants, 32-byte big-endian words, round-major.",
        f'    bytes internal constant ROUND_CONSTANTS = hex"{constants_hex}";',
        "",
        "    /// @notice Input `index` is `value` >= r: not a field element.",
        "    error InputNotInField(uint256 index, uint256 value);",
        "",
        f"    /// @notice `Poseidon({n_inputs})(inputs)`, exactly as circomlib computes it.",
        f"    function hash(uint256[{n_inputs}] calldata inputs) external pure returns (uint256 out) {{",
        f"        for (uint256 i = 0; i < {n_inputs}; ++i) {{",
        "            if (inputs[i] >= FIELD) revert InputNotInField(i, inputs[i]);",
        "        }",
        "        bytes memory roundConstants = ROUND_CONSTANTS;",
        '        assembly ("memory-safe") {',
        "            // x^5 mod r; x may be up to 2r (a state word plus a round constant)",
        "            function pow5(x, q) -> y {",
        "                let x2 := mulmod(x, x, q)",
        "                y := mulmod(mulmod(x2, x2, q), x, q)",
        "            }",
        "            let q := FIELD  // on the stack: the optimiser would load a repeated 32-byte literal from code",
        "            let c := add(roundConstants, 0x20)",
        "            let s0 := 0",
        *inputs,
        f"            for {{ let r := 0 }} lt(r, {n_rounds - 1}) {{ r := add(r, 1) }} {{",
        *round_body,
        "            }",
        "            // the last round is a full round whose output is only the first state word",
        *last_round,
        "        }",
        "    }",
        "}",
        "",
    ])


def write_poseidon(contract: PoseidonContract, directory: Path) -> Path:
    """Write ``contract``'s source into ``directory`` (created if missing) and return its path."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / contract.source_name
    source = poseidon_source(contract)
    if not path.exists() or path.read_text() != source:
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_text(source)
        os.replace(tmp, path)  # atomic: a concurrent build never reads half a file
    return path
