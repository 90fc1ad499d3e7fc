"""The hashed encodings the circuit checks, from plain integers: instrument leaf, collateral hash,
params root, account commitment, and the packed ``margins`` signal.

Twin of ``circuits/account.circom``; the tests check both give the same values.

* instrument leaf = ``hash_list([1, group, mark, charge, delta, vega, risk[0..S-1]])``
* collateral hash = ``hash_list([2, price_0, haircut_0, ..., price_{K-1}, haircut_{K-1}])``
* ``params_root = poseidon([3, instruments_root, collateral_hash, im_bp, mm_bp, epoch])``, where
  ``instruments_root`` is the root of a quaternary Poseidon tree over the leaves (empty leaves 0)
* ``account_commitment = hash_list([4, N, K, (leaf_index_p, qty_p) for p < N, balance_k for k < K, salt])``
  with the used slots first, sorted by leaf index, and unused slots ``(0, 0)``.

Signed values enter hashes in the field encoding (``x mod r``).
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from typing import Final

from zkmargin.constants import to_field
from zkmargin.statement.poseidon import hash_list, poseidon

DOMAIN_INSTRUMENT: Final = 1
DOMAIN_COLLATERAL: Final = 2
DOMAIN_PARAMS: Final = 3
DOMAIN_ACCOUNT: Final = 4
MARGIN_PACK_BITS: Final = 128
SALT_BITS: Final = 248


def instrument_leaf(group: int, mark: int, charge: int, delta: int, vega: int, risk: Sequence[int]) -> int:
    """Hash of one instrument leaf (signed inputs in the field encoding)."""
    return hash_list([DOMAIN_INSTRUMENT, group, to_field(mark), charge, to_field(delta), to_field(vega),
                      *(to_field(int(v)) for v in risk)])


def collateral_hash(prices: Sequence[int], haircuts_bp: Sequence[int]) -> int:
    """Hash of the collateral table: ``hash_list([2, price_0, haircut_0, ...])``."""
    return hash_list([DOMAIN_COLLATERAL, *(v for pair in zip(prices, haircuts_bp, strict=True) for v in pair)])


def params_root(instruments_root: int, collateral: int, im_bp: int, mm_bp: int, epoch: int) -> int:
    """``poseidon([3, instruments_root, collateral_hash, im_bp, mm_bp, epoch])``."""
    return poseidon([DOMAIN_PARAMS, instruments_root, collateral, im_bp, mm_bp, epoch])


def account_commitment(leaf_index: Sequence[int], qty: Sequence[int], balances: Sequence[int], salt: int) -> int:
    """The hiding commitment to an account's slots and balances, already padded to the circuit's N and K.

    ``leaf_index[N]`` and signed ``qty[N]`` (lots) are the slot layout, ``balances[K]`` in 1e-8 asset units.
    """
    body = [v for pair in zip(leaf_index, qty, strict=True) for v in (pair[0], to_field(pair[1]))]
    return hash_list([DOMAIN_ACCOUNT, len(leaf_index), len(balances), *body, *balances, salt])


def new_salt() -> int:
    """A uniformly random 248-bit salt (below the field order)."""
    return secrets.randbits(SALT_BITS)


def pack_margins(initial_margin: int, maintenance_margin: int) -> int:
    """The public ``margins`` signal: ``IM * 2^128 + MM`` (both in micro-units, each below 2^128)."""
    for name, v in (("initial_margin", initial_margin), ("maintenance_margin", maintenance_margin)):
        if not 0 <= v < 1 << MARGIN_PACK_BITS:
            raise ValueError(f"{name} does not fit {MARGIN_PACK_BITS} bits")
    return (initial_margin << MARGIN_PACK_BITS) | maintenance_margin


def unpack_margins(margins: int) -> tuple[int, int]:
    """Inverse of :func:`pack_margins`: ``(IM, MM)`` in micro-units."""
    return margins >> MARGIN_PACK_BITS, margins & ((1 << MARGIN_PACK_BITS) - 1)
