"""The hashed encodings the circuits check, from plain integers: the instrument, group and collateral leaves,
the risk-table hash, the params root, the account and margin commitments, the packed margins, and a book's
positions hashes, chunk links and commitment.

Twin of ``circuits/account.circom`` and ``circuits/book.circom``; the tests check both give the same values.

* a *row* of signed values of ``bits`` bits is packed ``per`` to a field element:
  ``word_j = sum_i (v[per * j + i] + 2^(bits - 1)) * 2^(bits * i)`` (:func:`pack_signed`); the circuit
  range-checks every value as it packs it, so a word opens to one row only;
* instrument leaf = ``hash_list([1, group, kind, vega, pack_signed([mark, charge, delta, risk[0..S-1]], 41, 6)])``
* group leaf = ``hash_list([5, tier_threshold[0], tier_rate[0], tier_threshold[1], tier_rate[1]])``, at the
  group's id in the group tree
* asset leaf = ``hash_list([6, price, haircut_bp, group, pack_signed(asset_risk[0..S-1], 56, 4)])``, at the
  asset's id in the collateral tree (``group`` is ``NO_GROUP`` for an asset that is no underlying)
* table hash = ``hash_list([2, groups_root, assets_root, intergroup_credit_bp])``
* ``params_root = poseidon([3, instruments_root, table_hash, im_bp, mm_bp, epoch])``; the three trees are
  quaternary Poseidon trees over the leaves (empty leaves 0)
* ``account_commitment = hash_list([4, N, K, (leaf_index_p, qty_p) for p < N, (asset_id_k, balance_k) for k < K,
  salt])`` with the used slots first, sorted by leaf index (asset id), and unused slots ``(0, 0)``;
* ``margin_commitment = hash_list([7, IM, MM, salt])``.

A book proven in chunks (``circuits/book.circom``) has three more:

* ``positions_hash = hash_list([9, C, (leaf_index_p, qty_p) for p < C])`` of one chunk's C position slots;
* ``chunk_link = hash_list([8, chunk_index, key[0..G-1], (short_lots, calls, puts, delta, pnl[0..S-1]) per group
  slot, liabilities, option_value, position_value, positions_hash, salt])``, the public link between a chunk
  proof and the book proof (:class:`ChunkAggregates` are the sums, :func:`group_keys` the keys);
* the book's ``account_commitment = hash_list([10, M, K, positions_hash[0..M-1], (asset_id_k, balance_k) for
  k < K, salt])``, with ``positions_hash`` 0 for an unused chunk.

Every value enters a hash in the field encoding (``x mod r``, so a negative ``x`` as ``r + x``); the
circuit range-checks every hashed value it computes with against the number contract.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from zkmargin.constants import ASSET_RISK_BITS, FIELD_ORDER, RISK_BITS, to_field
from zkmargin.statement.poseidon import hash_list, poseidon
from zkmargin.statement.sizes import GROUP_BITS

DOMAIN_INSTRUMENT: Final = 1
DOMAIN_TABLE: Final = 2
DOMAIN_PARAMS: Final = 3
DOMAIN_ACCOUNT: Final = 4
DOMAIN_GROUP: Final = 5
DOMAIN_ASSET: Final = 6
DOMAIN_MARGIN: Final = 7
DOMAIN_CHUNK: Final = 8
DOMAIN_POSITIONS: Final = 9
DOMAIN_BOOK: Final = 10
#: An unused group slot's key is ``KEY_OFFSET + group_id``: no leaf's group (below 2^GROUP_BITS) matches it.
KEY_OFFSET: Final = 1 << GROUP_BITS
MARGIN_PACK_BITS: Final = 128
SALT_BITS: Final = 248
#: Values per packed word: 6 risk values of 41 bits (246 bits), 4 collateral risk values of 56 bits (224 bits).
RISK_PER_WORD: Final = 6
ASSET_RISK_PER_WORD: Final = 4


def pack_signed(values: Sequence[int], bits: int, per: int, *, checked: bool = True) -> list[int]:
    """``values`` (signed, each in ``[-2^(bits-1), 2^(bits-1))``) packed ``per`` to a word, offset by
    ``2^(bits-1)``; the last word holds the remainder.  Raises ``ValueError`` for a value out of range, unless
    ``checked`` is false (then the words are reduced mod r: how a malformed published leaf is built in tests)."""
    half = 1 << (bits - 1)
    words = [0] * (-(-len(values) // per))
    for i, v in enumerate(values):
        v = int(v)
        if checked and not -half <= v < half:
            raise ValueError(f"value {v} does not fit {bits} signed bits")
        words[i // per] += (v + half) << (bits * (i % per))
    return [w % FIELD_ORDER for w in words]


def instrument_leaf(group: int, kind: int, mark: int, charge: int, delta: int, vega: int,
                    risk: Sequence[int], *, checked: bool = True) -> int:
    """Hash of one instrument leaf.

    ``group`` is the underlying's id in the group tree, ``kind`` the instrument kind code (0 spot, 1 perpetual
    or future, 2 call, 3 put); ``mark``, ``charge`` and ``risk[S]`` are micro-units per lot, ``delta``
    micro-units of the underlying per lot (packed, so each must fit the signed 41-bit contract); ``vega`` is
    micro-units per vol point per lot (hashed only: the circuit never computes with it).  ``checked=False``
    packs out-of-contract values too (a malformed leaf, which the circuit cannot open).
    """
    words = pack_signed([mark, charge, delta, *risk], RISK_BITS, RISK_PER_WORD, checked=checked)
    return hash_list([DOMAIN_INSTRUMENT, to_field(int(group)), to_field(int(kind)), to_field(int(vega)), *words])


def group_leaf(tier_threshold: Sequence[int], tier_rate: Sequence[int]) -> int:
    """Hash of one group leaf: its size tiers (threshold in 1e-8 units of the underlying, rate in micro-units
    per whole unit), ``MAX_TIERS`` of each."""
    body = [to_field(int(v)) for pair in zip(tier_threshold, tier_rate, strict=True) for v in pair]
    return hash_list([DOMAIN_GROUP, *body])


def asset_leaf(price: int, haircut_bp: int, group: int, asset_risk: Sequence[int], *, checked: bool = True) -> int:
    """Hash of one collateral leaf: price (micro-units per whole unit), haircut (bp), the group id of its
    underlying or ``NO_GROUP``, and its risk row (signed micro-units per whole unit, packed; ``checked`` as for
    :func:`instrument_leaf`)."""
    words = pack_signed(asset_risk, ASSET_RISK_BITS, ASSET_RISK_PER_WORD, checked=checked)
    return hash_list([DOMAIN_ASSET, to_field(int(price)), to_field(int(haircut_bp)), to_field(int(group)), *words])


def table_hash(groups_root: int, assets_root: int, credit_bp: int) -> int:
    """``hash_list([2, groups_root, assets_root, credit_bp])``: the tables beside the instrument tree."""
    return hash_list([DOMAIN_TABLE, groups_root, assets_root, to_field(int(credit_bp))])


def params_root(instruments_root: int, table: int, im_bp: int, mm_bp: int, epoch: int) -> int:
    """``poseidon([3, instruments_root, table_hash, im_bp, mm_bp, epoch])``."""
    return poseidon([DOMAIN_PARAMS, instruments_root, table, im_bp, mm_bp, epoch])


def account_commitment(leaf_index: Sequence[int], qty: Sequence[int], asset_id: Sequence[int],
                       balances: Sequence[int], salt: int) -> int:
    """The hiding commitment to an account's slots, already padded to the circuit's N and K.

    ``leaf_index[N]`` and signed ``qty[N]`` (lots) are the position slots, ``asset_id[K]`` and ``balances[K]``
    (1e-8 asset units) the collateral slots.
    """
    body = [v for pair in zip(leaf_index, qty, strict=True) for v in (pair[0], to_field(pair[1]))]
    assets = [v for pair in zip(asset_id, balances, strict=True) for v in pair]
    return hash_list([DOMAIN_ACCOUNT, len(leaf_index), len(balances), *body, *assets, salt])


def margin_commitment(initial_margin: int, maintenance_margin: int, salt: int) -> int:
    """``hash_list([7, IM, MM, salt])``: the hiding commitment to an account's margins (micro-units), opened with
    the account commitment's salt."""
    return hash_list([DOMAIN_MARGIN, initial_margin, maintenance_margin, salt])


