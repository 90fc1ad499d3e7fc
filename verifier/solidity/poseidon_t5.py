"""Generate ``PoseidonT5.sol``: circomlib's ``Poseidon(4)`` in Solidity, from the Python constants.

``VenueRegistry`` hashes an account's Merkle path with it: a node of the venue's quaternary account tree is
``Poseidon(4)`` of its four children (:func:`zkmargin.statement.merkle4.hash_children`), so the registry
checks that a leaf lies under a registered ``accounts_root`` without trusting anyone's hash.

The generator is :mod:`zkmargin.verifier.solidity.poseidon_contract` (the plain HADES permutation, 8 full
and 60 partial rounds here, with circomlib's *original* constants,
:func:`zkmargin.statement.poseidon.reference_constants` ``(5)``, 340 words); the tests compare it with
:func:`zkmargin.statement.merkle4.hash_children`.

The ``.sol`` file is a build product: :func:`write_poseidon_t5` writes it into the build directory; it is
never committed or edited by hand.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

from zkmargin.verifier.solidity.poseidon_contract import PoseidonContract, poseidon_source, write_poseidon

#: Inputs of the hash: the four children of a node of the quaternary tree.
N_INPUTS: Final = 4
CONTRACT: Final = PoseidonContract(N_INPUTS, "poseidon_t5.py", (
    "The plain HADES permutation with the original constants, generated like PoseidonT7; it",
    "equals circomlib's optimised template (zkmargin.statement.merkle4.hash_children).",
))
CONTRACT_NAME: Final = CONTRACT.name
SOURCE_NAME: Final = CONTRACT.source_name
WIDTH: Final = CONTRACT.width


def poseidon_t5_source() -> str:
    """The Solidity source of ``PoseidonT5`` (one contract, ``hash(uint256[4]) -> uint256``)."""
    return poseidon_source(CONTRACT)


def write_poseidon_t5(directory: Path) -> Path:
    """Write ``PoseidonT5.sol`` into ``directory`` (created if missing) and return its path."""
    return write_poseidon(CONTRACT, directory)
