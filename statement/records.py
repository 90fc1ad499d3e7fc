"""The files a proof travels in: the proof bundle and the book bundle (publishable) and the salt record
(private).

Both are frozen pydantic models with a ``format`` tag and a ``version`` that readers check, and extra or
missing fields are rejected.  The bundle's ``proof`` and ``publicSignals`` are snarkjs's own
``proof.json`` and ``public.json``.  Nothing a verifier decides rests on the bundle's ``circuit`` or
``statement`` prose: those only let it explain a mismatch (another size, another key).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Final, Literal, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError

from zkmargin.constants import FIELD_ORDER, MULT_BITS
from zkmargin.statement.commitments import params_root

BUNDLE_FORMAT: Final = "zkmargin-proof-bundle"
BOOK_FORMAT: Final = "zkmargin-book-bundle"
SALT_FORMAT: Final = "zkmargin-account-salt"
RECORD_VERSION: Final = 3

Decimal = Annotated[str, Field(pattern=r"^[0-9]{1,78}$", description="a non-negative integer in decimal")]


def _below_r(value: str) -> str:
    if int(value) >= FIELD_ORDER:
        raise ValueError("must be a BN254 field element (below r)")
    return value


#: A field element in decimal: ``0 <= x < r``.
FieldElement = Annotated[Decimal, AfterValidator(_below_r)]


class RecordError(ValueError):
    """A bundle or salt file that cannot be read, or is not of the expected format and version."""


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)


class Groth16ProofJson(_Frozen):
    """snarkjs's ``proof.json``: projective coordinates as decimal strings."""

    pi_a: Annotated[list[Decimal], Field(min_length=3, max_length=3)]
    pi_b: Annotated[list[Annotated[list[Decimal], Field(min_length=2, max_length=2)]],
                    Field(min_length=3, max_length=3)]
    pi_c: Annotated[list[Decimal], Field(min_length=3, max_length=3)]
    protocol: Literal["groth16"]
    curve: Literal["bn128"]


class CircuitRecord(_Frozen):
    """Which circuit and key the prover used (for explaining mismatches; never trusted)."""

    size: str
    vkey_id: str
    constraints: int


class ParamsRecord(_Frozen):
    """The parts ``params_root`` hashes: public, from the venue's published leaf table.

    With them anyone (a contract included) recomputes the root, and so the epoch it commits to.
    """

    instruments_root: FieldElement
    table_hash: FieldElement
    im_bp: Annotated[int, Field(ge=1, lt=2**MULT_BITS)]
    mm_bp: Annotated[int, Field(ge=1, lt=2**MULT_BITS)]
    epoch: Annotated[int, Field(ge=0, lt=2**64)]

    def params_root(self) -> int:
        """``poseidon([3, instruments_root, table_hash, im_bp, mm_bp, epoch])``."""
        return params_root(int(self.instruments_root), int(self.table_hash), self.im_bp, self.mm_bp,
                           self.epoch)


class StatementRecord(_Frozen):
    """The statement in words and decimal strings, as the prover wrote it (the public signals decide)."""

    params_root: FieldElement
    params: ParamsRecord
    account_commitment: FieldElement
    margin_commitment: FieldElement
    discloses: str
    epoch: int
    market_timestamp: str
    scenarios: str
    text: str


class BundleRecord(_Frozen):
    """One account proof as ``zkmargin prove`` writes it."""

    format: Literal["zkmargin-proof-bundle"] = BUNDLE_FORMAT
    version: Literal[3] = RECORD_VERSION
    circuit: CircuitRecord
    statement: StatementRecord
    proof: Groth16ProofJson
    public_signals: Annotated[list[FieldElement], Field(alias="publicSignals")]

    def to_json(self) -> str:
        """The bundle as indented JSON with snarkjs's field names."""
        return self.model_dump_json(by_alias=True, indent=2) + "\n"

    def snarkjs_proof(self) -> dict[str, Any]:
        """``proof.json`` as snarkjs reads it."""
        return self.proof.model_dump()


class SaltRecord(_Frozen):
    """The private opening of an account commitment (with the positions, which the owner keeps) and of the
    margin commitment: ``initial_margin`` and ``maintenance_margin`` are decimal quote currency."""

    format: Literal["zkmargin-account-salt"] = SALT_FORMAT
    version: Literal[3] = RECORD_VERSION
    account: str
    salt: FieldElement
    account_commitment: FieldElement
    margin_commitment: FieldElement
    initial_margin: str
    maintenance_margin: str
    circuit_size: str
    note: str = ("Keep this file private: with the positions it opens the account commitment, and it opens the "
                 "margin commitment.")

    def to_json(self) -> str:
        return self.model_dump_json(indent=2) + "\n"


class ProofRecord(_Frozen):
    """One snarkjs proof and its public signals (``proof.json`` and ``public.json``)."""

    proof: Groth16ProofJson
    public_signals: Annotated[list[FieldElement], Field(alias="publicSignals")]

    def snarkjs_proof(self) -> dict[str, Any]:
        """``proof.json`` as snarkjs reads it."""
        return self.proof.model_dump()


class BookCircuitRecord(_Frozen):
    """Which book size and keys the prover used (for explaining mismatches; never trusted)."""

    size: str
    chunk_vkey_id: str
    book_vkey_id: str
    chunk_constraints: int
    book_constraints: int


