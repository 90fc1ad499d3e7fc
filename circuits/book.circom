pragma circom 2.1.0;

// A book of any size as chunk proofs combined by one proof.  AccountMargin costs about 4,400 constraints per
// position, so a book of 256 positions would be one circuit of over a million constraints; here each chunk of C
// positions is proven on its own (AccountChunk) and one proof (BookMargin) runs the account's margin on the sums
// of M chunks.
//
// The statement of a book is the pair of:
//   * one BookMargin proof with public signals [params_root, account_commitment, margin_commitment, disclosure,
//     chunk_link[0..M-1]]: the account statement of circuits/account.circom (same first four signals, same
//     meaning) for an account committed as M chunks, given that every nonzero chunk_link[i] is the link of a
//     proven chunk;
//   * for every i with chunk_link[i] != 0, one AccountChunk proof with public signals [params_root,
//     chunk_link[i]], both taken from the book's public signals (an unused chunk has link 0 and needs no proof).
// The link binds a chunk's index, the book's group slots, every sum the chunk computed, its positions and the
// book's salt, so the book's sums are exactly the sums of proven chunks over exactly the committed positions.
// A verifier that accepts the book proof without every chunk proof learns nothing: the sums would be free.
//
// The Python twins: statement/commitments.py (positions_hash, chunk_link, book_commitment) and prover/book.py.

include "account.circom";

/**
 * Hash of a chunk's positions: HashList(DOMAIN_POSITIONS, C, (leaf_index_p, qty_p) for p < C).
 *
 * @param C              position rows
 * @input leaf_index[C]  any field elements (hashed only; PositionRows range-checks them)
 * @input qty[C]         any field elements (hashed only; PositionRows range-checks them)
 * @output out           the positions hash
 *
 * Cost: HashList(2 + 2C): 459 at C = 4 (one Poseidon(10)), 1,515 at C = 16.
 */
template PositionsHash(C) {
    assert(C >= 1);

    signal input leaf_index[C];
    signal input qty[C];
    signal output out;

    component h = HashList(2 + 2 * C);
    h.in[0] <== DOMAIN_POSITIONS();
    h.in[1] <== C;
    for (var p = 0; p < C; p++) {
        h.in[2 + 2 * p] <== leaf_index[p];
        h.in[3 + 2 * p] <== qty[p];
    }
    out <== h.out;
}

/**
 * The link between a chunk proof and the book proof:
 *   HashList(DOMAIN_CHUNK, chunk_index, key[0..G-1],
 *            (shortLots[g], calls[g], puts[g], positionDelta[g], positionPnl[g][0..S-1]) for g < G,
 *            liabilities, optionTotal, positionValue, positions_hash, salt)
 * (the sums of PositionRows, in that order).  The salt hides the sums and the positions behind the public link.
 *
 * @param G  group slots
 * @input every input: any field elements (hashed only)
 * @output out  the link
 *
 * Cost: HashList(G * (S + 5) + 7): 97 elements at G = 2 (4,035), 142 at G = 3 (5,862).
 */
template ChunkLink(G) {
    var S = MARKET_SCENARIOS();
    var W = G * (S + 5) + 7;

    signal input chunk_index;
    signal input key[G];
    signal input shortLots[G];
    signal input calls[G];
    signal input puts[G];
    signal input positionDelta[G];
    signal input positionPnl[G][S];
    signal input liabilities;
    signal input optionTotal;
    signal input positionValue;
    signal input positions_hash;
    signal input salt;
    signal output out;

    component h = HashList(W);
    h.in[0] <== DOMAIN_CHUNK();
    h.in[1] <== chunk_index;
    for (var g = 0; g < G; g++) {
        h.in[2 + g] <== key[g];
    }
    var at = 2 + G;
    for (var g = 0; g < G; g++) {
        h.in[at] <== shortLots[g];
        h.in[at + 1] <== calls[g];
        h.in[at + 2] <== puts[g];
        h.in[at + 3] <== positionDelta[g];
        for (var s = 0; s < S; s++) {
            h.in[at + 4 + s] <== positionPnl[g][s];
        }
        at += S + 4;
    }
    h.in[at] <== liabilities;
    h.in[at + 1] <== optionTotal;
    h.in[at + 2] <== positionValue;
    h.in[at + 3] <== positions_hash;
    h.in[at + 4] <== salt;
    assert(at + 5 == W);
    out <== h.out;
}

