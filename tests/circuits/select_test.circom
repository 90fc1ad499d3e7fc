pragma circom 2.1.0;

// Test main for tests/test_gadget_select.py: B instances of OneHot(4) (the instrument kinds) and
// OneHot(1), plus AssertOneHot(4) with the encoding supplied as an INPUT, so a dishonest prover's
// claim can be tried directly.

include "lib/select.circom";

template SelectTest(B) {
    signal input code[B];
    signal input single;
    signal input checkCode;
    signal input claimed[4];
    signal output sel[B][4];
    signal output selSingle[1];

    component hot[B];
    for (var i = 0; i < B; i++) {
        hot[i] = OneHot(4);
        hot[i].code <== code[i];
        sel[i] <== hot[i].sel;
    }
    component one = OneHot(1);
    one.code <== single;
    selSingle <== one.sel;

    component check = AssertOneHot(4);
    check.code <== checkCode;
    check.sel <== claimed;
}

component main = SelectTest(8);
