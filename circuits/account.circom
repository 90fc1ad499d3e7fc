pragma circom 2.1.0;

// The zkmargin account statement: "the account committed to by account_commitment has initial and
// maintenance margin IM and MM, computed by the zkmargin rules from the risk parameters committed to by
// params_root, and its equity covers MM".  The Python twin of every hash is statement/commitments.py;
// the arithmetic is engine/reference.py (rules R1-R6 of zkmargin/constants.py).

include "bitify.circom";
include "poseidon.circom";
include "lib/contract.circom";
include "lib/range.circom";
include "lib/compare.circom";
include "lib/max.circom";
include "lib/divmod.circom";
include "lib/hash.circom";
include "lib/merkle4.circom";

// Domain tags that keep the four hashed encodings apart (statement/commitments.py has the same values).
function DOMAIN_INSTRUMENT() { return 1; }
function DOMAIN_COLLATERAL() { return 2; }
function DOMAIN_PARAMS() { return 3; }
function DOMAIN_ACCOUNT() { return 4; }

// IM and MM are packed into one public signal as IM * 2^128 + MM.
function MARGIN_PACK_BITS() { return 128; }
// requirement * multiplier: requirement is a signed MONEY_BITS value >= 0, the multiplier MULT_BITS wide.
function SCALED_BITS() { return MONEY_BITS() + MULT_BITS(); }
// sum_k balance_k * price_k * (BP - haircut_k) over at most MAX_ASSETS assets: 64 + 48 + 14 + 6 bits.
function COLLATERAL_NUM_BITS() { return BALANCE_BITS() + PRICE_BITS() + 14 + 6; }

/**
 * Hash of one instrument leaf: HashList([DOMAIN_INSTRUMENT, group, mark, charge, delta, vega, risk[0..S-1]]).
 *
 * @param S        scenarios
 * @input fields   any field elements (signed values in the field encoding)
 * @output out     the leaf
 *
 * Cost: HashList(6 + S), e.g. ~1,190 constraints at S = 24.
 */
template InstrumentLeaf(S) {
    signal input group;
    signal input mark;
    signal input charge;
    signal input delta;
    signal input vega;
    signal input risk[S];
    signal output out;

    component h = HashList(6 + S);
    h.in[0] <== DOMAIN_INSTRUMENT();
    h.in[1] <== group;
    h.in[2] <== mark;
    h.in[3] <== charge;
    h.in[4] <== delta;
    h.in[5] <== vega;
    for (var s = 0; s < S; s++) {
        h.in[6 + s] <== risk[s];
    }
    out <== h.out;
}

/**
 * One-hot selector of a group id: sel[g] = 1 iff group == g.  Fails unless 0 <= group < G.
 *
 * @param G       number of groups, G >= 1
 * @input group   any field element; constrained here to {0, ..., G-1}
 * @output sel[G] booleans summing to 1
 *
 * Cost: G (booleanity) constraints; the two sums are linear.
 */
template GroupSelector(G) {
    assert(G >= 1);
    signal input group;
    signal output sel[G];

    var total = 0;
    var weighted = 0;
    for (var g = 0; g < G; g++) {
        sel[g] <-- group == g ? 1 : 0;
        sel[g] * (sel[g] - 1) === 0;  // pins sel[g] to a bit; the two sums below pin which bit is set
        total += sel[g];
        weighted += g * sel[g];
    }
    total === 1;
    weighted === group;
}

/**
 * The account margin statement.
 *
 * @param N  position slots; unused slots hold qty = 0 (any leaf index with a valid path)
 * @param S  scenarios per risk array
 * @param G  underlying groups
 * @param K  collateral assets
 * @param D  tree capacity 2^D leaves (a quaternary tree of D/2 levels); D even
 *
 * Public inputs
 * @input params_root         Poseidon(6)(DOMAIN_PARAMS, instruments_root, collateral_hash, im_bp, mm_bp, epoch)
 * @input account_commitment  HashList(DOMAIN_ACCOUNT, N, K, (leaf_index_p, qty_p)_p, balance_k..., salt)
 * @input margins             IM * 2^128 + MM, micro-units of quote currency
 *
 * Private inputs and their bounds
 * @input qty[N]              range-checked here to signed QTY_BITS
 * @input leaf_index[N]       range-checked here to [0, 2^D) by the Merkle gadget
 * @input group[N]            constrained here to [0, G)
 * @input mark[N], charge[N], delta[N], vega[N], risk[N][S]
 *                            ASSUMES the number contract (|risk|, |mark| < 2^40, 0 <= charge < 2^40):
 *                            bound to params_root by the leaf hash and Merkle path; the bound is guaranteed
 *                            by the venue that publishes the root and checked by auditors, who recompute the
 *                            root from the market snapshot with the engine (zkmargin audit)
 * @input siblings[N][D/2][3] Merkle paths
 * @input instruments_root, epoch
 * @input asset_price[K]      range-checked here to PRICE_BITS
 * @input haircut_bp[K]       range-checked here to [0, 10^4]
 * @input im_bp, mm_bp        range-checked here to MULT_BITS
 * @input balance[K]          range-checked here to BALANCE_BITS
 * @input salt                any field element; chosen at random (>= 128 bits) so the commitment hides
 *
 * Cost: see circuits/constraints.json; about 2,900 constraints per position at S = 24, D = 10
 *       (2,400 at S = 16, D = 8), most of it the leaf hash and the Merkle path.
 */