class BookBundleRecord(_Frozen):
    """A book proven in chunks, as ``zkmargin prove`` writes it for a book size.

    ``book`` is the combining proof: its first four public signals are an account statement
    (:class:`zkmargin.statement.signals.Statement`), the rest the chunk links, used slots first.  ``chunks``
    holds one chunk proof per used link, in slot order, each with public signals ``[params_root, link]``.
    """

    format: Literal["zkmargin-book-bundle"] = BOOK_FORMAT
    version: Literal[3] = RECORD_VERSION
    circuit: BookCircuitRecord
    statement: StatementRecord
    book: ProofRecord
    chunks: list[ProofRecord]

    def to_json(self) -> str:
        """The bundle as indented JSON with snarkjs's field names."""
        return self.model_dump_json(by_alias=True, indent=2) + "\n"


def read_json_document(path: Path, what: str) -> Any:
    """Parse the JSON file at ``path``; :class:`RecordError` with a one-line reason for a missing, unreadable,
    folder, empty, binary or malformed file (``what`` names the expected document in the message)."""
    if path.is_dir():
        raise RecordError(f"{path}: is a folder, not a {what} file")
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise RecordError(f"{path}: no such file") from exc
    except PermissionError as exc:
        raise RecordError(f"{path}: cannot read: permission denied") from exc
    except UnicodeDecodeError as exc:
        raise RecordError(f"{path}: not a {what} file (binary content, not UTF-8 JSON)") from exc
    except OSError as exc:
        raise RecordError(f"{path}: cannot read: {exc.strerror}") from exc
    if not text.strip():
        raise RecordError(f"{path}: empty file, expected a {what}")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise RecordError(f"{path}: not a {what} file: malformed JSON at line {exc.lineno}: {exc.msg}") from exc


def json_kind(value: Any) -> str:
    """The JSON name of a parsed value's type: object, array, string, number, boolean or null."""
    kinds = {dict: "object", list: "array", str: "string", bool: "boolean", int: "number", float: "number"}
    return "null" if value is None else kinds.get(type(value), type(value).__name__)


def validation_message(exc: ValidationError) -> str:
    """The first problem of a pydantic error on one line: ``field 'a.b': message (+N more)``."""
    errors = exc.errors()
    first = errors[0]
    where = ".".join(str(p) for p in first["loc"]) or "(top level)"
    kind = first["type"]
    if kind == "missing":
        text = f"missing field '{where}'"
    elif kind == "extra_forbidden":
        text = f"unexpected field '{where}'"
    else:
        text = f"field '{where}': {str(first['msg']).removeprefix('Value error, ')}"
    return text + (f" (+{len(errors) - 1} more)" if len(errors) > 1 else "")


def _check_tag(path: Path, data: Any, fmt: str, what: str, version: int) -> None:
    if not isinstance(data, dict):
        raise RecordError(f"{path}: not a {what}: expected a JSON object, got a JSON {json_kind(data)}")
    if data.get("format") != fmt:
        found = data.get("format")
        raise RecordError(f"{path}: not a {what} (format {found!r}, expected {fmt!r})" if found is not None
                          else f"{path}: not a {what} (no 'format' field)")
    if data.get("version") != version:
        raise RecordError(f"{path}: {what} version {data.get('version')!r} is not supported (this zkmargin reads "
                          f"version {version}); prove again with this version")


_Record = TypeVar("_Record", bound=BaseModel)


def tagged_record(path: Path, data: Any, model: type[_Record], fmt: str, what: str,
                  version: int = RECORD_VERSION) -> _Record:
    """Validate the parsed JSON ``data`` read from ``path`` as a ``model`` tagged ``format: fmt`` of ``version``;
    :class:`RecordError` with a one-line reason (``what`` names the document) for an untagged, mistagged, other
    version or invalid document."""
    _check_tag(path, data, fmt, what, version)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise RecordError(f"{path}: bad {what}: {validation_message(exc)}") from exc


def bundle_from_document(path: Path, data: Any) -> BundleRecord:
    """Validate the parsed JSON ``data`` read from ``path`` as a proof bundle; :class:`RecordError` otherwise."""
    return tagged_record(path, data, BundleRecord, BUNDLE_FORMAT, "proof bundle")


def book_from_document(path: Path, data: Any) -> BookBundleRecord:
    """Validate the parsed JSON ``data`` read from ``path`` as a book bundle; :class:`RecordError` otherwise."""
    return tagged_record(path, data, BookBundleRecord, BOOK_FORMAT, "book bundle")


def is_book_document(data: Any) -> bool:
    """True when parsed JSON ``data`` is an object tagged as a book bundle."""
    return isinstance(data, dict) and data.get("format") == BOOK_FORMAT


def read_bundle(path: Path) -> BundleRecord:
    """Read and validate a proof bundle; :class:`RecordError` with a one-line reason otherwise."""
    return bundle_from_document(path, read_json_document(path, "proof bundle"))


def read_salt(path: Path) -> SaltRecord:
    """Read and validate a salt record; :class:`RecordError` with a one-line reason otherwise."""
    return tagged_record(path, read_json_document(path, "salt record"), SaltRecord, SALT_FORMAT, "salt record")


def vkey_id(vkey_json: Mapping[str, Any]) -> str:
    """Identifier of a verification key: the first 16 hex digits of the sha256 of its canonical JSON."""
    canonical = json.dumps(vkey_json, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def is_salt_document(data: Any) -> bool:
    """True when parsed JSON ``data`` is an object tagged as a salt record (to warn when one sits among proofs)."""
    return isinstance(data, dict) and data.get("format") == SALT_FORMAT


def write_private(path: Path, text: str) -> None:
    """Write ``text`` to a new or existing file that is mode 0600 from its first byte."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
