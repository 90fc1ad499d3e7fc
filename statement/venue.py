"""A venue's solvency statement: account leaves, the account tree, batches and the totals chain.

Twin of ``circuits/venue.circom``; the tests check both give the same values.

* ``leaf = hash_list([11, account_id, account_commitment, IM, MM, collateral, equity])`` (equity field-encoded);
* the account tree is a quaternary Poseidon tree of :data:`ACCOUNT_TREE_LEVELS` levels over the leaves, indices
  ``0 .. A-1`` in account-id order and 0 beyond;
* batch ``b`` covers indices ``[b * B, b * B + count_b)`` with ``B = 4^VENUE_BATCH_LEVELS``: the subtree of its
  node at height ``VENUE_BATCH_LEVELS``, so the account root is the tree of the batch roots;
* ``chain = hash_list([12, accounts, last_id, sum IM, sum MM, sum collateral, sum max(equity, 0), insolvent,
  shortfall, salt])``: the running totals after a prefix of the batches; the empty venue's is
  :func:`genesis_chain` (all zero, salt 0).

Money is in micro-units of quote currency.  An account is insolvent when its equity is below its MM; its shortfall
is ``MM - equity``.  A negative equity adds 0 to the equity total, so it never offsets another account's claim.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Final

from zkmargin.constants import BOOK_CIRCUIT_PREFIX, FIELD_ORDER, VENUE_CIRCUIT_PREFIX, to_field
from zkmargin.statement.merkle4 import ARITY, QuadMerkleTree, hash_children, zero_roots
from zkmargin.statement.poseidon import hash_list
from zkmargin.statement.sizes import BOOK_SIZES, SIZES, BookSize

DOMAIN_VENUE_LEAF: Final = 11
DOMAIN_VENUE_TOTALS: Final = 12
#: Levels of a batch's subtree: B = 4^2 = 16 accounts per batch (circuits/main/venue_batch.circom).
VENUE_BATCH_LEVELS: Final = 2
BATCH_SIZE: Final = ARITY**VENUE_BATCH_LEVELS
#: Levels of the account tree: 4^10 = 1,048,576 accounts at most.
ACCOUNT_TREE_LEVELS: Final = 10
MAX_ACCOUNTS: Final = ARITY**ACCOUNT_TREE_LEVELS
#: Account ids lie in [1, 2^64); the batch circuit range-checks the figures to these widths.
ACCOUNT_ID_BITS: Final = 64
LEAF_IM_BITS: Final = 96
LEAF_MM_BITS: Final = 128
LEAF_COLLATERAL_BITS: Final = 96
LEAF_EQUITY_BITS: Final = 97
#: The public signals of the two venue circuits, in order.
VENUE_ACCOUNT_SIGNALS: Final = ("params_root", "leaf")
VENUE_BATCH_SIGNALS: Final = ("batch_root", "first_index", "count", "chain_before", "chain_after")
#: A venue size that proves an account as a book in chunks is ``book_<name>``, ``name`` a BOOK_SIZES key: named as
#: the book size's combine circuit.
BOOK_PREFIX: Final = BOOK_CIRCUIT_PREFIX
#: The batch circuit's name (``circuits/main/venue_batch.circom``).
BATCH_CIRCUIT: Final = "venue_batch"


def book_size_of(size: str) -> BookSize | None:
    """The book size of venue size ``size`` (``book_mini``, ``book_large``), or ``None`` for an account size or an
    unknown name."""
    return BOOK_SIZES.get(size.removeprefix(BOOK_PREFIX)) if size.startswith(BOOK_PREFIX) else None


def is_venue_size(size: str) -> bool:
    """Whether ``size`` names a venue size: an account size (``small``, ...) or a book size (``book_large``, ...)."""
    return size in SIZES or book_size_of(size) is not None


def account_circuit(size: str) -> str:
    """The circuit that proves an account of venue size ``size``: ``venue_<size>`` (``circuits/main/``)."""
    return f"{VENUE_CIRCUIT_PREFIX}{size}"


def chunk_circuit(size: str) -> str | None:
    """The chunk circuit of book size ``size`` (``chunk_<name>``), or ``None`` for an account size."""
    book = book_size_of(size)
    return None if book is None else book.chunk_circuit


def account_signal_count(size: str) -> int:
    """How many public signals the proof of an account of venue size ``size`` has: ``[params_root, leaf]``, and a
    book's M chunk links after them."""
    book = book_size_of(size)
    return len(VENUE_ACCOUNT_SIGNALS) + (0 if book is None else book.chunks)


