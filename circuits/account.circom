pragma circom 2.1.0;

// The zkmargin account statement: "the account committed to by account_commitment has initial and
// maintenance margin IM and MM, computed by the zkmargin rules (margin model v2) from the risk parameters
// committed to by params_root, and its equity covers MM".  The Python twin of every hash is
// statement/commitments.py; the arithmetic is engine/reference.py (rules R1-R10 of zkmargin/constants.py).

include "bitify.circom";
include "comparators.circom";
include "poseidon.circom";
include "lib/contract.circom";
include "lib/range.circom";
include "lib/compare.circom";
include "lib/max.circom";
include "lib/divmod.circom";
include "lib/hash.circom";
include "lib/merkle4.circom";
include "lib/select.circom";

// Domain tags that keep the four hashed encodings apart (statement/commitments.py has the same values).
function DOMAIN_INSTRUMENT() { return 1; }
function DOMAIN_TABLE() { return 2; }
function DOMAIN_PARAMS() { return 3; }
function DOMAIN_ACCOUNT() { return 4; }

// Instrument kinds (engine/risk.py KIND_*): the leaf's kind is one of these four codes.
function KIND_SPOT() { return 0; }
function KIND_LINEAR() { return 1; }  // perpetual or future
function KIND_CALL() { return 2; }
function KIND_PUT() { return 3; }
function N_KINDS() { return 4; }

// Size tiers per group in the risk table (engine/models.py MAX_TIERS; the table hash of
// statement/commitments.py has G * MAX_TIERS (threshold, rate) pairs, so the roots disagree if the two differ).
function MAX_TIERS() { return 2; }

// Most underlying groups a circuit may have: keeps the sums over groups below (requirement, separate scan
// risk) far from r; the shipped sizes have 2.
function MAX_GROUPS() { return 256; }

// IM and MM are packed into one public signal as IM * 2^128 + MM.
function MARGIN_PACK_BITS() { return 128; }

// ---- bit widths of the intermediate values, derived from the number contract ----
// |qty| <= 2^40, |risk| <= 2^40, |mark| <= 2^40, |delta| <= 2^40, 0 <= charge < 2^40 (RISK_BITS, QTY_BITS,
// CHARGE_BITS), balance < 2^64, |asset_risk| <= 2^55 (ASSET_RISK_BITS), N <= MAX_POSITIONS = 2^8 positions,
// K <= MAX_ASSETS = 2^6 assets, G <= MAX_GROUPS = 2^8 groups.

// Scenario loss scaled by 10^8 (rule R7: the ceiling is taken after the sum), of one group or of all:
//   |10^8 * sum_p qty_p * risk_p[s]| <= 2^8 * 2^80 * 10^8 < 2^114.6
//   10^8 * short lots                <= 2^8 * 2^40 * 10^8 < 2^74.6
//   |sum_k balance_k * asset_risk_k[s]| < 2^6 * 2^64 * 2^55 = 2^125
// so |scaled| < 2^125 + 2^114.6 + 2^74.6 < 2^126: signed 127 bits.  Each position and each asset counts in
// at most one group, so the joint sum over groups has the same bound.
function SCALED_LOSS_BITS() { return 127; }
// max(0, max_s scaled) lies in [0, 2^126): the input of the ceiling division by 10^8.
function SCALED_MAX_BITS() { return 126; }
// Net short call (or put) charge of a group: |sum_p qty_p * charge_p| <= 2^8 * 2^80 = 2^88: signed 89 bits.
function CHARGE_SUM_BITS() { return 89; }
// Net delta of a group in 1e-8 units: |100 * sum_p qty_p * delta_p| <= 100 * 2^88 < 2^94.65 and
// sum_k balance_k < 2^70, so |delta| < 2^94.7 < 2^95: signed 96 bits.  |delta| - threshold lies in
// (-2^63, 2^95) (TIER_BITS = 63): signed 96 bits as well.
function DELTA_BITS() { return 96; }
// Tier excess times rate: max(0, |delta| - threshold) < 2^95, rate < 2^48 (PRICE_BITS), MAX_TIERS = 2 terms:
// the sum is below 2^144.
function TIER_CHARGE_BITS() { return 144; }
// scan_g = ceil(scaled max / 10^8) < 2^126 / 10^8 + 1 < 2^99.5; the separate scan risk (the sum over
// G <= 2^8 groups) is below 2^107.5, and so is every other term of the scan and the requirement maximum:
// signed 109 bits.
function SCAN_BITS() { return 109; }
// (separate - joint) * credit_bp < 2^107.5 * 10^4 < 2^121: the input of the credit's floor division.
function CREDIT_NUM_BITS() { return 121; }
// requirement * multiplier: requirement < 2^96 (range-checked, rule R5), multiplier < 2^MULT_BITS.
function SCALED_BITS() { return MONEY_BITS() - 1 + MULT_BITS(); }
// MM - option value for the long-premium cap: MM < 2^116 / 10^4 + 1 < 2^103 and |option value| <= 2^88,
// so the difference lies in (-2^88, 2^104): signed 105 bits.
function CAP_BITS() { return 105; }
// sum_k balance_k * price_k * (BP - haircut_k) over at most MAX_ASSETS assets: 64 + 48 + 14 + 6 bits.
function COLLATERAL_NUM_BITS() { return BALANCE_BITS() + PRICE_BITS() + 14 + 6; }

