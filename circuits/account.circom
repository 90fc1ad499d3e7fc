pragma circom 2.1.0;

// The zkmargin account statement: "the account committed to by account_commitment has initial and
// maintenance margin IM and MM, computed by the zkmargin rules (margin model v2) from the risk parameters
// committed to by params_root, and its equity covers MM".  The Python twin of every hash is
// statement/commitments.py; the arithmetic is engine/reference.py (rules R1-R10 of zkmargin/constants.py).
//
// AccountMargin is AccountCore, then MarginClaim (solvency, the margin commitment and the disclosure).  AccountCore
// is made of parts that circuits/book.circom reuses for an account proven in chunks: GroupSlots (the account's
// underlyings), PositionRows (the positions, summed per group slot) and AccountFigures (the margin from those
// sums, collateral and equity).

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
include "lib/pack.circom";

// Domain tags that keep the hashed encodings apart (statement/commitments.py has the same values).
function DOMAIN_INSTRUMENT() { return 1; }
function DOMAIN_TABLE() { return 2; }
function DOMAIN_PARAMS() { return 3; }
function DOMAIN_ACCOUNT() { return 4; }
function DOMAIN_GROUP() { return 5; }
function DOMAIN_ASSET() { return 6; }
function DOMAIN_MARGIN() { return 7; }
function DOMAIN_CHUNK() { return 8; }      // a chunk's link (circuits/book.circom)
function DOMAIN_POSITIONS() { return 9; }  // a chunk's positions
function DOMAIN_BOOK() { return 10; }      // a book's account commitment

// What a statement discloses besides solvency: disclosure = mode * 2^DISCLOSURE_SHIFT + value.
function DISCLOSE_NOTHING() { return 0; }           // value 0
function DISCLOSE_MARGINS() { return 1; }           // value IM * 2^128 + MM
function DISCLOSE_MM_AT_MOST() { return 2; }        // value X < 2^128: MM <= X
function DISCLOSE_FREE_AT_LEAST() { return 3; }     // value X < 2^128: equity - IM >= X
function N_DISCLOSURES() { return 4; }
function DISCLOSURE_SHIFT() { return 248; }
function THRESHOLD_BITS() { return 128; }

// The market's shape (statement/sizes.py): the same for every account circuit, so one params_root serves all.
function MARKET_SCENARIOS() { return 40; }  // scenario columns of every risk array
function INSTRUMENT_DEPTH() { return 12; }  // instrument tree: 2^12 leaves, 6 quaternary levels
function GROUP_DEPTH() { return 8; }        // group table: 2^8 underlyings; the group id is the leaf index
function ASSET_DEPTH() { return 6; }        // collateral table: 2^6 assets; the asset id is the leaf index
function GROUP_BITS() { return 16; }        // width of the group field of instrument and collateral leaves
function NO_GROUP() { return 65535; }       // 2^16 - 1: the group field of an asset that is no underlying
function RISK_PER_WORD() { return 6; }      // 6 x 41 bits per packed word of an instrument leaf
function ASSET_RISK_PER_WORD() { return 4; }  // 4 x 56 bits per packed word of a collateral leaf

// Instrument kinds (engine/risk.py KIND_*): the leaf's kind is one of these four codes.
function KIND_SPOT() { return 0; }
function KIND_LINEAR() { return 1; }  // perpetual or future
function KIND_CALL() { return 2; }
function KIND_PUT() { return 3; }
function N_KINDS() { return 4; }

// Size tiers per group in the risk table (engine/models.py MAX_TIERS; the table hash of
// statement/commitments.py has G * MAX_TIERS (threshold, rate) pairs, so the roots disagree if the two differ).
function MAX_TIERS() { return 2; }

// Most group slots a circuit may have: keeps the sums over groups below (requirement, separate scan
// risk) far from r; the shipped sizes have 2 or 3.
function MAX_GROUPS() { return 256; }

// IM and MM are packed into one public signal as IM * 2^128 + MM.
function MARGIN_PACK_BITS() { return 128; }

// ---- bit widths of the intermediate values, derived from the number contract ----
// |qty| <= 2^40, |risk| <= 2^40, |mark| <= 2^40, |delta| <= 2^40, 0 <= charge < 2^40 (RISK_BITS, QTY_BITS,
// CHARGE_BITS), balance < 2^64, |asset_risk| <= 2^55 (ASSET_RISK_BITS), N <= MAX_POSITIONS = 2^8 positions
// (all of an account's position rows: N of AccountMargin, M * C of a book's M chunks of C), K <= MAX_ASSETS =
// 2^6 assets, G <= MAX_GROUPS = 2^8 groups.

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
 * Hash of one instrument leaf: HashList([DOMAIN_INSTRUMENT, group, kind, vega, words]) where words packs
 * [mark, charge, delta, risk[0..S-1]] six to a word (PackSigned(S + 3, RISK_BITS, 6)), range-checking each.
 *
 * @param S        scenarios
 * @input group    any field element (the caller range-checks it)
 * @input kind     any field element (the caller constrains it)
 * @input vega     any field element: hashed only
 * @input mark, delta, risk[S]  range-checked here to signed RISK_BITS
 * @input charge   range-checked here to unsigned CHARGE_BITS (signed RISK_BITS and non-negative)
 * @output out     the leaf
 *
 * Cost: (S + 3) * RISK_BITS + 1 for the range checks, then one Poseidon(4 + ceil((S + 3) / 6)): 2,268 at S = 40.
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

    var W = (S + 3 + RISK_PER_WORD() - 1) \ RISK_PER_WORD();
    component pack = PackSigned(S + 3, RISK_BITS(), RISK_PER_WORD());
    pack.in[0] <== mark;
    pack.in[1] <== charge;
    pack.in[2] <== delta;
    for (var s = 0; s < S; s++) {
        pack.in[3 + s] <== risk[s];
    }
    pack.nonneg[1] === 1;  // charge >= 0, so 0 <= charge < 2^40 = 2^CHARGE_BITS

    component h = HashList(4 + W);
    h.in[0] <== DOMAIN_INSTRUMENT();
    h.in[1] <== group;
    h.in[2] <== kind;
    h.in[3] <== vega;
    for (var w = 0; w < W; w++) {
        h.in[4 + w] <== pack.words[w];
    }
    out <== h.out;
}