/**
 * One chunk of a book: C position rows, each a leaf of the instrument tree committed to by params_root, summed
 * per group slot exactly as AccountMargin sums its rows (PositionRows).  It proves "chunk_link is the link of
 * chunk chunk_index of a book with these group slots: of positions that hash to positions_hash, with these
 * sums".
 *
 * @param C  position rows, 1 <= C <= MAX_POSITIONS; an unused row holds qty = 0 and group slot code G
 * @param G  group slots (the book's): 2 <= G <= MAX_GROUPS
 *
 * Public inputs
 * @input params_root         as AccountMargin's; the book's params_root
 * @input chunk_link          ChunkLink of the chunk (one of the book's chunk_link signals)
 *
 * Private inputs and their bounds
 * @input chunk_index         any field element: hashed into the link; BookMargin recomputes the link with the
 *                            chunk's place in the book, so a chunk proof serves at that place only
 * @input qty[C], leaf_index[C], position_slot[C], group[C], kind[C], mark[C], charge[C], delta[C], vega[C],
 *        risk[C][S], siblings[C][INSTRUMENT_DEPTH/2][3]  the position rows: constrained in PositionRows
 * @input group_id[G]         range-checked here to [0, 2^GROUP_DEPTH)
 * @input group_used[G]       boolean, used slots first, used ids strictly increasing (GroupKeys); the keys enter
 *                            the link, and BookMargin recomputes it with the book's own keys (whose tiers it
 *                            opens), so a chunk with other group slots has no book
 * @input instruments_root    the root the paths open to; any field element
 * @input table_hash, im_bp, mm_bp, epoch  any field elements: hashed only (the chunk opens params_root to reach
 *                            instruments_root; the book range-checks and uses the rest)
 * @input salt                any field element; the book's salt (the link hides the sums)
 *
 * Cost: PositionRows(C) (about 4,400 per row) + PositionsHash(C) + ChunkLink(G) + ParamsRoot (354) + the keys;
 *       21,996 at C = 4, G = 2 and 77,030 at C = 16, G = 3 (circuits/constraints.json).
 */
template AccountChunk(C, G) {
    assert(C >= 1 && C <= MAX_POSITIONS());
    assert(G >= 2 && G <= MAX_GROUPS());
    var S = MARKET_SCENARIOS();
    var L = INSTRUMENT_DEPTH() \ 2;

    signal input params_root;
    signal input chunk_link;

    signal input chunk_index;
    signal input qty[C];
    signal input leaf_index[C];
    signal input position_slot[C];
    signal input group[C];
    signal input kind[C];
    signal input mark[C];
    signal input charge[C];
    signal input delta[C];
    signal input vega[C];
    signal input risk[C][S];
    signal input siblings[C][L][3];
    signal input group_id[G];
    signal input group_used[G];
    signal input instruments_root;
    signal input table_hash;
    signal input im_bp;
    signal input mm_bp;
    signal input epoch;
    signal input salt;

    // ---- risk parameters: only the instrument tree is used here ----
    component paramsHash = ParamsRoot();
    paramsHash.instruments_root <== instruments_root;
    paramsHash.table_hash <== table_hash;
    paramsHash.im_bp <== im_bp;
    paramsHash.mm_bp <== mm_bp;
    paramsHash.epoch <== epoch;
    params_root === paramsHash.out;

    // ---- the book's group slots: no tiers are opened here (the book opens them), only the keys ----
    component groupIdRange[G];
    for (var g = 0; g < G; g++) {
        groupIdRange[g] = UnsignedRangeCheck(GROUP_DEPTH());  // what GroupKeys assumes
        groupIdRange[g].in <== group_id[g];
    }
    component keys = GroupKeys(G);
    keys.group_id <== group_id;
    keys.group_used <== group_used;

    // ---- the positions, summed per group slot ----
    component rows = PositionRows(C, G);
    rows.qty <== qty;
    rows.leaf_index <== leaf_index;
    rows.position_slot <== position_slot;
    rows.group <== group;
    rows.kind <== kind;
    rows.mark <== mark;
    rows.charge <== charge;
    rows.delta <== delta;
    rows.vega <== vega;
    rows.risk <== risk;
    rows.siblings <== siblings;
    rows.key <== keys.key;
    rows.instruments_root <== instruments_root;

    // ---- the link ----
    component positions = PositionsHash(C);
    positions.leaf_index <== leaf_index;
    positions.qty <== qty;
    component link = ChunkLink(G);
    link.chunk_index <== chunk_index;
    link.key <== keys.key;
    link.shortLots <== rows.shortLots;
    link.calls <== rows.calls;
    link.puts <== rows.puts;
    link.positionDelta <== rows.positionDelta;
    link.positionPnl <== rows.positionPnl;
    link.liabilities <== rows.liabilities;
    link.optionTotal <== rows.optionTotal;
    link.positionValue <== rows.positionValue;
    link.positions_hash <== positions.out;
    link.salt <== salt;
    chunk_link === link.out;
}