template AccountMargin(N, S, G, K, D) {
    assert(N >= 1 && N <= MAX_POSITIONS());  // loss sums stay below 2^(MONEY_BITS-1)
    assert(S >= 1);
    assert(G >= 1);
    assert(K >= 1 && K <= MAX_ASSETS());     // COLLATERAL_NUM_BITS assumes at most 64 assets
    assert(D >= 2 && D % 2 == 0);            // quaternary levels
    var L = D \ 2;
    var MB = MONEY_BITS();

    signal input params_root;
    signal input account_commitment;
    signal input margins;

    signal input qty[N];
    signal input leaf_index[N];
    signal input group[N];
    signal input mark[N];
    signal input charge[N];
    signal input delta[N];
    signal input vega[N];
    signal input risk[N][S];
    signal input siblings[N][L][3];
    signal input instruments_root;
    signal input asset_price[K];
    signal input haircut_bp[K];
    signal input im_bp;
    signal input mm_bp;
    signal input epoch;
    signal input balance[K];
    signal input salt;

    // ---- risk parameters: params_root binds the tree, the collateral table and the multipliers ----
    component collateralHash = HashList(1 + 2 * K);
    collateralHash.in[0] <== DOMAIN_COLLATERAL();
    component priceRange[K];
    component haircutRange[K];
    component haircutCap[K];
    for (var k = 0; k < K; k++) {
        collateralHash.in[1 + 2 * k] <== asset_price[k];
        collateralHash.in[2 + 2 * k] <== haircut_bp[k];
        priceRange[k] = UnsignedRangeCheck(PRICE_BITS());
        priceRange[k].in <== asset_price[k];
        haircutRange[k] = UnsignedRangeCheck(14);
        haircutRange[k].in <== haircut_bp[k];             // haircut >= 0
        haircutCap[k] = UnsignedRangeCheck(14);
        haircutCap[k].in <== BP() - haircut_bp[k];        // haircut <= 10^4
    }
    component imRange = UnsignedRangeCheck(MULT_BITS());
    imRange.in <== im_bp;
    component mmRange = UnsignedRangeCheck(MULT_BITS());
    mmRange.in <== mm_bp;
    component paramsHash = Poseidon(6);
    paramsHash.inputs[0] <== DOMAIN_PARAMS();
    paramsHash.inputs[1] <== instruments_root;
    paramsHash.inputs[2] <== collateralHash.out;
    paramsHash.inputs[3] <== im_bp;
    paramsHash.inputs[4] <== mm_bp;
    paramsHash.inputs[5] <== epoch;
    params_root === paramsHash.out;

    // ---- positions: each row is a leaf of the committed tree ----
    component qtyBits[N];
    component leaf[N];
    component path[N];
    component sel[N];
    signal short[N];         // max(-qty, 0): short lots of the slot
    signal shortCharge[N];   // short lots * short-option-minimum charge per lot
    signal markValue[N];     // qty * mark
    signal groupQty[N][G];   // qty if the slot is in group g, else 0
    signal groupShort[N][G];
    signal groupCharge[N][G];
    signal pnl[N][G][S];     // groupQty * risk: the slot's P&L in scenario s, counted in group g
    for (var p = 0; p < N; p++) {
        // signed range check of qty; bit QTY_BITS-1 of qty + 2^(QTY_BITS-1) is 1 exactly when qty >= 0
        qtyBits[p] = Num2Bits(QTY_BITS());
        qtyBits[p].in <== qty[p] + (1 << (QTY_BITS() - 1));
        short[p] <== -qty[p] * (1 - qtyBits[p].out[QTY_BITS() - 1]);
        shortCharge[p] <== short[p] * charge[p];
        markValue[p] <== qty[p] * mark[p];

        leaf[p] = InstrumentLeaf(S);
        leaf[p].group <== group[p];
        leaf[p].mark <== mark[p];
        leaf[p].charge <== charge[p];
        leaf[p].delta <== delta[p];
        leaf[p].vega <== vega[p];
        leaf[p].risk <== risk[p];
        path[p] = QuadMerkleInclusion(L);
        path[p].leaf <== leaf[p].out;
        path[p].index <== leaf_index[p];
        path[p].siblings <== siblings[p];
        path[p].root === instruments_root;

        sel[p] = GroupSelector(G);
        sel[p].group <== group[p];
        for (var g = 0; g < G; g++) {
            groupQty[p][g] <== qty[p] * sel[p].sel[g];
            groupShort[p][g] <== short[p] * sel[p].sel[g];
            groupCharge[p][g] <== shortCharge[p] * sel[p].sel[g];
            for (var s = 0; s < S; s++) {
                pnl[p][g][s] <== groupQty[p][g] * risk[p][s];
            }
        }
    }

    // ---- per group: scan risk, short option minimum, group risk (rules R1, R2) ----
    // |loss| <= N * (2^80 + 2^40) < 2^(MB-1) for N <= 256, so every loss is a signed MB-bit value.
    signal loss[G][S + 1];
    signal scan[G];
    signal som[G];
    signal groupRisk[G];
    component scanMax[G];
    component riskMax[G];
    for (var g = 0; g < G; g++) {
        var shortLots = 0;
        var charges = 0;
        for (var p = 0; p < N; p++) {
            shortLots += groupShort[p][g];
            charges += groupCharge[p][g];
        }
        som[g] <== charges;
        for (var s = 0; s < S; s++) {
            var total = shortLots;
            for (var p = 0; p < N; p++) {
                total -= pnl[p][g][s];
            }
            loss[g][s] <== total;
        }
        loss[g][S] <== 0;  // scan risk is floored at zero
        scanMax[g] = SignedMax(S + 1, MB);
        scanMax[g].in <== loss[g];
        scan[g] <== scanMax[g].out;
        riskMax[g] = SignedMax(2, MB);  // som >= 0 and < N * 2^80: a signed MB-bit value
        riskMax[g].in[0] <== scan[g];
        riskMax[g].in[1] <== som[g];
        groupRisk[g] <== riskMax[g].out;
    }

    // ---- margin (rule R5): MM = ceil(requirement * mm_bp / 10^4), IM likewise ----
    var requirementSum = 0;
    for (var g = 0; g < G; g++) {
        requirementSum += groupRisk[g];
    }
    signal requirement <== requirementSum;  // 0 <= requirement < G * 2^(MB-1)
    signal mmScaled <== requirement * mm_bp;
    signal imScaled <== requirement * im_bp;
    component mmDiv = CeilDiv(SCALED_BITS() + 8, BP());
    mmDiv.in <== mmScaled;
    component imDiv = CeilDiv(SCALED_BITS() + 8, BP());
    imDiv.in <== imScaled;
    signal mm <== mmDiv.q;  // < 2^(SCALED_BITS + 8) <= 2^128 (checked by CeilDiv)
    signal im <== imDiv.q;
    margins === im * (1 << MARGIN_PACK_BITS()) + mm;

    // ---- collateral (rule R6) and equity (rules R2, R3) ----
    component balanceRange[K];
    signal weight[K];
    signal weighted[K];
    var collateralSum = 0;
    for (var k = 0; k < K; k++) {
        balanceRange[k] = UnsignedRangeCheck(BALANCE_BITS());
        balanceRange[k].in <== balance[k];
        weight[k] <== asset_price[k] * (BP() - haircut_bp[k]);
        weighted[k] <== balance[k] * weight[k];
        collateralSum += weighted[k];
    }
    component collateralDiv = FloorDiv(COLLATERAL_NUM_BITS(), BALANCE_SCALE() * BP());
    collateralDiv.in <== collateralSum;
    signal collateral <== collateralDiv.q;

    var positionSum = 0;
    for (var p = 0; p < N; p++) {
        positionSum += markValue[p] - short[p];
    }
    signal equity <== collateral + positionSum;
    // solvency: equity - MM in [0, 2^(SCALED_BITS + 9)); both sides are far below r / 2 in magnitude
    component solvent = AssertSignedGreaterEq(SCALED_BITS() + 9);
    solvent.in[0] <== equity;
    solvent.in[1] <== mm;

    // ---- the account commitment ----
    component commitment = HashList(3 + 2 * N + K + 1);
    commitment.in[0] <== DOMAIN_ACCOUNT();
    commitment.in[1] <== N;
    commitment.in[2] <== K;
    for (var p = 0; p < N; p++) {
        commitment.in[3 + 2 * p] <== leaf_index[p];
        commitment.in[4 + 2 * p] <== qty[p];
    }
    for (var k = 0; k < K; k++) {
        commitment.in[3 + 2 * N + k] <== balance[k];
    }
    commitment.in[3 + 2 * N + K] <== salt;
    account_commitment === commitment.out;
}
