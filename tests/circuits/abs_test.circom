pragma circom 2.1.0;

// Test main for tests/test_gadget_abs.py: B instances of SignedAbs(8) and one of SignedAbs(96), the
// account circuit's width for a group's net delta (DELTA_BITS).  SignedAbs range-checks its own input.

include "lib/max.circom";

template AbsTest(B) {
    signal input in[B];
    signal input wide;
    signal output out[B];
    signal output outWide;

    component a[B];
    for (var i = 0; i < B; i++) {
        a[i] = SignedAbs(8);
        a[i].in <== in[i];
        out[i] <== a[i].out;
    }
    component w = SignedAbs(96);
    w.in <== wide;
    outWide <== w.out;
}

component main = AbsTest(16);