class VenueError(ValueError):
    """A venue, a statement or a receipt that breaks the statement's rules; the message names what."""


@dataclass(frozen=True)
class LeafFigures:
    """What an account's leaf binds: its id, account commitment and margin figures (micro-units)."""

    account_id: int
    account_commitment: int
    initial_margin: int
    maintenance_margin: int
    collateral: int
    equity: int

    def check(self) -> LeafFigures:
        """``self`` if every figure lies in the range the batch circuit accepts; :class:`VenueError` otherwise."""
        bounds = (("account id", self.account_id, 1, 1 << ACCOUNT_ID_BITS),
                  ("IM", self.initial_margin, 0, 1 << LEAF_IM_BITS),
                  ("MM", self.maintenance_margin, 0, 1 << LEAF_MM_BITS),
                  ("collateral", self.collateral, 0, 1 << LEAF_COLLATERAL_BITS),
                  ("equity", self.equity, -(1 << (LEAF_EQUITY_BITS - 1)), 1 << (LEAF_EQUITY_BITS - 1)))
        for name, value, low, high in bounds:
            if not low <= value < high:
                raise VenueError(f"account {self.account_id}: {name} {value} outside [{low}, {high})")
        return self

    @property
    def insolvent(self) -> bool:
        """Equity below MM."""
        return self.equity < self.maintenance_margin

    @property
    def shortfall(self) -> int:
        """``MM - equity`` when insolvent, else 0."""
        return self.maintenance_margin - self.equity if self.insolvent else 0

    def leaf(self) -> int:
        """The account's leaf."""
        return venue_leaf(self)


def venue_leaf(figures: LeafFigures) -> int:
    """``hash_list([11, account_id, account_commitment, IM, MM, collateral, equity])``."""
    return hash_list([DOMAIN_VENUE_LEAF, figures.account_id, figures.account_commitment, figures.initial_margin,
                      figures.maintenance_margin, figures.collateral, to_field(figures.equity)])


@dataclass(frozen=True)
class Totals:
    """A venue's running totals after a prefix of its accounts (micro-units; counts of accounts)."""

    accounts: int = 0
    last_id: int = 0
    initial_margin: int = 0
    maintenance_margin: int = 0
    collateral: int = 0
    equity: int = 0
    insolvent: int = 0
    shortfall: int = 0

    def values(self) -> list[int]:
        """The eight values in the commitment's order."""
        return [self.accounts, self.last_id, self.initial_margin, self.maintenance_margin, self.collateral,
                self.equity, self.insolvent, self.shortfall]

    def add(self, figures: LeafFigures) -> Totals:
        """The totals with one more account, the next in id order."""
        if figures.account_id <= self.last_id:
            raise VenueError(f"account id {figures.account_id} does not follow {self.last_id}: ids must increase")
        return Totals(self.accounts + 1, figures.account_id, self.initial_margin + figures.initial_margin,
                      self.maintenance_margin + figures.maintenance_margin, self.collateral + figures.collateral,
                      self.equity + max(figures.equity, 0), self.insolvent + int(figures.insolvent),
                      self.shortfall + figures.shortfall)

    def commitment(self, salt: int) -> int:
        """``hash_list([12, accounts, last_id, ..., shortfall, salt])``, each value field-encoded (a batch's honest
        totals are never negative; the circuit range-checks them)."""
        return hash_list([DOMAIN_VENUE_TOTALS, *(v % FIELD_ORDER for v in self.values()), salt])


def genesis_chain() -> int:
    """The totals commitment of the empty venue (every total 0, salt 0): the first batch's ``chain_before``."""
    return Totals().commitment(0)