/**
 * Hash of one group leaf: HashList([DOMAIN_GROUP, (tier_threshold[t], tier_rate[t]) for t < MAX_TIERS]).
 *
 * @input tier_threshold[MAX_TIERS]  range-checked here to unsigned TIER_BITS
 * @input tier_rate[MAX_TIERS]       range-checked here to unsigned PRICE_BITS
 * @output out                       the leaf
 */
template GroupLeaf() {
    var T = MAX_TIERS();
    signal input tier_threshold[T];
    signal input tier_rate[T];
    signal output out;

    component thresholdRange[T];
    component rateRange[T];
    component h = HashList(1 + 2 * T);
    h.in[0] <== DOMAIN_GROUP();
    for (var t = 0; t < T; t++) {
        thresholdRange[t] = UnsignedRangeCheck(TIER_BITS());
        thresholdRange[t].in <== tier_threshold[t];
        rateRange[t] = UnsignedRangeCheck(PRICE_BITS());
        rateRange[t].in <== tier_rate[t];
        h.in[1 + 2 * t] <== tier_threshold[t];
        h.in[2 + 2 * t] <== tier_rate[t];
    }
    out <== h.out;
}

/**
 * Hash of one collateral leaf: HashList([DOMAIN_ASSET, price, haircut_bp, group, words]) where words packs
 * asset_risk[0..S-1] four to a word (PackSigned(S, ASSET_RISK_BITS, 4)).
 *
 * @param S              scenarios
 * @input price          range-checked here to PRICE_BITS
 * @input haircut_bp     range-checked here to [0, 10^4]
 * @input group          range-checked here to GROUP_BITS (NO_GROUP for an asset that is no underlying)
 * @input asset_risk[S]  range-checked here to signed ASSET_RISK_BITS
 * @output out           the leaf
 */
template AssetLeaf(S) {
    signal input price;
    signal input haircut_bp;
    signal input group;
    signal input asset_risk[S];
    signal output out;

    component priceRange = UnsignedRangeCheck(PRICE_BITS());
    priceRange.in <== price;
    component haircutRange = UnsignedRangeCheck(14);
    haircutRange.in <== haircut_bp;            // haircut >= 0
    component haircutCap = UnsignedRangeCheck(14);
    haircutCap.in <== BP() - haircut_bp;       // haircut <= 10^4
    component groupRange = UnsignedRangeCheck(GROUP_BITS());
    groupRange.in <== group;

    var W = (S + ASSET_RISK_PER_WORD() - 1) \ ASSET_RISK_PER_WORD();
    component pack = PackSigned(S, ASSET_RISK_BITS(), ASSET_RISK_PER_WORD());
    pack.in <== asset_risk;
    component h = HashList(4 + W);
    h.in[0] <== DOMAIN_ASSET();
    h.in[1] <== price;
    h.in[2] <== haircut_bp;
    h.in[3] <== group;
    for (var w = 0; w < W; w++) {
        h.in[4 + w] <== pack.words[w];
    }
    out <== h.out;
}

/**
 * Opens slot `code` of an account's group slots: out = sum_{g < G} sel[g] * key[g] where sel is the one-hot
 * decoding of code in [0, G] (code G: no slot).
 *
 * @param G       group slots
 * @input code    constrained here to [0, G]
 * @input key[G]  any field elements
 * @output sel[G + 1], out
 *
 * Cost: G + 1 (one-hot) + G (products).
 */
template SlotKey(G) {
    signal input code;
    signal input key[G];
    signal output sel[G + 1];
    signal output out;

    component oneHot = OneHot(G + 1);
    oneHot.code <== code;
    sel <== oneHot.sel;
    signal picked[G];
    var sum = 0;
    for (var g = 0; g < G; g++) {
        picked[g] <== sel[g] * key[g];
        sum += picked[g];
    }
    out <== sum;
}

/**
 * The risk parameters' root: Poseidon(6)(DOMAIN_PARAMS, instruments_root, table_hash, im_bp, mm_bp, epoch).
 *
 * @input instruments_root, table_hash, im_bp, mm_bp, epoch  any field elements: hashed only (a caller that
 *                                                          computes with one range-checks it)
 * @output out  the params root
 *
 * Cost: one Poseidon(6), 354.
 */
template ParamsRoot() {
    signal input instruments_root;
    signal input table_hash;
    signal input im_bp;
    signal input mm_bp;
    signal input epoch;
    signal output out;

    component h = Poseidon(6);
    h.inputs[0] <== DOMAIN_PARAMS();
    h.inputs[1] <== instruments_root;
    h.inputs[2] <== table_hash;
    h.inputs[3] <== im_bp;
    h.inputs[4] <== mm_bp;
    h.inputs[5] <== epoch;
    out <== h.out;
}

/**
 * The tables beside the instrument tree: HashList(DOMAIN_TABLE, groups_root, assets_root, credit_bp).
 *
 * @input groups_root, assets_root, credit_bp  any field elements: hashed only (AccountFigures range-checks credit_bp)
 * @output out  the table hash
 *
 * Cost: one Poseidon(4), 297.
 */
template TableHash() {
    signal input groups_root;
    signal input assets_root;
    signal input credit_bp;
    signal output out;

    component h = HashList(4);
    h.in[0] <== DOMAIN_TABLE();
    h.in[1] <== groups_root;
    h.in[2] <== assets_root;
    h.in[3] <== credit_bp;
    out <== h.out;
}

