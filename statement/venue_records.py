"""The JSON files of a venue's solvency statement (pydantic models, validated on read).

Published (``zkmargin venue prove --out DIR``):

* ``statement.json`` (:class:`VenueStatementRecord`): the roots, the account count, the totals, the opening of the
  last totals commitment, and one entry per batch file with its sha256;
* ``batches/batch-NNNNN.json`` (:class:`VenueBatchRecord`): the batch proof and the account proofs of its accounts.

Private (``--private DIR``): the plan with every salt (:class:`VenuePlanRecord`), finished batches kept for a
resumed run, and one inclusion receipt per account (:class:`InclusionReceiptRecord`) for its owner alone.

Money is in micro-units of quote currency, as decimal strings.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field

from zkmargin.statement.records import (
    FieldElement,
    ParamsRecord,
    ProofRecord,
    _Frozen,
    read_json_document,
    tagged_record,
)

VENUE_VERSION: Literal[1] = 1
STATEMENT_FORMAT: Literal["zkmargin-venue-statement"] = "zkmargin-venue-statement"
BATCH_FORMAT: Literal["zkmargin-venue-batch"] = "zkmargin-venue-batch"
RECEIPT_FORMAT: Literal["zkmargin-venue-receipt"] = "zkmargin-venue-receipt"
PLAN_FORMAT: Literal["zkmargin-venue-plan"] = "zkmargin-venue-plan"
ACCOUNTS_FORMAT: Literal["zkmargin-venue-accounts"] = "zkmargin-venue-accounts"

Money = Annotated[str, Field(pattern=r"^-?[0-9]+$")]
Count = Annotated[int, Field(ge=0)]


class TotalsRecord(_Frozen):
    """A venue's totals (micro-units): the sums over its accounts, equity floored at zero per account."""

    initial_margin: Money
    maintenance_margin: Money
    collateral: Money
    equity: Money
    insolvent: Count
    shortfall: Money


class BatchEntry(_Frozen):
    """A batch file of the published folder and its sha256."""

    index: Count
    file: str
    sha256: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]


class VenueStatementRecord(_Frozen):
    """What a venue publishes for one epoch."""

    format: Literal["zkmargin-venue-statement"] = STATEMENT_FORMAT
    version: Literal[1] = VENUE_VERSION
    venue: str
    epoch: int
    params_root: FieldElement
    params: ParamsRecord
    accounts_root: FieldElement
    accounts: Annotated[int, Field(ge=1)]
    batch_size: Annotated[int, Field(ge=1)]
    totals: TotalsRecord
    last_account_id: Annotated[int, Field(ge=1)]
    final_salt: FieldElement
    batches: list[BatchEntry]


class AccountProofRecord(_Frozen):
    """One account's proof in a batch file: its index in the account tree, its venue size and its proof (public
    signals ``[params_root, leaf]``, then a book's M chunk links); for a book size, ``chunks`` holds the proof of
    each used chunk (public signals ``[params_root, chunk_link]``), in chunk order."""

    index: Count
    size: str
    proof: ProofRecord
    chunks: list[ProofRecord] = Field(default_factory=list)


class VenueBatchRecord(_Frozen):
    """One batch: its proof (public signals ``[batch_root, first_index, count, chain_before, chain_after]``) and
    its accounts' proofs in index order."""

    format: Literal["zkmargin-venue-batch"] = BATCH_FORMAT
    version: Literal[1] = VENUE_VERSION
    index: Count
    batch: ProofRecord
    accounts: list[AccountProofRecord]


class PositionOpening(_Frozen):
    """A position slot of the committed account: instrument leaf index and signed lots."""

    leaf_index: Count
    qty: int


class AssetOpening(_Frozen):
    """A collateral slot of the committed account: asset id and balance (1e-8 units)."""

    asset_id: Count
    balance: Count


class InclusionReceiptRecord(_Frozen):
    """What an account's owner receives: the opening of its leaf, the Merkle path and the batch that proves it."""

    format: Literal["zkmargin-venue-receipt"] = RECEIPT_FORMAT
    version: Literal[1] = VENUE_VERSION
    venue: str
    epoch: int
    account: str
    account_id: Annotated[int, Field(ge=1)]
    index: Count
    batch: Count
    size: str
    positions: list[PositionOpening]
    assets: list[AssetOpening]
    salt: FieldElement
    account_commitment: FieldElement
    initial_margin: Money
    maintenance_margin: Money
    collateral: Money
    equity: Money
    leaf: FieldElement
    siblings: list[Annotated[list[FieldElement], Field(min_length=3, max_length=3)]]
    accounts_root: FieldElement


class PlanAccount(_Frozen):
    """One account of a venue run's plan."""

    account_id: Annotated[int, Field(ge=1)]
    name: str
    size: str
    salt: FieldElement


class VenuePlanRecord(_Frozen):
    """The private plan of a venue run: the inputs' digest, every account's id, size and salt, and the salt of
    each batch's totals commitment; a resumed run reuses it."""

    format: Literal["zkmargin-venue-plan"] = PLAN_FORMAT
    version: Literal[1] = VENUE_VERSION
    digest: str
    accounts: list[PlanAccount]
    batch_salts: list[FieldElement]


class VenueAccountEntry(_Frozen):
    """One account of a venue accounts file: its venue id and its portfolio (as ``zkmargin margin`` reads it)."""

    id: Annotated[int, Field(ge=1, lt=1 << 64)]
    portfolio: dict[str, Any]


class VenueAccountsRecord(_Frozen):
    """A venue's accounts in one file (``scripts/make_venue.py`` writes one)."""

    format: Literal["zkmargin-venue-accounts"] = ACCOUNTS_FORMAT
    version: Literal[1] = VENUE_VERSION
    venue: str = "venue"
    accounts: list[VenueAccountEntry]


_MODELS: dict[str, tuple[type[_Frozen], str]] = {
    STATEMENT_FORMAT: (VenueStatementRecord, "venue statement"),
    BATCH_FORMAT: (VenueBatchRecord, "venue batch file"),
    RECEIPT_FORMAT: (InclusionReceiptRecord, "inclusion receipt"),
    PLAN_FORMAT: (VenuePlanRecord, "venue plan"),
    ACCOUNTS_FORMAT: (VenueAccountsRecord, "venue accounts file"),
}


def read_venue_document(path: Path, fmt: str) -> Any:
    """Read ``path`` as the venue document of format ``fmt``; :class:`RecordError` with a one-line reason for a
    missing, malformed or mistagged file."""
    model, what = _MODELS[fmt]
    return tagged_record(path, read_json_document(path, what), model, fmt, what, VENUE_VERSION)


def to_json(record: _Frozen) -> str:
    """A record as indented JSON with snarkjs's field names."""
    return record.model_dump_json(by_alias=True, indent=2) + "\n"
