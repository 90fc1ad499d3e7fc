pragma circom 2.1.0;

// A venue's solvency statement over all its accounts (statement/venue.py is the Python twin of every hash).
//
// Each account is proven by VenueAccount, or by VenueBook over its chunk proofs when it has more positions than the
// largest VenueAccount holds: its margin figures (IM, MM, collateral after haircuts, equity), computed by the v2
// rules from params_root, are bound into its leaf of the venue's account tree, and nothing is asserted about its
// solvency.  Accounts are grouped into batches of B = 4^LEVELS consecutive indices, one subtree of the
// account tree each; VenueBatch opens the batch's leaves, range-checks every figure it reads, counts the accounts
// below MM and their shortfall, and moves the venue's running totals from one hiding commitment to the next.
// The verifier (verifier/venue.py) checks that each batch root is the tree of the account proofs' leaves, that
// the totals chain runs from the empty venue through every batch in order, and that the last commitment opens to
// the published totals.

include "book.circom";

function DOMAIN_VENUE_LEAF() { return 11; }    // an account's leaf in the venue's account tree
function DOMAIN_VENUE_TOTALS() { return 12; }  // the running totals after a batch
function ACCOUNT_ID_BITS() { return 64; }      // venue account ids lie in [1, 2^64)
function COUNT_BITS() { return 32; }           // at most 2^32 accounts in a venue
// Per account: 0 <= IM < 2^96 and 0 <= MM < 2^128 (AccountFigures), 0 <= collateral < 2^96, |equity| < 2^96.
function LEAF_IM_BITS() { return 96; }
function LEAF_MM_BITS() { return 128; }
function LEAF_COLLATERAL_BITS() { return 96; }
function LEAF_EQUITY_BITS() { return 97; }     // signed
// A sum over at most 2^32 accounts of values below 2^129 (the largest: a shortfall MM - equity < 2^128 + 2^96)
// stays below 2^161; every total is range-checked to 2^192.
function TOTAL_BITS() { return 192; }

/**
 * leaf = HashList(DOMAIN_VENUE_LEAF, account_id, account_commitment, IM, MM, collateral, equity), the values
 * field-encoded (a negative equity as r + equity).
 *
 * @input account_id, account_commitment, im, mm, collateral, equity  any field elements (hashed only; the batch
 *        that reads a leaf range-checks them)
 * @output out  the leaf
 */
template VenueLeaf() {
    signal input account_id;
    signal input account_commitment;
    signal input im;
    signal input mm;
    signal input collateral;
    signal input equity;
    signal output out;

    component h = HashList(7);
    h.in[0] <== DOMAIN_VENUE_LEAF();
    h.in[1] <== account_id;
    h.in[2] <== account_commitment;
    h.in[3] <== im;
    h.in[4] <== mm;
    h.in[5] <== collateral;
    h.in[6] <== equity;
    out <== h.out;
}

/**
 * chain = HashList(DOMAIN_VENUE_TOTALS, accounts, last_id, sum IM, sum MM, sum collateral, sum max(equity, 0),
 *                  insolvent, shortfall, salt): the venue's running totals after a prefix of its accounts.
 *
 * @input totals[8]  (accounts, last_id, im, mm, collateral, equity, insolvent, shortfall): any field elements
 * @input salt       any field element: hides the partial totals of a batch boundary
 * @output out       the commitment
 */
template TotalsCommitment() {
    signal input totals[8];
    signal input salt;
    signal output out;

    component h = HashList(10);
    h.in[0] <== DOMAIN_VENUE_TOTALS();
    for (var i = 0; i < 8; i++) {
        h.in[1 + i] <== totals[i];
    }
    h.in[9] <== salt;
    out <== h.out;
}

