// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

// Generated at build time from the Python Poseidon constants (verifier/solidity/poseidon_t7.py).
import "./PoseidonT7.sol";

/// @notice The snarkjs-generated Groth16 verifier of the zkmargin account statement.
/// @dev The generated contract (`Groth16Verifier`, built by `verifier/solidity_build.py`,
///      never committed or hand-edited) has exactly this function; the public signals are
///      `[params_root, account_commitment, margin_commitment, disclosure]` in that order.  It
///      returns false (never reverts) for a bad proof or for any public signal >= r.
interface IAccountProofVerifier {
    function verifyProof(
        uint256[2] calldata a,
        uint256[2][2] calldata b,
        uint256[2] calldata c,
        uint256[4] calldata pubSignals
    ) external view returns (bool);
}

/// @title MarginRegistry
/// @notice On-chain record of zero-knowledge margin attestations.  A venue's owner (or its
///         oracle) publishes the parts of one Poseidon `params_root` per epoch; the registry
///         hashes them itself, so the root it records commits to the epoch it is recorded under.
///         Anyone may then submit a Groth16 proof that the account hidden behind
///         `accountCommitment` is solvent under a recently published root, with its initial and
///         maintenance margin (IM, MM) behind `marginCommitment` and what the proof discloses of
///         them in `disclosure`; the registry keeps the latest (marginCommitment, disclosure, epoch)
///         per account.
/// @dev Design decisions:
///      * The root is computed on chain: `params_root = Poseidon(3, instrumentsRoot,
///        tableHash, imBp, mmBp, epoch)` (circomlib's Poseidon(6), the circuit's hash), with
///        `PoseidonT7`, which the constructor deploys itself, so no one can substitute a hasher.
///        A root therefore can only be registered under the epoch it commits to; since epochs
///        strictly increase, no root can be published twice.  Parts must be field elements
///        (< r) and the multipliers within the number contract (1 <= bp < 2^20).
///      * Freshness is counted in EPOCHS, not seconds: a root published for epoch `e` is
///        accepted while `latestEpoch - e <= freshnessWindow`.  Epochs are whatever cadence the
///        oracle publishes at (gaps allowed); counting epochs keeps the rule independent of
///        block times and publication latency.  `freshnessWindow = 0` accepts only the latest root.
///      * Epoch jumps are bounded: after the first publication (which sets the starting epoch),
///        a publication may raise `latestEpoch` by at most `maxEpochJump`.  A mistaken or
///        compromised publisher can then neither make every root stale at once nor push the
///        epoch towards 2^64 - 1, where no later epoch would exist.
///      * Revocation: the owner may revoke a published root (`revokeParamsRoot`), e.g. one
///        published with wrong parameters.  New submissions under it are rejected.  Records
///        already made under it stay stored (history is not rewritten) but `accountRecord`
///        reports them as `revoked`; the account leaves that state by submitting a proof under a
///        later root.  Revocation does not lower `latestEpoch`: the corrected parameters are
///        published under a new epoch.
///      * Replay: a submission must carry a strictly newer epoch than the one recorded for its
///        account.  Resubmitting at the recorded epoch (the same proof, or a re-randomised copy
///        of it — Groth16 proofs are malleable, so proofs cannot be told apart by their bytes)
///        is rejected as a replay.  Because the newest epoch always wins, a third party who
///        submits an account's older proof can never block its newer one.
///      * Epoch 0 is reserved: `paramsRootEpoch(root) == 0` means "never published".
///      * The verifier is immutable: a new circuit means a new verifier and a new registry.
///      * Disclosure: `disclosure = mode * 2^248 + value`.  Mode 0 discloses nothing (value 0),
///        1 the margins (value IM * 2^128 + MM), 2 that MM <= value and 3 that equity - IM >= value
///        (value < 2^128 for 2 and 3).  The circuit proves the mode is one of these, so the registry
///        stores the signal as it is and `accountRecord` splits it.
///      * Storage: one record is three slots (the margin commitment, the disclosure and the epoch);
///        no value is truncated.  A root's epoch and revocation flag share one slot, so `submit`
///        reads both with one SLOAD.
contract MarginRegistry {
    /// @notice BN254 scalar field order r; every public signal is < r.
    uint256 internal constant SNARK_SCALAR_FIELD =
        21888242871839275222246405745257275088548364400416034343698204186575808495617;
    /// @notice Domain tag of the params root (`DOMAIN_PARAMS` in zkmargin.statement.commitments).
    uint256 internal constant DOMAIN_PARAMS = 3;
    /// @notice Margin multipliers are basis points below 2^MULT_BITS (zkmargin.constants).
    uint256 internal constant MULT_LIMIT = 1 << 20;

    /// @notice `disclosure = mode << DISCLOSURE_SHIFT | value` (see the contract notes).
    uint256 internal constant DISCLOSURE_SHIFT = 248;

    /// @notice Latest attestation of one account: hiding commitment to its margins, what the proof
    ///         disclosed, and the epoch of the params root it was proven under.
    struct MarginRecord {
        uint256 marginCommitment;
        uint256 disclosure;
        uint64 epoch;
    }

    /// @notice A published params root: its epoch (0 = never published) and whether it was revoked.
    struct ParamsRootInfo {
        uint64 epoch;
        bool revoked;
    }

    IAccountProofVerifier public immutable verifier;
    /// @notice The Poseidon(6) the registry hashes params roots with (deployed by the constructor).
    PoseidonT7 public immutable paramsHasher;
    /// @notice Largest accepted age of a params root, in epochs, relative to `latestEpoch`.
    uint64 public immutable freshnessWindow;
    /// @notice Largest increase of `latestEpoch` in one publication (after the first).
    uint64 public immutable maxEpochJump;

    address public owner;
    address public oracle;
    /// @notice Epoch of the most recently published params root (0 before the first one).
    uint64 public latestEpoch;

    mapping(uint256 paramsRoot => ParamsRootInfo info) internal _roots;
    mapping(uint64 epoch => bool revoked) internal _revokedEpochs;
    mapping(uint256 accountCommitment => MarginRecord record) internal _records;

    event OwnershipTransferred(address indexed previousOwner, address indexed newOwner);
    event OracleSet(address indexed oracle);
    event ParamsRootPublished(
        uint256 indexed paramsRoot,
        uint64 indexed epoch,
        uint256 instrumentsRoot,
        uint256 tableHash,
        uint256 imBp,
        uint256 mmBp
    );
    event ParamsRootRevoked(uint256 indexed paramsRoot, uint64 indexed epoch);
    event MarginAttested(
        uint256 indexed accountCommitment, uint64 indexed epoch, uint256 marginCommitment, uint256 disclosure
    );

    /// @notice The caller is neither the owner nor (where allowed) the oracle.
    error Unauthorized(address caller);
    /// @notice An address argument was the zero address where that is not meaningful.
    error ZeroAddress();
    /// @notice The verifier address has no code (a typo'd or undeployed verifier).
    error VerifierHasNoCode(address verifier);
    /// @notice `maxEpochJump` must be at least 1, or nothing could be published after the first root.
    error ZeroMaxEpochJump();
    /// @notice A part of the params root is out of range: `instrumentsRoot` and `tableHash`
    ///         must be < r, `imBp` and `mmBp` in [1, 2^20).
    error ParamsPartOutOfRange(string part, uint256 value);
    /// @notice Epochs must strictly increase from one publication to the next.
    error EpochNotIncreasing(uint64 epoch, uint64 latestEpoch);
    /// @notice The publication would raise `latestEpoch` by more than `maxEpochJump`.
    error EpochJumpTooLarge(uint64 epoch, uint64 latestEpoch, uint64 maxEpochJump);
    /// @notice The params root was never published.
    error UnknownParamsRoot(uint256 paramsRoot);
    /// @notice The params root (of `epoch`) was revoked by the owner.
    error RevokedParamsRoot(uint256 paramsRoot, uint64 epoch);
    /// @notice The root's epoch is more than `freshnessWindow` epochs behind `latestEpoch`.
    error StaleParamsRoot(uint256 paramsRoot, uint64 rootEpoch, uint64 latestEpoch);
    /// @notice The account already has a record at `recordedEpoch` >= the submitted `epoch`.
    error EpochReplay(uint256 accountCommitment, uint64 epoch, uint64 recordedEpoch);
    /// @notice The Groth16 verifier rejected the proof (bad proof, or a public signal >= r).
    error InvalidProof();

    /// @param verifier_ The generated Groth16 verifier of the account statement.
    /// @param freshnessWindow_ Largest accepted root age in epochs (see the contract notes).
    /// @param maxEpochJump_ Largest epoch increase per publication after the first; at least 1.
    constructor(IAccountProofVerifier verifier_, uint64 freshnessWindow_, uint64 maxEpochJump_) {
        if (address(verifier_).code.length == 0) revert VerifierHasNoCode(address(verifier_));
        if (maxEpochJump_ == 0) revert ZeroMaxEpochJump();
        verifier = verifier_;
        paramsHasher = new PoseidonT7();
        freshnessWindow = freshnessWindow_;
        maxEpochJump = maxEpochJump_;
        owner = msg.sender;
        emit OwnershipTransferred(address(0), msg.sender);
    }

    modifier onlyOwner() {
        if (msg.sender != owner) revert Unauthorized(msg.sender);
        _;
    }

    /// @notice Hand the owner role to `newOwner` (single step; must not be zero).
    function transferOwnership(address newOwner) external onlyOwner {
        if (newOwner == address(0)) revert ZeroAddress();
        emit OwnershipTransferred(owner, newOwner);
        owner = newOwner;
    }

    /// @notice Set the oracle allowed to publish params roots; `address(0)` revokes it.
    function setOracle(address newOracle) external onlyOwner {
        oracle = newOracle;
        emit OracleSet(newOracle);
    }

    /// @notice Publish the risk parameters of `epoch` by the parts of their root.  Only the owner or the oracle.
    /// @dev The root is `Poseidon(3, instrumentsRoot, tableHash, imBp, mmBp, epoch)`, computed here,
    ///      so the root recorded for `epoch` commits to `epoch`.
    /// @param instrumentsRoot Root of the quaternary Poseidon tree of instrument leaves; < r.
    /// @param tableHash Hash of the risk table (collateral assets, their risk rows, size tiers, credit); < r.
    /// @param imBp Initial margin multiplier, basis points, in [1, 2^20).
    /// @param mmBp Maintenance margin multiplier, basis points, in [1, 2^20).
    /// @param epoch Greater than every epoch published before, and after the first publication at
    ///        most `maxEpochJump` above `latestEpoch`.
    /// @return paramsRoot The root now published for `epoch`.
    function publishParams(uint256 instrumentsRoot, uint256 tableHash, uint256 imBp, uint256 mmBp, uint64 epoch)
        external
        returns (uint256 paramsRoot)
    {
        if (msg.sender != owner && msg.sender != oracle) revert Unauthorized(msg.sender);
        if (instrumentsRoot >= SNARK_SCALAR_FIELD) revert ParamsPartOutOfRange("instrumentsRoot", instrumentsRoot);
        if (tableHash >= SNARK_SCALAR_FIELD) revert ParamsPartOutOfRange("tableHash", tableHash);
        if (imBp == 0 || imBp >= MULT_LIMIT) revert ParamsPartOutOfRange("imBp", imBp);
        if (mmBp == 0 || mmBp >= MULT_LIMIT) revert ParamsPartOutOfRange("mmBp", mmBp);
        uint64 latest = latestEpoch;
        if (epoch <= latest) revert EpochNotIncreasing(epoch, latest);
        // epoch > latest, so the difference cannot underflow.
        if (latest != 0 && epoch - latest > maxEpochJump) revert EpochJumpTooLarge(epoch, latest, maxEpochJump);

        paramsRoot = paramsHasher.hash([DOMAIN_PARAMS, instrumentsRoot, tableHash, imBp, mmBp, uint256(epoch)]);
        // No root can already be published: it commits to `epoch`, which is newer than every published epoch.
        _roots[paramsRoot] = ParamsRootInfo({epoch: epoch, revoked: false});
        latestEpoch = epoch;
        emit ParamsRootPublished(paramsRoot, epoch, instrumentsRoot, tableHash, imBp, mmBp);
    }

    /// @notice Revoke a published params root: no new submission is accepted under it, and records
    ///         made under it are reported as revoked.  Only the owner; irreversible.
    function revokeParamsRoot(uint256 paramsRoot) external onlyOwner {
        ParamsRootInfo storage info = _roots[paramsRoot];
        uint64 epoch = info.epoch;
        if (epoch == 0) revert UnknownParamsRoot(paramsRoot);
        if (info.revoked) revert RevokedParamsRoot(paramsRoot, epoch);
        info.revoked = true;
        _revokedEpochs[epoch] = true;
        emit ParamsRootRevoked(paramsRoot, epoch);
    }

    /// @notice Record the attestation of one account, proven under a fresh params root.
    /// @dev The public signals are passed separately so that the registry reads them without
    ///      decoding.  Cheap checks run before the ~200k-gas pairing check.  The verifier is
    ///      called with STATICCALL (it is `view`).
    /// @param a Proof point A (G1: x, y).
    /// @param b Proof point B (G2: [[x.c1, x.c0], [y.c1, y.c0]], the EVM order).
    /// @param c Proof point C (G1: x, y).
    /// @param paramsRoot Public signal 0: a published, unrevoked, fresh params root.
    /// @param accountCommitment Public signal 1: the account's hiding commitment.
    /// @param marginCommitment Public signal 2: Poseidon hash of (7, IM, MM, salt), hiding IM and MM.
    /// @param disclosure Public signal 3: mode * 2^248 + value (see the contract notes).
    function submit(
        uint256[2] calldata a,
        uint256[2][2] calldata b,
        uint256[2] calldata c,
        uint256 paramsRoot,
        uint256 accountCommitment,
        uint256 marginCommitment,
        uint256 disclosure
    ) external {
        ParamsRootInfo memory info = _roots[paramsRoot];
        uint64 epoch = info.epoch;
        if (epoch == 0) revert UnknownParamsRoot(paramsRoot);
        if (info.revoked) revert RevokedParamsRoot(paramsRoot, epoch);
        uint64 latest = latestEpoch;
        // epoch <= latest always holds (latestEpoch is the maximum published epoch).
        if (latest - epoch > freshnessWindow) revert StaleParamsRoot(paramsRoot, epoch, latest);

        MarginRecord storage record = _records[accountCommitment];
        uint64 recorded = record.epoch;
        if (epoch <= recorded) revert EpochReplay(accountCommitment, epoch, recorded);

        if (!verifier.verifyProof(a, b, c, [paramsRoot, accountCommitment, marginCommitment, disclosure])) {
            revert InvalidProof();
        }

        record.marginCommitment = marginCommitment;
        record.disclosure = disclosure;
        record.epoch = epoch;
        emit MarginAttested(accountCommitment, epoch, marginCommitment, disclosure);
    }

    /// @notice Latest attestation of an account; all zero (and not revoked) if it never submitted.
    /// @return marginCommitment Hiding commitment to IM and MM (opened with the account's salt).
    /// @return mode What the proof disclosed: 0 nothing, 1 the margins, 2 MM <= value, 3 equity - IM >= value.
    /// @return value Mode 1: IM * 2^128 + MM; modes 2 and 3: the threshold; all in micro-units of USD.
    /// @return epoch Epoch of the params root the proof was made under (0 = none).
    /// @return revoked True when that root was revoked after the submission: do not rely on the record.
    function accountRecord(uint256 accountCommitment)
        external
        view
        returns (uint256 marginCommitment, uint8 mode, uint256 value, uint64 epoch, bool revoked)
    {
        MarginRecord storage record = _records[accountCommitment];
        uint256 disclosure = record.disclosure;
        epoch = record.epoch;
        // the circuit proves mode <= 3 and value < 2^248, so both casts are exact
        return (
            record.marginCommitment,
            uint8(disclosure >> DISCLOSURE_SHIFT),
            disclosure & ((1 << DISCLOSURE_SHIFT) - 1),
            epoch,
            _revokedEpochs[epoch]
        );
    }

    /// @notice Epoch a params root was published for; 0 if it never was.
    function paramsRootEpoch(uint256 paramsRoot) external view returns (uint64) {
        return _roots[paramsRoot].epoch;
    }

    /// @notice Whether the owner revoked `paramsRoot` (false for a root never published).
    function isRevoked(uint256 paramsRoot) external view returns (bool) {
        return _roots[paramsRoot].revoked;
    }
}