/**
 * Hash of one instrument leaf: HashList([DOMAIN_INSTRUMENT, group, kind, mark, charge, delta, vega,
 * risk[0..S-1]]).
 *
 * @param S        scenarios
 * @input fields   any field elements (signed values in the field encoding)
 * @output out     the leaf
 *
 * Cost: HashList(7 + S), e.g. 1,218 constraints at S = 24.
 */
template InstrumentLeaf(S) {
    signal input group;
    signal input kind;
    signal input mark;
    signal input charge;
    signal input delta;
    signal input vega;
    signal input risk[S];
    signal output out;

    component h = HashList(7 + S);
    h.in[0] <== DOMAIN_INSTRUMENT();
    h.in[1] <== group;
    h.in[2] <== kind;
    h.in[3] <== mark;
    h.in[4] <== charge;
    h.in[5] <== delta;
    h.in[6] <== vega;
    for (var s = 0; s < S; s++) {
        h.in[7 + s] <== risk[s];
    }
    out <== h.out;
}

/**
 * Hash of the risk table beside the instrument tree: HashList([DOMAIN_TABLE,
 * (price_k, haircut_k, asset_group_k, asset_risk_k[0..S-1]) for k < K,
 * (tier_threshold[g][t], tier_rate[g][t]) for g < G, t < MAX_TIERS, credit_bp]).
 *
 * @param S, G, K  scenarios, groups, assets
 * @input fields   any field elements (signed values in the field encoding)
 * @output out     the table hash
 *
 * Cost: HashList(2 + K * (3 + S) + 2 * G * MAX_TIERS), e.g. 118 elements at S = 24, G = 2, K = 4.
 */
template RiskTableHash(S, G, K) {
    var T = MAX_TIERS();
    signal input asset_price[K];
    signal input haircut_bp[K];
    signal input asset_group[K];
    signal input asset_risk[K][S];
    signal input tier_threshold[G][T];
    signal input tier_rate[G][T];
    signal input credit_bp;
    signal output out;

    var n = 2 + K * (3 + S) + 2 * G * T;
    component h = HashList(n);
    h.in[0] <== DOMAIN_TABLE();
    var i = 1;
    for (var k = 0; k < K; k++) {
        h.in[i] <== asset_price[k];
        h.in[i + 1] <== haircut_bp[k];
        h.in[i + 2] <== asset_group[k];
        i += 3;
        for (var s = 0; s < S; s++) {
            h.in[i] <== asset_risk[k][s];
            i += 1;
        }
    }
    for (var g = 0; g < G; g++) {
        for (var t = 0; t < T; t++) {
            h.in[i] <== tier_threshold[g][t];
            h.in[i + 1] <== tier_rate[g][t];
            i += 2;
        }
    }
    h.in[i] <== credit_bp;
    out <== h.out;
}

