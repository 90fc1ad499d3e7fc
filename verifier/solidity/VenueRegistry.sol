// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

// Generated at build time from the Python Poseidon constants (verifier/solidity/poseidon_t5.py).
import "./PoseidonT5.sol";

/// @title VenueRegistry
/// @notice On-chain record of a venue's solvency statements, one per epoch, and the check of one account
///         against a recorded statement.  The venue (the deployer, `owner`) registers each epoch's
///         statement: its `params_root`, its `accounts_root` (the quaternary Poseidon tree of the account
///         leaves), its account count, its totals and `batchProofsCommitment`, the sha256 of the batch
///         files' sha256 list (`zkmargin.verifier.venue.batch_proofs_commitment`), which binds the record
///         to the published batch and account proofs.  Anyone may then check that an account's proof
///         (circuit `venue_<size>`, public signals `[params_root, leaf]`) holds under the epoch's
///         `params_root` and that its leaf lies at a proven index of the epoch's `accounts_root`.
/// @dev Design decisions:
///      * The registry does not verify the batch proofs (one pairing per batch and per account would not
///        fit a block for a large venue): the record is the venue's word, published where everyone sees
///        it, and an auditor checks it against the statement's files off chain (`zkmargin venue audit`,
///        then `batch_proofs_commitment` and the recorded roots and totals).  What `checkAccount` adds on
///        chain is that ONE account's leaf is both proven (its Groth16 proof) and in the tree the venue
///        committed to for that epoch (its Merkle path), which is what another protocol needs.
///      * An account proof is always checked with the epoch's own `paramsRoot` and the given leaf, never
///        with signals the caller supplies: a proof made under another epoch's params fails.
///      * The path is hashed here with `PoseidonT5` (circomlib's Poseidon(4), the circuit's node hash),
///        which the constructor deploys itself, so no one can substitute a hasher.  The index must be
///        below the epoch's account count: indices `accounts` and above hold the padding leaf 0, which
///        no batch proved.  Leaf and siblings must be field elements (< r): the hasher refuses others,
///        and a sibling `s + r` must not pass as `s`.
///      * A bad account is never a revert: `checkAccount` returns a `Verdict` and `verifyAccount` false.
///        The verifier is called with STATICCALL; a call that fails or returns anything but the 32-byte
///        word 1 counts as a rejection.  A call left too little gas fails too, so a caller who sends too
///        little gas is told false (never true): estimate gas with a valid account.
///      * Verifiers: one generated Groth16 verifier per venue account size the deployment supports, fixed
///        at construction (`accountVerifiers[size]`; the order is the deployer's, see
///        `zkmargin.verifier.venue_onchain`).  The constructor probes each with public signal 0 = r, which
///        a snarkjs verifier rejects at once: each must answer with a 32-byte false, so a verifier of
///        another signal count reverts the deployment instead of rejecting every account afterwards.
///      * Epochs are the statement's (`params.epoch`, e.g. yyyymmdd); each is registered once and never
///        changed, in any order.  `accounts == 0` marks an epoch never registered (a statement has at
///        least one account).
///      * Storage: one record is ten slots (the roots, the count, six totals, the commitment); no value
///        is truncated.
///      * Gas (`scripts/bench_gas.py --only venue`): `registerEpoch` about 253k as a transaction;
///        `checkAccount` about 1.01M, of which the ten `PoseidonT5` hashes of the path take about 74k each
///        and the pairing check about 210k: the path dominates, because the generated hasher is the
///        plain permutation (`verifier/solidity/poseidon_contract.py`).  A request rejected before the
///        path is hashed costs about 46k.
contract VenueRegistry {
    /// @notice BN254 scalar field order r; every public signal is < r.
    uint256 internal constant SNARK_SCALAR_FIELD =
        21888242871839275222246405745257275088548364400416034343698204186575808495617;
    /// @notice Levels of the account tree (`ACCOUNT_TREE_LEVELS` in zkmargin.statement.venue).
    uint256 public constant ACCOUNT_TREE_LEVELS = 10;
    /// @notice Most accounts a statement holds: 4^ACCOUNT_TREE_LEVELS.
    uint256 public constant MAX_ACCOUNTS = 4 ** ACCOUNT_TREE_LEVELS;
    /// @notice Totals of a record, in this order: IM, MM, collateral, equity (micro-units of quote
    ///         currency), insolvent accounts (a count), their shortfall (micro-units).
    uint256 public constant TOTALS = 6;
    uint256 internal constant INSOLVENT_TOTAL = 4;
    /// @notice Selector of the generated account verifier's `verifyProof` (two public signals).
    bytes4 public constant ACCOUNT_VERIFY_SELECTOR =
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

    /// @notice One epoch's statement.
    struct EpochRecord {
        uint256 paramsRoot;
        uint256 accountsRoot;
        uint256 accounts;
        uint256[6] totals;
        bytes32 batchProofsCommitment;
    }

    /// @notice Outcome of `checkAccount`; every value but `Valid` is a rejection.
    /// @dev `UnknownEpoch`: no statement is registered for the epoch.  `UnknownSize`: no verifier has the
    ///      size index.  `IndexOutOfRange`: the index is not below the epoch's account count.
    ///      `NotAFieldElement`: the leaf or a sibling is >= r.  `PathMismatch`: the path does not lead from
    ///      the leaf at the index to the epoch's `accountsRoot`.  `ProofInvalid`: the account proof does not
    ///      verify with `[paramsRoot of the epoch, leaf]`.
    enum Verdict {
        Valid,
        UnknownEpoch,
        UnknownSize,
        IndexOutOfRange,
        NotAFieldElement,
        PathMismatch,
        ProofInvalid
    }

    /// @notice The Poseidon(4) the registry hashes account-tree nodes with (deployed by the constructor).
    PoseidonT5 public immutable nodeHasher;
    /// @notice The venue: the only address that registers statements.
    address public owner;
    /// @notice The generated Groth16 verifier of each venue account size, by size index.
    address[] public accountVerifiers;

    mapping(uint256 epoch => EpochRecord record) internal _records;

    event OwnershipTransferred(address indexed previousOwner, address indexed newOwner);
    event EpochRegistered(
        uint256 indexed epoch,
        uint256 paramsRoot,
        uint256 accountsRoot,
        uint256 accounts,
        uint256[6] totals,
        bytes32 batchProofsCommitment
    );

    /// @notice The caller is not the owner.
    error Unauthorized(address caller);
    /// @notice An address argument was the zero address where that is not meaningful.
    error ZeroAddress();
    /// @notice The registry needs at least one account verifier.
    error NoVerifiers();
    /// @notice A verifier address has no code (a typo'd or undeployed verifier).
    error VerifierHasNoCode(address verifier);
    /// @notice The verifier did not answer the probe call with a 32-byte false (not a snarkjs verifier,
    ///         or one of another number of public signals).
    error VerifierProbeFailed(address verifier);
    /// @notice A statement is already registered for `epoch`.
    error EpochAlreadyRegistered(uint256 epoch);
    /// @notice A root is >= r: not a field element, so no proof or path could ever match it.
    error RootNotInField(string root, uint256 value);
    /// @notice The account count is outside [1, MAX_ACCOUNTS].
    error AccountCountOutOfRange(uint256 accounts);
    /// @notice More insolvent accounts than accounts.
    error InsolventCountOutOfRange(uint256 insolvent, uint256 accounts);
    /// @notice `rootFromPath` was given an index at or above 4^10, outside the account tree.
    error IndexOutsideTree(uint256 index);

    /// @param accountVerifiers_ The generated Groth16 verifiers of the venue account sizes, in size-index order.
    constructor(address[] memory accountVerifiers_) {
        if (accountVerifiers_.length == 0) revert NoVerifiers();
        for (uint256 i = 0; i < accountVerifiers_.length; ++i) {
            address verifier = accountVerifiers_[i];
            if (verifier.code.length == 0) revert VerifierHasNoCode(verifier);
            _probe(verifier);
            accountVerifiers.push(verifier);
        }
        nodeHasher = new PoseidonT5();
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

    /// @notice Register the statement of `epoch`.  Only the owner; once per epoch.
    /// @param epoch The statement's epoch (its params' epoch).
    /// @param paramsRoot The statement's `params_root`; < r.
    /// @param accountsRoot The statement's `accounts_root`; < r.
    /// @param accounts The statement's account count, in [1, 4^10].
    /// @param totals IM, MM, collateral, equity (each account's floored at 0), insolvent accounts, their
    ///        shortfall; money in micro-units of quote currency.  Insolvent accounts <= `accounts`.
    /// @param batchProofsCommitment sha256 of the statement's batch files' sha256 digests, concatenated in
    ///        batch order (`zkmargin.verifier.venue.batch_proofs_commitment`).
    function registerEpoch(
        uint256 epoch,
        uint256 paramsRoot,
        uint256 accountsRoot,
        uint256 accounts,
        uint256[6] calldata totals,
        bytes32 batchProofsCommitment
    ) external onlyOwner {
        EpochRecord storage record = _records[epoch];
        if (record.accounts != 0) revert EpochAlreadyRegistered(epoch);
        if (paramsRoot >= SNARK_SCALAR_FIELD) revert RootNotInField("paramsRoot", paramsRoot);
        if (accountsRoot >= SNARK_SCALAR_FIELD) revert RootNotInField("accountsRoot", accountsRoot);
        if (accounts == 0 || accounts > MAX_ACCOUNTS) revert AccountCountOutOfRange(accounts);
        if (totals[INSOLVENT_TOTAL] > accounts) revert InsolventCountOutOfRange(totals[INSOLVENT_TOTAL], accounts);
        record.paramsRoot = paramsRoot;
        record.accountsRoot = accountsRoot;
        record.accounts = accounts;
        record.totals = totals;
        record.batchProofsCommitment = batchProofsCommitment;
        emit EpochRegistered(epoch, paramsRoot, accountsRoot, accounts, totals, batchProofsCommitment);
    }

    /// @notice The statement registered for `epoch`; all zero if none is (`accounts == 0`).
    function epochRecord(uint256 epoch)
        external
        view
        returns (
            uint256 paramsRoot,
            uint256 accountsRoot,
            uint256 accounts,
            uint256[6] memory totals,
            bytes32 batchProofsCommitment
        )
    {
        EpochRecord storage record = _records[epoch];
        return (record.paramsRoot, record.accountsRoot, record.accounts, record.totals, record.batchProofsCommitment);
    }

    /// @notice Number of venue account sizes (verifiers) the registry checks proofs of.
    function accountSizes() external view returns (uint256) {
        return accountVerifiers.length;
    }

    /// @notice Whether an account is proven and included in the statement of `epoch` (see `checkAccount`).
    function verifyAccount(
        uint256 epoch,
        uint256 size,
        uint256 leaf,
        uint256 index,
        uint256[3][10] calldata siblings,
        Proof calldata proof
    ) external view returns (bool valid) {
        return checkAccount(epoch, size, leaf, index, siblings, proof) == Verdict.Valid;
    }

    /// @notice Check one account against the statement of `epoch` and say why it is rejected.  Never
    ///         reverts for a bad proof, path or index.
    /// @dev Checks, in order: the epoch is registered; `size` names a verifier; `index < accounts`; the
    ///      leaf and siblings are < r; the path from `leaf` at `index` reaches `accountsRoot` (ten Poseidon
    ///      hashes); the proof verifies under `accountVerifiers[size]` with `[paramsRoot, leaf]` (one
    ///      pairing check).  The cheap checks come first, so a malformed request costs no hash or pairing.
    /// @param epoch A registered epoch.
    /// @param size Index of the account's venue size in `accountVerifiers`.
    /// @param leaf The account's leaf (the proof's second public signal).
    /// @param index The leaf's index in the account tree.
    /// @param siblings The leaf's Merkle path, leaf level first: at each level the three other children in
    ///        slot order (the running node's slot removed), as an inclusion receipt's `siblings`.
    /// @param proof The account's proof from the epoch's batch file.
    /// @return verdict `Verdict.Valid`, or the first rule the account breaks.
    function checkAccount(
        uint256 epoch,
        uint256 size,
        uint256 leaf,
        uint256 index,
        uint256[3][10] calldata siblings,
        Proof calldata proof
    ) public view returns (Verdict verdict) {
        EpochRecord storage record = _records[epoch];
        uint256 accounts = record.accounts;
        if (accounts == 0) return Verdict.UnknownEpoch;
        if (size >= accountVerifiers.length) return Verdict.UnknownSize;
        if (index >= accounts) return Verdict.IndexOutOfRange;
        if (leaf >= SNARK_SCALAR_FIELD) return Verdict.NotAFieldElement;
        for (uint256 level = 0; level < ACCOUNT_TREE_LEVELS; ++level) {
            for (uint256 j = 0; j < 3; ++j) {
                if (siblings[level][j] >= SNARK_SCALAR_FIELD) return Verdict.NotAFieldElement;
            }
        }
        if (rootFromPath(leaf, index, siblings) != record.accountsRoot) return Verdict.PathMismatch;
        bytes memory callData = abi.encodeWithSelector(
            ACCOUNT_VERIFY_SELECTOR, proof.a, proof.b, proof.c, [record.paramsRoot, leaf]
        );
        (bool success, bytes memory answer) = accountVerifiers[size].staticcall(callData);
        if (!success || answer.length != 32 || abi.decode(answer, (uint256)) != 1) return Verdict.ProofInvalid;
        return Verdict.Valid;
    }

    /// @notice The root reached from `leaf` at `index` with `siblings` (leaf level first), as the circuit's
    ///         `QuadMerkleInclusion(10)` and `zkmargin.statement.merkle4.root_from_path` compute it: at level
    ///         `i`, digit `i` of `index` in base 4 is the running node's slot among its parent's children.
    /// @dev Reverts with `IndexOutsideTree` for `index` >= 4^10, and in the hasher (`InputNotInField`) for
    ///      a value >= r; `checkAccount` rules out both before calling it.
    function rootFromPath(uint256 leaf, uint256 index, uint256[3][10] calldata siblings)
        public
        view
        returns (uint256 node)
    {
        if (index >= MAX_ACCOUNTS) revert IndexOutsideTree(index);
        node = leaf;
        for (uint256 level = 0; level < ACCOUNT_TREE_LEVELS; ++level) {
            uint256 slot = index & 3;
            uint256[4] memory children;
            uint256 next = 0;
            for (uint256 k = 0; k < 4; ++k) {
                if (k == slot) {
                    children[k] = node;
                } else {
                    children[k] = siblings[level][next];
                    ++next;
                }
            }
            node = nodeHasher.hash(children);
            index >>= 2;
        }
    }

    /// @dev Call the verifier's `verifyProof` with a zero proof and public signals `[r, 0]`: a snarkjs
    ///      verifier's `checkField` returns false before any pairing.  Reverts with `VerifierProbeFailed`
    ///      unless the answer is exactly a 32-byte false.
    function _probe(address verifier) internal view {
        bytes memory callData = abi.encodePacked(ACCOUNT_VERIFY_SELECTOR, new uint256[](8), SNARK_SCALAR_FIELD,
            uint256(0));
        (bool success, bytes memory answer) = verifier.staticcall(callData);
        if (!success || answer.length != 32 || abi.decode(answer, (uint256)) != 0) {
            revert VerifierProbeFailed(verifier);
        }
    }
}