/**
 * An account's group slots as keys: key[g] = group_id[g] for a used slot and KEY_OFFSET + group_id[g] for an
 * unused one, which no leaf's group (below 2^GROUP_BITS) matches.  Used slots come first and their ids strictly
 * increase, so no underlying has two slots (its positions could otherwise be split between them and its scan
 * risk and size tiers taken apart).
 *
 * @param G              group slots, 2 <= G <= MAX_GROUPS
 * @input group_id[G]    ASSUMES each in [0, 2^GROUP_DEPTH): GroupSlots opens it as a Merkle index (the Merkle
 *                       gadget range-checks it), AccountChunk range-checks it
 * @input group_used[G]  constrained here: boolean, used slots first
 * @output key[G]        the slots' keys
 *
 * Cost: G (booleanity) + (G - 1) (used first) + (G - 1) * (1 + GROUP_DEPTH) (order).
 */
template GroupKeys(G) {
    assert(G >= 2 && G <= MAX_GROUPS());
    var KEY_OFFSET = 1 << GROUP_BITS();

    signal input group_id[G];
    signal input group_used[G];
    signal output key[G];

    component groupOrder[G];
    signal groupGap[G];
    for (var g = 0; g < G; g++) {
        group_used[g] * (group_used[g] - 1) === 0;
        key[g] <== group_id[g] + (1 - group_used[g]) * KEY_OFFSET;
        if (g > 0) {
            group_used[g] * (1 - group_used[g - 1]) === 0; // used slots first
            // used ids strictly increasing: id[g] - id[g-1] - 1 >= 0 (both below 2^GROUP_DEPTH)
            groupGap[g] <== group_used[g] * (group_id[g] - group_id[g - 1] - 1);
            groupOrder[g] = UnsignedRangeCheck(GROUP_DEPTH());
            groupOrder[g].in <== groupGap[g];
        } else {
            groupGap[g] <== 0;
        }
    }
}

/**
 * An account's group slots opened in the published group table: a used slot's size tiers are the leaf at its
 * group id under groups_root, an unused slot charges no size tier; the slots' keys as GroupKeys.
 *
 * @param G                  group slots, 2 <= G <= MAX_GROUPS
 * @input group_id[G]        range-checked to [0, 2^GROUP_DEPTH) by the Merkle gadget (unused slots too)
 * @input group_used[G]      boolean, used slots first; used ids strictly increasing (GroupKeys)
 * @input tier_threshold[G][MAX_TIERS], tier_rate[G][MAX_TIERS]  range-checked in GroupLeaf (unsigned TIER_BITS
 *                           and PRICE_BITS); a used slot's leaf opens to groups_root, an unused slot's rates are 0
 * @input group_siblings[G][GROUP_DEPTH/2][3]  Merkle paths
 * @input groups_root        any field element (the caller binds it to params_root)
 * @output key[G]            the slots' keys (GroupKeys)
 *
 * Cost: per slot GroupLeaf (2 * (TIER_BITS + PRICE_BITS) + Poseidon(5)) and a path of GROUP_DEPTH / 2 levels,
 *       then GroupKeys.
 */
template GroupSlots(G) {
    assert(G >= 2 && G <= MAX_GROUPS());
    var T = MAX_TIERS();
    var GL = GROUP_DEPTH() \ 2;

    signal input group_id[G];
    signal input group_used[G];
    signal input tier_threshold[G][T];
    signal input tier_rate[G][T];
    signal input group_siblings[G][GL][3];
    signal input groups_root;
    signal output key[G];

    component groupLeaf[G];
    component groupPath[G];
    signal groupRootGap[G];
    for (var g = 0; g < G; g++) {
        groupLeaf[g] = GroupLeaf();
        groupLeaf[g].tier_threshold <== tier_threshold[g];
        groupLeaf[g].tier_rate <== tier_rate[g];
        groupPath[g] = QuadMerkleInclusion(GL);
        groupPath[g].leaf <== groupLeaf[g].out;
        groupPath[g].index <== group_id[g];
        groupPath[g].siblings <== group_siblings[g];
        groupRootGap[g] <== groupPath[g].root - groups_root;
        groupRootGap[g] * group_used[g] === 0;             // a used slot opens the published table
        for (var t = 0; t < T; t++) {
            tier_rate[g][t] * (1 - group_used[g]) === 0;   // an unused slot charges no size tier
        }
    }
    component keys = GroupKeys(G);  // group_id < 2^GROUP_DEPTH: the paths above range-checked it
    keys.group_id <== group_id;
    keys.group_used <== group_used;
    key <== keys.key;
}

