pragma circom 2.1.0;

// Test main for tests/test_gadget_max.py: the constraints of SignedMax with
// the maximum supplied as an INPUT, so a dishonest prover's claim can be
// tried directly.  Inputs are range-checked, as SignedMax's caller must.

include "lib/range.circom";
include "lib/max.circom";

template MaxCheckTest(S, n) {
    signal input in[S];
    signal input claimed;
    signal input single;
    signal input claimedSingle;

    component range[S];
    for (var s = 0; s < S; s++) {
        range[s] = SignedRangeCheck(n);
        range[s].in <== in[s];
    }
    component check = AssertSignedMax(S, n);
    check.in <== in;
    check.max <== claimed;

    component rangeSingle = SignedRangeCheck(n);
    rangeSingle.in <== single;
    component checkSingle = AssertSignedMax(1, n);
    checkSingle.in[0] <== single;
    checkSingle.max <== claimedSingle;
}

component main = MaxCheckTest(4, 8);