@dataclass(frozen=True)
class BatchSignals:
    """The public signals of one batch proof."""

    batch_root: int
    first_index: int
    count: int
    chain_before: int
    chain_after: int

    def values(self) -> list[int]:
        return [self.batch_root, self.first_index, self.count, self.chain_before, self.chain_after]

    @classmethod
    def from_values(cls, values: Sequence[int]) -> BatchSignals:
        if len(values) != len(VENUE_BATCH_SIGNALS):
            raise VenueError(f"a batch proof has {len(VENUE_BATCH_SIGNALS)} public signals, got {len(values)}")
        return cls(*values)


@dataclass(frozen=True)
class BatchPlan:
    """One batch: its index, its accounts' figures in id order and the salts of its two commitments."""

    index: int
    figures: tuple[LeafFigures, ...]
    before: Totals
    salt_before: int
    salt_after: int
    after: Totals = field(init=False)

    def __post_init__(self) -> None:
        if not 1 <= len(self.figures) <= BATCH_SIZE:
            raise VenueError(f"batch {self.index} holds {len(self.figures)} accounts; a batch holds 1 to {BATCH_SIZE}")
        totals = self.before
        for figures in self.figures:
            totals = totals.add(figures)
        object.__setattr__(self, "after", totals)

    @property
    def first_index(self) -> int:
        return self.index * BATCH_SIZE

    def leaves(self) -> list[int]:
        return [f.leaf() for f in self.figures]

    def signals(self) -> BatchSignals:
        """The batch proof's public signals."""
        return BatchSignals(batch_root(self.leaves()), self.first_index, len(self.figures),
                            self.before.commitment(self.salt_before), self.after.commitment(self.salt_after))


def batch_root(leaves: Sequence[int]) -> int:
    """The root of a batch's subtree over ``leaves`` (padded with 0 to :data:`BATCH_SIZE`)."""
    if len(leaves) > BATCH_SIZE:
        raise VenueError(f"a batch holds at most {BATCH_SIZE} leaves, got {len(leaves)}")
    return QuadMerkleTree(leaves, VENUE_BATCH_LEVELS).root


def plan_batches(figures: Sequence[LeafFigures], salts: Sequence[int]) -> list[BatchPlan]:
    """Split accounts (in id order) into consecutive batches of :data:`BATCH_SIZE`; ``salts[b]`` is the salt of the
    commitment after batch ``b`` (the genesis commitment's salt is 0)."""
    if not figures:
        raise VenueError("a venue needs at least one account")
    if len(figures) > MAX_ACCOUNTS:
        raise VenueError(f"{len(figures)} accounts exceed the account tree's {MAX_ACCOUNTS:,}")
    count = -(-len(figures) // BATCH_SIZE)
    if len(salts) != count:
        raise VenueError(f"{count} batches need {count} salts, got {len(salts)}")
    plans: list[BatchPlan] = []
    before, salt_before = Totals(), 0
    for b in range(count):
        plan = BatchPlan(b, tuple(figures[b * BATCH_SIZE:(b + 1) * BATCH_SIZE]), before, salt_before, salts[b])
        plans.append(plan)
        before, salt_before = plan.after, salts[b]
    return plans


class AccountTree:
    """The venue's account tree over its leaves (index order), with the batch roots as the nodes at height
    :data:`VENUE_BATCH_LEVELS`."""

    def __init__(self, leaves: Sequence[int]) -> None:
        self.tree: Final = QuadMerkleTree(leaves, ACCOUNT_TREE_LEVELS)

    @property
    def root(self) -> int:
        return self.tree.root

    def path(self, index: int) -> list[list[int]]:
        return self.tree.path(index)


def root_of_batches(batch_roots: Sequence[int]) -> int:
    """The account root from the batch roots, in order: the top of the tree above height VENUE_BATCH_LEVELS."""
    top_levels = ACCOUNT_TREE_LEVELS - VENUE_BATCH_LEVELS
    if len(batch_roots) > ARITY**top_levels:
        raise VenueError(f"{len(batch_roots)} batches exceed the account tree")
    layer = list(batch_roots)
    zero = zero_roots(ACCOUNT_TREE_LEVELS)
    for height in range(VENUE_BATCH_LEVELS, ACCOUNT_TREE_LEVELS):
        layer += [zero[height]] * (-len(layer) % ARITY)
        layer = [hash_children(layer[j:j + ARITY]) for j in range(0, len(layer), ARITY)]
    return layer[0] if layer else zero[ACCOUNT_TREE_LEVELS]