/**
 * N position rows, each a leaf of the committed instrument tree, summed per group slot: everything the margin
 * needs of an account's positions.  Every row counts in the group slot whose key is its leaf's group; a row with
 * code G (no slot) must have qty 0, and then counts nothing anywhere.
 *
 * @param N  position rows, 1 <= N <= MAX_POSITIONS
 * @param G  group slots, 2 <= G <= MAX_GROUPS
 * The market's shape: S = MARKET_SCENARIOS() columns, an instrument tree of INSTRUMENT_DEPTH().
 *
 * Every value read from the published parameters is range-checked here (in InstrumentLeaf, which hashes exactly
 * the values it checks), so a venue cannot publish a root whose values overflow the sums below (a mark of 251
 * bits would otherwise wrap qty * mark modulo r).
 * @input qty[N]              range-checked here to signed QTY_BITS
 * @input leaf_index[N]       range-checked here to [0, 2^INSTRUMENT_DEPTH) by the Merkle gadget
 * @input position_slot[N]    constrained here to [0, G]; the slot's key must be the leaf's group, and code G
 *                            (no slot) forces qty = 0
 * @input group[N]            range-checked here to GROUP_BITS
 * @input kind[N]             constrained here to {0, 1, 2, 3} (spot, perpetual or future, call, put)
 * @input mark, charge, delta, risk[S]  range-checked in InstrumentLeaf (signed RISK_BITS; charge unsigned
 *                            CHARGE_BITS)
 * @input vega[N]             any field element: only hashed into the leaf, never used in arithmetic
 * @input siblings[N][INSTRUMENT_DEPTH/2][3]  Merkle paths
 * @input key[G]              the group slots' keys (GroupKeys); any field elements: a row can only count in a
 *                            slot whose key equals its (range-checked) leaf group
 * @input instruments_root    any field element (the caller binds it to params_root)
 *
 * Outputs: exact integer sums over the N rows (|qty|, |mark|, |delta|, |risk| <= 2^40, 0 <= charge < 2^40), no
 * wrap modulo r since N <= 2^8:
 * @output shortLots[G]       sum of max(-qty, 0) over the slot's rows: in [0, N * 2^40]
 * @output calls[G]           sum of qty * charge over the slot's calls (minus its net short call charge):
 *                            |calls| <= N * 2^80
 * @output puts[G]            the same over the slot's puts
 * @output positionDelta[G]   sum of qty * delta over the slot's rows: |.| <= N * 2^80
 * @output positionPnl[G][S]  sum of qty * risk[s] over the slot's rows: |.| <= N * 2^80
 * @output liabilities        sum over all rows of the short lots and of |qty| of perpetuals and futures:
 *                            in [0, N * 2^41], so 0 exactly when the rows hold no liability
 * @output optionTotal        sum of qty * mark over the calls and puts: |.| <= N * 2^80
 * @output positionValue      sum of qty * mark over all rows: |.| <= N * 2^80
 * Each row counts in exactly one slot, so the sums over the G slots of shortLots, calls, puts, positionDelta
 * and positionPnl[.][s] obey the same bounds.
 *
 * Cost: per row 41 (qty) + 16 (group) + InstrumentLeaf (2,268) + 6 path levels (1,860) + SlotKey + the
 *       products, about 4,400 (circuits/constraints.json); the sums are linear and folded by --O2.
 */
template PositionRows(N, G) {
    assert(N >= 1 && N <= MAX_POSITIONS());  // the bounds above assume at most 2^8 rows
    assert(G >= 2 && G <= MAX_GROUPS());
    var S = MARKET_SCENARIOS();
    var L = INSTRUMENT_DEPTH() \ 2;

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
    signal input key[G];
    signal input instruments_root;
    signal output shortLots[G];
    signal output calls[G];
    signal output puts[G];
    signal output positionDelta[G];
    signal output positionPnl[G][S];
    signal output liabilities;
    signal output optionTotal;
    signal output positionValue;

    component qtyBits[N];
    component groupRange[N];
    component leaf[N];
    component path[N];
    component sel[N];
    component kindSel[N];
    signal noSlotGroup[N];    // group * (code G selected)
    signal short[N];          // max(-qty, 0): short lots of the row
    signal markValue[N];      // qty * mark
    signal optionValue[N];    // qty * mark for a call or put, else 0
    signal linearLots[N];     // |qty| for a perpetual or future, else 0
    signal qtyCharge[N];      // qty * charge
    signal callCharge[N];     // qty * charge for a call, else 0
    signal putCharge[N];      // qty * charge for a put, else 0
    signal qtyDelta[N];       // qty * delta
    signal pnl[N][S];         // qty * risk
    // the row's items counted in group slot g, for g < G - 1; slot G - 1 gets the rest (an unused row, the only
    // one with code G, has qty = 0 and so counts nothing anywhere)
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

        groupRange[p] = UnsignedRangeCheck(GROUP_BITS());
        groupRange[p].in <== group[p];
        leaf[p] = InstrumentLeaf(S);  // range-checks mark, charge, delta and risk as it packs them
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

        // the group slot: its key is the leaf's group (a used slot), or code G and no quantity
        sel[p] = SlotKey(G);
        sel[p].code <== position_slot[p];
        sel[p].key <== key;
        noSlotGroup[p] <== group[p] * sel[p].sel[G];
        sel[p].out === group[p] - noSlotGroup[p];
        qty[p] * sel[p].sel[G] === 0;

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

    // ---- per group slot: slots g < G - 1 sum their rows, slot G - 1 takes what is left ----
    var shortRest = 0;
    var callRest = 0;
    var putRest = 0;
    var deltaRest = 0;
    var pnlRest[S];
    var liabilitySum = 0;
    var optionSum = 0;
    var positionSum = 0;
    for (var s = 0; s < S; s++) {
        pnlRest[s] = 0;
        for (var p = 0; p < N; p++) {
            pnlRest[s] += pnl[p][s];
        }
    }
    for (var p = 0; p < N; p++) {
        shortRest += short[p];
        callRest += callCharge[p];
        putRest += putCharge[p];
        deltaRest += qtyDelta[p];
        liabilitySum += short[p] + linearLots[p];
        optionSum += optionValue[p];
        positionSum += markValue[p];
    }
    for (var g = 0; g < G - 1; g++) {
        var shortSum = 0;
        var callSum = 0;
        var putSum = 0;
        var deltaSum = 0;
        var pnlSum[S];
        for (var s = 0; s < S; s++) {
            pnlSum[s] = 0;
        }
        for (var p = 0; p < N; p++) {
            shortSum += groupShort[p][g];
            callSum += groupCall[p][g];
            putSum += groupPut[p][g];
            deltaSum += groupDelta[p][g];
            for (var s = 0; s < S; s++) {
                pnlSum[s] += groupPnl[p][g][s];
            }
        }
        shortLots[g] <== shortSum;
        calls[g] <== callSum;
        puts[g] <== putSum;
        positionDelta[g] <== deltaSum;
        for (var s = 0; s < S; s++) {
            positionPnl[g][s] <== pnlSum[s];
            pnlRest[s] -= pnlSum[s];
        }
        shortRest -= shortSum;
        callRest -= callSum;
        putRest -= putSum;
        deltaRest -= deltaSum;
    }
    // every row is in exactly one group slot or has code G and qty = 0 (counting nothing), so the last group
    // slot holds what is left
    shortLots[G - 1] <== shortRest;
    calls[G - 1] <== callRest;
    puts[G - 1] <== putRest;
    positionDelta[G - 1] <== deltaRest;
    for (var s = 0; s < S; s++) {
        positionPnl[G - 1][s] <== pnlRest[s];
    }
    liabilities <== liabilitySum;
    optionTotal <== optionSum;
    positionValue <== positionSum;
}

