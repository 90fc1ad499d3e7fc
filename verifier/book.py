"""Verify a book bundle in Python: the combining proof, one chunk proof per used link, and the links between them.

A book proven in chunks is valid when

* the book proof verifies under the book key; its public signals are an account statement
  ``[params_root, account_commitment, margin_commitment, disclosure]`` followed by M chunk links, used slots
  first (a used link is nonzero: it is a Poseidon hash; an unused slot's link is 0);
* there is exactly one chunk proof per used link, in slot order, with public signals ``[params_root, link]``
  (the book proof's own root), and each verifies under the chunk key.

The chunk proofs are checked together (:func:`zkmargin.verifier.groth16.verify_batch`).  Everything is decided
from the proofs, the keys and the public signals; the bundle's prose is not read.
"""

from __future__ import annotations

from dataclasses import dataclass

from zkmargin.statement.records import BookBundleRecord
from zkmargin.statement.signals import N_PUBLIC, Statement, StatementError
from zkmargin.verifier.groth16 import VerifyingKeyInput, as_verifying_key, verify, verify_batch
from zkmargin.verifier.groth16_errors import VerificationInputError


@dataclass(frozen=True)
class BookVerdict:
    """The verdict on a book bundle: ``reason`` says in words why it is invalid (``None`` when valid);
    ``statement`` is the decoded account statement when the book proof's signals decode to one."""

    valid: bool
    reason: str | None
    statement: Statement | None
    chunks: int


def book_links(book_signals: list[int]) -> list[int]:
    """The chunk links of a book proof's public signals (after the four statement signals)."""
    return book_signals[N_PUBLIC:]


def verify_book(chunk_key: VerifyingKeyInput, book_key: VerifyingKeyInput, bundle: BookBundleRecord) -> BookVerdict:
    """Check ``bundle`` against the chunk and book verification keys (see the module docstring).

    Raises
    ------
    zkmargin.verifier.groth16_errors.MalformedKeyError
        A key that is not a well-formed groth16/bn128 verification key.
    """
    chunk_vk, book_vk = as_verifying_key(chunk_key), as_verifying_key(book_key)
    signals = [int(s) for s in bundle.book.public_signals]
    n_chunks = len(bundle.chunks)
    if len(signals) != len(book_vk.ic) - 1:
        return BookVerdict(False, f"the book key takes {len(book_vk.ic) - 1} public signals, the book proof has "
                                  f"{len(signals)}", None, n_chunks)
    try:
        statement = Statement.from_public_signals(signals[:N_PUBLIC])
    except StatementError as exc:
        return BookVerdict(False, f"the book proof's statement does not decode: {exc}", None, n_chunks)

    links = book_links(signals)
    used = [link for link in links if link != 0]
    if links[:len(used)] != used:
        return BookVerdict(False, "the book's chunk links are not used slots first", statement, n_chunks)
    if n_chunks != len(used):
        return BookVerdict(False, f"the book proof links {len(used)} chunks, the bundle holds {n_chunks} chunk "
                                  "proofs", statement, n_chunks)
    for index, (chunk, link) in enumerate(zip(bundle.chunks, used, strict=True)):
        if [int(s) for s in chunk.public_signals] != [statement.params_root, link]:
            return BookVerdict(False, f"chunk {index} is not the one the book proof links in slot {index} (its "
                                      "public signals are not [params_root, link])", statement, n_chunks)
    try:
        book_ok = verify(book_vk, bundle.book.snarkjs_proof(), signals)
    except VerificationInputError as exc:
        return BookVerdict(False, f"malformed book proof: {exc}", statement, n_chunks)
    if not book_ok:
        return BookVerdict(False, "the book proof does not verify under the book key (pairing check failed)",
                           statement, n_chunks)
    results = verify_batch(chunk_vk, [(c.snarkjs_proof(), [int(s) for s in c.public_signals])
                                      for c in bundle.chunks])
    bad = [i for i, result in enumerate(results) if not result.ok]
    if bad:
        return BookVerdict(False, f"chunk {'proofs' if len(bad) > 1 else 'proof'} {', '.join(map(str, bad))} "
                                  "do not verify under the chunk key (pairing check failed)", statement, n_chunks)
    return BookVerdict(True, None, statement, n_chunks)