def group_keys(group_id: Sequence[int], group_used: Sequence[int]) -> list[int]:
    """The group slots' keys (``GroupKeys`` of the circuit): the id of a used slot, ``KEY_OFFSET + id`` otherwise."""
    return [int(g) if used else KEY_OFFSET + int(g) for g, used in zip(group_id, group_used, strict=True)]


def positions_hash(leaf_index: Sequence[int], qty: Sequence[int]) -> int:
    """``hash_list([9, C, (leaf_index_p, qty_p) for p < C])``: one chunk's C position slots (signed lots)."""
    body = [v for pair in zip(leaf_index, qty, strict=True) for v in (int(pair[0]), to_field(int(pair[1])))]
    return hash_list([DOMAIN_POSITIONS, len(leaf_index), *body])


@dataclass(frozen=True)
class ChunkAggregates:
    """The sums a chunk proof computes of its position rows (``PositionRows`` of ``circuits/account.circom``), as
    exact signed integers.

    Per group slot (tuples of length G, ``pnl`` of shape ``[G][S]``): ``short_lots`` (lots), ``calls`` and
    ``puts`` (the sum of ``qty * charge`` over the slot's calls or puts, micro-units: minus the net short charge),
    ``delta`` (the sum of ``qty * delta``, micro-units of the underlying), ``pnl`` (the sum of ``qty * risk[s]``,
    micro-units).  Over all rows: ``liabilities`` (short lots plus the lots of perpetuals and futures),
    ``option_value`` (``qty * mark`` over calls and puts) and ``position_value`` (``qty * mark`` over all rows),
    micro-units.
    """

    short_lots: tuple[int, ...]
    calls: tuple[int, ...]
    puts: tuple[int, ...]
    delta: tuple[int, ...]
    pnl: tuple[tuple[int, ...], ...]
    liabilities: int
    option_value: int
    position_value: int

    @classmethod
    def zero(cls, groups: int, scenarios: int) -> ChunkAggregates:
        """The sums of no positions (an unused chunk's)."""
        none = (0,) * groups
        return cls(none, none, none, none, ((0,) * scenarios,) * groups, 0, 0, 0)

    def __add__(self, other: ChunkAggregates) -> ChunkAggregates:
        """The sums of both chunks' rows together."""
        def pairwise(a: tuple[int, ...], b: tuple[int, ...]) -> tuple[int, ...]:
            return tuple(x + y for x, y in zip(a, b, strict=True))
        return ChunkAggregates(pairwise(self.short_lots, other.short_lots), pairwise(self.calls, other.calls),
                               pairwise(self.puts, other.puts), pairwise(self.delta, other.delta),
                               tuple(pairwise(a, b) for a, b in zip(self.pnl, other.pnl, strict=True)),
                               self.liabilities + other.liabilities, self.option_value + other.option_value,
                               self.position_value + other.position_value)

    def fields(self) -> list[int]:
        """The sums in the link's order, field-encoded: per group slot ``short_lots, calls, puts, delta,
        pnl[0..S-1]``, then ``liabilities, option_value, position_value``."""
        values: list[int] = []
        for g, row in enumerate(self.pnl):
            values += [self.short_lots[g], self.calls[g], self.puts[g], self.delta[g], *row]
        values += [self.liabilities, self.option_value, self.position_value]
        return [to_field(v) for v in values]