/**
 * The margin figures of an account (margin model v2) from its positions' sums per group slot, its group slots
 * and its collateral slots: per group the scan risk, short option minimum and size tiers; the joint scan risk and
 * the inter-underlying credit; requirement, IM and MM with the long-premium cap; collateral value and equity.
 * It asserts nothing about solvency: MarginClaim does, and a venue's batch (circuits/venue.circom) counts an
 * account below MM instead.
 *
 * @param G  group slots, 2 <= G <= MAX_GROUPS
 * @param K  collateral slots, 1 <= K <= MAX_ASSETS
 * The market's shape: S = MARKET_SCENARIOS() columns, a collateral tree of ASSET_DEPTH().
 *
 * The positions' sums: ASSUMES each is the exact integer sum of PositionRows over at most MAX_POSITIONS = 2^8
 * rows, so within PositionRows' bounds at N = 2^8 (shortLots in [0, 2^48]; |calls|, |puts|, |positionDelta|,
 * |positionPnl|, |optionTotal|, |positionValue| <= 2^88; liabilities in [0, 2^49]), and the same bounds hold
 * for the sums over the slots.  AccountCore passes the outputs of one PositionRows(N); BookCore the sums over
 * its M chunks, each the output of a proven AccountChunk's PositionRows(C) bound by the chunk's link, with
 * M * C <= 2^8.  The bit widths above (SCALED_LOSS_BITS, CHARGE_SUM_BITS, CAP_BITS, ...) rest on these bounds.
 * @input shortLots[G], calls[G], puts[G], positionDelta[G], positionPnl[G][S]  per group slot
 * @input liabilities, optionTotal, positionValue                                over all rows
 *
 * The group slots:
 * @input key[G]              the slots' keys (GroupKeys, through GroupSlots): the collateral slots name them
 * @input tier_threshold[G][MAX_TIERS], tier_rate[G][MAX_TIERS]  ASSUMES the tiers GroupSlots opened (so
 *                            range-checked by GroupLeaf to TIER_BITS and PRICE_BITS, rates 0 in an unused slot)
 *
 * The collateral slots, and the parameters (each range-checked here or in AssetLeaf):
 * @input asset_id[K]         range-checked to [0, 2^ASSET_DEPTH) by the Merkle gadget
 * @input asset_used[K]       boolean, used slots first; used ids strictly increasing (no asset twice); an
 *                            unused slot's balance is 0
 * @input asset_price[K], haircut_bp[K], asset_group[K], asset_risk[K][S]  range-checked in AssetLeaf; a used
 *                            slot's leaf opens to assets_root
 * @input asset_slot[K]       constrained here to [0, G]: the group slot of the asset's underlying; code G only
 *                            for an asset that is no underlying (group NO_GROUP) or has no balance
 * @input asset_siblings[K][ASSET_DEPTH/2][3]
 * @input balance[K]          range-checked here to BALANCE_BITS
 * @input assets_root         any field element (the caller binds it to params_root)
 * @input credit_bp           range-checked here to [0, MAX_CREDIT_BP]
 * @input im_bp, mm_bp        range-checked here to MULT_BITS
 *
 * Rejected besides a false statement: a requirement or IM of 2^96 or more (engine/reference.py raises
 * BoundsError for them too), and a negative IM or MM (only a long-premium cap with a negative option mark
 * could give one; engine marks are never negative).
 *
 * @output im, mm       micro-units of quote currency: 0 <= IM < 2^96, 0 <= MM < 2^128 (range-checked here)
 * @output margins      IM * 2^128 + MM
 * @output collateral   value after haircuts, rounded down: in [0, 2^92.2)
 * @output equity       collateral + position value - short lots: |equity| < 2^96
 *
 * Cost: G + 1 scenario maxima of S + 1 127-bit values (about 5,300 each), the collateral slots (leaf, path and
 *       G * S products each) and the divisions; circuits/constraints.json has the totals.
 */