/**
 * The account margin statement (margin model v2).
 *
 * @param N  position slots; unused slots hold qty = 0 (any leaf index with a valid path)
 * @param S  scenarios per risk array
 * @param G  underlying groups
 * @param K  collateral assets
 * @param D  tree capacity 2^D leaves (a quaternary tree of D/2 levels); D even
 *
 * Public inputs
 * @input params_root         Poseidon(6)(DOMAIN_PARAMS, instruments_root, table_hash, im_bp, mm_bp, epoch)
 * @input account_commitment  HashList(DOMAIN_ACCOUNT, N, K, (leaf_index_p, qty_p)_p, balance_k..., salt)
 * @input margins             IM * 2^128 + MM, micro-units of quote currency
 *
 * Private inputs and their bounds.  Every value read from the published parameters is range-checked here,
 * so a venue cannot publish a root whose values overflow the arithmetic below (a mark of 251 bits would
 * otherwise wrap qty * mark modulo r).
 * @input qty[N]              range-checked here to signed QTY_BITS
 * @input leaf_index[N]       range-checked here to [0, 2^D) by the Merkle gadget
 * @input group[N]            constrained here to [0, G)
 * @input kind[N]             constrained here to {0, 1, 2, 3} (spot, perpetual or future, call, put)
 * @input mark[N]             range-checked here to signed RISK_BITS
 * @input charge[N]           range-checked here to unsigned CHARGE_BITS
 * @input delta[N]            range-checked here to signed RISK_BITS
 * @input vega[N]             any field element: only hashed into the leaf, never used in arithmetic
 * @input risk[N][S]          range-checked here to signed RISK_BITS
 * @input siblings[N][D/2][3] Merkle paths
 * @input instruments_root    the tree root the paths open to; any field element
 * @input epoch               any field element (hashed only)
 * @input asset_price[K]      range-checked here to PRICE_BITS
 * @input haircut_bp[K]       range-checked here to [0, 10^4]
 * @input asset_group[K]      constrained here to [0, G]; G means the asset is no underlying and joins no group
 * @input asset_risk[K][S]    range-checked here to signed ASSET_RISK_BITS
 * @input tier_threshold[G][MAX_TIERS]  range-checked here to unsigned TIER_BITS
 * @input tier_rate[G][MAX_TIERS]       range-checked here to unsigned PRICE_BITS
 * @input credit_bp           range-checked here to [0, MAX_CREDIT_BP]
 * @input im_bp, mm_bp        range-checked here to MULT_BITS
 * @input balance[K]          range-checked here to BALANCE_BITS
 * @input salt                any field element; chosen at random (>= 128 bits) so the commitment hides
 *
 * Rejected besides a false statement: a requirement or IM of 2^96 or more (engine/reference.py raises
 * BoundsError for them too), and a negative IM or MM (only a long-premium cap with a negative option mark
 * could give one; engine marks are never negative).
 *
 * Cost: see circuits/constraints.json; most of it the leaf hash, the Merkle path and the range checks of each
 *       position's risk array, then the 127-bit scenario maxima (G + 1 of them) and the collateral risk rows.
 */
