pragma circom 2.1.0;

// Test main for tests/test_compile.py: a public input, array inputs and
// outputs, a range check (a constraint that can fail) and a witness-only
// assert (a != 7).

include "lib/range.circom";

template HarnessTest() {
    signal input a;
    signal input b[2];
    signal input pub;
    signal output sum;
    signal output prod[2];

    component range = UnsignedRangeCheck(8);
    range.in <== a;
    assert(a != 7);

    signal mid;
    mid <== a * b[0];
    sum <== a + b[0] + b[1] + pub;
    prod[0] <== mid * b[1];
    prod[1] <== a * a;
}

component main {public [pub]} = HarnessTest();
