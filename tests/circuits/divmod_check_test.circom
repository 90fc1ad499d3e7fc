pragma circom 2.1.0;

// Test main for tests/test_gadget_divmod.py: the constraints of FloorDiv and
// CeilDiv with the quotient, remainder and excess supplied as INPUTS, so
// forged results can be tried directly; d in {1, 7, 16, 10000}, n = 16.

include "lib/range.circom";
include "lib/divmod.circom";

template CheckedDiv(n, d) {
    signal input in;
    signal input q;
    signal input r;
    signal input cq;
    signal input ce;

    component range = UnsignedRangeCheck(n);
    range.in <== in;
    component floorCheck = AssertFloorDiv(n, d);
    floorCheck.in <== in;
    floorCheck.q <== q;
    floorCheck.r <== r;
    component ceilCheck = AssertCeilDiv(n, d);
    ceilCheck.in <== in;
    ceilCheck.q <== cq;
    ceilCheck.e <== ce;
}

template DivmodCheckTest() {
    var D = 4;
    var DIVISORS[4] = [1, 7, 16, 10000];

    // claims[k] = [in, q, r, cq, ce] for divisor DIVISORS[k]
    signal input claims[D][5];

    component check[D];
    for (var k = 0; k < D; k++) {
        check[k] = CheckedDiv(16, DIVISORS[k]);
        check[k].in <== claims[k][0];
        check[k].q <== claims[k][1];
        check[k].r <== claims[k][2];
        check[k].cq <== claims[k][3];
        check[k].ce <== claims[k][4];
    }
}

component main = DivmodCheckTest();
