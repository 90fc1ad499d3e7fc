pragma circom 2.1.0;

// Test main for tests/test_gadget_max.py: batches of SignedMax(4, 8),
// SignedMax(1, 8), MaxZero(8) and one wide SignedMax(3, 97) (MONEY_BITS).
// Inputs are range-checked here, as the caller of SignedMax must.

include "lib/range.circom";
include "lib/max.circom";

template RangedMax(S, n) {
    signal input in[S];
    signal output out;
    component range[S];
    for (var s = 0; s < S; s++) {
        range[s] = SignedRangeCheck(n);
        range[s].in <== in[s];
    }
    component m = SignedMax(S, n);
    m.in <== in;
    out <== m.out;
}

template MaxTest(B) {
    signal input max4[B][4];
    signal input max1[4][1];
    signal input zero[B];
    signal input wide[3];
    signal output outMax4[B];
    signal output outMax1[4];
    signal output outZero[B];
    signal output outWide;

    component m4[B];
    component z[B];
    for (var i = 0; i < B; i++) {
        m4[i] = RangedMax(4, 8);
        m4[i].in <== max4[i];
        outMax4[i] <== m4[i].out;
        z[i] = MaxZero(8);          // range-checks its own input
        z[i].in <== zero[i];
        outZero[i] <== z[i].out;
    }
    component m1[4];
    for (var i = 0; i < 4; i++) {
        m1[i] = RangedMax(1, 8);
        m1[i].in <== max1[i];
        outMax1[i] <== m1[i].out;
    }
    component mw = RangedMax(3, 97);
    mw.in <== wide;
    outWide <== mw.out;
}

component main = MaxTest(16);
