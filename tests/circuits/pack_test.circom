pragma circom 2.1.0;

// Test main for tests/test_gadget_pack.py: 7 signed 8-bit values packed 3 to a word (the last word holds
// one), compared with words and signs claimed as inputs.

include "lib/pack.circom";

template PackTest(n, bits, per) {
    var W = (n + per - 1) \ per;
    signal input values[n];
    signal input words[W];
    signal input nonneg[n];

    component pack = PackSigned(n, bits, per);
    pack.in <== values;
    for (var j = 0; j < W; j++) {
        pack.words[j] === words[j];
    }
    for (var i = 0; i < n; i++) {
        pack.nonneg[i] === nonneg[i];
    }
}

component main = PackTest(7, 8, 3);