template AccountMargin(N, S, G, K, D) {
    assert(N >= 1 && N <= MAX_POSITIONS());  // the loss bounds above assume at most 2^8 positions
    assert(S >= 1);
    assert(G >= 1 && G <= MAX_GROUPS());     // sums over groups stay within SCAN_BITS
    assert(K >= 1 && K <= MAX_ASSETS());     // the loss and collateral bounds assume at most 64 assets
    assert(D >= 2 && D % 2 == 0);            // quaternary levels
    var L = D \ 2;
    var T = MAX_TIERS();
    var SCALE = BALANCE_SCALE();             // 10^8: scaled losses, tier charges

    signal input params_root;
    signal input account_commitment;
    signal input margins;

    signal input qty[N];
    signal input leaf_index[N];
    signal input group[N];
    signal input kind[N];
    signal input mark[N];
    signal input charge[N];
    signal input delta[N];
    signal input vega[N];
    signal input risk[N][S];
    signal input siblings[N][L][3];
    signal input instruments_root;
    signal input asset_price[K];
    signal input haircut_bp[K];
    signal input asset_group[K];
    signal input asset_risk[K][S];
    signal input tier_threshold[G][T];
    signal input tier_rate[G][T];
    signal input credit_bp;
    signal input im_bp;
    signal input mm_bp;
    signal input epoch;
    signal input balance[K];
    signal input salt;

    // ---- risk parameters: params_root binds the tree, the risk table and the multipliers ----
    component tableHash = RiskTableHash(S, G, K);
    tableHash.asset_price <== asset_price;
    tableHash.haircut_bp <== haircut_bp;
    tableHash.asset_group <== asset_group;
    tableHash.asset_risk <== asset_risk;
    tableHash.tier_threshold <== tier_threshold;
    tableHash.tier_rate <== tier_rate;
    tableHash.credit_bp <== credit_bp;
    component imRange = UnsignedRangeCheck(MULT_BITS());
    imRange.in <== im_bp;
    component mmRange = UnsignedRangeCheck(MULT_BITS());
    mmRange.in <== mm_bp;
    component creditRange = AssertBelowConstant(MAX_CREDIT_BP() + 1);
    creditRange.in <== credit_bp;                          // 0 <= credit_bp <= MAX_CREDIT_BP (80%)
    component paramsHash = Poseidon(6);
    paramsHash.inputs[0] <== DOMAIN_PARAMS();
    paramsHash.inputs[1] <== instruments_root;
    paramsHash.inputs[2] <== tableHash.out;
    paramsHash.inputs[3] <== im_bp;
    paramsHash.inputs[4] <== mm_bp;
    paramsHash.inputs[5] <== epoch;
    params_root === paramsHash.out;

    // ---- collateral assets: range checks, group, and their share of each scenario loss ----
    component priceRange[K];
    component haircutRange[K];
    component haircutCap[K];
    component balanceRange[K];
    component assetRiskRange[K][S];
    component assetSel[K];
    signal assetBalance[K][G];       // balance if the asset is group g's underlying, else 0
    signal assetPnl[K][G][S];        // assetBalance * asset_risk: the asset's scaled P&L in scenario s
    for (var k = 0; k < K; k++) {
        priceRange[k] = UnsignedRangeCheck(PRICE_BITS());
        priceRange[k].in <== asset_price[k];
        haircutRange[k] = UnsignedRangeCheck(14);
        haircutRange[k].in <== haircut_bp[k];             // haircut >= 0
        haircutCap[k] = UnsignedRangeCheck(14);
        haircutCap[k].in <== BP() - haircut_bp[k];        // haircut <= 10^4
        balanceRange[k] = UnsignedRangeCheck(BALANCE_BITS());
        balanceRange[k].in <== balance[k];
        for (var s = 0; s < S; s++) {
            assetRiskRange[k][s] = SignedRangeCheck(ASSET_RISK_BITS());
            assetRiskRange[k][s].in <== asset_risk[k][s];
        }
        assetSel[k] = OneHot(G + 1);                       // code G: no group
        assetSel[k].code <== asset_group[k];
        for (var g = 0; g < G; g++) {
            assetBalance[k][g] <== balance[k] * assetSel[k].sel[g];
            for (var s = 0; s < S; s++) {
                assetPnl[k][g][s] <== assetBalance[k][g] * asset_risk[k][s];
            }
        }
    }

    // ---- positions: each row is a leaf of the committed tree ----
    component qtyBits[N];
    component leaf[N];
    component path[N];
    component sel[N];
    component kindSel[N];
    component markRange[N];
    component chargeRange[N];
    component deltaRange[N];
    component riskRange[N][S];
    signal short[N];          // max(-qty, 0): short lots of the slot
    signal markValue[N];      // qty * mark
    signal optionValue[N];    // qty * mark for a call or put, else 0
    signal linearLots[N];     // |qty| for a perpetual or future, else 0
    signal qtyCharge[N];      // qty * charge
    signal callCharge[N];     // qty * charge for a call, else 0
    signal putCharge[N];      // qty * charge for a put, else 0
    signal qtyDelta[N];       // qty * delta
    signal pnl[N][S];         // qty * risk
    // the slot's items counted in group g, for g < G - 1; group G - 1 gets the rest (the selector sums to 1)
    signal groupShort[N][G - 1];
    signal groupCall[N][G - 1];
    signal groupPut[N][G - 1];
    signal groupDelta[N][G - 1];
    signal groupPnl[N][G - 1][S];
    for (var p = 0; p < N; p++) {
        // signed range check of qty; bit QTY_BITS-1 of qty + 2^(QTY_BITS-1) is 1 exactly when qty >= 0
        qtyBits[p] = Num2Bits(QTY_BITS());
        qtyBits[p].in <== qty[p] + (1 << (QTY_BITS() - 1));
        short[p] <== -qty[p] * (1 - qtyBits[p].out[QTY_BITS() - 1]);

        // the published values, each range-checked before any arithmetic reads it
        markRange[p] = SignedRangeCheck(RISK_BITS());
        markRange[p].in <== mark[p];
        chargeRange[p] = UnsignedRangeCheck(CHARGE_BITS());
        chargeRange[p].in <== charge[p];
        deltaRange[p] = SignedRangeCheck(RISK_BITS());
        deltaRange[p].in <== delta[p];
        for (var s = 0; s < S; s++) {
            riskRange[p][s] = SignedRangeCheck(RISK_BITS());
            riskRange[p][s].in <== risk[p][s];
        }

        leaf[p] = InstrumentLeaf(S);
        leaf[p].group <== group[p];
        leaf[p].kind <== kind[p];
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

        kindSel[p] = OneHot(N_KINDS());
        kindSel[p].code <== kind[p];
        markValue[p] <== qty[p] * mark[p];
        optionValue[p] <== markValue[p] * (kindSel[p].sel[KIND_CALL()] + kindSel[p].sel[KIND_PUT()]);
        linearLots[p] <== (qty[p] + 2 * short[p]) * kindSel[p].sel[KIND_LINEAR()];  // qty + 2 short = |qty|
        qtyCharge[p] <== qty[p] * charge[p];
        callCharge[p] <== qtyCharge[p] * kindSel[p].sel[KIND_CALL()];
        putCharge[p] <== qtyCharge[p] * kindSel[p].sel[KIND_PUT()];
        qtyDelta[p] <== qty[p] * delta[p];
        for (var s = 0; s < S; s++) {
            pnl[p][s] <== qty[p] * risk[p][s];
        }

        sel[p] = OneHot(G);
        sel[p].code <== group[p];
        for (var g = 0; g < G - 1; g++) {
            groupShort[p][g] <== short[p] * sel[p].sel[g];
            groupCall[p][g] <== callCharge[p] * sel[p].sel[g];
            groupPut[p][g] <== putCharge[p] * sel[p].sel[g];
            groupDelta[p][g] <== qtyDelta[p] * sel[p].sel[g];
            for (var s = 0; s < S; s++) {
                groupPnl[p][g][s] <== pnl[p][s] * sel[p].sel[g];
            }
        }
    }

    // ---- per group: scan risk (R1, R2, R7), short option minimum, net delta and size tiers (R9) ----
    signal scaled[G][S + 1];  // 10^8 * (short lots - position P&L) - collateral P&L; the last entry is 0
    signal scanScaled[G];
    signal scan[G];
    signal som[G];
    signal netDelta[G];
    signal tierCharge[G][T];
    signal concentration[G];
    component scanMax[G];
    component scanCeil[G];
    component somMax[G];
    component deltaAbs[G];
    component thresholdRange[G][T];
    component rateRange[G][T];
    component tierExcess[G][T];
    component concentrationCeil[G];
    var shortTotal = 0;
    var posRest[S];           // position P&L not yet counted in a group g < G - 1, per scenario
    var shortRest = 0;
    var callRest = 0;
    var putRest = 0;
    var deltaRest = 0;
    for (var s = 0; s < S; s++) {
        posRest[s] = 0;
        for (var p = 0; p < N; p++) {
            posRest[s] += pnl[p][s];
        }
    }
    for (var p = 0; p < N; p++) {
        shortTotal += short[p];
        callRest += callCharge[p];
        putRest += putCharge[p];
        deltaRest += qtyDelta[p];
    }
    shortRest = shortTotal;
    for (var g = 0; g < G; g++) {
        var shortLots = 0;
        var calls = 0;       // sum of qty * charge over the group's calls: minus the net short call charge
        var puts = 0;
        var positionDelta = 0;
        var positionPnl[S];
        if (g < G - 1) {
            for (var s = 0; s < S; s++) {
                positionPnl[s] = 0;
            }
            for (var p = 0; p < N; p++) {
                shortLots += groupShort[p][g];
                calls += groupCall[p][g];
                puts += groupPut[p][g];
                positionDelta += groupDelta[p][g];
                for (var s = 0; s < S; s++) {
                    positionPnl[s] += groupPnl[p][g][s];
                }
            }
            shortRest -= shortLots;
            callRest -= calls;
            putRest -= puts;
            deltaRest -= positionDelta;
            for (var s = 0; s < S; s++) {
                posRest[s] -= positionPnl[s];
            }
        } else {
            // every slot is in exactly one group (OneHot sums to 1), so the last group holds what is left
            shortLots = shortRest;
            calls = callRest;
            puts = putRest;
            positionDelta = deltaRest;
            for (var s = 0; s < S; s++) {
                positionPnl[s] = posRest[s];
            }
        }

        // scan risk: ceil(max(0, max_s scaled) / 10^8); |scaled| < 2^126 (SCALED_LOSS_BITS)
        for (var s = 0; s < S; s++) {
            var collateralPnl = 0;
            for (var k = 0; k < K; k++) {
                collateralPnl += assetPnl[k][g][s];
            }
            scaled[g][s] <== SCALE * (shortLots - positionPnl[s]) - collateralPnl;
        }
        scaled[g][S] <== 0;  // scan risk is floored at zero
        scanMax[g] = SignedMax(S + 1, SCALED_LOSS_BITS());
        scanMax[g].in <== scaled[g];
        scanScaled[g] <== scanMax[g].out;
        scanCeil[g] = CeilDiv(SCALED_MAX_BITS(), SCALE);  // input in [0, 2^126): a maximum with 0, below 2^126
        scanCeil[g].in <== scanScaled[g];
        scan[g] <== scanCeil[g].q;

        // short option minimum: max(0, net short calls, net short puts) * charge; |calls|, |puts| <= 2^88
        somMax[g] = SignedMax(3, CHARGE_SUM_BITS());
        somMax[g].in[0] <== 0;
        somMax[g].in[1] <== -calls;
        somMax[g].in[2] <== -puts;
        som[g] <== somMax[g].out;

        // net delta in 1e-8 units of the underlying (delta per lot is in micro-units: * 100)
        var collateralDelta = 0;
        for (var k = 0; k < K; k++) {
            collateralDelta += assetBalance[k][g];
        }
        netDelta[g] <== 100 * positionDelta + collateralDelta;
        deltaAbs[g] = SignedAbs(DELTA_BITS());
        deltaAbs[g].in <== netDelta[g];

        // size tiers: ceil(sum_t max(0, |delta| - threshold_t) * rate_t / 10^8)
        var tierSum = 0;
        for (var t = 0; t < T; t++) {
            thresholdRange[g][t] = UnsignedRangeCheck(TIER_BITS());
            thresholdRange[g][t].in <== tier_threshold[g][t];
            rateRange[g][t] = UnsignedRangeCheck(PRICE_BITS());
            rateRange[g][t].in <== tier_rate[g][t];
            tierExcess[g][t] = MaxZero(DELTA_BITS());    // |delta| - threshold in (-2^63, 2^95)
            tierExcess[g][t].in <== deltaAbs[g].out - tier_threshold[g][t];
            tierCharge[g][t] <== tierExcess[g][t].out * tier_rate[g][t];
            tierSum += tierCharge[g][t];
        }
        concentrationCeil[g] = CeilDiv(TIER_CHARGE_BITS(), SCALE);  // tierSum in [0, 2^144)
        concentrationCeil[g].in <== tierSum;
        concentration[g] <== concentrationCeil[g].q;
    }

    // ---- all underlyings together: joint scan risk and the inter-underlying credit (R8) ----
    signal jointScaled[S + 1];
    for (var s = 0; s < S; s++) {
        var total = 0;
        for (var g = 0; g < G; g++) {
            total += scaled[g][s];
        }
        jointScaled[s] <== total;  // |total| < 2^126 as for one group: each item counts in at most one group
    }
    jointScaled[S] <== 0;
    component jointMax = SignedMax(S + 1, SCALED_LOSS_BITS());
    jointMax.in <== jointScaled;
    component jointCeil = CeilDiv(SCALED_MAX_BITS(), SCALE);
    jointCeil.in <== jointMax.out;
    signal joint <== jointCeil.q;

    var separateSum = 0;
    var somSum = 0;
    var concentrationSum = 0;
    for (var g = 0; g < G; g++) {
        separateSum += scan[g];
        somSum += som[g];
        concentrationSum += concentration[g];
    }
    signal separate <== separateSum;  // in [0, 2^107.5)
    // separate >= joint (ceil is subadditive); a negative difference has no FloorDiv witness anyway
    signal creditNum <== (separate - joint) * credit_bp;
    component creditDiv = FloorDiv(CREDIT_NUM_BITS(), BP());
    creditDiv.in <== creditNum;
    signal scanRisk <== separate - creditDiv.q;  // credit <= separate - joint: scanRisk in [0, 2^107.5)

    // ---- requirement and margin (rule R5) ----
    component requirementMax = SignedMax(2, SCAN_BITS());  // scanRisk < 2^107.5, somSum < 2^96
    requirementMax.in[0] <== scanRisk;
    requirementMax.in[1] <== somSum;
    signal requirement <== requirementMax.out + concentrationSum;  // < 2^108 + 2^8 * 2^117.5: no wrap
    component requirementRange = UnsignedRangeCheck(MONEY_BITS() - 1);  // the reference's MONEY_BITS bound
    requirementRange.in <== requirement;
    signal mmScaled <== requirement * mm_bp;
    signal imScaled <== requirement * im_bp;
    component mmDiv = CeilDiv(SCALED_BITS(), BP());
    mmDiv.in <== mmScaled;
    component imDiv = CeilDiv(SCALED_BITS(), BP());
    imDiv.in <== imScaled;

    // ---- long-premium cap: an account without liabilities owes at most its long options' value ----
    var liabilitySum = shortTotal;
    var optionSum = 0;
    for (var p = 0; p < N; p++) {
        liabilitySum += linearLots[p];
        optionSum += optionValue[p];
    }
    signal liabilities <== liabilitySum;  // a sum of N <= 2^8 values in [0, 2^41]: no wrap, so 0 iff none
    component liabilityFree = IsZero();
    liabilityFree.in <== liabilities;
    signal optionTotal <== optionSum;     // |optionTotal| <= 2^88
    component mmExcess = MaxZero(CAP_BITS());
    mmExcess.in <== mmDiv.q - optionTotal;
    component imExcess = MaxZero(CAP_BITS());
    imExcess.in <== imDiv.q - optionTotal;
    signal mmCut <== liabilityFree.out * mmExcess.out;
    signal imCut <== liabilityFree.out * imExcess.out;
    signal mm <== mmDiv.q - mmCut;        // min(MM, option value) when liability-free, else MM
    signal im <== imDiv.q - imCut;
    component mmPacked = UnsignedRangeCheck(MARGIN_PACK_BITS());  // MM >= 0: the packing below is injective
    mmPacked.in <== mm;
    component imPacked = UnsignedRangeCheck(MONEY_BITS() - 1);    // 0 <= IM < 2^96, the reference's bound
    imPacked.in <== im;
    margins === im * (1 << MARGIN_PACK_BITS()) + mm;

    // ---- collateral (rule R6) and equity (rules R2, R3, R10) ----
    signal weight[K];
    signal weighted[K];
    var collateralSum = 0;
    for (var k = 0; k < K; k++) {
        weight[k] <== asset_price[k] * (BP() - haircut_bp[k]);
        weighted[k] <== balance[k] * weight[k];
        collateralSum += weighted[k];
    }
    component collateralDiv = FloorDiv(COLLATERAL_NUM_BITS(), BALANCE_SCALE() * BP());
    collateralDiv.in <== collateralSum;
    signal collateral <== collateralDiv.q;  // < 2^132 / 10^12 < 2^92.2

    var positionSum = 0;
    for (var p = 0; p < N; p++) {
        positionSum += markValue[p];
    }
    // |position value| <= 2^88 + 2^48 and collateral < 2^92.2: |equity| < 2^96, the reference's bound holds
    signal equity <== collateral + positionSum - shortTotal;
    // solvency: equity - MM >= 0; equity and MM both lie in [-2^128, 2^128), far below r / 2 in magnitude
    component solvent = AssertSignedGreaterEq(MARGIN_PACK_BITS() + 1);
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
