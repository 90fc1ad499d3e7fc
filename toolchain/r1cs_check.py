"""A pure-Python R1CS checker, independent of the witness calculator: shows that a tampered witness is
rejected by the constraint system itself."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from pathlib import Path

from zkmargin.toolchain.compile import CompiledCircuit
from zkmargin.toolchain.iden3 import Constraint, LinearCombination, read_r1cs_constraints


def unsatisfied_constraints(circuit: CompiledCircuit, witness: Sequence[int]) -> list[int]:
    """Indices of the R1CS constraints ``<A,w> * <B,w> = <C,w>`` that ``witness`` violates.

    A pure-Python check, independent of the witness calculator: use it to
    show that a tampered witness is rejected by the constraint system itself.
    """
    if len(witness) != circuit.n_wires:
        raise ValueError(f"witness has {len(witness)} values, the circuit {circuit.n_wires} wires")
    p = circuit.prime

    def dot(lc: LinearCombination) -> int:
        return sum(coeff * witness[wire] for wire, coeff in lc.items()) % p

    return [i for i, (a, b, c) in enumerate(_constraints(circuit.r1cs)) if dot(a) * dot(b) % p != dot(c)]


@functools.cache
def _constraints(r1cs: Path) -> list[Constraint]:
    return read_r1cs_constraints(r1cs)
