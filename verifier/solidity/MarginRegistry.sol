// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// @notice The snarkjs-generated Groth16 verifier of the zkmargin account statement.
/// @dev The generated contract (`Groth16Verifier`, built by `verifier/solidity_build.py`,
///      never committed or hand-edited) has exactly this function; the public signals are
///      `[params_root, account_commitment, margins]` in that order.  It returns false (never
///      reverts) for a bad proof or for any public signal >= r.
interface IAccountProofVerifier {
    function verifyProof(
        uint256[2] calldata a,
        uint256[2][2] calldata b,
        uint256[2] calldata c,
        uint256[3] calldata pubSignals
    ) external view returns (bool);
}

/// @title MarginRegistry
/// @notice On-chain record of zero-knowledge margin attestations.  A venue's owner (or its
///         oracle) publishes one Poseidon `params_root` per epoch, committing to that epoch's
///         risk parameters.  Anyone may then submit a Groth16 proof that the account hidden
///         behind `accountCommitment` has initial margin IM and maintenance margin MM under
///         a recently published root; the registry keeps the latest (IM, MM, epoch) per account.
/// @dev Design decisions:
///      * Freshness is counted in EPOCHS, not seconds: a root published for epoch `e` is
///        accepted while `latestEpoch - e <= freshnessWindow`.  Epochs are whatever cadence the
///        oracle publishes at (gaps allowed); counting epochs keeps the rule independent of
///        block times and publication latency.  `freshnessWindow = 0` accepts only the latest root.
///      * Replay: a submission must carry a strictly newer epoch than the one recorded for its
///        account.  Resubmitting at the recorded epoch (the same proof, or a re-randomised copy
///        of it — Groth16 proofs are malleable, so proofs cannot be told apart by their bytes)
///        is rejected as a replay.  Because the newest epoch always wins, a third party who
///        submits an account's older proof can never block its newer one.
///      * Epoch 0 is reserved: `paramsRootEpoch(root) == 0` means "never published".
///      * A root may be published only once; params roots are assumed to commit to their epoch.
///      * The verifier is immutable: a new circuit means a new verifier and a new registry.
///      * Storage: one record is two slots, (IM, MM) packed as two uint128 and the epoch, so
///        the full 128-bit range the circuit proves is kept; no value is truncated.
contract MarginRegistry {
    /// @notice BN254 scalar field order r; every public signal is < r.
    uint256 internal constant SNARK_SCALAR_FIELD =
        21888242871839275222246405745257275088548364400416034343698204186575808495617;

    /// @notice Latest attested margins of one account.  Margins are micro-units of USD.
    struct MarginRecord {
        uint128 initialMargin;
        uint128 maintenanceMargin;
        uint64 epoch;
    }

    IAccountProofVerifier public immutable verifier;
    /// @notice Largest accepted age of a params root, in epochs, relative to `latestEpoch`.
    uint64 public immutable freshnessWindow;

    address public owner;
    address public oracle;
    /// @notice Epoch of the most recently published params root (0 before the first one).
    uint64 public latestEpoch;

    mapping(uint256 paramsRoot => uint64 epoch) internal _rootEpoch;
    mapping(uint256 accountCommitment => MarginRecord record) internal _records;

    event OwnershipTransferred(address indexed previousOwner, address indexed newOwner);
    event OracleSet(address indexed oracle);
    event ParamsRootPublished(uint256 indexed paramsRoot, uint64 indexed epoch);
    event MarginAttested(
        uint256 indexed accountCommitment, uint64 indexed epoch, uint128 initialMargin, uint128 maintenanceMargin
    );

    /// @notice The caller is neither the owner nor (where allowed) the oracle.
    error Unauthorized(address caller);
    /// @notice An address argument was the zero address where that is not meaningful.
    error ZeroAddress();
    /// @notice The verifier address has no code (a typo'd or undeployed verifier).
    error VerifierHasNoCode(address verifier);
    /// @notice A params root must be a non-zero field element (< r).
    error InvalidParamsRoot(uint256 paramsRoot);
    /// @notice Epochs must strictly increase from one publication to the next.
    error EpochNotIncreasing(uint64 epoch, uint64 latestEpoch);
    /// @notice The root was already published (for `epoch`).
    error ParamsRootAlreadyPublished(uint256 paramsRoot, uint64 epoch);
    /// @notice The submitted params root was never published.
    error UnknownParamsRoot(uint256 paramsRoot);
    /// @notice The root's epoch is more than `freshnessWindow` epochs behind `latestEpoch`.
    error StaleParamsRoot(uint256 paramsRoot, uint64 rootEpoch, uint64 latestEpoch);
    /// @notice The account already has a record at `recordedEpoch` >= the submitted `epoch`.
    error EpochReplay(uint256 accountCommitment, uint64 epoch, uint64 recordedEpoch);
    /// @notice The Groth16 verifier rejected the proof (bad proof, or a public signal >= r).
    error InvalidProof();

    /// @param verifier_ The generated Groth16 verifier of the account statement.
    /// @param freshnessWindow_ Largest accepted root age in epochs (see the contract notes).
    constructor(IAccountProofVerifier verifier_, uint64 freshnessWindow_) {
        if (address(verifier_).code.length == 0) revert VerifierHasNoCode(address(verifier_));
        verifier = verifier_;
        freshnessWindow = freshnessWindow_;
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

    /// @notice Publish the params root of `epoch`.  Only the owner or the oracle.
    /// @param paramsRoot Poseidon root of the venue's risk parameters; non-zero and < r.
    /// @param epoch Must be greater than every epoch published before.
    function publishParamsRoot(uint256 paramsRoot, uint64 epoch) external {
        if (msg.sender != owner && msg.sender != oracle) revert Unauthorized(msg.sender);
        if (paramsRoot == 0 || paramsRoot >= SNARK_SCALAR_FIELD) revert InvalidParamsRoot(paramsRoot);
        uint64 latest = latestEpoch;
        if (epoch <= latest) revert EpochNotIncreasing(epoch, latest);
        uint64 known = _rootEpoch[paramsRoot];
        if (known != 0) revert ParamsRootAlreadyPublished(paramsRoot, known);
        _rootEpoch[paramsRoot] = epoch;
        latestEpoch = epoch;
        emit ParamsRootPublished(paramsRoot, epoch);
    }

    /// @notice Record the margins of one account, proven under a fresh params root.
    /// @dev The public signals are passed separately so that the registry reads them without
    ///      decoding; `margins = IM * 2^128 + MM`.  Cheap checks run before the ~200k-gas
    ///      pairing check.  The verifier is called with STATICCALL (it is `view`).
    /// @param a Proof point A (G1: x, y).
    /// @param b Proof point B (G2: [[x.c1, x.c0], [y.c1, y.c0]], the EVM order).
    /// @param c Proof point C (G1: x, y).
    /// @param paramsRoot Public signal 0: a published, fresh params root.
    /// @param accountCommitment Public signal 1: the account's hiding commitment.
    /// @param margins Public signal 2: IM * 2^128 + MM, micro-units of USD.
    function submit(
        uint256[2] calldata a,
        uint256[2][2] calldata b,
        uint256[2] calldata c,
        uint256 paramsRoot,
        uint256 accountCommitment,
        uint256 margins
    ) external {
        uint64 epoch = _rootEpoch[paramsRoot];
        if (epoch == 0) revert UnknownParamsRoot(paramsRoot);
        uint64 latest = latestEpoch;
        // epoch <= latest always holds (latestEpoch is the maximum published epoch).
        if (latest - epoch > freshnessWindow) revert StaleParamsRoot(paramsRoot, epoch, latest);

        MarginRecord storage record = _records[accountCommitment];
        uint64 recorded = record.epoch;
        if (epoch <= recorded) revert EpochReplay(accountCommitment, epoch, recorded);

        if (!verifier.verifyProof(a, b, c, [paramsRoot, accountCommitment, margins])) revert InvalidProof();

        // The circuit proves IM, MM < 2^128 and the verifier proved margins < r, so this
        // split is exact: the high half is IM and the low half is MM.
        uint128 initialMargin = uint128(margins >> 128);
        uint128 maintenanceMargin = uint128(margins);
        record.initialMargin = initialMargin;
        record.maintenanceMargin = maintenanceMargin;
        record.epoch = epoch;
        emit MarginAttested(accountCommitment, epoch, initialMargin, maintenanceMargin);
    }

    /// @notice Latest attested margins of an account; all zero if it never submitted.
    /// @return initialMargin IM in micro-units of USD.
    /// @return maintenanceMargin MM in micro-units of USD.
    /// @return epoch Epoch of the params root the margins were proven under (0 = none).
    function accountRecord(uint256 accountCommitment)
        external
        view
        returns (uint128 initialMargin, uint128 maintenanceMargin, uint64 epoch)
    {
        MarginRecord storage record = _records[accountCommitment];
        return (record.initialMargin, record.maintenanceMargin, record.epoch);
    }

    /// @notice Epoch a params root was published for; 0 if it never was.
    function paramsRootEpoch(uint256 paramsRoot) external view returns (uint64) {
        return _rootEpoch[paramsRoot];
    }
}
