pragma circom 2.1.0;

// Test main for tests/test_gadget_compare.py.  Every compared input is
// range-checked first, as the gadgets require.
//   ge4:    SignedGreaterEq(4) on all 16 x 16 pairs of 4-bit values (exhaustive)
//   ge8:    SignedGreaterEq(8) on B pairs
//   assert: AssertSignedGreaterEq(8) on B pairs
//   wide:   SignedGreaterEq(252) and AssertSignedGreaterEq(252) on one pair each

include "lib/range.circom";
include "lib/compare.circom";

template RangedGreaterEq(n) {
    signal input in[2];
    signal output out;
    component range[2];
    for (var k = 0; k < 2; k++) {
        range[k] = SignedRangeCheck(n);
        range[k].in <== in[k];
    }
    component ge = SignedGreaterEq(n);
    ge.in <== in;
    out <== ge.out;
}

template RangedAssertGreaterEq(n) {
    signal input in[2];
    component range[2];
    for (var k = 0; k < 2; k++) {
        range[k] = SignedRangeCheck(n);
        range[k].in <== in[k];
    }
    component ge = AssertSignedGreaterEq(n);
    ge.in <== in;
}

template CompareTest(B) {
    signal input pairs4[256][2];
    signal input pairs8[B][2];
    signal input assertPairs8[B][2];
    signal input wide[2];
    signal input assertWide[2];
    signal output ge4[256];
    signal output ge8[B];
    signal output geWide;

    component c4[256];
    for (var i = 0; i < 256; i++) {
        c4[i] = RangedGreaterEq(4);
        c4[i].in <== pairs4[i];
        ge4[i] <== c4[i].out;
    }
    component c8[B];
    component a8[B];
    for (var i = 0; i < B; i++) {
        c8[i] = RangedGreaterEq(8);
        c8[i].in <== pairs8[i];
        ge8[i] <== c8[i].out;
        a8[i] = RangedAssertGreaterEq(8);
        a8[i].in <== assertPairs8[i];
    }
    component cw = RangedGreaterEq(252);
    cw.in <== wide;
    geWide <== cw.out;
    component aw = RangedAssertGreaterEq(252);
    aw.in <== assertWide;
}

component main = CompareTest(16);
