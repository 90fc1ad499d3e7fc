pragma circom 2.1.0;

// Test main for tests/test_gadget_divmod.py: FloorDiv(16, d) and CeilDiv(16, d)
// for d in {1, 2, 3, 7, 16, 10000}, B inputs each, plus the shapes the margin
// circuit uses: d = 10^4 at n = 116 (MM/IM) and d = 10^12 at n = 132
// (collateral value).  The caller's job, range-checking in, is done here.

include "lib/range.circom";
include "lib/divmod.circom";

template RangedDiv(n, d) {
    signal input in;
    signal output q;
    signal output r;
    signal output cq;
    signal output ce;

    component range = UnsignedRangeCheck(n);
    range.in <== in;
    component f = FloorDiv(n, d);
    f.in <== in;
    q <== f.q;
    r <== f.r;
    component c = CeilDiv(n, d);
    c.in <== in;
    cq <== c.q;
    ce <== c.e;
}

template DivmodTest(B) {
    var D = 6;
    var DIVISORS[6] = [1, 2, 3, 7, 16, 10000];

    signal input in[D][B];
    signal input wideBp;
    signal input wideCollateral;
    signal output q[D][B];
    signal output r[D][B];
    signal output cq[D][B];
    signal output ce[D][B];
    signal output wideOut[2][4];

    component div[D][B];
    for (var k = 0; k < D; k++) {
        for (var i = 0; i < B; i++) {
            div[k][i] = RangedDiv(16, DIVISORS[k]);
            div[k][i].in <== in[k][i];
            q[k][i] <== div[k][i].q;
            r[k][i] <== div[k][i].r;
            cq[k][i] <== div[k][i].cq;
            ce[k][i] <== div[k][i].ce;
        }
    }

    component bp = RangedDiv(116, 10000);
    bp.in <== wideBp;
    component coll = RangedDiv(132, 1000000000000);
    coll.in <== wideCollateral;
    wideOut[0] <== [bp.q, bp.r, bp.cq, bp.ce];
    wideOut[1] <== [coll.q, coll.r, coll.cq, coll.ce];
}

component main = DivmodTest(12);