/**
 * One account of a venue: its margin figures by the v2 rules (AccountCore) and its leaf.  No claim about
 * solvency: the batch counts an account below MM.
 *
 * Public inputs
 * @input params_root  as AccountMargin's
 * @input leaf         VenueLeaf(account_id, account_commitment, IM, MM, collateral, equity) of the figures computed
 *                     here; account_commitment as AccountMargin's
 *
 * Private inputs: AccountMargin's, without the margin commitment and the disclosure, and
 * @input account_id   the venue's id of the account: any field element here, range-checked to [1, 2^64) and
 *                     unique by the batch that reads the leaf
 *
 * Cost: AccountCore(N, G, K) and one HashList(7) (circuits/constraints.json has the totals).
 */
template VenueAccount(N, G, K) {
    var S = MARKET_SCENARIOS();
    var L = INSTRUMENT_DEPTH() \ 2;
    var GL = GROUP_DEPTH() \ 2;
    var AL = ASSET_DEPTH() \ 2;
    var T = MAX_TIERS();

    signal input params_root;
    signal input leaf;

    signal input account_id;
    signal input qty[N];
    signal input leaf_index[N];
    signal input position_slot[N];
    signal input group[N];
    signal input kind[N];
    signal input mark[N];
    signal input charge[N];
    signal input delta[N];
    signal input vega[N];
    signal input risk[N][S];
    signal input siblings[N][L][3];
    signal input group_id[G];
    signal input group_used[G];
    signal input tier_threshold[G][T];
    signal input tier_rate[G][T];
    signal input group_siblings[G][GL][3];
    signal input asset_id[K];
    signal input asset_used[K];
    signal input asset_price[K];
    signal input haircut_bp[K];
    signal input asset_group[K];
    signal input asset_risk[K][S];
    signal input asset_slot[K];
    signal input asset_siblings[K][AL][3];
    signal input instruments_root;
    signal input groups_root;
    signal input assets_root;
    signal input credit_bp;
    signal input im_bp;
    signal input mm_bp;
    signal input epoch;
    signal input balance[K];
    signal input salt;

    component core = AccountCore(N, G, K);
    core.qty <== qty;
    core.leaf_index <== leaf_index;
    core.position_slot <== position_slot;
    core.group <== group;
    core.kind <== kind;
    core.mark <== mark;
    core.charge <== charge;
    core.delta <== delta;
    core.vega <== vega;
    core.risk <== risk;
    core.siblings <== siblings;
    core.group_id <== group_id;
    core.group_used <== group_used;
    core.tier_threshold <== tier_threshold;
    core.tier_rate <== tier_rate;
    core.group_siblings <== group_siblings;
    core.asset_id <== asset_id;
    core.asset_used <== asset_used;
    core.asset_price <== asset_price;
    core.haircut_bp <== haircut_bp;
    core.asset_group <== asset_group;
    core.asset_risk <== asset_risk;
    core.asset_slot <== asset_slot;
    core.asset_siblings <== asset_siblings;
    core.instruments_root <== instruments_root;
    core.groups_root <== groups_root;
    core.assets_root <== assets_root;
    core.credit_bp <== credit_bp;
    core.im_bp <== im_bp;
    core.mm_bp <== mm_bp;
    core.epoch <== epoch;
    core.balance <== balance;
    core.salt <== salt;
    params_root === core.params_root;

    component leafHash = VenueLeaf();
    leafHash.account_id <== account_id;
    leafHash.account_commitment <== core.account_commitment;
    leafHash.im <== core.im;
    leafHash.mm <== core.mm;
    leafHash.collateral <== core.collateral;
    leafHash.equity <== core.equity;
    leaf === leafHash.out;
}

/**
 * One book-size account of a venue, proven in chunks: its margin figures by the v2 rules (BookCore, over the
 * chunk proofs' sums) and its leaf.  It takes accounts with more positions than the largest VenueAccount holds.
 * No claim about solvency: the batch counts an account below MM.
 *
 * Public inputs
 * @input params_root    as BookMargin's
 * @input leaf           VenueLeaf(account_id, account_commitment, IM, MM, collateral, equity) of the figures computed
 *                       here; account_commitment is the book's (BookMargin's formula)
 * @input chunk_link[M]  as BookMargin's: each nonzero link must be proven by an AccountChunk(C, G) proof with the
 *                       same params_root
 *
 * Private inputs: BookMargin's, without the margin commitment and the disclosure, and
 * @input account_id     as VenueAccount's
 *
 * Cost: BookCore(M, C, G, K) and one HashList(7) (circuits/constraints.json has the totals).
 */
