"""The hashed encodings the circuit checks, from plain integers: instrument leaf, risk-table hash,
params root, account commitment, and the packed ``margins`` signal.

Twin of ``circuits/account.circom``; the tests check both give the same values.

* instrument leaf = ``hash_list([1, group, kind, mark, charge, delta, vega, risk[0..S-1]])``
* table hash = ``hash_list([2, (price_k, haircut_k, asset_group_k, asset_risk_k[0..S-1]) for k < K,
  (tier_threshold[g][t], tier_rate[g][t]) for g < G, t < MAX_TIERS, intergroup_credit_bp])``
* ``params_root = poseidon([3, instruments_root, table_hash, im_bp, mm_bp, epoch])``, where
  ``instruments_root`` is the root of a quaternary Poseidon tree over the leaves (empty leaves 0)
* ``account_commitment = hash_list([4, N, K, (leaf_index_p, qty_p) for p < N, balance_k for k < K, salt])``
  with the used slots first, sorted by leaf index, and unused slots ``(0, 0)``.

Every value enters a hash in the field encoding (``x mod r``, so a negative ``x`` as ``r + x``); the
circuit range-checks every hashed value it computes with against the number contract.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from typing import Final

from zkmargin.constants import to_field
from zkmargin.statement.poseidon import hash_list, poseidon

DOMAIN_INSTRUMENT: Final = 1
DOMAIN_TABLE: Final = 2
DOMAIN_PARAMS: Final = 3
DOMAIN_ACCOUNT: Final = 4
MARGIN_PACK_BITS: Final = 128
SALT_BITS: Final = 248


def instrument_leaf(group: int, kind: int, mark: int, charge: int, delta: int, vega: int,
                    risk: Sequence[int]) -> int:
    """Hash of one instrument leaf (every input in the field encoding).

    ``kind`` is the instrument kind code (0 spot, 1 perpetual or future, 2 call, 3 put); ``mark``, ``charge``
    and ``risk[S]`` are micro-units per lot, ``delta`` micro-units of the underlying per lot, ``vega``
    micro-units per vol point per lot (hashed only: the circuit never computes with it).
    """
    return hash_list([DOMAIN_INSTRUMENT, *(to_field(int(v)) for v in (group, kind, mark, charge, delta, vega)),
                      *(to_field(int(v)) for v in risk)])


def table_hash(prices: Sequence[int], haircuts_bp: Sequence[int], asset_groups: Sequence[int],
               asset_risk: Sequence[Sequence[int]], tier_threshold: Sequence[Sequence[int]],
               tier_rate: Sequence[Sequence[int]], credit_bp: int) -> int:
    """Hash of the risk table beside the instrument tree, already padded to the circuit's K, G and S.

    Per asset ``k < K``: price (micro-units per whole unit), haircut (bp), group (``G`` for none) and its
    risk row ``asset_risk[k][S]`` (signed micro-units per whole unit); per group ``g < G`` and tier
    ``t < MAX_TIERS``: threshold (1e-8 units of the underlying) and rate (micro-units per whole unit); then
    the inter-underlying credit (bp).
    """
    body: list[int] = []
    for price, haircut, group, row in zip(prices, haircuts_bp, asset_groups, asset_risk, strict=True):
        body += [int(price), int(haircut), int(group), *(int(v) for v in row)]
    for thresholds, rates in zip(tier_threshold, tier_rate, strict=True):
        for threshold, rate in zip(thresholds, rates, strict=True):
            body += [int(threshold), int(rate)]
    return hash_list([DOMAIN_TABLE, *(to_field(v) for v in body), to_field(int(credit_bp))])


def params_root(instruments_root: int, table: int, im_bp: int, mm_bp: int, epoch: int) -> int:
    """``poseidon([3, instruments_root, table_hash, im_bp, mm_bp, epoch])``."""
    return poseidon([DOMAIN_PARAMS, instruments_root, table, im_bp, mm_bp, epoch])


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