/**
 * A book's margin figures: params_root from its parts, GroupSlots, each used chunk's link recomputed, the sums
 * over the chunks, AccountFigures over them, and the book's account commitment.  BookMargin (below) and the
 * venue's VenueBook (circuits/venue.circom) claim different things about these figures.
 *
 * @param M, C, G, K and the inputs: as BookMargin's private inputs and chunk_link[M] (below), constrained as
 *                   documented there
 * @output params_root         Poseidon(6)(DOMAIN_PARAMS, instruments_root, table_hash, im_bp, mm_bp, epoch)
 * @output account_commitment  the book's commitment (BookMargin's formula)
 * @output im, mm, margins, collateral, equity  AccountFigures' outputs over the book's sums, within its bounds
 *
 * Cost: M * ChunkLink(G) + M * (G * (S + 4) + 4) (unused chunks hold zeros) + GroupSlots(G) + AccountFigures(G, K)
 *       + the commitment.
 */
template BookCore(M, C, G, K) {
    assert(M >= 1 && C >= 1 && M * C <= MAX_POSITIONS());  // AccountFigures' bounds: at most 2^8 rows
    assert(G >= 2 && G <= MAX_GROUPS());
    assert(K >= 1 && K <= MAX_ASSETS());
    var S = MARKET_SCENARIOS();
    var GL = GROUP_DEPTH() \ 2;
    var AL = ASSET_DEPTH() \ 2;
    var T = MAX_TIERS();

    signal input chunk_link[M];

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
    signal output params_root;
    signal output account_commitment;
    signal output im;
    signal output mm;
    signal output margins;
    signal output collateral;
    signal output equity;

    // ---- risk parameters: params_root binds the three trees, the credit and the multipliers ----
    component tableHash = TableHash();
    tableHash.groups_root <== groups_root;
    tableHash.assets_root <== assets_root;
    tableHash.credit_bp <== credit_bp;
    component paramsHash = ParamsRoot();
    paramsHash.instruments_root <== instruments_root;
    paramsHash.table_hash <== tableHash.out;
    paramsHash.im_bp <== im_bp;
    paramsHash.mm_bp <== mm_bp;
    paramsHash.epoch <== epoch;
    params_root <== paramsHash.out;

    // ---- group slots: the book's underlyings, each a leaf of the group table ----
    component groups = GroupSlots(G);
    groups.group_id <== group_id;
    groups.group_used <== group_used;
    groups.tier_threshold <== tier_threshold;
    groups.tier_rate <== tier_rate;
    groups.group_siblings <== group_siblings;
    groups.groups_root <== groups_root;

    // ---- the chunks: each used chunk's link recomputed at its index with the book's keys ----
    component link[M];
    for (var i = 0; i < M; i++) {
        chunk_used[i] * (chunk_used[i] - 1) === 0;
        if (i > 0) {
            chunk_used[i] * (1 - chunk_used[i - 1]) === 0;  // used chunks first
        }
        link[i] = ChunkLink(G);
        link[i].chunk_index <== i;
        link[i].key <== groups.key;
        link[i].shortLots <== chunk_short[i];
        link[i].calls <== chunk_calls[i];
        link[i].puts <== chunk_puts[i];
        link[i].positionDelta <== chunk_delta[i];
        link[i].positionPnl <== chunk_pnl[i];
        link[i].liabilities <== chunk_liabilities[i];
        link[i].optionTotal <== chunk_option_value[i];
        link[i].positionValue <== chunk_position_value[i];
        link[i].positions_hash <== positions_hash[i];
        link[i].salt <== salt;
        chunk_link[i] === chunk_used[i] * link[i].out;     // a used chunk's link, or 0

        // an unused chunk has no proof behind it: it holds no positions and adds nothing to the sums
        positions_hash[i] * (1 - chunk_used[i]) === 0;
        chunk_liabilities[i] * (1 - chunk_used[i]) === 0;
        chunk_option_value[i] * (1 - chunk_used[i]) === 0;
        chunk_position_value[i] * (1 - chunk_used[i]) === 0;
        for (var g = 0; g < G; g++) {
            chunk_short[i][g] * (1 - chunk_used[i]) === 0;
            chunk_calls[i][g] * (1 - chunk_used[i]) === 0;
            chunk_puts[i][g] * (1 - chunk_used[i]) === 0;
            chunk_delta[i][g] * (1 - chunk_used[i]) === 0;
            for (var s = 0; s < S; s++) {
                chunk_pnl[i][g][s] * (1 - chunk_used[i]) === 0;
            }
        }
    }

    // ---- the book's sums: over at most M * C <= 2^8 rows of proven chunks (bounds above) ----
    signal shortLots[G];
    signal calls[G];
    signal puts[G];
    signal positionDelta[G];
    signal positionPnl[G][S];
    for (var g = 0; g < G; g++) {
        var shortSum = 0;
        var callSum = 0;
        var putSum = 0;
        var deltaSum = 0;
        for (var i = 0; i < M; i++) {
            shortSum += chunk_short[i][g];
            callSum += chunk_calls[i][g];
            putSum += chunk_puts[i][g];
            deltaSum += chunk_delta[i][g];
        }
        shortLots[g] <== shortSum;
        calls[g] <== callSum;
        puts[g] <== putSum;
        positionDelta[g] <== deltaSum;
        for (var s = 0; s < S; s++) {
            var pnlSum = 0;
            for (var i = 0; i < M; i++) {
                pnlSum += chunk_pnl[i][g][s];
            }
            positionPnl[g][s] <== pnlSum;
        }
    }
    var liabilitySum = 0;
    var optionSum = 0;
    var positionSum = 0;
    for (var i = 0; i < M; i++) {
        liabilitySum += chunk_liabilities[i];
        optionSum += chunk_option_value[i];
        positionSum += chunk_position_value[i];
    }

    // ---- the margin, collateral and equity ----
    component figures = AccountFigures(G, K);
    figures.shortLots <== shortLots;
    figures.calls <== calls;
    figures.puts <== puts;
    figures.positionDelta <== positionDelta;
    figures.positionPnl <== positionPnl;
    figures.liabilities <== liabilitySum;
    figures.optionTotal <== optionSum;
    figures.positionValue <== positionSum;
    figures.key <== groups.key;
    figures.tier_threshold <== tier_threshold;
    figures.tier_rate <== tier_rate;
    figures.asset_id <== asset_id;
    figures.asset_used <== asset_used;
    figures.asset_price <== asset_price;
    figures.haircut_bp <== haircut_bp;
    figures.asset_group <== asset_group;
    figures.asset_risk <== asset_risk;
    figures.asset_slot <== asset_slot;
    figures.asset_siblings <== asset_siblings;
    figures.balance <== balance;
    figures.assets_root <== assets_root;
    figures.credit_bp <== credit_bp;
    figures.im_bp <== im_bp;
    figures.mm_bp <== mm_bp;
    im <== figures.im;
    mm <== figures.mm;
    margins <== figures.margins;
    collateral <== figures.collateral;
    equity <== figures.equity;

    // ---- the book's account commitment ----
    component commitment = HashList(3 + M + 2 * K + 1);
    commitment.in[0] <== DOMAIN_BOOK();
    commitment.in[1] <== M;
    commitment.in[2] <== K;
    for (var i = 0; i < M; i++) {
        commitment.in[3 + i] <== positions_hash[i];
    }
    for (var k = 0; k < K; k++) {
        commitment.in[3 + M + 2 * k] <== asset_id[k];
        commitment.in[4 + M + 2 * k] <== balance[k];
    }
    commitment.in[3 + M + 2 * K] <== salt;
    account_commitment <== commitment.out;
}