template VenueBook(M, C, G, K) {
    var S = MARKET_SCENARIOS();
    var GL = GROUP_DEPTH() \ 2;
    var AL = ASSET_DEPTH() \ 2;
    var T = MAX_TIERS();

    signal input params_root;
    signal input leaf;
    signal input chunk_link[M];

    signal input account_id;
    signal input chunk_used[M];
    signal input chunk_short[M][G];
    signal input chunk_calls[M][G];
    signal input chunk_puts[M][G];
    signal input chunk_delta[M][G];
    signal input chunk_pnl[M][G][S];
    signal input chunk_liabilities[M];
    signal input chunk_option_value[M];
    signal input chunk_position_value[M];
    signal input positions_hash[M];
    signal input group_id[G];
    signal input group_used[G];
    signal input tier_threshold[G][T];
    signal input tier_rate[G][T];
    signal input group_siblings[G][GL][3];
    signal input asset_id[K];
    signal input asset_used[K];
    signal input asset_price[K];
    signal input haircut_bp[K];
    signal input asset_group[K];
    signal input asset_risk[K][S];
    signal input asset_slot[K];
    signal input asset_siblings[K][AL][3];
    signal input instruments_root;
    signal input groups_root;
    signal input assets_root;
    signal input credit_bp;
    signal input im_bp;
    signal input mm_bp;
    signal input epoch;
    signal input balance[K];
    signal input salt;

    component core = BookCore(M, C, G, K);
    core.chunk_link <== chunk_link;
    core.chunk_used <== chunk_used;
    core.chunk_short <== chunk_short;
    core.chunk_calls <== chunk_calls;
    core.chunk_puts <== chunk_puts;
    core.chunk_delta <== chunk_delta;
    core.chunk_pnl <== chunk_pnl;
    core.chunk_liabilities <== chunk_liabilities;
    core.chunk_option_value <== chunk_option_value;
    core.chunk_position_value <== chunk_position_value;
    core.positions_hash <== positions_hash;
    core.group_id <== group_id;
    core.group_used <== group_used;
    core.tier_threshold <== tier_threshold;
    core.tier_rate <== tier_rate;
    core.group_siblings <== group_siblings;
    core.asset_id <== asset_id;
    core.asset_used <== asset_used;
    core.asset_price <== asset_price;
    core.haircut_bp <== haircut_bp;
    core.asset_group <== asset_group;
    core.asset_risk <== asset_risk;
    core.asset_slot <== asset_slot;
    core.asset_siblings <== asset_siblings;
    core.instruments_root <== instruments_root;
    core.groups_root <== groups_root;
    core.assets_root <== assets_root;
    core.credit_bp <== credit_bp;
    core.im_bp <== im_bp;
    core.mm_bp <== mm_bp;
    core.epoch <== epoch;
    core.balance <== balance;
    core.salt <== salt;
    params_root === core.params_root;

    component leafHash = VenueLeaf();
    leafHash.account_id <== account_id;
    leafHash.account_commitment <== core.account_commitment;
    leafHash.im <== core.im;
    leafHash.mm <== core.mm;
    leafHash.collateral <== core.collateral;
    leafHash.equity <== core.equity;
    leaf === leafHash.out;
}