def chunk_link(chunk_index: int, keys: Sequence[int], aggregates: ChunkAggregates, positions: int, salt: int) -> int:
    """``hash_list([8, chunk_index, keys, aggregates.fields(), positions_hash, salt])``: the public link of chunk
    ``chunk_index`` of a book with group slot ``keys`` (:func:`group_keys`)."""
    return hash_list([DOMAIN_CHUNK, chunk_index, *keys, *aggregates.fields(), positions, salt])


def book_commitment(positions_hashes: Sequence[int], asset_id: Sequence[int], balances: Sequence[int],
                    salt: int) -> int:
    """The hiding commitment to a book of M chunks: ``positions_hashes[M]`` (:func:`positions_hash` of each used
    chunk, 0 for an unused one) and the K collateral slots ``asset_id[K]``, ``balances[K]`` (1e-8 asset units)."""
    assets = [v for pair in zip(asset_id, balances, strict=True) for v in pair]
    return hash_list([DOMAIN_BOOK, len(positions_hashes), len(balances), *positions_hashes, *assets, salt])


def book_commitment_of_slots(leaf_index: Sequence[int], qty: Sequence[int], asset_id: Sequence[int],
                             balances: Sequence[int], salt: int, chunk_positions: int) -> int:
    """:func:`book_commitment` of a book laid out in M * C position slots (``chunk_positions`` = C): the account's
    positions first, then ``(0, 0)`` padding, so chunk i is used exactly when it holds a position (a position's
    lots are never 0)."""
    hashes = []
    for start in range(0, len(qty), chunk_positions):
        lots = qty[start:start + chunk_positions]
        hashes.append(positions_hash(leaf_index[start:start + chunk_positions], lots) if any(lots) else 0)
    return book_commitment(hashes, asset_id, balances, salt)


def new_salt() -> int:
    """A uniformly random 248-bit salt (below the field order)."""
    return secrets.randbits(SALT_BITS)


def pack_margins(initial_margin: int, maintenance_margin: int) -> int:
    """The value of a disclosure of the margins: ``IM * 2^128 + MM`` (both in micro-units, each below 2^128)."""
    for name, v in (("initial_margin", initial_margin), ("maintenance_margin", maintenance_margin)):
        if not 0 <= v < 1 << MARGIN_PACK_BITS:
            raise ValueError(f"{name} does not fit {MARGIN_PACK_BITS} bits")
    return (initial_margin << MARGIN_PACK_BITS) | maintenance_margin


def unpack_margins(margins: int) -> tuple[int, int]:
    """Inverse of :func:`pack_margins`: ``(IM, MM)`` in micro-units."""
    return margins >> MARGIN_PACK_BITS, margins & ((1 << MARGIN_PACK_BITS) - 1)
