"""Generate ``PoseidonT7.sol``: circomlib's ``Poseidon(6)`` in Solidity, from the Python constants.

``MarginRegistry`` hashes ``params_root = Poseidon(3, instruments_root, table_hash, im_bp, mm_bp, epoch)``
on chain with it, so a root can only be registered under the epoch it commits to.

The generator is :mod:`zkmargin.verifier.solidity.poseidon_contract` (the plain HADES permutation, 8 full
and 63 partial rounds here, with circomlib's *original* constants,
:func:`zkmargin.statement.poseidon.reference_constants` ``(7)``); it gives the same output as circomlib's
optimised template (the tests compare it with :func:`zkmargin.statement.commitments.params_root`).  The
optimised form would cost about a third of the gas, but its sparse-matrix constants (1,036 words, ~33 kB) do
not fit the 24,576-byte code limit of EIP-170; the original constants (546 words) do.

The ``.sol`` file is a build product: :func:`write_poseidon_t7` writes it into the build directory; it is
never committed or edited by hand.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

from zkmargin.verifier.solidity.poseidon_contract import PoseidonContract, poseidon_source, write_poseidon

#: Inputs of the hash (``params_root`` has six parts); the state width is one more.
N_INPUTS: Final = 6
CONTRACT: Final = PoseidonContract(N_INPUTS, "poseidon_t7.py", (
    "The plain HADES permutation with the original constants; it equals circomlib's optimised",
    "template, whose constants would not fit the EIP-170 code size limit.",
))
CONTRACT_NAME: Final = CONTRACT.name
SOURCE_NAME: Final = CONTRACT.source_name
WIDTH: Final = CONTRACT.width


def poseidon_t7_source() -> str:
    """The Solidity source of ``PoseidonT7`` (one contract, ``hash(uint256[6]) -> uint256``)."""
    return poseidon_source(CONTRACT)


def write_poseidon_t7(directory: Path) -> Path:
    """Write ``PoseidonT7.sol`` into ``directory`` (created if missing) and return its path."""
    return write_poseidon(CONTRACT, directory)