template AccountFigures(G, K) {
    assert(G >= 2 && G <= MAX_GROUPS());     // sums over groups stay within SCAN_BITS
    assert(K >= 1 && K <= MAX_ASSETS());     // the loss and collateral bounds assume at most 64 assets
    var S = MARKET_SCENARIOS();
    var AL = ASSET_DEPTH() \ 2;
    var T = MAX_TIERS();
    var SCALE = BALANCE_SCALE();             // 10^8: scaled losses, tier charges

    signal input shortLots[G];
    signal input calls[G];
    signal input puts[G];
    signal input positionDelta[G];
    signal input positionPnl[G][S];
    signal input liabilities;
    signal input optionTotal;
    signal input positionValue;
    signal input key[G];
    signal input tier_threshold[G][T];
    signal input tier_rate[G][T];
    signal input asset_id[K];
    signal input asset_used[K];
    signal input asset_price[K];
    signal input haircut_bp[K];
    signal input asset_group[K];
    signal input asset_risk[K][S];
    signal input asset_slot[K];
    signal input asset_siblings[K][AL][3];
    signal input balance[K];
    signal input assets_root;
    signal input credit_bp;
    signal input im_bp;
    signal input mm_bp;
    signal output im;
    signal output mm;
    signal output margins;
    signal output collateral;
    signal output equity;

    // ---- the published multipliers and credit: range-checked before any arithmetic uses them ----
    component imRange = UnsignedRangeCheck(MULT_BITS());
    imRange.in <== im_bp;
    component mmRange = UnsignedRangeCheck(MULT_BITS());
    mmRange.in <== mm_bp;
    component creditRange = AssertBelowConstant(MAX_CREDIT_BP() + 1);
    creditRange.in <== credit_bp;                          // 0 <= credit_bp <= MAX_CREDIT_BP (80%)

    // ---- collateral slots: range checks (in AssetLeaf), group, and their share of each scenario loss ----
    component assetLeaf[K];
    component assetPath[K];
    component assetOrder[K];
    component balanceRange[K];
    component assetSel[K];
    signal assetRootGap[K];
    signal assetGap[K];
    signal assetNoGroup[K];          // asset_group * (code G selected)
    signal assetNotUnderlying[K];    // (asset_group - NO_GROUP) * (code G selected)
    signal assetBalance[K][G];       // balance if the asset is slot g's underlying, else 0
    signal assetPnl[K][G][S];        // assetBalance * asset_risk: the asset's scaled P&L in scenario s
    for (var k = 0; k < K; k++) {
        asset_used[k] * (asset_used[k] - 1) === 0;
        balanceRange[k] = UnsignedRangeCheck(BALANCE_BITS());
        balanceRange[k].in <== balance[k];
        balance[k] * (1 - asset_used[k]) === 0;            // an unused slot holds nothing
        assetLeaf[k] = AssetLeaf(S);
        assetLeaf[k].price <== asset_price[k];
        assetLeaf[k].haircut_bp <== haircut_bp[k];
        assetLeaf[k].group <== asset_group[k];
        assetLeaf[k].asset_risk <== asset_risk[k];
        assetPath[k] = QuadMerkleInclusion(AL);
        assetPath[k].leaf <== assetLeaf[k].out;
        assetPath[k].index <== asset_id[k];
        assetPath[k].siblings <== asset_siblings[k];
        assetRootGap[k] <== assetPath[k].root - assets_root;
        assetRootGap[k] * asset_used[k] === 0;             // a used slot opens the published table
        if (k > 0) {
            asset_used[k] * (1 - asset_used[k - 1]) === 0; // used slots first
            assetGap[k] <== asset_used[k] * (asset_id[k] - asset_id[k - 1] - 1);
            assetOrder[k] = UnsignedRangeCheck(ASSET_DEPTH());
            assetOrder[k].in <== assetGap[k];              // used ids strictly increasing: no asset twice
        } else {
            assetGap[k] <== 0;
        }

        // the asset's underlying is the group of slot asset_slot[k]; code G only for no underlying or no balance
        assetSel[k] = SlotKey(G);
        assetSel[k].code <== asset_slot[k];
        assetSel[k].key <== key;
        assetNoGroup[k] <== asset_group[k] * assetSel[k].sel[G];
        assetSel[k].out === asset_group[k] - assetNoGroup[k];
        assetNotUnderlying[k] <== assetSel[k].sel[G] * (asset_group[k] - NO_GROUP());
        assetNotUnderlying[k] * balance[k] === 0;
        for (var g = 0; g < G; g++) {
            assetBalance[k][g] <== balance[k] * assetSel[k].sel[g];
            for (var s = 0; s < S; s++) {
                assetPnl[k][g][s] <== assetBalance[k][g] * asset_risk[k][s];
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
    component tierExcess[G][T];
    component concentrationCeil[G];
    var shortTotal = 0;
    for (var g = 0; g < G; g++) {
        shortTotal += shortLots[g];

        // scan risk: ceil(max(0, max_s scaled) / 10^8); |scaled| < 2^126 (SCALED_LOSS_BITS)
        for (var s = 0; s < S; s++) {
            var collateralPnl = 0;
            for (var k = 0; k < K; k++) {
                collateralPnl += assetPnl[k][g][s];
            }
            scaled[g][s] <== SCALE * (shortLots[g] - positionPnl[g][s]) - collateralPnl;
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
        somMax[g].in[1] <== -calls[g];
        somMax[g].in[2] <== -puts[g];
        som[g] <== somMax[g].out;

        // net delta in 1e-8 units of the underlying (delta per lot is in micro-units: * 100)
        var collateralDelta = 0;
        for (var k = 0; k < K; k++) {
            collateralDelta += assetBalance[k][g];
        }
        netDelta[g] <== 100 * positionDelta[g] + collateralDelta;
        deltaAbs[g] = SignedAbs(DELTA_BITS());
        deltaAbs[g].in <== netDelta[g];

        // size tiers: ceil(sum_t max(0, |delta| - threshold_t) * rate_t / 10^8)
        var tierSum = 0;
        for (var t = 0; t < T; t++) {
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
    component liabilityFree = IsZero();  // liabilities in [0, 2^49]: no wrap, so 0 iff none
    liabilityFree.in <== liabilities;
    component mmExcess = MaxZero(CAP_BITS());  // |optionTotal| <= 2^88
    mmExcess.in <== mmDiv.q - optionTotal;
    component imExcess = MaxZero(CAP_BITS());
    imExcess.in <== imDiv.q - optionTotal;
    signal mmCut <== liabilityFree.out * mmExcess.out;
    signal imCut <== liabilityFree.out * imExcess.out;
    mm <== mmDiv.q - mmCut;        // min(MM, option value) when liability-free, else MM
    im <== imDiv.q - imCut;
    component mmPacked = UnsignedRangeCheck(MARGIN_PACK_BITS());  // MM >= 0: the packing below is injective
    mmPacked.in <== mm;
    component imPacked = UnsignedRangeCheck(MONEY_BITS() - 1);    // 0 <= IM < 2^96, the reference's bound
    imPacked.in <== im;
    margins <== im * (1 << MARGIN_PACK_BITS()) + mm;  // injective: 0 <= MM < 2^128, 0 <= IM < 2^96

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
    collateral <== collateralDiv.q;  // < 2^132 / 10^12 < 2^92.2

    // |position value| <= 2^88 + 2^48 and collateral < 2^92.2: |equity| < 2^96, the reference's bound holds
    equity <== collateral + positionValue - shortTotal;
}

/**
 * The claims of an account's margin statement about its figures: solvency (equity >= MM), the margin commitment
 * and the disclosure.
 *
 * @input im, mm, margins, equity  ASSUMES AccountFigures' outputs (so within its bounds)
 * @input salt                any field element; chosen at random (>= 128 bits) so the commitment hides
 * @input margin_commitment   must be HashList(DOMAIN_MARGIN, IM, MM, salt)
 * @input disclosure          must be disclosure_mode * 2^248 + disclosure_value
 * @input disclosure_mode     constrained here to {0, 1, 2, 3}
 * @input disclosure_value    range-checked here to [0, 2^248); 0 for DISCLOSE_NOTHING, IM * 2^128 + MM for
 *                            DISCLOSE_MARGINS, a threshold X < 2^128 with MM <= X (DISCLOSE_MM_AT_MOST) or
 *                            equity - IM >= X (DISCLOSE_FREE_AT_LEAST)
 *
 * Cost: the solvency comparison (130), the commitment (HashList(4)) and the disclosure's range checks.
 */
template MarginClaim() {
    signal input im;
    signal input mm;
    signal input margins;
    signal input equity;
    signal input salt;
    signal input margin_commitment;
    signal input disclosure;
    signal input disclosure_mode;
    signal input disclosure_value;

    // solvency: equity - MM >= 0; equity and MM both lie in [-2^128, 2^128), far below r / 2 in magnitude
    component solvent = AssertSignedGreaterEq(MARGIN_PACK_BITS() + 1);
    solvent.in[0] <== equity;
    solvent.in[1] <== mm;

    // ---- the margin commitment and what the statement discloses ----
    component marginHash = HashList(4);
    marginHash.in[0] <== DOMAIN_MARGIN();
    marginHash.in[1] <== im;
    marginHash.in[2] <== mm;
    marginHash.in[3] <== salt;
    margin_commitment === marginHash.out;

    // disclosure = mode * 2^248 + value with mode in {0..3} and value < 2^248: below 2^250 < r, so one field
    // element decodes to one (mode, value)
    component mode = OneHot(N_DISCLOSURES());
    mode.code <== disclosure_mode;
    component valueRange = UnsignedRangeCheck(DISCLOSURE_SHIFT());
    valueRange.in <== disclosure_value;
    disclosure === disclosure_mode * (1 << DISCLOSURE_SHIFT()) + disclosure_value;
    mode.sel[DISCLOSE_NOTHING()] * disclosure_value === 0;
    mode.sel[DISCLOSE_MARGINS()] * (disclosure_value - margins) === 0;
    // a threshold X is below 2^128; then X - MM and equity - IM - X lie in (-2^129, 2^129), and a range check
    // to [0, 2^129) decides their sign
    signal thresholdMode <== mode.sel[DISCLOSE_MM_AT_MOST()] + mode.sel[DISCLOSE_FREE_AT_LEAST()];
    signal threshold <== thresholdMode * disclosure_value;
    component thresholdRange = UnsignedRangeCheck(THRESHOLD_BITS());
    thresholdRange.in <== threshold;
    signal mmRoom <== mode.sel[DISCLOSE_MM_AT_MOST()] * (disclosure_value - mm);
    component mmAtMost = UnsignedRangeCheck(THRESHOLD_BITS() + 1);  // X - MM >= 0
    mmAtMost.in <== mmRoom;
    signal freeRoom <== mode.sel[DISCLOSE_FREE_AT_LEAST()] * (equity - im - disclosure_value);
    component freeAtLeast = UnsignedRangeCheck(THRESHOLD_BITS() + 1);  // equity - IM - X >= 0
    freeAtLeast.in <== freeRoom;
}

/**
 * An account's margin figures over account-local slots (margin model v2): params_root from its parts,
 * GroupSlots, PositionRows and AccountFigures over one account, and its account commitment.  AccountMargin
 * (below) and the venue's VenueAccount (circuits/venue.circom) claim different things about these figures.
 *
 * @param N, G, K and the inputs: as AccountMargin's private inputs (below), constrained as documented there
 * @output params_root         Poseidon(6)(DOMAIN_PARAMS, instruments_root, table_hash, im_bp, mm_bp, epoch)
 * @output account_commitment  HashList(DOMAIN_ACCOUNT, N, K, (leaf_index_p, qty_p)_p, (asset_id_k, balance_k)_k,
 *                             salt)
 * @output im, mm, margins, collateral, equity  AccountFigures' outputs
 */
template AccountCore(N, G, K) {
    assert(N >= 1 && N <= MAX_POSITIONS());  // the loss bounds assume at most 2^8 positions
    assert(G >= 2 && G <= MAX_GROUPS());     // sums over groups stay within SCAN_BITS
    assert(K >= 1 && K <= MAX_ASSETS());     // the loss and collateral bounds assume at most 64 assets
    var S = MARKET_SCENARIOS();
    var L = INSTRUMENT_DEPTH() \ 2;
    var GL = GROUP_DEPTH() \ 2;
    var AL = ASSET_DEPTH() \ 2;
    var T = MAX_TIERS();

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

    // ---- group slots: the account's underlyings, each a leaf of the group table ----
    component groups = GroupSlots(G);
    groups.group_id <== group_id;
    groups.group_used <== group_used;
    groups.tier_threshold <== tier_threshold;
    groups.tier_rate <== tier_rate;
    groups.group_siblings <== group_siblings;
    groups.groups_root <== groups_root;

    // ---- positions: each row is a leaf of the committed tree, summed per group slot ----
    component rows = PositionRows(N, G);
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
    rows.key <== groups.key;
    rows.instruments_root <== instruments_root;

    // ---- the margin, collateral and equity ----
    component figures = AccountFigures(G, K);
    figures.shortLots <== rows.shortLots;
    figures.calls <== rows.calls;
    figures.puts <== rows.puts;
    figures.positionDelta <== rows.positionDelta;
    figures.positionPnl <== rows.positionPnl;
    figures.liabilities <== rows.liabilities;
    figures.optionTotal <== rows.optionTotal;
    figures.positionValue <== rows.positionValue;
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

    // ---- the account commitment ----
    component commitment = HashList(3 + 2 * N + 2 * K + 1);
    commitment.in[0] <== DOMAIN_ACCOUNT();
    commitment.in[1] <== N;
    commitment.in[2] <== K;
    for (var p = 0; p < N; p++) {
        commitment.in[3 + 2 * p] <== leaf_index[p];
        commitment.in[4 + 2 * p] <== qty[p];
    }
    for (var k = 0; k < K; k++) {
        commitment.in[3 + 2 * N + 2 * k] <== asset_id[k];
        commitment.in[4 + 2 * N + 2 * k] <== balance[k];
    }
    commitment.in[3 + 2 * N + 2 * K] <== salt;
    account_commitment <== commitment.out;
}

/**
 * The account margin statement (margin model v2) over account-local slots: GroupSlots, PositionRows and
 * AccountFigures over one account (AccountCore), its commitment, and MarginClaim.
 *
 * @param N  position slots; an unused slot holds qty = 0 and group slot code G (any leaf with a valid path)
 * @param G  group slots: the underlyings the account trades or posts, ids ascending, used slots first
 * @param K  collateral slots: the assets the account posts, ids ascending, used slots first
 * The market's shape is fixed: S = MARKET_SCENARIOS() columns, trees of INSTRUMENT_DEPTH(), GROUP_DEPTH() and
 * ASSET_DEPTH().
 *
 * Public inputs
 * @input params_root         Poseidon(6)(DOMAIN_PARAMS, instruments_root, table_hash, im_bp, mm_bp, epoch),
 *                            table_hash = HashList(DOMAIN_TABLE, groups_root, assets_root, credit_bp)
 * @input account_commitment  HashList(DOMAIN_ACCOUNT, N, K, (leaf_index_p, qty_p)_p, (asset_id_k, balance_k)_k,
 *                            salt)
 * @input margin_commitment   HashList(DOMAIN_MARGIN, IM, MM, salt): hides IM and MM (micro-units of quote
 *                            currency) from everyone without the account's salt (its owner and the venue)
 * @input disclosure          mode * 2^248 + value: mode DISCLOSE_NOTHING (value 0), DISCLOSE_MARGINS (value
 *                            IM * 2^128 + MM), DISCLOSE_MM_AT_MOST (value X < 2^128, MM <= X) or
 *                            DISCLOSE_FREE_AT_LEAST (value X < 2^128, equity - IM >= X)
 *
 * Private inputs and their bounds: every value read from the published parameters is range-checked where it is
 * opened (InstrumentLeaf, GroupLeaf and AssetLeaf hash exactly the values they check), so a venue cannot
 * publish a root whose values overflow the arithmetic.
 * @input qty[N], leaf_index[N], position_slot[N], group[N], kind[N], mark[N], charge[N], delta[N], vega[N],
 *        risk[N][S], siblings[N][INSTRUMENT_DEPTH/2][3]  the position rows: constrained in PositionRows
 * @input group_id[G], group_used[G], tier_threshold[G][MAX_TIERS], tier_rate[G][MAX_TIERS],
 *        group_siblings[G][GROUP_DEPTH/2][3]  the group slots: constrained in GroupSlots
 * @input asset_id[K], asset_used[K], asset_price[K], haircut_bp[K], asset_group[K], asset_risk[K][S],
 *        asset_slot[K], asset_siblings[K][ASSET_DEPTH/2][3], balance[K]  the collateral slots: constrained in
 *        AccountFigures
 * @input instruments_root, groups_root, assets_root  the roots the paths open to; any field elements
 * @input credit_bp, im_bp, mm_bp  range-checked in AccountFigures
 * @input epoch               any field element (hashed only)
 * @input salt                any field element; chosen at random (>= 128 bits) so the commitments hide
 * @input disclosure_mode, disclosure_value  constrained in MarginClaim
 *
 * Rejected besides a false statement: what AccountFigures rejects (a requirement or IM of 2^96 or more, a
 * negative IM or MM).
 *
 * Cost: see circuits/constraints.json; per position most of it the range checks of the packed leaf and its
 *       Merkle path, then the 127-bit scenario maxima (G + 1 of them) and the collateral slots.
 */
template AccountMargin(N, G, K) {
    var S = MARKET_SCENARIOS();
    var L = INSTRUMENT_DEPTH() \ 2;
    var GL = GROUP_DEPTH() \ 2;
    var AL = ASSET_DEPTH() \ 2;
    var T = MAX_TIERS();

    signal input params_root;
    signal input account_commitment;
    signal input margin_commitment;
    signal input disclosure;

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
    signal input disclosure_mode;
    signal input disclosure_value;

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
    account_commitment === core.account_commitment;

    // ---- solvency, the margin commitment and the disclosure ----
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