/**
 * One batch of a venue: B = 4^LEVELS consecutive account indices [first_index, first_index + B), the used ones
 * first, as one subtree of the account tree.
 *
 * Public inputs
 * @input batch_root    the quaternary Poseidon root of the B leaves: VenueLeaf of each used slot, 0 for each
 *                      unused one
 * @input first_index   the index of the batch's first account: the accounts counted by chain_before
 * @input count         the used slots, 1 <= count <= B
 * @input chain_before  TotalsCommitment of the totals before the batch
 * @input chain_after   TotalsCommitment of the totals after it: accounts = first_index + count, last_id the last
 *                      used slot's id, every sum grown by the batch's accounts
 *
 * Private inputs (each range-checked here, being read from a commitment)
 * @input used[B]                boolean, used slots first
 * @input account_id[B]          [1, 2^64), strictly increasing over the used slots and above the last id before
 *                               the batch: no account id twice in the venue
 * @input account_commitment[B]  any field element (hashed only)
 * @input im[B], mm[B], collateral[B]  [0, 2^96), [0, 2^128), [0, 2^96)
 * @input equity[B]              [-2^96, 2^96)
 *                               an unused slot's values are all 0
 * @input before[8], salt_before, salt_after  the totals before the batch (counts to 2^32, ids to 2^64, sums to
 *                               2^192) and the two commitments' salts (any field elements)
 *
 * What a batch adds per used account: IM, MM, collateral, max(equity, 0) (a negative equity never offsets another
 * account's claim), and, when equity < MM, one insolvent account and its shortfall MM - equity.
 *
 * Cost: per slot a HashList(7), the range checks (about 600) and a share of the tree; plus the two commitments.
 */