/**
 * The account margin statement of a book of M chunks of C positions: AccountMargin's statement (same first four
 * public signals, same meaning) for the account committed as
 *   account_commitment = HashList(DOMAIN_BOOK, M, K, positions_hash[0..M-1], (asset_id_k, balance_k)_k, salt),
 * positions_hash[i] = PositionsHash of chunk i (0 for an unused chunk), provided every nonzero chunk_link[i] is
 * proven by an AccountChunk(C, G) proof with the same params_root.
 *
 * @param M  chunks, M >= 1; used chunks first
 * @param C  position rows per chunk (the AccountChunk circuit the book goes with): M * C <= MAX_POSITIONS, so
 *           the sums below are sums over at most 2^8 rows and AccountFigures's bounds hold
 * @param G  group slots, 2 <= G <= MAX_GROUPS
 * @param K  collateral slots, 1 <= K <= MAX_ASSETS
 *
 * Public inputs
 * @input params_root, account_commitment (the book's, above), margin_commitment, disclosure  as AccountMargin's
 * @input chunk_link[M]       a used chunk's ChunkLink, recomputed here from its index, the book's group keys, its
 *                            sums, its positions hash and the salt; 0 for an unused chunk
 *
 * Private inputs and their bounds
 * @input chunk_used[M]       boolean, used chunks first
 * @input chunk_short[M][G], chunk_calls[M][G], chunk_puts[M][G], chunk_delta[M][G], chunk_pnl[M][G][S],
 *        chunk_liabilities[M], chunk_option_value[M], chunk_position_value[M]
 *                            a chunk's sums (PositionRows' shortLots, calls, puts, positionDelta, positionPnl,
 *                            liabilities, optionTotal, positionValue): any field elements here, bound by the link
 *                            to what a proven AccountChunk computed, so within PositionRows' bounds at N = C
 *                            (hashed values are never range-checked twice: the chunk proof is the range check);
 *                            0 in an unused chunk.  Their sums over the M chunks are then sums over at most
 *                            M * C <= 2^8 rows, which is what AccountFigures assumes: shortLots in [0, 2^48],
 *                            liabilities in [0, 2^49] (so 0 exactly when no chunk has a liability), every other
 *                            sum of magnitude at most 2^88, and no sum wraps modulo r
 * @input positions_hash[M]   a chunk's PositionsHash, bound by its link; 0 in an unused chunk
 * @input group_id[G], group_used[G], tier_threshold[G][MAX_TIERS], tier_rate[G][MAX_TIERS],
 *        group_siblings[G][GROUP_DEPTH/2][3]  the group slots: constrained in GroupSlots
 * @input asset_id[K], asset_used[K], asset_price[K], haircut_bp[K], asset_group[K], asset_risk[K][S],
 *        asset_slot[K], asset_siblings[K][ASSET_DEPTH/2][3], balance[K]  constrained in AccountFigures
 * @input instruments_root, groups_root, assets_root, epoch  any field elements (hashed into params_root)
 * @input credit_bp, im_bp, mm_bp  range-checked in AccountFigures
 * @input salt                any field element; chosen at random (>= 128 bits): hides the commitments and links
 * @input disclosure_mode, disclosure_value  constrained in MarginClaim
 *
 * Cost: BookCore(M, C, G, K) and MarginClaim(): 49,349 at M = 3, G = 2, K = 3 and 145,622 at M = 16, G = 3,
 *       K = 4, of which the 16 links are 93,792 (circuits/constraints.json).
 */
template BookMargin(M, C, G, K) {
    var S = MARKET_SCENARIOS();
    var GL = GROUP_DEPTH() \ 2;
    var AL = ASSET_DEPTH() \ 2;
    var T = MAX_TIERS();

    signal input params_root;
    signal input account_commitment;
    signal input margin_commitment;
    signal input disclosure;
    signal input chunk_link[M];

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
    signal input disclosure_mode;
    signal input disclosure_value;

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
    account_commitment === core.account_commitment;

    component claim = MarginClaim();
    claim.im <== core.im;
    claim.mm <== core.mm;
    claim.margins <== core.margins;
    claim.equity <== core.equity;
    claim.salt <== salt;
    claim.margin_commitment <== margin_commitment;
    claim.disclosure <== disclosure;
    claim.disclosure_mode <== disclosure_mode;
    claim.disclosure_value <== disclosure_value;
}
