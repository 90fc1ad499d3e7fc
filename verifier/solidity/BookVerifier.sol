// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// @title BookVerifier
/// @notice Checks a large book proven as chunk proofs combined by one book proof.
///         A chunk proof has the public signals `[params_root, chunk_link]`; the book proof has
///         `[params_root, account_commitment, margin_commitment, disclosure, chunk_link_0, ...,
///         chunk_link_{M-1}]`.  A book is valid when the book proof verifies and, for every used
///         slot `i` (link != 0), a chunk proof verifies with `[params_root of the book, chunk_link_i]`,
///         in slot order, with no chunk proof for an unused slot (link 0).
/// @dev Design decisions:
///      * The two verifiers are the Groth16 verifiers snarkjs generates (`Groth16Verifier`, built by
///        `verifier/solidity_build.py`, never committed or hand-edited): the chunk verifier's
///        `verifyProof(uint[2], uint[2][2], uint[2], uint[2])` and the book verifier's
///        `verifyProof(uint[2], uint[2][2], uint[2], uint[4 + M])`.  The last parameter of the book
///        verifier is a static array whose length depends on M, so no interface can name it: the
///        contract computes its selector once, in the constructor, and encodes the call itself.
///      * A chunk proof is always checked with the book's own `params_root` and the book's link of
///        its slot, never with signals the caller supplies: a chunk proven under another root, or
///        for another slot, fails.
///      * Slots are used first: a nonzero link after a zero one is rejected before any proof is
///        checked, as is a number of chunk proofs other than the number of used slots.  A book with
///        no used slot needs no chunk proof (whether such a book means anything is the book
///        circuit's to decide).
///      * A bad book is never a revert: `checkBook` returns a `Verdict` (and the slot it concerns)
///        and `verifyBook` returns false.  The verifiers are called with STATICCALL; a call that
///        fails or returns anything but the 32-byte word 1 counts as a rejection.  Only calldata
///        that does not ABI-decode (malformed offsets or lengths) reverts, in the decoder.  A call
///        left too little gas fails too, so a caller who sends too little gas is told false (never
///        true): estimate gas with a valid book.
///      * Public signals >= r are rejected by the generated verifiers (`checkField`), so a link or
///        root `s + r` cannot pass as `s`.
///      * The constructor probes both verifiers with public signal 0 = r, which a snarkjs verifier
///        rejects at once: each must answer with a 32-byte false.  A book verifier of another
///        signal count has no function of the computed selector and fails the probe, so a wrong M
///        reverts the deployment instead of rejecting every book afterwards.
///      * Immutable: new circuits mean new verifiers and a new BookVerifier.
///      * Gas: one pairing check per used slot plus one for the book, about 210k gas each (three chunks
///        and the book: about 871k gas as a transaction with 7 book signals).
contract BookVerifier {
    /// @notice BN254 scalar field order r; every public signal is < r.
    uint256 internal constant SNARK_SCALAR_FIELD =
        21888242871839275222246405745257275088548364400416034343698204186575808495617;
    /// @notice Public signals of the book proof before its links: params_root, account_commitment,
    ///         margin_commitment, disclosure.
    uint256 public constant STATEMENT_SIGNALS = 4;
    /// @notice Selector of the generated chunk verifier's `verifyProof` (two public signals).
    bytes4 public constant CHUNK_VERIFY_SELECTOR =
        bytes4(keccak256("verifyProof(uint256[2],uint256[2][2],uint256[2],uint256[2])"));

    /// @notice A Groth16 proof in the EVM argument order of the generated verifiers.
    /// @param a Point A (G1: x, y).
    /// @param b Point B (G2: [[x.c1, x.c0], [y.c1, y.c0]]: the Fq2 halves swapped relative to snarkjs's JSON).
    /// @param c Point C (G1: x, y).
    struct Proof {
        uint256[2] a;
        uint256[2][2] b;
        uint256[2] c;
    }

    /// @notice Outcome of `checkBook`; every value but `Valid` is a rejection.
    /// @dev `WrongSignalCount`: the book's signals are not 4 + M.  `LinksNotUsedFirst`: a nonzero link
    ///      follows a zero one.  `ChunkCountMismatch`: the number of chunk proofs is not the number of
    ///      used slots (a chunk proof is missing, or one is given for an unused slot).
    ///      `ChunkProofInvalid`: a used slot's chunk proof does not verify with
    ///      `[params_root, chunk_link]` of the book.  `BookProofInvalid`: the book proof does not verify.
    enum Verdict {
        Valid,
        WrongSignalCount,
        LinksNotUsedFirst,
        ChunkCountMismatch,
        ChunkProofInvalid,
        BookProofInvalid
    }

    /// @notice The generated Groth16 verifier of the chunk circuit (public signals `[params_root, chunk_link]`).
    address public immutable chunkVerifier;
    /// @notice The generated Groth16 verifier of the book circuit (4 + M public signals).
    address public immutable bookProofVerifier;
    /// @notice M: chunk slots of the book circuit (the book proof's links).
    uint256 public immutable chunkSlots;
    /// @notice Selector of the book verifier's `verifyProof(uint256[2],uint256[2][2],uint256[2],uint256[4 + M])`.
    bytes4 public immutable bookVerifySelector;

    /// @notice A verifier address has no code (a typo'd or undeployed verifier).
    error VerifierHasNoCode(address verifier);
    /// @notice M must be at least 1: a book circuit has at least one chunk slot.
    error ZeroChunkSlots();
    /// @notice The verifier did not answer the probe call `selector` with a 32-byte false (not a
    ///         snarkjs verifier, or one of another number of public signals).
    error VerifierProbeFailed(address verifier, bytes4 selector);

    /// @param chunkVerifier_ The generated Groth16 verifier of the chunk circuit.
    /// @param bookProofVerifier_ The generated Groth16 verifier of the book circuit.
    /// @param chunkSlots_ M, the book circuit's chunk slots; the book verifier takes 4 + M public signals.
    constructor(address chunkVerifier_, address bookProofVerifier_, uint256 chunkSlots_) {
        if (chunkVerifier_.code.length == 0) revert VerifierHasNoCode(chunkVerifier_);
        if (bookProofVerifier_.code.length == 0) revert VerifierHasNoCode(bookProofVerifier_);
        if (chunkSlots_ == 0) revert ZeroChunkSlots();
        uint256 bookSignals = STATEMENT_SIGNALS + chunkSlots_;
        bytes4 bookSelector = bytes4(keccak256(abi.encodePacked(
            "verifyProof(uint256[2],uint256[2][2],uint256[2],uint256[", _decimal(bookSignals), "])"
        )));
        _probe(chunkVerifier_, CHUNK_VERIFY_SELECTOR, 2);
        _probe(bookProofVerifier_, bookSelector, bookSignals);
        chunkVerifier = chunkVerifier_;
        bookProofVerifier = bookProofVerifier_;
        chunkSlots = chunkSlots_;
        bookVerifySelector = bookSelector;
    }

    /// @notice Whether a book is valid (see `checkBook` for the rule and the reason of a rejection).
    /// @param bookProof The book proof.
    /// @param bookSignals The book proof's public signals: `[params_root, account_commitment,
    ///        margin_commitment, disclosure, chunk_link_0, ..., chunk_link_{M-1}]`.
    /// @param chunkProofs One chunk proof per used slot, in slot order.
    /// @return valid True iff `checkBook` returns `Verdict.Valid`.
    function verifyBook(Proof calldata bookProof, uint256[] calldata bookSignals, Proof[] calldata chunkProofs)
        external
        view
        returns (bool valid)
    {
        (Verdict verdict,) = checkBook(bookProof, bookSignals, chunkProofs);
        return verdict == Verdict.Valid;
    }

    /// @notice Check a book and say why it is rejected.  Never reverts for a bad proof or a bad shape.
    /// @dev Checks, in order: `bookSignals.length == 4 + M`; links used first; one chunk proof per used
    ///      slot; each chunk proof against `[bookSignals[0], chunk_link_i]`; the book proof against
    ///      `bookSignals`.  The shape checks come first, so a malformed book costs no pairing.
    /// @param bookProof The book proof.
    /// @param bookSignals The book proof's public signals (4 + M of them, see `verifyBook`).
    /// @param chunkProofs One chunk proof per used slot, in slot order.
    /// @return verdict `Verdict.Valid`, or the first rule the book breaks.
    /// @return slot For `LinksNotUsedFirst` the slot of the nonzero link that follows a zero one; for
    ///         `ChunkCountMismatch` the number of used slots (the number of chunk proofs expected); for
    ///         `ChunkProofInvalid` the slot whose chunk proof fails; otherwise 0.
    function checkBook(Proof calldata bookProof, uint256[] calldata bookSignals, Proof[] calldata chunkProofs)
        public
        view
        returns (Verdict verdict, uint256 slot)
    {
        uint256 slots = chunkSlots;
        if (bookSignals.length != STATEMENT_SIGNALS + slots) return (Verdict.WrongSignalCount, 0);
        uint256 used = 0;
        for (uint256 i = 0; i < slots; ++i) {
            if (bookSignals[STATEMENT_SIGNALS + i] == 0) continue;
            if (used != i) return (Verdict.LinksNotUsedFirst, i);
            used = i + 1;
        }
        if (chunkProofs.length != used) return (Verdict.ChunkCountMismatch, used);
        uint256 paramsRoot = bookSignals[0];
        for (uint256 i = 0; i < used; ++i) {
            if (!_chunkVerifies(chunkProofs[i], paramsRoot, bookSignals[STATEMENT_SIGNALS + i])) {
                return (Verdict.ChunkProofInvalid, i);
            }
        }
        if (!_bookVerifies(bookProof, bookSignals)) return (Verdict.BookProofInvalid, 0);
        return (Verdict.Valid, 0);
    }

    /// @notice Book proof public signals this contract expects: 4 + M.
    function bookSignalCount() external view returns (uint256) {
        return STATEMENT_SIGNALS + chunkSlots;
    }

    /// @dev Whether the chunk verifier accepts `proof` with the public signals `[paramsRoot, link]`.
    function _chunkVerifies(Proof calldata proof, uint256 paramsRoot, uint256 link) internal view returns (bool) {
        return _verifies(
            chunkVerifier,
            abi.encodeWithSelector(CHUNK_VERIFY_SELECTOR, proof.a, proof.b, proof.c, [paramsRoot, link])
        );
    }

    /// @dev Whether the book verifier accepts `proof` with the public signals `bookSignals` (4 + M of them).
    ///      Its last parameter is the static `uint256[4 + M]`: the words follow the proof in place, with
    ///      no offset or length, which is what packing the dynamic array after the proof gives.
    function _bookVerifies(Proof calldata proof, uint256[] calldata bookSignals) internal view returns (bool) {
        return _verifies(
            bookProofVerifier,
            abi.encodePacked(abi.encodeWithSelector(bookVerifySelector, proof.a, proof.b, proof.c), bookSignals)
        );
    }

    /// @dev STATICCALL `verifier` with `callData`; true iff the call succeeds and returns exactly the word 1.
    function _verifies(address verifier, bytes memory callData) internal view returns (bool) {
        (bool success, bytes memory answer) = verifier.staticcall(callData);
        return success && answer.length == 32 && abi.decode(answer, (uint256)) == 1;
    }

    /// @dev Call `selector` on `verifier` with a zero proof and `signals` public signals, the first = r:
    ///      a snarkjs verifier's `checkField` returns false for it before any pairing.  Reverts with
    ///      `VerifierProbeFailed` unless the answer is exactly a 32-byte false.
    function _probe(address verifier, bytes4 selector, uint256 signals) internal view {
        uint256[] memory probeSignals = new uint256[](signals);
        probeSignals[0] = SNARK_SCALAR_FIELD;
        bytes memory callData = abi.encodePacked(selector, new uint256[](8), probeSignals);
        (bool success, bytes memory answer) = verifier.staticcall(callData);
        if (!success || answer.length != 32 || abi.decode(answer, (uint256)) != 0) {
            revert VerifierProbeFailed(verifier, selector);
        }
    }

    /// @dev Decimal digits of `value` (for the book verifier's signature).
    function _decimal(uint256 value) internal pure returns (string memory) {
        uint256 digits = 1;
        for (uint256 rest = value / 10; rest != 0; rest /= 10) ++digits;
        bytes memory text = new bytes(digits);
        for (uint256 i = digits; i > 0; --i) {
            text[i - 1] = bytes1(uint8(48 + value % 10));
            value /= 10;
        }
        return string(text);
    }
}
