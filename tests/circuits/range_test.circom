pragma circom 2.1.0;

// Test main for tests/test_gadget_range.py: B independent instances per check
// at n = 8 (boundaries are easy to name) plus one of each at the widest n = 252.

include "lib/range.circom";

template RangeTest(B, n, W) {
    signal input signedIn[B];
    signal input unsignedIn[B];
    signal input signedWide;
    signal input unsignedWide;

    component s[B];
    component u[B];
    for (var i = 0; i < B; i++) {
        s[i] = SignedRangeCheck(n);
        s[i].in <== signedIn[i];
        u[i] = UnsignedRangeCheck(n);
        u[i].in <== unsignedIn[i];
    }
    component sw = SignedRangeCheck(W);
    sw.in <== signedWide;
    component uw = UnsignedRangeCheck(W);
    uw.in <== unsignedWide;
}

component main = RangeTest(16, 8, 252);