template VenueBatch(LEVELS) {
    assert(LEVELS >= 1 && LEVELS <= 8);
    var B = 4 ** LEVELS;

    signal input batch_root;
    signal input first_index;
    signal input count;
    signal input chain_before;
    signal input chain_after;

    signal input used[B];
    signal input account_id[B];
    signal input account_commitment[B];
    signal input im[B];
    signal input mm[B];
    signal input collateral[B];
    signal input equity[B];
    signal input before[8];
    signal input salt_before;
    signal input salt_after;

    // ---- the totals before the batch: opened from chain_before and range-checked ----
    var WIDTH[8] = [COUNT_BITS(), ACCOUNT_ID_BITS(), TOTAL_BITS(), TOTAL_BITS(), TOTAL_BITS(), TOTAL_BITS(),
                    COUNT_BITS(), TOTAL_BITS()];
    component beforeRange[8];
    for (var i = 0; i < 8; i++) {
        beforeRange[i] = UnsignedRangeCheck(WIDTH[i]);
        beforeRange[i].in <== before[i];
    }
    component opened = TotalsCommitment();
    opened.totals <== before;
    opened.salt <== salt_before;
    chain_before === opened.out;
    first_index === before[0];

    // ---- the slots ----
    component idRange[B];
    component idGap[B];
    component imRange[B];
    component mmRange[B];
    component collateralRange[B];
    component equityPositive[B];
    component solvent[B];
    component leafHash[B];
    signal leaf[B];
    signal idStep[B];
    signal lastMark[B];      // used[i] - used[i + 1]: 1 only at the last used slot
    signal insolvent[B];
    signal shortfall[B];
    var usedSum = 0;
    var lastId = 0;
    var imSum = 0;
    var mmSum = 0;
    var collateralSum = 0;
    var equitySum = 0;
    var insolventSum = 0;
    var shortfallSum = 0;
    for (var i = 0; i < B; i++) {
        used[i] * (used[i] - 1) === 0;
        if (i > 0) {
            used[i] * (1 - used[i - 1]) === 0;  // used slots first
        }
        // an unused slot holds nothing
        account_id[i] * (1 - used[i]) === 0;
        account_commitment[i] * (1 - used[i]) === 0;
        im[i] * (1 - used[i]) === 0;
        mm[i] * (1 - used[i]) === 0;
        collateral[i] * (1 - used[i]) === 0;
        equity[i] * (1 - used[i]) === 0;

        idRange[i] = UnsignedRangeCheck(ACCOUNT_ID_BITS());
        idRange[i].in <== account_id[i];
        // a used slot's id is above the previous one (or, for the first slot, above the last id before the
        // batch): id - previous - 1 in [0, 2^64)
        if (i == 0) {
            idStep[i] <== used[i] * (account_id[i] - before[1] - 1);
        } else {
            idStep[i] <== used[i] * (account_id[i] - account_id[i - 1] - 1);
        }
        idGap[i] = UnsignedRangeCheck(ACCOUNT_ID_BITS());
        idGap[i].in <== idStep[i];
        imRange[i] = UnsignedRangeCheck(LEAF_IM_BITS());
        imRange[i].in <== im[i];
        mmRange[i] = UnsignedRangeCheck(LEAF_MM_BITS());
        mmRange[i].in <== mm[i];
        collateralRange[i] = UnsignedRangeCheck(LEAF_COLLATERAL_BITS());
        collateralRange[i].in <== collateral[i];
        equityPositive[i] = MaxZero(LEAF_EQUITY_BITS());  // range-checks equity to [-2^96, 2^96)
        equityPositive[i].in <== equity[i];

        // equity >= MM, both within 129 signed bits
        solvent[i] = SignedGreaterEq(LEAF_MM_BITS() + 1);
        solvent[i].in[0] <== equity[i];
        solvent[i].in[1] <== mm[i];
        insolvent[i] <== used[i] * (1 - solvent[i].out);
        shortfall[i] <== insolvent[i] * (mm[i] - equity[i]);

        leafHash[i] = VenueLeaf();
        leafHash[i].account_id <== account_id[i];
        leafHash[i].account_commitment <== account_commitment[i];
        leafHash[i].im <== im[i];
        leafHash[i].mm <== mm[i];
        leafHash[i].collateral <== collateral[i];
        leafHash[i].equity <== equity[i];
        leaf[i] <== used[i] * leafHash[i].out;

        if (i + 1 < B) {
            lastMark[i] <== used[i] - used[i + 1];
        } else {
            lastMark[i] <== used[i];
        }
        usedSum += used[i];
        imSum += im[i];
        mmSum += mm[i];
        collateralSum += collateral[i];
        equitySum += equityPositive[i].out;  // 0 in an unused slot: its equity is 0
        insolventSum += insolvent[i];
        shortfallSum += shortfall[i];
    }
    signal lastIdTerm[B];
    for (var i = 0; i < B; i++) {
        lastIdTerm[i] <== lastMark[i] * account_id[i];
        lastId += lastIdTerm[i];
    }
    count === usedSum;
    component countRange = UnsignedRangeCheck(LEVELS * 2 + 1);
    countRange.in <== count - 1;  // count >= 1 (count <= B as a sum of B booleans)
    used[0] === 1;

    // ---- the batch's subtree ----
    signal node[LEVELS + 1][B];
    component hashers[LEVELS][B \ 4];
    for (var i = 0; i < B; i++) {
        node[0][i] <== leaf[i];
    }
    var width = B;
    for (var h = 0; h < LEVELS; h++) {
        width = width \ 4;
        for (var j = 0; j < width; j++) {
            hashers[h][j] = Poseidon(4);
            for (var c = 0; c < 4; c++) {
                hashers[h][j].inputs[c] <== node[h][4 * j + c];
            }
            node[h + 1][j] <== hashers[h][j].out;
        }
        for (var j = width; j < B; j++) {
            node[h + 1][j] <== 0;
        }
    }
    batch_root === node[LEVELS][0];

    // ---- the totals after the batch, range-checked and committed ----
    signal after[8];
    after[0] <== before[0] + count;
    after[1] <== lastId;
    after[2] <== before[2] + imSum;
    after[3] <== before[3] + mmSum;
    after[4] <== before[4] + collateralSum;
    after[5] <== before[5] + equitySum;
    after[6] <== before[6] + insolventSum;
    after[7] <== before[7] + shortfallSum;
    component afterRange[8];
    for (var i = 0; i < 8; i++) {
        afterRange[i] = UnsignedRangeCheck(WIDTH[i]);
        afterRange[i].in <== after[i];
    }
    component closed = TotalsCommitment();
    closed.totals <== after;
    closed.salt <== salt_after;
    chain_after === closed.out;
}
